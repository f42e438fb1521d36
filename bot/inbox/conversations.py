"""Who holds a conversation, the bot or the officers, and what officers do with it.

A conversation is a contact's chat (the same id). ``bot``: the bot answers. ``waiting``: handed to officers
(the citizen typed *petugas*, or the bot could not help twice), the bot is quiet. ``open``: an officer answered
and holds it. ``resolved``: an officer closed it and the bot answers again. The bot's side of the hand-off
(being quiet) is the conversation state's ``handed_off``, which the batch sets from this status at every message.
Functions take a Session; what must be sent is returned for the caller to queue with the change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from bot.db.models import Case, Contact, Media, Message, Outbox, User, utcnow
from bot.db.models.inbox import Conversation, Label, Note
from bot.domain.phone import mask as mask_phone

STATUSES = ("bot", "waiting", "open", "resolved")
QUIET = ("waiting", "open")  # the bot does not answer
PAGE = 50
HISTORY = 200  # the latest messages shown with a conversation


class InboxError(Exception):
    """An action the conversation's state does not allow."""


class StaleConversation(InboxError):
    """Another officer changed the conversation since this one read it."""


@dataclass(frozen=True)
class Outgoing:
    """A message for the citizen, to queue in the transaction of the change."""

    contact_id: int
    channel: str
    body: str
    message_id: int = 0  # the history's row of an officer's reply


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
        unread=Conversation.unread + 1, last_message_at=now, updated_at=now))


def bot_answered(session: Session, contact_ids: list[int], now: datetime) -> None:
    """The citizens wrote and the bot answered: the conversations officers have had (a case's, a resolved one)
    move up the inbox's list too. One statement for a batch."""
    session.execute(update(Conversation).where(Conversation.id.in_(contact_ids)).values(last_message_at=now,
                                                                                       updated_at=now)
                    .execution_options(synchronize_session=False))


def held(session: Session, contact_id: int) -> bool:
    """Whether officers hold the conversation (the bot says nothing in it)."""
    return session.scalar(select(Conversation.status).where(Conversation.id == contact_id)) in QUIET


def system_note(session: Session, contact_id: int, text: str, now: datetime) -> None:
    """A note from the system for the officers holding the conversation (what the bot would have told)."""
    session.add(Note(conversation_id=contact_id, user_id=None, author="sistem", text=text, created_at=now))


def _visible(agencies: list[str] | None) -> Any:
    """Officers see their agency's conversations; admins (``agencies`` None) see all."""
    return True if agencies is None else Contact.agency.in_(agencies)


