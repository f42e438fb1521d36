"""Telegram updates into the service, from the webhook or from long polling: stored first, buttons acknowledged."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Bot

from bot.messaging.intake import InboundWriter

log = logging.getLogger(__name__)
_pending_acks: set[asyncio.Task[None]] = set()


async def accept_update(writer: InboundWriter, bot: Bot | None, data: dict[str, Any], update_id: int) -> None:
    """Store an update durably (the processor answers it once); stop the spinner of a pressed button."""
    callback = data.get("callback_query") or {}
    message = data.get("message") or callback.get("message") or {}
    sender = str((message.get("chat") or {}).get("id", ""))
    await writer.store(channel="telegram", external_id=str(update_id), payload=data, sender=sender)
    if callback.get("id") and bot is not None:
        task = asyncio.create_task(_answer_button(bot, str(callback["id"])))
        _pending_acks.add(task)
        task.add_done_callback(_pending_acks.discard)


async def _answer_button(bot: Bot, callback_id: str) -> None:
    try:
        await asyncio.wait_for(bot.answer_callback_query(callback_id), timeout=5)
    except Exception:  # only stops the button's spinner; the reply itself goes through the outbox
        log.info("could not acknowledge a Telegram button press")
