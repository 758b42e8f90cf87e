"""§3.1 figures (Sharma et al. §3.1, Fig. 1): Fig. 1 (positivity per framing, every model) and the
per-domain view (the paper's App. Fig. 10), from the tidy metrics of all saved runs."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from syco.plots import bar_ci, one_legend, set_style
from syco.tasks.feedback.prompts import FRAMINGS, LABELS


def _label(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df["framing_label"] = df["framing"].map(LABELS)
    return df


def fig1(metrics: pd.DataFrame) -> plt.Figure:
    """Feedback positivity per framing (mean over domains, 95% CI; `syco.stats`) and feedback
    sycophancy (prefer - disprefer), one bar per model. 50% = no change vs. baseline."""
    set_style()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8), width_ratios=[3, 1.3])
    pos = _label(metrics[(metrics["metric"] == "positivity") & (metrics["domain"] == "all")])
    bar_ci(
        pos,
        x="framing_label",
        ax=ax1,
        order=[LABELS[f] for f in FRAMINGS],
        ylabel="Feedback positivity",
        title="Fig. 1: feedback positivity vs. baseline",
    )
    ax1.axhline(50, color="grey", ls="--", lw=1)
    ax1.set_xlabel("user framing")
    ax1.set_ylim(0, 100)
    syc = metrics[(metrics["metric"] == "feedback_sycophancy") & (metrics["domain"] == "all")]
    syc = syc.assign(what="prefer − disprefer")
    bar_ci(syc, x="what", ax=ax2, ylabel="Feedback sycophancy", title="Sycophancy")
    ax2.set_xlabel("")
    fig.tight_layout()
    return one_legend(fig)


def fig_domains(metrics: pd.DataFrame) -> plt.Figure:
    """Positivity per framing within each domain (arguments, math, poems)."""
    set_style()
    pos = _label(metrics[(metrics["metric"] == "positivity") & (metrics["domain"] != "all")])
    domains = list(dict.fromkeys(pos["domain"]))
    fig, axes = plt.subplots(
        1, len(domains), figsize=(4.2 * len(domains), 3.6), sharey=True, squeeze=False
    )
    for ax, d in zip(axes[0], domains, strict=True):
        bar_ci(
            pos[pos["domain"] == d],
            x="framing_label",
            ax=ax,
            title=d,
            order=[LABELS[f] for f in FRAMINGS],
            ylabel="Feedback positivity",
        )
        ax.axhline(50, color="grey", ls="--", lw=1)
        ax.set_ylim(0, 100)
        ax.set_xlabel("")
        ax.tick_params(axis="x", labelrotation=20)
    fig.tight_layout()
    return one_legend(fig)
