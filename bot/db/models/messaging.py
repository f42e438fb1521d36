"""Messages in and out: deliveries as received, downloads, the outbox and provider statuses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base, UTCDateTime, utcnow


class Inbound(Base):
    """Every provider delivery, stored before anything else happens (keyed for idempotency).

    A repeated delivery hits the unique key and is a no-op; a row left ``received`` (the process died
    before answering) is picked up again by the worker.
    """

    __tablename__ = "inbound"
    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_inbound_channel_external"),
        Index("ix_inbound_status", "status", "id"),
        Index("ix_inbound_sender", "channel", "sender", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(80))  # Twilio MessageSid, Telegram update_id
    sender: Mapped[str] = mapped_column(String(64), default="")  # phone or chat id: one sender, in order
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="received")  # received | processed | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(300))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Media(Base):
    """A photo or document a citizen sent: fetched by the worker, typed from its bytes, stored by hash."""

    __tablename__ = "media"
    __table_args__ = (Index("ix_media_status", "status", "next_attempt_at"),
                      Index("ix_media_contact", "contact_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    inbound_id: Mapped[int] = mapped_column(ForeignKey("inbound.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(500))  # Twilio media URL, or Telegram file_id (never a file URL)
    declared_type: Mapped[str | None] = mapped_column(String(100))
    file_name: Mapped[str | None] = mapped_column(String(200))
    declared_size: Mapped[int | None] = mapped_column(BigInteger)  # bytes, as the provider announced them
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | stored | rejected | failed
    content_type: Mapped[str | None] = mapped_column(String(40))
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)  # as stored (at most 2048 px)
    height: Mapped[int | None] = mapped_column(Integer)
    quality: Mapped[str | None] = mapped_column(String(8))  # ok | small | blurry (images only)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Outbox(Base):
    """Every message to send, written in the same transaction as what caused it; workers claim and send.

    status: pending -> sending (leased) -> queued/sent/delivered/read (provider), or failed/undelivered
    (provider, final) or dead (gave up after retries) or skipped (an announcement to a contact who opted out).
    ``rank`` orders provider statuses.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_contact", "contact_id", "id"),
        Index("ix_outbox_open_contact", "contact_id", "id", postgresql_where=text("status IN ('pending', 'sending')"),
              sqlite_where=text("status IN ('pending', 'sending')")),  # the claim's per-contact order check
        Index("ix_outbox_provider_id", "provider_id"),
        Index("ix_outbox_templates", "channel", "template_only", "created_at"),  # WhatsApp's daily limit
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20), default="reply")  # reply | notification | announcement
    body: Mapped[str] = mapped_column(Text)
    choices: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    template: Mapped[str | None] = mapped_column(String(60))  # name of a configured WhatsApp template
    template_variables: Mapped[dict[str, str] | None] = mapped_column(JSON)
    # Sent as the template even inside the 24-hour window (queued again after a 63016, or sent as one)
    template_only: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    leased_by: Mapped[str | None] = mapped_column(String(60))
    provider_id: Mapped[str | None] = mapped_column(String(64))
    error_code: Mapped[str | None] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ProviderStatus(Base):
    """The furthest delivery status a provider reported for a message id, even before we knew the id."""

    __tablename__ = "provider_statuses"

    provider_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class WorkerHeartbeat(Base):
    """A worker's last sign of life (``/readyz`` wants a recent one): one row per worker process."""

    __tablename__ = "worker_heartbeats"

    worker_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SendLimit(Base):
    """A sending limit shared by every process: a provider account's rate, or the pace of one chat.

    ``tat`` ("theoretical arrival time", seconds since the epoch) is the state of the generic cell rate algorithm
    (``bot.messaging.pacing``): one number per key, advanced atomically by whoever sends next.
    """

    __tablename__ = "send_limits"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    tat: Mapped[float] = mapped_column(Float)
