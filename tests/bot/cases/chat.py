"""A citizen on WhatsApp, in process: messages stored and answered by the real batch, replies read from the outbox."""

from __future__ import annotations

import asyncio
from itertools import count
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import Inbound, Outbox
from bot.messaging import processing
from bot.messaging.runtime import Runtime
from tests.fakes import twilio as tw

NIK = "6301054501900002"  # Kalimantan Selatan, a woman born 5 January 1990
PHONE = "+6281255500011"
_ids = count()


async def say(rt: Runtime, text: str, *, phone: str = PHONE, photos: int = 0) -> str:
    """One WhatsApp message (with ``photos`` image attachments) answered; the replies it caused, joined."""
    extra: dict[str, Any] = {"NumMedia": str(photos)}
    for n in range(photos):
        message = f"MM{next(_ids):030d}"
        extra[f"MediaUrl{n}"] = f"http://127.0.0.1:9/2010-04-01/Accounts/{tw.ACCOUNT}/Messages/{message}/Media/ME{n}"
        extra[f"MediaContentType{n}"] = "image/jpeg"
    form = tw.inbound_form(phone, text, **extra)
    before = await rt.transact(_last_outbox)
    await rt.writer.store(channel="whatsapp", external_id=form["MessageSid"], payload=form, sender=form["From"])
    for _ in range(500):  # a running service's own processor may be the one that answers it
        await processing.process_waiting(rt)
        if await rt.transact(_answered, form["MessageSid"]):
            break
        await asyncio.sleep(0.01)
    return "\n".join(await rt.transact(_outbox_after, before))


def _answered(session: Session, sid: str) -> bool:
    return session.scalar(select(Inbound.status).where(Inbound.external_id == sid)) == "processed"


def _last_outbox(session: Session) -> int:
    return session.scalar(select(func.max(Outbox.id))) or 0


def _outbox_after(session: Session, after: int) -> list[str]:
    return list(session.scalars(select(Outbox.body).where(Outbox.id > after).order_by(Outbox.id)))


async def file_complaint(rt: Runtime, phone: str = PHONE) -> str:
    assert "Balas *ya*" in await say(rt, "kartu kks saya hilang, bantuan jadi tidak bisa diambil", phone=phone)
    assert "*setuju*" in await say(rt, "ya", phone=phone)
    assert "nama lengkap" in await say(rt, "setuju", phone=phone)
    assert "NIK" in await say(rt, "Siti Aminah", phone=phone)
    assert "16 angka" in await say(rt, "63010545019000", phone=phone)  # 14 digits: explained, asked again
    assert "kecamatan" in await say(rt, NIK, phone=phone)
    assert "desa" in await say(rt, "Pelaihari", phone=phone)
    photos = await say(rt, "Angsau", phone=phone)
    assert "KTP" in photos and "kepolisian" in photos.lower()
    assert "2 foto diterima" in await say(rt, "", phone=phone, photos=2)
    summary = await say(rt, "lewati", phone=phone)
    while "Periksa data" not in summary:
        assert "Kirim foto" in summary
        summary = await say(rt, "lewati", phone=phone)
    assert "6301********0002" in summary and NIK not in summary
    return await say(rt, "kirim", phone=phone)


