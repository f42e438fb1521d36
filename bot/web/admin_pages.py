"""Administration pages: accounts (``/admin/users``, admins), canned replies (``/admin/canned``, supervisors for
their agency, admins for all), office hours and local holidays (``/admin/holidays``), and the audit log
(``/admin/audit``, admins). Each action is the JSON API's, with the same checks; errors shown in Indonesian."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from bot.db.models import AuditEntry
from bot.domain.calendar import calendar_for
from bot.officers.accounts import Officer
from bot.web import canned_api, local_api, users_api
from bot.web.auth import client_address
from bot.web.deps import RuntimeDep
from bot.web.pages import forged, render, staff

router = APIRouter(include_in_schema=False)
ROLE_WORDS = {"officer": "Petugas", "supervisor": "Supervisor", "admin": "Admin"}
DAY_WORDS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
SHOWN = {400: "Isian belum benar: {detail}", 403: "Anda tidak berwenang untuk tindakan ini.",
         404: "Tidak ditemukan.", 409: "Sudah ada: {detail}"}


async def _who(request: Request, rt: RuntimeDep, *, admin: bool, csrf: str | None = None) -> Officer | Response:
    """The officer who may use the page (``csrf``: a form's token, checked too); else the answer to give."""
    who = await staff(request, rt, section="settings", admin=admin,
                      text="Halaman ini untuk admin." if admin else "Halaman ini untuk supervisor dan admin.")
    if csrf is not None and not isinstance(who, Response) and (refused := forged(request, csrf)) is not None:
        return refused
    return who


def _error(error: HTTPException) -> str:
    return SHOWN.get(error.status_code, "{detail}").format(detail=error.detail)


# --- accounts ------------------------------------------------------------------------------------------------

async def _users_page(request: Request, rt: RuntimeDep, who: Officer, *, error: str | None = None,
                      made: dict[str, Any] | None = None, status: int = 200) -> Response:
    rows = await users_api.list_users(who, rt)
    return render(request, rt, "admin_users.html", status=status, who=who, section="settings", rows=rows,
                  roles=ROLE_WORDS, agencies=list(rt.engine.kb.agencies.values()), error=error, made=made)


@router.get("/admin/users", response_class=HTMLResponse)
async def users_page(request: Request, rt: RuntimeDep) -> Response:
    who = await _who(request, rt, admin=True)
    return who if isinstance(who, Response) else await _users_page(request, rt, who)


@router.post("/admin/users", response_class=HTMLResponse)
async def add_user(request: Request, rt: RuntimeDep, csrf: Annotated[str, Form(max_length=100)] = "",
                   username: Annotated[str, Form(max_length=100)] = "", role: Annotated[str, Form(max_length=20)] = "",
                   agency: Annotated[str, Form(max_length=40)] = "") -> Response:
    who = await _who(request, rt, admin=True, csrf=csrf)
    if isinstance(who, Response):
        return who
    try:
        body = users_api.UserIn(username=username, role=role, agency=agency or None)
        made = await users_api.create_user(rt, who, body, client_address(request))
    except ValidationError:
        return await _users_page(request, rt, who, status=400, error="Isi nama pengguna dan pilih peran.")
    except HTTPException as error:
        return await _users_page(request, rt, who, status=error.status_code, error=_error(error))
    return await _users_page(request, rt, who, made=made, status=201)


@router.post("/admin/users/{username}/{action}", response_class=HTMLResponse)
async def change_user(username: str, action: str, request: Request, rt: RuntimeDep,
                      csrf: Annotated[str, Form(max_length=100)] = "", role: Annotated[str, Form(max_length=20)] = "",
                      agency: Annotated[str, Form(max_length=40)] = "") -> Response:
    who = await _who(request, rt, admin=True, csrf=csrf)
    if isinstance(who, Response):
        return who
    try:
        if action == "password":
            made = await users_api.reset_password(rt, who, username[:60], client_address(request))
            return await _users_page(request, rt, who, made=made)
        if action in ("disable", "enable"):
            change = users_api.ChangeIn(active=action == "enable")
        elif action == "role":
            change = users_api.ChangeIn(role=role or None, agency=agency or None)
        else:
            return await _users_page(request, rt, who, status=404, error="Tindakan tidak dikenal.")
        await users_api.change_user(rt, who, username[:60], change, client_address(request))
    except ValidationError:
        return await _users_page(request, rt, who, status=400, error="Pilih peran yang benar.")
    except HTTPException as error:
        return await _users_page(request, rt, who, status=error.status_code, error=_error(error))
    return RedirectResponse("/admin/users", status_code=303)


# --- canned replies ------------------------------------------------------------------------------------------

async def _canned_page(request: Request, rt: RuntimeDep, who: Officer, *, error: str | None = None,
                       status: int = 200) -> Response:
    rows = await rt.transact(canned_api.visible_to, who)
    return render(request, rt, "admin_canned.html", status=status, who=who, section="settings", rows=rows,
                  error=error, agencies=[a for a in rt.engine.kb.agencies.values() if who.sees(a.slug)])


@router.get("/admin/canned", response_class=HTMLResponse)
async def canned_page(request: Request, rt: RuntimeDep) -> Response:
    who = await _who(request, rt, admin=False)
    return who if isinstance(who, Response) else await _canned_page(request, rt, who)


@router.post("/admin/canned", response_class=HTMLResponse)
async def add_canned(request: Request, rt: RuntimeDep, csrf: Annotated[str, Form(max_length=100)] = "",
                     shortcut: Annotated[str, Form(max_length=100)] = "",
                     text: Annotated[str, Form(max_length=5000)] = "",
                     agency: Annotated[str, Form(max_length=40)] = "") -> Response:
    who = await _who(request, rt, admin=False, csrf=csrf)
    if isinstance(who, Response):
        return who
    try:
        body = canned_api.CannedIn(shortcut=shortcut, text=text, agency=agency or None)
        await canned_api.add_canned(body, who, rt)
    except ValidationError:
        return await _canned_page(request, rt, who, status=400,
                                  error="Isi pintasan (tanpa spasi) dan teks balasan (paling banyak 1.500 karakter).")
    except HTTPException as error:
        return await _canned_page(request, rt, who, status=error.status_code, error=_error(error))
    return RedirectResponse("/admin/canned", status_code=303)


@router.post("/admin/canned/{reply_id}/delete", response_class=HTMLResponse)
async def delete_canned(reply_id: int, request: Request, rt: RuntimeDep,
                        csrf: Annotated[str, Form(max_length=100)] = "") -> Response:
    who = await _who(request, rt, admin=False, csrf=csrf)
    if isinstance(who, Response):
        return who
    try:
        await canned_api.delete_canned(min(max(reply_id, 1), 2**31 - 1), who, rt)
    except HTTPException as error:
        return await _canned_page(request, rt, who, status=error.status_code, error=_error(error))
    return RedirectResponse("/admin/canned", status_code=303)


# --- office hours and holidays -------------------------------------------------------------------------------

async def _holidays_page(request: Request, rt: RuntimeDep, who: Officer, agency: str, *, error: str | None = None,
                         status: int = 200) -> Response:
    kb = rt.engine.kb
    choices = [a for a in kb.agencies.values() if who.sees(a.slug)]
    chosen = kb.agencies.get(agency) if agency and who.sees(agency) else (choices[0] if choices else None)
    if chosen is None:
        return render(request, rt, "message.html", status=404, who=who, section="settings", title="Tidak ditemukan",
                      text="Dinas tidak dikenal.")
    days = await local_api.list_holidays(chosen.slug, who, rt)
    calendar, assumed = calendar_for(chosen)
    hours = [(DAY_WORDS[d], ", ".join(f"{a.strftime('%H.%M')}–{b.strftime('%H.%M')}"
                                      for a, b in calendar.hours.get(d, ())) or "tutup") for d in range(7)]
    return render(request, rt, "admin_holidays.html", status=status, who=who, section="settings", agency=chosen,
                  agencies=choices, days=days, hours=hours, assumed=assumed, error=error)


@router.get("/admin/holidays", response_class=HTMLResponse)
async def holidays_page(request: Request, rt: RuntimeDep, agency: str = "") -> Response:
    who = await _who(request, rt, admin=False)
    return who if isinstance(who, Response) else await _holidays_page(request, rt, who, agency)


@router.post("/admin/holidays/{agency}/{action}", response_class=HTMLResponse)
async def change_holidays(agency: str, action: str, request: Request, rt: RuntimeDep,
                          csrf: Annotated[str, Form(max_length=100)] = "",
                          day: Annotated[str, Form(max_length=10)] = "",
                          name: Annotated[str, Form(max_length=300)] = "") -> Response:
    who = await _who(request, rt, admin=False, csrf=csrf)
    if isinstance(who, Response):
        return who
    try:
        when = date.fromisoformat(day)
        if action == "add":
            await local_api.add_holiday(agency[:40], local_api.HolidayIn(day=when, name=name), request, who, rt)
        elif action == "remove":
            await local_api.remove_holiday(agency[:40], when, request, who, rt)
    except (ValueError, ValidationError):
        return await _holidays_page(request, rt, who, agency, status=400,
                                    error="Isi tanggal dan nama libur (3–120 karakter, satu baris).")
    except HTTPException as error:
        shown = "Tanggal itu sudah lewat." if "passed" in str(error.detail) else _error(error)
        return await _holidays_page(request, rt, who, agency, status=error.status_code, error=shown)
    return RedirectResponse(f"/admin/holidays?agency={agency[:40]}", status_code=303)


# --- audit log -----------------------------------------------------------------------------------------------

@router.get("/admin/audit", response_class=HTMLResponse)
async def audit_page(request: Request, rt: RuntimeDep, action: str = "", actor: str = "") -> Response:
    who = await _who(request, rt, admin=True)
    if isinstance(who, Response):
        return who

    def read(session: Any) -> list[AuditEntry]:
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(200)
        if action:
            query = query.where(AuditEntry.action.startswith(action[:40]))
        if actor:
            query = query.where(AuditEntry.actor == actor[:60])
        return list(session.scalars(query))

    rows = await rt.transact(read)
    return render(request, rt, "admin_audit.html", who=who, section="settings", rows=rows, action=action[:40],
                  actor=actor[:60])
