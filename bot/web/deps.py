"""Shared request dependencies: the runtime (database through ``runtime.transact``) and the engine."""

from __future__ import annotations

from fastapi import Request

from bot.runtime import Runtime
from handlers.engine import Engine


async def runtime(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


async def engine(request: Request) -> Engine:
    return request.app.state.runtime.engine  # type: ignore[no-any-return]
