"""Batch mode of the shared wrapper: a call's uncached requests go out as one provider batch
(OpenAI Batch API, Anthropic Message Batches: about half price, separate rate limits).

Results land in the answer key under the same keys as ordinary calls, so a batched and an
unbatched run replay identically. Each generate call is one batch (split at ``batch_max``),
so a multi-turn chapter sends one batch per turn and setting, each after the last.

Crash-safe: before anything is sent, a record (the keys, and the request descriptions the
cache stores) is written to ``$SYCO_HOME/batches/``; the provider's batch id is added the
moment it is known. A rerun finds the live records that cover its keys and polls them (or
collects results that finished meanwhile) instead of submitting again. Only a crash (or a
lost reply) in the instant between the provider accepting a batch and the id being written
leaves a record without an id: an OpenAI batch is then found again by its metadata tag; a
Message Batch, which has no tag, by its size and creation time (the newest batch of that many
requests created since, and known to no other record); if none is found the requests are
submitted again (said in the record's note).

A request that failed inside a batch is returned as an error, never an answer, and is not
cached; an expired or cancelled batch keeps what it finished, reports the rest as errors, and
a rerun submits those again (errors are never cached, so they are simply still missing).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import sys
import threading
import time
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from tqdm import tqdm

from syco.errors import ProviderError, SycoError
from syco.models.batch_store import BatchRecord, BatchStore
from syco.models.runstate import _count_calls, run_sync
from syco.models.types import BatchStatus, Completion

if TYPE_CHECKING:
    from syco.models.model import Model

T = TypeVar("T")


def poll_seconds() -> float:
    """Seconds between status polls (``SYCO_BATCH_POLL``; providers finish in minutes-hours)."""
    return float(os.environ.get("SYCO_BATCH_POLL", "30"))


async def _retrying(model: Model, call: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """A batch-management call, retried like a model call on transient errors."""
    attempt = 0
    while True:
        try:
            return await call()
        except ProviderError as e:
            if not e.transient or attempt >= model.max_retries:
                raise
            wait = e.retry_after if e.retry_after is not None else model._backoff(attempt)
            await asyncio.sleep(min(wait, model.retry_max_wait))
            attempt += 1


async def run_batched(model: Model, todo, chats, config, keys, requests, out, bar) -> None:
    """Answer ``todo`` (indices of uncached requests) through provider batches."""
    try:
        await _run_batched(model, todo, chats, config, keys, requests, out, bar)
    finally:  # the SDK client belongs to this event loop; the next call has its own
        close = getattr(model.api, "aclose", None)
        if close is not None:
            await close()


async def _submit(model: Model, store: BatchStore, rec: BatchRecord, items) -> None:
    """Submit once. A failed attempt may still have reached the provider (a timeout, a
    dropped connection): before trying again, look for the batch by its tag, so a retry
    never pays twice where the provider can tell (OpenAI); an error the provider answered
    (4xx/5xx) created nothing."""
    attempt = 0
    while True:
        try:
            rec.provider_id, rec.state = await model.api.batch_submit(items, rec.id), "submitted"
            return
        except ProviderError as e:
            found = None
            with contextlib.suppress(ProviderError):
                found = await _find(model, store, rec)
            if found:
                rec.provider_id, rec.state = found, "submitted"
                return
            if not e.transient or attempt >= model.max_retries:
                rec.state, rec.note = "abandoned", f"submission failed: {e}"
                return
            wait = e.retry_after if e.retry_after is not None else model._backoff(attempt)
            await asyncio.sleep(min(wait, model.retry_max_wait))
            attempt += 1


async def _run_batched(model: Model, todo, chats, config, keys, requests, out, bar) -> None:

    api, store = model.api, BatchStore()
    want: dict[str, list[int]] = {}
    for i in todo:
        want.setdefault(keys[i], []).append(i)
    results: dict[str, Completion] = {}
    with store.lock():
        ident = api.identity()
        mine = [
            r
            for r in store.records()
            if r.live and r.identity == ident and not want.keys().isdisjoint(r.keys)
        ]
        for r in mine:
            if r.state == "submitting":
                await _adopt(model, store, r)
        waiting = [r for r in mine if r.state == "submitted"]
        covered = {k for r in waiting for k in r.keys}
        fresh = [k for k in want if k not in covered]
        for start in range(0, len(fresh), model.batch_max):
            chunk = fresh[start : start + model.batch_max]
            rec = BatchRecord(
                id=f"{api.backend}-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}",
                spec=model.spec,
                identity=ident,
                keys=chunk,
                total=len(chunk),
            )
            store.write_requests(rec, {k: requests[want[k][0]] for k in chunk})
            store.save(rec)  # from here on a crash leaves a trace a rerun resumes from
            _count_calls(len(chunk))
            await _submit(model, store, rec, [(k, chats[want[k][0]], config) for k in chunk])
            if rec.state == "abandoned":
                results.update({k: Completion.failed(rec.note) for k in chunk})
            store.save(rec)
            if rec.state == "submitted":
                waiting.append(rec)
    results.update(await _wait(model, store, waiting, bar))
    idx = [i for k in want for i in want[k]]
    comps = [
        results.get(keys[i]) or Completion.failed("batch mode: no result for this request")
        for i in idx
    ]
    model._store(idx, comps, keys, requests, out, bar, batched=True)


async def _find(model: Model, store: BatchStore, rec: BatchRecord) -> str | None:
    known = {r.provider_id for r in store.records() if r.provider_id}
    return await model.api.batch_find(rec.id, rec.created, len(rec.keys), known)


async def _adopt(model: Model, store: BatchStore, rec: BatchRecord) -> None:
    """A record written just before a crash: find its batch, or give its requests back."""
    try:
        found = await _retrying(model, lambda: _find(model, store, rec))
    except ProviderError as e:
        found, rec.note = None, f"could not look the batch up ({e}); "
    if found:
        rec.provider_id, rec.state = found, "submitted"
    else:
        rec.state = "abandoned"
        rec.note += (
            "no id was recorded and the provider shows no batch with this tag: "
            "the requests were submitted again"
        )
    store.save(rec)


def _stop_if_orphaned() -> None:
    """A chapter's kernel outlives a killed `syco run` (it has its own session): it must
    not poll on and race the rerun, which resumes the same batches."""
    parent = os.environ.get("SYCO_BATCH_PARENT")
    if not parent:
        return
    try:
        os.kill(int(parent), 0)
    except ProcessLookupError:
        raise SycoError(
            "the `syco run` that started this run is gone: stopped polling (a rerun resumes)"
        ) from None
    except PermissionError:
        pass


async def _wait(
    model: Model, store: BatchStore, waiting: list[BatchRecord], bar
) -> dict[str, Completion]:
    """Poll every batch until it ends; store its answers in the cache; its results."""
    results: dict[str, Completion] = {}
    pending, started = list(waiting), time.monotonic()
    while pending:
        _stop_if_orphaned()
        for rec in list(pending):
            pid = rec.provider_id
            assert pid is not None
            try:
                st: BatchStatus = await _retrying(model, lambda p=pid: model.api.batch_status(p))  # type: ignore[misc]
                rec.status, rec.total, rec.done, rec.failed = (
                    st.status,
                    st.total,
                    st.done,
                    st.failed,
                )
                rec.note = st.note or rec.note
                if st.ended:
                    await _collect(model, store, rec, st, results)
            except ProviderError as e:  # the batch cannot be read: give its requests back
                rec.state, rec.note = "abandoned", f"cannot read batch {pid}: {e}"
                results.update({k: Completion.failed(rec.note) for k in rec.keys})
            if not rec.live:
                pending.remove(rec)
            store.save(rec)
        _progress(bar, waiting, started)
        if pending:
            await asyncio.sleep(model.batch_poll)
    return results


async def _collect(
    model: Model, store: BatchStore, rec: BatchRecord, st: BatchStatus, results: dict
) -> None:
    pid = rec.provider_id
    assert pid is not None  # only submitted batches are collected
    comps = await _retrying(model, lambda: model.api.batch_results(pid))
    reqs = store.read_requests(rec)
    good = [(k, reqs[k], c.to_json()) for k, c in comps.items() if c.ok and k in reqs]
    model.cache.put_many(good)  # before the record says "collected": a crash loses nothing
    why = f"batch {rec.provider_id} ended {st.status} without a result for this request"
    for k in rec.keys:
        comp = comps.get(k) or Completion.failed(why + (f" ({st.note})" if st.note else ""))
        if k not in results or not results[k].ok:
            results[k] = comp
    rec.state, rec.succeeded = "collected", len(good)


def _progress(bar, waiting: list[BatchRecord], started: float) -> None:
    done = sum(r.done for r in waiting)
    total = sum(r.total for r in waiting)
    states = ",".join(sorted({r.status or r.state for r in waiting}))
    bar.set_postfix(
        {
            **bar.counts,
            "batch": f"{states} {done}/{total}",
            "waited": f"{time.monotonic() - started:.0f}s",
        },
        refresh=True,
    )


def watch(stop: threading.Event, since: float, every: float = 2.0) -> None:
    """Print a line to stderr whenever a batch touched after ``since`` changes (`syco run
    --batch` runs this beside the chapter's kernel, whose own output is the page)."""
    seen: dict[str, tuple] = {}
    store = BatchStore()
    while True:
        stopping = stop.wait(every)
        for r in store.records():
            if r.updated < since:  # this run's batches, and older ones it resumes
                continue
            sig = (r.state, r.status, r.done, r.total)
            if seen.get(r.id) != sig:
                seen[r.id] = sig
                age = time.time() - r.created
                # tqdm.write: papermill's cell bar is on this terminal line
                tqdm.write(
                    f"  batch {r.provider_id or r.id} ({r.spec}): {r.status or r.state} "
                    f"{r.done}/{r.total} done, {r.failed} failed, {age:.0f} s"
                    + (f" -> {r.state}" if not r.live else ""),
                    file=sys.stderr,
                )
        if stopping:
            return


def _api_for(rec: BatchRecord):
    """A provider client of its own (not `get_model`'s shared one, which a run in another
    thread of this process may be using from its own event loop)."""
    from syco.models.registry import backend_class, parse_spec

    backend, name = parse_spec(rec.spec)
    api = backend_class(backend)(name)
    if api.identity() != rec.identity:
        raise SycoError(
            f"batch {rec.id} was sent to {rec.identity}, but {rec.spec} now means "
            f"{api.identity()}: set the environment it ran with"
        )
    return api


def _provider_call(rec: BatchRecord, method: str) -> BatchStatus:

    if not rec.provider_id:
        raise SycoError(f"batch {rec.id} has no provider id (state {rec.state})")
    api = _api_for(rec)

    async def call() -> BatchStatus:
        try:
            return await getattr(api, method)(rec.provider_id)
        except ProviderError as e:
            raise SycoError(str(e)) from e
        finally:
            close = getattr(api, "aclose", None)
            if close is not None:
                await close()

    return run_sync(call)


def status(ident: str) -> tuple[BatchRecord, BatchStatus]:
    """A record and its batch's live status from the provider (the record is not changed:
    the run that waits for it collects it)."""
    rec = BatchStore().find(ident)
    return rec, _provider_call(rec, "batch_status")


def cancel(ident: str) -> BatchStatus:
    """Ask the provider to cancel a live batch. The run waiting on it (or the next run)
    collects what finished, reports the rest as errors; a rerun then submits those again."""
    rec = BatchStore().find(ident)
    if not rec.live:
        raise SycoError(f"batch {rec.id} is {rec.state}: nothing to cancel")
    return _provider_call(rec, "batch_cancel")
