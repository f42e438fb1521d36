"""Case tickets: short, easy to read aloud over the phone, not guessable.

``AGENCY-XXXXXX``: the agency's code (2-4 letters), a hyphen, then letters and digits from an alphabet without
0/O and 1/I (read aloud, they are confused). Random, never sequential: a ticket reveals nothing about the number
of cases, and guessing another citizen's ticket is one chance in 32^6 (about a billion) per try.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 symbols: no 0, O, 1, I
LENGTH = 6
TICKET = re.compile(r"[A-Z]{2,4}-[A-HJ-NP-Z2-9]{5,8}")
_AGENCY_CODE = re.compile(r"[A-Z]{2,4}")
_CANDIDATE = re.compile(r"(?=\b([A-Za-z]{2,4})[\s\-_.]*([A-Za-z0-9]{5,8})\b)")


def new_ticket(agency_code: str) -> str:
    if not _AGENCY_CODE.fullmatch(agency_code):
        raise ValueError(f"an agency code is 2-4 capital letters, not {agency_code!r}")
    return f"{agency_code}-{''.join(secrets.choice(ALPHABET) for _ in range(LENGTH))}"


def find_ticket(text: str, codes: Iterable[str]) -> str | None:
    """The ticket in what a citizen typed ("tlt-7k3qmr", "TLT 7K3QMR", "no tiket saya TLT-7K3QMR ya"), in its
    canonical form, for one of the agency ``codes``; None when there is none ("ada kasus" is not ADA-KASUS)."""
    known = {c.upper() for c in codes}
    for match in _CANDIDATE.finditer(text):
        code, rest = match.group(1).upper(), match.group(2).upper()
        ticket = f"{code}-{rest}"
        if code in known and TICKET.fullmatch(ticket):
            return ticket
    return None


CODES = {"tarakan": "TRK", "sragen": "SRG", "magetan": "MGT", "tanah-laut": "TLT"}


def agency_code(slug: str) -> str:
    """The agency's ticket prefix: a fixed code for the agencies we know, else the first letters of its slug."""
    if slug in CODES:
        return CODES[slug]
    letters = re.sub(r"[^A-Z]", "", slug.upper())
    return (letters[:3] or "XX").ljust(2, "X")
