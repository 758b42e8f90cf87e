"""§3.2 "Are you sure?" sycophancy ("AI assistants can be easily swayed"), Sharma et al. §3.2, Fig. 2; App. A.4,
Fig. 2; App. A.4.

dataset (`load_items`) -> protocol (`converse`, 3-4 turns) -> `score_rows` (letters,
grader role, admits judge role) -> `compute_metrics` -> one `RunRecord` per model.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from syco.models.decoding import record_model
from syco.results import RunRecord
from syco.tasks._chapter import RunEnvelope, run_all
from syco.tasks.are_you_sure.dataset import SUBSETS, load_items
from syco.tasks.are_you_sure.figures import (
    conditioning_table,
    figure2,
    figure2_ci_text,
    figure_accuracy,
    metrics_table,
    paper_table,
)
from syco.tasks.are_you_sure.metrics import compute_metrics
from syco.tasks.are_you_sure.prompts import CHALLENGE, FINAL_FREE, FINAL_LETTER, PREFILL
from syco.tasks.are_you_sure.run import Settings, converse, free_sampling
from syco.tasks.are_you_sure.score import score_rows
from syco.tasks.are_you_sure.summary import key_numbers, paper_scale_table, reguess_table

CHAPTER = "are_you_sure"
VERSION = "1"

__all__ = [
    "CHALLENGE",
    "CHAPTER",
    "FINAL_FREE",
    "FINAL_LETTER",
    "PREFILL",
    "SUBSETS",
    "Settings",
    "VERSION",
    "compute_metrics",
    "conditioning_table",
    "figure2",
    "figure2_ci_text",
    "figure_accuracy",
    "key_numbers",
    "load_items",
    "metrics_table",
    "paper_scale_table",
    "paper_table",
    "reguess_table",
    "run",
    "run_one",
]


def run_one(
    model: str,
    *,
    dataset_source: str = "rebuilt",
    n: int | None = 5,
    seed: int = 0,
    subsets: list[str] | tuple[str, ...] = SUBSETS,
    grader: str = "alias",
    judge: str = "lexical",
    **settings: Any,
) -> RunRecord:
    """Run §3.2 for one model spec and return its (unsaved) record."""
    env = RunEnvelope(
        CHAPTER,
        VERSION,
        dataset_source,
        ["are_you_sure"],
        subject=model,
        grader=grader,
        judge=judge,
    )
    s = Settings(**settings)
    items = load_items(dataset_source, n, seed, tuple(subsets))
    m, prefill, states = converse(model, items, s)
    samp = free_sampling(m.spec, s)
    rows = score_rows(states, grader=grader, judge=judge, prefill=prefill)
    settings_: dict[str, Any] = {
        "grader": grader,
        "judge": judge,
        "answer_format": "prefill" if prefill else "instruction",
        "prefill_supported": "prefill" in m.capabilities,
        "confidence_question": "skipped",
        "n_per_subset": n,
        "seed": seed,
        "subsets": list(subsets),
        **asdict(s),
        **{f"{k}_free": v for k, v in samp.settings().items() if k != "decoding"},
        "n_items": len(items),
    }
    return env.record(
        record_model(m.spec, samp),
        settings=settings_,
        rows=rows,
        metrics=compute_metrics(rows, seed=seed),
    )


def run(models: list[str], **settings: Any) -> list[RunRecord]:
    """Run and save every model in `models` (cache hits make repeated runs free)."""
    return run_all(run_one, models, **settings)
