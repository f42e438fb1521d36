"""The officers' inbox end to end: the service as a process with the fake Twilio, Chromium at 360 px. An
officer signs in, a citizen's WhatsApp message appears in her list live, she assigns it to herself, replies, the
citizen receives it through the fake, the tick turns to *diterima* live after the status callback, and her
private note is never sent."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from tests.bot.web.test_simulator_browser import ARGS, CHROMIUM
from tests.channels.conftest import PASSWORD, Service, eventually
from tests.conftest import need
from tests.fakes import twilio as tw
from tests.fakes.twilio import FakeTwilio

PHONE = "+6281350099001"
REPLY = "Selamat siang Bu, KKS pengganti bisa diurus di kantor desa. Bawa KTP dan KK."
NOTE = "Warga lansia, mohon didahulukan"


def _officer_works(base: str, service: Service, fake: FakeTwilio) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_context(viewport={"width": 360, "height": 800}).new_page()
            page.goto(base + "/inbox")
            page.get_by_label("Nama pengguna").fill("petugas.tl")
            page.get_by_label("Kata sandi").fill(PASSWORD)
            page.get_by_role("button", name="Masuk").click()
            page.wait_for_url("**/inbox")
            expect(page.locator(".empty")).to_be_visible()
            assert service.whatsapp(tw.inbound_form(PHONE, "saya mau bicara dengan petugas")).status_code == 200
            row = page.locator(".rows li").filter(has_text="menunggu petugas")
            expect(row).to_be_visible(timeout=20_000)  # live: no reload by hand
            row.get_by_role("link").click()
            page.get_by_label("Ditugaskan ke").select_option("petugas.tl")
            page.get_by_role("button", name="Tugaskan").click()
            expect(page.locator(".hint").filter(has_text="ditangani petugas.tl")).to_be_visible()
            page.get_by_label("Pesan untuk warga").fill(REPLY)
            page.get_by_role("button", name="Kirim ke warga").click()
            page.get_by_label("Catatan internal baru").fill(NOTE)
            page.get_by_role("button", name="Simpan catatan").click()
            sent = None
            for _ in range(200):
                sent = next((m for m in fake.sent_to(PHONE) if m.get("Body") == REPLY), None)
                if sent:
                    break
                page.wait_for_timeout(100)
            assert sent is not None, "the reply did not reach the fake Twilio"
            officer = page.locator(".entry.officer").filter(has_text=REPLY)
            expect(officer.locator(".tick")).to_contain_text("terkirim", timeout=20_000)
            assert service.status(sent["sid"], "delivered").status_code == 200
            expect(officer.locator(".tick")).to_contain_text("diterima", timeout=20_000)  # live
            expect(page.locator(".notes")).to_contain_text(NOTE)
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
        finally:
            browser.close()


async def test_an_officer_takes_a_whatsapp_chat_replies_and_sees_it_delivered(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio) -> None:
    need(CHROMIUM is not None, "Debian's chromium (apt-get install chromium)")
    service = start_service(AGENCIES="tanah-laut")
    service.sign_in("petugas.tl", "officer", "tanah-laut")
    await asyncio.to_thread(_officer_works, service.base, service, fake_twilio)
    await eventually(service.settled)
    bodies: list[Any] = [m.get("Body") for m in fake_twilio.sent_to(PHONE)]
    assert REPLY in bodies and not any(NOTE in (b or "") for b in bodies)  # the note never went out
