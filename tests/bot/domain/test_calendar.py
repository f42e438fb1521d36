"""The working calendar: worked examples an officer can check by hand, and properties that hold for any start."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.calendar import WorkingCalendar, indonesian_holidays, parse_hours

WITA, WIB = ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jakarta")
# Dinsos Tanah Laut's published hours: Monday-Thursday 08.00-16.30, Friday 08.00-11.30 WITA.
TANAH_LAUT = WorkingCalendar("Asia/Makassar", parse_hours(
    {d: [("08:00", "16:30")] for d in range(4)} | {4: [("08:00", "11:30")]}))
# The same hours in WIB (an office in Java), and one with a lunch break.
JAVA = WorkingCalendar("Asia/Jakarta", TANAH_LAUT.hours)
LUNCH = WorkingCalendar("Asia/Jakarta", parse_hours({d: [("08:00", "12:00"), ("13:00", "16:00")] for d in range(5)}))


def wita(*args: int) -> datetime:
    return datetime(*args, tzinfo=WITA)


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


@pytest.mark.parametrize(("calendar", "start", "minutes", "due"), [
    # Friday 27 November 2026, 11.20 WITA, 30 minutes of work: 10 on Friday, 20 on Monday morning.
    (TANAH_LAUT, wita(2026, 11, 27, 11, 20), 30, wita(2026, 11, 30, 8, 20)),
    # Within one day.
    (TANAH_LAUT, wita(2026, 11, 30, 9, 0), 90, wita(2026, 11, 30, 10, 30)),
    # Received at night: the clock starts at the next opening.
    (TANAH_LAUT, wita(2026, 11, 30, 22, 15), 10, wita(2026, 12, 1, 8, 10)),
    # Ending exactly at closing time stays at closing time.
    (TANAH_LAUT, wita(2026, 11, 27, 11, 0), 30, wita(2026, 11, 27, 11, 30)),
    # Tuesday 17 March 2026, the last working day before Nyepi (18-19 March, cuti bersama and holiday) and
    # Idul Fitri (20-24 March, with cuti bersama): 30 minutes left on Tuesday, the rest on Wednesday 25 March.
    (TANAH_LAUT, wita(2026, 3, 17, 16, 0), 60, wita(2026, 3, 25, 8, 30)),
    # Across Christmas: Thursday 24 December 2026 is cuti bersama, 25 December a holiday.
    (TANAH_LAUT, wita(2026, 12, 23, 16, 20), 20, wita(2026, 12, 28, 8, 10)),
    # A lunch break is not working time.
    (LUNCH, wib(2026, 12, 1, 11, 30), 60, wib(2026, 12, 1, 13, 30)),
    # Zero minutes: the start itself when open, else the next opening.
    (TANAH_LAUT, wita(2026, 11, 30, 9, 0), 0, wita(2026, 11, 30, 9, 0)),
    (TANAH_LAUT, wita(2026, 11, 28, 9, 0), 0, wita(2026, 11, 30, 8, 0)),
])
def test_worked_examples(calendar: WorkingCalendar, start: datetime, minutes: int, due: datetime) -> None:
    result = calendar.add_working(start, minutes)
    assert result == due and result.tzinfo == UTC


def test_the_same_instant_is_open_in_wita_and_not_yet_in_wib() -> None:
    instant = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)  # 07.30 WIB, 08.30 WITA
    assert TANAH_LAUT.within_hours(instant) and not JAVA.within_hours(instant)
    assert TANAH_LAUT.add_working(instant, 60) == wita(2026, 11, 30, 9, 30)
    assert JAVA.add_working(instant, 60) == wib(2026, 11, 30, 9, 0)


def test_working_days_end_at_closing_time_of_the_last_one() -> None:
    # Received Friday 27 November 2026: 3 working days are Monday, Tuesday, Wednesday; due Wednesday 16.30.
    assert TANAH_LAUT.add_working_days(wita(2026, 11, 27, 10, 0), 3) == wita(2026, 12, 2, 16, 30)
    # Ending on a Friday ends at Friday's closing time.
    assert TANAH_LAUT.add_working_days(wita(2026, 12, 1, 10, 0), 3) == wita(2026, 12, 4, 11, 30)
    # Cuti bersama is not a working day: received 22 December, 3 working days are 23, 28 and 29 December.
    assert TANAH_LAUT.add_working_days(wita(2026, 12, 22, 9, 0), 3) == wita(2026, 12, 29, 16, 30)


def test_cuti_bersama_and_local_closures_are_holidays() -> None:
    assert date(2026, 12, 24) in indonesian_holidays(2026)  # cuti bersama Natal ("government" category)
    assert not TANAH_LAUT.is_working_day(date(2026, 12, 24))
    local = WorkingCalendar("Asia/Makassar", TANAH_LAUT.hours, closed=frozenset({date(2026, 12, 1)}))
    assert local.add_working(wita(2026, 11, 30, 16, 20), 20) == wita(2026, 12, 2, 8, 10)


def test_waiting_for_the_citizen_pauses_the_clock() -> None:
    start, end = wita(2026, 11, 30, 8, 0), wita(2026, 12, 1, 16, 30)  # two full days: 1,020 minutes
    assert TANAH_LAUT.working_minutes(start, end) == 1020
    pauses = [(wita(2026, 11, 30, 12, 0), wita(2026, 11, 30, 14, 0)), (wita(2026, 11, 30, 13, 0),
                                                                       wita(2026, 11, 30, 15, 0))]
    assert TANAH_LAUT.working_minutes(start, end, pauses) == 1020 - 180  # overlapping pauses count once
    assert TANAH_LAUT.working_minutes(end, start) == 0


@pytest.mark.parametrize("bad", [
    lambda: parse_hours({7: [("08:00", "16:00")]}),
    lambda: parse_hours({0: [("16:00", "08:00")]}),
    lambda: parse_hours({0: [("08:00", "12:00"), ("11:00", "13:00")]}),
    lambda: TANAH_LAUT.add_working(datetime(2026, 11, 30, 9, 0), 10),  # naive: no time zone
    lambda: TANAH_LAUT.add_working(wita(2026, 11, 30, 9, 0), -1),
    lambda: TANAH_LAUT.add_working_days(wita(2026, 11, 30, 9, 0), 0),
    lambda: WorkingCalendar("Asia/Makassar", {}).add_working(wita(2026, 11, 30, 9, 0), 10),  # never open
])
def test_bad_calendars_and_arguments_are_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        bad()  # type: ignore[operator]


starts = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC))
amounts = st.integers(min_value=1, max_value=5 * 510)


@settings(max_examples=200, deadline=None)
@given(start=starts, minutes=amounts, calendar=st.sampled_from([TANAH_LAUT, JAVA, LUNCH]))
def test_a_due_time_is_never_inside_closed_hours(start: datetime, minutes: int, calendar: WorkingCalendar) -> None:
    assert calendar.within_hours(calendar.add_working(start, minutes))


@settings(max_examples=200, deadline=None)
@given(a=starts, b=starts, minutes=amounts)
def test_a_later_start_is_never_due_earlier(a: datetime, b: datetime, minutes: int) -> None:
    first, second = sorted([a, b])
    assert TANAH_LAUT.add_working(first, minutes) <= TANAH_LAUT.add_working(second, minutes)


@settings(max_examples=200, deadline=None)
@given(start=starts, minutes=amounts, more=amounts)
def test_working_time_adds_up(start: datetime, minutes: int, more: int) -> None:
    due = LUNCH.add_working(start, minutes)
    assert LUNCH.working_minutes(start, due) == pytest.approx(minutes)
    assert LUNCH.add_working(due, more) == LUNCH.add_working(start, minutes + more)
    assert due - start >= timedelta(minutes=minutes)


def test_each_agency_has_a_calendar_published_or_marked_assumed() -> None:
    from bot.domain.calendar import calendar_for
    from knowledge.model import KnowledgeBase

    kb = KnowledgeBase.load()
    tanah_laut, assumed = calendar_for(kb.agencies["tanah-laut"])
    assert not assumed and tanah_laut.hours == TANAH_LAUT.hours and tanah_laut.timezone == "Asia/Makassar"
    for slug, zone in (("tarakan", "Asia/Makassar"), ("sragen", "Asia/Jakarta"), ("magetan", "Asia/Jakarta")):
        calendar, assumed = calendar_for(kb.agencies[slug], closed=[date(2026, 12, 2)])
        assert assumed and calendar.timezone == zone and not calendar.is_working_day(date(2026, 12, 2))
        assert calendar.is_working_day(date(2026, 12, 3)) and not calendar.is_working_day(date(2026, 12, 5))
