"""The logging configuration applied, and the redaction details (mutation testing of bot/logs.py).

The configuration tests apply it to this process's logging, then put every logger back as it was (levels,
handlers, filters, propagation, disabled flags), so no other test sees a difference.
"""

from __future__ import annotations

import copy
import logging
import logging.config
import re
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from uvicorn.config import LOGGING_CONFIG as UVICORN_DEFAULTS

from bot import logs
from bot.settings import Settings
from tests.support import collecting_handler

TOKEN = "7123456789:AAHk3Jd9_longTelegramTokenValue-xyz123"
TWILIO_SECRET = "tw1l10-auth-s3cret"  # matches none of the patterns: only the configured secret redacts it
LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?P<level>[A-Z]+) (?P<name>\S+) (?P<message>.*)$")


def _all_loggers() -> list[logging.Logger]:
    manager = logging.Logger.manager
    return [logging.getLogger(), *(lg for lg in manager.loggerDict.values() if isinstance(lg, logging.Logger))]


@contextmanager
def _logging_restored() -> Iterator[None]:
    """Run a block that reconfigures logging; afterwards every logger is as it was before."""
    saved = {lg: (lg.level, list(lg.handlers), list(lg.filters), lg.propagate, lg.disabled) for lg in _all_loggers()}
    try:
        yield
    finally:
        for lg in _all_loggers():
            level, handlers, filters, propagate, disabled = saved.get(lg, (logging.NOTSET, [], [], True, False))
            for handler in lg.handlers:
                if handler not in handlers:
                    handler.close()
            lg.handlers, lg.filters, lg.propagate, lg.disabled = list(handlers), list(filters), propagate, disabled
            lg.setLevel(level)


def _records(err: str) -> list[tuple[str, str, str]]:
    """(level, logger, message) of each line written to stderr, every line in the service's format."""
    lines = err.splitlines()
    assert all(LINE.match(line) for line in lines), lines
    return [(m["level"], m["name"], m["message"]) for m in (LINE.match(line) for line in lines) if m]


def test_the_applied_configuration_quiets_formats_redacts_and_reaches_every_logger(
        capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(log_level="debug", telegram_bot_token=TOKEN, twilio_auth_token=TWILIO_SECRET)
    with _logging_restored():
        existing = logging.getLogger("tests.mutations.existing")  # made before the configuration is applied
        # what may have been configured first: uvicorn's own defaults (its loggers at INFO, not propagating), a
        # logger set not to propagate, and a configuration with the standard library's default of disabling
        # every logger that exists
        logging.config.dictConfig(copy.deepcopy(UVICORN_DEFAULTS))
        logging.getLogger("uvicorn.error").propagate = False
        logging.config.dictConfig({"version": 1})
        capsys.readouterr()
        applied = logs.configure(settings)
        logging.getLogger("httpx").info(f"HTTP Request: POST https://api.telegram.org/bot{TOKEN}/sendMessage")
        logging.getLogger("httpx").warning(f"retrying https://api.telegram.org/bot{TOKEN}/getMe")
        logging.getLogger("alembic").info("Context impl PostgresqlImpl.")
        logging.getLogger("alembic.runtime.migration").info("Running upgrade 0001 -> 0002")
        logging.getLogger("alembic").warning("no revision found")
        logging.getLogger("uvicorn").debug("uvicorn debug")
        logging.getLogger("uvicorn.error").debug("Started server process")
        logging.getLogger("uvicorn.access").debug('127.0.0.1 - "POST /webhooks/telegram HTTP/1.1" 200')
        existing.debug("twilio said %s", TWILIO_SECRET)
        logging.getLogger("bot.worker").debug("outbox idle")
        out = capsys.readouterr()
    assert applied == logs.config(settings)  # what uvicorn is given is what was applied
    assert out.out == ""
    assert _records(out.err) == [
        ("WARNING", "httpx", "retrying https://api.telegram.org/bot[redacted]/getMe"),
        ("WARNING", "alembic", "no revision found"),
        ("DEBUG", "uvicorn", "uvicorn debug"),
        ("DEBUG", "uvicorn.error", "Started server process"),
        ("DEBUG", "uvicorn.access", '127.0.0.1 - "POST /webhooks/telegram HTTP/1.1" 200'),
        ("DEBUG", "tests.mutations.existing", "twilio said [redacted]"),
        ("DEBUG", "bot.worker", "outbox idle"),
    ]


def test_at_error_level_only_errors_are_written(capsys: pytest.CaptureFixture[str]) -> None:
    with _logging_restored():
        logs.configure(Settings(log_level="ERROR"))
        logging.getLogger("httpx").warning("slow response")
        logging.getLogger("bot.worker").warning("retrying")
        logging.getLogger("uvicorn.error").error("Exception in ASGI application")
        out = capsys.readouterr()
    assert _records(out.err) == [("ERROR", "uvicorn.error", "Exception in ASGI application")]


def test_a_misspelt_log_level_is_refused_by_name() -> None:
    with _logging_restored(), pytest.raises(ValueError) as refused:
        logs.configure(Settings(log_level="verbose"))
    assert "VERBOSE" in "".join(traceback.format_exception(refused.value))


@pytest.mark.parametrize(("said", "written"), [
    ("dari +62 812-3456-7890 masuk", "dari +6281*****890 masuk"),
    ("hp 0812.3456.7890.", "hp 0812*****890."),
    ("nomor 081234567890 ya", "nomor 0812*****890 ya"),
    ("nomor malaysia +60 12-345 6789", "nomor malaysia +6012*****789"),
])
def test_phone_numbers_keep_their_first_four_and_last_three_digits(said: str, written: str) -> None:
    assert logs.Redact().scrub(said) == written


def test_the_longest_secret_is_redacted_first() -> None:
    redact = logs.Redact(["s3cr3t", "admin-s3cr3t-2024", None, ""])
    assert redact.scrub("keys admin-s3cr3t-2024 and s3cr3t") == "keys [redacted] and [redacted]"


def test_secrets_shorter_than_six_characters_are_not_used() -> None:
    redact = logs.Redact(["12345", "abcdef"])
    assert redact.scrub("order 12345 by abcdef") == "order 12345 by [redacted]"


def _emitted(record: logging.LogRecord) -> str:
    handler, lines = collecting_handler(logs.Redact([TWILIO_SECRET]))
    handler.handle(record)
    return "\n".join(lines)


def test_a_record_with_a_bad_format_string_is_written_raw_and_redacted() -> None:
    record = logging.LogRecord("tests", logging.ERROR, __file__, 1, f"sent %d with {TWILIO_SECRET}", ("x",), None)
    assert _emitted(record) == "sent %d with [redacted]"


def test_a_stack_dump_is_kept_and_redacted() -> None:
    stack = f'Stack (most recent call last):\n  File "bot/worker.py", line 9, in send\n    get("/bot{TOKEN}/getMe")'
    record = logging.LogRecord("tests", logging.WARNING, __file__, 1, "slow", None, None, sinfo=stack)
    written = _emitted(record)
    assert written.startswith("slow\nStack (most recent call last):\n")
    assert written.endswith('get("/bot[redacted]/getMe")')
    assert TOKEN not in written


def test_errors_are_cut_to_300_characters_by_default() -> None:
    assert logs.safe_text("x" * 500) == "x" * 300
    assert logs.safe_error(RuntimeError("x" * 500)) == "RuntimeError: " + "x" * 286
    assert logs.safe_error(RuntimeError("x" * 500), limit=40) == "RuntimeError: " + "x" * 26
    assert logs.safe_text("  \n  ") == "" and logs.safe_text("") == ""
