"""The reliability suite: the answer key is portable and never loses a result.

Fast and local: the real SDKs against 127.0.0.1 servers (tests/servers.py), every loop
bounded. Faults with exact counts of requests, answers and errors; kill -9 mid-run, then a
resume that repeats no completed request; two writers at once; every bad input ends in one
line, exit 2, and untouched files; an answer key made behind one URL replays from a shell
with another URL (or none) and no keys.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_helpers import prompts
from servers import OpenAIServer, drop, error, malformed, overloaded, rate_limited, stall

from syco.cache import Cache, cache_key, canonical_json
from syco.errors import SycoError
from syco.models import CALLS, GenerateConfig, get_model, user

# -- faults, with exact counts -----------------------------------------------------------------


@pytest.mark.parametrize("backend", ["openai", "anthropic"])
def test_fault_mix_has_exact_counts_of_requests_answers_and_errors(
    openai_env, anthropic_server, tmp_path, monkeypatch, backend
):
    """24 prompts against a server whose first 9 answers are faults.
    Transient ones (429, 500, 503, 529, a dropped connection, a stall past the timeout) cost
    exactly one retry each; garbage (invalid JSON, a 400) is final for its prompt and is never
    scored or cached. So: requests = 24 + 6, answers = 24 - 3, errors = 3, whatever order the
    four connections take the script in."""
    server = openai_env if backend == "openai" else anthropic_server
    monkeypatch.setenv("ANTHROPIC_BASE_URL", anthropic_server.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "local-key")
    transient = [
        rate_limited(retry_after="0"),
        error(500),
        error(503),
        overloaded(),
        drop(),
        stall(2.0),
    ]
    final = [malformed(), malformed(b"<html>502 bad gateway</html>", "text/html"), error(400)]
    server.script(*transient, *final)
    monkeypatch.setenv("SYCO_TIMEOUT", "0.5")
    cache = Cache(tmp_path / "c.sqlite")
    m = get_model(f"{backend}/m", cache=cache, max_connections=4, max_retries=len(transient))
    before = CALLS["count"]
    out = m.generate(prompts(24))
    errors = [c for c in out if not c.ok]
    assert server.calls == 24 + len(transient)
    assert CALLS["count"] - before == 24 + len(transient)
    assert len(errors) == len(final) and m.stats.errors == len(final)
    assert m.stats.new == 24 - len(final) and len(cache) == 24 - len(final)
    assert all(c.text is None for c in errors)
    assert all(c.text == f"echo: q {i}" for i, c in enumerate(out) if c.ok)
    # The rerun asks for exactly the failed prompts, and completes the set.
    again = m.generate(prompts(24))
    assert all(c.ok for c in again) and server.calls == 24 + len(transient) + len(final)
    assert sum(not c.cached for c in again) == len(final)


@pytest.mark.parametrize(
    "status, advice", [(401, "OPENAI_API_KEY"), (403, "OPENAI_API_KEY"), (404, "model name")]
)
def test_permanent_status_fails_at_once_and_stops_the_endpoint(
    openai_env, tmp_path, status, advice
):
    server = openai_env
    server.default = error(status)
    m = get_model("openai/m", cache=Cache(tmp_path / "c.sqlite"), max_connections=1)
    t0 = time.monotonic()
    out = m.generate(prompts(5))
    assert time.monotonic() - t0 < 5
    assert server.calls == 1, "nothing more is sent to an endpoint that cannot work"
    assert all(not c.ok and f"HTTP {status}" in c.error and advice in c.error for c in out)
    assert m.stats.errors == 5


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 504, 529])
def test_transient_status_is_retried(openai_env, tmp_path, status):
    server = openai_env
    server.script(error(status), error(status))
    [c] = get_model("openai/m", cache=Cache(tmp_path / "c.sqlite")).generate(prompts(1))
    assert c.ok and server.calls == 3


def test_request_timeout_is_a_setting(openai_env, tmp_path, monkeypatch):
    server = openai_env
    server.script(stall(1.5))
    monkeypatch.setenv("SYCO_TIMEOUT", "0.3")
    m = get_model("openai/m", cache=Cache(tmp_path / "c.sqlite"), max_retries=0)
    t0 = time.monotonic()
    [c] = m.generate(prompts(1))
    assert time.monotonic() - t0 < 1.4
    assert not c.ok and "within 0.3 s" in c.error
    monkeypatch.setenv("SYCO_TIMEOUT", "soon")
    with pytest.raises(SycoError, match="SYCO_TIMEOUT"):
        get_model("openai/m", cache=Cache(tmp_path / "c.sqlite"))


# -- kill -9, then resume -------------------------------------------------------------------------

CLIENT = """
import sys
from syco.cache import Cache
from syco.models import get_model, user
m = get_model("openai/m", cache=Cache(sys.argv[1]), max_connections=2)
m.generate([[user(f"q {i}")] for i in range(int(sys.argv[2]))])
"""


def stored_prompts(path: Path) -> set[str]:
    conn = sqlite3.connect(path, timeout=30)
    try:
        rows = conn.execute("SELECT request FROM answers").fetchall()
    finally:
        conn.close()
    return {json.loads(r)["messages"][-1]["content"] for (r,) in rows}


def test_kill_9_mid_run_then_resume_repeats_no_completed_request(openai_env, tmp_path):
    server = openai_env
    server.latency = 0.05
    path, n = tmp_path / "c.sqlite", 60
    env = {**os.environ, "SYCO_PROGRESS": "0"}
    proc = subprocess.Popen([sys.executable, "-c", CLIENT, str(path), str(n)], env=env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if path.exists() and len(stored_prompts(path)) >= 10:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the client finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    done = stored_prompts(path)
    assert 10 <= len(done) < n
    seen = len(server.requests)
    out = get_model("openai/m", cache=Cache(path)).generate(prompts(n))
    resumed = [r.body["messages"][-1]["content"] for r in server.requests[seen:]]
    assert not set(resumed) & done, "a completed request was sent again"
    assert len(resumed) == n - len(done)
    # Identical to a run that was never interrupted (another cache, same server).
    reference = get_model("openai/m", cache=Cache(tmp_path / "ref.sqlite")).generate(prompts(n))
    assert [c.text for c in out] == [c.text for c in reference]
    assert sum(c.cached for c in out) == len(done)


# -- two writers at once ------------------------------------------------------------------------

WRITER = """
import sys
from syco.cache import Cache
from syco.models import get_model, user
m = get_model("openai/m", cache=Cache(sys.argv[1]), max_connections=4)
out = m.generate([[user(f"q {i}")] for i in range(int(sys.argv[2]), int(sys.argv[3]))])
assert all(c.ok for c in out), [c.error for c in out if not c.ok]
"""


def test_two_writers_create_and_fill_one_answer_key_at_once(openai_env, tmp_path):
    path = tmp_path / "new" / "c.sqlite"  # neither finds a cache: both create it at once
    env = {**os.environ, "SYCO_PROGRESS": "0"}
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), a, b], env=env)
        for a, b in (("0", "80"), ("40", "120"))
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    cache = Cache(path)
    assert len(cache) == 120
    m = get_model("openai/m", cache=cache)
    seen = openai_env.calls
    out = m.generate(prompts(120))
    assert all(c.cached and c.text == f"echo: q {i}" for i, c in enumerate(out))
    assert openai_env.calls == seen


# -- the answer key is portable ----------------------------------------------------------------


def test_keys_name_the_endpoint_never_its_url(openai_env, tmp_path, monkeypatch):
    cache = Cache(tmp_path / "c.sqlite")
    [first] = get_model("openai/m", cache=cache).generate(prompts(1))
    assert first.ok
    (request,) = [json.loads(r) for (r,) in cache._conn().execute("SELECT request FROM answers")]
    assert "base_url" not in request and "127.0.0.1" not in canonical_json(request)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://elsewhere.example:9/v1")
    [again] = get_model("openai/m", cache=cache).generate(prompts(1))
    assert again.cached and again.text == first.text


def test_two_named_servers_in_one_run_keep_their_own_answers(syco_home, tmp_path, monkeypatch):
    with OpenAIServer() as a, OpenAIServer() as b:
        monkeypatch.setenv("MYSERV_BASE_URL", a.base_url)
        monkeypatch.setenv("MYSERV_API_KEY", "key-a")
        monkeypatch.setenv("OTHER_BASE_URL", b.base_url)
        monkeypatch.setenv("OTHER_API_KEY", "key-b")
        cache = Cache(tmp_path / "c.sqlite")
        ma = get_model("openai-api/myserv/m", cache=cache)
        mb = get_model("openai-api/other/m", cache=cache)
        assert ma.generate(prompts(2))[0].ok and mb.generate(prompts(3))[0].ok
        assert (a.calls, b.calls) == (2, 3)
        assert a.requests[0].headers["authorization"] == "Bearer key-a"
        assert b.requests[0].headers["authorization"] == "Bearer key-b"
        ends = [
            json.loads(r)["endpoint"]
            for (r,) in cache._conn().execute("SELECT request FROM answers")
        ]
        assert sorted(ends) == ["myserv"] * 2 + ["other"] * 3
        # Replayed from another machine: other URLs, no keys, offline.
        for var in ("MYSERV_API_KEY", "OTHER_API_KEY", "OTHER_BASE_URL"):
            monkeypatch.delenv(var)
        monkeypatch.setenv("MYSERV_BASE_URL", "http://10.9.9.9:1/v1")
        monkeypatch.setenv("SYCO_OFFLINE", "1")
        assert all(
            c.cached for c in get_model("openai-api/myserv/m", cache=cache).generate(prompts(2))
        )
        assert all(
            c.cached for c in get_model("openai-api/other/m", cache=cache).generate(prompts(3))
        )
        assert (a.calls, b.calls) == (2, 3)


@pytest.mark.parametrize(
    "spec, fix",
    [
        ("openai-api/m", "needs a service name"),
        ("openai-api/My Serv/m", "needs a service name"),
        ("openai-api/nourl/m", "NOURL_BASE_URL is not set"),
    ],
)
def test_bad_named_endpoints_say_what_to_set(syco_home, spec, fix):
    with pytest.raises(SycoError, match=fix):
        get_model(spec)


def legacy_cache(path: Path, rows: list[tuple[dict, dict]]) -> None:
    """A cache as round 1 wrote it: schema version 0, the base URL inside every request."""
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE answers (key TEXT PRIMARY KEY, model TEXT NOT NULL, kind TEXT NOT NULL,"
        " request TEXT NOT NULL, value TEXT NOT NULL, created REAL NOT NULL);"
        "CREATE INDEX answers_model ON answers(model);"
    )
    for req, value in rows:
        conn.execute(
            "INSERT INTO answers VALUES (?,?,?,?,?,?)",
            (
                cache_key(req),
                req["model"],
                req["kind"],
                canonical_json(req),
                canonical_json(value),
                1.0,
            ),
        )
    conn.commit()
    conn.close()


def test_a_round_1_answer_key_is_upgraded_and_replays_without_its_url(
    syco_home, tmp_path, monkeypatch
):
    """Entries recorded with `base_url` in the key (round 1) replay behind any URL, offline,
    keyless; two that differed only by URL keep the first and set the other aside."""
    chat = [user("q 0")]
    cfg = GenerateConfig().key()
    base = {"kind": "generate", "backend": "openai", "model": "m", "messages": chat, "config": cfg}
    local = {**base, "backend": "hf", "model": "tiny", "base_url": None, "dtype": "float32"}
    path = tmp_path / "old.sqlite"
    legacy_cache(
        path,
        [
            ({**base, "sample": 0, "base_url": "http://user:pw@10.0.0.1:8000/v1"}, {"text": "A"}),
            ({**base, "sample": 0, "base_url": "http://10.0.0.2:8000/v1"}, {"text": "B"}),
            ({**base, "sample": 1, "base_url": None}, {"text": "C"}),
            ({**local, "sample": 0}, {"text": "D"}),
        ],
    )
    cache = Cache(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    text = " ".join(r for (r,) in conn.execute("SELECT request FROM answers"))
    assert "base_url" not in text and "10.0.0" not in text and "pw" not in text
    assert conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0] == 3
    assert conn.execute("SELECT COUNT(*) FROM answers_superseded").fetchone()[0] == 1
    conn.close()
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SYCO_OFFLINE", "1")
    m = get_model("openai/m", cache=cache)
    out = m.generate([chat, chat], sample_indices=[0, 1])
    assert [c.text for c in out] == ["A", "C"] and all(c.cached for c in out)
    again = Cache(path)  # opening an upgraded cache changes nothing
    assert len(again) == 3
    from syco.cache import verify

    report = verify(path)
    assert report["ok"] and report["superseded"] == 1 and report["version"] == 1


# -- replay never makes things worse ------------------------------------------------------------


def _record(errors: int, rows: int = 3, cached: bool = False, **spec):
    from syco.results import RunRecord

    return RunRecord(
        chapter="answer",
        model="openai/m",
        spec={
            "n": 3,
            "new_calls": 0 if cached else rows,
            "cache_hits": rows if cached else 0,
            "call_errors": errors,
            "seconds": 1.0,
            **spec,
        },
        rows=[
            {"i": i, "text": None if i < errors else f"a{i}", "cached": cached} for i in range(rows)
        ],
        metrics=[{"metric": "acc", "value": 1.0, "n": rows}],
    )


def test_a_record_is_never_replaced_by_a_worse_one(syco_home, monkeypatch):
    from syco.results import load_runs, run_path, save_run
    from syco.results.store import ReplayMiss

    path = save_run(_record(0))
    good = path.read_bytes()
    assert save_run(_record(2)) == path and path.read_bytes() == good  # more errors: kept
    save_run(_record(0, cached=True))  # the same answers, now from the cache: untouched
    assert path.read_bytes() == good
    monkeypatch.setenv("SYCO_OFFLINE", "1")
    with pytest.raises(ReplayMiss, match=r"answer: openai/m: 2 answer\(s\) not in the answer key"):
        save_run(_record(2, cached=True))
    assert path.read_bytes() == good
    monkeypatch.delenv("SYCO_OFFLINE")
    save_run(_record(0, n=4, rows=4))  # a better (different) record replaces it
    assert load_runs("answer")[0].spec["n"] == 4 and run_path("answer", "openai/m") == path


def test_offline_misses_are_errors_in_the_counters(openai_env, tmp_path, monkeypatch):
    cache = Cache(tmp_path / "c.sqlite")
    get_model("openai/m", cache=cache).generate(prompts(2))
    monkeypatch.setenv("SYCO_OFFLINE", "1")
    m = get_model("openai/m", cache=cache)
    out = m.generate(prompts(5))
    assert sum(not c.ok for c in out) == 3
    assert m.stats.summary()["call_errors"] == 3 and m.stats.summary()["cache_hits"] == 2
