"""Telegram end to end: the service under uvicorn, python-telegram-bot talking to a fake Bot API."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable

from bot.db.models import Inbound
from tests.channels.conftest import Service, eventually
from tests.fakes import telegram as tg
from tests.fakes.telegram import FakeTelegram, fixture

CHAT = 555000111
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17 + b"\x00\x00\x00\x00IEND\xaeB`\x82"
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
    assert await service.count(Inbound) == 0
    time.sleep(0.3)
    assert fake_telegram.sent == []


async def test_a_repeated_update_id_is_answered_once(
        start_service: Callable[..., Service], fake_telegram: FakeTelegram) -> None:
    service = start_service()
    for _ in range(3):
        assert service.telegram(fixture("text")).status_code == 200
    await eventually(lambda: len(fake_telegram.sent_to(CHAT)) >= 1)
    time.sleep(0.5)
    assert len(fake_telegram.sent_to(CHAT)) == 1 and await service.count(Inbound) == 1


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
    someone_else["message"]["contact"]["user_id"] = 999
    service.telegram(someone_else)
    await eventually(lambda: len(fake_telegram.sent_to(CHAT)) == 2)
    assert "nomor HP Anda sendiri" in fake_telegram.sent_to(CHAT)[1]["text"]
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


async def test_flood_control_waits_for_that_chat_only(
        start_service: Callable[..., Service], fake_telegram: FakeTelegram) -> None:
    fake_telegram.script("sendMessage", tg.flood(2))
    service = start_service()
    service.telegram(fixture("text", update_id=30, chat_id=111))
    time.sleep(0.3)
    service.telegram(fixture("text", update_id=31, chat_id=222))
    await eventually(lambda: len(fake_telegram.sent_to(222)) == 1)
    assert fake_telegram.sent_to(111) == []  # still waiting its retry_after
    await eventually(lambda: len(fake_telegram.sent_to(111)) == 1, timeout=10)
    first_try = fake_telegram.seen("sendMessage")[0].at
    assert fake_telegram.sent_to(111)[0]["at"] - first_try >= 1.9


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
