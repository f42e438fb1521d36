"""Alembic owns the schema: it upgrades, downgrades and matches the models, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from bot.db.migrate import downgrade, upgrade
from bot.db.models import Base
from bot.db.session import make_engine


async def _diff(url: str) -> list[object]:
    db = make_engine(url)

    def compare(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return list(compare_metadata(context, Base.metadata))

    async with db.connect() as connection:
        diff = await connection.run_sync(compare)
    await db.dispose()
    return diff


async def test_schema_matches_models_and_migrations_go_both_ways(database_url: str) -> None:
    assert await _diff(database_url) == []
    await asyncio.to_thread(downgrade, database_url, "base")
    await asyncio.to_thread(upgrade, database_url)
    assert await _diff(database_url) == []
