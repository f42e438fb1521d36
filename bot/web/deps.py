"""Shared request dependencies: the runtime, a database session, the conversation engine."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from bot.runtime import Runtime
from handlers.engine import Engine


async def db_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.runtime.sessionmaker() as session:
        yield session


async def runtime(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


async def engine(request: Request) -> Engine:
    return request.app.state.runtime.engine  # type: ignore[no-any-return]
