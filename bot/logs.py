"""Logging for every `dinsos-bot` command: one format, chatty HTTP libraries quieted, secrets and personal data
redacted from every record as a safety net.

httpx logs each request line at INFO, and a Telegram Bot API URL holds the bot token (`.../bot<TOKEN>/send...`):
anyone who could read the log could take over the bot. The twilio library logs every request and response.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from bot.settings import Settings

QUIET = ("httpx", "httpcore", "twilio", "telegram", "aiohttp", "hpack", "asyncio", "multipart")
FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
REDACTED = "[redacted]"
# What a log line is about: the HTTP request (X-Request-ID) or the job (outbox-12, inbound-40-64, media-7)
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
JOB_ID: ContextVar[str | None] = ContextVar("job_id", default=None)

_PATTERNS: list[tuple[re.Pattern[str], Any]] = [
    # Telegram bot tokens, in URLs (/bot123:ABC.../) or anywhere else
    (re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{20,}"), REDACTED),
    # Authorization header values and bearer/basic credentials
    (re.compile(r"(?i)\b(authorization['\"]?\s*[:=]\s*['\"]?)(?:bearer|basic)?\s*[^\s'\",}]+"), r"\1" + REDACTED),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 " + REDACTED),
    # NIK / KK numbers: 16 digits, kept as 4 + 8 masked + 4
    (re.compile(r"(?<!\w)(\d{4})\d{8}(\d{4})(?!\w)"), r"\1********\2"),
    # phone numbers: Indonesian (+62..., 62..., 08..., with spaces, dots or dashes) and international (+...)
    (re.compile(r"(?<![\w+])(?:\+?62|0)[\s.-]?8(?:[\s.-]?\d){7,11}(?!\w)|(?<![\w+])\+\d(?:[\s.-]?\d){7,14}(?!\w)"),
     lambda m: _masked_phone(m.group())),
    # PostgreSQL repeats a refused row's values in its errors ("Failing row contains (...)", "Key (...)=(...)")
    (re.compile(r"(Failing row contains )\(.*?\)(?=\.?\s*$|\.?\n)", re.S | re.M), r"\1(" + REDACTED + ")"),
    (re.compile(r"(Key \([^)]*\)=)\(.*?\)(?= already exists| is not present| conflicts|\.|$)", re.M),
     r"\1(" + REDACTED + ")"),
]


def _masked_phone(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    return ("+" if number.startswith("+") else "") + digits[:4] + "*****" + digits[-3:]


class Redact(logging.Filter):
    """Rewrite each record's message (and traceback) without secrets, tokens, NIKs or phone numbers."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        if "%" in text:  # URL-encoded values (a logged query string or form): read them as they are meant
            text = unquote(text)
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep the raw text
            message = str(record.msg)
        record.msg, record.args = self.scrub(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self.scrub(record.stack_info)
        return True


class Context(logging.Filter):
    """Stamp each record with the request or job it belongs to."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id, record.job_id = REQUEST_ID.get(), JOB_ID.get()
        return True


class NoQuery(logging.Filter):
    """uvicorn's access lines without the query's values: searches (``/inbox?q=<a citizen's name>``) and the
    officers' filters stay out of the log (``/inbox?q=``); the path, the parameters' names, the method and the
    status are what an operator needs."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str) and "?" in args[2]:
            path, query = args[2].split("?", 1)
            names = "&".join(part.split("=", 1)[0] + "=" for part in query.split("&") if part)
            record.args = (args[0], args[1], f"{path}?{names}", args[3], args[4])
        return True


class JsonLines(logging.Formatter):
    """``LOG_FORMAT=json``: one JSON object a line (time in UTC, level, logger, message, request or job id,
    traceback), for a log shipper. The message is the redacted one (``Redact`` runs first): what the code logs
    holds ids and counts, never a NIK, phone number, name or message text."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        for key in ("request_id", "job_id"):
            if value := getattr(record, key, None):
                line[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["error"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


_SCRUB = Redact()


def safe_text(text: str, limit: int = 300) -> str:
    """An error text fit to store or show an operator: its first line, redacted, cut to ``limit``
    (PostgreSQL adds the refused row's values on the following lines)."""
    first = (text.strip().splitlines() or [""])[0]
    return _SCRUB.scrub(first)[:limit]


def safe_error(exc: BaseException, limit: int = 300) -> str:
    """An exception as one safe line: its type and the first line of its message (``safe_text``)."""
    return safe_text(f"{type(exc).__name__}: {str(exc).strip()}", limit)


def secrets_of(settings: Settings) -> list[str | None]:
    return [settings.telegram_bot_token, settings.telegram_webhook_secret, settings.twilio_auth_token,
            settings.twilio_auth_token_secondary, settings.admin_api_token, settings.secret_key]


def config(settings: Settings) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the service, also given to uvicorn so its loggers share it."""
    level = settings.log_level.upper()
    quiet = logging.getLevelName(max(logging.WARNING, logging.getLevelNamesMapping().get(level, logging.INFO)))
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": Redact, "secrets": secrets_of(settings)}, "context": {"()": Context},
                    "no_query": {"()": NoQuery}},
        "formatters": {"plain": {"format": FORMAT}, "json": {"()": JsonLines}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": settings.log_format,
                                "filters": ["redact", "context"]}},
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            **{name: {"level": quiet} for name in QUIET},
            "alembic": {"level": "WARNING"},
            "uvicorn": {"level": level, "handlers": [], "propagate": True},  # pragma: no mutate
            "uvicorn.error": {"level": level, "handlers": [], "propagate": True},  # pragma: no mutate
            "uvicorn.access": {"level": level, "handlers": [], "propagate": True,  # pragma: no mutate
                               "filters": ["no_query"]},
        },
    }


def configure(settings: Settings) -> dict[str, Any]:
    """Apply the logging configuration to this process; returns it (for uvicorn's ``log_config``). Python's
    warnings go through it too (one format, JSON lines included)."""
    cfg = config(settings)
    logging.config.dictConfig(cfg)
    logging.captureWarnings(True)
    return cfg
