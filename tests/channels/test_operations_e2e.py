"""The service as an operator runs it: two web processes and a worker on PostgreSQL sharing one METRICS_DIR,
LOG_FORMAT=json. /metrics (read with Prometheus' own parser) counts every process's work whichever process
answers; /readyz follows the worker; the log is JSON lines with request and job ids, and no personal data."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.channels.conftest import Service, eventually
from tests.fakes import twilio as tw
from tests.fakes.twilio import FakeTwilio

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # several processes
TOKEN = "metrics-token-for-e2e"
SLUG = "tanah-laut"
NIK = "6301054501900002"
NAME = "Siti Aminah Rahmawati"
PHONES = [f"+6281366600{n:03d}" for n in range(6)]


def _totals(text: str) -> dict[str, float]:
    """Sums per metric name over its labels."""
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[sample.name] = found.get(sample.name, 0.0) + sample.value
    return found


def _logs(folder: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in folder.glob("*.log"))


def _scrape(base: str) -> dict[str, float]:
    with httpx.Client(base_url=base, timeout=10) as fresh:  # a new connection: any of the web processes answers
        answer = fresh.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200, answer.text
    return _totals(answer.text)


async def test_metrics_readiness_and_json_logs_across_processes(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio, tmp_path: Path) -> None:
    shared = {"METRICS_DIR": str(tmp_path / "metrics"), "ADMIN_API_TOKEN": TOKEN, "LOG_FORMAT": "json",
              "LOG_LEVEL": "INFO", "AGENCIES": SLUG}
    web = start_service(WEB_WORKERS="2", WORKER_ENABLED="false", **shared)
    assert web.http.get("/readyz").status_code == 503  # no worker yet
    worker = start_service("worker", **shared)
    await eventually(lambda: web.http.get("/readyz").status_code == 200)

    fake_twilio.script("messages", tw.twilio_error(500, 20500, "Internal Server Error"))  # one retried send
    for phone in PHONES:
        said = f"nama saya {NAME}, nik {NIK}, hp {phone}: syarat karang taruna apa?"
        assert web.whatsapp(tw.inbound_form(phone, said)).status_code == 200
    await eventually(lambda: len(fake_twilio.sent) >= len(PHONES), timeout=30)
    await eventually(web.settled)
    scrapes = [_scrape(web.base) for _ in range(6)]
    for found in scrapes:  # whichever process answered, the sums are the same: every process's counts
        assert found["dinsos_inbound_messages_total"] == len(PHONES)
        assert found["dinsos_answer_seconds_count"] == len(PHONES)
        assert found["dinsos_sent_messages_total"] == len(fake_twilio.sent)  # counted by the worker process
        assert found["dinsos_workers_alive"] == 1 and found.get("dinsos_outbox_rows", 0) >= len(PHONES)

    worker.stop()  # a clean stop takes its heartbeat with it
    stopped = web.http.get("/readyz")
    assert stopped.status_code == 503 and "no worker heartbeat" in stopped.json()["reason"]
    start_service("worker", **shared)
    await eventually(lambda: web.http.get("/readyz").status_code == 200)

    web.http.get("/inbox", params={"q": NAME})  # a search: the access line keeps the path, not the name
    web.http.get("/api/cases", params={"text": NAME}, headers=web.sign_in("petugas", "officer", SLUG))
    answer = web.http.get("/healthz", headers={"X-Request-ID": "req-from-nginx-42"})
    assert answer.headers["x-request-id"] == "req-from-nginx-42"
    logged = _logs(tmp_path)
    lines = [line for line in logged.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert {"time", "level", "logger", "message"} <= set(records[0])
    assert any(r.get("request_id") == "req-from-nginx-42" for r in records)  # uvicorn's access line
    assert any('"GET /inbox?q= HTTP/1.1"' in r["message"] for r in records)  # the name left out
    retried = [r for r in records if r["level"] == "WARNING" and r["logger"] == "bot.messaging.worker"]
    assert retried and all(str(r.get("job_id")).startswith("outbox-") for r in retried)  # the job it was about
    for secret in [NIK, NAME, "karang taruna", *PHONES, *(p.removeprefix("+") for p in PHONES)]:
        assert secret not in logged, secret
