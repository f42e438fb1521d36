"""The worker: answers stray deliveries, downloads media, and sends the outbox with pacing and retries.

`make run` runs it inside the web process; `dinsos-bot worker` runs it alone (several with PostgreSQL).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from datetime import timedelta
from typing import Protocol

from bot import outbox
from bot.channels.base import SendFailure, SendResult
from bot.db.models import utcnow
from bot.media_jobs import media_step
from bot.pipeline import sweep_inbound
from bot.ratelimit import PerKeyInterval, TokenBucket
from bot.runtime import Runtime

log = logging.getLogger(__name__)
BATCH = 25
CONCURRENCY = 8


class Sender(Protocol):
    channel: str

    async def send(self, job: outbox.Job) -> SendResult: ...


class Worker:
    def __init__(self, runtime: Runtime, worker_id: str | None = None) -> None:
        self.runtime = runtime
        self.id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        settings = runtime.settings
        self.senders: dict[str, Sender] = {}
        if runtime.twilio is not None:
            self.senders["whatsapp"] = runtime.twilio
        if runtime.telegram is not None:
            self.senders["telegram"] = runtime.telegram
        self.buckets = {"whatsapp": TokenBucket(settings.twilio_send_rate),
                        "telegram": TokenBucket(settings.telegram_send_rate)}
        self.per_chat = PerKeyInterval(settings.telegram_chat_interval)
        self._slots = asyncio.Semaphore(CONCURRENCY)
        self._last_sweep = 0.0

    async def _deliver(self, job: outbox.Job) -> outbox.Sent | None:
        transact = self.runtime.transact
        sender = self.senders.get(job.channel)
        if sender is None:
            await transact(outbox.mark_retry, job=job, code=None, error=f"channel {job.channel} not configured",
                           max_attempts=self.runtime.settings.outbox_max_attempts)
            return None
        if job.channel == "telegram":
            wait = self.per_chat.wait_for(job.address)
            if wait > 0:
                await transact(outbox.mark_deferred, job=job, until=utcnow() + timedelta(seconds=wait))
                return None
        async with self._slots:
            await self.buckets[job.channel].acquire()
            try:
                result = await sender.send(job)
            except SendFailure as failure:
                await self._failed(job, failure)
                return None
            except Exception as exc:  # a bug or an unexpected library error: retried, then dead-lettered
                log.exception("sending outbox %s failed unexpectedly", job.id)
                await self._failed(job, SendFailure("transient", None, f"{type(exc).__name__}: {exc}"))
                return None
            finally:
                if job.channel == "telegram":
                    self.per_chat.sent(job.address)
        return outbox.Sent(job, result.provider_id, result.status, result.template)

    async def _failed(self, job: outbox.Job, failure: SendFailure) -> None:
        transact = self.runtime.transact
        if failure.kind == "transient":
            status = await transact(outbox.mark_retry, job=job, code=failure.code, error=failure.message,
                                    max_attempts=self.runtime.settings.outbox_max_attempts,
                                    retry_after=failure.retry_after)
            log.warning("outbox %s: %s (%s), now %s", job.id, failure.code, failure.kind, status)
        else:
            await transact(outbox.mark_dead, job=job, code=failure.code, error=failure.message,
                           unreachable=failure.kind == "unreachable")
            log.warning("outbox %s dead: %s %s", job.id, failure.code, failure.kind)

    async def send_step(self) -> int:
        await self.runtime.writer.idle()
        jobs = await self.runtime.transact(outbox.claim, worker=self.id, limit=BATCH,
                                           lease_seconds=self.runtime.settings.outbox_lease_seconds)
        if jobs:
            results = await asyncio.gather(*(self._deliver(job) for job in jobs))
            await self.runtime.writer.idle()
            await self.runtime.transact(outbox.mark_sent, sent=[r for r in results if r is not None],
                                        template_fallback=self.runtime.settings.template_fallback)
        return len(jobs)

    async def step(self) -> int:
        done = await self.send_step()
        periodic = time.monotonic() - self._last_sweep > 5
        if self.runtime.media_waiting or periodic:  # an empty look still costs a transaction
            found = await media_step(self.runtime)
            self.runtime.media_waiting = found > 0
            done += found
        if periodic:
            self._last_sweep = time.monotonic()
            done += await sweep_inbound(self.runtime)
        return done

    async def run(self, stop: asyncio.Event) -> None:
        log.info("worker %s started", self.id)
        wakeup = self.runtime.wakeup
        while not stop.is_set():
            try:
                done = await self.step()
            except Exception:  # keep the worker alive; the database may be briefly unavailable
                log.exception("worker step failed")
                done = 0
            if done:
                continue
            wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(_first(stop, wakeup), timeout=self.runtime.settings.worker_poll_seconds)
        log.info("worker %s stopped", self.id)


async def _first(*events: asyncio.Event) -> None:
    waiters = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()
