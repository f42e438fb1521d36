"""Several workers claiming at once: no row is handed out twice, and each contact's messages go in order."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session

from bot.db.models import Contact, Outbox
from bot.db.session import make_engine
from bot.db.transact import Transactor
from bot.messaging import outbox, reports

CONTACTS, PER_CONTACT, WORKERS = 30, 3, 4


@pytest.fixture
async def transactors(database_url: str) -> AsyncIterator[list[Transactor]]:
    """One connection per worker, as separate worker processes would have."""
    engines: list[AsyncEngine] = [make_engine(database_url) for _ in range(WORKERS)]
    made = [Transactor(database_url, engine) for engine in engines]
    yield made
    for transact, engine in zip(made, engines, strict=True):
        await transact.close()
        await engine.dispose()


def _queue(session: Session) -> None:
    for n in range(CONTACTS):
        contact = Contact(channel="whatsapp", external_id=f"+62812000{n:04d}", phone=f"+62812000{n:04d}")
        session.add(contact)
        session.flush()
        for k in range(PER_CONTACT):
            outbox.enqueue(session, contact_id=contact.id, channel="whatsapp", body=f"pesan {k + 1}")


async def test_concurrent_claims_never_share_a_row_and_keep_each_contacts_order(
        transactors: list[Transactor]) -> None:
    await transactors[0](_queue)
    total = CONTACTS * PER_CONTACT
    claimed: list[int] = []
    order: dict[int, list[int]] = defaultdict(list)
    in_flight: dict[int, int] = {}

    async def work(name: str, transact: Transactor) -> None:
        while len(claimed) < total:
            jobs = await transact(outbox.claim, worker=name, limit=5, lease_seconds=60, channels=["whatsapp"])
            for job in jobs:
                assert job.contact_id not in in_flight, "a contact's next message was leased before the last one"
                in_flight[job.contact_id] = job.id
                claimed.append(job.id)
                order[job.contact_id].append(job.id)
            await asyncio.sleep(0.005)  # "sending"
            for job in jobs:
                del in_flight[job.contact_id]
            await transact(reports.mark_sent, sent=[reports.Sent(job, f"SM{job.id:032x}", "queued") for job in jobs])
            if not jobs:
                await asyncio.sleep(0.01)

    await asyncio.wait_for(asyncio.gather(*(work(f"w{n}", t) for n, t in enumerate(transactors))), timeout=60)
    assert len(claimed) == total and len(set(claimed)) == total
    assert all(ids == sorted(ids) and len(ids) == PER_CONTACT for ids in order.values())
    statuses = await transactors[0](lambda s: set(s.scalars(select(Outbox.status))))
    assert statuses == {"queued"}
