"""Working time of an office: its weekly hours in its own time zone, Indonesian public holidays and *cuti
bersama*, and closed days an admin adds. Deadlines of complaint cases (a step's "10 menit", "3 hari kerja") are
computed here, never with wall-clock arithmetic.

No maintained Python library does business-time arithmetic on an Indonesian calendar (businesstimedelta loops
forever with time zones and holidays; workalendar has no Indonesia): this is a small pure module on ``holidays``,
after the ``biz`` schedule Zammad uses (per-weekday intervals, holidays, a time zone, breaks that pause the clock).

Times go in and come out as aware datetimes; results are in UTC (what is stored). Local time is only used inside.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from knowledge.model import Agency

Interval = tuple[time, time]
HORIZON_DAYS = 3 * 366  # a calendar with no open day in three years is a configuration error


@lru_cache(maxsize=64)
def _indonesian(year: int) -> frozenset[date]:
    import holidays

    # "public": national holidays; "government": cuti bersama (joint leave days), closed offices too.
    return frozenset(holidays.country_holidays("ID", years=year, categories=("public", "government")))


def indonesian_holidays(year: int) -> frozenset[date]:
    """Indonesia's public holidays and cuti bersama of ``year`` (the ``holidays`` package)."""
    return _indonesian(year)


def parse_hours(spec: Mapping[int, Sequence[tuple[str, str]]]) -> dict[int, tuple[Interval, ...]]:
    """{0: [("08:00", "16:30")], 4: [("08:00", "11:30")]} (0 is Monday) into sorted time intervals."""
    hours: dict[int, tuple[Interval, ...]] = {}
    for weekday, slots in spec.items():
        if not 0 <= weekday <= 6:
            raise ValueError(f"weekday {weekday} is not 0 (Monday) to 6 (Sunday)")
        intervals = sorted((time.fromisoformat(a), time.fromisoformat(b)) for a, b in slots)
        for (a, b), nxt in zip(intervals, [*intervals[1:], None], strict=True):
            if not a < b:
                raise ValueError(f"an interval must open before it closes: {a}-{b}")
            if nxt is not None and nxt[0] < b:
                raise ValueError(f"intervals overlap on weekday {weekday}")
        hours[weekday] = tuple(intervals)
    return hours


@dataclass(frozen=True)
class WorkingCalendar:
    timezone: str
    hours: Mapping[int, tuple[Interval, ...]]  # weekday (0 = Monday) -> open intervals, local time
    closed: frozenset[date] = frozenset()  # local holidays an admin adds
    holidays: Callable[[int], frozenset[date]] = field(default=indonesian_holidays, repr=False)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    # --- days and hours --------------------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        return bool(self.hours.get(day.weekday())) and day not in self.closed and day not in self.holidays(day.year)

    def intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The open intervals of a local day, as aware local datetimes (none on a closed day)."""
        if not self.is_working_day(day):
            return []
        zone = self.zone
        return [(datetime.combine(day, a, zone), datetime.combine(day, b, zone)) for a, b in self.hours[day.weekday()]]

    def within_hours(self, moment: datetime) -> bool:
        """Open at ``moment``, its closing minute included (a deadline may fall at closing time)."""
        local = _aware(moment).astimezone(self.zone)
        return any(a <= local <= b for a, b in self.intervals(local.date()))

    # --- arithmetic ------------------------------------------------------------------------------------------

    def add_working(self, start: datetime, minutes: float) -> datetime:
        """The moment ``minutes`` of open time after ``start`` (closed hours, weekends and holidays skipped).
        With 0 minutes: ``start`` itself when open, else the next opening."""
        if minutes < 0:
            raise ValueError("minutes must not be negative")
        remaining = timedelta(minutes=minutes)
        cursor = _aware(start).astimezone(self.zone)
        for day in self._days_from(cursor.date()):
            for a, b in self.intervals(day):
                begin = max(a, cursor)
                if begin > b or (begin == b and remaining):
                    continue
                if remaining <= b - begin:
                    return (begin + remaining).astimezone(UTC)
                remaining -= b - begin
        raise ValueError(f"no open hours within {HORIZON_DAYS} days")

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """"3 hari kerja": the closing time of the ``days``-th working day after the day of ``start`` (a case
        received on Friday afternoon with 3 working days is due at closing time on Wednesday)."""
        if days < 1:
            raise ValueError("days must be at least 1")
        local = _aware(start).astimezone(self.zone)
        counted = 0
        for day in self._days_from(local.date() + timedelta(days=1)):
            if self.is_working_day(day):
                counted += 1
                if counted == days:
                    return self.intervals(day)[-1][1].astimezone(UTC)
        raise ValueError(f"no open hours within {HORIZON_DAYS} days")

    def working_minutes(self, start: datetime, end: datetime,
                        pauses: Iterable[tuple[datetime, datetime]] = ()) -> float:
        """Open minutes between two moments, less the open minutes inside ``pauses`` (time waiting for the
        citizen stops the clock); 0 when ``end`` is not after ``start``."""
        a, b = _aware(start).astimezone(self.zone), _aware(end).astimezone(self.zone)
        if b <= a:
            return 0.0
        total = self._open_between(a, b)
        for p_start, p_end in _merged(pauses):
            lo, hi = max(a, p_start.astimezone(self.zone)), min(b, p_end.astimezone(self.zone))
            if hi > lo:
                total -= self._open_between(lo, hi)
        return total.total_seconds() / 60

    def _open_between(self, a: datetime, b: datetime) -> timedelta:
        total = timedelta()
        day = a.date()
        while day <= b.date():
            for x, y in self.intervals(day):
                lo, hi = max(x, a), min(y, b)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total

    @staticmethod
    def _days_from(first: date) -> Iterable[date]:
        return (first + timedelta(days=offset) for offset in range(HORIZON_DAYS))


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no time zone: store and pass aware (UTC) datetimes")
    return moment


def _merged(pauses: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for a, b in sorted((_aware(a), _aware(b)) for a, b in pauses if b > a):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def calendar_for(agency: Agency, closed: Iterable[date] = ()) -> tuple[WorkingCalendar, bool]:
    """The agency's working calendar, and whether its hours are assumed: the hours its standard publishes,
    else the registry's (``knowledge/agencies.yaml``, marked assumed); ``closed``: local holidays an admin added."""
    published = (agency.office_hours or {}).get("schedule")
    schedule = published or (agency.working_hours or {}).get("schedule")
    if not schedule:
        raise ValueError(f"{agency.slug}: no working hours, published or assumed")
    spec: dict[int, list[tuple[str, str]]] = {}
    for slot in schedule:
        for day in slot["days"]:
            spec.setdefault(int(day), []).append((str(slot["open"]), str(slot["close"])))
    calendar = WorkingCalendar(agency.timezone, parse_hours(spec), frozenset(closed))
    return calendar, not published
