"""A Bradley–Terry reward head on a frozen OpenVINO backbone (`syco.pm.backbones`): the
trained PM of Sharma et al. §4.2–§4.3 on a larger model than the embedded one
(`syco pm train --backbone qwen-0.5b`).

The method is `syco.pm.train`'s, reused rather than copied: the same hh-rlhf pairs in the
same seeded order and the same held-out split by pair-id hash (`train.ordered_pairs`,
`train.part_of`), the same L2-penalised Bradley–Terry fit with the penalty chosen by
cross-validation on the training pairs (`train.fit_head`), the same chunked, resumable
feature store (`features.extract`) and the same artefact files (`train.save_artefact`:
``head.npy`` + ``manifest.json``). What differs is the feature pass: the backbone runs in
OpenVINO (all its blocks, int8 weights, f32 compute) and each dialogue is cut on its own,
as the served reward cuts it (`syco.pm.ov_features`), so the held-out accuracy is that of
the reward `syco.pm.ov_reward` serves.

The manifest adds to `train.py`'s: the held-out accuracy minus the length rule's ("the
longer response wins") on the same pairs with a paired interval (Newcombe), and the
committed ``smollm2-rm`` head's held-out accuracy when its pairs are the same ones.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import platform
import time
from pathlib import Path
from typing import Any, cast

import numpy as np

import syco
from syco.errors import SycoError
from syco.pm import backbones, train
from syco.pm import features as feat
from syco.pm.defaults import TRAIN_DEFAULTS as D

RATE_LOG = "rate.jsonl"  # per-process feature-pass timings, beside the chunks


def store(key: str, max_len: int) -> Path:
    """The feature chunks of one backbone and truncation length."""
    return feat.store_dir(backbones.identity(key), max_len)


class _Timed:
    """Counts and times the pairs a backbone featurises in this process."""

    def __init__(self, bb: Any):
        self.bb, self.pairs, self.seconds, self.cpu = bb, 0, 0.0, 0.0

    def pair(self, context: Any, responses: Any, max_len: int) -> Any:
        t, c = time.perf_counter(), time.process_time()
        out = self.bb.pair(context, responses, max_len)
        self.seconds += time.perf_counter() - t
        self.cpu += time.process_time() - c
        self.pairs += 1
        return out


def featurise(
    key: str,
    *,
    n_pairs: int,
    max_len: int,
    seed: int,
    holdout_frac: float,
    threads: int | None = None,
    first_chunk: int = 0,
    log: Any = print,
) -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
    """The first `n_pairs` of the order and their features (computed or read from disk);
    the timing of any pass made here is appended to the store's rate log."""
    pairs = train.ordered_pairs(seed, holdout_frac)[:n_pairs]
    folder = store(key, max_len)
    timed: list[_Timed] = []

    def load() -> feat.Backbone:
        timed.append(_Timed(backbones.load(key, threads)))
        return cast(feat.Backbone, timed[-1])  # the same .pair layout (ov_features)

    def progress(done: int, total: int, secs: float) -> None:
        if done % (feat.CHUNK * 4) == 0 or done == total:
            log(f"features: {done}/{total} pairs, {secs:.0f} s")

    try:
        F = feat.extract(load, pairs, folder, max_len=max_len,
                         progress=progress, first_chunk=first_chunk)  # fmt: skip
    finally:
        if timed and timed[0].pairs:
            _log_rate(folder, timed[0])
    return pairs, F


