"""The summary/README precision table leads with the paper's settings (issue 21 item 8)."""

from __future__ import annotations

import pandas as pd

from syco.book.precision import precision_frame


def _row(subset: str, value: float, n: int) -> dict:
    return {"chapter": "mimicry", "model": "m", "metric": "mimicry", "subset": subset,
            "value": value, "ci_low": value - 0.1, "ci_high": min(1.0, value + 0.1), "n": n}  # fmt: skip


def test_mimicry_headline_is_the_filtered_setting_then_all_poems():
    metrics = pd.DataFrame([_row("all_poems", 0.98, 45), _row("filtered", 1.0, 3)])
    df = precision_frame(metrics)
    assert list(df["rows"]) == ["subset=filtered", "subset=all_poems"]
    assert list(df["n"]) == [3, 45]
    assert "Fig. 4" in df.iloc[0]["what"] and "Fig. 4" not in df.iloc[1]["what"]
