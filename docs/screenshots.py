"""Make the README's screenshots with Debian's chromium (Playwright): the simulator answering a question, and a
pengaduan in the simulator ending with its ticket.

Usage: .venv/bin/python docs/screenshots.py   (starts `dinsos-bot serve` in a temporary folder)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

DOCS = Path(__file__).resolve().parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def ask(page: Page, text: str) -> None:
    count = page.locator(".msg.out").count()
    page.fill("#text", text)
    page.keyboard.press("Enter")
    page.locator(".msg.out").nth(count).wait_for()


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="dinsos-shots-"))
    env = {"PATH": os.environ["PATH"], "PORT": "8765", "LOG_LEVEL": "WARNING", "SIMULATOR_RATE": "20",
           "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'shots.db'}"}
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, cwd=folder)
    base = "http://127.0.0.1:8765"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
            page = browser.new_page(viewport={"width": 420, "height": 900})
            page.goto(base + "/simulator")
            page.select_option("#agency", "tanah-laut")
            ask(page, "kartu kks saya hilang waktu ke pasar, bantuan jadi ga bisa diambil")
            ask(page, "ya")
            ask(page, "setuju")
            for answer in ("Siti Aminah", "6301054501900002", "Pelaihari", "Angsau"):
                ask(page, answer)
            while "Periksa data" not in page.locator(".msg.out").last.inner_text():
                ask(page, "lewati")
            ask(page, "kirim")
            page.locator(".msg.out").last.scroll_into_view_if_needed()
            page.screenshot(path=str(DOCS / "pengaduan.png"))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(20)


if __name__ == "__main__":
    main()
