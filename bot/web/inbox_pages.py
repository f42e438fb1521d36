"""A conversation in the officers' inbox (``/inbox/{id}``): the whole history with each outgoing message's
delivery tick (a failed one with its reason and a retry button), the citizen's photos (each view audited),
replying (WhatsApp's 24-hour window said), private notes, assigning, resolving, the bot's answer from the
standard to insert and edit, and the case panel with the procedure's actions. Live by Server-Sent Events: the
history and notes are re-read when the conversation changes, the reply being typed is kept. Every action is
the JSON API's (``bot.web.inbox_api``, ``bot.web.cases_api``), with the same role and agency checks."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from sse_starlette.sse import EventSourceResponse

from bot.cases import views
from bot.db.models import Case, utcnow
from bot.inbox import conversations as inbox
from bot.messaging.conversation import respond
from bot.officers.accounts import Officer
from bot.web import canned_api, cases_api, inbox_api
from bot.web.auth import client_address
from bot.web.deps import MAX_ID, RuntimeDep
from bot.web.pages import CHANNEL_WORDS, STATUS_WORDS, csrf_ok, render, signed_in, when
from handlers.types import ConversationState, InboundMessage

router = APIRouter(include_in_schema=False)
TICKS = {"pending": ("🕓", "dalam antrean"), "sending": ("🕓", "sedang dikirim"), "accepted": ("✓", "terkirim"),
         "queued": ("✓", "terkirim"), "scheduled": ("✓", "terkirim"), "sent": ("✓", "terkirim"),
         "delivered": ("✓✓", "diterima"), "read": ("✓✓", "dibaca"), "failed": ("✗", "gagal"),
         "undelivered": ("✗", "tidak sampai"), "dead": ("✗", "gagal"), "canceled": ("✗", "dibatalkan"),
         "skipped": ("–", "tidak dikirim")}
FAILED = {"failed", "undelivered", "dead", "canceled"}
CASE_ACTIONS = {"advance": "Lanjut ke tahap berikutnya", "wait": "Menunggu data warga", "resume": "Lanjutkan",
                "resolve": "Selesaikan", "reject": "Tolak (bukan wewenang)"}
EVERY = 1.5  # seconds between two looks at a conversation for the live page
SENDER_WORDS = {"citizen": "Warga", "bot": "Bot", "officer": "Petugas"}


def _agencies(who: Officer) -> list[str] | None:
    return None if who.is_admin else [who.agency] if who.agency else []


def _shown(error: HTTPException) -> str:
    shown = {404: "Percakapan tidak ditemukan.", 409: "Percakapan sudah diubah petugas lain. Halaman dimuat ulang."}
    if error.status_code == 409 and "announcement" in str(error.detail):
        return "Pengumuman dikirim ulang dari halaman siarannya (Kirim ulang yang gagal)."
    if error.status_code == 409 and "24-hour" in str(error.detail):
        return ("Pesan ini ditolak karena di luar 24 jam WhatsApp; bila template disetujui, sudah dikirim ulang "
                "sebagai template. Tunggu warga mengirim pesan lebih dulu.")
    if error.status_code == 400 and "label" in str(error.detail):
        return "Label hanya huruf, angka, spasi, - atau _ (paling panjang 30), paling banyak 10 label."
    return shown.get(error.status_code, str(error.detail))


async def _load(rt: RuntimeDep, who: Officer, conversation_id: int) -> dict[str, Any]:
    if not 1 <= conversation_id <= MAX_ID:
        raise HTTPException(404, "no such conversation")
    return await rt.transact(inbox_api.full, who, conversation_id)


def _zone(rt: RuntimeDep, agency: str | None) -> str:
    found = rt.engine.kb.agencies.get(agency or "")
    return found.timezone if found else "Asia/Jakarta"


def _entries(rt: RuntimeDep, found: dict[str, Any]) -> list[dict[str, Any]]:
    zone = _zone(rt, found["agency"])
    return [e | {"who": SENDER_WORDS[e["from"]], "when": when(e["at"], zone),
                 "tick": TICKS.get(e.get("status") or "", ("", "")), "failed": e.get("status") in FAILED}
            for e in found["timeline"]]


def _cases(session: Session, rt: RuntimeDep, who: Officer, contact_id: int) -> list[dict[str, Any]]:
    """The citizen's latest cases that ``who`` may see (a contact may have written to another agency before)."""
    rows = session.scalars(select(Case).where(Case.contact_id == contact_id).order_by(Case.id.desc()).limit(3))
    return [views.detail(session, rt.engine.kb, case, utcnow()) for case in rows if who.sees(case.agency)]


