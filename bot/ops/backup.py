"""`dinsos-bot backup` and `dinsos-bot restore`: the database and the stored photos in one dated archive, and back.

Consistent: on PostgreSQL the row counts of the manifest and ``pg_dump`` read one exported snapshot; on SQLite
the backup API copies the file as one transaction sees it. The database is copied before the photos: a photo is
written before any row names it, so every photo the copy names is in the archive.

Restore goes only into an empty database and an empty photo folder, and touches nothing before the whole
archive has been read and every checksum matched. Afterwards the schema is brought to this code's newest
migration (a backup made by an older version).
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.migrate import alembic_config, upgrade
from bot.db.session import make_engine, sqlite_file
from bot.ops import archive, pg


class BackupError(RuntimeError):
    """What the operator is told: what went wrong, and what to do."""


@dataclass(frozen=True)
class Made:
    path: Path
    size: int  # bytes of the archive
    photos: int
    counts: dict[str, int]
    schema: str | None
    seconds: float


@dataclass(frozen=True)
class Restored:
    counts: dict[str, int]
    photos: int
    schema: str | None  # the backup's
    upgraded_to: str | None  # the newest migration, when the backup's was older
    seconds: float


def head() -> str | None:
    """This code's newest migration."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def archive_name(when: datetime) -> str:
    return f"dinsos-bot-{when.astimezone(UTC):%Y%m%d-%H%M%S}Z.tar.gz"


def _free_name(folder: Path, when: datetime) -> Path:
    path = folder / archive_name(when)
    n = 1
    while path.exists():  # two backups in the same second
        path, n = folder / archive_name(when).replace(".tar.gz", f"-{n}.tar.gz"), n + 1
    return path


# --- the database -------------------------------------------------------------------------------------------

async def _pg_counts(conn: AsyncConnection) -> tuple[dict[str, int], str | None]:
    """Rows per table of the current schema, and the schema's migration, as ``conn``'s transaction sees them."""
    names = list((await conn.execute(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"))).scalars())
    quote = conn.dialect.identifier_preparer.quote
    counts = {name: int((await conn.execute(text(f"SELECT count(*) FROM {quote(name)}"))).scalar_one())  # noqa: S608
              for name in names}
    version = None
    if "alembic_version" in counts:
        version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    return counts, version


async def _pg_dump(url: str, target: Path) -> tuple[dict[str, int], str | None]:
    """pg_dump of one exported snapshot, counted in the same snapshot."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            async with conn.begin():
                snapshot = (await conn.execute(text("SELECT pg_export_snapshot()"))).scalar_one()
                args = pg.dump_args(target, str(snapshot), pg.database_name(url))
                dumping = asyncio.create_task(asyncio.to_thread(pg.run, "pg_dump", args, url))
                try:
                    counts = await _pg_counts(conn)
                finally:
                    await asyncio.wait([dumping])  # the snapshot lives as long as this transaction
                dumping.result()
                return counts
    finally:
        await engine.dispose()


async def _pg_state(url: str) -> tuple[list[str], dict[str, int], str | None]:
    """Every table in the database's own schemas (any at all: not empty), with the counts of the current one."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            tables = list((await conn.execute(text(
                "SELECT schemaname || '.' || tablename FROM pg_tables WHERE schemaname NOT IN "
                "('pg_catalog', 'information_schema') AND schemaname NOT LIKE 'pg\\_%' ORDER BY 1"))).scalars())
            counts, version = await _pg_counts(conn)
            return tables, counts, version
    finally:
        await engine.dispose()


def _sqlite_counts(conn: sqlite3.Connection) -> tuple[dict[str, int], str | None]:
    names = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    counts = {name: int(conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]) for name in names}  # noqa: S608
    version = None
    if "alembic_version" in counts:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        version = row[0] if row else None
    return counts, version


def _sqlite_copy(source: str, target: Path) -> tuple[dict[str, int], str | None]:
    if not Path(source).is_file():
        raise BackupError(f"no SQLite database at {source}: check DATABASE_URL")
    with closing(sqlite3.connect(source, timeout=30)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)  # one consistent copy, even while the service writes
        return _sqlite_counts(dst)


def _sqlite_state(path: str) -> tuple[dict[str, int], str | None]:
    if not Path(path).exists():
        return {}, None
    with closing(sqlite3.connect(path, timeout=30)) as conn:
        return _sqlite_counts(conn)


# --- backup -------------------------------------------------------------------------------------------------

