"""End-to-end harness: the service under uvicorn (a real process) talking to fake Twilio and Telegram."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Contact, Inbound, Media, Outbox
from bot.db.session import make_engine, make_sessionmaker
from tests.conftest import TEST_DATA_KEY
from tests.fakes import telegram as tg
from tests.fakes import twilio as tw
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio
from tests.support import clean_env, free_port, remember_log, run_cli, start_process, stop_process, wait_healthy

PASSWORD = "a-long-test-password"


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram().start()
    yield fake
    fake.stop()


class Service:
    """A running `dinsos-bot serve` (or `worker`) process and helpers to talk to it and read its database."""

    def __init__(self, base: str, env: dict[str, str], proc: subprocess.Popen[bytes],
                 sessions: async_sessionmaker[AsyncSession], log_path: Path, cwd: Path) -> None:
        self.base, self.env, self.proc, self.sessions, self.log_path = base, env, proc, sessions, log_path
        self.cwd = cwd
        self.http = httpx.Client(base_url=base, timeout=10)
        self.tokens: dict[str, dict[str, str]] = {}

    def sign_in(self, username: str = "admin", role: str = "admin", agency: str | None = None) -> dict[str, str]:
        """The headers of a signed-in account (created with `dinsos-bot users add` the first time)."""
        if username not in self.tokens:
            extra = ["--agency", agency] if agency else []
            made = run_cli("users", "add", username, "--role", role, *extra, "--password-stdin", env=self.env,
                           cwd=self.cwd, stdin=PASSWORD + "\n")
            assert made.returncode == 0, made.stderr
            answer = self.http.post("/api/token", data={"username": username, "password": PASSWORD})
            assert answer.status_code == 200, answer.text
            self.tokens[username] = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        return self.tokens[username]

    def whatsapp(self, form: dict[str, str], *, token: str = tw.TOKEN, signature: str | None = None,
                 path: str = "/webhooks/twilio/whatsapp", signed_for: str | None = None) -> httpx.Response:
        """Post a form as Twilio does, signed for ``signed_for`` (default: PUBLIC_BASE_URL, as Twilio would)."""
        url = (signed_for if signed_for is not None else self.env["PUBLIC_BASE_URL"]) + path
        sig = signature if signature is not None else tw.sign(url, form, token)
        return self.http.post(path, data=form, headers={"X-Twilio-Signature": sig})

    def status(self, sid: str, status: str, error_code: str | None = None) -> httpx.Response:
        form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": tw.ACCOUNT, "SmsSid": sid,
                "To": "whatsapp:+6281200000000", "From": tw.SENDER, "ApiVersion": "2010-04-01"}
        if error_code:
            form["ErrorCode"] = error_code
        return self.whatsapp(form, path="/webhooks/twilio/status")

    def telegram(self, update: dict[str, Any], secret: str | None = tg.SECRET) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return self.http.post("/webhooks/telegram", json=update, headers=headers)

    async def count(self, model: Any, *where: Any) -> int:
        async with self.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    async def outbox(self) -> list[Outbox]:
        async with self.sessions() as session:
            return list(await session.scalars(select(Outbox).order_by(Outbox.id)))

    async def media(self) -> list[Media]:
        async with self.sessions() as session:
            return list(await session.scalars(select(Media).order_by(Media.id)))

    async def add(self, fn: Callable[..., Any], /, **kwargs: Any) -> Any:
        """Run ``fn(session, **kwargs)`` in a transaction on the service's database (what a producer would do)."""
        async with self.sessions() as session, session.begin():
            return await session.run_sync(lambda sync: fn(sync, **kwargs))

    async def contacts(self) -> list[Contact]:
        async with self.sessions() as session:
            return list(await session.scalars(select(Contact).order_by(Contact.id)))

    async def contact(self) -> Any:
        """The one contact a test talked with (the row, as stored)."""
        async with self.sessions() as session:
            return (await session.execute(Contact.__table__.select())).first()

    async def settled(self) -> bool:
        """Nothing left to do: every delivery answered, no outgoing message or download still open.

        Wait for this (``eventually(service.settled)``) before asserting that something did *not* happen."""
        waiting = await self.count(Inbound, Inbound.status == "received")
        sending = await self.count(Outbox, Outbox.status.in_(("pending", "sending")))
        downloading = await self.count(Media, Media.status == "pending")
        return waiting + sending + downloading == 0

    async def inbound(self) -> list[Inbound]:
        async with self.sessions() as session:
            return list(await session.scalars(select(Inbound).order_by(Inbound.id)))

    def stop(self) -> None:
        self.http.close()
        stop_process(self.proc)


async def eventually(check: Callable[[], Awaitable[bool] | bool], timeout: float = 15.0) -> None:
    """Wait until ``check`` holds (the worker works asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


class PortTaken(Exception):
    pass


@pytest.fixture
async def start_service(request: pytest.FixtureRequest, database_url: str, fake_twilio: FakeTwilio,
                        fake_telegram: FakeTelegram, tmp_path: Path) -> AsyncIterator[Callable[..., Service]]:
    """Start `dinsos-bot serve` (or `worker`) with both channels pointed at the fakes; ``overrides`` are settings.

    The process gets a clean environment and runs in the test's own folder; its log is shown if the test fails.
    """
    started: list[Service] = []
    db = make_engine(database_url)
    sessions = make_sessionmaker(db)

    def start(command: str = "serve", **overrides: str) -> Service:
        for _ in range(3):  # a port picked free may be taken by a parallel test before the service binds it
            try:
                return start_on(free_port(), command, **overrides)
            except PortTaken:
                continue
        raise RuntimeError("no free port after 3 tries")

    def start_on(port: int, command: str, **overrides: str) -> Service:
        env = clean_env(
            HOST="127.0.0.1", PORT=str(port), LOG_LEVEL="WARNING", DATABASE_URL=database_url,
            PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", MEDIA_DIR=str(tmp_path / "media"),
            TWILIO_ACCOUNT_SID=tw.ACCOUNT, TWILIO_AUTH_TOKEN=tw.TOKEN,
            TWILIO_AUTH_TOKEN_SECONDARY=tw.TOKEN_OLD, TWILIO_WHATSAPP_FROM=tw.SENDER,
            TWILIO_API_BASE_URL=fake_twilio.base_url, TELEGRAM_BOT_TOKEN=tg.TOKEN,
            TELEGRAM_WEBHOOK_SECRET=tg.SECRET, TELEGRAM_API_BASE_URL=fake_telegram.base_url,
            TELEGRAM_CHAT_INTERVAL="0", WORKER_POLL_SECONDS="0.05", DATA_KEY=TEST_DATA_KEY,
        )
        env.update(overrides)
        log_path = tmp_path / f"{command}-{port}.log"
        remember_log(request, log_path)
        proc = start_process(command, env, tmp_path, log_path)
        service = Service(f"http://127.0.0.1:{port}", env, proc, sessions, log_path, tmp_path)
        started.append(service)
        if command == "serve":
            try:
                wait_healthy(service.base, proc, log_path)
            except RuntimeError:
                if "address already in use" in log_path.read_text(errors="replace").lower():
                    started.remove(service)
                    service.stop()
                    raise PortTaken from None
                raise
        return service

    yield start
    for service in started:
        service.stop()
    await db.dispose()
