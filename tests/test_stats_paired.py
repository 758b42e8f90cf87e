"""The interval of a mean of paired differences of bounded values (`syco.stats_paired`): §4.2's
"PM minus another PM" rows. A coverage simulation chooses the method and keeps it honest:
every generator below (the shapes §4.2's per-item differences take) at n = 10, 30 and 150,
2,000 replications each, must cover the true mean at least 93% of the time (nominal 95%;
the binomial standard error of a 95% coverage over 2,000 draws is 0.5 points, so 93% is
4 standard errors below it). Plain Student's t fails the same simulation (skewed at n = 10,
rare one-sided at n = 150), which is why the pseudo-items are there. Known answers too: the
all-zero, the by-construction and the clustered degenerate cases."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from scipy import stats as sps

from syco.stats import paired_diff_row
from syco.stats_cluster import cluster_paired_diff_row
from syco.stats_paired import (
    IDENTICAL,
    PSEUDO_T,
    PSEUDO_T_CLUSTER,
    cluster_design,
    mean_diff_row,
    pseudo_t_bounds,
)

REPS, NS, FLOOR = 2000, (10, 30, 150), 0.93
Shape = tuple[int, int]
Gen = Callable[[np.random.Generator, Shape], tuple[np.ndarray, np.ndarray]]


def _rare(p: float) -> Gen:
    """A PM pick that differs from the other's by +1 on a share p of items, else agrees."""
    return lambda rng, shape: ((rng.random(shape) < p).astype(float), np.zeros(shape))


def _mixed(rng: np.random.Generator, shape: Shape) -> tuple[np.ndarray, np.ndarray]:
    """Signed values: mostly equal picks, a few differing by ±1 or ±2."""
    u = rng.random(shape)
    d = np.select([u < 0.06, u < 0.09, u < 0.105, u < 0.11], [1.0, -1.0, 2.0, -2.0], 0.0)
    b = np.where(np.abs(d) == 2, -np.sign(d), 0.0)
    return b + d, b


def _pools(concentrate: float = 0.0, beta: float = 1.0) -> Gen:
    """Signed values of pools of 8 samples in {-1, 0, 1}: the random PM's value is the pool
    mean (fractional), the PM's the pick maximising beta*value + Gumbel noise; with
    `concentrate`, that share of pools holds one value only (every pick agrees)."""

    def gen(rng: np.random.Generator, shape: Shape) -> tuple[np.ndarray, np.ndarray]:
        probs = rng.dirichlet([0.4, 0.4, 0.4], size=shape)
        one = rng.random(shape) < concentrate
        probs = np.where(one[..., None], np.eye(3)[rng.integers(0, 3, shape)], probs)
        v = (rng.random((*shape, 8))[..., None] > probs.cumsum(-1)[..., None, :]).sum(-1) - 1.0
        pick = (beta * v + rng.gumbel(size=v.shape)).argmax(-1)
        return np.take_along_axis(v, pick[..., None], -1)[..., 0], v.mean(-1)

    return gen


def _skew(rng: np.random.Generator, shape: Shape) -> tuple[np.ndarray, np.ndarray]:
    """Skewed: a small negative difference on most items, +1.5 on 4%."""
    big = rng.random(shape) < 0.04
    return np.where(big, 1.0, -rng.uniform(0, 0.1, shape)), np.where(big, -0.5, 0.0)


def _mimicry(rng: np.random.Generator, shape: Shape) -> tuple[np.ndarray, np.ndarray]:
    """Shares: pools of 8 0/1 samples at an item's own rate; pick vs pool share."""
    v = (rng.random((*shape, 8)) < rng.beta(0.5, 2.0, shape)[..., None]).astype(float)
    pick = (1.5 * v + rng.gumbel(size=v.shape)).argmax(-1)
    return np.take_along_axis(v, pick[..., None], -1)[..., 0], v.mean(-1)


