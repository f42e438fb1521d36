"""Cases for officers: list, detail, the procedure's actions, assignment, a message to the citizen, photos and
the NIK (both audited). Every route checks the role and the agency: a case of another agency is 404, exactly
as one that does not exist. A change on stale data (another officer acted first) is 409 with the current case.
"""

from __future__ import annotations

import asyncio
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bot.cases import notices, views, work
from bot.cases.model import CaseError, Notice, StaleCase
from bot.cases.opening import nik_of
from bot.db.models import Case, CaseEvent, CasePhoto, Media, User, utcnow
from bot.messaging import files
from bot.messaging.casework import queue
from bot.messaging.runtime import Runtime
from bot.officers import accounts
from bot.officers.accounts import Officer
from bot.web.auth import OfficerDep, client_address
from bot.web.deps import RuntimeDep
from bot.web.errors import documented

router = APIRouter(prefix="/api/cases", tags=["cases"])
Action = Literal["advance", "return", "wait", "resume", "resolve", "reject", "reopen"]
TICKET = r"^[A-Za-z]{2,4}-[A-Za-z0-9]{5,8}$"


TicketPath = Annotated[str, Path(pattern=TICKET, description="e.g. TLT-7K3QMR")]


class StepOut(BaseModel):
    index: int
    name: str
    actor: str | None = None
    due_at: str | None = None
    done_at: str | None = None


class CaseOut(BaseModel):
    ticket: str
    agency: str
    status: Literal["open", "waiting", "resolved", "rejected"]
    status_label: str
    step: StepOut
    steps_total: int
    steps: list[StepOut]
    procedure_source: str
    due_at: str = Field(description="ISO 8601 with the agency's offset")
    overdue: bool
    created_at: str
    updated_at: str
    closed_at: str | None
    version: int = Field(description="send it back with an action: a stale one gets 409")
    topic: str
    topic_label: str
    service: str | None
    channel: str
    name: str | None
    nik: str | None = Field(description="masked: 6301********0002")
    kecamatan: str | None
    desa: str | None
    description: str
    phone: str | None
    priority: str
    priority_note: str | None
    assignee: str | None
    feedback: str | None


class EventOut(BaseModel):
    at: str
    actor: str
    action: str
    from_step: int | None
    to_step: int | None
    status: str
    public_note: str | None
    internal_note: str | None


class PhotoOut(BaseModel):
    id: int
    item: str
    missing: bool
    received: bool
    url: str | None


class CaseDetailOut(CaseOut):
    history: list[EventOut]
    photos: list[PhotoOut]


class CaseListOut(BaseModel):
    items: list[CaseOut]
    total: int
    page: int
    per_page: int


class ActionIn(BaseModel):
    note: str | None = Field(None, max_length=1000, description="told to the citizen")
    internal_note: str | None = Field(None, max_length=2000, description="officers only")
    to_step: int | None = Field(None, ge=1, le=100, description="for return: the earlier step")
    version: int | None = Field(None, ge=1, description="the version read: a stale one gets 409")


class AssignIn(BaseModel):
    username: str | None = Field(None, max_length=60, description="null: unassign")
    version: int | None = Field(None, ge=1)


class ExtendIn(BaseModel):
    days: int = Field(ge=1, le=60)
    reason: str = Field(min_length=3, max_length=500)
    version: int | None = Field(None, ge=1)


class PriorityIn(BaseModel):
    priority: Literal["normal", "high", "urgent"]
    note: str | None = Field(None, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$",
                             description="what it means for the officers, e.g. 'selesai hari ini'")
    version: int | None = Field(None, ge=1)


class MessageIn(BaseModel):
    text: str = Field(min_length=1, max_length=1500)


class NikOut(BaseModel):
    nik: str


BulkAction = Literal["advance", "wait", "resume", "resolve", "reject"]


class BulkIn(BaseModel):
    tickets: list[Annotated[str, Field(pattern=TICKET)]] = Field(min_length=1, max_length=work.BULK_MAX)
    note: str | None = Field(None, max_length=1000, description="told to each citizen")
    internal_note: str | None = Field(None, max_length=2000, description="officers only")


