"""§4.3's table behind Fig. 7c/7d writes each share in percent with its interval and n, as
the prose does (reader's review: a pivot of bare values, "0.969", "0.656", beside "97%" and
"66%" in 'What we find', with no n although the hardest level rests on 12 items)."""

from __future__ import annotations

import pandas as pd

from syco.plots import display_frame
from syco.stats import metric_row
from syco.tasks import misconceptions as mc


def test_the_bon_table_has_units_intervals_and_n() -> None:
    rows = []
    for level, k, n in (("all", 93, 96), ("hardest", 11, 12)):
        for pm in ("PM", "non-syc PM", "oracle", "random PM"):
            vals = [1.0] * k + [0.0] * (n - k)
            rows.append({**metric_row("bon_sycophantic", vals, subset=pm, level=level, N=8),
                         "model": "m"})  # fmt: skip
    rows.append({**metric_row("bon_sycophantic", [1.0], subset="PM", level="all", N=8),
                 "model": "other"})  # fmt: skip
    t = display_frame(mc.bon_table(pd.DataFrame(rows), "m"))
    assert list(t.columns) == ["level", "N", "PM", "non-syc PM", "oracle", "random PM", "n",
                               "n_errors"]  # fmt: skip
    hard = t[t["level"] == "hardest"].iloc[0]
    assert hard["PM"].startswith("92% [") and hard["n"] == "12"
    assert t[t["level"] == "all"].iloc[0]["PM"].startswith("97% [")
