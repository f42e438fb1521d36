"""The worker: answers stray deliveries, sends the outbox with pacing and retries, and (in a loop of its own, so
photos never hold up sending) downloads and checks media.

`make run` runs it inside the web process; `dinsos-bot worker` runs it alone (several with PostgreSQL).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot import metrics
from bot.db.models import WorkerHeartbeat, utcnow
from bot.db.session import insert_for
from bot.logs import JOB_ID
from bot.messaging import knowledge, outbox, pacing, reports, timers
from bot.messaging.channel import FailureKind, SendFailure
from bot.messaging.media_jobs import media_step
from bot.messaging.processing import sweep_inbound
from bot.messaging.runtime import Runtime

log = logging.getLogger(__name__)
BATCH = 25
CONCURRENCY = 8
TIMERS_EVERY = 60.0  # seconds
HEARTBEAT_EVERY = 10.0  # seconds between two heartbeats (``/readyz`` wants one within HEARTBEAT_FRESH)


class Worker:
    def __init__(self, runtime: Runtime, worker_id: str | None = None) -> None:
        self.runtime = runtime
        self.id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.channels = {name: runtime.channel(name) for name in runtime.pushed}
        self._slots = asyncio.Semaphore(CONCURRENCY)
        self._last_sweep = 0.0
        self._last_timers = 0.0
        self._last_beat = -HEARTBEAT_EVERY
        self._last_knowledge = -knowledge.POLL

    async def _deliver(self, job: outbox.Job) -> reports.Sent | None:
        JOB_ID.set(f"outbox-{job.id}")  # this task's log lines (gather runs each job in a task of its own)
        transact = self.runtime.transact
        channel = self.channels.get(job.channel)
        if channel is None or channel.sender is None:
            await transact(outbox.mark_retry, job=job, code=None, error=f"channel {job.channel} not configured",
                           max_attempts=self.runtime.settings.outbox_max_attempts)
            return None
        async with self._slots:
            if channel.send_rate:  # the provider account's rate, shared by every worker
                slot = await transact(pacing.reserve, job.channel, rate=channel.send_rate,
                                      burst=max(1.0, channel.send_rate), max_wait=self._may_wait(job))
                if not slot.taken:  # it would come after the lease: back to the outbox until then, nothing taken
                    await transact(outbox.mark_deferred, job=job, until=utcnow() + timedelta(seconds=slot.wait))
                    return None
                await asyncio.sleep(slot.wait)
            if channel.chat_interval:  # one chat's pace, taken as the message goes (``bot.messaging.pacing``)
                wait = await transact(pacing.take_turn, f"{job.channel}:chat:{job.external_id}",
                                      interval=channel.chat_interval)
                if wait > 0:
                    await transact(outbox.mark_deferred, job=job, until=utcnow() + timedelta(seconds=wait))
                    return None
            try:
                result = await channel.sender.send(job)
            except SendFailure as failure:
                await self._failed(job, failure)
                return None
            except Exception as exc:  # a bug or an unexpected library error: retried, then dead-lettered
                log.exception("sending outbox %s failed unexpectedly", job.id)
                await self._failed(job, SendFailure(FailureKind.TRANSIENT, None, f"{type(exc).__name__}: {exc}"))
                return None
        metrics.SENT.labels(job.channel).inc()
        return reports.Sent(job, result.provider_id, result.status, result.template)

    def _may_wait(self, job: outbox.Job) -> float:
        """How long ``job`` may still wait for its slot: its batch is marked sent only when every job of it is
        done, and all of that must happen inside the lease (else another worker claims the row and sends it
        again). A third of the lease stays for sending and marking; a slot due now is always taken."""
        lease = self.runtime.settings.outbox_lease_seconds
        if job.lease_until is None:
            return lease / 2
        return max(0.0, (job.lease_until - utcnow()).total_seconds() - lease / 3)

    async def _failed(self, job: outbox.Job, failure: SendFailure) -> None:
        transact = self.runtime.transact
        metrics.SEND_FAILURES.labels(job.channel, str(failure.code or "none")[:20], failure.kind.value).inc()
        if failure.kind == FailureKind.TRANSIENT:
            status = await transact(outbox.mark_retry, job=job, code=failure.code, error=failure.message,
                                    max_attempts=self.runtime.settings.outbox_max_attempts,
                                    retry_after=failure.retry_after)
            log.warning("outbox %s: %s (%s), now %s", job.id, failure.code, failure.kind, status)
        else:
            await transact(outbox.mark_dead, job=job, code=failure.code, error=failure.message,
                           unreachable=failure.kind == FailureKind.UNREACHABLE)
            log.warning("outbox %s dead: %s %s", job.id, failure.code, failure.kind)

    async def send_step(self) -> int:
        await self.runtime.writer.idle()
        jobs = await self.runtime.transact(outbox.claim, worker=self.id, limit=BATCH, channels=list(self.channels),
                                           lease_seconds=self.runtime.settings.outbox_lease_seconds)
        if jobs:
            results = await asyncio.gather(*(self._deliver(job) for job in jobs))
            await self.runtime.writer.idle()
            await self.runtime.transact(reports.mark_sent, sent=[r for r in results if r is not None],
                                        templates=set(self.runtime.settings.twilio_templates))
        return len(jobs)

    async def step(self) -> int:
        done = await self.send_step()
        periodic = time.monotonic() - self._last_sweep > 5
        if periodic:
            self._last_sweep = time.monotonic()
            done += await sweep_inbound(self.runtime)
        if time.monotonic() - self._last_beat > HEARTBEAT_EVERY:
            self._last_beat = time.monotonic()
            await self.runtime.transact(heartbeat, self.id, utcnow())
        if time.monotonic() - self._last_knowledge > knowledge.POLL:  # timers close cases by the new knowledge
            self._last_knowledge = time.monotonic()
            await knowledge.refresh(self.runtime)
        if time.monotonic() - self._last_timers > TIMERS_EVERY:
            self._last_timers = time.monotonic()
            await self.timers()
        return done

    async def timers(self) -> None:
        """Forms to remind or forget, cases to close, personal data past retention, idle sending limits (each its own
        transaction)."""
        rt = self.runtime
        now = utcnow()
        done = await rt.transact(timers.forms, now)
        closed = await rt.transact(timers.unanswered, now, rt.engine.kb)
        purged = await rt.transact(timers.purge, now, rt.settings.retention_days, Path(rt.settings.media_dir))
        await rt.transact(pacing.forget_idle)
        if done.reminded or done.forgotten or closed or purged.purged:
            log.info("timers: %d reminded, %d forms forgotten, %d cases closed, %d purged", done.reminded,
                     done.forgotten, closed, purged.purged)
            rt.wakeup.set()

    async def media(self, stop: asyncio.Event) -> None:
        """Downloads and photo checks, in a loop of their own: decoding photos never holds up sending."""
        last_look = 0.0
        while not stop.is_set():
            found = 0
            if self.runtime.media_waiting or time.monotonic() - last_look > 5:  # an empty look costs a transaction
                last_look = time.monotonic()
                try:
                    found = await media_step(self.runtime)
                    self.runtime.media_waiting = found > 0
                except Exception:  # keep the loop alive; the database may be briefly unavailable
                    log.exception("media step failed")
            if not found:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.runtime.settings.worker_poll_seconds)

    async def run(self, stop: asyncio.Event) -> None:
        log.info("worker %s started", self.id)
        with contextlib.suppress(Exception):  # the first sweep answers from the applied knowledge already
            await knowledge.refresh(self.runtime)
            self._last_knowledge = time.monotonic()
        media = asyncio.create_task(self.media(stop), name="media")
        try:
            await self._send_loop(stop)
        finally:
            await media
            with contextlib.suppress(Exception):  # stopped cleanly: not ready at once (a killed one: after 60 s)
                await self.runtime.transact(gone, self.id)
        log.info("worker %s stopped", self.id)

    async def _send_loop(self, stop: asyncio.Event) -> None:
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


def heartbeat(session: Session, worker_id: str, now: datetime) -> None:
    """This worker is alive (one row per worker, upserted)."""
    upsert = insert_for(session)(WorkerHeartbeat).values(worker_id=worker_id[:120], started_at=now, beat_at=now)
    session.execute(upsert.on_conflict_do_update(index_elements=[WorkerHeartbeat.worker_id],
                                                 set_={"beat_at": upsert.excluded.beat_at}))


def gone(session: Session, worker_id: str) -> None:
    """This worker stopped: its heartbeat goes with it."""
    session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.worker_id == worker_id[:120]))


async def _first(*events: asyncio.Event) -> None:
    waiters = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()
