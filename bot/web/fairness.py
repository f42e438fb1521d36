"""The public simulator shared fairly, and never at the channels' expense.

The simulator needs no credentials, so anyone can flood it. Its requests are checked here, before routing and
body parsing, so that a refusal costs next to nothing: a rate per client address and per session (429 with
Retry-After) and a capacity for all visitors together (503). A refusal is answered after a short pause, so a
client that asks again at once (a flood does not honour Retry-After) cannot make the service refuse thousands of
requests a second. The routes then run at most two simulator transactions at a time, with a short queue
(``gate``, 503 beyond it). Webhook storage and the health check never wait behind simulator work.

Sessions are made by the server and signed with SECRET_KEY: a client cannot choose one (two clients choosing the
same id would share a conversation), and a forged or tampered cookie is simply a new visitor.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import math
import os
import secrets
from collections.abc import Awaitable
from pathlib import Path
from typing import TypeVar

from fastapi import HTTPException
from itsdangerous import BadSignature, Signer
from starlette.requests import Request, cookie_parser
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.messaging.ratelimit import Busy, Gate, KeyedBuckets
from handlers import messages

log = logging.getLogger(__name__)
T = TypeVar("T")

COOKIE = "sim_session"
GUARDED = ("/api/simulator/messages", "/api/simulator/history", "/api/simulator/reset")
SESSION_BURST = 8
ADDRESS_SHARE = 5  # one address may use a fifth of the capacity (a school or an office behind one NAT)
REFUSAL_PAUSE = 0.5  # seconds before a refusal is sent


class Sessions:
    def __init__(self, secret: str) -> None:
        self.signer = Signer(secret, salt="simulator-session")

    def read(self, cookie: str | None) -> str | None:
        """The session id in a cookie value, or None when there is none or it was not made by us."""
        if not cookie:
            return None
        try:
            return self.signer.unsign(cookie).decode()
        except (BadSignature, UnicodeDecodeError):
            return None

    def start(self, request: Request, response: Response) -> str:
        token = secrets.token_urlsafe(24)
        response.set_cookie(COOKIE, self.signer.sign(token).decode(), max_age=60 * 60 * 24 * 30, httponly=True,
                            samesite="lax", secure=request.url.scheme == "https")
        return token


class SimulatorGuard:
    def __init__(self, app: ASGIApp, *, sessions: Sessions, rate: float, capacity: float,
                 pause: float = REFUSAL_PAUSE) -> None:
        self.app = app
        self.sessions = sessions
        self.per_session = KeyedBuckets(rate, burst=SESSION_BURST)
        self.per_address = KeyedBuckets(capacity / ADDRESS_SHARE, burst=SESSION_BURST * 3)
        self.overall = KeyedBuckets(capacity, burst=max(1.0, capacity))
        self.pause = pause

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in GUARDED:
            await self.app(scope, receive, send)
            return
        wait = self._wait(scope)
        if wait > 0:
            await self._refuse(send, 429, messages.SIMULATOR_TOO_FAST, math.ceil(wait))
        elif self.overall.take("all") > 0:
            await self._refuse(send, 503, messages.SIMULATOR_BUSY, 1)
        else:
            await self.app(scope, receive, send)

    async def _refuse(self, send: Send, status: int, detail: str, retry_after: int) -> None:
        await asyncio.sleep(self.pause)
        body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"retry-after", str(retry_after).encode())]})
        await send({"type": "http.response.body", "body": body})

    def _wait(self, scope: Scope) -> float:
        client = scope.get("client")
        wait = self.per_address.take(client[0] if client else "?")
        session = self.sessions.read(_cookie(scope))
        if session is not None:
            wait = max(wait, self.per_session.take(session))
        return wait


def _cookie(scope: Scope) -> str | None:
    """The session cookie, read exactly as the routes read it (Starlette's parser, every Cookie header)."""
    headers = [value.decode("latin-1") for name, value in scope.get("headers") or [] if name == b"cookie"]
    return cookie_parser("; ".join(headers)).get(COOKIE) if headers else None


def gate(request: Request) -> Gate:
    """At most two simulator transactions at a time, 16 waiting; beyond that the routes answer 503."""
    return request.app.state.sim_gate  # type: ignore[no-any-return]


async def in_gate(request: Request, work: Awaitable[T]) -> T:
    try:
        async with gate(request).enter():
            return await work
    except Busy:
        if inspect.iscoroutine(work):
            work.close()
        raise HTTPException(503, messages.SIMULATOR_BUSY, headers={"Retry-After": "1"}) from None


def development_secret(folder: Path) -> str:
    """A signing secret for a development machine whose SECRET_KEY is still the placeholder: made once and kept
    in ``folder`` (beside the database), so nobody can forge sessions with the well-known placeholder."""
    path = folder / "secret_key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        draft = folder / f".secret_key.{os.getpid()}"
        draft.write_text(secrets.token_urlsafe(32))
        draft.chmod(0o600)
        try:
            os.link(draft, path)  # atomic: when several processes start at once, the first one's secret wins
            log.warning("SECRET_KEY is the placeholder: using a secret made for this machine (%s)", path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()
