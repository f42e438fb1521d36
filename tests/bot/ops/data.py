"""Real data made through the service's own paths (a WhatsApp citizen files a pengaduan with photos, the worker's
media step stores them encrypted), read back as an officer and a user would, and wiped as a dead disk would."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Base, Case, CasePhoto, Media
from bot.db.session import sqlite_file
from bot.messaging import media_jobs
from bot.messaging.runtime import Runtime
from bot.settings import Settings
from bot.web.main import create_app
from tests.bot.cases.chat import say
from tests.bot.cases.conftest import sign_in
from tests.conftest import CHANNELS
from tests.fakes import images

NIKS = ("6301054501900002", "6301054501900003", "6301054501900004")  # Tanah Laut, women born 5 January 1990


@asynccontextmanager
async def service(database_url: str, media_dir: Path, data_key: str) -> AsyncIterator[tuple[httpx.AsyncClient,
                                                                                             Runtime]]:
    """The app in process (no worker) on ``database_url``, its photos in ``media_dir``, sealed with ``data_key``."""
    whatsapp = {k: v for k, v in CHANNELS.items() if not k.startswith("telegram")}
    settings = Settings(**(whatsapp | {"database_url": database_url, "auto_migrate": False,
                                       "agencies": ["tanah-laut"], "media_dir": str(media_dir),
                                       "worker_enabled": False, "media_processes": 0, "data_key": data_key}))
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client, app.state.runtime


async def complaint(rt: Runtime, phone: str, nik: str, *, photos: int = 2, send: bool = True) -> str:
    """A citizen reports a lost KKS on WhatsApp with ``photos`` documents; ``send=False`` stops before ``kirim``
    (the form in progress holds the NIK, sealed)."""
    assert "Balas *ya*" in await say(rt, "kartu kks saya hilang, bantuan jadi tidak bisa diambil", phone=phone)
    for answer, asked in (("ya", "*setuju*"), ("setuju", "nama lengkap"), ("Siti Aminah", "NIK"), (nik, "kecamatan"),
                          ("Pelaihari", "desa")):
        assert asked in await say(rt, answer, phone=phone), answer
    assert "KTP" in await say(rt, "Angsau", phone=phone)
    if photos:
        assert f"{photos} foto diterima" in await say(rt, "", phone=phone, photos=photos)
    if not send:
        return ""
    summary = await say(rt, "lewati", phone=phone)
    while "Periksa data" not in summary:
        summary = await say(rt, "lewati", phone=phone)
    return await say(rt, "kirim", phone=phone)


async def store_photos(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> int:
    """The worker's media step downloads every queued photo (distinct pictures) and stores it encrypted."""
    sizes = iter([(1600, 1000), (1400, 900), (1500, 950), (1300, 1000), (1200, 800), (1700, 1100)])

    async def fetched(runtime: Runtime, item: Media) -> bytes:
        return images.jpeg(*next(sizes))

    monkeypatch.setattr(media_jobs, "_fetch", fetched)
    stored = 0
    while claimed := await media_jobs.media_step(rt):
        stored += claimed
    return stored


async def officer(client: httpx.AsyncClient, rt: Runtime) -> dict[str, str]:
    return await sign_in(client, rt, "petugas.tl")


def _photos(session: Session) -> list[tuple[str, int]]:
    return [(ticket, photo_id) for ticket, photo_id in session.execute(
        select(Case.ticket, CasePhoto.id).join(CasePhoto, CasePhoto.case_id == Case.id)
        .where(CasePhoto.media_id.is_not(None)).order_by(CasePhoto.id)).all()]


async def readable(client: httpx.AsyncClient, rt: Runtime, headers: dict[str, str]) -> dict[str, Any]:
    """What an officer sees: every case's full NIK and every received photo's bytes, through the API."""
    seen: dict[str, Any] = {}
    for ticket in await rt.transact(lambda s: list(s.scalars(select(Case.ticket).order_by(Case.id)))):
        nik = await client.post(f"/api/cases/{ticket}/nik", headers=headers)
        assert nik.status_code == 200, nik.text
        seen[ticket] = nik.json()["nik"]
    for ticket, photo_id in await rt.transact(_photos):
        photo = await client.get(f"/api/cases/{ticket}/photos/{photo_id}", headers=headers)
        assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg", photo.text
        seen[f"{ticket}/{photo_id}"] = photo.content
    return seen


def rows(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in key order."""
    return {table.name: [tuple(row) for row in session.execute(
        select(table).order_by(*table.primary_key.columns)).all()] for table in Base.metadata.sorted_tables}


def leftovers(folder: Path) -> list[Path]:
    """What a restore unpacked and did not clean up."""
    return list(folder.glob(".dinsos-bot-restore-*"))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def stored_files(media_dir: Path) -> dict[str, bytes]:
    return {str(p.relative_to(media_dir)): p.read_bytes() for p in sorted(media_dir.rglob("*")) if p.is_file()}


def _remove(path: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)


def _sqlite_tables(path: str) -> list[str]:
    if not Path(path).exists():
        return []
    with closing(sqlite3.connect(path)) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


async def wipe(database_url: str, media_dir: Path) -> None:
    """The disk died: no table left in the database (it exists, empty, as a new server's would), no photo."""
    path = sqlite_file(database_url)
    if path:
        _remove(path)
    else:
        conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        finally:
            await conn.close()
    await asyncio.to_thread(shutil.rmtree, media_dir, True)


async def tables(database_url: str) -> list[str]:
    path = sqlite_file(database_url)
    if path:
        return _sqlite_tables(path)
    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return [r[0] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    finally:
        await conn.close()
