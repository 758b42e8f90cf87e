"""§4.1 figures: Fig. 5 (σ(α) per feature with 50% and 95% intervals, sorted) and the
leave-one-sixth-out sensitivity check (App. B, Figs. 19–20), from the metrics of saved runs.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from syco.plots import PALETTE, set_style
from syco.tasks.preference_data.labeler import BELIEF_PAIR


def fig5_frame(metrics: pd.DataFrame, model: str) -> pd.DataFrame:
    """σ(α) rows of one labeller; for an LLM labeller the two belief features are shown
    combined, σ(α_explicit + α_implicit), as the paper's Fig. 5 does."""
    m = metrics[metrics["model"] == model]
    df = m[m["metric"] == "p_preferred"]
    comb = m[m["metric"] == "p_preferred_combined"]
    if not comb.empty:
        df = pd.concat([df[~df["subset"].isin(BELIEF_PAIR)], comb])
    return df.sort_values("value").reset_index(drop=True)


def _empty(text: str) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(6, 1.2))
    ax.text(0.5, 0.5, text, ha="center", va="center")
    ax.set_axis_off()
    return fig


def fig5(metrics: pd.DataFrame, models: list[str] | None = None) -> plt.Figure:
    """One panel per labeller: dot = posterior median, thick = 50%, thin = 95% interval."""
    set_style()
    fitted = metrics[metrics["metric"] == "p_preferred"]["model"].unique().tolist()
    models = [m for m in (models or fitted) if m in fitted]
    if not models:
        return _empty("no fitted run yet (too few parsed pairs?)")
    heights = [len(fig5_frame(metrics, m)) for m in models]
    fig, axes = plt.subplots(
        len(models), 1, figsize=(7, 0.32 * sum(heights) + 1.2 * len(models)),
        gridspec_kw={"height_ratios": heights}, squeeze=False,
    )  # fmt: skip
    colors = sns.color_palette(PALETTE, len(models))
    for ax, model, color in zip(axes[:, 0], models, colors, strict=True):
        df = fig5_frame(metrics, model)
        ys = range(len(df))
        ax.hlines(ys, df["ci_low"] * 100, df["ci_high"] * 100, color=color, lw=1.2)
        ax.hlines(ys, df["q25"] * 100, df["q75"] * 100, color=color, lw=4)
        ax.plot(df["value"] * 100, ys, "o", color="black", ms=4)
        ax.axvline(50, color="grey", lw=0.8, ls="--")
        ax.set_yticks(list(ys), df["subset"])
        n = int(df["n"].iloc[0])
        ax.set_title(f"labeller: {model} (n={n} training pairs)", fontsize="medium")
        ax.set_xlabel("P(response with more of the feature is preferred) (%)")
    fig.tight_layout()
    return fig


def sensitivity_frame(metrics: pd.DataFrame, model: str) -> pd.DataFrame:
    """Median σ(α) and rank per feature for the full fit and each leave-one-sixth-out refit."""
    m = metrics[metrics["model"] == model]
    full = m[m["metric"] == "p_preferred"][["subset", "value", "rank"]].assign(split="all")
    cols = ["subset", "value", "rank", "split"]  # no refits (sensitivity=False): no split
    loso = m[m["metric"] == "p_preferred_loso"].reindex(columns=cols)
    loso = loso.assign(split=loso["split"].map(lambda s: f"w/o fold {int(s) + 1}"))
    return pd.concat([full, loso], ignore_index=True)


def rank_table(metrics: pd.DataFrame, model: str) -> pd.DataFrame:
    """Feature × split table of ranks (1 = highest σ(α)), ordered by the full fit."""
    df = sensitivity_frame(metrics, model)
    if df.empty:
        return pd.DataFrame(columns=["feature"])
    t = df.pivot(index="subset", columns="split", values="rank").astype("Int64")
    cols = ["all"] + sorted(c for c in t.columns if c != "all")
    t = t[cols].sort_values("all")
    t.index.name = "feature"
    return t


def sensitivity_fig(metrics: pd.DataFrame, model: str) -> plt.Figure:
    """Median σ(α) per refit (coloured dots) beside the full fit (black bar)."""
    set_style()
    df = sensitivity_frame(metrics, model)
    if df[df["split"] != "all"].empty:
        return _empty(f"no leave-one-sixth-out refits for {model} (not fitted)")
    order = df[df["split"] == "all"].sort_values("value")["subset"].tolist()
    pos = {f: i for i, f in enumerate(order)}
    fig, ax = plt.subplots(figsize=(7, 0.32 * len(order) + 1.2))
    full = df[df["split"] == "all"]
    ax.scatter(full["value"] * 100, full["subset"].map(pos), marker="|", s=300, c="black",
               label="all training pairs", zorder=3)  # fmt: skip
    splits = [s for s in dict.fromkeys(df["split"]) if s != "all"]
    colors = sns.color_palette(PALETTE, len(splits))
    for j, (s, c) in enumerate(zip(splits, colors, strict=True)):
        sub = df[df["split"] == s]
        ax.scatter(sub["value"] * 100, sub["subset"].map(pos) + (j - 2.5) * 0.08, s=14,
                   color=c, label=s)  # fmt: skip
    ax.axvline(50, color="grey", lw=0.8, ls="--")
    ax.set_yticks(range(len(order)), order)
    ax.set_xlabel("posterior median P(preferred) (%)")
    ax.set_title(f"leave-one-sixth-out refits, labeller: {model}", fontsize="medium")
    ax.legend(fontsize="x-small", frameon=False, loc="lower right")
    fig.tight_layout()
    return fig
