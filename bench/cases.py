"""Benchmark: complaint cases, on PostgreSQL (and SQLite for the database part).

1. Filing: N citizens (default 1,000) file a pengaduan at once through signed WhatsApp webhooks against the running
   service (`dinsos-bot serve`, worker in-process) and a fake Twilio in a process of its own, each ~11 messages and
   2 photos, each message sent when the reply to the previous one arrived and the citizen has read it and typed
   the next (``--think`` seconds on average; 0 for everyone at once with no pause). Reports the reply latency
   (webhook posted -> reply received by the fake Twilio) and checks every case was created exactly once.
2. The database: 100,000 cases, then a filtered case list (an agency's open cases, newest first, 50 per page) and
   the overdue scan, each timed; then 1,000 cases advanced one API transaction each, with their notices, and
   1,000 more advanced as the bulk action does it (500 cases per transaction).

Usage: .venv/bin/python bench/cases.py [--citizens 1000] [--cases 100000] [--skip-filing] [--skip-sqlite]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import platform
import random
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from webhooks import free_port, pct, wait_healthy

from tests.fakes import images
from tests.fakes import twilio as tw
from tests.fakes.twilio import FakeTwilio

PG_ADMIN = os.environ.get("TEST_POSTGRES_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
KEY = "7" * 64


def _fake(conn: Connection) -> None:
    fake = FakeTwilio().start()
    conn.send(fake.base_url)
    counts: dict[str, int] = {}
    seen = 0
    while True:
        command, arg = conn.recv()
        if command == "counts":  # only what arrived since the last call: the poller asks 50 times a second
            for message in fake.sent[seen:]:
                counts[message["To"]] = counts.get(message["To"], 0) + 1
            seen = len(fake.sent)
            conn.send(counts)
        elif command == "media":
            conn.send(fake.add_media(arg))
        else:
            fake.stop()
            conn.send(None)
            return


class RemoteFake:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._proc = context.Process(target=_fake, args=(child,), daemon=True)
        self._proc.start()
        self.base_url: str = self._conn.recv()
        self._lock = asyncio.Lock()

    async def call(self, command: str, arg: Any = None) -> Any:
        async with self._lock:
            return await asyncio.to_thread(self._ask, command, arg)

    def _ask(self, command: str, arg: Any) -> Any:
        self._conn.send((command, arg))
        return self._conn.recv()

    def stop(self) -> None:
        self._conn.send(("stop", None))
        self._conn.recv()
        self._proc.join(5)


def letters(n: int) -> str:
    """A name part from a number ("Ab", "Bc"...): names have no digits."""
    out = ""
    while True:
        n, r = divmod(n, 26)
        out = "abcdefghijklmnopqrstuvwxyz"[r] + out
        if n == 0:
            return out.capitalize()


def nik(n: int) -> str:
    return f"630105{n % 28 + 1:02d}{n // 28 % 12 + 1:02d}{80 + n % 20:02d}{n + 1:04d}"


async def filing(citizens: int, think: float, n_photos: int = 2) -> dict[str, Any]:
    import asyncpg

    name = f"dinsos_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(PG_ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + "/" + name
    fake = RemoteFake()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    folder = Path(tempfile.mkdtemp(prefix="dinsos-bench-cases-"))
    env = {"PATH": os.environ["PATH"], "HOST": "127.0.0.1", "PORT": str(port), "LOG_LEVEL": "WARNING",
           "DATABASE_URL": url, "PUBLIC_BASE_URL": base, "MEDIA_DIR": str(folder / "media"), "AGENCIES": "tanah-laut",
           "TWILIO_ACCOUNT_SID": tw.ACCOUNT, "TWILIO_AUTH_TOKEN": tw.TOKEN, "TWILIO_WHATSAPP_FROM": tw.SENDER,
           "TWILIO_API_BASE_URL": fake.base_url, "DATA_KEY": KEY, "TWILIO_SEND_RATE": "1000"}
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, cwd=folder,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(base, proc)
        photos = [await fake.call("media", images.jpeg(900, 700)) for _ in range(n_photos)]
        latencies: list[float] = []
        by_step: dict[int, list[float]] = {}  # script step -> latencies, to see which message is slow
        counts: dict[str, int] = {}
        done = asyncio.Event()

        waiting: dict[str, tuple[int, asyncio.Event]] = {}  # phone -> (replies seen before, set on a new one)

        async def poll() -> None:
            nonlocal counts
            while not done.is_set():
                counts = await fake.call("counts")
                for to, (before, arrived) in list(waiting.items()):
                    if counts.get(to, 0) > before:
                        arrived.set()
                await asyncio.sleep(0.02)

        async def citizen(n: int, client: aiohttp.ClientSession) -> None:
            phone = f"+62812{n:08d}"
            rng = random.Random(n)
            await asyncio.sleep(rng.uniform(0, think))  # they do not all start in the same millisecond
            script: list[tuple[str, list[str]]] = [
                ("kartu kks saya hilang, bantuan jadi tidak bisa diambil", []), ("ya", []), ("setuju", []),
                (f"Warga {letters(n)}", []), (nik(n), []), ("Pelaihari", []), ("Angsau", []),
                *([("", photos)] if photos else [("lewati", []), ("lewati", [])]),  # 4 documents asked
                ("lewati", []), ("lewati", []), ("kirim", [])]
            for index, (text, media) in enumerate(script):
                extra = {"NumMedia": str(len(media))}
                for i, media_url in enumerate(media):
                    extra[f"MediaUrl{i}"], extra[f"MediaContentType{i}"] = media_url, "image/jpeg"
                form = tw.inbound_form(phone, text, **extra)
                signature = tw.sign(base + "/webhooks/twilio/whatsapp", form)
                to, arrived = f"whatsapp:{phone}", asyncio.Event()
                waiting[to] = (counts.get(to, 0), arrived)
                start = time.perf_counter()
                async with client.post(base + "/webhooks/twilio/whatsapp", data=form,
                                       headers={"X-Twilio-Signature": signature}) as answer:
                    assert answer.status == 200, await answer.text()
                await arrived.wait()  # woken by the poller, not by polling 1,000 times in a loop
                del waiting[to]
                latencies.append(time.perf_counter() - start)
                by_step.setdefault(index, []).append(latencies[-1])
                await asyncio.sleep(rng.uniform(think / 2, think * 1.5))  # reading the reply, typing the next

        poller = asyncio.create_task(poll())
        started = time.perf_counter()
        # aiohttp, not httpx: 1,000 simulated citizens through httpx took most of a core of the two the service
        # needs (measured: the load generator at 76% CPU next to the service's 77%)
        connector = aiohttp.TCPConnector(limit=200)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as client:
            await asyncio.gather(*(citizen(n, client) for n in range(citizens)))
        elapsed = time.perf_counter() - started
        done.set()
        await poller
        conn = await asyncpg.connect(PG_ADMIN.rsplit("/", 1)[0] + "/" + name)
        cases = await conn.fetchval("SELECT count(*) FROM cases")
        tickets = await conn.fetchval("SELECT count(DISTINCT ticket) FROM cases")
        per_contact = await conn.fetchval("SELECT max(n) FROM (SELECT count(*) n FROM cases GROUP BY contact_id) x")
        missing = await conn.fetch("SELECT c.id FROM contacts c WHERE NOT EXISTS "
                                   "(SELECT 1 FROM cases k WHERE k.contact_id = c.id) LIMIT 3")
        for contact in missing:  # a citizen whose pengaduan did not become a case: what they saw
            print(f"no case for contact {contact['id']}:")
            for row in await conn.fetch("SELECT direction, intent, text FROM messages WHERE contact_id = $1 "
                                        "ORDER BY id", contact["id"]):
                print("  ", row["direction"], row["intent"], row["text"][:90].replace("\n", " | "))
        failed = await conn.fetchval("SELECT count(*) FROM inbound WHERE status <> 'processed'")
        await conn.close()
        print("reply p50/p99 ms by message: " + ", ".join(
            f"{i + 1}: {pct(v, 50) * 1000:.0f}/{pct(v, 99) * 1000:.0f}" for i, v in sorted(by_step.items())))
        return {"citizens": citizens, "messages": len(latencies), "seconds": elapsed, "unprocessed": failed,
                "cases": cases,
                "tickets": tickets, "max_per_citizen": per_contact, "p50": pct(latencies, 50) * 1000,
                "p99": pct(latencies, 99) * 1000, "max": max(latencies) * 1000}
    finally:
        proc.terminate()
        proc.wait(20)
        fake.stop()
        admin = await asyncpg.connect(PG_ADMIN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def database(url: str, total: int) -> dict[str, Any]:
    from sqlalchemy import insert, select

    from bot.cases import views, work
    from bot.db.migrate import upgrade
    from bot.db.models import Case, Contact, utcnow
    from bot.messaging.casework import queue
    from bot.officers import accounts
    from bot.runtime import create_runtime
    from bot.settings import Settings

    await asyncio.to_thread(upgrade, url)
    rt = create_runtime(Settings(database_url=url, data_key=KEY, media_dir=tempfile.mkdtemp()))
    kb = rt.engine.kb
    agencies = list(kb.agencies)
    now = utcnow()

    def seed(session: Any) -> None:
        contact = Contact(channel="whatsapp", external_id="+6281200000001")
        session.add(contact)
        session.flush()
        for start in range(0, total, 5000):
            rows = []
            for n in range(start, min(total, start + 5000)):
                opened = now - timedelta(hours=n % 2000)
                steps = [{"name": f"Tahap {i}", "due_at": (opened + timedelta(days=i)).isoformat(), "done_at": None}
                         for i in range(1, 5)]
                rows.append({"ticket": f"BN-{n:07d}"[:16], "agency": agencies[n % len(agencies)],
                             "contact_id": contact.id, "channel": "whatsapp", "topic": "kks",
                             "status": ("open", "open", "waiting", "resolved", "rejected")[n % 5], "step": 1,
                             "steps": steps, "procedure_source": "bench", "due_at": opened + timedelta(days=8),
                             "name": f"Warga {n}", "description": "bench", "priority": "normal", "version": 1,
                             "created_at": opened, "updated_at": opened})
            session.execute(insert(Case), rows)

    started = time.perf_counter()
    await rt.transact(seed)
    seeded = time.perf_counter() - started
    lists: list[float] = []
    for n in range(200):
        filters = views.Filters(status="open", agency=agencies[n % len(agencies)], page=1 + n % 5)
        t0 = time.perf_counter()
        await rt.transact(views.listing, kb, filters, agencies, now)
        lists.append(time.perf_counter() - t0)
    texts: list[float] = []
    for n in range(50):
        t0 = time.perf_counter()
        await rt.transact(views.listing, kb, views.Filters(text=f"Warga {n * 997}"), agencies, now)
        texts.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    overdue = await rt.transact(views.listing, kb, views.Filters(overdue=True, per_page=200), agencies,
                                now + timedelta(days=30))
    scan = time.perf_counter() - t0
    ids = await rt.transact(lambda s: list(s.scalars(select(Case.id).where(Case.status == "open").limit(2000))))
    ids, others = ids[:1000], ids[1000:]

    def advance(session: Any, case_id: int) -> None:
        case = session.get(Case, case_id)
        queue(session, work.act(session, case, "advance", actor=work.Actor("bench"), now=utcnow(), kb=kb))

    t0 = time.perf_counter()
    for case_id in ids:
        await rt.transact(advance, case_id)
    advancing = time.perf_counter() - t0

    def advance_many(session: Any, chunk: list[int]) -> int:  # what POST /api/cases/bulk/advance does
        cases = list(session.scalars(select(Case).where(Case.id.in_(chunk))))
        told, _ = work.act_many(session, cases, "advance", actor=work.Actor("bench"), now=utcnow(), kb=kb)
        queue(session, told)
        for case in cases:
            accounts.audit(session, who=None, action="case.advance", object_type="case", object_id=case.ticket,
                           detail={"bulk": len(cases)})
        return len(told)

    t0 = time.perf_counter()
    told = 0
    for start in range(0, len(others), work.BULK_MAX):
        told += await rt.transact(advance_many, others[start:start + work.BULK_MAX])
    bulk = time.perf_counter() - t0
    await rt.close()
    return {"cases": total, "seed_s": seeded, "list_p50": pct(lists, 50) * 1000, "list_p99": pct(lists, 99) * 1000,
            "text_p99": pct(texts, 99) * 1000, "overdue_s": scan, "overdue_total": overdue["total"],
            "advanced": len(ids), "advance_s": advancing, "bulk_advanced": len(others), "bulk_told": told,
            "bulk_s": bulk}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--citizens", type=int, default=1000)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--skip-filing", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-database", action="store_true")
    parser.add_argument("--photos", type=int, default=2, help="photos each citizen sends (0: none)")
    parser.add_argument("--think", type=float, default=5.0, help="seconds a citizen takes between messages")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}")
    if not args.skip_filing:
        result = await filing(args.citizens, args.think, args.photos)
        print("filing (PostgreSQL): " + ", ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}"
                                                  for k, v in result.items()))
    if args.skip_database:
        return
    import asyncpg

    name = f"dinsos_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(PG_ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    urls = {"PostgreSQL": PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + "/" + name}
    if not args.skip_sqlite:
        urls["SQLite"] = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db"
    try:
        for label, url in urls.items():
            result = await database(url, args.cases)
            print(f"database ({label}): " + ", ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}"
                                                      for k, v in result.items()))
    finally:
        admin = await asyncpg.connect(PG_ADMIN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
