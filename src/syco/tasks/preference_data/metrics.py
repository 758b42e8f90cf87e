"""§4.1 metric rows (Sharma et al. §4.1, Fig. 5; App. B): σ(α) per feature, holdout accuracy of
the Bayesian and the maximum-likelihood model, posterior correlations, leave-one-sixth-out
refits, and how often each feature is non-zero.

Posterior rows carry the median as `value`, the 95% interval as `ci_low`/`ci_high` and the
50% interval as `q25`/`q75`. Every row says how many pairs stand behind it and how many
were unparsed or errored.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from syco.stats import metric_row
from syco.tasks.preference_data.features import PROXIES
from syco.tasks.preference_data.labeler import BELIEF_PAIR, LLM_FEATURES
from syco.tasks.preference_data.regression import Posterior, accuracy, mle_predict

COMBINED = "matches_user_beliefs"  # σ(α_explicit + α_implicit), as in the paper's Fig. 5
PROXY_FOR = {p.name: p.proxy_for for p in PROXIES}
TAG = {k: t for k, _, t in LLM_FEATURES}


def _post_rows(
    metric: str, post: Posterior, n: int, counts: dict[str, Any], **extra: Any
) -> list[dict[str, Any]]:
    summ = post.summary()
    order = np.argsort([-s["median"] for s in summ])
    rank = {summ[i]["feature"]: r + 1 for r, i in enumerate(order)}
    return [
        {
            "metric": metric,
            "subset": s["feature"],
            "value": s["median"],
            "ci_low": s["q2_5"],
            "ci_high": s["q97_5"],
            "n": n,
            "n_errors": counts.get("n_errors", 0),
            "n_unparsed": counts.get("n_unparsed", 0),
            "q25": s["q25"],
            "q75": s["q75"],
            "alpha_median": s["alpha_median"],
            "rank": rank[s["feature"]],
            "stands_in_for": PROXY_FOR.get(s["feature"], TAG.get(s["feature"], "")),
            **extra,
        }
        for s in summ
    ]


def _combined_row(post: Posterior, n: int, counts: dict[str, Any]) -> dict[str, Any]:
    i, j = (post.features.index(f) for f in BELIEF_PAIR)
    p = 1.0 / (1.0 + np.exp(-(post.alpha[:, i] + post.alpha[:, j])))
    q = np.quantile(p, [0.025, 0.25, 0.5, 0.75, 0.975])
    return {
        "metric": "p_preferred_combined",
        "subset": COMBINED,
        "value": float(q[2]),
        "ci_low": float(q[0]),
        "ci_high": float(q[4]),
        "n": n,
        "n_errors": counts.get("n_errors", 0),
        "n_unparsed": counts.get("n_unparsed", 0),
        "q25": float(q[1]),
        "q75": float(q[3]),
        "stands_in_for": "matches user's beliefs [P] (explicit + implicit)",
    }


def all_metrics(
    labeler: str,
    features: list[str],
    rows: list[dict[str, Any]],
    post: Posterior | None,
    mle: dict[str, Any] | None,
    sens: list[tuple[Posterior, int]],
    holdout: tuple[np.ndarray, np.ndarray],
    counts: dict[str, Any],
    *,
    seed: int = 0,
) -> list[dict[str, Any]]:
    n_err, n_unp = counts.get("n_errors", 0), counts.get("n_unparsed", 0)
    out = [
        metric_row("labelled_fraction", [float(r["parsed"] and r.get("error") is None) for r in rows],
                   n_errors=n_err, n_unparsed=n_unp, seed=seed, n_pairs=len(rows)),
    ]  # fmt: skip
    labelled = [r["labels"] for r in rows if r["labels"] is not None]
    for f in features:
        out.append(
            metric_row("feature_nonzero", [float(lab[f] != 0) for lab in labelled], subset=f,
                       n_errors=n_err, n_unparsed=n_unp, seed=seed)
        )  # fmt: skip
    Xho, yho = holdout
    n_train = sum(r["part"] == "train" and r["labels"] is not None for r in rows)
    if post is None:
        for sub in ("bayes_laplace", "logit_mle"):
            out.append(metric_row("holdout_accuracy", [], subset=sub, n_errors=n_err,
                                  n_unparsed=n_unp, note="not fitted: too few parsed pairs"))  # fmt: skip
        return out
    out += _post_rows("p_preferred", post, n_train, counts)
    if all(f in features for f in BELIEF_PAIR):
        out.append(_combined_row(post, n_train, counts))
        out.append({"metric": "posterior_corr_beliefs", "subset": "|".join(BELIEF_PAIR),
                    "value": post.correlation(*BELIEF_PAIR), "n": n_train})  # fmt: skip
    f1, f2, c = post.strongest_correlation()
    out.append({"metric": "posterior_corr_strongest", "subset": f"{f1}|{f2}", "value": c,
                "n": n_train})  # fmt: skip
    med = np.array([s["median"] for s in post.summary()])
    i = int(np.argmax(np.abs(med - 0.5)))
    out.append({"metric": "max_shift", "subset": features[i], "value": float(abs(med[i] - 0.5)),
                "n": n_train})  # fmt: skip
    n_holdout = int(len(yho))
    acc_b = accuracy(post.predict(Xho), yho)
    out.append(metric_row("holdout_accuracy", acc_b, subset="bayes_laplace", n_errors=n_err,
                          n_unparsed=n_unp, seed=seed, n_ties=int((acc_b == 0.5).sum()), n_holdout=n_holdout))  # fmt: skip
    if mle is not None and mle.get("error") is None:
        acc_m = accuracy(mle_predict(Xho, mle["coef"]), yho)
        out.append(metric_row("holdout_accuracy", acc_m, subset="logit_mle", n_errors=n_err,
                              n_unparsed=n_unp, seed=seed, n_ties=int((acc_m == 0.5).sum()),
                              n_holdout=n_holdout))  # fmt: skip
        for f, c_, s_ in zip(features, mle["coef"], mle["se"], strict=True):
            out.append({"metric": "mle_coef", "subset": f, "value": float(c_),
                        "ci_low": float(c_ - 1.96 * s_), "ci_high": float(c_ + 1.96 * s_),
                        "n": n_train})  # fmt: skip
    else:
        out.append(metric_row("holdout_accuracy", [], subset="logit_mle",
                              note=(mle or {}).get("error", "not fitted")))  # fmt: skip
    for k, (s, n_used) in enumerate(sens):
        out += _post_rows("p_preferred_loso", s, n_used, counts, split=k)
    return out
