"""The web layer's guards, in process against real databases: docs and simulator off in production, simulator
sessions made by the server, fair rates, and a health check that never waits behind other work."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import Contact
from bot.settings import Settings
from bot.web.main import create_app

SAY = {"text": "syarat kks hilang", "agency": "tanah-laut"}


@asynccontextmanager
async def serving(database_url: str, **settings: Any) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(Settings(database_url=database_url, auto_migrate=False,
                              **settings))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield app, client


async def _contacts(app: FastAPI) -> int:
    def count(session: Session) -> int:
        return int(session.scalar(select(func.count()).select_from(Contact)) or 0)

    return int(await app.state.runtime.transact(count))


async def test_production_hides_the_docs_and_the_simulator_unless_asked(database_url: str) -> None:
    production = {"environment": "production", "secret_key": "a-real-secret-for-this-test",
                  "data_key": "A" * 43 + "="}
    async with serving(database_url, **production) as (_, client):
        for path in ("/docs", "/redoc", "/openapi.json", "/simulator", "/api/simulator/history"):
            assert (await client.get(path)).status_code == 404, path
        assert (await client.post("/api/simulator/messages", json=SAY)).status_code == 404
        assert (await client.get("/healthz")).status_code == 200
    async with serving(database_url, **production, api_docs=True, simulator_enabled=True) as (_, client):
        assert (await client.get("/openapi.json")).status_code == 200
        assert (await client.get("/simulator")).status_code == 200
    async with serving(database_url) as (_, client):  # development: both on
        assert (await client.get("/docs")).status_code == 200
        assert (await client.get("/simulator")).status_code == 200


def _cookie(value: str | None) -> dict[str, str]:
    return {"Cookie": f"sim_session={value}"} if value else {}


async def test_a_session_is_made_by_the_server_never_chosen_by_the_client(database_url: str) -> None:
    async with serving(database_url) as (app, http):
        client = httpx.AsyncClient(transport=http._transport, base_url="http://test", cookies=None)
        chosen = "a" * 32
        assert (await client.get("/api/simulator/history", headers=_cookie(chosen))).json()["messages"] == []
        assert await _contacts(app) == 0  # reading writes nothing
        first = await client.post("/api/simulator/messages", json=SAY, headers=_cookie(chosen))
        client.cookies.clear()
        second = await client.post("/api/simulator/messages", json={"text": "brp lama?", "agency": None},
                                   headers=_cookie(chosen))
        client.cookies.clear()
        issued = [first.cookies.get("sim_session"), second.cookies.get("sim_session")]
        assert all(issued) and issued[0] != issued[1] and chosen not in issued
        assert second.json()["intent"] == "clarify"  # not the first visitor's conversation
        history = await client.get("/api/simulator/history", headers=_cookie(issued[0]))
        assert [h["text"] for h in history.json()["messages"] if h["direction"] == "in"] == ["syarat kks hilang"]
        assert await _contacts(app) == 2
        tampered = (issued[0] or "")[:-2] + "xx"
        assert (await client.get("/api/simulator/history", headers=_cookie(tampered))).json()["messages"] == []


async def test_one_visitor_sending_too_fast_is_asked_to_wait(database_url: str) -> None:
    async with serving(database_url, simulator_rate=0.01) as (_, client):
        responses = [await client.post("/api/simulator/messages", json=SAY) for _ in range(11)]
        # the first request starts the session; its burst of 8 follows
        assert [r.status_code for r in responses] == [200] * 9 + [429] * 2
        refused = responses[-1]
        assert "Mohon tunggu sebentar" in refused.json()["detail"] and int(refused.headers["retry-after"]) >= 1


async def test_health_answers_while_every_transaction_waits(database_url: str) -> None:
    """Every connection of the service is taken by a transaction that waits (SQLite: its one transaction thread is
    busy; PostgreSQL: 20 transactions wait on a table lock, more than the pool holds); /healthz still answers."""
    async with serving(database_url) as (app, client):
        transact: Callable[..., Any] = app.state.runtime.transact
        async with _all_transactions_waiting(database_url, transact):
            queued = asyncio.create_task(client.post("/api/simulator/messages", json=SAY))
            health = await asyncio.wait_for(client.get("/healthz"), timeout=5)
            assert health.status_code == 200 and not queued.done()
        assert (await queued).status_code == 200


@asynccontextmanager
async def _all_transactions_waiting(database_url: str, transact: Callable[..., Any]) -> AsyncIterator[None]:
    if database_url.startswith("sqlite"):
        release, holding = threading.Event(), threading.Event()

        def hold(session: Session) -> None:
            holding.set()
            release.wait(30)

        held = asyncio.create_task(transact(hold))
        await asyncio.to_thread(holding.wait, 10)
        try:
            yield
        finally:
            release.set()
            await held
        return
    import asyncpg

    locker = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    await locker.execute("BEGIN; LOCK TABLE contacts IN ACCESS EXCLUSIVE MODE")

    def count(session: Session) -> int:
        return int(session.scalar(select(func.count()).select_from(Contact)) or 0)

    waiting = [asyncio.create_task(transact(count)) for _ in range(20)]
    await asyncio.sleep(0.5)  # let them all start waiting (not an assertion: only to fill the pool first)
    try:
        yield
    finally:
        await locker.execute("COMMIT")
        await locker.close()
        await asyncio.gather(*waiting)


def test_a_development_machine_gets_one_secret_of_its_own(tmp_path: Path) -> None:
    from bot.web.fairness import development_secret

    first = development_secret(tmp_path / "data")
    assert first == development_secret(tmp_path / "data") and len(first) >= 40 and first != "changeme"
    assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["secret_key"]  # no draft left behind
