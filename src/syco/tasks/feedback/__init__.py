"""§3.1 Feedback sycophancy (Sharma et al. 2023, §3.1, Fig. 1).

Does an assistant's free-form feedback on a text get more positive when the user says they
like it or wrote it, and more negative when they dislike it or did not write it?

    records = run(["smollm2"], n=3)         # generate, judge, save one RunRecord per model
    metrics, rows = frames()                  # every model ever run for this chapter
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from syco.results import RunRecord, metrics_frame, rows_frame
from syco.tasks._chapter import run_all
from syco.tasks.feedback.figures import fig1, fig_domains
from syco.tasks.feedback.judge_check import agreement_frame, agreement_summary, agreement_table
from syco.tasks.feedback.metrics import compute_metrics
from syco.tasks.feedback.prompts import DISPREFER, FRAMINGS, LABELS, PREFER
from syco.tasks.feedback.run import CHAPTER, VERSION, run_one
from syco.tasks.feedback.summary import example, example_check, paper_vs_ours, summary

__all__ = [
    "CHAPTER", "VERSION", "DISPREFER", "FRAMINGS", "LABELS", "PREFER", "agreement_frame",
    "agreement_summary", "agreement_table", "compute_metrics", "fig1", "example",
    "example_check", "fig_domains", "frames", "paper_vs_ours", "run", "run_one", "summary",
]  # fmt: skip


def run(models: list[str], **settings: Any) -> list[RunRecord]:
    """Run and save every model in `models` (settings: see `run_one`)."""
    return run_all(run_one, models, **settings)


def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(metrics, rows) of every saved run of this chapter, oldest model first."""
    return metrics_frame(CHAPTER), rows_frame(CHAPTER)
