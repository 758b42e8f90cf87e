"""Batch mode: the real openai/anthropic SDKs against local servers speaking the Batch API
and Message Batches wire formats (tests/batch_servers.py).

Covers: a batch that completes (answers cached under the ordinary keys, so an unbatched run
replays it with zero calls and vice versa), per-request failures recorded as errors and never
cached, an expired batch (what finished is kept, the rest is an error, a rerun resubmits only
that), a cancelled batch, and kill -9 while polling followed by a resume that submits nothing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from batch_servers import AnthropicBatchServer, OpenAIBatchServer

from syco.cache import Cache
from syco.models import GenerateConfig, get_model, user
from syco.models.batch_store import BatchStore
from syco.models.runstate import CALLS

BACKENDS = ["openai", "anthropic"]
CFG = GenerateConfig(temperature=0.0, max_tokens=16, system="be brief", stop=("\n",))


@pytest.fixture(params=BACKENDS)
def batch_env(request, syco_home: Path, monkeypatch) -> Iterator[tuple[str, object]]:
    """(backend, server) with the environment pointing the SDK at the server."""
    cls = OpenAIBatchServer if request.param == "openai" else AnthropicBatchServer
    with cls() as server:
        name = request.param.upper()
        monkeypatch.setenv(f"{name}_BASE_URL", server.base_url)
        monkeypatch.setenv(f"{name}_API_KEY", "test-key-not-secret")
        monkeypatch.setenv("SYCO_BATCH_POLL", "0.02")
        monkeypatch.delenv("SYCO_BATCH", raising=False)
        yield request.param, server


def chats(n: int, fail: set[int] = frozenset()) -> list:
    return [[user(f"question {i}" + (" FAIL" if i in fail else ""))] for i in range(n)]


def model(backend: str, cache: Cache, batch: bool = True):
    return get_model(f"{backend}/m", cache=cache, batch=batch, retry_base=0.01, max_retries=2)


def test_batch_completes_and_replays_unbatched(batch_env, tmp_path):
    backend, server = batch_env
    cache = Cache(tmp_path / "c.sqlite")
    out = model(backend, cache).generate(chats(5), CFG)
    assert [c.text for c in out] == [f"echo: question {i}" for i in range(5)]
    assert all(c.ok and not c.cached and c.usage.output_tokens == 3 for c in out)
    assert server.creates == 1 and server.calls == 0  # one batch, no ordinary call
    [b] = server.batches.values()
    assert len(b["requests"]) == 5
    body = b["requests"][0][1]  # the same wire body as an ordinary call
    assert body["temperature"] == 0.0 and body["max_tokens"] == 16
    assert body.get("stop", body.get("stop_sequences")) == ["\n"]
    [rec] = BatchStore().records()
    assert rec.state == "collected" and rec.succeeded == 5 and rec.status in ("completed", "ended")
    # Same keys as an ordinary call: an unbatched run replays with zero calls.
    n_requests, calls = len(server.requests), CALLS["count"]
    again = model(backend, cache, batch=False).generate(chats(5), CFG)
    assert [c.text for c in again] == [c.text for c in out] and all(c.cached for c in again)
    assert len(server.requests) == n_requests and CALLS["count"] == calls


def test_unbatched_answers_replay_in_batch_mode(batch_env, tmp_path):
    backend, server = batch_env
    cache = Cache(tmp_path / "c.sqlite")
    model(backend, cache, batch=False).generate(chats(3), CFG)
    n_requests = len(server.requests)
    out = model(backend, cache).generate(chats(4), CFG)  # 3 cached, 1 new
    assert [c.cached for c in out] == [True, True, True, False]
    [b] = server.batches.values()
    assert len(b["requests"]) == 1 and len(server.requests) > n_requests


def test_failed_requests_are_errors_never_cached(batch_env, tmp_path):
    backend, server = batch_env
    cache = Cache(tmp_path / "c.sqlite")
    m = model(backend, cache)
    out = m.generate(chats(4, fail={1, 3}), CFG)
    assert [c.ok for c in out] == [True, False, True, False]
    assert out[1].text is None and "invalid_request_error" in out[1].error
    assert len(cache) == 2 and m.stats.errors == 2 and m.stats.new == 2
    # A rerun submits only the two failed requests again.
    again = model(backend, cache).generate(chats(4, fail={1, 3}), CFG)
    assert [c.cached for c in again] == [True, False, True, False]
    assert server.creates == 2 and len(list(server.batches.values())[1]["requests"]) == 2


def test_expired_batch_keeps_what_finished_and_rerun_resubmits_the_rest(batch_env, tmp_path):
    backend, server = batch_env
    cache = Cache(tmp_path / "c.sqlite")
    server.expire_after = 2
    out = model(backend, cache).generate(chats(5), CFG)
    assert [c.ok for c in out] == [True, True, False, False, False]
    assert "expired" in out[2].error
    [rec] = BatchStore().records()
    assert rec.state == "collected" and rec.status in ("expired", "ended") and rec.succeeded == 2
    server.expire_after = None
    again = model(backend, cache).generate(chats(5), CFG)
    assert all(c.ok for c in again) and [c.cached for c in again] == [True] * 2 + [False] * 3
    assert server.creates == 2 and len(list(server.batches.values())[1]["requests"]) == 3


def test_cancel_through_the_store_record(batch_env, tmp_path):
    """`syco batches cancel` path: cancel a live batch; the run reports its requests as
    errors; a rerun resubmits them."""
    import threading

    from syco.models.batch import cancel

    backend, server = batch_env
    cache = Cache(tmp_path / "c.sqlite")
    server.hold = True
    box: dict = {}
    t = threading.Thread(
        target=lambda: box.setdefault("out", model(backend, cache).generate(chats(3), CFG))
    )
    t.start()
    deadline = time.time() + 20
    while not [r for r in BatchStore().records() if r.provider_id] and time.time() < deadline:
        time.sleep(0.02)
    [rec] = BatchStore().records()
    status = cancel(rec.id)
    assert status.status in ("cancelling", "canceling")
    t.join(20)
    assert not t.is_alive()
    assert all(not c.ok and "cancel" in c.error for c in box["out"])
    server.hold = False
    again = model(backend, cache).generate(chats(3), CFG)
    assert all(c.ok for c in again) and server.creates == 2


WORKER = """
import sys
from syco.cache import Cache
from syco.models import GenerateConfig, get_model, user
m = get_model(sys.argv[1], cache=Cache(sys.argv[2]), batch=True)
out = m.generate([[user(f"question {i}")] for i in range(6)], GenerateConfig(max_tokens=16))
print(sum(c.ok for c in out), sum(c.cached for c in out), flush=True)
"""


def test_kill_9_while_polling_then_resume_with_zero_resubmission(batch_env, tmp_path):
    backend, server = batch_env
    cache_path = tmp_path / "c.sqlite"
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    server.hold = True
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    cmd = [sys.executable, str(script), f"{backend}/m", str(cache_path)]
    proc = subprocess.Popen(cmd, env=env)
    store = BatchStore()
    deadline = time.time() + 60
    while time.time() < deadline:  # submitted, its id on disk, and polled at least twice
        recs = store.records()
        if (
            recs
            and recs[0].provider_id
            and server.batches
            and next(iter(server.batches.values()))["polls"] >= 2
        ):
            break
        time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("the worker never got to polling")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert server.creates == 1 and len(Cache(cache_path)) == 0
    [rec] = store.records()
    assert rec.state == "submitted"
    # Resume: the batch finishes; the rerun polls and collects it, submitting nothing.
    server.hold = False
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["6", "0"]
    assert server.creates == 1
    if backend == "openai":
        assert server.uploads == 1
    [rec] = store.records()
    assert rec.state == "collected" and rec.succeeded == 6
    # A third run replays from the answer key: no request reaches the server at all.
    n_requests = len(server.requests)
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert res.stdout.split() == ["6", "6"] and len(server.requests) == n_requests


def test_crash_before_the_id_was_written(batch_env, tmp_path):
    """A record left in 'submitting' (crash or lost reply while submitting): its batch is
    found again (OpenAI by the metadata tag, Anthropic by size and time), never sent twice;
    where no batch matches, the requests are submitted again and the note says so."""
    backend, server = batch_env
    model(backend, Cache(tmp_path / "c.sqlite")).generate(chats(2), CFG)
    store = BatchStore()
    [rec] = store.records()
    rec.state, rec.provider_id = "submitting", None
    store.save(rec)
    out = model(backend, Cache(tmp_path / "c2.sqlite")).generate(chats(2), CFG)
    assert all(c.ok for c in out) and server.creates == 1
    assert store.find(rec.id).state == "collected"
    # A record whose batch never reached the provider (3 requests: no batch that size).
    rec.id, rec.keys, rec.state, rec.provider_id = (
        "lost-1",
        rec.keys + ["x" * 64],
        "submitting",
        None,
    )
    store.save(rec)
    out = model(backend, Cache(tmp_path / "c3.sqlite")).generate(chats(2), CFG)
    assert all(c.ok for c in out) and server.creates == 2
    lost = store.find("lost-1")
    assert lost.state == "abandoned" and "submitted again" in lost.note


def test_records_hold_no_secret(batch_env, tmp_path):
    backend, _ = batch_env
    model(backend, Cache(tmp_path / "c.sqlite")).generate(chats(2), CFG)
    for p in (Path(os.environ["SYCO_HOME"]) / "batches").iterdir():
        assert "test-key-not-secret" not in p.read_text()
    assert json.loads(next((Path(os.environ["SYCO_HOME"]) / "batches").glob("*.json")).read_text())


def test_syco_batches_list_and_show(batch_env, tmp_path):
    from typer.testing import CliRunner

    from syco.cli import app

    backend, server = batch_env
    model(backend, Cache(tmp_path / "c.sqlite")).generate(chats(2), CFG)
    [pid] = server.batches
    runner = CliRunner()
    live = runner.invoke(app, ["batches", "list"])
    assert live.exit_code == 0 and "no live batches" in live.output
    every = runner.invoke(app, ["batches", "list", "--all"])
    assert every.exit_code == 0 and pid in every.output and "collected" in every.output
    shown = runner.invoke(app, ["batches", "show", pid])
    assert shown.exit_code == 0 and "succeeded    2" in shown.output
    gone = runner.invoke(app, ["batches", "cancel", pid])
    assert gone.exit_code != 0 and "nothing to cancel" in str(gone.exception or gone.output)


def test_cost_bills_batched_tokens_at_the_providers_batch_price(batch_env, tmp_path):
    """`Model.cost_usd`: list price for ordinary calls, the provider's batch price (half, for
    both OpenAI and Anthropic) for replies that came back through its batch API."""
    from syco.models.pricing import PRICES
    from syco.models.types import Usage

    backend, _ = batch_env
    model_id = {"openai": "gpt-4o-mini", "anthropic": "claude-3-5-haiku"}[backend]
    spec, (p_in, p_out) = f"{backend}/{model_id}", PRICES[model_id]
    batched = get_model(spec, cache=Cache(tmp_path / "a.sqlite"), batch=True)
    plain = get_model(spec, cache=Cache(tmp_path / "b.sqlite"), batch=False)
    assert all(c.ok for c in batched.generate(chats(4), CFG) + plain.generate(chats(4), CFG))
    usage = plain.stats.usage
    assert usage.input_tokens > 0 and usage.output_tokens == 4 * 3
    assert batched.stats.usage == usage == batched.stats.batched and plain.stats.batched == Usage()
    list_price = (usage.input_tokens * p_in + usage.output_tokens * p_out) / 1e6
    assert plain.cost_usd == pytest.approx(list_price, rel=1e-12)
    assert batched.cost_usd == pytest.approx(0.5 * list_price, rel=1e-12)
    # A snapshot's difference keeps the split (what one chapter's run record sees).
    before = batched.stats.copy()
    batched.generate(chats(6), CFG)
    assert batched.stats.since(before).batched.output_tokens == 2 * 3
