"""A broadcast's life: composed (draft), scheduled or started, paused and resumed, cancelled, the failed sent
again. Who receives it: the agency's contacts who typed LANGGANAN and did not stop, narrowed by the audience;
the list is frozen (one row each) when sending starts. States as listmonk has them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, Select, String, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from bot.db.models import Broadcast, BroadcastRecipient, Case, Contact, Outbox, utcnow
from bot.messaging.statuses import FAILED_VIEW

DRAFT, SCHEDULED, SENDING, PAUSED, CANCELLED, DONE = "draft", "scheduled", "sending", "paused", "cancelled", "done"
STATUSES = (DRAFT, SCHEDULED, SENDING, PAUSED, CANCELLED, DONE)
CHANNELS = ("whatsapp", "telegram", "simulator")  # the simulator's page fetches its messages (a test citizen)
FETCHED = ("simulator",)  # channels without a sender: their messages wait until the page fetches them
MAX_TEXT = 1000  # a template variable holds at most 1,024 characters
FURTHEST = timedelta(days=366)  # a send time or a schedule's end at most this far ahead
AGAIN = timedelta(minutes=5)  # the same broadcast composed again within this is refused (a double press, a retry)
AUDIENCE = ("channel", "kecamatan", "desa", "service")


class BroadcastError(Exception):
    """An action the broadcast's state does not allow (the API answers 409), or bad input (400); ``shown`` is
    the same in Indonesian, for the officers' pages."""

    def __init__(self, message: str, shown: str, *, conflict: bool = True) -> None:
        super().__init__(message)
        self.shown, self.conflict = shown, conflict


@dataclass(frozen=True)
class Schedule:
    """What the announcement is about, where, and until when the bot also answers with it."""

    what: str
    where: str | None
    until: date


def audience_query(agency: str, audience: dict[str, Any]) -> Select[int, str]:
    """The contacts (id, channel) a broadcast reaches now: opted in, not opted out, reachable, on a channel that
    can receive it; ``audience`` narrows by channel, and by the kecamatan, desa or service of their cases."""
    query = select(Contact.id, Contact.channel).where(
        Contact.agency == agency, Contact.subscribed.is_(True), Contact.unreachable.is_(False),
        Contact.channel.in_([audience["channel"]] if audience.get("channel") else CHANNELS))
    cases = [Case.agency == agency]
    for key in ("kecamatan", "desa", "service"):
        if audience.get(key):
            cases.append(func.lower(getattr(Case, key)) == str(audience[key]).strip().lower())
    if len(cases) > 1:
        query = query.where(Contact.id.in_(select(Case.contact_id).where(*cases)))
    return query


def count_audience(session: Session, agency: str, audience: dict[str, Any]) -> int:
    """The dry run: how many would receive it if it were sent now."""
    return int(session.scalar(select(func.count()).select_from(audience_query(agency, audience).subquery())) or 0)


def clean_audience(audience: dict[str, Any] | None) -> dict[str, str]:
    audience = audience or {}
    unknown = set(audience) - set(AUDIENCE)
    if unknown:
        raise BroadcastError(f"unknown audience field(s): {', '.join(sorted(unknown))}; known: "
                             f"{', '.join(AUDIENCE)}", "Sasaran tidak dikenal.", conflict=False)
    cleaned = {k: " ".join(str(v).split()) for k, v in audience.items() if v is not None and str(v).strip()}
    if cleaned.get("channel") and cleaned["channel"] not in CHANNELS:
        raise BroadcastError(f"channel must be one of {', '.join(CHANNELS)}",
                             "Kanal harus WhatsApp, Telegram atau simulator.",
                             conflict=False)
    return cleaned


