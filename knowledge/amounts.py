"""Money as citizens write it: "Rp1.200.000", "Rp 1,2 juta", "600 ribu", "600rb", "500 ewu", "2.300.000", "1 jt".

``amounts(text)`` gives the rupiah values in order. A story that names two different amounts ("harusnya 1,2 juta
cuma dapat 600 ribu") is evidence of aid received short.
"""

from __future__ import annotations

import re

UNITS = {"ribu": 1_000, "rb": 1_000, "rbu": 1_000, "ewu": 1_000, "k": 1_000, "juta": 1_000_000, "jt": 1_000_000,
         "jta": 1_000_000, "yuta": 1_000_000, "milyar": 1_000_000_000, "miliar": 1_000_000_000, "m": 1_000_000}
_AMOUNT = re.compile(
    r"(?<![\w.,])(?:rp\.?\s*)?(\d{1,3}(?:[.,]\d{3})+|\d+(?:[.,]\d{1,2})?)\s*(ribu|rbu|rb|ewu|juta|jta|jt|yuta|milyar|miliar|k|m)?"
    r"(?![\w])",
    re.IGNORECASE)
_RUPIAH = re.compile(r"rp\.?\s*\d", re.IGNORECASE)


def amounts(text: str) -> list[int]:
    """Every amount of money in ``text`` (rupiah), in order; plain small numbers without a unit are not money."""
    found: list[int] = []
    for match in _AMOUNT.finditer(text):
        digits, unit = match.group(1), (match.group(2) or "").lower()
        marked = bool(_RUPIAH.match(match.group(0)))
        if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", digits):  # thousands separators: 1.200.000, 2,300,000
            value = float(re.sub(r"[.,]", "", digits))
        else:
            value = float(digits.replace(",", "."))
        if unit:
            value *= UNITS[unit]
        elif not marked and value < 1_000:  # "3 bulan", "jam 2": not money
            continue
        if unit == "m" and not marked:  # "m" alone is too ambiguous (meters, minutes) without "Rp"
            continue
        found.append(round(value))
    return found


def received_short(text: str) -> bool:
    """Two different amounts in one message: what was due and what came (or what was cut)."""
    values = amounts(text)
    return len(set(values)) >= 2
