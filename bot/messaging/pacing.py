"""Sending limits that hold for the whole deployment, however many worker processes send.

A provider limit (Twilio's messages per second for one account, Telegram's overall rate) and the pace of one
Telegram chat are rows of ``send_limits``, shared by every process through the database. Each row holds one
number, the "theoretical arrival time" of the generic cell rate algorithm (GCRA: the token bucket written as a
schedule): a sender takes the next free slot in one atomic ``INSERT ... ON CONFLICT DO UPDATE``, so two workers
can never take the same slot, and no process has to be elected or hold a lease.

- ``reserve``: the provider's rate. It always takes a slot and says how long to wait for it: at most ``burst``
  sends at once after a quiet spell, then one every ``1/rate`` seconds (in any window of one second, at most
  ``rate + burst``).
- ``take_turn``: one chat's pace (a minimum interval between two messages). It takes the turn only if it is due,
  else says when it will be; the caller puts the message back until then, holding nothing.

On PostgreSQL the clock is the database's (``statement_timestamp()``), the same for every host; ``now`` (seconds)
replaces it in tests, and is what SQLite uses (one process there).
"""

from __future__ import annotations

import time

from sqlalchemy import text
from sqlalchemy.orm import Session

FORGET_AFTER = 3600.0  # seconds: a row idle this long acts as a fresh one (full burst), so it can go

_NOW = {"postgresql": "EXTRACT(EPOCH FROM statement_timestamp())::float8"}

_RESERVE = """
INSERT INTO send_limits (key, tat) VALUES (:key, {now} + CAST(:step AS DOUBLE PRECISION))
ON CONFLICT (key) DO UPDATE SET tat = {greatest}(send_limits.tat, {now}) + CAST(:step AS DOUBLE PRECISION)
RETURNING tat, {now}
"""

_TAKE = """
INSERT INTO send_limits (key, tat) VALUES (:key, {now} + CAST(:interval AS DOUBLE PRECISION))
ON CONFLICT (key) DO UPDATE SET tat = {now} + CAST(:interval AS DOUBLE PRECISION) WHERE send_limits.tat <= {now}
RETURNING tat
"""

_WHEN = "SELECT tat, {now} FROM send_limits WHERE key = :key"

_FORGET = "DELETE FROM send_limits WHERE tat < {now} - CAST(:idle AS DOUBLE PRECISION)"


def _sql(session: Session, template: str, now: float | None) -> tuple[str, dict[str, float]]:
    dialect = session.get_bind().dialect.name
    clock = _NOW.get(dialect) if now is None else None
    if clock is None:
        clock, binds = "CAST(:now AS DOUBLE PRECISION)", {"now": time.time() if now is None else now}
    else:
        binds = {}
    greatest = "GREATEST" if dialect == "postgresql" else "max"
    return template.format(now=clock, greatest=greatest), binds


def reserve(session: Session, key: str, *, rate: float, burst: float, now: float | None = None) -> float:
    """Take the next sending slot of ``key``; return the seconds to wait for it (0.0: send now)."""
    step = 1.0 / rate
    sql, binds = _sql(session, _RESERVE, now)
    tat, at = session.execute(text(sql), {"key": key, "step": step, **binds}).one()
    return max(0.0, float(tat) - burst * step - float(at))


def take_turn(session: Session, key: str, *, interval: float, now: float | None = None) -> float:
    """Take ``key``'s turn if it is due (return 0.0), else return the seconds until it is (nothing taken)."""
    sql, binds = _sql(session, _TAKE, now)
    if session.execute(text(sql), {"key": key, "interval": interval, **binds}).first() is not None:
        return 0.0
    sql, binds = _sql(session, _WHEN, now)
    tat, at = session.execute(text(sql), {"key": key, **binds}).one()
    return max(0.0, float(tat) - float(at))


def forget_idle(session: Session, *, now: float | None = None) -> int:
    """Delete the rows idle for ``FORGET_AFTER`` (a chat nobody wrote to): they behave as absent ones would."""
    sql, binds = _sql(session, _FORGET, now)
    result = session.execute(text(sql), {"idle": FORGET_AFTER, **binds})
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