def _spread(rng: np.random.Generator, shape: Shape) -> tuple[np.ndarray, np.ndarray]:
    """Signed values spread over their range (feedback-like)."""
    b = np.clip(rng.normal(0.05, 0.2, shape), -1, 1)
    return np.clip(b + rng.normal(0.1, 0.5, shape), -1, 1), b


# name: (generator, bound on |a - b|)
IID: dict[str, tuple[Gen, float]] = {
    "mostly 0, a few ±1 ±2": (_mixed, 2.0),
    "rare one-sided, 2%": (_rare(0.02), 1.0),
    "rare one-sided, 10%": (_rare(0.10), 1.0),
    "one-sided, 30%": (_rare(0.30), 1.0),
    "fractional random PM": (_pools(), 2.0),
    "fractional, 70% pools agree": (_pools(concentrate=0.7, beta=0.5), 2.0),
    "skewed (rare +1.5)": (_skew, 2.0),
    "shares, pick vs pool": (_mimicry, 1.0),
    "spread (feedback-like)": (_spread, 2.0),
}


def _truth(gen: Gen) -> float:
    a, b = gen(np.random.default_rng(99), (1, 400_000))
    return float((a - b).mean())


def _covers(lo: np.ndarray, hi: np.ndarray, mu: float) -> float:
    return float(np.mean((lo <= mu + 1e-12) & (mu - 1e-12 <= hi)))


