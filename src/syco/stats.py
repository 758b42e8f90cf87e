"""Confidence intervals shared by every chapter.

Percentile bootstrap over samples (seeded, so the book is reproducible), and the
standard error of a mean, which the paper's figures use for their error bars.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


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


def paired_bootstrap_ci(
    a: Sequence[float],
    b: Sequence[float],
    *,
    n_boot: int = 2000,
    alpha: float = 0.05,
    seed: int = 0,
) -> tuple[float, float]:
    """Interval of mean(a) - mean(b) for paired samples (same items under two conditions)."""
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    return bootstrap_ci(d, n_boot=n_boot, alpha=alpha, seed=seed)


def sem(values: Sequence[float] | np.ndarray) -> float:
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    return float(x.std(ddof=1) / np.sqrt(len(x))) if len(x) > 1 else float("nan")


def metric_row(
    metric: str,
    values: Sequence[float] | np.ndarray,
    *,
    subset: str = "all",
    n_errors: int = 0,
    n_unparsed: int = 0,
    seed: int = 0,
    **extra: object,
) -> dict[str, object]:
    """A tidy metric row: mean of the scored values with a bootstrap CI and the counts.

    `values` hold only the samples that were scored (errors and unparsed are excluded and
    counted), so the reader always sees how many samples stand behind a number."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    lo, hi = bootstrap_ci(x, seed=seed)
    return {
        "metric": metric,
        "subset": subset,
        "value": float(x.mean()) if len(x) else float("nan"),
        "ci_low": lo,
        "ci_high": hi,
        "n": int(len(x)),
        "n_errors": int(n_errors),
        "n_unparsed": int(n_unparsed),
        **extra,
    }
