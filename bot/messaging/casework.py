"""Cases from the chat: the form's ``OpenCase`` carried out in the batch's transaction, and case changes with
their notices queued in the outbox in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from bot.cases.model import Notice
from bot.cases.opening import open_case
from bot.messaging import outbox
from bot.messaging.runtime import Runtime
from handlers import messages
from handlers.effects import OpenCase


@dataclass
class PendingCase:
    """A ``kirim`` answered in this batch: the case is opened at flush, and the confirmation already queued is
    corrected if the ticket had to change or the citizen already has an open case of the same kind."""

    contact_id: int
    channel: str
    draft: OpenCase
    message: dict[str, Any]
    rows: list[dict[str, Any]] = field(default_factory=list)


def open_pending(session: Session, runtime: Runtime, pending: PendingCase, queued: list[dict[str, Any]]) -> None:
    opened = open_case(session, pending.draft, contact_id=pending.contact_id, channel=pending.channel,
                       kb=runtime.engine.kb, protector=runtime.protector)
    if opened.duplicate:
        text = messages.CASE_DUPLICATE.format(ticket=opened.ticket)
        pending.message["text"] = text
        pending.message["intent"] = "complaint-duplicate"
        first, *rest = pending.rows
        first["body"] = text
        for row in rest:
            queued.remove(row)
    elif opened.ticket != pending.draft.ticket:
        pending.message["text"] = pending.message["text"].replace(pending.draft.ticket, opened.ticket)
        for row in pending.rows:
            row["body"] = row["body"].replace(pending.draft.ticket, opened.ticket)


def queue(session: Session, notices: list[Notice]) -> None:
    """The notices of a case change, in the transaction of the change."""
    for notice in notices:
        outbox.enqueue(session, contact_id=notice.contact_id, channel=notice.channel, body=notice.body,
                       kind="notification", template=notice.template, template_variables=notice.variables)
