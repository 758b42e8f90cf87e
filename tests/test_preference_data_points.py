"""§4.1's takeaway writes the largest feature effect in points, as its paper-vs-ours table
does (reader's review: "4.2% away from 50% (...; the paper: up to about 6%)" beside
"4.2 pp" and "up to ~6 pp" in the table)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from syco.tasks.preference_data.report import key_numbers

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "04_1_preference_data.ipynb"


def test_the_largest_shift_reads_in_points(syco_home: Path) -> None:
    m = pd.DataFrame([{"model": "proxy", "metric": "max_shift", "subset": "echoes_user_words",
                       "value": 0.04196, "ci_low": None, "ci_high": None, "n": 5200}])  # fmt: skip
    k = key_numbers(m, "proxy")
    assert k["max_shift_text"] == "4.2 points" and k["max_shift_feature"] == "echoes_user_words"
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    text = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert "pd_max_shift:.1%" not in text and "{glue:text}`pd_max_shift_text` away from 50%" in text
    assert "the paper: up to about 6%" not in text
