"""Benchmark: broadcasts and the inbox at size, on PostgreSQL.

1. 100,000 subscribers: the time to freeze the recipients (one INSERT ... SELECT) when sending starts.
2. The pace: the broadcaster's release (``bot.broadcasts.sending.step`` about once a second, as the service
   runs it) at ``--rate`` recipients a second for ``--seconds``: the measured rate against the configured one,
   and the process's memory (RSS) before and after.
3. kill -9 in the middle: a child process releases the same broadcast and is killed with SIGKILL after a few
   seconds; this process then finishes it at full speed. Checked: every recipient handed to the outbox exactly
   once (no duplicate outbox row for a contact, nobody left pending or skipped).
4. The inbox list with 100,000 conversations: p50/p99 of the list queries officers make (their agency's latest,
   waiting, a search by name, a label), 200 each.
5. 50 officers live: the service as a process, 50 signed-in page sessions each holding ``/inbox/events`` open;
   a citizen hands a chat over; the time until every stream has its ``changed`` event, and the service's CPU
   while the 50 streams sit idle.

Usage: .venv/bin/python bench/broadcasts.py [--subscribers 100000] [--rate 80] [--seconds 30] [--skip-live]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import psutil
from webhooks import free_port, pct, wait_healthy

from tests.fakes import twilio as tw

PG_ADMIN = os.environ.get("TEST_POSTGRES_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
KEY = "7" * 64
PASSWORD = "kata-sandi-bench-panjang"


def _runtime(url: str) -> Any:
    from bot.runtime import create_runtime
    from bot.settings import Settings

    return create_runtime(Settings(database_url=url, data_key=KEY, media_dir=tempfile.mkdtemp(),
                                   agencies=["tanah-laut"]))


def _pace(rate: float) -> Any:
    from bot.broadcasts import sending

    return sending.Pace(rates={"whatsapp": rate, "telegram": rate}, daily_limit=10**9, error_pause=10**9)


async def _seed(rt: Any, subscribers: int) -> None:
    from sqlalchemy import insert

    from bot.db.models import Contact, utcnow

    now = utcnow()

    def seed(session: Any) -> None:
        for start in range(0, subscribers, 10_000):
            session.execute(insert(Contact), [
                {"channel": "whatsapp", "external_id": f"+62813{n:08d}", "phone": f"+62813{n:08d}",
                 "agency": "tanah-laut", "subscribed": True, "subscription_source": "bench", "unreachable": False,
                 "last_inbound_at": now, "created_at": now, "updated_at": now}
                for n in range(start, min(subscribers, start + 10_000))])

    await rt.transact(seed)


async def freeze(rt: Any) -> tuple[int, float]:
    from bot.broadcasts import campaigns
    from bot.db.models import utcnow

    started = time.perf_counter()
    made = await rt.transact(lambda s: campaigns.create(
        s, agency="tanah-laut", text="Pembagian KKS hari Senin pukul 08.00 di aula kecamatan.", audience=None,
        send_at=None, now=utcnow(), user_id=None, author="bench").id)
    return made, time.perf_counter() - started


def _provider_took_them(session: Any) -> None:
    """What a fast sender does: every announcement waiting in the outbox is sent (no real provider here)."""
    from sqlalchemy import update

    from bot.db.models import Outbox

    session.execute(update(Outbox).where(Outbox.kind == "announcement", Outbox.status == "pending")
                    .values(status="sent"))


async def release_for(rt: Any, seconds: float, rate: float) -> tuple[int, float]:
    """Steps about once a second, as the Broadcaster does, the outbox drained between steps; returns (released,
    elapsed)."""
    from bot.broadcasts import sending
    from bot.db.models import utcnow

    pace = _pace(rate)
    released = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        begun = time.perf_counter()
        _, n = await rt.transact(sending.step, now=utcnow(), pace=pace, kb=rt.engine.kb)
        released += n
        await rt.transact(_provider_took_them)
        await asyncio.sleep(max(0.05, sending.EVERY - (time.perf_counter() - begun)))
    return released, time.perf_counter() - started


async def finish(rt: Any, broadcast_id: int) -> tuple[int, float]:
    """The rest at full speed (no pace): step after step until nobody is pending."""
    from bot.broadcasts import sending
    from bot.db.models import utcnow

    pace = _pace(10**6)
    released, started = 0, time.perf_counter()
    while (await check(rt, broadcast_id))["pending"]:
        _, n = await rt.transact(sending.step, now=utcnow(), pace=pace, kb=rt.engine.kb)
        released += n
        await rt.transact(_provider_took_them)
    return released, time.perf_counter() - started


async def child(url: str, rate: float) -> None:
    """The process killed with SIGKILL in the middle of releasing."""
    rt = _runtime(url)
    await release_for(rt, 3600, rate)


async def check(rt: Any, broadcast_id: int) -> dict[str, int]:
    from sqlalchemy import func, select

    from bot.db.models import BroadcastRecipient, Outbox

    def read(session: Any) -> dict[str, int]:
        per_contact = select(Outbox.contact_id, func.count().label("n")).where(
            Outbox.kind == "announcement").group_by(Outbox.contact_id).subquery()
        return {
            "outbox rows": int(session.scalar(select(func.count()).where(Outbox.kind == "announcement")) or 0),
            "contacts sent twice": int(session.scalar(select(func.count()).select_from(per_contact)
                                                      .where(per_contact.c.n > 1)) or 0),
            "pending": int(session.scalar(select(func.count()).where(
                BroadcastRecipient.broadcast_id == broadcast_id, BroadcastRecipient.status == "pending")) or 0),
            "skipped": int(session.scalar(select(func.count()).where(
                BroadcastRecipient.broadcast_id == broadcast_id, BroadcastRecipient.status == "skipped")) or 0),
            "queued": int(session.scalar(select(func.count()).where(
                BroadcastRecipient.broadcast_id == broadcast_id, BroadcastRecipient.status == "queued")) or 0),
        }

    return await rt.transact(read)


async def inbox_lists(rt: Any, total: int) -> dict[str, float]:
    from sqlalchemy import insert, select, text

    from bot.db.models import Contact, Conversation, Label, utcnow
    from bot.inbox import conversations as inbox

    now = utcnow()

    def seed(session: Any) -> None:
        ids = list(session.scalars(select(Contact.id).order_by(Contact.id).limit(total)))
        for start in range(0, len(ids), 10_000):
            chunk = ids[start:start + 10_000]
            session.execute(insert(Conversation), [
                {"id": cid, "status": ("bot", "waiting", "open", "resolved")[n % 4], "reason": "asked", "unread": n % 3,
                 "version": 1, "last_message_at": now - timedelta(seconds=n)} for n, cid in enumerate(chunk, start)])
            session.execute(insert(Label), [{"conversation_id": cid, "label": "kks"} for cid in chunk[::20]])
        session.execute(Contact.__table__.update().where(Contact.id.in_(ids[::7])).values(display_name="Ibu Siti"))

    await rt.transact(seed)
    await rt.transact(lambda s: s.execute(text("ANALYZE")))  # as autovacuum would have by now in a deployment
    timings: dict[str, float] = {}
    queries = {"latest": {}, "waiting": {"status": "waiting"}, "search": {"query": "Siti"}, "label": {"label": "kks"}}
    for name, options in queries.items():
        spent = []
        for n in range(200):
            started = time.perf_counter()
            await rt.transact(lambda s, o=options, n=n: inbox.listing(s, ["tanah-laut"], page=1 + n % 3, **o))
            spent.append((time.perf_counter() - started) * 1000)
        timings[f"{name} p50 ms"], timings[f"{name} p99 ms"] = pct(spent, 50), pct(spent, 99)
    return timings


async def officers_live(url: str, officers: int) -> dict[str, float]:
    import httpx

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    folder = Path(tempfile.mkdtemp(prefix="dinsos-bench-live-"))
    env = {"PATH": os.environ["PATH"], "HOST": "127.0.0.1", "PORT": str(port), "LOG_LEVEL": "WARNING",
           "DATABASE_URL": url, "PUBLIC_BASE_URL": base, "MEDIA_DIR": str(folder / "media"), "AGENCIES": "tanah-laut",
           "TWILIO_ACCOUNT_SID": tw.ACCOUNT, "TWILIO_AUTH_TOKEN": tw.TOKEN, "TWILIO_WHATSAPP_FROM": tw.SENDER,
           "TWILIO_API_BASE_URL": "http://127.0.0.1:9", "DATA_KEY": KEY, "WORKER_ENABLED": "false"}
    await asyncio.to_thread(subprocess.run, [
        sys.executable, "-m", "bot", "users", "add", "petugas.bench", "--role", "officer", "--agency", "tanah-laut",
        "--password-stdin"], input=PASSWORD + "\n", text=True, env=env, cwd=folder, check=True, capture_output=True)
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, cwd=folder,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(base, proc)
        clients = []
        for _ in range(officers):
            client = httpx.AsyncClient(base_url=base, timeout=30)
            page = await client.get("/login")
            token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
            await client.post("/login", data={"username": "petugas.bench", "password": PASSWORD, "csrf": token})
            clients.append(client)
        marks = []
        for client in clients:
            listing = await client.get("/inbox")
            marks.append(re.search(r'data-mark="([^"]*)"', listing.text).group(1).replace("&#34;", '"'))  # type: ignore[union-attr]
        arrived: list[float] = []
        opened = asyncio.Event()
        connected = 0

        async def listen(client: Any, mark: str) -> None:
            nonlocal connected
            async with client.stream("GET", "/inbox/events", params={"since": mark}) as stream:
                connected += 1
                if connected == officers:
                    opened.set()
                async for line in stream.aiter_lines():
                    if line.startswith("event: changed"):
                        arrived.append(time.perf_counter())
                        return

        tasks = [asyncio.create_task(listen(c, m)) for c, m in zip(clients, marks, strict=True)]
        await asyncio.wait_for(opened.wait(), 60)
        server = psutil.Process(proc.pid)
        server.cpu_percent()
        await asyncio.sleep(10)
        idle_cpu = server.cpu_percent()
        form = tw.inbound_form("+6281399900001", "saya mau bicara dengan petugas")
        signature = tw.sign(base + "/webhooks/twilio/whatsapp", form)
        started = time.perf_counter()
        async with httpx.AsyncClient(base_url=base) as citizen:
            await citizen.post("/webhooks/twilio/whatsapp", data=form, headers={"X-Twilio-Signature": signature})
        await asyncio.wait_for(asyncio.gather(*tasks), 60)
        delays = [(t - started) * 1000 for t in arrived]
        for client in clients:
            await client.aclose()
        return {"officers": officers, "all told ms (max)": max(delays), "p50 ms": pct(delays, 50),
                "server CPU % idle with the streams open": idle_cpu}
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=80.0, help="recipients released per second (WhatsApp's "
                                                                  "default throughput is 80 a second)")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the pace is measured")
    parser.add_argument("--officers", type=int, default=50)
    parser.add_argument("--skip-live", action="store_true")
    parser.add_argument("--skip-broadcast", action="store_true", help="only the inbox parts (4 and 5)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        await child(args.child, args.rate)
        return
    import asyncpg

    from bot.db.migrate import upgrade

    print(f"machine: {platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}")
    name = f"dinsos_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(PG_ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + "/" + name
    try:
        await asyncio.to_thread(upgrade, url)
        rt = _runtime(url)
        me = psutil.Process()
        await _seed(rt, args.subscribers)
        if not args.skip_broadcast:
            await broadcast_parts(rt, url, args, me)
        lists = await inbox_lists(rt, args.subscribers)
        print("inbox list (100,000 conversations): " + ", ".join(f"{k} {v:.1f}" for k, v in lists.items()))
        await rt.close()
        if not args.skip_live:
            live = await officers_live(url, args.officers)
            print("live: " + ", ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}"
                                       for k, v in live.items()))
    finally:
        admin = await asyncpg.connect(PG_ADMIN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def broadcast_parts(rt: Any, url: str, args: Any, me: Any) -> None:
    """Parts 1-3: the freeze, the pace with the memory, kill -9 and resume."""
    broadcast, spent = await freeze(rt)
    print(f"freeze: {args.subscribers} recipients in {spent:.2f} s")
    before = me.memory_info().rss / 2**20
    released, elapsed = await release_for(rt, args.seconds, args.rate)
    after = me.memory_info().rss / 2**20
    print(f"pace: {released} released in {elapsed:.1f} s = {released / elapsed:.1f}/s "
          f"(configured {args.rate:g}/s, {100 * (released / elapsed - args.rate) / args.rate:+.1f}%); "
          f"RSS {before:.0f} MB -> {after:.0f} MB")
    killed = subprocess.Popen([sys.executable, __file__, "--child", url, "--rate", str(args.rate)])
    await asyncio.sleep(8)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    middle = await check(rt, broadcast)
    print(f"after kill -9: {middle}")
    finished, elapsed = await finish(rt, broadcast)
    final = await check(rt, broadcast)
    print(f"resumed: {finished} more in {elapsed:.1f} s; at the end {final}; RSS "
          f"{me.memory_info().rss / 2**20:.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())
