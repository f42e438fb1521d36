"""Sending limits shared through the database (``bot.messaging.pacing``), on SQLite and PostgreSQL: a provider's
burst then its rate, one chat's interval, what concurrent takers get, and idle rows forgotten. The clock is
passed in (seconds), except where PostgreSQL's own clock is the point."""

from __future__ import annotations

import asyncio
import random
import time
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
    waits = [await transact(pacing.reserve, "whatsapp", rate=2.0, burst=3.0, now=100.0) for _ in range(6)]
    assert waits == pytest.approx([0.0, 0.0, 0.0, 0.5, 1.0, 1.5])
    assert await transact(pacing.reserve, "telegram", rate=2.0, burst=3.0, now=100.0) == 0.0  # its own limit
    # later, slots already reserved are kept: the next one is after them
    assert await transact(pacing.reserve, "whatsapp", rate=2.0, burst=3.0, now=101.0) == pytest.approx(1.0)
    # after a quiet spell, the whole burst again (and never more)
    later = [await transact(pacing.reserve, "whatsapp", rate=2.0, burst=3.0, now=200.0) for _ in range(4)]
    assert later == pytest.approx([0.0, 0.0, 0.0, 0.5])


async def test_in_any_second_at_most_rate_plus_burst_and_no_slot_wasted(transact: Transactor) -> None:
    chance = random.Random(14)
    for case in range(12):
        rate = chance.choice([1.0, 2.5, 10.0, 25.0])
        burst = max(1.0, rate)
        arrivals = sorted(chance.uniform(0, 4) for _ in range(chance.randint(1, 80)))
        key = f"case-{case}"
        sends = [t + await transact(pacing.reserve, key, rate=rate, burst=burst, now=1000.0 + t) for t in arrivals]
        for start in sends:
            assert sum(start <= s < start + 1 for s in sends) <= rate + burst + 1e-9, (rate, arrivals)
        assert all(s >= t for s, t in zip(sends, arrivals, strict=True))  # never before it asked
        if len(arrivals) > burst:  # everyone at once: the last goes exactly when the rate allows, not later
            together = [await transact(pacing.reserve, key + "-once", rate=rate, burst=burst, now=5000.0)
                        for _ in arrivals]
            assert max(together) == pytest.approx((len(arrivals) - burst) / rate)


async def test_concurrent_takers_never_share_a_slot(transact: Transactor) -> None:
    """Forty takers at once, on the database's own clock: the burst at once, then one slot each, 0.1 s apart;
    the schedule ends exactly forty steps after the first (a lost update would end it sooner)."""
    before = time.time()
    waits = await asyncio.gather(*(transact(pacing.reserve, "whatsapp", rate=10.0, burst=10.0) for _ in range(40)))
    tat = await transact(lambda s: s.scalar(select(SendLimit.tat)))
    assert tat is not None and before + 4.0 <= tat < before + 4.3
    assert sum(w == 0.0 for w in waits) >= 9 and sorted(waits)[-1] == pytest.approx(3.0, abs=0.3)


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
