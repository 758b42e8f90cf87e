"""The paper's released SycophancyEval files (Sharma et al. §3.1–§3.4), when a user has them.

Looked up in ``$SYCO_RELEASED_DIR`` or data_dir()/released/, or downloaded from the pinned
upstream commit; checked against git blob sha1 ids (what ``git hash-object`` prints), from
shared/data/sycophancy-eval/EXPECTED_CHECKSUMS.json, copied into sources.json.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from syco import paths
from syco.data.fetch import _download
from syco.data.registry import released_info
from syco.errors import SycoError


def released_dir() -> Path:
    env = os.environ.get("SYCO_RELEASED_DIR")
    return Path(env).expanduser() if env else paths.data_dir() / "released"


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _expected(name: str) -> dict:
    files = released_info()["files"]
    if name not in files:
        raise SycoError(f"no released file {name!r}: choose from {', '.join(files)}")
    return files[name]


def check(name: str, data: bytes, origin: str) -> None:
    want = _expected(name).get("git_blob_sha1")
    if want and git_blob_sha1(data) != want:
        raise SycoError(
            f"released {name}.jsonl at {origin} has git blob {git_blob_sha1(data)[:12]}…, "
            f"expected {want[:12]}… (meg-tong/sycophancy-eval@{released_info()['commit'][:7]}): "
            "it is a different version or corrupted; replace it with the upstream file"
        )


def released_path(name: str) -> Path:
    """The verified released file (mimicry has no known checksum and is not verified)."""
    _expected(name)
    path = released_dir() / f"{name}.jsonl"
    if not path.is_file():
        raise SycoError(
            f"released {name}.jsonl not found in {released_dir()}: put the upstream file there "
            "(or set SYCO_RELEASED_DIR), or run `syco data fetch --released` when online"
        )
    check(name, path.read_bytes(), str(path))
    return path


def fetch_released(names: list[str] | None = None) -> list[str]:
    """Download the released files from the pinned upstream commit; returns names fetched."""
    info = released_info()
    done = []
    for name in names or [k for k, v in info["files"].items() if v.get("git_blob_sha1")]:
        dest = released_dir() / f"{name}.jsonl"
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".fetch-")
        os.close(fd)
        try:
            url = info["url"].format(name=name)
            _download(
                url,
                Path(tmp),
                hint=(
                    "you seem to be offline; put the released files in SYCO_RELEASED_DIR or "
                    f"{released_dir()} by hand instead"
                ),
            )
            check(name, Path(tmp).read_bytes(), url)
            os.replace(tmp, dest)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        done.append(name)
    return done
