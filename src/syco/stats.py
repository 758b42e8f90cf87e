"""Confidence intervals shared by every chapter.

Every metric of the book is a mean of bounded per-item values: a proportion (0/1 outcomes),
a mean of fractions in [0, 1] (both A/B orders averaged, best-of-N expectations), or a
paired difference of such means. Intervals must keep their coverage at the small n a
chapter often has, and must never collapse to zero width because every outcome agreed (a
percentile bootstrap shows "0/4" as [0, 0]). So:

- proportions and [0, 1] means: the **Wilson score interval** (Wilson 1927; recommended for
  small n by Brown, Cai & DasGupta 2001). For fractional values it uses k = sum of values:
  the score interval's variance p(1 - p)/n is the largest a [0, 1] variable with mean p can
  have, so the interval is conservative there. `clopper_pearson_ci` (exact, never below the
  nominal coverage) is here for checks and for readers who prefer it.
- paired differences of two such means on the same items (accuracy with vs without a
  template, positivity under two framings): **Newcombe's square-and-add interval for paired
  proportions** (Newcombe 1998, Stat. Med. 17:2635, method 10), from the Wilson intervals of
  the two means and the phi correlation of the pairs; fractional values enter the 2x2 table
  as expected counts (a_i*b_i, a_i*(1-b_i), ...), which keeps both margins exact.
- other values in [-1, 1] (a difference given without its two sides): Wilson on the values
  mapped to [0, 1], by the same variance bound (conservative; it ignores the pairing).
- anything unbounded: the percentile bootstrap, labelled as such (it can be too narrow at
  small n).
- items that come in clusters (§3.4: several misattributions of the same poem; replies to
  one poem are alike): Wilson at the **design-effect** effective n (Kish 1965): the
  cluster-robust variance of the mean (CR1, the sum of squared cluster residuals times
  C/(C-1)) over the iid variance p(1-p)/n gives deff >= 1 and n_eff = n/deff, with Student's
  t at C-1 degrees of freedom in place of z (few clusters; Cameron & Miller 2015). When every
  outcome agrees the clustering cannot be estimated, so n_eff is the number of clusters (the
  worst case, every cluster one unit). `syco.stats_cluster`: `cluster_row` /
  `cluster_paired_diff_row`.
- the mean of paired differences of two per-item values that are not shares (§4.2's "PM
  minus another PM": a pick against a pool average, or two signed differences):
  `syco.stats_paired` (Student's t with pseudo-items at both ends of the range).
- the paper's "averaged across datasets" (the mean of per-dataset means, `stratified_row`):
  Wilson at Kish's effective sample size n_eff = D^2 / sum_d(1/n_d) for D datasets of n_d
  items, on the values' range as above (`stratified_diff_row`: Newcombe's paired interval
  on the weighted 2x2 table at that n); the item-weighted pooled mean stays available as a
  plain `metric_row`.

Each row says which (``ci_method``). `sem` is the standard error of a mean, which the
paper's figures use for their error bars.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

WILSON = "wilson"
NEWCOMBE = "newcombe-paired"
WILSON_SIGNED = "wilson-rescaled"
STRATA = "wilson-strata"
STRATA_PAIRED = "newcombe-paired-strata"
BOOTSTRAP = "bootstrap"
CLUSTER = "wilson-cluster"
CLUSTER_PAIRED = "newcombe-paired-cluster"


def _z(alpha: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(1 - alpha / 2)


def wilson_ci(k: float, n: float, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (k may be fractional: see the
    module docstring); (nan, nan) when n is 0."""
    return _wilson_z(k, n, _z(alpha))


def _wilson_z(k: float, n: float, z: float) -> tuple[float, float]:
    """`wilson_ci` at the quantile z (cluster intervals use Student's t in its place)."""
    if n <= 0:
        return (float("nan"), float("nan"))
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(max(p * (1 - p), 0.0) / n + z * z / (4 * n * n))
    return (max(0.0, centre - half), min(1.0, centre + half))


