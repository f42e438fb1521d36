"""Client buckets with a fake clock (mutation testing of bot/messaging/ratelimit.py): the rounding tolerance of a
bucket, and which clients keep their limits when memory is full."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.messaging.ratelimit import EPSILON, Bucket, KeyedBuckets


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


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
