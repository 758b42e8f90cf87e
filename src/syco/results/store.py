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


# Counters that differ between a run and its replay from the answer key (same answers).
_VOLATILE_SPEC = ("new_calls", "cache_hits", "tokens_in_new", "tokens_out_new", "seconds")


class ReplayMiss(SycoError):
    """A replay from the answer key (SYCO_OFFLINE=1) found answers missing: the record it
    would make is worse than the one kept, so the build must fail, loudly."""


def _by_model(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The envelope's per-model counters (`syco.tasks._chapter`), labelled by the roles each
    model served; records made before the envelope had flat ``<role>_`` counters."""
    calls = spec.get("calls")
    if isinstance(calls, dict):
        return {f"{', '.join(c.get('roles') or []) or 'other'} ({m})": c for m, c in calls.items()}
    out: dict[str, dict[str, Any]] = {}
    for k, v in spec.items():
        if k.endswith("call_errors") and isinstance(v, int | float):
            pre = k[: -len("call_errors")]
            out[pre.rstrip("_") or "subject"] = {
                "call_errors": v,
                "new_calls": spec.get(f"{pre}new_calls", 0),
                "cache_hits": spec.get(f"{pre}cache_hits", 0),
            }
    return out


def call_errors(spec: dict[str, Any]) -> dict[str, int]:
    """Failed model calls by role (model), from a record's counters. A miss in the answer
    key during a replay is one too."""
    return {role: int(c.get("call_errors") or 0) for role, c in _by_model(spec).items()}


def role_counts(spec: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Per role (model): requests answered (new or from the cache) and errors."""
    return {
        role: {
            "answered": int(c.get("new_calls") or 0) + int(c.get("cache_hits") or 0),
            "errors": int(c.get("call_errors") or 0),
        }
        for role, c in _by_model(spec).items()
    }


def _comparable(obj: Any) -> Any:
    """A record's content without what only says how it was obtained this time (cache hits,
    timings, call counters): a replay that reproduces a record compares equal to it."""
    if isinstance(obj, dict):
        return {
            k: _comparable(v)
            for k, v in obj.items()
            if k not in ("cached", "package_version")
            and not any(str(k).endswith(s) for s in _VOLATILE_SPEC)
        }
    if isinstance(obj, list | tuple):
        return [_comparable(v) for v in obj]
    return obj


def _same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    keys = ("chapter", "model", "spec", "rows", "metrics")
    return json.dumps(_comparable({k: a.get(k) for k in keys}), default=_json_default) == (
        json.dumps(_comparable({k: b.get(k) for k in keys}), default=_json_default)
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(d, dict):
            raise ValueError("not a JSON object")
        return d
    except (OSError, ValueError) as e:  # UnicodeDecodeError and JSONDecodeError included
        why = f"not UTF-8 at byte {e.start}" if isinstance(e, UnicodeDecodeError) else e
        raise SycoError(
            f"run record {path} is unreadable ({why}): move it away and rerun the chapter"
        ) from None


def _report(entry: dict[str, Any]) -> None:
    """One line per record decision for `syco run`, which runs chapters in a kernel
    (``SYCO_RUN_REPORT`` names the file)."""
    log = os.environ.get("SYCO_RUN_REPORT")
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, default=_json_default) + "\n")


