"""The registry of source files (`sources.json`): name, path, sha256, license, origin.

The data themselves are never committed; only this small registry is. Every file is
identified by its sha256 (from shared/data/PROVENANCE.md) and, where it exists, its upstream
URL at a pinned commit; derived files say how they were derived.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from syco import paths
from syco.errors import SycoError


@dataclass(frozen=True)
class SourceFile:
    dataset: str
    path: str  # relative to the mirror and to data_dir()/sources
    sha256: str
    url: str | None


@dataclass(frozen=True)
class Source:
    name: str
    title: str
    license: str
    origin: str
    derived: str | None
    files: tuple[SourceFile, ...]


@cache
def _raw() -> dict:
    text = resources.files("syco.data").joinpath("sources.json").read_text(encoding="utf-8")
    return json.loads(text)


def sources() -> dict[str, Source]:
    """All registered source data sets, by name."""
    out = {}
    for name, s in _raw()["sources"].items():
        files = tuple(SourceFile(name, f["path"], f["sha256"], f.get("url")) for f in s["files"])
        out[name] = Source(name, s["title"], s["license"], s["origin"], s.get("derived"), files)
    return out


def released_info() -> dict:
    """Pinned upstream location and git-blob checksums of the paper's released files."""
    return _raw()["released"]


def all_files() -> list[SourceFile]:
    return [f for s in sources().values() for f in s.files]


def sources_dir() -> Path:
    path = paths.data_dir() / "sources"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _find(relpath: str) -> SourceFile:
    for f in all_files():
        if f.path == relpath:
            return f
    raise SycoError(f"{relpath} is not a registered source file: add it to syco/data/sources.json")


def source_path(relpath: str, verify: bool = True) -> Path:
    """The local, checksum-verified copy of a registered source file.

    Builders open sources only through this, so a corrupted or truncated file is caught
    before any row is read.
    """
    entry = _find(relpath)
    path = sources_dir() / relpath
    if not path.is_file():
        raise SycoError(
            f"source file {relpath} is missing from {sources_dir()}: run `syco data fetch` "
            "(with SYCO_DATA_MIRROR pointing at a copy of shared/data when offline)"
        )
    if verify:
        got = sha256_file(path)
        if got != entry.sha256:
            raise SycoError(
                f"source file {path} has sha256 {got[:12]}… but the registry expects "
                f"{entry.sha256[:12]}… (corrupted or truncated): delete it and run "
                "`syco data fetch` again"
            )
    return path
