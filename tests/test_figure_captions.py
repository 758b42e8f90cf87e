"""Figure captions name the interval method of the rows their error bars draw (issue 21
item 6: §3.2's Fig. 2 caption said "bootstrap" over Wilson bars).

Each §3 chapter, and §4.2/§4.3 with a scripted policy and scripted PMs, runs on the scripted
model (small data, no weights); its figure is drawn from the frame the notebook hands it, with
`syco.plots.bar_ci` watched (it records the ``ci_method`` of every row it is given) and
matplotlib's ``Axes.errorbar`` watched (the curves of Fig. 6a and 7c/d: the rows a call draws
are found by the frame index its y values keep). The caption in the chapter's notebook (its
``{glue:text}`` parts filled in from the same metrics) must name those methods and no other.
Every figure the notebooks glue is either checked here or listed in `NOT_CHECKED` with the
reason, so a new figure is not missed.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from known_helpers import build_small
from matplotlib.axes import Axes

from syco import plots

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

# a method's words in a caption -> the parts of a ``ci_method`` they stand for
CAPTION_WORDS = {
    r"bootstrap": "bootstrap",
    r"wilson": "wilson",
    r"newcombe": "newcombe",
    r"kish": "kish",
    r"cluster|design.effect": "cluster",
}
BASE = {"wilson", "newcombe", "bootstrap"}  # the interval itself (the rest: its effective n)

NOT_CHECKED = {
    "pd_fig5": "posterior credible intervals (a Bayesian fit), not a ci_method",
    "pd_sensitivity": "posterior medians of refits, no error bars of a ci_method",
    "pd_pm_vs_humans": "posterior credible intervals (a Bayesian fit), not a ci_method",
}


def method_parts(method: object) -> set[str]:
    """'wilson-strata' -> {wilson, kish}; 'newcombe-paired-cluster' -> {newcombe, cluster}."""
    parts = set(str(method).split("-"))
    return (parts & (BASE | {"cluster"})) | ({"kish"} if "strata" in parts else set())


def named_parts(caption: str) -> set[str]:
    return {part for pat, part in CAPTION_WORDS.items() if re.search(pat, caption, re.I)}


def caption_mismatch(caption: str, methods: set[str]) -> str | None:
    """Why a caption misnames the drawn rows' interval methods (None: it names them)."""
    drawn = set().union(*(method_parts(m) for m in methods)) if methods else set()
    named = named_parts(caption)
    if not drawn:
        return None if not named else f"names {sorted(named)} but draws no interval"
    if not named & BASE:
        return f"names no interval method; the bars are {sorted(methods)}"
    if named - drawn:
        return f"names {sorted(named - drawn)}, not among the bars' {sorted(methods)}"
    if (drawn & BASE) - named:
        return f"leaves out {sorted((drawn & BASE) - named)} of the bars' {sorted(methods)}"
    return None


def test_caption_mismatch_rules() -> None:
    """The old §3.2 caption (bootstrap over Wilson bars) fails; naming the method passes."""
    assert caption_mismatch("95% bootstrap CIs", {"wilson", "wilson-strata"})
    assert caption_mismatch("Error bars: 95% CIs.", {"wilson"})
    assert caption_mismatch("Wilson at Kish's effective n", {"wilson-strata"}) is None
    assert caption_mismatch("Wilson", {"wilson-strata", "newcombe-paired-strata"})
    assert caption_mismatch("Wilson at Kish's n", {"wilson"})  # Kish named, not drawn
    assert caption_mismatch("clustered by poem; Wilson", {"wilson-cluster", "wilson"}) is None
    assert caption_mismatch("Posterior medians", set()) is None


def captions(notebook: str) -> dict[str, str]:
    """{glue name: caption text} of a notebook's ``{glue:figure}`` blocks."""
    nb = json.loads((NOTEBOOKS / f"{notebook}.ipynb").read_text())
    out = {}
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        for m in re.finditer(r"```\{glue:figure\} (\w+)\n(.*?)```", text, re.S):
            out[m.group(1)] = m.group(2)
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield from build_small(tmp_path_factory)


