"""Twilio WhatsApp webhooks: signature check and parsing (form fields -> Incoming)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from twilio.request_validator import RequestValidator

from bot.domain.phone import InvalidPhone, to_e164
from bot.settings import Settings
from handlers.types import InboundMessage, MediaRef

log = logging.getLogger(__name__)
CHANNEL = "whatsapp"


def signed_url(settings: Settings, path: str, query: str) -> str | None:
    """The URL Twilio signed: the public origin (never the URL behind the proxy) + path + query."""
    if not settings.public_base_url:
        return None
    return settings.public_base_url + path + (f"?{query}" if query else "")


def verify(settings: Settings, url: str | None, params: Any, signature: str | None) -> bool:
    """True when ``signature`` matches either auth token (so tokens can be rotated without downtime)."""
    if not url or not signature:
        return False
    tokens = [t for t in (settings.twilio_auth_token, settings.twilio_auth_token_secondary) if t]
    return any(RequestValidator(token).validate(url, params, signature) for token in tokens)


def parse(payload: Mapping[str, str]) -> InboundMessage:
    """Form fields of one inbound message (all of them are stored; only these are read)."""
    sid = payload.get("MessageSid") or payload.get("SmsMessageSid") or ""
    try:
        user = to_e164(payload.get("From", ""))
    except InvalidPhone:
        return InboundMessage(CHANNEL, "", "", external_id=sid, ignored="sender is not a phone number")
    try:
        count = min(int(payload.get("NumMedia", "0") or 0), 10)
    except ValueError:
        count = 0
    media = tuple(
        MediaRef(source=payload[f"MediaUrl{i}"], declared_type=payload.get(f"MediaContentType{i}"))
        for i in range(count) if payload.get(f"MediaUrl{i}")
    )
    text = payload.get("Body", "") or payload.get("ButtonPayload", "") or ""
    return InboundMessage(CHANNEL, user, text, external_id=sid, media=media, phone=user,
                          display_name=(payload.get("ProfileName") or None))
