"""Cluster-aware intervals (`syco.stats_cluster`): §3.4's replies come 3 (up to 20) per
poem, and replies to one poem are alike, so an iid interval over replies is too narrow."""

from __future__ import annotations

import math

import numpy as np
import pytest

from syco.stats import CLUSTER, newcombe_paired_ci, wilson_ci
from syco.stats_cluster import (
    cluster_paired_diff_row,
    cluster_row,
    cluster_wilson_ci,
    design_effect,
)


def _clustered(rng: np.random.Generator, n_clusters: int, size: int, p: float, icc: float):
    """Beta-binomial clusters: each cluster's rate ~ Beta with mean p and intra-class
    correlation icc; returns (values, labels)."""
    a, b = p * (1 - icc) / icc, (1 - p) * (1 - icc) / icc
    rates = rng.beta(a, b, n_clusters)
    x = (rng.random((n_clusters, size)) < rates[:, None]).astype(float).ravel()
    return x, np.repeat(np.arange(n_clusters), size)


def test_coverage_on_clustered_data_where_iid_wilson_fails() -> None:
    """15 poems x 3 replies (the §3.4 default), strongly correlated within a poem: the
    cluster interval keeps about 95% coverage, the iid Wilson interval does not."""
    rng = np.random.default_rng(7)
    p, reps = 0.3, 600
    hits_cluster = hits_iid = 0
    for _ in range(reps):
        x, g = _clustered(rng, 15, 3, p, icc=0.6)
        lo, hi = cluster_wilson_ci(x, g)
        hits_cluster += lo <= p <= hi
        lo, hi = wilson_ci(float(x.sum()), len(x))
        hits_iid += lo <= p <= hi
    assert hits_cluster / reps >= 0.93
    assert hits_iid / reps < 0.88


def test_widens_when_clusters_are_correlated() -> None:
    # 15 clusters of 3, each all-0 or all-1: really 15 observations, not 45.
    x = np.repeat([1.0] * 9 + [0.0] * 6, 3)
    g = np.repeat(np.arange(15), 3)
    lo, hi = cluster_wilson_ci(x, g)
    ilo, ihi = wilson_ci(float(x.sum()), len(x))
    assert hi - lo > 1.5 * (ihi - ilo)
    deff, n_eff, n_clusters = design_effect(x, g)
    assert n_clusters == 15
    assert deff == pytest.approx(3 * 15 / 14)  # m * C/(C-1) at perfect correlation
    assert n_eff == pytest.approx(14)


def test_independent_clusters_give_about_the_iid_interval() -> None:
    # Within-cluster values alternate: no positive correlation, deff floors at 1.
    x = np.array([1.0, 0.0] * 30)
    g = np.repeat(np.arange(20), 3)
    assert design_effect(x, g)[0] == pytest.approx(1.0)


def test_singleton_clusters_are_plain_wilson() -> None:
    x = [1.0, 0.0, 1.0, 1.0, 0.0]
    assert cluster_wilson_ci(x, range(5)) == wilson_ci(3, 5)


def test_all_agree_uses_the_number_of_clusters() -> None:
    """45/45 from 15 poems: the clustering cannot be estimated, so the worst case (15
    independent units) is used, not 45 — the iid interval would claim far more."""
    x, g = np.ones(45), np.repeat(np.arange(15), 3)
    lo, hi = cluster_wilson_ci(x, g)
    assert hi == 1.0
    assert lo < wilson_ci(15, 15)[0] + 1e-9  # t at 14 df: at least as wide as Wilson(15/15)
    assert lo < wilson_ci(45, 45)[0] - 0.1
    assert design_effect(x, g)[1] == 15


def test_one_cluster_is_one_unit() -> None:
    lo, hi = cluster_wilson_ci([1.0, 1.0, 0.0], ["a", "a", "a"])
    assert lo < 0.1 and hi > 0.9


def test_cluster_row_counts_and_names_its_method() -> None:
    vals = [1.0, 0.0, float("nan"), 1.0, 1.0]
    row = cluster_row("mimicry", vals, ["a", "a", "b", "b", "c"], subset="all_poems", n_errors=1)
    assert row["n"] == 4 and row["n_clusters"] == 3 and row["n_errors"] == 1
    assert row["value"] == pytest.approx(0.75)
    assert row["ci_method"] == CLUSTER
    empty = cluster_row("mimicry", [], [])
    assert empty["n"] == 0 and math.isnan(empty["ci_low"])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        cluster_row("mimicry", [1.0, 0.0], ["a"])


def test_cluster_paired_diff_widens_vs_newcombe() -> None:
    # The question flips whole poems: 10 poems x 3 prompts, with - without.
    a = np.repeat([1.0] * 6 + [0.0] * 4, 3)
    b = np.repeat([0.0] * 3 + [1.0] * 3 + [0.0] * 4, 3)
    g = np.repeat(np.arange(10), 3)
    row = cluster_paired_diff_row("effect", a, b, g)
    lo, hi = newcombe_paired_ci(a, b)
    assert row["value"] == pytest.approx(0.3)
    assert row["ci_low"] < lo and row["ci_high"] > hi  # type: ignore[operator]
    assert row["n_clusters"] == 10 and row["n"] == 30
    same = cluster_paired_diff_row("effect", a, b, range(30))
    assert (same["ci_low"], same["ci_high"]) == pytest.approx((lo, hi))
