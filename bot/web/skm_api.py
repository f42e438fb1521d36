"""The satisfaction survey (SKM, PermenPANRB 14/2017) of a period, for supervisors and admins: respondents,
NRR per unsur, the IKM and its category, exactly as `dinsos-bot skm report` prints them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import SurveyResponse
from bot.domain import skm
from bot.web.auth import OfficerDep
from bot.web.deps import RuntimeDep
from bot.web.errors import documented

router = APIRouter(prefix="/api/skm", tags=["survey"])


class UnsurOut(BaseModel):
    unsur: int
    name: str
    nrr: float | None


class SkmOut(BaseModel):
    agency: str
    start: date
    end: date
    respondents: int
    unsur: list[UnsurOut]
    ikm: float | None
    category: str | None
    performance: str | None


@router.get("", response_model=SkmOut, responses=documented(401, 403, 404))
async def skm_report(who: OfficerDep, rt: RuntimeDep, agency: Annotated[str, Query(max_length=40)],
                     start: Annotated[date, Query(alias="from")], end: Annotated[date, Query(alias="to")]) -> SkmOut:
    """The days are the agency's local days, ``from`` and ``to`` included."""
    if not who.supervises:
        raise HTTPException(403, "the survey report needs the supervisor or admin role")
    known = rt.engine.kb.agencies.get(agency)
    if known is None or not who.sees(agency):
        raise HTTPException(404, "no such agency")
    if end < start:
        raise HTTPException(422, "'to' is before 'from'")
    zone = ZoneInfo(known.timezone)
    since = datetime.combine(start, time(), zone).astimezone(UTC)
    until = datetime.combine(end + timedelta(days=1), time(), zone).astimezone(UTC)

    def read(session: Session) -> list[list[int]]:
        return list(session.scalars(select(SurveyResponse.answers).where(
            SurveyResponse.agency == agency, SurveyResponse.created_at >= since, SurveyResponse.created_at < until)))

    result = skm.score([dict(enumerate(a, 1)) for a in await rt.transact(read) if a])
    unsur = [UnsurOut(unsur=n, name=name, nrr=result.nrr.get(n) if result else None)
             for n, name in enumerate(skm.UNSUR, 1)]
    return SkmOut(agency=agency, start=start, end=end, respondents=result.respondents if result else 0,
                  unsur=unsur, ikm=result.ikm if result else None, category=result.category if result else None,
                  performance=result.performance if result else None)
