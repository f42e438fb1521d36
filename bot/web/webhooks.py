"""Provider webhooks: verify, store, answer at once; the conversation runs right after the response.

Bodies are capped by ``bot.web.limits`` before they are read; a body that is not what the provider sends gets a
precise 4xx, never a 500.
"""

from __future__ import annotations

import logging
import re
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse

from bot.channels.telegram import bot_of
from bot.channels.telegram import inbound as telegram_in
from bot.channels.telegram.intake import accept_update
from bot.channels.whatsapp_twilio import inbound as twilio_in
from bot.messaging import reports
from bot.messaging.runtime import Runtime
from bot.web.deps import RuntimeDep

log = logging.getLogger(__name__)
router = APIRouter(tags=["webhooks"], include_in_schema=False)  # providers' forms, not the JSON API (README)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
FORM_TYPE = "application/x-www-form-urlencoded"
SID = re.compile(r"[A-Za-z0-9]{1,64}")  # Twilio ids are two letters and 32 hex digits


def _twiml() -> Response:
    return Response(EMPTY_TWIML, media_type="application/xml")


def _refuse(status: int, reason: str) -> JSONResponse:
    return JSONResponse({"detail": reason}, status_code=status)


async def _twilio_form(request: Request, rt: Runtime) -> tuple[dict[str, str] | None, JSONResponse | None]:
    settings = rt.settings
    if not (settings.twilio_auth_token and settings.twilio_account_sid):
        return None, _refuse(403, "WhatsApp channel is not configured")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM_TYPE:  # Twilio posts URL-encoded forms only; never parse an upload
        return None, _refuse(415, f"expected {FORM_TYPE}")
    form = await request.form()
    url = twilio_in.signed_url(settings, request.url.path, request.url.query)
    if url is None:
        log.error("PUBLIC_BASE_URL is not set: Twilio signatures cannot be checked, request refused")
        return None, _refuse(403, "PUBLIC_BASE_URL is not configured")
    if not twilio_in.verify(settings, url, form, request.headers.get("x-twilio-signature")):
        return None, _refuse(403, "invalid signature")
    fields = {key: str(value) for key, value in form.multi_items()}
    if fields.get("AccountSid") != settings.twilio_account_sid:
        return None, _refuse(403, "wrong account")
    return fields, None


@router.post("/webhooks/twilio/whatsapp", response_class=Response)
async def twilio_whatsapp(request: Request, rt: RuntimeDep) -> Response:
    fields, refused = await _twilio_form(request, rt)
    if refused is not None or fields is None:
        return refused or _refuse(403, "invalid request")
    sid = fields.get("MessageSid") or fields.get("SmsMessageSid")
    if not sid or not SID.fullmatch(sid):
        return _refuse(400, "MessageSid is required (letters and digits, at most 64)")
    await rt.writer.store(channel="whatsapp", external_id=sid, payload=fields, sender=fields.get("From", ""))
    return _twiml()


@router.post("/webhooks/twilio/status", response_class=Response)
async def twilio_status(request: Request, rt: RuntimeDep) -> Response:
    fields, refused = await _twilio_form(request, rt)
    if refused is not None or fields is None:
        return refused or _refuse(403, "invalid request")
    sid, status = fields.get("MessageSid"), (fields.get("MessageStatus") or "").lower()
    if not sid or not status:
        return _refuse(400, "MessageSid and MessageStatus are required")
    if not SID.fullmatch(sid) or len(status) > 20:
        return _refuse(400, "MessageSid or MessageStatus is malformed")
    code = (fields.get("ErrorCode") or "")[:20] or None
    if await rt.transact(reports.record_provider_status, provider_id=sid, status=status, error_code=code,
                         templates=set(rt.settings.twilio_templates)):
        rt.wakeup.set()
    return _twiml()


@router.post("/webhooks/telegram")
async def telegram_update(request: Request, rt: RuntimeDep,
                          secret: Annotated[str | None, Header(alias="X-Telegram-Bot-Api-Secret-Token")] = None
                          ) -> Response:
    if not rt.settings.telegram_enabled or not telegram_in.verify(rt.settings, secret):
        return _refuse(403, "invalid secret token")
    try:
        data, update_id = telegram_in.read_update(await request.body())
    except telegram_in.InvalidUpdate as exc:
        return _refuse(400, f"not a Telegram update: {exc}")
    await accept_update(rt.writer, bot_of(rt.channels), data, update_id)
    return Response(status_code=200)
