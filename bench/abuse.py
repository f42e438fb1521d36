"""Benchmark: signed webhooks and /healthz while the public simulator is flooded (issue 7, "fair under load").

For each database the service runs under uvicorn (`dinsos-bot serve`, worker in-process) against a fake Twilio
in a process of its own. The probes, in this process, post signed WhatsApp webhooks at PROBE_RATE per second and
GET /healthz every 50 ms, and record each latency. Three phases, one run:
  1. quiet: the probes alone;
  2. flood from 200 addresses: a second process runs 200 simulator clients in a closed loop, each with its own
     address (X-Forwarded-For, as behind a proxy) and no cookies (a new session every time, so no per-session
     limit applies); a refused client asks again at once (WAIT_AFTER_REFUSAL = 0: a flood ignores Retry-After);
  3. flood from one address: the same 200 clients behind one address.
Reported: webhook and /healthz p50/p99 per phase, and what the flood got (answered, 429, 503, other).
Targets during the flood: webhook p99 under 150 ms, /healthz p99 under 50 ms.

Usage: .venv/bin/python bench/abuse.py [--duration 15] [--clients 200] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from webhooks import Load, RemoteFakeTwilio, fresh_postgres, paused_gc, pct, start_service

WAIT_AFTER_REFUSAL = 0.0  # seconds a refused flood client waits before asking again
QUESTIONS = ["syarat kks hilang", "brp lama urus kks", "bayar gak?", "jam buka dinsos", "halo", "menu"]


async def _flood(base: str, clients: int, one_address: bool, stop_at: float) -> Counter[str]:
    outcomes: Counter[str] = Counter()

    async def client(n: int) -> None:
        address = "10.9.9.9" if one_address else f"10.{n // 250}.{n % 250}.7"
        jar = aiohttp.DummyCookieJar()  # no cookies kept: a new session every time, as a flood would do
        async with aiohttp.ClientSession(cookie_jar=jar, timeout=aiohttp.ClientTimeout(total=30)) as http:
            k = 0
            while time.time() < stop_at:
                k += 1
                body = {"text": QUESTIONS[(n + k) % len(QUESTIONS)], "agency": "tanah-laut"}
                try:
                    async with http.post(base + "/api/simulator/messages", json=body,
                                         headers={"X-Forwarded-For": address}) as response:
                        await response.read()
                        outcomes[str(response.status)] += 1
                        if response.status in (429, 503) and WAIT_AFTER_REFUSAL:
                            await asyncio.sleep(WAIT_AFTER_REFUSAL)
                except (aiohttp.ClientError, TimeoutError):
                    outcomes["error"] += 1

    await asyncio.gather(*(client(n) for n in range(clients)))
    return outcomes


def _flood_process(base: str, clients: int, one_address: bool, stop_at: float, conn: Connection) -> None:
    conn.send(dict(asyncio.run(_flood(base, clients, one_address, stop_at))))


class Probes:
    """Signed webhooks at a steady rate and /healthz every 50 ms, each latency recorded."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.load = Load(base, base)

    async def run(self, duration: float, rate: float) -> dict[str, list[float]]:
        hooks: list[float] = []
        health: list[float] = []
        errors: list[int] = []
        self.load.prepare(int(duration * rate))
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as client:

            async def healthz() -> None:
                end = time.perf_counter() + duration
                while time.perf_counter() < end:
                    start = time.perf_counter()
                    async with client.get(self.base + "/healthz") as response:
                        await response.read()
                        if response.status != 200:
                            errors.append(response.status)
                    health.append((time.perf_counter() - start) * 1000)
                    await asyncio.sleep(0.05)

            async def webhooks() -> None:
                tasks = []
                start = time.perf_counter()
                for i in range(int(duration * rate)):
                    delay = start + i / rate - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    tasks.append(asyncio.create_task(self.load.one(client, hooks, errors)))
                await asyncio.gather(*tasks)

            with paused_gc():
                await asyncio.gather(healthz(), webhooks())
        return {"webhook": hooks, "healthz": health, "errors": [float(e) for e in errors]}


def _row(name: str, phase: str, result: dict[str, list[float]], flood: dict[str, int] | None) -> str:
    hooks, health = result["webhook"], result["healthz"]
    got = "–" if flood is None else ", ".join(f"{k}: {v}" for k, v in sorted(flood.items()))
    return (f"| {name} | {phase} | {pct(hooks, 50):.1f} / {pct(hooks, 99):.1f} ms | "
            f"{pct(health, 50):.1f} / {pct(health, 99):.1f} ms | {len(result['errors'])} | {got} |")


async def run_database(name: str, url: str, args: argparse.Namespace) -> list[str]:
    fake = RemoteFakeTwilio()
    rows = []
    with tempfile.TemporaryDirectory() as media:
        base, proc = start_service(url, fake, media)
        probes = Probes(base)
        try:
            rows.append(_row(name, "quiet", await probes.run(args.duration, args.probe_rate), None))
            for phase, one_address in ((f"flood, {args.clients} addresses", False),
                                       (f"flood, {args.clients} clients on one address", True)):
                context = multiprocessing.get_context("spawn")
                receive, send = context.Pipe(duplex=False)
                stop_at = time.time() + args.duration + 3
                flood = context.Process(target=_flood_process, args=(base, args.clients, one_address, stop_at, send))
                flood.start()
                await asyncio.sleep(2)  # the flood is under way before the probes start
                result = await probes.run(args.duration, args.probe_rate)
                outcomes = await asyncio.to_thread(receive.recv)
                flood.join(30)
                rows.append(_row(name, phase, result, outcomes))
                print(rows[-1], flush=True)
        finally:
            proc.terminate()
            proc.wait(20)
            fake.stop()
    return rows


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--probe-rate", type=float, default=20, help="signed webhooks per second")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    from bot.db.migrate import upgrade

    lines = ["| database | phase | webhook p50 / p99 | /healthz p50 / p99 | probe non-200 | simulator flood got |",
             "| --- | --- | --- | --- | --- | --- |"]
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/abuse.db"
        await asyncio.to_thread(upgrade, url)
        lines += await run_database("SQLite", url, args)
    if not args.skip_postgres:
        url = await fresh_postgres(args.pg_admin, "dinsos_bench_abuse")
        lines += await run_database("PostgreSQL", url, args)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
