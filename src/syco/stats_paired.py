"""The interval of a mean of paired per-item differences of bounded values.

§4.2 compares two best-of-N picks on the same items: d_i = a_i - b_i, with a_i and b_i in
[0, 1] (mimicry) or [-1, 1] (answer and feedback sycophancy, themselves differences), so
|d_i| <= R, the width of the values' range (1 or 2). The b side is often a pool average
(the random PM), so d_i is fractional, and most d_i are near 0. Newcombe's paired interval
(`syco.stats`) takes each side as a share: fed values mapped from [-1, 1] to [0, 1], its 2x2
table of expected counts cannot see how closely the two picks agree, and it stays about
±21 points wide at n = 160 even where every d_i is exactly 0.

**Method** (``ci_method`` "paired-t-bounded"): Student's t on the d_i at n - 1 degrees of
freedom, after adding k = z^2/2 (1.92 at 95%) pseudo-items at each end of the range, +R and
-R, as Agresti & Coull (1998) add z^2/2 successes and failures to a proportion (Agresti & Min
2005 add pseudo-counts to paired proportions). They keep the coverage where a rare large
difference was not drawn, and the interval from collapsing where the d_i barely vary; with
many varied d_i they weigh little and the interval is close to plain t's. The interval always
holds the mean, and is cut to [-R, R]. Chosen by the coverage simulation in
``tests/test_stats_paired.py`` (mostly-zero differences with a few ±1, ±2; fractional
random-PM values; rare one-sided and skewed differences; n = 10, 30, 150; 2,000 draws
each): at least 94.7% everywhere, where plain t falls to 17% (2% one-sided, n = 10), 35%
(skewed, n = 10) and 80% (2% one-sided, n = 150). No small-n fallback is needed at n >= 10;
at n = 1 (no degrees of freedom) the interval is the whole range [-R, R]. The price: where
the d_i are far narrower than R (answer sycophancy: |d| <~ 1 of R = 2), it is wider than t.

**Every d_i equal** (c; in practice all 0): the sample says nothing about the spread, so the
bound is on the share of items that differ from c, below 1 - alpha^(1/n) (exact for zero
events in n draws: the rule of three's 3/n), each moving the mean by at most R + |c|:
c ± (R + |c|)(1 - 0.05^(1/n)), ±3.7 points for all 0 at n = 160, R = 2.

**Clusters** ("paired-t-bounded-cluster"; §4.2's misattributions, several per poem): the
same at the design-effect effective n (Kish 1965), as `syco.stats` does for Wilson: deff =
the CR1 cluster-robust variance of the mean of d over the iid one (sample variance / n), at
least 1; the sums enter at n_eff = n / deff, t at C - 1 degrees of freedom for C clusters.
Where the d_i do not vary the clustering cannot be estimated (0/0): the design effect is
reported as NaN (not n / C) and the bound above counts the C clusters, the worst case
(every cluster one unit): 15 poems of 10 misattributions, all 0, give ±18 points; the ±2
that 150 independent items would give assumes what 15 poems cannot show.

**By construction** ("paired-identical"): where the caller knows the two values are equal
on every item (§4.2 at N = 1: every PM picks a uniform sample of the same pool), the
interval is [0, 0]; an observed all-zero sample alone never gives that.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist
from typing import Any

import numpy as np

from syco.stats_cluster import cluster_index

PSEUDO_T = "paired-t-bounded"
PSEUDO_T_CLUSTER = "paired-t-bounded-cluster"
IDENTICAL = "paired-identical"


def _t(df: np.ndarray | float, alpha: float) -> np.ndarray:
    from scipy.special import stdtrit  # lighter to import than scipy.stats

    return np.asarray(stdtrit(np.maximum(df, 1), 1 - alpha / 2), dtype=float)


def pseudo_t_bounds(
    d: np.ndarray,
    bound: float,
    *,
    alpha: float = 0.05,
    n_eff: np.ndarray | float | None = None,
    df: np.ndarray | float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) of the mean of the last axis of `d` (|d| <= `bound`), vectorised over
    the leading axes (module docstring). `n_eff` (default n): the n the sums count for;
    `df` (default n - 1): the t quantile's degrees of freedom; df < 1: the whole range."""
    x = np.asarray(d, dtype=float)
    n = x.shape[-1]
    ne = np.asarray(n if n_eff is None else n_eff, dtype=float)
    dof = np.asarray(n - 1 if df is None else df, dtype=float)
    k = NormalDist().inv_cdf(1 - alpha / 2) ** 2 / 2
    m1, m2 = x.mean(axis=-1), (x * x).mean(axis=-1)
    big_n = ne + 2 * k
    centre = ne * m1 / big_n
    var = np.maximum((ne * m2 + 2 * k * bound**2) / big_n - centre**2, 0.0)
    half = _t(dof, alpha) * np.sqrt(var / big_n)
    lo, hi = np.minimum(centre - half, m1), np.maximum(centre + half, m1)  # the mean inside
    # every d_i equal (c): the share of items that differ from c is below 1 - alpha^(1/n)
    # (exact for zero events; about 3/n, the rule of three), and each moves the mean by at
    # most bound + |c|
    flat = np.ptp(x, axis=-1) == 0 if n else np.zeros(m1.shape, dtype=bool)
    share = 1 - alpha ** (1 / np.maximum(ne, 1))
    lo = np.where(flat, m1 - share * (bound + np.abs(m1)), lo)
    hi = np.where(flat, m1 + share * (bound + np.abs(m1)), hi)
    none = dof < 1
    return (np.where(none, -bound, np.maximum(-bound, lo)),
            np.where(none, bound, np.minimum(bound, hi)))  # fmt: skip


