"""The answer-key cache: stable keys, JSON values, concurrent writers, no errors stored,
and offline mode (a miss is an error, not a call)."""

from __future__ import annotations

import hashlib
import multiprocessing as mp
from pathlib import Path

import pytest

from syco.cache import Cache, cache_key, canonical_json
from syco.errors import ProviderError
from syco.models import CALLS, GENERATE, LOGPROBS, PREFILL, Completion, GenerateConfig, Model
from syco.models.base import ModelAPI
from syco.models.types import Usage

REQUEST = {
    "kind": "generate",
    "backend": "openai",
    "model": "m",
    "base_url": None,
    "messages": [{"role": "user", "content": "Héllo"}],
    "config": {"temperature": 0.0, "stop": []},
    "sample": 0,
}
CANONICAL = (
    '{"backend":"openai","base_url":null,"config":{"stop":[],"temperature":0.0},'
    '"kind":"generate","messages":[{"content":"Héllo","role":"user"}],"model":"m","sample":0}'
)
# Pinned: changing it would orphan every answer already in everyone's cache.
KNOWN_KEY = "6775bc0d8d01b1dce20594ce68358b7548cb8512da86d545513d7b0b253c3042"


def reorder(obj):
    """The same value with every dict's keys in reverse order."""
    if isinstance(obj, dict):
        return {k: reorder(obj[k]) for k in reversed(list(obj))}
    if isinstance(obj, list):
        return [reorder(v) for v in obj]
    return obj


# -- keys -----------------------------------------------------------------------------


def test_canonical_json_is_sorted_compact_utf8():
    assert canonical_json(REQUEST) == CANONICAL


def test_key_is_sha256_of_canonical_json():
    assert cache_key(REQUEST) == hashlib.sha256(CANONICAL.encode("utf-8")).hexdigest()
    assert cache_key(REQUEST) == KNOWN_KEY


def test_key_ignores_dict_order():
    shuffled = reorder(REQUEST)
    assert list(shuffled) != list(REQUEST)
    assert cache_key(shuffled) == cache_key(REQUEST)


@pytest.mark.parametrize(
    "change",
    [
        {"sample": 1},
        {"model": "m2"},
        {"base_url": "http://127.0.0.1:1/v1"},
        {"config": {"temperature": 1.0, "stop": []}},
        {"messages": [{"role": "user", "content": "Hello"}]},
    ],
)
def test_anything_that_changes_the_output_changes_the_key(change):
    assert cache_key({**REQUEST, **change}) != cache_key(REQUEST)


def test_model_keys_differ_by_sample_index_and_config(tmp_path):
    api = CountingAPI()
    m = Model("fake/m", api, cache=Cache(tmp_path / "c.sqlite"))
    chat = [{"role": "user", "content": "q"}]
    m.generate([chat, chat], sample_indices=[0, 1])
    m.generate([chat], GenerateConfig(temperature=0.5))
    m.generate([chat], GenerateConfig(stop=("x",)))
    assert api.calls == 4 and len(m.cache) == 4
    m.generate([chat, chat], sample_indices=[1, 0])
    assert api.calls == 4


# -- values ---------------------------------------------------------------------------


def test_json_roundtrip(tmp_path):
    cache = Cache(tmp_path / "c.sqlite")
    value = {"text": 'Ünïcode ✓ "quoted"\n', "n": [1, 2.5, None, True], "nested": {"a": {}}}
    key = cache_key(REQUEST)
    assert cache.get(key) is None
    cache.put(key, REQUEST, value)
    assert cache.get(key) == value
    assert Cache(tmp_path / "c.sqlite").get(key) == value  # a new connection reads it too
    assert cache.get_many([key, "missing"]) == {key: value}
    assert cache.stats() == [
        {"model": "m", "kind": "generate", "entries": 1, "bytes": cache.stats()[0]["bytes"]}
    ]


def test_completion_roundtrip_through_cache(tmp_path):
    cache = Cache(tmp_path / "c.sqlite")
    c = Completion(text="B", stop_reason="stop", usage=Usage(3, 1))
    cache.put("k", REQUEST, c.to_json())
    back = Completion.from_json(cache.get("k"), cached=True)
    assert (back.text, back.stop_reason, back.usage, back.cached) == (
        "B",
        "stop",
        Usage(3, 1),
        True,
    )


def test_get_many_handles_more_keys_than_one_query(tmp_path):
    cache = Cache(tmp_path / "c.sqlite")
    items = [(f"k{i}", REQUEST, {"i": i}) for i in range(1234)]
    cache.put_many(items)
    found = cache.get_many([k for k, _, _ in items] + ["nope"])
    assert len(found) == 1234 and found["k1000"] == {"i": 1000}


# -- two processes at once -------------------------------------------------------------------


def _writer(path: str, tag: str, n: int, barrier, errors) -> None:
    try:
        barrier.wait(timeout=30)
        cache = Cache(path)  # both open a fresh file at the same moment, too
        for i in range(n):
            req = {**REQUEST, "sample": i, "model": tag}
            cache.put(cache_key(req), req, {"text": f"{tag}-{i}"})
    except Exception as e:  # reported to the parent: the test asserts there are none
        errors.put(f"{tag}: {type(e).__name__}: {e}")


