"""The messaging path in process, with a recording sender: stored, answered, effects applied and sent, in order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Contact, Outbox, SendLimit, utcnow
from bot.messaging import outbox, processing
from bot.messaging.runtime import Runtime
from bot.messaging.worker import Worker
from bot.runtime import create_runtime
from tests.conftest import with_channels, writing
from tests.fakes import twilio as tw
from tests.fakes.recording import RecordingSender

PHONE = "+6281234567890"


@pytest.fixture
async def rt(database_url: str) -> AsyncIterator[Runtime]:
    runtime = create_runtime(with_channels(database_url=database_url, agencies=["tanah-laut"]))
    for name in ("whatsapp", "telegram"):
        await runtime.channels[name].sender.close()  # type: ignore[union-attr]
        runtime.channels[name] = replace(runtime.channels[name], sender=RecordingSender(), send_rate=0)
    async with writing(runtime):
        yield runtime


async def _say(rt: Runtime, text: str) -> None:
    form = tw.inbound_form(PHONE, text)
    await rt.writer.store(channel="whatsapp", external_id=form["MessageSid"], payload=form, sender=form["From"])


def _subscribed(session: Session) -> bool:
    return bool(session.scalar(select(Contact.subscribed)))


async def test_a_conversation_goes_out_in_order_with_its_effects(rt: Runtime) -> None:
    for text in ("berhenti", "syarat karang taruna", "brp lama?"):
        await _say(rt, text)
    await processing.process_waiting(rt)
    assert await rt.transact(_subscribed) is False  # the handler's effect, applied with its reply
    worker = Worker(rt)
    while await worker.send_step():
        pass
    sender = rt.channels["whatsapp"].sender
    assert isinstance(sender, RecordingSender)
    said = sender.bodies(PHONE)
    assert len(said) == 3 and "tidak akan lagi menerima" in said[0]
    assert "Kepala Desa" in said[1] and "1 hari kerja" in said[2]
    statuses = await rt.transact(lambda s: [r.status for r in s.scalars(select(Outbox).order_by(Outbox.id))])
    assert statuses == ["sent"] * 3


async def test_rows_that_cannot_wait_for_their_slot_go_back_without_moving_the_schedule(database_url: str) -> None:
    """At 2 a second with a 6 s lease, a worker sends what fits in the lease from its batch of 25 (a third of
    the lease stays for sending and marking) and puts the rest back for when their slots come: nothing is sent
    after its lease, and putting rows back takes no slot."""
    runtime = create_runtime(with_channels(database_url=database_url, agencies=["tanah-laut"],
                                           outbox_lease_seconds=6))
    sender = RecordingSender()
    await runtime.channels["whatsapp"].sender.close()  # type: ignore[union-attr]
    runtime.channels["whatsapp"] = replace(runtime.channels["whatsapp"], sender=sender, send_rate=2.0)
    async with writing(runtime):
        def queue(session: Session) -> None:
            for n in range(25):
                contact = Contact(channel="whatsapp", external_id=f"+62813900{n:05d}", phone=f"+62813900{n:05d}",
                                  last_inbound_at=utcnow())
                session.add(contact)
                session.flush()
                outbox.enqueue(session, contact_id=contact.id, channel="whatsapp", body=f"pesan {n}")

        await runtime.transact(queue)
        claimed_at = utcnow()
        assert await Worker(runtime).send_step() == 25
        marked_at = utcnow()
        rows = await runtime.transact(lambda s: list(s.scalars(select(Outbox).order_by(Outbox.id))))
        sent = [r for r in rows if r.status == "sent"]
        back = [r for r in rows if r.status == "pending"]
        assert len(sent) == len(sender.sent) and 8 <= len(sent) <= 11  # the burst of 2, then up to 4 s of slots
        assert (marked_at - claimed_at).total_seconds() < 6  # all marked inside the lease
        assert len(back) == 25 - len(sent) and all(r.attempts == 0 and r.lease_until is None for r in back)
        assert all(r.next_attempt_at > marked_at for r in back)
        tat = await runtime.transact(lambda s: s.scalar(select(SendLimit.tat)))
        assert tat is not None
        assert tat - claimed_at.timestamp() == pytest.approx(len(sent) * 0.5, abs=0.3)  # only the sent took slots
