"""Shared request dependencies as ``Annotated`` aliases: the runtime (database through ``runtime.transact``), the
conversation engine. (Who is signed in: ``bot.web.auth``.)"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from bot.messaging.runtime import Runtime
from handlers.engine import Engine

MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database: anything larger cannot exist


async def runtime(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


async def engine(request: Request) -> Engine:
    return request.app.state.runtime.engine  # type: ignore[no-any-return]


RuntimeDep = Annotated[Runtime, Depends(runtime)]
EngineDep = Annotated[Engine, Depends(engine)]