async def _page(request: Request, rt: RuntimeDep, who: Officer, conversation_id: int, *, error: str | None = None,
                status: int = 200, reply: str = "", inserted: dict[str, str] | None = None,
                question: str = "") -> Response:
    try:
        found = await _load(rt, who, conversation_id)
    except HTTPException as missing:
        return render(request, rt, "message.html", status=missing.status_code, who=who, section="inbox",
                      title="Percakapan tidak ditemukan", text="Percakapan ini tidak ada, atau milik dinas lain.")
    cases = await rt.transact(_cases, rt, who, conversation_id)
    officers = await rt.transact(inbox.officers, found["agency"])
    templated = "notification" in rt.settings.twilio_templates
    replies = await rt.transact(canned_api.visible_to, who)
    seen = mark(await rt.transact(inbox.fingerprint, conversation_id))
    return render(request, rt, "conversation.html", status=status, who=who, section="inbox", c=found,
                  entries=_entries(rt, found), status_words=STATUS_WORDS, channel_words=CHANNEL_WORDS,
                  cases=cases, case_actions=CASE_ACTIONS, officers=officers, error=error, reply=reply,
                  inserted=inserted, question=question, templated=templated, mark=seen, canned=replies,
                  notes=[n | {"when": when(n["at"], _zone(rt, found["agency"]))} for n in found["notes"]])


async def _officer(request: Request, rt: RuntimeDep) -> Officer | Response:
    who = await signed_in(request, rt)
    return RedirectResponse("/login", status_code=303) if who is None else who


class Marks:
    """The latest fingerprints, shared by every live page of this process for about a second: fifty officers
    watching one agency's inbox cost one query a second, not fifty."""

    def __init__(self, ttl: float = 1.0) -> None:
        self.ttl = ttl
        self.found: dict[tuple[Any, ...], tuple[float, str]] = {}

    async def get(self, rt: RuntimeDep, key: tuple[Any, ...], read: Any, *args: Any) -> str:
        now = time.monotonic()
        cached = self.found.get(key)
        if cached is None or now - cached[0] > self.ttl:  # (two readers at once both read: harmless)
            if len(self.found) > 10_000:
                self.found.clear()
            cached = self.found[key] = (now, mark(await rt.transact(read, *args)))
        return cached[1]


MARKS = Marks()


def mark(found: tuple[Any, ...]) -> str:
    """A fingerprint as the page carries it (what its live stream compares with, so nothing between the page's
    rendering and the stream's start is missed)."""
    return json.dumps(found, default=str)


@router.get("/inbox/events")
async def list_events(request: Request, rt: RuntimeDep, since: str = "") -> Response:
    """``changed`` whenever the inbox list differs from ``since`` (the page's mark) or changes later."""
    who = await signed_in(request, rt)
    if who is None:
        return Response(status_code=401)
    agencies = _agencies(who)

    async def stream() -> AsyncIterator[dict[str, str]]:
        last = since[:500]
        while not await request.is_disconnected():
            now = await MARKS.get(rt, ("list", tuple(agencies or ()), agencies is None), inbox.list_fingerprint,
                                  agencies)
            if now != last:
                last = now
                yield {"event": "changed", "data": "{}"}
            await asyncio.sleep(EVERY)

    return EventSourceResponse(stream(), ping=15)


