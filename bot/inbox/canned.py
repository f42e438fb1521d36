"""Canned replies: ready answers officers insert by typing ``/shortcut`` in the reply box. Admins manage every
agency's (and the shared ones, agency None); supervisors their own agency's. Stored as typed (autoescaped
wherever shown)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import CannedReply

SHORTCUT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,29}$")
MAX_TEXT = 1500


class CannedError(Exception):
    pass


def visible(session: Session, agencies: list[str] | None) -> list[CannedReply]:
    """The shared ones and ``agencies``' own (None: every one)."""
    query = select(CannedReply).order_by(CannedReply.shortcut, CannedReply.agency)
    if agencies is not None:
        query = query.where(or_(CannedReply.agency.is_(None), CannedReply.agency.in_(agencies)))
    return list(session.scalars(query))


def add(session: Session, *, agency: str | None, shortcut: str, text: str, author: str, now: datetime) -> CannedReply:
    shortcut = shortcut.strip().lstrip("/").lower()
    text = text.strip()
    if not SHORTCUT.match(shortcut):
        raise CannedError("a shortcut is 1-30 lower-case letters, digits, '-' or '_'")
    if not text or len(text) > MAX_TEXT:
        raise CannedError(f"the text is 1-{MAX_TEXT} characters")
    existing = session.scalar(select(CannedReply).where(
        CannedReply.shortcut == shortcut,
        CannedReply.agency.is_(None) if agency is None else CannedReply.agency == agency))
    if existing is not None:
        raise CannedError(f"/{shortcut} already exists")
    reply = CannedReply(agency=agency, shortcut=shortcut, text=text, author=author, updated_at=now)
    session.add(reply)
    try:
        session.flush()
    except IntegrityError:  # the same shortcut added at the same moment
        raise CannedError(f"/{shortcut} already exists") from None
    return reply
