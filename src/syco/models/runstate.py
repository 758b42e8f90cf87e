"""What a process's model calls share: the provider-call counter the book checks, offline
mode, the progress switch, running a coroutine from synchronous code (also inside a Jupyter
kernel's loop), and the per-model counters (`RunStats`) every run record reports."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from syco.models.types import Usage

T = TypeVar("T")

# Calls that reached a provider in this process, over all models (the book asserts 0).
CALLS = {"count": 0}


def _count_calls(n: int) -> None:
    """Count provider calls here and, when ``SYCO_CALL_LOG`` names a file, there too: chapter
    kernels run in other processes, and `syco book` adds up what they did."""
    CALLS["count"] += n
    log = os.environ.get("SYCO_CALL_LOG")
    if log and n:
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{n}\n")


_KEY_LOG_LOCK = threading.Lock()


def log_keys(keys: list[str]) -> None:
    """Append the answer-key entries a run reads or writes to ``SYCO_KEY_LOG`` (one key a
    line), so `syco key record` publishes exactly the entries its run used, hits included."""
    path = os.environ.get("SYCO_KEY_LOG")
    if not path or not keys:
        return
    with _KEY_LOG_LOCK, open(path, "a", encoding="utf-8") as f:
        f.write("".join(k + "\n" for k in keys))


def offline() -> bool:
    return os.environ.get("SYCO_OFFLINE", "") not in ("", "0", "false")


def progress_enabled() -> bool:
    return os.environ.get("SYCO_PROGRESS", "1") not in ("0", "false")


def run_sync(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion, also from inside a running loop (Jupyter kernels)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(factory())
    box: dict[str, Any] = {}

    def worker() -> None:
        try:
            box["value"] = asyncio.run(factory())
        except BaseException as e:  # re-raised in the caller's thread
            box["error"] = e

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


@dataclass
class RunStats:
    """What one model did in this process: new calls, cache hits, errors, tokens."""

    new: int = 0
    cached: int = 0
    errors: int = 0
    usage: Usage = field(default_factory=Usage)
    # The part of `usage` that went through a provider batch API (billed at its batch price).
    batched: Usage = field(default_factory=Usage)

    def copy(self) -> RunStats:
        return RunStats(
            self.new,
            self.cached,
            self.errors,
            Usage(**vars(self.usage)),
            Usage(**vars(self.batched)),
        )

    def since(self, before: RunStats) -> RunStats:
        """What happened after the snapshot ``before`` (a `copy`)."""

        def minus(a: Usage, b: Usage) -> Usage:
            return Usage(a.input_tokens - b.input_tokens, a.output_tokens - b.output_tokens)

        return RunStats(
            self.new - before.new,
            self.cached - before.cached,
            self.errors - before.errors,
            minus(self.usage, before.usage),
            minus(self.batched, before.batched),
        )

    def summary(self, prefix: str = "") -> dict[str, int]:
        """The counters under the names every run record uses (``prefix`` names the role)."""
        return {
            f"{prefix}new_calls": self.new,
            f"{prefix}cache_hits": self.cached,
            f"{prefix}call_errors": self.errors,
            f"{prefix}tokens_in_new": self.usage.input_tokens,
            f"{prefix}tokens_out_new": self.usage.output_tokens,
        }
