"""From stored deliveries to replies in the outbox (channel-neutral), after ``bot.messaging.intake`` stored them.

Batches of stored deliveries, oldest first, go through the conversation; contacts, history, state, photo
downloads and outbox rows are written in one short transaction that also claims them. A delivery left
unprocessed (crash, error) is processed again by the processor or the worker's sweep; one that fails every
attempt is kept ``failed`` for an operator, and the citizen gets an apology.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from bot import metrics
from bot.db import conversations
from bot.db.models import Contact, Inbound, Media, length_of, utcnow
from bot.logs import JOB_ID, safe_error, safe_text
from bot.messaging import outbox
from bot.messaging.batch import Batch
from bot.messaging.channel import Channel
from bot.messaging.clean import Limits, fit_incoming
from bot.messaging.runtime import Runtime
from bot.messaging.statuses import DELIVERY_ATTEMPTS, InboundStatus
from handlers import messages
from handlers.types import InboundMessage

log = logging.getLogger(__name__)
MAX_TEXT = 4096  # the longest text a provider sends in one message (Telegram); more is cut before reading
BATCH = 20  # deliveries answered per transaction
STALE_AFTER = timedelta(seconds=15)
LIMITS = Limits(user=length_of(Contact.external_id), display_name=length_of(Contact.display_name),
                phone=length_of(Contact.phone), media_source=length_of(Media.source),
                media_type=length_of(Media.declared_type), file_name=length_of(Media.file_name),
                text=MAX_TEXT)


def parse(channels: dict[str, Channel], channel: str, payload: dict[str, Any]) -> InboundMessage:
    """A stored delivery as the conversation sees it, every field fitted to the database; never raises.

    A payload its channel cannot read (or of a channel this deployment no longer has) is kept as ``failed``
    with the reason, so it cannot fail its batch again and again.
    """
    known = channels.get(channel)
    if known is None:
        return InboundMessage(channel, "", "", ignored=f"no channel {channel!r} here", unreadable=True)
    try:
        message = known.parse(payload)
    except Exception as exc:  # a payload this version cannot read: kept as failed, for an operator to look at
        log.warning("unreadable %s delivery: %s", channel, type(exc).__name__)
        return InboundMessage(channel, "", "", ignored=f"unreadable: {safe_error(exc)}", unreadable=True)
    return fit_incoming(message, LIMITS)


async def run_processor(runtime: Runtime, stop: asyncio.Event) -> None:
    """Answer stored deliveries as they arrive, in batches (the web process runs this)."""
    while not stop.is_set():
        runtime.inbound_ready.clear()
        await process_waiting(runtime)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(runtime.inbound_ready.wait(), timeout=1.0)


async def process_waiting(runtime: Runtime) -> None:
    """One pass over every waiting delivery; after a failed batch, each alone (a failure counts an attempt)."""
    try:
        await _process_until_done(runtime)
    except Exception:
        log.exception("processing deliveries failed; retrying them one by one")
        try:
            async with runtime.process_lock:
                await _one_by_one(runtime)
        except Exception:  # the database is away: keep the processor alive, the sweep catches up
            log.exception("processing deliveries one by one failed")


class _Conflict(Exception):
    """Another processor answered some of these deliveries first."""


async def _process_until_done(runtime: Runtime, *, only: int | None = None) -> int:
    """Process batches until none is left (or the one delivery ``only`` is done). Returns how many."""
    total = 0
    while True:
        done = await _process_batch(runtime, only=only)
        if done == 0:
            return total
        if done > 0:
            total += done
            if only is not None:
                return total


async def _process_batch(runtime: Runtime, *, only: int | None = None) -> int:
    """Answer up to BATCH stored deliveries, oldest first. Returns how many (-1: conflict, read again).

    Read and prepare in one short transaction, compute the answers with no transaction open, then write
    everything in a second short one that first claims the deliveries (``received`` -> ``processed``); if
    another processor claimed any of them meanwhile, nothing is written and the batch is read again.
    """
    batch = Batch(runtime)
    await runtime.writer.idle()
    rows, incomings = await runtime.transact(_read_batch, batch, only)
    if not rows:
        return 0
    job = JOB_ID.set(f"inbound-{rows[0].id}-{rows[-1].id}")
    try:
        return await _answer_batch(runtime, batch, rows, incomings)
    finally:
        JOB_ID.reset(job)


async def _answer_batch(runtime: Runtime, batch: Batch, rows: list[Any], incomings: list[InboundMessage]) -> int:
    for row, incoming in zip(rows, incomings, strict=True):
        batch.handle(row, incoming)
        await asyncio.sleep(0)  # let webhooks in between: answering is CPU work on the same event loop
    await runtime.writer.idle()
    try:
        await runtime.transact(_claim_and_write, batch, [r.id for r in rows])
    except _Conflict:
        return -1  # read again
    runtime.processed_upto = max(runtime.processed_upto, max(r.id for r in rows))
    runtime.wakeup.set()
    _count(batch, rows)
    return len(rows)


def _count(batch: Batch, rows: list[Any]) -> None:
    """The metrics of a written batch: each delivery's outcome, the time to its answer, the replies by kind."""
    now = utcnow()
    received = {row.id: row for row in rows}
    for item in batch.done:
        row = received[item["id"]]
        if item["status"] == InboundStatus.FAILED:
            outcome = "failed"
        elif item["contact_id"] is None:
            outcome = "ignored"
        else:
            outcome = "answered"
            metrics.ANSWER_SECONDS.observe(max(0.0, (now - row.received_at).total_seconds()))
        metrics.INBOUND.labels(row.channel, outcome).inc()
    for message in batch.messages:
        if message["direction"] == "out":
            metrics.REPLIES.labels(metrics.reply_kind(message["intent"]), message["intent"] or "none").inc()


