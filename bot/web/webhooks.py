"""Provider webhooks: verify, store, answer at once; the conversation runs right after the response."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.responses import JSONResponse

from bot import outbox
from bot.channels.telegram import inbound as telegram_in
from bot.channels.whatsapp_twilio import inbound as twilio_in
from bot.runtime import Runtime
from bot.web.deps import runtime

log = logging.getLogger(__name__)
router = APIRouter(tags=["webhooks"])
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
MAX_BODY = 256 * 1024


def _twiml() -> Response:
    return Response(EMPTY_TWIML, media_type="application/xml")


def _forbidden(reason: str) -> JSONResponse:
    return JSONResponse({"detail": reason}, status_code=403)


async def _twilio_form(request: Request, rt: Runtime) -> tuple[dict[str, str] | None, JSONResponse | None]:
    settings = rt.settings
    if not (settings.twilio_auth_token and settings.twilio_account_sid):
        return None, _forbidden("WhatsApp channel is not configured")
    if int(request.headers.get("content-length") or 0) > MAX_BODY:
        return None, _forbidden("request too large")
    form = await request.form()
    url = twilio_in.signed_url(settings, request.url.path, request.url.query)
    if url is None:
        log.error("PUBLIC_BASE_URL is not set: Twilio signatures cannot be checked, request refused")
        return None, _forbidden("PUBLIC_BASE_URL is not configured")
    if not twilio_in.verify(settings, url, form, request.headers.get("x-twilio-signature")):
        return None, _forbidden("invalid signature")
    fields = {key: str(value) for key, value in form.multi_items()}
    if fields.get("AccountSid") != settings.twilio_account_sid:
        return None, _forbidden("wrong account")
    return fields, None


@router.post("/webhooks/twilio/whatsapp", response_class=Response)
async def twilio_whatsapp(request: Request, rt: Annotated[Runtime, Depends(runtime)]) -> Response:
    fields, refused = await _twilio_form(request, rt)
    if refused is not None or fields is None:
        return refused or _forbidden("invalid request")
    sid = fields.get("MessageSid") or fields.get("SmsMessageSid")
    if not sid:
        return JSONResponse({"detail": "MessageSid is required"}, status_code=400)
    await _store(rt, channel="whatsapp", external_id=sid, payload=fields, sender=fields.get("From", ""))
    return _twiml()


async def _store(rt: Runtime, *, channel: str, external_id: str, payload: dict[str, Any], sender: str) -> None:
    """Durably stored before we answer 200 (group commit with other deliveries arriving now)."""
    await rt.writer.store(channel=channel, external_id=external_id, payload=payload, sender=sender)


@router.post("/webhooks/twilio/status", response_class=Response)
async def twilio_status(request: Request, rt: Annotated[Runtime, Depends(runtime)]) -> Response:
    fields, refused = await _twilio_form(request, rt)
    if refused is not None or fields is None:
        return refused or _forbidden("invalid request")
    sid, status = fields.get("MessageSid"), (fields.get("MessageStatus") or "").lower()
    if not sid or not status:
        return JSONResponse({"detail": "MessageSid and MessageStatus are required"}, status_code=400)
    code = fields.get("ErrorCode") or None
    if await rt.transact(outbox.record_provider_status, provider_id=sid, status=status, error_code=code,
                         template_fallback=rt.settings.template_fallback):
        rt.wakeup.set()
    return _twiml()


async def _answer_button(rt: Runtime, callback_id: str) -> None:
    if rt.telegram is None:
        return
    try:
        await asyncio.wait_for(rt.telegram.bot.answer_callback_query(callback_id), timeout=5)
    except Exception:  # only stops the button's spinner; the reply itself goes through the outbox
        log.info("could not acknowledge a Telegram button press")


@router.post("/webhooks/telegram")
async def telegram_update(request: Request, rt: Annotated[Runtime, Depends(runtime)],
                          secret: Annotated[str | None, Header(alias="X-Telegram-Bot-Api-Secret-Token")] = None
                          ) -> Response:
    if not rt.settings.telegram_enabled or not telegram_in.verify(rt.settings, secret):
        return _forbidden("invalid secret token")
    body = await request.body()
    if len(body) > MAX_BODY:
        return JSONResponse({"detail": "request too large"}, status_code=413)
    try:
        data: Any = json.loads(body)
        update_id = int(data["update_id"])
    except (ValueError, KeyError, TypeError):
        return JSONResponse({"detail": "not a Telegram update"}, status_code=400)
    await accept_telegram_update(rt, data, update_id)
    return Response(status_code=200)


_pending_acks: set[asyncio.Task[None]] = set()


async def accept_telegram_update(rt: Runtime, data: dict[str, Any], update_id: int) -> None:
    """Store an update (webhook or long polling); the processor answers it once."""
    message = data.get("message") or (data.get("callback_query") or {}).get("message") or {}
    sender = str((message.get("chat") or {}).get("id", ""))
    await _store(rt, channel="telegram", external_id=str(update_id), payload=data, sender=sender)
    callback = (data.get("callback_query") or {}).get("id")
    if callback:
        task = asyncio.create_task(_answer_button(rt, str(callback)))
        _pending_acks.add(task)
        task.add_done_callback(_pending_acks.discard)
