"""GET /metrics: the Prometheus text format, behind ``Authorization: Bearer <ADMIN_API_TOKEN>``.

Two sources: what processes counted (``bot.metrics``: messages in and out, answer time, send failures, media,
HTTP statuses; with ``METRICS_DIR`` every process's counts, through prometheus-client's multiprocess mode) and
what the database says now (``bot.dashboard.gauges``: outbox, dead letters, cases, SLA breaches, broadcasts,
workers). What each metric means: docs/operations.md.
"""

from __future__ import annotations

import asyncio
import hmac
import os
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.broadcasts import campaigns, progress
from bot.dashboard.gauges import Snapshot, snapshot
from bot.db.models import Broadcast, utcnow
from bot.web.deps import RuntimeDep

router = APIRouter()
TIMEOUT = 10.0
LIVE_BROADCASTS = (campaigns.SCHEDULED, campaigns.SENDING, campaigns.PAUSED)


class _Now:
    """A collector of numbers already read (Prometheus asks collectors; the database was asked before)."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterator[Metric]:
        yield from self.families


def _read(session: Session, now: datetime) -> tuple[Snapshot, list[tuple[Broadcast, dict[str, int]]]]:
    live = session.scalars(select(Broadcast).where(Broadcast.status.in_(LIVE_BROADCASTS)).order_by(Broadcast.id))
    return snapshot(session, now), [(b, progress.counts(session, b)) for b in live]


def _gauge(name: str, doc: str, labels: list[str] | None = None) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, labels=labels)


def families(found: Snapshot, broadcasts: list[tuple[Broadcast, dict[str, int]]]) -> list[Metric]:
    outbox = _gauge("dinsos_outbox_rows", "Outbox rows by state (pending and sending are still to go)", ["state"])
    for state, n in sorted(found.outbox.items()):
        outbox.add_metric([state], n)
    for state in ("pending", "sending", "dead"):
        if state not in found.outbox:
            outbox.add_metric([state], 0)
    oldest = _gauge("dinsos_outbox_oldest_open_seconds", "Age of the oldest message still waiting to be sent")
    oldest.add_metric([], found.outbox_oldest_open)
    dead = _gauge("dinsos_dead_letters", "Given up on: messages not sent (outbox), deliveries not understood "
                  "(inbound), files not fetched (media); `dinsos-bot outbox list --failed` shows them", ["kind"])
    for kind, n in sorted(found.dead_letters.items()):
        dead.add_metric([kind], n)
    waiting = _gauge("dinsos_inbound_waiting", "Citizens' messages stored and not answered yet")
    waiting.add_metric([], found.inbound_waiting)
    waiting_age = _gauge("dinsos_inbound_oldest_waiting_seconds", "Age of the oldest message not answered yet")
    waiting_age.add_metric([], found.inbound_oldest_waiting)
    media = _gauge("dinsos_media_pending", "Photos and documents still to fetch")
    media.add_metric([], found.media_pending)
    cases = _gauge("dinsos_cases", "Cases by agency, state and procedure step", ["agency", "state", "step"])
    for (agency, state, step), n in sorted(found.cases.items()):
        cases.add_metric([agency, state, str(step)], n)
    sla = _gauge("dinsos_sla_breaches", "Open cases past their due time or their current step's", ["agency"])
    for agency, n in sorted(found.sla_breaches.items()):
        sla.add_metric([agency], n)
    beat = _gauge("dinsos_worker_heartbeat_age_seconds", "Seconds since the youngest worker heartbeat "
                  "(workers beat every 10 s; absent: no worker ever ran)")
    if found.heartbeat_age is not None:
        beat.add_metric([], found.heartbeat_age)
    alive = _gauge("dinsos_workers_alive", "Workers with a heartbeat in the last 60 s")
    alive.add_metric([], found.workers_alive)
    recipients = _gauge("dinsos_broadcast_recipients", "Recipients of each scheduled, sending or paused broadcast "
                        "by outcome (total, pending, queued, sent, delivered, read, failed, skipped)",
                        ["broadcast", "agency", "state"])
    for broadcast, counts in broadcasts:
        for outcome, n in counts.items():
            recipients.add_metric([str(broadcast.id), broadcast.agency, outcome], n)
    return [outbox, oldest, dead, waiting, waiting_age, media, cases, sla, beat, alive, recipients]


def _allowed(request: Request, token: str | None) -> bool:
    given = request.headers.get("authorization", "")
    scheme, _, value = given.partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(),
                                                                              str(token).encode())


@router.get("/metrics", tags=["system"], include_in_schema=False)
async def metrics(request: Request, rt: RuntimeDep) -> Any:
    """Prometheus text format; 401 without ``Authorization: Bearer <ADMIN_API_TOKEN>`` (404 when it is unset)."""
    token = rt.settings.admin_api_token
    if not token:
        return JSONResponse({"detail": "metrics are off: set ADMIN_API_TOKEN"}, status_code=404)
    if not _allowed(request, token):
        return JSONResponse({"detail": "Authorization: Bearer <ADMIN_API_TOKEN> required"}, status_code=401,
                            headers={"WWW-Authenticate": "Bearer"})
    found, broadcasts = await asyncio.wait_for(rt.transact(_read, utcnow()), timeout=TIMEOUT)
    registry = REGISTRY  # this process's own counters (and its Python runtime's)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # every process's counters, summed
    counted = generate_latest(registry)
    now = CollectorRegistry()
    now.register(_Now(families(found, broadcasts)))
    return Response(counted + generate_latest(now), media_type=CONTENT_TYPE_LATEST)
