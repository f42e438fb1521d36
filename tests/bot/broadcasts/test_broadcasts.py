"""Broadcasts through the JSON API and the sender's steps, in process on real databases: only contacts who typed
LANGGANAN receive one, BERHENTI before a recipient's turn skips it, the release keeps the configured pace and is
all-or-nothing (a crash sends nobody twice and skips nobody), a burst of failures pauses it with the reason, the
failed can be sent again, WhatsApp's daily limit and 24-hour window are respected, and the bot answers a
schedule it announced. Each step is called with its own ``now``: nothing waits on the clock."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.broadcasts import sending
from bot.db.models import Broadcast, BroadcastRecipient, Contact, Outbox, utcnow
from bot.messaging import outbox, reports
from bot.messaging.runtime import Runtime
from handlers import messages as m
from tests.bot.cases.chat import say
from tests.bot.cases.conftest import sign_in

Api = tuple[httpx.AsyncClient, Runtime]
PACE = sending.Pace(rates={"whatsapp": 5.0, "telegram": 20.0, "simulator": 50.0}, daily_limit=250, error_pause=5)


def _subscribers(session: Session, n: int, *, start: int = 0, channel: str = "whatsapp",
                 inbound: datetime | None = None, subscribed: bool = True) -> list[int]:
    contacts = [Contact(channel=channel, external_id=f"+62812700{start + i:05d}", phone=f"+62812700{start + i:05d}",
                        agency="tanah-laut", subscribed=subscribed, subscription_source="whatsapp: subscribe",
                        last_inbound_at=inbound or utcnow()) for i in range(n)]
    session.add_all(contacts)
    session.flush()
    return [c.id for c in contacts]


def _announcements(session: Session) -> list[Outbox]:
    return list(session.scalars(select(Outbox).where(Outbox.kind == "announcement").order_by(Outbox.id)))


def _provider_answers(session: Session, status: str, code: str | None = None) -> None:
    """What a provider's reports would leave on every announcement sent (accepted, then ``status``)."""
    for row in _announcements(session):
        row.status, row.provider_id, row.error_code = status, f"SM{row.id:032d}", code
        row.error = "refused" if code else None


async def _step(rt: Runtime, now: datetime, pace: sending.Pace = PACE) -> tuple[int, int]:
    return await rt.transact(sending.step, now=now, pace=pace, kb=rt.engine.kb)


async def test_only_who_typed_langganan_receives_it_and_berhenti_before_its_turn_skips(api: Api) -> None:
    client, rt = api
    assert m.OPTED_IN in await say(rt, "langganan", phone="+6281255500011")
    assert m.OPTED_IN in await say(rt, "LANGGANAN", phone="+6281255500012")
    await say(rt, "syarat kks hilang apa?", phone="+6281255500013")  # never opted in
    await say(rt, "langganan", phone="+6281255500014")
    assert m.OPTED_OUT in await say(rt, "berhenti", phone="+6281255500014")
    source = await rt.transact(lambda s: s.scalar(select(Contact.subscription_source)
                                                  .where(Contact.external_id == "+6281255500011")))
    assert source == "whatsapp: subscribe"  # the opt-in's source (and time) are recorded
    boss = await sign_in(client, rt, "kabid.tl", role="supervisor")
    dry = await client.get("/api/broadcasts/audience?agency=tanah-laut", headers=boss)
    assert dry.json() == {"recipients": 2}
    created = await client.post("/api/broadcasts", headers=boss, json={
        "agency": "tanah-laut", "text": "Pembagian KKS hari Senin pukul 08.00 di aula kecamatan.", "send_at": None})
    assert created.status_code == 201, created.text
    assert (created.json()["recipients"], created.json()["status"]) == (2, "sending")
    assert m.OPTED_OUT in await say(rt, "stop", phone="+6281255500012")  # after the freeze, before its turn
    now = utcnow()
    await _step(rt, now + timedelta(seconds=10))
    sent = await rt.transact(_announcements)
    assert len(sent) == 1 and "Pembagian KKS hari Senin" in sent[0].body and "BERHENTI" in sent[0].body
    progress = (await client.get(f"/api/broadcasts/{created.json()['id']}", headers=boss)).json()
    assert (progress["total"], progress["queued"], progress["skipped"], progress["sent"]) == (2, 1, 1, 0)
    await rt.transact(_provider_answers, "delivered")
    await _step(rt, now + timedelta(seconds=11))
    progress = (await client.get(f"/api/broadcasts/{created.json()['id']}", headers=boss)).json()
    assert (progress["status"], progress["sent"], progress["delivered"], progress["skipped"]) == ("done", 1, 1, 1)
    report = await client.get(f"/api/broadcasts/{created.json()['id']}/recipients.csv", headers=boss)
    lines = report.text.strip().splitlines()
    assert len(lines) == 3 and "+62812****0012" in report.text and "berhenti berlangganan" in report.text
    assert "6281255500012" not in report.text  # numbers masked


