"""Indonesian phone numbers to E.164 (+62...), the one form stored and compared."""

from __future__ import annotations

import re


class InvalidPhone(ValueError):
    """Not a phone number we can normalise."""


def to_e164(raw: str) -> str:
    """'whatsapp:+6281234567890', '081234567890', '62 812-3456-7890', '+62 812 3456 7890' -> '+6281234567890'."""
    text = raw.strip().removeprefix("whatsapp:").strip()
    plus = text.startswith("+")
    digits = re.sub(r"[\s().-]", "", text.lstrip("+"))
    if not digits.isdigit():
        raise InvalidPhone(f"not a phone number: {raw!r}")
    if not plus:
        if digits.startswith("0"):
            digits = "62" + digits[1:]
        elif digits.startswith("8"):
            digits = "62" + digits
    if not 8 <= len(digits) <= 15:
        raise InvalidPhone(f"wrong length for a phone number: {raw!r}")
    return "+" + digits


def mask(e164: str) -> str:
    """For logs and officer lists: '+6281234567890' -> '+62812****7890'. At least four digits are always
    hidden, and never more than the first five and the last four are shown."""
    digits = len(e164) - 1
    if digits < 8:
        return "****"
    end = 4 if digits >= 10 else 2
    start = min(6, len(e164) - end - 4)
    return e164[:start] + "*" * (len(e164) - start - end) + e164[-end:]


def shown(address: str) -> str:
    """A contact address as operators see it: phone numbers masked whatever their form (``whatsapp:+62...``,
    ``+62...``, ``0812...``); other addresses (a Telegram chat id) as they are."""
    if not address.strip().startswith(("whatsapp:", "+", "0")):  # a Telegram chat id is bare digits
        return address
    try:
        return mask(to_e164(address))
    except InvalidPhone:
        return "****"


PHONE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?62|0)8\d{7,12}(?!\d)")


def mask_in_text(text: str) -> str:
    """Indonesian mobile numbers written in a message, masked ('hubungi 081234567890' -> 'hubungi 0812****7890')."""
    return PHONE_IN_TEXT.sub(lambda found: found.group(0)[:4] + "*" * (len(found.group(0)) - 8) + found.group(0)[-4:],
                             text)