@router.get("/inbox/{conversation_id}", response_class=HTMLResponse)
async def conversation_page(conversation_id: int, request: Request, rt: RuntimeDep, q: str = "",
                            canned: int = 0) -> Response:
    """``q``: insert the bot's answer to it; ``canned``: insert that canned reply (without script: /shortcut
    in the reply box does the same with it)."""
    who = await _officer(request, rt)
    if isinstance(who, Response):
        return who
    question = q.strip()[:300]
    inserted = None
    if question:
        inserted = await _answer(rt, who, conversation_id, question)
    reply = inserted["text"] if inserted else ""
    if canned:
        chosen = [r for r in await rt.transact(canned_api.visible_to, who) if r["id"] == canned]
        reply = chosen[0]["text"] if chosen else ""
    return await _page(request, rt, who, conversation_id, reply=reply, inserted=inserted, question=question)


async def _answer(rt: RuntimeDep, who: Officer, conversation_id: int, question: str) -> dict[str, str] | None:
    """The bot's answer to ``question`` for the conversation's agency (its source line included), to edit."""
    try:
        found = await _load(rt, who, conversation_id)
    except HTTPException:
        return None
    state = ConversationState(agency=found["agency"], subscribed=True, offered=True)
    reply = respond(rt.engine, InboundMessage("inbox", "inbox", question, found["agency"]), state)
    if reply.intent in ("fallback", "handoff", "empty"):
        return {"text": "", "intent": reply.intent}
    return {"text": reply.text, "intent": reply.intent}


@router.get("/inbox/{conversation_id}/live", response_class=HTMLResponse)
async def live_part(conversation_id: int, request: Request, rt: RuntimeDep) -> Response:
    """The history and notes alone (what the live page swaps in)."""
    who = await signed_in(request, rt)
    if who is None:
        return Response(status_code=401)
    try:
        found = await _load(rt, who, conversation_id)
    except HTTPException as missing:
        return Response(status_code=missing.status_code)
    return render(request, rt, "conversation_live.html", c=found, entries=_entries(rt, found),
                  notes=[n | {"when": when(n["at"], _zone(rt, found["agency"]))} for n in found["notes"]])


@router.get("/inbox/{conversation_id}/events")
async def events(conversation_id: int, request: Request, rt: RuntimeDep, since: str = "") -> Response:
    """``changed`` whenever the conversation differs from ``since`` (the page's mark) or changes later: a message
    in or out, a delivery tick, a note, an assignment."""
    who = await signed_in(request, rt)
    if who is None:
        return Response(status_code=401)
    try:
        await _load(rt, who, conversation_id)
    except HTTPException as missing:
        return Response(status_code=missing.status_code)

    async def stream() -> AsyncIterator[dict[str, str]]:
        last = since[:500]
        while not await request.is_disconnected():
            now = await MARKS.get(rt, ("conversation", conversation_id), inbox.fingerprint, conversation_id)
            if now != last:
                last = now
                yield {"event": "changed", "data": json.dumps({"id": conversation_id, "mark": now})}
            await asyncio.sleep(EVERY)

    return EventSourceResponse(stream(), ping=15)


@router.get("/inbox/{conversation_id}/photos/{media_id}")
async def photo(conversation_id: int, media_id: int, request: Request, rt: RuntimeDep) -> Response:
    who = await signed_in(request, rt)
    if who is None:
        return Response(status_code=401)
    if not (1 <= conversation_id <= MAX_ID and 1 <= media_id <= MAX_ID):
        return Response(status_code=404)
    try:
        return await inbox_api.photo_response(rt, who, conversation_id, media_id, client_address(request))
    except HTTPException as error:
        return Response(status_code=error.status_code)


