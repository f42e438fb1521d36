"""GET /healthz: 200 when the database answers (liveness). GET /readyz: 200 when it answers, its schema is current
and a worker is alive (readiness); 503 with the reason otherwise."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from alembic.script import ScriptDirectory
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bot.db.migrate import alembic_config
from bot.db.models import WorkerHeartbeat, utcnow
from bot.web.deps import RuntimeDep

log = logging.getLogger(__name__)
router = APIRouter()
TIMEOUT = 5.0


_DOWN: dict[int | str, dict[str, Any]] = {
    503: {"description": "not alive: the database does not answer (`status`, `database`)"}}
_NOT_READY: dict[int | str, dict[str, Any]] = {
    503: {"description": "not ready: `reason` says why (database, migrations, no worker heartbeat)"}}


@router.get("/healthz", tags=["system"], responses=_DOWN)
async def healthz(rt: RuntimeDep) -> JSONResponse:
    """Liveness: the database answers (on a connection of its own, never queued behind other work)."""
    try:
        await asyncio.wait_for(rt.transact.ping(), timeout=TIMEOUT)
    except Exception as exc:  # whatever the driver raises, the answer is the same: not alive
        log.warning("health check: database unreachable (%s)", type(exc).__name__)
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


HEARTBEAT_FRESH = timedelta(seconds=60)  # a worker beats every 10 s: three missed beats and more is not ready


@lru_cache(maxsize=1)
def _head() -> str | None:
    """The newest migration this code knows."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def _readiness(session: Session, now: datetime) -> tuple[str | None, datetime | None]:
    version = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    beat = session.scalar(select(func.max(WorkerHeartbeat.beat_at)))
    return version, beat


@router.get("/readyz", tags=["system"], responses=_NOT_READY)
async def readyz(rt: RuntimeDep) -> JSONResponse:
    """Readiness: the database answers, its schema is this code's newest migration, and a worker's heartbeat is
    recent (within 60 s). Otherwise 503 with the reason."""
    now = utcnow()
    try:
        await asyncio.wait_for(rt.transact.ping(), timeout=TIMEOUT)
        version, beat = await asyncio.wait_for(rt.transact(_readiness, now), timeout=TIMEOUT)
    except Exception as exc:  # unreachable, or a schema without our tables: not ready either way
        log.warning("readiness check failed (%s)", type(exc).__name__)
        return JSONResponse({"status": "error", "reason": "the database does not answer, or has no schema yet"},
                            status_code=503)
    if version != _head():
        return JSONResponse({"status": "error", "reason": f"migrations not current: the database is at {version}, "
                             f"this code needs {_head()} (dinsos-bot db upgrade)"}, status_code=503)
    if beat is None or now - beat > HEARTBEAT_FRESH:
        seen = f"last seen {beat.isoformat()}" if beat else "never seen"
        return JSONResponse({"status": "error", "reason": f"no worker heartbeat in the last 60 s ({seen}): start "
                             "`dinsos-bot worker`, or WORKER_ENABLED=true"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok", "migrations": version, "worker_heartbeat": beat.isoformat()})
