"""Shared fixtures: the knowledge base, the engine, a dialog helper and real databases.

The suite never reads the developer's shell or `.env`: every setting is removed from this process's environment
here, before any test runs, and ``Settings`` reads no env file. Processes the tests start get a clean environment
of their own (``tests.support.clean_env``) and run in a folder of their own.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Callable, Generator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import pytest

from bot.settings import Settings

for _key in list(os.environ):
    if _key.lower() in Settings.model_fields or _key.startswith(("TWILIO_", "TELEGRAM_", "DINSOS_")):
        del os.environ[_key]
Settings.model_config["env_file"] = None
TEST_DATA_KEY = "7" * 64  # hex, 32 bytes: what encrypts NIKs in these tests (never a key file in the checkout)
os.environ["DATA_KEY"] = TEST_DATA_KEY

from handlers.engine import Engine  # noqa: E402
from handlers.types import ConversationState, InboundMessage, Reply  # noqa: E402
from knowledge.loader import load  # noqa: E402
from knowledge.model import KnowledgeBase  # noqa: E402
from knowledge.understand import Lexicon  # noqa: E402
from tests.support import LOGS  # noqa: E402

if TYPE_CHECKING:
    from bot.messaging.runtime import Runtime

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def need(condition: bool, what: str) -> None:
    """Skip on a laptop without a system part; fail in CI, where nothing may be skipped."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available")
    pytest.skip(f"{what} is not available on this machine; install it to run this test")


CHANNELS = {"twilio_account_sid": "AC" + "1" * 32, "twilio_auth_token": "test-auth-token-primary",
            "twilio_whatsapp_from": "whatsapp:+14155238886", "twilio_api_base_url": "http://127.0.0.1:9",
            "telegram_bot_token": "123456:TEST-token_for-the-fake", "telegram_api_base_url": "http://127.0.0.1:9",
            "data_key": TEST_DATA_KEY}


def with_channels(**settings: Any) -> Settings:
    """Settings with the WhatsApp and Telegram channels present (their APIs unreachable: for tests that never
    send)."""
    return Settings(**(CHANNELS | settings))


@asynccontextmanager
async def writing(runtime: Runtime) -> AsyncIterator[Runtime]:
    """The runtime with its database writer running (as the service runs it); stopped and closed after."""
    stop = asyncio.Event()
    writer = asyncio.create_task(runtime.writer.run(stop))
    try:
        yield runtime
    finally:
        stop.set()
        await writer
        await runtime.close()


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
        return self.engine.turn(InboundMessage("test", "citizen", text, self.agency), self.state)


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


E2E_FIXTURES = {"start_service", "server", "page"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that start the service as a process (and the browser) are ``e2e``: `make test` runs them after
    the fast layer (``-m "not e2e"``), which needs no server and answers in seconds."""
    for item in items:
        if E2E_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """A failed test shows the log of every process it started (``tests.support.remember_log``)."""
    report = yield
    if report.failed:
        for path in item.stash.get(LOGS, []):
            if path.exists():
                report.sections.append((f"log of {path.name}", path.read_text(errors="replace")[-6000:]))
    return report
