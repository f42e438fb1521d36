"""The simulator page in a real browser (Debian's chromium driven by Playwright) against a real server."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest

from tests.conftest import need
from tests.support import clean_env, free_port, start_process, stop_process, wait_healthy

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the dev extra installs it
    expect = None  # type: ignore[assignment]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("web")
    port = free_port()
    env = clean_env(PORT=str(port), HOST="127.0.0.1", LOG_LEVEL="WARNING", SIMULATOR_RATE="20",
                    DATABASE_URL=f"sqlite+aiosqlite:///{folder / 'sim.db'}")  # a pengaduan is typed fast here
    log_path = folder / "serve.log"
    proc = start_process("serve", env, folder, log_path)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, log_path)
        yield base
    finally:
        stop_process(proc)


@pytest.fixture
def page(server: str) -> Iterator[object]:
    need(CHROMIUM is not None, "Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 420, "height": 860})
        page = context.new_page()
        page.goto(server + "/simulator")
        yield page
        browser.close()


def _ask(page, text: str) -> None:  # type: ignore[no-untyped-def]
    count = page.locator(".msg.out").count()
    page.fill("#text", text)
    page.keyboard.press("Enter")
    page.locator(".msg.out").nth(count).wait_for()


def test_ask_and_see_the_formatted_answer(page) -> None:  # type: ignore[no-untyped-def]
    page.select_option("#agency", "tanah-laut")
    _ask(page, "kks sy ilang syaratnya apa")
    answer = page.locator(".msg.out").last
    assert "Kepolisian" in answer.inner_text()
    assert answer.locator("b").first.inner_text().startswith("Persyaratan")  # *bold* became bold


def test_conversation_survives_a_reload_and_reset_clears_it(page) -> None:  # type: ignore[no-untyped-def]
    page.select_option("#agency", "tanah-laut")
    _ask(page, "mau tanya karang taruna")
    _ask(page, "brp lama?")
    page.reload()
    page.locator(".msg").nth(3).wait_for()
    assert "1 hari kerja" in page.locator(".log").inner_text()
    page.click("#reset")
    expect(page.locator(".msg")).to_have_count(0)
    page.reload()
    page.locator("#agency option").nth(4).wait_for(state="attached")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".msg")).to_have_count(0)


def test_choices_are_buttons_once_and_survive_a_reload_and_the_region_follows(page) -> None:  # type: ignore[no-untyped-def]
    page.select_option("#agency", "")
    _ask(page, "syarat kks hilang")
    question = page.locator(".msg.out").last
    assert question.locator(".choices button").count() == 4
    assert "4. Kabupaten Tanah Laut" not in question.inner_text().split("\n")[:-4]  # not also a numbered list
    page.reload()
    page.locator(".msg.out .choices button", has_text="Kabupaten Sragen").click()  # the buttons are still there
    page.locator(".msg.out").nth(1).wait_for()
    assert "SP2D" in page.locator(".msg.out").last.inner_text()
    expect(page.locator("#agency")).to_have_value("sragen")  # the selector shows what the bot recorded
    page.reload()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#agency")).to_have_value("sragen")


def test_a_region_named_in_the_chat_moves_the_selector(page) -> None:  # type: ignore[no-untyped-def]
    page.select_option("#agency", "")
    _ask(page, "saya warga tanah laut")
    assert "Kabupaten Tanah Laut" in page.locator(".msg.out").last.inner_text()
    expect(page.locator("#agency")).to_have_value("tanah-laut")


def test_user_text_is_escaped(page) -> None:  # type: ignore[no-untyped-def]
    hostile = "<img src=x onerror=\"document.body.dataset.pwned=1\"><b>tebal</b>"
    _ask(page, hostile)
    sent = page.locator(".msg.in").last
    assert sent.inner_text() == hostile
    assert sent.locator("img, b").count() == 0
    assert page.evaluate("document.body.dataset.pwned") is None


def test_at_a_phone_width_nothing_is_cut_off(page) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 360, "height": 740})
    page.select_option("#agency", "tanah-laut")
    _ask(page, "syarat kks hilang")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways at 360 px ({width} px wide)"
    for selector in ("#text", "#agency", "#reset", ".msg.out >> nth=-1"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, selector
    header = page.locator(".bar").bounding_box()
    assert header is not None and header["height"] <= 104, "the header takes two lines at most"


def test_a_pengaduan_in_the_simulator_ends_with_a_ticket(page) -> None:  # type: ignore[no-untyped-def]
    page.select_option("#agency", "tanah-laut")
    _ask(page, "lapor")
    consent = page.locator(".msg.out").last
    assert "UU 27/2022" in consent.inner_text()
    count = page.locator(".msg.out").count()
    consent.locator(".choices button", has_text="Setuju").click()
    page.locator(".msg.out").nth(count).wait_for()
    for answer in ("1", "Siti Aminah", "6301054501900002", "Pelaihari", "Angsau",
                   "Kartu KKS saya hilang waktu ke pasar minggu lalu"):
        _ask(page, answer)
    while "Periksa data" not in page.locator(".msg.out").last.inner_text():
        _ask(page, "lewati")
    summary = page.locator(".msg.out").last
    assert "6301********0002" in summary.inner_text() and "6301054501900002" not in summary.inner_text()
    count = page.locator(".msg.out").count()
    summary.locator(".choices button", has_text="Kirim").click()
    page.locator(".msg.out").nth(count).wait_for()
    assert re.search(r"TLT-[A-HJ-NP-Z2-9]{6}", page.locator(".msg.out").last.inner_text())
