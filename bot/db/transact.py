"""Whole transactions as plain functions of a Session: ``await transact(fn, *args, **kwargs)``.

Through aiosqlite every SQL statement costs several hops between the event loop and SQLite's thread (about
1 ms per statement on a small machine), and the one SQLite connection stays locked across those hops while
the loop serves other requests. Here a SQLite transaction is a single hop: ``fn`` runs whole, begin to
commit, in the one thread that owns a synchronous connection. On PostgreSQL the same ``fn`` runs on the
async engine (asyncpg) through ``AsyncSession.run_sync``. Either way: commit when ``fn`` returns, roll back
when it raises.

Do not call it while holding another open transaction: on SQLite it would wait for that transaction's lock.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import Session

from bot.db.session import configure_sqlite, sqlite_file

T = TypeVar("T")
P = ParamSpec("P")


class Transactor:
    def __init__(self, url: str, engine: AsyncEngine) -> None:
        self._async = engine
        self._url = url
        self._sqlite: tuple[Engine, ThreadPoolExecutor] | None = None  # SQLite: its connection and its thread
        self._probe: AsyncEngine | None = None  # PostgreSQL: one connection of its own for ``ping``
        self._path = path = sqlite_file(url)
        if path:
            sync = create_engine(f"sqlite+pysqlite:///{path}", pool_size=1, max_overflow=0, hide_parameters=True,
                                 connect_args={"timeout": 30, "check_same_thread": False})
            configure_sqlite(sync)
            self._sqlite = sync, ThreadPoolExecutor(1, thread_name_prefix="sqlite")

    async def __call__(self, fn: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        if self._sqlite is None:
            async with AsyncSession(self._async, expire_on_commit=False) as session, session.begin():
                return await session.run_sync(lambda sync: fn(sync, *args, **kwargs))
        sync, thread = self._sqlite
        call = functools.partial(_in_thread, sync, fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(thread, call)

    async def ping(self) -> None:
        """Raise unless the database answers, without waiting behind queued transactions.

        SQLite: a read-only connection of its own in a thread of its own (the transaction thread may be busy);
        PostgreSQL: a one-connection pool of its own, so a busy pool cannot delay the answer.
        """
        if self._path is not None:
            await asyncio.to_thread(_sqlite_ping, self._path)
            return
        if self._probe is None:
            in_memory = self._async.dialect.name == "sqlite"
            self._probe = self._async if in_memory else create_async_engine(
                self._url, pool_size=1, max_overflow=0, pool_pre_ping=True, hide_parameters=True)
        async with self._probe.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def close(self) -> None:
        if self._probe is not None and self._probe is not self._async:
            await self._probe.dispose()
        if self._sqlite is not None:
            sync, thread = self._sqlite
            await asyncio.get_running_loop().run_in_executor(thread, sync.dispose)
            thread.shutdown(wait=True)


def _in_thread(sync_engine: Engine, fn: Callable[..., T], /, *args: object, **kwargs: object) -> T:
    with Session(sync_engine, expire_on_commit=False) as session, session.begin():
        return fn(session, *args, **kwargs)


def _sqlite_ping(path: str) -> None:
    connection = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True, timeout=2)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        connection.close()
