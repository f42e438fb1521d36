"""GET /readyz on real databases: 503 with the reason until a worker's heartbeat is recent, 200 then; 503 again
when the heartbeat is stale or the schema is not this code's newest migration. (/healthz stays liveness.)"""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import text, update

from bot.db.models import WorkerHeartbeat, utcnow
from bot.messaging.runtime import Runtime
from bot.messaging.worker import heartbeat
from bot.web.health import _head


async def test_ready_only_with_a_recent_worker_heartbeat_and_current_migrations(
        api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    waiting = await client.get("/readyz")
    assert waiting.status_code == 503 and "no worker heartbeat" in waiting.json()["reason"]
    assert (await client.get("/healthz")).status_code == 200  # alive all the same
    await rt.transact(heartbeat, "worker-1", utcnow())
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["migrations"] == _head()
    await rt.transact(lambda s: s.execute(update(WorkerHeartbeat).values(beat_at=utcnow() - timedelta(minutes=2))))
    stale = await client.get("/readyz")
    assert stale.status_code == 503 and "last seen" in stale.json()["reason"]
    await rt.transact(heartbeat, "worker-1", utcnow())
    await rt.transact(lambda s: s.execute(text("UPDATE alembic_version SET version_num = '0011'")))
    try:
        behind = await client.get("/readyz")
        assert behind.status_code == 503 and "migrations not current" in behind.json()["reason"]
    finally:
        await rt.transact(lambda s: s.execute(text(f"UPDATE alembic_version SET version_num = '{_head()}'")))
    assert (await client.get("/readyz")).status_code == 200
