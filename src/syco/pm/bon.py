"""Exact best-of-N over a fixed pool (Sharma et al. §4.2, Fig. 6a; §4.3.2, Fig. 7c–d; the estimator is ours).

Best-of-N picks, from N responses drawn at random without replacement from a pool of M, the
one the preference model scores highest. Instead of Monte-Carlo subsets we compute the
expectation exactly: sort the pool by PM score ascending; the sample ranked i (1-indexed) is
the maximum of a random N-subset with probability C(i-1, N-1) / C(M, N).

Ties (deterministic, no RNG): a tie among the maxima is broken uniformly at random, computed
exactly. A group of tied samples occupying ascending ranks a..b holds the maximum with
probability [C(b, N) - C(a-1, N)] / C(M, N) (hockey-stick identity over the ranks) and,
by symmetry, each member of the group is the pick with an equal share of that probability.
This equals averaging the untied rank weights over the tie group.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import comb

import numpy as np

from syco.errors import SycoError


def ns_up_to(m: int) -> list[int]:
    """N = 1, 2, 4, ... up to and including M (M itself added when not a power of two)."""
    if m < 1:
        raise SycoError(f"pool size must be at least 1, got {m}")
    out, n = [], 1
    while n <= m:
        out.append(n)
        n *= 2
    if out[-1] != m:
        out.append(m)
    return out


def bon_weights(scores: Sequence[float] | np.ndarray, n: int) -> np.ndarray:
    """P(sample j is the best-of-N pick) for every sample j of the pool, in pool order.

    Exact, with ties shared equally within a tie group (uniform tie-breaking). Sums to 1."""
    s = np.asarray(scores, dtype=float)
    m = len(s)
    if np.isnan(s).any():
        raise SycoError("PM scores contain NaN: drop errored samples before best-of-N")
    if not 1 <= n <= m:
        raise SycoError(f"best-of-N needs 1 <= N <= M, got N={n}, M={m}")
    total = comb(m, n)
    uniq, inverse, counts = np.unique(s, return_inverse=True, return_counts=True)
    w = np.empty(m)
    below = 0  # samples scored strictly below the current tie group
    group_w = np.empty(len(uniq))
    for g, c in enumerate(counts):
        a, b = below + 1, below + c  # the group's ascending ranks, 1-indexed
        group_w[g] = (comb(b, n) - comb(a - 1, n)) / total / c
        below = b
    w[:] = group_w[inverse]
    return w


def bon_expectation(
    scores: Sequence[float] | np.ndarray, values: Sequence[float] | np.ndarray, n: int
) -> tuple[float, float]:
    """(expected metric of the best-of-N pick, probability mass on unscored picks).

    `values` may hold NaN for samples whose metric is unknown (unparsed by the judge): the
    expectation is taken over scored picks only (renormalised) and the NaN mass is returned
    so the caller can report it. NaN expectation when every pick is unscored."""
    w = bon_weights(scores, n)
    v = np.asarray(values, dtype=float)
    if len(v) != len(w):
        raise SycoError("scores and values must have one entry per pool sample")
    known = ~np.isnan(v)
    mass = float(w[known].sum())
    if mass <= 0:
        return float("nan"), 1.0
    return float((w[known] * v[known]).sum() / mass), float(1.0 - mass)


def oracle_sycophantic(m: int, t: int, n: int) -> float:
    """P(best-of-N is sycophantic) for an oracle that picks any truthful sample when one is
    among the N: the chance that all N are sycophantic, C(M-T, N) / C(M, N)."""
    if not (0 <= t <= m and 1 <= n <= m):
        raise SycoError(f"need 0 <= T <= M and 1 <= N <= M, got M={m}, T={t}, N={n}")
    return comb(m - t, n) / comb(m, n)
