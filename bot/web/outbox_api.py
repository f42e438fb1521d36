"""The outbox for operators: failed and dead-lettered messages, and retrying them.

These routes need an admin's token (`POST /api/token`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from bot.db.models import Contact, Outbox
from bot.domain.phone import shown
from bot.messaging import dead_letters
from bot.web.auth import AdminOnly
from bot.web.deps import MAX_ID, RuntimeDep
from bot.web.errors import documented

router = APIRouter(prefix="/api/outbox", tags=["outbox"])


class OutboxOut(BaseModel):
    id: int
    channel: str
    kind: str
    to: str
    status: str
    attempts: int
    error_code: str | None
    error: str | None
    provider_id: str | None
    created_at: datetime
    sent_at: datetime | None
    body_preview: str


def _out(session: Session, rows: list[Outbox]) -> list[OutboxOut]:
    result = []
    for row in rows:
        contact = session.get(Contact, row.contact_id)
        to = shown((contact.phone or contact.external_id) if contact else "?")
        result.append(OutboxOut(id=row.id, channel=row.channel, kind=row.kind, to=to, status=row.status,
                                attempts=row.attempts, error_code=row.error_code, error=row.error,
                                provider_id=row.provider_id, created_at=row.created_at, sent_at=row.sent_at,
                                body_preview=row.body[:80]))
    return result


@router.get("", response_model=list[OutboxOut], dependencies=[AdminOnly], responses=documented(401, 403))
async def list_outbox(rt: RuntimeDep,
                      failed: Annotated[bool, Query(description="only failed and dead-lettered rows")] = False,
                      limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[OutboxOut]:
    return await rt.transact(_listing, failed_only=failed, limit=limit)


def _listing(session: Session, *, failed_only: bool, limit: int) -> list[OutboxOut]:
    return _out(session, dead_letters.messages(session, failed_only=failed_only, limit=limit))


@router.get("/counts", dependencies=[AdminOnly], responses=documented(401, 403))
async def count_outbox(rt: RuntimeDep) -> dict[str, int]:
    return await rt.transact(dead_letters.message_counts)


@router.post("/{outbox_id}/retry", response_model=OutboxOut, dependencies=[AdminOnly],
             responses=documented(401, 403, 404, 409))
async def retry_outbox(outbox_id: Annotated[int, Path(ge=1, le=MAX_ID)],
                       rt: RuntimeDep) -> OutboxOut:
    out = await rt.transact(_retry, outbox_id)
    rt.wakeup.set()
    return out


def _retry(session: Session, outbox_id: int) -> OutboxOut:
    return _out(session, [dead_letters.retry_message(session, outbox_id=outbox_id)])[0]
