"""Backup and restore on real databases (SQLite and PostgreSQL): a pengaduan with photos is backed up, the
database and the photo folder are wiped, and after the restore every row is back and every case's NIK and photo
read as before. A damaged archive and a target that is not empty are refused with nothing changed; a backup of
an older schema is brought to the newest migration."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import re
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.db.migrate import upgrade
from bot.ops import backup
from bot.ops.backup import BackupError
from tests.bot.cases.chat import say
from tests.bot.ops.data import (
    NIKS,
    complaint,
    leftovers,
    mode,
    officer,
    readable,
    rows,
    service,
    store_photos,
    stored_files,
    tables,
    wipe,
)
from tests.conftest import TEST_DATA_KEY

NAME = re.compile(r"dinsos-bot-\d{8}-\d{6}Z\.tar\.gz")


async def test_backup_wipe_restore_brings_every_case_message_and_photo_back(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    media, saved = tmp_path / "media", tmp_path / "backups"
    async with service(database_url, media, TEST_DATA_KEY) as (client, rt):
        assert "TLT-" in await complaint(rt, "+6281255500011", NIKS[0])
        assert "TLT-" in await complaint(rt, "+6281255500012", NIKS[1], photos=1)
        await complaint(rt, "+6281255500013", NIKS[2], photos=0, send=False)  # a form in progress
        assert await store_photos(rt, monkeypatch) == 3
        headers = await officer(client, rt)
        before = await readable(client, rt, headers)
        assert sorted(v for k, v in before.items() if "/" not in k) == sorted(NIKS[:2])
        assert sum(isinstance(v, bytes) for v in before.values()) == 3
        everything = await rt.transact(rows)
    files = stored_files(media)
    assert len(files) == 3

    made = await asyncio.to_thread(backup.backup, database_url, media, saved)
    assert NAME.fullmatch(made.path.name) and made.path.parent == saved
    assert mode(made.path) == 0o600
    assert [p.name for p in saved.iterdir()] == [made.path.name]  # no temporary file left beside it
    with tarfile.open(made.path) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        names = tar.getnames()
    assert manifest["schema"] == manifest["code_schema"] == backup.head()
    assert manifest["counts"]["cases"] == 2 and manifest["counts"]["messages"] == len(everything["messages"])
    assert datetime.strptime(manifest["created_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) <= datetime.now(UTC)
    assert manifest["photos"]["files"] == 3 and set(manifest["checksums"]) == set(names) - {"manifest.json"}
    assert {n.removeprefix("media/") for n in names if n.startswith("media/")} == set(files)

    await wipe(database_url, media)
    assert await tables(database_url) == [] and not media.exists()
    done = await asyncio.to_thread(backup.restore, made.path, database_url, media)
    assert (done.photos, done.counts["cases"], done.upgraded_to) == (3, 2, None)
    assert stored_files(media) == files  # the same encrypted bytes

    async with service(database_url, media, TEST_DATA_KEY) as (client, rt):
        assert await rt.transact(rows) == everything
        assert await readable(client, rt, headers) == before  # the officer's token came back too
        # The form in progress goes on where it was: its sealed NIK opens, the case is opened.
        summary = await say(rt, "lewati", phone="+6281255500013")
        while "Periksa data" not in summary:
            summary = await say(rt, "lewati", phone="+6281255500013")
        assert "6301********0004" in summary and "TLT-" in await say(rt, "kirim", phone="+6281255500013")


def _damaged_copies(archive: Path, folder: Path) -> list[Path]:
    """The archive cut short, the archive with one byte flipped in the middle, and the archive re-packed whole
    with one photo's bytes changed (a valid archive whose checksum does not match)."""
    data = bytearray(archive.read_bytes())
    cut = folder / "cut.tar.gz"
    cut.write_bytes(bytes(data[:len(data) // 2]))
    flipped = folder / "flipped.tar.gz"
    data[len(data) // 2] ^= 0xFF
    flipped.write_bytes(bytes(data))
    altered = folder / "altered.tar.gz"
    with tarfile.open(archive) as source, gzip.open(altered, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as out:
        for member in source.getmembers():
            body = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.startswith("media/") and not altered.with_suffix(".done").exists():
                body = body[:-1] + bytes([body[-1] ^ 1])
                altered.with_suffix(".done").touch()
            out.addfile(member, io.BytesIO(body))
    return [cut, flipped, altered]


async def test_a_damaged_archive_or_a_target_not_empty_is_refused_and_nothing_changes(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    media = tmp_path / "media"
    async with service(database_url, media, TEST_DATA_KEY) as (_, rt):
        await complaint(rt, "+6281255500011", NIKS[0])
        await store_photos(rt, monkeypatch)
        everything = await rt.transact(rows)
    made = await asyncio.to_thread(backup.backup, database_url, media, tmp_path / "backups")
    files = stored_files(media)

    with pytest.raises(BackupError, match="is not empty") as refused:  # the live database itself
        await asyncio.to_thread(backup.restore, made.path, database_url, media)
    assert "nothing was changed" in str(refused.value) and "createdb" in str(refused.value)
    async with service(database_url, media, TEST_DATA_KEY) as (_, rt):
        assert await rt.transact(rows) == everything
    assert stored_files(media) == files

    await wipe(database_url, tmp_path / "elsewhere")  # the database is empty, the photo folder is not
    with pytest.raises(BackupError, match=r"photo folder .* is not empty") as refused:
        await asyncio.to_thread(backup.restore, made.path, database_url, media)
    assert "mv " in str(refused.value)
    assert await tables(database_url) == [] and stored_files(media) == files

    await wipe(database_url, media)
    for damaged in _damaged_copies(made.path, tmp_path):
        with pytest.raises(BackupError, match="is damaged") as refused:
            await asyncio.to_thread(backup.restore, damaged, database_url, media)
        assert "nothing was changed" in str(refused.value) and "another backup" in str(refused.value)
        assert await tables(database_url) == [] and (not media.exists() or stored_files(media) == {})
        assert not leftovers(tmp_path)  # nothing unpacked is left behind
    with pytest.raises(BackupError, match="no archive"):
        await asyncio.to_thread(backup.restore, tmp_path / "nothing.tar.gz", database_url, media)


async def test_a_backup_of_an_older_schema_is_brought_to_the_newest_migration(
        database_url: str, tmp_path: Path) -> None:
    media = tmp_path / "media"
    await wipe(database_url, media)
    await asyncio.to_thread(upgrade, database_url, "0011")
    made = await asyncio.to_thread(backup.backup, database_url, media, tmp_path)
    assert made.schema == "0011" and made.photos == 0
    await wipe(database_url, media)
    done = await asyncio.to_thread(backup.restore, made.path, database_url, media)
    assert (done.schema, done.upgraded_to) == ("0011", backup.head())
    assert "worker_heartbeats" in await tables(database_url)  # 0012's table: the migrations ran