def _log_rate(folder: Path, t: _Timed) -> None:
    line = {"pairs": t.pairs, "seconds": round(t.seconds, 2), "cpu_seconds": round(t.cpu, 2),
            "nice": os.nice(0), "load_avg": [round(x, 2) for x in os.getloadavg()],
            "machine": _machine(), "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}  # fmt: skip
    with open(folder / RATE_LOG, "a") as f:
        f.write(json.dumps(line) + "\n")


def feature_rate(folder: Path) -> dict[str, Any]:
    """Totals of the store's rate log: pairs featurised, wall and CPU seconds per pair."""
    path = folder / RATE_LOG
    lines = [json.loads(x) for x in path.read_text().splitlines() if x] if path.exists() else []
    n = sum(x["pairs"] for x in lines)
    if not n:
        return {"pairs": 0}
    s, c = sum(x["seconds"] for x in lines), sum(x["cpu_seconds"] for x in lines)
    return {"pairs": n, "processes": len(lines), "seconds": round(s, 1),
            "cpu_seconds": round(c, 1), "seconds_per_pair": round(s / n, 3),
            "cpu_seconds_per_pair": round(c / n, 3),
            "nice": sorted({x["nice"] for x in lines})}  # fmt: skip


def code_version() -> str:
    """sha256 of the code that computes these features and fits the head: this module, the
    OpenVINO feature and backbone modules, the chunk store and the parts of `train.py`
    used (split, order, fit; not the whole file, whose smollm2-only parts move on)."""
    h = hashlib.sha256()
    from syco.pm import ov_features

    for mod in (ov_features, backbones):
        h.update(Path(cast(str, mod.__file__)).read_bytes())
    h.update(Path(__file__).read_bytes())
    for fn in (feat.extract, feat.store_dir, train._u, train.part_of, train.ordered_pairs,
               train._bt_fit, train.fit_head, train.cv_by_pool, train._acc):  # fmt: skip
        h.update(inspect.getsource(fn).encode())
    h.update(repr((feat.CHUNK, feat.POOLS, feat.FEATURE_VERSION, train.L2_GRID,
                   train.CV_FOLDS)).encode())  # fmt: skip
    return h.hexdigest()[:16]


def _machine() -> str:
    return f"{platform.machine()}, {train._cpus()} CPUs, {platform.system()}"


def _chunk_times(folder: Path, n_pairs: int) -> dict[str, Any]:
    from datetime import UTC, datetime

    n = -(-n_pairs // feat.CHUNK)
    times = sorted(p.stat().st_mtime for p in folder.glob("chunk-*.npz")
                   if int(p.stem.split("-")[1]) < n)  # fmt: skip
    if not times:
        return {}
    iso = [datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds") for t in times]
    return {"n": len(times), "first": iso[0], "last": iso[-1]}


def reference(pair_ids_sha256: str) -> dict[str, Any] | None:
    """The committed ``smollm2-rm`` head's held-out accuracy and length rule, if it was
    scored on exactly these pairs (else None: the two are not comparable)."""
    try:
        _, m = train.load_artefact(train.ARTEFACT_DIR)
    except SycoError:
        return None
    if m["data"]["pair_ids_sha256"] != pair_ids_sha256:
        return None
    return {"pm": m["name"], "head_sha256": m["head_sha256"],
            "heldout_accuracy": m["heldout_accuracy"],
            "heldout_length_rule": m["heldout_length_rule"]}  # fmt: skip


def train_head(
    key: str,
    *,
    n_pairs: int = D["n_pairs"],
    max_len: int = D["max_len"],
    seed: int = D["seed"],
    holdout_frac: float = D["holdout_frac"],
    pool: str = D["pool"],
    threads: int | None = None,
    out: Path | None = None,
    log: Any = print,
) -> dict[str, Any]:
    """Featurise, fit the head on the training pairs, score the held-out pairs, and write
    head + manifest to `out` (None: write nothing). Returns the manifest."""
    from syco.stats import paired_diff_row

    key = backbones.check(key)
    if pool not in feat.POOLS:
        raise SycoError(f"pool must be one of {feat.POOLS}, got {pool!r}")
    t0, c0 = time.time(), time.process_time()
    pairs, F = featurise(key, n_pairs=n_pairs, max_len=max_len, seed=seed,
                         holdout_frac=holdout_frac, threads=threads, log=log)  # fmt: skip
    t_feat = time.time() - t0
    x = F["features"][:, :, feat.POOLS.index(pool), :]
    train_idx = [i for i, p in enumerate(pairs) if p["part"] == "train"]
    held_idx = [i for i, p in enumerate(pairs) if p["part"] == "heldout"]
    if len(train_idx) < 2 * train.CV_FOLDS or not held_idx:
        raise SycoError(
            f"{len(train_idx)} training / {len(held_idx)} held-out pairs: raise n_pairs"
        )
    w, fit = train.fit_head(x[train_idx, 0] - x[train_idx, 1],
                            [pairs[i]["pair_id"] for i in train_idx])  # fmt: skip
    margin = (x[held_idx, 0] - x[held_idx, 1]).astype(np.float64) @ w
    correct = np.where(margin > 0, 1.0, np.where(margin < 0, 0.0, 0.5))
    held = [pairs[i] for i in held_idx]
    longer = np.array([train._vote(len(p["chosen"]), len(p["rejected"])) for p in held])
    diff = paired_diff_row("heldout_accuracy_minus_length_rule", correct, longer)
    ids_sha = hashlib.sha256("\n".join(p["pair_id"] for p in pairs).encode()).hexdigest()
    folder = store(key, max_len)
    manifest: dict[str, Any] = {
        "name": backbones.pm_name(key),
        "what": "linear Bradley-Terry reward head (no bias) on the frozen backbone's normed "
        "hidden state at the dialogue's last token, run by OpenVINO (all blocks, int8 weights, "
        "f32 compute); dialogues rendered with the backbone's chat template as the hf reward "
        "path renders them (for Qwen its default system turn included), each cut from the "
        "left to settings.max_len tokens",
        "backbone": backbones.identity(key),
        "settings": {
            "n_pairs": n_pairs,
            "max_len": max_len,
            "seed": seed,
            "holdout_frac": holdout_frac,
            "pool": pool,
            "layers": None,
        },  # fmt: skip
        "fit": fit,
        "data": {
            "source": "hh-rlhf helpfulness test splits (helpful-base, helpful-online, "
            "helpful-rejection-sampled)",
            "checksum": train.data_checksum(),
            "n_train": len(train_idx),
            "n_heldout": len(held_idx),
            "n_truncated": int(F["truncated"].any(axis=1).sum()),
            "pair_ids_sha256": ids_sha,
        },
        "heldout_accuracy": train._acc(correct),
        "heldout_by_split": train._by_split(held, correct),
        "heldout_length_rule": train._acc(longer),
        "heldout_minus_length_rule": {
            k: diff[k] for k in ("value", "n", "ci_low", "ci_high", "ci_method")
        },  # fmt: skip
        "reference": reference(ids_sha),
        "cv_by_pool": train.cv_by_pool(F["features"], pairs, train_idx, pool, fit),
        "code_version": code_version(),
        "package_version": syco.__version__,
        "head_sha256": None,
        "training": {
            "seconds": round(time.time() - t0, 1),
            "feature_seconds": round(t_feat, 1),
            "cpu_seconds": round(time.process_time() - c0, 1),
            "device": "cpu (OpenVINO)",
            "feature_pass": feature_rate(folder),
            "feature_chunks_written": _chunk_times(folder, n_pairs),
            "machine": _machine(),
        },
    }
    if out is not None:
        train.save_artefact(w.astype(np.float32), manifest, out)
    manifest["_weight"] = w
    return manifest
