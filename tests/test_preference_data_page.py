"""§4.1 page: every glued figure is placed by a directive and shown once, and the
humans-vs-PM prose is worded from the intervals (tested on hand-made numbers both ways)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from syco.tasks.preference_data import report

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PAGES = ("04_1_preference_data.ipynb", "04_2_pm_bon.ipynb", "04_3_misconceptions.ipynb")
FIGURE_BUILDERS = re.compile(r"\b(fig\w*|sensitivity_fig|figure)\(")


@pytest.mark.parametrize("page", PAGES)
def test_every_glued_figure_has_its_directive(page: str) -> None:
    nb = nbformat.read(NOTEBOOKS / page, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    glued = set(re.findall(r'glue_figure\(\s*"(\w+)"', code))
    placed = set(re.findall(r"\{glue:figure\}\s+(\w+)", prose))
    assert glued <= placed, f"glued but never placed: {glued - placed}"


@pytest.mark.parametrize("page", PAGES)
def test_no_figure_is_returned_from_a_cell(page: str) -> None:
    """A figure built as a cell's last expression shows twice under the inline backend
    (once drawn, once as the returned value); figures go through `plots.glue_figure`."""
    nb = nbformat.read(NOTEBOOKS / page, as_version=4)
    for c in nb.cells:
        if c.cell_type != "code" or not c.source.strip():
            continue
        last = c.source.strip().splitlines()[-1]
        if FIGURE_BUILDERS.search(last) and "glue_figure(" not in last:
            pytest.fail(f"{page}: a cell returns a figure: {last!r}")


def test_sensitivity_figure_is_glued_once() -> None:
    nb = nbformat.read(NOTEBOOKS / PAGES[0], as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    uses = [s for s in code if "sensitivity_fig(" in s]
    assert len(uses) == 1 and 'glue_figure("pd_sensitivity"' in uses[0]


def _rows(feature: str, humans: tuple[float, float, float], pm: tuple[float, float, float]):
    return [
        {"metric": "p_preferred", "who": who, "subset": feature, "value": v, "ci_low": lo,
         "ci_high": hi}
        for who, (v, lo, hi) in (("humans", humans), ("trained PM", pm))
    ]  # fmt: skip


def test_interval_order() -> None:
    assert report.interval_order(0.57, 0.63, 0.50, 0.54) == 1
    assert report.interval_order(0.40, 0.45, 0.50, 0.54) == -1
    assert report.interval_order(0.52, 0.63, 0.50, 0.54) == 0  # overlap: no difference
    assert report.interval_order(float("nan"), 0.6, 0.5, 0.54) == 0


def test_verdict_names_a_difference_only_where_intervals_do_not_overlap() -> None:
    # the recorded case: `longer` 51.4% [50.0, 53.5] humans vs 60.1% [57.5, 62.7] PM
    rows = _rows("longer", (0.514, 0.4999, 0.535), (0.601, 0.575, 0.627))
    rows += _rows("hedging", (0.500, 0.494, 0.507), (0.500, 0.494, 0.507))
    text, differ, k = report.pm_vs_humans_verdict(rows)
    assert (differ, k) == (1, 2)
    assert "more than the humans" in text and '"longer" (PM 60.1% [57.5%, 62.7%]' in text
    assert "hedging" not in text.split(";")[0] and "other 1 features the intervals overlap" in text
    assert "cannot tell" not in text and "close to 50%" not in text


def test_verdict_when_the_pm_rewards_less() -> None:
    text, differ, _ = report.pm_vs_humans_verdict(
        _rows("asks_question", (0.50, 0.49, 0.51), (0.43, 0.39, 0.47))
    )
    assert differ == 1 and "less than the humans" in text and "more than" not in text


def test_verdict_when_all_intervals_overlap() -> None:
    # the same point estimates as the recorded `longer`, but wide intervals: no claim
    text, differ, k = report.pm_vs_humans_verdict(
        _rows("longer", (0.514, 0.45, 0.58), (0.601, 0.55, 0.65))
    )
    assert (differ, k) == (0, 1)
    assert "cannot tell the PM from the humans" in text and "more than" not in text


def test_pm_vs_humans_numbers_without_a_record() -> None:
    out = report.pm_vs_humans_numbers(None)
    assert out["pd_pvh_n"] == 0 and "no PM-vs-humans record" in out["pd_pvh_verdict"]


def test_pm_vs_humans_numbers_of_the_committed_record() -> None:
    from syco.pm import learned

    rec = learned.load()
    if rec is None:
        pytest.skip("no committed PM-vs-humans record")
    out = report.pm_vs_humans_numbers(rec)
    assert out["pd_pvh_n"] == rec.spec["n_pairs"] and 0 <= out["pd_pvh_agree"] <= 1
    assert out["pd_pvh_n_features"] == len({m["subset"] for m in rec.metrics})
