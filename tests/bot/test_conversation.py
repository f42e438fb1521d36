"""The conversation step stores what came in and went out, and survives an engine failure."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.conversation import converse
from bot.db import repo
from bot.db.session import make_engine, make_sessionmaker
from handlers.engine import Engine
from handlers.types import ConversationState, InboundMessage, Reply


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    db = make_engine(database_url)
    yield make_sessionmaker(db)
    await db.dispose()


async def test_messages_and_state_are_stored(sessions: async_sessionmaker[AsyncSession], engine: Engine) -> None:
    async with sessions() as session, session.begin():
        await converse(session=session, engine=engine,
                       message=InboundMessage("simulator", "abc", "syarat karang taruna", "tanah-laut"))
    async with sessions() as session, session.begin():
        reply = await converse(session=session, engine=engine,
                               message=InboundMessage("simulator", "abc", "brp lama?", None))
        assert "1 hari kerja" in reply.text
        contact = await repo.get_or_create_contact(session=session, channel="simulator", external_id="abc")
        assert contact.agency == "tanah-laut"
        rows = await repo.history(session=session, contact_id=contact.id)
        assert [r.direction for r in rows] == ["in", "out", "in", "out"]
        assert rows[3].intent == "answer" and rows[3].service == "tanda-daftar-karang-taruna"


async def test_an_engine_failure_gets_an_apology_and_keeps_the_state(
        sessions: async_sessionmaker[AsyncSession], engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    async with sessions() as session, session.begin():
        await converse(session=session, engine=engine,
                       message=InboundMessage("simulator", "xyz", "syarat karang taruna", "tanah-laut"))

    def broken(message: InboundMessage, state: ConversationState) -> Reply:
        state.service = "garbage"
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "handle", broken)
    async with sessions() as session, session.begin():
        reply = await converse(session=session, engine=engine,
                               message=InboundMessage("simulator", "xyz", "brp lama?", None))
    assert reply.intent == "error" and "Mohon maaf" in reply.text
    monkeypatch.undo()
    async with sessions() as session, session.begin():
        reply = await converse(session=session, engine=engine,
                               message=InboundMessage("simulator", "xyz", "brp lama?", None))
    assert "1 hari kerja" in reply.text
