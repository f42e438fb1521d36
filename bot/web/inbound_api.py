"""Stored deliveries for operators: the ones that could not be answered, and answering one again.

These routes need an admin's token (`POST /api/token`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from bot.db.models import Inbound
from bot.domain.phone import shown
from bot.messaging import dead_letters
from bot.web.auth import AdminOnly
from bot.web.deps import MAX_ID, RuntimeDep
from bot.web.errors import documented

router = APIRouter(prefix="/api/inbound", tags=["inbound"])


class InboundOut(BaseModel):
    id: int
    channel: str
    sender: str
    status: str
    attempts: int
    error: str | None
    received_at: datetime
    processed_at: datetime | None


def _out(row: Inbound) -> InboundOut:
    return InboundOut(id=row.id, channel=row.channel, sender=shown(row.sender), status=row.status,
                      attempts=row.attempts, error=row.error, received_at=row.received_at,
                      processed_at=row.processed_at)


@router.get("", response_model=list[InboundOut], dependencies=[AdminOnly], responses=documented(401, 403))
async def list_inbound(rt: RuntimeDep,
                       failed: Annotated[bool, Query(description="only deliveries that could not be answered")] = False,
                       limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[InboundOut]:
    return await rt.transact(_listing, failed_only=failed, limit=limit)


def _listing(session: Session, *, failed_only: bool, limit: int) -> list[InboundOut]:
    return [_out(row) for row in dead_letters.deliveries(session, failed_only=failed_only, limit=limit)]


@router.post("/{inbound_id}/retry", response_model=InboundOut, dependencies=[AdminOnly],
             responses=documented(401, 403, 404, 409))
async def retry_inbound(inbound_id: Annotated[int, Path(ge=1, le=MAX_ID)],
                        rt: RuntimeDep) -> InboundOut:
    out = await rt.transact(_retry, inbound_id)
    rt.inbound_ready.set()
    return out


def _retry(session: Session, inbound_id: int) -> InboundOut:
    return _out(dead_letters.retry_delivery(session, inbound_id=inbound_id))
