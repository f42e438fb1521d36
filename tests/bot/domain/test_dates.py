"""Dates as a citizen reads them: Indonesian names, the office's local time and zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.dates import local_moment


@pytest.mark.parametrize(("timezone", "expected"), [
    ("Asia/Makassar", "Selasa, 24 November 2026 pukul 10.30 WITA"),
    ("Asia/Jakarta", "Selasa, 24 November 2026 pukul 09.30 WIB"),
    ("Asia/Jayapura", "Selasa, 24 November 2026 pukul 11.30 WIT"),
])
def test_a_moment_in_the_offices_time(timezone: str, expected: str) -> None:
    assert local_moment(datetime(2026, 11, 24, 2, 30, tzinfo=UTC), timezone) == expected


def test_midnight_in_utc_is_the_next_morning_in_wita() -> None:
    assert local_moment(datetime(2026, 12, 31, 23, 0, tzinfo=UTC), "Asia/Makassar") == \
        "Jumat, 1 Januari 2027 pukul 07.00 WITA"


def test_naive_moments_are_refused() -> None:
    with pytest.raises(ValueError):
        local_moment(datetime(2026, 11, 24, 10, 30), "Asia/Makassar")
