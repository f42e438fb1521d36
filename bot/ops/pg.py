"""PostgreSQL's own tools (pg_dump, pg_restore) on the database of ``DATABASE_URL``.

The SQLAlchemy URL (``postgresql+asyncpg://user:pass@host:port/db?ssl=require``) becomes libpq's environment
(PGHOST, PGPORT, PGUSER, PGPASSWORD, PGSSLMODE): nothing of it is on a command line another user could read
with ``ps``, and no message shows the password.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url

SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
TIMEOUT = 6 * 3600  # a dump or restore that has not ended after six hours is stuck


class ToolError(RuntimeError):
    """A tool that is missing or failed; the message says what to do and never holds the password."""


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def libpq_env(url: str) -> dict[str, str]:
    """What pg_dump and pg_restore need to reach the database of ``url``, as libpq environment variables."""
    parsed: URL = make_url(url)
    env: dict[str, str] = {}
    query = {key: value if isinstance(value, str) else value[-1] for key, value in parsed.query.items()}
    host = parsed.host or query.get("host")
    for name, value in (("PGHOST", host), ("PGPORT", str(parsed.port) if parsed.port else query.get("port")),
                        ("PGUSER", parsed.username), ("PGPASSWORD", parsed.password),
                        ("PGDATABASE", parsed.database)):
        if value:
            env[name] = str(value)
    ssl = query.get("sslmode") or query.get("ssl")
    if ssl in SSL_MODES:
        env["PGSSLMODE"] = str(ssl)
    elif ssl in ("true", "1"):
        env["PGSSLMODE"] = "require"
    return env


def shown(url: str) -> str:
    """The URL as it may be printed: the password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def _tool(name: str) -> str:
    found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
    if found is None:
        raise ToolError(f"{name} is not installed: apt-get install postgresql-client (the server's major version)")
    return found


def run(name: str, args: list[str], url: str) -> None:
    """Run pg_dump or pg_restore against ``url``; ToolError with its last lines if it fails."""
    extra = libpq_env(url)
    command = [_tool(name), *args]
    try:
        done = subprocess.run(command, env=os.environ | extra, capture_output=True, text=True,  # noqa: S603
                              timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise ToolError(f"{name} did not finish within {TIMEOUT // 3600} hours") from None
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip()[-1500:]
        password = extra.get("PGPASSWORD")
        if password:
            said = said.replace(password, "***")
        raise ToolError(f"{name} failed (exit {done.returncode}): {said}")


def dump_args(target: Path, snapshot: str | None, database: str) -> list[str]:
    """A custom-format dump without owners (it restores into a database another role owns); with
    ``snapshot``, exactly what the exporting transaction sees."""
    args = ["--format=custom", "--no-owner", "--no-privileges", f"--file={target}", f"--dbname={database}"]
    return [*args, f"--snapshot={snapshot}"] if snapshot else args


def restore_args(source: Path, database: str) -> list[str]:
    """All or nothing (one transaction, stop at the first error); objects owned by whoever restores."""
    return ["--no-owner", "--no-privileges", "--no-comments", "--exit-on-error", "--single-transaction",
            f"--dbname={database}", str(source)]


def database_name(url: str) -> str:
    """The database's name (libpq's default: the user's name)."""
    parsed = make_url(url)
    return parsed.database or parsed.username or "postgres"
