"""From a stored provider delivery to replies in the outbox (channel-neutral).

1. ``store_inbound``: the raw delivery is saved under (channel, external id) first; a repeat is a no-op.
2. ``process_inbound``: in one transaction, the contact is updated, photos are queued for download, the
   conversation runs, replies are written to the outbox and the delivery is marked processed.
A delivery left unprocessed (crash, error) is processed again by the worker's sweep.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot import outbox
from bot.channels.base import Incoming
from bot.conversation import converse
from bot.db import repo
from bot.db.models import Contact, Inbound, Media, utcnow
from bot.runtime import Runtime
from handlers import messages
from handlers.types import InboundMessage

log = logging.getLogger(__name__)
OPT_OUT = {"berhenti", "stop", "unsubscribe", "/stop", "/berhenti", "stop langganan", "berhenti langganan"}
OPT_IN = {"mulai", "start", "subscribe", "langganan", "mulai langganan"}
MAX_ATTEMPTS = 5
STALE_AFTER = timedelta(seconds=15)


def parse(channel: str, payload: dict[str, Any]) -> Incoming:
    if channel == "whatsapp":
        from bot.channels.whatsapp_twilio.inbound import parse as parse_whatsapp

        return parse_whatsapp(payload)
    if channel == "telegram":
        from bot.channels.telegram.inbound import parse as parse_telegram

        return parse_telegram(payload)
    raise ValueError(f"unknown channel {channel!r}")


async def store_inbound(session: AsyncSession, *, channel: str, external_id: str, payload: dict[str, Any],
                        sender: str) -> int | None:
    """Save a delivery; None when it was already stored (a provider's retry). Commits."""
    values = {"channel": channel, "external_id": external_id, "sender": sender[:64], "payload": payload,
              "status": "received", "attempts": 0, "received_at": utcnow()}
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(Inbound).values(**values).on_conflict_do_nothing(
        index_elements=["channel", "external_id"]).returning(Inbound.id)
    async with session.begin():
        return (await session.execute(statement)).scalar_one_or_none()


def _replies_for(incoming: Incoming, contact: Contact) -> list[tuple[str, list[dict[str, str]] | None]] | None:
    """Answers that come before the conversation (subscriptions, Telegram start, shared phone)."""
    word = " ".join(incoming.text.lower().split())
    if word in OPT_OUT:
        contact.subscribed, contact.subscription_changed_at = False, utcnow()
        return [(messages.OPTED_OUT, None)]
    if word in OPT_IN and incoming.channel == "whatsapp":
        contact.subscribed, contact.subscription_changed_at = True, utcnow()
        return [(messages.OPTED_IN, None)]
    if incoming.start:
        if not contact.subscribed:
            contact.subscribed, contact.subscription_changed_at = True, utcnow()
        from bot.channels.telegram.outbound import SHARE_PHONE

        return [(messages.TELEGRAM_START, [{"key": SHARE_PHONE, "label": messages.SHARE_PHONE_BUTTON}])]
    if incoming.foreign_contact:
        return [(messages.PHONE_NOT_OWN, None)]
    if incoming.phone and incoming.channel == "telegram":
        return [(messages.PHONE_SAVED, None)]
    return None


async def _handle(session: AsyncSession, runtime: Runtime, row: Inbound, incoming: Incoming) -> None:
    contact = await repo.get_or_create_contact(session=session, channel=incoming.channel,
                                               external_id=incoming.user)
    contact.last_inbound_at = utcnow()
    if incoming.phone:
        contact.phone = incoming.phone
    if incoming.display_name:
        contact.display_name = incoming.display_name[:120]
    row.contact_id = contact.id
    for position, item in enumerate(incoming.media):
        session.add(Media(inbound_id=row.id, contact_id=contact.id, channel=incoming.channel, position=position,
                          source=item.source, declared_type=item.declared_type, file_name=item.file_name,
                          status="pending", attempts=0, next_attempt_at=utcnow()))
    replies = _replies_for(incoming, contact)
    if replies is not None:
        await repo.add_message(session=session, contact_id=contact.id, direction="in", text=incoming.text)
        for text, _ in replies:
            await repo.add_message(session=session, contact_id=contact.id, direction="out", text=text,
                                   intent="channel")
    else:
        replies = []
        if incoming.text.strip() or not incoming.media:
            reply = await converse(session=session, engine=runtime.engine,
                                   message=InboundMessage(incoming.channel, incoming.user, incoming.text))
            for out in reply.messages:
                choices = [{"key": c.key, "label": c.label} for c in out.choices] or None
                replies.append((out.text, choices if incoming.channel == "telegram" else None))
        if incoming.media:
            what = (messages.MEDIA_WHAT_ONE if len(incoming.media) == 1
                    else messages.MEDIA_WHAT_MANY.format(n=len(incoming.media)))
            replies.append((messages.MEDIA_RECEIVED.format(what=what), None))
    for text, choices in replies:
        outbox.enqueue(session, contact_id=contact.id, channel=incoming.channel, body=text, choices=choices)


async def process_inbound(runtime: Runtime, inbound_id: int) -> bool:
    """Answer a stored delivery once, after any earlier ones from the same sender (their order matters:
    "brp lama?" needs the question before it). Returns False when it failed and stays for a retry."""
    try:
        async with runtime.sessionmaker() as session, session.begin():
            first = await session.get(Inbound, inbound_id)
            if first is None or first.status != "received":
                return True
            rows = list(await session.scalars(
                select(Inbound).where(Inbound.channel == first.channel, Inbound.sender == first.sender,
                                      Inbound.status == "received", Inbound.id <= inbound_id)
                .order_by(Inbound.id).with_for_update()))
            for row in rows:
                if row.status != "received":
                    continue
                row.attempts += 1
                incoming = parse(row.channel, row.payload)
                if incoming.ignored:
                    row.status, row.error = "processed", incoming.ignored
                else:
                    await _handle(session, runtime, row, incoming)
                    row.status = "processed"
                row.processed_at = utcnow()
    except Exception as exc:  # recorded; the sweep tries again, then gives up visibly
        log.exception("could not process inbound %s", inbound_id)
        async with runtime.sessionmaker() as session, session.begin():
            failed = await session.get(Inbound, inbound_id)
            if failed is not None:
                failed.attempts += 1
                failed.error = f"{type(exc).__name__}: {exc}"[:300]
                if failed.attempts >= MAX_ATTEMPTS:
                    failed.status = "failed"
        return False
    runtime.wakeup.set()
    return True


async def sweep_inbound(runtime: Runtime, *, limit: int = 50) -> int:
    """Process deliveries that were stored but never answered (the process died in between)."""
    async with runtime.sessionmaker() as session:
        ids = list(await session.scalars(
            select(Inbound.id).where(Inbound.status == "received", Inbound.received_at < utcnow() - STALE_AFTER)
            .order_by(Inbound.id).limit(limit)))
    for inbound_id in ids:
        await process_inbound(runtime, inbound_id)
    return len(ids)
