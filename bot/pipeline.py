"""From a stored provider delivery to replies in the outbox (channel-neutral).

1. ``store_inbound``: the raw delivery is saved under (channel, external id) first; a repeat is a no-op.
2. ``process_inbound``: in one transaction, the contact is updated, photos are queued for download, the
   conversation runs, replies are written to the outbox and the delivery is marked processed.
A delivery left unprocessed (crash, error) is processed again by the worker's sweep.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Table, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot import outbox
from bot.channels.base import Incoming
from bot.conversation import answer, stored_text
from bot.db.models import Contact, ConversationStateRow, Inbound, Media, Message, Outbox, utcnow
from bot.runtime import Runtime
from handlers import messages
from handlers.types import ConversationState, InboundMessage

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


@dataclass
class _ContactRow:
    id: int
    agency: str | None
    subscribed: bool
    changes: dict[str, Any] = field(default_factory=dict)


class _Batch:
    """Deliveries answered together in one transaction: a few statements per message, bulk inserts at the end.

    Messages are handled in arrival order; a sender's later message sees the state its earlier one left.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.contacts: dict[tuple[str, str], _ContactRow] = {}
        self.states: dict[int, ConversationState] = {}
        self.messages: list[dict[str, Any]] = []
        self.outbox: list[dict[str, Any]] = []
        self.media: list[dict[str, Any]] = []
        self.done: list[dict[str, Any]] = []
        self.saved_states: dict[int, Any] = {}

    async def prepare(self, session: AsyncSession, incomings: list[Incoming]) -> None:
        """Upsert every sender of the batch and load their states: a handful of statements per batch."""
        now = utcnow()
        senders: dict[tuple[str, str], dict[str, Any]] = {}
        for incoming in incomings:
            if incoming.ignored:
                continue
            values = senders.setdefault((incoming.channel, incoming.user), {
                "channel": incoming.channel, "external_id": incoming.user, "phone": None, "display_name": None,
                "last_inbound_at": now, "subscribed": True, "unreachable": False, "created_at": now,
                "updated_at": now})
            values["phone"] = incoming.phone or values["phone"]
            values["display_name"] = (incoming.display_name or "")[:120] or values["display_name"]
        if not senders:
            return
        upsert = _insert(session)(Contact)
        upsert = upsert.on_conflict_do_update(
            index_elements=[Contact.channel, Contact.external_id],
            set_={"last_inbound_at": upsert.excluded.last_inbound_at, "updated_at": upsert.excluded.updated_at,
                  "phone": func.coalesce(upsert.excluded.phone, Contact.phone),
                  "display_name": func.coalesce(upsert.excluded.display_name, Contact.display_name)})
        await session.execute(upsert, list(senders.values()))
        found = await session.execute(
            select(Contact.id, Contact.channel, Contact.external_id, Contact.agency, Contact.subscribed)
            .where(Contact.external_id.in_([key[1] for key in senders])))
        for row in found:
            if (row.channel, row.external_id) in senders:
                self.contacts[(row.channel, row.external_id)] = _ContactRow(row.id, row.agency, bool(row.subscribed))
        ids = [c.id for c in self.contacts.values()]
        rows = await session.execute(
            select(ConversationStateRow.contact_id, ConversationStateRow.state)
            .where(ConversationStateRow.contact_id.in_(ids)))
        self.saved_states = {int(contact_id): state for contact_id, state in rows.tuples()}

    def contact(self, incoming: Incoming) -> _ContactRow:
        return self.contacts[(incoming.channel, incoming.user)]

    def state(self, contact: _ContactRow) -> ConversationState:
        if contact.id not in self.states:
            state = ConversationState.from_dict(self.saved_states.get(contact.id))
            if state.agency is None and contact.agency:
                state.agency = contact.agency
            self.states[contact.id] = state
        return self.states[contact.id]

    def say(self, contact: _ContactRow, channel: str, text: str, choices: list[dict[str, str]] | None = None,
            *, intent: str | None = None, service: str | None = None, aspect: str | None = None) -> None:
        now = utcnow()
        self.messages.append({"contact_id": contact.id, "direction": "out", "text": text, "intent": intent,
                              "service": service, "aspect": aspect, "created_at": now})
        parts = outbox.split_body(text, outbox.LIMITS.get(channel, 4096))
        for n, part in enumerate(parts):
            self.outbox.append({
                "contact_id": contact.id, "channel": channel, "kind": "reply", "body": part,
                "choices": choices if n == len(parts) - 1 else None, "template": None, "template_variables": None,
                "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now, "updated_at": now})

    def handle(self, row: Any, incoming: Incoming) -> None:
        if incoming.ignored:
            self.done.append({"id": row.id, "contact_id": None, "error": incoming.ignored, "attempts": row.attempts})
            return
        contact = self.contact(incoming)
        self.done.append({"id": row.id, "contact_id": contact.id, "error": None, "attempts": row.attempts})
        now = utcnow()
        for position, item in enumerate(incoming.media):
            self.media.append({"inbound_id": row.id, "contact_id": contact.id, "channel": incoming.channel,
                               "position": position, "source": item.source, "declared_type": item.declared_type,
                               "file_name": item.file_name, "status": "pending", "attempts": 0,
                               "next_attempt_at": now, "created_at": now})
        self.messages.append({"contact_id": contact.id, "direction": "in", "text": stored_text(incoming.text),
                              "intent": None, "service": None, "aspect": None, "created_at": now})
        early = _replies_for(incoming, contact)
        if early is not None:
            for text, choices in early:
                self.say(contact, incoming.channel, text, choices, intent="channel")
        elif incoming.text.strip() or not incoming.media:
            state = self.state(contact)
            reply = answer(self.runtime.engine, InboundMessage(incoming.channel, incoming.user, incoming.text), state)
            if state.agency != contact.agency:
                contact.agency = state.agency
                contact.changes["agency"] = state.agency
            for out in reply.messages:
                choices = [{"key": c.key, "label": c.label} for c in out.choices] or None
                self.say(contact, incoming.channel, out.text, choices if incoming.channel == "telegram" else None,
                         intent=reply.intent, service=reply.service, aspect=reply.aspect)
        if incoming.media:
            what = (messages.MEDIA_WHAT_ONE if len(incoming.media) == 1
                    else messages.MEDIA_WHAT_MANY.format(n=len(incoming.media)))
            self.say(contact, incoming.channel, messages.MEDIA_RECEIVED.format(what=what), intent="channel")

    async def flush(self, session: AsyncSession) -> None:
        now = utcnow()
        # Core inserts (executemany): the ORM's bulk path costs more than the statements themselves.
        if self.media:
            await session.execute(insert(_table(Media)), self.media)
        if self.messages:
            await session.execute(insert(_table(Message)), self.messages)
        if self.states:
            upsert = _insert(session)(ConversationStateRow)
            upsert = upsert.on_conflict_do_update(
                index_elements=[ConversationStateRow.contact_id],
                set_={"state": upsert.excluded.state, "updated_at": upsert.excluded.updated_at})
            await session.execute(upsert, [{"contact_id": cid, "state": st.to_dict(), "updated_at": now}
                                           for cid, st in self.states.items()])
        for keys, group in _groups([c for c in self.contacts.values() if c.changes]).items():
            await session.execute(update(Contact), [{"id": c.id, **c.changes} for c in group])
            del keys
        if self.outbox:
            await session.execute(insert(_table(Outbox)), self.outbox)
        await session.execute(update(Inbound), [
            {"id": item["id"], "status": "processed", "processed_at": now, "attempts": item["attempts"] + 1,
             "contact_id": item["contact_id"], "error": item["error"]} for item in self.done])


class InboundWriter:
    """Group commit for webhooks: deliveries arriving together are stored in one transaction.

    ``store`` returns once the delivery is durably stored (so the provider may be told 200), whether it
    was new or a repeat; the processor answers new ones.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.queue: list[tuple[dict[str, Any], asyncio.Future[None]]] = []
        self.ready = asyncio.Event()

    async def store(self, *, channel: str, external_id: str, payload: dict[str, Any], sender: str) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.queue.append(({"channel": channel, "external_id": external_id, "sender": sender[:64],
                            "payload": payload, "status": "received", "attempts": 0, "received_at": utcnow()},
                           future))
        self.ready.set()
        await future

    async def _write(self, batch: list[tuple[dict[str, Any], asyncio.Future[None]]]) -> None:
        unique: dict[tuple[str, str], dict[str, Any]] = {}
        for values, _ in batch:
            unique.setdefault((values["channel"], values["external_id"]), values)
        try:
            async with self.runtime.sessionmaker() as session, session.begin():
                statement = _insert(session)(Inbound).on_conflict_do_nothing(
                    index_elements=["channel", "external_id"])
                await session.execute(statement, list(unique.values()))
        except Exception as exc:
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for _, future in batch:
            if not future.done():
                future.set_result(None)
        self.runtime.inbound_ready.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set() or self.queue:
            if not self.queue:
                self.ready.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.ready.wait(), timeout=0.5)
                continue
            batch, self.queue = self.queue[:500], self.queue[500:]
            await self._write(batch)


async def run_processor(runtime: Runtime, stop: asyncio.Event) -> None:
    """Answer stored deliveries as they arrive, in batches (the web process runs this)."""
    while not stop.is_set():
        runtime.inbound_ready.clear()
        try:
            while await _process_batch(runtime):
                pass
        except Exception:
            log.exception("processing deliveries failed; retrying them one by one")
            async with runtime.process_lock:
                await _one_by_one(runtime)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(runtime.inbound_ready.wait(), timeout=1.0)


def _groups(contacts: list[_ContactRow]) -> dict[tuple[str, ...], list[_ContactRow]]:
    """Bulk updates need the same columns in every row: group contacts by what changed."""
    groups: dict[tuple[str, ...], list[_ContactRow]] = {}
    for contact in contacts:
        groups.setdefault(tuple(sorted(contact.changes)), []).append(contact)
    return groups


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _insert(session: AsyncSession) -> Any:
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    return pg_insert if dialect == "postgresql" else sqlite_insert


def _replies_for(incoming: Incoming, contact: _ContactRow) -> list[tuple[str, list[dict[str, str]] | None]] | None:
    """Answers that come before the conversation (subscriptions, Telegram start, shared phone)."""
    word = " ".join(incoming.text.lower().split())
    if word in OPT_OUT:
        contact.changes |= {"subscribed": False, "subscription_changed_at": utcnow()}
        return [(messages.OPTED_OUT, None)]
    if word in OPT_IN and incoming.channel == "whatsapp":
        contact.changes |= {"subscribed": True, "subscription_changed_at": utcnow()}
        return [(messages.OPTED_IN, None)]
    if incoming.start:
        if not contact.subscribed:
            contact.changes |= {"subscribed": True, "subscription_changed_at": utcnow()}
        from bot.channels.telegram.outbound import SHARE_PHONE

        return [(messages.TELEGRAM_START, [{"key": SHARE_PHONE, "label": messages.SHARE_PHONE_BUTTON}])]
    if incoming.foreign_contact:
        return [(messages.PHONE_NOT_OWN, None)]
    if incoming.phone and incoming.channel == "telegram":
        return [(messages.PHONE_SAVED, None)]
    return None


BATCH = 200


class _Conflict(Exception):
    """Another processor answered some of these deliveries first."""


async def _process_batch(runtime: Runtime, *, only: int | None = None) -> int:
    """Answer up to BATCH stored deliveries, oldest first. Returns how many.

    Read and prepare in one short transaction, compute the answers with no transaction open, then write
    everything in a second short one that first claims the deliveries (``received`` -> ``processed``); if
    another processor claimed any of them meanwhile, nothing is written and the batch is read again.
    """
    batch = _Batch(runtime)
    async with runtime.sessionmaker() as session, session.begin():
        query = select(Inbound.id, Inbound.channel, Inbound.payload, Inbound.attempts).where(
            Inbound.status == "received")
        query = query.where(Inbound.id == only) if only is not None else query.order_by(Inbound.id).limit(BATCH)
        rows = (await session.execute(query)).all()
        if not rows:
            return 0
        incomings = [parse(row.channel, row.payload) for row in rows]
        await batch.prepare(session, incomings)
    for row, incoming in zip(rows, incomings, strict=True):
        batch.handle(row, incoming)
    try:
        async with runtime.sessionmaker() as session, session.begin():
            if session.bind and session.bind.dialect.name == "postgresql":
                # A lost commit here is safe: the deliveries stay 'received' and are answered again.
                await session.execute(text("SET LOCAL synchronous_commit TO OFF"))
            claimed = await session.execute(
                update(Inbound).where(Inbound.id.in_([r.id for r in rows]), Inbound.status == "received")
                .values(status="processed").execution_options(synchronize_session=False))
            if claimed.rowcount != len(rows):  # type: ignore[attr-defined]
                raise _Conflict
            await batch.flush(session)
    except _Conflict:
        return await _process_batch(runtime, only=only)
    runtime.processed_upto = max(runtime.processed_upto, max(r.id for r in rows))
    runtime.wakeup.set()
    return len(rows)


async def _record_failure(runtime: Runtime, inbound_id: int, exc: Exception) -> None:
    async with runtime.sessionmaker() as session, session.begin():
        failed = await session.get(Inbound, inbound_id)
        if failed is not None and failed.status == "received":
            failed.attempts += 1
            failed.error = f"{type(exc).__name__}: {exc}"[:300]
            if failed.attempts >= MAX_ATTEMPTS:
                failed.status = "failed"


async def process_inbound(runtime: Runtime, inbound_id: int) -> bool:
    """Answer every stored delivery up to and including ``inbound_id`` (once, in arrival order).

    Returns False when something failed; what failed stays stored and is tried again by the sweep.
    """
    if inbound_id <= runtime.processed_upto:
        return True
    async with runtime.process_lock:
        try:
            while await _process_batch(runtime):
                pass
            return True
        except Exception:
            log.exception("batch of deliveries failed; answering them one by one")
        return await _one_by_one(runtime)


async def _one_by_one(runtime: Runtime) -> bool:
    """After a failed batch: answer each delivery alone, so one bad delivery cannot hold up the others."""
    ok = True
    async with runtime.sessionmaker() as session:
        pending = list(await session.scalars(
            select(Inbound.id).where(Inbound.status == "received").order_by(Inbound.id).limit(BATCH)))
    for one in pending:
        try:
            await _process_batch(runtime, only=one)
        except Exception as exc:  # recorded on the delivery; the sweep tries again, then gives up visibly
            log.exception("could not process inbound %s", one)
            await _record_failure(runtime, one, exc)
            ok = False
    return ok


async def sweep_inbound(runtime: Runtime, *, limit: int = 50) -> int:
    """Process deliveries that were stored but never answered (the process died in between)."""
    async with runtime.sessionmaker() as session:
        ids = list(await session.scalars(
            select(Inbound.id).where(Inbound.status == "received", Inbound.received_at < utcnow() - STALE_AFTER)
            .order_by(Inbound.id).limit(limit)))
    for inbound_id in ids:
        await process_inbound(runtime, inbound_id)
    return len(ids)
