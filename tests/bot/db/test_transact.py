"""Whole transactions as plain functions (``bot.db.transact``): commit, rollback, order, on both databases."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session

from bot.db.migrate import upgrade
from bot.db.models import Contact
from bot.db.session import make_engine, make_sessionmaker
from bot.db.transact import Transactor


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[tuple[AsyncEngine, Transactor]]:
    engine = make_engine(database_url)
    transact = Transactor(database_url, engine)
    yield engine, transact
    await transact.close()
    await engine.dispose()


def _add(session: Session, external_id: str, *, fail: bool = False) -> int:
    contact = Contact(channel="whatsapp", external_id=external_id)
    session.add(contact)
    session.flush()
    if fail:
        raise ValueError("the caller's own error")
    return contact.id


def _count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Contact)) or 0)


async def test_commits_when_the_function_returns(db: tuple[AsyncEngine, Transactor]) -> None:
    engine, transact = db
    new_id = await transact(_add, "+6281100000001")
    assert new_id > 0
    async with make_sessionmaker(engine)() as session:  # seen by another connection: committed
        stored = await session.get(Contact, new_id)
    assert stored is not None and stored.external_id == "+6281100000001"


async def test_rolls_back_and_raises_when_the_function_raises(db: tuple[AsyncEngine, Transactor]) -> None:
    _, transact = db
    await transact(_add, "+6281100000002")
    with pytest.raises(ValueError, match="the caller's own error"):
        await transact(_add, "+6281100000003", fail=True)
    assert await transact(_count) == 1


def _increment(session: Session, contact_id: int) -> None:
    """Read, then write: loses updates unless transactions are serialised (SQLite) or locked (PostgreSQL)."""
    row = session.get(Contact, contact_id, with_for_update=True)
    assert row is not None
    row.display_name = str(int(row.display_name or "0") + 1)


async def test_concurrent_read_modify_write_loses_nothing(db: tuple[AsyncEngine, Transactor]) -> None:
    _, transact = db
    contact_id = await transact(_add, "+6281100000004")
    await asyncio.gather(*(transact(_increment, contact_id) for _ in range(60)))
    name = await transact(lambda s: s.scalar(select(Contact.display_name).where(Contact.id == contact_id)))
    assert name == "60"


async def test_async_sessions_and_whole_transactions_share_the_database(
        db: tuple[AsyncEngine, Transactor]) -> None:
    """The web pages' async sessions and the hot paths' transactions write the same file side by side."""
    engine, transact = db
    contact_id = await transact(_add, "+6281100000005")
    sessions = make_sessionmaker(engine)

    async def through_session() -> None:
        for _ in range(15):
            async with sessions() as session, session.begin():
                await session.execute(update(Contact).where(Contact.id == contact_id)
                                      .values(subscribed=False))

    await asyncio.gather(through_session(), *(transact(_increment, contact_id) for _ in range(15)))
    assert await transact(lambda s: s.get(Contact, contact_id).display_name) == "15"


async def test_sqlite_runs_each_transaction_whole_in_its_own_thread(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'one.db'}"
    await asyncio.to_thread(upgrade, url)
    engine = make_engine(url)
    transact = Transactor(url, engine)
    try:
        names = await asyncio.gather(*(transact(lambda _s: threading.current_thread().name) for _ in range(5)))
        assert {n.split("_")[0] for n in names} == {"sqlite"}
        assert threading.current_thread().name not in names  # never on the event loop's thread
    finally:
        await transact.close()
        await engine.dispose()


async def test_the_functions_keyword_arguments_pass_through_whatever_their_names(
        db: tuple[AsyncEngine, Transactor]) -> None:
    _, transact = db

    def echo(_session: Session, *, engine: str, sync_engine: str, fn: str) -> tuple[str, str, str]:
        return engine, sync_engine, fn

    assert await transact(echo, engine="a", sync_engine="b", fn="c") == ("a", "b", "c")
