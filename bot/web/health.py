"""GET /healthz: 200 when the database answers."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from bot.runtime import Runtime
from bot.web.deps import runtime

log = logging.getLogger(__name__)
router = APIRouter()
TIMEOUT = 5.0


@router.get("/healthz", tags=["system"])
async def healthz(rt: Annotated[Runtime, Depends(runtime)]) -> JSONResponse:
    """Liveness: the database answers (on a connection of its own, never queued behind other work)."""
    try:
        await asyncio.wait_for(rt.transact.ping(), timeout=TIMEOUT)
    except Exception as exc:  # whatever the driver raises, the answer is the same: not alive
        log.warning("health check: database unreachable (%s)", type(exc).__name__)
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
