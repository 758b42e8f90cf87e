"""Where syco keeps its state: the answer-key cache, converted models, data and results.

Everything lives under one home directory so that a project checkout is self-contained
(the Makefile sets ``SYCO_HOME=$(CURDIR)/.syco``) and a user can point several checkouts at
one shared cache.
"""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    """The state directory: ``$SYCO_HOME``, else ``~/.cache/syco``."""
    env = os.environ.get("SYCO_HOME")
    path = Path(env).expanduser() if env else Path.home() / ".cache" / "syco"
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
