"""Pacing and fairness: token buckets (one per channel, or one per client), a minimum interval per chat, a gate.

Every clock here can be replaced, so the rules are tested with a fake clock instead of waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
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


class TokenBucket:
    """At most ``rate`` acquisitions per second on average, bursts up to ``burst``; ``acquire`` waits its turn."""

    def __init__(self, rate: float, burst: float | None = None, *, clock: Clock = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        capacity = burst if burst is not None else max(1.0, rate)
        self.bucket = Bucket(rate, capacity, capacity, clock())
        self.clock, self.sleep = clock, sleep
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            while (wait := self.bucket.take(self.clock())) > 0:
                await self.sleep(wait)


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


class PerKeyInterval:
    """When the next message to one chat may go (Telegram: about one per second per chat)."""

    def __init__(self, interval: float, *, clock: Clock = time.monotonic) -> None:
        self.interval, self.clock = interval, clock
        self.last: dict[str, float] = {}

    def wait_for(self, key: str) -> float:
        last = self.last.get(key)
        return 0.0 if last is None else max(0.0, last + self.interval - self.clock())

    def sent(self, key: str) -> None:
        now = self.clock()
        self.last[key] = now
        if len(self.last) > 50_000:  # forget chats idle for longer than any wait they could still need
            self.last = {k: v for k, v in self.last.items() if v > now - max(60.0, self.interval)}


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
