"""§4.1 protocol: label pairs, fit the feature model, check it on a holdout and by
leave-one-sixth-out refits (Sharma et al. §4.1; App. B, Figs. 19–20), save one run record.

The labeller is a role: "proxy" (offline text-rule features, `features.py`) or any model
spec (one LLM call per pair, `labeler.py`).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from syco.errors import SycoError
from syco.results import RunRecord
from syco.tasks._chapter import RunEnvelope, run_all
from syco.tasks.preference_data import dataset, metrics
from syco.tasks.preference_data.features import PROXY_NAMES, proxy_labels
from syco.tasks.preference_data.labeler import LLM_FEATURE_NAMES, label_with_llm
from syco.tasks.preference_data.regression import BayesFitter, fit_bayes, fit_mle

CHAPTER = "preference_data"
VERSION = "1"
PROXY = "proxy"
MIN_TRAIN = 20  # fewer parsed training pairs than this: no fit, only the counts are reported


def label_pairs(
    pairs: list[dict[str, Any]], labeler: str, **llm: Any
) -> tuple[list[str], list[dict[str, Any]], dict[str, Any]]:
    """(feature names, one row per pair, labelling counts)."""
    if labeler == PROXY:
        rows = [
            {"labels": proxy_labels(p["context"], p["a"], p["b"]), "parsed": True,
             "cached": None, "error": None}
            for p in pairs
        ]  # fmt: skip
        return list(PROXY_NAMES), rows, {"new_calls": 0, "cache_hits": 0, "n_errors": 0,
                                         "n_unparsed": 0}  # fmt: skip
    rows, counts = label_with_llm(pairs, labeler, **llm)
    return list(LLM_FEATURE_NAMES), rows, counts


def design(rows: list[dict[str, Any]], features: list[str], part: str) -> tuple[np.ndarray, ...]:
    """X (pairs × features), y and fold of the parsed rows of one part."""
    use = [r for r in rows if r["part"] == part and r["labels"] is not None]
    X = np.array([[r["labels"][f] for f in features] for r in use], dtype=float)
    X = X.reshape(len(use), len(features))
    y = np.array([r["y"] for r in use], dtype=int)
    fold = np.array([r["fold"] for r in use], dtype=int)
    return X, y, fold


def run(models: list[str], **settings: Any) -> list[RunRecord]:
    """Run and save every labeller in `models` (settings: see `run_one`)."""
    return run_all(run_one, models, **settings)


def run_one(
    model: str = PROXY,
    *,
    n_pairs: int | None = None,
    n_pairs_llm: int = 300,
    holdout_frac: float = 0.16,
    seed: int = 0,
    prior_b: float = 0.01,
    num_warmup: int = 250,
    num_samples: int = 250,
    num_chains: int = 4,
    chain_method: str = "auto",
    sensitivity: bool = True,
    sensitivity_samples: int = 150,
    sensitivity_chains: int = 2,
    temperature: float = 0.0,
    max_tokens: int = 400,
    max_prompt_chars: int = 6000,
    dataset_source: str = "hh_rlhf",
) -> RunRecord:
    """Label and fit with one labeller (`model`: "proxy" or a model spec). LLM labellers
    label `n_pairs_llm` pairs (one call each); the proxy labeller labels `n_pairs` (None =
    every usable test pair)."""
    if dataset_source != "hh_rlhf":
        raise SycoError(
            f"dataset_source {dataset_source!r} is not available for §4.1: the paper's GPT-4 "
            "feature labels were never released; use 'hh_rlhf' (pairs labelled here)"
        )
    labeler = model
    env = RunEnvelope(
        CHAPTER, VERSION, dataset_source, ["hh_rlhf"], labeler=None if labeler == PROXY else labeler
    )
    t0, c0 = time.time(), time.process_time()
    n = n_pairs if labeler == PROXY else n_pairs_llm
    pairs, data_stats = dataset.load_pairs(n, seed=seed, holdout_frac=holdout_frac)
    features, labelled, counts = label_pairs(
        pairs, labeler, temperature=temperature, max_tokens=max_tokens, max_chars=max_prompt_chars
    )
    t_label = time.time() - t0
    rows = []
    for p, lab in zip(pairs, labelled, strict=True):
        row = {k: p[k] for k in ("pair_id", "split", "row", "a_is_chosen", "y", "part", "fold")}
        rows.append({**row, **lab})

    Xtr, ytr, folds = design(rows, features, "train")
    Xho, yho, _ = design(rows, features, "holdout")
    fit_settings: dict[str, Any] = dict(
        prior_b=prior_b, num_chains=num_chains, chain_method=chain_method
    )
    post = mle = None
    sens: list[Any] = []
    if len(ytr) >= MIN_TRAIN and len(np.unique(ytr)) == 2:
        post = fit_bayes(Xtr, ytr, features, num_warmup=num_warmup, num_samples=num_samples,
                         seed=seed, **fit_settings)  # fmt: skip
        mle = fit_mle(Xtr, ytr, features)
        if sensitivity:
            fitter = BayesFitter(
                features, prior_b=prior_b, chain_method=chain_method,
                num_chains=sensitivity_chains, num_warmup=sensitivity_samples,
                num_samples=sensitivity_samples,
            )  # fmt: skip
            for k in range(dataset.N_FOLDS):
                keep = folds != k
                sens.append((fitter.fit(Xtr, ytr, keep, seed=seed + 1 + k), int(keep.sum())))

    metric_rows = metrics.all_metrics(
        labeler, features, rows, post, mle, sens, (Xho, yho), counts, seed=seed
    )
    settings = {
        "labeler": labeler,
        "features": features,
        "n_pairs": n,
        "n_pairs_labelled": len(pairs),
        "holdout_frac": holdout_frac,
        "n_train": int(len(ytr)),
        "n_holdout": int(len(yho)),
        "seed": seed,
        "prior": {"family": "Laplace", "loc": 0.0, "b": prior_b},
        "fit": post.diagnostics if post else {"skipped": f"fewer than {MIN_TRAIN} parsed pairs"},
        "fit_seconds": post.seconds if post else None,
        "sensitivity": {
            "folds": dataset.N_FOLDS if sens else 0,
            "num_chains": sensitivity_chains,
            "num_warmup": sensitivity_samples,
            "num_samples": sensitivity_samples,
            "seconds": float(sum(s.seconds for s, _ in sens)),
            "cpu_seconds": float(sum(s.diagnostics["cpu_seconds_run"] for s, _ in sens)),
            "diagnostics": [s.diagnostics for s, _ in sens],
        },
        "mle_error": mle["error"] if mle else None,
        "labelling": {**counts, "seconds": t_label},
        "llm": None if labeler == PROXY else {"temperature": temperature, "max_tokens": max_tokens,
                                              "max_prompt_chars": max_prompt_chars},
        "data_splits": list(dataset.SPLITS),
        "data_stats": data_stats,
        "cpu_seconds": time.process_time() - c0,
    }  # fmt: skip
    return env.record(labeler, settings=settings, rows=rows, metrics=metric_rows)
