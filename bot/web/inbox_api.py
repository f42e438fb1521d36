"""The officers' inbox in the JSON API (the inbox pages use the same actions): conversations handed over by the
bot, a reply to the citizen through the outbox, private notes, resolving (the bot answers again). An officer sees
the conversations of their agency; another agency's is 404, as one that does not exist."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from bot.db.models import utcnow
from bot.inbox import conversations as inbox
from bot.messaging import outbox
from bot.officers.accounts import Officer
from bot.web.auth import OfficerDep
from bot.web.deps import RuntimeDep
from bot.web.errors import documented
from handlers import messages as m

router = APIRouter(prefix="/api/conversations", tags=["inbox"])
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


class ConversationDetailOut(ConversationOut):
    messages: list[MessageOut]
    notes: list[NoteOut]


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
                             page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                             per_page: Annotated[int, Query(ge=1, le=200)] = inbox.PAGE) -> dict[str, Any]:
    """Latest activity first; without ``status``, every conversation officers have had."""
    return await rt.transact(inbox.listing, _agencies(who), status=status, page=page, per_page=per_page)


@router.get("/{conversation_id}", response_model=ConversationDetailOut, responses=documented(401, 404))
async def get_conversation(conversation_id: IdPath, who: OfficerDep, rt: RuntimeDep) -> dict[str, Any]:
    """The conversation with its latest messages (citizen, bot and officers marked) and the private notes."""
    return await rt.transact(lambda s: inbox.detail(s, _contact(s, who, conversation_id)))


@router.post("/{conversation_id}/messages", status_code=201, response_model=MessageOut,
             responses=documented(400, 401, 404))
async def send_message(conversation_id: IdPath, body: TextIn, who: OfficerDep, rt: RuntimeDep) -> dict[str, Any]:
    """An officer's answer, sent through the outbox; the conversation becomes the officer's (``open``) and the
    bot stays quiet in it until it is resolved."""
    text = _text(body)

    def send(session: Session) -> dict[str, Any]:
        contact = _contact(session, who, conversation_id)
        now = utcnow()
        out = inbox.reply(session, contact, user_id=who.id, text=text, now=now)
        outbox.enqueue(session, contact_id=out.contact_id, channel=out.channel, body=out.body, kind="officer")
        session.flush()
        return {"id": 0, "direction": "out", "from": "officer", "text": text, "intent": "officer", "at": now}

    result = await rt.transact(send)
    rt.wakeup.set()
    return result


@router.post("/{conversation_id}/notes", status_code=201, response_model=NoteOut, responses=documented(400, 401, 404))
async def add_note(conversation_id: IdPath, body: TextIn, who: OfficerDep, rt: RuntimeDep) -> dict[str, Any]:
    """A private note for the officers: never sent to the citizen."""
    text = _text(body)

    def add(session: Session) -> dict[str, Any]:
        contact = _contact(session, who, conversation_id)
        added = inbox.note(session, contact, user_id=who.id, author=who.username, text=text, now=utcnow())
        return {"id": added.id, "author": added.author, "text": added.text, "at": added.created_at}

    return await rt.transact(add)


@router.post("/{conversation_id}/resolve", response_model=ConversationOut, responses=documented(401, 404, 409))
async def resolve(conversation_id: IdPath, who: OfficerDep, rt: RuntimeDep) -> dict[str, Any]:
    """The officers are done: the bot answers again and tells the citizen so."""
    def close(session: Session) -> dict[str, Any]:
        contact = _contact(session, who, conversation_id)
        out = inbox.resolve(session, contact, now=utcnow(), back=m.HANDOFF_BACK)
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
