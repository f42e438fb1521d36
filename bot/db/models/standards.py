"""Service standards changed while the service runs (``dinsos-bot kb import FILE --apply``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base, UTCDateTime, utcnow


class KnowledgeVersion(Base):
    """One applied version of an agency's knowledge (the file ``knowledge/data/<slug>.yaml`` would hold): the
    newest per agency is what every process answers from, instead of the file installed with the code. Older
    ones stay, as the history of what citizens were told when."""

    __tablename__ = "knowledge_versions"
    __table_args__ = (Index("ix_knowledge_versions_agency", "agency", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(200))  # the file it came from
    author: Mapped[str] = mapped_column(String(60))  # who applied it (the operator's login)
    summary: Mapped[list[str]] = mapped_column(JSON, default=list)  # what changed, as `kb import` showed it
    # SHA-256 of knowledge/data/<agency>.yaml as installed when this was applied: an upgrade that ships a new
    # file is noticed (the applied version still counts until an operator decides)
    base_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
