"""The published answer key: recordings too slow for `make book`, shipped in the repository.

A recording is one chapter run of one model (`syco key record`), kept as two compressed
files beside one manifest in ``published/``:

- ``<name>.jsonl.gz``: every answer-key entry the run read or wrote (one JSON object a line:
  ``key``, ``request``, ``value``), hits included, so the run replays from it alone;
- ``<name>.records.json.gz``: the run records it saved (what `make reproduce` compares to);
- ``<name>.manifest.json``: chapter, model, parameters, the engines (every model identity in
  the entries), commit, machine, seconds, and each file's bytes and sha256.

`verify` checks every file against its manifest; `import_into` adds the entries to an answer
key without replacing any entry already there (a result once recorded is never lost). Both
fail with one line naming the file. Nothing here runs a model (`syco.runner.publish` does).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syco.cache import Cache, cache_key, canonical_json
from syco.errors import SycoError

FOLDER = "published"
MANIFEST_SUFFIX = ".manifest.json"
FORMAT = 1


def folder(root: Path) -> Path:
    return root / FOLDER


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def file_entry(path: Path) -> dict[str, Any]:
    return {"file": path.name, "bytes": path.stat().st_size, "sha256": sha256_of(path)}


def recording_name(chapter: str, model: str) -> str:
    """``answer__qwen-0.5b``: one recording per chapter and model."""
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in model)
    return f"{chapter}__{safe}"


@dataclass(frozen=True)
class Recording:
    manifest_path: Path
    manifest: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.manifest["name"])

    @property
    def chapter(self) -> str:
        return str(self.manifest["chapter"])

    @property
    def model(self) -> str:
        return str(self.manifest["model"])

    def path(self, role: str) -> Path:
        return self.manifest_path.parent / self.manifest[role]["file"]

    def entries(self) -> Iterator[dict[str, Any]]:
        with gzip.open(self.path("entries"), "rt", encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield json.loads(line)

    def records(self) -> list[dict[str, Any]]:
        with gzip.open(self.path("records"), "rt", encoding="utf-8") as f:
            data: list[dict[str, Any]] = json.load(f)
        return data


def recordings(root: Path) -> list[Recording]:
    """Every manifest in ``published/`` (unverified; `verify` checks them)."""
    out = []
    for p in sorted(folder(root).glob(f"*{MANIFEST_SUFFIX}")):
        try:
            manifest = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise SycoError(f"published key: {p.name} is not a readable manifest ({e})") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise SycoError(f"published key: {p.name} is not a format-{FORMAT} manifest")
        out.append(Recording(p, manifest))
    return out


def covers(root: Path, chapter: str, model: str) -> bool:
    """Whether a published recording of `model` on `chapter` exists (manifest present)."""
    return manifest_path(root, chapter, model).is_file()


def manifest_path(root: Path, chapter: str, model: str) -> Path:
    """Where the manifest of `model`'s recording of `chapter` lies (present or not)."""
    return folder(root) / f"{recording_name(chapter, model)}{MANIFEST_SUFFIX}"


def manifest(root: Path, chapter: str, model: str) -> dict[str, Any] | None:
    """The manifest of `model`'s published recording of `chapter` (None: none)."""
    want = manifest_path(root, chapter, model)
    if not want.is_file():
        return None
    data = json.loads(want.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def recorded_parameters(root: Path, chapter: str, model: str) -> dict[str, Any] | None:
    """The chapter parameters `model`'s published recording was made with (None: none)."""
    m = manifest(root, chapter, model)
    if m is None:
        return None
    params = m.get("parameters")
    return params if isinstance(params, dict) else {}


# Parameters that choose no prompt and no sampling: a run differing only in these replays.
_NOT_PROMPTS = frozenset({"models", "batch", "compare_decoding", "decoding", "grader", "judge"})


def parameter_mismatch(recorded: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """The settings of a run that differ from its recording's (name -> (recorded, asked)),
    among those that choose the prompts or the sampling; a replay of such a run would miss."""

    def norm(v: Any) -> Any:
        return list(v) if isinstance(v, tuple) else v

    return {
        k: (recorded[k], settings[k])
        for k in sorted(set(recorded) & set(settings) - _NOT_PROMPTS)
        if norm(recorded[k]) != norm(settings[k])
    }


def verify(rec: Recording) -> int:
    """Check a recording's files against its manifest; the number of entries. Every entry's
    key must be the hash of its request, so an edited request or a foreign entry fails too."""
    for role in ("entries", "records"):
        want = rec.manifest.get(role) or {}
        path = rec.path(role)
        if not path.is_file():
            raise SycoError(f"published key {rec.name}: {path.name} is missing")
        if path.stat().st_size != want.get("bytes") or sha256_of(path) != want.get("sha256"):
            raise SycoError(
                f"published key {rec.name}: {path.name} does not match its manifest "
                "(size or sha256 differ: corrupt or edited; nothing was imported)"
            )
    n = 0
    try:
        for e in rec.entries():
            if cache_key(e["request"]) != e["key"]:
                raise SycoError(
                    f"published key {rec.name}: entry {n + 1}'s key is not its request's hash"
                )
            n += 1
    except (OSError, EOFError, ValueError, KeyError) as e:
        raise SycoError(f"published key {rec.name}: unreadable entries ({e})") from None
    if n != rec.manifest.get("entry_count"):
        raise SycoError(
            f"published key {rec.name}: {n} entries, its manifest says "
            f"{rec.manifest.get('entry_count')}"
        )
    return n


def import_into(cache: Cache, recs: Iterable[Recording]) -> dict[str, int]:
    """Verify each recording, then add its entries that the cache lacks; per recording, how
    many were added. An entry already in the cache is kept as it is."""
    added: dict[str, int] = {}
    for rec in recs:
        verify(rec)
        added[rec.name] = cache.add_missing(
            (e["key"], e["request"], e["value"]) for e in rec.entries()
        )
    return added


def write_entries(path: Path, entries: Iterable[tuple[str, dict[str, Any], Any]]) -> int:
    """Entries as gzipped JSON lines, sorted by key (a stable file for a stable key set);
    mtime 0 so the same entries give the same bytes."""
    rows = sorted(entries, key=lambda e: e[0])
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz,
    ):
        for k, req, val in rows:
            line = canonical_json({"key": k, "request": req, "value": val}) + "\n"
            gz.write(line.encode("utf-8"))
    return len(rows)


def write_json_gz(path: Path, obj: Any) -> None:
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz,
    ):
        gz.write(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode("utf-8"))
