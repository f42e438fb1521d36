"""Administration through the API and the pages, in process on real databases: an admin creates an account (the
password shown once), changes its role, disables it (its session ends), resets a password; canned replies and
local holidays from the pages (escaped, CSRF checked); the audit log lists what was done; a supervisor sees
their agency's settings only, an officer none."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx

from bot.messaging.runtime import Runtime
from tests.bot.cases.conftest import PASSWORD, sign_in

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
Api = tuple[httpx.AsyncClient, Runtime]


async def _page_session(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> str:
    token = CSRF.search((await client.get("/login")).text).group(1)  # type: ignore[union-attr]
    signed = await client.post("/login", data={"username": username, "password": password, "csrf": token})
    assert signed.status_code == 303, signed.text
    return CSRF.search((await client.get("/inbox")).text).group(1)  # type: ignore[union-attr]


async def test_accounts_through_the_api(api: Api) -> None:
    client, rt = api
    admin = await sign_in(client, rt, "admin", role="admin", agency=None)
    officer = await sign_in(client, rt, "petugas.tl")
    assert (await client.get("/api/users", headers=officer)).status_code == 403
    made = await client.post("/api/users", headers=admin, json={"username": "Petugas.Baru", "role": "officer",
                                                               "agency": "tanah-laut"})
    assert made.status_code == 201 and made.json()["username"] == "petugas.baru" and len(made.json()["password"]) >= 12
    token = await client.post("/api/token", data={"username": "petugas.baru", "password": made.json()["password"]})
    assert token.status_code == 200
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert (await client.post("/api/users", headers=admin, json={"username": "petugas.baru", "role": "officer",
                                                               "agency": "tanah-laut"})).status_code == 409
    no_agency = await client.post("/api/users", headers=admin, json={"username": "x", "role": "officer"})
    assert no_agency.status_code == 400
    changed = await client.patch("/api/users/petugas.baru", headers=admin, json={"role": "supervisor",
                                                                               "agency": "tanah-laut"})
    assert changed.status_code == 200 and changed.json()["role"] == "supervisor"
    assert (await client.get("/api/conversations", headers=headers)).status_code == 401  # its session ended
    off = await client.patch("/api/users/petugas.baru", headers=admin, json={"active": False})
    assert off.status_code == 200 and off.json()["active"] is False
    assert (await client.post("/api/token", data={"username": "petugas.baru",
                                                  "password": made.json()["password"]})).status_code == 401
    assert (await client.patch("/api/users/admin", headers=admin, json={"active": False})).status_code == 400
    reset = await client.post("/api/users/petugas.tl/password", headers=admin)
    assert reset.status_code == 200
    assert (await client.get("/api/conversations", headers=officer)).status_code == 401
    assert (await client.post("/api/users/nobody/password", headers=admin)).status_code == 404
    log = (await client.get("/api/audit", headers=admin)).json()
    assert {"user.add", "user.change", "user.password"} <= {entry["action"] for entry in log}


async def test_the_settings_pages(api: Api) -> None:
    client, rt = api
    await sign_in(client, rt, "admin", role="admin", agency=None)
    csrf = await _page_session(client, "admin")
    page = await client.get("/admin/users")
    assert page.status_code == 200 and "Buat akun" in page.text
    made = await client.post("/admin/users", data={"csrf": csrf, "username": "kabid.tl", "role": "supervisor",
                                                   "agency": "tanah-laut"})
    assert made.status_code == 201 and "hanya ditampilkan sekali" in made.text
    password = re.search(r"<code>([^<]+)</code>", made.text).group(1)  # type: ignore[union-attr]
    forged = await client.post("/admin/users", data={"csrf": "forged", "username": "x.y", "role": "officer",
                                                     "agency": "tanah-laut"})
    assert forged.status_code == 403
    canned = await client.post("/admin/canned", data={"csrf": csrf, "shortcut": "pkh",
                                                      "text": "<b>Pencairan PKH</b> lewat bank Himbara.",
                                                      "agency": "tanah-laut"})
    assert canned.status_code == 303
    listing = await client.get("/admin/canned")
    assert "/pkh" in listing.text and "&lt;b&gt;Pencairan PKH&lt;/b&gt;" in listing.text
    day = date.today() + timedelta(days=30)
    added = await client.post("/admin/holidays/tanah-laut/add", data={"csrf": csrf, "day": day.isoformat(),
                                                                     "name": "Hari Jadi Kabupaten"})
    assert added.status_code == 303
    holidays = await client.get("/admin/holidays", params={"agency": "tanah-laut"})
    assert "Hari Jadi Kabupaten" in holidays.text and "Senin" in holidays.text
    past = await client.post("/admin/holidays/tanah-laut/add", data={"csrf": csrf, "day": "2020-01-01",
                                                                    "name": "Libur lama"})
    assert past.status_code == 400 and "sudah lewat" in past.text
    audit = await client.get("/admin/audit")
    assert "user.add" in audit.text and "holiday.add" in audit.text
    client.cookies.clear()
    await _page_session(client, "kabid.tl", password)
    assert (await client.get("/admin/users")).status_code == 403  # accounts: admins only
    assert (await client.get("/admin/canned")).status_code == 200
    assert (await client.get("/admin/audit")).status_code == 403
