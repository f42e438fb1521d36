"""Complaints (pengaduan) as cases: the case, its history, its photos, and the satisfaction survey after it.

A case's ``status`` is one of four fixed types (``CaseStatus``); its step is the index into ``steps``, the
agency's procedure copied at opening with each step's due time, so a later change of the standard never
rewrites an open case. Personal data: the NIK is stored encrypted (``nik_sealed``) with a keyed hash for
look-ups (``nik_hash``) and masked (``nik_masked``: its last four digits are what a citizen quotes with a
ticket from another channel).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base, UTCDateTime, utcnow


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_agency_status", "agency", "status", "id"),
        Index("ix_cases_contact", "contact_id", "id"),
        Index("ix_cases_nik_hash", "nik_hash", "topic", "status"),
        Index("ix_cases_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket: Mapped[str] = mapped_column(String(16), unique=True)
    agency: Mapped[str] = mapped_column(String(40))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str] = mapped_column(String(40))  # what it is about (handlers.complaint_form.TOPICS)
    service: Mapped[str | None] = mapped_column(String(80))  # the agency's service that fixes it, if any
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | waiting | resolved | rejected
    step: Mapped[int] = mapped_column(Integer, default=1)  # 1-based index into ``steps``
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # name, actor, due_at, done_at, from_standard
    procedure_source: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the whole case's due time
    name: Mapped[str | None] = mapped_column(String(120))
    nik_sealed: Mapped[str | None] = mapped_column(Text)
    nik_hash: Mapped[str | None] = mapped_column(String(64))
    nik_masked: Mapped[str | None] = mapped_column(String(16))  # "6301********0002": shown to officers
    kecamatan: Mapped[str | None] = mapped_column(String(80))
    desa: Mapped[str | None] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str | None] = mapped_column(String(20))
    priority: Mapped[str] = mapped_column(String(12), default="normal")  # normal | high | urgent
    priority_note: Mapped[str | None] = mapped_column(String(200))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the clock pauses while waiting
    version: Mapped[int] = mapped_column(Integer, default=1)  # bumped by every change: stale writers get 409
    feedback: Mapped[str | None] = mapped_column(String(12))  # the citizen's "sudah selesai?" answer
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # personal data deleted (retention)

    # Every UPDATE says "WHERE version = <the version read>" and bumps it: of two officers acting at once,
    # the second changes nothing and gets StaleDataError (the API's 409).
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (read once by the mapper)


class CaseEvent(Base):
    """One entry of a case's history: a transition, an assignment, a message or a note."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case", "case_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(60))  # "warga", "sistem", or the officer's username
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))
    from_step: Mapped[int | None] = mapped_column(Integer)
    to_step: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))  # the case's status after it
    public_note: Mapped[str | None] = mapped_column(Text)  # told to the citizen
    internal_note: Mapped[str | None] = mapped_column(Text)  # officers only


class CasePhoto(Base):
    """A document of the case's checklist: a photo the citizen sent (``media_id``), or recorded as missing."""

    __tablename__ = "case_photos"
    __table_args__ = (Index("ix_case_photos_case", "case_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    item: Mapped[str] = mapped_column(String(80))  # which document ("KTP", "Kartu KKS")
    source: Mapped[str | None] = mapped_column(String(500))  # the provider's reference, until downloaded
    media_id: Mapped[int | None] = mapped_column(ForeignKey("media.id", ondelete="SET NULL"))
    missing: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveyResponse(Base):
    """The SKM after a case (PermenPANRB 14/2017): nine unsur answered 1-4, one survey per case."""

    __tablename__ = "survey_responses"
    __table_args__ = (Index("ix_survey_agency_created", "agency", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), unique=True)
    agency: Mapped[str] = mapped_column(String(40))
    answers: Mapped[list[int]] = mapped_column(JSON)  # the unsur answered so far, in order
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LocalHoliday(Base):
    """A day an agency's office is closed besides the national holidays and cuti bersama (an admin adds it):
    no case's clock runs on it."""

    __tablename__ = "local_holidays"
    __table_args__ = (UniqueConstraint("agency", "day", name="uq_local_holidays_agency_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency: Mapped[str] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(120))
    created_by: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StatusLabel(Base):
    """How this deployment words a status type (the type is fixed, its label an admin's choice, as
    FixMyStreet keeps them apart); without a row, ``handlers.messages.CASE_STATUS_LABELS``."""

    __tablename__ = "status_labels"

    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    label: Mapped[str] = mapped_column(String(60))
    updated_by: Mapped[str | None] = mapped_column(String(60))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