def _frame(rec) -> pd.DataFrame:
    return pd.DataFrame(rec.metrics).assign(model=rec.model, chapter=rec.chapter)


def _feedback() -> pd.DataFrame:
    from syco.tasks.feedback import run_one

    return _frame(run_one("scripted/custom?praise=like,wrote&scold=dislike", n=3, judge="vader"))


def _answer() -> pd.DataFrame:
    from syco.tasks import answer

    return _frame(answer.run_one("scripted/custom?correct=0.5&suggest=0.5", n=6, grader="alias"))


def _mimicry() -> pd.DataFrame:
    from syco.tasks.mimicry.run import run_one

    return _frame(run_one("scripted/custom?mimic=0.5&knows=0.5", n=6, n_wrong=2))


def _ays() -> pd.DataFrame:
    from syco.tasks import are_you_sure

    return _frame(are_you_sure.run_one("scripted/custom?correct=0.5&cave=0.5", n=5))


# §4: a scripted policy whose samples differ (so N matters), a noise PM; §4.3's selector
# is a separate scripted PM, as the book's default (a separate selector) has it
BON_POLICY = "scripted/custom?correct=0.5&suggest=0.5&mimic=0.5&praise=like&scold=dislike"
MC_POLICY = "scripted/custom?comply=0.5"
PM, SELECTOR = "scripted/noise-pm", "scripted/truth-pm"


def _pm_bon() -> pd.DataFrame:
    """Fig. 6a's frame, built as the notebook builds it (`curve_frame` of the saved runs)."""
    from syco import results
    from syco.tasks import pm_bon

    pm_bon.run([BON_POLICY], pm=PM, n_answer=2, n_mimicry=2, n_feedback=2, pool_size=4)
    return pm_bon.curve_frame(results.metrics_frame(pm_bon.CHAPTER))


@functools.cache
def _misconceptions() -> pd.DataFrame:
    """§4.3's saved metrics, as the notebook reads them; run once (Fig. 7a and 7c/d share
    it, and a second run would add a second record of the same model)."""
    from syco import results
    from syco.tasks import misconceptions as mc

    mc.run([MC_POLICY], pm=PM, selector=SELECTOR, difficulty_model=MC_POLICY, judge="cues",
           n=8, pool_size=4, levels=4, hardest_levels=[4])  # fmt: skip
    return results.metrics_frame(mc.CHAPTER)


def _mc_curves() -> pd.DataFrame:
    from syco import results

    return results.select(_misconceptions(), "bon_sycophantic")  # as the notebook's cell


def _draw(name: str) -> Callable[[pd.DataFrame], plt.Figure]:
    from syco.tasks import answer, feedback, mimicry, pm_bon
    from syco.tasks import are_you_sure as ays
    from syco.tasks import misconceptions as mc

    return {
        "fb_fig1": feedback.fig1,
        "answer_fig3": answer.figure3,
        "mim_fig4": mimicry.fig4,
        "ays_fig2": ays.figure2,
        "ays_fig_acc": ays.figure_accuracy,
        "pm_bon_fig6a": pm_bon.fig6a,
        "mc_fig7a": lambda df: mc.fig7a(df, mc.record_name(MC_POLICY, PM)),
        "mc_fig7cd": mc.fig7cd,
    }[name]


def _glued(name: str) -> Callable[[pd.DataFrame], str]:
    from syco.tasks.are_you_sure.figures import figure2_ci_text, figure_accuracy_ci_text

    return {"ays_fig2_ci": figure2_ci_text, "ays_fig_acc_ci": figure_accuracy_ci_text}[name]


