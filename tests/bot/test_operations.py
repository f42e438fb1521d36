"""What an operator relies on, in process on real databases: the sweep answers what was left unanswered, the
outbox commands, the operator API without its token, and /healthz when the database is gone."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Contact, Inbound, Outbox, utcnow
from bot.messaging import outbox, processing
from bot.messaging.runtime import Runtime
from bot.runtime import create_runtime
from bot.settings import Settings
from bot.web.main import create_app
from tests.conftest import with_channels
from tests.fakes import twilio as tw
from tests.support import clean_env, run_cli


@pytest.fixture
async def rt(database_url: str) -> AsyncIterator[Runtime]:
    runtime = create_runtime(with_channels(database_url=database_url, agencies=["tanah-laut"]))
    yield runtime
    await runtime.close()


def _left_unanswered(session: Session, *, minutes_ago: float, phone: str) -> None:
    form = tw.inbound_form(phone, "jam buka")
    session.add(Inbound(channel="whatsapp", external_id=form["MessageSid"], sender=form["From"], payload=form,
                        status="received", received_at=utcnow() - timedelta(minutes=minutes_ago)))


def _statuses(session: Session) -> list[tuple[str, str]]:
    return [(r.sender, r.status) for r in session.scalars(select(Inbound).order_by(Inbound.id))]


async def test_the_sweep_answers_a_delivery_left_unanswered(rt: Runtime) -> None:
    await rt.transact(_left_unanswered, minutes_ago=5, phone="+6281200000001")  # the process died before answering
    await rt.transact(_left_unanswered, minutes_ago=0, phone="+6281200000002")  # just arrived: the processor's job
    assert await processing.sweep_inbound(rt) == 1  # one was old enough to be the sweep's
    assert await rt.transact(_statuses) == [("whatsapp:+6281200000001", "processed"),  # and it answers in order
                                            ("whatsapp:+6281200000002", "processed")]
    replies = await rt.transact(lambda s: [r.body for r in s.scalars(select(Outbox))])
    assert len(replies) == 2 and all("16.30" in reply for reply in replies)


def _dead_letter(session: Session) -> None:
    contact = Contact(channel="whatsapp", external_id="+6281234567890", phone="+6281234567890")
    session.add(contact)
    session.flush()
    for body, status in (("terkirim", "delivered"), ("gagal", "dead")):
        [row] = outbox.enqueue(session, contact_id=contact.id, channel="whatsapp", body=body)
        row.status, row.error_code, row.error = status, "21211" if status == "dead" else None, None


async def test_the_outbox_commands_list_and_retry_dead_letters(rt: Runtime, database_url: str,
                                                               tmp_path: Path) -> None:
    await rt.transact(_dead_letter)
    env = clean_env(DATABASE_URL=database_url)
    listed = await asyncio.to_thread(run_cli, "outbox", "list", "--failed", env=env, cwd=tmp_path)
    assert listed.returncode == 0 and "dead" in listed.stdout and "'gagal'" in listed.stdout
    assert "'terkirim'" not in listed.stdout and "1 row(s)" in listed.stdout
    retried = await asyncio.to_thread(run_cli, "outbox", "retry", "2", env=env, cwd=tmp_path)
    assert retried.returncode == 0 and "queued again" in retried.stdout
    again = await asyncio.to_thread(run_cli, "outbox", "retry", "2", env=env, cwd=tmp_path)
    assert again.returncode == 1 and "pending" in again.stderr
    missing = await asyncio.to_thread(run_cli, "outbox", "retry", "999", env=env, cwd=tmp_path)
    assert missing.returncode == 1 and "does not exist" in missing.stderr
    statuses = await rt.transact(lambda s: [r.status for r in s.scalars(select(Outbox).order_by(Outbox.id))])
    assert statuses == ["delivered", "pending"]


async def test_the_operator_api_needs_a_signed_in_admin_and_health_fails_without_a_database(
        database_url: str, tmp_path: Path) -> None:
    app = create_app(Settings(database_url=database_url, auto_migrate=False, media_dir=str(tmp_path / "m"),
                              admin_api_token="the-metrics-token"))
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for path in ("/api/outbox", "/api/outbox/counts", "/api/inbound"):
            for token in ("anything", "the-metrics-token"):  # ADMIN_API_TOKEN no longer opens the API
                refused = await client.get(path, headers={"Authorization": f"Bearer {token}"})
                assert refused.status_code == 401 and "/api/token" in refused.json()["detail"]
        assert (await client.get("/healthz")).status_code == 200
        await _take_the_database_away(database_url)
        gone = await client.get("/healthz")
        assert gone.status_code == 503 and gone.json()["database"] == "unreachable"


async def _take_the_database_away(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[1]
        os.rename(path, path + ".moved")
        return
    name = database_url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(database_url.rsplit("/", 1)[0].replace("postgresql+asyncpg", "postgresql")
                                  + "/postgres")
    await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    await admin.close()
