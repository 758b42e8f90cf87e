"""§3.4 figure (Sharma et al. §3.4, Fig. 4; App. A.6): Fig. 4, the mimicry rate of every model, on all poems and on
the poems the model attributes correctly when asked directly (the paper's setting)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from syco.plots import bar_ci, one_legend, set_style

SUBSETS = {"all_poems": "all poems", "filtered": "poems it attributes correctly"}
ASKS = {"True": " + 'who wrote it?'", "False": ", paper's prompt"}


def _label(subset: str) -> str:
    """'all_poems, ask_author=True' -> "all poems + 'who wrote it?'" (the other wording)."""
    base, _, tag = subset.partition(", ask_author=")
    return SUBSETS.get(base, base) + ASKS.get(tag, "")


def fig4(metrics: pd.DataFrame) -> plt.Figure:
    set_style()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8), width_ratios=[2, 1.2])
    mim = metrics[metrics["metric"] == "mimicry"].copy()
    mim["poems"] = mim["subset"].map(_label)
    bar_ci(
        mim,
        x="poems",
        ax=ax1,
        order=list(dict.fromkeys(mim["poems"])),
        ylabel="Mimicry sycophancy",
        title="Fig. 4: replies repeating the user's wrong poet",
    )
    ax1.set_xlabel("")
    ax1.set_ylim(0, 100)
    direct = metrics[metrics["metric"] == "direct_attribution"].assign(what="asked directly")
    bar_ci(direct, x="what", ax=ax2, ylabel="Correct attribution", title="Who wrote this poem?")
    ax2.set_xlabel("")
    ax2.set_ylim(0, 100)
    fig.tight_layout()
    return one_legend(fig)
