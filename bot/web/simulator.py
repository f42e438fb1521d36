"""The web chat simulator: a citizen's chat with the bot, no credentials needed.

The simulator is a channel like WhatsApp and Telegram: the browser session is the contact.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Cookie, Depends, HTTPException, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from bot.conversation import converse
from bot.db import repo
from bot.runtime import Runtime
from bot.web.deps import engine, runtime
from handlers.engine import Engine
from handlers.types import InboundMessage

router = APIRouter()
COOKIE = "sim_session"
CHANNEL = "simulator"
PAGE = (Path(__file__).resolve().parent / "templates" / "simulator.html").read_text(encoding="utf-8")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class SimulatorMessageIn(BaseModel):
    text: str = Field(max_length=20_000, description="What the citizen types (up to 20,000 characters).")
    agency: str | None = Field(None, description="Agency slug chosen on the page, or null for none.")


class ChoiceOut(BaseModel):
    key: str
    label: str


class BotMessageOut(BaseModel):
    text: str
    choices: list[ChoiceOut] = []


class SimulatorReplyOut(BaseModel):
    replies: list[BotMessageOut]
    intent: str
    service: str | None
    aspect: str | None
    agency: str | None


class HistoryItemOut(BaseModel):
    direction: str
    text: str


class AgencyOut(BaseModel):
    slug: str
    name: str
    region: str


def _session_id(request: Request, response: Response, current: str | None) -> str:
    if current and _TOKEN.match(current):
        return current
    token = secrets.token_urlsafe(24)
    response.set_cookie(COOKIE, token, max_age=60 * 60 * 24 * 30, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https")
    return token


@router.get("/simulator", response_class=HTMLResponse, include_in_schema=False)
async def simulator_page() -> HTMLResponse:
    return HTMLResponse(PAGE, headers={"Content-Security-Policy": "default-src 'self'; style-src 'self'; "
                                       "script-src 'self'; img-src 'self' data:"})


@router.get("/api/simulator/agencies", response_model=list[AgencyOut], tags=["simulator"])
async def agencies(bot: Annotated[Engine, Depends(engine)]) -> list[AgencyOut]:
    return [AgencyOut(slug=a.slug, name=a.name, region=a.region) for a in bot.kb.agencies.values()]


@router.post("/api/simulator/messages", response_model=SimulatorReplyOut, tags=["simulator"])
async def send_message(
    body: SimulatorMessageIn, request: Request, response: Response,
    rt: Annotated[Runtime, Depends(runtime)], sim_session: Annotated[str | None, Cookie()] = None,
) -> SimulatorReplyOut:
    bot = rt.engine
    if body.agency is not None and body.agency not in bot.kb.agencies:
        raise HTTPException(422, f"unknown agency {body.agency!r}; known: {', '.join(bot.kb.agencies)}")
    user = _session_id(request, response, sim_session)
    reply = await rt.transact(converse, engine=bot, message=InboundMessage(CHANNEL, user, body.text, body.agency))
    return SimulatorReplyOut(
        replies=[BotMessageOut(text=o.text, choices=[ChoiceOut(key=c.key, label=c.label) for c in o.choices])
                 for o in reply.messages],
        intent=reply.intent, service=reply.service, aspect=reply.aspect, agency=reply.agency,
    )


@router.get("/api/simulator/history", response_model=list[HistoryItemOut], tags=["simulator"])
async def get_history(rt: Annotated[Runtime, Depends(runtime)],
                      sim_session: Annotated[str | None, Cookie()] = None) -> list[HistoryItemOut]:
    if not sim_session or not _TOKEN.match(sim_session):
        return []
    return await rt.transact(_history, sim_session)


def _history(session: Session, user: str) -> list[HistoryItemOut]:
    contact = repo.get_or_create_contact(session=session, channel=CHANNEL, external_id=user)
    return [HistoryItemOut(direction=r.direction, text=r.text)
            for r in repo.history(session=session, contact_id=contact.id)]


@router.post("/api/simulator/reset", status_code=204, tags=["simulator"])
async def reset(rt: Annotated[Runtime, Depends(runtime)],
                sim_session: Annotated[str | None, Cookie()] = None) -> Response:
    if sim_session and _TOKEN.match(sim_session):
        await rt.transact(_reset, sim_session)
    return Response(status_code=204)


def _reset(session: Session, user: str) -> None:
    contact = repo.get_or_create_contact(session=session, channel=CHANNEL, external_id=user)
    repo.clear_conversation(session=session, contact_id=contact.id)
    contact.agency = None
