"""Broadcasts in the JSON API (the admin pages use the same actions): compose (a draft, scheduled, or sent at
once), a dry-run count, pause, resume, cancel, resend to the failed, progress and the per-recipient report.
Admins act for every agency, supervisors for their own; officers may not (403). Another agency's broadcast is
404, as one that does not exist; an action its state does not allow is 409 with the reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bot.broadcasts import campaigns, progress
from bot.db.models import Broadcast, utcnow
from bot.messaging.runtime import Runtime
from bot.officers.accounts import Officer, audit
from bot.web.auth import OfficerDep, client_address
from bot.web.deps import MAX_ID, RuntimeDep
from bot.web.errors import documented

router = APIRouter(prefix="/api/broadcasts", tags=["broadcasts"])
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
Status = Literal["draft", "scheduled", "sending", "paused", "cancelled", "done"]
Channel = Literal["whatsapp", "telegram", "simulator"]
Action = Literal["send", "pause", "resume", "cancel", "resend-failed"]
PAGE = 50


class AudienceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt field must not widen the audience
    channel: Channel | None = None
    kecamatan: str | None = Field(None, max_length=80)
    desa: str | None = Field(None, max_length=80)
    service: str | None = Field(None, max_length=80, description="a service id of the agency's standard")


class ScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    what: str = Field(min_length=3, max_length=120, description="e.g. pembagian KKS, pencairan PKH tahap 4")
    where: str | None = Field(None, max_length=120, description="e.g. Kecamatan Pelaihari")
    until: date = Field(description="the bot answers with it until this day (inclusive)")


class BroadcastIn(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt send_at must not send at once
    agency: str = Field(min_length=1, max_length=40)
    text: str = Field(min_length=1, max_length=campaigns.MAX_TEXT)
    audience: AudienceIn | None = None
    send_at: datetime | None = Field(None, description="ISO 8601; without an offset, the agency's local time; "
                                                       "null sends at once")
    draft: bool = Field(False, description="keep it as a draft (send it later with /send)")
    schedule: ScheduleIn | None = Field(None, description="a schedule the bot also answers with until it ends")


class ScheduleOut(BaseModel):
    what: str
    where: str | None
    until: date


class BroadcastOut(BaseModel):
    id: int
    agency: str
    text: str
    audience: dict[str, str]
    status: Status
    reason: str | None = Field(description="why it paused itself, or why sending is held")
    send_at: datetime | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    author: str
    schedule: ScheduleOut | None
    version: int
    total: int = Field(description="the frozen recipients once sending started; before, who it would reach now")
    pending: int = Field(description="not handed to the outbox yet")
    queued: int = Field(description="in the outbox, not accepted by the provider yet")
    sent: int = Field(description="accepted by the provider, whatever came after")
    delivered: int
    read: int
    failed: int
    skipped: int


class CreatedOut(BroadcastOut):
    recipients: int = Field(description="how many it reaches (frozen if sending started)")


class BroadcastListOut(BaseModel):
    items: list[BroadcastOut]
    page: int
    per_page: int


class CountOut(BaseModel):
    recipients: int


class RecipientOut(BaseModel):
    contact: str = Field(description="masked number, or the Telegram name")
    channel: str
    status: Literal["pending", "queued", "sent", "delivered", "read", "failed", "skipped"]
    error: str | None
    attempts: int
    released_at: datetime | None
    updated_at: datetime | None


class RecipientListOut(BaseModel):
    items: list[RecipientOut]


class Refused(HTTPException):
    """An HTTP error with what the officers' pages show instead (Indonesian)."""

    def __init__(self, status: int, detail: str, shown: str) -> None:
        super().__init__(status, detail)
        self.shown = shown


def _may_send(who: Officer, agency: str) -> None:
    if not who.supervises:
        raise Refused(403, "broadcasts need the supervisor or admin role", "Siaran hanya untuk supervisor dan admin.")
    if not who.sees(agency):
        raise Refused(403, "a supervisor broadcasts only for their own agency",
                      "Supervisor hanya dapat menyiarkan untuk dinasnya sendiri.")


def _known(rt: Any, agency: str) -> Any:
    found = rt.engine.kb.agencies.get(agency)
    if found is None:
        raise Refused(400, f"unknown agency {agency!r}", "Dinas tidak dikenal.")
    return found


