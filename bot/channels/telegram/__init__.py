"""Telegram: updates by webhook (or long polling), messages and files through python-telegram-bot's Bot."""

from __future__ import annotations

from telegram import Bot

from bot.channels.telegram import inbound
from bot.channels.telegram.connect import starter
from bot.channels.telegram.outbound import MAX_DOWNLOAD, TelegramSender
from bot.messaging.channel import Channel
from bot.settings import Settings

TEXT_LIMIT = 4096  # characters of one Telegram message


def channel(settings: Settings) -> Channel:
    sender = TelegramSender(settings)
    return Channel(name=inbound.CHANNEL, parse=inbound.parse, text_limit=TEXT_LIMIT, buttons=True, sender=sender,
                   fetch=sender.fetch, max_download=MAX_DOWNLOAD, send_rate=settings.telegram_send_rate,
                   chat_interval=settings.telegram_chat_interval, start=starter(settings, sender.bot))


def bot_of(channels: dict[str, Channel]) -> Bot | None:
    """The Bot of the Telegram channel, if this deployment has one (to acknowledge button presses)."""
    found = channels.get(inbound.CHANNEL)
    return found.sender.bot if found is not None and isinstance(found.sender, TelegramSender) else None
