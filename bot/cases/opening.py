"""Opening a case from the chat form's ``OpenCase``: one case per complaint, never a duplicate of an open one."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cases import local as rules
from bot.cases.model import CaseStatus
from bot.db.models import Case, CaseEvent, CasePhoto, Media
from bot.domain.nik import mask
from bot.domain.procedure import procedure_for
from bot.domain.protect import Protector
from bot.domain.tickets import agency_code, new_ticket
from handlers.effects import OpenCase
from knowledge.model import KnowledgeBase


@dataclass(frozen=True)
class Opened:
    ticket: str  # the new case's, or the open case's the citizen already has
    duplicate: bool
    case: Case | None


def nik_of(protector: Protector, sealed: str) -> str:
    return protector.decrypt(base64.b64decode(sealed), "nik").decode()


def open_case(session: Session, draft: OpenCase, *, contact_id: int, channel: str, kb: KnowledgeBase,
              protector: Protector) -> Opened:
    """Open the case in the caller's transaction; the same NIK with an open case of the same kind gets that
    case's ticket instead (``duplicate``)."""
    agency = kb.agencies[draft.agency]
    clear, key = protector.opened(base64.b64decode(draft.nik_sealed), "nik")
    nik = clear.decode()
    nik_hash = protector.lookup(nik, "nik")
    # A form begun before DATA_KEY got a newer key: its NIK is sealed again, so the case is under the newest.
    sealed = draft.nik_sealed if key == 0 else base64.b64encode(protector.encrypt(clear, "nik")).decode()
    # While DATA_KEY is being rotated, an older case's hash may still be under an older key: look for every one.
    existing = session.scalar(
        select(Case.ticket).where(Case.nik_hash.in_(protector.lookups(nik, "nik")), Case.topic == draft.topic,
                                  Case.agency == draft.agency,
                                  Case.status.in_((CaseStatus.OPEN, CaseStatus.WAITING))).limit(1))
    if existing is not None:
        return Opened(existing, True, None)
    ticket = draft.ticket
    while session.scalar(select(Case.id).where(Case.ticket == ticket)) is not None:  # one chance in a billion
        ticket = new_ticket(agency_code(agency.slug))
    procedure = procedure_for(agency)
    calendar = rules.load(session).calendar(agency)
    due = procedure.due_times(calendar, draft.opened_at)
    steps = [{"name": s.name, "actor": s.actor, "minutes": s.minutes, "working_days": s.working_days,
              "due_at": d.isoformat(), "done_at": None} for s, d in zip(procedure.steps, due, strict=True)]
    case = Case(ticket=ticket, agency=agency.slug, contact_id=contact_id, channel=channel, topic=draft.topic,
                service=draft.service, status=CaseStatus.OPEN, step=1, steps=steps,
                procedure_source=procedure.source[:200], due_at=due[-1], name=draft.name,
                nik_sealed=sealed, nik_hash=nik_hash, nik_masked=mask(nik), kecamatan=draft.kecamatan,
                desa=draft.desa, description=draft.description, phone=draft.phone, created_at=draft.opened_at,
                updated_at=draft.opened_at)
    session.add(case)
    session.flush()
    session.add(CaseEvent(case_id=case.id, at=draft.opened_at, actor="warga", action="opened", to_step=1,
                          status=CaseStatus.OPEN))
    for photo in draft.photos:
        media_id = None
        if photo.source:
            media_id = session.scalar(select(Media.id).where(Media.contact_id == contact_id,
                                                             Media.source == photo.source)
                                      .order_by(Media.id.desc()).limit(1))
        session.add(CasePhoto(case_id=case.id, item=photo.item, source=photo.source, media_id=media_id,
                              missing=photo.source is None, created_at=draft.opened_at))
    return Opened(ticket, False, case)
