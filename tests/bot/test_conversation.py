"""The conversation step stores what came in and went out, and survives an engine failure."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.orm import Session

from bot.conversation import converse
from bot.db import repo
from bot.db.models import Contact, Message
from bot.db.session import make_engine
from bot.db.transact import Transactor
from handlers.engine import Engine
from handlers.types import ConversationState, InboundMessage, Reply


@pytest.fixture
async def transact(database_url: str) -> AsyncIterator[Transactor]:
    db = make_engine(database_url)
    made = Transactor(database_url, db)
    yield made
    await made.close()
    await db.dispose()


def _stored(session: Session) -> tuple[Contact, list[Message]]:
    contact = repo.get_or_create_contact(session=session, channel="simulator", external_id="abc")
    return contact, repo.history(session=session, contact_id=contact.id)


async def test_messages_and_state_are_stored(transact: Transactor, engine: Engine) -> None:
    await transact(converse, engine=engine,
                   message=InboundMessage("simulator", "abc", "syarat karang taruna", "tanah-laut"))
    reply = await transact(converse, engine=engine, message=InboundMessage("simulator", "abc", "brp lama?", None))
    assert "1 hari kerja" in reply.text
    contact, rows = await transact(_stored)
    assert contact.agency == "tanah-laut"
    assert [r.direction for r in rows] == ["in", "out", "in", "out"]
    assert rows[3].intent == "answer" and rows[3].service == "tanda-daftar-karang-taruna"


async def test_an_engine_failure_gets_an_apology_and_keeps_the_state(
        transact: Transactor, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    await transact(converse, engine=engine,
                   message=InboundMessage("simulator", "xyz", "syarat karang taruna", "tanah-laut"))

    def broken(message: InboundMessage, state: ConversationState) -> Reply:
        state.service = "garbage"
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "turn", broken)
    reply = await transact(converse, engine=engine, message=InboundMessage("simulator", "xyz", "brp lama?", None))
    assert reply.intent == "error" and "Mohon maaf" in reply.text
    monkeypatch.undo()
    reply = await transact(converse, engine=engine, message=InboundMessage("simulator", "xyz", "brp lama?", None))
    assert "1 hari kerja" in reply.text
