"""Telegram at start-up: register the webhook (with PUBLIC_BASE_URL) or long-poll (a developer's laptop)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from telegram import Bot
from telegram.error import TelegramError

from bot.channels.telegram.intake import accept_update
from bot.messaging.intake import InboundWriter
from bot.settings import Settings

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]
POLL_TASK = "telegram-poll"  # long polling may sit 25 s in one request: cancelled, not awaited, at shutdown


Start = Callable[[InboundWriter, asyncio.Event], Awaitable[list[asyncio.Task[None]]]]


def starter(settings: Settings, bot: Bot) -> Start:
    """The channel's start-up hook: initialise the bot, then the webhook, or long polling without a public URL."""

    async def start(writer: InboundWriter, stop: asyncio.Event) -> list[asyncio.Task[None]]:
        try:
            await asyncio.wait_for(bot.initialize(), timeout=15)
        except Exception as exc:  # Telegram unreachable at start: sending retries later
            log.warning("Telegram bot not initialised: %s", exc)
        if settings.public_base_url:
            await register_webhook(settings, bot)
            return []
        return [asyncio.create_task(poll(writer, bot, stop), name=POLL_TASK)]

    return start


async def register_webhook(settings: Settings, bot: Bot) -> bool:
    if not settings.public_base_url:
        return False
    if not settings.telegram_webhook_secret:
        log.error("TELEGRAM_WEBHOOK_SECRET is not set: the Telegram webhook is not registered")
        return False
    url = f"{settings.public_base_url}/webhooks/telegram"
    try:
        await bot.set_webhook(url=url, secret_token=settings.telegram_webhook_secret, allowed_updates=ALLOWED_UPDATES)
    except TelegramError as exc:
        log.error("could not register the Telegram webhook: %s", exc)
        return False
    log.info("Telegram webhook registered at %s", url)
    return True


async def poll(writer: InboundWriter, bot: Bot, stop: asyncio.Event) -> None:
    """Long polling: the same storing and answering as the webhook, for development without a public URL."""
    offset: int | None = None
    delay = 1.0
    try:
        await bot.delete_webhook(drop_pending_updates=False)
    except TelegramError as exc:
        log.warning("could not remove the Telegram webhook before polling: %s", exc)
    log.info("Telegram long polling started")
    while not stop.is_set():
        try:
            updates = await bot.get_updates(offset=offset, timeout=25, allowed_updates=ALLOWED_UPDATES)
            delay = 1.0
        except TelegramError as exc:
            log.warning("Telegram polling failed (%s); retrying in %.0f s", exc, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
            delay = min(60.0, delay * 2)
            continue
        for update in updates:
            await accept_update(writer, bot, update.to_dict(), update.update_id)
            offset = update.update_id + 1