def backup(database_url: str, media_dir: Path, to: Path, *, now: datetime | None = None) -> Made:
    """One archive in ``to``: the database, then the photos of ``media_dir``, then the manifest."""
    started = time.monotonic()
    now = now or datetime.now(UTC)
    to.mkdir(mode=0o700, parents=True, exist_ok=True)
    postgres = pg.is_postgres(database_url)
    member = "database.dump" if postgres else "database.sqlite3"
    with tempfile.TemporaryDirectory(dir=to, prefix=".dinsos-bot-backup-") as work:
        copy = Path(work) / member
        try:
            if postgres:
                counts, schema = asyncio.run(_pg_dump(database_url, copy))
            else:
                path = sqlite_file(database_url)
                if path is None:
                    raise BackupError("DATABASE_URL is an in-memory database: nothing to back up")
                counts, schema = _sqlite_copy(path, copy)
        except pg.ToolError as error:
            raise BackupError(str(error)) from None
        manifest: dict[str, Any] = {
            "format": archive.FORMAT, "created_at": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "dinsos_bot": _version(), "database": "postgresql" if postgres else "sqlite", "schema": schema,
            "code_schema": head(), "counts": counts}
        target = _free_name(to, now)
        written = archive.write(target, (member, copy), media_dir, manifest)
    return Made(target, target.stat().st_size, written["photos"]["files"], counts, schema,
                time.monotonic() - started)


def _version() -> str:
    try:
        return metadata.version("dinsos-bot")
    except metadata.PackageNotFoundError:
        return "unknown"


# --- restore ------------------------------------------------------------------------------------------------

def _refuse_unless_empty(database_url: str, media_dir: Path) -> None:
    if pg.is_postgres(database_url):
        try:
            tables = asyncio.run(_pg_state(database_url))[0]
        except Exception as error:  # whatever the driver raises: say it, without the URL's password
            raise BackupError(f"cannot reach the database {pg.shown(database_url)}: {type(error).__name__}: "
                              f"{str(error)[:200]}") from None
    else:
        path = sqlite_file(database_url)
        if path is None:
            raise BackupError("DATABASE_URL is an in-memory database: restore into a file or PostgreSQL")
        tables = list(_sqlite_state(path)[0])
    if tables:
        raise BackupError(
            f"the database {pg.shown(database_url)} is not empty ({len(tables)} table(s): "
            f"{', '.join(tables[:4])}{', ...' if len(tables) > 4 else ''}); nothing was changed. Restore only "
            "into an empty database: create a new one (createdb -O OWNER NAME) and point DATABASE_URL at it, "
            "or, only if its data is not needed, empty this one first")
    if media_dir.exists() and any(path.is_file() for path in media_dir.rglob("*")):
        raise BackupError(
            f"the photo folder {media_dir} (MEDIA_DIR) is not empty; nothing was changed. Move it aside "
            f"(mv {media_dir} {media_dir}.old) or point MEDIA_DIR at an empty folder, then restore again")


def restore(path: Path, database_url: str, media_dir: Path) -> Restored:
    """Bring the archive's database and photos back into an empty database and an empty ``media_dir``."""
    started = time.monotonic()
    if not path.is_file():
        raise BackupError(f"no archive at {path}")
    _refuse_unless_empty(database_url, media_dir)
    postgres = pg.is_postgres(database_url)
    media_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=media_dir.parent, prefix=".dinsos-bot-restore-") as work:
        staged = Path(work)
        try:
            manifest = archive.read(path, staged)
        except archive.Damaged as error:
            raise BackupError(f"the archive {path} is damaged ({error}); nothing was changed. Restore from "
                              "another backup (or copy this one again from where it is kept)") from None
        kind = manifest.get("database")
        if kind != ("postgresql" if postgres else "sqlite"):
            raise BackupError(f"this archive holds a {kind} database, DATABASE_URL is "
                              f"{'PostgreSQL' if postgres else 'SQLite'}; nothing was changed. Point DATABASE_URL "
                              f"at an empty {kind} database")
        schema = manifest.get("schema")
        _known(schema)
        try:
            if postgres:
                pg.run("pg_restore", pg.restore_args(staged / "database.dump", pg.database_name(database_url)),
                       database_url)
            else:
                target = sqlite_file(database_url)
                assert target is not None  # refused above
                Path(target).parent.mkdir(parents=True, exist_ok=True)
                with (closing(sqlite3.connect(staged / "database.sqlite3")) as src,
                      closing(sqlite3.connect(target, timeout=30)) as dst):
                    src.backup(dst)
        except pg.ToolError as error:
            raise BackupError(f"{error}; the database was left as it was (one transaction)") from None
        counts = asyncio.run(_pg_state(database_url))[1] if postgres else _sqlite_state(
            sqlite_file(database_url) or "")[0]
        photos = archive.place(staged / "media", media_dir)
    if counts != manifest.get("counts"):
        differ = sorted(name for name in set(counts) | set(manifest.get("counts", {}))
                        if counts.get(name) != manifest.get("counts", {}).get(name))
        raise BackupError(f"the restored database differs from the backup's counts in {', '.join(differ[:5])}")
    newest = head()
    if schema != newest:
        upgrade(database_url)
    return Restored(counts, photos, schema, newest if schema != newest else None, time.monotonic() - started)


def _known(schema: Any) -> None:
    """Refuse a backup whose schema this code does not know (made by a newer version)."""
    if schema is None:
        return
    try:
        found = ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision(str(schema))
    except CommandError:
        found = None
    if found is None:
        raise BackupError(f"this backup's schema ({schema}) is newer than this dinsos-bot knows; nothing was "
                          "changed. Install the version that made it (or a newer one), then restore")