def listing(session: Session, agencies: list[str] | None, *, status: str | None = None, page: int = 1,
            per_page: int = PAGE, assignee: int | None = None, unassigned: bool = False, query: str = "",
            channel: str | None = None, label: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Newest activity first. Without ``status``: every conversation officers have had (not the bot's alone).
    ``assignee``: one officer's; ``unassigned``: nobody's; ``query``: a name, phone digits or a ticket."""
    if status == "bot":  # also the contacts no officer ever had (no conversation row)
        found = (select(Contact, Conversation, User.username).outerjoin(Conversation, Conversation.id == Contact.id)
                 .where(func.coalesce(Conversation.status, "bot") == "bot"))
    else:  # the conversations officers have had: newest first from an index, the agency's only
        found = select(Contact, Conversation, User.username).join(Conversation, Conversation.id == Contact.id)
        found = found.where(Conversation.status == status) if status else found
    found = found.outerjoin(User, User.id == Conversation.assignee_id).where(_visible(agencies))
    if assignee is not None:
        found = found.where(Conversation.assignee_id == assignee)
    if unassigned:
        found = found.where(Conversation.assignee_id.is_(None))
    if channel:
        found = found.where(Contact.channel == channel)
    if label:
        found = found.where(Contact.id.in_(select(Label.conversation_id).where(Label.label == label.lower())))
    words = query.strip()
    if words:
        digits = "".join(ch for ch in words if ch.isdigit())
        tickets = select(Case.contact_id).where(func.upper(Case.ticket) == words.upper())
        matches: list[Any] = [Contact.display_name.ilike(f"%{words}%"), Contact.id.in_(tickets)]
        if len(digits) >= 4:
            matches.append(Contact.phone.contains(digits.removeprefix("0")))
        found = found.where(or_(*matches))
    order = ((Conversation.last_message_at.desc(), Conversation.id.desc()) if status != "bot" else  # the index
             (func.coalesce(Conversation.last_message_at, Contact.last_inbound_at, Contact.created_at).desc(),
              Contact.id.desc()))
    rows = session.execute(found.order_by(*order)
                           .offset((page - 1) * per_page).limit(per_page)).all()
    ids = [c.id for c, _, _ in rows]
    overdue = select(Case.contact_id).where(Case.contact_id.in_(ids), Case.status.in_(("open", "waiting")),
                                            Case.due_at < (now or utcnow()))
    late = set(session.scalars(overdue)) if ids else set()
    labels = labels_of(session, ids)
    return {"items": [conversation_out(c, conv, username) | {"overdue": c.id in late, "labels": labels.get(c.id, [])}
                      for c, conv, username in rows], "page": page, "per_page": per_page}


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
        "labels": labels_of(session, [contact.id]).get(contact.id, []),
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
    message = Message(contact_id=contact.id, direction="out", text=text, intent="officer", created_at=now)
    session.add(message)
    session.flush()
    return Outgoing(contact.id, contact.channel, text, message.id)


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



def timeline(session: Session, contact: Contact, *, limit: int = HISTORY) -> list[dict[str, Any]]:
    """The conversation as officers read it, oldest first: what the citizen wrote (and the photos they sent),
    and every message that went out (the bot's, officers', notices, announcements) with its delivery status
    (pending, sending, queued, sent, delivered, read, failed...) and the reason of a failure."""
    entries: list[dict[str, Any]] = []
    for m in session.scalars(select(Message).where(Message.contact_id == contact.id, Message.direction == "in")
                             .order_by(Message.id.desc()).limit(limit)):
        entries.append({"from": "citizen", "text": m.text, "at": m.created_at, "order": (m.created_at, 0, m.id)})
    for o in session.scalars(select(Outbox).where(Outbox.contact_id == contact.id)
                             .order_by(Outbox.id.desc()).limit(limit)):
        sender = "officer" if o.kind == "officer" else "bot"
        entries.append({"from": sender, "text": o.body, "at": o.created_at, "status": o.status, "kind": o.kind,
                        "error": " ".join(p for p in (o.error_code, o.error) if p) or None, "outbox_id": o.id,
                        "order": (o.created_at, 1, o.id)})
    for media in session.scalars(select(Media).where(Media.contact_id == contact.id, Media.status == "stored")
                                 .order_by(Media.id.desc()).limit(limit)):
        entries.append({"from": "citizen", "text": "", "at": media.created_at, "media_id": media.id,
                        "content_type": media.content_type, "order": (media.created_at, 0, media.id)})
    entries.sort(key=lambda e: e.pop("order"))
    return entries[-limit:]


def fingerprint(session: Session, contact_id: int) -> tuple[Any, ...]:
    """Changes whenever the conversation does (a message in or out, a delivery status, a note, an assignment):
    what the live page compares."""
    return (
        session.scalar(select(func.max(Message.id)).where(Message.contact_id == contact_id)),
        session.scalar(select(func.max(Outbox.updated_at)).where(Outbox.contact_id == contact_id)),
        session.scalar(select(func.count()).select_from(Note).where(Note.conversation_id == contact_id)),
        session.scalar(select(Conversation.version).where(Conversation.id == contact_id)),
        session.scalar(select(func.count()).select_from(Media).where(Media.contact_id == contact_id,
                                                                   Media.status == "stored")),
        tuple(session.scalars(select(Label.label).where(Label.conversation_id == contact_id).order_by(Label.label))),
    )


def list_fingerprint(session: Session, agencies: list[str] | None) -> tuple[Any, ...]:
    """Changes whenever the inbox list does (a conversation handed over, a message, an assignment)."""
    newest = (select(Conversation.updated_at, Conversation.id).join(Contact, Contact.id == Conversation.id)
              .where(_visible(agencies), Conversation.updated_at.isnot(None))
              .order_by(Conversation.updated_at.desc()).limit(1))  # the index on updated_at, read from its end
    latest = session.execute(newest).first()
    return tuple(latest) if latest else ()


def assign(session: Session, contact: Contact, *, username: str | None, version: int | None = None) -> None:
    """Give the conversation to an officer of its agency (``None``: to nobody); a conversation waiting for
    officers becomes theirs (``open``). ``version``: the one the officer saw (a change since is an error)."""
    conversation = _held(session, contact)
    session.flush()
    if version is not None and conversation.version != version:
        raise StaleConversation("the conversation changed since you read it")
    if username is None:
        conversation.assignee_id = None
        return
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None or (user.role != "admin" and user.agency != contact.agency):
        raise InboxError(f"{username!r} is not an officer of this conversation's agency")
    conversation.assignee_id = user.id
    if conversation.status in ("waiting", "bot", "resolved"):
        conversation.status = "open"
        conversation.reason = conversation.reason or "officer"


def media_of(session: Session, contact: Contact, media_id: int) -> Media:
    media = session.get(Media, media_id)
    if media is None or media.contact_id != contact.id or media.status != "stored" or not media.sha256:
        raise LookupError("no such photo")
    return media


def officers(session: Session, agency: str | None) -> list[str]:
    """Who a conversation of ``agency`` can be assigned to."""
    query = select(User.username).where(User.active.is_(True), User.role.in_(("officer", "supervisor")))
    return list(session.scalars(query.where(User.agency == agency).order_by(User.username)))


LABEL = re.compile(r"^[a-z0-9][a-z0-9 _-]{0,29}$")


def clean_labels(raw: list[str]) -> list[str]:
    """Lower case, spaces folded, each 1-30 letters, digits, space, '-' or '_'; at most 10; no repeats."""
    labels: list[str] = []
    for item in raw:
        label = " ".join(item.lower().split())
        if not label:
            continue
        if not LABEL.match(label):
            raise InboxError(f"a label is 1-30 letters, digits, spaces, '-' or '_': {label[:40]!r}")
        if label not in labels:
            labels.append(label)
    if len(labels) > 10:
        raise InboxError("at most 10 labels")
    return labels


def set_labels(session: Session, contact: Contact, labels: list[str]) -> list[str]:
    conversation = _held(session, contact)
    session.flush()
    session.execute(delete(Label).where(Label.conversation_id == conversation.id))
    session.add_all([Label(conversation_id=conversation.id, label=label) for label in labels])
    conversation.updated_at = utcnow()  # the list shows labels: its live copy must see the change
    return labels


def labels_of(session: Session, ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    if ids:
        for cid, label in session.execute(select(Label.conversation_id, Label.label)
                                          .where(Label.conversation_id.in_(ids)).order_by(Label.label)):
            found.setdefault(cid, []).append(label)
    return found
