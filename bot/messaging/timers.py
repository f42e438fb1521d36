"""What happens with time, run by the worker every minute (and `dinsos-bot retention purge`): a pengaduan form
left half-way gets one reminder after an hour and is forgotten after 24 hours; a resolved case nobody answered
"sudah selesai?" for is closed after 10 working days; the NIK and photos of cases closed longer than
RETENTION_DAYS are deleted. Each step locks the rows it changes (SKIP LOCKED), so several workers never do one
twice, and counts what it did in the audit log."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.cases import local as rules
from bot.cases.model import CaseStatus
from bot.db.models import AuditEntry, Case, CaseEvent, CasePhoto, Contact, ConversationStateRow, Media
from bot.messaging import outbox
from handlers import messages
from handlers.types import ConversationState
from knowledge.model import KnowledgeBase

log = logging.getLogger(__name__)
REMIND_AFTER = timedelta(hours=1)
FORGET_AFTER = timedelta(hours=24)
FEEDBACK_DAYS = 10  # working days to answer "sudah selesai?"
CHUNK = 200


@dataclass
class Done:
    reminded: int = 0
    forgotten: int = 0
    closed: int = 0
    purged: int = 0
    photos: int = 0


def forms(session: Session, now: datetime) -> Done:
    done = Done()
    due = session.scalars(
        select(ConversationStateRow).where(ConversationStateRow.form_at < now - REMIND_AFTER,
                                           ConversationStateRow.form_at > now - FORGET_AFTER,
                                           ConversationStateRow.form_reminded.is_(False))
        .limit(CHUNK).with_for_update(skip_locked=True))
    for row in due:
        contact = session.get(Contact, row.contact_id)
        if contact is not None:
            outbox.enqueue(session, contact_id=contact.id, channel=contact.channel, body=messages.FORM_REMINDER,
                           kind="notification")
            done.reminded += 1
        row.form_reminded = True
    stale = session.scalars(select(ConversationStateRow).where(ConversationStateRow.form_at <= now - FORGET_AFTER)
                            .limit(CHUNK).with_for_update(skip_locked=True))
    for row in stale:
        state = ConversationState.from_dict(row.state)
        state.form = None  # what the form collected (the NIK sealed in it too) is gone
        row.state, row.form_at = state.to_dict(), None
        done.forgotten += 1
    if done.forgotten:
        session.add(AuditEntry(actor="sistem", action="retention.forms", object_type="form", object_id=None,
                               detail={"forgotten": done.forgotten}))
    return done


def unanswered(session: Session, now: datetime, kb: KnowledgeBase) -> int:
    """Resolved cases whose citizen never answered "sudah selesai?" within 10 working days: closed as such."""
    closed = 0
    local = rules.load(session)
    rows = session.scalars(select(Case).where(Case.status == CaseStatus.RESOLVED, Case.feedback.is_(None),
                                              Case.closed_at < now - timedelta(days=FEEDBACK_DAYS))
                           .limit(CHUNK).with_for_update(skip_locked=True))
    for case in rows:
        agency = kb.agencies.get(case.agency)
        if agency is None or case.closed_at is None:
            continue
        if local.calendar(agency).add_working_days(case.closed_at, FEEDBACK_DAYS) > now:
            continue
        case.feedback = "no-answer"
        session.add(CaseEvent(case_id=case.id, at=now, actor="sistem", action="closed", from_step=case.step,
                              to_step=case.step, status=case.status,
                              internal_note=f"Tidak ada jawaban 'sudah selesai?' dalam {FEEDBACK_DAYS} hari kerja."))
        closed += 1
    return closed


def purge(session: Session, now: datetime, days: int, media_dir: Path) -> Done:
    """The NIK and the photos of cases closed more than ``days`` ago are deleted (UU 27/2022): the case, its
    history and its anonymous facts stay for the office's statistics."""
    done = Done()
    rows = session.scalars(select(Case).where(Case.closed_at < now - timedelta(days=days), Case.purged_at.is_(None))
                           .limit(CHUNK).with_for_update(skip_locked=True))
    for case in rows:
        case.nik_sealed = case.nik_hash = case.nik_masked = None
        case.purged_at = now
        for photo in session.scalars(select(CasePhoto).where(CasePhoto.case_id == case.id)):
            media = session.get(Media, photo.media_id) if photo.media_id else None
            photo.media_id, photo.source = None, None
            if media is not None and media.sha256:
                digest = media.sha256
                media.sha256, media.status = None, "purged"
                session.flush()
                if not session.scalar(select(func.count(Media.id)).where(Media.sha256 == digest)):
                    (media_dir / digest[:2] / digest).unlink(missing_ok=True)
                done.photos += 1
        done.purged += 1
    if done.purged:
        session.add(AuditEntry(actor="sistem", action="retention.purge", object_type="case", object_id=None,
                               detail={"cases": done.purged, "photos": done.photos, "days": days}))
    return done
