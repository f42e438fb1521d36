"""The web chat simulator: a citizen's chat with the bot, no credentials needed.

The simulator is a channel like WhatsApp and Telegram (``bot.channels.simulator``): a message is stored, answered
by the same processing, and its replies are taken from the outbox when this route returns. The browser session
is the contact; sessions, rates and the gate are in ``bot.web.fairness``.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Cookie, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from bot.channels import simulator as channel
from bot.db import conversations
from bot.messaging import outbox, processing
from bot.messaging.runtime import Runtime
from bot.web.deps import EngineDep, RuntimeDep
from bot.web.errors import documented
from bot.web.fairness import Sessions, in_gate
from bot.web.templates import page

router = APIRouter()
CSP = "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:"


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
    intent: str | None
    service: str | None
    aspect: str | None
    agency: str | None = Field(description="The agency the conversation now has (the page's selector follows it).")


class HistoryItemOut(BaseModel):
    direction: str
    text: str
    choices: list[ChoiceOut] = []


class HistoryOut(BaseModel):
    agency: str | None
    messages: list[HistoryItemOut]


class AgencyOut(BaseModel):
    slug: str
    name: str
    region: str


def _sessions(request: Request) -> Sessions:
    return request.app.state.sim_sessions  # type: ignore[no-any-return]


@router.get("/simulator", response_class=HTMLResponse, include_in_schema=False)
async def simulator_page(request: Request) -> HTMLResponse:
    return page(request, "simulator.html", headers={"Content-Security-Policy": CSP})


@router.get("/api/simulator/agencies", response_model=list[AgencyOut], tags=["simulator"])
async def agencies(bot: EngineDep) -> list[AgencyOut]:
    return [AgencyOut(slug=a.slug, name=a.name, region=a.region) for a in bot.kb.agencies.values()]


@router.post("/api/simulator/messages", response_model=SimulatorReplyOut, tags=["simulator"],
             responses=documented(400, 413, 429, 503))
async def send_message(body: SimulatorMessageIn, request: Request, response: Response, rt: RuntimeDep,
                       sim_session: Annotated[str | None, Cookie()] = None) -> SimulatorReplyOut:
    known = rt.engine.kb.agencies
    if body.agency is not None and body.agency not in known:
        raise RequestValidationError([{"loc": ("body", "agency"), "type": "value_error",
                                       "msg": f"unknown agency {body.agency!r}; known: {', '.join(known)}"}])
    sessions = _sessions(request)
    user = sessions.read(sim_session) or sessions.start(request, response)
    stored = channel.payload(session=user, text=body.text, agency=body.agency)
    await rt.writer.store(channel=channel.CHANNEL, external_id=secrets.token_hex(16), payload=stored, sender=user)
    pulled = await in_gate(request, _answer(rt, user))
    return SimulatorReplyOut(
        replies=[BotMessageOut(text=r.body, choices=[ChoiceOut(**c) for c in r.choices or []]) for r in pulled.rows],
        intent=pulled.intent, service=pulled.service, aspect=pulled.aspect, agency=pulled.agency)


async def _answer(rt: Runtime, user: str) -> outbox.Pulled:
    """Answer what is waiting (ours included, unless the processor already did), then take our replies."""
    await processing.process_waiting(rt)
    return await rt.transact(outbox.take_replies, channel=channel.CHANNEL, external_id=user)


@router.get("/api/simulator/history", response_model=HistoryOut, tags=["simulator"], responses=documented(429, 503))
async def get_history(request: Request, rt: RuntimeDep,
                      sim_session: Annotated[str | None, Cookie()] = None) -> HistoryOut:
    user = _sessions(request).read(sim_session)
    if user is None:
        return HistoryOut(agency=None, messages=[])
    agency, rows = await in_gate(request, rt.transact(conversations.history_of, channel=channel.CHANNEL,
                                                     external_id=user))
    return HistoryOut(agency=agency, messages=[
        HistoryItemOut(direction=r.direction, text=r.text, choices=[ChoiceOut(**c) for c in r.choices or []])
        for r in rows])


@router.post("/api/simulator/reset", status_code=204, tags=["simulator"], responses=documented(429, 503))
async def reset(request: Request, rt: RuntimeDep, sim_session: Annotated[str | None, Cookie()] = None) -> Response:
    user = _sessions(request).read(sim_session)
    if user is not None:
        await in_gate(request, rt.transact(conversations.forget, channel=channel.CHANNEL, external_id=user))
    return Response(status_code=204)
