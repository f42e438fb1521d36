"""Officers' sign-in on real databases: tokens expire and can be revoked, failed sign-ins are limited, accounts
are made and disabled with the CLI exactly as CONTRACTS says."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import update

from bot.db.models import ApiToken, utcnow
from bot.messaging.runtime import Runtime
from tests.bot.cases.conftest import PASSWORD, sign_in
from tests.conftest import TEST_DATA_KEY
from tests.support import clean_env, run_cli


async def test_an_expired_or_revoked_token_is_refused(api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    officer = await sign_in(client, rt, "petugas.tl")
    assert (await client.get("/api/cases", headers=officer)).status_code == 200
    await rt.transact(lambda s: s.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1))))
    assert (await client.get("/api/cases", headers=officer)).status_code == 401
    fresh = await client.post("/api/token", data={"username": "petugas.tl", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {fresh.json()['access_token']}"}
    assert (await client.get("/api/cases", headers=headers)).status_code == 200
    assert (await client.post("/api/token/revoke", headers=headers)).status_code == 204
    assert (await client.get("/api/cases", headers=headers)).status_code == 401


async def test_failed_sign_ins_are_limited_per_user(api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    await sign_in(client, rt, "petugas.tl")
    for _ in range(5):
        wrong = await client.post("/api/token", data={"username": "petugas.tl", "password": "not-the-password"})
        assert wrong.status_code == 401
    limited = await client.post("/api/token", data={"username": "petugas.tl", "password": PASSWORD})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0  # even the right one now
    other = await sign_in(client, rt, "petugas.dua")  # another account is not held up
    assert (await client.get("/api/cases", headers=other)).status_code == 200


async def test_accounts_from_the_command_line(database_url: str, tmp_path: Path,
                                              api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, _ = api
    env = clean_env(DATABASE_URL=database_url, DATA_KEY=TEST_DATA_KEY)

    def cli(*args: str, stdin: str | None = None) -> tuple[int, str]:
        done = run_cli(*args, env=env, cwd=tmp_path, stdin=stdin)
        return done.returncode, done.stdout + done.stderr

    made = await asyncio.to_thread(cli, "users", "add", "admin", "--role", "admin", "--password-stdin",
                                   stdin=PASSWORD + "\n")
    assert made[0] == 0, made[1]
    again = await asyncio.to_thread(cli, "users", "add", "admin", "--role", "admin", "--password-stdin",
                                    stdin=PASSWORD + "\n")
    assert again[0] != 0 and "already exists" in again[1]
    no_agency = await asyncio.to_thread(cli, "users", "add", "budi", "--role", "officer", "--password-stdin",
                                        stdin=PASSWORD + "\n")
    assert no_agency[0] != 0 and "--agency" in no_agency[1]
    short = await asyncio.to_thread(cli, "users", "add", "budi", "--role", "officer", "--agency", "sragen",
                                    "--password-stdin", stdin="short\n")
    assert short[0] != 0 and "at least" in short[1]
    token = (await client.post("/api/token", data={"username": "admin", "password": PASSWORD})).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert (await client.get("/api/outbox", headers=headers)).status_code == 200
    assert (await asyncio.to_thread(cli, "users", "disable", "admin"))[0] == 0
    assert (await client.get("/api/outbox", headers=headers)).status_code == 401  # signed out everywhere
    refused = await client.post("/api/token", data={"username": "admin", "password": PASSWORD})
    assert refused.status_code == 401
