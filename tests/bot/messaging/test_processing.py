"""Storing and answering deliveries, in process on real databases: a bad row never takes good ones down, and a
delivery that cannot be answered is apologised for and kept for an operator."""

from __future__ import annotations

import asyncio
import logging
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import logs
from bot.db.models import Inbound, Outbox
from bot.messaging import dead_letters, processing
from bot.messaging.batch import Batch
from bot.messaging.runtime import Runtime
from bot.messaging.statuses import DELIVERY_ATTEMPTS
from bot.runtime import create_runtime
from handlers import messages
from tests.conftest import with_channels, writing
from tests.fakes import twilio as tw
from tests.support import clean_env, run_cli


@pytest.fixture
async def rt(database_url: str) -> AsyncIterator[Runtime]:
    async with writing(create_runtime(with_channels(database_url=database_url, agencies=["tanah-laut"]))) as runtime:
        yield runtime


def _rows(session: Session) -> list[tuple[str, str, int]]:
    return [(r.external_id, r.status, r.attempts) for r in session.scalars(select(Inbound).order_by(Inbound.id))]


def _outbox(session: Session) -> list[tuple[int, str]]:
    return [(r.contact_id, r.body) for r in session.scalars(select(Outbox).order_by(Outbox.id))]


def _form(phone: str, text: str) -> dict[str, str]:
    return tw.inbound_form(phone, text)


async def test_a_row_that_cannot_be_stored_fails_only_its_own_webhook(rt: Runtime) -> None:
    good = [_form(f"+62812000000{n}", "halo") for n in range(4)]
    stores: list[Any] = [rt.writer.store(channel="whatsapp", external_id=f["MessageSid"], payload=f,
                                         sender=f["From"]) for f in good]
    refused = _form("+628120000009", "halo")  # a row the database refuses (no channel: NOT NULL)
    stores.insert(2, rt.writer.store(channel=None, external_id=refused["MessageSid"],  # type: ignore[arg-type]
                                     payload=refused, sender=refused["From"]))
    results = await asyncio.gather(*stores, return_exceptions=True)
    assert [r is None for r in results] == [True, True, False, True, True]
    stored = await rt.transact(_rows)
    assert sorted(external_id for external_id, _, _ in stored) == sorted(f["MessageSid"] for f in good)


async def test_a_database_error_never_carries_the_rows_values_into_the_log(rt: Runtime) -> None:
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Keep()
    handler.addFilter(logs.Redact(logs.secrets_of(rt.settings)))
    logging.getLogger().addHandler(handler)
    form = _form("+6281299990001", "nik saya 6301044507900002, rumah di gang mawar")
    try:
        with pytest.raises(Exception, match=r"(?i)null|constraint"):
            await rt.writer.store(channel=None, external_id=form["MessageSid"],  # type: ignore[arg-type]
                                  payload=form, sender=form["From"])
    finally:
        logging.getLogger().removeHandler(handler)
    logged = "\n".join(lines)
    assert "IntegrityError" in logged
    for value in ("6281299990001", "6301044507900002", "gang mawar"):
        assert value not in logged


async def test_a_delivery_that_always_fails_gets_an_apology_and_waits_for_an_operator(
        rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    handle = Batch.handle

    def breaks_on_rusak(self: Batch, row: Any, incoming: Any) -> None:
        if incoming.text == "RUSAK":
            raise RuntimeError("a bug while answering")
        handle(self, row, incoming)

    monkeypatch.setattr(Batch, "handle", breaks_on_rusak)
    bad, good = _form("+6281200000001", "RUSAK"), _form("+6281200000002", "jam buka")
    for form in (bad, good):
        await rt.writer.store(channel="whatsapp", external_id=form["MessageSid"], payload=form, sender=form["From"])
    for _ in range(DELIVERY_ATTEMPTS):
        await processing.process_waiting(rt)
    assert await rt.transact(_rows) == [(bad["MessageSid"], "failed", DELIVERY_ATTEMPTS),
                                        (good["MessageSid"], "processed", 1)]
    sent = await rt.transact(_outbox)
    apologies = [body for _, body in sent if body == messages.PROCESSING_FAILED]
    assert len(apologies) == 1 and len(sent) == 2  # the apology once, and the good message's answer
    assert [r.id for r in await rt.transact(dead_letters.deliveries, failed_only=True)] == [1]

    monkeypatch.setattr(Batch, "handle", handle)  # the bug is fixed; the operator retries
    row = await rt.transact(dead_letters.retry_delivery, inbound_id=1)
    assert row is not None and row.status == "received"
    await processing.process_waiting(rt)
    assert [status for _, status, _ in await rt.transact(_rows)] == ["processed", "processed"]
    assert len(await rt.transact(_outbox)) == 3


async def test_an_unreadable_stored_update_is_failed_at_once_for_an_operator(rt: Runtime) -> None:
    no_chat = {"update_id": 9, "message": {"message_id": 1, "date": 1763780000, "text": "halo"}}
    await rt.writer.store(channel="telegram", external_id="9", payload=no_chat, sender="")
    await processing.process_inbound(rt, 1)
    [row] = await rt.transact(dead_letters.deliveries, failed_only=True)
    assert row.attempts == 1 and (row.error or "").startswith("unreadable: AttributeError")


def test_the_inbound_commands_list_and_retry_failed_deliveries(database_url: str, tmp_path: Path) -> None:
    async def prepare() -> None:
        runtime = create_runtime(with_channels(database_url=database_url))

        def failed(session: Session) -> None:
            session.add(Inbound(channel="whatsapp", external_id="SM" + "c" * 32, sender="whatsapp:+6281234567890",
                                payload={}, status="failed", attempts=5, error="RuntimeError: a bug"))

        await runtime.transact(failed)
        await runtime.close()

    asyncio.run(prepare())
    env = clean_env(DATABASE_URL=database_url)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli("inbound", *args, env=env, cwd=tmp_path)

    listed = cli("list", "--failed")
    assert listed.returncode == 0 and "RuntimeError: a bug" in listed.stdout and "1 row(s)" in listed.stdout
    assert "6281234567890" not in listed.stdout and "+62812****7890" in listed.stdout  # masked
    assert cli("retry", "1").returncode == 0
    again = cli("retry", "1")
    assert again.returncode == 1 and "received" in again.stderr
    assert cli("retry", "99").returncode == 1
    assert "0 row(s)" in cli("list", "--failed").stdout
