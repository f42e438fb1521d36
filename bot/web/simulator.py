"""The web chat simulator: a citizen's chat with the bot, no credentials needed.

The simulator is a channel like WhatsApp and Telegram: the browser session is the contact.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Cookie, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from bot.conversation import converse
from bot.db import repo
from bot.runtime import Runtime
from bot.web.deps import engine, runtime
from bot.web.errors import documented
from bot.web.fairness import Sessions, in_gate
from handlers.engine import Engine
from handlers.types import InboundMessage

router = APIRouter()
CHANNEL = "simulator"
PAGE = (Path(__file__).resolve().parent / "templates" / "simulator.html").read_text(encoding="utf-8")


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


def _sessions(request: Request) -> Sessions:
    return request.app.state.sim_sessions  # type: ignore[no-any-return]


@router.get("/simulator", response_class=HTMLResponse, include_in_schema=False)
async def simulator_page() -> HTMLResponse:
    return HTMLResponse(PAGE, headers={"Content-Security-Policy": "default-src 'self'; style-src 'self'; "
                                       "script-src 'self'; img-src 'self' data:"})


@router.get("/api/simulator/agencies", response_model=list[AgencyOut], tags=["simulator"])
async def agencies(bot: Annotated[Engine, Depends(engine)]) -> list[AgencyOut]:
    return [AgencyOut(slug=a.slug, name=a.name, region=a.region) for a in bot.kb.agencies.values()]


@router.post("/api/simulator/messages", response_model=SimulatorReplyOut, tags=["simulator"],
             responses=documented(400, 413, 429, 503))
async def send_message(
    body: SimulatorMessageIn, request: Request, response: Response,
    rt: Annotated[Runtime, Depends(runtime)], sim_session: Annotated[str | None, Cookie()] = None,
) -> SimulatorReplyOut:
    bot = rt.engine
    if body.agency is not None and body.agency not in bot.kb.agencies:
        raise RequestValidationError([{"loc": ("body", "agency"), "type": "value_error",
                                       "msg": f"unknown agency {body.agency!r}; known: {', '.join(bot.kb.agencies)}"}])
    sessions = _sessions(request)
    user = sessions.read(sim_session) or sessions.start(request, response)
    message = InboundMessage(CHANNEL, user, body.text, body.agency)
    reply = await in_gate(request, rt.transact(converse, engine=bot, message=message))
    return SimulatorReplyOut(
        replies=[BotMessageOut(text=o.text, choices=[ChoiceOut(key=c.key, label=c.label) for c in o.choices])
                 for o in reply.messages],
        intent=reply.intent, service=reply.service, aspect=reply.aspect, agency=reply.agency,
    )


@router.get("/api/simulator/history", response_model=list[HistoryItemOut], tags=["simulator"],
            responses=documented(429, 503))
async def get_history(request: Request, rt: Annotated[Runtime, Depends(runtime)],
                      sim_session: Annotated[str | None, Cookie()] = None) -> list[HistoryItemOut]:
    user = _sessions(request).read(sim_session)
    if user is None:
        return []
    return await in_gate(request, rt.transact(_history, user))


def _history(session: Session, user: str) -> list[HistoryItemOut]:
    contact = repo.find_contact(session=session, channel=CHANNEL, external_id=user)
    if contact is None:  # reading writes nothing
        return []
    return [HistoryItemOut(direction=r.direction, text=r.text)
            for r in repo.history(session=session, contact_id=contact.id)]


@router.post("/api/simulator/reset", status_code=204, tags=["simulator"], responses=documented(429, 503))
async def reset(request: Request, rt: Annotated[Runtime, Depends(runtime)],
                sim_session: Annotated[str | None, Cookie()] = None) -> Response:
    user = _sessions(request).read(sim_session)
    if user is not None:
        await in_gate(request, rt.transact(_reset, user))
    return Response(status_code=204)


def _reset(session: Session, user: str) -> None:
    contact = repo.find_contact(session=session, channel=CHANNEL, external_id=user)
    if contact is not None:
        repo.clear_conversation(session=session, contact_id=contact.id)
        contact.agency = None
