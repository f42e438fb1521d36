"""What an admin sets for this deployment on top of the standards: local holidays per agency (the office is
closed, no case's clock runs), the wording of the status types, and the schedules announced by broadcast (the
bot answers with them until they end). Read once per transaction that needs it
(two small queries) and passed down, so a case's due times and its notices use the same rules."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Broadcast, LocalHoliday, StatusLabel, utcnow
from bot.domain.calendar import WorkingCalendar, calendar_for
from handlers import messages as m
from handlers.types import Announcement
from knowledge.model import Agency

ANNOUNCED = ("sending", "paused", "done")  # a schedule counts once its broadcast went out


@dataclass(frozen=True)
class Local:
    labels: Mapping[str, str] = field(default_factory=dict)  # status type -> the admin's label
    closed: Mapping[str, frozenset[date]] = field(default_factory=dict)  # agency slug -> local holidays
    schedules: Mapping[str, tuple[Announcement, ...]] = field(default_factory=dict)  # agency -> announced, newest first

    def label(self, status: str) -> str:
        return self.labels.get(status) or m.CASE_STATUS_LABELS.get(status, status)

    def calendar(self, agency: Agency) -> WorkingCalendar:
        return calendar_for(agency, self.closed.get(agency.slug, frozenset()))[0]


NONE = Local()


def load(session: Session, *, schedules: bool = False) -> Local:
    """The rules; ``schedules``: also the announced schedules (only the conversation engine's copy needs them)."""
    labels = dict(session.execute(select(StatusLabel.status, StatusLabel.label)).all())
    closed: dict[str, set[date]] = {}
    for agency, day in session.execute(select(LocalHoliday.agency, LocalHoliday.day)):
        closed.setdefault(agency, set()).add(day)
    return Local(labels, {slug: frozenset(days) for slug, days in closed.items()},
                 _announced(session) if schedules else {})


def _announced(session: Session) -> dict[str, tuple[Announcement, ...]]:
    """Schedules announced by broadcast and not ended (a day's margin: the engine compares local days)."""
    found: dict[str, list[Announcement]] = {}
    running = select(Broadcast).where(Broadcast.schedule_what.isnot(None), Broadcast.status.in_(ANNOUNCED),
                                      Broadcast.schedule_until >= (utcnow() - timedelta(days=1)).date())
    for b in session.scalars(running.order_by(Broadcast.id.desc())):
        if b.schedule_what and b.schedule_until:
            found.setdefault(b.agency, []).append(Announcement(b.schedule_what, b.schedule_where, b.text,
                                                               b.schedule_until))
    return {slug: tuple(items) for slug, items in found.items()}


class Cached:
    """The rules as last read, for what cannot read the database itself (the conversation engine tells the
    expected completion date before the case exists); refreshed by the inbound batches when older than
    ``TTL`` seconds, so an admin's change reaches every process within that."""

    TTL = 30.0

    def __init__(self) -> None:
        self.rules = NONE
        self._read_at = -self.TTL

    def closed(self, agency: str) -> frozenset[date]:
        return self.rules.closed.get(agency, frozenset())

    def schedules(self, agency: str) -> tuple[Announcement, ...]:
        return self.rules.schedules.get(agency, ())

    def refresh(self, session: Session) -> None:
        if time.monotonic() - self._read_at >= self.TTL:
            self.rules, self._read_at = load(session, schedules=True), time.monotonic()

    def invalidate(self) -> None:
        """Read again at the next refresh (this process changed them)."""
        self._read_at = -self.TTL
