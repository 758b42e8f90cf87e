"""`results.pick`/`select`: the one way prose, tables and figures read a metrics frame."""

from __future__ import annotations

import math

import pandas as pd

from syco.results import pick, select


def _frame() -> pd.DataFrame:
    # N is float here, as in a real frame where other metrics leave the column empty.
    return pd.DataFrame(
        [
            {"metric": "bon", "subset": "PM", "N": 1.0, "level": "all", "value": 0.25},
            {"metric": "bon", "subset": "PM", "N": 8.0, "level": "all", "value": 0.75},
            {"metric": "acc", "subset": "all", "N": math.nan, "level": 8, "value": 0.5},
        ]
    )


def test_an_integer_matches_a_float_column() -> None:
    # The §4.3 prose glued nan for "at N = 1" because 1 was compared with "1.0".
    assert pick(_frame(), "bon", subset="PM", N=1) == 0.25
    assert pick(_frame(), "bon", subset="PM", N="1") == 0.25


def test_max_and_text_levels_still_match() -> None:
    assert pick(_frame(), "bon", subset="PM", N="max") == 0.75
    assert pick(_frame(), "acc", level="8") == 0.5
    assert pick(_frame(), "acc", level=8.0) == 0.5


def test_no_match_is_nan_not_a_neighbour() -> None:
    assert math.isnan(pick(_frame(), "bon", subset="PM", N=2))
    assert select(_frame(), "bon", N=1.5).empty