async def test_the_release_keeps_the_pace_and_a_crash_in_the_middle_sends_nobody_twice(api: Api) -> None:
    client, rt = api
    ids = await rt.transact(_subscribers, 40)
    boss = await sign_in(client, rt, "kabid.tl", role="supervisor")
    created = await client.post("/api/broadcasts", headers=boss, json={"agency": "tanah-laut", "text": "Jadwal."})
    assert created.json()["recipients"] == 40
    start = await rt.transact(lambda s: s.scalar(select(Broadcast.paced_from)))
    assert start is not None
    released = []
    for second in range(4):  # 5 a second: 1 at once, then 5 more each second
        await _step(rt, start + timedelta(seconds=second))
        released.append(len(await rt.transact(_announcements)))
        await rt.transact(_provider_answers, "sent")  # what the outbox worker does meanwhile
    assert released == [1, 6, 11, 16]

    def crash(session: Session) -> None:
        sending.step(session, now=start + timedelta(seconds=5), pace=PACE, kb=rt.engine.kb)
        raise RuntimeError("killed in the middle")

    with pytest.raises(RuntimeError):
        await rt.transact(crash)
    assert len(await rt.transact(_announcements)) == 16  # nothing of the crashed step remains
    await _step(rt, start + timedelta(seconds=60))  # long after: no burst beyond the pace
    assert len(await rt.transact(_announcements)) == 16 + 10
    for second in range(61, 70):
        await rt.transact(_provider_answers, "sent")
        await _step(rt, start + timedelta(seconds=second))
    rows = await rt.transact(_announcements)
    assert sorted(r.contact_id for r in rows) == sorted(ids)  # everyone exactly once


async def test_a_burst_of_failures_pauses_it_with_the_reason_and_the_failed_can_be_sent_again(api: Api) -> None:
    client, rt = api
    await rt.transact(_subscribers, 8)
    boss = await sign_in(client, rt, "admin", role="admin", agency=None)
    created = (await client.post("/api/broadcasts", headers=boss,
                                 json={"agency": "tanah-laut", "text": "Pencairan PKH."})).json()
    now = utcnow()
    await _step(rt, now + timedelta(seconds=5))
    assert len(await rt.transact(_announcements)) == 8
    await rt.transact(_provider_answers, "failed", "63049")
    await _step(rt, now + timedelta(seconds=6))
    paused = (await client.get(f"/api/broadcasts/{created['id']}", headers=boss)).json()
    assert paused["status"] == "paused" and "63049" in paused["reason"] and paused["failed"] == 8
    assert (await client.post(f"/api/broadcasts/{created['id']}/pause", headers=boss)).status_code == 409
    again = await client.post(f"/api/broadcasts/{created['id']}/resend-failed", headers=boss)
    assert again.status_code == 200 and again.json()["pending"] == 8
    resumed = await client.post(f"/api/broadcasts/{created['id']}/resume", headers=boss)
    assert resumed.json()["status"] == "sending"
    await _step(rt, utcnow() + timedelta(seconds=5))
    assert len(await rt.transact(_announcements)) == 16  # the eight again, once each
    failed = (await client.get(f"/api/broadcasts/{created['id']}/recipients?status=pending", headers=boss)).json()
    assert failed["items"] == []