class RefusedOut(BaseModel):
    ticket: str
    detail: str


class BulkOut(BaseModel):
    done: list[str] = Field(description="the tickets moved, each citizen told")
    refused: list[RefusedOut] = Field(description="left as they were, with the reason")


def _agencies(who: Officer, rt: Runtime) -> list[str]:
    return list(rt.engine.kb.agencies) if who.is_admin else [who.agency] if who.agency else []


def _find(session: Session, who: Officer, ticket: str) -> Case:
    case = session.scalar(select(Case).where(Case.ticket == ticket.upper()))
    if case is None or not who.sees(case.agency):
        raise HTTPException(404, "no such case")
    return case


@router.get("", response_model=CaseListOut, responses=documented(401, 403))
async def list_cases(who: OfficerDep, rt: RuntimeDep,
                     status: Annotated[Literal["open", "waiting", "resolved", "rejected"] | None, Query()] = None,
                     agency: Annotated[str | None, Query(max_length=40)] = None,
                     step: Annotated[int | None, Query(ge=1, le=100)] = None,
                     overdue: Annotated[bool | None, Query()] = None,
                     assignee: Annotated[str | None, Query(max_length=60, description="a username, or none")] = None,
                     q: Annotated[str | None, Query(max_length=120, description="a ticket or part of a name")] = None,
                     page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                     per_page: Annotated[int, Query(ge=1, le=200)] = views.PAGE) -> dict[str, Any]:
    """Newest first."""
    if agency is not None and agency not in _agencies(who, rt):
        raise HTTPException(403, "this account cannot see that agency's cases")
    filters = views.Filters(status, agency, step, overdue, assignee, q, page, per_page)
    return await rt.transact(views.listing, rt.engine.kb, filters, _agencies(who, rt), utcnow())


@router.get("/{ticket}", response_model=CaseDetailOut, responses=documented(401, 404))
async def get_case(ticket: TicketPath, who: OfficerDep, rt: RuntimeDep) -> dict[str, Any]:
    def read(session: Session) -> dict[str, Any]:
        return views.detail(session, rt.engine.kb, _find(session, who, ticket), utcnow())
    return await rt.transact(read)


async def _change(rt: Runtime, who: Officer, ticket: str, address: str, action: str,
                  change: Any) -> JSONResponse | dict[str, Any]:
    """Run ``change(session, case) -> notices`` with the notices queued in the same transaction; a state that
    does not allow it, or a stale version, is 409 with the current case."""
    def run(session: Session) -> dict[str, Any]:
        case = _find(session, who, ticket)
        notices: list[Notice] = change(session, case)
        queue(session, notices)
        accounts.audit(session, who=who, action=f"case.{action}", object_type="case", object_id=case.ticket,
                       address=address)
        session.flush()
        return views.detail(session, rt.engine.kb, case, utcnow())

    try:
        result: dict[str, Any] = await rt.transact(run)
    except (CaseError, StaleDataError) as error:
        stale = isinstance(error, StaleCase | StaleDataError)
        current = await rt.transact(lambda s: views.detail(s, rt.engine.kb, _find(s, who, ticket), utcnow()))
        detail = "the case changed since you read it" if stale else str(error)
        return JSONResponse({"detail": detail, "case": current}, status_code=409)
    rt.wakeup.set()
    return result


@router.post("/{ticket}/extend", response_model=CaseDetailOut, responses=documented(400, 401, 404, 409))
async def extend_case(ticket: TicketPath, body: ExtendIn, request: Request, who: OfficerDep,
                      rt: RuntimeDep) -> JSONResponse | dict[str, Any]:
    """More working days for the open steps, with the reason the citizen is told."""
    def change(session: Session, case: Case) -> list[Notice]:
        return work.extend(session, case, days=body.days, reason=body.reason, actor=work.Actor(who.username, who.id),
                           now=utcnow(), kb=rt.engine.kb, version=body.version)
    return await _change(rt, who, ticket, client_address(request), "extend", change)


