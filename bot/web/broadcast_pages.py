"""The broadcast pages (``/admin/broadcasts``), for supervisors (their agency) and admins (every agency): the list,
composing (kept as a draft that shows its recipients before anything is sent), a broadcast with its progress
live (Server-Sent Events) and its actions, the per-recipient report. Every action is the JSON API's
(``bot.web.broadcasts_api``), with the same checks; the pages only turn forms into its calls and its errors
into Indonesian."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sse_starlette.sse import EventSourceResponse

from bot.broadcasts import campaigns
from bot.officers.accounts import Officer
from bot.web import broadcasts_api as api
from bot.web.auth import client_address
from bot.web.deps import MAX_ID, RuntimeDep
from bot.web.pages import csrf_ok, forged, render, staff
from handlers import messages as m

router = APIRouter(include_in_schema=False)
STATUS_WORDS = {"draft": "draf", "scheduled": "terjadwal", "sending": "sedang dikirim", "paused": "dijeda",
                "cancelled": "dibatalkan", "done": "selesai"}
COUNT_WORDS = {"pending": "belum dikirim", "queued": "dalam antrean", "sent": "terkirim", "delivered": "diterima",
               "read": "dibaca", "failed": "gagal", "skipped": "dilewati"}
ACTION_WORDS = {"send": "Kirim", "pause": "Jeda", "resume": "Lanjutkan", "cancel": "Batalkan",
                "resend-failed": "Kirim ulang yang gagal"}
LIVE = {"sending", "scheduled", "paused"}  # states whose page follows the progress live
EVERY = 1.0  # seconds between two progress events


async def _staff(request: Request, rt: RuntimeDep) -> Officer | Response:
    return await staff(request, rt, section="broadcasts", text="Siaran hanya untuk supervisor dan admin.")


def _shown(error: HTTPException) -> str:
    return getattr(error, "shown", None) or "Permintaan tidak dapat diproses."


def _agencies(rt: RuntimeDep, who: Officer) -> list[Any]:
    return [a for a in rt.engine.kb.agencies.values() if who.sees(a.slug)]


def _local(moment: datetime | None, agency: str, rt: RuntimeDep) -> str:
    found = rt.engine.kb.agencies.get(agency)
    zone = found.timezone if found else "Asia/Jakarta"
    return moment.astimezone(ZoneInfo(zone)).strftime("%d/%m/%Y %H.%M") if moment else ""


def _preview(rt: RuntimeDep, agency: str, text: str) -> str:
    found = rt.engine.kb.agencies.get(agency)
    return m.ANNOUNCEMENT.format(agency=found.name if found else agency, text=text)


@router.get("/admin/broadcasts", response_class=HTMLResponse)
async def list_page(request: Request, rt: RuntimeDep) -> Response:
    who = await _staff(request, rt)
    if isinstance(who, Response):
        return who
    listed = await api.list_broadcasts(who, rt, None, None, 1, api.PAGE)
    rows = [b | {"status_words": STATUS_WORDS[b["status"]], "when": _local(b["created_at"], b["agency"], rt)}
            for b in listed["items"]]
    return render(request, rt, "broadcasts.html", who=who, section="broadcasts", rows=rows)


def _form_defaults(who: Officer, rt: RuntimeDep) -> dict[str, str]:
    first = _agencies(rt, who)
    return {"agency": who.agency or (first[0].slug if first else ""), "text": "", "channel": "", "kecamatan": "",
            "desa": "", "send_at": "", "what": "", "where": "", "until": ""}


@router.get("/admin/broadcasts/new", response_class=HTMLResponse)
async def compose_page(request: Request, rt: RuntimeDep) -> Response:
    who = await _staff(request, rt)
    if isinstance(who, Response):
        return who
    return render(request, rt, "broadcast_new.html", who=who, section="broadcasts", form=_form_defaults(who, rt),
                  agencies=_agencies(rt, who), error=None, limit=campaigns.MAX_TEXT)


@router.post("/admin/broadcasts", response_class=HTMLResponse)
async def compose(request: Request, rt: RuntimeDep, csrf: Annotated[str, Form(max_length=100)] = "",
                  agency: Annotated[str, Form(max_length=40)] = "", text: Annotated[str, Form(max_length=5000)] = "",
                  channel: Annotated[str, Form(max_length=20)] = "",
                  kecamatan: Annotated[str, Form(max_length=200)] = "",
                  desa: Annotated[str, Form(max_length=200)] = "", send_at: Annotated[str, Form(max_length=40)] = "",
                  what: Annotated[str, Form(max_length=300)] = "", where: Annotated[str, Form(max_length=300)] = "",
                  until: Annotated[str, Form(max_length=20)] = "") -> Response:
    """Kept as a draft: its page shows the recipients and the preview, and sends it on a second press."""
    who = await _staff(request, rt)
    if isinstance(who, Response):
        return who
    form = {"agency": agency, "text": text, "channel": channel, "kecamatan": kecamatan, "desa": desa,
            "send_at": send_at, "what": what, "where": where, "until": until}

    def again(error: str, status: int) -> Response:
        return render(request, rt, "broadcast_new.html", status=status, who=who, section="broadcasts", form=form,
                      agencies=_agencies(rt, who), error=error, limit=campaigns.MAX_TEXT)

    if not csrf_ok(request, csrf):
        return again("Sesi formulir kedaluwarsa. Periksa isinya, lalu simpan lagi.", 403)
    if len(text) > campaigns.MAX_TEXT:
        return again(f"Pengumuman terlalu panjang ({len(text)} karakter; paling banyak {campaigns.MAX_TEXT}).", 400)
    try:
        body = api.BroadcastIn(
            agency=agency, text=text or " ", draft=True,
            audience=api.AudienceIn(channel=channel or None, kecamatan=kecamatan or None, desa=desa or None),
            send_at=datetime.fromisoformat(send_at) if send_at else None,
            schedule=api.ScheduleIn(what=what, where=where or None, until=date.fromisoformat(until))
            if what or until else None)
    except (ValueError, ValidationError):
        return again("Periksa isian: waktu kirim, atau jadwal (apa, dan berlaku sampai tanggal) belum benar.", 400)
    try:
        created = await api.compose(rt, who, body, client_address(request))
    except HTTPException as error:
        return again(_shown(error), error.status_code)
    return RedirectResponse(f"/admin/broadcasts/{created['id']}", status_code=303)


async def _detail(request: Request, rt: RuntimeDep, who: Officer, broadcast_id: int, *, error: str | None = None,
                  status: int = 200) -> Response:
    try:
        found = await api.get_broadcast(broadcast_id, who, rt)
        failed = await api.list_recipients(broadcast_id, who, rt, None, 200)
    except HTTPException as missing:
        return render(request, rt, "message.html", status=missing.status_code, who=who, section="broadcasts",
                      title="Siaran tidak ditemukan", text=_shown(missing))
    actions = {"draft": ["send", "cancel"], "scheduled": ["cancel"], "sending": ["pause", "cancel"],
               "paused": ["resume", "cancel"], "done": [], "cancelled": []}[found["status"]]
    if found["failed"] and found["status"] in ("sending", "paused", "done"):
        actions.append("resend-failed")
    return render(request, rt, "broadcast.html", status=status, who=who, section="broadcasts", b=found,
                  status_words=STATUS_WORDS, count_words=COUNT_WORDS, action_words=ACTION_WORDS, actions=actions,
                  preview=_preview(rt, found["agency"], found["text"]), error=error,
                  send_at=_local(found["send_at"], found["agency"], rt), live=found["status"] in LIVE,
                  recipients=[r | {"words": COUNT_WORDS[r["status"]]} for r in failed["items"]])


@router.get("/admin/broadcasts/{broadcast_id}", response_class=HTMLResponse)
async def detail_page(broadcast_id: int, request: Request, rt: RuntimeDep) -> Response:
    who = await _staff(request, rt)
    if isinstance(who, Response):
        return who
    if not 1 <= broadcast_id <= MAX_ID:
        return await _detail(request, rt, who, 0)
    return await _detail(request, rt, who, broadcast_id)


@router.post("/admin/broadcasts/{broadcast_id}/{action}", response_class=HTMLResponse)
async def act(broadcast_id: int, action: str, request: Request, rt: RuntimeDep,
              csrf: Annotated[str, Form(max_length=100)] = "",
              version: Annotated[int | None, Form(ge=1)] = None) -> Response:
    who = await _staff(request, rt)
    if isinstance(who, Response):
        return who
    if (refused := forged(request, csrf)) is not None:
        return refused
    if action not in ACTION_WORDS or not 1 <= broadcast_id <= MAX_ID:
        return await _detail(request, rt, who, 0)
    try:
        await api.apply(rt, who, broadcast_id, action, version if action == "send" else None,
                        client_address(request))
    except HTTPException as error:
        return await _detail(request, rt, who, broadcast_id, error=_shown(error), status=error.status_code)
    return RedirectResponse(f"/admin/broadcasts/{broadcast_id}", status_code=303)


@router.get("/admin/broadcasts/{broadcast_id}/recipients.csv")
async def report(broadcast_id: int, request: Request, rt: RuntimeDep) -> Response:
    who = await _staff(request, rt)
    if isinstance(who, Response):
        return who
    if not 1 <= broadcast_id <= MAX_ID:
        return Response("Siaran tidak ditemukan.", status_code=404, media_type="text/plain; charset=utf-8")
    try:
        return await api.recipients_csv(broadcast_id, who, rt)
    except HTTPException as error:
        return Response(_shown(error), status_code=error.status_code, media_type="text/plain; charset=utf-8")


@router.get("/admin/broadcasts/{broadcast_id}/events")
async def events(broadcast_id: int, request: Request, rt: RuntimeDep) -> Response:
    """The progress as Server-Sent Events (``progress``, JSON counts), once a second while it changes."""
    who = await _staff(request, rt)
    if isinstance(who, Response):
        return Response(status_code=401)
    if not 1 <= broadcast_id <= MAX_ID:
        return Response(status_code=404)
    try:
        await api.get_broadcast(broadcast_id, who, rt)
    except HTTPException as error:
        return Response(status_code=error.status_code)

    async def stream() -> AsyncIterator[dict[str, str]]:
        last = None
        while not await request.is_disconnected():
            found = await api.get_broadcast(broadcast_id, who, rt)
            shown = {k: found[k] for k in ("status", "total", *COUNT_WORDS)} | {
                "status_words": STATUS_WORDS[found["status"]], "reason": found["reason"] or ""}
            if shown != last:
                last = shown
                yield {"event": "progress", "data": json.dumps(shown)}
            if found["status"] not in LIVE:
                return
            await asyncio.sleep(EVERY)

    return EventSourceResponse(stream(), ping=15)
