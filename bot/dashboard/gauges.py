"""What the database says about the deployment right now, for ``GET /metrics``: outbox rows by state and the
age of the oldest still open, dead letters, deliveries waiting, cases by agency, state and step, SLA breaches,
workers' heartbeats. Read at scrape time, so every process answers the same whichever one is asked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.cases.model import CaseStatus, due_of
from bot.db.models import Case, Inbound, Media, Outbox, WorkerHeartbeat

OPEN_OUTBOX = ("pending", "sending")


@dataclass
class Snapshot:
    outbox: dict[str, int] = field(default_factory=dict)  # rows per status
    outbox_oldest_open: float = 0.0  # seconds since the oldest pending/sending row was queued (0: none)
    dead_letters: dict[str, int] = field(default_factory=dict)  # outbox (dead), inbound (failed), media (failed)
    inbound_waiting: int = 0
    inbound_oldest_waiting: float = 0.0
    media_pending: int = 0
    cases: dict[tuple[str, str, int], int] = field(default_factory=dict)  # (agency, status, step) -> count
    sla_breaches: dict[str, int] = field(default_factory=dict)  # agency -> open cases past a due time
    heartbeat_age: float | None = None  # seconds since the youngest worker heartbeat (None: never)
    workers_alive: int = 0  # heartbeats within ``alive`` seconds


def _age(now: datetime, then: datetime | None) -> float:
    return max(0.0, (now - then).total_seconds()) if then is not None else 0.0


def snapshot(session: Session, now: datetime, *, alive: float = 60.0) -> Snapshot:
    found = Snapshot()
    found.outbox = {status: n for status, n in session.execute(
        select(Outbox.status, func.count()).group_by(Outbox.status))}
    found.outbox_oldest_open = _age(now, session.scalar(
        select(func.min(Outbox.created_at)).where(Outbox.status.in_(OPEN_OUTBOX))))
    found.inbound_waiting = session.scalar(select(func.count()).where(Inbound.status == "received")) or 0
    found.inbound_oldest_waiting = _age(now, session.scalar(
        select(func.min(Inbound.received_at)).where(Inbound.status == "received")))
    found.media_pending = session.scalar(select(func.count()).where(Media.status == "pending")) or 0
    found.dead_letters = {
        "outbox": found.outbox.get("dead", 0),
        "inbound": session.scalar(select(func.count()).where(Inbound.status == "failed")) or 0,
        "media": session.scalar(select(func.count()).where(Media.status == "failed")) or 0,
    }
    found.cases = {(agency, status, step): n for agency, status, step, n in session.execute(
        select(Case.agency, Case.status, Case.step, func.count()).group_by(Case.agency, Case.status, Case.step))}
    for agency, due_at, step, steps in session.execute(
            select(Case.agency, Case.due_at, Case.step, Case.steps).where(Case.status == CaseStatus.OPEN)):
        if due_at < now or due_of(steps[step - 1]) < now:  # as the officers' lists flag it (cases.views.overdue)
            found.sla_breaches[agency] = found.sla_breaches.get(agency, 0) + 1
    beats = list(session.scalars(select(WorkerHeartbeat.beat_at)))
    if beats:
        found.heartbeat_age = _age(now, max(beats))
        found.workers_alive = sum(_age(now, beat) <= alive for beat in beats)
    return found