def cluster_design(d: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """(deff, n_eff, C) of the mean of the last axis of `d`, grouped by the cluster index
    `idx` (0..C-1 per item), vectorised over the leading axes. deff is NaN where the d do
    not vary (n_eff = C then: module docstring)."""
    x = np.asarray(d, dtype=float)
    n = x.shape[-1]
    c = int(idx.max()) + 1
    onehot = np.zeros((n, c))
    onehot[np.arange(n), idx] = 1.0
    resid = x - x.mean(axis=-1, keepdims=True)
    v_iid = (resid**2).sum(axis=-1) / (n - 1) / n if n > 1 else np.zeros(x.shape[:-1])
    v_cl = c / max(c - 1, 1) * ((resid @ onehot) ** 2).sum(axis=-1) / n**2
    flat = ~(v_iid > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        deff = np.where(flat, np.nan, np.maximum(1.0, v_cl / np.where(flat, 1.0, v_iid)))
    if c == n:  # every item its own cluster: the iid case
        return np.ones(x.shape[:-1]), np.full(x.shape[:-1], float(n)), c
    return deff, np.where(flat, float(c), n / np.where(flat, 1.0, deff)), c


def mean_diff_row(
    metric: str,
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    *,
    bound: float,
    clusters: Sequence[Any] | np.ndarray | None = None,
    identical: bool = False,
    subset: str = "all",
    n_errors: int = 0,
    n_unparsed: int = 0,
    alpha: float = 0.05,
    **extra: object,
) -> dict[str, object]:
    """A tidy metric row (as `syco.stats.metric_row`) for mean(a - b) over paired items,
    every |a_i - b_i| <= `bound` (module docstring); pairs with a missing side must already
    be left out. ``clusters`` (one label per item): the clustered interval, with
    ``n_clusters`` and ``design_effect``; ``identical``: equal by construction ([0, 0])."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"paired values differ in length: {x.shape} vs {y.shape}")
    d = x - y
    n = len(d)
    if np.abs(d).max(initial=0.0) > bound + 1e-9:
        raise ValueError(f"a paired difference exceeds its bound {bound}")
    idx = None if clusters is None else cluster_index(clusters, n)
    method = PSEUDO_T if idx is None else PSEUDO_T_CLUSTER
    lo = hi = deff = math.nan
    if identical:
        if np.abs(d).max(initial=0.0) > 1e-9:
            raise ValueError("values said to be identical by construction differ")
        lo, hi, method = 0.0, 0.0, IDENTICAL
    elif n and idx is None:
        lo, hi = (float(v) for v in pseudo_t_bounds(d, bound, alpha=alpha))
    elif n and idx is not None:
        de, n_eff, c = cluster_design(d, idx)
        lo, hi = (float(v) for v in pseudo_t_bounds(d, bound, alpha=alpha, n_eff=n_eff, df=c - 1))
        deff = float(de)
    row: dict[str, object] = {
        "metric": metric,
        "subset": subset,
        "value": float(d.mean()) if n else math.nan,
        "ci_low": lo,
        "ci_high": hi,
        "n": n,
        "n_errors": int(n_errors),
        "n_unparsed": int(n_unparsed),
        "ci_method": method,
        **extra,
    }
    if idx is not None:
        row |= {"n_clusters": int(idx.max()) + 1 if n else 0, "design_effect": deff}
    return row
