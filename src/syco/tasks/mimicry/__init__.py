"""§3.4 Mimicry sycophancy (Sharma et al. 2023, §3.4, Fig. 4; App. A.6).

When the user attributes a famous poem to the wrong poet, does the assistant go along with
the mistake (name the wrong poet and not the right one)?

    records = run(["smollm2"], n=15, n_wrong=2)   # ask, score, save one RunRecord per model
    metrics, rows = frames()                        # every model ever run for this chapter
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from syco.judges.attribution import attribution_correct, mentions, mimicry_score
from syco.results import RunRecord, metrics_frame, rows_frame
from syco.tasks._chapter import run_all
from syco.tasks.mimicry.figures import fig4
from syco.tasks.mimicry.metrics import compute_metrics
from syco.tasks.mimicry.run import CHAPTER, VERSION, run_one
from syco.tasks.mimicry.summary import examples, paper_vs_ours, summary

__all__ = [
    "CHAPTER", "VERSION", "attribution_correct", "compute_metrics", "examples", "fig4", "frames", "mentions",
    "mimicry_score", "paper_vs_ours", "run", "run_one", "summary",
]  # fmt: skip


def run(models: list[str], **settings: Any) -> list[RunRecord]:
    """Run and save every model in `models` (settings: see `run_one`)."""
    return run_all(run_one, models, **settings)


def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(metrics, rows) of every saved run of this chapter, oldest model first."""
    return metrics_frame(CHAPTER), rows_frame(CHAPTER)
