"""Pacing with a fake clock (mutation testing of bot/ratelimit.py): the interval per chat, an explicit burst, the
rounding tolerance of a bucket, and which clients keep their limits when memory is full."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.messaging.ratelimit import EPSILON, Bucket, KeyedBuckets, PerKeyInterval, TokenBucket


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_chat_waits_the_interval_after_a_message() -> None:
    clock = Clock(100.0)
    chats = PerKeyInterval(1.5, clock=clock)
    assert chats.wait_for("42") == 0.0  # never written to: no wait
    chats.sent("42")
    assert chats.wait_for("42") == 1.5
    assert chats.wait_for("43") == 0.0  # another chat is not held up
    clock.now = 100.5
    assert chats.wait_for("42") == pytest.approx(1.0)
    clock.now = 101.5
    assert chats.wait_for("42") == 0.0
    clock.now = 250.0
    assert chats.wait_for("42") == 0.0  # long ago: no wait, never a negative one
    chats.sent("42")
    assert chats.wait_for("42") == 1.5  # counted from the latest message


@given(st.floats(min_value=0.0, max_value=30.0), st.floats(min_value=0.0, max_value=100.0))
def test_the_wait_is_what_remains_of_the_interval(interval: float, elapsed: float) -> None:
    clock = Clock(5000.0)
    chats = PerKeyInterval(interval, clock=clock)
    chats.sent("chat")
    clock.now += elapsed
    assert chats.wait_for("chat") == pytest.approx(max(0.0, interval - elapsed), abs=1e-6)


def test_memory_for_chats_stays_bounded_and_only_idle_chats_are_forgotten() -> None:
    clock = Clock(0.0)
    chats = PerKeyInterval(1.0, clock=clock)
    for n in range(49_997):
        chats.sent(f"idle-{n}")
    clock.now = 39.5
    chats.sent("idle-for-60.5s")
    clock.now = 40.0
    chats.sent("idle-for-60s")
    clock.now = 60.0
    chats.sent("idle-for-40s")
    clock.now = 100.0
    assert len(chats.last) == 50_000  # up to 50,000 chats are all remembered
    chats.sent("new")  # the 50,001st: chats idle for a minute or more are forgotten
    assert set(chats.last) == {"idle-for-40s", "new"}
    assert chats.wait_for("new") == 1.0  # the chat just written to still waits
    clock.now = 100.25
    assert chats.wait_for("new") == pytest.approx(0.75)


async def test_an_explicit_burst_is_used() -> None:
    clock = Clock(50.0)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds

    bucket = TokenBucket(1.0, 5, clock=clock, sleep=sleep)
    for _ in range(5):
        await bucket.acquire()
    assert slept == []  # five at once
    await bucket.acquire()
    assert slept == [pytest.approx(1.0)]


def test_a_bucket_short_of_a_token_by_rounding_only_still_gives_it() -> None:
    bucket = Bucket(rate=1.0, burst=1.0, tokens=1 - EPSILON, counted_at=10.0)
    assert bucket.take(10.0) == 0.0
    bucket = Bucket(rate=1.0, burst=1.0, tokens=1 - 2 * EPSILON, counted_at=10.0)
    assert bucket.take(10.0) > 0.0


@given(st.floats(min_value=0.1, max_value=100.0), st.floats(min_value=1.0, max_value=20.0),
       st.floats(min_value=0.0, max_value=10.0))
def test_waiting_what_a_bucket_says_is_always_enough(rate: float, burst: float, start: float) -> None:
    bucket = Bucket(rate, burst, 0.0, start)
    wait = bucket.take(start)
    assert wait > 0
    assert bucket.take(start + wait) == 0.0


def test_the_default_memory_bound_is_20000_clients() -> None:
    buckets = KeyedBuckets(rate=1.0, burst=1.0, clock=Clock())
    for n in range(20_001):
        buckets.take(f"client-{n}")
    assert len(buckets.buckets) <= 20_000


def _spent(buckets: KeyedBuckets, clock: Clock, key: str, at: float) -> None:
    clock.now = at
    waits = [buckets.take(key) for _ in range(int(buckets.burst) + 1)]
    assert waits[:-1] == [0.0] * int(buckets.burst) and waits[-1] > 0  # the whole burst, then a wait


def test_refilled_clients_are_forgotten_before_any_busy_one() -> None:
    clock = Clock()
    buckets = KeyedBuckets(rate=2.0, burst=2.0, max_keys=4, clock=clock)  # a bucket refills in 1 s
    buckets.take("quiet")  # at 1000.0
    for key, at in (("b", 1000.6), ("c", 1000.7), ("d", 1000.8)):
        _spent(buckets, clock, key, at)
    clock.now = 1001.0  # "quiet" has refilled exactly now: it is forgotten, as it behaves like a new client
    assert buckets.take("new") == 0.0
    assert set(buckets.buckets) == {"b", "c", "d", "new"}
    assert buckets.take("b") > 0 and buckets.take("c") > 0 and buckets.take("d") > 0  # still limited


def test_when_every_client_is_busy_the_longest_idle_half_is_forgotten() -> None:
    clock = Clock()
    buckets = KeyedBuckets(rate=1.0, burst=1.0, max_keys=6, clock=clock)  # a bucket refills in 1 s
    # named against their order in time, so that it is the time that decides
    for key, at in (("f", 1000.0), ("e", 1000.1), ("d", 1000.2), ("c", 1000.3), ("b", 1000.4), ("a", 1000.5)):
        _spent(buckets, clock, key, at)
    clock.now = 1000.6
    assert buckets.take("new") == 0.0
    assert set(buckets.buckets) == {"c", "b", "a", "new"}
    assert buckets.take("c") > 0 and buckets.take("b") > 0 and buckets.take("a") > 0  # still limited
    assert buckets.take("f") == 0.0  # forgotten: a fresh burst
