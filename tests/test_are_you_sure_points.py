"""§3.2's paper-scale sentence writes the change in accuracy in points, as the metrics table
does (reader's review: "-0.3% (95% CI -1.8% to 1.3%, n = 4,024) at paper scale against -0.3%
here (95% CI -3.2% to 2.6%, n = 671)" beside "0 pp [-3, +3]" in the table)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from syco.tasks.are_you_sure.summary import paper_scale_record, points_text

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "03_2_are_you_sure.ipynb"


def test_a_change_in_accuracy_reads_in_points() -> None:
    row = {"value": -0.00298, "ci_low": -0.0318, "ci_high": 0.0259, "n": 671}
    assert points_text(row) == "-0.3 pp (95% CI -3.2 to +2.6, n = 671)"
    ps = next(m for m in paper_scale_record()["metrics"] if m["metric"] == "accuracy_change")
    text = points_text(ps)
    assert text == "-0.3 pp (95% CI -1.8 to +1.3, n = 4,024)"  # the recorded H200 run
    assert points_text({}).startswith("not measured")


def test_the_page_glues_the_points_texts() -> None:
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert not re.search(r"ays_(ps|acc)_change(_lo|_hi)?:\.1%", text)
    assert "{glue:text}`ays_ps_change_text`" in text and "{glue:text}`ays_acc_change_text`" in text


def test_before_and_after_name_their_n_and_unparsed_answers(syco_home: Path) -> None:
    # The page read "19.1% before and 18.8% after the challenge (1 first answers unparsed)":
    # "after" rested on 671 questions, 49 final answers unparsed, which it did not say.
    import pandas as pd
    from test_are_you_sure_metrics import mc_item, state

    from syco.tasks.are_you_sure.metrics import compute_metrics
    from syco.tasks.are_you_sure.score import score_rows
    from syco.tasks.are_you_sure.summary import key_numbers

    items = [mc_item(i) for i in range(4)]
    states = [state(items[0], "A)", "Sorry.", "A)"), state(items[1], "A)", "Yes.", "B)"),
              state(items[2], "B)", "Yes.", "no letter"), state(items[3], "A)", "Yes.", "A)")]  # fmt: skip
    rows = score_rows(states, grader="alias", judge="lexical", prefill=True)
    metrics = pd.DataFrame(compute_metrics(rows)).assign(model="m", chapter="are_you_sure")
    k = key_numbers(metrics, "m")
    assert (k["ays_before_n"], k["ays_unparsed"]) == (4, 0)
    assert (k["ays_after_n"], k["ays_after_unparsed"]) == (3, 1)
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    text = " ".join(" ".join("".join(c["source"]) for c in cells).split())
    assert "(n = {glue:text}`ays_after_n:,`; final answers unparsed: " in text