@router.post("/inbox/{conversation_id}/{action}", response_class=HTMLResponse)
async def act(conversation_id: int, action: str, request: Request, rt: RuntimeDep,
              csrf: Annotated[str, Form(max_length=100)] = "", text: Annotated[str, Form(max_length=5000)] = "",
              username: Annotated[str, Form(max_length=60)] = "",
              version: Annotated[int | None, Form(ge=1)] = None,
              outbox_id: Annotated[int, Form(ge=0, le=MAX_ID)] = 0) -> Response:
    """reply, note, labels, assign, resolve, retry: the API's actions from the page's forms."""
    who = await _officer(request, rt)
    if isinstance(who, Response):
        return who
    if not csrf_ok(request, csrf):
        return await _page(request, rt, who, conversation_id, status=403, reply=text,
                           error="Sesi formulir kedaluwarsa. Pesan Anda masih di kotak balasan: kirim lagi.")
    if not 1 <= conversation_id <= MAX_ID:
        return await _page(request, rt, who, 0)
    text = text.strip()
    try:
        if action in ("reply", "note"):
            if not text:
                return await _page(request, rt, who, conversation_id, status=400, error="Pesan masih kosong.")
            if len(text) > 1500:
                return await _page(request, rt, who, conversation_id, status=400, reply=text,
                                   error=f"Pesan terlalu panjang ({len(text)} karakter; paling banyak 1500).")
            body = inbox_api.TextIn(text=text)
            if action == "reply":
                await inbox_api.send_message(conversation_id, body, who, rt, request)
            else:
                await inbox_api.add_note(conversation_id, body, who, rt, request)
        elif action == "assign":
            await inbox_api.assign(conversation_id, inbox_api.AssignIn(username=username or None, version=version),
                                   request, who, rt)
        elif action == "labels":
            await inbox_api.put_labels(conversation_id, inbox_api.LabelsIn(labels=text.split(",")[:10]), who, rt)
        elif action == "resolve":
            await _resolve(rt, who, conversation_id, version, request)
        elif action == "retry":
            await inbox_api.retry(conversation_id, outbox_id, who, rt)
        else:
            return await _page(request, rt, who, 0)
    except HTTPException as error:
        return await _page(request, rt, who, conversation_id, status=error.status_code, error=_shown(error),
                           reply=text if action == "reply" else "")
    return RedirectResponse(f"/inbox/{conversation_id}", status_code=303)


async def _resolve(rt: RuntimeDep, who: Officer, conversation_id: int, version: int | None,
                   request: Request) -> None:
    if version is not None:
        found = await _load(rt, who, conversation_id)
        if found["version"] is not None and found["version"] != version:
            raise HTTPException(409, "the conversation changed since you read it")
    await inbox_api.resolve(conversation_id, who, rt, request)


@router.post("/inbox/{conversation_id}/case/{ticket}/{action}", response_class=HTMLResponse)
async def case_action(conversation_id: int, ticket: str, action: str, request: Request, rt: RuntimeDep,
                      csrf: Annotated[str, Form(max_length=100)] = "", note: Annotated[str, Form(max_length=1000)] = "",
                      version: Annotated[int | None, Form(ge=1)] = None) -> Response:
    """The case panel's actions: the cases API's, the citizen told in the same transaction."""
    who = await _officer(request, rt)
    if isinstance(who, Response):
        return who
    if not csrf_ok(request, csrf):
        return await _page(request, rt, who, conversation_id, status=403,
                           error="Sesi formulir kedaluwarsa. Muat ulang halaman, lalu coba lagi.")
    if action not in CASE_ACTIONS or len(ticket) > 20:
        return await _page(request, rt, who, 0)
    body = cases_api.ActionIn(note=note.strip() or None, version=version)
    try:
        answer = await cases_api.act_on_case(ticket, action, body, request, who, rt)  # type: ignore[arg-type]
    except HTTPException as error:
        shown = "Pengaduan tidak ditemukan." if error.status_code == 404 else str(error.detail)
        return await _page(request, rt, who, conversation_id, status=error.status_code, error=shown)
    if isinstance(answer, JSONResponse):  # 409: another officer acted first, or the state does not allow it
        return await _page(request, rt, who, conversation_id, status=409,
                           error="Pengaduan sudah diubah petugas lain atau tindakan ini tidak berlaku pada "
                                 "tahapnya sekarang. Periksa panel pengaduan.")
    return RedirectResponse(f"/inbox/{conversation_id}", status_code=303)
