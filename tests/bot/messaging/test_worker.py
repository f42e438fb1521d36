"""The messaging path in process, with a recording sender: stored, answered, effects applied and sent, in order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Contact, Outbox
from bot.messaging import processing
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
