"""A broadcast end to end: the service as a process, the real twilio library talking to the fake Twilio. Fifty
citizens type LANGGANAN on WhatsApp, an admin broadcasts a schedule, the last of them sends STOP before their
turn: 49 are sent (and delivered after the status callbacks), 1 skipped, and the fake received exactly 49."""

from __future__ import annotations

from collections.abc import Callable

from tests.channels.conftest import Service, eventually
from tests.fakes import twilio as tw
from tests.fakes.twilio import FakeTwilio

PHONES = [f"+6281350{n:05d}" for n in range(50)]
TEXT = "Pembagian KKS Kecamatan Pelaihari hari Senin 14 Desember pukul 08.00 WITA di aula kecamatan."


def _announcements(fake: FakeTwilio) -> list[dict[str, str]]:
    with fake._lock:
        return [m for m in fake.sent if "Pengumuman" in (m.get("Body") or "")]


async def test_fifty_subscribers_one_stops_forty_nine_receive_it(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    service = start_service(AGENCIES="tanah-laut", BROADCAST_WHATSAPP_RATE="10", TWILIO_SEND_RATE="50")
    for phone in PHONES:
        assert service.whatsapp(tw.inbound_form(phone, "langganan")).status_code == 200
    await eventually(lambda: len(fake_twilio.sent) >= 50, timeout=60)
    await eventually(service.settled, timeout=30)
    admin = service.sign_in()
    dry = service.http.get("/api/broadcasts/audience", params={"agency": "tanah-laut"}, headers=admin)
    assert dry.json() == {"recipients": 50}
    created = service.http.post("/api/broadcasts", headers=admin, json={"agency": "tanah-laut", "text": TEXT})
    assert created.status_code == 201 and created.json()["recipients"] == 50, created.text
    # the last recipient stops while the first are being sent (at 10 a second, its turn comes after ~5 s)
    assert service.whatsapp(tw.inbound_form(PHONES[-1], "STOP")).status_code == 200
    url = f"/api/broadcasts/{created.json()['id']}"
    await eventually(lambda: service.http.get(url, headers=admin).json()["status"] == "done", timeout=60)
    progress = service.http.get(url, headers=admin).json()
    assert (progress["total"], progress["sent"], progress["skipped"], progress["failed"]) == (50, 49, 1, 0)
    await eventually(service.settled, timeout=30)
    received = _announcements(fake_twilio)
    assert len(received) == 49 and {m["To"] for m in received} == {f"whatsapp:{p}" for p in PHONES[:-1]}
    assert TEXT in received[0]["Body"]
    for message in received:  # the providers' reports reach the broadcast's counts
        assert service.status(message["sid"], "delivered").status_code == 200
    await eventually(lambda: service.http.get(url, headers=admin).json()["delivered"] == 49)
