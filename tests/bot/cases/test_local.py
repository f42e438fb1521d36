"""What an admin sets on top of the standards, through the API on real databases: a local holiday moves the due
times computed after it (and the date the citizen is told), and the wording of a status type reaches both the
officers' view and the citizen's notice. Who may change what, and bad input."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AuditEntry, Case, Outbox
from bot.domain.calendar import calendar_for
from bot.domain.dates import local_moment
from bot.domain.procedure import procedure_for
from bot.messaging.runtime import Runtime
from tests.bot.cases.chat import file_complaint
from tests.bot.cases.conftest import sign_in


def _newest(session: Session) -> Case:
    case = session.scalars(select(Case).order_by(Case.id.desc())).first()
    assert case is not None
    session.expunge(case)
    return case


async def test_a_local_holiday_moves_the_due_time_of_a_new_case_and_the_date_told(
        api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    await file_complaint(rt)
    first = await rt.transact(_newest)
    agency = rt.engine.kb.agencies["tanah-laut"]
    zone = ZoneInfo(agency.timezone)
    plain, _ = calendar_for(agency)
    day = plain.add_working_days(first.created_at, 1).astimezone(zone).date()  # a working day before it is due
    admin = await sign_in(client, rt, "kepala", role="admin", agency=None)
    added = await client.post("/api/agencies/tanah-laut/holidays", json={"day": day.isoformat(),
                                                                        "name": "Hari Jadi Kabupaten"}, headers=admin)
    assert added.status_code == 201, added.text
    rejected = await client.post(f"/api/cases/{first.ticket}/reject", json={"note": "diajukan ulang"}, headers=admin)
    assert rejected.status_code == 200
    told = await file_complaint(rt)  # the same citizen again: a new case, after the holiday was added
    second = await rt.transact(_newest)
    assert second.ticket != first.ticket
    procedure = procedure_for(agency)
    closed, _ = calendar_for(agency, {day})
    expected = procedure.due_times(closed, second.created_at)[-1]
    assert second.due_at == expected != procedure.due_times(plain, second.created_at)[-1]
    assert local_moment(expected, agency.timezone) in told  # the date the citizen was given counts it too
    listed = (await client.get("/api/agencies/tanah-laut/holidays", headers=admin)).json()
    assert listed == [{"day": day.isoformat(), "name": "Hari Jadi Kabupaten", "created_by": "kepala"}]
    audit = await rt.transact(lambda s: [a.action for a in s.scalars(select(AuditEntry))])
    assert "holiday.add" in audit


async def test_who_may_change_the_calendar_and_what_is_refused(api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    officer = await sign_in(client, rt, "petugas.tl")
    supervisor = await sign_in(client, rt, "kabid.tl", role="supervisor")
    other = await sign_in(client, rt, "kabid.trk", role="supervisor", agency="tarakan")
    local_today = datetime.now(ZoneInfo("Asia/Makassar")).date()  # Tanah Laut keeps WITA
    day = {"day": (local_today + timedelta(days=10)).isoformat(), "name": "Cuti daerah"}
    url = "/api/agencies/tanah-laut/holidays"
    assert (await client.get(url, headers=officer)).json() == []
    assert (await client.post(url, json=day, headers=officer)).status_code == 403
    assert (await client.post(url, json=day, headers=other)).status_code == 404  # another agency's: unseen
    assert (await client.post("/api/agencies/atlantis/holidays", json=day, headers=supervisor)).status_code == 404
    assert (await client.post(url, json=day)).status_code == 401
    assert (await client.post(url, json=day, headers=supervisor)).status_code == 201
    assert (await client.post(url, json=day, headers=supervisor)).status_code == 409
    past = {"day": (local_today - timedelta(days=1)).isoformat(), "name": "Kemarin"}
    assert (await client.post(url, json=past, headers=supervisor)).status_code == 400
    for bad in ({"day": "2026-13-40", "name": "Salah"}, {"day": day["day"], "name": "<b>Libur</b>"},
                {"day": day["day"], "name": ""}, {"day": day["day"], "name": "a\nb c"}):
        assert (await client.post(url, json=bad, headers=supervisor)).status_code == 422, bad
    assert len((await client.get(url, headers=officer)).json()) == 1  # nothing else was stored
    assert (await client.delete(f"{url}/{day['day']}", headers=officer)).status_code == 403
    assert (await client.delete(f"{url}/{day['day']}", headers=supervisor)).status_code == 204
    assert (await client.delete(f"{url}/{day['day']}", headers=supervisor)).status_code == 404
    assert (await client.get(url, headers=officer)).json() == []


async def test_an_admin_words_a_status_and_officers_and_the_citizen_see_it(
        api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    await file_complaint(rt)
    ticket = (await rt.transact(_newest)).ticket
    officer = await sign_in(client, rt, "petugas.tl")
    admin = await sign_in(client, rt, "kepala", role="admin", agency=None)
    assert (await client.get("/api/status-labels", headers=officer)).json()["open"] == "diproses"
    assert (await client.put("/api/status-labels", json={"open": "x"}, headers=officer)).status_code == 403
    for bad in ({"open": "a\nb"}, {"open": "<i>x</i>"}, {"open": "x" * 61}, {"closed": "x"}):
        answer = await client.put("/api/status-labels", json=bad, headers=admin)
        assert answer.status_code == 422 or answer.json()["open"] == "diproses", bad
    worded = await client.put("/api/status-labels", json={"open": "sedang ditangani"}, headers=admin)
    assert worded.status_code == 200 and worded.json()["open"] == "sedang ditangani"
    assert worded.json()["resolved"] == "selesai"  # the others keep theirs
    moved = await client.post(f"/api/cases/{ticket}/advance", json={}, headers=officer)
    assert moved.json()["status_label"] == "sedang ditangani"
    notice = await rt.transact(lambda s: s.scalars(select(Outbox.body).where(Outbox.kind == "notification")
                                                   .order_by(Outbox.id.desc())).first())
    assert notice is not None and "Status: sedang ditangani" in notice
    back = await client.put("/api/status-labels", json={"open": ""}, headers=admin)
    assert back.json()["open"] == "diproses"
