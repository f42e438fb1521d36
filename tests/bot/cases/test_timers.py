"""Time, without waiting for it (each step takes ``now``): a form left half-way is reminded once then forgotten;
a resolved case nobody answered is closed after 10 working days; NIK and photos go after RETENTION_DAYS."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AuditEntry, Case, CasePhoto, ConversationStateRow, Media, Outbox, utcnow
from bot.messaging import timers
from bot.messaging.runtime import Runtime
from handlers import messages
from tests.bot.cases.chat import NIK, file_complaint, say
from tests.bot.cases.conftest import sign_in
from tests.support import clean_env, run_cli


async def test_a_form_left_half_way_is_reminded_once_then_forgotten(api: tuple[httpx.AsyncClient, Runtime]) -> None:
    _, rt = api
    await say(rt, "lapor")
    await say(rt, "setuju")
    await say(rt, "Siti Aminah")
    await say(rt, NIK)
    now = utcnow()
    assert (await rt.transact(timers.forms, now + timedelta(minutes=59))).reminded == 0
    assert (await rt.transact(timers.forms, now + timedelta(minutes=61))).reminded == 1
    assert (await rt.transact(timers.forms, now + timedelta(minutes=90))).reminded == 0  # once
    reminders = await rt.transact(lambda s: list(s.scalars(select(Outbox.body).where(
        Outbox.body == messages.FORM_REMINDER))))
    assert len(reminders) == 1
    assert (await rt.transact(timers.forms, now + timedelta(hours=25))).forgotten == 1
    state = await rt.transact(lambda s: s.scalar(select(ConversationStateRow.state)))
    assert state["form"] is None and "nik_sealed" not in str(state)
    assert "kecamatan" not in await say(rt, "Pelaihari")  # the form is gone


async def test_an_unanswered_case_closes_and_personal_data_goes_after_retention(
        api: tuple[httpx.AsyncClient, Runtime], tmp_path: Path, database_url: str) -> None:
    client, rt = api
    await file_complaint(rt)
    ticket = await rt.transact(lambda s: s.scalar(select(Case.ticket)))
    officer = await sign_in(client, rt, "petugas.tl")
    await client.post(f"/api/cases/{ticket}/resolve", json={}, headers=officer)
    await rt.transact(lambda s: s.execute(Media.__table__.update().values(  # the photos were downloaded
        status="stored", sha256="ab" + "0" * 62, content_type="image/jpeg")))
    photo_file = Path(rt.settings.media_dir) / "ab" / ("ab" + "0" * 62)
    photo_file.parent.mkdir(parents=True, exist_ok=True)
    photo_file.write_bytes(b"encrypted photo")
    closed_at = await rt.transact(lambda s: s.scalar(select(Case.closed_at)))
    assert await rt.transact(timers.unanswered, closed_at + timedelta(days=11), rt.engine.kb) == 0  # working days
    assert await rt.transact(timers.unanswered, closed_at + timedelta(days=17), rt.engine.kb) == 1
    assert await rt.transact(lambda s: s.scalar(select(Case.feedback))) == "no-answer"
    assert (await rt.transact(timers.purge, closed_at + timedelta(days=364), 365, Path(rt.settings.media_dir))
            ).purged == 0
    env = clean_env(DATABASE_URL=database_url, DATA_KEY="7" * 64, MEDIA_DIR=rt.settings.media_dir)
    purged = await asyncio.to_thread(run_cli, "retention", "purge", "--days", "0", env=env, cwd=tmp_path)
    assert purged.returncode == 0 and "purged: 1 case(s)" in purged.stdout, purged.stderr
    case = await rt.transact(lambda s: s.scalar(select(Case)))
    assert (case.nik_sealed, case.nik_hash, case.nik_masked) == (None, None, None) and case.purged_at is not None
    assert not photo_file.exists()
    assert all(p.media_id is None for p in await rt.transact(lambda s: list(s.scalars(select(CasePhoto)))))
    assert (await client.post(f"/api/cases/{ticket}/nik", headers=officer)).status_code == 404
    audit = await rt.transact(lambda s: [(a.action, a.detail) for a in s.scalars(select(AuditEntry))])
    assert ("retention.purge", {"cases": 1, "photos": 2, "days": 0}) in audit


async def test_several_workers_at_once_remind_each_form_once_and_a_crash_repeats_nothing(
        api: tuple[httpx.AsyncClient, Runtime]) -> None:
    """Every worker runs the timers; each step locks the rows it changes (SKIP LOCKED) in one transaction, so
    three at once remind each form once, and a step that dies half-way leaves no trace for the next one."""
    _, rt = api
    phones = [f"+62813555000{n:02d}" for n in range(6)]
    for phone in phones:
        await say(rt, "lapor", phone=phone)
        await say(rt, "setuju", phone=phone)
    later = utcnow() + timedelta(minutes=61)

    def dies_half_way(session: Session) -> None:
        timers.forms(session, later)
        raise RuntimeError("the worker was killed")

    with pytest.raises(RuntimeError):
        await rt.transact(dies_half_way)
    done = await asyncio.gather(*(rt.transact(timers.forms, later) for _ in range(3)))
    assert sum(d.reminded for d in done) == len(phones)
    reminded = await rt.transact(lambda s: list(s.scalars(select(Outbox.contact_id).where(
        Outbox.body == messages.FORM_REMINDER))))
    assert len(reminded) == len(set(reminded)) == len(phones)