@router.post("/{ticket}/assign", response_model=CaseDetailOut, responses=documented(400, 401, 403, 404, 409))
async def assign_case(ticket: TicketPath, body: AssignIn, request: Request, who: OfficerDep,
                      rt: RuntimeDep) -> JSONResponse | dict[str, Any]:
    """Supervisors and admins assign a case to an officer of its agency (or unassign it)."""
    if not who.supervises:
        raise HTTPException(403, "assigning needs the supervisor or admin role")

    def change(session: Session, case: Case) -> list[Notice]:
        work.current(case, body.version)
        user = None
        if body.username:
            user = session.scalar(select(User).where(User.username == body.username.lower(), User.active.is_(True)))
            if user is None or (user.role != "admin" and user.agency != case.agency):
                raise CaseError(f"no active officer {body.username} in {case.agency}")
        case.assignee_id = user.id if user else None
        case.updated_at = utcnow()
        session.add(CaseEvent(case_id=case.id, at=utcnow(), actor=who.username, user_id=who.id, action="assign",
                              from_step=case.step, to_step=case.step, status=case.status,
                              internal_note=f"ditugaskan ke {user.username}" if user else "tidak ditugaskan"))
        return []
    return await _change(rt, who, ticket, client_address(request), "assign", change)


@router.post("/{ticket}/priority", response_model=CaseDetailOut, responses=documented(400, 401, 403, 404, 409))
async def set_priority(ticket: TicketPath, body: PriorityIn, request: Request, who: OfficerDep,
                       rt: RuntimeDep) -> JSONResponse | dict[str, Any]:
    """Supervisors and admins set how urgent a case is, with what it means (*"selesai hari ini"*); officers see
    it in the list and the case. The citizen is not told."""
    if not who.supervises:
        raise HTTPException(403, "setting the priority needs the supervisor or admin role")

    def change(session: Session, case: Case) -> list[Notice]:
        work.current(case, body.version)
        note = (body.note or "").strip() or None
        case.priority, case.priority_note, case.updated_at = body.priority, note, utcnow()
        session.add(CaseEvent(case_id=case.id, at=utcnow(), actor=who.username, user_id=who.id, action="priority",
                              from_step=case.step, to_step=case.step, status=case.status,
                              internal_note=f"prioritas {body.priority}" + (f": {note}" if note else "")))
        return []
    return await _change(rt, who, ticket, client_address(request), "priority", change)


@router.post("/{ticket}/message", response_model=CaseDetailOut, responses=documented(400, 401, 404, 409))
async def message_citizen(ticket: TicketPath, body: MessageIn, request: Request, who: OfficerDep,
                          rt: RuntimeDep) -> JSONResponse | dict[str, Any]:
    """A message to the citizen about the case, through the outbox (a template outside WhatsApp's window)."""
    def change(session: Session, case: Case) -> list[Notice]:
        if case.contact_id is None:
            raise CaseError("the citizen's conversation no longer exists")
        session.add(CaseEvent(case_id=case.id, at=utcnow(), actor=who.username, user_id=who.id, action="message",
                              from_step=case.step, to_step=case.step, status=case.status, public_note=body.text))
        case.updated_at = utcnow()
        return [notices.for_message(case, body.text)]
    return await _change(rt, who, ticket, client_address(request), "message", change)


@router.post("/{ticket}/nik", response_model=NikOut, responses=documented(401, 404))
async def reveal_nik(ticket: TicketPath, request: Request, who: OfficerDep, rt: RuntimeDep) -> NikOut:
    """The full NIK (audited: who, when, from where)."""
    def read(session: Session) -> str:
        case = _find(session, who, ticket)
        if not case.nik_sealed:
            raise HTTPException(404, "this case holds no NIK (never given, or purged)")
        accounts.audit(session, who=who, action="nik.reveal", object_type="case", object_id=case.ticket,
                       address=client_address(request))
        return nik_of(rt.protector, case.nik_sealed)
    return NikOut(nik=await rt.transact(read))


@router.get("/{ticket}/photos/{photo_id}", responses=documented(401, 404)
            | {200: {"content": {"image/jpeg": {}, "application/pdf": {}}, "description": "the document"}})