def _t_plain(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = d.shape[-1]
    m, se = d.mean(-1), d.std(-1, ddof=1) / math.sqrt(n)
    q = sps.t.ppf(0.975, n - 1)
    return m - q * se, m + q * se


def coverage_table() -> dict[tuple[str, str, int], tuple[float, float]]:
    """{(method, generator, n): (coverage, mean half-width)} for the new interval and plain t."""
    rng = np.random.default_rng(0)
    out = {}
    for name, (gen, bound) in IID.items():
        mu = _truth(gen)
        for n in NS:
            a, b = gen(rng, (REPS, n))
            for method, (lo, hi) in (
                (PSEUDO_T, pseudo_t_bounds(a - b, bound)),
                ("t", _t_plain(a - b)),
            ):
                out[(method, name, n)] = (_covers(lo, hi, mu), float(np.mean(hi - lo) / 2))
    return out


@pytest.fixture(scope="module")
def table() -> dict[tuple[str, str, int], tuple[float, float]]:
    return coverage_table()


def test_coverage_at_small_and_large_n(table) -> None:
    low = {k: v[0] for k, v in table.items() if k[0] == PSEUDO_T and v[0] < FLOOR}
    assert low == {}, f"under-covers: {low}"
    # the simulation can fail: plain t, fed the same draws, does
    assert table[("t", "skewed (rare +1.5)", 10)][0] < 0.5
    assert table[("t", "rare one-sided, 2%", 150)][0] < 0.9


def test_width_follows_the_spread_of_the_differences(table) -> None:
    """Concentrated differences give a narrow interval, at large n about plain t's width."""
    for name in ("mostly 0, a few ±1 ±2", "fractional random PM", "spread (feedback-like)"):
        assert table[(PSEUDO_T, name, 150)][1] < 1.3 * table[("t", name, 150)][1]


def test_tighter_than_the_rescaled_newcombe_on_concentrated_differences() -> None:
    """What §4.2 used before: Newcombe's paired interval on values mapped from [-1, 1] to
    [0, 1] and back (about ±22 points at n = 150 whatever the differences)."""
    a, b = _pools(concentrate=0.7, beta=0.5)(np.random.default_rng(3), (1, 150))
    old = paired_diff_row("x", (a[0] + 1) / 2, (b[0] + 1) / 2)
    new = mean_diff_row("x", a[0], b[0], bound=2.0)
    old_half = float(old["ci_high"]) - float(old["ci_low"])  # x2 (rescaled) /2 (half)
    new_half = (float(new["ci_high"]) - float(new["ci_low"])) / 2
    assert old_half > 0.15 and new_half < 0.6 * old_half
    assert new["ci_method"] == PSEUDO_T and new["n"] == 150


def test_known_answer_by_hand() -> None:
    """d = (1, 0, 0, 0), |d| <= 1: k = z^2/2 pseudo-items at -1 and +1, t at 3 df."""
    row = mean_diff_row("x", [1, 0, 0, 0], [0, 0, 0, 0], bound=1.0)
    k = sps.norm.ppf(0.975) ** 2 / 2
    big = 4 + 2 * k
    centre = 1 / big
    half = sps.t.ppf(0.975, 3) * math.sqrt(((1 + 2 * k) / big - centre**2) / big)
    assert row["value"] == 0.25
    assert row["ci_low"] == pytest.approx(centre - half) and row["ci_high"] == 1.0  # clipped
    assert row["ci_low"] == pytest.approx(-0.7537, abs=1e-4)


def test_all_zero_is_neither_21_points_nor_zero_width() -> None:
    """Every d_i = 0 by observation (not by construction): the share of items that could
    differ is below 1 - 0.05^(1/n) (zero events in n; the rule of three's 3/n), each by at
    most R = 2: ±3.7 points at n = 160, not [0, 0] and not the rescaled Newcombe's ±21."""
    row = mean_diff_row("x", [0.25] * 160, [0.25] * 160, bound=2.0)
    assert row["ci_high"] == pytest.approx(2 * (1 - 0.05 ** (1 / 160)))
    assert row["ci_low"] == -row["ci_high"] and 0.035 < float(row["ci_high"]) < 0.04
    old = paired_diff_row("x", [0.625] * 160, [0.625] * 160)  # the same values, mapped
    assert 2 * float(old["ci_high"]) > 0.2


def test_by_construction_is_exact_zero() -> None:
    row = mean_diff_row("x", [0.5, -1.0, 0.2], [0.5, -1.0, 0.2], bound=2.0, identical=True)
    assert (row["value"], row["ci_low"], row["ci_high"], row["ci_method"]) == (0, 0, 0, IDENTICAL)
    with pytest.raises(ValueError, match="identical"):
        mean_diff_row("x", [0.5], [0.4], bound=2.0, identical=True)
    with pytest.raises(ValueError, match="bound"):
        mean_diff_row("x", [1.0], [-0.5], bound=1.0)


def test_one_item_is_the_whole_range() -> None:
    row = mean_diff_row("x", [0.3], [0.1], bound=2.0)
    assert (row["ci_low"], row["ci_high"]) == (-2.0, 2.0)


# -- clusters (§4.2's mimicry: several misattributions per poem) ------------------------------


def _poem_picks(rng: np.random.Generator, r: int, c: int, m: int) -> tuple[np.ndarray, ...]:
    """Shares, each poem its own mimicry rate: pick vs pool share (mimicry-like)."""
    q = np.clip(rng.beta(0.5, 2.0, (r, c, 1)) + rng.normal(0, 0.05, (r, c, m)), 0, 1)
    v = (rng.random((r, c, m, 8)) < q[..., None]).astype(float)
    pick = (1.5 * v + rng.gumbel(size=v.shape)).argmax(-1)
    a = np.take_along_axis(v, pick[..., None], -1)[..., 0]
    return a.reshape(r, -1), v.mean(-1).reshape(r, -1)


def _poem_shift(rng: np.random.Generator, r: int, c: int, m: int) -> tuple[np.ndarray, ...]:
    """A per-poem shift of the difference plus item noise (strong clustering)."""
    d = rng.normal(0.1, 0.25, (r, c, 1)) + rng.normal(0, 0.2, (r, c, m))
    return np.clip(0.5 + d, 0, 1).reshape(r, -1), np.full((r, c * m), 0.5)


def _whole_poems(share: float) -> Callable:
    """A share of poems where the two PMs differ (by 1 on 80% of their items), the rest agree."""

    def gen(rng: np.random.Generator, r: int, c: int, m: int) -> tuple[np.ndarray, ...]:
        differs = rng.random((r, c, 1)) < share
        a = (differs & (rng.random((r, c, m)) < 0.8)).astype(float)
        return a.reshape(r, -1), np.zeros((r, c * m))

    return gen


CLUSTERED = {
    "poems, pick vs pool": (_poem_picks, None),
    "poem shift": (_poem_shift, None),
    "whole poems differ, 10%": (_whole_poems(0.1), 0.08),
    "whole poems differ, 30%": (_whole_poems(0.3), 0.24),
}
SIZES = ((5, 2), (10, 3), (15, 10))  # (poems, misattributions per poem): n = 10, 30, 150


def cluster_coverage() -> dict[tuple[str, int], tuple[float, float]]:
    """{(generator, n): (coverage, mean half-width)} of the clustered interval."""
    rng = np.random.default_rng(1)
    out = {}
    for name, (gen, mu) in CLUSTERED.items():
        if mu is None:
            a, b = gen(np.random.default_rng(98), 1, 40_000, 10)
            mu = float((a - b).mean())
        for c, m in SIZES:
            a, b = gen(rng, REPS, c, m)
            deff, n_eff, n_c = cluster_design(a - b, np.repeat(np.arange(c), m))
            lo, hi = pseudo_t_bounds(a - b, 1.0, n_eff=n_eff, df=n_c - 1)
            out[(name, c * m)] = (_covers(lo, hi, mu), float(np.mean(hi - lo) / 2))
    return out


def test_cluster_coverage() -> None:
    got = cluster_coverage()
    low = {k: v for k, v in got.items() if v[0] < FLOOR}
    assert low == {}, f"under-covers: {low}"


def test_clusters_of_one_are_the_iid_interval() -> None:
    a, b = _mimicry(np.random.default_rng(4), (1, 40))
    iid = mean_diff_row("x", a[0], b[0], bound=1.0)
    cl = mean_diff_row("x", a[0], b[0], bound=1.0, clusters=list(range(40)))
    assert (cl["ci_low"], cl["ci_high"]) == (iid["ci_low"], iid["ci_high"])
    assert (cl["ci_method"], cl["n_clusters"], cl["design_effect"]) == (PSEUDO_T_CLUSTER, 40, 1.0)


def test_clustered_all_zero_has_no_design_effect_of_ten() -> None:
    """150 misattributions of 15 poems, every difference 0: the clustering cannot be
    estimated (0/0), so no design effect is reported (NaN, where the old code said 10 =
    n / poems) and the bound counts the 15 poems, the worst case (every poem one unit): the
    rule of three's 1 - 0.05^(1/15) = 18 points, not the old ±29-33 and not the ±2 that 150
    independent items would give."""
    poems = np.repeat([f"poem{i}" for i in range(15)], 10)
    a = np.tile(np.linspace(0, 1, 10), 15)  # fractional pick values, equal on both sides
    row = mean_diff_row("x", a, a, bound=1.0, clusters=poems)
    assert math.isnan(row["design_effect"]) and row["n_clusters"] == 15
    assert row["ci_method"] == PSEUDO_T_CLUSTER
    want = 1 - 0.05 ** (1 / 15)
    assert row["ci_high"] == pytest.approx(want) and row["ci_low"] == pytest.approx(-want)
    old = cluster_paired_diff_row("x", a, a, poems)
    assert old["design_effect"] == 10 and float(old["ci_high"]) > 0.25  # what it replaces
    iid = mean_diff_row("x", a, a, bound=1.0)
    assert iid["ci_high"] == pytest.approx(1 - 0.05 ** (1 / 150))


def test_all_equal_nonzero_moves_by_the_range_from_the_common_value() -> None:
    row = mean_diff_row("x", [0.75] * 12, [0.0] * 12, bound=1.0)
    share = 1 - 0.05 ** (1 / 12)
    assert row["ci_low"] == pytest.approx(0.75 - 1.75 * share) and row["ci_high"] == 1.0
