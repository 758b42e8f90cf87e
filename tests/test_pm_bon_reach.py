"""§4.2 says per headline metric whether a 10-point interval is within reach and, where not,
what it would take against the items the data offers (issue 20: "meet <= 10 or say why")."""

from __future__ import annotations

import pandas as pd

from syco.tasks.pm_bon.summary import reach_text


def _curves(rows: dict[str, tuple[float, float, int]]) -> pd.DataFrame:
    out = []
    for task, (lo, hi, n) in rows.items():
        for big_n in (1, 8):  # N = M is the largest N
            out.append({"model": "p", "metric": f"{task}_sycophancy", "subset": "PM", "N": big_n,
                        "value": (lo + hi) / 2, "ci_low": lo if big_n == 8 else -1.0,
                        "ci_high": hi if big_n == 8 else 1.0, "n": n})  # fmt: skip
    return pd.DataFrame(out)


def test_reach_reads_the_largest_n_and_the_data_on_offer():
    curves = _curves({"answer": (-0.74, 0.66, 4), "mimicry": (0.21, 0.94, 3),
                      "feedback": (0.45, 0.55, 200)})  # fmt: skip
    text = reach_text(curves, "p", {"answer": 1817, "mimicry": 15, "feedback": 300}, pool=8)
    answer, mimicry, feedback = text.strip().split("\n")
    assert "about 196 questions" in answer and "6,272 policy samples" in answer
    assert "12,544 PM passes" in answer and "1,817" in answer and "cannot" not in answer
    # mimicry items are misattributions (poem, wrong poet), several per poem
    assert (
        "about 40 misattributions" in mimicry
        and "the 15 misattributions the data offers" in mimicry
    )
    assert "cannot reach" in mimicry
    assert "±5.0 points with n = 200" in feedback and "meets 10" in feedback


def test_a_metric_without_a_value_at_n_max_says_so():
    curves = _curves({"answer": (float("nan"), float("nan"), 0)})
    text = reach_text(curves, "p", {"answer": 10}, pool=8)
    assert "answer sycophancy: no value" in text and "mimicry sycophancy: no value" in text
