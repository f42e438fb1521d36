"""What an attacker or a careless provider tries, against the running service (issue 7): nothing lost, nothing
leaked, bounded inputs, precise 4xx. On SQLite and PostgreSQL (PostgreSQL refuses NUL and over-long values)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator

import httpx

from bot.db.models import Contact, Inbound
from tests.channels.conftest import Service, eventually
from tests.conftest import TEST_DATA_KEY
from tests.fakes import images
from tests.fakes import telegram as tg
from tests.fakes import twilio as tw
from tests.fakes.telegram import FakeTelegram, fixture
from tests.fakes.twilio import FakeTwilio

PHONE = "+6281234567890"
CHAT = 555000111
NIK = "6301044507900002"
PNG = images.encoded(images.card(800, 700), "PNG")
SECURITY_HEADERS = {"x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "same-origin"}


async def test_an_over_long_file_name_and_mime_type_still_get_the_citizen_answered(
        start_service: Callable[..., Service], fake_telegram: FakeTelegram) -> None:
    service = start_service()
    update = fixture("document", update_id=41)
    long_name = "surat_keterangan_" + "sangat_panjang_" * 20 + ".pdf"  # over 300 characters
    update["message"]["document"].update(file_name=long_name, mime_type="application/" + "x" * 150)
    fake_telegram.files[update["message"]["document"]["file_id"]] = b"%PDF-1.4\n%%EOF\n"
    assert service.telegram(update).status_code == 200
    await eventually(lambda: any("sedang kami proses" in m["text"] for m in fake_telegram.sent_to(CHAT)))
    [media] = await service.media()
    assert media.file_name is not None and len(media.file_name) == 200 and media.file_name.endswith("…")
    assert media.declared_type is not None and len(media.declared_type) == 100
    assert [row.status for row in await service.inbound()] == ["processed"]


async def test_a_profile_name_with_nul_and_bidi_characters_is_stored_clean_and_answered(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    service = start_service(AGENCIES="tanah-laut")
    name = "Ibu\x00 Siti\u202e\u200b\x07 Aminah\u2066"
    assert service.whatsapp(tw.inbound_form(PHONE, "jam buka", ProfileName=name)).status_code == 200
    await eventually(lambda: len(fake_twilio.sent_to(PHONE)) == 1)
    contact = await service.contact()
    assert contact is not None and contact.display_name == "Ibu Siti Aminah"


async def test_one_bad_delivery_among_many_fails_alone(
        start_service: Callable[..., Service], fake_telegram: FakeTelegram) -> None:
    service = start_service()
    too_long = fixture("text", update_id=10**90)  # larger than any update id: refused before storing
    assert service.telegram(too_long).status_code == 400
    chats = [CHAT + n for n in range(1, 21)]
    for n, chat in enumerate(chats, 1):
        assert service.telegram(fixture("text", update_id=500 + n, chat_id=chat)).status_code == 200
    await eventually(lambda: all(fake_telegram.sent_to(chat) for chat in chats))
    assert await service.count(Inbound) == 20


async def test_malformed_webhooks_get_a_precise_4xx_and_store_nothing(
        start_service: Callable[..., Service]) -> None:
    service = start_service()
    headers = {"X-Telegram-Bot-Api-Secret-Token": tg.SECRET, "content-type": "application/json"}
    no_chat = fixture("text", update_id=77)
    del no_chat["message"]["chat"]
    bodies = {
        "update_id 1e309": b'{"update_id": 1e309, "message": {}}',
        "update_id as text": b'{"update_id": "12", "message": {}}',
        "message as a string": b'{"update_id": 5, "message": "str"}',
        "nested 50,000 deep": b'{"update_id": 6, "x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        "a list": b"[1, 2]",
        "a message without a chat": json.dumps(no_chat).encode(),
    }
    for what, body in bodies.items():
        response = service.http.post("/webhooks/telegram", content=body, headers=headers)
        assert response.status_code == 400, (what, response.status_code, response.text)
    upload = service.http.post("/webhooks/twilio/whatsapp", files={"MediaUrl0": ("ktp.jpg", b"\xff\xd8\xff" * 100)},
                               data={"From": f"whatsapp:{PHONE}"})
    assert upload.status_code == 415
    status = service.whatsapp(dict(tw.inbound_form(PHONE, "x"), MessageStatus="delivered" * 5),
                              path="/webhooks/twilio/status")
    assert status.status_code == 400
    admin = service.sign_in()
    assert service.http.post("/api/outbox/9223372036854775808/retry", headers=admin).status_code == 422
    assert service.http.post("/api/inbound/9223372036854775808/retry", headers=admin).status_code == 422
    assert await service.count(Inbound) == 0
    assert "Traceback" not in service.log_path.read_text()


def _chunks(size: int, piece: bytes = b"x" * 8192) -> Iterator[bytes]:
    sent = 0
    while sent < size:
        yield piece
        sent += len(piece)


async def test_chunked_bodies_are_refused_once_past_the_limit(start_service: Callable[..., Service]) -> None:
    service = start_service()
    form_prefix = b"Body=" + b"a" * 10
    twilio = service.http.post("/webhooks/twilio/whatsapp",
                               content=iter([form_prefix, *_chunks(300 * 1024)]),
                               headers={"content-type": "application/x-www-form-urlencoded"})
    assert twilio.status_code == 413
    simulator = service.http.post("/api/simulator/messages", content=iter([b'{"text": "', *_chunks(100 * 1024)]),
                                  headers={"content-type": "application/json"})
    assert simulator.status_code == 413
    declared = service.http.post("/api/simulator/messages", content=b"{" + b" " * 70_000 + b"}",
                                 headers={"content-type": "application/json"})
    assert declared.status_code == 413
    assert service.http.get("/healthz").status_code == 200
    await eventually(lambda: service.http.get("/readyz").status_code == 200)  # the in-process worker's heartbeat


async def test_a_telegram_file_over_20_mb_is_refused_as_too_large(
        start_service: Callable[..., Service], fake_telegram: FakeTelegram) -> None:
    service = start_service()
    declared = fixture("document", update_id=61)
    declared["message"]["document"]["file_size"] = 25 * 1024 * 1024
    undeclared = fixture("document", update_id=62, file_id="BIG-FILE-WITHOUT-SIZE")
    del undeclared["message"]["document"]["file_size"]
    fake_telegram.too_big.add("BIG-FILE-WITHOUT-SIZE")
    service.telegram(declared)
    service.telegram(undeclared)

    async def refused() -> bool:
        return [m.status for m in await service.media()] == ["rejected", "rejected"]

    await eventually(refused)
    await eventually(lambda: sum("terlalu besar (maks. 20 MB)" in m["text"] for m in fake_telegram.sent_to(CHAT)) == 2)
    assert not any("kirim ulang" in m["text"] for m in fake_telegram.sent_to(CHAT))
    assert [r.form().get("file_id") for r in fake_telegram.seen("getFile")] == ["BIG-FILE-WITHOUT-SIZE"]


async def test_no_token_phone_or_nik_in_the_logs_of_a_whole_exchange(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio, fake_telegram: FakeTelegram) -> None:
    service = start_service(LOG_LEVEL="DEBUG", AGENCIES="tanah-laut")
    url = fake_twilio.add_media(PNG)
    service.whatsapp(tw.inbound_form(PHONE, f"kks saya hilang, NIK {NIK}, hp 081234567890"))
    service.whatsapp(tw.inbound_form(PHONE, "", NumMedia="1", MediaUrl0=url, MediaContentType0="image/png"))
    update = fixture("photo", update_id=90)
    fake_telegram.files[update["message"]["photo"][-1]["file_id"]] = PNG
    service.telegram(fixture("text", update_id=91, text=f"nik saya {NIK} saldo kosong"))
    service.telegram(update)
    service.telegram(fixture("contact", update_id=92))
    await eventually(lambda: len(fake_twilio.sent_to(PHONE)) >= 2 and len(fake_telegram.sent_to(CHAT)) >= 3)

    async def settled() -> bool:
        return all(m.status != "pending" for m in await service.media()) and len(await service.media()) == 2

    await eventually(settled)
    service.stop()
    log = service.log_path.read_text()
    assert "worker" in log and "POST /webhooks/telegram" in log  # the log was written at DEBUG
    contact = fixture("contact")["message"]["contact"]["phone_number"]
    for secret in (tg.TOKEN, tg.SECRET, tw.TOKEN, tw.TOKEN_OLD, TEST_DATA_KEY, NIK, PHONE,
                   PHONE.lstrip("+"), "081234567890", contact.lstrip("+")):
        assert secret not in log, f"{secret!r} is in the service log"


async def test_every_response_carries_the_security_headers(
        start_service: Callable[..., Service]) -> None:
    service = start_service()
    responses = [service.http.get("/healthz"), service.http.get("/simulator"), service.http.get("/no-such-page"),
                 service.http.get("/api/outbox"), service.whatsapp(tw.inbound_form(PHONE, "x"), signature="bad"),
                 service.http.post("/api/simulator/messages", content=b"{" + b" " * 70_000 + b"}")]
    for response in responses:
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (response.request.url, name)
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "script-src 'self'" in responses[1].headers["content-security-policy"]


async def test_the_operator_api_needs_an_admin_token_with_the_bearer_scheme(
        start_service: Callable[..., Service]) -> None:
    service = start_service()
    token = service.sign_in()["Authorization"].split(" ", 1)[1]
    officer = service.sign_in("petugas1", "officer", "tanah-laut")
    for given, expected in [(token, 401), (f"Basic {token}", 401), (f"Bearer {token}", 200),
                            (f"bearer {token}", 200), ("Bearer not-a-token", 401), (officer["Authorization"], 403)]:
        for path in ("/api/outbox", "/api/inbound"):
            assert service.http.get(path, headers={"Authorization": given}).status_code == expected, (path, given)


async def test_webhooks_stay_fast_to_store_while_the_simulator_is_flooded(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    """200 simulator requests at once from 200 addresses: the webhook is stored and answered, and many
    simulator requests are refused with 503 rather than queued ahead of it (timings are in bench/abuse.py)."""
    service = start_service()
    form = tw.inbound_form(PHONE, "halo")
    signature = tw.sign(service.env["PUBLIC_BASE_URL"] + "/webhooks/twilio/whatsapp", form)
    async with httpx.AsyncClient(base_url=service.base, timeout=30) as client:
        flood = [asyncio.create_task(client.post(
            "/api/simulator/messages", json={"text": "syarat kks hilang", "agency": "tarakan"},
            headers={"X-Forwarded-For": f"10.0.{n // 250}.{n % 250}"})) for n in range(200)]
        await asyncio.sleep(0.2)  # let the flood reach the service first
        webhook = await client.post("/webhooks/twilio/whatsapp", data=form, headers={"X-Twilio-Signature": signature})
        assert webhook.status_code == 200
        codes = [r.status_code for r in await asyncio.gather(*flood)]
    assert set(codes) <= {200, 503} and codes.count(503) > 0
    await eventually(lambda: len(fake_twilio.sent_to(PHONE)) == 1)
    assert await service.count(Contact, Contact.channel == "whatsapp") == 1
