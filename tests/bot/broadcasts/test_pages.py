"""The broadcast pages in process on real databases: a supervisor composes (a draft that shows its recipients and
the preview), sends it on a second press, the page shows the progress and the per-recipient report; bad input is
kept in the form with the reason in Indonesian; a forged CSRF token changes nothing; an officer may not."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import func, select

from bot.db.models import Broadcast
from bot.messaging.runtime import Runtime
from tests.bot.broadcasts.test_broadcasts import _subscribers
from tests.bot.cases.conftest import PASSWORD, sign_in

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def _signed_in(client: httpx.AsyncClient, rt: Runtime, username: str, role: str) -> str:
    await sign_in(client, rt, username, role=role)
    token = CSRF.search((await client.get("/login")).text).group(1)  # type: ignore[union-attr]
    signed = await client.post("/login", data={"username": username, "password": PASSWORD, "csrf": token})
    assert signed.status_code == 303
    return CSRF.search((await client.get("/inbox")).text).group(1)  # type: ignore[union-attr]


async def test_compose_see_the_recipients_then_send(api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    await rt.transact(_subscribers, 3)
    assert (await client.get("/admin/broadcasts")).headers["location"] == "/login"
    csrf = await _signed_in(client, rt, "kabid.tl", "supervisor")
    new = await client.get("/admin/broadcasts/new")
    assert new.status_code == 200 and "Isi pengumuman" in new.text and "<script>" not in new.text
    form = {"csrf": csrf, "agency": "tanah-laut", "text": "<b>Pembagian KKS</b> hari Senin.", "channel": ""}
    forged = await client.post("/admin/broadcasts", data=form | {"csrf": "forged"})
    assert forged.status_code == 403 and "&lt;b&gt;Pembagian KKS&lt;/b&gt;" in forged.text  # kept, escaped
    past = await client.post("/admin/broadcasts", data=form | {"send_at": "2020-01-01T08:00"})
    assert past.status_code == 400 and "Waktu kirim sudah lewat" in past.text
    long = await client.post("/admin/broadcasts", data=form | {"text": "x" * 5000})
    assert long.status_code == 400 and "terlalu panjang" in long.text
    assert await rt.transact(lambda s: s.scalar(select(func.count()).select_from(Broadcast))) == 0
    created = await client.post("/admin/broadcasts", data=form)
    assert created.status_code == 303
    draft = await client.get(created.headers["location"])
    assert "id=\"recipients\">3</b> penerima" in draft.text and "Kirim ke 3 penerima" in draft.text
    assert "&lt;b&gt;Pembagian KKS&lt;/b&gt;" in draft.text and "<b>Pembagian" not in draft.text
    version = re.search(r'name="version" value="(\d+)"', draft.text).group(1)  # type: ignore[union-attr]
    sent = await client.post(created.headers["location"] + "/send", data={"csrf": csrf, "version": version})
    assert sent.status_code == 303
    twice = await client.post(created.headers["location"] + "/send", data={"csrf": csrf, "version": version})
    assert twice.status_code == 409 and "sudah dikirim" in twice.text  # the second press: one broadcast
    page = await client.get(created.headers["location"])
    assert "sedang dikirim" in page.text and 'data-live="yes"' in page.text and "Jeda" in page.text
    report = await client.get(created.headers["location"] + "/recipients.csv")
    assert report.status_code == 200 and len(report.text.strip().splitlines()) == 4
    listing = await client.get("/admin/broadcasts")
    assert "sedang dikirim" in listing.text and "0/3 terkirim" in listing.text


async def test_an_officer_may_not_and_another_agency_finds_nothing(api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    await rt.transact(_subscribers, 1)
    await _signed_in(client, rt, "petugas.tl", "officer")
    page = await client.get("/admin/broadcasts")
    assert page.status_code == 403 and "hanya untuk supervisor" in page.text
    assert "Siaran" not in (await client.get("/inbox")).text.split("<main")[0]  # not in an officer's menu
