"""syco.plots: a glued figure is closed, so the page shows it once (through its caption)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from syco.plots import bar_ci, glue_figure, one_legend


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


def test_one_legend_replaces_the_panel_legends() -> None:
    df = pd.DataFrame(
        {"cond": ["a", "a"], "when": ["before", "after"], "value": [0.2, float("nan")]}
    )
    fig, (ax1, ax2) = plt.subplots(1, 2)
    bar_ci(df, x="cond", hue="when", ax=ax1)
    bar_ci(df, x="cond", hue="when", ax=ax2)
    one_legend(fig)
    assert ax1.get_legend() is None and ax2.get_legend() is None
    (legend,) = fig.legends
    assert legend.get_title().get_text() == "when"  # the hue's name, not "model"
    assert [t.get_text() for t in legend.get_texts()] == ["before", "after"]
    # the missing value is labelled, not a silent gap
    assert any(t.get_text() == "no data" for t in ax1.texts)
    plt.close(fig)


def test_bar_ci_writes_n_beside_every_bar() -> None:
    """Issue 10, defect 9: a reader sees how many samples stand behind each bar."""
    import pandas as pd

    from syco.plots import bar_ci

    df = pd.DataFrame({"cond": ["a", "b"], "model": ["m", "m"], "value": [0.0, 0.5],
                       "ci_low": [0.0, 0.3], "ci_high": [0.49, 0.7], "n": [4, 20]})  # fmt: skip
    ax = bar_ci(df, x="cond")
    assert {t.get_text() for t in ax.texts} >= {"n=4", "n=20"}


def test_ours_gives_value_interval_and_n() -> None:
    from syco.plots import ours

    row = {"value": 0.0, "ci_low": 0.0, "ci_high": 0.4899, "n": 4}
    assert ours(row) == "0.0% [0.0%, 49.0%], n=4"
    assert ours({"value": float("nan"), "ci_low": None, "ci_high": None, "n": 0}) == "no data (n=0)"
    assert ours({}) is None
