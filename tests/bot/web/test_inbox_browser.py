"""The officers' sign-in and inbox in a real browser (Debian's chromium driven by Playwright) against a real
server: a citizen asks for an officer in the simulator, an officer signs in on a 360 px wide screen and finds
the conversation waiting; sign-out returns to the sign-in page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bot.web.test_simulator_browser import ARGS, CHROMIUM
from tests.conftest import need
from tests.support import clean_env, free_port, run_cli, start_process, stop_process, wait_healthy

PASSWORD = "kata-sandi-yang-panjang"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str], Path]]:
    folder = tmp_path_factory.mktemp("inbox")
    port = free_port()
    env = clean_env(PORT=str(port), HOST="127.0.0.1", LOG_LEVEL="WARNING", SIMULATOR_RATE="20",
                    AGENCIES="tanah-laut", DATABASE_URL=f"sqlite+aiosqlite:///{folder / 'inbox.db'}")
    log_path = folder / "serve.log"
    proc = start_process("serve", env, folder, log_path)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, log_path)
        added = run_cli("users", "add", "petugas.tl", "--role", "officer", "--agency", "tanah-laut",
                        "--password-stdin", env=env, cwd=folder, stdin=PASSWORD + "\n")
        assert added.returncode == 0, added.stderr
        yield base, env, folder
    finally:
        stop_process(proc)


@pytest.fixture
def page(server: tuple[str, dict[str, str], Path]) -> Iterator[object]:
    need(CHROMIUM is not None, "Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def test_an_officer_signs_in_on_a_phone_and_finds_the_citizen_waiting(  # type: ignore[no-untyped-def]
        server, page) -> None:
    base = server[0]
    citizen = page.new_context(viewport={"width": 420, "height": 860}).new_page()
    citizen.goto(base + "/simulator")
    count = citizen.locator(".msg.out").count()
    citizen.fill("#text", "saya mau bicara dengan petugas")
    citizen.keyboard.press("Enter")
    citizen.locator(".msg.out").nth(count).wait_for()
    assert "teruskan ke petugas" in citizen.locator(".msg.out").last.inner_text()

    officer = page.new_context(viewport={"width": 360, "height": 740}).new_page()
    officer.goto(base + "/inbox")
    assert officer.url.endswith("/login")
    officer.get_by_label("Nama pengguna").fill("petugas.tl")
    officer.get_by_label("Kata sandi").fill(PASSWORD)
    officer.get_by_role("button", name="Masuk").click()
    officer.wait_for_url("**/inbox")
    row = officer.locator(".rows li").first
    assert "Simulator" in row.inner_text() and "menunggu petugas" in row.inner_text()
    assert officer.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    officer.get_by_role("button", name="Keluar").click()
    officer.wait_for_url("**/login")
    officer.goto(base + "/inbox")
    assert officer.url.endswith("/login")
