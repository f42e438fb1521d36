"""What a broadcast has done, per recipient and in counts, read from the recipients' rows and their outbox rows
(where the providers' reports land): nobody's outcome is unknown."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.broadcasts import campaigns
from bot.db.models import Broadcast, BroadcastRecipient, Contact, Outbox
from bot.domain.phone import mask
from bot.domain.spreadsheet import safe_cell
from bot.messaging.statuses import FAILED_VIEW, OPEN, OutboxStatus

COUNTS = ("pending", "queued", "sent", "delivered", "read", "failed", "skipped")
REACHED = (OutboxStatus.ACCEPTED, OutboxStatus.QUEUED, OutboxStatus.SCHEDULED, OutboxStatus.SENT,
           OutboxStatus.DELIVERED, OutboxStatus.READ)


def outcome(recipient_status: str, outbox_status: str | None) -> str:
    """One word for a recipient: pending (not released), queued (in the outbox), sent (the provider accepted
    it), delivered, read, failed, skipped."""
    if recipient_status != "queued" or outbox_status is None:
        return "skipped" if recipient_status == "skipped" else "pending"
    if outbox_status in OPEN:
        return "queued"
    if outbox_status == OutboxStatus.SKIPPED:
        return "skipped"
    if outbox_status in FAILED_VIEW:
        return "failed"
    if outbox_status in (OutboxStatus.DELIVERED, OutboxStatus.READ):
        return str(outbox_status)
    return "sent"


def counts(session: Session, broadcast: Broadcast) -> dict[str, int]:
    """``total``, and per outcome; ``sent`` counts every message the provider accepted, whatever came after
    (delivered, read, or failed later), as the contract says."""
    found = {name: 0 for name in COUNTS}
    accepted = 0
    rows = session.execute(
        select(BroadcastRecipient.status, Outbox.status, Outbox.provider_id.isnot(None), func.count())
        .outerjoin(Outbox, Outbox.id == BroadcastRecipient.outbox_id)
        .where(BroadcastRecipient.broadcast_id == broadcast.id)
        .group_by(BroadcastRecipient.status, Outbox.status, Outbox.provider_id.isnot(None)))
    for recipient, status, provider_accepted, n in rows:
        found[outcome(recipient, status)] += n
        if provider_accepted or status in REACHED:  # (a simulator's message has no provider id)
            accepted += n
    total = sum(found.values())
    if broadcast.status in (campaigns.DRAFT, campaigns.SCHEDULED):  # not frozen yet: who it would reach now
        total = found["pending"] = campaigns.count_audience(session, broadcast.agency, broadcast.audience)
    return {"total": total, **found, "sent": accepted}


def broadcast_out(session: Session, broadcast: Broadcast) -> dict[str, Any]:
    schedule = None
    if broadcast.schedule_what and broadcast.schedule_until:
        schedule = {"what": broadcast.schedule_what, "where": broadcast.schedule_where,
                    "until": broadcast.schedule_until}
    return {"id": broadcast.id, "agency": broadcast.agency, "text": broadcast.text, "audience": broadcast.audience,
            "status": broadcast.status, "send_at": broadcast.send_at, "created_at": broadcast.created_at,
            "started_at": broadcast.started_at, "finished_at": broadcast.finished_at, "author": broadcast.author,
            "reason": broadcast.reason, "schedule": schedule, "version": broadcast.version,
            **counts(session, broadcast)}


def recipients(session: Session, broadcast: Broadcast, *, only: str | None = None,
               limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Each recipient: masked number (or Telegram name), channel, outcome, error, attempts, when released."""
    query = (select(BroadcastRecipient, Contact.phone, Contact.external_id, Contact.display_name, Outbox.status,
                    Outbox.error_code, Outbox.error, Outbox.updated_at)
             .join(Contact, Contact.id == BroadcastRecipient.contact_id)
             .outerjoin(Outbox, Outbox.id == BroadcastRecipient.outbox_id)
             .where(BroadcastRecipient.broadcast_id == broadcast.id).order_by(BroadcastRecipient.id))
    for row in session.execute(query.execution_options(yield_per=1000)):
        recipient = row[0]
        result = outcome(recipient.status, row.status)
        if only and result != only:
            continue
        error = recipient.error if recipient.status == "skipped" or row.error is None else (
            f"{row.error_code or ''} {row.error}".strip())
        who = mask(row.phone) if row.phone else (row.display_name or f"telegram {row.external_id[-4:]}")
        yield {"contact": who, "channel": recipient.channel, "status": result, "error": error,
               "attempts": recipient.attempts, "released_at": recipient.released_at, "updated_at": row.updated_at}
        if limit is not None:
            limit -= 1
            if limit <= 0:
                return


def csv_rows(session: Session, broadcast: Broadcast) -> str:
    """The per-recipient report as CSV (numbers masked)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["kontak", "kanal", "status", "keterangan", "percobaan", "dilepas", "diperbarui"])
    for r in recipients(session, broadcast):
        writer.writerow([safe_cell(r["contact"]), r["channel"], r["status"], safe_cell(r["error"] or ""), r["attempts"],
                         r["released_at"].isoformat() if r["released_at"] else "",
                         r["updated_at"].isoformat() if r["updated_at"] else ""])
    return out.getvalue()
