"""Where syco keeps its state: the answer-key cache, converted models, data and results.

Everything lives under one home directory so that a project checkout is self-contained
(``.syco/`` in the checkout, which is also what the Makefile sets) and a user can point
several checkouts at one shared cache with ``SYCO_HOME``.
"""

from __future__ import annotations

import os
from pathlib import Path


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
        path = Path(env).expanduser()
    else:
        root = _checkout()
        path = root / ".syco" if root else Path.home() / ".cache" / "syco"
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_path() -> Path:
    env = os.environ.get("SYCO_CACHE")
    return Path(env).expanduser() if env else home() / "cache.sqlite"


def models_dir() -> Path:
    path = home() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def results_dir() -> Path:
    env = os.environ.get("SYCO_RESULTS")
    path = Path(env).expanduser() if env else home() / "results"
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    env = os.environ.get("SYCO_DATA_DIR")
    path = Path(env).expanduser() if env else home() / "data"
    path.mkdir(parents=True, exist_ok=True)
    return path
