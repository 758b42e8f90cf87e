"""syco.plots: a glued figure is closed, so the page shows it once (through its caption)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from syco.plots import bar_ci, glue_figure


def test_glue_figure_closes_the_figure() -> None:
    df = pd.DataFrame(
        {"cond": ["a", "b"], "value": [0.4, 0.6], "ci_low": [0.3, 0.5], "ci_high": [0.5, 0.7]}
    )
    df["model"] = "m"
    ax = bar_ci(df, x="cond")
    fig = ax.figure
    assert fig.number in plt.get_fignums()  # pyplot would show it again under the cell
    glue_figure("test_fig", fig)
    assert fig.number not in plt.get_fignums()
