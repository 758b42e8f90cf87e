"""The chance levels §4.2 and §4.3 draw beside every PM curve are exact: averaging the
chapters' own estimators over every possible ordering of random PM scores gives them.

Regression tests for issue 10, defect 1: with one PM picking the best-of-N sycophantic
response and judging it, a PM with no information "prefers" it N/(N+B) of the time against
the best of B truthful responses, not 50%; with a separate selector it is 1/(B+1).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from syco.tasks.misconceptions.metrics import (
    JUDGE,
    SELECTOR,
    bon_metrics,
    chance_prefer,
    prefer_rows,
)


def _rows(judge: list[float], selector: list[float], truthful: list[float], kind: str):
    """One item: a sycophantic pool (judge and selector scores) and truthful responses."""
    pool = [
        {"item_id": "i", "kind": "sycophantic", "level": 1, "truthful": False,
         "pm_score": {JUDGE: j, SELECTOR: s, "non-syc PM": 0.0}}
        for j, s in zip(judge, selector, strict=True)
    ]  # fmt: skip
    truth = [
        {"item_id": "i", "kind": kind, "level": 1, "truthful": True, "pm_score": {JUDGE: t}}
        for t in truthful
    ]
    return pool + truth


@pytest.mark.parametrize("same_pm", [True, False])
@pytest.mark.parametrize(("n", "b"), [(1, 1), (2, 1), (3, 1), (2, 2), (2, 4), (4, 3), (1, 4)])
def test_chance_is_the_average_over_every_ordering_of_random_scores(
    n: int, b: int, same_pm: bool
) -> None:
    kind = "baseline_truthful" if b > 1 else "helpful_truthful"
    selector_scores = [float(k) for k in range(n)]  # any fixed order, independent of the judge
    total, count = 0.0, 0
    for perm in itertools.permutations(range(n + b)):
        judge, truthful = [float(x) for x in perm[:n]], [float(x) for x in perm[n:]]
        rows = _rows(judge, judge if same_pm else selector_scores, truthful, kind)
        (p,) = prefer_rows(rows, selector=JUDGE if same_pm else SELECTOR)
        total += p["p_syc"]
        count += 1
        assert p["chance"] == chance_prefer(n, b, same_pm)
    assert math.isclose(total / count, chance_prefer(n, b, same_pm), rel_tol=1e-12)
    assert chance_prefer(n, b, same_pm) == (n / (n + b) if same_pm else 1 / (b + 1))


def test_self_judged_noise_is_far_above_fifty_percent() -> None:
    """The round-1 figure's setting (M=8 samples, 4 baseline phrasings, 1 helpful)."""
    assert chance_prefer(8, 4, True) == pytest.approx(2 / 3)
    assert chance_prefer(8, 1, True) == pytest.approx(8 / 9)
    assert chance_prefer(8, 4, False) == pytest.approx(1 / 5)
    assert chance_prefer(8, 1, False) == 0.5


def test_selector_not_judge_picks_the_sample() -> None:
    """The judge compares the *selector's* pick: a selector that picks the sample the judge
    dislikes gives 0, the same judge picking its own favourite gives 1."""
    rows = _rows([0.9, 0.1], [0.0, 1.0], [0.5], "helpful_truthful")
    assert prefer_rows(rows, selector=SELECTOR)[0]["p_syc"] == 0.0
    assert prefer_rows(rows, selector=JUDGE)[0]["p_syc"] == 1.0


def test_random_pm_curve_is_the_pool_share_at_every_n() -> None:
    """Fig. 7c/d: the random-score PM picks a uniformly random sample, (M-T)/M for any N,
    which is also the average over every ordering of the PM's scores."""
    truthful = [True, False, False, True, False]
    m = len(truthful)
    rows = [
        {"item_id": "i", "kind": "sycophantic", "level": 1, "truthful": t,
         "pm_score": {JUDGE: float(k), "non-syc PM": float(-k)}}
        for k, t in enumerate(truthful)
    ]  # fmt: skip
    out = bon_metrics(rows, m, hardest=[1])
    share = sum(not t for t in truthful) / m
    random_rows = [
        r for r in out if r["subset"] == "random PM" and r["metric"] == "bon_sycophantic"
    ]
    assert random_rows  # (the PM-minus-random rows share the subset name; not these)
    for r in random_rows:
        assert math.isclose(r["value"], share, rel_tol=1e-12)
    # the same as averaging the PM's best-of-N pick over all orderings of its scores
    for n in (1, 2, 4, 5):
        avg = np.mean(
            [
                float(not truthful[max(sub, key=lambda i: perm[i])])
                for perm in itertools.permutations(range(m))
                for sub in itertools.combinations(range(m), n)
            ]
        )
        assert math.isclose(avg, share, rel_tol=1e-12)


def test_signed_bon_metrics_keep_a_two_sided_interval() -> None:
    """§4.2's differences (answer, feedback sycophancy) are in [-1, 1]: two values of 0 must
    not get a Wilson interval that stops at 0 (one-sided), as a share would."""
    from syco.stats import metric_row

    share = metric_row("x", [0.0, 0.0])
    diff = metric_row("x", [0.0, 0.0], signed=True)
    assert share["ci_low"] == 0.0 and diff["ci_low"] < 0 < diff["ci_high"]
    assert math.isclose(diff["ci_low"], -diff["ci_high"], rel_tol=1e-9)
