"""What an admin sets on top of the standards: an agency's local holidays (supervisors of the agency too) and
the wording of the four status types. A holiday counts for every due time computed after it is added (new
cases, a resumed wait, an extension); due times already set are not moved. Every change is audited."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Path, Request
from pydantic import BaseModel, Field
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.cases.model import CaseStatus
from bot.db.models import LocalHoliday, StatusLabel, utcnow
from bot.officers import accounts
from bot.officers.accounts import Officer
from bot.web.auth import AdminDep, OfficerDep, client_address
from bot.web.deps import RuntimeDep
from bot.web.errors import documented
from handlers import messages as m

router = APIRouter(prefix="/api", tags=["local rules"])
AgencyPath = Annotated[str, Path(max_length=40, description="e.g. tanah-laut")]
ONE_LINE = r"^[^\x00-\x1f\x7f<>]*$"  # a label or a holiday's name: one line, no markup


class HolidayIn(BaseModel):
    day: date
    name: str = Field(min_length=3, max_length=120, pattern=ONE_LINE)


class HolidayOut(BaseModel):
    day: date
    name: str
    created_by: str | None


class LabelsIn(BaseModel):
    """A label per status type; an empty one goes back to the default wording."""

    open: str | None = Field(None, max_length=60, pattern=ONE_LINE)
    waiting: str | None = Field(None, max_length=60, pattern=ONE_LINE)
    resolved: str | None = Field(None, max_length=60, pattern=ONE_LINE)
    rejected: str | None = Field(None, max_length=60, pattern=ONE_LINE)


class LabelsOut(BaseModel):
    open: str
    waiting: str
    resolved: str
    rejected: str


def _agency(who: Officer, rt: RuntimeDep, slug: str, *, change: bool) -> str:
    if slug not in rt.engine.kb.agencies or not who.sees(slug):
        raise HTTPException(404, "no such agency")
    if change and not who.supervises:
        raise HTTPException(403, "changing the calendar needs the supervisor or admin role")
    return slug


@router.get("/agencies/{agency}/holidays", response_model=list[HolidayOut], responses=documented(401, 404))
async def list_holidays(agency: AgencyPath, who: OfficerDep, rt: RuntimeDep) -> list[dict[str, Any]]:
    """The agency's local holidays, by day (the national holidays and cuti bersama come with the calendar)."""
    slug = _agency(who, rt, agency, change=False)
    rows = await rt.transact(lambda s: list(s.scalars(
        select(LocalHoliday).where(LocalHoliday.agency == slug).order_by(LocalHoliday.day))))
    return [{"day": r.day, "name": r.name, "created_by": r.created_by} for r in rows]


@router.post("/agencies/{agency}/holidays", response_model=HolidayOut, status_code=201,
             responses=documented(400, 401, 403, 404, 409))
async def add_holiday(agency: AgencyPath, body: HolidayIn, request: Request, who: OfficerDep,
                      rt: RuntimeDep) -> dict[str, Any]:
    """A day the office is closed (a regional anniversary, a local cuti): no case's clock runs on it."""
    slug = _agency(who, rt, agency, change=True)
    today = datetime.now(ZoneInfo(rt.engine.kb.agencies[slug].timezone)).date()
    if body.day < today:
        raise HTTPException(400, "that day has passed: only today or a later day can be closed")

    def add(session: Session) -> None:
        session.add(LocalHoliday(agency=slug, day=body.day, name=body.name.strip(), created_by=who.username))
        session.flush()
        accounts.audit(session, who=who, action="holiday.add", object_type="agency", object_id=slug,
                       address=client_address(request), detail={"day": body.day.isoformat()})

    try:
        await rt.transact(add)
    except IntegrityError:
        raise HTTPException(409, "that day is already a holiday of the agency") from None
    rt.local.invalidate()
    return {"day": body.day, "name": body.name.strip(), "created_by": who.username}


@router.delete("/agencies/{agency}/holidays/{day}", status_code=204, responses=documented(401, 403, 404))
async def remove_holiday(agency: AgencyPath, day: date, request: Request, who: OfficerDep, rt: RuntimeDep) -> None:
    slug = _agency(who, rt, agency, change=True)

    def remove(session: Session) -> int:
        gone = session.execute(delete(LocalHoliday).where(LocalHoliday.agency == slug, LocalHoliday.day == day))
        if gone.rowcount:  # type: ignore[attr-defined]
            accounts.audit(session, who=who, action="holiday.remove", object_type="agency", object_id=slug,
                           address=client_address(request), detail={"day": day.isoformat()})
        return int(gone.rowcount)  # type: ignore[attr-defined]

    if not await rt.transact(remove):
        raise HTTPException(404, "no such holiday")
    rt.local.invalidate()


def _labels(session: Session) -> dict[str, str]:
    stored = dict(session.execute(select(StatusLabel.status, StatusLabel.label)).all())
    return {s.value: stored.get(s.value) or m.CASE_STATUS_LABELS[s.value] for s in CaseStatus}


@router.get("/status-labels", response_model=LabelsOut, responses=documented(401))
async def get_labels(who: OfficerDep, rt: RuntimeDep) -> dict[str, str]:
    """How each status type is named to citizens and officers."""
    return await rt.transact(_labels)


@router.put("/status-labels", response_model=LabelsOut, responses=documented(400, 401, 403))
async def set_labels(body: LabelsIn, request: Request, who: AdminDep, rt: RuntimeDep) -> dict[str, str]:
    """Admins word the status types (the types themselves are fixed); only the types given change."""
    given = body.model_dump(exclude_unset=True)

    def change(session: Session) -> dict[str, str]:
        for status, label in given.items():
            label = (label or "").strip()
            session.execute(delete(StatusLabel).where(StatusLabel.status == status))
            if label:
                session.add(StatusLabel(status=status, label=label, updated_by=who.username, updated_at=utcnow()))
        session.flush()
        accounts.audit(session, who=who, action="labels.set", object_type="labels", object_id=None,
                       address=client_address(request), detail={"statuses": sorted(given)})
        return _labels(session)

    result = await rt.transact(change)
    rt.local.invalidate()
    return result
