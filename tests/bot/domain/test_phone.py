"""Phone numbers as stored and as operators see them (mutation testing of bot/phone.py): exact E.164 forms, the
length bounds, masks that keep the first 6 and the last 4 characters, and addresses that are not phone numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.phone import InvalidPhone, mask, shown, to_e164


@pytest.mark.parametrize(("raw", "e164"), [
    ("+81 3-1234-5678", "+81312345678"),  # Japan: an international number starting with 8 is not made Indonesian
    ("+0812345678", "+0812345678"),  # with a plus, the digits are taken as they are
    ("812345678", "+62812345678"),
    ("0812345678", "+62812345678"),
    ("+12345678", "+12345678"),  # 8 digits: the shortest accepted
    ("+123456789012345", "+123456789012345"),  # 15 digits: the longest E.164 allows
    ("  whatsapp: +62 (812) 3456.7890 ", "+6281234567890"),
])
def test_more_numbers_become_e164(raw: str, e164: str) -> None:
    assert to_e164(raw) == e164


@pytest.mark.parametrize(("raw", "message"), [
    ("abc", "not a phone number: 'abc'"),
    ("X081234567890", "not a phone number: 'X081234567890'"),  # a stray letter in front
    ("+1234567", "wrong length for a phone number: '+1234567'"),  # 7 digits
    ("+1234567890123456", "wrong length for a phone number: '+1234567890123456'"),  # 16 digits
])
def test_what_is_not_a_phone_number_is_refused_and_named(raw: str, message: str) -> None:
    with pytest.raises(InvalidPhone) as refused:
        to_e164(raw)
    assert str(refused.value) == message


@pytest.mark.parametrize(("e164", "masked"), [
    ("+6281234567890", "+62812****7890"),
    ("+62812345678", "+628****5678"),  # at least four digits hidden, however short the number
    ("+14155238886", "+141****8886"),
    ("+628123456", "+628****56"),
    ("+62812345", "+62****45"),
    ("+1234567", "****"),  # too short to show any part of it
    ("", "****"),
])
def test_masks(e164: str, masked: str) -> None:
    assert mask(e164) == masked


@pytest.mark.parametrize(("address", "seen"), [
    ("whatsapp:+6281234567890", "+62812****7890"),
    (" whatsapp:+6281234567890", "+62812****7890"),
    ("+6281234567890", "+62812****7890"),
    ("081234567890", "+62812****7890"),
    ("123456789", "123456789"),  # a Telegram chat id, as it is
    ("-1001234567890", "-1001234567890"),  # a Telegram group id
    ("whatsapp:not a number", "****"),
    ("+12", "****"),
    ("0", "****"),
])
def test_what_an_operator_sees(address: str, seen: str) -> None:
    assert shown(address) == seen


@given(st.text(alphabet="0123456789", min_size=10, max_size=13), st.sampled_from(["whatsapp:+", "+", "0"]))
def test_a_phone_number_in_any_form_is_shown_masked(digits: str, prefix: str) -> None:
    address = prefix + digits
    number = to_e164(address)
    seen = shown(address)
    assert seen == mask(number)
    hidden = seen.count("*")
    assert hidden >= 4 and len(seen) == len(number) and seen.endswith(number[-4:])
    assert seen.replace("*" * hidden, number[len(seen.split("*")[0]):len(seen.split("*")[0]) + hidden]) == number


@pytest.mark.parametrize(("raw", "e164"), [
    ("whatsapp:+6281234567890", "+6281234567890"), ("081234567890", "+6281234567890"),
    ("62 812-3456-7890", "+6281234567890"), ("+62 812 3456 7890", "+6281234567890"),
    ("81234567890", "+6281234567890"), ("+14155238886", "+14155238886"),
])
def test_phone_numbers_become_e164(raw: str, e164: str) -> None:
    assert to_e164(raw) == e164


@pytest.mark.parametrize("raw", ["", "whatsapp:", "abc", "12", "+62 812 3456 7890 1234 5678"])
def test_not_phone_numbers(raw: str) -> None:
    with pytest.raises(InvalidPhone):
        to_e164(raw)


def test_masked_phone_keeps_only_the_ends() -> None:
    assert mask("+6281234567890") == "+62812****7890"


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
