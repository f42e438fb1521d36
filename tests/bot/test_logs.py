"""The log safety net: secrets, tokens, NIKs and phone numbers never reach a log line, even from libraries."""

from __future__ import annotations

import logging

import pytest

from bot import logs
from bot.settings import Settings
from tests.support import collecting_handler

TOKEN = "7123456789:AAHk3Jd9_longTelegramTokenValue-xyz123"


@pytest.fixture
def captured() -> tuple[logging.Logger, list[str]]:
    handler, lines = collecting_handler(logs.Redact(["my-auth-token-value"]))
    logger = logging.getLogger("tests.redact")
    logger.handlers, logger.propagate, logger.level = [handler], False, logging.DEBUG
    return logger, lines


@pytest.mark.parametrize(("said", "leaked"), [
    (f"HTTP Request: POST https://api.telegram.org/bot{TOKEN}/sendMessage", TOKEN),
    ("headers {'Authorization': 'Basic QUMxMTExOnNlY3JldA=='}", "QUMxMTExOnNlY3JldA=="),
    ("Authorization: Bearer abc.def.ghi-jkl", "abc.def.ghi-jkl"),
    ("token my-auth-token-value used", "my-auth-token-value"),
    ("nik 6301044507900002 dari warga", "6301044507900002"),
    ("from whatsapp:+6281234567890 body", "6281234567890"),
    ("hp 081234567890.", "081234567890"),
    ("hp 0812-3456-7890 ya", "3456-7890"),
    ("Body=NIK%203201234567890123&To=whatsapp%3A%2B6281234567890", "3201234567890123"),
    ("Body=NIK%203201234567890123&To=whatsapp%3A%2B6281234567890", "6281234567890"),
    ("nomor malaysia +60 12-345 6789", "345 6789"),
])
def test_secrets_and_personal_data_are_redacted(captured: tuple[logging.Logger, list[str]], said: str,
                                                leaked: str) -> None:
    logger, lines = captured
    logger.info("%s", said)
    assert leaked not in lines[-1]


def test_what_is_not_secret_stays_readable(captured: tuple[logging.Logger, list[str]]) -> None:
    logger, lines = captured
    logger.info("outbox %s: %s (%s), now %s", 42, "20429", "transient", "pending")
    assert lines[-1] == "outbox 42: 20429 (transient), now pending"
    logger.info("Twilio SID SM0812345678901234567890abcdefabcd queued")
    assert "SM0812345678901234567890abcdefabcd" in lines[-1]
    logger.info("nik 3314********0001")
    assert lines[-1] == "nik 3314********0001"


def test_tracebacks_are_redacted_too(captured: tuple[logging.Logger, list[str]]) -> None:
    logger, lines = captured
    try:
        raise RuntimeError(f"Client error for url 'https://api.telegram.org/bot{TOKEN}/getMe'")
    except RuntimeError:
        logger.exception("call failed")
    assert "call failed" in lines[-1] and "RuntimeError" in lines[-1] and TOKEN not in lines[-1]


def test_the_service_quiets_http_libraries_and_filters_every_handler() -> None:
    settings = Settings(log_level="DEBUG", telegram_bot_token=TOKEN)
    config = logs.config(settings)
    assert config["loggers"]["httpx"]["level"] == "WARNING" and config["loggers"]["twilio"]["level"] == "WARNING"
    assert config["root"]["level"] == "DEBUG"
    assert all("redact" in handler["filters"] for handler in config["handlers"].values())
    assert TOKEN in config["filters"]["redact"]["secrets"]
    assert logs.config(Settings(log_level="ERROR"))["loggers"]["httpx"]["level"] == "ERROR"


def test_database_errors_lose_the_rows_values() -> None:
    error = ('null value in column "channel" of relation "inbound" violates not-null constraint\n'
             "DETAIL:  Failing row contains (7, null, SM1, whatsapp:+6281299990001, nik saya 6301044507900002,"
             " received).")
    scrubbed = logs.Redact().scrub(error)
    assert "Failing row contains ([redacted])" in scrubbed and "nik saya" not in scrubbed
    duplicate = ("duplicate key value violates unique constraint\n"
                 "DETAIL:  Key (channel, phone)=(whatsapp, 0812) already exists.")
    assert "Key (channel, phone)=([redacted]) already exists" in logs.Redact().scrub(duplicate)
    assert logs.safe_error(RuntimeError(error)) == (
        'RuntimeError: null value in column "channel" of relation "inbound" violates not-null constraint')
