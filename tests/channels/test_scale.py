"""Several worker processes on one PostgreSQL database hold the provider limits together, not each its own:
the fake provider never sees more than the rate plus its burst in any one second, every message arrives exactly
once and in order per contact, and one Telegram chat's pace holds whichever worker sends."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from bot.db.models import Contact, Outbox, utcnow
from bot.messaging import outbox
from tests.channels.conftest import Service, eventually
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # several processes
RATE = 10
CONTACTS = 150
CHAT = 777001


def _queue_whatsapp(session: Session) -> None:
    contacts = [Contact(channel="whatsapp", external_id=f"+6281300{n:05d}", phone=f"+6281300{n:05d}",
                        last_inbound_at=utcnow()) for n in range(CONTACTS)]
    session.add_all(contacts)
    session.flush()
    for part in (1, 2):  # two messages each: 300, the second of a contact only after its first
        for n, contact in enumerate(contacts):
            outbox.enqueue(session, contact_id=contact.id, channel="whatsapp", body=f"pesan {n} bagian {part}")


def _most_in_one_second(times: list[float]) -> int:
    times = sorted(times)
    return max(sum(start <= t < start + 1.0 for t in times) for start in times)


async def test_three_workers_hold_one_rate_and_send_each_message_once(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    workers = [start_service("worker", TWILIO_SEND_RATE=str(RATE)) for _ in range(3)]
    await workers[0].add(_queue_whatsapp)

    async def all_sent() -> bool:
        return await workers[0].count(Outbox, Outbox.status.in_(("pending", "sending"))) == 0

    await eventually(all_sent, timeout=90)
    bodies = Counter(m["Body"] for m in fake_twilio.sent)
    assert len(bodies) == 2 * CONTACTS and set(bodies.values()) == {1}  # each exactly once
    for phone, sent in itertools.groupby(sorted(fake_twilio.sent, key=lambda m: m["To"]), key=lambda m: m["To"]):
        assert [m["Body"].rsplit(" ", 1)[-1] for m in sent] == ["1", "2"], phone  # in order per contact
    arrivals = [r.at for r in fake_twilio.seen("messages")]
    most = _most_in_one_second(arrivals)
    print(f"most in one second: {most}, over {max(arrivals) - min(arrivals):.1f} s")
    assert most <= RATE + RATE  # the rate plus its burst (one second's worth)
    senders = {row.leased_by for row in await workers[0].outbox()}
    assert senders == {None}  # leases released
    assert await workers[0].count(Outbox, Outbox.status == "dead") == 0


async def test_one_chat_is_paced_whichever_worker_sends(
        start_service: Callable[..., Service], fake_telegram: FakeTelegram) -> None:
    workers = [start_service("worker", TELEGRAM_CHAT_INTERVAL="1.0") for _ in range(3)]

    def queue(session: Session) -> None:
        contact = Contact(channel="telegram", external_id=str(CHAT), last_inbound_at=utcnow())
        session.add(contact)
        session.flush()
        for n in range(5):
            outbox.enqueue(session, contact_id=contact.id, channel="telegram", body=f"balasan {n}")

    await workers[0].add(queue)
    await eventually(lambda: len(fake_telegram.sent_to(CHAT)) == 5, timeout=30)
    times = [m["at"] for m in fake_telegram.sent_to(CHAT)]
    assert all(b - a >= 0.9 for a, b in itertools.pairwise(times)), times
    assert [m["text"] for m in fake_telegram.sent_to(CHAT)] == [f"balasan {n}" for n in range(5)]
