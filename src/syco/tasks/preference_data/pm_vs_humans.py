"""What did the trained PM learn? (Sharma et al. §4.1, Fig. 5): the §4.1 feature model
fitted twice on the same hh-rlhf pairs, once to the humans' choices and once to the trained
PM's cross-fitted choices (`syco.pm.learned`, which reads, draws and explains the record).

Here because the fit is §4.1's (its proxy labels and Bayesian logistic regression): the PM
package sits a floor below the chapters (docs/CONVENTIONS.md, Floors). Recorded once:
``learned.save(run())``; the §4.1 page reads the record, never refits.
"""

from __future__ import annotations

import time

import numpy as np

from syco.pm import train
from syco.pm.learned import CHAPTER, crossfit_margins
from syco.results import RunRecord
from syco.tasks.preference_data.features import PROXY_NAMES, proxy_labels
from syco.tasks.preference_data.metrics import _post_rows
from syco.tasks.preference_data.regression import BayesFitter


def run(*, num_chains: int = 2, num_warmup: int = 250, num_samples: int = 250,
        prior_b: float = 0.01, seed: int = 0) -> RunRecord:  # fmt: skip
    """Fit the feature model to humans and to the trained PM on the featurised pairs."""
    from syco.pm import features as feat

    t0 = time.time()
    _, manifest = train.load_artefact()
    s = manifest["settings"]
    pairs, F = train.featurise(n_pairs=s["n_pairs"], max_len=s["max_len"], seed=s["seed"],
                               holdout_frac=s["holdout_frac"], layers=s.get("layers"), log=lambda m: None)  # fmt: skip
    x = F["features"][:, :, feat.POOLS.index(s["pool"]), :]
    margin = crossfit_margins(x, pairs, manifest["fit"]["l2"])
    rows, X = [], []
    for p, m in zip(pairs, margin, strict=True):
        a_is_chosen = train._u(f"syco-pm-ab:{p['pair_id']}") < 0.5
        a, b = (p["chosen"], p["rejected"]) if a_is_chosen else (p["rejected"], p["chosen"])
        lab = proxy_labels(p["context"], a, b)
        X.append([lab[f] for f in PROXY_NAMES])
        pm_a = (m > 0) == a_is_chosen
        rows.append({"pair_id": p["pair_id"], "split": p["split"], "part": p["part"],
                     "a_is_chosen": a_is_chosen, "y_human": int(a_is_chosen),
                     "y_pm": int(pm_a), "margin": float(m), "labels": lab})  # fmt: skip
    Xa = np.array(X, dtype=float)
    features = list(PROXY_NAMES)
    fitter = BayesFitter(features, prior_b=prior_b, num_chains=num_chains,
                         num_warmup=num_warmup, num_samples=num_samples)  # fmt: skip
    metrics = []
    agree = float(np.mean([r["y_human"] == r["y_pm"] for r in rows]))
    for who, key in (("humans", "y_human"), ("trained PM", "y_pm")):
        y = np.array([r[key] for r in rows])
        post = fitter.fit(Xa, y, seed=seed)
        metrics += _post_rows("p_preferred", post, len(y), {}, who=who,
                              r_hat_max=post.diagnostics["r_hat_max"])  # fmt: skip
    spec = {"pm": "smollm2-rm", "head_sha256": manifest["head_sha256"],
            "n_pairs": len(rows), "pm_agrees_with_humans": agree,
            "labeller": "proxy", "prior": {"family": "Laplace", "loc": 0.0, "b": prior_b},
            "sampler": {"num_chains": num_chains, "num_warmup": num_warmup,
                        "num_samples": num_samples},
            "pm_choices": "cross-fitted (held-out: final head; training: CV head without the pair)",
            "data_checksum": manifest["data"]["checksum"], "seconds": time.time() - t0}  # fmt: skip
    return RunRecord(chapter=CHAPTER, model="smollm2-rm", spec=spec, rows=rows, metrics=metrics)
