"""Benchmark: sending and answering with 1, 2 and 4 worker processes on one PostgreSQL database.

1. *Sends*: ``--sends`` messages queued for as many contacts; ``k`` `dinsos-bot worker` processes send them to a
   fake Twilio (in a process of its own) with ``TWILIO_SEND_RATE`` at the configured limit (``--limit``, WhatsApp's
   default 80/s) and, to see what the workers could do, unlimited. Measured at the fake: the sustained rate
   (after the first burst, which the limit allows), the most in any one-second window, and that every message
   came once.
2. *Inbound*: ``k`` web processes (``WEB_WORKERS``) and ``k`` workers; ``--inbound`` signed WhatsApp webhooks
   from 32 clients at once; the rate the webhooks were accepted, and the rate they were answered (from the first
   request until every delivery was processed and every reply sent).

Usage: .venv/bin/python bench/scale.py [--sends 2000] [--limit 80] [--inbound 2000] [--workers 1 2 4]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import asyncpg
from webhooks import Load, RemoteFakeTwilio, free_port, fresh_postgres, wait_healthy

from tests.fakes import twilio as tw

PG_ADMIN = os.environ.get("TEST_POSTGRES_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
KEY = "7" * 64


def _env(url: str, fake: RemoteFakeTwilio, media: str, port: int, **extra: str) -> dict[str, str]:
    env = dict(os.environ, HOST="127.0.0.1", PORT=str(port), LOG_LEVEL="WARNING", DATABASE_URL=url,
               PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", TWILIO_ACCOUNT_SID=tw.ACCOUNT, TWILIO_AUTH_TOKEN=tw.TOKEN,
               TWILIO_WHATSAPP_FROM=tw.SENDER, TWILIO_API_BASE_URL=fake.base_url, MEDIA_DIR=media,
               AGENCIES="tanah-laut", WORKER_POLL_SECONDS="0.05", DATA_KEY=KEY, AUTO_MIGRATE="false", **extra)
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return env


def _start(command: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([str(ROOT / ".venv/bin/dinsos-bot"), command], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait(30)


def _most_in_one_second(times: list[float]) -> int:
    times = sorted(times)
    most, first = 0, 0
    for last, t in enumerate(times):
        while times[first] <= t - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


async def _queue(url: str, count: int) -> None:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        ids = await conn.fetch(
            "INSERT INTO contacts (channel, external_id, phone, last_inbound_at, subscribed, unreachable, "
            "created_at, updated_at) SELECT 'whatsapp', '+62877' || lpad(n::text, 8, '0'), "
            "'+62877' || lpad(n::text, 8, '0'), now(), false, false, now(), now() "
            "FROM generate_series(1, $1) AS n RETURNING id", count)
        await conn.executemany(
            "INSERT INTO outbox (contact_id, channel, kind, body, status, attempts, template_only, next_attempt_at, "
            "created_at, updated_at) VALUES ($1, 'whatsapp', 'reply', 'Jadwal pembagian KKS: Senin di kantor desa.', "
            "'pending', 0, false, now(), now(), now())", [(row["id"],) for row in ids])
    finally:
        await conn.close()


async def sends(workers: int, count: int, limit: float) -> dict[str, float]:
    url = await fresh_postgres(PG_ADMIN, f"dinsos_bench_scale_{workers}_{int(limit)}")
    await _queue(url, count)
    fake = RemoteFakeTwilio()
    with tempfile.TemporaryDirectory() as media:
        env = _env(url, fake, media, free_port(), TWILIO_SEND_RATE=str(limit))
        procs = [_start("worker", env) for _ in range(workers)]
        try:
            deadline = time.monotonic() + 30 + 3 * count / min(limit, 500)
            while len(fake.recipients()) < count and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
            await asyncio.sleep(1)  # anything sent twice would arrive now
            times = fake.arrivals()
            per_phone = Counter(fake.recipients())
        finally:
            _stop(procs)
            fake.stop()
    steady = sorted(times)[int(min(limit, len(times) // 2)):]  # after the first burst: the sustained pace
    span = steady[-1] - steady[0]
    return {"rate": (len(steady) - 1) / span if span else 0.0, "most": _most_in_one_second(times),
            "received": len(per_phone), "twice": sum(n - 1 for n in per_phone.values() if n > 1)}


async def _answered(url: str) -> tuple[int, int]:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        waiting = await conn.fetchval("SELECT count(*) FROM inbound WHERE status = 'received'")
        unsent = await conn.fetchval("SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')")
    finally:
        await conn.close()
    return waiting, unsent


async def inbound(workers: int, count: int) -> dict[str, float]:
    url = await fresh_postgres(PG_ADMIN, f"dinsos_bench_scale_in_{workers}")
    fake = RemoteFakeTwilio()
    with tempfile.TemporaryDirectory() as media:
        port = free_port()
        env = _env(url, fake, media, port, TWILIO_SEND_RATE="100000")
        web = _start("serve", env | {"WEB_WORKERS": str(workers), "WORKER_ENABLED": "false"})
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, web)
        procs = [web] + [_start("worker", env) for _ in range(workers)]
        load = Load(base, base)
        try:
            start = time.perf_counter()
            accepted = await load.closed(count, 32)
            while (await _answered(url)) != (0, 0) or len(fake.recipients()) < count:
                if time.perf_counter() - start > 300:
                    break
                await asyncio.sleep(0.2)
            elapsed = time.perf_counter() - start
            replies = len(fake.recipients())
        finally:
            _stop(procs)
            fake.stop()
    return {"accepted": accepted["rate"], "answered": count / elapsed, "replies": replies,
            "errors": accepted["errors"]}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sends", type=int, default=2000)
    parser.add_argument("--limit", type=float, default=80.0)
    parser.add_argument("--inbound", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}", flush=True)
    rows = ["| workers | sends/s at the limit | most in one second (limit + burst) | unlimited sends/s | "
            "webhooks accepted/s | inbound answered/s | each once |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    for k in args.workers:
        limited = await sends(k, args.sends, args.limit)
        free = await sends(k, args.sends, 100000)
        answered = await inbound(k, args.inbound)
        once = (limited["received"] == free["received"] == args.sends and limited["twice"] == free["twice"] == 0
                and answered["replies"] == args.inbound and answered["errors"] == 0)
        rows.append(f"| {k} | {limited['rate']:.1f} (limit {args.limit:.0f}) | {limited['most']:.0f} "
                    f"(≤ {2 * args.limit:.0f}) | {free['rate']:.0f} | {answered['accepted']:.0f} | "
                    f"{answered['answered']:.0f} | {'yes' if once else 'NO'} |")
        print(rows[-1], flush=True)
    print("\n".join(rows))


if __name__ == "__main__":
    asyncio.run(main())
