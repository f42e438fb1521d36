"""The officers' inbox in the JSON API (the inbox pages use the same actions): conversations handed over by the
bot, a reply to the citizen through the outbox, private notes, resolving (the bot answers again). An officer sees
the conversations of their agency; another agency's is 404, as one that does not exist."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bot.channels.whatsapp_twilio.outbound import inside_window
from bot.db.models import AuditEntry, Outbox, utcnow
from bot.errors import Conflict
from bot.inbox import conversations as inbox
from bot.messaging import dead_letters, files, outbox
from bot.messaging.runtime import Runtime
from bot.messaging.statuses import WINDOW_CLOSED_CODE
from bot.officers.accounts import Officer, audit
from bot.web.auth import OfficerDep, client_address
from bot.web.deps import RuntimeDep
from bot.web.errors import documented
from handlers import messages as m

router = APIRouter(prefix="/api/conversations", tags=["inbox"])
SEEN = timedelta(minutes=10)  # one audited view of a photo per officer in this time
IdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]
Status = Literal["bot", "waiting", "open", "resolved"]


class ConversationOut(BaseModel):
    id: int
    channel: str
    agency: str | None
    status: Status
    reason: str | None = Field(description="why the bot handed it over: asked, not-helped, officer")
    name: str | None = Field(description="the citizen's display name or masked number")
    assignee: str | None
    unread: int
    last_message_at: datetime | None
    version: int | None
    labels: list[str] = []
    overdue: bool = Field(False, description="the citizen has a case past its due time (in lists)")


class ConversationListOut(BaseModel):
    items: list[ConversationOut]
    page: int
    per_page: int


class MessageOut(BaseModel):
    id: int
    direction: Literal["in", "out"]
    sender: Literal["citizen", "bot", "officer"] = Field(alias="from")
    text: str
    intent: str | None
    at: datetime


class NoteOut(BaseModel):
    id: int
    author: str
    text: str
    at: datetime


class EntryOut(BaseModel):
    sender: Literal["citizen", "bot", "officer"] = Field(alias="from")
    text: str
    at: datetime
    status: str | None = Field(None, description="an outgoing message's delivery: pending, sending, queued, sent, "
                                                 "delivered, read, failed, undelivered, dead, skipped")
    error: str | None = None
    outbox_id: int | None = None
    media_id: int | None = Field(None, description="a photo or document the citizen sent (GET .../photos/{id})")


class ConversationDetailOut(ConversationOut):
    messages: list[MessageOut]
    notes: list[NoteOut]
    timeline: list[EntryOut] = Field(description="what the citizen sent and every message that went out, with "
                                                 "its delivery status")
    window_open: bool | None = Field(description="WhatsApp: whether free text can still be sent (24 hours after the "
                                                 "citizen's last message); None on other channels")


class LabelsIn(BaseModel):
    labels: list[str] = Field(max_length=10, description="1-30 letters, digits, spaces, '-' or '_' each")


class AssignIn(BaseModel):
    username: str | None = Field(None, max_length=60, description="an officer of the agency; null: nobody")
    version: int | None = Field(None, ge=1, description="the version you saw: a change since is 409")


class TextIn(BaseModel):
    text: str = Field(min_length=1, max_length=1500)


def _agencies(who: Officer) -> list[str] | None:
    return None if who.is_admin else [who.agency] if who.agency else []


def _text(body: TextIn) -> str:
    text = body.text.strip()
    if not text:
        raise HTTPException(400, "the text is empty")
    return text


def _contact(session: Session, who: Officer, conversation_id: int) -> Any:
    try:
        return inbox.find(session, conversation_id, _agencies(who))
    except LookupError:
        raise HTTPException(404, "no such conversation") from None


@router.get("", response_model=ConversationListOut, responses=documented(401))
async def list_conversations(who: OfficerDep, rt: RuntimeDep, status: Annotated[Status | None, Query()] = None,
                             label: Annotated[str | None, Query(max_length=30)] = None,
                             page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                             per_page: Annotated[int, Query(ge=1, le=200)] = inbox.PAGE) -> dict[str, Any]:
    """Latest activity first; without ``status``, every conversation officers have had."""
    return await rt.transact(inbox.listing, _agencies(who), status=status, page=page, per_page=per_page,
                             label=label)


def full(session: Session, who: Officer, conversation_id: int) -> dict[str, Any]:
    """The detail, the timeline with delivery statuses, and whether WhatsApp's window is open."""
    contact = _contact(session, who, conversation_id)
    window = None
    if contact.channel == "whatsapp":
        window = inside_window(contact.last_inbound_at, utcnow())
    found: dict[str, Any] = inbox.detail(session, contact)
    return found | {"timeline": inbox.timeline(session, contact), "window_open": window}


