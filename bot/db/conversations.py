"""Repository functions for contacts and their conversations (run inside ``runtime.transact``)."""

from __future__ import annotations

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


def history(*, session: Session, contact_id: int, limit: int = 200) -> list[Message]:
    rows = session.scalars(
        select(Message).where(Message.contact_id == contact_id).order_by(Message.id.desc()).limit(limit)
    )
    return list(reversed(list(rows)))


def clear_conversation(*, session: Session, contact_id: int) -> None:
    session.execute(delete(Message).where(Message.contact_id == contact_id))
    session.execute(delete(ConversationStateRow).where(ConversationStateRow.contact_id == contact_id))


def history_of(session: Session, *, channel: str, external_id: str) -> tuple[str | None, list[Message]]:
    """A contact's agency and messages, oldest first; nothing is written (an unknown contact has none)."""
    contact = find_contact(session=session, channel=channel, external_id=external_id)
    if contact is None:
        return None, []
    return contact.agency, history(session=session, contact_id=contact.id)


def forget(session: Session, *, channel: str, external_id: str) -> None:
    """Start a contact's conversation over: its messages, remembered state and agency are gone."""
    contact = find_contact(session=session, channel=channel, external_id=external_id)
    if contact is not None:
        clear_conversation(session=session, contact_id=contact.id)
        contact.agency = None
