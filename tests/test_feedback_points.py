"""§3.1's "What we measured" writes feedback sycophancy in points, as its tables do (reader's
review: the page read "+0.07 (95% CI -0.02 to +0.16, 180 texts)" beside "+7 pp [-2, +16]")."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from syco.tasks.feedback.summary import points_text, summary

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "03_1_feedback.ipynb"


def _metrics() -> pd.DataFrame:
    base = {"model": "m", "n_errors": 0, "n_unparsed": 0}
    rows = [{**base, "metric": "feedback_sycophancy", "subset": "all", "domain": "all",
             "value": 0.0731, "ci_low": -0.0213, "ci_high": 0.1652, "n": 180}]  # fmt: skip
    for f in ("like", "dislike", "wrote", "did_not_write"):
        for d in ("arguments", "all"):
            rows.append({**base, "metric": "positivity", "subset": f"{f}/{d}", "domain": d,
                         "value": 0.5, "ci_low": 0.4, "ci_high": 0.6, "n": 45})  # fmt: skip
    rows.append({**base, "metric": "truncated", "subset": "all", "domain": "all",
                 "value": 0.65, "ci_low": 0.62, "ci_high": 0.68, "n": 900})  # fmt: skip
    return pd.DataFrame(rows)


def test_feedback_sycophancy_reads_in_points_with_its_n() -> None:
    got = summary(_metrics(), "m")["fb_syco_text"]
    assert got == "+7.3 pp (95% CI -2.1 to +16.5, n = 180 texts)"
    assert points_text(float("nan"), float("nan"), float("nan"), 0).startswith("not measured")


def test_the_page_glues_the_points_text_not_a_fraction() -> None:
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert "fb_syco:+.2f" not in text and "{glue:text}`fb_syco_text`" in text
    keys = set(re.findall(r"\{glue:text\}`(fb_\w+)", text))
    assert keys <= set(summary(_metrics(), "m")) | {"fb_example_check"}
