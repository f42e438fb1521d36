"""What the messaging layer shares between web requests, the processor and the worker of one process.

It knows channels only as ``Channel`` records; the composition root (``bot.runtime``) builds it with them.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.cases.local import Cached
from bot.db.transact import Transactor
from bot.domain.protect import Protector
from bot.messaging import files
from bot.messaging.channel import Channel
from bot.messaging.intake import InboundWriter
from bot.settings import Settings
from handlers.engine import Engine


@dataclass
class Runtime:
    settings: Settings
    db: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]  # async sessions, for tests and tools; the service uses transact
    transact: Transactor  # whole transactions in one step (see bot.db.transact)
    engine: Engine
    channels: dict[str, Channel]
    protector: Protector  # encrypts NIKs and case photos at rest (DATA_KEY)
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)  # new outbox rows: the worker looks now
    inbound_ready: asyncio.Event = field(default_factory=asyncio.Event)  # new deliveries are stored
    process_lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one inbound processor at a time
    processed_upto: int = 0  # highest inbound id this process has seen processed
    media_waiting: bool = True  # photos may be queued: the worker looks (at start, after new ones, every 5 s)
    local: Cached = field(default_factory=Cached)  # the admin's local holidays and labels, as last read
    knowledge_version: int = 0  # the applied knowledge this process answers from (``bot.messaging.knowledge``)
    writer: InboundWriter = field(init=False)
    _photo_pool: ProcessPoolExecutor | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.writer = InboundWriter(self.transact, self.inbound_ready)

    async def store_file(self, data: bytes) -> files.StoredFile:
        """Check and clean a downloaded file (decoding in a process of its own, ``MEDIA_PROCESSES``), then keep
        it encrypted. Raises ``files.RejectedMedia`` for a file that is not a readable document."""
        if self.settings.media_processes == 0:
            cleaned = await asyncio.to_thread(files.clean, data)
        else:
            if self._photo_pool is None:  # spawned, not forked: this process has threads and open connections
                self._photo_pool = ProcessPoolExecutor(self.settings.media_processes,
                                                       mp_context=multiprocessing.get_context("spawn"))
            try:
                cleaned = await asyncio.get_running_loop().run_in_executor(self._photo_pool, files.clean, data)
            except BrokenProcessPool:  # a decoder process died (out of memory?): a new pool next time, retried
                self._photo_pool.shutdown(wait=False, cancel_futures=True)
                self._photo_pool = None
                raise
        return await asyncio.to_thread(files.keep, cleaned, Path(self.settings.media_dir), self.protector)

    def channel(self, name: str) -> Channel:
        return self.channels[name]

    @property
    def pushed(self) -> list[str]:
        """The channels a worker sends to (the others' clients fetch their replies themselves)."""
        return [name for name, channel in self.channels.items() if channel.sender is not None]

    @staticmethod
    def freeze_startup_objects() -> None:
        """What a long-running process loads at start (knowledge base, libraries) lives as long as it does:
        hide it from the garbage collector, or every full collection under load walks all of it (measured:
        about 145 ms with the service stalled, every few seconds at 300 messages/s; 6-14 ms after this)."""
        gc.collect()
        gc.freeze()

    async def close(self) -> None:
        for channel in self.channels.values():
            if channel.sender is not None:
                await channel.sender.close()
            if channel.close is not None:
                await channel.close()
        if self._photo_pool is not None:
            self._photo_pool.shutdown(wait=False, cancel_futures=True)
        await self.transact.close()
        await self.db.dispose()
