"""Read a service duration as written ("17 Hari 3 Jam 30 Menit", "1 Hari Kerja") into numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORDS = {
    "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8,
    "sembilan": 9, "sepuluh": 10, "sebelas": 11, "dua belas": 12, "lima belas": 15,
    "tiga puluh": 30, "empat puluh lima": 45,
}
_UNITS = {
    "tahun anggaran": "fiscal_years",
    "hari kerja": "working_days",
    "hari": "days",
    "jam": "hours",
    "menit": "minutes",
}
_PART = re.compile(
    r"(\d+)\s*(?:\([a-z ]+\)\s*)?(tahun anggaran|hari kerja|hari|jam|menit)\b", re.IGNORECASE
)


class DurationError(ValueError):
    """The text names no duration we can read."""


@dataclass(frozen=True)
class Duration:
    """A duration in the units the standard uses; none are converted into others."""

    fiscal_years: int = 0
    working_days: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if v}

    def human(self) -> str:
        """Plain Indonesian: '17 hari 3 jam 30 menit', '1 hari kerja', '1 tahun anggaran'."""
        names = {
            "fiscal_years": "tahun anggaran", "working_days": "hari kerja", "days": "hari",
            "hours": "jam", "minutes": "menit",
        }
        return " ".join(f"{v} {names[k]}" for k, v in self.as_dict().items())

    def total_minutes(self) -> int | None:
        """Calendar length in minutes, or None when it depends on a calendar (work days, budget year)."""
        if self.fiscal_years or self.working_days:
            return None
        return (self.days * 24 + self.hours) * 60 + self.minutes


def parse_duration(text: str) -> Duration:
    """Parse the first run of duration parts in ``text``; raise DurationError when there is none."""
    lowered = text.lower()
    for word, value in sorted(_WORDS.items(), key=lambda kv: -len(kv[0])):
        lowered = re.sub(rf"(?<![\w(]){word}(?= (?:tahun|hari|jam|menit)\b)", str(value), lowered)
    found: dict[str, int] = {}
    last_end = None
    for m in _PART.finditer(lowered):
        if last_end is not None and lowered[last_end : m.start()].strip(" ,dan"):
            break
        unit = _UNITS[m.group(2).lower()]
        if unit in found:
            break
        found[unit] = int(m.group(1))
        last_end = m.end()
    if not found:
        raise DurationError(f"no duration in {text!r}")
    return Duration(**found)
