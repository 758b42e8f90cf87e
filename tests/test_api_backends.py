"""The openai/ and anthropic/ backends end to end: real SDKs against local fake servers.

Covers what the shared wrapper promises for API models: answers with usage, retries that
honour Retry-After, errors recorded (never cached, never answers), the concurrency limit,
the answer-key cache, prefill, and that the API key never reaches the cache file.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from servers import (
    AnthropicServer,
    OpenAIServer,
    closed_port,
    error,
    malformed,
    missing_field,
    overloaded,
    rate_limited,
)

from syco.cache import Cache
from syco.errors import CapabilityError, SycoError
from syco.models import PREFILL, GenerateConfig, Model, assistant, get_model, user

OPENAI_KEY = "sk-test-OPENAI-7f3a9c2e51d04b8a"
ANTHROPIC_KEY = "test-anthropic-key-c41e88d2a07b"


@pytest.fixture
def api_env(
    syco_home: Path,
    openai_server: OpenAIServer,
    anthropic_server: AnthropicServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", anthropic_server.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", ANTHROPIC_KEY)


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache(tmp_path / "c.sqlite")


def model(spec: str, cache: Cache, **options) -> Model:
    opts = {"retry_base": 0.01, "max_retries": 2, **options}
    return get_model(spec, cache=cache, **opts)


BACKENDS = ["openai", "anthropic"]


@pytest.fixture(params=BACKENDS)
def backend(request, api_env, openai_server, anthropic_server):
    """(spec, server) for each API backend."""
    server = openai_server if request.param == "openai" else anthropic_server
    return f"{request.param}/m", server


# -- answers ------------------------------------------------------------------------------


def test_normal_reply_with_usage_and_key_header(backend, cache):
    spec, server = backend
    [c] = model(spec, cache).generate(
        [[user("hello there world")]], GenerateConfig(system="be brief")
    )
    assert c.ok and c.error is None and not c.cached
    assert c.text == "echo: hello there world"
    assert c.usage.input_tokens == 5  # 3 user words + 2 system words, as the fake counts
    assert c.usage.output_tokens == 4
    assert c.stop_reason in ("stop", "end_turn")
    [req] = server.requests
    assert req.path == server.path
    key = OPENAI_KEY if spec.startswith("openai") else ANTHROPIC_KEY
    assert key in (req.headers.get("authorization", "") + req.headers.get("x-api-key", ""))
    assert req.body["model"] == "m"
    assert req.body["temperature"] == 0.0
    assert req.body["max_tokens"] == 256
    if spec.startswith("anthropic"):
        assert req.body["system"] == "be brief"
        assert "anthropic-version" in req.headers
    else:
        assert req.body["messages"][0] == {"role": "system", "content": "be brief"}


def test_sampling_settings_reach_the_wire(backend, cache):
    spec, server = backend
    config = GenerateConfig(temperature=0.7, top_p=0.9, max_tokens=17, stop=("\n",))
    [c] = model(spec, cache).generate([[user("q")]], config)
    assert c.ok
    body = server.requests[0].body
    assert (body["temperature"], body["top_p"], body["max_tokens"]) == (0.7, 0.9, 17)
    assert body.get("stop", body.get("stop_sequences")) == ["\n"]


def test_second_identical_call_is_a_cache_hit(backend, cache):
    spec, server = backend
    m = model(spec, cache)
    [first] = m.generate([[user("same")]])
    [again] = model(spec, cache).generate([[user("same")]])  # a fresh model, same cache
    assert first.ok and not first.cached
    assert again.cached and again.text == first.text == "echo: same"
    assert again.usage == first.usage
    assert server.calls == 1
    assert len(cache) == 1


def test_sample_indices_make_distinct_entries(backend, cache):
    spec, server = backend
    m = model(spec, cache)
    chats = [[user("s")]] * 3
    out = m.generate(chats, GenerateConfig(temperature=1.0), sample_indices=[0, 1, 2])
    assert [c.ok for c in out] == [True] * 3
    assert server.calls == 3 and len(cache) == 3
    again = m.generate(chats, GenerateConfig(temperature=1.0), sample_indices=[2, 1, 0])
    assert all(c.cached for c in again) and server.calls == 3
    [new] = m.generate([[user("s")]], GenerateConfig(temperature=1.0), sample_indices=[3])
    assert not new.cached and server.calls == 4 and len(cache) == 4


def test_results_come_back_in_input_order(backend, cache):
    spec, server = backend
    server.latency = 0.01
    prompts = [f"p{i}" for i in range(12)]
    out = model(spec, cache, max_connections=5).generate([[user(p)] for p in prompts])
    assert [c.text for c in out] == [f"echo: {p}" for p in prompts]


# -- retries ------------------------------------------------------------------------------


def test_429_retry_after_seconds_is_honoured(backend, cache):
    spec, server = backend
    server.script(rate_limited(retry_after="1"))
    t0 = time.monotonic()
    [c] = model(spec, cache).generate([[user("later")]])
    waited = time.monotonic() - t0
    assert c.ok and c.text == "echo: later"
    assert server.calls == 2
    gap = server.requests[1].time - server.requests[0].time
    assert 0.9 <= gap < 3.0, gap  # retry_base is 0.01 s: only Retry-After explains ~1 s
    assert waited >= 0.9
    assert len(cache) == 1


def test_429_retry_after_ms_is_honoured(backend, cache):
    spec, server = backend
    server.script(
        rate_limited(retry_after=None, retry_after_ms="200"),
        rate_limited(retry_after=None, retry_after_ms="200"),
    )
    [c] = model(spec, cache, max_retries=3).generate([[user("ms")]])
    assert c.ok and c.text == "echo: ms"
    assert server.calls == 3
    gaps = [b.time - a.time for a, b in zip(server.requests, server.requests[1:], strict=False)]
    assert all(0.18 <= g < 1.5 for g in gaps), gaps


def test_anthropic_529_overloaded_is_retried(api_env, anthropic_server, cache):
    anthropic_server.script(overloaded(), overloaded())
    [c] = model("anthropic/m", cache).generate([[user("busy")]])
    assert c.ok and c.text == "echo: busy"
    assert anthropic_server.calls == 3


def test_persistent_500_is_an_error_never_cached_then_recovers(backend, cache):
    spec, server = backend
    server.default = error(500)
    m = model(spec, cache, max_retries=2)
    [c] = m.generate([[user("boom")]])
    assert not c.ok and c.text is None and c.stop_reason == "error"
    assert "500" in c.error and "after 3 attempts" in c.error
    assert server.calls == 3  # 1 try + 2 retries
    assert len(cache) == 0
    assert m.stats.errors == 1 and m.stats.new == 0

    server.reset()  # healthy again (default action: a normal reply), request log cleared
    [c2] = m.generate([[user("boom")]])
    assert c2.ok and c2.text == "echo: boom" and not c2.cached
    assert server.calls == 1 and len(cache) == 1
    [c3] = m.generate([[user("boom")]])
    assert c3.cached and server.calls == 1


def test_non_transient_4xx_is_not_retried(backend, cache):
    spec, server = backend
    server.script(error(401, "authentication_error"))
    [c] = model(spec, cache, max_retries=5).generate([[user("who")]])
    assert not c.ok and "401" in c.error and "_API_KEY" in c.error
    assert server.calls == 1 and len(cache) == 0


@pytest.mark.parametrize(
    "action",
    [malformed(), missing_field(), malformed(b"<html>oops</html>", "text/html")],
    ids=["invalid-json", "missing-field", "not-json"],
)
def test_malformed_body_is_an_error_not_an_answer(backend, cache, action):
    spec, server = backend
    server.script(action)
    [c] = model(spec, cache).generate([[user("mangled")]])
    assert not c.ok and c.text is None
    assert "malformed" in c.error or "JSONDecodeError" in c.error
    assert len(cache) == 0
    [c2] = model(spec, cache).generate([[user("mangled")]])  # the server is fine again
    assert c2.ok and c2.text == "echo: mangled" and len(cache) == 1


def test_refused_connection_fails_at_once_with_advice(api_env, cache, monkeypatch):
    """A refused connection is permanent: one attempt, not seven over 40-60 s, advice that
    names the variable to check, and nothing more is sent to that endpoint."""
    port = closed_port()
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", f"http://127.0.0.1:{port}")
    for spec, var in (("openai/m", "OPENAI_BASE_URL"), ("anthropic/m", "ANTHROPIC_BASE_URL")):
        t0 = time.monotonic()
        m = model(spec, cache, max_retries=6, retry_base=1.0)
        out = m.generate([[user("anyone?")], [user("hello?")]])
        assert time.monotonic() - t0 < 5
        assert all(not c.ok and c.text is None for c in out)
        assert all("connection refused" in c.error and var in c.error for c in out)
        assert all("attempts" not in c.error for c in out)
        assert m.stats.errors == 2
    assert len(cache) == 0


# -- concurrency --------------------------------------------------------------------------


def test_concurrency_limit_is_respected(backend, cache):
    spec, server = backend
    server.latency = 0.1
    t0 = time.monotonic()
    out = model(spec, cache, max_connections=4).generate([[user(f"c{i}")] for i in range(20)])
    wall = time.monotonic() - t0
    assert all(c.ok for c in out) and server.calls == 20
    assert server.max_in_flight == 4  # the limit held, and all 4 slots were used at once
    assert wall >= 0.45  # 20 / 4 waves of 0.1 s


# -- prefill and capabilities -----------------------------------------------------------------


def test_anthropic_prefill_is_sent_as_final_assistant_message(api_env, anthropic_server, cache):
    m = model("anthropic/m", cache)
    assert PREFILL in m.capabilities
    chat = [user("Which is right, (A) or (B)?"), assistant("The answer is (")]
    [c] = m.generate([chat])
    assert c.ok
    body = anthropic_server.requests[0].body
    assert body["messages"][-1] == {"role": "assistant", "content": "The answer is ("}
    assert body["messages"][0] == {"role": "user", "content": "Which is right, (A) or (B)?"}
    assert "system" not in body


def test_openai_rejects_prefill_up_front(api_env, openai_server, cache):
    m = model("openai/m", cache)
    assert PREFILL not in m.capabilities
    with pytest.raises(CapabilityError, match="prefill"):
        m.generate([[user("ok")], [user("q"), assistant("The answer is (")]])
    assert openai_server.calls == 0 and len(cache) == 0


@pytest.mark.parametrize(
    "spec,var", [("openai/m", "OPENAI_API_KEY"), ("anthropic/m", "ANTHROPIC_API_KEY")]
)
def test_missing_api_key_is_a_user_error(api_env, cache, monkeypatch, spec, var):
    monkeypatch.delenv(var)
    with pytest.raises(SycoError, match=var):
        get_model(spec, cache=cache)


@pytest.mark.parametrize(
    "spec,var", [("openai/m", "OPENAI_API_KEY"), ("anthropic/m", "ANTHROPIC_API_KEY")]
)
def test_offline_replay_needs_no_api_key(
    api_env, openai_server, anthropic_server, cache, monkeypatch, spec, var
):
    """The book rebuilds API chapters from the cache with no key in the environment."""
    chats = [[user("cached")], [user("never asked")]]
    model(spec, cache).generate(chats[:1])
    monkeypatch.delenv(var)
    monkeypatch.setenv("SYCO_OFFLINE", "1")
    server = openai_server if spec.startswith("openai") else anthropic_server
    before = server.calls
    hit, miss = model(spec, cache).generate(chats)
    assert hit.ok and hit.cached and hit.text == "echo: cached"
    assert not miss.ok and "answer key" in miss.error
    assert server.calls == before


def test_no_secret_in_the_cache_file(api_env, openai_server, anthropic_server, cache):
    chats = [[user("secret?")], [user("another")]]
    for spec in ("openai/m", "anthropic/m"):
        out = model(spec, cache).generate(chats, GenerateConfig(system="sys"))
        assert all(c.ok for c in out)
    assert len(cache) == 4
    files = sorted(cache.path.parent.glob(cache.path.name + "*"))  # db, -wal, -shm
    blob = b"".join(p.read_bytes() for p in files)
    assert b"echo: secret?" in blob  # the check reads the right bytes...
    for secret in (OPENAI_KEY, ANTHROPIC_KEY):
        assert secret.encode() not in blob  # ...and no key is in them
        assert secret[-12:].encode() not in blob
