"""The service's own errors as HTTP answers, in one place."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from bot.errors import Conflict, NotFound


class ErrorOut(BaseModel):
    detail: str


MEANING = {
    400: "the body could not be read (not JSON, or not UTF-8)",
    401: "no valid `Authorization: Bearer` token (`POST /api/token`), or a wrong password",
    403: "the signed-in account's role or agency may not do this",
    404: "no such object",
    409: "the object is not in a state that allows this",
    413: "the body is larger than this route accepts",
    429: "too many requests from this visitor: wait `Retry-After` seconds",
    503: "not available now (a missing setting, or too busy): see `detail`",
}


def documented(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error answers a route can give, for its OpenAPI ``responses``."""
    return {code: {"model": ErrorOut, "description": MEANING[code]} for code in codes}


def install(app: FastAPI) -> None:
    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(Conflict)
    async def conflict(request: Request, exc: Conflict) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)
