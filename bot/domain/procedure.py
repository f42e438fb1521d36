"""The steps a complaint case goes through, from the agency's standard where it publishes a complaint procedure,
else a default recorded as *not from the standard*: the limits of SP4N-LAPOR! (verified within 3 working days,
followed up within 5 more). Each step's due time is computed on the agency's working calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.calendar import WorkingCalendar
from knowledge.durations import DurationError, parse_duration
from knowledge.model import Agency


@dataclass(frozen=True)
class Step:
    name: str
    actor: str | None = None
    minutes: int = 0  # working minutes the step may take
    working_days: int = 0  # or working days (due at closing time of the last one)


@dataclass(frozen=True)
class Procedure:
    steps: tuple[Step, ...]
    from_standard: bool
    source: str  # where the steps come from, said to officers

    def due_times(self, calendar: WorkingCalendar, start: datetime) -> list[datetime]:
        """When each step is due if the case starts at ``start`` and every step takes its full time."""
        due: list[datetime] = []
        moment = start
        for step in self.steps:
            if step.working_days:
                moment = calendar.add_working_days(moment, step.working_days)
            else:
                moment = calendar.add_working(moment, step.minutes)
            due.append(moment)
        return due


# SP4N-LAPOR!'s limits (Perpres 76/2013 and LAPOR!'s own rules), used where a standard gives no procedure.
DEFAULT = Procedure(
    steps=(
        Step("Pengaduan diterima"),
        Step("Diverifikasi", working_days=3),
        Step("Ditindaklanjuti", working_days=5),
        Step("Selesai"),
    ),
    from_standard=False,
    source=("bukan dari standar pelayanan: batas waktu SP4N-LAPOR! "
            "(verifikasi 3 hari kerja, tindak lanjut 5 hari kerja)"),
)


def procedure_for(agency: Agency) -> Procedure:
    """The complaint procedure the agency publishes (an SOP whose name says it handles complaints), or DEFAULT."""
    for service in agency.services:
        sop = service.sop
        if "pengaduan" not in str(sop.get("name", "")).lower() or not sop.get("steps"):
            continue
        steps = []
        for raw in sop["steps"]:
            minutes = 0
            try:
                minutes = parse_duration(str(raw.get("duration") or "")).total_minutes() or 0
            except DurationError:
                minutes = 0
            steps.append(Step(str(raw["activity"]), raw.get("actor"), minutes))
        return Procedure(tuple(steps), True, f"SOP {sop['name']}, {agency.short_name}")
    return DEFAULT
