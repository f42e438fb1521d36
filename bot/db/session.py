"""Database engine and sessions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def sqlite_file(url: str) -> str | None:
    """The database file of a SQLite URL (None for other databases and for in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return parsed.database


def make_engine(url: str) -> AsyncEngine:
    """``hide_parameters``: a database error never carries the row's values (phone numbers, message text) into
    a log line or a traceback."""
    if make_url(url).get_backend_name() == "sqlite":
        path = sqlite_file(url)
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # One connection: SQLite has one writer anyway, and waiting for the pool (in asyncio) is far cheaper
        # than SQLite's own busy-wait, which sleeps up to 100 ms at a time under contention.
        engine = create_async_engine(url, connect_args={"timeout": 30}, pool_size=1, max_overflow=0,
                                     pool_timeout=60, hide_parameters=True)
        configure_sqlite(engine.sync_engine)
        return engine
    return create_async_engine(url, pool_pre_ping=True, hide_parameters=True)


def configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a long busy timeout, and transactions that take the write lock when they begin."""

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        # Take the write lock up front: a transaction that read first and writes later would fail
        # (SQLITE_BUSY_SNAPSHOT) when another one committed in between, instead of waiting its turn.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def insert_for(session: Any) -> Any:
    """The dialect's INSERT (PostgreSQL and SQLite both have ON CONFLICT); ``session``: a Session or Connection."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    return pg_insert if dialect == "postgresql" else sqlite_insert


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
