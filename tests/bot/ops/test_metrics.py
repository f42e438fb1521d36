"""GET /metrics on real databases: refused without the admin token, then the Prometheus text format (read back
with prometheus-client's own parser) that moves when messages flow, cases open and fall behind, and sends fail."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.models import Case, utcnow
from bot.messaging.channel import FailureKind, SendFailure
from bot.messaging.runtime import Runtime
from bot.messaging.worker import Worker, heartbeat
from bot.settings import Settings
from bot.web.main import create_app
from tests.bot.cases.chat import file_complaint, say
from tests.conftest import CHANNELS

TOKEN = "metrics-token-for-tests"


@pytest.fixture
async def api(database_url: str, tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    whatsapp = {k: v for k, v in CHANNELS.items() if not k.startswith("telegram")}
    settings = Settings(**(whatsapp | {"database_url": database_url, "auto_migrate": False, "agencies": ["tanah-laut"],
                                       "media_dir": str(tmp_path / "media"), "worker_enabled": False,
                                       "admin_api_token": TOKEN}))
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client, app.state.runtime


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by name and labels (parsed as Prometheus would)."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


async def scrape(client: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    return samples(answer.text)


def value(found: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_need_the_admin_token(api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, _ = api
    assert (await client.get("/metrics")).status_code == 401
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    assert (await client.get("/metrics", headers={"Authorization": TOKEN})).status_code == 401  # no scheme
    assert (await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})).status_code == 200


async def test_metrics_move_when_messages_flow(api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    before = await scrape(client)
    await say(rt, "syarat karang taruna", phone="+6281255500077")
    await say(rt, "asdfgh qwerty", phone="+6281255500077")
    after = await scrape(client)
    inbound = "dinsos_inbound_messages_total"
    assert value(after, inbound, channel="whatsapp", outcome="answered") - value(
        before, inbound, channel="whatsapp", outcome="answered") == 2
    answers = value(after, "dinsos_answer_seconds_count") - value(before, "dinsos_answer_seconds_count")
    assert answers == 2
    replies = "dinsos_replies_total"
    assert value(after, replies, kind="answer", intent="answer") > value(before, replies, kind="answer",
                                                                          intent="answer")
    assert value(after, replies, kind="fallback", intent="fallback") > value(before, replies, kind="fallback",
                                                                              intent="fallback")
    assert value(after, "dinsos_outbox_rows", state="pending") >= 2
    assert value(after, "dinsos_outbox_oldest_open_seconds") >= 0
    assert value(after, "dinsos_http_requests_total", status="2xx") > value(before, "dinsos_http_requests_total",
                                                                             status="2xx")

    class Refusing:
        async def send(self, job: object) -> object:
            raise SendFailure(FailureKind.PERMANENT, "63024", "invalid recipient")

        async def close(self) -> None:
            return None

    rt.channels["whatsapp"] = replace(rt.channels["whatsapp"], sender=Refusing())  # type: ignore[arg-type]
    worker = Worker(rt)
    while await worker.send_step():
        pass
    sent = await scrape(client)
    failures = value(sent, "dinsos_send_failures_total", channel="whatsapp", code="63024", kind="permanent")
    assert failures - value(after, "dinsos_send_failures_total", channel="whatsapp", code="63024",
                            kind="permanent") == value(after, "dinsos_outbox_rows", state="pending")
    assert value(sent, "dinsos_dead_letters", kind="outbox") == value(sent, "dinsos_outbox_rows", state="dead") > 0
    assert value(sent, "dinsos_outbox_rows", state="pending") == 0


def _due_in(session: Session, hours: float) -> None:
    """Every due time of the case (its own and its steps') moved to ``hours`` from now."""
    case = session.scalars(select(Case)).one()
    due = utcnow() + timedelta(hours=hours)
    case.due_at, case.steps = due, [step | {"due_at": due.isoformat()} for step in case.steps]


async def test_cases_by_step_and_sla_breaches(api: tuple[httpx.AsyncClient, Runtime]) -> None:
    client, rt = api
    await file_complaint(rt)
    await rt.transact(_due_in, 24)
    found = await scrape(client)
    assert value(found, "dinsos_cases", agency="tanah-laut", state="open", step="1") == 1
    assert value(found, "dinsos_sla_breaches", agency="tanah-laut") == 0
    await rt.transact(_due_in, -1)
    late = await scrape(client)
    assert value(late, "dinsos_sla_breaches", agency="tanah-laut") == 1
    await rt.transact(lambda s: s.execute(update(Case).values(status="waiting")))  # the clock is paused
    assert value(await scrape(client), "dinsos_sla_breaches", agency="tanah-laut") == 0
    assert value(late, "dinsos_workers_alive") == 0
    await rt.transact(heartbeat, "worker-1", utcnow())
    alive = await scrape(client)
    assert value(alive, "dinsos_workers_alive") == 1 and value(alive, "dinsos_worker_heartbeat_age_seconds") < 5
