"""Where syco keeps its state: the answer-key cache, converted models, data and results.

Everything lives under one home directory so that a project checkout is self-contained
(``.syco/`` in the checkout, which is also what the Makefile sets) and a user can point
several checkouts at one shared cache with ``SYCO_HOME``.
"""

from __future__ import annotations

import os
from pathlib import Path

from syco.errors import SycoError


def ensure_dir(path: Path, what: str = "") -> Path:
    """`path` as a directory (made if missing), or one line saying why it cannot be."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise SycoError(
            f"{what or path} ({path}) is a file, not a directory: "
            "point it at a directory (or move the file away)"
        ) from None
    except OSError as e:
        raise SycoError(f"cannot create the directory {path} ({e.strerror})") from None
    return path


def _checkout() -> Path | None:
    """The repository checkout we are in, if any (so `make` and a bare `syco` agree)."""
    env = os.environ.get("SYCO_PROJECT_DIR")
    cwd = Path.cwd().resolve()
    for c in ([Path(env)] if env else []) + [cwd, *cwd.parents]:
        if (
            (c / "_config.yml").exists()
            and (c / "notebooks").is_dir()
            and (c / "pyproject.toml").exists()
        ):
            return c
    return None


def home() -> Path:
    """The state directory: ``$SYCO_HOME``, else ``.syco/`` in the checkout we are in,
    else ``~/.cache/syco``."""
    env = os.environ.get("SYCO_HOME")
    if env:
        return ensure_dir(Path(env).expanduser(), "SYCO_HOME")
    root = _checkout()
    return ensure_dir(root / ".syco" if root else Path.home() / ".cache" / "syco", "the syco home")


def cache_path() -> Path:
    env = os.environ.get("SYCO_CACHE")
    return Path(env).expanduser() if env else home() / "cache.sqlite"


def models_dir() -> Path:
    return ensure_dir(home() / "models")


def results_dir() -> Path:
    env = os.environ.get("SYCO_RESULTS")
    return ensure_dir(Path(env).expanduser() if env else home() / "results", "SYCO_RESULTS")


def data_dir() -> Path:
    env = os.environ.get("SYCO_DATA_DIR")
    return ensure_dir(Path(env).expanduser() if env else home() / "data", "SYCO_DATA_DIR")
