"""The citizen after filing, in process on real databases: ``status`` and a ticket, the document a waiting case
asked for, "sudah selesai?" (``belum`` reopens), and the SKM survey counted by `dinsos-bot skm report`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Case, CasePhoto, Media, SurveyResponse
from bot.domain.tickets import TICKET
from bot.messaging import files, media_jobs
from bot.messaging.runtime import Runtime
from bot.messaging.statuses import MediaStatus
from handlers import messages
from tests.bot.cases.chat import NIK, file_complaint, say
from tests.bot.cases.conftest import sign_in
from tests.support import clean_env, run_cli

OTHER = "+6281299900077"


async def test_status_lists_own_cases_and_a_ticket_needs_the_nik_digits_from_elsewhere(
        api: tuple[httpx.AsyncClient, Runtime]) -> None:
    _, rt = api
    ticket = TICKET.search(await file_complaint(rt))
    assert ticket
    mine = await say(rt, "status")
    assert ticket.group() in mine and "diproses" in mine and "tahap 1 dari 4" in mine
    assert ticket.group() in await say(rt, ticket.group().lower())  # a ticket typed alone, any case
    assert "Belum ada pengaduan" in await say(rt, "status", phone=OTHER)
    refused = await say(rt, ticket.group(), phone=OTHER)  # someone else's ticket: as if it did not exist
    assert "tidak ditemukan" in refused and "Pelaihari" not in refused
    assert "tidak ditemukan" in await say(rt, "TLT-ZZZZZZ", phone=OTHER)
    allowed = await say(rt, f"{ticket.group()} 0002", phone=OTHER)  # with the NIK's last four digits
    assert "diproses" in allowed
    for _ in range(3):
        await say(rt, "TLT-ZZZZZZ", phone=OTHER)
    assert "1 jam lagi" in await say(rt, f"{ticket.group()} 0002", phone=OTHER)  # too many misses


async def test_a_waiting_case_takes_the_document_then_feedback_and_survey(
        api: tuple[httpx.AsyncClient, Runtime], tmp_path: Path, database_url: str) -> None:
    client, rt = api
    await file_complaint(rt)
    ticket = await rt.transact(lambda s: s.scalar(select(Case.ticket)))
    officer = await sign_in(client, rt, "petugas.tl")
    await client.post(f"/api/cases/{ticket}/wait", json={"note": "foto KTP yang jelas"}, headers=officer)
    before = await rt.transact(lambda s: len(list(s.scalars(select(CasePhoto)))))
    assert "sudah kami terima" in await say(rt, "", photos=1)
    assert await rt.transact(lambda s: s.scalar(select(Case.status))) == "open"  # the case goes on
    assert await rt.transact(lambda s: len(list(s.scalars(select(CasePhoto))))) == before + 1
    await client.post(f"/api/cases/{ticket}/resolve", json={"note": "kartu pengganti sudah dicetak"}, headers=officer)
    reopened = await say(rt, "belum")
    assert "buka kembali" in reopened
    assert await rt.transact(lambda s: (s.scalar(select(Case.status)), s.scalar(select(Case.feedback)))) == (
        "open", "belum")
    await client.post(f"/api/cases/{ticket}/resolve", json={}, headers=officer)
    assert "Survei Kepuasan" in await say(rt, "sudah")
    first = await say(rt, "ya")
    assert "(1/9)" in first and "Sangat sesuai" in first
    assert "angka 1, 2, 3 atau 4" in await say(rt, "bagus sekali")
    for _ in range(8):
        await say(rt, "4")
    assert "Terima kasih atas penilaian" in await say(rt, "4")
    assert await rt.transact(lambda s: s.scalar(select(SurveyResponse.answers))) == [4] * 9
    env = clean_env(DATABASE_URL=database_url, DATA_KEY="7" * 64)
    today = await rt.transact(lambda s: s.scalar(select(SurveyResponse.created_at)))
    day = today.astimezone(ZoneInfo("Asia/Makassar")).date().isoformat()  # the agency's day (WITA), not UTC's
    report = await asyncio.to_thread(run_cli, "skm", "report", "--agency", "tanah-laut", "--from", day, "--to", day,
                                     env=env, cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    assert "respondents: 1" in report.stdout and "IKM: 100,00" in report.stdout
    assert "category: A (Sangat baik)" in report.stdout
    assert (await client.get(f"/api/skm?agency=tanah-laut&from={day}&to={day}", headers=officer)).status_code == 403
    head = await sign_in(client, rt, "kabid", role="supervisor")
    api = (await client.get(f"/api/skm?agency=tanah-laut&from={day}&to={day}", headers=head)).json()
    assert (api["respondents"], api["ikm"], api["category"]) == (1, 100.0, "A")
    assert [u["nrr"] for u in api["unsur"]] == [4.0] * 9
    other = await sign_in(client, rt, "kabid.trk", role="supervisor", agency="tarakan")
    assert (await client.get(f"/api/skm?agency=tanah-laut&from={day}&to={day}", headers=other)).status_code == 404


async def test_a_photo_sent_after_filing_is_attached_to_the_case_when_the_citizen_says_so(
        api: tuple[httpx.AsyncClient, Runtime]) -> None:
    _, rt = api
    ticket = TICKET.search(await file_complaint(rt))
    assert ticket
    before = await rt.transact(lambda s: len(list(s.scalars(select(CasePhoto)))))
    asked = await say(rt, "", photos=1)
    assert "Untuk apa dokumen ini" in asked and f"Lampirkan ke pengaduan {ticket.group()}" in asked
    assert "sudah kami terima" in await say(rt, "1")
    assert await rt.transact(lambda s: len(list(s.scalars(select(CasePhoto))))) == before + 1
    await say(rt, "", photos=1)
    assert "*setuju*" in await say(rt, "2")  # a new pengaduan instead: its form starts


def _latest_media(session: Session) -> tuple[int, str]:
    media = session.scalars(select(Media).order_by(Media.id.desc())).first()
    assert media is not None
    return media.id, media.source


async def _found_unreadable(rt: Runtime) -> str:
    """What the worker records when the last photo's check says it is too blurry to read (``files.clean``
    decides that; tests/bot/messaging/test_files.py checks it): the photo kept, the citizen asked again."""
    media_id, source = await rt.transact(_latest_media)
    stored = files.StoredFile("0" * 64, "image/jpeg", 1000, Path("unused"), 900, 700, "blurry")
    await rt.transact(media_jobs._record, media_id, status=MediaStatus.STORED, error=None, stored=stored,
                      notify=messages.MEDIA_RETAKE["blurry"])
    return source


async def test_a_photo_retaken_after_a_blurry_one_replaces_it_in_the_form_and_on_the_case(
        api: tuple[httpx.AsyncClient, Runtime]) -> None:
    _, rt = api
    await say(rt, "kartu kks saya hilang, bantuan jadi tidak bisa diambil")
    for answer in ("ya", "setuju", "Siti Aminah", NIK, "Pelaihari"):
        await say(rt, answer)
    assert "KTP" in await say(rt, "Angsau")
    asked_next = await say(rt, "", photos=1)
    assert "1 foto diterima" in asked_next and "Kartu Keluarga" in asked_next
    blurry = await _found_unreadable(rt)
    replaced = await say(rt, "", photos=1)
    assert "Foto *KTP* sudah diganti" in replaced and "Kartu Keluarga" in replaced  # the list did not move on
    better = (await rt.transact(_latest_media))[1]
    summary = await say(rt, "lewati")
    while "Periksa data" not in summary:
        summary = await say(rt, "lewati")
    await say(rt, "kirim")
    photos = await rt.transact(lambda s: {p.item: p.source for p in s.scalars(select(CasePhoto))})
    assert photos["KTP"] == better != blurry and blurry not in photos.values()
    # after filing: the case's photo found unreadable, the next photo takes its place, no question asked
    await _found_unreadable(rt)
    answer = await say(rt, "", photos=1)
    assert "menggantikan foto yang kurang jelas" in answer
    after = await rt.transact(lambda s: {p.item: p.source for p in s.scalars(select(CasePhoto))})
    assert len(after) == len(photos) and after["KTP"] == (await rt.transact(_latest_media))[1] != better
