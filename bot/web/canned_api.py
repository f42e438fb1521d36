"""Canned replies in the JSON API: officers list the shared ones and their agency's; supervisors add and delete
their agency's, admins any (``agency`` null: shared by every agency)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from bot.db.models import CannedReply, utcnow
from bot.inbox import canned
from bot.officers.accounts import Officer
from bot.web.auth import OfficerDep
from bot.web.deps import MAX_ID, RuntimeDep
from bot.web.errors import documented

router = APIRouter(prefix="/api/canned-replies", tags=["inbox"])


class CannedIn(BaseModel):
    shortcut: str = Field(min_length=1, max_length=31, description="typed as /shortcut in the reply box")
    text: str = Field(min_length=1, max_length=canned.MAX_TEXT)
    agency: str | None = Field(None, max_length=40, description="null: every agency (admins only)")


class CannedOut(BaseModel):
    id: int
    shortcut: str
    text: str
    agency: str | None
    author: str
    updated_at: datetime


def _out(reply: CannedReply) -> dict[str, Any]:
    return {"id": reply.id, "shortcut": reply.shortcut, "text": reply.text, "agency": reply.agency,
            "author": reply.author, "updated_at": reply.updated_at}


def visible_to(session: Session, who: Officer) -> list[dict[str, Any]]:
    return [_out(r) for r in canned.visible(session, None if who.is_admin else [who.agency] if who.agency else [])]


@router.get("", response_model=list[CannedOut], responses=documented(401))
async def list_canned(who: OfficerDep, rt: RuntimeDep) -> list[dict[str, Any]]:
    return await rt.transact(visible_to, who)


def _may_manage(who: Officer, agency: str | None) -> None:
    if not who.supervises:
        raise HTTPException(403, "canned replies are managed by supervisors and admins")
    if not who.is_admin and agency != who.agency:
        raise HTTPException(403, "a supervisor manages their own agency's canned replies")


@router.post("", status_code=201, response_model=CannedOut, responses=documented(400, 401, 403))
async def add_canned(body: CannedIn, who: OfficerDep, rt: RuntimeDep) -> dict[str, Any]:
    _may_manage(who, body.agency)
    if body.agency is not None and body.agency not in rt.engine.kb.agencies:
        raise HTTPException(400, f"unknown agency {body.agency!r}")
    try:
        return await rt.transact(lambda s: _out(canned.add(s, agency=body.agency, shortcut=body.shortcut,
                                                           text=body.text, author=who.username, now=utcnow())))
    except canned.CannedError as error:
        raise HTTPException(400, str(error)) from None


@router.delete("/{reply_id}", status_code=204, responses=documented(401, 403, 404))
async def delete_canned(reply_id: Annotated[int, Path(ge=1, le=MAX_ID)], who: OfficerDep, rt: RuntimeDep) -> None:
    def remove(session: Session) -> None:
        reply = session.get(CannedReply, reply_id)
        if reply is None or not (who.is_admin or reply.agency == who.agency):
            raise HTTPException(404, "no such canned reply")
        _may_manage(who, reply.agency)
        session.delete(reply)

    await rt.transact(remove)
