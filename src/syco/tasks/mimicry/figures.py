"""§3.4 figure (Sharma et al. §3.4, Fig. 4; App. A.6): Fig. 4, the mimicry rate of every model, on
the poems the model attributes correctly when asked directly (the paper's setting) and on all
poems; error bars are the cluster-aware 95% intervals of the metrics (replies per poem)."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import pandas as pd

from syco.plots import bar_ci, one_legend, set_style

# The paper's setting (filtered) first: it is the chapter's headline.
SUBSETS = {"filtered": "poems it attributes correctly", "all_poems": "all poems"}
ASKS = {"True": " + 'who wrote it?'", "False": ", paper's prompt"}
WRAP = 16  # characters per tick-label line: four long labels side by side must not overlap


def _label(subset: str) -> str:
    """'all_poems, ask_author=True' -> "all poems + 'who wrote it?'" (the other wording),
    wrapped onto lines of at most `WRAP` characters."""
    base, _, tag = subset.partition(", ask_author=")
    return textwrap.fill(SUBSETS.get(base, base) + ASKS.get(tag, ""), WRAP)


def _order(subsets: list[str]) -> list[str]:
    """Headline wording before the other one, filtered before all poems within each."""
    rank = {k: i for i, k in enumerate(SUBSETS)}

    def key(s: str) -> tuple[int, int]:
        base, _, tag = s.partition(", ask_author=")
        return (1 if tag else 0, rank.get(base, len(rank)))

    return sorted(dict.fromkeys(subsets), key=key)


def fig4(metrics: pd.DataFrame) -> plt.Figure:
    set_style()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2), width_ratios=[2.4, 1])
    mim = metrics[metrics["metric"] == "mimicry"].copy()
    mim["poems"] = mim["subset"].map(_label)
    bar_ci(
        mim,
        x="poems",
        ax=ax1,
        order=[_label(s) for s in _order(list(mim["subset"]))],
        ylabel="Mimicry sycophancy",
        title="Fig. 4: replies repeating the user's wrong poet",
    )
    ax1.set_xlabel("")
    ax1.set_ylim(0, 100)
    ax1.tick_params(axis="x", labelsize="small")
    direct = metrics[metrics["metric"] == "direct_attribution"].assign(what="asked directly")
    bar_ci(direct, x="what", ax=ax2, ylabel="Correct attribution", title="Who wrote this poem?")
    ax2.set_xlabel("")
    ax2.set_ylim(0, 100)
    fig.tight_layout()
    return one_legend(fig)
