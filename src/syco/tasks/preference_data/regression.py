"""§4.1 model: Bayesian logistic regression on feature labels (Sharma et al. §4.1; App. B).

    p(R_A ≻ R_B | φ, α) = σ( Σ_i α_i φ_i ),   α_i ~ Laplace(0, b),   b = 0.01 in the paper,

no intercept, fitted with NUTS in numpyro (paper: 4 chains × (500 warm-up + 1,500 draws)).
A frequentist baseline (statsmodels Logit, no intercept, maximum likelihood) is fitted on
the same rows. jax is imported lazily so that importing the chapter package stays cheap.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from syco.quiet import widget_warning_off


@dataclass
class Posterior:
    """Draws of α (draws × features) and how the sampler did."""

    features: list[str]
    alpha: np.ndarray
    seconds: float
    diagnostics: dict[str, Any] = field(default_factory=dict)

    def p_preferred(self) -> np.ndarray:
        """σ(α_i) per draw: P(response with more of feature i is preferred), all else equal."""
        return 1.0 / (1.0 + np.exp(-self.alpha))

    def summary(self) -> list[dict[str, Any]]:
        p = self.p_preferred()
        q = np.quantile(p, [0.025, 0.25, 0.5, 0.75, 0.975], axis=0)
        return [
            {
                "feature": f,
                "median": float(q[2, i]),
                "q2_5": float(q[0, i]),
                "q25": float(q[1, i]),
                "q75": float(q[3, i]),
                "q97_5": float(q[4, i]),
                "alpha_median": float(np.median(self.alpha[:, i])),
            }
            for i, f in enumerate(self.features)
        ]

    def correlations(self) -> np.ndarray:
        a = self.alpha
        sd = a.std(axis=0)
        c = np.full((a.shape[1], a.shape[1]), np.nan)
        ok = sd > 0
        if ok.sum() >= 2:
            c[np.ix_(ok, ok)] = np.corrcoef(a[:, ok].T)
        return c

    def strongest_correlation(self) -> tuple[str, str, float]:
        """The feature pair with the largest |posterior correlation| of their α draws."""
        c = self.correlations()
        np.fill_diagonal(c, np.nan)
        if np.all(np.isnan(c)):
            return ("", "", float("nan"))
        r, q = np.unravel_index(np.nanargmax(np.abs(c)), c.shape)
        i, j = sorted((int(r), int(q)))
        return (self.features[i], self.features[j], float(c[i, j]))

    def correlation(self, f: str, g: str) -> float:
        return float(self.correlations()[self.features.index(f), self.features.index(g)])

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Posterior-mean probability that A is preferred, per row."""
        logits = np.asarray(X, dtype=float) @ self.alpha.T
        return (1.0 / (1.0 + np.exp(-logits))).mean(axis=1)


def chain_method_for(num_chains: int, requested: str = "auto") -> str:
    """'auto': parallel when jax sees a device per chain (XLA host device count set before
    jax started), else vectorized (all chains in one vmapped program: on 2 CPU cores it was
    about as fast as or faster than sequential in our measurements)."""
    if requested != "auto":
        return requested
    import jax

    return "parallel" if jax.local_device_count() >= num_chains else "vectorized"


