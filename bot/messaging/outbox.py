"""The outbox: every outgoing message is a row; workers lease rows, send them, and record the outcome.

Delivery is at-least-once: only a row whose send the provider accepted just before a crash (lease expired,
row not yet marked) can go out twice. Rows of one contact go out in order. What providers report afterwards is
``bot.messaging.reports``; what failed, for operators, ``bot.messaging.dead_letters``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, aliased

from bot.db.models import Contact, Message, Outbox, utcnow
from bot.domain.subscriptions import may_receive
from bot.logs import safe_text
from bot.messaging.splitting import split_body
from bot.messaging.statuses import MARKETING_OPT_OUT_CODES, OPEN, OutboxStatus


def new_rows(*, contact_id: int, channel: str, body: str, limit: int | None = None, kind: str = "reply",
             choices: list[dict[str, str]] | None = None, template: str | None = None,
             template_variables: dict[str, str] | None = None, template_only: bool = False) -> list[dict[str, Any]]:
    """Column values of the rows for one message: a body over the channel's ``limit`` becomes several rows,
    with the buttons on the last."""
    parts = split_body(body, limit) if limit else [body]
    now = utcnow()
    return [{"contact_id": contact_id, "channel": channel, "kind": kind, "body": part,
             "choices": choices if n == len(parts) - 1 else None, "template": template,
             "template_variables": template_variables, "template_only": template_only,
             "status": OutboxStatus.PENDING, "attempts": 0,
             "next_attempt_at": now, "created_at": now, "updated_at": now}
            for n, part in enumerate(parts)]


def enqueue(session: Session, **message: Any) -> list[Outbox]:
    """Add the rows of one message (``new_rows``' arguments) in the caller's transaction."""
    rows = [Outbox(**values) for values in new_rows(**message)]
    session.add_all(rows)
    return rows


@dataclass(frozen=True)
class Job:
    """A leased row, detached from the session, with what the sender needs about the contact."""

    id: int
    contact_id: int
    channel: str
    kind: str
    body: str
    choices: list[dict[str, str]] | None
    template: str | None
    template_variables: dict[str, str] | None
    template_only: bool
    attempts: int
    external_id: str  # the contact on its channel: E.164 phone (WhatsApp) or chat id (Telegram)
    phone: str | None
    last_inbound_at: datetime | None
    lease_until: datetime | None = None  # the worker must have sent and marked it by then (else another may)


def claim(session: Session, *, worker: str, limit: int, lease_seconds: int, channels: list[str]) -> list[Job]:
    """Lease up to ``limit`` due rows of ``channels`` (the oldest open row of each contact only).

    Run it in a transaction of its own (``runtime.transact``): the lease holds once that commits. An
    announcement to a contact who may no longer receive it (opted out) is ``skipped`` here, never sent.
    """
    now = utcnow()
    lease = now + timedelta(seconds=lease_seconds)
    earlier = aliased(Outbox)
    # OFFSET 0 keeps PostgreSQL from turning this into an anti-join, which it plans as "compare with every
    # open row" while the table has no statistics yet (right after a large enqueue: ~0.3 ms per open row per
    # claim); as a subquery it is always one probe of ix_outbox_open_contact per candidate row.
    blocked = select(earlier.id).where(earlier.contact_id == Outbox.contact_id, earlier.id < Outbox.id,
                                       earlier.status.in_(OPEN)).offset(0).exists()
    query = (
        select(Outbox.id)
        .where(Outbox.status.in_(OPEN), Outbox.next_attempt_at <= now, Outbox.channel.in_(channels),
               or_(Outbox.lease_until.is_(None), Outbox.lease_until < now), ~blocked)
        .order_by(Outbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(session.scalars(query))
    if not ids:
        return []
    session.execute(
        update(Outbox).where(Outbox.id.in_(ids)).values(
            status=OutboxStatus.SENDING, lease_until=lease, leased_by=worker,
            attempts=Outbox.attempts + 1, updated_at=now)
    )
    rows = session.execute(
        select(Outbox, Contact).join(Contact, Contact.id == Outbox.contact_id).where(Outbox.id.in_(ids))
        .order_by(Outbox.id)
    ).all()
    refused = [o.id for o, c in rows if not may_receive(o.kind, subscribed=c.subscribed)]
    if refused:
        session.execute(update(Outbox).where(Outbox.id.in_(refused)).values(
            status=OutboxStatus.SKIPPED, lease_until=None, leased_by=None, attempts=Outbox.attempts - 1,
            error="the contact opted out of announcements"))
    return [
        Job(o.id, o.contact_id, o.channel, o.kind, o.body, o.choices, o.template, o.template_variables,
            o.template_only, o.attempts,
            c.external_id, c.phone, c.last_inbound_at, lease)
        for o, c in rows if o.id not in refused
    ]


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    if retry_after is not None:
        return timedelta(seconds=retry_after)
    base = min(300.0, 2.0 * 2 ** max(0, attempts - 1))
    return timedelta(seconds=base * random.uniform(0.8, 1.2))  # noqa: S311 - jitter, not security


def mark_retry(session: Session, *, job: Job, code: str | None, error: str, max_attempts: int,
               retry_after: float | None = None) -> str:
    """A transient failure: try again later, or dead-letter after ``max_attempts``. Returns the new status."""
    row = session.get(Outbox, job.id, with_for_update=True)
    if row is None:
        return "missing"
    row.error_code, row.error = code, safe_text(error)
    row.lease_until, row.leased_by = None, None
    if row.attempts >= max_attempts and retry_after is None:
        row.status = OutboxStatus.DEAD
    else:
        row.status = OutboxStatus.PENDING
        row.next_attempt_at = utcnow() + backoff(row.attempts, retry_after)
        if retry_after is not None:
            row.attempts -= 1  # the provider asked us to wait: not a failed attempt
    return row.status


def mark_dead(session: Session, *, job: Job, code: str | None, error: str,
              unreachable: bool = False) -> None:
    row = session.get(Outbox, job.id, with_for_update=True)
    if row is None:
        return
    row.status, row.error_code, row.error = OutboxStatus.DEAD, code, safe_text(error)
    row.lease_until, row.leased_by = None, None
    if job.kind == "announcement" and code in MARKETING_OPT_OUT_CODES:  # refused at send time: as a callback would
        session.execute(update(Contact).where(Contact.id == job.contact_id).values(
            subscribed=False, subscription_changed_at=utcnow(), subscription_source=f"whatsapp: {code}"))
    if unreachable:
        contact = session.get(Contact, job.contact_id)
        if contact:
            contact.unreachable, contact.unreachable_reason = True, f"{job.channel}: {code} {error}"[:120]


def mark_deferred(session: Session, *, job: Job, until: datetime) -> None:
    """Not sent yet for our own pacing (per-chat rate): back to pending, the attempt not counted."""
    session.execute(update(Outbox).where(Outbox.id == job.id).values(
        status=OutboxStatus.PENDING, next_attempt_at=until, lease_until=None, leased_by=None,
        attempts=Outbox.attempts - 1))


@dataclass(frozen=True)
class Pulled:
    """Replies taken by a client that fetches its own (the simulator page), with what the bot understood."""

    rows: list[Outbox]
    agency: str | None
    intent: str | None
    service: str | None
    aspect: str | None


def take_replies(session: Session, *, channel: str, external_id: str) -> Pulled:
    """The contact's waiting messages on a channel without a sender, oldest first, now ``delivered``."""
    contact = session.scalar(select(Contact).where(Contact.channel == channel, Contact.external_id == external_id))
    if contact is None:
        return Pulled([], None, None, None, None)
    rows = list(session.scalars(select(Outbox).where(Outbox.contact_id == contact.id,
                                                     Outbox.status == OutboxStatus.PENDING).order_by(Outbox.id)))
    now = utcnow()
    for row in rows:
        row.status, row.sent_at, row.updated_at = OutboxStatus.DELIVERED, now, now
    last = session.scalar(select(Message).where(Message.contact_id == contact.id, Message.direction == "out")
                          .order_by(Message.id.desc()).limit(1))
    return Pulled(rows, contact.agency, last.intent if last else None, last.service if last else None,
                  last.aspect if last else None)
