"""WhatsApp through Twilio, end to end: the service under uvicorn, the real twilio library, a fake Twilio."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Contact, Inbound
from bot.domain.protect import Protector, parse_key
from bot.messaging import files, outbox
from handlers import messages
from tests.channels.conftest import Service, eventually
from tests.conftest import TEST_DATA_KEY
from tests.fakes import images
from tests.fakes import twilio as tw
from tests.fakes.server import DROP, Reply, Slow
from tests.fakes.twilio import FakeTwilio, twilio_error

PHONE = "+6281234567890"
JPEG_WITH_GPS = images.jpeg(1200, 900, gps=True, trailer=b"APPENDED-AFTER-THE-IMAGE")


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
    async def marked() -> bool:  # the fake has it before the send's result is recorded (its own transaction)
        return (await service.outbox())[0].status == "queued"

    await eventually(marked)
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
    stored = (tmp_path / "media" / item.sha256[:2] / item.sha256).read_bytes()
    assert b"JFIF" not in stored  # encrypted at rest
    data = files.read(tmp_path / "media" / item.sha256[:2] / item.sha256, Protector(parse_key(TEST_DATA_KEY)))
    assert b"KameraHP" not in data and b"Exif" not in data and b"APPENDED" not in data
    assert (item.width, item.height, item.quality) == (1200, 900, "ok")
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (1200, 900) and len(image.getexif()) == 0
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
    async def recorded() -> bool:  # the fake has it before the send's result is recorded (its own transaction)
        return [r.status for r in await service.outbox()] == ["queued"]

    await eventually(recorded)
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
    listing = service.http.get("/api/outbox?failed=true", headers=service.sign_in())
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


async def test_opt_out_is_saved_and_no_announcement_reaches_the_contact_until_opt_in(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    other = "+6281234500000"
    service = start_service(AGENCIES="tanah-laut")
    service.whatsapp(tw.inbound_form(PHONE, "BERHENTI"))
    service.whatsapp(tw.inbound_form(other, "langganan"))  # announcements are opt-in
    await eventually(lambda: len(fake_twilio.sent_to(PHONE)) == 1 and len(fake_twilio.sent_to(other)) == 1)
    assert "tidak akan lagi menerima pengumuman" in fake_twilio.sent_to(PHONE)[0]["Body"]
    assert [c.subscribed for c in await service.contacts()] == [False, True]
    await service.add(_announce, text="Pembagian KKS hari Senin di kantor desa.")
    await eventually(lambda: len(fake_twilio.sent_to(other)) == 2)
    await eventually(service.settled)
    assert len(fake_twilio.sent_to(PHONE)) == 1  # the announcement was not sent to the one who opted out
    assert sorted(r.status for r in await service.outbox() if r.kind == "announcement") == ["queued", "skipped"]
    service.whatsapp(tw.inbound_form(PHONE, "LANGGANAN"))
    await eventually(lambda: len(fake_twilio.sent_to(PHONE)) == 2)
    assert "akan menerima pengumuman" in fake_twilio.sent_to(PHONE)[1]["Body"]
    assert [c.subscribed for c in await service.contacts()] == [True, True]


def _announce(session: Session, *, text: str) -> None:
    """What a broadcast does: one announcement to every contact."""
    for contact in session.scalars(select(Contact)):
        outbox.enqueue(session, contact_id=contact.id, channel=contact.channel, body=text, kind="announcement")


async def test_the_next_page_is_sent_after_lanjut(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    service = start_service(AGENCIES="tanah-laut")
    for n, text in enumerate(["prosedur bantuan lansia", "lanjut", "lanjut"], 1):
        service.whatsapp(tw.inbound_form(PHONE, text))
        await eventually(lambda n=n: len(fake_twilio.sent_to(PHONE)) == n)  # type: ignore[misc]
    first, second, third = (m["Body"] for m in fake_twilio.sent_to(PHONE))
    assert "10. Pembahasan Anggaran" in first and "11." not in first and "Ketik *lanjut*" in first
    assert "11. Hasil Pembahasan" in second and "19. Penyaluran Bantuan" in second
    assert messages.NO_MORE not in second and third == messages.NO_MORE


async def test_signatures_are_checked_against_the_public_url_not_the_one_behind_the_proxy(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    public = "https://bot.example.go.id"
    behind_proxy = start_service(PUBLIC_BASE_URL=public)
    assert behind_proxy.whatsapp(tw.inbound_form(PHONE, "halo"), signed_for=behind_proxy.base).status_code == 403
    assert behind_proxy.whatsapp(tw.inbound_form(PHONE, "halo"), signed_for=public).status_code == 200
    unset = start_service(PUBLIC_BASE_URL="")
    assert unset.whatsapp(tw.inbound_form(PHONE, "halo"), signed_for=unset.base).status_code == 403
    await eventually(lambda: len(fake_twilio.sent_to(PHONE)) == 1)
    assert await behind_proxy.count(Inbound) == 1


async def test_a_message_is_dead_lettered_after_the_configured_attempts(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    fake_twilio.script("messages", Reply(503, b"unavailable"), Reply(503, b"unavailable"), target=PHONE)
    service = start_service(OUTBOX_MAX_ATTEMPTS="2")
    service.whatsapp(tw.inbound_form(PHONE, "halo"))
    await eventually(lambda: _status(service, "dead"), timeout=20)
    assert len(fake_twilio.seen("messages")) == 2 and fake_twilio.sent == []
    row = (await service.outbox())[0]
    assert row.attempts == 2 and row.error_code == "503"
    listing = service.http.get("/api/outbox?failed=true", headers=service.sign_in()).json()
    assert [r["id"] for r in listing] == [row.id] and listing[0]["status"] == "dead"
    assert service.http.get("/api/outbox/counts", headers=service.sign_in()).json() == {"dead": 1}


@pytest.mark.parametrize("announced", [True, False], ids=["length announced", "chunked, no length"])
async def test_a_file_over_the_size_limit_is_refused_and_the_citizen_told(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio, announced: bool) -> None:
    service = start_service(MEDIA_MAX_BYTES="2048")
    big = JPEG_WITH_GPS + b"\x00" * 40_000
    url = fake_twilio.add_media(big)
    if not announced:
        fake_twilio.script("cdn", Reply(200, big, {"content-type": "image/jpeg"}, chunked=True))
    service.whatsapp(tw.inbound_form(PHONE, "", NumMedia="1", MediaUrl0=url, MediaContentType0="image/jpeg"))
    await eventually(lambda: any("terlalu besar (maks. 2 KB)" in m["Body"] for m in fake_twilio.sent_to(PHONE)))
    assert [m.status for m in await service.media()] == ["rejected"]


async def test_a_media_redirect_to_another_host_is_refused(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    url = fake_twilio.add_media(JPEG_WITH_GPS)
    fake_twilio.script("media", Reply(307, b"", {"location": "https://evil.example.com/steal"}))
    service = start_service()
    service.whatsapp(tw.inbound_form(PHONE, "", NumMedia="1", MediaUrl0=url, MediaContentType0="image/jpeg"))

    async def refused() -> bool:
        return [(m.status, m.error) for m in await service.media()] == [("failed", "redirect to an unexpected host")]

    await eventually(refused)
    assert fake_twilio.seen("cdn") == []
    await eventually(lambda: any("gagal kami unduh" in m["Body"] for m in fake_twilio.sent_to(PHONE)))


async def test_outbox_api_retries_a_dead_message(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    fake_twilio.script("messages", twilio_error(400, 21211, "Invalid 'To' Phone Number"))
    service = start_service()
    service.whatsapp(tw.inbound_form(PHONE, "halo"))

    await eventually(lambda: _status(service, "dead"))
    row_id = (await service.outbox())[0].id
    headers = service.sign_in()
    response = service.http.post(f"/api/outbox/{row_id}/retry", headers=headers)
    assert response.status_code == 200 and response.json()["status"] == "pending"
    await eventually(lambda: len(fake_twilio.sent_to(PHONE)) == 1)
    assert service.http.post(f"/api/outbox/{row_id}/retry", headers=headers).status_code == 409
    assert service.http.post("/api/outbox/999999/retry", headers=headers).status_code == 404



async def test_several_web_processes_answer_each_message_once(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio, database_url: str) -> None:
    """`WEB_WORKERS=2` on PostgreSQL: two uvicorn processes, each with its processor and worker, share the work
    and no message is answered twice. On SQLite (one writer) `serve` says so and runs one process."""
    service = start_service(WEB_WORKERS="2", AGENCIES="tanah-laut")
    phones = [f"+62812777{n:05d}" for n in range(20)]
    for phone in phones:
        assert service.whatsapp(tw.inbound_form(phone, "jam buka")).status_code == 200
    await eventually(lambda: all(fake_twilio.sent_to(phone) for phone in phones), timeout=30)
    await eventually(service.settled)
    assert sorted(len(fake_twilio.sent_to(phone)) for phone in phones) == [1] * len(phones)
    processes = len(psutil.Process(service.proc.pid).children())
    if database_url.startswith("sqlite"):
        assert "needs PostgreSQL" in service.log_path.read_text() and processes == 0
    else:
        assert processes >= 2