def create(session: Session, *, agency: str, text: str, audience: dict[str, Any] | None, send_at: datetime | None,
           now: datetime, user_id: int | None, author: str, draft: bool = False,
           schedule: Schedule | None = None) -> Broadcast:
    """A new broadcast: a draft, scheduled for ``send_at``, or sending at once (recipients frozen now)."""
    text = text.strip()
    if not text:
        raise BroadcastError("the text is empty", "Isi pengumuman masih kosong.", conflict=False)
    if len(text) > MAX_TEXT:
        raise BroadcastError(f"the text has {len(text)} characters; at most {MAX_TEXT}",
                             f"Pengumuman terlalu panjang ({len(text)} karakter; paling banyak {MAX_TEXT}).",
                             conflict=False)
    if send_at is not None and send_at <= now:
        raise BroadcastError("send_at is in the past; leave it empty to send now",
                             "Waktu kirim sudah lewat. Kosongkan untuk mengirim sekarang.", conflict=False)
    if (send_at is not None and send_at > now + FURTHEST) or (schedule and schedule.until > (now + FURTHEST).date()):
        raise BroadcastError("send_at and the schedule's end are at most a year ahead",
                             "Waktu kirim dan akhir jadwal paling lama setahun lagi.", conflict=False)
    if schedule is not None and schedule.until < now.date():
        raise BroadcastError("the schedule's end date is in the past", "Tanggal akhir jadwal sudah lewat.",
                             conflict=False)
    audience = clean_audience(audience)
    twin = session.execute(select(Broadcast.id, Broadcast.audience).where(
        Broadcast.agency == agency, Broadcast.text == text, Broadcast.created_at > now - AGAIN,
        Broadcast.status != CANCELLED).order_by(Broadcast.id.desc()).limit(1)).first()
    if twin is not None and twin.audience == audience:
        raise BroadcastError(f"the same broadcast was composed a moment ago (id {twin.id})",
                             f"Siaran yang sama baru saja dibuat (#{twin.id}). Buka siaran itu, atau batalkan dulu.")
    broadcast = Broadcast(agency=agency, text=text, audience=audience, status=DRAFT,
                          send_at=send_at, created_by=user_id, author=author, created_at=now, paced_count={},
                          released={}, schedule_what=schedule.what if schedule else None,
                          schedule_where=schedule.where if schedule else None,
                          schedule_until=schedule.until if schedule else None)
    session.add(broadcast)
    session.flush()
    if not draft:
        send(session, broadcast, now=now)
    return broadcast


def send(session: Session, broadcast: Broadcast, *, now: datetime) -> None:
    """A draft goes: scheduled when it has a future ``send_at``, else started now. Two presses: one broadcast
    (the second finds it no longer a draft)."""
    if broadcast.status != DRAFT:
        raise BroadcastError(f"the broadcast is {broadcast.status}, not a draft",
                             "Siaran ini sudah dikirim atau dijadwalkan (mungkin oleh admin lain).")
    if broadcast.send_at is not None and broadcast.send_at > now:
        broadcast.status = SCHEDULED
        session.flush()
        return
    start(session, broadcast, now=now)  # nobody in the audience: done at once, with 0 recipients


def start(session: Session, broadcast: Broadcast, *, now: datetime) -> int:
    """Freeze the recipients (one row each, in one statement) and start sending. Returns how many."""
    chosen = audience_query(broadcast.agency, broadcast.audience).subquery()
    rows = select(literal(broadcast.id, Integer), chosen.c.id, chosen.c.channel, literal("pending", String),
                  literal(0, Integer))
    session.execute(insert(BroadcastRecipient.__table__).from_select(  # type: ignore[arg-type]

        ["broadcast_id", "contact_id", "channel", "status", "attempts"], rows))
    broadcast.status, broadcast.started_at, broadcast.counted_from = SENDING, now, now
    broadcast.paced_from, broadcast.paced_count, broadcast.reason = now, {}, None
    session.flush()
    count = int(session.scalar(select(func.count()).where(BroadcastRecipient.broadcast_id == broadcast.id)) or 0)
    if count == 0:  # nobody in the audience typed LANGGANAN: nothing to send
        broadcast.status, broadcast.finished_at = DONE, now
        broadcast.reason = "tidak ada penerima: belum ada warga (pada sasaran ini) yang mengetik LANGGANAN"
        session.flush()
    return count


