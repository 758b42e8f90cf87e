"""`syco data fetch` / `syco data verify`: place registered sources in data_dir()/sources.

From a mirror directory (``SYCO_DATA_MIRROR``, laid out like shared/data) when one is given,
else from each file's pinned upstream URL. Every file is checked against its registered
sha256 before it is moved into place (write to a temp file, then os.replace).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from syco.data.registry import SourceFile, all_files, sha256_file, sources, sources_dir
from syco.errors import SycoError


def mirror_dir() -> Path | None:
    env = os.environ.get("SYCO_DATA_MIRROR")
    return Path(env).expanduser() if env else None


OFFLINE_HINT = (
    "you seem to be offline; set SYCO_DATA_MIRROR to a directory laid out like shared/data "
    "and run `syco data fetch` again"
)


def _download(url: str, dest: Path, timeout: float = 60.0, hint: str = OFFLINE_HINT) -> None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r, open(dest, "wb") as f:
            shutil.copyfileobj(r, f)
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise SycoError(f"could not download {url} ({e}): {hint}") from e


def fetch_file(entry: SourceFile, mirror: Path | None) -> str:
    """Fetch one file; returns 'ok' (already there), 'copied' or 'downloaded'."""
    dest = sources_dir() / entry.path
    if dest.is_file() and sha256_file(dest) == entry.sha256:
        return "ok"
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=".fetch-")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if mirror is not None:
            src = mirror / entry.path
            if not src.is_file():
                raise SycoError(
                    f"{entry.path} is missing from the mirror {mirror}: check SYCO_DATA_MIRROR "
                    "points at a complete copy of shared/data"
                )
            shutil.copyfile(src, tmp)
            how, origin = "copied", str(src)
        elif entry.url:
            _download(entry.url, tmp)
            how, origin = "downloaded", entry.url
        else:
            raise SycoError(
                f"{entry.path} is a derived file with no upstream URL: set SYCO_DATA_MIRROR to "
                "a copy of shared/data and run `syco data fetch` again"
            )
        got = sha256_file(tmp)
        if got != entry.sha256:
            raise SycoError(
                f"checksum mismatch for {entry.path} from {origin}: sha256 {got[:12]}…, "
                f"expected {entry.sha256[:12]}…; the copy is corrupted, truncated or a different "
                "version: replace it with the file named in shared/data/PROVENANCE.md"
            )
        os.replace(tmp, dest)
        return how
    finally:
        tmp.unlink(missing_ok=True)


def ensure_source(name: str) -> None:
    """Place one source's files (only those) if `syco data fetch` has not run yet: what a
    step that reads a source directly needs (§4.1's pairs, `syco pm train`)."""
    mirror = mirror_dir()
    for entry in sources()[name].files:
        if not (sources_dir() / entry.path).is_file():
            fetch_file(entry, mirror)


def fetch(
    mirror: Path | None = None, progress: Callable[[SourceFile, str], None] | None = None
) -> dict[str, int]:
    """Fetch every registered file; returns counts by outcome."""
    mirror = mirror if mirror is not None else mirror_dir()
    if mirror is not None and not mirror.is_dir():
        raise SycoError(f"SYCO_DATA_MIRROR={mirror} is not a directory: fix or unset it")
    counts: dict[str, int] = {}
    for entry in all_files():
        how = fetch_file(entry, mirror)
        counts[how] = counts.get(how, 0) + 1
        if progress:
            progress(entry, how)
    return counts


def verify() -> list[tuple[SourceFile, str]]:
    """Check every fetched file: returns (entry, 'ok' | 'missing' | 'MISMATCH')."""
    out = []
    for entry in all_files():
        path = sources_dir() / entry.path
        if not path.is_file():
            out.append((entry, "missing"))
        else:
            out.append((entry, "ok" if sha256_file(path) == entry.sha256 else "MISMATCH"))
    return out
