"""The simulator's API and /healthz against real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from bot.settings import Settings
from bot.web.main import create_app


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_app(Settings(database_url=database_url, auto_migrate=False))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json()["database"] == "ok"


async def test_a_conversation_is_kept_across_requests(client: httpx.AsyncClient) -> None:
    first = await client.post("/api/simulator/messages", json={"text": "syarat kks hilang", "agency": None})
    assert first.status_code == 200 and first.json()["intent"] == "clarify"
    assert [c["key"] for c in first.json()["replies"][0]["choices"]] == ["1", "2", "3", "4"]
    second = await client.post("/api/simulator/messages", json={"text": "4", "agency": None})
    assert "Kepolisian" in second.json()["replies"][0]["text"]
    third = await client.post("/api/simulator/messages", json={"text": "brp lama?", "agency": None})
    assert "1 hari kerja" in third.json()["replies"][0]["text"]
    history = (await client.get("/api/simulator/history")).json()["messages"]
    assert [h["direction"] for h in history] == ["in", "out"] * 3
    assert history[0]["text"] == "syarat kks hilang"


async def test_reset_starts_over(client: httpx.AsyncClient) -> None:
    await client.post("/api/simulator/messages", json={"text": "syarat karang taruna", "agency": "tanah-laut"})
    assert (await client.post("/api/simulator/reset")).status_code == 204
    assert (await client.get("/api/simulator/history")).json() == {"agency": None, "messages": []}
    reply = await client.post("/api/simulator/messages", json={"text": "brp lama?", "agency": None})
    assert reply.json()["intent"] == "clarify"


async def test_hostile_text_is_stored_as_text(client: httpx.AsyncClient) -> None:
    hostile = "<img src=x onerror=alert(1)>'; DROP TABLE messages; --"
    reply = await client.post("/api/simulator/messages", json={"text": hostile, "agency": "tarakan"})
    assert reply.status_code == 200
    history = (await client.get("/api/simulator/history")).json()["messages"]
    assert history[0]["text"] == hostile
    assert (await client.get("/healthz")).status_code == 200


async def test_ten_thousand_characters_and_control_characters(client: httpx.AsyncClient) -> None:
    for text in ["x" * 10_000, "\x00\x1b[2J\u202e", "😀🙏"]:
        reply = await client.post("/api/simulator/messages", json={"text": text, "agency": "sragen"})
        assert reply.status_code == 200 and reply.json()["replies"][0]["text"]


@pytest.mark.parametrize(("body", "field"), [
    ({"text": "halo", "agency": "bogor"}, "unknown agency"),
    ({"agency": None}, "text"),
    ({"text": "x" * 20_001}, "text"),
    ({"text": 12}, "text"),
])
async def test_bad_requests_get_a_precise_422(client: httpx.AsyncClient, body: dict, field: str) -> None:  # type: ignore[type-arg]
    response = await client.post("/api/simulator/messages", json=body)
    assert response.status_code == 422
    assert field in response.text


async def test_page_and_openapi(client: httpx.AsyncClient) -> None:
    page = await client.get("/simulator")
    assert page.status_code == 200 and "simulator.js" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a router included twice gives duplicate operation ids: a warning
        paths = (await client.get("/openapi.json")).json()["paths"]
    assert "/api/simulator/messages" in paths and "/api/simulator/reset" in paths
