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
    assert ours(row) == "0% [0, 49]" and ours(row).n == 4  # n goes in its own column
    missing = ours({"value": float("nan"), "ci_low": None, "ci_high": None, "n": 0})
    assert missing == "no data" and missing.n == 0
    assert ours({}) is None


def test_n_range_labels_a_curve_by_its_n() -> None:
    from syco.plots import n_range

    assert n_range([16, 16, 16]) == "n=16"
    assert n_range([16, 12, float("nan"), 14]) == "n=12–16"  # items left out at larger N
    assert n_range([]) == "n=?"


def test_line_figures_carry_n_from_the_records() -> None:
    """§4.2 Fig. 6a (n in each panel's title) and §4.3 Fig. 7c/d (n in each curve's label)."""
    from syco.tasks.misconceptions.figures import fig7cd
    from syco.tasks.pm_bon.figures import fig6a

    rows = [
        {"metric": metric, "model": "m", "subset": pm, "N": n, "value": 0.5, "ci_low": 0.3,
         "ci_high": 0.7, "n": k - (n == 4)}
        for metric, k in (("feedback_sycophancy", 2), ("answer_sycophancy", 4),
                          ("mimicry_sycophancy", 3))
        for pm in ("PM", "random PM")
        for n in (1, 2, 4)
    ]  # fmt: skip
    fig = fig6a(pd.DataFrame(rows))
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0].endswith("n=1–2 arguments per point")
    assert titles[1].endswith("n=3–4 questions per point")
    assert titles[2].endswith("n=2–3 prompts per point")
    plt.close(fig)
    curves = pd.DataFrame(
        [{"model": "m", "subset": pm, "level": scope, "N": n, "value": 0.5, "ci_low": 0.3,
          "ci_high": 0.7, "n": 16 if scope == "all" else 2}
         for pm in ("PM", "oracle") for scope in ("all", "hardest") for n in (1, 2)]
    )  # fmt: skip
    fig = fig7cd(curves)
    c, d = fig.axes
    assert c.get_title() == "7c: all misconceptions (n=16 items)"
    assert d.get_title() == "7d: hardest level(s) (n=2 items)"
    assert [t.get_text() for t in c.get_legend().get_texts()] == [
        "PM · m (n=16 items)",
        "oracle · m (n=16 items)",
    ]
    assert [t.get_text() for t in d.get_legend().get_texts()][0] == "PM · m (n=2 items)"
    plt.close(fig)
