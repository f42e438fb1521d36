"""Announcements sent to many (schedules of KKS card distribution, aid disbursement): the broadcast, and one row
per recipient so that nobody's outcome is ever unknown."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base, UTCDateTime, utcnow


class Broadcast(Base):
    """``status``: draft -> scheduled -> sending (<-> paused) -> done, or cancelled. The recipients are frozen
    (``BroadcastRecipient`` rows) when sending starts; ``paced_from``/``paced_count`` anchor the send rate (set
    again at each resume)."""

    __tablename__ = "broadcasts"
    __table_args__ = (Index("ix_broadcasts_status", "status", "send_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # channel, kecamatan, desa, service
    status: Mapped[str] = mapped_column(String(10), default="draft")
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(300))  # why it paused itself, or is held (daily limit)
    paced_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    counted_from: Mapped[datetime | None] = mapped_column(UTCDateTime)  # failures count from here (start, resume)
    paced_count: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # released per channel at paced_from
    released: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # released per channel, ever
    # A schedule the bot also answers with until it ends ("kapan pembagian KKS?")
    schedule_what: Mapped[str | None] = mapped_column(String(120))
    schedule_where: Mapped[str | None] = mapped_column(String(120))
    schedule_until: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (read once by the mapper)


class BroadcastRecipient(Base):
    """One contact of a broadcast. ``status``: pending (not released yet), queued (in the outbox: its row tells
    what happened next), skipped (not sent, ``error`` says why)."""

    __tablename__ = "broadcast_recipients"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "contact_id", name="uq_broadcast_recipients_contact"),
        Index("ix_broadcast_recipients_status", "broadcast_id", "status", "id"),
        Index("ix_broadcast_recipients_outbox", "outbox_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(300))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