class BayesFitter:
    """NUTS on the Laplace-prior, no-intercept logistic regression.

    A fit sees the rows of a boolean mask over one design matrix (masked rows drop out of
    the likelihood), and the sampler is compiled once per fitter (`jit_model_args`): the
    leave-one-sixth-out refits reuse one compiled program. `fit_many` fits K masks in one
    run with α of shape (K, features): exactly K independent posteriors side by side
    (measured slower than K separate runs here, so the chapter runs folds one by one)."""

    def __init__(
        self,
        features: list[str],
        *,
        prior_b: float = 0.01,
        num_warmup: int = 250,
        num_samples: int = 250,
        num_chains: int = 4,
        chain_method: str = "auto",
    ):
        with widget_warning_off():  # numpyro imports tqdm.auto
            import numpyro
            import numpyro.distributions as dist
            from numpyro.infer import MCMC, NUTS

        def model(X: Any, y: Any, mask: Any) -> None:
            k, f = mask.shape[1], X.shape[1]
            alpha = numpyro.sample("alpha", dist.Laplace(0.0, prior_b).expand([k, f]).to_event(2))
            logits = X @ alpha.T  # (rows, K)
            with numpyro.handlers.mask(mask=mask):
                numpyro.sample("y", dist.Bernoulli(logits=logits), obs=y[:, None])

        self.features = list(features)
        self.method = chain_method_for(num_chains, chain_method)
        self.settings: dict[str, Any] = {
            "prior_b": prior_b,
            "chain_method": self.method,
            "num_chains": num_chains,
            "num_warmup": num_warmup,
            "num_samples": num_samples,
        }
        self.mcmc = MCMC(
            NUTS(model),
            num_warmup=num_warmup,
            num_samples=num_samples,
            num_chains=num_chains,
            chain_method=self.method,
            progress_bar=False,
            jit_model_args=True,
        )

    def fit_many(
        self, X: np.ndarray, y: np.ndarray, masks: np.ndarray, seed: int = 0
    ) -> list[Posterior]:
        """One posterior per row of `masks` (K × rows, True = row used)."""
        import jax
        import jax.numpy as jnp
        from numpyro.diagnostics import summary

        start, cpu = time.time(), time.process_time()
        masks = np.atleast_2d(np.asarray(masks, dtype=bool))
        self.mcmc.run(
            jax.random.PRNGKey(seed),
            jnp.asarray(X, dtype=jnp.float32),
            jnp.asarray(y, dtype=jnp.int32),
            jnp.asarray(masks.T),
            extra_fields=("diverging",),
        )
        grouped = np.asarray(self.mcmc.get_samples(group_by_chain=True)["alpha"])  # C,S,K,F
        s = summary({"alpha": grouped}, group_by_chain=True)["alpha"]
        chains = int(self.settings["num_chains"])
        shared: dict[str, Any] = {
            **self.settings,
            "n_fits_in_run": len(masks),
            "wall_seconds_run": time.time() - start,
            "cpu_seconds_run": time.process_time() - cpu,
            "divergences_run": int(np.asarray(self.mcmc.get_extra_fields()["diverging"]).sum()),
        }
        out = []
        for k, mask in enumerate(masks):
            diag = {
                **shared,
                "n_rows": int(mask.sum()),
                "r_hat_max": float(np.nanmax(s["r_hat"][k])) if chains > 1 else float("nan"),
                "n_eff_min": float(np.nanmin(s["n_eff"][k])),
            }
            alpha = grouped[:, :, k, :].reshape(-1, grouped.shape[-1]).astype(float)
            out.append(Posterior(self.features, alpha, shared["wall_seconds_run"], diag))
        return out

    def fit(
        self, X: np.ndarray, y: np.ndarray, mask: np.ndarray | None = None, seed: int = 0
    ) -> Posterior:
        mask = np.ones(len(y), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
        return self.fit_many(X, y, mask[None, :], seed)[0]


def fit_bayes(
    X: np.ndarray,
    y: np.ndarray,
    features: list[str],
    *,
    seed: int = 0,
    mask: np.ndarray | None = None,
    **settings: Any,
) -> Posterior:
    """One fit (see `BayesFitter` for the settings)."""
    return BayesFitter(features, **settings).fit(X, y, mask, seed)


def fit_mle(X: np.ndarray, y: np.ndarray, features: list[str]) -> dict[str, Any]:
    """statsmodels Logit without an intercept. Constant-zero columns are dropped (their
    coefficient is 0); a failed fit is returned as an error, not raised."""
    import statsmodels.api as sm

    X = np.asarray(X, dtype=float)
    keep = np.flatnonzero(np.abs(X).sum(axis=0) > 0)
    coef = np.zeros(X.shape[1])
    if len(keep) == 0 or len(np.unique(y)) < 2:
        return {"coef": coef, "error": "no varying features or a single outcome"}
    try:
        res = sm.Logit(np.asarray(y, dtype=float), X[:, keep]).fit(disp=0, maxiter=200)
    except Exception as e:  # noqa: BLE001 - singular design, separation: record, don't crash
        try:
            res = sm.Logit(np.asarray(y, dtype=float), X[:, keep]).fit(
                method="bfgs", disp=0, maxiter=500
            )
        except Exception as e2:  # noqa: BLE001
            return {"coef": coef, "error": f"{type(e).__name__}: {e}; {type(e2).__name__}: {e2}"}
    coef[keep] = np.asarray(res.params)
    se = np.full(X.shape[1], np.nan)
    se[keep] = np.asarray(res.bse)
    return {"coef": coef, "se": se, "features": list(features), "error": None}


def accuracy(p_a: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-pair correctness of predicting 'A preferred' when p > 0.5. A tie (p = 0.5, e.g.
    every feature 0) scores 0.5, the expected accuracy of a coin flip."""
    p_a, y = np.asarray(p_a, dtype=float), np.asarray(y)
    out = ((p_a > 0.5) == (y == 1)).astype(float)
    out[np.isclose(p_a, 0.5, atol=1e-12)] = 0.5
    return out


def mle_predict(X: np.ndarray, coef: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(np.asarray(X, dtype=float) @ coef)))
