"""Benchmark: signed inbound WhatsApp webhooks against the running service, SQLite and PostgreSQL.

For each database: the service runs under uvicorn (`dinsos-bot serve`, worker in-process) against a fake Twilio
that accepts instantly (in a process of its own, keeping connections alive as Twilio does). Clients post signed
webhooks, a question each, from distinct numbers (requests built and signed before the clock starts):
  1. closed loop: CONCURRENCY clients as fast as the service answers -> sustained messages/s, latency;
  2. open loop: RATE messages/s for DURATION seconds -> latency at that rate;
then it waits until the fake Twilio received every reply and checks: exactly one reply per message.
The same clients are run against a bare FastAPI endpoint returning the same TwiML (the ceiling).
Finally the outbox alone: N rows queued, one worker sends them to the instant fake -> sends/s.

Usage: .venv/bin/python bench/webhooks.py [--messages 3000] [--rate 300] [--duration 10] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import multiprocessing
import os
import platform
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes import twilio as tw
from tests.fakes.twilio import FakeTwilio

QUESTIONS = ["syarat kks hilang", "jam buka dinsos", "brp lama adopsi", "bayar gak urus sk dtks",
             "syarat karang taruna", "prosedur bpjs pbi", "saldo kks kosong", "halo"]
BARE_APP = '''
from fastapi import FastAPI, Request, Response
app = FastAPI()
@app.post("/webhooks/twilio/whatsapp")
async def hook(request: Request) -> Response:
    await request.form()
    return Response('<?xml version="1.0" encoding="UTF-8"?><Response/>', media_type="application/xml")
@app.get("/healthz")
async def health() -> dict:
    return {"status": "ok"}
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def wait_healthy(base: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError("server exited")
        time.sleep(0.1)
    raise RuntimeError("server did not start")


def _fake_twilio(conn: Connection) -> None:
    """The fake Twilio in a process of its own (as the real one is elsewhere): it does not share the load
    generator's interpreter. Answers "sent" with the recipients of every accepted message, and "stop"."""
    fake = FakeTwilio().start()
    conn.send(fake.base_url)
    while True:
        command = conn.recv()
        if command == "sent":
            conn.send([m["To"] for m in fake.sent])
        elif command == "times":  # when each send arrived (time.monotonic of this process)
            conn.send([r.at for r in fake.seen("messages")])
        else:
            fake.stop()
            conn.send(None)
            return


class RemoteFakeTwilio:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._proc = context.Process(target=_fake_twilio, args=(child,), daemon=True)
        self._proc.start()
        self.base_url: str = self._conn.recv()

    def recipients(self) -> list[str]:
        self._conn.send("sent")
        recipients: list[str] = self._conn.recv()
        return recipients

    def arrivals(self) -> list[float]:
        self._conn.send("times")
        times: list[float] = self._conn.recv()
        return times

    def stop(self) -> None:
        self._conn.send("stop")
        self._conn.recv()
        self._proc.join(10)


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No garbage collection in the load generator while it measures: its own pauses are not the service's."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class Load:
    """Signed webhook requests, built before the clock starts (the generator's own work is not the service's)."""

    def __init__(self, base: str, public: str) -> None:
        self.base, self.url = base, public + "/webhooks/twilio/whatsapp"
        self.n = 0
        self.first = secrets.randbelow(10**8) * 10  # numbers of this run: first + 1, first + 2, ...
        self.phones: list[str] = []
        self.ready: list[tuple[bytes, dict[str, str]]] = []

    def prepare(self, count: int) -> None:
        for _ in range(count):
            self.n += 1
            phone = f"+6285{self.first + self.n:09d}"  # one message per number: a reply is matched to its message
            self.phones.append(phone)
            form = tw.inbound_form(phone, QUESTIONS[self.n % len(QUESTIONS)])
            headers = {"X-Twilio-Signature": tw.sign(self.url, form),
                       "Content-Type": "application/x-www-form-urlencoded"}
            self.ready.append((urlencode(form).encode(), headers))

    async def one(self, client: aiohttp.ClientSession, latencies: list[float], errors: list[int]) -> None:
        body, headers = self.ready.pop()
        start = time.perf_counter()
        async with client.post(self.base + "/webhooks/twilio/whatsapp", data=body, headers=headers) as response:
            await response.read()
            status = response.status
        latencies.append((time.perf_counter() - start) * 1000)
        if status != 200:
            errors.append(status)

    async def closed(self, total: int, concurrency: int) -> dict[str, float]:
        latencies: list[float] = []
        errors: list[int] = []
        self.prepare(total)
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as client:
            remaining = total

            async def runner() -> None:
                nonlocal remaining
                while remaining > 0:
                    remaining -= 1
                    await self.one(client, latencies, errors)

            start = time.perf_counter()
            with paused_gc():
                await asyncio.gather(*(runner() for _ in range(concurrency)))
            elapsed = time.perf_counter() - start
        return {"rate": len(latencies) / elapsed, "p50": pct(latencies, 50), "p99": pct(latencies, 99),
                "errors": len(errors), "n": len(latencies)}

    async def open(self, rate: float, duration: float) -> dict[str, float]:
        latencies: list[float] = []
        errors: list[int] = []
        self.prepare(int(rate * duration))
        connector = aiohttp.TCPConnector(limit=512)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as client:
            tasks = []
            start = time.perf_counter()
            total = int(rate * duration)
            with paused_gc():
                for i in range(total):
                    delay = start + i / rate - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    tasks.append(asyncio.create_task(self.one(client, latencies, errors)))
                await asyncio.gather(*tasks)
            elapsed = time.perf_counter() - start
        return {"rate": len(latencies) / elapsed, "p50": pct(latencies, 50), "p99": pct(latencies, 99),
                "errors": len(errors), "n": len(latencies)}


