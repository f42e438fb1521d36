"""The audit log for admins: who viewed a photo or revealed a NIK, who changed a case, when, from where."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AuditEntry
from bot.web.auth import AdminOnly
from bot.web.deps import RuntimeDep
from bot.web.errors import documented

router = APIRouter(prefix="/api/audit", tags=["audit"])


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str | None
    address: str | None
    detail: dict[str, Any] | None


@router.get("", response_model=list[AuditOut], dependencies=[AdminOnly], responses=documented(401, 403))
async def audit_log(rt: RuntimeDep,
                    action: Annotated[str | None, Query(max_length=40, description="e.g. nik.reveal")] = None,
                    object_id: Annotated[str | None, Query(max_length=40, description="e.g. a ticket")] = None,
                    before: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="entries older than this id")
                                      ] = None,
                    limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[AuditOut]:
    """Newest first; page back with ``before`` = the last id seen."""
    def read(session: Session) -> list[AuditOut]:
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if action:
            query = query.where(AuditEntry.action == action)
        if object_id:
            query = query.where(AuditEntry.object_id == object_id)
        if before:
            query = query.where(AuditEntry.id < before)
        return [AuditOut(id=a.id, at=a.at, actor=a.actor, action=a.action, object_type=a.object_type,
                         object_id=a.object_id, address=a.address, detail=a.detail) for a in session.scalars(query)]
    return await rt.transact(read)
