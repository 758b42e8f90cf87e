"""Recording and replaying the published answer key (`syco.keyfile`).

- `record`: run one chapter for one model (the chapter's own notebook, as `syco run` does,
  into a scratch folder: the book's page is untouched) with every answer-key entry it reads
  or writes logged, then write the entries, the run records and a manifest to
  ``published/``. A run with failed calls publishes nothing; rerun the same command and the
  answer key resumes where it stopped (``seconds_all_attempts`` adds every attempt up).
- `refresh`: re-derive a recording's run records from its entries with today's code.
- `rerun`: one recording's chapter again, replayed or live (`syco.runner.reproduce` compares).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from syco import keyfile, paths
from syco.cache import Cache
from syco.errors import SycoError
from syco.project import CHAPTERS, project_root

# Request fields that name the engine (everything else is the prompt and its settings).
ENGINE_FIELDS = ("backend", "model", "endpoint", "weights", "dtype", "hints", "score_hints")


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        mem = round(pages / 2**30, 1)
    except (ValueError, OSError):
        pass
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {
        "load_avg_1_5_15_min_at_end": load,
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": mem,
        "system": platform.platform(),
        "python": platform.python_version(),
    }


def commit(root: Path) -> dict[str, Any]:
    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        return proc.stdout.strip() if proc.returncode == 0 else ""

    head = git("rev-parse", "HEAD")
    dirty = bool(git("status", "--porcelain", "--untracked-files=no", "src", "notebooks"))
    return {"commit": head or None, "dirty": dirty}


def engines(entries: list[tuple[str, dict[str, Any], Any]]) -> list[dict[str, Any]]:
    """Every distinct engine identity among the entries, with its entry count."""
    seen: dict[str, dict[str, Any]] = {}
    for _, req, _ in entries:
        ident = {k: req[k] for k in ENGINE_FIELDS if k in req}
        key = json.dumps(ident, sort_keys=True)
        seen.setdefault(key, {**ident, "entries": 0})["entries"] += 1
    return sorted(seen.values(), key=lambda e: str(e.get("model")))


@contextmanager
def _env(**values: str | None) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    try:
        for k, v in values.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _run_logged(
    chapter: str, params: dict[str, Any], log: Path, report: Path
) -> tuple[float, list[dict[str, Any]]]:
    """Run the chapter into a scratch folder with its keys logged; (seconds, saved records)."""
    from syco.runner.execute import run_chapter

    for p in (log, report):
        p.unlink(missing_ok=True)
    start = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="syco-record-") as tmp,
        _env(SYCO_KEY_LOG=str(log), SYCO_RUN_REPORT=str(report), SYCO_LADDER="live"),
    ):
        run_chapter(CHAPTERS[chapter], params, output_dir=Path(tmp), progress=False)
    seconds = time.perf_counter() - start
    saved = []
    for line in report.read_text(encoding="utf-8").splitlines() if report.exists() else []:
        entry = json.loads(line)
        if entry.get("chapter") == chapter and entry.get("status") in ("saved", "unchanged"):
            saved.append(json.loads(Path(entry["path"]).read_text(encoding="utf-8")))
    return seconds, saved


def record(
    chapter: str,
    model: str,
    params: dict[str, Any] | None = None,
    *,
    root: Path | None = None,
    out: Path | None = None,
    force: bool = False,
    echo: Callable[[str], Any] = lambda s: None,
) -> Path:
    """Record `model` on `chapter` into ``published/`` (or `out`; module docstring); the
    manifest's path."""
    if chapter not in CHAPTERS:
        raise SycoError(f"unknown chapter {chapter!r}: choose from {', '.join(CHAPTERS)}")
    root = root or project_root()
    name = keyfile.recording_name(chapter, model)
    out = paths.ensure_dir(out or keyfile.folder(root), "published/")
    manifest_path = out / f"{name}{keyfile.MANIFEST_SUFFIX}"
    if manifest_path.exists() and not force:
        raise SycoError(
            f"{manifest_path.name} exists: the published recording is kept (pass --force to "
            "record it again; the old files are replaced only when the new run is complete)"
        )
    from syco.runner.execute import notebook_parameters
    from syco.runner.params import _default

    # Every parameter as the run saw it (the notebook's defaults today, then the caller's),
    # so a replay years later does not depend on what the notebook's defaults have become.
    infos = notebook_parameters(root / "notebooks" / CHAPTERS[chapter].notebook)
    defaults = {k: _default(info) for k, info in infos.items()}
    params = {**defaults, **(params or {}), "models": [model]}
    progress = paths.ensure_dir(paths.home() / "published-progress")
    log, report = progress / f"{name}.keys", progress / f"{name}.report"
    tally_path = progress / f"{name}.json"
    tally = json.loads(tally_path.read_text()) if tally_path.exists() else {"seconds": 0.0}
    echo(f"recording {chapter} with {model} (answer-key entries logged to {log})")
    t0 = time.time()
    try:
        seconds, saved = _run_logged(chapter, params, log, report)
    finally:  # an interrupted attempt's time still counts
        tally["seconds"] = tally.get("seconds", 0.0) + time.time() - t0
        tally_path.write_text(json.dumps(tally))
    errors = sum(int(r["spec"].get("call_errors") or 0) for r in saved)
    if not saved:
        raise SycoError(f"{chapter} with {model} saved no record: nothing to publish")
    if errors:
        raise SycoError(
            f"{chapter} with {model}: {errors} call(s) failed; nothing published (rerun the "
            "same command: the answer key keeps every answer so far)"
        )
    keys = list(dict.fromkeys(log.read_text(encoding="utf-8").split()))
    entries = Cache().entries(keys)
    if len(entries) != len(keys):
        raise SycoError(
            f"{chapter} with {model}: {len(keys) - len(entries)} answer(s) the run used are "
            "not in the answer key; nothing published (rerun to complete)"
        )
    old = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
    # Answers this attempt added (a record file left "unchanged" keeps the first run's
    # counters, so they cannot say).
    new_calls = Cache().count_new(keys, t0)
    files: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix=".publish-", dir=out) as tmp:
        ent_tmp = Path(tmp) / f"{name}.jsonl.gz"
        rec_tmp = Path(tmp) / f"{name}.records.json.gz"
        n = keyfile.write_entries(ent_tmp, entries)
        keyfile.write_json_gz(rec_tmp, saved)
        manifest = {
            "format": keyfile.FORMAT,
            "name": name,
            "chapter": chapter,
            "paper_section": CHAPTERS[chapter].section,
            "model": model,
            "parameters": params,
            "entry_count": n,
            "entries": keyfile.file_entry(ent_tmp),
            "records": keyfile.file_entry(rec_tmp),
            "records_made": [r["model"] for r in saved],
            "engines": engines(entries),
            **commit(root),
            "machine": machine(),
            "seconds": round(seconds, 1),
            "seconds_all_attempts": round(max(tally["seconds"], seconds), 1),
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        if old is not None and new_calls == 0:
            # Republished from the answer key alone (settings written out, records
            # re-derived): the recording's own time and machine are the first run's.
            keep = ("seconds", "seconds_all_attempts", "machine", "created")
            manifest.update({k: old[k] for k in keep if k in old})
            manifest["republished"] = {**commit(root), "at": datetime.now(UTC).isoformat()}
        for role, src in (("entries", ent_tmp), ("records", rec_tmp)):
            files[role] = out / src.name
            os.replace(src, files[role])
        tmp_manifest = Path(tmp) / manifest_path.name
        tmp_manifest.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
        os.replace(tmp_manifest, manifest_path)
    tally_path.unlink(missing_ok=True)
    echo(f"published {n} entries and {len(saved)} record(s): {manifest_path}")
    return manifest_path


# -- replay and rerun ------------------------------------------------------------------
def rerun(
    rec: keyfile.Recording, scratch: Path, *, replay: bool
) -> tuple[list[dict[str, Any]], float]:
    """Run a recording's chapter again in `scratch` (its own answer key and results): from
    the recording alone with zero model calls (``replay``), or from nothing with the models
    live. The records it saved, and seconds."""
    from syco.runner.execute import run_chapter

    scratch.mkdir(parents=True, exist_ok=True)
    cache, report = scratch / "cache.sqlite", scratch / "report.jsonl"
    if replay:
        keyfile.import_into(Cache(cache), [rec])
    start = time.perf_counter()
    with _env(
        SYCO_CACHE=str(cache),
        SYCO_RESULTS=str(scratch / "results"),
        SYCO_RUN_REPORT=str(report),
        SYCO_LADDER="replay" if replay else "live",
        SYCO_OFFLINE="1" if replay else None,
        SYCO_KEY_LOG=None,
    ):
        run_chapter(
            CHAPTERS[rec.chapter],
            dict(rec.manifest["parameters"]),
            output_dir=scratch,
            progress=False,
        )
    seconds = time.perf_counter() - start
    saved = [
        json.loads(Path(json.loads(line)["path"]).read_text(encoding="utf-8"))
        for line in report.read_text(encoding="utf-8").splitlines()
        if json.loads(line).get("status") in ("saved", "unchanged")
    ]
    return saved, seconds


def refresh(recs: list[keyfile.Recording], *, echo: Callable[[str], Any] = lambda s: None) -> None:
    """Re-derive each recording's run records from its entries with today's chapter code
    (scoring and metrics change; the model outputs do not): zero model calls. The manifest
    keeps the recording's engine, machine and seconds, and says which commit derived the
    records."""
    root = project_root()
    with tempfile.TemporaryDirectory(prefix="syco-refresh-") as tmp:
        for rec in recs:
            keyfile.verify(rec)
            saved, seconds = rerun(rec, Path(tmp) / rec.name, replay=True)
            path = rec.path("records")
            tmp_rec = Path(tmp) / path.name
            keyfile.write_json_gz(tmp_rec, saved)
            manifest = {
                **rec.manifest,
                "records": keyfile.file_entry(tmp_rec),
                "records_made": [r["model"] for r in saved],
                "records_derived_at": commit(root),
            }
            os.replace(tmp_rec, path)
            tmp_m = Path(tmp) / rec.manifest_path.name
            tmp_m.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
            os.replace(tmp_m, rec.manifest_path)
            echo(f"{rec.name}: records re-derived from its entries in {seconds:.0f} s")
