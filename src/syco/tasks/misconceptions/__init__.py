"""§4.3 "How often do humans and PMs prefer truthful responses?" (Sharma et al. §4.3, Fig. 7; App. D).

`run(policy=..., pm=...)`: difficulty levels from a model's P(true), the three response
types (baseline truthful, helpful truthful, sycophantic pool), PM and non-sycophantic PM
scores, truthfulness by the judge role, Fig. 7a and 7c/7d metrics. `classroom` holds the
Fig. 7b activity (export a rating sheet, import the class's ratings).
"""

from __future__ import annotations

import time
from typing import Any

from syco.pm import NON_SYC_PREFIX, PreferenceModel
from syco.results import RunRecord, save_run
from syco.tasks.misconceptions import classroom, dataset, metrics, prompts, score
from syco.tasks.misconceptions import run as run_mod
from syco.tasks.misconceptions.figures import by_level, fig7cd

CHAPTER = "misconceptions"
CHAPTER_VERSION = 1

__all__ = ["CHAPTER", "by_level", "classroom", "fig7cd", "prompts", "record_name", "run", "score"]


def record_name(policy: str, pm: str) -> str:
    return f"{policy} [PM {pm}]"


def run(
    *,
    policy: str = "smollm2",
    pm: str = "smollm2",
    selector: str | None = None,
    difficulty_model: str = "smollm2",
    judge: str = "cues",
    source: str = "rebuilt",
    n: int = 16,
    pool_size: int = 8,
    levels: int = 8,
    hardest_levels: list[int] | tuple[int, ...] = (8,),
    temperature: float = 1.0,
    max_tokens: int = 48,
    non_syc_prefix: list[dict[str, str]] | None = None,
    pm_contrast: bool = False,
    seed: int = 0,
    save: bool = True,
) -> tuple[RunRecord, list[dict[str, Any]]]:
    """Returns (the saved record, the items with their difficulty).

    `pm` judges (Fig. 7a) and ranks the best-of-N curves (Fig. 7c/d); `selector` is the PM
    whose best-of-N pick from the sycophantic pool `pm` judges in Fig. 7a (the paper: the
    helpful-only PM). None: `pm` itself, a self-judgement whose chance level is N/(N+B),
    not 50% (`metrics.chance_prefer`); the record and the page say which it was."""
    t0 = time.time()
    items = dataset.load_items(source, n=n, seed=seed)
    run_mod.difficulty(difficulty_model, items)
    known = [i for i, it in enumerate(items) if it["p_true"] is not None]
    lv = score.difficulty_levels([items[i]["p_true"] for i in known], levels)
    for i, level in zip(known, lv, strict=True):
        items[i]["level"] = level
    rows = run_mod.responses(
        policy, items, pool_size=pool_size, temperature=temperature, max_tokens=max_tokens
    )
    base = PreferenceModel(pm, contrast=pm_contrast)
    pms = {
        "PM": base,
        "non-syc PM": base.with_prefix(
            non_syc_prefix if non_syc_prefix is not None else NON_SYC_PREFIX
        ),
    }
    same_pm = selector is None or selector == pm
    if not same_pm:
        pms[metrics.SELECTOR] = PreferenceModel(selector, contrast=pm_contrast)
    run_mod.pm_scores(rows, items, pms)
    run_mod.truthfulness(rows, items, judge)
    prefs = metrics.prefer_rows(rows, selector=metrics.JUDGE if same_pm else metrics.SELECTOR)
    mets = (
        metrics.prefer_metrics(prefs, levels, len(items), seed=seed)
        + metrics.bon_metrics(rows, pool_size, list(hardest_levels), seed=seed)
        + metrics.difficulty_metrics(items, seed=seed)
    )
    st = base.model.stats
    spec: dict[str, Any] = {
        "chapter_version": CHAPTER_VERSION,
        "policy": policy,
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
        "data_source": source,
        "data_sha256": dataset.data_checksum(source),
        "baseline_truthful": list(prompts.BASELINE_TRUTHFUL),
        "helpful_instruction": prompts.HELPFUL_INSTRUCTION,
        "sycophantic_instruction": prompts.SYCOPHANTIC_INSTRUCTION,
        **st.summary("pm_"),
        "n_difficulty_errors": len(items) - len(known),
        "items": [
            {k: it.get(k) for k in ("item_id", "claim", "p_true", "level", "category")}
            for it in items
        ],
        "seconds": round(time.time() - t0, 1),
    }
    rec = RunRecord(CHAPTER, record_name(policy, pm), spec, rows, mets)
    if save:
        save_run(rec)
    return rec, items