@router.get("/{conversation_id}", response_model=ConversationDetailOut, responses=documented(401, 404))
async def get_conversation(conversation_id: IdPath, who: OfficerDep, rt: RuntimeDep) -> dict[str, Any]:
    """The conversation with its latest messages (citizen, bot and officers marked), every delivery status, and
    the private notes."""
    return await rt.transact(full, who, conversation_id)


@router.post("/{conversation_id}/assign", response_model=ConversationOut, responses=documented(400, 401, 404, 409))
async def assign(conversation_id: IdPath, body: AssignIn, request: Request, who: OfficerDep,
                 rt: RuntimeDep) -> dict[str, Any]:
    """Give the conversation to an officer of its agency (or nobody); one waiting for officers becomes ``open``."""
    def give(session: Session) -> dict[str, Any]:
        contact = _contact(session, who, conversation_id)
        inbox.assign(session, contact, username=body.username, version=body.version)
        audit(session, who=who, action="conversation.assign", object_type="conversation",
              object_id=str(contact.id), address=client_address(request), detail={"to": body.username})
        session.flush()
        listed: dict[str, Any] = inbox.detail(session, contact)
        return listed

    try:
        return await rt.transact(give)
    except (inbox.StaleConversation, StaleDataError):
        raise HTTPException(409, "the conversation changed since you read it; reload") from None
    except inbox.InboxError as error:
        raise HTTPException(400, str(error)) from None


@router.put("/{conversation_id}/labels", response_model=ConversationOut, responses=documented(400, 401, 404))
async def put_labels(conversation_id: IdPath, body: LabelsIn, who: OfficerDep, rt: RuntimeDep) -> dict[str, Any]:
    """Replace the conversation's labels (find them again with ``?label=`` in the list)."""
    try:
        labels = inbox.clean_labels(body.labels)
    except inbox.InboxError as error:
        raise HTTPException(400, str(error)) from None

    def put(session: Session) -> dict[str, Any]:
        contact = _contact(session, who, conversation_id)
        inbox.set_labels(session, contact, labels)
        session.flush()
        found: dict[str, Any] = inbox.detail(session, contact)
        return found

    return await rt.transact(put)


@router.get("/{conversation_id}/photos/{media_id}", responses=documented(401, 404)
            | {200: {"content": {"image/jpeg": {}, "application/pdf": {}}, "description": "the document"}})
async def photo(conversation_id: IdPath, media_id: IdPath, request: Request, who: OfficerDep,
                rt: RuntimeDep) -> Response:
    """A photo or document the citizen sent, decrypted; every view is audited, never cached."""
    return await photo_response(rt, who, conversation_id, media_id, client_address(request))


async def photo_response(rt: Runtime, who: Officer, conversation_id: int, media_id: int, address: str) -> Response:
    def read(session: Session) -> tuple[str, str]:
        contact = _contact(session, who, conversation_id)
        try:
            media = inbox.media_of(session, contact, media_id)
        except LookupError:
            raise HTTPException(404, "no such photo (not received yet, or purged)") from None
        seen = session.scalar(select(AuditEntry.id).where(
            AuditEntry.object_type == "media", AuditEntry.object_id == str(media.id), AuditEntry.user_id == who.id,
            AuditEntry.action == "photo.view", AuditEntry.at > utcnow() - SEEN).limit(1))
        if seen is None:  # a page that refreshes its history does not add a view every time
            audit(session, who=who, action="photo.view", object_type="media", object_id=str(media.id),
                  address=address, detail={"conversation": contact.id})
        return str(media.sha256), media.content_type or "application/octet-stream"

    sha256, content_type = await rt.transact(read)
    try:
        data = await asyncio.to_thread(files.read, FilePath(rt.settings.media_dir) / sha256[:2] / sha256,
                                       rt.protector)
    except FileNotFoundError:
        raise HTTPException(404, "the file is no longer stored") from None
    return Response(data, media_type=content_type, headers={"Cache-Control": "no-store",
                                                            "Content-Disposition": "inline"})


