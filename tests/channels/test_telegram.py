"""Telegram end to end: the service under uvicorn, python-telegram-bot talking to a fake Bot API."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.channels import telegram
from bot.db.models import Contact, Inbound, Outbox
from bot.messaging import outbox
from tests.channels.conftest import Service, eventually
from tests.fakes import images
from tests.fakes import telegram as tg
from tests.fakes.telegram import FakeTelegram, fixture

CHAT = 555000111
PNG = images.encoded(images.card(800, 700), "PNG")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def test_webhook_registered_and_a_question_answered(
        start_service: Callable[..., Service], fake_telegram: FakeTelegram) -> None:
    service = start_service(AGENCIES="tanah-laut")
    assert fake_telegram.webhook is not None
    assert fake_telegram.webhook["url"] == service.env["PUBLIC_BASE_URL"] + "/webhooks/telegram"
    assert fake_telegram.webhook["secret_token"] == tg.SECRET
    assert service.telegram(fixture("text")).status_code == 200
    await eventually(lambda: len(fake_telegram.sent_to(CHAT)) == 1)
    sent = fake_telegram.sent_to(CHAT)[0]
    assert sent["parse_mode"] == "HTML" and "Kepolisian" in sent["text"] and "<b>Persyaratan" in sent["text"]


async def test_wrong_or_missing_secret_changes_nothing(
        start_service: Callable[..., Service], fake_telegram: FakeTelegram) -> None:
    service = start_service()
    assert service.telegram(fixture("text"), secret="wrong").status_code == 403
    assert service.telegram(fixture("text"), secret=None).status_code == 403
    assert service.http.post("/webhooks/telegram", content=b"{not json",
                             headers={"X-Telegram-Bot-Api-Secret-Token": tg.SECRET}).status_code == 400
    assert await service.count(Inbound) == 0  # nothing stored, so nothing can be answered
    assert fake_telegram.sent == []


async def test_a_repeated_update_id_is_answered_once(
        start_service: Callable[..., Service], fake_telegram: FakeTelegram) -> None:
    service = start_service()
    for _ in range(3):
        assert service.telegram(fixture("text")).status_code == 200
    await eventually(lambda: len(fake_telegram.sent_to(CHAT)) >= 1)
    await eventually(service.settled)
    assert len(fake_telegram.sent_to(CHAT)) == 1 and await service.count(Inbound) == 1
    assert await service.count(Outbox) == 1


async def test_choices_are_buttons_and_a_press_answers(
        start_service: Callable[..., Service], fake_telegram: FakeTelegram) -> None:
    service = start_service()
    service.telegram(fixture("text", update_id=1, text="syarat kks hilang"))
    await eventually(lambda: len(fake_telegram.sent_to(CHAT)) == 1)
    markup = json.loads(fake_telegram.sent_to(CHAT)[0]["reply_markup"])
    labels = [row[0]["text"] for row in markup["inline_keyboard"]]
    assert labels[3] == "4. Kabupaten Tanah Laut" and markup["inline_keyboard"][3][0]["callback_data"] == "4"
    service.telegram(fixture("callback", update_id=2))
    await eventually(lambda: len(fake_telegram.sent_to(CHAT)) == 2)
    assert "Kepolisian" in fake_telegram.sent_to(CHAT)[1]["text"]
    await eventually(lambda: len(fake_telegram.seen("answerCallbackQuery")) == 1)


async def test_start_offers_the_phone_button_and_only_the_own_number_is_kept(
        start_service: Callable[..., Service], fake_telegram: FakeTelegram) -> None:
    service = start_service()
    service.telegram(fixture("start", update_id=10))
    await eventually(lambda: len(fake_telegram.sent_to(CHAT)) == 1)
    keyboard = json.loads(fake_telegram.sent_to(CHAT)[0]["reply_markup"])["keyboard"]
    assert keyboard[0][0]["request_contact"] is True
    someone_else = fixture("contact", update_id=11)
    someone_else["message"]["contact"].update(user_id=999, phone_number="6289988776655")
    service.telegram(someone_else)
    await eventually(lambda: len(fake_telegram.sent_to(CHAT)) == 2)
    assert "nomor HP Anda sendiri" in fake_telegram.sent_to(CHAT)[1]["text"]
    contact = await service.contact()
    assert contact is not None and contact.phone is None  # someone else's number is never stored
    service.telegram(fixture("contact", update_id=12))
    await eventually(lambda: len(fake_telegram.sent_to(CHAT)) == 3)
    contact = await service.contact()
    assert contact is not None and contact.phone == "+6281234567890"


async def test_photo_largest_size_and_pdf_document_are_stored(
        start_service: Callable[..., Service], fake_telegram: FakeTelegram) -> None:
    fake_telegram.files["photo-large"] = PNG
    fake_telegram.files["doc-1"] = PDF
    service = start_service()
    service.telegram(fixture("photo", update_id=20, file_id="photo-large"))
    service.telegram(fixture("document", update_id=21, file_id="doc-1"))

    async def stored() -> bool:
        return sorted(m.content_type or "" for m in await service.media() if m.status == "stored") == [
            "application/pdf", "image/png"]

    await eventually(stored)
    asked = [r.form().get("file_id") for r in fake_telegram.seen("getFile")]
    assert sorted(asked) == ["doc-1", "photo-large"]  # the largest photo size only
    assert all(tg.TOKEN not in (m.source or "") for m in await service.media())  # file URLs are never stored


async def test_flood_control_waits_its_retry_after_for_that_chat_only(
        start_service: Callable[..., Service], fake_telegram: FakeTelegram) -> None:
    fake_telegram.script("sendMessage", tg.flood(5), target="111")  # longer than any backoff of ours (2 s ± 20%)
    service = start_service()
    service.telegram(fixture("text", update_id=30, chat_id=111))
    service.telegram(fixture("text", update_id=31, chat_id=222))
    await eventually(lambda: len(fake_telegram.sent_to(222)) == 1)
    assert fake_telegram.sent_to(111) == []  # refused once, waiting
    await eventually(lambda: len(fake_telegram.sent_to(111)) == 1, timeout=20)
    first_try = next(r.at for r in fake_telegram.seen("sendMessage") if r.form().get("chat_id") == "111")
    assert fake_telegram.sent_to(111)[0]["at"] - first_try >= 4.9


async def test_one_message_per_second_per_chat(
        start_service: Callable[..., Service], fake_telegram: FakeTelegram) -> None:
    service = start_service(TELEGRAM_CHAT_INTERVAL="1.0", AGENCIES="tanah-laut")
    service.telegram(fixture("text", update_id=40, text="syarat karang taruna"))
    service.telegram(fixture("text", update_id=41, text="brp lama?"))
    service.telegram(fixture("text", update_id=42, text="bayar ga?"))
    await eventually(lambda: len(fake_telegram.sent_to(CHAT)) == 3, timeout=10)
    times = [m["at"] for m in fake_telegram.sent_to(CHAT)]
    assert all(b - a >= 0.9 for a, b in itertools.pairwise(times))
    texts = [m["text"] for m in fake_telegram.sent_to(CHAT)]
    assert "Kepala Desa" in texts[0] and "1 hari kerja" in texts[1] and "gratis" in texts[2]  # in order


async def test_blocked_by_the_user_marks_the_contact_unreachable(
        start_service: Callable[..., Service], fake_telegram: FakeTelegram) -> None:
    fake_telegram.script("sendMessage", tg.blocked())
    service = start_service()
    service.telegram(fixture("text", update_id=50))

    async def unreachable() -> bool:
        contact = await service.contact()
        return contact is not None and bool(contact.unreachable)

    await eventually(unreachable)


async def test_long_polling_without_a_public_url(
        start_service: Callable[..., Service], fake_telegram: FakeTelegram) -> None:
    fake_telegram.updates.append(fixture("text", update_id=60))
    start_service(PUBLIC_BASE_URL="")
    await eventually(lambda: len(fake_telegram.sent_to(CHAT)) == 1)
    assert fake_telegram.webhook is None and fake_telegram.seen("deleteWebhook")


async def test_a_long_message_goes_in_parts_within_the_limit_with_the_buttons_on_the_last(
        start_service: Callable[..., Service], fake_telegram: FakeTelegram) -> None:
    service = start_service()
    service.telegram(fixture("text", update_id=70))
    await eventually(lambda: len(fake_telegram.sent_to(CHAT)) == 1)
    paragraphs = [f"Paragraf {n}: " + "jadwal penyaluran bantuan di kantor desa " * 12 for n in range(30)]
    body = "\n\n".join(paragraphs)  # about 15,000 characters
    choices = [{"key": "1", "label": "Ya"}, {"key": "2", "label": "Tidak"}]

    def queue(session: Session) -> None:
        contact = session.scalars(select(Contact)).one()
        outbox.enqueue(session, contact_id=contact.id, channel="telegram", body=body, choices=choices,
                       limit=telegram.TEXT_LIMIT)  # what every producer passes: its channel's limit

    await service.add(queue)
    await eventually(service.settled)
    parts = fake_telegram.sent_to(CHAT)[1:]
    assert len(parts) >= 4 and all(len(p["text"]) <= 4096 for p in parts)
    assert "\n\n".join(p["text"] for p in parts) == body  # in order, nothing lost
    assert [("reply_markup" in p) for p in parts] == [False] * (len(parts) - 1) + [True]
