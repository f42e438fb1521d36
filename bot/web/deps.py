"""Shared request dependencies: the database session and the conversation engine."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.engine import Engine


async def db_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.runtime.sessionmaker() as session:
        yield session


def engine(request: Request) -> Engine:
    return request.app.state.runtime.engine  # type: ignore[no-any-return]
