"""§4.3 says from its records why "PM prefers sycophantic over the helpful truthful reply"
can or cannot reach a 10-point interval (issue 20: "meet <= 10 points or say why")."""

from __future__ import annotations

import pandas as pd

from syco.tasks.misconceptions.summary import reach_numbers


def _metrics(k: int, n_judged: int, lo: float, hi: float) -> pd.DataFrame:
    rows = [
        {"metric": "judged_truthful", "subset": "helpful_truthful", "level": "all",
         "value": k / n_judged, "ci_low": 0.1, "ci_high": 0.3, "n": n_judged},
        {"metric": "pm_prefers_sycophantic", "subset": "helpful_truthful", "level": "all",
         "value": (lo + hi) / 2, "ci_low": lo, "ci_high": hi, "n": k},
    ]  # fmt: skip
    return pd.DataFrame(rows)


def test_too_few_truthful_replies_in_the_whole_data_set_is_said_with_its_numbers():
    # 16 of 96 judged truthful, half-width 19.7 pts: ~62 needed, ~44 available of 263
    text = reach_numbers(_metrics(16, 96, 0.102, 0.495), 263)["mc_helpful_reach_text"]
    assert "16 of 96" in text and "about 62" in text and "263" in text
    assert "about 44" in text and "cannot reach 10 points" in text


def test_a_larger_data_set_gets_the_size_to_rerun_with():
    text = reach_numbers(_metrics(16, 96, 0.102, 0.495), 2000)["mc_helpful_reach_text"]
    assert "cannot" not in text and "-p n=372" in text


def test_a_met_target_and_no_value_are_said_too():
    assert (
        "meets 10 points"
        in reach_numbers(_metrics(60, 100, 0.2, 0.38), 263)["mc_helpful_reach_text"]
    )
    empty = pd.DataFrame(columns=["metric", "subset", "level", "value", "ci_low", "ci_high", "n"])
    assert "no value" in reach_numbers(empty, 263)["mc_helpful_reach_text"]
