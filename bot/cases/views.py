"""Cases as officers see them (the API and the CLI): times in the agency's local time with their offset, the
NIK masked, overdue steps flagged; and the queries behind the lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.cases import local as rules
from bot.cases.local import NONE, Local
from bot.cases.model import CaseStatus, due_of
from bot.db.models import Case, CaseEvent, CasePhoto, User
from bot.domain.phone import mask as mask_phone
from handlers import messages as m
from knowledge.model import KnowledgeBase

PAGE = 50


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    agency: str | None = None  # None: every agency the caller may see (``agencies``)
    step: int | None = None
    overdue: bool | None = None
    assignee: str | None = None  # a username, or "none" for unassigned
    text: str | None = None  # ticket or name
    page: int = 1
    per_page: int = PAGE


def _local(moment: datetime | None, zone: str) -> str | None:
    return moment.astimezone(ZoneInfo(zone)).isoformat() if moment is not None else None


def overdue(case: Case, now: datetime) -> bool:
    """An open case past its due time or its current step's (a case waiting for the citizen is paused)."""
    return case.status == CaseStatus.OPEN and (case.due_at < now or due_of(case.steps[case.step - 1]) < now)


def case_out(case: Case, kb: KnowledgeBase, now: datetime, assignee: str | None = None,
             local: Local = NONE) -> dict[str, Any]:
    agency = kb.agencies.get(case.agency)
    zone = agency.timezone if agency else "UTC"
    current = case.steps[case.step - 1]
    return {
        "ticket": case.ticket, "agency": case.agency, "status": case.status,
        "status_label": local.label(case.status),
        "step": {"index": case.step, "name": current["name"], "actor": current.get("actor"),
                 "due_at": _local(due_of(current), zone)},
        "steps_total": len(case.steps),
        "steps": [{"index": i, "name": s["name"], "actor": s.get("actor"), "due_at": _local(due_of(s), zone),
                   "done_at": _local(datetime.fromisoformat(s["done_at"]), zone) if s.get("done_at") else None}
                  for i, s in enumerate(case.steps, 1)],
        "procedure_source": case.procedure_source,
        "due_at": _local(case.due_at, zone), "overdue": overdue(case, now),
        "created_at": _local(case.created_at, zone), "updated_at": _local(case.updated_at, zone),
        "closed_at": _local(case.closed_at, zone), "version": case.version,
        "topic": case.topic, "topic_label": m.FORM_TOPICS.get(case.topic, case.topic), "service": case.service,
        "channel": case.channel, "name": case.name,
        "nik": case.nik_masked,  # the full NIK only through an audited reveal
        "kecamatan": case.kecamatan, "desa": case.desa, "description": case.description,
        "phone": mask_phone(case.phone) if case.phone else None, "priority": case.priority,
        "priority_note": case.priority_note, "assignee": assignee, "feedback": case.feedback,
    }


def listing(session: Session, kb: KnowledgeBase, filters: Filters, agencies: list[str],
            now: datetime) -> dict[str, Any]:
    query = select(Case, User.username).outerjoin(User, User.id == Case.assignee_id)
    query = query.where(Case.agency.in_([filters.agency] if filters.agency else agencies))
    if filters.status:
        query = query.where(Case.status == filters.status)
    if filters.step is not None:
        query = query.where(Case.step == filters.step)
    if filters.overdue:
        query = query.where(Case.status == CaseStatus.OPEN, Case.due_at < now)
    if filters.assignee == "none":
        query = query.where(Case.assignee_id.is_(None))
    elif filters.assignee:
        query = query.where(User.username == filters.assignee)
    if filters.text:
        needle = filters.text.strip()
        query = query.where(or_(Case.ticket == needle.upper(), Case.name.ilike(f"%{needle}%")))
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.execute(query.order_by(Case.id.desc()).offset((filters.page - 1) * filters.per_page)
                           .limit(filters.per_page)).all()
    local = rules.load(session)
    return {"items": [case_out(case, kb, now, username, local) for case, username in rows], "total": total,
            "page": filters.page, "per_page": filters.per_page}


def detail(session: Session, kb: KnowledgeBase, case: Case, now: datetime) -> dict[str, Any]:
    assignee = session.get(User, case.assignee_id).username if case.assignee_id else None  # type: ignore[union-attr]
    zone = kb.agencies[case.agency].timezone if case.agency in kb.agencies else "UTC"
    events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))
    photos = session.scalars(select(CasePhoto).where(CasePhoto.case_id == case.id).order_by(CasePhoto.id))
    return case_out(case, kb, now, assignee, rules.load(session)) | {
        "history": [{"at": _local(e.at, zone), "actor": e.actor, "action": e.action, "from_step": e.from_step,
                     "to_step": e.to_step, "status": e.status, "public_note": e.public_note,
                     "internal_note": e.internal_note} for e in events],
        "photos": [{"id": p.id, "item": p.item, "missing": p.missing, "received": p.media_id is not None,
                    "url": f"/api/cases/{case.ticket}/photos/{p.id}" if p.media_id else None} for p in photos],
    }
