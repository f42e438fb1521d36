"""Sending limits that hold for the whole deployment, however many worker processes send.

A provider limit (Twilio's messages per second for one account, Telegram's overall rate) and the pace of one
Telegram chat are rows of ``send_limits``, shared by every process through the database. Each row holds one
number, the "theoretical arrival time" of the generic cell rate algorithm (GCRA: the token bucket written as a
schedule): a sender takes the next free slot in one atomic ``INSERT ... ON CONFLICT DO UPDATE``, so two workers
can never take the same slot, and no process has to be elected or hold a lease.

- ``reserve``: the provider's rate. It takes the next slot if it comes soon enough, and says how long to wait
  for it: at most ``burst`` sends at once after a quiet spell, then one every ``1/rate`` seconds (in any window
  of one second, at most ``rate + burst``).
- ``take_turn``: one chat's pace (a minimum interval between two messages). It takes the turn only if it is due,
  else says when it will be; the caller puts the message back until then, holding nothing.

On PostgreSQL the clock is the database's (``statement_timestamp()``), the same for every host; ``now`` (seconds)
replaces it in tests, and is what SQLite uses (one process there).
"""

from __future__ import annotations

import math
import time
from typing import Any, NamedTuple

from sqlalchemy import text
from sqlalchemy.orm import Session

FORGET_AFTER = 3600.0  # seconds: a row idle this long acts as a fresh one (full burst), so it can go

_NOW = {"postgresql": "EXTRACT(EPOCH FROM statement_timestamp())::float8"}

_RESERVE = """
INSERT INTO send_limits (key, tat) VALUES (:key, {now} + CAST(:step AS DOUBLE PRECISION))
ON CONFLICT (key) DO UPDATE SET tat = {greatest}(send_limits.tat, {now}) + CAST(:step AS DOUBLE PRECISION)
WHERE {greatest}(send_limits.tat, {now}) + CAST(:step AS DOUBLE PRECISION) - CAST(:span AS DOUBLE PRECISION) - {now}
      <= CAST(:max_wait AS DOUBLE PRECISION)
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


class Slot(NamedTuple):
    taken: bool  # False: the next slot is further away than the caller can wait; nothing was taken
    wait: float  # seconds until the slot (0.0: send now)


def reserve(session: Session, key: str, *, rate: float, burst: float, max_wait: float = math.inf,
            now: float | None = None) -> Slot:
    """Take the next sending slot of ``key`` if it comes within ``max_wait`` seconds, and say when it is.

    A slot further away is not taken (a row that cannot wait that long goes back to the outbox until then), so
    putting messages back never moves the schedule on: only sends do.
    """
    step = 1.0 / rate
    binds: dict[str, Any] = {"key": key, "step": step, "span": burst * step, "max_wait": min(max_wait, 1e9)}
    sql, clock = _sql(session, _RESERVE, now)
    taken = session.execute(text(sql), binds | clock).first()
    if taken is not None:
        return Slot(True, max(0.0, float(taken[0]) - burst * step - float(taken[1])))
    sql, clock = _sql(session, _WHEN, now)
    tat, at = session.execute(text(sql), {"key": key} | clock).one()
    return Slot(False, max(0.0, max(float(tat), float(at)) + step - burst * step - float(at)))


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
