"""Every chapter's "The ladder" section: its headline metrics for the three assistants side
by side, smallest first (as the paper shows its five, Sharma et al. Figs. 1-4), a figure with
95% intervals, and one sentence per metric whose words follow the intervals
(`syco.results.ladder`). Which metrics are headlines is `syco.book.precision.HEADLINES`."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from syco.book.precision import HEADLINES
from syco.results.ladder import NAMES, Rung, ladder_rows, ladder_sentence
from syco.results.store import LADDER_ORDER

# Metrics whose values are differences or rates shown in percent (all headlines are).
PERCENT = True


def _label(metric: str, where: dict[str, Any]) -> str:
    extra = ", ".join(f"{k}={v}" for k, v in where.items() if k != "N")
    return f"{metric.replace('_', ' ')}" + (f" ({extra})" if extra else "")


def ladder_metrics(
    chapter: str, metrics: pd.DataFrame, suffix: str = ""
) -> list[tuple[str, str, list[Rung]]]:
    """(label, what-it-is, rungs) for each headline of `chapter`. ``suffix`` names a §4
    record's PM (``" [PM smollm2-rm]"``)."""
    out = []
    for metric, where, what in HEADLINES.get(chapter, []):
        if suffix:
            frame = metrics[metrics["model"].astype(str).str.endswith(suffix)].copy()
            frame["model"] = frame["model"].astype(str).str.removesuffix(suffix)
        else:
            frame = metrics
        out.append((_label(metric, where), what, ladder_rows(frame, metric, **where)))
    return out


def findings(chapter: str, metrics: pd.DataFrame, suffix: str = "") -> str:
    """Markdown: one bullet per headline metric, each a `ladder_sentence`."""
    lines = []
    for label, what, rungs in ladder_metrics(chapter, metrics, suffix):
        text = ladder_sentence(rungs, label, percent=PERCENT, pending=list(LADDER_ORDER))
        lines.append(f"- *{what}.* {text}")
    return "\n".join(lines) if lines else "This chapter has no headline metric for the ladder."


def figure(chapter: str, metrics: pd.DataFrame, suffix: str = "") -> Figure | None:
    """One panel per headline metric, one bar per ladder model (smallest first), 95% CIs."""
    panels = [p for p in ladder_metrics(chapter, metrics, suffix) if p[2]]
    if not panels:
        return None
    fig, axes = plt.subplots(1, len(panels), figsize=(3.4 * len(panels), 3.2), squeeze=False)
    for ax, (label, _, rungs) in zip(axes[0], panels, strict=True):
        xs = range(len(rungs))
        vals = [r.value * 100 for r in rungs]
        lo = [(r.value - r.lo) * 100 if r.lo is not None else 0.0 for r in rungs]
        hi = [(r.hi - r.value) * 100 if r.hi is not None else 0.0 for r in rungs]
        ax.bar(xs, vals, yerr=[lo, hi], capsize=4, color="#4c72b0")
        ax.set_xticks(list(xs))
        ax.set_xticklabels(
            [f"{NAMES.get(r.model, r.model).replace('-Coder', '')}\nn={r.n:,}" for r in rungs],
            fontsize=8,
        )
        ax.axhline(0, color="black", linewidth=0.6)
        ax.set_title(label, fontsize=9, wrap=True)
        ax.set_ylabel("%")
    fig.tight_layout()
    return fig


def show(chapter: str, metrics: pd.DataFrame, suffix: str = "") -> None:
    """Display the ladder figure and the findings (a notebook cell's whole output)."""
    from IPython.display import Markdown, display

    fig = figure(chapter, metrics, suffix)
    if fig is not None:
        display(fig)
        plt.close(fig)
    display(Markdown(findings(chapter, metrics, suffix)))
