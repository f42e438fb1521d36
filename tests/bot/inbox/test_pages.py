"""The officers' sign-in and inbox pages, in process on real databases: a page without a session goes to /login,
the session cookie's flags, CSRF on every form, wrong passwords limited, the citizen's words escaped, another
agency's conversations unseen, sign-out revokes the session."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update

from bot.db.models import ApiToken, Contact, utcnow
from bot.messaging.runtime import Runtime
from tests.bot.cases.chat import say
from tests.bot.cases.conftest import PASSWORD, sign_in

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def _form_token(client: httpx.AsyncClient) -> str:
    found = CSRF.search((await client.get("/login")).text)
    assert found
    return found.group(1)


async def test_sign_in_then_the_inbox_lists_the_handed_over_conversation_escaped(
        api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    first = await client.get("/inbox")
    assert first.status_code == 303 and first.headers["location"] == "/login"
    page = await client.get("/login")
    assert page.status_code == 200 and "Nama pengguna" in page.text and "Kata sandi" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "<script>" not in page.text  # no inline script
    await sign_in(client, rt, "petugas.tl")  # creates the account (and an API token, not used here)
    await say(rt, "petugas", phone="+6281255500099")
    await rt.transact(lambda s: s.execute(update(Contact).values(display_name="<b>Ibu Siti</b>")))  # from the provider
    token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    signed = await client.post("/login", data={"username": "petugas.tl", "password": PASSWORD, "csrf": token})
    assert signed.status_code == 303 and signed.headers["location"] == "/inbox"
    cookie = next(h for h in signed.headers.get_list("set-cookie") if h.startswith("dinsos_officer="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie  # http here
    inbox = await client.get("/inbox")
    assert inbox.status_code == 200 and "Menunggu petugas" in inbox.text
    assert "&lt;b&gt;Ibu Siti&lt;/b&gt;" in inbox.text and "<b>Ibu" not in inbox.text and "WhatsApp" in inbox.text
    assert (await client.get("/login")).status_code == 303  # already signed in


async def test_a_form_without_its_csrf_token_or_with_a_wrong_password_changes_nothing(
        api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    await sign_in(client, rt, "petugas.tl")
    tokens = await rt.transact(lambda s: len(list(s.scalars(select(ApiToken)))))
    forged = await client.post("/login", data={"username": "petugas.tl", "password": PASSWORD, "csrf": "forged"})
    assert forged.status_code == 403 and "dinsos_officer" not in forged.headers.get("set-cookie", "")
    token = await _form_token(client)
    wrong = await client.post("/login", data={"username": "petugas.tl", "password": "salah", "csrf": token})
    assert wrong.status_code == 401 and "Nama pengguna atau kata sandi salah" in wrong.text
    assert await rt.transact(lambda s: len(list(s.scalars(select(ApiToken))))) == tokens  # no session made
    for _ in range(5):
        await client.post("/login", data={"username": "petugas.tl", "password": "salah", "csrf": token})
    limited = await client.post("/login", data={"username": "petugas.tl", "password": PASSWORD, "csrf": token})
    assert limited.status_code == 429 and "Terlalu banyak" in limited.text
    assert (await client.get("/inbox")).status_code == 303


async def test_another_agency_sees_nothing_and_sign_out_ends_the_session(
        api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    await sign_in(client, rt, "petugas.trk", agency="tarakan")
    await say(rt, "petugas", phone="+6281255500098")
    token = await _form_token(client)
    await client.post("/login", data={"username": "petugas.trk", "password": PASSWORD, "csrf": token})
    inbox = await client.get("/inbox")
    assert inbox.status_code == 200 and "Ibu Siti" not in inbox.text and "Tidak ada percakapan" in inbox.text
    session = client.cookies.get("dinsos_officer")
    assert session
    token = CSRF.search(inbox.text).group(1)  # type: ignore[union-attr]
    assert (await client.post("/logout", data={"csrf": "forged"})).status_code == 403
    out = await client.post("/logout", data={"csrf": token})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    client.cookies.set("dinsos_officer", session)  # the old cookie, replayed: revoked
    assert (await client.get("/inbox")).status_code == 303


def test_the_session_cookie_is_secure_on_https_and_always_in_production() -> None:
    from types import SimpleNamespace

    from bot.web.pages import _secure

    def runtime(environment: str, base: str | None) -> Any:
        return SimpleNamespace(settings=SimpleNamespace(environment=environment, public_base_url=base))

    assert not _secure(runtime("development", "http://127.0.0.1:8000"))
    assert _secure(runtime("development", "https://dinsos.example.go.id"))
    assert _secure(runtime("production", None))  # behind a proxy that terminates TLS


async def test_a_page_session_unused_for_the_idle_time_ends_and_the_officer_signs_in_again(
        api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    await sign_in(client, rt, "petugas.tl")
    token = await _form_token(client)
    await client.post("/login", data={"username": "petugas.tl", "password": PASSWORD, "csrf": token})
    assert (await client.get("/inbox")).status_code == 200
    idle = timedelta(minutes=rt.settings.session_idle_minutes)
    ends = await rt.transact(lambda s: s.scalar(select(ApiToken.expires_at).order_by(ApiToken.id.desc()).limit(1)))
    assert ends is not None and ends <= utcnow() + idle  # not the token's 12 hours

    def last_used(ago: timedelta) -> None:  # as if the session's last use was ``ago`` (its end moved back)
        def move(session: Any) -> None:
            row = session.scalars(select(ApiToken).order_by(ApiToken.id.desc()).limit(1)).one()
            row.expires_at = utcnow() + idle - ago
        return move

    await rt.transact(last_used(idle - timedelta(minutes=2)))  # used 58 minutes ago: still on
    assert (await client.get("/inbox")).status_code == 200
    ends = await rt.transact(lambda s: s.scalar(select(ApiToken.expires_at).order_by(ApiToken.id.desc()).limit(1)))
    assert ends is not None and ends > utcnow() + idle - timedelta(minutes=1)  # moved on by the use
    await rt.transact(last_used(idle + timedelta(seconds=1)))  # unused for longer than the idle time
    gone = await client.get("/inbox")
    assert gone.status_code == 303 and gone.headers["location"] == "/login"
