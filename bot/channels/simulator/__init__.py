"""The web chat simulator as a channel: a visitor's message is stored and answered exactly as a WhatsApp or
Telegram message is; the page fetches its replies (nothing is pushed, so no worker sends them)."""

from __future__ import annotations

from typing import Any

from bot.messaging.channel import Channel
from handlers.types import InboundMessage

CHANNEL = "simulator"
TEXT_LIMIT = 4096


def payload(*, session: str, text: str, agency: str | None) -> dict[str, Any]:
    """What is stored for one visitor's message (``parse`` reads it back)."""
    return {"session": session, "text": text, "agency": agency}


def parse(stored: dict[str, Any]) -> InboundMessage:
    return InboundMessage(CHANNEL, str(stored["session"]), str(stored.get("text") or ""),
                          agency=stored.get("agency") or None)


def channel() -> Channel:
    return Channel(name=CHANNEL, parse=parse, text_limit=TEXT_LIMIT, buttons=True)
