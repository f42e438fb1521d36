"""Fixtures of the case tests: the app in process on a real database, and signed-in officers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from bot.messaging.runtime import Runtime
from bot.officers import accounts
from bot.settings import Settings
from bot.web.main import create_app
from tests.conftest import CHANNELS

PASSWORD = "a-long-test-password"


@pytest.fixture
async def api(database_url: str, tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    whatsapp = {k: v for k, v in CHANNELS.items() if not k.startswith("telegram")}
    settings = Settings(**(whatsapp | {"database_url": database_url, "auto_migrate": False, "agencies": ["tanah-laut"],
                                       "media_dir": str(tmp_path / "media"), "worker_enabled": False}))
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client, app.state.runtime


def _user(session: Session, username: str, role: str, agency: str | None) -> None:
    accounts.add_user(session, username=username, role=role, agency=agency, password=PASSWORD,
                      agencies=["tarakan", "sragen", "magetan", "tanah-laut"])


async def sign_in(client: httpx.AsyncClient, rt: Runtime, username: str, role: str = "officer",
                  agency: str | None = "tanah-laut") -> dict[str, str]:
    await rt.transact(_user, username, role, agency)
    answer = await client.post("/api/token", data={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    assert answer.json()["token_type"] == "bearer"
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


