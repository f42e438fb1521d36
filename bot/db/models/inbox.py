"""The officers' side of a conversation: who holds it (the bot, or officers), its private notes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base, UTCDateTime, utcnow


class Conversation(Base):
    """A contact's conversation as the inbox sees it (one per contact, the same id). ``status``: ``bot`` (the bot
    answers), ``waiting`` (handed to officers, the bot is quiet), ``open`` (an officer holds it), ``resolved``
    (an officer closed it; the bot answers again)."""

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_status", "status", "last_message_at"),
                      Index("ix_conversations_latest", "last_message_at", "id"),
                      Index("ix_conversations_updated", "updated_at"))

    id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), default="bot")
    reason: Mapped[str | None] = mapped_column(String(20))  # why it was handed over: asked, not-helped, upset, case
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    handed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    unread: Mapped[int] = mapped_column(Integer, default=0)  # citizen messages since an officer last looked
    # Any change (a message, an assignment, a label, a note): what the inbox's live list compares
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (read once by the mapper)


class Note(Base):
    """A private note of an officer on a conversation: never sent to the citizen."""

    __tablename__ = "conversation_notes"
    __table_args__ = (Index("ix_conversation_notes_conversation", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CannedReply(Base):
    """A ready answer officers insert by typing ``/shortcut`` (managed by admins and supervisors); ``agency``
    None: for every agency."""

    __tablename__ = "canned_replies"
    __table_args__ = (UniqueConstraint("agency", "shortcut", name="uq_canned_replies_shortcut"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency: Mapped[str | None] = mapped_column(String(40))
    shortcut: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(60))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Label(Base):
    """A label officers put on a conversation (``kks``, ``pkh``, ``mendesak``...), to find it again."""

    __tablename__ = "conversation_labels"
    __table_args__ = (Index("ix_conversation_labels_label", "label"),)

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    label: Mapped[str] = mapped_column(String(30), primary_key=True)
