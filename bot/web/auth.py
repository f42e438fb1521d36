"""Officers' sign-in for the API: ``POST /api/token`` (OAuth2 password flow) gives a Bearer token that expires
and can be revoked; every other ``/api`` route reads it through ``OfficerDep`` and checks the role.

Failed sign-ins are limited per username and per address (``SignInLimits``): after too many, 429 with
``Retry-After``, whether or not the password is right, so guessing gains nothing.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel
from sqlalchemy.orm import Session

from bot.db.models import utcnow
from bot.officers import accounts
from bot.officers.accounts import Officer
from bot.web.deps import RuntimeDep
from bot.web.errors import documented

router = APIRouter(prefix="/api", tags=["sign-in"])
WINDOW = 15 * 60.0
PER_USER = 5  # failures per username per window
PER_ADDRESS = 20  # failures per address per window


class SignInLimits:
    """Recent failed sign-ins per key (in this process's memory: a restart forgets them)."""

    def __init__(self) -> None:
        self.failures: dict[str, deque[float]] = {}

    def wait(self, key: str, limit: int, now: float) -> float:
        """Seconds until ``key`` may try again (0: now)."""
        seen = self.failures.get(key)
        while seen and seen[0] <= now - WINDOW:
            seen.popleft()
        if not seen:
            self.failures.pop(key, None)
            return 0.0
        return seen[0] + WINDOW - now if len(seen) >= limit else 0.0

    def failed(self, key: str, now: float) -> None:
        self.failures.setdefault(key, deque()).append(now)
        if len(self.failures) > 100_000:  # a flood of usernames: forget the oldest rather than grow
            self.failures.pop(next(iter(self.failures)))


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 scheme name, not a secret)
    expires_in: int  # seconds
    role: str
    agency: str | None


def client_address(request: Request) -> str:
    return request.client.host if request.client else "-"


def _limit_keys(request: Request, username: str) -> tuple[str, str]:
    return f"address:{client_address(request)}", f"user:{username.strip().lower()}"


def sign_in_wait(request: Request, username: str) -> float:
    """Seconds before this address and username may try again (0: now); the API and the page share them."""
    limits: SignInLimits = request.app.state.sign_in_limits
    address, user = _limit_keys(request, username)
    now = time.monotonic()
    return max(limits.wait(address, PER_ADDRESS, now), limits.wait(user, PER_USER, now))


def sign_in_failed(request: Request, username: str) -> None:
    limits: SignInLimits = request.app.state.sign_in_limits
    for key in _limit_keys(request, username):
        limits.failed(key, time.monotonic())


@router.post("/token", response_model=TokenOut, responses=documented(401, 429))
async def sign_in(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()],
                  rt: RuntimeDep) -> TokenOut:
    wait = sign_in_wait(request, form.username)
    if wait > 0:
        raise HTTPException(429, "too many failed sign-ins: try again later",
                            headers={"Retry-After": str(int(wait) + 1)})
    hours = rt.settings.token_hours
    result = await rt.transact(authenticate_and_issue, form.username, form.password, hours, client_address(request))
    if result is None:
        sign_in_failed(request, form.username)
        raise HTTPException(401, "wrong username or password", headers={"WWW-Authenticate": "Bearer"})
    token, who = result
    return TokenOut(access_token=token, expires_in=hours * 3600, role=who.role, agency=who.agency)


def authenticate_and_issue(session: Session, username: str, password: str, hours: int,
             address: str) -> tuple[str, Officer] | None:
    user = accounts.authenticate(session, username, password)
    if user is None:
        return None
    token = accounts.issue_token(session, user, utcnow(), hours)
    who = accounts.officer(user)
    accounts.audit(session, who=who, action="sign-in", object_type="user", object_id=str(user.id), address=address)
    return token, who


def bearer(authorization: str | None) -> str | None:
    scheme, _, given = (authorization or "").partition(" ")
    given = given.strip()
    return given if scheme.lower() == "bearer" and given else None


async def current_officer(rt: RuntimeDep, authorization: Annotated[str | None, Header()] = None) -> Officer:
    token = bearer(authorization)
    who = await rt.transact(accounts.user_for_token, token, utcnow()) if token else None
    if who is None:
        raise HTTPException(401, "a valid Bearer token is required (POST /api/token)",
                            headers={"WWW-Authenticate": "Bearer"})
    return who


OfficerDep = Annotated[Officer, Depends(current_officer)]


async def current_admin(who: OfficerDep) -> Officer:
    if not who.is_admin:
        raise HTTPException(403, "this needs the admin role")
    return who


AdminDep = Annotated[Officer, Depends(current_admin)]
AdminOnly = Depends(current_admin)  # for ``dependencies=[...]``


@router.post("/token/revoke", status_code=204, responses=documented(401))
async def sign_out(who: OfficerDep, rt: RuntimeDep, authorization: Annotated[str | None, Header()] = None) -> None:
    """Revoke the token this request carries (sign out)."""
    token = bearer(authorization)
    assert token is not None
    await rt.transact(accounts.revoke, token, utcnow())
