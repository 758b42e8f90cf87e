"""How many requests an API model keeps in flight.

Fixed: at most ``limit`` (a semaphore). Adaptive (the default for API models unless
``max_connections`` is set): start at a moderate limit; while the provider keeps up, double it
after each full round of successes until the first rate limit (slow start), then grow by one
per round; on a 429/529, halve it (once per round: the requests already in flight when it was
cut do not cut it again) and hold every new request until the server's Retry-After has
passed. Between ``minimum`` and ``maximum``. The state outlives one event loop, so the next
call of the same model (the next turn of a chapter) starts where the last one ended.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque


class Limiter:
    def __init__(self, limit: int, *, adaptive: bool = False, maximum: int = 256, minimum: int = 1):
        self.adaptive = adaptive
        self.minimum, self.maximum = minimum, max(maximum, limit)
        self.limit = limit
        self.in_flight = 0
        self.slow_start = True
        self.epoch = 0  # bumped at every cut
        self.successes = 0
        self.resume_at = 0.0
        self.cuts = 0
        self.peak = limit
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self) -> int:
        """Wait for a slot; returns the epoch the request starts in."""
        while (delay := self.resume_at - time.monotonic()) > 0:  # honour Retry-After
            await asyncio.sleep(delay)
        if self.in_flight < self.limit and not self._waiters:
            self.in_flight += 1
            return self.epoch
        fut = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        try:
            await fut  # the slot was handed over by `_wake`
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self.in_flight -= 1
                self._wake()
            raise
        return self.epoch

    def release(
        self, epoch: int, *, ok: bool, rate_limited: bool = False, retry_after: float | None = None
    ) -> None:
        self.in_flight -= 1
        if self.adaptive:
            if rate_limited:
                if retry_after:
                    self.resume_at = max(self.resume_at, time.monotonic() + retry_after)
                if epoch == self.epoch:  # one cut per round
                    self.limit = max(self.minimum, self.limit // 2)
                    self.slow_start, self.successes = False, 0
                    self.epoch += 1
                    self.cuts += 1
            elif ok:
                self.successes += 1
                if self.successes >= self.limit:
                    grown = self.limit * 2 if self.slow_start else self.limit + 1
                    self.limit = min(self.maximum, grown)
                    self.peak = max(self.peak, self.limit)
                    self.successes = 0
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self.in_flight < self.limit:
            fut = self._waiters.popleft()
            if not fut.done():
                self.in_flight += 1
                fut.set_result(None)
