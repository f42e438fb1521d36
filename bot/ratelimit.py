"""Pacing and fairness: a token bucket per channel, a minimum interval per chat, buckets per client, a gate."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable


class TokenBucket:
    """At most ``rate`` acquisitions per second on average, bursts up to ``burst``."""

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.capacity = burst if burst is not None else max(1.0, rate)
        self.tokens = self.capacity
        self.updated = time.monotonic()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                await asyncio.sleep((1 - self.tokens) / self.rate)


class PerKeyInterval:
    """When the next message to one chat may go (Telegram: about one per second per chat)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.last: dict[str, float] = {}

    def wait_for(self, key: str) -> float:
        last = self.last.get(key)
        return 0.0 if last is None else max(0.0, last + self.interval - time.monotonic())

    def sent(self, key: str) -> None:
        self.last[key] = time.monotonic()
        if len(self.last) > 50_000:  # forget chats idle for long
            cutoff = time.monotonic() - 60
            self.last = {k: v for k, v in self.last.items() if v > cutoff}


class KeyedBuckets:
    """A token bucket per key (a client address, a session), in bounded memory.

    ``take(key)`` spends a token and returns 0.0, or returns how many seconds until one is available.
    """

    def __init__(self, rate: float, burst: float, *, max_keys: int = 20_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.max_keys, self.clock = rate, burst, max_keys, clock
        self.buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when counted)

    def take(self, key: str) -> float:
        now = self.clock()
        tokens, then = self.buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        if tokens < 1:
            self.buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate
        if key not in self.buckets and len(self.buckets) >= self.max_keys:
            self._forget_full(now)
        self.buckets[key] = (tokens - 1, now)
        return 0.0

    def _forget_full(self, now: float) -> None:
        """Drop the keys whose buckets have refilled (they behave exactly like unseen keys)."""
        refill = self.burst / self.rate
        self.buckets = {k: v for k, v in self.buckets.items() if now - v[1] < refill}
        if len(self.buckets) >= self.max_keys:  # all busy: forget the oldest half rather than grow
            keep = sorted(self.buckets.items(), key=lambda kv: kv[1][1])[len(self.buckets) // 2:]
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