def _read_batch(session: Session, batch: Batch, only: int | None) -> tuple[list[Any], list[InboundMessage]]:
    query = (select(Inbound.id, Inbound.channel, Inbound.payload, Inbound.attempts, Inbound.received_at)
             .where(Inbound.status == InboundStatus.RECEIVED))
    query = query.where(Inbound.id == only) if only is not None else query.order_by(Inbound.id).limit(BATCH)
    rows = list(session.execute(query).all())
    incomings = [parse(batch.runtime.channels, row.channel, row.payload) for row in rows]
    if rows:
        batch.prepare(session, incomings)
    return rows, incomings


def _claim_and_write(session: Session, batch: Batch, ids: list[int]) -> None:
    if session.bind and session.bind.dialect.name == "postgresql":
        # A lost commit here is safe: the deliveries stay 'received' and are answered again.
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    claimed = session.execute(update(Inbound).where(Inbound.id.in_(ids), Inbound.status == InboundStatus.RECEIVED)
                              .values(status=InboundStatus.PROCESSED).execution_options(synchronize_session=False))
    if claimed.rowcount != len(ids):  # type: ignore[attr-defined]
        raise _Conflict
    batch.flush(session)


def _record_failure(session: Session, inbound_id: int, error: str, channels: dict[str, Channel]) -> None:
    """One more failed attempt; after the last, the delivery is ``failed`` and the citizen gets an apology."""
    failed = session.get(Inbound, inbound_id, with_for_update=True)
    if failed is None or failed.status != InboundStatus.RECEIVED:
        return
    failed.attempts += 1
    failed.error = safe_text(error, length_of(Inbound.error))
    if failed.attempts < DELIVERY_ATTEMPTS:
        return
    failed.status = InboundStatus.FAILED
    metrics.INBOUND.labels(failed.channel, "failed").inc()
    incoming = parse(channels, failed.channel, failed.payload)
    if incoming.ignored or not incoming.user:
        return
    try:
        with session.begin_nested():
            contact = conversations.get_or_create_contact(session=session, channel=incoming.channel,
                                                          external_id=incoming.user)
            session.flush()
            failed.contact_id = contact.id
            outbox.enqueue(session, contact_id=contact.id, channel=incoming.channel, body=messages.PROCESSING_FAILED)
    except Exception:  # the apology is a courtesy: the delivery is still recorded as failed, for an operator
        log.exception("could not queue the apology for inbound %s", inbound_id)


def _waiting(session: Session, *, limit: int, older_than: datetime | None = None) -> list[int]:
    """Ids of deliveries still waiting for an answer, oldest first."""
    query = select(Inbound.id).where(Inbound.status == InboundStatus.RECEIVED)
    if older_than is not None:
        query = query.where(Inbound.received_at < older_than)
    return list(session.scalars(query.order_by(Inbound.id).limit(limit)))


async def process_inbound(runtime: Runtime, inbound_id: int) -> bool:
    """Answer every stored delivery up to and including ``inbound_id`` (once, in arrival order).

    Returns False when something failed; what failed stays stored and is tried again by the sweep.
    """
    if inbound_id <= runtime.processed_upto:
        return True
    async with runtime.process_lock:
        try:
            await _process_until_done(runtime)
            return True
        except Exception:
            log.exception("batch of deliveries failed; answering them one by one")
        return await _one_by_one(runtime)


async def _one_by_one(runtime: Runtime) -> bool:
    """After a failed batch: answer each delivery alone, so one bad delivery cannot hold up the others."""
    ok = True
    for one in await runtime.transact(_waiting, limit=BATCH):
        try:
            await _process_until_done(runtime, only=one)
        except Exception as exc:  # recorded on the delivery; the sweep tries again, then gives up visibly
            log.exception("could not process inbound %s", one)
            await runtime.transact(_record_failure, one, safe_error(exc), runtime.channels)
            ok = False
    return ok


async def sweep_inbound(runtime: Runtime, *, limit: int = 50) -> int:
    """Process deliveries that were stored but never answered (the process died in between)."""
    ids = await runtime.transact(_waiting, limit=limit, older_than=utcnow() - STALE_AFTER)
    for inbound_id in ids:
        await process_inbound(runtime, inbound_id)
    return len(ids)
