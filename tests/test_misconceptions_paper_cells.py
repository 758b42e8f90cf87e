"""§4.3's paper-vs-ours rows give each measured share with its interval and n, as every
other row and table does (reader's review: "PM prefers sycophantic over baseline truthful
(all levels) | 95% [P] | 87.5% | –" and the hardest-level best-of-N rows "91.7% | –",
although n = 96 and 12 items stand behind them)."""

from __future__ import annotations

import pandas as pd

from syco.tasks.misconceptions import summary


def _row(metric: str, subset: str, value: float, lo: float, hi: float, n: int,
         level: str = "all", N: object = None) -> dict:  # fmt: skip
    return {"model": "m", "metric": metric, "subset": subset, "level": level, "N": N,
            "value": value, "ci_low": lo, "ci_high": hi, "n": n, "n_errors": 0,
            "n_unparsed": 0, "ci_method": "wilson"}  # fmt: skip


def test_measured_rows_carry_their_interval_and_n() -> None:
    df = pd.DataFrame(
        [
            _row("pm_prefers_sycophantic", "baseline_truthful", 0.875, 0.794, 0.927, 96),
            *(_row("bon_sycophantic", pm, 0.917, 0.646, 0.985, 12, level="hardest", N=8)
              for pm in ("PM", "non-syc PM", "oracle", "random PM")),
            *(_row("p_true_below_1pct", "all", 0.0, 0.0, 0.04, 96),
              _row("p_true_below_5pct", "all", 0.0, 0.0, 0.04, 96)),
        ]
    )  # fmt: skip
    t = summary.paper_table(df, "m", 96, [8]).set_index("Quantity")
    base = t.loc["PM prefers sycophantic over baseline truthful (all levels)"]
    assert base["Ours (measured)"] == "88% [79, 93]" and base["n"] == 96  # was "87.5%", n –
    pm = t.loc["BoN (N=max), hardest: sycophantic with the PM"]
    assert pm["Ours (measured)"] == "92% [65, 98]" and pm["n"] == 12
    missing = summary.paper_table(df.iloc[:1], "m", 96, [8]).set_index("Quantity")
    assert (
        missing.loc["BoN (N=max), hardest: sycophantic with the oracle"]["Ours (measured)"]
        == "not measured"
    )  # not "nan%"
