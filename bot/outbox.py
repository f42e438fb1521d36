"""The outbox: every outgoing message is a row; workers lease rows, send them, and record the outcome.

Delivery is at-least-once: only a row whose send the provider accepted just before a crash (lease expired,
row not yet marked) can go out twice. Rows of one contact go out in order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, aliased

from bot.db.models import Contact, Outbox, ProviderStatus, utcnow
from bot.db.session import insert_for
from bot.errors import Conflict, NotFound
from bot.logs import safe_text
from bot.splitting import split_body

# Provider statuses in the order a message moves through them; a status never goes back.
RANK = {"pending": 0, "sending": 1, "accepted": 2, "queued": 2, "scheduled": 2, "sent": 4,
        "delivered": 5, "read": 6}
FINAL = {"failed", "undelivered", "dead", "canceled", "skipped"}
OPEN = ("pending", "sending")
FAILED_VIEW = ("dead", "failed", "undelivered", "canceled")
LIMITS = {"whatsapp": 1600, "telegram": 4096}
WINDOW_CLOSED_CODE = "63016"  # Twilio: outside the WhatsApp 24-hour window


def new_rows(*, contact_id: int, channel: str, body: str, kind: str = "reply",
             choices: list[dict[str, str]] | None = None, template: str | None = None,
             template_variables: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Column values of the rows for one message: long bodies become several rows, buttons on the last."""
    parts = split_body(body, LIMITS.get(channel, 4096))
    now = utcnow()
    return [{"contact_id": contact_id, "channel": channel, "kind": kind, "body": part,
             "choices": choices if n == len(parts) - 1 else None, "template": template,
             "template_variables": template_variables, "status": "pending", "attempts": 0,
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
    attempts: int
    address: str  # E.164 phone (WhatsApp) or chat id (Telegram)
    last_inbound_at: datetime | None


def claim(session: Session, *, worker: str, limit: int, lease_seconds: int,
          channels: list[str] | None = None) -> list[Job]:
    """Lease up to ``limit`` due rows (the oldest open row of each contact only).

    Run it in a transaction of its own (``runtime.transact``): the lease holds once that commits.
    """
    now = utcnow()
    earlier = aliased(Outbox)
    # OFFSET 0 keeps PostgreSQL from turning this into an anti-join, which it plans as "compare with every
    # open row" while the table has no statistics yet (right after a large enqueue: ~0.3 ms per open row per
    # claim); as a subquery it is always one probe of ix_outbox_open_contact per candidate row.
    blocked = select(earlier.id).where(earlier.contact_id == Outbox.contact_id, earlier.id < Outbox.id,
                                       earlier.status.in_(OPEN)).offset(0).exists()
    query = (
        select(Outbox.id)
        .where(Outbox.status.in_(OPEN), Outbox.next_attempt_at <= now,
               or_(Outbox.lease_until.is_(None), Outbox.lease_until < now), ~blocked)
        .order_by(Outbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if channels:
        query = query.where(Outbox.channel.in_(channels))
    ids = list(session.scalars(query))
    if not ids:
        return []
    session.execute(
        update(Outbox).where(Outbox.id.in_(ids)).values(
            status="sending", lease_until=now + timedelta(seconds=lease_seconds), leased_by=worker,
            attempts=Outbox.attempts + 1, updated_at=now)
    )
    rows = session.execute(
        select(Outbox, Contact).join(Contact, Contact.id == Outbox.contact_id).where(Outbox.id.in_(ids))
        .order_by(Outbox.id)
    ).all()
    opted_out = [o.id for o, c in rows if o.kind == "announcement" and not c.subscribed]
    if opted_out:  # an announcement queued before the citizen said BERHENTI is never sent
        session.execute(update(Outbox).where(Outbox.id.in_(opted_out)).values(
            status="skipped", lease_until=None, leased_by=None, attempts=Outbox.attempts - 1,
            error="the contact opted out of announcements"))
    return [
        Job(o.id, o.contact_id, o.channel, o.kind, o.body, o.choices, o.template, o.template_variables, o.attempts,
            (c.phone or c.external_id) if o.channel == "whatsapp" else c.external_id, c.last_inbound_at)
        for o, c in rows if o.id not in opted_out
    ]


def merge_status(current: str, new: str) -> str:
    """The status after a report: forward only; failures are final unless already delivered."""
    if current in FINAL:
        return current
    if new in FINAL:
        return current if RANK.get(current, 0) >= RANK["delivered"] else new
    return new if RANK.get(new, 0) > RANK.get(current, 0) else current


@dataclass(frozen=True)
class Sent:
    job: Job
    provider_id: str
    status: str
    template: str | None = None


def _lock_statuses(session: Session, reports: dict[str, tuple[str, str | None]]) -> dict[str, tuple[str, str | None]]:
    """Insert or lock the provider-status rows of ``{provider_id: (status, error code)}``; returns what is stored.

    The send path and the status callback both take these row locks first, so whichever comes second sees the
    other's work; without it a callback could land between the two and be lost. One statement for all rows.
    """
    if not reports:
        return {}
    now = utcnow()
    values = insert_for(session)(ProviderStatus).values([
        {"provider_id": pid, "status": status, "error_code": code, "updated_at": now}
        for pid, (status, code) in sorted(reports.items())])  # one lock order for every caller
    upsert = values.on_conflict_do_update(
        index_elements=[ProviderStatus.provider_id], set_={"provider_id": values.excluded.provider_id},
    ).returning(ProviderStatus.provider_id, ProviderStatus.status, ProviderStatus.error_code)
    return {row.provider_id: (str(row.status), row.error_code) for row in session.execute(upsert)}


def mark_sent(session: Session, *, sent: list[Sent], template_fallback: bool = False) -> int:
    """Record accepted sends, merging statuses reported before the send call returned.

    A message already reported as failed because the 24-hour window had closed is queued again as the
    approved template (when ``template_fallback``), as the status callback would have done had it come later.
    Returns how many were queued again.
    """
    if not sent:
        return 0
    now = utcnow()
    accepted = {s.provider_id: merge_status("sending", s.status) for s in sent}
    stored = _lock_statuses(session, {pid: (status, None) for pid, status in accepted.items()})
    updates = []
    again = 0
    for s in sent:
        reported, code = stored[s.provider_id]
        status = merge_status(accepted[s.provider_id], reported)
        template = s.template or s.job.template
        updates.append({"id": s.job.id, "status": status, "provider_id": s.provider_id,
                        "sent_at": now, "lease_until": None, "leased_by": None, "error": None,
                        "updated_at": now, "error_code": code, "template": template})
        if template_fallback:
            again += _resend_as_template(session, contact_id=s.job.contact_id, channel=s.job.channel,
                                         body=s.job.body, kind=s.job.kind, status=status, code=code,
                                         template=template)
    session.execute(update(Outbox), updates)
    return again


def _resend_as_template(session: Session, *, contact_id: int, channel: str, body: str, kind: str, status: str,
                        code: str | None, template: str | None) -> bool:
    """Free text refused because the WhatsApp 24-hour window had closed (Twilio 63016): queue the same text
    again as the approved template. Called where a message becomes failed: the send path or the callback."""
    if code != WINDOW_CLOSED_CODE or status not in ("failed", "undelivered") or template is not None:
        return False
    enqueue(session, contact_id=contact_id, channel=channel, body=body, kind=kind, template="notification")
    return True


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
        row.status = "dead"
    else:
        row.status = "pending"
        row.next_attempt_at = utcnow() + backoff(row.attempts, retry_after)
        if retry_after is not None:
            row.attempts -= 1  # the provider asked us to wait: not a failed attempt
    return row.status


def mark_dead(session: Session, *, job: Job, code: str | None, error: str,
              unreachable: bool = False) -> None:
    row = session.get(Outbox, job.id, with_for_update=True)
    if row is None:
        return
    row.status, row.error_code, row.error = "dead", code, safe_text(error)
    row.lease_until, row.leased_by = None, None
    if unreachable:
        contact = session.get(Contact, job.contact_id)
        if contact:
            contact.unreachable, contact.unreachable_reason = True, f"{job.channel}: {code} {error}"[:120]


def mark_deferred(session: Session, *, job: Job, until: datetime) -> None:
    """Not sent yet for our own pacing (per-chat rate): back to pending, the attempt not counted."""
    session.execute(update(Outbox).where(Outbox.id == job.id).values(
        status="pending", next_attempt_at=until, lease_until=None, leased_by=None,
        attempts=Outbox.attempts - 1))


def record_provider_status(session: Session, *, provider_id: str, status: str, error_code: str | None,
                           template_fallback: bool = False) -> bool:
    """A status callback: kept forward-only, also when it arrives before the send call returned.

    A report that makes the message failed because the 24-hour window had closed queues it again as the
    approved template (when ``template_fallback``); a repeated or outdated report changes nothing. Returns
    whether the message was queued again.
    """
    stored, stored_code = _lock_statuses(session, {provider_id: (status, error_code)})[provider_id]
    merged = merge_status(stored, status)
    if merged != stored:
        session.execute(update(ProviderStatus).where(ProviderStatus.provider_id == provider_id).values(
            status=merged, error_code=error_code or stored_code, updated_at=utcnow()))
    row = session.scalar(select(Outbox).where(Outbox.provider_id == provider_id).with_for_update())
    if row is None:  # the send call has not returned: mark_sent merges this report
        return False
    outcome = merge_status(row.status, status)
    if outcome == row.status:
        return False
    row.status = outcome
    if error_code:
        row.error_code = error_code
    return template_fallback and _resend_as_template(
        session, contact_id=row.contact_id, channel=row.channel, body=row.body, kind=row.kind, status=outcome,
        code=error_code, template=row.template)


def retry(session: Session, *, outbox_id: int) -> Outbox:
    """Put a dead or failed row back in the queue (an operator's decision)."""
    row = session.get(Outbox, outbox_id, with_for_update=True)
    if row is None:
        raise NotFound(f"outbox row {outbox_id} does not exist")
    if row.status not in FAILED_VIEW:
        raise Conflict(f"outbox row {outbox_id} is {row.status}, not failed: nothing to retry")
    row.status, row.attempts, row.next_attempt_at = "pending", 0, utcnow()
    row.lease_until = row.leased_by = None
    return row


def listing(session: Session, *, failed_only: bool = False, limit: int = 100) -> list[Outbox]:
    query = select(Outbox).order_by(Outbox.id.desc()).limit(limit)
    if failed_only:
        query = query.where(Outbox.status.in_(FAILED_VIEW))
    return list(session.scalars(query))


def counts(session: Session) -> dict[str, Any]:
    rows = session.execute(select(Outbox.status, func.count()).group_by(Outbox.status))
    return {status: n for status, n in rows.all()}