async def test_whatsapp_refusing_marketing_unsubscribes_the_citizen(api: Api) -> None:
    client, rt = api
    await rt.transact(_subscribers, 2)
    boss = await sign_in(client, rt, "kabid.tl", role="supervisor")
    await client.post("/api/broadcasts", headers=boss, json={"agency": "tanah-laut", "text": "Info."})
    now = utcnow()
    await _step(rt, now + timedelta(seconds=5))
    await rt.transact(_provider_answers, "sent")

    def refused(session: Session) -> None:  # WhatsApp's callbacks: the citizens stopped marketing messages
        for row in _announcements(session):
            reports.record_provider_status(session, provider_id=str(row.provider_id), status="failed",
                                           error_code="131050")

    await rt.transact(refused)
    left = await rt.transact(lambda s: s.scalars(select(Contact.subscription_source).where(Contact.subscribed)).all())
    assert left == []
    dry = await client.get("/api/broadcasts/audience?agency=tanah-laut", headers=boss)
    assert dry.json()["recipients"] == 0


async def test_outside_the_window_only_the_template_goes_and_the_daily_limit_holds_the_rest(api: Api) -> None:
    client, rt = api
    old = utcnow() - timedelta(days=3)
    await rt.transact(_subscribers, 3, inbound=old)
    boss = await sign_in(client, rt, "kabid.tl", role="supervisor")
    first = (await client.post("/api/broadcasts", headers=boss, json={"agency": "tanah-laut", "text": "A"})).json()
    now = utcnow()
    await _step(rt, now + timedelta(seconds=5))  # no approved template: skipped, with the reason
    report = (await client.get(f"/api/broadcasts/{first['id']}/recipients", headers=boss)).json()["items"]
    assert [r["status"] for r in report] == ["skipped"] * 3 and "template" in report[0]["error"]
    limited = sending.Pace(rates=PACE.rates, daily_limit=2, error_pause=5, templates={"announcement"})
    second = (await client.post("/api/broadcasts", headers=boss, json={"agency": "tanah-laut", "text": "B"})).json()
    await _step(rt, now + timedelta(seconds=10), limited)
    rows = await rt.transact(_announcements)
    assert len(rows) == 2 and all(r.template_only and r.template == "announcement" for r in rows)
    assert rows[0].template_variables == {"1": "Dinas Sosial Kabupaten Tanah Laut", "2": "B"}
    held = (await client.get(f"/api/broadcasts/{second['id']}", headers=boss)).json()
    assert held["status"] == "sending" and held["pending"] == 1 and "batas harian" in held["reason"]


