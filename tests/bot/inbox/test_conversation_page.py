"""A conversation's page in process on real databases: the history with each outgoing message's delivery tick
(a failed one with its reason and a retry), a reply through the outbox, a private note never sent, assigning,
the bot's answer from the standard inserted to edit, the case panel's actions (the citizen told), stale data
refused with a clear message, the citizen's words escaped; the list's tabs, search and overdue badge."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.models import Case, Contact, Outbox
from bot.messaging.runtime import Runtime
from tests.bot.cases.chat import file_complaint, say
from tests.bot.cases.conftest import PASSWORD, sign_in

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
Api = tuple[httpx.AsyncClient, Runtime]


async def _page_session(client: httpx.AsyncClient, rt: Runtime, username: str = "petugas.tl",
                        agency: str = "tanah-laut", *, create: bool = True) -> str:
    if create:
        await sign_in(client, rt, username, agency=agency)
    token = CSRF.search((await client.get("/login")).text).group(1)  # type: ignore[union-attr]
    assert (await client.post("/login", data={"username": username, "password": PASSWORD,
                                              "csrf": token})).status_code == 303
    return CSRF.search((await client.get("/inbox")).text).group(1)  # type: ignore[union-attr]


def _outbox(session: Session) -> list[tuple[str, str, str]]:
    return [(o.kind, o.status, o.body) for o in session.scalars(select(Outbox).order_by(Outbox.id))]


async def test_reply_note_assign_and_ticks_on_the_conversation_page(api: Api) -> None:
    client, rt = api
    await say(rt, "saya mau bicara dengan petugas")
    await say(rt, "<script>alert(1)</script> tolong")  # the bot is quiet: unread, shown escaped
    csrf = await _page_session(client, rt)
    listing = await client.get("/inbox?view=unassigned")
    conversation = re.search(r'href="/inbox/(\d+)"', listing.text).group(1)  # type: ignore[union-attr]
    page = await client.get(f"/inbox/{conversation}")
    assert page.status_code == 200 and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert" not in page.text and "dalam antrean" in page.text  # the bot's answer, not sent yet
    sent = await client.post(f"/inbox/{conversation}/reply", data={"csrf": csrf, "text": "Baik Bu, kami bantu."})
    assert sent.status_code == 303
    noted = await client.post(f"/inbox/{conversation}/note", data={"csrf": csrf, "text": "<i>warga lansia</i>"})
    assert noted.status_code == 303
    rows = await rt.transact(_outbox)
    assert rows[-1][:2] == ("officer", "pending") and rows[-1][2] == "Baik Bu, kami bantu."
    assert not any("warga lansia" in body for _, _, body in rows)  # the note is never sent
    await rt.transact(lambda s: s.execute(update(Outbox).where(Outbox.kind == "officer").values(
        status="failed", error_code="30008", error="Unknown error")))
    page = await client.get(f"/inbox/{conversation}")
    assert "gagal: 30008 Unknown error" in page.text and "Kirim ulang" in page.text
    assert "&lt;i&gt;warga lansia&lt;/i&gt;" in page.text
    failed = await rt.transact(lambda s: s.scalar(select(Outbox.id).where(Outbox.kind == "officer")))
    again = await client.post(f"/inbox/{conversation}/retry", data={"csrf": csrf, "outbox_id": str(failed)})
    assert again.status_code == 303
    assert (await rt.transact(_outbox))[-1][:2] == ("officer", "pending")
    await rt.transact(lambda s: s.execute(update(Outbox).where(Outbox.kind == "officer").values(
        status="failed", error_code="63016", error="outside the window")))
    refused = await client.post(f"/inbox/{conversation}/retry", data={"csrf": csrf, "outbox_id": str(failed)})
    assert refused.status_code == 409 and "di luar 24 jam" in refused.text  # the template went already, or cannot
    mine = await client.get("/inbox?view=mine")
    assert f'href="/inbox/{conversation}"' in mine.text  # the officer who replied holds it
    version = re.search(r'name="version" value="(\d+)"', (await client.get(f"/inbox/{conversation}")).text)
    stale = await client.post(f"/inbox/{conversation}/resolve", data={"csrf": csrf, "version": "1"})
    assert version is not None and version.group(1) != "1"
    assert stale.status_code == 409 and "diubah petugas lain" in stale.text
    forged = await client.post(f"/inbox/{conversation}/reply", data={"csrf": "x", "text": "Pesan saya"})
    assert forged.status_code == 403 and "Pesan saya" in forged.text  # kept in the reply box
    assert (await client.post(f"/inbox/{conversation}/reply", data={"csrf": csrf, "text": " "})).status_code == 400
    long = await client.post(f"/inbox/{conversation}/reply", data={"csrf": csrf, "text": "x" * 5000})
    assert long.status_code == 400 and "terlalu panjang" in long.text


async def test_the_answer_from_the_standard_is_inserted_with_its_source(api: Api) -> None:
    client, rt = api
    await say(rt, "petugas")
    await _page_session(client, rt)
    conversation = await rt.transact(lambda s: s.scalar(select(Contact.id)))
    page = await client.get(f"/inbox/{conversation}", params={"q": "syarat kks hilang apa"})
    box = re.search(r'<textarea id="reply"[^>]*>(.*?)</textarea>', page.text, re.S)
    assert box is not None and "Kepolisian" in box.group(1) and "Sumber" in box.group(1)


async def test_the_case_panel_advances_the_case_and_the_citizen_is_told(api: Api) -> None:
    client, rt = api
    ticket = re.search(r"[A-Z]{2,4}-[A-HJ-NP-Z2-9]{5,8}", await file_complaint(rt)).group(0)  # type: ignore[union-attr]
    csrf = await _page_session(client, rt)
    conversation = await rt.transact(lambda s: s.scalar(select(Case.contact_id)))
    page = await client.get(f"/inbox/{conversation}")
    assert f"Pengaduan {ticket}" in page.text and "Lanjut ke tahap berikutnya" in page.text
    version = await rt.transact(lambda s: s.scalar(select(Case.version)))
    before = len(await rt.transact(_outbox))
    moved = await client.post(f"/inbox/{conversation}/case/{ticket}/advance",
                              data={"csrf": csrf, "note": "Berkas sudah kami periksa.", "version": str(version)})
    assert moved.status_code == 303
    told = [body for kind, _, body in (await rt.transact(_outbox))[before:]]
    assert any(ticket in body and "Berkas sudah kami periksa." in body for body in told)
    stale = await client.post(f"/inbox/{conversation}/case/{ticket}/advance",
                              data={"csrf": csrf, "version": str(version)})
    assert stale.status_code == 409 and "diubah petugas lain" in stale.text
    await rt.transact(lambda s: s.execute(update(Case).values(due_at=Case.created_at)))
    found = await client.get("/inbox", params={"q": ticket})
    assert f'href="/inbox/{conversation}"' in found.text and "lewat batas waktu" in found.text


async def test_another_agency_gets_nothing(api: Api) -> None:
    client, rt = api
    await say(rt, "petugas")
    conversation = await rt.transact(lambda s: s.scalar(select(Contact.id)))
    csrf = await _page_session(client, rt, "petugas.trk", "tarakan")
    await rt.transact(lambda s: s.execute(update(Contact).values(agency="tanah-laut")))
    page = await client.get(f"/inbox/{conversation}")
    assert page.status_code == 404
    sent = await client.post(f"/inbox/{conversation}/reply", data={"csrf": csrf, "text": "halo"})
    assert sent.status_code == 404
    assert (await client.get(f"/inbox/{conversation}/live")).status_code == 404


async def test_labels_and_canned_replies(api: Api) -> None:
    client, rt = api
    await say(rt, "petugas")
    conversation = await rt.transact(lambda s: s.scalar(select(Contact.id)))
    boss = await sign_in(client, rt, "kabid.tl", role="supervisor")
    officer = await sign_in(client, rt, "petugas.tl")
    made = await client.post("/api/canned-replies", headers=boss, json={
        "shortcut": "/kks", "text": "<b>KKS pengganti</b> diurus di kantor desa.", "agency": "tanah-laut"})
    assert made.status_code == 201 and made.json()["shortcut"] == "kks"
    again = await client.post("/api/canned-replies", headers=boss, json={"shortcut": "kks", "text": "x",
                                                                          "agency": "tanah-laut"})
    assert again.status_code == 400
    assert (await client.post("/api/canned-replies", headers=officer, json={
        "shortcut": "pkh", "text": "x", "agency": "tanah-laut"})).status_code == 403
    assert (await client.post("/api/canned-replies", headers=boss, json={
        "shortcut": "pkh", "text": "x", "agency": None})).status_code == 403  # shared ones: admins only
    labelled = await client.put(f"/api/conversations/{conversation}/labels", headers=officer,
                                json={"labels": ["KKS", " mendesak ", "kks"]})
    assert labelled.status_code == 200 and labelled.json()["labels"] == ["kks", "mendesak"]
    bad = await client.put(f"/api/conversations/{conversation}/labels", headers=officer, json={"labels": ["<b>"]})
    assert bad.status_code == 400
    found = await client.get("/api/conversations", params={"label": "mendesak"}, headers=officer)
    assert [c["id"] for c in found.json()["items"]] == [conversation]
    assert (await client.get("/api/conversations", params={"label": "pkh"}, headers=officer)).json()["items"] == []
    await _page_session(client, rt, create=False)
    page = await client.get(f"/inbox/{conversation}", params={"canned": made.json()["id"]})
    box = re.search(r'<textarea id="reply"[^>]*>(.*?)</textarea>', page.text, re.S)
    assert box is not None and "&lt;b&gt;KKS pengganti&lt;/b&gt;" in box.group(1)
    assert 'data-shortcut="kks"' in page.text and "mendesak" in page.text
