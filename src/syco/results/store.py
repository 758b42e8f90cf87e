"""Saving and loading run records (see the package docstring)."""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

import syco
from syco import paths
from syco.errors import SycoError

METRIC_COLUMNS = ["metric", "subset", "value", "ci_low", "ci_high", "n", "n_errors", "n_unparsed"]


def slug(spec: str) -> str:
    """A file-name-safe, readable form of a model spec."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", spec.replace("/", "__")).strip("_") or "model"


@dataclass
class RunRecord:
    chapter: str
    model: str
    spec: dict[str, Any]
    rows: list[dict[str, Any]]
    metrics: list[dict[str, Any]]
    created: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        self.spec = {"package_version": syco.__version__, **self.spec}
        for m in self.metrics:
            missing = [c for c in ("metric", "value", "n") if c not in m]
            if missing:
                raise ValueError(f"metric row {m} lacks {missing}")

    def rows_df(self) -> pd.DataFrame:
        df = pd.DataFrame(self.rows)
        df.insert(0, "model", self.model)
        return df

    def metrics_df(self) -> pd.DataFrame:
        df = pd.DataFrame(self.metrics).reindex(
            columns=list(dict.fromkeys(METRIC_COLUMNS + [k for m in self.metrics for k in m]))
        )
        df.insert(0, "model", self.model)
        df.insert(0, "chapter", self.chapter)
        return df


def run_path(chapter: str, model: str, root: Path | None = None) -> Path:
    return (root or paths.results_dir()) / chapter / f"{slug(model)}.json"


def save_run(record: RunRecord, root: Path | None = None) -> Path:
    """Write atomically (temp file + rename): a crash never leaves half a record."""
    path = run_path(record.chapter, record.model, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(asdict(record), f, ensure_ascii=False, default=_json_default)
    os.replace(tmp, path)
    return path


def _json_default(o: Any) -> Any:
    if hasattr(o, "item"):  # numpy scalars
        return o.item()
    if hasattr(o, "tolist"):
        return o.tolist()
    raise TypeError(f"cannot store {type(o).__name__} in a run record")


def run_and_save(
    run_one: Callable[..., RunRecord], models: list[str], **settings: Any
) -> list[RunRecord]:
    """Run every model with one chapter's `run_one(model, **settings)` and save each record
    as soon as it is done (a crash loses no finished model; cache hits make reruns free)."""
    records = []
    for spec in models:
        record = run_one(spec, **settings)
        save_run(record)
        records.append(record)
    return records


def load_runs(chapter: str | None = None, root: Path | None = None) -> list[RunRecord]:
    """Every saved run, oldest first (so figures list models in the order they were run)."""
    base = root or paths.results_dir()
    pattern = f"{chapter}/*.json" if chapter else "*/*.json"
    records = []
    for p in base.glob(pattern):
        try:
            d = json.loads(p.read_text(encoding="utf-8"))
            records.append(RunRecord(**d))
        except (json.JSONDecodeError, TypeError) as e:
            raise SycoError(f"run record {p} is unreadable ({e}): delete it and rerun") from e
    return sorted(records, key=lambda r: r.created)


def rows_frame(
    chapter: str, models: list[str] | None = None, root: Path | None = None
) -> pd.DataFrame:
    runs = [r for r in load_runs(chapter, root) if models is None or r.model in models]
    if not runs:
        return pd.DataFrame()
    return pd.concat([r.rows_df() for r in runs], ignore_index=True)


def metrics_frame(chapter: str | None = None, root: Path | None = None) -> pd.DataFrame:
    runs = load_runs(chapter, root)
    if not runs:
        return pd.DataFrame(columns=["chapter", "model", *METRIC_COLUMNS])
    return pd.concat([r.metrics_df() for r in runs], ignore_index=True)