def test_two_processes_write_at_once(tmp_path):
    path = str(tmp_path / "shared.sqlite")
    ctx = mp.get_context("spawn")
    barrier, errors = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(path, t, 200, barrier, errors)) for t in "ab"]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
    assert [p.exitcode for p in procs] == [0, 0]
    problems = []
    while not errors.empty():
        problems.append(errors.get())
    assert problems == []
    cache = Cache(path)
    assert len(cache) == 400
    keys = [cache_key({**REQUEST, "sample": i, "model": t}) for t in "ab" for i in range(200)]
    found = cache.get_many(keys)
    assert len(found) == 400 and found[keys[399]] == {"text": "b-199"}


# -- errors are never cached --------------------------------------------------------------


class CountingAPI(ModelAPI):
    """An API provider that answers, fails, or records an error on demand."""

    backend = "fake"

    def __init__(self, mode: str = "ok"):
        super().__init__("m")
        self.mode = mode
        self.calls = 0

    @property
    def capabilities(self):
        return frozenset({GENERATE, PREFILL})

    async def agenerate(self, chat, config):
        self.calls += 1
        if self.mode == "raise":
            raise ProviderError("fake: HTTP 400: bad request", transient=False)
        if self.mode == "transient":
            raise ProviderError("fake: HTTP 503: try later", transient=True, retry_after=0)
        if self.mode == "failed":
            return Completion.failed("fake: refused")
        if self.mode == "bug":
            raise KeyError("surprise")
        return Completion(text="A " + chat[-1]["content"], stop_reason="stop", usage=Usage(1, 1))


class LocalFailing(ModelAPI):
    backend = "fakelocal"
    local = True

    def __init__(self):
        super().__init__("m")
        self.calls = 0

    @property
    def capabilities(self):
        return frozenset({GENERATE, LOGPROBS})

    def generate_batch(self, chats, config, seed):
        self.calls += 1
        raise RuntimeError("out of memory")

    def logprobs_batch(self, chats, continuations):
        self.calls += 1
        raise RuntimeError("out of memory")


@pytest.mark.parametrize("mode", ["raise", "transient", "failed", "bug"])
def test_api_errors_are_never_cached(tmp_path, mode):
    api = CountingAPI(mode)
    m = Model("fake/m", api, cache=Cache(tmp_path / "c.sqlite"), max_retries=2, retry_base=0)
    out = m.generate([[{"role": "user", "content": "q"}]] * 2, sample_indices=[0, 1])
    assert all(not c.ok and c.text is None and c.error for c in out)
    assert len(m.cache) == 0
    assert m.stats.errors == 2 and m.stats.new == 0
    assert api.calls == (6 if mode == "transient" else 2)  # transient: 1 try + 2 retries each
    api.mode = "ok"  # a rerun retries exactly what failed
    again = m.generate([[{"role": "user", "content": "q"}]] * 2, sample_indices=[0, 1])
    assert [c.text for c in again] == ["A q", "A q"] and not any(c.cached for c in again)
    assert len(m.cache) == 2


def test_local_errors_are_never_cached(tmp_path):
    api = LocalFailing()
    m = Model("fakelocal", api, cache=Cache(tmp_path / "c.sqlite"))
    [c] = m.generate([[{"role": "user", "content": "q"}]])
    assert not c.ok and "out of memory" in c.error
    [s] = m.logprobs([[{"role": "user", "content": "q"}]], [" A"])
    assert not s.ok and s.value is None and "out of memory" in s.error
    assert len(m.cache) == 0 and api.calls == 2


# -- offline mode -----------------------------------------------------------------------------


def test_offline_turns_a_miss_into_an_error_without_a_call(tmp_path, monkeypatch):
    api = CountingAPI()
    m = Model("fake/m", api, cache=Cache(tmp_path / "c.sqlite"))
    [warm] = m.generate([[{"role": "user", "content": "known"}]])
    assert warm.ok and api.calls == 1

    monkeypatch.setenv("SYCO_OFFLINE", "1")
    before = CALLS["count"]
    out = m.generate([[{"role": "user", "content": "known"}], [{"role": "user", "content": "new"}]])
    assert out[0].cached and out[0].text == "A known"
    assert not out[1].ok and "SYCO_OFFLINE" in out[1].error and out[1].text is None
    assert api.calls == 1 and CALLS["count"] == before
    assert len(m.cache) == 1

    monkeypatch.setenv("SYCO_OFFLINE", "0")
    [online] = m.generate([[{"role": "user", "content": "new"}]])
    assert online.ok and api.calls == 2 and CALLS["count"] == before + 1


def test_offline_applies_to_local_scoring(tmp_path, monkeypatch):
    api = LocalFailing()
    m = Model("fakelocal", api, cache=Cache(tmp_path / "c.sqlite"))
    monkeypatch.setenv("SYCO_OFFLINE", "1")
    before = CALLS["count"]
    [s] = m.logprobs([[{"role": "user", "content": "q"}]], [" A"])
    [c] = m.generate([[{"role": "user", "content": "q"}]])
    assert not s.ok and "SYCO_OFFLINE" in s.error
    assert not c.ok and "SYCO_OFFLINE" in c.error
    assert api.calls == 0 and CALLS["count"] == before


def test_cache_defaults_to_syco_home(syco_home: Path):
    assert Cache().path == syco_home / "cache.sqlite"
