"""WhatsApp through Twilio, end to end: the service under uvicorn, the real twilio library, a fake Twilio."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from bot.db.models import Contact, Inbound
from tests.channels.conftest import Service, eventually
from tests.fakes import twilio as tw
from tests.fakes.server import DROP, Reply, Slow
from tests.fakes.twilio import FakeTwilio, twilio_error

PHONE = "+6281234567890"
JPEG_WITH_GPS = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
                 b"\xff\xe1\x00\x16Exif\x00\x00GPS-LAT-3.80,114.77"
                 b"\xff\xdb\x00\x04\x00\x01" b"\xff\xda\x00\x02" b"IMAGEDATA" b"\xff\xd9")


async def test_a_question_gets_the_answer_through_the_twilio_api(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    service = start_service(AGENCIES="tanah-laut")
    response = service.whatsapp(tw.inbound_form(PHONE, "kks sy ilang syaratnya apa"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml") and "<Response/>" in response.text
    await eventually(lambda: len(fake_twilio.sent_to(PHONE)) == 1)
    sent = fake_twilio.sent_to(PHONE)[0]
    assert "Kepolisian" in sent["Body"] and sent["From"] == tw.SENDER
    assert sent["StatusCallback"] == service.env["PUBLIC_BASE_URL"] + "/webhooks/twilio/status"
    rows = await service.outbox()
    assert rows[0].status == "queued" and tw.SID_PATTERN.match(rows[0].provider_id or "")
    contact = await service.contact()
    assert contact is not None and contact.phone == PHONE and contact.display_name == "Ibu Siti"


async def test_forged_or_missing_signatures_change_nothing(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    service = start_service()
    form = tw.inbound_form(PHONE, "halo")
    assert service.whatsapp(form, token="not-the-token").status_code == 403
    assert service.whatsapp(form, signature="").status_code == 403
    tampered = dict(form, Body="pesan lain")
    signature = tw.sign(service.env["PUBLIC_BASE_URL"] + "/webhooks/twilio/whatsapp", form)
    assert service.whatsapp(tampered, signature=signature).status_code == 403
    wrong_account = tw.inbound_form(PHONE, "halo", AccountSid="AC" + "9" * 32)
    assert service.whatsapp(wrong_account).status_code == 403
    assert service.status("SM" + "0" * 32, "delivered").status_code == 200  # signed: accepted
    assert service.http.post("/webhooks/twilio/status", data={"MessageSid": "x"}).status_code == 403
    assert await service.count(Inbound) == 0
    assert await service.count(Contact) == 0
    assert fake_twilio.sent == []


async def test_the_secondary_token_is_accepted_during_rotation(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    service = start_service()
    assert service.whatsapp(tw.inbound_form(PHONE, "jam buka", ), token=tw.TOKEN_OLD).status_code == 200
    await eventually(lambda: len(fake_twilio.sent_to(PHONE)) == 1)


async def test_a_repeated_message_sid_is_answered_once(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    service = start_service(AGENCIES="sragen")
    form = tw.inbound_form(PHONE, "syarat bpnt")
    for _ in range(3):
        assert service.whatsapp(form).status_code == 200
    await eventually(lambda: len(fake_twilio.sent_to(PHONE)) >= 1)
    await eventually(lambda: service.count(Inbound, Inbound.status == "processed"), timeout=5)
    assert await service.count(Inbound) == 1
    assert len(fake_twilio.sent_to(PHONE)) == 1


async def test_a_photo_is_fetched_with_credentials_typed_and_stored_without_metadata(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio, tmp_path: Path) -> None:
    service = start_service()
    url = fake_twilio.add_media(JPEG_WITH_GPS)
    form = tw.inbound_form(PHONE, "", NumMedia="1", MediaUrl0=url, MediaContentType0="image/jpeg")
    assert service.whatsapp(form).status_code == 200

    async def stored() -> bool:
        return [m.status for m in await service.media()] == ["stored"]

    await eventually(stored)
    item = (await service.media())[0]
    assert item.content_type == "image/jpeg"
    data = (tmp_path / "media" / item.sha256[:2] / item.sha256).read_bytes()
    assert b"GPS" not in data and b"Exif" not in data and b"IMAGEDATA" in data
    assert hashlib.sha256(data).hexdigest() == item.sha256
    media_calls = fake_twilio.seen("media")
    cdn_calls = fake_twilio.seen("cdn")
    assert len(media_calls) == 1 and media_calls[0].headers["authorization"].startswith("Basic ")
    assert len(cdn_calls) == 1 and "authorization" not in cdn_calls[0].headers
    await eventually(lambda: any("sedang kami proses" in m["Body"] for m in fake_twilio.sent_to(PHONE)))


async def test_an_exe_named_ktp_jpg_is_refused_politely(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    service = start_service()
    url = fake_twilio.add_media(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200)
    form = tw.inbound_form(PHONE, "ktp.jpg", NumMedia="1", MediaUrl0=url, MediaContentType0="image/jpeg")
    service.whatsapp(form)

    async def rejected() -> bool:
        return [m.status for m in await service.media()] == ["rejected"]

    await eventually(rejected)
    await eventually(lambda: any("tidak bisa kami terima" in m["Body"] for m in fake_twilio.sent_to(PHONE)))


async def test_a_forged_media_url_never_gets_credentials(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    service = start_service()
    forged = [f"{fake_twilio.base_url}/steal-credentials", "http://169.254.169.254/latest/meta-data/",
              f"{fake_twilio.base_url}/2010-04-01/Accounts/AC{'2' * 32}/Messages/MM{'a' * 32}/Media/ME{'b' * 32}"]
    fields = {f"MediaUrl{i}": url for i, url in enumerate(forged)}
    service.whatsapp(tw.inbound_form(PHONE, "", NumMedia=str(len(forged)), **fields))

    async def settled() -> bool:
        return [m.status for m in await service.media()] == ["failed"] * 3

    await eventually(settled)
    assert all(r.path in ("/2010-04-01/Accounts/" + tw.ACCOUNT + "/Messages.json",) for r in fake_twilio.requests)


async def test_a_429_then_success_delivers_once(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    fake_twilio.script("messages", twilio_error(429, 20429, "Too Many Requests"), Reply(500, b"oops"), DROP)
    service = start_service()
    service.whatsapp(tw.inbound_form(PHONE, "jam buka dinsos tala"))
    await eventually(lambda: len(fake_twilio.sent_to(PHONE)) == 1, timeout=30)
    assert len(fake_twilio.seen("messages")) == 4
    rows = await service.outbox()
    assert len(rows) == 1 and rows[0].status == "queued" and rows[0].attempts == 4


async def test_status_callbacks_only_move_forward_even_out_of_order(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    fake_twilio.script("messages", Slow(1.5))  # the callback arrives before the send call returns
    service = start_service()
    service.whatsapp(tw.inbound_form(PHONE, "halo"))
    await eventually(lambda: len(fake_twilio.seen("messages")) == 1)
    await eventually(lambda: len(fake_twilio.sent) == 1, timeout=5)
    sid = fake_twilio.sent[0]["sid"]
    assert service.status(sid, "delivered").status_code == 200
    assert service.status(sid, "sent").status_code == 200

    async def delivered() -> bool:
        rows = await service.outbox()
        return bool(rows) and rows[0].status == "delivered"

    await eventually(delivered)
    service.status(sid, "read")
    service.status(sid, "sent")
    await eventually(lambda: _status(service, "read"))
    service.status(sid, "failed", "30008")
    await eventually(lambda: _status(service, "read"))


async def _status(service: Service, expected: str) -> bool:
    rows = await service.outbox()
    return bool(rows) and rows[0].status == expected


async def test_failed_delivery_keeps_its_error_code(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    service = start_service()
    service.whatsapp(tw.inbound_form(PHONE, "halo"))
    await eventually(lambda: len(fake_twilio.sent) == 1)
    sid = fake_twilio.sent[0]["sid"]
    await eventually(lambda: _status(service, "queued"))
    service.status(sid, "undelivered", "30003")
    await eventually(lambda: _status(service, "undelivered"))
    assert (await service.outbox())[0].error_code == "30003"
    listing = service.http.get("/api/outbox?failed=true", headers={"Authorization": "Bearer admin-token-for-tests"})
    assert listing.status_code == 200 and listing.json()[0]["error_code"] == "30003"
    assert "*" in listing.json()[0]["to"]  # the phone number is masked
    assert service.http.get("/api/outbox").status_code == 401


async def test_blocked_recipient_is_marked_unreachable(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    fake_twilio.script("messages", twilio_error(400, 63014, "User blocked the sender"))
    service = start_service()
    service.whatsapp(tw.inbound_form(PHONE, "halo"))

    await eventually(lambda: _status(service, "dead"))
    contact = await service.contact()
    assert contact is not None and contact.unreachable


async def test_long_replies_are_split_and_stop_start_are_confirmed(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    service = start_service(AGENCIES="tanah-laut")
    service.whatsapp(tw.inbound_form(PHONE, "BERHENTI"))
    await eventually(lambda: len(fake_twilio.sent_to(PHONE)) == 1)
    assert "tidak akan lagi menerima pengumuman" in fake_twilio.sent_to(PHONE)[0]["Body"]
    service.whatsapp(tw.inbound_form(PHONE, "MULAI"))
    await eventually(lambda: len(fake_twilio.sent_to(PHONE)) == 2)
    assert "akan menerima pengumuman" in fake_twilio.sent_to(PHONE)[1]["Body"]
    contact = await service.contact()
    assert contact is not None and contact.subscribed
    assert all(len(m["Body"]) <= 1600 for m in fake_twilio.sent)


async def test_outbox_api_retries_a_dead_message(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    fake_twilio.script("messages", twilio_error(400, 21211, "Invalid 'To' Phone Number"))
    service = start_service()
    service.whatsapp(tw.inbound_form(PHONE, "halo"))

    await eventually(lambda: _status(service, "dead"))
    row_id = (await service.outbox())[0].id
    headers = {"Authorization": "Bearer admin-token-for-tests"}
    response = service.http.post(f"/api/outbox/{row_id}/retry", headers=headers)
    assert response.status_code == 200 and response.json()["status"] == "pending"
    await eventually(lambda: len(fake_twilio.sent_to(PHONE)) == 1)
    assert service.http.post(f"/api/outbox/{row_id}/retry", headers=headers).status_code == 409
    assert service.http.post("/api/outbox/999999/retry", headers=headers).status_code == 404

