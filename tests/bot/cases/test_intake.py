"""The pengaduan from the chat to a case, through the real batch on real databases: the case is opened once,
with its photos and the NIK sealed; a second ``kirim`` or a second form for the same problem opens nothing."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import Case, CaseEvent, CasePhoto, ConversationStateRow, Inbound, Media, Message
from bot.domain.tickets import TICKET
from bot.messaging.runtime import Runtime
from bot.runtime import create_runtime
from tests.bot.cases.chat import NIK, file_complaint, say
from tests.conftest import with_channels, writing


@pytest.fixture
async def rt(database_url: str) -> AsyncIterator[Runtime]:
    async with writing(create_runtime(with_channels(database_url=database_url, agencies=["tanah-laut"]))) as runtime:
        yield runtime


async def test_a_complaint_filed_in_the_chat_becomes_one_case_with_its_photos(rt: Runtime) -> None:
    confirmation = await file_complaint(rt)
    found = TICKET.search(confirmation)
    assert found and found.group().startswith("TLT-"), confirmation
    assert "WITA" in confirmation and "Perkiraan selesai" in confirmation

    def check(session: Session) -> None:
        case = session.scalar(select(Case))
        assert case is not None and case.ticket == found.group()
        assert (case.agency, case.status, case.step, case.topic, case.name) == (
            "tanah-laut", "open", 1, "kks", "Siti Aminah")
        assert case.nik_masked == "6301********0002" and NIK not in (case.nik_sealed or "")
        assert rt.protector.decrypt(base64.b64decode(case.nik_sealed or ""), "nik").decode() == NIK
        assert case.due_at > case.created_at and len(case.steps) == 4  # Tanah Laut: the default procedure
        photos = list(session.scalars(select(CasePhoto).order_by(CasePhoto.id)))
        assert [(p.item, p.missing) for p in photos][:2] == [("KTP", False), ("Kartu Keluarga (KK)", False)]
        assert all(p.missing for p in photos[2:]) and len(photos) >= 3
        media = {m.id for m in session.scalars(select(Media))}
        assert {p.media_id for p in photos[:2]} <= media and None not in {p.media_id for p in photos[:2]}
        assert [e.action for e in session.scalars(select(CaseEvent))] == ["opened"]
        assert not any(NIK in m.text for m in session.scalars(select(Message)))
        assert "6301********0002" in {m.text for m in session.scalars(select(Message))}
        assert not any(NIK in str(payload) for payload in session.scalars(select(Inbound.payload)))

    await rt.transact(check)
    assert "Tidak ada pengaduan" in await say(rt, "kirim")  # a second kirim opens nothing
    assert await rt.transact(lambda s: s.scalar(select(func.count(Case.id)))) == 1


async def test_the_same_nik_with_an_open_case_of_the_same_kind_is_told_its_ticket(rt: Runtime) -> None:
    first = TICKET.search(await file_complaint(rt))
    assert first
    again = await file_complaint(rt, phone="+6281255500099")  # another phone, the same NIK and problem
    assert first.group() in again and "sudah punya pengaduan" in again
    assert await rt.transact(lambda s: s.scalar(select(func.count(Case.id)))) == 1


async def test_batal_forgets_the_form(rt: Runtime) -> None:
    await say(rt, "lapor")
    assert "Masalahnya tentang apa" in await say(rt, "setuju")
    assert "nama lengkap" in await say(rt, "1")
    assert "NIK" in await say(rt, "Siti Aminah")
    assert "dibatalkan" in await say(rt, "batal")
    state = await rt.transact(lambda s: s.scalar(select(ConversationStateRow.state)))
    assert state["form"] is None and "Siti" not in str(state)
    reply = await say(rt, NIK)  # now only a number: no form takes it
    assert "kecamatan" not in reply
    assert await rt.transact(lambda s: s.scalar(select(func.count(Case.id)))) == 0
