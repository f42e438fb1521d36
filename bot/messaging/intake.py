"""Store first: every provider delivery is saved under (channel, external id) before the provider is answered.

A repeat is a no-op (the unique key); deliveries that arrive together are stored in one transaction (group
commit), and if the database refuses one row, the others are stored one by one so only that webhook fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError
from sqlalchemy.orm import Session

from bot.db.models import Inbound, length_of, utcnow
from bot.db.session import insert_for
from bot.db.transact import Transactor
from bot.logs import safe_error
from bot.messaging.clean import fit
from bot.messaging.statuses import InboundStatus

log = logging.getLogger(__name__)
SENDER_LIMIT = length_of(Inbound.sender)


class InboundWriter:
    """Group commit for webhooks: deliveries arriving together are stored in one transaction.

    ``store`` returns once the delivery is durably stored (so the provider may be told 200), whether it
    was new or a repeat; the processor answers new ones.
    """

    def __init__(self, transact: Transactor, stored: asyncio.Event) -> None:
        self.transact, self.stored = transact, stored  # ``stored`` is set whenever new deliveries are stored
        self.queue: list[tuple[dict[str, Any], asyncio.Future[None]]] = []
        self.ready = asyncio.Event()
        self.empty = asyncio.Event()
        self.empty.set()

    async def idle(self, limit: float = 0.05) -> None:
        """Let waiting webhooks store first (SQLite has one connection): wait until the queue is empty,
        at most ``limit`` seconds so that answering never starves."""
        if not self.empty.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.empty.wait(), timeout=limit)

    async def store(self, *, channel: str, external_id: str, payload: dict[str, Any], sender: str) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        row = {"channel": channel, "external_id": external_id, "sender": fit(sender, SENDER_LIMIT) or "",
               "payload": payload, "status": InboundStatus.RECEIVED, "attempts": 0, "received_at": utcnow()}
        self.queue.append((row, future))
        self.empty.clear()
        self.ready.set()
        await future

    async def _write(self, batch: list[tuple[dict[str, Any], asyncio.Future[None]]]) -> None:
        """Store the batch in one transaction; if that fails, row by row, so only a bad row's webhook fails."""
        waiting: dict[tuple[str, str], list[asyncio.Future[None]]] = {}
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for values, future in batch:
            key = (values["channel"], values["external_id"])
            rows.setdefault(key, values)
            waiting.setdefault(key, []).append(future)
        try:
            await self.transact(_store_rows, list(rows.values()))
        except Exception as exc:
            if not _refused_row(exc) or len(rows) == 1:  # the database is away: every webhook gets the error
                for futures in waiting.values():
                    _settle(futures, exc)
                log.error("storing %d deliveries failed: %s", len(rows), safe_error(exc))
                return
            log.warning("group insert of %d deliveries refused; storing them one by one", len(rows))
            for key, values in rows.items():
                try:
                    await self.transact(_store_rows, [values])
                except Exception as exc:
                    log.exception("could not store a %s delivery", key[0])
                    _settle(waiting.pop(key), exc)
        for futures in waiting.values():
            _settle(futures, None)
        self.stored.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set() or self.queue:
            if not self.queue:
                self.ready.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.ready.wait(), timeout=0.5)
                continue
            batch, self.queue = self.queue[:500], self.queue[500:]
            await self._write(batch)
            if not self.queue:
                self.empty.set()


def _refused_row(exc: Exception) -> bool:
    """The database (or the driver) refused a value in the rows, not the connection: worth trying row by row."""
    if isinstance(exc, (DataError, IntegrityError)):
        return True
    return isinstance(exc, StatementError) and not isinstance(exc, DBAPIError)  # a value that could not be bound


def _settle(futures: list[asyncio.Future[None]], error: Exception | None) -> None:
    for future in futures:
        if future.done():
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)


def _store_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    session.execute(insert_for(session)(Inbound).on_conflict_do_nothing(index_elements=["channel", "external_id"]),
                    rows)


