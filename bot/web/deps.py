"""Shared request dependencies as ``Annotated`` aliases: the runtime (database through ``runtime.transact``), the
conversation engine, and the operator check."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from bot.messaging.runtime import Runtime
from handlers.engine import Engine

MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database: anything larger cannot exist


async def runtime(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


async def engine(request: Request) -> Engine:
    return request.app.state.runtime.engine  # type: ignore[no-any-return]


async def admin(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    """``Authorization: Bearer <ADMIN_API_TOKEN>`` (the scheme is required), until officer sign-in exists."""
    token = request.app.state.runtime.settings.admin_api_token
    if not token:
        raise HTTPException(503, "ADMIN_API_TOKEN is not set: the operator API is disabled")
    scheme, _, given = (authorization or "").partition(" ")
    given = given.strip()
    if scheme.lower() != "bearer" or not given or not hmac.compare_digest(given.encode(), token.encode()):
        raise HTTPException(401, "a valid Bearer token is required", headers={"WWW-Authenticate": "Bearer"})


RuntimeDep = Annotated[Runtime, Depends(runtime)]
EngineDep = Annotated[Engine, Depends(engine)]
AdminDep = Depends(admin)
