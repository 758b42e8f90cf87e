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
