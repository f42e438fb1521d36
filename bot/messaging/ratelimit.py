"""Fairness for the web service: a token bucket per client (in bounded memory) and a gate.

Sending limits (a provider's rate, one chat's pace) are shared by every process: ``bot.messaging.pacing``.
Every clock here can be replaced, so the rules are tested with a fake clock instead of waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

Clock = Callable[[], float]
EPSILON = 1e-9


@dataclass
class Bucket:
    """``rate`` tokens a second, at most ``burst`` saved up; ``take`` spends one or says how long to wait."""

    rate: float
    burst: float
    tokens: float
    counted_at: float

    def take(self, now: float) -> float:
        self.tokens = min(self.burst, self.tokens + (now - self.counted_at) * self.rate)
        self.counted_at = now
        if self.tokens >= 1 - EPSILON:  # a wait of exactly the missing part may leave 0.999...: that is a token
            self.tokens = max(0.0, self.tokens - 1)
            return 0.0
        return (1 - self.tokens) / self.rate


class KeyedBuckets:
    """A token bucket per key (a client address, a session), in bounded memory.

    ``take(key)`` spends a token and returns 0.0, or returns how many seconds until one is available.
    """

    def __init__(self, rate: float, burst: float, *, max_keys: int = 20_000, clock: Clock = time.monotonic) -> None:
        self.rate, self.burst, self.max_keys, self.clock = rate, burst, max_keys, clock
        self.buckets: dict[str, Bucket] = {}

    def take(self, key: str) -> float:
        now = self.clock()
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= self.max_keys:
                self._forget_full(now)
            bucket = self.buckets[key] = Bucket(self.rate, self.burst, self.burst, now)
        return bucket.take(now)

    def _forget_full(self, now: float) -> None:
        """Drop the keys whose buckets have refilled (they behave exactly like unseen keys)."""
        refill = self.burst / self.rate
        self.buckets = {k: b for k, b in self.buckets.items() if now - b.counted_at < refill}
        if len(self.buckets) >= self.max_keys:  # all busy: forget the oldest half rather than grow
            keep = sorted(self.buckets.items(), key=lambda kv: kv[1].counted_at)[len(self.buckets) // 2:]
            self.buckets = dict(keep)


class Busy(Exception):
    """More callers are already waiting than the gate lets queue."""


class Gate:
    """At most ``concurrent`` callers inside, at most ``queue`` waiting; anyone beyond is refused at once."""

    def __init__(self, concurrent: int, queue: int) -> None:
        self._slots = asyncio.Semaphore(concurrent)
        self.queue = queue
        self.waiting = 0

    @contextlib.asynccontextmanager
    async def enter(self) -> AsyncIterator[None]:
        if self._slots.locked() and self.waiting >= self.queue:
            raise Busy
        self.waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self.waiting -= 1
        try:
            yield
        finally:
            self._slots.release()
