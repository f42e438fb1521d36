"""The officers' inbox through the JSON API, in process on real databases: a citizen who types `petugas` reaches
the inbox, the bot is quiet while officers hold the conversation, an officer replies (through the outbox) and
writes private notes (never sent), resolving gives the conversation back to the bot; another agency sees
nothing; bad input gets a precise 4xx."""

from __future__ import annotations

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.models import Contact, ConversationStateRow, Outbox
from bot.messaging.runtime import Runtime
from handlers import messages as m
from tests.bot.cases.chat import file_complaint, say
from tests.bot.cases.conftest import sign_in


def _sent(session: Session) -> list[tuple[str, str]]:
    return [(o.kind, o.body) for o in session.scalars(select(Outbox).order_by(Outbox.id))]


async def test_a_citizen_handed_over_is_answered_by_an_officer_then_by_the_bot_again(
        api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    told = await say(rt, "saya mau bicara dengan petugas")
    assert "teruskan ke petugas" in told and "akan membalas di chat ini" in told
    assert await say(rt, "halo, ada orang?") == ""  # the bot is quiet
    officer = await sign_in(client, rt, "petugas.tl")
    waiting = (await client.get("/api/conversations?status=waiting", headers=officer)).json()["items"]
    assert len(waiting) == 1 and waiting[0]["unread"] == 1 and waiting[0]["reason"] == "asked"
    conversation = waiting[0]["id"]
    assert waiting[0]["name"] == "Ibu Siti" and waiting[0]["channel"] == "whatsapp"  # the WhatsApp profile name
    before = len(await rt.transact(_sent))
    sent = await client.post(f"/api/conversations/{conversation}/messages", headers=officer,
                             json={"text": "Selamat siang, ada yang bisa kami bantu?"})
    assert sent.status_code == 201, sent.text
    assert sent.json()["id"] > 0  # the history's row
    note = await client.post(f"/api/conversations/{conversation}/notes", headers=officer,
                             json={"text": "<b>warga</b> sudah dua kali datang ke kantor"})
    assert note.status_code == 201
    queued = (await rt.transact(_sent))[before:]
    assert queued == [("officer", "Selamat siang, ada yang bisa kami bantu?")]  # the note is never sent
    detail = (await client.get(f"/api/conversations/{conversation}", headers=officer)).json()
    assert (detail["status"], detail["assignee"], detail["unread"]) == ("open", "petugas.tl", 0)
    assert [msg["from"] for msg in detail["messages"]][-1] == "officer"
    assert detail["notes"][0]["text"] == "<b>warga</b> sudah dua kali datang ke kantor"
    assert await say(rt, "kartu kks saya hilang") == ""  # still the officer's
    resolved = await client.post(f"/api/conversations/{conversation}/resolve", headers=officer)
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    assert (await rt.transact(_sent))[-1] == ("officer", m.HANDOFF_BACK)
    assert "Kepolisian" in await say(rt, "syarat kks hilang apa?")  # the bot answers again
    again = await client.post(f"/api/conversations/{conversation}/resolve", headers=officer)
    assert again.status_code == 409


async def test_a_conversation_that_opened_a_case_is_in_the_inbox(api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    await file_complaint(rt)
    officer = await sign_in(client, rt, "petugas.tl")
    listed = (await client.get("/api/conversations", headers=officer)).json()["items"]
    assert [(c["status"], c["reason"]) for c in listed] == [("bot", "case")]
    assert "Pengaduan Anda" in await say(rt, "status")  # the bot still answers it


async def test_another_agency_and_bad_input_change_nothing(api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    await say(rt, "petugas")
    officer = await sign_in(client, rt, "petugas.tl")
    conversation = (await client.get("/api/conversations", headers=officer)).json()["items"][0]["id"]
    other = await sign_in(client, rt, "petugas.trk", agency="tarakan")
    assert (await client.get("/api/conversations", headers=other)).json()["items"] == []
    for method, path, body in (("GET", "", None), ("POST", "/messages", {"text": "halo"}),
                               ("POST", "/notes", {"text": "catatan"}), ("POST", "/resolve", None)):
        answer = await client.request(method, f"/api/conversations/{conversation}{path}", json=body, headers=other)
        assert answer.status_code == 404, (method, path)
    assert (await client.get("/api/conversations/999999", headers=officer)).status_code == 404
    assert (await client.get("/api/conversations")).status_code == 401
    url = f"/api/conversations/{conversation}/messages"
    assert (await client.post(url, json={"text": "   "}, headers=officer)).status_code == 400
    assert (await client.post(url, json={"text": "x" * 1501}, headers=officer)).status_code == 422
    assert (await client.post(url, json={}, headers=officer)).status_code == 422
    admin = await sign_in(client, rt, "kepala", role="admin", agency=None)
    listed = (await client.get("/api/conversations?status=waiting", headers=admin)).json()["items"]
    assert [c["id"] for c in listed] == [conversation] and listed[0]["status"] == "waiting"  # nothing changed
    assert [k for k, _ in await rt.transact(_sent)].count("officer") == 0


async def test_opting_out_works_while_officers_hold_it_and_a_stale_state_never_silences_the_bot(
        api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    await say(rt, "petugas")
    assert await say(rt, "halo?") == ""
    assert await say(rt, "berhenti") != ""  # always answered: the citizen must be able to opt out
    assert await rt.transact(lambda s: s.scalar(select(Contact.subscribed))) is False
    officer = await sign_in(client, rt, "petugas.tl")
    conversation = (await client.get("/api/conversations", headers=officer)).json()["items"][0]["id"]
    assert (await client.post(f"/api/conversations/{conversation}/resolve", headers=officer)).status_code == 200
    # a batch that read the state before the resolve writes it back afterwards, still "held": the inbox decides
    stale = await rt.transact(lambda s: s.scalars(select(ConversationStateRow)).one().state)
    await rt.transact(lambda s: s.execute(update(ConversationStateRow).values(state=stale | {"handed_off": True})))
    assert "Kepolisian" in await say(rt, "syarat kks hilang apa?")
