"""What providers report about sent messages: the send call's answer and the status callbacks that follow
(queued, sent, delivered, read, failed), merged forward only, in whatever order they arrive. A message refused
because WhatsApp's 24-hour window had closed (Twilio 63016) is queued again as the approved template."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.models import Contact, Outbox, ProviderStatus, utcnow
from bot.db.session import insert_for
from bot.messaging.outbox import Job, enqueue
from bot.messaging.statuses import MARKETING_OPT_OUT_CODES, WINDOW_CLOSED_CODE, OutboxStatus, merge_status


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


def mark_sent(session: Session, *, sent: list[Sent], templates: Collection[str] = ()) -> int:
    """Record accepted sends, merging statuses reported before the send call returned.

    A message already reported as failed because the 24-hour window had closed is queued again as the
    approved template (when it is configured: ``templates``), as the status callback would have done had it
    come later.
    Returns how many were queued again.
    """
    if not sent:
        return 0
    now = utcnow()
    accepted = {s.provider_id: merge_status(OutboxStatus.SENDING, s.status) for s in sent}
    stored = _lock_statuses(session, {pid: (status, None) for pid, status in accepted.items()})
    updates = []
    again = 0
    for s in sent:
        reported, code = stored[s.provider_id]
        status = merge_status(accepted[s.provider_id], reported)
        template = s.template or s.job.template
        updates.append({"id": s.job.id, "status": status, "provider_id": s.provider_id,
                        "sent_at": now, "lease_until": None, "leased_by": None, "error": None,
                        "updated_at": now, "error_code": code, "template": template,
                        "template_only": s.template is not None or s.job.template_only})
        refused_marketing(session, kind=s.job.kind, code=code, contact_id=s.job.contact_id)
        if s.template is None and not s.job.template_only:
            again += _resend_as_template(session, contact_id=s.job.contact_id, channel=s.job.channel,
                                         body=s.job.body, kind=s.job.kind, status=status, code=code,
                                         template=template, variables=s.job.template_variables,
                                         templates=templates)
    session.execute(update(Outbox), updates)
    return again


def _resend_as_template(session: Session, *, contact_id: int, channel: str, body: str, kind: str, status: str,
                        code: str | None, template: str | None, variables: dict[str, str] | None,
                        templates: Collection[str]) -> bool:
    """Free text refused because the WhatsApp 24-hour window had closed (Twilio 63016): queue it again as its
    approved template (a case notice's own, else the generic ``notification``), when that is configured.
    Called where a message becomes failed: the send path or the callback."""
    name = template or "notification"
    if code != WINDOW_CLOSED_CODE or status not in (OutboxStatus.FAILED, OutboxStatus.UNDELIVERED):
        return False
    if kind == "announcement":  # a broadcast's: failed for its recipient, sent again only by "resend to failed"
        return False
    if name not in templates:
        return False
    enqueue(session, contact_id=contact_id, channel=channel, body=body, kind=kind, template=name,
            template_variables=variables, template_only=True)
    return True


def record_provider_status(session: Session, *, provider_id: str, status: str, error_code: str | None,
                           templates: Collection[str] = ()) -> bool:
    """A status callback: kept forward-only, also when it arrives before the send call returned.

    A report that makes the message failed because the 24-hour window had closed queues it again as the
    approved template (when it is configured: ``templates``); a repeated or outdated report changes nothing. Returns
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
    refused_marketing(session, kind=row.kind, code=error_code, contact_id=row.contact_id)
    return not row.template_only and _resend_as_template(
        session, contact_id=row.contact_id, channel=row.channel, body=row.body, kind=row.kind, status=outcome,
        code=error_code, template=row.template, variables=row.template_variables, templates=templates)


def refused_marketing(session: Session, *, kind: str, code: str | None, contact_id: int) -> None:
    """An announcement refused because the citizen stopped marketing messages at WhatsApp: no further one."""
    if kind == "announcement" and code in MARKETING_OPT_OUT_CODES:
        session.execute(update(Contact).where(Contact.id == contact_id, Contact.subscribed.is_(True)).values(
            subscribed=False, subscription_changed_at=utcnow(), subscription_source=f"whatsapp: {code}"))
