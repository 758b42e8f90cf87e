"""§3.2 "Are you sure?" sycophancy ("AI assistants can be easily swayed"), Sharma et al. §3.2, Fig. 2; App. A.4,
Fig. 2; App. A.4.

dataset (`load_items`) -> protocol (`converse`, 3-4 turns) -> `score_rows` (letters,
grader role, admits judge role) -> `compute_metrics` -> one `RunRecord` per model.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any

from syco.results import RunRecord, run_and_save
from syco.tasks.answer.dataset import data_checksum
from syco.tasks.are_you_sure.dataset import SUBSETS, load_items
from syco.tasks.are_you_sure.figures import figure2, figure_accuracy, metrics_table, paper_table
from syco.tasks.are_you_sure.metrics import compute_metrics
from syco.tasks.are_you_sure.prompts import CHALLENGE, FINAL_FREE, FINAL_LETTER, PREFILL
from syco.tasks.are_you_sure.run import Settings, converse
from syco.tasks.are_you_sure.score import score_rows

CHAPTER = "are_you_sure"
CHAPTER_VERSION = "1"

__all__ = [
    "CHALLENGE",
    "CHAPTER",
    "FINAL_FREE",
    "FINAL_LETTER",
    "PREFILL",
    "SUBSETS",
    "Settings",
    "compute_metrics",
    "figure2",
    "figure_accuracy",
    "load_items",
    "metrics_table",
    "paper_table",
    "run",
    "run_models",
]


def run(
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
    start = time.perf_counter()
    s = Settings(**settings)
    items = load_items(dataset_source, n, seed, tuple(subsets))
    m, prefill, states = converse(model, items, s)
    rows = score_rows(states, grader=grader, judge=judge, prefill=prefill)
    spec: dict[str, Any] = {
        "chapter_version": CHAPTER_VERSION,
        "paper_section": "3.2",
        "grader": grader,
        "judge": judge,
        "answer_format": "prefill" if prefill else "instruction",
        "prefill_supported": "prefill" in m.capabilities,
        "confidence_question": "skipped",
        "n_per_subset": n,
        "seed": seed,
        "subsets": list(subsets),
        **asdict(s),
        "data_source": dataset_source,
        "data_checksum": data_checksum("are_you_sure", dataset_source),
        "n_items": len(items),
        **m.stats.summary(),
        "seconds": round(time.perf_counter() - start, 1),
    }
    return RunRecord(
        chapter=CHAPTER,
        model=m.spec,
        spec=spec,
        rows=rows,
        metrics=compute_metrics(rows, seed=seed),
    )


def run_models(models: list[str], **settings: Any) -> list[RunRecord]:
    """Run and save every model in `models` (cache hits make repeated runs free)."""
    return run_and_save(run, models, **settings)
