"""Shared pytest fixtures: an isolated syco home and local fake API servers."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # `import servers` whatever the import mode

from servers import AnthropicServer, OpenAIServer  # noqa: E402


@pytest.fixture
def syco_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh ``SYCO_HOME`` (cache, results) with no offline mode and no progress bars."""
    home = tmp_path / "syco_home"
    home.mkdir()
    monkeypatch.setenv("SYCO_HOME", str(home))
    for var in (
        "SYCO_CACHE",
        "SYCO_RESULTS",
        "SYCO_OFFLINE",
        "SYCO_MAX_CONNECTIONS",
        "SYCO_BATCH_SIZE",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SYCO_PROGRESS", "0")
    # The ladder's Qwen models answer only from a published key in tests: a test never
    # downloads or runs them, whatever this machine has prepared.
    monkeypatch.setenv("SYCO_LADDER", "replay")
    return home


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    """A fake OpenAI chat-completions server; its ``base_url`` ends in ``/v1``."""
    with OpenAIServer() as server:
        yield server


@pytest.fixture
def anthropic_server() -> Iterator[AnthropicServer]:
    """A fake Anthropic messages server; its ``base_url`` has no ``/v1``."""
    with AnthropicServer() as server:
        yield server


# --- the embedded model and the data mirror, shared by model and chapter tests -----------

REPO = Path(__file__).resolve().parents[1]
REAL_HOME = Path(__import__("os").environ.get("SYCO_HOME") or REPO / ".syco").resolve()
MIRROR = Path(
    __import__("os").environ.get("SYCO_DATA_MIRROR") or REPO.parent / "shared" / "data"
).resolve()


@pytest.fixture(scope="session")
def smollm2_dir() -> Path:
    """The converted embedded model (``make test`` prepares it; converted here if missing)."""
    import os

    old = os.environ.get("SYCO_HOME")
    os.environ["SYCO_HOME"] = str(REAL_HOME)
    try:
        from syco.models.smollm2 import prepare

        return prepare()
    finally:
        if old is None:
            os.environ.pop("SYCO_HOME", None)
        else:
            os.environ["SYCO_HOME"] = old


@pytest.fixture
def model_home(syco_home: Path, smollm2_dir: Path) -> Path:
    """A fresh ``SYCO_HOME`` whose ``models/`` links to the real converted model, so tests
    get an empty cache and results but never reconvert the GGUF."""
    (syco_home / "models").symlink_to(smollm2_dir.parent, target_is_directory=True)
    return syco_home


@pytest.fixture
def data_mirror(monkeypatch: pytest.MonkeyPatch) -> Path:
    """``SYCO_DATA_MIRROR`` pointed at ``../shared/data``; skips where it is absent."""
    if not MIRROR.is_dir():
        pytest.skip(f"data mirror {MIRROR} is absent (set SYCO_DATA_MIRROR)")
    monkeypatch.setenv("SYCO_DATA_MIRROR", str(MIRROR))
    return MIRROR


@pytest.fixture
def openai_env(syco_home, openai_server, monkeypatch):
    """An OpenAI endpoint on a local server, with fast retries (the reliability suites)."""
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "local-key")
    monkeypatch.setenv("SYCO_RETRY_BASE", "0.01")
    return openai_server


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h
