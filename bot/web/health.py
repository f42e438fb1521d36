"""GET /healthz: 200 when the database answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.runtime import Runtime
from bot.web.deps import runtime

router = APIRouter()


@router.get("/healthz", tags=["system"])
async def healthz(rt: Annotated[Runtime, Depends(runtime)]) -> JSONResponse:
    try:
        await rt.transact(_ping)
    except (SQLAlchemyError, OSError):
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


def _ping(session: Session) -> None:
    session.execute(text("SELECT 1"))
