"""A broadcast end to end: the service as a process, the real twilio library talking to the fake Twilio. Fifty
citizens type LANGGANAN on WhatsApp, an admin broadcasts a schedule, the last of them sends STOP before their
turn: 49 are sent (and delivered after the status callbacks), 1 skipped, and the fake received exactly 49."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from tests.bot.web.test_simulator_browser import ARGS, CHROMIUM
from tests.channels.conftest import PASSWORD, Service, eventually
from tests.conftest import need
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


def _admin_composes_and_sends(base: str, stop: Callable[[], object]) -> tuple[str, str]:
    """In Chromium at 360 px (in a thread of its own: Playwright's sync API): sign in, compose, see the 50
    recipients, press send, stop one citizen, and wait for the page's live counts to settle; returns the sent
    and skipped counts shown."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            return _on_the_page(base, browser, stop)
        finally:
            browser.close()


def _on_the_page(base: str, browser: Any, stop: Callable[[], object]) -> tuple[str, str]:
    from playwright.sync_api import expect

    page = browser.new_context(viewport={"width": 360, "height": 800}).new_page()
    page.goto(base + "/admin/broadcasts")
    page.get_by_label("Nama pengguna").fill("admin")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/inbox")
    page.goto(base + "/admin/broadcasts/new")
    page.get_by_label("Isi pengumuman").fill(TEXT)
    assert TEXT in page.locator("#preview").inner_text()  # the WhatsApp-style preview, as typed
    assert page.locator("#count").inner_text() == f"{len(TEXT)}/1000 karakter"
    page.get_by_role("button", name="Simpan dan lihat penerima").click()
    page.get_by_role("button", name="Kirim ke 50 penerima").click()
    stop()  # the last recipient stops while the first are sent (its turn comes after ~5 s)
    expect(page.locator("#state")).to_have_text("selesai", timeout=60_000)  # live, then the page reloads
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    return (page.locator("[data-count=sent]").inner_text(), page.locator("[data-count=skipped]").inner_text())


async def test_an_admin_broadcasts_from_the_page_and_sees_49_sent_1_skipped(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    need(CHROMIUM is not None, "Debian's chromium (apt-get install chromium)")
    service = start_service(AGENCIES="tanah-laut", BROADCAST_WHATSAPP_RATE="10", TWILIO_SEND_RATE="50")
    for phone in PHONES:
        assert service.whatsapp(tw.inbound_form(phone, "langganan")).status_code == 200
    await eventually(lambda: len(fake_twilio.sent) >= 50, timeout=60)
    service.sign_in()  # creates the admin account

    def stop() -> None:
        assert service.whatsapp(tw.inbound_form(PHONES[-1], "BERHENTI")).status_code == 200

    sent, skipped = await asyncio.to_thread(_admin_composes_and_sends, service.base, stop)
    assert (sent, skipped) == ("49", "1")
    await eventually(service.settled, timeout=30)
    assert len(_announcements(fake_twilio)) == 49
