"""Repository functions: every query the service makes lives here (keyword-only arguments)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Contact, ConversationStateRow, Message


async def get_or_create_contact(*, session: AsyncSession, channel: str, external_id: str) -> Contact:
    found = await session.scalar(
        select(Contact).where(Contact.channel == channel, Contact.external_id == external_id)
    )
    if found:
        return found
    contact = Contact(channel=channel, external_id=external_id)
    try:
        async with session.begin_nested():
            session.add(contact)
    except IntegrityError:  # created concurrently by another request
        found = await session.scalar(
            select(Contact).where(Contact.channel == channel, Contact.external_id == external_id)
        )
        assert found is not None
        return found
    return contact


async def load_state(*, session: AsyncSession, contact_id: int) -> dict[str, Any]:
    row = await session.get(ConversationStateRow, contact_id, with_for_update=True)
    return dict(row.state) if row else {}


async def save_state(*, session: AsyncSession, contact_id: int, state: dict[str, Any]) -> None:
    row = await session.get(ConversationStateRow, contact_id)
    if row is None:
        session.add(ConversationStateRow(contact_id=contact_id, state=state))
    else:
        row.state = state


async def add_message(*, session: AsyncSession, contact_id: int, direction: str, text: str,
                      intent: str | None = None, service: str | None = None, aspect: str | None = None
                      ) -> Message:
    message = Message(contact_id=contact_id, direction=direction, text=text, intent=intent, service=service,
                      aspect=aspect)
    session.add(message)
    return message


async def history(*, session: AsyncSession, contact_id: int, limit: int = 200) -> list[Message]:
    rows = await session.scalars(
        select(Message).where(Message.contact_id == contact_id).order_by(Message.id.desc()).limit(limit)
    )
    return list(reversed(list(rows)))


async def clear_conversation(*, session: AsyncSession, contact_id: int) -> None:
    await session.execute(delete(Message).where(Message.contact_id == contact_id))
    await session.execute(delete(ConversationStateRow).where(ConversationStateRow.contact_id == contact_id))
