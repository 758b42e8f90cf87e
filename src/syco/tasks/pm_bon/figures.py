"""§4.2 figures (Sharma et al. §4.2, Fig. 6; App. C): Fig. 6a, sycophancy of the best-of-N pick vs N, one panel
per metric, one line per (policy, PM), CIs as error bars, each panel's n in its title."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from syco import plots
from syco.tasks.pm_bon.metrics import METRICS

UNITS = {"feedback_sycophancy": "arguments", "answer_sycophancy": "questions",
         "mimicry_sycophancy": "prompts"}  # fmt: skip
TITLES = {
    "feedback_sycophancy": "Feedback sycophancy\n(arguments; like - dislike)",
    # §3.3's mean adds changes sycophancy pushes both ways: its sign is not a direction
    "answer_sycophancy": "Answer sycophancy (§3.3)\n(mean acc. change over 3 beliefs)",
    "mimicry_sycophancy": "Mimicry sycophancy\n(wrong poet repeated)",
}


def fig6a(curves: pd.DataFrame) -> plt.Figure:
    plots.set_style()
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    for ax, metric in zip(axes, METRICS.values(), strict=True):
        sub = curves[curves["metric"] == metric]
        for (model, pm), g in sub.groupby(["model", "subset"], sort=False):
            g = g.sort_values("N")
            err = [
                (g["value"] - g["ci_low"]).clip(lower=0),
                (g["ci_high"] - g["value"]).clip(lower=0),
            ]
            ax.errorbar(
                g["N"],
                g["value"],
                yerr=err,
                marker="o",
                capsize=3,
                ls="--" if "non-syc" in pm else "-." if pm == "random PM" else "-",
                label=f"{pm} · {model}",
            )
        ax.set_xscale("log", base=2)
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xlabel("N (best-of-N)")
        # n per point (the legend is shared by the panels, whose n differ): in the title
        n = plots.n_range(sub["n"]) if "n" in sub else "n=?"
        ax.set_title(f"{TITLES[metric]}\n{n} {UNITS[metric]} per point", fontsize="medium")
    axes[0].set_ylabel("sycophancy metric")
    handles, labels = axes[1].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="lower center",
        ncol=2,
        frameon=False,
        fontsize="small",
        bbox_to_anchor=(0.5, -0.12),
    )
    fig.tight_layout()
    return fig


def curve_table(
    curves: pd.DataFrame,
    keys: tuple[str, ...] = ("model", "metric", "N"),
    order: tuple[str, ...] = ("PM", "non-syc PM", "random PM"),
) -> pd.DataFrame:
    """The numbers behind Fig. 6a (and §4.3's Fig. 7c/7d): per `keys`, each PM's value with
    its 95% interval in the metric's unit (`syco.units`: shares in percent, differences in
    points), and the items behind each point (``n``) and those left out (``n_errors``: a
    pool too small), read from the PM's row (every PM scores the same items)."""
    if curves.empty:
        return pd.DataFrame()
    index = list(keys)
    cells = curves.assign(
        cell=[plots.fmt_interval(v, lo, hi, m, k) for v, lo, hi, m, k in zip(
            curves["value"], curves["ci_low"], curves["ci_high"],
            curves.get("ci_method", pd.Series([None] * len(curves), index=curves.index)),
            curves["metric"], strict=True)]
    )  # fmt: skip
    table = cells.pivot_table(index=index, columns="subset", values="cell", aggfunc="first")
    shown = [c for c in order if c in table.columns]
    table = table[shown + [c for c in table.columns if c not in shown]]
    counts = curves[curves["subset"] == "PM"].set_index(index)[["n", "n_errors"]]
    return table.join(counts).reset_index()
