"""Make the README's screenshots with Debian's chromium (Playwright): a pengaduan in the simulator ending with its
ticket; then, signed in as an officer, the inbox, a conversation with its case panel, a broadcast being composed
and the dashboard.

Usage: .venv/bin/python docs/screenshots.py   (starts `dinsos-bot serve` in a temporary folder)
"""

from __future__ import annotations

import os
import secrets
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
PASSWORD = secrets.token_urlsafe(16)  # the supervisor's, for this run only


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
            ask(page, "saya mau bicara dengan petugas")
            other = browser.new_page(viewport={"width": 420, "height": 900})
            other.goto(base + "/simulator")
            other.select_option("#agency", "tanah-laut")
            ask(other, "kks saya sudah 3 bulan tidak bisa dipakai, saya kecewa sekali")
            subprocess.run([sys.executable, "-m", "bot", "users", "add", "kabid", "--role", "supervisor", "--agency",
                            "tanah-laut", "--password-stdin"], input=PASSWORD + "\n", text=True, env=env,
                           cwd=folder, check=True)
            staff = browser.new_page(viewport={"width": 1100, "height": 900})
            staff.goto(base + "/login")
            staff.get_by_label("Nama pengguna").fill("kabid")
            staff.get_by_label("Kata sandi").fill(PASSWORD)
            staff.get_by_role("button", name="Masuk").click()
            staff.wait_for_url("**/inbox")
            staff.screenshot(path=str(DOCS / "inbox.png"))
            href = staff.locator(".rows li a").last.get_attribute("href")
            answer = staff.goto(base + str(href))
            assert answer is not None and answer.status == 200, (href, answer and answer.status, staff.content()[:2000])
            staff.get_by_label("Pesan untuk warga").fill("Selamat siang Bu, berkas Ibu sedang kami periksa.")
            staff.screenshot(path=str(DOCS / "conversation.png"), full_page=True)
            staff.goto(base + "/admin/broadcasts/new")
            staff.get_by_label("Isi pengumuman").fill(
                "Pembagian KKS untuk warga Kecamatan Pelaihari hari Senin, 14 Desember 2026 pukul 08.00 WITA di "
                "aula kantor kecamatan. Bawa KTP dan KK asli.")
            staff.screenshot(path=str(DOCS / "broadcast.png"), full_page=True)
            staff.goto(base + "/admin")
            staff.screenshot(path=str(DOCS / "dashboard.png"), full_page=True)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(20)


if __name__ == "__main__":
    main()
