"""The officers' pages: sign-in (``/login``), sign-out, and the inbox (``/inbox``), server-rendered in Indonesian.

The session is an officer token (the same as ``POST /api/token`` gives, so it expires and is revoked the same
way) in an HttpOnly, SameSite=Lax cookie, Secure when ``PUBLIC_BASE_URL`` is https; every sign-in makes a new
one. Every form carries a CSRF token that must equal the one in its own cookie (double submit); the pages'
Content-Security-Policy allows no inline script. A page without a valid session answers 303 to ``/login``.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.db.models import utcnow
from bot.inbox import conversations as inbox
from bot.officers import accounts
from bot.officers.accounts import Officer
from bot.web.auth import authenticate_and_issue, client_address, sign_in_failed, sign_in_wait
from bot.web.deps import RuntimeDep
from bot.web.templates import page

router = APIRouter(include_in_schema=False)
SESSION = "dinsos_officer"
CSRF = "dinsos_csrf"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "base-uri 'none'")
TABS = {"": "Semua status", "waiting": "Menunggu petugas", "open": "Sedang ditangani", "resolved": "Selesai"}
VIEWS = {"mine": "Milik saya", "unassigned": "Belum ditugaskan", "all": "Semua"}
STATUS_WORDS = {"bot": "dilayani bot", "waiting": "menunggu petugas", "open": "sedang ditangani",
                "resolved": "selesai"}
CHANNEL_WORDS = {"whatsapp": "WhatsApp", "telegram": "Telegram", "simulator": "Simulator"}


def _secure(rt: RuntimeDep) -> bool:
    """Cookies only over https: when the public address is https, and always in production (behind a proxy)."""
    return rt.settings.environment == "production" or (rt.settings.public_base_url or "").startswith("https://")


def render(request: Request, rt: RuntimeDep, name: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """A page with a CSRF token for its forms (the cookie is set when the browser has none yet)."""
    token = request.cookies.get(CSRF) or secrets.token_urlsafe(24)
    response = page(request, name, headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store"},
                    csrf=token, **context)
    response.status_code = status
    if request.cookies.get(CSRF) != token:
        response.set_cookie(CSRF, token, httponly=True, samesite="strict", secure=_secure(rt), path="/")
    return response


FORGED = "Permintaan ditolak: muat ulang halaman, lalu coba lagi."


def forged(request: Request, given: str) -> Response | None:
    """None when the form's CSRF token is right; else the 403 every page action answers."""
    if csrf_ok(request, given):
        return None
    return Response(FORGED, status_code=403, media_type="text/plain; charset=utf-8")


def csrf_ok(request: Request, given: str) -> bool:
    expected = request.cookies.get(CSRF) or ""
    return bool(expected) and secrets.compare_digest(expected, given)


async def signed_in(request: Request, rt: RuntimeDep) -> Officer | None:
    """The officer of the page's session; None when there is none, or it ended (signed out, idle too long)."""
    token = request.cookies.get(SESSION)
    if not token:
        return None
    settings = rt.settings
    return await rt.transact(accounts.page_session, token, utcnow(),
                             idle=timedelta(minutes=settings.session_idle_minutes),
                             longest=timedelta(hours=settings.token_hours))


async def staff(request: Request, rt: RuntimeDep, *, section: str, text: str,
                admin: bool = False) -> Officer | Response:
    """The signed-in supervisor or admin (``admin``: admins only); else to sign-in, or a 403 page saying ``text``."""
    who = await signed_in(request, rt)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    if not (who.is_admin if admin else who.supervises):
        return render(request, rt, "message.html", status=403, who=who, section=section, title="Tidak berwenang",
                      text=text)
    return who


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, rt: RuntimeDep) -> Response:
    if await signed_in(request, rt) is not None:
        return RedirectResponse("/inbox", status_code=303)
    return render(request, rt, "login.html", error=None, username="")


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, rt: RuntimeDep, username: Annotated[str, Form(max_length=60)] = "",
                password: Annotated[str, Form(max_length=200)] = "",
                csrf: Annotated[str, Form(max_length=100)] = "") -> Response:
    if not csrf_ok(request, csrf):
        return render(request, rt, "login.html", status=403, username=username,
                       error="Sesi formulir kedaluwarsa. Silakan coba masuk lagi.")
    if sign_in_wait(request, username) > 0:
        return render(request, rt, "login.html", status=429, username=username,
                       error="Terlalu banyak percobaan gagal. Silakan coba lagi 15 menit lagi.")
    result = await rt.transact(authenticate_and_issue, username, password, rt.settings.token_hours,
                               client_address(request))
    if result is None:
        sign_in_failed(request, username)
        return render(request, rt, "login.html", status=401, username=username,
                       error="Nama pengguna atau kata sandi salah.")
    token, _ = result
    response = RedirectResponse("/inbox", status_code=303)
    response.set_cookie(SESSION, token, max_age=rt.settings.token_hours * 3600, httponly=True, samesite="lax",
                        secure=_secure(rt), path="/")
    response.set_cookie(CSRF, secrets.token_urlsafe(24), httponly=True, samesite="strict", secure=_secure(rt),
                        path="/")  # a new CSRF token with the new session
    return response


@router.post("/logout")
async def logout(request: Request, rt: RuntimeDep, csrf: Annotated[str, Form(max_length=100)] = "") -> Response:
    if (refused := forged(request, csrf)) is not None:
        return refused
    token = request.cookies.get(SESSION)
    if token:
        await rt.transact(accounts.revoke, token, utcnow())
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION, path="/")
    return response


def when(moment: datetime | None, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%d/%m %H.%M") if moment else ""


@router.get("/inbox", response_class=HTMLResponse)
async def inbox_page(request: Request, rt: RuntimeDep, view: str = "all", status: str = "",
                     channel: str = "", q: str = "", agency: str = "", label: str = "") -> Response:
    """Tabs *Milik saya*, *Belum ditugaskan*, *Semua*; filters by status, channel, agency (admins); search by
    name, phone or ticket. Live: the list reloads when it changes."""
    who = await signed_in(request, rt)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    view = view if view in VIEWS else "all"
    status = status if status in TABS else ""
    channel = channel if channel in CHANNEL_WORDS else ""
    agencies = None if who.is_admin else [who.agency] if who.agency else []
    if who.is_admin and agency in rt.engine.kb.agencies:
        agencies = [agency]
    listed = await rt.transact(lambda s: inbox.listing(
        s, agencies, status=status or None, assignee=who.id if view == "mine" else None,
        unassigned=view == "unassigned", query=q[:80], channel=channel or None, label=label[:30] or None))
    kb = rt.engine.kb
    rows = []
    for item in listed["items"]:
        found = kb.agencies.get(item["agency"] or "")
        rows.append(item | {"status_words": STATUS_WORDS.get(item["status"], item["status"]),
                            "channel_words": CHANNEL_WORDS.get(item["channel"], item["channel"]),
                            "when": when(item["last_message_at"], found.timezone if found else "Asia/Jakarta")})
    filters = {"view": view, "status": status, "channel": channel, "q": q[:80], "agency": agency,
               "label": label[:30]}
    seen = json.dumps(await rt.transact(inbox.list_fingerprint, None if who.is_admin else agencies), default=str)
    return render(request, rt, "inbox.html", who=who, rows=rows, tabs=TABS, views=VIEWS, f=filters,
                  channels=CHANNEL_WORDS, agencies=list(kb.agencies.values()) if who.is_admin else [],
                  section="inbox", mark=seen)