def start_service(database_url: str, fake: RemoteFakeTwilio, media: str, *, separate_worker: bool = False,
                  **extra: str) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    env = dict(os.environ, HOST="127.0.0.1", PORT=str(port), LOG_LEVEL="WARNING", DATABASE_URL=database_url,
               PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", TWILIO_ACCOUNT_SID=tw.ACCOUNT, TWILIO_AUTH_TOKEN=tw.TOKEN,
               TWILIO_WHATSAPP_FROM=tw.SENDER, TWILIO_API_BASE_URL=fake.base_url, TWILIO_SEND_RATE="100000",
               MEDIA_DIR=media, AGENCIES="tanah-laut", WORKER_POLL_SECONDS="0.05", **extra)
    for key in ("TELEGRAM_BOT_TOKEN",):
        env.pop(key, None)
    if separate_worker:
        env["WORKER_ENABLED"] = "false"
    proc = subprocess.Popen([str(ROOT / ".venv/bin/dinsos-bot"), "serve"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, proc)
    if separate_worker:
        worker = subprocess.Popen([str(ROOT / ".venv/bin/dinsos-bot"), "worker"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        WORKERS.append(worker)
    return base, proc


WORKERS: list[subprocess.Popen[bytes]] = []


async def run_database(name: str, url: str, args: argparse.Namespace, *, separate_worker: bool = False,
                       web_workers: str = "1") -> list[str]:
    fake = RemoteFakeTwilio()
    with tempfile.TemporaryDirectory() as media:
        base, proc = start_service(url, fake, media, separate_worker=separate_worker, WEB_WORKERS=web_workers)
        load = Load(base, base)
        try:
            closed = await load.closed(args.messages, args.concurrency)
            opened = await load.open(args.rate, args.duration)
            deadline = time.monotonic() + 120
            while len(fake.recipients()) < len(load.phones) and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
            await asyncio.sleep(2)  # anything extra would arrive now
            per_phone = Counter(to.removeprefix("whatsapp:") for to in fake.recipients())
            assert len(set(load.phones)) == len(load.phones)
            lost = sum(1 for p in load.phones if per_phone[p] == 0)
            duplicated = sum(n - 1 for n in per_phone.values() if n > 1)
        finally:
            proc.terminate()
            proc.wait(20)
            for worker in WORKERS:
                worker.terminate()
                worker.wait(20)
            WORKERS.clear()
            fake.stop()
    return [
        f"| {name}: closed loop, {args.concurrency} clients | {closed['n']:.0f} | {closed['rate']:.0f}/s | "
        f"{closed['p50']:.1f} ms | {closed['p99']:.1f} ms | {closed['errors']:.0f} |",
        f"| {name}: open loop at {args.rate:.0f}/s for {args.duration:.0f} s | {opened['n']:.0f} | "
        f"{opened['rate']:.0f}/s | {opened['p50']:.1f} ms | {opened['p99']:.1f} ms | {opened['errors']:.0f} |",
        f"| {name}: replies at the fake Twilio | {len(load.phones)} messages | lost {lost} | "
        f"duplicated {duplicated} | | |",
    ]


async def run_bare(args: argparse.Namespace) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "bare.py").write_text(BARE_APP)
        port = free_port()
        proc = subprocess.Popen([str(ROOT / ".venv/bin/uvicorn"), "bare:app", "--port", str(port), "--log-level",
                                 "warning"], cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, proc)
        load = Load(base, base)
        try:
            closed = await load.closed(args.messages, args.concurrency)
            opened = await load.open(args.rate, args.duration)
        finally:
            proc.terminate()
            proc.wait(10)
    return [
        f"| bare FastAPI TwiML: closed loop, {args.concurrency} clients | {closed['n']:.0f} | {closed['rate']:.0f}/s | "
        f"{closed['p50']:.1f} ms | {closed['p99']:.1f} ms | {closed['errors']:.0f} |",
        f"| bare FastAPI TwiML: open loop at {args.rate:.0f}/s | {opened['n']:.0f} | {opened['rate']:.0f}/s | "
        f"{opened['p50']:.1f} ms | {opened['p99']:.1f} ms | {opened['errors']:.0f} |",
    ]


async def outbox_rate(url: str, rows: int) -> str:
    """Queue ``rows`` messages directly, then time one worker sending them to an instant fake."""
    from bot.db.models import Contact, utcnow
    from bot.messaging import outbox
    from bot.messaging.worker import Worker
    from bot.runtime import create_runtime
    from bot.settings import Settings

    fake = RemoteFakeTwilio()
    settings = Settings(database_url=url, twilio_account_sid=tw.ACCOUNT, twilio_auth_token=tw.TOKEN,
                        twilio_whatsapp_from=tw.SENDER, twilio_api_base_url=fake.base_url, twilio_send_rate=100000,
                        agencies=["tanah-laut"])
    rt = create_runtime(settings)
    async with rt.sessionmaker() as session, session.begin():
        for i in range(rows):
            contact = Contact(channel="whatsapp", external_id=f"+628777{i:06d}", phone=f"+628777{i:06d}",
                              last_inbound_at=utcnow())
            session.add(contact)
            await session.flush()
            outbox.enqueue(session, contact_id=contact.id, channel="whatsapp", body="Jadwal pembagian KKS: ...")
    worker = Worker(rt)
    start = time.perf_counter()
    claimed = 0
    while claimed < rows and time.perf_counter() - start < 120:
        claimed += await worker.send_step()  # a step returns once its sends are marked
    elapsed = time.perf_counter() - start
    received = len(fake.recipients())
    await rt.close()
    fake.stop()
    check = "" if received == rows else f"; the fake received {received}, not {rows}"
    return f"{rows / elapsed:.0f} sends/s ({rows} rows in {elapsed:.1f} s{check})"


async def fresh_postgres(admin_url: str, name: str) -> str:
    """A new, migrated database on the local server; returns its SQLAlchemy URL."""
    import asyncpg

    from bot.db.migrate import upgrade

    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    await asyncio.to_thread(upgrade, url)
    return url


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rate", type=float, default=300)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    from bot.db.migrate import upgrade

    lines = ["| run | messages | throughput | p50 | p99 | non-200 |", "| --- | --- | --- | --- | --- | --- |"]
    lines += await run_bare(args)
    print("\n".join(lines), flush=True)
    outbox_lines = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await asyncio.to_thread(upgrade, url)
        lines += await run_database("SQLite", url, args)
        print("\n".join(lines[-3:]), flush=True)
        url2 = f"sqlite+aiosqlite:///{tmp}/outbox.db"
        await asyncio.to_thread(upgrade, url2)
        outbox_lines.append(f"SQLite outbox, one worker: {await outbox_rate(url2, 2000)}")
    if not args.skip_postgres:
        runs = [("PostgreSQL", {}), ("PostgreSQL, `dinsos-bot worker` apart", {"separate_worker": True}),
                ("PostgreSQL, `WEB_WORKERS=2`", {"web_workers": "2"})]
        for n, (name, options) in enumerate(runs):
            url = await fresh_postgres(args.pg_admin, f"dinsos_bench{n}")
            lines += await run_database(name, url, args, **options)  # type: ignore[arg-type]
            print("\n".join(lines[-3:]), flush=True)
        url = await fresh_postgres(args.pg_admin, "dinsos_bench_outbox")
        outbox_lines.append(f"PostgreSQL outbox, one worker: {await outbox_rate(url, 2000)}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("\n".join(lines))
    print()
    print("\n".join(outbox_lines))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
