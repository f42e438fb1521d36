"""Complaint procedures from the standards, and their due times on the working calendar."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.calendar import WorkingCalendar, parse_hours
from bot.domain.procedure import DEFAULT, procedure_for
from knowledge.model import KnowledgeBase

WITA = ZoneInfo("Asia/Makassar")
CALENDAR = WorkingCalendar("Asia/Makassar", parse_hours(
    {d: [("08:00", "16:30")] for d in range(4)} | {4: [("08:00", "11:30")]}))


def test_tarakan_publishes_six_timed_steps() -> None:
    tarakan = KnowledgeBase.load().agencies["tarakan"]
    procedure = procedure_for(tarakan)
    assert procedure.from_standard and "Pengaduan" in procedure.source
    assert [s.minutes for s in procedure.steps] == [10, 10, 10, 5, 5, 5]
    assert procedure.steps[0].actor == "Pemohon (KPM)" and procedure.steps[2].actor == "Analis"
    # Received Friday 27 November 2026 at 11.20 WITA: 10 minutes fit on Friday, the rest on Monday.
    due = procedure.due_times(CALENDAR, datetime(2026, 11, 27, 11, 20, tzinfo=WITA))
    assert due[0] == datetime(2026, 11, 27, 11, 30, tzinfo=WITA)
    assert due[-1] == datetime(2026, 11, 30, 8, 35, tzinfo=WITA)


def test_agencies_without_a_complaint_procedure_get_the_default_marked_as_such() -> None:
    kb = KnowledgeBase.load()
    for slug in ("sragen", "magetan", "tanah-laut"):
        procedure = procedure_for(kb.agencies[slug])
        assert procedure is DEFAULT and not procedure.from_standard and "bukan dari standar" in procedure.source
    due = DEFAULT.due_times(CALENDAR, datetime(2026, 11, 27, 10, 0, tzinfo=WITA))
    # Verified within 3 working days (Mon 30 Nov - Wed 2 Dec), followed up within 5 more (to Wed 9 Dec).
    assert due[1] == datetime(2026, 12, 2, 16, 30, tzinfo=WITA) and due[2] == datetime(2026, 12, 9, 16, 30, tzinfo=WITA)
