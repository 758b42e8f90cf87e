"""The reliability suite, command line: every bad input ends in one line, exit 2 and
untouched files; credentials are never echoed; Ctrl-C is one line.
"""

from __future__ import annotations

import sqlite3
import time

import pytest
from cli_helpers import (
    REPO,
    clean_env,
    ctrl_c_once_the_server_is_asked,
    one_line_error,
    prompts,
    snapshot,
    syco,
)

from syco.cache import Cache
from syco.errors import SycoError
from syco.models import get_model

# -- bad input: one line, exit 2, files untouched -------------------------------------------------


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
