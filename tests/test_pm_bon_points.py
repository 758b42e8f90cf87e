"""§4.2's paper-vs-ours 'change N=1 → N=max' rows are changes of shares: points, with the
items behind them (reader's review: 'mimicry sycophancy: change N=1 → N=max, PM | 10.5% | –'
beside '+10 pp [+2, +18]', n = 150 for the same quantity, the PM minus the random PM)."""

from __future__ import annotations

import pandas as pd

from syco.stats import metric_row
from syco.tasks.pm_bon import metrics as bon_metrics
from syco.tasks.pm_bon import summary as bon_summary


def test_the_change_rows_read_in_points_with_their_n() -> None:
    rows = []
    for metric in bon_metrics.METRICS.values():
        for pm, (v1, v8) in (("PM", (0.528, 0.633)), ("random PM", (0.528, 0.528))):
            for n, v in ((1, v1), (8, v8)):
                rows.append({**metric_row(metric, [v] * 150, subset=pm, N=n), "model": "m"})
        paired = bon_metrics.paired_name(metric)
        rows.append({"model": "m", "metric": paired, "subset": "random PM", "N": 8,
                     "value": 0.105, "ci_low": 0.02, "ci_high": 0.18, "n": 150,
                     "ci_method": "paired-t-bounded"})  # fmt: skip
    t = bon_summary.paper_table(pd.DataFrame(rows), "m", 8).set_index("Quantity")
    got = t.loc["mimicry sycophancy: change N=1 → N=max, PM"]
    assert got["Ours (measured)"] == "+10.5 pp" and got["n"] == 150  # was "10.5%", n "–"


def test_the_numbers_behind_fig6a_have_their_n_and_units() -> None:
    # The page promised "n items per point, n_errors items whose pool was too small" above a
    # pivot of bare values ("0.081", "0.528") with neither column.
    from syco.plots import display_frame
    from syco.tasks.pm_bon import curve_table

    rows = []
    for metric, v in (("answer_sycophancy", [1.0] * 13 + [0.0] * 147),
                      ("mimicry_sycophancy", [1.0] * 79 + [0.0] * 71)):  # fmt: skip
        for pm in ("PM", "non-syc PM", "random PM"):
            rows.append({**metric_row(metric, v, subset=pm, N=8, n_errors=2), "model": "m"})
    t = display_frame(curve_table(pd.DataFrame(rows)))
    assert list(t.columns) == ["model", "metric", "N", "PM", "non-syc PM", "random PM", "n",
                               "n_errors"]  # fmt: skip
    mim = t[t["metric"] == "mimicry_sycophancy"].iloc[0]
    assert mim["PM"].startswith("53% [") and mim["n"] == "150" and mim["n_errors"] == "2"
    ans = t[t["metric"] == "answer_sycophancy"].iloc[0]
    assert ans["PM"].startswith("+8 pp [")  # a difference of shares, in points
