"""A pengaduan end to end, on the real service (uvicorn) with the real twilio and python-telegram-bot libraries
talking to fake providers on loopback, on SQLite and PostgreSQL: a citizen files with photos on WhatsApp, an
officer signs in and moves the case through every step, each step reaches the citizen (as the approved template
once the 24-hour window has closed), the citizen asks ``status`` and answers the survey; another citizen and an
officer of another agency see nothing; no NIK, name or phone number reaches the log."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select, update

from bot.db.models import Case, Contact, SurveyResponse, utcnow
from bot.domain.tickets import TICKET
from tests.channels.conftest import Service, eventually
from tests.fakes import images
from tests.fakes import telegram as tg
from tests.fakes import twilio as tw
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio

PHONE = "+6281255500123"
NIK = "6301054501900002"
NAME = "Siti Aminah Binti Ahmad"
TEMPLATES = {"case_status": "HX" + "1" * 32, "case_resolved": "HX" + "2" * 32, "case_waiting": "HX" + "3" * 32,
             "notification": "HX" + "4" * 32}
_updates = itertools.count(800)


class Citizen:
    """One WhatsApp citizen: says something, waits for every reply it causes."""

    def __init__(self, service: Service, twilio: FakeTwilio, phone: str) -> None:
        self.service, self.twilio, self.phone = service, twilio, phone

    async def say(self, text: str, *, photos: tuple[bytes, ...] = ()) -> str:
        before = len(self.twilio.sent_to(self.phone))
        extra: dict[str, str] = {"NumMedia": str(len(photos))}
        for n, photo in enumerate(photos):
            extra[f"MediaUrl{n}"] = self.twilio.add_media(photo)
            extra[f"MediaContentType{n}"] = "image/jpeg"
        assert self.service.whatsapp(tw.inbound_form(self.phone, text, **extra)).status_code == 200
        await eventually(lambda: len(self.twilio.sent_to(self.phone)) > before)
        await eventually(self.service.settled)
        return "\n".join(m.get("Body", "") for m in self.twilio.sent_to(self.phone)[before:])


async def test_a_pengaduan_from_whatsapp_to_resolved_with_every_step_told(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio, fake_telegram: FakeTelegram) -> None:
    service = start_service(AGENCIES="tanah-laut", TWILIO_TEMPLATES=json.dumps(TEMPLATES), LOG_LEVEL="INFO")
    siti = Citizen(service, fake_twilio, PHONE)
    assert "Balas *ya*" in await siti.say("kartu kks saya hilang waktu ke pasar, bantuan jadi tidak bisa diambil")
    assert "setuju" in await siti.say("ya")
    assert "nama lengkap" in await siti.say("setuju")
    assert "NIK" in await siti.say(NAME)
    assert "16 angka" in await siti.say("6301054501")  # a wrong NIK is explained, never echoed
    assert "kecamatan" in await siti.say(NIK)
    assert "desa" in await siti.say("Pelaihari")
    assert "KTP" in await siti.say("Angsau")
    reply = await siti.say("", photos=(images.jpeg(), images.jpeg(1400, 900)))
    while "Periksa data" not in reply:
        reply = await siti.say("lewati")
    assert "6301********0002" in reply and NIK not in reply
    confirmation = await siti.say("kirim")
    ticket = TICKET.search(confirmation)
    assert ticket and "WITA" in confirmation, confirmation

    others = Citizen(service, fake_twilio, "+6281255500999")
    assert "tidak ditemukan" in await others.say(ticket.group())  # another citizen: as if it did not exist
    stranger = service.sign_in("petugas.trk", "officer", "tarakan")
    assert service.http.get(f"/api/cases/{ticket.group()}", headers=stranger).status_code == 404

    officer = service.sign_in("petugas.tl", "officer", "tanah-laut")
    case = service.http.get(f"/api/cases/{ticket.group()}", headers=officer).json()
    assert case["nik"] == "6301********0002" and case["steps_total"] == 4
    photo = next(p for p in case["photos"] if p["received"])
    shown = service.http.get(photo["url"], headers=officer)
    assert shown.status_code == 200 and shown.content.startswith(b"\xff\xd8")  # decrypted for the officer only
    assert service.http.get(photo["url"], headers=stranger).status_code == 404

    sent_before = len(fake_twilio.sent_to(PHONE))
    moved = service.http.post(f"/api/cases/{ticket.group()}/advance", json={"note": "Data Anda sedang diperiksa"},
                              headers=officer)
    assert moved.status_code == 200 and moved.json()["step"]["index"] == 2
    await eventually(lambda: len(fake_twilio.sent_to(PHONE)) > sent_before)
    told = fake_twilio.sent_to(PHONE)[-1]
    assert ticket.group() in told["Body"] and "Status: diproses" in told["Body"] and "ContentSid" not in told

    await service.add(lambda s: s.execute(update(Contact).where(Contact.phone == PHONE).values(
        last_inbound_at=utcnow() - timedelta(hours=25))))  # the citizen has been silent for a day
    for _ in range(2):
        before = len(fake_twilio.sent_to(PHONE))
        assert service.http.post(f"/api/cases/{ticket.group()}/advance", json={}, headers=officer).status_code == 200
        await eventually(lambda b=before: len(fake_twilio.sent_to(PHONE)) > b)
        template = fake_twilio.sent_to(PHONE)[-1]
        assert template["ContentSid"] == TEMPLATES["case_status"] and "Body" not in template
        variables = json.loads(template["ContentVariables"])
        assert variables["1"] == ticket.group() and all("\n" not in v for v in variables.values())
    before = len(fake_twilio.sent_to(PHONE))
    resolved = service.http.post(f"/api/cases/{ticket.group()}/advance", json={}, headers=officer)
    assert resolved.json()["status"] == "resolved"
    await eventually(lambda: len(fake_twilio.sent_to(PHONE)) > before)
    assert fake_twilio.sent_to(PHONE)[-1]["ContentSid"] == TEMPLATES["case_resolved"]

    status = await siti.say("status")
    assert ticket.group() in status and "selesai" in status
    assert "Survei Kepuasan" in await siti.say("ya")  # "sudah selesai?" answered
    assert "(1/9)" in await siti.say("ya")
    for _ in range(8):
        await siti.say("4")
    assert "Terima kasih atas penilaian" in await siti.say("3")

    async def answered() -> bool:
        async with service.sessions() as session:
            return (await session.scalar(select(SurveyResponse.answers))) == [4] * 8 + [3]

    await eventually(answered)
    async with service.sessions() as session:
        stored = await session.scalar(select(Case))
        assert stored is not None and stored.status == "resolved" and stored.feedback == "ya"
    service.stop()
    log = service.log_path.read_text()
    for secret in (NIK, NAME, PHONE, PHONE.lstrip("+"), "Pelaihari", "Angsau"):
        assert secret not in log, f"{secret!r} is in the service log"


async def test_status_on_telegram_lists_only_that_chats_cases(
        start_service: Callable[..., Service], fake_telegram: FakeTelegram) -> None:
    service = start_service(AGENCIES="tanah-laut")
    chat = 555000999
    service.telegram(tg.fixture("text", update_id=next(_updates), chat_id=chat, text="status"))
    await eventually(lambda: len(fake_telegram.sent_to(chat)) == 1)
    assert "Belum ada pengaduan" in fake_telegram.sent_to(chat)[0]["text"]
    service.telegram(tg.fixture("text", update_id=next(_updates), chat_id=chat, text="lapor"))
    await eventually(lambda: len(fake_telegram.sent_to(chat)) == 2)
    consent = fake_telegram.sent_to(chat)[1]
    assert "setuju" in consent["text"] and "reply_markup" in consent  # buttons on Telegram
