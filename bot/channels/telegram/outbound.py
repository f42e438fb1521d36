"""Sending Telegram messages and fetching files through python-telegram-bot's Bot."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import HTTPXRequest

from bot.messaging.channel import FailureKind, FetchError, FetchFailure, SendFailure, SendResult
from bot.messaging.outbox import Job
from bot.settings import Settings
from handlers.subscription import SHARE_PHONE

MAX_DOWNLOAD = 20 * 1024 * 1024  # the Bot API's own limit for getFile


def make_bot(settings: Settings) -> Bot:
    base = settings.telegram_api_base_url
    request = HTTPXRequest(connect_timeout=10, read_timeout=20, write_timeout=20, pool_timeout=5,
                           connection_pool_size=32)
    return Bot(settings.telegram_bot_token or "", base_url=f"{base}/bot", base_file_url=f"{base}/file/bot",
               request=request, get_updates_request=HTTPXRequest(read_timeout=40, connect_timeout=10))


def to_html(text: str) -> str:
    """WhatsApp markup (*bold*, _italic_, ~strike~) to Telegram HTML, everything else escaped."""
    out = html.escape(text, quote=False)
    out = re.sub(r"\*([^*\n]+)\*", r"<b>\1</b>", out)
    out = re.sub(r"(^|[\s(])_([^_\n]+)_(?=$|[\s).,!?:;])", r"\1<i>\2</i>", out)
    return re.sub(r"~([^~\n]+)~", r"<s>\1</s>", out)


def _markup(job: Job) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    if not job.choices:
        return None
    if any(c["key"] == SHARE_PHONE for c in job.choices):
        label = next(c["label"] for c in job.choices if c["key"] == SHARE_PHONE)
        return ReplyKeyboardMarkup([[KeyboardButton(label, request_contact=True)]], one_time_keyboard=True,
                                   resize_keyboard=True)
    rows = [[InlineKeyboardButton(f"{c['key']}. {c['label']}"[:64], callback_data=c["key"][:64])]
            for c in job.choices]
    return InlineKeyboardMarkup(rows)


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramSender:
    channel = "telegram"

    def __init__(self, settings: Settings, bot: Bot | None = None) -> None:
        self.bot = bot or make_bot(settings)

    async def close(self) -> None:
        await self.bot.shutdown()

    async def send(self, job: Job) -> SendResult:
        try:
            message = await self.bot.send_message(chat_id=int(job.external_id), text=to_html(job.body),
                                                  parse_mode="HTML", reply_markup=_markup(job))
        except RetryAfter as exc:
            raise SendFailure(FailureKind.TRANSIENT, "429", "Telegram flood control",
                              retry_after=_seconds(exc.retry_after)) from exc
        except Forbidden as exc:
            raise SendFailure(FailureKind.UNREACHABLE, "403", f"Telegram: {exc.message}") from exc
        except BadRequest as exc:  # a subclass of NetworkError in PTB: check it first
            raise SendFailure(FailureKind.PERMANENT, "400", f"Telegram: {exc.message}") from exc
        except (TimedOut, NetworkError) as exc:
            raise SendFailure(FailureKind.TRANSIENT, None, f"Telegram network: {exc.message}") from exc
        except TelegramError as exc:
            raise SendFailure(FailureKind.PERMANENT, None, f"Telegram: {exc.message}") from exc
        return SendResult(provider_id=f"{job.external_id}:{message.message_id}", status="sent")

    async def fetch(self, file_id: str) -> bytes:
        try:
            file = await self.bot.get_file(file_id)
            if file.file_size and file.file_size > MAX_DOWNLOAD:
                raise FetchError(f"{file.file_size} bytes: over the Bot API's 20 MB", kind=FetchFailure.TOO_LARGE)
            data = bytes(await file.download_as_bytearray())
        except BadRequest as exc:
            # getFile answers "Bad Request: file is too big" for files over the Bot API's download limit.
            kind = FetchFailure.TOO_LARGE if "too big" in exc.message.lower() else FetchFailure.PERMANENT
            raise FetchError(f"Telegram: {exc.message}", kind=kind) from exc
        except (TimedOut, NetworkError, RetryAfter) as exc:
            raise FetchError(f"Telegram network: {exc}", kind=FetchFailure.TRANSIENT) from exc
        except TelegramError as exc:
            raise FetchError(f"Telegram: {exc}", kind=FetchFailure.TRANSIENT) from exc
        if len(data) > MAX_DOWNLOAD:
            raise FetchError("larger than 20 MB", kind=FetchFailure.TOO_LARGE)
        return data