def clopper_pearson_ci(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """The exact (Clopper-Pearson) interval: coverage never below 1 - alpha."""
    from scipy.stats import beta

    if n <= 0:
        return (float("nan"), float("nan"))
    lo = 0.0 if k == 0 else float(beta.ppf(alpha / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(1 - alpha / 2, k + 1, n - k))
    return (lo, hi)


def newcombe_paired_ci(
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    alpha: float = 0.05,
    weights: Sequence[float] | np.ndarray | None = None,
    n_eff: float | None = None,
) -> tuple[float, float]:
    """Interval of mean(a) - mean(b) for paired values in [0, 1] (Newcombe 1998, method 10).

    Never zero width for n >= 1: with every pair agreeing it is still about ±(Wilson
    half-width). With `weights` (a weighted mean, e.g. the average over datasets) the 2x2
    table is the weighted one scaled to Kish's effective n; `n_eff` sets that n instead
    (clustered pairs: `cluster_paired_diff_row`)."""
    return _newcombe_z(a, b, _z(alpha), weights, n_eff)


def _newcombe_z(
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    z: float,
    weights: Sequence[float] | np.ndarray | None = None,
    n_eff: float | None = None,
) -> tuple[float, float]:
    """`newcombe_paired_ci` at the quantile z."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(x) == 0:
        return (float("nan"), float("nan"))
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=float)
    w = w / w.sum()
    n = float(1 / (w**2).sum()) if n_eff is None else float(n_eff)  # = len(x) by default
    n11, n10 = n * float((w * x * y).sum()), n * float((w * x * (1 - y)).sum())
    n01, n00 = n * float((w * (1 - x) * y).sum()), n * float((w * (1 - x) * (1 - y)).sum())
    p1, p2 = (n11 + n10) / n, (n11 + n01) / n
    l1, u1 = _wilson_z(n11 + n10, n, z)
    l2, u2 = _wilson_z(n11 + n01, n, z)
    margins = (n11 + n10) * (n01 + n00) * (n11 + n01) * (n10 + n00)
    phi = 0.0
    if margins > 0:
        det = n11 * n00 - n10 * n01
        if det > n / 2:
            phi = (det - n / 2) / math.sqrt(margins)
        elif det < 0:
            phi = det / math.sqrt(margins)
    d = p1 - p2
    lo = d - math.sqrt(max((p1 - l1) ** 2 + (u2 - p2) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2), 0))
    hi = d + math.sqrt(max((p2 - l2) ** 2 + (u1 - p1) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1), 0))
    return (max(-1.0, lo), min(1.0, hi))


def bootstrap_ci(
    values: Sequence[float] | np.ndarray,
    stat: Callable[[np.ndarray], float] = np.mean,
    *,
    n_boot: int = 2000,
    alpha: float = 0.05,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of `stat`; (nan, nan) with fewer than 2 values."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) < 2:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(x), size=(n_boot, len(x)))
    boots = x[idx].mean(axis=1) if stat is np.mean else np.array([stat(x[i]) for i in idx])
    return (float(np.quantile(boots, alpha / 2)), float(np.quantile(boots, 1 - alpha / 2)))


def sem(values: Sequence[float] | np.ndarray) -> float:
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    return float(x.std(ddof=1) / np.sqrt(len(x))) if len(x) > 1 else float("nan")


def interval(
    values: Sequence[float] | np.ndarray, *, seed: int = 0, signed: bool = False
) -> tuple[float, float, str]:
    """(low, high, method) for the mean of `values`, by their range (module docstring).
    ``signed``: the metric is a difference in [-1, 1] even when every value observed is
    in [0, 1] (e.g. all 0), so its interval may not stop at 0."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return (float("nan"), float("nan"), WILSON)
    if not signed and x.min() >= 0 and x.max() <= 1:
        return (*wilson_ci(float(x.sum()), len(x)), WILSON)
    if x.min() >= -1 and x.max() <= 1:
        lo, hi = wilson_ci(float(((x + 1) / 2).sum()), len(x))
        return (2 * lo - 1, 2 * hi - 1, WILSON_SIGNED)
    return (*bootstrap_ci(x, seed=seed), BOOTSTRAP)


def _row(metric, value, lo, hi, method, n, subset, n_errors, n_unparsed, extra):
    return {
        "metric": metric,
        "subset": subset,
        "value": value,
        "ci_low": lo,
        "ci_high": hi,
        "n": int(n),
        "n_errors": int(n_errors),
        "n_unparsed": int(n_unparsed),
        "ci_method": method,
        **extra,
    }


def metric_row(
    metric: str,
    values: Sequence[float] | np.ndarray,
    *,
    subset: str = "all",
    n_errors: int = 0,
    n_unparsed: int = 0,
    seed: int = 0,
    signed: bool = False,
    **extra: object,
) -> dict[str, object]:
    """A tidy metric row: mean of the scored values with its interval and the counts.

    `values` hold only the samples that were scored (errors and unparsed are excluded and
    counted), so the reader always sees how many samples stand behind a number. The
    interval is chosen by the values' range (`interval`) and named in ``ci_method``."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    lo, hi, method = interval(x, seed=seed, signed=signed)
    value = float(x.mean()) if len(x) else float("nan")
    return _row(metric, value, lo, hi, method, len(x), subset, n_errors, n_unparsed, extra)


def paired_diff_row(
    metric: str,
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    *,
    subset: str = "all",
    n_errors: int = 0,
    n_unparsed: int = 0,
    **extra: object,
) -> dict[str, object]:
    """A metric row for mean(a) - mean(b) over the same items (values in [0, 1]), with
    Newcombe's paired interval; pairs with a missing side must already be left out."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"paired values differ in length: {x.shape} vs {y.shape}")
    value = float((x - y).mean()) if len(x) else float("nan")
    lo, hi = newcombe_paired_ci(x, y)
    return _row(metric, value, lo, hi, NEWCOMBE, len(x), subset, n_errors, n_unparsed, extra)


def stratified_diff_row(
    metric: str,
    groups: Sequence[tuple[Sequence[float], Sequence[float]]],
    *,
    subset: str = "all",
    n_errors: int = 0,
    n_unparsed: int = 0,
    **extra: object,
) -> dict[str, object]:
    """The mean over groups of each group's paired difference mean(a) - mean(b) (the paper's
    average over datasets of a change), with Newcombe's paired interval on the weighted table
    (each group weighs alike; Kish's effective n)."""
    gs = [(np.asarray(a, dtype=float), np.asarray(b, dtype=float)) for a, b in groups]
    gs = [(a, b) for a, b in gs if len(a)]
    if not gs:
        return {**paired_diff_row(metric, [], [], subset=subset, n_errors=n_errors,
                                  n_unparsed=n_unparsed, **extra), "ci_method": STRATA_PAIRED,
                "n_groups": 0}  # fmt: skip
    diffs = np.array([(a - b).mean() for a, b in gs])
    a = np.concatenate([a for a, _ in gs])
    b = np.concatenate([b for _, b in gs])
    w = np.concatenate([np.full(len(x), 1 / len(x)) for x, _ in gs])
    lo, hi = newcombe_paired_ci(a, b, weights=w)
    row = _row(metric, float(diffs.mean()), lo, hi, STRATA_PAIRED, len(a), subset, n_errors,
               n_unparsed, extra)  # fmt: skip
    return {**row, "n_groups": len(gs), "se_groups": sem(diffs)}


def stratified_row(
    metric: str,
    groups: Sequence[Sequence[float] | np.ndarray],
    *,
    subset: str = "all",
    n_errors: int = 0,
    n_unparsed: int = 0,
    seed: int = 0,
    **extra: object,
) -> dict[str, object]:
    """A metric row for the mean of group means (the paper's average over datasets), with
    Wilson's interval at Kish's effective n; ``n`` is the total number of items,
    ``n_groups`` the number of non-empty groups and ``se_groups`` the standard error across
    group means (the paper's error bars where it shows SE across datasets)."""
    gs = [np.asarray(g, dtype=float) for g in groups]
    gs = [g[~np.isnan(g)] for g in gs]
    gs = [g for g in gs if len(g)]
    if not gs:
        extra_any: dict[str, Any] = dict(extra)
        row = metric_row(metric, [], subset=subset, n_errors=n_errors,
                         n_unparsed=n_unparsed, seed=seed, **extra_any)  # fmt: skip
        return {**row, "ci_method": STRATA, "n_groups": 0, "se_groups": float("nan")}
    means = np.array([g.mean() for g in gs])
    value = float(means.mean())
    allv = np.concatenate(gs)
    n_eff = len(gs) ** 2 / sum(1 / len(g) for g in gs)
    if allv.min() >= 0 and allv.max() <= 1:
        lo, hi = wilson_ci(value * n_eff, n_eff)
    elif allv.min() >= -1 and allv.max() <= 1:
        lo, hi = wilson_ci((value + 1) / 2 * n_eff, n_eff)
        lo, hi = 2 * lo - 1, 2 * hi - 1
    else:  # unbounded: resample within each group
        rng = np.random.default_rng(seed)
        boots = np.mean([g[rng.integers(0, len(g), (2000, len(g)))].mean(axis=1) for g in gs], 0)
        lo, hi = float(np.quantile(boots, 0.025)), float(np.quantile(boots, 0.975))
    return {
        **_row(metric, value, lo, hi, STRATA, len(allv), subset, n_errors, n_unparsed, extra),
        "n_groups": len(gs),
        "se_groups": sem(means),
    }


def vote(a: float | None, b: float | None) -> float:
    """A pairwise choice with ties split: 1 when `a` scores above `b`, 0 below, 0.5 equal."""
    assert a is not None and b is not None  # callers vote only on two scores
    return 1.0 if a > b else 0.0 if a < b else 0.5


def side(lo: Any, hi: Any, ref: float = 0.0) -> int:
    """+1 where a 95% interval lies wholly above `ref`, -1 wholly below, 0 where it includes
    `ref` (an end equal to `ref` includes it) or an end is missing (None or NaN). One
    definition of "resolved" for every chapter's verdict; the words stay in the chapter."""
    if lo is None or hi is None:
        return 0
    lo, hi = float(lo), float(hi)
    if math.isnan(lo) or math.isnan(hi):
        return 0
    return 1 if lo > ref else -1 if hi < ref else 0


# The book's precision goal (issue 11/20): a headline metric's 95% interval half-width, in
# percentage points, that its default sizes aim for.
TARGET_PTS = 10.0


def half_width_pts(lo: Any, hi: Any) -> float:
    """Half the width of a 0-1 interval in percentage points; NaN where either end is missing."""
    if lo is None or hi is None:
        return math.nan
    return (float(hi) - float(lo)) / 2 * 100  # NaN ends give NaN


def half_rounded(half: float) -> float:
    """A half-width to 0.1 point, or to 0.01 where 0.1 would land on the target from either
    side: 9.953 meets 10 and must not read "10.0" beside a "yes" (nor 10.04 "10.0", "no")."""
    if half is None or math.isnan(half):
        return half
    one = round(float(half), 1)
    return round(float(half), 2) if one == TARGET_PTS and float(half) != TARGET_PTS else one


def half_points(half: float) -> str:
    """A half-width as page text, "6.9" or "9.95" (`half_rounded`), so a sentence saying
    "meets 10" never shows "10.0" for 9.953, as the precision tables do not."""
    h = half_rounded(half)
    return f"{h:.2f}" if round(h, 1) != h else f"{h:.1f}"


def n_for_target(n: int | None, half: float, target: float = TARGET_PTS) -> int | None:
    """About how many items a metric needs for a ``target``-point half-width (a half-width
    shrinks as 1/sqrt(n)); the n it has when it already meets it. An estimate."""
    if n is None or not n or half is None or math.isnan(half):
        return None
    return n if half <= target else math.ceil(round(n * (half / target) ** 2, 6))
