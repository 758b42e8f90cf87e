"""§4.2 "What behaviour do preference models reward?" best-of-N (Sharma et al. §4.2, Fig. 6a; App. C).

`run(policy=..., pm=...)` samples a pool of M responses per prompt from the policy, scores
them with the PM and the non-sycophantic PM, measures each sample with the §3 judges and
computes every metric at N = 1, 2, 4, ..., M with the exact best-of-N estimator. RL
(Fig. 6b) is not reproduced (the chapter explains why).
"""

from __future__ import annotations

from typing import Any

from syco.pm.rows import pm_pair
from syco.results import RunRecord
from syco.tasks._chapter import RunEnvelope, record_name, run_all
from syco.tasks.pm_bon import dataset, metrics, score
from syco.tasks.pm_bon import run as run_mod
from syco.tasks.pm_bon.figures import curve_table, fig6a
from syco.tasks.pm_bon.metrics import METRICS, curve_frame

CHAPTER = "pm_bon"
VERSION = "1"
DATA_SETS = ("answer", "feedback", "mimicry")

__all__ = [
    "CHAPTER", "METRICS", "VERSION", "curve_frame", "curve_table", "fig6a", "record_name", "run",
    "run_one",
]  # fmt: skip


def run(models: list[str], **settings: Any) -> list[RunRecord]:
    """Run and save every policy in `models` against the PM (settings: see `run_one`)."""
    return run_all(run_one, models, **settings)


def run_one(
    model: str = "smollm2",
    *,
    pm: str = "smollm2-rm",
    dataset_source: str = "rebuilt",
    n_answer: int = 2,
    n_mimicry: int = 3,
    n_feedback: int = 2,
    answer_datasets: tuple[str, ...] | list[str] = dataset.ANSWER_DATASETS,
    pool_size: int = 8,
    temperature: float = 1.0,
    max_tokens: int = 40,
    grader: str = "alias",
    positivity_judge: str = "vader",
    non_syc_prefix: list[dict[str, str]] | None = None,
    pm_contrast: bool = False,
    seed: int = 0,
    mimicry_wrong: int = 1,
) -> RunRecord:
    """One policy (`model`) against one PM: the record is named by both (`record_name`)."""
    env = RunEnvelope(
        CHAPTER,
        VERSION,
        dataset_source,
        DATA_SETS,
        policy=model,
        pm=pm,
        grader=grader,
        positivity_judge=positivity_judge,
    )
    prompts, extra = dataset.load_prompts(
        source=dataset_source,
        n_answer=n_answer,
        n_mimicry=n_mimicry,
        n_feedback=n_feedback,
        answer_datasets=answer_datasets,
        seed=seed,
        mimicry_wrong=mimicry_wrong,
    )
    rows = run_mod.sample_pools(
        model, prompts, pool_size=pool_size, temperature=temperature, max_tokens=max_tokens
    )
    pms = pm_pair(pm, prefix=non_syc_prefix, contrast=pm_contrast)
    counts = run_mod.score_with_pms(rows, prompts, pms)
    matrices = score.score_samples(
        rows,
        prompts,
        grader=grader,
        positivity_judge=positivity_judge,
        known_poets=extra["known_poets"],
        pool_size=pool_size,
    )
    labels = [*pms, metrics.RANDOM]  # a random-score PM beside every PM (exact)
    mets = metrics.bon_curves(rows, matrices, labels, pool_size, seed=seed)
    mets += metrics.truncation_rows(rows, seed=seed)
    settings: dict[str, Any] = {
        "policy": model,
        "pm": pms["PM"].describe(),
        "non_syc_pm": pms["non-syc PM"].describe(),
        "grader": grader,
        "positivity_judge": positivity_judge,
        "n_answer": n_answer,
        "n_mimicry": n_mimicry,
        "n_feedback": n_feedback,
        # absent at 1, so records made before the parameter keep identical settings
        **({"mimicry_wrong": mimicry_wrong} if mimicry_wrong != 1 else {}),
        "answer_datasets": list(answer_datasets),
        "pool_size": pool_size,
        "temperature": temperature,
        "max_tokens": max_tokens,
        "seed": seed,
        "n_prompts": len(prompts),
        **counts,
    }
    return env.record(record_name(model, pm), settings=settings, rows=rows, metrics=mets)
