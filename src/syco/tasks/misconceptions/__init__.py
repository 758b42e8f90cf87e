"""§4.3 "How often do humans and PMs prefer truthful responses?" (Sharma et al. §4.3, Fig. 7; App. D).

`run(policy=..., pm=...)`: difficulty levels from a model's P(true), the three response
types (baseline truthful, helpful truthful, sycophantic pool), PM and non-sycophantic PM
scores, truthfulness by the judge role, Fig. 7a and 7c/7d metrics. `classroom` holds the
Fig. 7b activity (export a rating sheet, import the class's ratings).
"""

from __future__ import annotations

from typing import Any

from syco.pm import PreferenceModel
from syco.pm.rows import pm_pair
from syco.results import RunRecord
from syco.tasks._chapter import RunEnvelope, record_name, run_all
from syco.tasks.misconceptions import classroom, dataset, metrics, prompts, score
from syco.tasks.misconceptions import run as run_mod
from syco.tasks.misconceptions.figures import bon_table, by_level, fig7a, fig7cd

CHAPTER = "misconceptions"
VERSION = "1"
ITEM_KEYS = ("item_id", "claim", "prompt", "p_true", "level", "category", "correction")

__all__ = [
    "CHAPTER", "VERSION", "bon_table", "by_level", "classroom", "fig7a", "fig7cd", "prompts",
    "record_name", "run", "run_one", "score",
]  # fmt: skip


def run(models: list[str], **settings: Any) -> list[RunRecord]:
    """Run and save every policy in `models` against the PM (settings: see `run_one`)."""
    return run_all(run_one, models, **settings)


def run_one(
    model: str = "smollm2",
    *,
    pm: str = "smollm2-rm",
    selector: str | None = None,
    difficulty_model: str = "smollm2",
    judge: str = "cues",
    dataset_source: str = "rebuilt",
    n: int = 16,
    pool_size: int = 8,
    levels: int = 8,
    hardest_levels: list[int] | tuple[int, ...] = (8,),
    temperature: float = 1.0,
    max_tokens: int = 48,
    non_syc_prefix: list[dict[str, str]] | None = None,
    pm_contrast: bool = False,
    seed: int = 0,
) -> RunRecord:
    """One policy (`model`) against one PM; the items with their difficulty are in
    ``spec["items"]``.

    `pm` judges (Fig. 7a) and ranks the best-of-N curves (Fig. 7c/d); `selector` is the PM
    whose best-of-N pick from the sycophantic pool `pm` judges in Fig. 7a (the paper: the
    helpful-only PM). None or "": `pm` itself, a self-judgement whose chance level is N/(N+B),
    not 50% (`metrics.chance_prefer`); the record and the page say which it was."""
    env = RunEnvelope(
        CHAPTER,
        VERSION,
        dataset_source,
        ["misconceptions"],
        policy=model,
        pm=pm,
        selector=selector,
        difficulty_model=difficulty_model,
        judge=judge,
    )
    items = dataset.load_items(dataset_source, n=n, seed=seed)
    run_mod.difficulty(difficulty_model, items)
    known = [i for i, it in enumerate(items) if it["p_true"] is not None]
    lv = score.difficulty_levels([items[i]["p_true"] for i in known], levels)
    for i, level in zip(known, lv, strict=True):
        items[i]["level"] = level
    rows = run_mod.responses(
        model, items, pool_size=pool_size, temperature=temperature, max_tokens=max_tokens
    )
    pms = pm_pair(pm, prefix=non_syc_prefix, contrast=pm_contrast)
    same_pm = not selector or selector == pm
    if not same_pm:
        pms[metrics.SELECTOR] = PreferenceModel(str(selector), contrast=pm_contrast)
    run_mod.pm_scores(rows, items, pms)
    run_mod.truthfulness(rows, items, judge)
    prefs = metrics.prefer_rows(rows, selector=metrics.JUDGE if same_pm else metrics.SELECTOR)
    left_out = metrics.not_truthful_items(rows)
    mets = (
        metrics.prefer_metrics(prefs, levels, len(items), seed=seed, not_truthful=left_out)
        + metrics.bon_metrics(rows, pool_size, list(hardest_levels), seed=seed)
        + metrics.difficulty_metrics(items, seed=seed)
        + metrics.truthful_rows(rows, seed=seed)
        + metrics.truncation_rows(rows, seed=seed)
    )
    settings: dict[str, Any] = {
        "policy": model,
        "pm": pms["PM"].describe(),
        "non_syc_pm": pms["non-syc PM"].describe(),
        "selector": pms["PM"].describe() if same_pm else pms[metrics.SELECTOR].describe(),
        "same_pm_selects_and_judges": same_pm,
        "difficulty_model": difficulty_model,
        "judge": judge,
        "n": n,
        "pool_size": pool_size,
        "levels": levels,
        "hardest_levels": list(hardest_levels),
        "temperature": temperature,
        "max_tokens": max_tokens,
        "seed": seed,
        "baseline_truthful": list(prompts.BASELINE_TRUTHFUL),
        "helpful_instruction": prompts.HELPFUL_INSTRUCTION,
        "sycophantic_instruction": prompts.SYCOPHANTIC_INSTRUCTION,
        "n_difficulty_errors": len(items) - len(known),
        "items": [{k: it.get(k) for k in ITEM_KEYS} for it in items],
    }
    return env.record(record_name(model, pm), settings=settings, rows=rows, metrics=mets)
