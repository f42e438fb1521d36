"""Telegram updates: secret-token check and parsing with python-telegram-bot (update JSON -> Incoming)."""

from __future__ import annotations

import hmac
import json
from typing import Any

from telegram import Update

from bot.domain.phone import InvalidPhone, to_e164
from bot.settings import Settings
from handlers.types import InboundMessage, MediaRef

CHANNEL = "telegram"
DOCUMENT_TYPES = {"image/jpeg", "image/png", "image/webp", "application/pdf"}
MAX_UPDATE_ID = 2**53  # update ids are positive integers well inside this (JSON numbers stay exact below it)
OBJECT_FIELDS = ("message", "edited_message", "callback_query", "channel_post", "my_chat_member")


class InvalidUpdate(ValueError):
    """A webhook body that is not a Telegram update (Telegram itself never sends one)."""


def read_update(body: bytes) -> tuple[dict[str, Any], int]:
    """The update object and its id from a webhook body, or ``InvalidUpdate`` saying what is wrong."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:  # RecursionError: JSON nested thousands deep
        raise InvalidUpdate("body is not JSON") from exc
    if not isinstance(data, dict):
        raise InvalidUpdate("an update is a JSON object")
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool) or not 0 <= update_id < MAX_UPDATE_ID:
        raise InvalidUpdate("update_id must be a non-negative integer")
    for name in OBJECT_FIELDS:
        if name in data and not isinstance(data[name], dict):
            raise InvalidUpdate(f"{name} must be an object")
    messages = [data.get(name) for name in ("message", "edited_message", "channel_post")]
    messages.append((data.get("callback_query") or {}).get("message"))
    for message in messages:
        if message is not None and not _has_chat(message):
            raise InvalidUpdate("a message needs a chat with an id")
    try:
        Update.de_json(data, None)
    except Exception as exc:  # python-telegram-bot raises KeyError/TypeError/ValueError on a malformed update
        raise InvalidUpdate(f"not a valid update ({type(exc).__name__})") from exc
    return data, update_id


def verify(settings: Settings, header: str | None) -> bool:
    secret = settings.telegram_webhook_secret
    if not secret or header is None:
        return False
    return hmac.compare_digest(secret.encode(), header.encode())


def _has_chat(message: Any) -> bool:
    chat = message.get("chat") if isinstance(message, dict) else None
    return isinstance(chat, dict) and isinstance(chat.get("id"), int) and not isinstance(chat.get("id"), bool)


def parse(data: dict[str, Any]) -> InboundMessage:
    update = Update.de_json(data, None)
    external_id = str(update.update_id)
    if update.callback_query is not None:
        query = update.callback_query
        chat = query.message.chat if query.message else None
        if chat is None or chat.type != "private":
            return InboundMessage(CHANNEL, "", "", external_id=external_id, ignored="button outside a private chat")
        return InboundMessage(CHANNEL, str(chat.id), query.data or "", external_id=external_id,
                              callback_id=query.id,
                              display_name=query.from_user.full_name if query.from_user else None)
    message = update.message
    if message is None:
        return InboundMessage(CHANNEL, "", "", external_id=external_id, ignored="not a new message")
    if message.chat.type != "private":
        return InboundMessage(CHANNEL, str(message.chat.id), "", external_id=external_id, ignored="group chat")
    sender = message.from_user
    text = message.text or message.caption or ""
    media: list[MediaRef] = []
    if message.photo:
        largest = max(message.photo, key=lambda p: (p.file_size or 0, p.width * p.height))
        media.append(MediaRef(largest.file_id, "image/jpeg", None, largest.file_size))
    if message.document:
        doc = message.document
        media.append(MediaRef(doc.file_id, doc.mime_type, doc.file_name, doc.file_size))
    phone, shared = _shared_contact(message.contact, sender.id if sender else None)
    start = text.strip().split(" ")[0] in ("/start", "/mulai")
    return InboundMessage(CHANNEL, str(message.chat.id), text, external_id=external_id, media=tuple(media),
                          phone=phone, display_name=sender.full_name if sender else None, start=start,
                          shared_contact=shared)


def _shared_contact(contact: Any, sender_id: int | None) -> tuple[str | None, str | None]:
    """(the number to keep, "own" or "other") for a shared contact card; only the sender's own number is kept."""
    if contact is None:
        return None, None
    if sender_id is None or contact.user_id != sender_id:
        return None, "other"
    number = contact.phone_number or ""
    try:
        return to_e164(number if number.startswith("+") else "+" + number), "own"
    except InvalidPhone:
        return None, "other"
