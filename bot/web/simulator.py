"""The web chat simulator: a citizen's chat with the bot, no credentials needed.

The simulator is a channel like WhatsApp and Telegram: the browser session is the contact.
"""

from __future__ import annotations

import inspect
import math
import secrets
from collections.abc import Awaitable
from pathlib import Path
from typing import Annotated, TypeVar

from fastapi import APIRouter, Cookie, Depends, HTTPException, Request, Response
from fastapi.responses import HTMLResponse
from itsdangerous import BadSignature, Signer
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from bot.conversation import converse
from bot.db import repo
from bot.ratelimit import Busy, Gate, KeyedBuckets
from bot.runtime import Runtime
from bot.web.deps import engine, runtime
from handlers import messages
from handlers.engine import Engine
from handlers.types import InboundMessage

router = APIRouter()
COOKIE = "sim_session"
CHANNEL = "simulator"
PAGE = (Path(__file__).resolve().parent / "templates" / "simulator.html").read_text(encoding="utf-8")
T = TypeVar("T")


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


class Sessions:
    """Simulator sessions: ids made by the server and signed with SECRET_KEY, so a client cannot choose one
    (two clients choosing the same id would share a conversation) and a forged cookie is simply a new visitor."""

    def __init__(self, secret: str) -> None:
        self.signer = Signer(secret, salt="simulator-session")

    def read(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            return self.signer.unsign(cookie).decode()
        except BadSignature:
            return None

    def start(self, request: Request, response: Response) -> str:
        token = secrets.token_urlsafe(24)
        response.set_cookie(COOKIE, self.signer.sign(token).decode(), max_age=60 * 60 * 24 * 30, httponly=True,
                            samesite="lax", secure=request.url.scheme == "https")
        return token


class Fairness:
    """One process's share of the simulator: per-session and per-address rates, and few transactions at once,
    so that a flood of simulator visitors cannot delay webhook storage or the health check."""

    def __init__(self, rate: float) -> None:
        self.per_session = KeyedBuckets(rate, burst=8)
        self.per_address = KeyedBuckets(rate * 20, burst=40)
        self.gate = Gate(concurrent=2, queue=16)

    def check(self, address: str, session: str | None) -> None:
        wait = max(self.per_address.take(address), self.per_session.take(session) if session else 0.0)
        if wait > 0:
            raise HTTPException(429, messages.SIMULATOR_TOO_FAST, headers={"Retry-After": str(math.ceil(wait))})


def _state(request: Request) -> tuple[Sessions, Fairness]:
    app = request.app
    if not hasattr(app.state, "simulator"):
        settings = app.state.runtime.settings
        app.state.simulator = (Sessions(settings.secret_key), Fairness(settings.simulator_rate))
    return app.state.simulator  # type: ignore[no-any-return]


async def _guarded(fairness: Fairness, work: Awaitable[T]) -> T:
    try:
        async with fairness.gate.enter():
            return await work
    except Busy:
        if inspect.iscoroutine(work):
            work.close()
        raise HTTPException(503, messages.SIMULATOR_BUSY, headers={"Retry-After": "1"}) from None


@router.get("/simulator", response_class=HTMLResponse, include_in_schema=False)
async def simulator_page() -> HTMLResponse:
    return HTMLResponse(PAGE, headers={"Content-Security-Policy": "default-src 'self'; style-src 'self'; "
                                       "script-src 'self'; img-src 'self' data:"})


@router.get("/api/simulator/agencies", response_model=list[AgencyOut], tags=["simulator"])
async def agencies(bot: Annotated[Engine, Depends(engine)]) -> list[AgencyOut]:
    return [AgencyOut(slug=a.slug, name=a.name, region=a.region) for a in bot.kb.agencies.values()]


@router.post("/api/simulator/messages", response_model=SimulatorReplyOut, tags=["simulator"],
             responses={429: {"description": "too many messages from this visitor"},
                        503: {"description": "the simulator is busy"}})
async def send_message(
    body: SimulatorMessageIn, request: Request, response: Response,
    rt: Annotated[Runtime, Depends(runtime)], sim_session: Annotated[str | None, Cookie()] = None,
) -> SimulatorReplyOut:
    bot = rt.engine
    if body.agency is not None and body.agency not in bot.kb.agencies:
        raise HTTPException(422, f"unknown agency {body.agency!r}; known: {', '.join(bot.kb.agencies)}")
    sessions, fairness = _state(request)
    user = sessions.read(sim_session)
    fairness.check(request.client.host if request.client else "?", user)
    user = user or sessions.start(request, response)
    message = InboundMessage(CHANNEL, user, body.text, body.agency)
    reply = await _guarded(fairness, rt.transact(converse, engine=bot, message=message))
    return SimulatorReplyOut(
        replies=[BotMessageOut(text=o.text, choices=[ChoiceOut(key=c.key, label=c.label) for c in o.choices])
                 for o in reply.messages],
        intent=reply.intent, service=reply.service, aspect=reply.aspect, agency=reply.agency,
    )


@router.get("/api/simulator/history", response_model=list[HistoryItemOut], tags=["simulator"])
async def get_history(request: Request, rt: Annotated[Runtime, Depends(runtime)],
                      sim_session: Annotated[str | None, Cookie()] = None) -> list[HistoryItemOut]:
    sessions, fairness = _state(request)
    user = sessions.read(sim_session)
    if user is None:
        return []
    return await _guarded(fairness, rt.transact(_history, user))


def _history(session: Session, user: str) -> list[HistoryItemOut]:
    contact = repo.find_contact(session=session, channel=CHANNEL, external_id=user)
    if contact is None:  # reading writes nothing
        return []
    return [HistoryItemOut(direction=r.direction, text=r.text)
            for r in repo.history(session=session, contact_id=contact.id)]


@router.post("/api/simulator/reset", status_code=204, tags=["simulator"])
async def reset(request: Request, rt: Annotated[Runtime, Depends(runtime)],
                sim_session: Annotated[str | None, Cookie()] = None) -> Response:
    sessions, fairness = _state(request)
    user = sessions.read(sim_session)
    if user is not None:
        await _guarded(fairness, rt.transact(_reset, user))
    return Response(status_code=204)


def _reset(session: Session, user: str) -> None:
    contact = repo.find_contact(session=session, channel=CHANNEL, external_id=user)
    if contact is not None:
        repo.clear_conversation(session=session, contact_id=contact.id)
        contact.agency = None
