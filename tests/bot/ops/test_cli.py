"""The operator's commands as processes on PostgreSQL: `dinsos-bot backup`, `restore` (and its refusal of a
database that is not empty) and `keys rotate` with its progress; no password reaches the output."""

from __future__ import annotations

import asyncio
import base64
import re
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.db.models import Case
from bot.domain.protect import Protector, new_key, parse_key
from tests.bot.ops.data import NIKS, complaint, mode, officer, readable, service, store_photos, tables, wipe
from tests.support import clean_env, free_port, run_cli

POSTGRES = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


async def _cli(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    done = await asyncio.to_thread(run_cli, *args, env=env, cwd=cwd)
    return done.returncode, done.stdout, done.stderr


@POSTGRES
async def test_backup_and_restore_as_commands(database_url: str, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    media, key = tmp_path / "media", new_key()
    async with service(database_url, media, key) as (client, rt):
        await complaint(rt, "+6281255500011", NIKS[0])
        await store_photos(rt, monkeypatch)
        headers = await officer(client, rt)
        before = await readable(client, rt, headers)
    env = clean_env(DATABASE_URL=database_url, MEDIA_DIR=str(media), DATA_KEY=key)

    code, out, err = await _cli("backup", "--to", str(tmp_path / "saved"), env=env, cwd=tmp_path)
    assert code == 0, err
    found = re.search(r"backup written: (\S+dinsos-bot-\d{8}-\d{6}Z\.tar\.gz) \(", out)
    assert found and "1 case(s)" in out and "2 photo(s)" in out, out
    archive = Path(found.group(1))
    assert mode(archive) == 0o600

    code, out, err = await _cli("restore", str(archive), env=env, cwd=tmp_path)  # onto the live data
    assert code == 1 and "is not empty" in err and "nothing was changed" in err, (out, err)

    await wipe(database_url, media)
    code, out, err = await _cli("restore", str(archive), env=env, cwd=tmp_path)
    assert code == 0 and "restored: 1 case(s)" in out and "2 photo(s)" in out, (out, err)
    async with service(database_url, media, key) as (client, rt):
        assert await readable(client, rt, headers) == before

    await wipe(database_url, media)
    code, out, err = await _cli("restore", str(archive), env=env | {"DATA_KEY": new_key()}, cwd=tmp_path)
    assert code == 1 and "DATA_KEY opens none of case TLT-" in err, (out, err)  # restored, but the key is wrong


async def test_no_password_is_ever_printed(tmp_path: Path) -> None:
    secret = "TopSecret-42"
    url = f"postgresql+asyncpg://dinsos:{secret}@127.0.0.1:{free_port()}/dinsos"
    env = clean_env(DATABASE_URL=url, MEDIA_DIR=str(tmp_path / "media"))
    for args in (("backup", "--to", str(tmp_path)), ("restore", str(tmp_path / "x.tar.gz"))):
        (tmp_path / "x.tar.gz").write_bytes(b"not an archive")
        code, out, err = await _cli(*args, env=env, cwd=tmp_path)
        assert code == 1 and err.startswith("error: ") and secret not in out + err, (out, err)


@POSTGRES
async def test_keys_rotate_shows_its_progress_and_says_what_no_key_opens(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    media, old, new = tmp_path / "media", new_key(), new_key()
    async with service(database_url, media, old) as (_, rt):
        await complaint(rt, "+6281255500011", NIKS[0], photos=1)
        await complaint(rt, "+6281255500012", NIKS[1], photos=1)
        await store_photos(rt, monkeypatch)
    env = clean_env(DATABASE_URL=database_url, MEDIA_DIR=str(media), DATA_KEY=f"{new},{old}")

    code, out, err = await _cli("keys", "rotate", "--batch", "1", env=env, cwd=tmp_path)
    assert code == 0, err
    assert "DATA_KEY lists 2 keys" in out and "NIK 1/2, forms 0/0, photos 0/2" in out
    assert "NIK 2/2, forms 0/0, photos 2/2" in out
    assert "encrypted again: 2 NIK(s), 0 form(s) in progress, 2 photo(s)" in out
    assert "remove the older key(s) from DATA_KEY" in out

    lost = Protector(parse_key(new_key()))
    async with service(database_url, media, new) as (_, rt):
        sealed = base64.b64encode(lost.encrypt(NIKS[0].encode(), "nik")).decode()
        ticket = await rt.transact(lambda s: s.scalar(select(Case.ticket).order_by(Case.id).limit(1)))
        await rt.transact(lambda s: s.execute(update(Case).where(Case.ticket == ticket).values(nik_sealed=sealed)))
    code, out, err = await _cli("keys", "rotate", env=env | {"DATA_KEY": new}, cwd=tmp_path)
    assert code == 1 and f"no key of DATA_KEY opens case {ticket}" in err and "add the key" in err, (out, err)
    assert "DATA_KEY lists one key" in out
    assert await tables(database_url)  # nothing dropped on the way
