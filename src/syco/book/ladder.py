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
from syco.results.lookup import select
from syco.results.store import LADDER_ORDER, latest_spec
from syco.units import unit_of

# Metrics whose values are differences or rates shown in percent (all headlines are).
PERCENT = True


# Words of a metric name a reader knows otherwise ("Pm prefers sycophantic" read as a name).
WORDS = {"pm": "PM", "bon": "best-of-N"}


def _label(metric: str, where: dict[str, Any]) -> str:
    extra = ", ".join(f"{k}={v}" for k, v in where.items() if k != "N")
    words = " ".join(WORDS.get(w, w) for w in metric.split("_"))
    return words + (f" ({extra})" if extra else "")


def _frame(metrics: pd.DataFrame, suffix: str) -> pd.DataFrame:
    if not suffix:
        return metrics
    frame = metrics[metrics["model"].astype(str).str.endswith(suffix)].copy()
    frame["model"] = frame["model"].astype(str).str.removesuffix(suffix)
    return frame


def ladder_metrics(
    chapter: str, metrics: pd.DataFrame, suffix: str = ""
) -> list[tuple[str, str, list[Rung]]]:
    """(label, what-it-is, rungs) for each headline of `chapter`. ``suffix`` names a §4
    record's PM (``" [PM smollm2-rm]"``)."""
    frame = _frame(metrics, suffix)
    return [
        (_label(metric, where), what, ladder_rows(frame, metric, **where))
        for metric, where, what in HEADLINES.get(chapter, [])
    ]


def _recorded_without_value(frame: pd.DataFrame, metric: str, where: dict[str, Any]) -> list[str]:
    """Ladder models whose record has the metric's row but no value (e.g. §3.4's filtered
    subset when no poem passes the direct check): recorded, not pending."""
    out = []
    for model in LADDER_ORDER:
        sel = select(frame, metric, model=model, **where)
        if len(sel) and pd.isna(sel.iloc[-1].get("value")):
            out.append(model)
    return out


def findings(chapter: str, metrics: pd.DataFrame, suffix: str = "") -> str:
    """Markdown: one bullet per headline metric, each a `ladder_sentence`, then the decoding
    caveat where the rungs sampled differently (`decoding_note`)."""
    lines = []
    models: list[str] = []
    frame = _frame(metrics, suffix)
    heads = HEADLINES.get(chapter, [])
    for (metric, where, _), (label, what, rungs) in zip(
        heads, ladder_metrics(chapter, metrics, suffix), strict=True
    ):
        empty = _recorded_without_value(frame, metric, where)
        pending = [m for m in LADDER_ORDER if m not in empty]
        text = ladder_sentence(rungs, label, percent=PERCENT, pending=pending, unit=unit_of(metric))
        if empty:
            text += " No value (n = 0) for " + ", ".join(NAMES.get(m, m) for m in empty) + "."
        lines.append(f"- *{what}.* {text}")
        models += [r.model for r in rungs if r.model not in models]
    if not lines:
        return "This chapter has no headline metric for the ladder."
    note = decoding_note({m: latest_spec(chapter, m + suffix) for m in models})
    return "\n".join(lines) + (f"\n\n{note}" if note else "")


def decoding_note(specs: dict[str, dict[str, Any]]) -> str:
    """Where the rungs sampled at different temperatures (the embedded model at its model
    card's, the others at the paper's T=1), say so: a difference across sizes, or its
    absence, can then come from the sampler as well as from size."""

    def rank(m: str) -> int:  # smallest first, as the sentences above list the rungs
        return LADDER_ORDER.index(m) if m in LADDER_ORDER else len(LADDER_ORDER)

    temps = {m: specs[m].get("temperature") for m in sorted(specs, key=rank)
             if specs[m].get("temperature") is not None}  # fmt: skip
    if len(set(temps.values())) < 2:
        return ""

    def how(m: str) -> str:
        top_p = specs[m].get("top_p")
        return f"{NAMES.get(m, m)} at T={temps[m]:g}" + (f" (top-p {top_p:g})" if top_p else "")

    return (
        "*Decoding differs across these rungs* (" + ", ".join(how(m) for m in temps) + "): a "
        "difference across sizes, or its absence, can come from the sampler as well as from size."
    )


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