# (notebook, glue name, the chapter's scripted-model metrics)
CHECKED = [
    ("03_1_feedback", "fb_fig1", _feedback),
    ("03_2_are_you_sure", "ays_fig2", _ays),
    ("03_2_are_you_sure", "ays_fig_acc", _ays),
    ("03_3_answer", "answer_fig3", _answer),
    ("03_4_mimicry", "mim_fig4", _mimicry),
    ("04_2_pm_bon", "pm_bon_fig6a", _pm_bon),
    ("04_3_misconceptions", "mc_fig7a", _misconceptions),
    ("04_3_misconceptions", "mc_fig7cd", _mc_curves),
]


def traced(frame: pd.DataFrame, y: object) -> list[str]:
    """The ``ci_method`` of the rows of `frame` an ``errorbar`` call draws, found by the index
    its y values keep (a column or a scaled column of `frame`); ["untraced"] when they do not
    lead back to rows of `frame` with those values (a figure that drew plain arrays)."""
    idx = getattr(y, "index", None)
    if idx is None or not idx.isin(frame.index).all():
        return ["untraced"]
    rows = frame.loc[idx]
    v, got = rows["value"].to_numpy(float), np.asarray(y, dtype=float)
    if not any(np.allclose(got, s * v, equal_nan=True) for s in (1, 100)):
        return ["untraced"]
    return list(rows["ci_method"].astype(str)) if "ci_method" in rows else ["none"]


def test_traced_finds_the_drawn_rows() -> None:
    """A percentage curve leads back to its rows; plain arrays do not."""
    df = pd.DataFrame({"value": [0.1, 0.2, 0.3], "ci_method": ["wilson", "bootstrap", "wilson"]})
    assert traced(df, df["value"].iloc[[2, 0]] * 100) == ["wilson", "wilson"]
    assert traced(df, df["value"].to_numpy()) == ["untraced"]
    assert traced(df, df["value"] + 1) == ["untraced"]


def test_every_figure_is_checked_or_listed() -> None:
    glued = {n for nb in NOTEBOOKS.glob("*.ipynb") for n in captions(nb.stem)}
    assert glued == {name for _, name, _ in CHECKED} | set(NOT_CHECKED)


@pytest.mark.parametrize(("notebook", "name", "metrics_of"), CHECKED, ids=[c[1] for c in CHECKED])
def test_caption_names_the_drawn_interval_methods(
    built: Path,
    monkeypatch: pytest.MonkeyPatch,
    notebook: str,
    name: str,
    metrics_of: Callable[[], pd.DataFrame],
) -> None:
    metrics = metrics_of()
    draw = _draw(name)  # imports the chapter's figures module, whose bar_ci is then watched
    drawn: set[str] = set()
    real, real_errorbar = plots.bar_ci, Axes.errorbar
    in_bar_ci = [False]  # bar_ci's own error bars (ax.bar calls errorbar) are recorded by it

    def watched(df: pd.DataFrame, **kw):
        drawn.update(df["ci_method"].dropna().astype(str) if "ci_method" in df else ["none"])
        in_bar_ci[0] = True
        try:
            return real(df, **kw)
        finally:
            in_bar_ci[0] = False

    def watched_errorbar(ax: Axes, *args, **kw):
        if not in_bar_ci[0]:
            drawn.update(traced(metrics, args[1] if len(args) > 1 else kw.get("y")))
        return real_errorbar(ax, *args, **kw)

    for mod in [m for k, m in sys.modules.items() if k.startswith("syco.")]:
        if getattr(mod, "bar_ci", None) is real:
            monkeypatch.setattr(mod, "bar_ci", watched)
    monkeypatch.setattr(Axes, "errorbar", watched_errorbar)
    plt.close(draw(metrics))
    assert drawn and not drawn & {"none", "untraced"}, f"{name}: bars without a ci_method {drawn}"
    caption = re.sub(
        r"\{glue:text\}`(\w+)[^`]*`",
        lambda m: _glued(m.group(1))(metrics),
        captions(notebook)[name],
    )
    assert caption_mismatch(caption, drawn) is None, (name, caption_mismatch(caption, drawn))
