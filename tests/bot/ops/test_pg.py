"""The database URL as PostgreSQL's tools take it: in libpq's environment, never on a command line, the password
never shown."""

from __future__ import annotations

from pathlib import Path

from bot.cli_cases import _scrubbed
from bot.ops import pg

URL = "postgresql+asyncpg://dinsos:s3cret-PW@db.example:5433/dinsos?ssl=require"


def test_the_url_becomes_libpq_settings_and_the_password_stays_off_every_command_line() -> None:
    assert pg.libpq_env(URL) == {"PGHOST": "db.example", "PGPORT": "5433", "PGUSER": "dinsos",
                                 "PGPASSWORD": "s3cret-PW", "PGDATABASE": "dinsos", "PGSSLMODE": "require"}
    assert pg.libpq_env("postgresql+asyncpg://dinsos@/dinsos?host=/var/run/postgresql") == {
        "PGHOST": "/var/run/postgresql", "PGUSER": "dinsos", "PGDATABASE": "dinsos"}
    args = pg.dump_args(Path("/b/database.dump"), "00000003-00000002-1", pg.database_name(URL))
    args += pg.restore_args(Path("/b/database.dump"), pg.database_name(URL))
    assert "--dbname=dinsos" in args and "--snapshot=00000003-00000002-1" in args and "--no-owner" in args
    assert not [a for a in args if "s3cret" in a or "db.example" in a]
    assert pg.database_name("postgresql+asyncpg://dinsos@localhost") == "dinsos"


def test_no_message_shows_the_password() -> None:
    assert pg.shown(URL) == "postgresql+asyncpg://dinsos:***@db.example:5433/dinsos?ssl=require"
    said = _scrubbed(RuntimeError(f"could not connect with {URL.replace('+asyncpg', '')}\nmore"), URL)
    assert "s3cret" not in said and said.startswith("RuntimeError: could not connect") and "more" not in said
