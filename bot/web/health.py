"""GET /healthz: 200 when the database answers."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.web.deps import RuntimeDep

log = logging.getLogger(__name__)
router = APIRouter()
TIMEOUT = 5.0


@router.get("/healthz", tags=["system"])
async def healthz(rt: RuntimeDep) -> JSONResponse:
    """Liveness: the database answers (on a connection of its own, never queued behind other work)."""
    try:
        await asyncio.wait_for(rt.transact.ping(), timeout=TIMEOUT)
    except Exception as exc:  # whatever the driver raises, the answer is the same: not alive
        log.warning("health check: database unreachable (%s)", type(exc).__name__)
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
