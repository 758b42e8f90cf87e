"""The shared wrapper every backend goes through: cache, retries, concurrency, batching,
progress and usage.

Every request is first looked up in the answer-key cache; only misses reach a provider.
API misses run concurrently under a per-model semaphore and are retried on transient
errors with exponential backoff that honours Retry-After. Local misses are micro-batched.
A request that still fails is returned as an error (``Completion.error``), never as an
answer, and is not cached. With ``SYCO_OFFLINE=1`` a miss is an error instead of a call:
that is how the book proves it was built from the answer key alone.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from tqdm import tqdm

from syco.cache import Cache, cache_key
from syco.errors import ProviderError, SycoError
from syco.models import plan
from syco.models.base import GENERATE, LOGPROBS, PREFILL, REWARD, ModelAPI
from syco.models.batch import poll_seconds as batch_poll_seconds
from syco.models.batch import run_batched
from syco.models.concurrency import Limiter
from syco.models.pricing import estimate_cost
from syco.models.runstate import (
    RunStats,
    _count_calls,
    log_keys,
    offline,
    progress_enabled,
    run_sync,
)
from syco.models.types import (
    Chat,
    Completion,
    GenerateConfig,
    Scored,
    has_prefill,
    validate_chat,
)


class Model:
    """A model spec bound to a provider, with the shared machinery around it."""

    def __init__(
        self,
        spec: str,
        api: ModelAPI,
        *,
        cache: Cache | None = None,
        max_connections: int = 16,
        adaptive_connections: bool = False,
        max_connections_cap: int = 256,
        batch_size: int = 16,
        max_retries: int = 6,
        retry_base: float | None = None,
        retry_max_wait: float = 120.0,
        batch: bool = False,
        batch_max: int = 10_000,
        batch_poll: float | None = None,
    ):
        self.spec = spec
        self.api = api
        self.cache = cache if cache is not None else Cache()
        self.max_connections = max_connections
        # In-flight API requests: fixed, or adaptive from `max_connections` up to the cap.
        self.limiter = Limiter(
            max_connections, adaptive=adaptive_connections, maximum=max_connections_cap
        )
        self.batch_size = batch_size
        self.max_retries = max_retries
        self.retry_base = (
            retry_base if retry_base is not None else float(os.environ.get("SYCO_RETRY_BASE", 1.0))
        )
        self.retry_max_wait = retry_max_wait
        # Batch mode: uncached generate requests go out as provider batches (models/batch.py).
        self.batch = batch
        self.batch_max = batch_max
        self.batch_poll = batch_poll if batch_poll is not None else batch_poll_seconds()
        self.stats = RunStats()
        self._fatal: str | None = None  # set when an endpoint cannot work at all

    def __repr__(self) -> str:
        return f"Model({self.spec!r})"

    @property
    def capabilities(self) -> frozenset[str]:
        return self.api.capabilities

    def require(self, capability: str) -> None:
        self.api.require(capability, self.spec)

    @property
    def cost_usd(self) -> float | None:
        """Estimated USD of this process's new calls: list price, batch price for the part
        sent through the provider's batch API (None: no list price known)."""
        if self.api.local:
            return 0.0
        s = self.stats
        return estimate_cost(self.api.model_id, s.usage, s.batched, self.api.backend)

    # -- requests and keys -------------------------------------------------------------
    def _request(self, kind: str, **body: Any) -> dict[str, Any]:
        # A URL never enters a key (it may carry credentials, and it would tie the answer
        # key to one machine): an endpoint is known by its name (`ModelAPI.endpoint`).
        ident = {k: v for k, v in self.api.identity().items() if k != "base_url"}
        return {"kind": kind, **ident, **body}

    # -- generation ---------------------------------------------------------------------
    def generate(
        self,
        chats: Sequence[Chat],
        config: GenerateConfig | None = None,
        *,
        sample_indices: Sequence[int] | None = None,
        desc: str | None = None,
    ) -> list[Completion]:
        """Complete every chat. ``sample_indices[i]`` makes the k-th sample its own entry."""
        config = config or GenerateConfig()
        chats = [validate_chat(c) for c in chats]
        self.require(GENERATE)
        if any(has_prefill(c) for c in chats):
            self.require(PREFILL)
        samples = list(sample_indices) if sample_indices is not None else [0] * len(chats)
        if len(samples) != len(chats):
            raise SycoError("sample_indices must have one entry per chat")
        requests = [
            self._request("generate", messages=c, config=config.key(), sample=int(k))
            for c, k in zip(chats, samples, strict=True)
        ]
        keys = [cache_key(r) for r in requests]
        log_keys(keys)
        out: list[Completion | None] = [None] * len(chats)
        hits = self.cache.get_many(keys)
        todo = []
        for i, k in enumerate(keys):
            if k in hits:
                out[i] = Completion.from_json(hits[k], cached=True)
            else:
                todo.append(i)
        bar = self._bar(len(chats), len(chats) - len(todo), desc or f"{self.spec} generate")
        self.stats.cached += len(chats) - len(todo)
        try:
            if plan.active():  # hits are counted too
                plan.plan_generate(self, chats, config, todo, out)
            elif todo and offline():
                for i in todo:
                    out[i] = Completion.failed("not in the answer key (SYCO_OFFLINE=1)")
                self.stats.errors += len(todo)  # a miss is an error in every counter
                self._count(bar, errors=len(todo))
            elif todo and self.api.local:
                self._generate_local(todo, chats, config, keys, requests, out, bar)
            elif todo and self.batch and self.api.supports_batch:  # else: ordinary calls
                run_sync(lambda: run_batched(self, todo, chats, config, keys, requests, out, bar))
            elif todo:
                run_sync(lambda: self._generate_api(todo, chats, config, keys, requests, out, bar))
        finally:
            bar.close()
        return [c for c in out if c is not None]

    def _generate_local(self, todo, chats, config, keys, requests, out, bar) -> None:
        # Sort by length so each micro-batch pads little; results go back by index.
        order = sorted(todo, key=lambda i: sum(len(m["content"]) for m in chats[i]))
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            seeds = [int(hashlib.sha256(keys[i].encode()).hexdigest()[:8], 16) for i in idx]
            # A backend that seeds each request gets each request's own seed (its sample
            # then depends on its request alone); the others one seed per micro-batch.
            seed = seeds if self.api.per_request_seeds else seeds[0]
            _count_calls(len(idx))
            samples = [requests[i]["sample"] for i in idx]
            extra = {"samples": samples} if self.api.takes_samples else {}
            try:
                comps = self.api.generate_batch([chats[i] for i in idx], config, seed, **extra)
            except Exception as e:  # a failed batch is recorded, never scored
                comps = [Completion.failed(f"{type(e).__name__}: {e}") for _ in idx]
            self._store(idx, comps, keys, requests, out, bar)

    async def _generate_api(self, todo, chats, config, keys, requests, out, bar) -> None:
        self._fatal = None  # an endpoint that cannot work gets nothing more in this call

        async def one(i: int) -> None:
            comp = await self._with_retries(lambda: self.api.agenerate(chats[i], config))
            self._store([i], [comp], keys, requests, out, bar)

        try:
            await asyncio.gather(*(one(i) for i in todo))
        finally:
            close = getattr(self.api, "aclose", None)
            if close is not None:
                await close()

    async def _with_retries(
        self, call: Callable[[], Coroutine[Any, Any, Completion]]
    ) -> Completion:
        attempt = 0
        while True:
            epoch = await self.limiter.acquire()  # a slot only while a request is out
            if self._fatal:
                self.limiter.release(epoch, ok=False)
                return Completion.failed(f"not sent: {self._fatal}")
            _count_calls(1)
            try:
                comp = await call()
                self.limiter.release(epoch, ok=True)
                return comp
            except ProviderError as e:
                if e.fatal:
                    self._fatal = str(e)
                self.limiter.release(
                    epoch, ok=False, rate_limited=e.rate_limited, retry_after=e.retry_after
                )
                if not e.transient or attempt >= self.max_retries:
                    tries = f" after {attempt + 1} attempts" if attempt else ""
                    return Completion.failed(f"{e}{tries}")
                wait = e.retry_after if e.retry_after is not None else self._backoff(attempt)
                await asyncio.sleep(min(wait, self.retry_max_wait))
                attempt += 1
            except Exception as e:  # a provider bug or an SDK surprise: record, don't crash
                self.limiter.release(epoch, ok=False)
                return Completion.failed(f"{type(e).__name__}: {e}")

    def _backoff(self, attempt: int) -> float:
        return self.retry_base * (2**attempt) * (0.5 + random.random() / 2)

    def _store(self, idx, comps, keys, requests, out, bar, batched: bool = False) -> None:
        good = []
        for i, comp in zip(idx, comps, strict=True):
            out[i] = comp
            if comp.ok:
                good.append((keys[i], requests[i], comp.to_json()))
                self.stats.usage.add(comp.usage)
                if batched:
                    self.stats.batched.add(comp.usage)
        self.cache.put_many(good)
        self.stats.new += len(good)
        self.stats.errors += len(idx) - len(good)
        self._count(bar, new=len(good), errors=len(idx) - len(good))

    # -- scoring (local models) ---------------------------------------------------------
    def logprobs(
        self, chats: Sequence[Chat], continuations: Sequence[str], *, desc: str | None = None
    ) -> list[Scored]:
        """Sum log-probability of each continuation after its chat (prefill allowed)."""
        self.require(LOGPROBS)
        chats = [validate_chat(c) for c in chats]
        reqs = [
            self._request("logprob", messages=c, continuation=s)
            for c, s in zip(chats, continuations, strict=True)
        ]
        return self._score(
            reqs,
            desc or f"{self.spec} logprobs",
            lambda idx: self.api.logprobs_batch(
                [chats[i] for i in idx], [continuations[i] for i in idx]
            ),
            # Chats that start alike land in one batch, where the backend reads their
            # shared prefix once (e.g. a PM scoring the samples of one prompt).
            order=lambda i: json.dumps(chats[i]),
        )

    def reward(self, chats: Sequence[Chat], *, desc: str | None = None) -> list[Scored]:
        """Scalar reward of each whole dialogue (the last turn is the scored response)."""
        self.require(REWARD)
        chats = [validate_chat(c) for c in chats]
        reqs = [self._request("reward", messages=c) for c in chats]
        return self._score(
            reqs,
            desc or f"{self.spec} reward",
            lambda idx: self.api.reward_batch([chats[i] for i in idx]),
        )

    def _score(
        self,
        reqs,
        desc,
        batch_fn: Callable[[list[int]], list[float]],
        order: Callable[[int], Any] | None = None,
    ) -> list[Scored]:
        keys = [cache_key(r) for r in reqs]
        log_keys(keys)
        hits = self.cache.get_many(keys)
        out: list[Scored | None] = [None] * len(reqs)
        todo = []
        for i, k in enumerate(keys):
            if k in hits:
                out[i] = Scored(float(hits[k]["value"]), cached=True)
            else:
                todo.append(i)
        self.stats.cached += len(reqs) - len(todo)
        bar = self._bar(len(reqs), len(reqs) - len(todo), desc)
        try:
            if plan.active():
                plan.plan_score(self, reqs, todo, out)
                todo = []
            if offline():
                for i in todo:
                    out[i] = Scored(None, error="not in the answer key (SYCO_OFFLINE=1)")
                self.stats.errors += len(todo)
                self._count(bar, errors=len(todo))
                todo = []
            # By default by length, so each batch pads little; results go back by index.
            key = order or (lambda i: len(str(reqs[i]["messages"])))
            ranked = sorted(todo, key=key)
            for start in range(0, len(ranked), self.batch_size):
                idx = ranked[start : start + self.batch_size]
                _count_calls(len(idx))
                try:
                    values = batch_fn(idx)
                    good = []
                    for i, v in zip(idx, values, strict=True):
                        out[i] = Scored(float(v))
                        good.append((keys[i], reqs[i], {"value": float(v)}))
                    self.cache.put_many(good)
                    self.stats.new += len(idx)
                    self._count(bar, new=len(idx))
                except Exception as e:
                    for i in idx:
                        out[i] = Scored(None, error=f"{type(e).__name__}: {e}")
                    self.stats.errors += len(idx)
                    self._count(bar, errors=len(idx))
        finally:
            bar.close()
        return [s for s in out if s is not None]

    # -- progress -----------------------------------------------------------------------
    def _bar(self, total: int, cached: int, desc: str) -> tqdm:
        bar = tqdm(
            total=total,
            desc=desc,
            disable=not progress_enabled() or total == 0,
            file=sys.stderr,
            dynamic_ncols=True,
            leave=True,
        )
        bar.counts = {"new": 0, "cached": cached, "errored": 0}  # type: ignore[attr-defined]
        bar.update(cached)
        bar.set_postfix(bar.counts, refresh=False)  # type: ignore[attr-defined]
        return bar

    @staticmethod
    def _count(bar: tqdm, new: int = 0, errors: int = 0) -> None:
        counts = bar.counts  # type: ignore[attr-defined]
        counts["new"] += new
        counts["errored"] += errors
        bar.set_postfix(counts, refresh=False)
        bar.update(new + errors)