async def test_who_may_broadcast_and_bad_input(api: Api) -> None:
    client, rt = api
    await rt.transact(_subscribers, 1)
    officer = await sign_in(client, rt, "petugas.tl")
    boss = await sign_in(client, rt, "kabid.tl", role="supervisor")
    other = await sign_in(client, rt, "kabid.trk", role="supervisor", agency="tarakan")
    body = {"agency": "tanah-laut", "text": "Jadwal pembagian."}
    assert (await client.post("/api/broadcasts", json=body)).status_code == 401
    assert (await client.post("/api/broadcasts", headers=officer, json=body)).status_code == 403
    assert (await client.post("/api/broadcasts", headers=other, json=body)).status_code == 403
    assert (await client.post("/api/broadcasts", headers=boss, json=body | {"text": " "})).status_code == 400
    assert (await client.post("/api/broadcasts", headers=boss, json=body | {"text": "x" * 1001})).status_code == 422
    past = (utcnow() - timedelta(minutes=1)).isoformat()
    answer = await client.post("/api/broadcasts", headers=boss, json=body | {"send_at": past})
    assert answer.status_code == 400 and "past" in answer.json()["detail"]
    nobody = await client.post("/api/broadcasts", headers=boss, json=body | {"audience": {"kecamatan": "Bati-Bati"}})
    assert nobody.status_code == 201 and (nobody.json()["recipients"], nobody.json()["status"]) == (0, "done")
    assert "LANGGANAN" in nobody.json()["reason"]
    typo = await client.post("/api/broadcasts", headers=boss, json=body | {"audience": {"district": "Pelaihari"}})
    assert typo.status_code == 422  # a misspelt field never widens the audience
    far = await client.post("/api/broadcasts", headers=boss, json=body | {"send_at": "9999-12-31T23:00:00-05:00"})
    assert far.status_code == 400
    draft = (await client.post("/api/broadcasts", headers=boss, json=body | {"draft": True})).json()
    assert draft["status"] == "draft" and draft["recipients"] == 1
    assert (await client.get(f"/api/broadcasts/{draft['id']}", headers=other)).status_code == 404
    assert (await client.post(f"/api/broadcasts/{draft['id']}/send", headers=other)).status_code == 404
    first = await client.post(f"/api/broadcasts/{draft['id']}/send?version={draft['version']}", headers=boss)
    second = await client.post(f"/api/broadcasts/{draft['id']}/send", headers=boss)  # no longer a draft
    assert (first.status_code, second.status_code) == (200, 409)  # two presses: one broadcast
    count = await rt.transact(lambda s: s.scalar(select(func.count()).select_from(BroadcastRecipient)))
    assert count == 1
    assert (await client.post(f"/api/broadcasts/{draft['id']}/cancel", headers=boss)).status_code == 200
    assert (await client.post(f"/api/broadcasts/{draft['id']}/cancel", headers=boss)).status_code == 409
    later = datetime.combine((utcnow() + timedelta(days=30)).date(), time(8, 0))  # no offset: local time (WITA)
    scheduled = (await client.post("/api/broadcasts", headers=boss, json=body | {"send_at": later.isoformat()})).json()
    assert scheduled["status"] == "scheduled"
    in_utc = later.replace(tzinfo=UTC) - timedelta(hours=8)  # 08.00 WITA is 00.00 UTC
    assert datetime.fromisoformat(scheduled["send_at"]) == in_utc
    await _step(rt, in_utc + timedelta(seconds=1))
    started = (await client.get(f"/api/broadcasts/{scheduled['id']}", headers=boss)).json()
    assert started["status"] in ("sending", "done") and started["total"] == 1


async def test_the_bot_answers_a_schedule_it_announced_until_it_ends(api: Api) -> None:
    client, rt = api
    boss = await sign_in(client, rt, "kabid.tl", role="supervisor")
    await say(rt, "langganan")
    until = (utcnow() + timedelta(days=7)).date()
    created = await client.post("/api/broadcasts", headers=boss, json={
        "agency": "tanah-laut", "text": "Pembagian KKS Kecamatan Pelaihari: Senin 14 Desember, 08.00 di aula.",
        "schedule": {"what": "Pembagian KKS", "where": "Kecamatan Pelaihari", "until": until.isoformat()}})
    assert created.status_code == 201, created.text
    answer = await say(rt, "kpn pembagian kks di pelaihari?", phone="+6281255500099")
    assert "Senin 14 Desember, 08.00 di aula" in answer and "LANGGANAN" in answer
    hours = await say(rt, "jadwal buka kantor dinsos jam berapa?", phone="+6281255500099")
    assert "Senin 14 Desember" not in hours  # the office hours, not the announcement
    yesterday = datetime.now(ZoneInfo("Asia/Makassar")).date() - timedelta(days=1)  # ended, in WITA
    await rt.transact(lambda s: s.execute(update(Broadcast).values(schedule_until=yesterday)))
    rt.local.invalidate()
    assert "Senin 14 Desember" not in await say(rt, "jadwal pembagian kks kapan?", phone="+6281255500099")