def _find(session: Session, who: Officer, broadcast_id: int, *, lock: bool = False) -> Broadcast:
    """The broadcast if ``who`` may see it; ``lock``: wait for the sender's step (it updates the row each second)."""
    broadcast = session.get(Broadcast, broadcast_id, with_for_update=lock)
    if broadcast is None or not who.sees(broadcast.agency):
        raise Refused(404, "no such broadcast", "Siaran tidak ditemukan.")
    if not who.supervises:
        raise Refused(403, "broadcasts need the supervisor or admin role", "Siaran hanya untuk supervisor dan admin.")
    return broadcast


def _aware(moment: datetime, timezone: str) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=ZoneInfo(timezone))


@router.post("", status_code=201, response_model=CreatedOut, responses=documented(400, 401, 403, 409))
async def create(body: BroadcastIn, request: Request, who: OfficerDep, rt: RuntimeDep) -> dict[str, Any]:
    """Compose a broadcast to the agency's contacts who typed LANGGANAN (and did not stop), narrowed by
    ``audience``: kept as a draft, scheduled for ``send_at``, or sent at once (the recipients frozen now).
    No recipient, a send time in the past or a text over 1,000 characters is 400."""
    return await compose(rt, who, body, client_address(request))


async def compose(rt: Runtime, who: Officer, body: BroadcastIn, address: str) -> dict[str, Any]:
    """Create a broadcast as ``who`` (the API and the page): HTTPException with the precise status if not."""
    _may_send(who, body.agency)
    agency = _known(rt, body.agency)
    now = utcnow()
    send_at = _aware(body.send_at, agency.timezone) if body.send_at else None
    schedule = campaigns.Schedule(body.schedule.what.strip(), (body.schedule.where or "").strip() or None,
                                  body.schedule.until) if body.schedule else None

    def make(session: Session) -> dict[str, Any]:
        broadcast = campaigns.create(session, agency=body.agency, text=body.text,
                                     audience=body.audience.model_dump() if body.audience else None,
                                     send_at=send_at, now=now, user_id=who.id, author=who.username,
                                     draft=body.draft, schedule=schedule)
        audit(session, who=who, action="broadcast.create", object_type="broadcast", object_id=str(broadcast.id),
              address=address, detail={"status": broadcast.status})
        out = progress.broadcast_out(session, broadcast)
        return out | {"recipients": out["total"]}

    try:
        result = await rt.transact(make)
    except campaigns.BroadcastError as error:
        raise Refused(409 if error.conflict else 400, str(error), error.shown) from None
    rt.local.invalidate()  # a schedule the bot answers with may have begun
    rt.wakeup.set()
    return result


@router.get("", response_model=BroadcastListOut, responses=documented(401, 403))
async def list_broadcasts(who: OfficerDep, rt: RuntimeDep, status: Annotated[Status | None, Query()] = None,
                          agency: Annotated[str | None, Query(max_length=40)] = None,
                          page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                          per_page: Annotated[int, Query(ge=1, le=200)] = PAGE) -> dict[str, Any]:
    """Newest first: an admin's for every agency (or ``agency``), a supervisor's for their own."""
    if not who.supervises:
        raise HTTPException(403, "broadcasts need the supervisor or admin role")

    def listing(session: Session) -> dict[str, Any]:
        query = select(Broadcast).order_by(Broadcast.id.desc())
        if not who.is_admin:
            query = query.where(Broadcast.agency == who.agency)
        elif agency:
            query = query.where(Broadcast.agency == agency)
        if status:
            query = query.where(Broadcast.status == status)
        rows = session.scalars(query.offset((page - 1) * per_page).limit(per_page)).all()
        return {"items": [progress.broadcast_out(session, b) for b in rows], "page": page, "per_page": per_page}

    return await rt.transact(listing)


@router.get("/audience", response_model=CountOut, responses=documented(400, 401, 403))
async def dry_run(who: OfficerDep, rt: RuntimeDep, agency: Annotated[str, Query(max_length=40)],
                  channel: Annotated[Channel | None, Query()] = None,
                  kecamatan: Annotated[str | None, Query(max_length=80)] = None,
                  desa: Annotated[str | None, Query(max_length=80)] = None,
                  service: Annotated[str | None, Query(max_length=80)] = None) -> dict[str, int]:
    """How many a broadcast with this audience would reach if sent now (nothing is sent)."""
    _may_send(who, agency)
    _known(rt, agency)
    audience = {"channel": channel, "kecamatan": kecamatan, "desa": desa, "service": service}
    count = await rt.transact(campaigns.count_audience, agency, campaigns.clean_audience(audience))
    return {"recipients": count}


