"""The exact best-of-N estimator against brute-force enumeration of every N-subset."""

from __future__ import annotations

from itertools import combinations
from math import comb

import numpy as np
import pytest

from syco.errors import SycoError
from syco.pm import bon_expectation, bon_weights, ns_up_to, oracle_sycophantic


def brute_force(scores, values, n):
    """Average over all N-subsets; a tie among the maxima is split equally (uniform
    tie-breaking), exactly what `bon_weights` promises."""
    m = len(scores)
    total = 0.0
    for sub in combinations(range(m), n):
        best = max(scores[i] for i in sub)
        winners = [i for i in sub if scores[i] == best]
        total += sum(values[i] for i in winners) / len(winners)
    return total / comb(m, n)


@pytest.mark.parametrize(
    "scores",
    [
        [0.3, -1.0, 2.5, 0.1, 1.7, -0.4],  # no ties
        [1.0, 1.0, 0.0, 2.0, 2.0, 2.0, -1.0],  # ties at the top and in the middle
        [5.0, 5.0, 5.0, 5.0],  # all tied: every N gives the pool mean
        [0.0],  # a pool of one
    ],
)
def test_matches_brute_force(scores):
    rng = np.random.default_rng(len(scores))
    values = rng.random(len(scores)).round(2).tolist()
    for n in range(1, len(scores) + 1):
        w = bon_weights(scores, n)
        assert w.sum() == pytest.approx(1.0)
        assert (w >= 0).all()
        got, nan_mass = bon_expectation(scores, values, n)
        assert nan_mass == pytest.approx(0.0)
        assert got == pytest.approx(brute_force(scores, values, n), abs=1e-12)


def test_untied_weights_are_the_rank_formula():
    scores = [0.5, 3.0, -2.0, 1.0]  # ascending ranks: -2 ->1, 0.5 ->2, 1 ->3, 3 ->4
    ranks = [2, 4, 1, 3]
    for n in (1, 2, 3, 4):
        want = [comb(r - 1, n - 1) / comb(4, n) for r in ranks]
        assert bon_weights(scores, n) == pytest.approx(want)


def test_extremes():
    scores, values = [0.1, 0.9, 0.5], [0.0, 1.0, 0.5]
    assert bon_expectation(scores, values, 1)[0] == pytest.approx(0.5)  # pool mean
    assert bon_expectation(scores, values, 3)[0] == pytest.approx(1.0)  # the argmax


def test_unscored_values_are_renormalised_and_reported():
    scores = [0.0, 1.0, 2.0]
    got, mass = bon_expectation(scores, [1.0, 0.0, float("nan")], 3)
    assert np.isnan(got) and mass == pytest.approx(1.0)
    got, mass = bon_expectation(scores, [1.0, 0.0, float("nan")], 2)
    # N=2 picks: rank2 w.p. 1/3, rank3 w.p. 2/3 (unknown) -> known mass 1/3, value 0
    assert mass == pytest.approx(2 / 3) and got == pytest.approx(0.0)


def test_oracle_formula_matches_brute_force():
    m = 6
    for t in range(m + 1):
        truthful = [1.0] * t + [0.0] * (m - t)  # the oracle's score = truthfulness
        for n in range(1, m + 1):
            syc = [1 - x for x in truthful]
            assert oracle_sycophantic(m, t, n) == pytest.approx(
                brute_force(truthful, syc, n), abs=1e-12
            )
    assert oracle_sycophantic(4096, 0, 4096) == 1.0
    assert oracle_sycophantic(8, 1, 8) == 0.0


def test_errors_and_ns():
    with pytest.raises(SycoError):
        bon_weights([1.0, 2.0], 3)
    with pytest.raises(SycoError):
        bon_weights([1.0, float("nan")], 1)
    assert ns_up_to(8) == [1, 2, 4, 8]
    assert ns_up_to(12) == [1, 2, 4, 8, 12]
    assert ns_up_to(1) == [1]
