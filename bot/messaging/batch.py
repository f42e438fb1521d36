"""Answering a batch of stored deliveries: the conversation for each, then every row written at once.

Used by ``bot.messaging.processing``; a handful of statements per batch whatever its size (bulk inserts at the
end). Each message goes through the same turn every host uses (``bot.messaging.conversation.respond``); its
replies are written for its channel (buttons or numbered lines, parts within the channel's limit) and its
effects applied to the contact in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from bot.db.models import Contact, Conversation, ConversationStateRow, Inbound, Media, Message, Outbox, utcnow
from bot.db.session import insert_for
from bot.domain.nik import mask_all, mask_json
from bot.inbox import conversations
from bot.messaging import outbox
from bot.messaging.casework import CASE_EFFECTS, Pending, carry_out
from bot.messaging.conversation import respond, stored_text
from bot.messaging.effects import apply
from bot.messaging.runtime import Runtime
from bot.messaging.statuses import InboundStatus, MediaStatus
from handlers import messages
from handlers.case_status import takes_documents
from handlers.effects import HandOff
from handlers.types import ConversationState, InboundMessage, OutboundMessage, Reply


@dataclass
class ContactRow:
    id: int
    agency: str | None
    subscribed: bool
    changes: dict[str, Any] = field(default_factory=dict)


class Batch:
    """Deliveries answered together in one transaction: a few statements per message, bulk inserts at the end.

    Messages are handled in arrival order; a sender's later message sees the state its earlier one left.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.contacts: dict[tuple[str, str], ContactRow] = {}
        self.states: dict[int, ConversationState] = {}
        self.messages: list[dict[str, Any]] = []
        self.outbox: list[dict[str, Any]] = []
        self.media: list[dict[str, Any]] = []
        self.done: list[dict[str, Any]] = []
        self.saved_states: dict[int, Any] = {}
        self.cases: list[Pending] = []
        self.masked_payloads: list[dict[str, Any]] = []
        self.held: set[int] = set()  # contacts whose conversation officers hold
        self.inbox: list[tuple[int, str | None]] = []  # (contact, hand-off reason or None: wrote while held)

    def prepare(self, session: Session, incomings: list[InboundMessage]) -> None:
        """Upsert every sender of the batch and load their states: a handful of statements per batch."""
        now = utcnow()
        senders: dict[tuple[str, str], dict[str, Any]] = {}
        for incoming in incomings:
            if incoming.ignored:
                continue
            values = senders.setdefault((incoming.channel, incoming.user), {
                "channel": incoming.channel, "external_id": incoming.user, "phone": None, "display_name": None,
                "last_inbound_at": now, "subscribed": False, "unreachable": False, "created_at": now,
                "updated_at": now})
            values["phone"] = incoming.phone or values["phone"]
            values["display_name"] = incoming.display_name or values["display_name"]
        if not senders:
            return
        self.runtime.local.refresh(session)
        upsert = insert_for(session)(Contact)
        upsert = upsert.on_conflict_do_update(
            index_elements=[Contact.channel, Contact.external_id],
            set_={"last_inbound_at": upsert.excluded.last_inbound_at, "updated_at": upsert.excluded.updated_at,
                  "phone": func.coalesce(upsert.excluded.phone, Contact.phone),
                  "display_name": func.coalesce(upsert.excluded.display_name, Contact.display_name)})
        session.execute(upsert, list(senders.values()))
        found = session.execute(
            select(Contact.id, Contact.channel, Contact.external_id, Contact.agency, Contact.subscribed)
            .where(Contact.external_id.in_([key[1] for key in senders])))
        for row in found:
            if (row.channel, row.external_id) in senders:
                self.contacts[(row.channel, row.external_id)] = ContactRow(row.id, row.agency, bool(row.subscribed))
        ids = [c.id for c in self.contacts.values()]
        rows = session.execute(
            select(ConversationStateRow.contact_id, ConversationStateRow.state)
            .where(ConversationStateRow.contact_id.in_(ids)))
        self.saved_states = {int(contact_id): state for contact_id, state in rows}
        # Whether officers hold a conversation is the inbox's to say (its row), not the stored state's: an
        # officer's resolve that raced with this batch's state write can never leave the bot silent for good.
        self.held = set(session.scalars(select(Conversation.id).where(Conversation.id.in_(ids),
                                                                      Conversation.status.in_(conversations.QUIET))))

    def contact(self, incoming: InboundMessage) -> ContactRow:
        return self.contacts[(incoming.channel, incoming.user)]

    def state(self, contact: ContactRow) -> ConversationState:
        if contact.id not in self.states:
            state = ConversationState.from_dict(self.saved_states.get(contact.id))
            if state.agency is None and contact.agency:
                state.agency = contact.agency
            state.handed_off = contact.id in self.held
            state.subscribed = contact.subscribed  # the contact's row says (an opt-out at the provider too)
            self.states[contact.id] = state
        return self.states[contact.id]

    def say(self, contact: ContactRow, channel: str, message: OutboundMessage, reply: Reply | None = None
            ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """One message to the contact, as its channel shows it; kept in the history and queued in the outbox.
        Returns the history row and the outbox rows (still to be written)."""
        shown = self.runtime.channel(channel)
        body = message.as_text(buttons=shown.buttons)
        choices = [{"key": c.key, "label": c.label} for c in message.choices] if shown.buttons else []
        intent = reply.intent if reply else "channel"
        row = {"contact_id": contact.id, "direction": "out", "text": body, "choices": choices or None,
               "intent": intent, "service": reply.service if reply else None,
               "aspect": reply.aspect if reply else None, "created_at": utcnow()}
        self.messages.append(row)
        rows = outbox.new_rows(contact_id=contact.id, channel=channel, body=body, choices=choices or None,
                               limit=shown.text_limit)
        self.outbox += rows
        return row, rows

    def handle(self, row: Any, incoming: InboundMessage) -> None:
        if incoming.ignored:  # nothing to answer; one that could not be read is kept failed for an operator
            status = InboundStatus.FAILED if incoming.unreadable else InboundStatus.PROCESSED
            self.done.append({"id": row.id, "status": status, "contact_id": None, "error": incoming.ignored,
                              "attempts": row.attempts})
            return
        contact = self.contact(incoming)
        self.done.append({"id": row.id, "status": InboundStatus.PROCESSED, "contact_id": contact.id, "error": None,
                          "attempts": row.attempts})
        now = utcnow()
        for position, item in enumerate(incoming.media):
            self.media.append({"inbound_id": row.id, "contact_id": contact.id, "channel": incoming.channel,
                               "position": position, "source": item.source, "declared_type": item.declared_type,
                               "file_name": item.file_name, "declared_size": item.declared_size,
                               "status": MediaStatus.PENDING, "attempts": 0, "next_attempt_at": now,
                               "created_at": now})
        text = mask_all(incoming.text)
        if text != incoming.text:  # a NIK typed in the chat is kept masked, in the history and the delivery
            self.masked_payloads.append({"id": row.id, "payload": mask_json(row.payload)})
        self.messages.append({"contact_id": contact.id, "direction": "in", "text": stored_text(text),
                              "choices": None, "intent": None, "service": None, "aspect": None, "created_at": now})
        state = self.state(contact)
        if state.handed_off:  # officers hold it: counted unread in the inbox
            self.inbox.append((contact.id, None))
        in_form = takes_documents(state)
        if incoming.text.strip() or not incoming.media or incoming.shared_contact or in_form:
            reply = respond(self.runtime.engine, incoming, state)
            apply([e for e in reply.effects if not isinstance(e, CASE_EFFECTS)], contact.changes,
                  source=f"{incoming.channel}: {reply.intent}")
            if state.agency != contact.agency:
                contact.agency = state.agency
                contact.changes["agency"] = state.agency
            said = [self.say(contact, incoming.channel, out, reply) for out in reply.messages]
            for effect in reply.effects:  # carried out at flush; they may correct the reply's first message
                if isinstance(effect, HandOff):
                    self.inbox.append((contact.id, effect.reason))
                elif isinstance(effect, CASE_EFFECTS):
                    self.cases.append(Pending(contact.id, incoming.channel, effect, state, *said[0]))
        if incoming.media and not in_form and not state.handed_off:
            what = (messages.MEDIA_WHAT_ONE if len(incoming.media) == 1
                    else messages.MEDIA_WHAT_MANY.format(n=len(incoming.media)))
            self.say(contact, incoming.channel, OutboundMessage(messages.MEDIA_RECEIVED.format(what=what)))

    def flush(self, session: Session) -> None:
        now = utcnow()
        # Core inserts (executemany): the ORM's bulk path costs more than the statements themselves.
        if self.media:
            session.execute(insert(table_of(Media)), self.media)
            self.runtime.media_waiting = True
        for pending in self.cases:  # after the media rows (a case's photos point at them), before the messages
            carry_out(session, self.runtime, pending, self.outbox)
        if self.messages:
            session.execute(insert(table_of(Message)), self.messages)
        if self.states:
            upsert = insert_for(session)(ConversationStateRow)
            upsert = upsert.on_conflict_do_update(
                index_elements=[ConversationStateRow.contact_id],
                set_={"state": upsert.excluded.state, "updated_at": upsert.excluded.updated_at,
                      "form_at": upsert.excluded.form_at, "form_reminded": upsert.excluded.form_reminded})
            session.execute(upsert, [{"contact_id": cid, "state": st.to_dict(), "updated_at": now,
                                      "form_at": now if st.form is not None and st.form.name == "pengaduan" else None,
                                      "form_reminded": False} for cid, st in self.states.items()])
        quiet = {cid for cid, reason in self.inbox if reason is None}
        if wrote := [c.id for c in self.contacts.values() if c.id not in quiet]:
            conversations.bot_answered(session, wrote, now)  # the inbox's list stays in order of activity
        for contact_id, reason in self.inbox:  # the contacts rows exist (upserted in prepare)
            if reason is None:
                conversations.citizen_wrote(session, contact_id, now)
            else:
                conversations.hand_off(session, contact_id, reason, now)
        for group in groups_of([c for c in self.contacts.values() if c.changes]).values():
            session.execute(update(Contact), [{"id": c.id, **c.changes} for c in group])
        if self.outbox:
            session.execute(insert(table_of(Outbox)), self.outbox)
        session.execute(update(Inbound), [
            {"id": item["id"], "status": item["status"], "processed_at": now, "attempts": item["attempts"] + 1,
             "contact_id": item["contact_id"], "error": item["error"]} for item in self.done])
        if self.masked_payloads:
            session.execute(update(Inbound), self.masked_payloads)


def groups_of(contacts: list[ContactRow]) -> dict[tuple[str, ...], list[ContactRow]]:
    """Bulk updates need the same columns in every row: group contacts by what changed."""
    groups: dict[tuple[str, ...], list[ContactRow]] = {}
    for contact in contacts:
        groups.setdefault(tuple(sorted(contact.changes)), []).append(contact)
    return groups


def table_of(model: Any) -> Table:
    table: Table = model.__table__
    return table
