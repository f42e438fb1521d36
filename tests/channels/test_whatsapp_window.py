"""The 24-hour window: free text inside it, the approved template outside it or after a 63016."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.channels.whatsapp_twilio.outbound import TwilioSender
from bot.db.models import Contact, Media, utcnow
from bot.messaging.channel import SendFailure
from bot.messaging.outbox import Job
from bot.settings import Settings
from tests.channels.conftest import Service, eventually
from tests.fakes import twilio as tw
from tests.fakes.server import Late, Reply
from tests.fakes.twilio import FakeTwilio, twilio_error

TEMPLATE = "HX" + "a" * 32


def _job(last_inbound_hours_ago: float | None, **changes: object) -> Job:
    last = None if last_inbound_hours_ago is None else utcnow() - timedelta(hours=last_inbound_hours_ago)
    values: dict[str, object] = {"id": 1, "contact_id": 1, "channel": "whatsapp", "kind": "announcement",
                                 "body": "Pembagian KKS hari Senin di kantor desa.", "choices": None,
                                 "template": None, "template_variables": None, "template_only": False, "attempts": 1,
                                 "external_id": "+6281234567890", "phone": "+6281234567890", "last_inbound_at": last}
    values.update(changes)
    return Job(**values)  # type: ignore[arg-type]


@pytest.fixture
async def sender(fake_twilio: FakeTwilio) -> AsyncIterator[Callable[..., TwilioSender]]:
    made: list[TwilioSender] = []

    def make(templates: dict[str, str] | None = None) -> TwilioSender:
        settings = Settings(twilio_account_sid=tw.ACCOUNT, twilio_auth_token=tw.TOKEN, twilio_whatsapp_from=tw.SENDER,
                            twilio_api_base_url=fake_twilio.base_url, twilio_templates=templates or {},
                            public_base_url="https://bot.example.go.id")
        made.append(TwilioSender(settings))
        return made[-1]

    yield make
    for s in made:
        await s.close()


async def test_inside_the_window_free_text(sender: Callable[..., TwilioSender], fake_twilio: FakeTwilio) -> None:
    result = await sender({"notification": TEMPLATE}).send(_job(2))
    sent = fake_twilio.sent[-1]
    assert sent["Body"].startswith("Pembagian KKS") and "ContentSid" not in sent
    assert sent["StatusCallback"] == "https://bot.example.go.id/webhooks/twilio/status"
    assert result.template is None and result.status == "queued"


async def test_outside_the_window_the_template(sender: Callable[..., TwilioSender], fake_twilio: FakeTwilio) -> None:
    result = await sender({"notification": TEMPLATE}).send(_job(30))
    sent = fake_twilio.sent[-1]
    assert sent["ContentSid"] == TEMPLATE and "Body" not in sent
    assert json.loads(sent["ContentVariables"]) == {"1": "Pembagian KKS hari Senin di kantor desa."}
    assert result.template == "notification"


async def test_outside_the_window_without_a_template_fails_visibly(
        sender: Callable[..., TwilioSender], fake_twilio: FakeTwilio) -> None:
    with pytest.raises(SendFailure) as failure:
        await sender().send(_job(None))
    assert failure.value.kind == "window" and failure.value.code == "63016"
    assert fake_twilio.sent == []


async def test_a_63016_answer_is_retried_as_the_template(
        sender: Callable[..., TwilioSender], fake_twilio: FakeTwilio) -> None:
    fake_twilio.script("messages", twilio_error(400, 63016, "Outside the allowed window"))
    result = await sender({"notification": TEMPLATE}).send(_job(1))
    assert result.template == "notification" and fake_twilio.sent[-1]["ContentSid"] == TEMPLATE


@pytest.mark.parametrize(("reply", "kind"), [
    (twilio_error(429, 20429, "Too Many Requests"), "transient"),
    (twilio_error(400, 63018, "Rate limit exceeded"), "transient"),
    (Reply(503, b"unavailable"), "transient"),
    (twilio_error(400, 21610, "Attempt to send to unsubscribed recipient"), "unreachable"),
    (twilio_error(400, 21211, "Invalid 'To' Phone Number"), "permanent"),
])
async def test_errors_are_classified(sender: Callable[..., TwilioSender], fake_twilio: FakeTwilio,
                                     reply: Reply, kind: str) -> None:
    fake_twilio.script("messages", reply)
    with pytest.raises(SendFailure) as failure:
        await sender().send(_job(1))
    assert failure.value.kind == kind


async def _sent_settles(service: Service, fake_twilio: FakeTwilio, count: int) -> None:
    await eventually(lambda: len(fake_twilio.sent) >= count)
    await eventually(service.settled)
    assert len(fake_twilio.sent) == count


@pytest.mark.parametrize("callback", ["after the send returned", "before the send returned"])
async def test_a_63016_status_callback_sends_the_template_once(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio, callback: str) -> None:
    if callback == "before the send returned":
        fake_twilio.script("messages", Late(2.0))  # Twilio accepted; its answer reaches us after the callback
    service = start_service(TWILIO_TEMPLATES=json.dumps({"notification": TEMPLATE}))
    service.whatsapp(tw.inbound_form("+6281234567890", "halo"))
    await eventually(lambda: len(fake_twilio.sent) == 1)
    sid = fake_twilio.sent[0]["sid"]
    if callback == "after the send returned":
        await eventually(lambda: _provider_id_recorded(service, sid))
    assert service.status(sid, "failed", "63016").status_code == 200
    await eventually(lambda: len(fake_twilio.sent) == 2)
    assert fake_twilio.sent[1]["ContentSid"] == TEMPLATE and "Body" not in fake_twilio.sent[1]
    assert service.status(sid, "failed", "63016").status_code == 200  # Twilio delivers the callback again
    assert service.status(sid, "undelivered", "63016").status_code == 200
    await _sent_settles(service, fake_twilio, 2)
    rows = await service.outbox()
    assert [(r.status, r.error_code, r.template) for r in rows] == [("failed", "63016", None),
                                                                      ("queued", None, "notification")]


async def _provider_id_recorded(service: Service, sid: str) -> bool:
    return any(r.provider_id == sid for r in await service.outbox())


async def test_a_failed_download_is_retried_not_dropped(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    fake_twilio.script("cdn", Reply(500, b"try later"))
    service = start_service()
    url = fake_twilio.add_media(b"%PDF-1.4\n%%EOF\n")
    service.whatsapp(tw.inbound_form("+6281234567890", "", NumMedia="1", MediaUrl0=url,
                                     MediaContentType0="application/pdf"))

    async def stored() -> bool:
        items = await service.media()
        return bool(items) and items[0].status == "stored"

    await eventually(stored, timeout=20)
    item: Media = (await service.media())[0]
    assert item.attempts == 2 and item.content_type == "application/pdf"
    assert len(fake_twilio.seen("cdn")) == 2


async def test_a_contact_who_writes_again_after_30_hours_gets_free_text(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    phone = "+6281234567890"
    service = start_service(TWILIO_TEMPLATES=json.dumps({"notification": TEMPLATE}), AGENCIES="tanah-laut")
    service.whatsapp(tw.inbound_form(phone, "halo"))
    await eventually(lambda: len(fake_twilio.sent_to(phone)) == 1)

    def thirty_hours_ago(session: Session) -> None:
        session.execute(update(Contact).values(last_inbound_at=utcnow() - timedelta(hours=30)))

    await service.add(thirty_hours_ago)
    service.whatsapp(tw.inbound_form(phone, "jam buka"))
    await eventually(lambda: len(fake_twilio.sent_to(phone)) == 2)
    reply = fake_twilio.sent_to(phone)[1]
    assert "16.30" in reply["Body"] and "ContentSid" not in reply  # the window opened again: free text


async def test_a_case_notice_is_free_text_inside_the_window_and_its_own_template_outside(
        sender: Callable[..., TwilioSender], fake_twilio: FakeTwilio) -> None:
    templates = {"notification": TEMPLATE, "case_status": "HX" + "c" * 32}
    notice = {"kind": "notification", "template": "case_status", "body": "📋 Pengaduan *TLT-7K3QMR*\nStatus: ...",
              "template_variables": {"1": "TLT-7K3QMR", "2": "diproses\n(Diverifikasi)", "3": "Senin"}}
    inside = await sender(templates).send(_job(2, **notice))
    assert inside.template is None and fake_twilio.sent[-1]["Body"].startswith("📋")
    outside = await sender(templates).send(_job(30, **notice))
    sent = fake_twilio.sent[-1]
    assert outside.template == "case_status" and sent["ContentSid"] == templates["case_status"]
    assert json.loads(sent["ContentVariables"]) == {"1": "TLT-7K3QMR", "2": "diproses (Diverifikasi)", "3": "Senin"}
    forced = await sender(templates).send(_job(2, **notice, template_only=True))  # queued again after a 63016
    assert forced.template == "case_status"


async def test_a_missing_case_template_is_named_in_the_failure(
        sender: Callable[..., TwilioSender], fake_twilio: FakeTwilio) -> None:
    with pytest.raises(SendFailure) as failure:
        await sender({"notification": TEMPLATE}).send(_job(30, template="case_waiting"))
    assert "'case_waiting'" in str(failure.value) and fake_twilio.sent == []
