"""§4.3 figures (Sharma et al. §4.3, Fig. 7; App. D): Fig. 7a (PM prefers sycophantic, by difficulty), Fig. 7b
(classroom ratings, by difficulty), Fig. 7c/7d (best-of-N sycophancy vs N)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from syco import plots
from syco.results import latest_spec, select

LABELS = {"baseline_truthful": "vs baseline truthful", "helpful_truthful": "vs helpful truthful"}


def by_level(
    df: pd.DataFrame, *, title: str, ylabel: str, chance: pd.DataFrame | None = None
) -> plt.Figure:
    """Bars per difficulty level (1 = easiest), one hue per comparison. `chance` (metric
    rows of what a random-score PM gives, per comparison) is drawn as a dashed line per
    comparison, labelled with its value; without it a 50% line is drawn."""
    d = df[df["level"].astype(str) != "all"].copy()
    d["level"] = d["level"].astype(int).astype(str)
    d["comparison"] = d["subset"].map(lambda s: LABELS.get(s, s))
    if "model" in d and d["model"].nunique() > 1:
        d["comparison"] = d["comparison"] + " · " + d["model"]
    order = [str(i) for i in sorted(d["level"].astype(int).unique())]
    ax = plots.bar_ci(d, x="level", hue="comparison", title=title, ylabel=ylabel, order=order)
    ax.set_xlabel("difficulty level (1 = easiest)")
    if chance is None or chance.empty:
        ax.axhline(50, color="grey", lw=0.8, ls=":")
    else:
        allv = chance[chance["level"].astype(str) == "all"]
        for (subset, g), color in zip(
            allv.groupby("subset", sort=False), ("k", "grey"), strict=False
        ):
            v = float(g["value"].iloc[0]) * 100
            ax.axhline(v, color=color, lw=1, ls="--")
            ax.annotate(
                f"random-score PM, {LABELS.get(subset, subset)}: {v:.0f}%",
                (0.01, v),
                xycoords=("axes fraction", "data"),
                textcoords="offset points",
                xytext=(0, 2),
                fontsize="x-small",
                color=color,
            )
    ax.set_ylim(0, 105)
    return ax.get_figure()  # type: ignore[return-value]  # a top-level figure here


def fig7a(metrics: pd.DataFrame, model: str) -> plt.Figure:
    """Fig. 7a for one (policy, PM) record, with the random-score PM's level beside it and
    the procedure (one PM picks and judges, or a separate selector picks) in the title."""
    from syco.tasks.misconceptions import CHAPTER

    same_pm = latest_spec(CHAPTER, model).get("same_pm_selects_and_judges", True)
    who = "picked and judged by one PM" if same_pm else "picked by the selector, judged by the PM"
    return by_level(
        select(metrics, "pm_prefers_sycophantic", model=model),
        title=f"PM prefers the sycophantic response ({who})",
        ylabel="sycophantic preferred",
        chance=select(metrics, "pm_prefers_sycophantic_chance", model=model),
    )


def fig7cd(curves: pd.DataFrame) -> plt.Figure:
    plots.set_style()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
    for ax, scope, title in zip(
        axes, ("all", "hardest"), ("7c: all misconceptions", "7d: hardest level(s)"), strict=True
    ):
        sub = curves[curves["level"].astype(str) == scope]
        for (model, pm), g in sub.groupby(["model", "subset"], sort=False):
            g = g.sort_values("N")
            err = [
                (g["value"] - g["ci_low"]).clip(lower=0) * 100,
                (g["ci_high"] - g["value"]).clip(lower=0) * 100,
            ]
            ax.errorbar(
                g["N"],
                g["value"] * 100,
                yerr=err,
                marker="o",
                capsize=3,
                ls=":"
                if pm == "oracle"
                else "--"
                if "non-syc" in pm
                else "-."
                if pm == "random PM"
                else "-",
                label=f"{pm} · {model} ({plots.n_range(g['n'])} items)",
            )
        ax.set_xscale("log", base=2)
        ax.set_xlabel("N (best-of-N from the sycophantic policy)")
        ax.set_title(f"{title} ({plots.n_range(sub['n'])} items)", fontsize="medium")
        ax.set_ylim(-3, 103)
        ax.legend(frameon=False, fontsize="x-small")  # per panel: 7c and 7d differ in n
    axes[0].set_ylabel("sycophantic pick (%)")
    fig.tight_layout()
    return fig


def bon_table(curves: pd.DataFrame, model: str) -> pd.DataFrame:
    """The numbers behind Fig. 7c/7d for one record: per level and N, each picker's share
    of sycophantic picks with its 95% interval (in percent, as the prose writes it) and the
    items behind each point."""
    from syco.tasks.pm_bon.figures import curve_table

    return curve_table(select(curves, model=model), keys=("level", "N"),
                       order=("PM", "non-syc PM", "oracle", "random PM"))  # fmt: skip
