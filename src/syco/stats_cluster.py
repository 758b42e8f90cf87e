"""Intervals for items that come in clusters (§3.4: several misattributions of the same poem,
whose replies are alike): Wilson at the design-effect effective n, Student's t at C-1 degrees
of freedom. The method and its references are in `syco.stats`' module docstring; §4.2's
clustered paired rows use `cluster_index` through `syco.stats_paired`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from syco.stats import (
    CLUSTER,
    CLUSTER_PAIRED,
    _newcombe_z,
    _row,
    _wilson_z,
    _z,
    newcombe_paired_ci,
    paired_diff_row,
    wilson_ci,
)


def cluster_index(clusters: Sequence[Any] | np.ndarray, n: int) -> np.ndarray:
    labels = list(clusters)
    if len(labels) != n:
        raise ValueError(f"{len(labels)} cluster labels for {n} values")
    ids: dict[Any, int] = {}
    return np.array([ids.setdefault(c, len(ids)) for c in labels], dtype=int)


def design_effect(
    values: Sequence[float] | np.ndarray, clusters: Sequence[Any] | np.ndarray
) -> tuple[float, float, int]:
    """(deff, n_eff, n_clusters) of the mean of `values` grouped by `clusters` (labels).

    deff = CR1 cluster-robust variance of the mean / iid variance, at least 1 (a negative
    within-cluster correlation is not trusted to narrow the interval). The iid variance is
    the largest a variable in [0, 1] (or [-1, 1], rescaled) with that mean can have, as in
    `wilson_ci`, or the plain sample variance for other values. Singleton clusters: deff 1.
    Undefined clustering (every value equal, or one cluster): n_eff = the number of
    clusters, the worst case."""
    x = np.asarray(values, dtype=float)
    n = len(x)
    idx = cluster_index(clusters, n)
    n_clusters = int(idx.max()) + 1 if n else 0
    if n == 0:
        return (float("nan"), float("nan"), 0)
    if n_clusters == n:
        return (1.0, float(n), n_clusters)
    p = float(x.mean())
    if x.min() >= 0 and x.max() <= 1:
        var_item = p * (1 - p)
    elif x.min() >= -1 and x.max() <= 1:
        var_item = (1 + p) * (1 - p)  # (p+1)/2 * (1-(p+1)/2) on the [0, 1] scale, times 4
    else:
        var_item = float(x.var())
    if n_clusters < 2 or var_item <= 0 or float(np.ptp(x)) == 0:
        return (n / n_clusters, float(n_clusters), n_clusters)
    resid = np.bincount(idx, weights=x - p)
    v_cluster = n_clusters / (n_clusters - 1) * float((resid**2).sum()) / n**2
    deff = max(1.0, v_cluster / (var_item / n))
    return (deff, n / deff, n_clusters)


@lru_cache(maxsize=256)
def _t_quantile(n_clusters: int, alpha: float) -> float:
    """Student's t quantile at n_clusters - 1 df (z with fewer than 2 clusters)."""
    from scipy.special import stdtrit  # lighter to import than scipy.stats

    if n_clusters < 2:
        return _z(alpha)
    return float(stdtrit(n_clusters - 1, 1 - alpha / 2))


def cluster_wilson_ci(
    values: Sequence[float] | np.ndarray,
    clusters: Sequence[Any] | np.ndarray,
    alpha: float = 0.05,
) -> tuple[float, float]:
    """Wilson interval of the mean of values in [0, 1] that come in clusters (module
    docstring): Wilson at the design-effect n_eff, t at C-1 df. Equals `wilson_ci` when every
    cluster holds one value."""
    x = np.asarray(values, dtype=float)
    if len(x) == 0:
        return (float("nan"), float("nan"))
    deff, n_eff, n_clusters = design_effect(x, clusters)
    if n_clusters == len(x):
        return wilson_ci(float(x.sum()), len(x), alpha)
    return _wilson_z(float(x.mean()) * n_eff, n_eff, _t_quantile(n_clusters, alpha))


def cluster_row(
    metric: str,
    values: Sequence[float] | np.ndarray,
    clusters: Sequence[Any] | np.ndarray,
    *,
    subset: str = "all",
    n_errors: int = 0,
    n_unparsed: int = 0,
    **extra: object,
) -> dict[str, object]:
    """`metric_row` for values in [0, 1] grouped in clusters (e.g. replies per poem), with
    `cluster_wilson_ci`; adds ``n_clusters`` and ``design_effect``. NaN values are left out
    with their labels."""
    x = np.asarray(values, dtype=float)
    keep = ~np.isnan(x)
    labels = [c for c, k in zip(list(clusters), keep, strict=True) if k]
    x = x[keep]
    if len(x) and (x.min() < 0 or x.max() > 1):
        raise ValueError("cluster_row takes values in [0, 1]")
    lo, hi = cluster_wilson_ci(x, labels)
    deff, _, n_clusters = design_effect(x, labels)
    value = float(x.mean()) if len(x) else float("nan")
    row = _row(metric, value, lo, hi, CLUSTER, len(x), subset, n_errors, n_unparsed, extra)
    return {**row, "n_clusters": n_clusters, "design_effect": deff}


def cluster_paired_diff_row(
    metric: str,
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    clusters: Sequence[Any] | np.ndarray,
    *,
    subset: str = "all",
    n_errors: int = 0,
    n_unparsed: int = 0,
    **extra: object,
) -> dict[str, object]:
    """`paired_diff_row` for pairs grouped in clusters: Newcombe's interval on the 2x2 table
    scaled to the design-effect n_eff of the differences a - b, t at C-1 df."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"paired values differ in length: {x.shape} vs {y.shape}")
    if len(x) == 0:
        row = paired_diff_row(metric, x, y, subset=subset, n_errors=n_errors,
                              n_unparsed=n_unparsed, **extra)  # fmt: skip
        return {**row, "ci_method": CLUSTER_PAIRED, "n_clusters": 0, "design_effect": math.nan}
    deff, n_eff, n_clusters = design_effect(x - y, clusters)
    if n_clusters == len(x):
        lo, hi = newcombe_paired_ci(x, y)
    else:
        lo, hi = _newcombe_z(x, y, _t_quantile(n_clusters, 0.05), n_eff=n_eff)
    row = _row(metric, float((x - y).mean()), lo, hi, CLUSTER_PAIRED, len(x), subset,
               n_errors, n_unparsed, extra)  # fmt: skip
    return {**row, "n_clusters": n_clusters, "design_effect": deff}
