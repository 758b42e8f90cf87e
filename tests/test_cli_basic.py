"""The `syco` command line as a user runs it: a subprocess, with a private SYCO_HOME."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from servers import OpenAIServer, error


def syco(*args: str, env: dict[str, str] | None = None, home: Path) -> subprocess.CompletedProcess:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("SYCO_", "OPENAI_", "ANTHROPIC_"))
    }
    full = {**base, "SYCO_HOME": str(home), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "syco.cli", *args],
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_unknown_spec_is_one_line_exit_2(home):
    r = syco("ask", "--model", "nonsense/x", "hi", home=home)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("syco: error: ")
    assert "unknown model spec 'nonsense/x'" in lines[0]
    assert "Traceback" not in r.stderr + r.stdout
    assert r.stdout == ""


def test_missing_key_is_one_line_exit_2(home):
    r = syco("ask", "--model", "openai/m", "hi", home=home)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [r.stderr.strip()]
    assert r.stderr.startswith("syco: error: OPENAI_API_KEY is not set")
    assert "Traceback" not in r.stderr


def test_models_lists_the_backends(home):
    r = syco("models", home=home, env={"OPENAI_API_KEY": "x"})
    assert r.returncode == 0, r.stderr
    specs = [line for line in r.stdout.splitlines() if line and not line.startswith(" ")]
    assert {
        "anthropic/<model>",
        "openai/<model>",
        "openai-api/<service>/<model>",
        "hf/<model>",
        "ov/<model>",
        "smollm2",
        "smollm2-hf",
        "scripted/<model>",
        "smollm2-rm",
    } <= set(specs)
    assert "OPENAI_API_KEY (set)" in r.stdout
    assert "ANTHROPIC_API_KEY (NOT SET)" in r.stdout
    assert "x" not in [w.strip("(),") for w in r.stdout.split()]  # the value is never shown


def test_ask_against_fake_server_then_cache_hit(home):
    with OpenAIServer() as server:
        env = {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "x"}
        first = syco("ask", "--model", "openai/m", "hi", home=home, env=env)
        assert first.returncode == 0, first.stderr
        assert first.stdout == "echo: hi\n"
        assert "new call" in first.stderr and "1 in / 2 out tokens" in first.stderr
        assert server.calls == 1

        second = syco("ask", "--model", "openai/m", "hi", home=home, env=env)
        assert second.returncode == 0, second.stderr
        assert second.stdout == "echo: hi\n"
        assert "cache hit" in second.stderr
        assert server.calls == 1  # answered from $SYCO_HOME/cache.sqlite

        third = syco("ask", "--model", "openai/m", "--sample", "1", "hi", home=home, env=env)
        assert "new call" in third.stderr and server.calls == 2
    assert (home / "cache.sqlite").exists()


def test_ask_failure_is_one_line_exit_2(home):
    with OpenAIServer() as server:
        server.default = error(401, "authentication_error")
        env = {"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": "x"}
        r = syco("ask", "--model", "openai/m", "hi", home=home, env=env)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("syco: error: openai/m failed:")
    assert "401" in lines[0] and "Traceback" not in r.stderr


_ORPHAN = """
import asyncio, sys
from syco import cli
from syco.errors import {error}

async def _dies():
    raise RuntimeError("Kernel died")

def _app():
    # What nbclient leaves behind when Ctrl-C kills the kernel: a task whose exception
    # nobody retrieves, logged by asyncio when it is collected at exit.
    loop = asyncio.new_event_loop()
    global _task
    _task = loop.create_task(_dies())
    loop.run_until_complete(asyncio.sleep(0))
    raise {error}("interrupted")

cli.app = _app
cli.main()
"""


@pytest.mark.parametrize(
    ("error", "code", "ending"),
    [
        ("Interrupted", 130, "syco: interrupted;"),
        ("SycoError", 2, "syco: error: interrupted"),
    ],
)
def test_one_line_ending_survives_an_orphaned_notebook_task(home, error, code, ending):
    """A dead kernel's never-retrieved task must not print a traceback after the one line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYCO_")}
    r = subprocess.run(
        [sys.executable, "-c", _ORPHAN.format(error=error)],
        env={**env, "SYCO_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == code, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(ending), r.stderr