@router.post("/{conversation_id}/deliveries/{outbox_id}/retry", response_model=EntryOut,
             responses=documented(401, 404, 409))
async def retry(conversation_id: IdPath, outbox_id: IdPath, who: OfficerDep, rt: RuntimeDep) -> dict[str, Any]:
    """Send a failed message of this conversation again."""
    def again(session: Session) -> dict[str, Any]:
        contact = _contact(session, who, conversation_id)
        row = session.get(Outbox, outbox_id)
        if row is None or row.contact_id != contact.id:
            raise HTTPException(404, "no such message in this conversation")
        if row.kind == "announcement":
            raise HTTPException(409, "an announcement is sent again from its broadcast (resend to the failed)")
        if row.error_code == WINDOW_CLOSED_CODE:
            raise HTTPException(409, "refused outside WhatsApp's 24-hour window: it went again as the approved "
                                     "template when one is configured; free text cannot be sent until the citizen "
                                     "writes")
        try:
            dead_letters.retry_message(session, outbox_id=outbox_id)
        except Conflict as error:
            raise HTTPException(409, str(error)) from None
        return {"from": "officer" if row.kind == "officer" else "bot", "text": row.body, "at": row.created_at,
                "status": row.status, "outbox_id": row.id}

    result = await rt.transact(again)
    rt.wakeup.set()
    return result


@router.post("/{conversation_id}/messages", status_code=201, response_model=MessageOut,
             responses=documented(400, 401, 404))
async def send_message(conversation_id: IdPath, body: TextIn, who: OfficerDep, rt: RuntimeDep,
                       request: Request) -> dict[str, Any]:
    """An officer's answer, sent through the outbox; the conversation becomes the officer's (``open``) and the
    bot stays quiet in it until it is resolved."""
    text = _text(body)

    def send(session: Session) -> dict[str, Any]:
        contact = _contact(session, who, conversation_id)
        now = utcnow()
        out = inbox.reply(session, contact, user_id=who.id, text=text, now=now)
        outbox.enqueue(session, contact_id=out.contact_id, channel=out.channel, body=out.body, kind="officer")
        audit(session, who=who, action="conversation.reply", object_type="conversation", object_id=str(contact.id),
              address=client_address(request))
        session.flush()
        return {"id": out.message_id, "direction": "out", "from": "officer", "text": text, "intent": "officer",
                "at": now}

    result = await rt.transact(send)
    rt.wakeup.set()
    return result


@router.post("/{conversation_id}/notes", status_code=201, response_model=NoteOut, responses=documented(400, 401, 404))
async def add_note(conversation_id: IdPath, body: TextIn, who: OfficerDep, rt: RuntimeDep,
                   request: Request) -> dict[str, Any]:
    """A private note for the officers: never sent to the citizen."""
    text = _text(body)

    def add(session: Session) -> dict[str, Any]:
        contact = _contact(session, who, conversation_id)
        added = inbox.note(session, contact, user_id=who.id, author=who.username, text=text, now=utcnow())
        audit(session, who=who, action="conversation.note", object_type="conversation", object_id=str(contact.id),
              address=client_address(request))
        return {"id": added.id, "author": added.author, "text": added.text, "at": added.created_at}

    return await rt.transact(add)


@router.post("/{conversation_id}/resolve", response_model=ConversationOut, responses=documented(401, 404, 409))
async def resolve(conversation_id: IdPath, who: OfficerDep, rt: RuntimeDep, request: Request) -> dict[str, Any]:
    """The officers are done: the bot answers again and tells the citizen so."""
    def close(session: Session) -> dict[str, Any]:
        contact = _contact(session, who, conversation_id)
        out = inbox.resolve(session, contact, now=utcnow(), back=m.HANDOFF_BACK)
        audit(session, who=who, action="conversation.resolve", object_type="conversation",
              object_id=str(contact.id), address=client_address(request))
        outbox.enqueue(session, contact_id=out.contact_id, channel=out.channel, body=out.body, kind="officer")
        session.flush()
        listed: dict[str, Any] = inbox.detail(session, contact)
        return listed

    try:
        result = await rt.transact(close)
    except inbox.InboxError as error:
        raise HTTPException(409, str(error)) from None
    rt.wakeup.set()
    return result
