"""What failed, for operators: outgoing messages dead-lettered or refused, and deliveries that could not be
answered; listing them and putting one back (`dinsos-bot outbox|inbound list --failed`, `retry`, the API)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import Inbound, Outbox, utcnow
from bot.errors import Conflict, NotFound
from bot.messaging.statuses import FAILED_VIEW, InboundStatus, OutboxStatus


def retry_message(session: Session, *, outbox_id: int) -> Outbox:
    """Put a dead or failed row back in the queue (an operator's decision)."""
    row = session.get(Outbox, outbox_id, with_for_update=True)
    if row is None:
        raise NotFound(f"outbox row {outbox_id} does not exist")
    if row.status not in FAILED_VIEW:
        raise Conflict(f"outbox row {outbox_id} is {row.status}, not failed: nothing to retry")
    row.status, row.attempts, row.next_attempt_at = OutboxStatus.PENDING, 0, utcnow()
    row.lease_until = row.leased_by = None
    return row


def messages(session: Session, *, failed_only: bool = False, limit: int = 100) -> list[Outbox]:
    query = select(Outbox).order_by(Outbox.id.desc()).limit(limit)
    if failed_only:
        query = query.where(Outbox.status.in_(FAILED_VIEW))
    return list(session.scalars(query))


def message_counts(session: Session) -> dict[str, Any]:
    rows = session.execute(select(Outbox.status, func.count()).group_by(Outbox.status))
    return {status: n for status, n in rows.all()}


def deliveries(session: Session, *, failed_only: bool = False, limit: int = 100) -> list[Inbound]:
    query = select(Inbound).order_by(Inbound.id.desc()).limit(limit)
    if failed_only:
        query = query.where(Inbound.status == InboundStatus.FAILED)
    return list(session.scalars(query))


def retry_delivery(session: Session, *, inbound_id: int) -> Inbound:
    """A failed delivery back to ``received``: the processor answers it as if it had just arrived."""
    row = session.get(Inbound, inbound_id, with_for_update=True)
    if row is None:
        raise NotFound(f"delivery {inbound_id} does not exist")
    if row.status != InboundStatus.FAILED:
        raise Conflict(f"delivery {inbound_id} is {row.status}, not failed: nothing to retry")
    row.status, row.attempts, row.error = InboundStatus.RECEIVED, 0, None
    return row
