"""Sending limits shared through the database (``bot.messaging.pacing``), on SQLite and PostgreSQL: a provider's
burst then its rate, one chat's interval, what concurrent takers get, and idle rows forgotten. The clock is
passed in (seconds), except where PostgreSQL's own clock is the point."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.db.models import SendLimit
from bot.db.session import make_engine
from bot.db.transact import Transactor
from bot.messaging import pacing


@pytest.fixture
async def transact(database_url: str) -> AsyncIterator[Transactor]:
    engine = make_engine(database_url)
    transactor = Transactor(database_url, engine)
    yield transactor
    await transactor.close()
    await engine.dispose()


async def test_a_burst_at_once_then_one_slot_every_step(transact: Transactor) -> None:
    waits = [(await transact(pacing.reserve, "whatsapp", rate=2.0, burst=3.0, now=100.0)).wait for _ in range(6)]
    assert waits == pytest.approx([0.0, 0.0, 0.0, 0.5, 1.0, 1.5])
    assert await transact(pacing.reserve, "telegram", rate=2.0, burst=3.0, now=100.0) == (True, 0.0)  # its own
    # later, slots already reserved are kept: the next one is after them
    assert (await transact(pacing.reserve, "whatsapp", rate=2.0, burst=3.0, now=101.0)).wait == pytest.approx(1.0)
    # after a quiet spell, the whole burst again (and never more)
    later = [(await transact(pacing.reserve, "whatsapp", rate=2.0, burst=3.0, now=200.0)).wait for _ in range(4)]
    assert later == pytest.approx([0.0, 0.0, 0.0, 0.5])


async def test_in_any_second_at_most_rate_plus_burst_and_no_slot_wasted(transact: Transactor) -> None:
    chance = random.Random(14)
    for case in range(12):
        rate = chance.choice([1.0, 2.5, 10.0, 25.0])
        burst = max(1.0, rate)
        arrivals = sorted(chance.uniform(0, 4) for _ in range(chance.randint(1, 80)))
        key = f"case-{case}"
        sends = [t + (await transact(pacing.reserve, key, rate=rate, burst=burst, now=1000.0 + t)).wait
                 for t in arrivals]
        for start in sends:
            assert sum(start <= s < start + 1 for s in sends) <= rate + burst + 1e-9, (rate, arrivals)
        assert all(s >= t for s, t in zip(sends, arrivals, strict=True))  # never before it asked
        if len(arrivals) > burst:  # everyone at once: the last goes exactly when the rate allows, not later
            together = [(await transact(pacing.reserve, key + "-once", rate=rate, burst=burst, now=5000.0)).wait
                        for _ in arrivals]
            assert max(together) == pytest.approx((len(arrivals) - burst) / rate)


async def test_concurrent_takers_never_share_a_slot(transact: Transactor) -> None:
    """Thirty-nine takers at once, on the database's own clock, after a first one: the schedule ends exactly
    39 steps after the first slot, whatever the timing (a lost update would end it sooner)."""
    await asyncio.gather(*(transact(lambda s: s.execute(select(1))) for _ in range(10)))  # connections opened
    first = await transact(pacing.reserve, "whatsapp", rate=1.0, burst=1.0)  # one a second: the schedule runs
    assert first == (True, 0.0)                                                # ahead of the clock from here
    start = await transact(lambda s: s.scalar(select(SendLimit.tat)))
    slots = await asyncio.gather(*(transact(pacing.reserve, "whatsapp", rate=1.0, burst=1.0) for _ in range(39)))
    end = await transact(lambda s: s.scalar(select(SendLimit.tat)))
    assert all(slot.taken for slot in slots) and start is not None and end is not None
    assert end - start == pytest.approx(39.0, abs=1e-3)
    assert sorted(round(slot.wait) for slot in slots) == list(range(1, 40))  # one second apart, none shared


async def test_a_slot_further_than_the_caller_can_wait_is_not_taken(transact: Transactor) -> None:
    """Putting a message back never moves the schedule: only a taken slot does."""
    for _ in range(4):  # the burst (2), then slots 0.5 s and 1.0 s away
        assert (await transact(pacing.reserve, "whatsapp", rate=2.0, burst=2.0, max_wait=1.0, now=100.0)).taken
    for _ in range(3):
        assert await transact(pacing.reserve, "whatsapp", rate=2.0, burst=2.0, max_wait=1.0, now=100.0) == (
            False, pytest.approx(1.5))
    assert await transact(pacing.reserve, "whatsapp", rate=2.0, burst=2.0, max_wait=1.0, now=100.5) == (
        True, pytest.approx(1.0))
    for _ in range(2):  # the schedule caught up: the burst again, then nothing within 0 s
        assert await transact(pacing.reserve, "whatsapp", rate=2.0, burst=2.0, max_wait=0.0, now=102.5) == (True, 0.0)
    assert await transact(pacing.reserve, "whatsapp", rate=2.0, burst=2.0, max_wait=0.0, now=102.5) == (
        False, pytest.approx(0.5))


async def test_a_chat_takes_its_turn_only_when_due(transact: Transactor) -> None:
    assert await transact(pacing.take_turn, "telegram:chat:42", interval=1.5, now=100.0) == 0.0
    assert await transact(pacing.take_turn, "telegram:chat:42", interval=1.5, now=100.0) == pytest.approx(1.5)
    assert await transact(pacing.take_turn, "telegram:chat:43", interval=1.5, now=100.0) == 0.0  # another chat
    assert await transact(pacing.take_turn, "telegram:chat:42", interval=1.5, now=100.5) == pytest.approx(1.0)
    # asking again does not push the turn further away
    assert await transact(pacing.take_turn, "telegram:chat:42", interval=1.5, now=100.5) == pytest.approx(1.0)
    assert await transact(pacing.take_turn, "telegram:chat:42", interval=1.5, now=101.5) == 0.0
    assert await transact(pacing.take_turn, "telegram:chat:42", interval=1.5, now=102.0) == pytest.approx(1.0)
    assert await transact(pacing.take_turn, "telegram:chat:42", interval=1.5, now=250.0) == 0.0  # long ago


async def test_idle_rows_are_forgotten_and_busy_ones_kept(transact: Transactor) -> None:
    await transact(pacing.take_turn, "telegram:chat:old", interval=1.0, now=100.0)
    await transact(pacing.take_turn, "telegram:chat:recent", interval=1.0, now=100.0 + pacing.FORGET_AFTER)
    await transact(pacing.reserve, "whatsapp", rate=10.0, burst=10.0, now=100.0 + pacing.FORGET_AFTER)
    assert await transact(pacing.forget_idle, now=102.0 + pacing.FORGET_AFTER) == 1
    keys = await transact(lambda s: sorted(s.scalars(select(SendLimit.key))))
    assert keys == ["telegram:chat:recent", "whatsapp"]
    assert await transact(lambda s: s.scalar(select(func.count()).select_from(SendLimit))) == 2
