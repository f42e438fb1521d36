"""A worker killed mid-batch loses nothing; only messages in flight at the kill may go out twice."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

from bot.db.models import Outbox
from tests.channels.conftest import Service, eventually
from tests.fakes import twilio as tw
from tests.fakes.server import Slow
from tests.fakes.twilio import FakeTwilio

PHONES = [f"+62812000{n:05d}" for n in range(30)]


async def test_worker_killed_mid_batch_loses_nothing(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    service = start_service(WORKER_ENABLED="false", AGENCIES="tanah-laut")
    for phone in PHONES:
        assert service.whatsapp(tw.inbound_form(phone, "jam buka")).status_code == 200

    async def queued() -> bool:
        return await service.count(Outbox, Outbox.status == "pending") == len(PHONES)

    await eventually(queued)
    fake_twilio.script("messages", *[Slow(0.4)] * 40)
    first = start_service("worker", OUTBOX_LEASE_SECONDS="5")
    await eventually(lambda: len(fake_twilio.sent) >= 5, timeout=20)
    first.proc.kill()  # no clean shutdown: leases are left behind
    first.proc.wait(5)
    in_flight = {r.form()["To"].removeprefix("whatsapp:") for r in fake_twilio.seen("messages")}
    time.sleep(0.5)
    start_service("worker", OUTBOX_LEASE_SECONDS="5")

    async def all_sent() -> bool:
        return await service.count(Outbox, Outbox.status.in_(("pending", "sending"))) == 0

    await eventually(all_sent, timeout=60)
    per_phone = Counter(m["To"].removeprefix("whatsapp:") for m in fake_twilio.sent)
    assert set(per_phone) == set(PHONES)  # nothing lost
    twice = {phone for phone, n in per_phone.items() if n > 1}
    assert twice <= in_flight  # only messages the provider had already received when the worker died
    assert len(in_flight) < len(PHONES) and all(n <= 2 for n in per_phone.values())
    assert await service.count(Outbox, Outbox.status == "dead") == 0
