"""WhatsApp's 24-hour window: free text inside it, a template outside."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.channels.whatsapp_twilio.outbound import WINDOW, inside_window

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(("ago", "inside"), [
    (None, False), (timedelta(0), True), (timedelta(hours=23, minutes=59, seconds=59), True),
    (WINDOW, False), (timedelta(hours=30), False), (-timedelta(minutes=5), True),  # a clock slightly ahead
])
def test_the_24_hour_window(ago: timedelta | None, inside: bool) -> None:
    assert inside_window(None if ago is None else NOW - ago, NOW) is inside
