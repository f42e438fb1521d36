"""What a running service shares between web requests and the worker."""

from __future__ import annotations

import asyncio
import gc
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db.session import make_engine, make_sessionmaker
from bot.db.transact import Transactor
from bot.settings import Settings
from handlers.engine import Engine
from knowledge.loader import load

if TYPE_CHECKING:
    from bot.channels.telegram.outbound import TelegramSender
    from bot.channels.whatsapp_twilio.outbound import TwilioSender
    from bot.pipeline import InboundWriter


@dataclass
class Runtime:
    settings: Settings
    db: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]  # async sessions, for tests and tools; the service uses transact
    transact: Transactor  # whole transactions in one step (see bot.db.transact)
    engine: Engine
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    inbound_ready: asyncio.Event = field(default_factory=asyncio.Event)  # new deliveries are stored
    process_lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one inbound processor at a time
    processed_upto: int = 0  # highest inbound id this process has seen processed
    media_waiting: bool = True  # photos may be queued: the worker looks (at start, after new ones, every 5 s)
    twilio: TwilioSender | None = None
    telegram: TelegramSender | None = None
    writer: InboundWriter = field(init=False)  # set by create(): it needs the runtime itself

    @classmethod
    def create(cls, settings: Settings) -> Runtime:
        db = make_engine(settings.database_url)
        kb, lexicon = load(settings.agencies)
        runtime = cls(settings=settings, db=db, sessionmaker=make_sessionmaker(db),
                      transact=Transactor(settings.database_url, db), engine=Engine(kb, lexicon))
        from bot.pipeline import InboundWriter

        runtime.writer = InboundWriter(runtime)
        if settings.whatsapp_enabled:
            from bot.channels.whatsapp_twilio.outbound import TwilioSender

            runtime.twilio = TwilioSender(settings)
        if settings.telegram_enabled:
            from bot.channels.telegram.outbound import TelegramSender

            runtime.telegram = TelegramSender(settings)
        return runtime

    @staticmethod
    def freeze_startup_objects() -> None:
        """What a long-running process loads at start (knowledge base, libraries) lives as long as it does:
        hide it from the garbage collector, or every full collection under load walks all of it (measured:
        about 145 ms with the service stalled, every few seconds at 300 messages/s; 6-14 ms after this)."""
        gc.collect()
        gc.freeze()

    async def close(self) -> None:
        if self.twilio is not None:
            await self.twilio.close()
        if self.telegram is not None:
            await self.telegram.bot.shutdown()
        await self.transact.close()
        await self.db.dispose()