@router.get("/{broadcast_id}", response_model=BroadcastOut, responses=documented(401, 403, 404))
async def get_broadcast(broadcast_id: IdPath, who: OfficerDep, rt: RuntimeDep) -> dict[str, Any]:
    """The broadcast with its progress: total, pending, queued, sent, delivered, read, failed, skipped."""
    return await rt.transact(lambda s: progress.broadcast_out(s, _find(s, who, broadcast_id)))


@router.get("/{broadcast_id}/recipients", response_model=RecipientListOut, responses=documented(401, 403, 404))
async def list_recipients(broadcast_id: IdPath, who: OfficerDep, rt: RuntimeDep,
                          status: Annotated[str | None, Query(pattern="^(pending|queued|sent|delivered|read|"
                                                                       "failed|skipped)$")] = None,
                          limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> dict[str, Any]:
    """Recipients with their outcome and error (numbers masked), optionally only one outcome."""
    return await rt.transact(lambda s: {"items": list(progress.recipients(s, _find(s, who, broadcast_id),
                                                                          only=status, limit=limit))})


@router.get("/{broadcast_id}/recipients.csv", response_class=Response, responses=documented(401, 403, 404))
async def recipients_csv(broadcast_id: IdPath, who: OfficerDep, rt: RuntimeDep) -> Response:
    """The per-recipient report as CSV: masked contact, channel, outcome, reason, attempts, times."""
    text = await rt.transact(lambda s: progress.csv_rows(s, _find(s, who, broadcast_id)))
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="siaran-{broadcast_id}.csv"'})


ACTIONS: dict[str, Callable[..., Any]] = {
    "send": lambda s, b, now: campaigns.send(s, b, now=now),
    "pause": lambda s, b, now: campaigns.pause(s, b, reason="dijeda oleh petugas", now=now),
    "resume": lambda s, b, now: campaigns.resume(s, b, now=now),
    "cancel": lambda s, b, now: campaigns.cancel(s, b, now=now),
    "resend-failed": lambda s, b, now: campaigns.resend_failed(s, b, now=now),
}


@router.post("/{broadcast_id}/{action}", response_model=BroadcastOut, responses=documented(400, 401, 403, 404, 409))
async def act(broadcast_id: IdPath, action: Action, request: Request, who: OfficerDep, rt: RuntimeDep,
              version: Annotated[int | None, Query(ge=1, description="the version you saw: a change since is "
                                                                      "409")] = None) -> dict[str, Any]:
    """``send`` a draft, ``pause``, ``resume``, ``cancel``, or ``resend-failed``. 409 when its state does not
    allow it (two admins pressing send: the second gets 409) or it changed since ``version``."""
    return await apply(rt, who, broadcast_id, action, version, client_address(request))


async def apply(rt: Runtime, who: Officer, broadcast_id: int, action: str, version: int | None,
                address: str) -> dict[str, Any]:
    """One action on a broadcast as ``who`` (the API and the page)."""
    def run(session: Session) -> dict[str, Any]:
        broadcast = _find(session, who, broadcast_id, lock=True)
        if version is not None and broadcast.version != version and broadcast.status == campaigns.DRAFT:
            raise campaigns.BroadcastError("the broadcast changed since you read it; reload",
                                           "Siaran berubah sejak Anda membukanya. Muat ulang halaman.")
        ACTIONS[action](session, broadcast, utcnow())
        audit(session, who=who, action=f"broadcast.{action}", object_type="broadcast", object_id=str(broadcast.id),
              address=address, detail={"status": broadcast.status})
        return progress.broadcast_out(session, broadcast)

    try:
        result: dict[str, Any] = await rt.transact(run)
    except StaleDataError:
        raise Refused(409, "the broadcast changed while you acted; reload",
                      "Siaran berubah saat Anda bertindak. Muat ulang halaman.") from None
    except campaigns.BroadcastError as error:
        raise Refused(409 if error.conflict else 400, str(error), error.shown) from None
    rt.local.invalidate()
    rt.wakeup.set()
    return result
