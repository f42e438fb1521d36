"""Pacing for providers: a token bucket per channel, and a minimum interval per chat."""

from __future__ import annotations

import asyncio
import time


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
