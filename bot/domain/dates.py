"""Moments told to a citizen in the agency's local time, in Indonesian: "Selasa, 24 November 2026 pukul 10.30
WITA" (Babel's Indonesian locale for day and month names; the zone's abbreviation as Indonesians write it)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def local_moment(moment: datetime, timezone: str) -> str:
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no time zone")
    text = format_datetime(moment, "EEEE, d MMMM y 'pukul' HH.mm", tzinfo=ZoneInfo(timezone), locale="id")
    return f"{text} {ZONE_NAMES.get(timezone, timezone)}"


def long_date(day: date) -> str:
    """"Senin, 14 Desember 2026"."""
    return str(format_date(day, "EEEE, d MMMM y", locale="id"))
