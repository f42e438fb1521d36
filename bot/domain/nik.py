"""The NIK (Nomor Induk Kependudukan), read as Dukcapil writes it: ``PPKKCC DDMMYY SSSS``.

PP, KK and CC are the province, regency/city and district where the NIK was first registered; DD is the day of
birth, plus 40 for women; MM and YY the month and year of birth; SSSS a serial from 0001. There is no documented
check digit, so a NIK can only be checked for shape, a real province and a real date. The birth date on a NIK is
never corrected afterwards, so a date that disagrees with what the citizen says is not a reason to refuse it.

A NIK is personal data (UU 27/2022): never logged, never echoed back whole (``mask``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

# Province codes of Kemendagri, including the four Papua provinces created in 2022 (93-96) and the older
# numbering still on NIKs issued before them.
PROVINCES = {
    "11": "Aceh", "12": "Sumatera Utara", "13": "Sumatera Barat", "14": "Riau", "15": "Jambi",
    "16": "Sumatera Selatan", "17": "Bengkulu", "18": "Lampung", "19": "Kepulauan Bangka Belitung",
    "21": "Kepulauan Riau", "31": "DKI Jakarta", "32": "Jawa Barat", "33": "Jawa Tengah",
    "34": "DI Yogyakarta", "35": "Jawa Timur", "36": "Banten", "51": "Bali", "52": "Nusa Tenggara Barat",
    "53": "Nusa Tenggara Timur", "61": "Kalimantan Barat", "62": "Kalimantan Tengah", "63": "Kalimantan Selatan",
    "64": "Kalimantan Timur", "65": "Kalimantan Utara", "71": "Sulawesi Utara", "72": "Sulawesi Tengah",
    "73": "Sulawesi Selatan", "74": "Sulawesi Tenggara", "75": "Gorontalo", "76": "Sulawesi Barat",
    "81": "Maluku", "82": "Maluku Utara", "91": "Papua", "92": "Papua Barat", "93": "Papua Selatan",
    "94": "Papua Tengah", "95": "Papua Pegunungan", "96": "Papua Barat Daya",
}
_SEPARATORS = re.compile(r"[\s.\-]")


class NikProblem(StrEnum):
    """Why a NIK was refused (each has its own explanation for the citizen)."""

    NOT_DIGITS = "not_digits"
    LENGTH = "length"
    PROVINCE = "province"
    REGION = "region"
    BIRTH_DATE = "birth_date"
    SERIAL = "serial"


@dataclass(frozen=True)
class Nik:
    value: str
    province: str
    birth_date: date
    female: bool

    def masked(self) -> str:
        return mask(self.value)


class NikError(ValueError):
    def __init__(self, problem: NikProblem, length: int = 0) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.length = length  # the number of digits given, for LENGTH


def parse_nik(text: str, today: date | None = None) -> Nik:
    """A NIK from what a citizen typed (spaces, dots and dashes allowed between digits); ``NikError`` says why
    it is not one."""
    value = _SEPARATORS.sub("", text.strip())
    if not value.isascii() or not value.isdigit():
        raise NikError(NikProblem.NOT_DIGITS)
    if len(value) != 16:
        raise NikError(NikProblem.LENGTH, len(value))
    if value[:2] not in PROVINCES:
        raise NikError(NikProblem.PROVINCE)
    if value[2:4] == "00" or value[4:6] == "00":
        raise NikError(NikProblem.REGION)
    day, month, year = int(value[6:8]), int(value[8:10]), int(value[10:12])
    female = day > 40
    today = today or datetime.now(ZoneInfo("Asia/Jakarta")).date()
    try:
        born = date(2000 + year, month, day - 40 if female else day)
        if born > today:  # "85" is 1985; "26" is 2026 up to today, 1926 after it
            born = born.replace(year=1900 + year)
    except ValueError:  # 30 February, or 29 February of a year that is not a leap year
        raise NikError(NikProblem.BIRTH_DATE) from None
    if value[12:] == "0000":
        raise NikError(NikProblem.SERIAL)
    return Nik(value, PROVINCES[value[:2]], born, female)


def mask(value: str) -> str:
    """``3314********0001``: the region's first four digits and the last four; the birth date never shown."""
    digits = _SEPARATORS.sub("", value)
    if len(digits) <= 8:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


_SIXTEEN = re.compile(r"(?<!\d)(\d{4})[\s.\-]?(\d{4})[\s.\-]?(\d{4})[\s.\-]?(\d{4})(?!\d)")


def mask_all(text: str) -> str:
    """Every 16-digit number in a text (a NIK, a KK number, however spaced) masked, as history keeps it."""
    return _SIXTEEN.sub(lambda found: mask("".join(found.groups())), text)


def mask_json(value: Any) -> Any:
    """``mask_all`` on every string inside a JSON value (a stored provider payload)."""
    if isinstance(value, str):
        return mask_all(value)
    if isinstance(value, list):
        return [mask_json(v) for v in value]
    if isinstance(value, dict):
        return {k: mask_json(v) for k, v in value.items()}
    return value
