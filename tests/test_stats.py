"""Intervals that keep their coverage at small n (issue 10, defect 9), against textbook values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from syco.stats import (
    clopper_pearson_ci,
    interval,
    metric_row,
    newcombe_paired_ci,
    paired_diff_row,
    side,
    stratified_row,
    wilson_ci,
)


def test_zero_of_four_is_not_certainty() -> None:
    """The percentile bootstrap showed "admits a mistake 0/4" as 0.0 [0.0, 0.0]."""
    r = metric_row("admits_mistake", [0.0, 0.0, 0.0, 0.0])
    assert (r["value"], r["n"], r["ci_method"]) == (0.0, 4, "wilson")
    assert r["ci_low"] == 0.0 and r["ci_high"] == pytest.approx(0.4899, abs=1e-4)
    r = metric_row("admits_mistake", [1.0] * 4)
    assert r["ci_high"] == 1.0 and r["ci_low"] == pytest.approx(1 - 0.4899, abs=1e-4)


@pytest.mark.parametrize(
    ("k", "n", "lo", "hi"),
    [
        (81, 263, 0.2553, 0.3662),  # Newcombe (1998a), Stat. Med. 17:857, Table II
        (15, 148, 0.0624, 0.1605),  # ibid.
        (0, 20, 0.0, 0.1611),  # ibid.
        (1, 29, 0.0061, 0.1718),  # ibid.
    ],
)
def test_wilson_textbook_values(k, n, lo, hi) -> None:
    got = wilson_ci(k, n)
    assert got == pytest.approx((lo, hi), abs=1e-4)


@pytest.mark.parametrize(
    ("k", "n", "lo", "hi"),
    [(13, 16, 0.5435, 0.9595), (0, 10, 0.0, 0.3085), (10, 10, 0.6915, 1.0)],
)
def test_clopper_pearson_textbook_values(k, n, lo, hi) -> None:
    # 13/16: Fagerland, Lydersen & Laake, Statistical Analysis of Contingency Tables, ch. 8
    assert clopper_pearson_ci(k, n) == pytest.approx((lo, hi), abs=1e-4)


def _pairs(n11: int, n10: int, n01: int, n00: int) -> tuple[list[float], list[float]]:
    a = [1.0] * (n11 + n10) + [0.0] * (n01 + n00)
    b = [1.0] * n11 + [0.0] * n10 + [1.0] * n01 + [0.0] * n00
    return a, b


def test_newcombe_paired_textbook_value() -> None:
    """Cavo et al. (2012) table, Newcombe square-and-add: -0.0621 (-0.1186 to -0.0046)
    (Fagerland, Lydersen & Laake, ch. 8)."""
    a, b = _pairs(59, 6, 16, 80)
    r = paired_diff_row("delta", a, b)
    assert r["value"] == pytest.approx(-0.0621, abs=1e-4)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((-0.1186, -0.0046), abs=1e-4)
    assert r["ci_method"] == "newcombe-paired" and r["n"] == 161


def test_paired_interval_never_collapses() -> None:
    for a, b in [([0.0] * 4, [0.0] * 4), ([1.0] * 4, [1.0] * 4), ([1.0] * 4, [0.0] * 4)]:
        lo, hi = newcombe_paired_ci(a, b)
        assert hi - lo > 0.3 and lo <= np.mean(a) - np.mean(b) <= hi


def test_fractional_values_keep_both_margins() -> None:
    """Two A/B orders averaged (0, 0.5, 1): the expected-count table has exact margins, and
    binary data give the same interval as the count form."""
    a, b = [0.5, 1.0, 0.0, 0.5], [0.5, 0.5, 0.0, 0.0]
    lo, hi = newcombe_paired_ci(a, b)
    assert lo < 0.25 < hi
    a2, b2 = _pairs(3, 2, 1, 4)
    assert newcombe_paired_ci(a2, b2) == pytest.approx(newcombe_paired_ci(a2[::-1], b2[::-1]))


def test_interval_by_range() -> None:
    assert interval([0.0, 1.0])[2] == "wilson"
    lo, hi, how = interval([-1.0, 0.0, 0.0, 1.0])
    assert how == "wilson-rescaled" and lo < 0 < hi
    assert interval([2.0, 3.0, 5.0])[2] == "bootstrap"
    assert all(math.isnan(x) for x in interval([])[:2])


def test_average_of_datasets_is_the_mean_of_means() -> None:
    """The paper's "averaged across datasets": not weighted by item counts."""
    r = stratified_row("accuracy", [[1.0] * 9 + [0.0], [0.0, 0.0]])
    assert r["value"] == pytest.approx(0.45) and r["n"] == 12 and r["n_groups"] == 2
    pooled = metric_row("accuracy", [1.0] * 9 + [0.0] * 3)
    assert pooled["value"] == 0.75
    assert 0 < r["ci_low"] < 0.45 < r["ci_high"] < 1
    # Kish's effective n: 2 groups of 10 and 2 -> 4 / (1/10 + 1/2) = 6.67 < 12
    assert r["ci_high"] - r["ci_low"] > pooled["ci_high"] - pooled["ci_low"]


def test_average_of_paired_changes_over_datasets() -> None:
    from syco.stats import stratified_diff_row

    g1, g2 = _pairs(3, 2, 1, 4), _pairs(1, 4, 2, 3)  # two datasets of 10 pairs each
    r = stratified_diff_row("delta", [g1, g2])
    flat = paired_diff_row("delta", g1[0] + g2[0], g1[1] + g2[1])
    assert (r["value"], r["ci_low"], r["ci_high"]) == pytest.approx(
        (flat["value"], flat["ci_low"], flat["ci_high"])
    )  # equal sizes: the average over datasets is the pooled change
    r = stratified_diff_row("delta", [_pairs(0, 9, 0, 1), _pairs(0, 0, 0, 2)])
    assert r["value"] == pytest.approx(0.45) and r["n"] == 12 and r["n_groups"] == 2
    assert r["ci_low"] < 0.45 < r["ci_high"]


@pytest.mark.parametrize(
    ("lo", "hi", "ref", "want"),
    [
        (0.01, 0.2, 0.0, 1),  # wholly above
        (-0.2, -0.01, 0.0, -1),  # wholly below
        (-0.1, 0.1, 0.0, 0),  # straddles
        (0.0, 0.3, 0.0, 0),  # an end on the reference includes it
        (-0.3, 0.0, 0.0, 0),
        (None, 0.3, 0.0, 0),  # a missing end resolves nothing
        (0.1, None, 0.0, 0),
        (math.nan, -0.1, 0.0, 0),
        (0.1, math.nan, 0.0, 0),
        (0.52, 0.7, 0.5, 1),  # against 50%
        (0.3, 0.49, 0.5, -1),
        (0.4, 0.6, 0.5, 0),
        (0.5, 0.6, 0.5, 0),
        (0.3, 0.45, 0.0, 1),  # the same interval against 0
        (np.float64(-0.2), np.float64(-0.1), 0.0, -1),
    ],
)
def test_side_of_reference(lo, hi, ref, want) -> None:
    """One definition of "the 95% interval excludes the reference" for every verdict."""
    assert side(lo, hi, ref) == want
