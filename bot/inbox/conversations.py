"""Who holds a conversation, the bot or the officers, and what officers do with it.

A conversation is a contact's chat (the same id). ``bot``: the bot answers. ``waiting``: handed to officers
(the citizen typed *petugas*, or the bot could not help twice), the bot is quiet. ``open``: an officer answered
and holds it. ``resolved``: an officer closed it and the bot answers again. The bot's side of the hand-off
(being quiet) is the conversation state's ``handed_off``, which the batch sets from this status at every message.
Functions take a Session; what must be sent is returned for the caller to queue with the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.db.models import Contact, Message, User
from bot.db.models.inbox import Conversation, Note
from bot.domain.phone import mask as mask_phone

STATUSES = ("bot", "waiting", "open", "resolved")
QUIET = ("waiting", "open")  # the bot does not answer
PAGE = 50
HISTORY = 200  # the latest messages shown with a conversation


class InboxError(Exception):
    """An action the conversation's state does not allow."""


@dataclass(frozen=True)
class Outgoing:
    """A message for the citizen, to queue in the transaction of the change."""

    contact_id: int
    channel: str
    body: str


def hand_off(session: Session, contact_id: int, reason: str, now: datetime) -> None:
    """The bot hands the conversation to officers (it stays quiet until one resolves it)."""
    conversation = session.get(Conversation, contact_id)
    if conversation is None:
        conversation = Conversation(id=contact_id, status="bot", unread=0)
        session.add(conversation)
    if conversation.status not in QUIET:
        conversation.status, conversation.reason, conversation.handed_at = "waiting", reason, now
        conversation.resolved_at = None
    conversation.last_message_at = now


def with_case(session: Session, contact_id: int, now: datetime) -> None:
    """A conversation that opened a case is in the inbox (under *Semua*), even while the bot answers it."""
    conversation = session.get(Conversation, contact_id)
    if conversation is None:
        session.add(Conversation(id=contact_id, status="bot", reason="case", unread=0, last_message_at=now))
    elif conversation.reason is None:
        conversation.reason = "case"


def citizen_wrote(session: Session, contact_id: int, now: datetime) -> None:
    """A message in a conversation officers hold: counted unread, the conversation moves up the list."""
    session.execute(update(Conversation).where(Conversation.id == contact_id).values(
        unread=Conversation.unread + 1, last_message_at=now))


def _visible(agencies: list[str] | None) -> Any:
    """Officers see their agency's conversations; admins (``agencies`` None) see all."""
    return True if agencies is None else Contact.agency.in_(agencies)


def listing(session: Session, agencies: list[str] | None, *, status: str | None = None, page: int = 1,
            per_page: int = PAGE) -> dict[str, Any]:
    """Newest activity first. Without ``status``: every conversation officers have had (not the bot's alone)."""
    state = func.coalesce(Conversation.status, "bot")
    query = (select(Contact, Conversation, User.username).outerjoin(Conversation, Conversation.id == Contact.id)
             .outerjoin(User, User.id == Conversation.assignee_id).where(_visible(agencies)))
    query = query.where(state == status) if status else query.where(Conversation.id.is_not(None))
    latest = func.coalesce(Conversation.last_message_at, Contact.last_inbound_at, Contact.created_at)
    rows = session.execute(query.order_by(latest.desc(), Contact.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return {"items": [conversation_out(c, conv, username) for c, conv, username in rows], "page": page,
            "per_page": per_page}


def conversation_out(contact: Contact, conversation: Conversation | None, assignee: str | None) -> dict[str, Any]:
    return {
        "id": contact.id, "channel": contact.channel, "agency": contact.agency,
        "status": conversation.status if conversation else "bot",
        "reason": conversation.reason if conversation else None,
        "name": contact.display_name or (mask_phone(contact.phone) if contact.phone else None),
        "assignee": assignee, "unread": conversation.unread if conversation else 0,
        "last_message_at": (conversation.last_message_at if conversation and conversation.last_message_at
                            else contact.last_inbound_at),
        "version": conversation.version if conversation else None,
    }


def find(session: Session, contact_id: int, agencies: list[str] | None) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None or (agencies is not None and contact.agency not in agencies):
        raise LookupError("no such conversation")
    return contact


def detail(session: Session, contact: Contact) -> dict[str, Any]:
    conversation = session.get(Conversation, contact.id)
    assignee = session.get(User, conversation.assignee_id) if conversation and conversation.assignee_id else None
    messages = list(session.scalars(select(Message).where(Message.contact_id == contact.id)
                                    .order_by(Message.id.desc()).limit(HISTORY)))
    notes = session.scalars(select(Note).where(Note.conversation_id == contact.id).order_by(Note.id))
    return conversation_out(contact, conversation, assignee.username if assignee else None) | {
        "messages": [{"id": m.id, "direction": m.direction, "text": m.text, "intent": m.intent,
                      "from": "citizen" if m.direction == "in" else "officer" if m.intent == "officer" else "bot",
                      "at": m.created_at} for m in reversed(messages)],
        "notes": [{"id": n.id, "author": n.author, "text": n.text, "at": n.created_at} for n in notes],
    }


def _held(session: Session, contact: Contact) -> Conversation:
    conversation = session.get(Conversation, contact.id)
    if conversation is None:
        conversation = Conversation(id=contact.id, status="bot", unread=0)
        session.add(conversation)
    return conversation


def reply(session: Session, contact: Contact, *, user_id: int, text: str, now: datetime) -> Outgoing:
    """An officer's answer: kept in the history as the officer's, and the conversation is theirs (``open``)."""
    conversation = _held(session, contact)
    if conversation.status != "open":
        conversation.status, conversation.handed_at = "open", conversation.handed_at or now
        conversation.reason = conversation.reason or "officer"
    conversation.assignee_id = conversation.assignee_id or user_id
    conversation.unread, conversation.last_message_at, conversation.resolved_at = 0, now, None
    session.add(Message(contact_id=contact.id, direction="out", text=text, intent="officer", created_at=now))
    return Outgoing(contact.id, contact.channel, text)


def note(session: Session, contact: Contact, *, user_id: int, author: str, text: str, now: datetime) -> Note:
    conversation = _held(session, contact)
    session.flush()
    added = Note(conversation_id=conversation.id, user_id=user_id, author=author, text=text, created_at=now)
    session.add(added)
    session.flush()
    return added


def resolve(session: Session, contact: Contact, *, now: datetime, back: str) -> Outgoing:
    """Officers are done: the bot answers again, and says so (``back``)."""
    conversation = session.get(Conversation, contact.id)
    if conversation is None or conversation.status not in QUIET:
        raise InboxError("the conversation is not held by officers")
    conversation.status, conversation.resolved_at, conversation.unread = "resolved", now, 0
    session.add(Message(contact_id=contact.id, direction="out", text=back, intent="handback", created_at=now))
    return Outgoing(contact.id, contact.channel, back)