def pull_back(session: Session, broadcast: Broadcast, *, now: datetime, why: str) -> list[int]:
    """Take back the broadcast's messages still waiting in the outbox (not leased by a sender): they are not sent
    (``skipped`` with ``why``); returns their recipients' ids. A message a sender holds goes."""
    waiting = select(BroadcastRecipient.outbox_id).where(BroadcastRecipient.broadcast_id == broadcast.id,
                                                          BroadcastRecipient.status == "queued")
    taken = list(session.scalars(update(Outbox).where(
        Outbox.id.in_(waiting), Outbox.status == "pending",
        or_(Outbox.lease_until.is_(None), Outbox.lease_until < now),
    ).values(status="skipped", error=why, updated_at=now).returning(Outbox.id)))
    if not taken:
        return []
    return list(session.scalars(select(BroadcastRecipient.id).where(BroadcastRecipient.broadcast_id == broadcast.id,
                                                                    BroadcastRecipient.outbox_id.in_(taken))))


def pause(session: Session, broadcast: Broadcast, *, reason: str | None = None, now: datetime | None = None) -> None:
    """Stop releasing, and take back what waits in the outbox (released again on resume)."""
    if broadcast.status != SENDING:
        raise BroadcastError(f"only a broadcast that is sending can be paused; this one is {broadcast.status}",
                             "Hanya siaran yang sedang dikirim yang bisa dijeda.")
    broadcast.status, broadcast.reason = PAUSED, reason
    back = pull_back(session, broadcast, now=now or utcnow(), why="siaran dijeda")
    if back:
        session.execute(update(BroadcastRecipient).where(BroadcastRecipient.id.in_(back)).values(
            status="pending", outbox_id=None, attempts=BroadcastRecipient.attempts - 1))
    session.flush()


def resume(session: Session, broadcast: Broadcast, *, now: datetime) -> None:
    """Sending again, paced from now (what was released before the pause does not count as a head start)."""
    if broadcast.status != PAUSED:
        raise BroadcastError(f"only a paused broadcast can be resumed; this one is {broadcast.status}",
                             "Hanya siaran yang dijeda yang bisa dilanjutkan.")
    broadcast.status, broadcast.reason, broadcast.counted_from = SENDING, None, now
    broadcast.paced_from, broadcast.paced_count = now, dict(broadcast.released or {})
    session.flush()


def cancel(session: Session, broadcast: Broadcast, *, now: datetime) -> None:
    """Nobody else receives it: the recipients not released yet are skipped (what is in the outbox goes)."""
    if broadcast.status in (CANCELLED, DONE):
        raise BroadcastError(f"the broadcast is already {broadcast.status}",
                             "Siaran ini sudah selesai atau dibatalkan.")
    broadcast.status, broadcast.finished_at = CANCELLED, now
    back = pull_back(session, broadcast, now=now, why="siaran dibatalkan")
    if back:
        session.execute(update(BroadcastRecipient).where(BroadcastRecipient.id.in_(back)).values(
            status="skipped", outbox_id=None, error="dibatalkan"))
    session.execute(update(BroadcastRecipient).where(
        BroadcastRecipient.broadcast_id == broadcast.id, BroadcastRecipient.status == "pending",
    ).values(status="skipped", error="dibatalkan"))
    session.flush()


def resend_failed(session: Session, broadcast: Broadcast, *, now: datetime) -> int:
    """The recipients whose message failed are sent it again (their last error kept until then). Returns how
    many; the broadcast sends again if it had finished."""
    if broadcast.status not in (SENDING, PAUSED, DONE):
        raise BroadcastError(f"nothing to send again: the broadcast is {broadcast.status}",
                             "Siaran ini belum dikirim atau sudah dibatalkan.")
    failed = session.execute(
        select(BroadcastRecipient.id, Outbox.error_code, Outbox.error)
        .join(Outbox, Outbox.id == BroadcastRecipient.outbox_id)
        .where(BroadcastRecipient.broadcast_id == broadcast.id, BroadcastRecipient.status == "queued",
               Outbox.status.in_(FAILED_VIEW))).all()
    if not failed:
        raise BroadcastError("no recipient has failed", "Tidak ada penerima yang gagal.")
    session.execute(update(BroadcastRecipient), [
        {"id": row.id, "status": "pending", "outbox_id": None,
         "error": f"{row.error_code or ''} {row.error or ''}".strip()[:300] or None} for row in failed])
    broadcast.counted_from = now  # the failures before are being sent again
    if broadcast.status == DONE:
        broadcast.status, broadcast.finished_at = SENDING, None
        broadcast.paced_from, broadcast.paced_count = now, dict(broadcast.released or {})
    session.flush()
    return len(failed)
