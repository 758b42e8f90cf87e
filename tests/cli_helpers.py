"""Helpers shared by the reliability suites (tests/test_reliability*.py): run the CLI in a
clean environment, fingerprint files to prove them untouched, read a one-line error."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from syco.models import user

REPO = Path(__file__).resolve().parents[1]
ENDPOINT_VARS = ("OPENAI_", "ANTHROPIC_", "SYCO_", "MYSERV_", "OTHER_")


def prompts(n: int, tag: str = "q") -> list[list[dict[str, str]]]:
    return [[user(f"{tag} {i}")] for i in range(n)]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any endpoint or syco variable, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(ENDPOINT_VARS)}
    return {**env, "SYCO_PROGRESS": "0", **extra}


def syco(*args: str, env: dict[str, str], stdin: bytes | None = None, timeout: float = 60):
    return subprocess.run(
        [sys.executable, "-m", "syco.cli", *args],
        env=env,
        input=stdin,
        capture_output=True,
        timeout=timeout,
        cwd=REPO,
    )


def snapshot(*paths: Path) -> dict[str, str]:
    """sha256 of every file under `paths` (and the names that exist): 'untouched' means equal."""
    out = {}
    for p in paths:
        files = [p] if p.is_file() else sorted(p.rglob("*")) if p.exists() else []
        for f in files:
            if f.is_file():
                out[str(f)] = hashlib.sha256(f.read_bytes()).hexdigest()
        if p.parent.exists():
            for sib in p.parent.glob(p.name + "*"):
                out.setdefault(str(sib), "exists")
    return out


def one_line_error(r: subprocess.CompletedProcess, *expect: str) -> str:
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode == 2, (r.returncode, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("syco: error: "), err
    assert "Traceback" not in err
    for e in expect:
        assert e in lines[0], lines[0]
    return lines[0]


def ctrl_c_once_the_server_is_asked(args: list[str], env: dict[str, str], server, wait: float):
    """Run ``syco ARGS`` as a terminal would (own process group, SIGINT not ignored), press
    Ctrl-C once the server has a request in flight; return (exit code, stderr text)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "syco.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + wait
    while not server.requests and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert server.requests, "the command never reached the server"
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err.decode()
