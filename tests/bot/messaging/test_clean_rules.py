"""Provider values made safe to store (mutation testing of bot/channels/clean.py): every field of a delivery, the
phone number included, and the declared file size."""

from __future__ import annotations

import pytest

from bot.messaging.clean import MAX_SIZE, Limits, clean, fit_incoming, fit_size
from handlers.types import InboundMessage, MediaRef

LIMITS = Limits(user=8, display_name=5, phone=10, media_source=12, media_type=6, file_name=7, text=9)


def test_the_phone_number_is_cleaned_and_cut_too() -> None:
    incoming = InboundMessage("telegram", "42", "halo", external_id="7", phone="+62\u200b81234567890")
    fitted = fit_incoming(incoming, LIMITS)
    assert fitted.phone == "+62812345…"
    message = InboundMessage("telegram", "42", "halo", external_id="7", phone="+6281\x00")
    assert fit_incoming(message, LIMITS).phone == "+6281"
    assert fit_incoming(InboundMessage("telegram", "42", "halo", external_id="7"), LIMITS).phone is None


def test_empty_and_invisible_values_stay_empty() -> None:
    incoming = InboundMessage("whatsapp", "\u200e", "", external_id="SM1",
                              media=(MediaRef("\ufeff", None, None, None),), display_name="\u202e")
    fitted = fit_incoming(incoming, LIMITS)
    assert fitted.user == "" and fitted.text == "" and fitted.display_name is None and fitted.phone is None
    assert fitted.media == (MediaRef("", None, None, None),)


@pytest.mark.parametrize(("declared", "kept"), [
    (0, 0), (1, 1), (10 * 1024 * 1024, 10 * 1024 * 1024), (MAX_SIZE - 1, MAX_SIZE - 1),
    (MAX_SIZE, None), (MAX_SIZE + 1, None), (-1, None), (None, None), (12.5, None), ("2048", None),
])
def test_a_declared_size_is_kept_only_when_it_makes_sense(declared: object, kept: int | None) -> None:
    assert fit_size(declared) == kept  # type: ignore[arg-type]  # providers send what they send



def test_a_windows_line_break_becomes_a_newline_and_the_text_around_it_stays() -> None:
    assert clean("NIK 3201XX\r\nXX0001 ya") == "NIK 3201XX\nXX0001 ya"
    assert clean("a\r\n\r\nb\rc") == "a\n\nbc"
