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
    for var in ("SYCO_CACHE", "SYCO_RESULTS", "SYCO_OFFLINE", "SYCO_MAX_CONNECTIONS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SYCO_PROGRESS", "0")
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