async def case_photo(ticket: TicketPath, photo_id: Annotated[int, Path(ge=1, le=2**31 - 1)], request: Request,
                     who: OfficerDep, rt: RuntimeDep) -> Response:
    """One document of the case, decrypted (the view is audited). Never cached by the browser."""
    def read(session: Session) -> tuple[str, str]:
        case = _find(session, who, ticket)
        photo = session.get(CasePhoto, photo_id)
        media = session.get(Media, photo.media_id) if photo is not None and photo.media_id else None
        if photo is None or photo.case_id != case.id or media is None or not media.sha256:
            raise HTTPException(404, "no such photo (not received yet, or purged)")
        accounts.audit(session, who=who, action="photo.view", object_type="case_photo", object_id=str(photo.id),
                       address=client_address(request), detail={"ticket": case.ticket})
        return media.sha256, media.content_type or "application/octet-stream"

    sha256, content_type = await rt.transact(read)
    path = FilePath(rt.settings.media_dir) / sha256[:2] / sha256
    try:
        data = await asyncio.to_thread(files.read, path, rt.protector)
    except FileNotFoundError:
        raise HTTPException(404, "the file is no longer stored") from None
    return Response(data, media_type=content_type,
                    headers={"Cache-Control": "no-store", "Content-Disposition": "inline"})


@router.post("/bulk/{action}", response_model=BulkOut, responses=documented(400, 401, 409))
async def act_on_many(action: BulkAction, body: BulkIn, request: Request, who: OfficerDep,
                      rt: RuntimeDep) -> JSONResponse | dict[str, Any]:
    """The same action on many cases at once ("advance selected"), in one transaction with every citizen's
    notice. A case the action does not fit, or that this account cannot see, is refused with the reason (one
    that cannot be seen reads exactly as one that does not exist) and left as it was; the others move. If
    another officer changed one of them meanwhile, nothing moves: 409, read the list again."""
    wanted = list(dict.fromkeys(t.upper() for t in body.tickets))
    address = client_address(request)

    def run(session: Session) -> dict[str, Any]:
        found = {c.ticket: c for c in session.scalars(select(Case).where(Case.ticket.in_(wanted)))
                 if who.sees(c.agency)}
        cases = [found[t] for t in wanted if t in found]
        told, refused = work.act_many(session, cases, action, actor=work.Actor(who.username, who.id), now=utcnow(),
                                      kb=rt.engine.kb, note=body.note, internal_note=body.internal_note)
        queue(session, told)
        skipped = {r.ticket for r in refused}
        done = [c.ticket for c in cases if c.ticket not in skipped]
        for ticket in done:
            accounts.audit(session, who=who, action=f"case.{action}", object_type="case", object_id=ticket,
                           address=address, detail={"bulk": len(done)})
        session.flush()
        missing = [{"ticket": t, "detail": "no such case"} for t in wanted if t not in found]
        return {"done": done, "refused": [{"ticket": r.ticket, "detail": r.reason} for r in refused] + missing}

    try:
        result: dict[str, Any] = await rt.transact(run)
    except CaseError as error:
        raise HTTPException(400, str(error)) from None
    except StaleDataError:
        return JSONResponse({"detail": "a case changed since you read it: nothing was changed, read again"},
                            status_code=409)
    rt.wakeup.set()
    return result


# Last: the specific routes above (extend, assign, message, nik) must match before this one.
@router.post("/{ticket}/{action}", response_model=CaseDetailOut, responses=documented(400, 401, 404, 409))
async def act_on_case(ticket: TicketPath, action: Action, body: ActionIn, request: Request, who: OfficerDep,
                      rt: RuntimeDep) -> JSONResponse | dict[str, Any]:
    """Move the case: ``advance`` (the last step resolves it), ``return`` to ``to_step`` (a note is required),
    ``wait`` for the citizen (note: what is needed; the clock pauses), ``resume``, ``resolve``, ``reject``
    (note: who can act instead and how to reach them), ``reopen``. The citizen is told in the same transaction."""
    def change(session: Session, case: Case) -> list[Notice]:
        return work.act(session, case, action, actor=work.Actor(who.username, who.id), now=utcnow(),
                        kb=rt.engine.kb, note=body.note, internal_note=body.internal_note, to_step=body.to_step,
                        version=body.version)
    return await _change(rt, who, ticket, client_address(request), action, change)
