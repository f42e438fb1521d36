"""Officers work cases through the JSON API, in process on real databases: sign-in, the agency wall (404),
every step with its notification queued in the same transaction, 409 on stale or closed cases, the audit log."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.models import AuditEntry, Case, Outbox
from bot.messaging.runtime import Runtime
from tests.bot.cases.chat import NIK, file_complaint
from tests.bot.cases.conftest import sign_in


def _notifications(session: Session) -> list[Outbox]:
    return list(session.scalars(select(Outbox).where(Outbox.kind == "notification").order_by(Outbox.id)))


async def test_an_officer_moves_a_case_through_every_step_and_the_citizen_is_told_each_time(
        api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    await file_complaint(rt)
    officer = await sign_in(client, rt, "petugas.tl")
    listed = (await client.get("/api/cases", headers=officer)).json()
    assert len(listed["items"]) == 1
    case = listed["items"][0]
    ticket = case["ticket"]
    assert (case["status"], case["step"]["index"], case["steps_total"]) == ("open", 1, 4)
    assert case["nik"] == "6301********0002" and case["due_at"].endswith("+08:00")  # WITA
    detail = (await client.get(f"/api/cases/{ticket}", headers=officer)).json()
    assert detail["history"][0]["action"] == "opened" and len(detail["photos"]) >= 3
    assert NIK not in str(detail)
    for index in (2, 3, 4):
        moved = await client.post(f"/api/cases/{ticket}/advance", json={"note": f"tahap {index}"}, headers=officer)
        assert moved.status_code == 200, moved.text
        assert moved.json()["step"]["index"] == index and moved.json()["status"] == "open"
    done = await client.post(f"/api/cases/{ticket}/advance", json={"note": None}, headers=officer)
    assert done.json()["status"] == "resolved"
    notes = await rt.transact(_notifications)
    assert len(notes) == 4  # one per transition, each in the transaction of its step
    assert all(ticket in n.body and NIK not in n.body for n in notes)
    assert "Status: diproses" in notes[0].body and "tahap 2 dari 4" in notes[0].body
    assert notes[0].template == "case_status" and notes[0].template_variables
    assert all("\n" not in v for n in notes for v in (n.template_variables or {}).values())
    assert "sudah selesai" in notes[-1].body and notes[-1].template == "case_resolved"
    closed = await client.post(f"/api/cases/{ticket}/advance", json={}, headers=officer)
    assert closed.status_code == 409 and closed.json()["case"]["status"] == "resolved"
    audit = await rt.transact(lambda s: [a.action for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))])
    assert audit.count("case.advance") == 4 and "sign-in" in audit


async def test_another_agency_a_missing_token_and_a_wrong_password_are_refused(
        api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    await file_complaint(rt)
    ticket = await rt.transact(lambda s: s.scalar(select(Case.ticket)))
    other = await sign_in(client, rt, "petugas.trk", agency="tarakan")
    assert (await client.get(f"/api/cases/{ticket}", headers=other)).status_code == 404
    assert (await client.post(f"/api/cases/{ticket}/advance", json={}, headers=other)).status_code == 404
    assert (await client.get("/api/cases", headers=other)).json()["items"] == []
    assert (await client.get("/api/cases?agency=tanah-laut", headers=other)).status_code == 403
    assert (await client.get("/api/cases")).status_code == 401
    assert (await client.get("/api/cases", headers={"Authorization": "Bearer nope"})).status_code == 401
    wrong = await client.post("/api/token", data={"username": "petugas.trk", "password": "wrong-password"})
    assert wrong.status_code == 401
    admin = await sign_in(client, rt, "kepala", role="admin", agency=None)
    assert (await client.get(f"/api/cases/{ticket}", headers=admin)).status_code == 200
    assert await rt.transact(lambda s: s.scalar(select(Case.step))) == 1  # nothing changed


async def test_a_stale_version_or_a_race_gets_409_and_one_change(api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    await file_complaint(rt)
    ticket = await rt.transact(lambda s: s.scalar(select(Case.ticket)))
    one = await sign_in(client, rt, "satu")
    two = await sign_in(client, rt, "dua")
    version = (await client.get(f"/api/cases/{ticket}", headers=one)).json()["version"]
    first = await client.post(f"/api/cases/{ticket}/advance", json={"version": version}, headers=one)
    assert first.status_code == 200
    stale = await client.post(f"/api/cases/{ticket}/advance", json={"version": version}, headers=two)
    assert stale.status_code == 409 and stale.json()["case"]["step"]["index"] == 2
    answers = await asyncio.gather(*[client.post(f"/api/cases/{ticket}/advance", json={"version": version + 1},
                                                 headers=h) for h in (one, two)])
    assert sorted(a.status_code for a in answers) == [200, 409]
    assert await rt.transact(lambda s: s.scalar(select(Case.step))) == 3


async def test_wait_reject_and_return_need_a_note_and_reveal_is_audited(
        api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    await file_complaint(rt)
    ticket = await rt.transact(lambda s: s.scalar(select(Case.ticket)))
    officer = await sign_in(client, rt, "petugas.tl")
    for action in ("wait", "reject"):
        refused = await client.post(f"/api/cases/{ticket}/{action}", json={}, headers=officer)
        assert refused.status_code == 409 and "note" in refused.json()["detail"]
    waiting = await client.post(f"/api/cases/{ticket}/wait", json={"note": "foto KTP yang lebih jelas"},
                                headers=officer)
    assert waiting.json()["status"] == "waiting"
    notes = await rt.transact(_notifications)
    assert "foto KTP yang lebih jelas" in notes[-1].body and notes[-1].template == "case_waiting"
    due_before = await rt.transact(lambda s: s.scalar(select(Case.due_at)))
    since = await rt.transact(lambda s: s.scalar(select(Case.waiting_since)))
    assert since is not None
    await rt.transact(lambda s: s.execute(update(Case).values(  # it has waited for the citizen for 3 days
        waiting_since=since - timedelta(days=3))))
    resumed = await client.post(f"/api/cases/{ticket}/advance", json={}, headers=officer)
    assert resumed.json()["status"] == "open" and resumed.json()["step"]["index"] == 2
    due_after, waiting = await rt.transact(lambda s: s.execute(select(Case.due_at, Case.waiting_since)).one())
    assert waiting is None and due_after - due_before >= timedelta(days=1)  # the wait paused the clock
    back = await client.post(f"/api/cases/{ticket}/return", json={"to_step": 1, "note": "data diperiksa ulang"},
                             headers=officer)
    assert back.json()["step"]["index"] == 1
    revealed = await client.post(f"/api/cases/{ticket}/nik", headers=officer)
    assert revealed.json() == {"nik": NIK}
    audit: list[Any] = await rt.transact(lambda s: [(a.action, a.actor) for a in s.scalars(select(AuditEntry))])
    assert ("nik.reveal", "petugas.tl") in audit
    assert (await client.get("/api/audit", headers=officer)).status_code == 403  # admins only
    admin = await sign_in(client, rt, "kepala", role="admin", agency=None)
    entries = (await client.get("/api/audit?action=nik.reveal", headers=admin)).json()
    assert [(e["actor"], e["object_id"]) for e in entries] == [("petugas.tl", ticket)]


def _copies(session: Session, agencies: list[str]) -> list[str]:
    """More cases like the one filed (same citizen), one per agency given; returns every ticket, oldest first."""
    first = session.scalars(select(Case)).one()
    columns = [c.key for c in Case.__table__.columns if c.key not in ("id", "ticket", "version")]
    for n, agency in enumerate(agencies):
        values = {key: getattr(first, key) for key in columns} | {"agency": agency, "ticket": f"TLT-BULK{n}"}
        session.add(Case(**values))
    session.flush()
    return list(session.scalars(select(Case.ticket).order_by(Case.id)))


async def test_many_cases_move_at_once_each_citizen_told_and_what_does_not_fit_is_refused(
        api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    await file_complaint(rt)
    first, second, third, tarakan = await rt.transact(_copies, ["tanah-laut", "tanah-laut", "tarakan"])
    officer = await sign_in(client, rt, "petugas.tl")
    assert (await client.post(f"/api/cases/{second}/resolve", json={}, headers=officer)).status_code == 200
    told_before = len(await rt.transact(_notifications))
    moved = await client.post("/api/cases/bulk/advance", headers=officer, json={
        "tickets": [first, second, third.lower(), tarakan, "TLT-NONE9", first], "note": "berkas lengkap"})
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert body["done"] == [first, third]
    refused = {r["ticket"]: r["detail"] for r in body["refused"]}
    assert set(refused) == {second, tarakan, "TLT-NONE9"}
    assert "resolved" in refused[second] and refused[tarakan] == refused["TLT-NONE9"] == "no such case"
    steps = await rt.transact(lambda s: dict(s.execute(select(Case.ticket, Case.step)).all()))
    assert steps[first] == steps[third] == 2 and steps[tarakan] == 1
    notes = (await rt.transact(_notifications))[told_before:]
    assert len(notes) == 2 and all("berkas lengkap" in n.body for n in notes)
    assert {t for n in notes for t in (first, third) if t in n.body} == {first, third}
    audit = await rt.transact(lambda s: [a.object_id for a in s.scalars(
        select(AuditEntry).where(AuditEntry.action == "case.advance"))])
    assert sorted(audit) == sorted([first, third])


async def test_a_bulk_action_that_needs_more_is_refused_whole(api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    await file_complaint(rt)
    ticket = await rt.transact(lambda s: s.scalar(select(Case.ticket)))
    officer = await sign_in(client, rt, "petugas.tl")
    no_note = await client.post("/api/cases/bulk/reject", json={"tickets": [ticket]}, headers=officer)
    assert no_note.status_code == 400 and "note" in no_note.json()["detail"]
    for action, tickets in (("return", [ticket]), ("advance", []), ("advance", [ticket] * 501),
                            ("advance", ["<script>"])):
        bad = await client.post(f"/api/cases/bulk/{action}", json={"tickets": tickets}, headers=officer)
        assert bad.status_code == 422, (action, bad.text)
    assert (await client.post("/api/cases/bulk/advance", json={"tickets": [ticket]})).status_code == 401
    assert await rt.transact(lambda s: s.scalar(select(Case.step))) == 1
    assert await rt.transact(_notifications) == []


async def test_a_supervisor_sets_the_priority_with_what_it_means(api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    await file_complaint(rt)
    ticket = await rt.transact(lambda s: s.scalar(select(Case.ticket)))
    officer = await sign_in(client, rt, "petugas.tl")
    supervisor = await sign_in(client, rt, "kabid.tl", role="supervisor")
    urgent = {"priority": "urgent", "note": "selesai hari ini"}
    assert (await client.post(f"/api/cases/{ticket}/priority", json=urgent, headers=officer)).status_code == 403
    for bad in ({"priority": "tinggi"}, {"priority": "high", "note": "a\nb"}, {"priority": "high", "note": "x" * 201}):
        assert (await client.post(f"/api/cases/{ticket}/priority", json=bad, headers=supervisor)).status_code == 422
    told_before = len(await rt.transact(_notifications))
    set_ = await client.post(f"/api/cases/{ticket}/priority", json=urgent, headers=supervisor)
    assert set_.status_code == 200, set_.text
    assert (set_.json()["priority"], set_.json()["priority_note"]) == ("urgent", "selesai hari ini")
    assert set_.json()["history"][-1]["action"] == "priority"
    listed = (await client.get("/api/cases", headers=officer)).json()["items"][0]
    assert listed["priority"] == "urgent"
    assert len(await rt.transact(_notifications)) == told_before  # the citizen is not told
    stale = await client.post(f"/api/cases/{ticket}/priority", json={"priority": "normal", "version": 1},
                              headers=supervisor)
    assert stale.status_code == 409
