"""Shared fixtures: the knowledge base, the engine, a dialog helper and real databases."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from handlers.engine import Engine
from handlers.types import ConversationState, InboundMessage, Reply
from knowledge.loader import load
from knowledge.model import KnowledgeBase
from knowledge.understand import Lexicon

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def need(condition: bool, what: str) -> None:
    """Skip on a laptop without a system part; fail in CI, where nothing may be skipped."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available")
    pytest.skip(f"{what} is not available on this machine; install it to run this test")


@pytest.fixture(scope="session")
def knowledge() -> tuple[KnowledgeBase, Lexicon]:
    return load()


@pytest.fixture(scope="session")
def engine(knowledge: tuple[KnowledgeBase, Lexicon]) -> Engine:
    return Engine(*knowledge)


class Dialog:
    """One citizen's conversation with the engine (no database)."""

    def __init__(self, engine: Engine, agency: str | None = None) -> None:
        self.engine = engine
        self.agency = agency
        self.state = ConversationState()

    def say(self, text: str) -> Reply:
        return self.engine.handle(InboundMessage("test", "citizen", text, self.agency), self.state)


@pytest.fixture
def dialog(engine: Engine) -> Callable[..., Dialog]:
    return lambda agency=None: Dialog(engine, agency)


def verify_dialog(d: Dialog, turns: list[tuple[str, list[str] | str]]) -> None:
    """Each turn: what the citizen says, and texts the reply must contain (or the intent, as 'intent:x')."""
    for says, expects in turns:
        reply = d.say(says)
        for want in [expects] if isinstance(expects, str) else expects:
            if want.startswith("intent:"):
                assert reply.intent == want.removeprefix("intent:"), (says, reply.intent, reply.text)
            else:
                assert want.lower() in reply.text.lower(), (says, want, reply.text)


async def _pg_available() -> bool:
    try:
        import asyncpg

        conn = await asyncio.wait_for(asyncpg.connect(PG_ADMIN_URL), 5)
    except Exception:  # any failure means "not reachable"
        return False
    await conn.close()
    return True


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                       ) -> AsyncIterator[str]:
    """A fresh, migrated database: embedded SQLite, and the local PostgreSQL server."""
    from bot.db.migrate import upgrade

    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        await asyncio.to_thread(upgrade, url)
        yield url
        return
    need(await _pg_available(), f"PostgreSQL at {PG_ADMIN_URL}")
    import asyncpg

    name = f"dinsos_test_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(PG_ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    url = f"{base}/{name}"
    try:
        await asyncio.to_thread(upgrade, url)
        yield url
    finally:
        admin = await asyncpg.connect(PG_ADMIN_URL)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings read only what a test sets."""
    for key in list(os.environ):
        if key.startswith(("TWILIO_", "TELEGRAM_", "DATABASE_URL", "AGENCIES", "PUBLIC_BASE_URL")):
            monkeypatch.delenv(key, raising=False)
    yield