async def test_announcements_are_offered_once_after_a_helpful_answer(api: Api) -> None:
    _, rt = api
    first = await say(rt, "syarat kks hilang apa?")
    assert m.SUBSCRIBE_OFFER in first
    assert m.SUBSCRIBE_OFFER not in await say(rt, "biaya kks hilang berapa?")
    await say(rt, "langganan", phone="+6281255500077")
    assert m.SUBSCRIBE_OFFER not in await say(rt, "syarat kks hilang apa?", phone="+6281255500077")


async def test_pausing_takes_back_what_waits_in_the_outbox_and_a_throttled_sender_holds_the_release(api: Api) -> None:
    client, rt = api
    await rt.transact(_subscribers, 30)
    boss = await sign_in(client, rt, "kabid.tl", role="supervisor")
    created = (await client.post("/api/broadcasts", headers=boss, json={"agency": "tanah-laut", "text": "X"})).json()
    start = await rt.transact(lambda s: s.scalar(select(Broadcast.paced_from)))
    for second in range(0, 10):  # the sender sends nothing (throttled): at most two bursts wait in the outbox
        await _step(rt, start + timedelta(seconds=second))
    assert len(await rt.transact(_announcements)) == 20
    paused = await client.post(f"/api/broadcasts/{created['id']}/pause", headers=boss)
    assert paused.status_code == 200 and paused.json()["pending"] == 30  # taken back: released again on resume
    rows = await rt.transact(_announcements)
    assert {(r.status, r.error) for r in rows} == {("skipped", "siaran dijeda")}
    await client.post(f"/api/broadcasts/{created['id']}/resume", headers=boss)
    await _step(rt, utcnow() + timedelta(seconds=1))
    waiting = [r for r in await rt.transact(_announcements) if r.status == "pending"]
    assert 0 < len(waiting) <= 10
    cancelled = await client.post(f"/api/broadcasts/{created['id']}/cancel", headers=boss)
    assert cancelled.json()["skipped"] == 30 and cancelled.json()["status"] == "cancelled"
    assert [r for r in await rt.transact(_announcements) if r.status == "pending"] == []  # nothing more goes


async def test_an_announcement_refused_outside_the_window_is_not_sent_again_by_itself(api: Api) -> None:
    client, rt = api
    await rt.transact(_subscribers, 1)
    boss = await sign_in(client, rt, "kabid.tl", role="supervisor")
    await client.post("/api/broadcasts", headers=boss, json={"agency": "tanah-laut", "text": "Info."})
    await _step(rt, utcnow() + timedelta(seconds=5))
    await rt.transact(_provider_answers, "sent")

    def window_closed(session: Session) -> bool:
        row = _announcements(session)[0]
        return reports.record_provider_status(session, provider_id=str(row.provider_id), status="failed",
                                              error_code="63016", templates={"announcement", "notification"})

    assert await rt.transact(window_closed) is False
    assert len(await rt.transact(_announcements)) == 1  # failed for its recipient: "resend to the failed" decides


async def test_the_simulators_subscribers_receive_it_in_their_chat(api: Api) -> None:
    client, rt = api
    await rt.transact(_subscribers, 3, channel="simulator")
    boss = await sign_in(client, rt, "kabid.tl", role="supervisor")
    created = (await client.post("/api/broadcasts", headers=boss, json={"agency": "tanah-laut", "text": "Uji."})).json()
    assert created["recipients"] == 3
    await _step(rt, utcnow() + timedelta(seconds=5))
    rows = await rt.transact(_announcements)
    assert [r.channel for r in rows] == ["simulator"] * 3  # waiting for the simulator page to fetch them
    done = (await client.get(f"/api/broadcasts/{created['id']}", headers=boss)).json()
    assert (done["status"], done["queued"], done["sent"]) == ("done", 3, 0)
    citizen = await rt.transact(lambda s: s.scalar(select(Contact.external_id).limit(1)))
    await rt.transact(lambda s: outbox.take_replies(s, channel="simulator", external_id=citizen))  # the page
    seen = (await client.get(f"/api/broadcasts/{created['id']}", headers=boss)).json()
    assert (seen["sent"], seen["delivered"]) == (1, 1)
