"""How the service is doing, as tables (the dashboard draws them, the exports write them): open cases per step,
SLA compliance per week, the IKM per unsur with its category, messages per day per channel, the services asked
about most, and the latest questions the bot could not answer (to improve the knowledge base). Each table is
limited to ``agencies`` (None: every agency)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session, aliased

from bot.db.models import Case, Contact, Message, SurveyResponse
from bot.domain import skm
from bot.domain.nik import mask_all
from bot.domain.phone import mask_in_text
from knowledge.model import KnowledgeBase

WEEKS = 8
DAYS = 14
RECENT = timedelta(days=30)
UNANSWERED = 20
CHANNELS = ("whatsapp", "telegram", "simulator")


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""


def _cases(agencies: list[str] | None) -> Any:
    return true() if agencies is None else Case.agency.in_(agencies)


def _contacts(agencies: list[str] | None) -> Any:
    return true() if agencies is None else Contact.agency.in_(agencies)


def open_per_step(session: Session, agencies: list[str] | None) -> Table:
    table = Table("tahap", "Pengaduan terbuka per tahap", ["Tahap", "Jumlah"])
    counts = session.execute(select(Case.step, func.count(), func.min(Case.id)).where(
        Case.status.in_(("open", "waiting")), _cases(agencies)).group_by(Case.step).order_by(Case.step)).all()
    for step, n, example in counts:
        steps = session.scalar(select(Case.steps).where(Case.id == example)) or []
        name = steps[step - 1]["name"] if 0 < step <= len(steps) else f"Tahap {step}"
        table.rows.append([f"{step}. {name}", int(n)])
    return table


def sla_per_week(session: Session, agencies: list[str] | None, now: datetime) -> Table:
    table = Table("sla", "Ketepatan waktu per minggu (pengaduan yang ditutup)",
                  ["Minggu mulai", "Ditutup", "Tepat waktu", "Persen"])
    start = (now - timedelta(weeks=WEEKS)).date()
    start -= timedelta(days=start.weekday())
    since = datetime.combine(start, datetime.min.time(), now.tzinfo)
    closed = session.execute(select(Case.closed_at, Case.due_at).where(
        Case.closed_at.isnot(None), Case.closed_at >= since,
        Case.status.in_(("resolved", "rejected")), _cases(agencies))).all()
    weeks: dict[date, list[int]] = {start + timedelta(weeks=n): [0, 0] for n in range(WEEKS + 1)}
    for closed_at, due_at in closed:
        if closed_at is None:
            continue
        day = closed_at.date()
        week = day - timedelta(days=day.weekday())
        if week in weeks:
            weeks[week][0] += 1
            weeks[week][1] += closed_at <= due_at
    for week, (total, on_time) in weeks.items():
        table.rows.append([week.isoformat(), total, on_time, round(100 * on_time / total, 1) if total else None])
    return table


def ikm(session: Session, agencies: list[str] | None, now: datetime) -> Table:
    answers = session.scalars(select(SurveyResponse.answers).where(
        SurveyResponse.created_at >= now - timedelta(days=90),
        true() if agencies is None else SurveyResponse.agency.in_(agencies)))
    result = skm.score([dict(enumerate(a, 1)) for a in answers if a])
    table = Table("ikm", "Indeks Kepuasan Masyarakat per unsur (90 hari)", ["Unsur", "NRR", "Nilai (x25)"])
    for n, name in enumerate(skm.UNSUR, 1):
        nrr = result.nrr.get(n) if result else None
        table.rows.append([f"U{n} {name}", round(nrr, 2) if nrr else None, round(nrr * 25, 2) if nrr else None])
    table.note = (f"IKM {result.ikm:.2f} · mutu {result.category} ({result.performance}) · "
                  f"{result.respondents} responden" if result else "Belum ada survei.")
    return table


def messages_per_day(session: Session, agencies: list[str] | None, now: datetime, zone: str) -> Table:
    table = Table("pesan", "Pesan warga per hari per kanal", ["Tanggal", *CHANNELS])
    local = ZoneInfo(zone)
    first = (now.astimezone(local) - timedelta(days=DAYS - 1)).date()
    rows = session.execute(select(Message.created_at, Contact.channel).join(Contact, Contact.id == Message.contact_id)
                           .where(Message.direction == "in", Message.created_at >= now - timedelta(days=DAYS + 1),
                                  _contacts(agencies)))
    counts: Counter[tuple[date, str]] = Counter()
    for at, channel in rows:
        counts[(at.astimezone(local).date(), channel)] += 1
    for n in range(DAYS):
        day = first + timedelta(days=n)
        table.rows.append([day.isoformat(), *(counts[(day, c)] for c in CHANNELS)])
    return table


def top_services(session: Session, agencies: list[str] | None, now: datetime, kb: KnowledgeBase) -> Table:
    table = Table("layanan", "Layanan yang paling sering ditanyakan (30 hari)", ["Layanan", "Jawaban"])
    rows = session.execute(select(Contact.agency, Message.service, func.count()).join(
        Contact, Contact.id == Message.contact_id).where(
        Message.direction == "out", Message.service.isnot(None), Message.created_at >= now - RECENT,
        _contacts(agencies)).group_by(Contact.agency, Message.service).order_by(func.count().desc()).limit(10))
    for agency, service, n in rows:
        found = kb.service(agency, service) if agency and service else None
        table.rows.append([found.name if found else service, int(n)])
    return table


def unanswered(session: Session, agencies: list[str] | None, now: datetime) -> Table:
    """The latest questions answered with the fallback (what the standards do not cover, or the bot did not
    understand): the question as stored (NIKs masked)."""
    table = Table("tak-terjawab", "Pertanyaan yang belum bisa dijawab bot (30 hari)", ["Waktu (UTC)", "Pertanyaan"])
    asked = aliased(Message)
    before = (select(func.max(asked.id)).where(asked.contact_id == Message.contact_id, asked.id < Message.id,
                                               asked.direction == "in").scalar_subquery())
    latest = session.execute(select(Message.created_at, before.label("question")).join(
        Contact, Contact.id == Message.contact_id).where(
        Message.direction == "out", Message.intent == "fallback", Message.created_at >= now - RECENT,
        _contacts(agencies)).order_by(Message.id.desc()).limit(UNANSWERED)).all()
    asked_ids = [q for _, q in latest if q]
    texts = {row.id: row.text for row in session.execute(select(Message.id, Message.text).where(
        Message.id.in_(asked_ids)))} if asked_ids else {}
    for at, question in latest:
        if question in texts:
            table.rows.append([at.strftime("%Y-%m-%d %H.%M"), mask_in_text(mask_all(texts[question]))[:300]])
    return table


def all_tables(session: Session, agencies: list[str] | None, now: datetime, kb: KnowledgeBase,
               zone: str) -> Sequence[Table]:
    return (open_per_step(session, agencies), sla_per_week(session, agencies, now), ikm(session, agencies, now),
            messages_per_day(session, agencies, now, zone), top_services(session, agencies, now, kb),
            unanswered(session, agencies, now))
