"""Fairness parts: buckets per client with a fake clock, and the gate that refuses instead of queueing."""

from __future__ import annotations

import asyncio

import pytest

from bot.messaging.ratelimit import Busy, Gate, KeyedBuckets


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_gets_its_burst_then_waits_for_its_rate() -> None:
    clock = Clock()
    buckets = KeyedBuckets(rate=2.0, burst=3, clock=clock)
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(0.5)
    assert buckets.take("b") == 0.0  # another client is not slowed by the first
    clock.now += 0.5
    assert buckets.take("a") == 0.0
    assert buckets.take("a") == pytest.approx(0.5)
    clock.now += 10
    assert [buckets.take("a") for _ in range(4)][-1] > 0  # refilled to the burst, not beyond


def test_memory_stays_bounded_and_busy_keys_are_not_reset_by_it() -> None:
    clock = Clock()
    buckets = KeyedBuckets(rate=1.0, burst=2, max_keys=100, clock=clock)
    for _ in range(2):
        buckets.take("busy")
    for n in range(1000):
        buckets.take(f"visitor-{n}")
        clock.now += 0.001
    assert len(buckets.buckets) <= 100
    clock.now += 5
    assert buckets.take("new") == 0.0


async def test_the_gate_admits_some_queues_some_and_refuses_the_rest() -> None:
    gate = Gate(concurrent=2, queue=3)
    release = asyncio.Event()
    inside = 0

    async def visitor() -> str:
        nonlocal inside
        try:
            async with gate.enter():
                inside += 1
                await release.wait()
                return "served"
        except Busy:
            return "refused"

    tasks = [asyncio.create_task(visitor()) for _ in range(8)]
    for _ in range(10):  # every visitor reaches the gate within a few turns of the event loop
        await asyncio.sleep(0)
    assert inside == 2 and gate.waiting == 3
    release.set()
    results = await asyncio.gather(*tasks)
    assert results.count("served") == 5 and results.count("refused") == 3
