"""Sending broadcasts: due schedules start; recipients are released into the outbox in chunks at each channel's
broadcast rate (so replies to citizens never queue behind 100,000 announcements), each release in the same
transaction as its outbox rows (a crash resumes with nobody sent twice or skipped); WhatsApp's daily limit of
citizens messaged outside the 24-hour window holds the rest; a burst of failures pauses the broadcast and says why;
a citizen who stopped marketing messages at WhatsApp (131050) is unsubscribed when that is reported
(``bot.messaging.reports``).

The outbox worker sends the rows (its own per-channel rate and per-chat pacing on top); what happened to each is
read back from its outbox row (``bot.broadcasts.progress``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.orm import Session

from bot.broadcasts import campaigns
from bot.cases.notices import one_line
from bot.db.models import Broadcast, BroadcastRecipient, Contact, Outbox, utcnow
from bot.messaging.outbox import new_rows
from bot.messaging.runtime import Runtime
from bot.messaging.statuses import FAILED_VIEW, OPEN
from handlers import messages as m
from knowledge.model import KnowledgeBase

log = logging.getLogger(__name__)
CHUNK = 500  # recipients released per transaction at most
TEMPLATE = "announcement"  # the approved marketing template (docs/whatsapp-templates.md)
WINDOW = timedelta(hours=24)
EVERY = 1.0  # seconds between steps while something is sending
SIMULATOR_RATE = 50.0  # the simulator's test citizens: nothing is sent, the page fetches


@dataclass
class Pace:
    rates: dict[str, float]  # recipients released per second, per channel
    daily_limit: int  # WhatsApp: citizens messaged outside the 24-hour window per 24 hours
    error_pause: int  # failures (at least half of the latest) that pause a broadcast
    templates: Collection[str] = ()  # the approved templates configured
    text_limits: dict[str, int] = field(default_factory=dict)


def _skip(reason: str) -> dict[str, str | None]:
    return {"status": "skipped", "error": reason}


def _window_users(session: Session, now: datetime) -> int:
    """Citizens sent a WhatsApp template (business-initiated) in the last 24 hours: the tier counts them."""
    return int(session.scalar(select(func.count(func.distinct(Outbox.contact_id))).where(
        Outbox.channel == "whatsapp", Outbox.template_only.is_(True), Outbox.created_at > now - WINDOW)) or 0)


def release(session: Session, broadcast: Broadcast, *, now: datetime, pace: Pace, agency_name: str) -> int:
    """Hand the recipients due by the pace to the outbox (or skip them, saying why). Returns how many."""
    released = dict(broadcast.released or {})
    done = 0
    held = None
    window_users: int | None = None
    anchor = broadcast.paced_from or now
    elapsed = max(0.0, (now - anchor).total_seconds())
    stalled = False
    for channel, rate in sorted(pace.rates.items()):
        since = released.get(channel, 0) - (broadcast.paced_count or {}).get(channel, 0)
        behind = math.floor(rate * elapsed) + 1 - since  # the pace's count by now (one at once), minus released
        burst = math.ceil(rate * 2)
        due = min(CHUNK, behind, burst)
        if due <= 0 or held:
            continue
        if channel not in campaigns.FETCHED:  # (the simulator's wait for its page: no sender to hold up)
            window = burst * 2  # announcements waiting in the outbox at most: a throttled sender holds the release
            waiting = int(session.scalar(select(func.count()).select_from(
                select(Outbox.id).where(Outbox.kind == "announcement", Outbox.channel == channel,
                                        Outbox.status.in_(OPEN)).limit(window).subquery())) or 0)
            if waiting >= window:
                stalled = True
                continue
            due = min(due, window - waiting)
        rows = session.execute(
            select(BroadcastRecipient.id, BroadcastRecipient.attempts, Contact.id.label("contact_id"),
                   Contact.subscribed, Contact.unreachable, Contact.unreachable_reason, Contact.last_inbound_at)
            .join(Contact, Contact.id == BroadcastRecipient.contact_id)
            .where(BroadcastRecipient.broadcast_id == broadcast.id, BroadcastRecipient.status == "pending",
                   BroadcastRecipient.channel == channel)
            .order_by(BroadcastRecipient.id).limit(due)).all()
        decided: list[tuple[int, int, dict[str, str | None], Outbox | None]] = []
        for row in rows:
            inside = row.last_inbound_at is not None and now - row.last_inbound_at < WINDOW
            if not row.subscribed:
                change = _skip("berhenti berlangganan (BERHENTI/STOP)")
            elif row.unreachable:
                change = _skip(f"tidak dapat dihubungi: {row.unreachable_reason or '-'}"[:300])
            elif channel == "whatsapp" and not inside and TEMPLATE not in pace.templates:
                change = _skip("di luar 24 jam WhatsApp dan template 'announcement' belum disetujui")
            else:
                if channel == "whatsapp" and not inside:
                    if window_users is None:
                        window_users = _window_users(session, now)
                    if window_users >= pace.daily_limit:
                        held = (f"batas harian WhatsApp tercapai ({pace.daily_limit} warga di luar jendela 24 jam); "
                                "dilanjutkan otomatis")
                        break
                    window_users += 1
                body = m.ANNOUNCEMENT.format(agency=agency_name, text=broadcast.text)
                values = new_rows(contact_id=row.contact_id, channel=channel, body=body, kind="announcement",
                                  limit=pace.text_limits.get(channel), template=TEMPLATE,
                                  template_variables={"1": one_line(agency_name), "2": one_line(broadcast.text, 1000)},
                                  template_only=not inside and channel == "whatsapp")
                sent = [Outbox(**v) for v in values]
                session.add_all(sent)
                decided.append((row.id, row.attempts, {"status": "queued", "error": None}, sent[0]))
                continue
            decided.append((row.id, row.attempts, change, None))
        if any(out is not None for *_, out in decided):
            session.flush()  # the outbox rows' ids
        changes = [{"id": rid, "released_at": now, "attempts": attempts + 1, "outbox_id": out.id if out else None,
                    **change} for rid, attempts, change, out in decided]
        if changes:
            session.execute(update(BroadcastRecipient), changes)
            released[channel] = released.get(channel, 0) + len(changes)
            done += len(changes)
        stalled = stalled or held is not None or (behind > burst and len(rows) == due)  # behind, others waiting
    if stalled:  # a stall (the loop was held up, or the daily limit): go on at the pace, no catching up
        broadcast.paced_from, broadcast.paced_count = now, dict(released)
    broadcast.released = released
    broadcast.reason = held
    return done


def error_burst(session: Session, broadcast: Broadcast, *, limit: int) -> str | None:
    """Why the broadcast should pause: ``limit`` failures or more among its latest sends since it (re)started,
    at least half of them. Names the most frequent error."""
    latest = session.execute(
        select(Outbox.status, Outbox.error_code, Outbox.error)
        .join(BroadcastRecipient, BroadcastRecipient.outbox_id == Outbox.id)
        .where(BroadcastRecipient.broadcast_id == broadcast.id, BroadcastRecipient.status == "queued",
               BroadcastRecipient.released_at >= (broadcast.counted_from or broadcast.started_at),
               Outbox.status.notin_(OPEN))
        .order_by(BroadcastRecipient.id.desc()).limit(2 * limit)).all()
    failed = [row for row in latest if row.status in FAILED_VIEW]
    if len(failed) < limit or 2 * len(failed) < len(latest):
        return None
    (code, error), _ = Counter((r.error_code, r.error) for r in failed).most_common(1)[0]
    why = f"dijeda otomatis: {len(failed)} dari {len(latest)} pengiriman terakhir gagal"
    return f"{why} ({code or '-'}: {error or '-'})"[:300]


def finished(session: Session, broadcast: Broadcast) -> bool:
    """Everyone released, and no message of it still waiting in the outbox."""
    waiting = exists().where(BroadcastRecipient.broadcast_id == broadcast.id, BroadcastRecipient.status == "pending")
    if session.scalar(select(waiting)):
        return False
    in_outbox = exists().where(and_(BroadcastRecipient.broadcast_id == broadcast.id,
                                    BroadcastRecipient.status == "queued", Outbox.id == BroadcastRecipient.outbox_id,
                                    Outbox.status.in_(OPEN), BroadcastRecipient.channel.notin_(campaigns.FETCHED)))
    return not session.scalar(select(in_outbox))


def step(session: Session, *, now: datetime, pace: Pace, kb: KnowledgeBase) -> tuple[int, int]:
    """One round: start the due schedules, release what each sending broadcast may send now, pause on a burst
    of errors, finish what is done. Each broadcast's row is locked: several workers never release twice.
    Returns (broadcasts started, recipients released)."""
    due = session.scalars(select(Broadcast).where(Broadcast.status == campaigns.SCHEDULED, Broadcast.send_at <= now)
                          .with_for_update(skip_locked=True)).all()
    for broadcast in due:
        count = campaigns.start(session, broadcast, now=now)
        log.info("broadcast %s started: %d recipients", broadcast.id, count)
    work = 0
    sending = session.scalars(select(Broadcast).where(Broadcast.status == campaigns.SENDING).order_by(Broadcast.id)
                              .with_for_update(skip_locked=True)).all()
    for broadcast in sending:
        why = error_burst(session, broadcast, limit=pace.error_pause)
        if why is not None:
            campaigns.pause(session, broadcast, reason=why, now=now)
            log.warning("broadcast %s paused: %s", broadcast.id, why)
            continue
        agency = kb.agencies.get(broadcast.agency)
        work += release(session, broadcast, now=now, pace=pace, agency_name=agency.name if agency else broadcast.agency)
        if finished(session, broadcast):
            broadcast.status, broadcast.finished_at = campaigns.DONE, now
            log.info("broadcast %s done", broadcast.id)
    return len(due), work


def pace_for(runtime: Runtime) -> Pace:
    settings = runtime.settings
    limits = {name: runtime.channel(name).text_limit for name in runtime.pushed}
    return Pace(rates={"whatsapp": settings.broadcast_whatsapp_rate, "telegram": settings.broadcast_telegram_rate,
                       "simulator": SIMULATOR_RATE},
                daily_limit=settings.whatsapp_daily_limit, error_pause=settings.broadcast_error_pause,
                templates=set(settings.twilio_templates), text_limits={k: v for k, v in limits.items() if v})


class Broadcaster:
    """The loop that runs ``step`` about once a second (beside the outbox worker) and wakes the sender."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.pace = pace_for(runtime)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            started = time.monotonic()
            try:
                begun, released = await self.runtime.transact(step, now=utcnow(), pace=self.pace,
                                                              kb=self.runtime.engine.kb)
                if begun:  # a schedule the bot answers with may have begun
                    self.runtime.local.invalidate()
                if released:
                    self.runtime.wakeup.set()
            except Exception:  # keep the loop alive; the database may be briefly unavailable
                log.exception("broadcast step failed")
            with contextlib.suppress(TimeoutError):  # about one step a second, however long a step took
                await asyncio.wait_for(stop.wait(), timeout=max(0.05, EVERY - (time.monotonic() - started)))
