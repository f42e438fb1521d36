"""Stored deliveries for operators: the ones that failed, and putting one back to be answered again.

Like the outbox's dead letters: a delivery that could not be answered after every attempt stays visible
(`dinsos-bot inbound list --failed`, `GET /api/inbound?failed=true`) until an operator retries it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Inbound
from bot.errors import Conflict, NotFound


def listing(session: Session, *, failed_only: bool = False, limit: int = 100) -> list[Inbound]:
    query = select(Inbound).order_by(Inbound.id.desc()).limit(limit)
    if failed_only:
        query = query.where(Inbound.status == "failed")
    return list(session.scalars(query))


def retry(session: Session, *, inbound_id: int) -> Inbound:
    """A failed delivery back to ``received``: the processor answers it as if it had just arrived."""
    row = session.get(Inbound, inbound_id, with_for_update=True)
    if row is None:
        raise NotFound(f"delivery {inbound_id} does not exist")
    if row.status != "failed":
        raise Conflict(f"delivery {inbound_id} is {row.status}, not failed: nothing to retry")
    row.status, row.attempts, row.error = "received", 0, None
    return row
