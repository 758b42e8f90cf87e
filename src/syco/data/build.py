"""`syco data build`: run every builder and write data_dir()/built/<name>.jsonl atomically.

Builds are deterministic: the same seed and n give byte-identical files. A set that fails
leaves its previous file (and every other set's) untouched.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from syco import paths
from syco.data import (
    build_answer,
    build_ays,
    build_feedback,
    build_mimicry,
    build_misconceptions,
)
from syco.data.common import SetInfo, write_jsonl_atomic
from syco.data.registry import sha256_file
from syco.errors import SycoError


@dataclass(frozen=True)
class Builder:
    build: Callable[..., list[dict]]
    info: SetInfo


BUILDERS: dict[str, Builder] = {
    "feedback": Builder(build_feedback.build, build_feedback.INFO),
    "are_you_sure": Builder(build_ays.build, build_ays.INFO),
    "answer": Builder(build_answer.build, build_answer.INFO),
    "mimicry": Builder(build_mimicry.build, build_mimicry.INFO),
    "misconceptions": Builder(build_misconceptions.build, build_misconceptions.INFO),
}


def built_dir() -> Path:
    return paths.data_dir() / "built"


def built_path(name: str) -> Path:
    return built_dir() / f"{name}.jsonl"


def manifest() -> dict:
    path = built_dir() / "manifest.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _write_manifest(entries: dict) -> None:
    path = built_dir() / "manifest.json"
    data = {**manifest(), **entries}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".manifest.")
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


def build(
    n: int | None = None,
    seed: int = 0,
    only: list[str] | None = None,
    progress: Callable[[str, int, float], None] | None = None,
) -> dict[str, int]:
    """Build the sets (all, or `only`); returns rows written per set.

    `n` limits the base items of every sub-dataset (e.g. n=50: 50 arguments, 50 math problems
    and 50 poems for feedback); None gives the paper's sizes where the sources allow.
    """
    names = list(only) if only else list(BUILDERS)
    unknown = [x for x in names if x not in BUILDERS]
    if unknown:
        raise SycoError(f"unknown data set {unknown}: choose from {', '.join(BUILDERS)}")
    if n is not None and n < 1:
        raise SycoError(f"--n must be at least 1, got {n}")
    built_dir().mkdir(parents=True, exist_ok=True)
    counts = {}
    for name in names:
        t0 = time.perf_counter()
        records = BUILDERS[name].build(n=n, seed=seed)
        path = built_path(name)
        counts[name] = write_jsonl_atomic(path, records)
        _write_manifest(
            {name: {"rows": counts[name], "n": n, "seed": seed, "sha256": sha256_file(path)}}
        )
        if progress:
            progress(name, counts[name], time.perf_counter() - t0)
    return counts
