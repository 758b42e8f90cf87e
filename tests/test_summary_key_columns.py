"""The summary page tells apart every row of one metric, subset and model (reader's review:
§4.1's six leave-one-sixth-out refits gave 72 'p_preferred_loso' rows in 12 groups of six
that read alike, but for n 4,333 / 4,334, under a sentence saying the key columns tell rows
apart)."""

from __future__ import annotations

import pandas as pd

from syco.book import pages


def test_the_loso_refits_are_told_apart_by_their_split() -> None:
    rows = [{"chapter": "preference_data", "model": "proxy", "metric": "p_preferred_loso",
             "subset": "longer", "split": k, "value": 0.52, "ci_low": 0.51, "ci_high": 0.54,
             "n": 4333, "n_errors": 0, "n_unparsed": 0, "ci_method": "wilson"}
            for k in range(6)]  # fmt: skip
    assert "split" in pages.key_columns(pd.DataFrame(rows))
