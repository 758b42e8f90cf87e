"""The reliability suite: the answer key is portable and never loses a result.

Fast and local: the real SDKs against 127.0.0.1 servers (tests/servers.py), every loop
bounded. Faults with exact counts of requests, answers and errors; kill -9 mid-run, then a
resume that repeats no completed request; two writers at once; every bad input ends in one
line, exit 2, and untouched files; an answer key made behind one URL replays from a shell
with another URL (or none) and no keys.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from servers import OpenAIServer, drop, error, malformed, overloaded, rate_limited, stall

from syco.cache import Cache, cache_key, canonical_json
from syco.errors import SycoError
from syco.models import CALLS, GenerateConfig, get_model, user

REPO = Path(__file__).resolve().parents[1]
ENDPOINT_VARS = ("OPENAI_", "ANTHROPIC_", "SYCO_", "MYSERV_", "OTHER_")


def prompts(n: int, tag: str = "q") -> list[list[dict[str, str]]]:
    return [[user(f"{tag} {i}")] for i in range(n)]


@pytest.fixture
def openai_env(syco_home, openai_server, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "local-key")
    monkeypatch.setenv("SYCO_RETRY_BASE", "0.01")
    return openai_server


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


# -- bad input: one line, exit 2, files untouched -------------------------------------------------


def one_line_error(r: subprocess.CompletedProcess, *expect: str) -> str:
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode == 2, (r.returncode, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("syco: error: "), err
    assert "Traceback" not in err
    for e in expect:
        assert e in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h


def test_non_utf8_prompt_is_one_line_from_argv_file_and_stdin(home, tmp_path):
    env = clean_env(SYCO_HOME=str(home))
    bad = tmp_path / "prompt.txt"
    bad.write_bytes(b"caf\xe9 au lait")
    before = snapshot(home)
    one_line_error(syco("ask", b"caf\xe9".decode("utf-8", "surrogateescape"), env=env), "not UTF-8")
    one_line_error(syco("ask", "--file", str(bad), env=env), "not UTF-8", "byte 3")
    one_line_error(syco("ask", "-", env=env, stdin=b"\xff\xfe"), "stdin is not UTF-8")
    assert snapshot(home) == before


@pytest.mark.parametrize(
    "content, expect",
    [(b"this is not sqlite at all", "not a readable SQLite database"), (b"", "empty (0 bytes")],
    ids=["corrupted", "zero-bytes"],
)
def test_a_broken_cache_is_one_line_and_left_as_it_was(home, content, expect):
    path = home / "cache.sqlite"
    path.write_bytes(content)
    env = clean_env(SYCO_HOME=str(home), OPENAI_API_KEY="k")
    before = snapshot(path)
    for args in (("ask", "-m", "openai/m", "hi"), ("cache", "stats"), ("cache", "verify")):
        one_line_error(syco(*args, env=env), expect, str(path))
        assert snapshot(path) == before
    assert path.read_bytes() == content


def test_a_non_utf8_run_record_is_one_line_and_left_as_it_was(home):
    rec = home / "results" / "answer" / "m.json"
    rec.parent.mkdir(parents=True)
    rec.write_bytes(b'{"chapter": "answer", "model": "m\xff"}')
    before = snapshot(rec.parent)
    one_line_error(syco("results", env=clean_env(SYCO_HOME=str(home))), str(rec), "not UTF-8")
    assert snapshot(rec.parent) == before


def test_syco_home_that_is_a_file_is_one_line(tmp_path):
    f = tmp_path / "home"
    f.write_text("not a directory")
    env = clean_env(SYCO_HOME=str(f), OPENAI_API_KEY="k")
    for args in (("ask", "-m", "openai/m", "hi"), ("cache", "stats"), ("results",)):
        one_line_error(syco(*args, env=env), "SYCO_HOME", "is a file")
    assert f.read_text() == "not a directory"


@pytest.mark.parametrize(
    "url, expect",
    [("localhost:8000/v1", "is not an http(s) URL"), ("ftp://x/v1", "is not an http(s) URL")],
)
def test_invalid_base_url_fails_at_once(home, url, expect):
    env = clean_env(SYCO_HOME=str(home), OPENAI_API_KEY="k", OPENAI_BASE_URL=url)
    t0 = time.monotonic()
    one_line_error(syco("ask", "-m", "openai/m", "hi", env=env), "OPENAI_BASE_URL", expect)
    assert time.monotonic() - t0 < 30


def test_refused_and_unknown_hosts_fail_at_once_from_the_cli(home):
    from servers import closed_port

    for url, expect in (
        (f"http://127.0.0.1:{closed_port()}/v1", "connection refused"),
        ("http://no-such-host.invalid/v1", "unknown host"),
    ):
        env = clean_env(SYCO_HOME=str(home), OPENAI_API_KEY="k", OPENAI_BASE_URL=url)
        t0 = time.monotonic()
        one_line_error(syco("ask", "-m", "openai/m", "hi", env=env), expect, "OPENAI_BASE_URL")
        assert time.monotonic() - t0 < 30


SECRETS = [
    "gsk_4bXq9TzL2mN8pR5sV7wY1cE3",
    "sk-ant-" + "api03-Zx9Kq2Lm8Np4Rs6Tv1Wy3Bc5",  # made up; split so no scanner takes it for a key
    "hf_AbCdEfGhIjKlMnOp1234QrSt",
    "xai-9f8e7d6c5b4a3928170615",
    "AIzaSyD-9tSrke72PouQMnMX7a2bR9Ef4Ks3nM0",
    "ghp_1234567890abcdefghijABCDEFGHIJ123456",
    "github_pat_11AAAAAAA0abcdefghijk_LMNOPqrstuVWXyz0123456789",
    "AKIAIOSFODNN7EXAMPLE",
    "http://alice:s3cret@10.0.0.1:8000/v1",
    "q7VxN2pL9sK4mR8tW1zC6yB3hJ5dF0gA",
]


@pytest.mark.parametrize("value", SECRETS)
def test_credentials_are_refused_as_parameters_and_never_echoed(home, value):
    from syco.runner.params import check_params
    from syco.secrets import looks_like_secret

    assert looks_like_secret(value) and looks_like_secret(["openai/x", value])
    known = {"grader": {"default": '"alias"', "help": ""}}
    with pytest.raises(SycoError, match="looks like a credential") as e:
        check_params("answer", {"grader": value}, known)
    assert value not in str(e.value)


@pytest.mark.parametrize(
    "value",
    [
        "openai-api/together/meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo",
        "hf/./models/my-reward-model",
        "hf/OpenAssistant/reward-model-deberta-v3-large-v2",
        "anthropic/claude-3-5-haiku-20241022",
        "openai/ft:gpt-4o-mini-2024-07-18:my-org::9abcDEF1",
        "logprob:smollm2",
        "/home/user/data/ratings_2024-05-01.csv",
        "http://127.0.0.1:8000/v1",
        "hh_rlhf_helpful_base",
    ],
)
def test_model_specs_and_paths_are_not_mistaken_for_credentials(value):
    from syco.secrets import looks_like_secret

    assert not looks_like_secret(value)


@pytest.mark.parametrize(
    "args, expect",
    [
        (["-p", "models=openai/x"], "takes a list of model specs, not a string"),
        (["-p", "n=-1"], "n=-1 is out of range"),
        (["-p", "n=2.5"], "wrong type"),
        (["-p", "temperature=-0.5"], "out of range"),
        (["-p", "datasets=trivia_qa"], "wrong type"),
        (["-p", "grader=gsk_4bXq9TzL2mN8pR5sV7wY1cE3"], "looks like a credential"),
        (["-m", "sk-proj-4bXq9TzL2mN8pR5sV7wY1cE3"], "looks like a credential"),
        (["-m", "nonsense/x"], "unknown model spec"),
        (["-p", "nope=1"], "unknown parameter"),
    ],
)
def test_bad_parameters_are_one_line_before_any_kernel_starts(home, args, expect):
    chapters = REPO / "book" / "chapters"
    before = snapshot(chapters, home)
    r = syco("run", "answer", *args, env=clean_env(SYCO_HOME=str(home)))
    line = one_line_error(r, expect)
    assert "gsk_" not in line and "sk-proj" not in line
    assert snapshot(chapters, home) == before


def test_a_key_given_as_a_model_spec_is_never_echoed(home):
    key = "sk-proj-4bXq9TzL2mN8pR5sV7wY1cE3"
    line = one_line_error(syco("ask", "-m", key, "hi", env=clean_env(SYCO_HOME=str(home))))
    assert "unknown model spec" in line and key not in line


def test_ask_reads_a_prompt_longer_than_an_argument_from_stdin_and_files(
    openai_server, home, tmp_path
):
    text = "word " * 60_000  # 300 kB: over Linux's 128 kB limit for one argument
    env = clean_env(SYCO_HOME=str(home), OPENAI_API_KEY="k", OPENAI_BASE_URL=openai_server.base_url)
    r = syco("ask", "-m", "openai/m", "-", env=env, stdin=text.encode())
    assert r.returncode == 0, r.stderr
    assert openai_server.requests[-1].body["messages"][-1]["content"] == text
    f = tmp_path / "prompt.txt"
    f.write_text(text, encoding="utf-8")
    r2 = syco("ask", "-m", "openai/m", "--file", str(f), env=env)
    assert r2.returncode == 0 and r2.stdout == r.stdout and b"cache hit" in r2.stderr


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


def test_ctrl_c_is_one_line_with_the_results_kept(openai_server, home):
    openai_server.latency = 30  # the answer never comes in time
    env = clean_env(SYCO_HOME=str(home), OPENAI_API_KEY="k", OPENAI_BASE_URL=openai_server.base_url)
    rc, err = ctrl_c_once_the_server_is_asked(
        ["ask", "-m", "openai/m", "hi"], env, openai_server, 30
    )
    assert rc == 130
    assert err.strip().splitlines() == ["syco: interrupted; 0 results kept, rerun to finish"]


def test_cache_verify_checks_and_folds_the_log_in(openai_env, tmp_path):
    path = tmp_path / "c.sqlite"
    get_model("openai/m", cache=Cache(path)).generate(prompts(3))
    env = clean_env(SYCO_HOME=str(tmp_path / "h"))
    r = syco("cache", "verify", str(path), env=env)
    assert r.returncode == 0, r.stderr
    assert b"entries: 3" in r.stdout and b"ok: the file holds the whole answer key" in r.stdout
    copy = tmp_path / "copy.sqlite"  # the one file is the whole answer key
    copy.write_bytes(path.read_bytes())
    assert len(Cache(copy)) == 3
    conn = sqlite3.connect(path)
    conn.execute("UPDATE answers SET value = 'not json' WHERE rowid = 1")
    conn.commit()
    conn.close()
    one_line_error(
        syco("cache", "verify", str(path), env=env), "damaged", "1 entries that are not JSON"
    )


# -- pages: executed into a temporary file, published only on success ---------------------------


def _fake_papermill(monkeypatch, fail: BaseException | None):
    import papermill as pm

    def execute_notebook(src, out, **kwargs):
        Path(out).write_text('{"half": "a page"', encoding="utf-8")  # what a crash leaves
        if fail is not None:
            raise fail

    monkeypatch.setattr(pm, "execute_notebook", execute_notebook)


@pytest.mark.parametrize("how", ["error", "interrupt"])
def test_a_failed_run_never_replaces_the_published_page(syco_home, tmp_path, monkeypatch, how):
    import papermill as pm

    from syco.errors import Interrupted
    from syco.project import CHAPTERS
    from syco.runner import run_chapter

    out_dir = tmp_path / "chapters"
    out_dir.mkdir()
    page = out_dir / CHAPTERS["answer"].notebook
    page.write_text("the good page", encoding="utf-8")
    if how == "error":
        fail = pm.PapermillExecutionError(3, 3, "x = 1", "ValueError", "bad", ["tb"])
        expect: type[Exception] = SycoError
    else:
        fail, expect = KeyboardInterrupt(), Interrupted
    _fake_papermill(monkeypatch, fail)
    with pytest.raises(expect) as e:
        run_chapter(CHAPTERS["answer"], {"n": 2}, output_dir=out_dir, progress=False)
    assert page.read_text(encoding="utf-8") == "the good page"
    assert sorted(p.name for p in out_dir.iterdir()) == [page.name]  # no temp file left
    if how == "error":
        assert "published page is unchanged" in str(e.value)
        assert (syco_home / "failed" / page.name).read_text().startswith('{"half"')


def test_a_successful_run_is_published_whole(syco_home, tmp_path, monkeypatch):
    from syco.project import CHAPTERS
    from syco.runner import run_chapter

    _fake_papermill(monkeypatch, None)
    out_dir = tmp_path / "chapters"
    out = run_chapter(CHAPTERS["answer"], {}, output_dir=out_dir, progress=False)
    assert out.read_text(encoding="utf-8") == '{"half": "a page"'
    assert [p.name for p in out_dir.iterdir()] == [out.name]


# -- end to end: `syco run` and `syco book` never make a record or a page worse --------------------


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "book" / "chapters").mkdir(parents=True)
    (root / "notebooks").mkdir()
    for f in ("_config.yml", "_toc.yml", "pyproject.toml"):
        (root / f).write_text((REPO / f).read_text())
    nb = "03_3_answer.ipynb"
    (root / "notebooks" / nb).write_text((REPO / "notebooks" / nb).read_text())
    return root


def _answer_project(tmp_path, syco_home, data_mirror, server, n: int):
    """A project with the §3.3 notebook, its data built (`n` per set), and the environment of
    a shell whose OPENAI_* variables point at `server`."""
    from test_answer_chapter import build_sets

    build_sets(["answer"], n=n)
    root = _project(tmp_path)
    env = clean_env(
        SYCO_HOME=str(syco_home),
        SYCO_PROJECT_DIR=str(root),
        SYCO_DATA_MIRROR=str(data_mirror),
        OPENAI_API_KEY="local-key",
        OPENAI_BASE_URL=server.base_url,
    )
    return root, env


@pytest.mark.slow
def test_run_and_book_never_make_a_record_or_a_page_worse(
    syco_home, data_mirror, openai_server, tmp_path, monkeypatch
):
    """`syco run` against a local server; a later run whose calls all fail exits 1 and keeps
    the record and the page; `syco book` from a shell with no endpoint variable, then with
    another URL and no key, replays with zero calls and leaves the record byte-identical; with
    answers missing from the answer key it fails naming chapter, model and count, and keeps
    record and page."""
    from syco.book import build as B

    root, env = _answer_project(tmp_path, syco_home, data_mirror, openai_server, 3)
    run = ("run", "answer", "-m", "openai/m", "-p", "max_tokens=8")
    first = syco(*run, "-p", "n=1", env=env, timeout=600)
    assert first.returncode == 0, first.stderr.decode()
    record = syco_home / "results" / "answer" / "openai__m.json"
    page = root / "book" / "chapters" / "03_3_answer.ipynb"
    good_record, good_page = record.read_bytes(), page.read_bytes()
    assert json.loads(good_record)["spec"]["new_calls"] == 8

    openai_server.default = error(400)  # every new question fails now
    worse = syco(*run, "-p", "n=2", env=env, timeout=600)
    err = worse.stderr.decode()
    assert worse.returncode == 1, err
    assert "answer openai/m: subject (openai/m): 8 of 16 calls failed (50%)" in err
    assert "previous record (with 0 failed calls) was kept" in err
    assert "published page is unchanged" in err
    assert record.read_bytes() == good_record and page.read_bytes() == good_page

    for k in [k for k in os.environ if k.startswith(("OPENAI_", "ANTHROPIC_"))]:
        monkeypatch.delenv(k)
    monkeypatch.setenv("SYCO_PROJECT_DIR", str(root))
    monkeypatch.setattr(
        B, "jupyter_book", lambda root, **k: subprocess.CompletedProcess([], 0, "", "")
    )
    calls = openai_server.calls
    report = B.build_book(root=root)
    assert report.model_calls == 0 and openai_server.calls == calls
    assert set(report.executed) == {"answer"} and not report.failed
    assert record.read_bytes() == good_record
    from servers import closed_port

    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{closed_port()}/v1")  # another URL
    report = B.build_book(root=root)
    assert report.model_calls == 0 and openai_server.calls == calls and not report.failed
    assert record.read_bytes() == good_record
    replayed_page = page.read_bytes()

    conn = sqlite3.connect(syco_home / "cache.sqlite")
    conn.execute("DELETE FROM answers WHERE rowid IN (SELECT rowid FROM answers LIMIT 3)")
    conn.commit()
    conn.close()
    with pytest.raises(SycoError, match=r"answer: openai/m: 3 answer\(s\) not in the answer key"):
        B.build_book(root=root)
    assert record.read_bytes() == good_record and page.read_bytes() == replayed_page
    assert openai_server.calls == calls


@pytest.mark.slow
def test_ctrl_c_during_syco_run_is_one_line_and_publishes_nothing(
    syco_home, data_mirror, openai_server, tmp_path
):
    root, env = _answer_project(tmp_path, syco_home, data_mirror, openai_server, 1)
    openai_server.latency = 30  # the kernel waits on its first request when Ctrl-C comes
    args = ["run", "answer", "-m", "openai/m", "-p", "n=1"]
    rc, text = ctrl_c_once_the_server_is_asked(args, env, openai_server, 300)
    lines = [ln for ln in text.splitlines() if ln.strip() and "Executing" not in ln]
    assert rc == 130, text
    assert lines[-1] == "syco: interrupted; 0 results kept, rerun to finish", text
    assert "Traceback" not in text and len(lines) == 2  # "running §3.3 ..." and that line
    assert not list((root / "book" / "chapters").iterdir())


def test_a_read_only_or_locked_cache_says_what_to_do(tmp_path, monkeypatch):
    cache = Cache(tmp_path / "c.sqlite")
    for raised, expect in (
        ("attempt to write a readonly database", "read-only"),
        ("database is locked", "stayed locked by another process"),
    ):

        class Conn:
            def execute(self, *a, msg=raised):
                raise sqlite3.OperationalError(msg)

        monkeypatch.setattr(cache, "_conn", lambda conn=Conn(): conn)
        with pytest.raises(SycoError, match=expect):
            len(cache)
