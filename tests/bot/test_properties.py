"""Rules with an invariant, checked on many generated inputs (Hypothesis): splitting, masking, normalising,
the 24-hour window and the pacing of sends. Fast: no server, no database."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.channels.whatsapp_twilio.outbound import WINDOW, inside_window
from bot.phone import InvalidPhone, mask, shown, to_e164
from bot.ratelimit import TokenBucket
from bot.splitting import split_body
from knowledge.understand import clean_text

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
PARAGRAPHS = st.lists(st.text(st.characters(blacklist_categories=["Cs"]), max_size=900), min_size=1, max_size=12)


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@given(PARAGRAPHS.map("\n\n".join), st.integers(min_value=20, max_value=4096))
def test_a_split_never_exceeds_the_limit_and_joins_back_to_the_original(text: str, limit: int) -> None:
    parts = split_body(text, limit)
    assert all(len(part) <= limit for part in parts)
    assert _squeeze("".join(parts)) == _squeeze(text)  # nothing lost or reordered; only cut whitespace goes
    if len(text) <= limit:
        assert parts == [text]


@given(st.text(alphabet="0123456789", min_size=6, max_size=13))
def test_a_masked_number_hides_at_least_four_digits_and_keeps_its_length(digits: str) -> None:
    number = "+62" + digits
    masked = mask(number)
    shown_digits = sum(c.isdigit() for c in masked)
    assert len(masked) == len(number) or masked == "****"
    assert shown_digits <= min(9, len(number) - 1 - 4)
    if len(number) >= 11:
        assert masked.endswith(number[-4:])


@given(st.text(max_size=60))
def test_what_an_operator_sees_never_holds_a_whole_phone_number(text: str) -> None:
    try:
        number = to_e164(text)
    except InvalidPhone:
        number = None
    seen = shown("whatsapp:" + text)
    if number is not None:
        assert number not in seen and number[1:] not in seen


@given(st.text(max_size=1500))
@example("a" * 999 + " b")  # the cut at 1,000 characters falls just after a space
def test_normalising_a_message_twice_changes_nothing_more(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
    assert len(once) <= 1000 and once == once.strip()


@pytest.mark.parametrize(("ago", "inside"), [
    (None, False), (timedelta(0), True), (timedelta(hours=23, minutes=59, seconds=59), True),
    (WINDOW, False), (timedelta(hours=30), False), (-timedelta(minutes=5), True),  # a clock slightly ahead
])
def test_the_24_hour_window(ago: timedelta | None, inside: bool) -> None:
    assert inside_window(None if ago is None else NOW - ago, NOW) is inside


@given(st.floats(min_value=0.5, max_value=50), st.integers(min_value=1, max_value=60))
async def test_the_send_rate_holds_whatever_the_rate(rate: float, sends: int) -> None:
    clock = [100.0]

    async def sleep(seconds: float) -> None:
        clock[0] += seconds

    bucket = TokenBucket(rate, clock=lambda: clock[0], sleep=sleep)
    for _ in range(sends):
        await bucket.acquire()
    burst = max(1.0, rate)
    assert clock[0] - 100.0 == pytest.approx(max(0.0, (sends - burst) / rate), abs=1e-6)