def save_run(record: RunRecord, root: Path | None = None) -> Path:
    """Write atomically (temp file + rename): a crash never leaves half a record. A record
    never replaces one with fewer failed calls (the better one is kept; a rerun completes
    the rest from the cache), and one that reproduces the saved record leaves its file
    byte-identical. In a replay (SYCO_OFFLINE=1) a record with more errors than the kept one
    means answers missing from the answer key: `ReplayMiss`."""
    from syco.models.runstate import offline

    path = run_path(record.chapter, record.model, root)
    new = asdict(record)
    errors = sum(call_errors(record.spec).values())
    old = _read(path) if path.exists() else None
    old_errors = sum(call_errors(old.get("spec", {})).values()) if old else 0
    entry = {
        "chapter": record.chapter,
        "model": record.model,
        "roles": role_counts(record.spec),
        "previous_errors": old_errors if old else None,
        "path": str(path),
    }
    if old is not None and _same_content(old, new):
        _report({**entry, "status": "unchanged"})
        return path
    worse = errors > (old_errors if old is not None else 0)
    if worse and offline():
        misses = errors - old_errors
        _report({**entry, "status": "kept", "misses": misses})
        kept = "kept the previous record" if old is not None else "no record was written"
        raise ReplayMiss(
            f"{record.chapter}: {record.model}: {misses} answer(s) not in the answer key; "
            f"{kept} (run `syco run {record.chapter} -m {record.model}` where the "
            "endpoint is reachable to fill them in)"
        )
    if worse and old is not None:
        _report({**entry, "status": "kept"})
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(new, f, ensure_ascii=False, default=_json_default)
    os.replace(tmp, path)
    _report({**entry, "status": "saved"})
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
    as soon as it is done (a crash loses no finished model; cache hits make reruns free).
    Replay misses of every model are reported together, after all of them ran."""
    records, misses = [], []
    for spec in models:
        record = run_one(spec, **settings)
        try:
            save_run(record)
        except ReplayMiss as e:
            misses.append(str(e))
        records.append(record)
    if misses:
        raise ReplayMiss("; ".join(misses))
    return records


def load_runs(chapter: str | None = None, root: Path | None = None) -> list[RunRecord]:
    """Every saved run: the ladder's models by size, then the others oldest first (so
    figures list models in that order)."""
    base = root or paths.results_dir()
    pattern = f"{chapter}/*.json" if chapter else "*/*.json"
    records = []
    for p in base.glob(pattern):
        d = _read(p)
        try:
            records.append(RunRecord(**d))
        except (TypeError, ValueError) as e:
            raise SycoError(
                f"run record {p} is unreadable ({e}): move it away and rerun the chapter"
            ) from None
    return sorted(records, key=lambda r: (ladder_rank(r.model), r.created))


# The book's assistants by size (Sharma et al. order their five assistants the same way in
# Figs. 1-4): figures and tables list these first, smallest first, then any other model in
# the order it was run.
LADDER_ORDER = ("smollm2", "qwen-0.5b", "qwen-1.5b")


def ladder_rank(model: str) -> int:
    """A record's place on the ladder (``smollm2 [T=1]`` and ``qwen-0.5b [PM x]`` count as
    their model); models off the ladder come after it."""
    base = model.split(" [", 1)[0].strip()
    return LADDER_ORDER.index(base) if base in LADDER_ORDER else len(LADDER_ORDER)


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


def latest_spec(chapter: str, model: str, root: Path | None = None) -> dict[str, Any]:
    """The spec of a model's saved run of a chapter ({} when it has none)."""
    rec = next((r for r in reversed(load_runs(chapter, root)) if r.model == model), None)
    return rec.spec if rec else {}


def metrics_table(
    metrics: pd.DataFrame, extra: tuple[str, ...] = (), lead: tuple[str, ...] = ("model",)
) -> pd.DataFrame:
    """The metric columns every table shows (``lead`` first, then ``extra`` ones such as a
    template), with the values as recorded: the display rounds them once
    (`syco.plots.fmt_interval`, in the metric's unit); rounding here first made 0.5148 show
    as "52%" (0.515) where the prose, from the raw value, says 51%."""
    cols = [*lead, *extra, *METRIC_COLUMNS]
    return metrics[[c for c in dict.fromkeys(cols) if c in metrics]].copy()


def spec_table(chapter: str, keys: list[str], root: Path | None = None) -> pd.DataFrame:
    """Chosen spec entries (roles, settings, data) of every saved run: one row per model."""
    runs = {r.model: r.spec for r in load_runs(chapter, root)}
    return pd.DataFrame([{k: s.get(k) for k in keys} for s in runs.values()], index=list(runs))


def calls_table(records: list[RunRecord]) -> pd.DataFrame:
    """What each run just did: new calls, cache hits, errors and seconds, per model."""
    keys = ["new_calls", "cache_hits", "call_errors", "tokens_out_new", "seconds"]
    return pd.DataFrame(
        [{k: r.spec.get(k) for k in keys} for r in records], index=[r.model for r in records]
    )
