"""Who the bot talks with, and what it remembers of each conversation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base, UTCDateTime, utcnow


class Contact(Base):
    """One person on one channel (a WhatsApp number, a Telegram chat, a simulator session)."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_contacts_channel_external"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(128))
    agency: Mapped[str | None] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164, from WhatsApp or a shared Telegram contact
    display_name: Mapped[str | None] = mapped_column(String(120))
    last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Announcements: only after the citizen typed LANGGANAN; BERHENTI/STOP (or the provider's opt-out) ends it
    subscribed: Mapped[bool] = mapped_column(Boolean, default=False)
    subscription_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    subscription_source: Mapped[str | None] = mapped_column(String(40))  # e.g. "whatsapp: langganan"
    unreachable: Mapped[bool] = mapped_column(Boolean, default=False)  # blocked us / opted out at the provider
    unreachable_reason: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ConversationStateRow(Base):
    """What the bot remembers about a contact's conversation (context, pending question)."""

    __tablename__ = "conversation_states"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    form_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a pengaduan form in progress, last touched
    form_reminded: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Message(Base):
    """Every message in and out, in order, for the conversation history."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_contact_created", "contact_id", "id"),
                      Index("ix_messages_direction_created", "direction", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(3))  # "in" or "out"
    text: Mapped[str] = mapped_column(Text)
    choices: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)  # buttons shown with it (survive a reload)
    intent: Mapped[str | None] = mapped_column(String(30))
    service: Mapped[str | None] = mapped_column(String(80))
    aspect: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
