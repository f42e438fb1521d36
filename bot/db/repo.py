"""Repository functions for conversations (keyword-only arguments; run inside ``runtime.transact``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import Contact, ConversationStateRow, Message


def find_contact(*, session: Session, channel: str, external_id: str) -> Contact | None:
    return session.scalar(select(Contact).where(Contact.channel == channel, Contact.external_id == external_id))


def get_or_create_contact(*, session: Session, channel: str, external_id: str) -> Contact:
    found = session.scalar(
        select(Contact).where(Contact.channel == channel, Contact.external_id == external_id)
    )
    if found:
        return found
    contact = Contact(channel=channel, external_id=external_id)
    try:
        with session.begin_nested():
            session.add(contact)
    except IntegrityError:  # created concurrently by another request
        found = session.scalar(
            select(Contact).where(Contact.channel == channel, Contact.external_id == external_id)
        )
        assert found is not None
        return found
    return contact


def load_state(*, session: Session, contact_id: int) -> dict[str, Any]:
    row = session.get(ConversationStateRow, contact_id, with_for_update=True)
    return dict(row.state) if row else {}


def save_state(*, session: Session, contact_id: int, state: dict[str, Any]) -> None:
    row = session.get(ConversationStateRow, contact_id)
    if row is None:
        session.add(ConversationStateRow(contact_id=contact_id, state=state))
    else:
        row.state = state


def add_message(*, session: Session, contact_id: int, direction: str, text: str,
                intent: str | None = None, service: str | None = None, aspect: str | None = None) -> Message:
    message = Message(contact_id=contact_id, direction=direction, text=text, intent=intent, service=service,
                      aspect=aspect)
    session.add(message)
    return message


def history(*, session: Session, contact_id: int, limit: int = 200) -> list[Message]:
    rows = session.scalars(
        select(Message).where(Message.contact_id == contact_id).order_by(Message.id.desc()).limit(limit)
    )
    return list(reversed(list(rows)))


def clear_conversation(*, session: Session, contact_id: int) -> None:
    session.execute(delete(Message).where(Message.contact_id == contact_id))
    session.execute(delete(ConversationStateRow).where(ConversationStateRow.contact_id == contact_id))
