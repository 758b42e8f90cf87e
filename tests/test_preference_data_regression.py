"""§4.1 Laplace-prior logistic regression: recovery of known coefficients on synthetic data,
shrinkage with the paper's b = 0.01, the MLE baseline, ties and posterior correlations."""

from __future__ import annotations

import numpy as np
import pytest

from syco.tasks.preference_data.regression import (
    BayesFitter,
    Posterior,
    accuracy,
    fit_mle,
    mle_predict,
)

TRUE = np.array([1.0, -0.6, 0.0, 0.3])
FEATURES = ["strong_plus", "strong_minus", "null", "weak_plus"]


@pytest.fixture(scope="module")
def synthetic():
    rng = np.random.default_rng(0)
    X = rng.choice([-1.0, 0.0, 1.0], size=(3000, 4))
    y = (rng.random(3000) < 1 / (1 + np.exp(-X @ TRUE))).astype(int)
    return X, y


@pytest.fixture(scope="module")
def fits(synthetic):
    X, y = synthetic
    kw = dict(num_warmup=150, num_samples=150, num_chains=2)
    wide = BayesFitter(FEATURES, prior_b=1.0, **kw).fit(X, y, seed=0)
    narrow = BayesFitter(FEATURES, prior_b=0.01, **kw).fit(X, y, seed=0)
    return wide, narrow


def medians(post: Posterior) -> np.ndarray:
    return np.median(post.alpha, axis=0)


def test_wide_prior_recovers_signs_and_magnitudes(fits):
    wide, _ = fits
    m = medians(wide)
    assert np.all(np.abs(m - TRUE) < 0.15), m
    assert wide.diagnostics["r_hat_max"] < 1.1 and wide.alpha.shape == (300, 4)


def test_paper_prior_shrinks_towards_zero(fits):
    wide, narrow = fits
    mw, mn = medians(wide), medians(narrow)
    for i in (0, 1, 3):  # real effects: same sign, smaller
        assert np.sign(mn[i]) == np.sign(TRUE[i])
        assert abs(mn[i]) < abs(mw[i]) - 0.02
    assert abs(mn[2]) < 0.01  # the null feature sits at the prior's peak


def test_summary_is_sigma_of_alpha_and_ranked_sensibly(fits):
    wide, _ = fits
    s = {r["feature"]: r for r in wide.summary()}
    assert s["strong_plus"]["median"] == pytest.approx(1 / (1 + np.exp(-1.0)), abs=0.04)
    assert s["strong_minus"]["q97_5"] < 0.5 < s["strong_plus"]["q2_5"]
    for r in s.values():
        assert r["q2_5"] <= r["q25"] <= r["median"] <= r["q75"] <= r["q97_5"]


def test_mask_drops_rows(synthetic):
    X, y = synthetic
    post = BayesFitter(FEATURES, prior_b=1.0, num_warmup=100, num_samples=100, num_chains=1).fit(
        X, 1 - y, mask=np.arange(len(y)) < 1500, seed=1
    )
    assert post.diagnostics["n_rows"] == 1500
    assert medians(post)[0] < -0.6  # flipped outcomes: the strong feature flips sign


def test_mle_without_intercept(synthetic):
    X, y = synthetic
    res = fit_mle(X, y, FEATURES)
    assert res["error"] is None
    assert np.all(np.abs(res["coef"] - TRUE) < 0.15)
    zero = fit_mle(np.zeros((10, 2)), np.array([0, 1] * 5), ["a", "b"])
    assert zero["error"] and np.all(zero["coef"] == 0)
    assert mle_predict(np.array([[1.0, 0, 0, 0]]), np.array([1.0, 0, 0, 0]))[0] == pytest.approx(
        1 / (1 + np.exp(-1))
    )


def test_accuracy_counts_ties_as_half():
    p = np.array([0.9, 0.2, 0.5, 0.6])
    y = np.array([1, 1, 0, 0])
    assert accuracy(p, y).tolist() == [1.0, 0.0, 0.5, 0.0]


def test_posterior_correlation_and_strongest_pair():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(4000, 3))
    a[:, 2] = -0.8 * a[:, 0] + 0.6 * a[:, 2]  # corr(0, 2) = -0.8
    post = Posterior(["x", "y", "z"], a, 0.0)
    f, g, c = post.strongest_correlation()
    assert (f, g) == ("x", "z") and c == pytest.approx(-0.8, abs=0.03)
    assert post.correlation("x", "y") == pytest.approx(0.0, abs=0.05)
    const = Posterior(["x", "y"], np.zeros((10, 2)), 0.0)
    assert np.isnan(const.strongest_correlation()[2])
