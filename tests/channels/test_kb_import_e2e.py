"""`dinsos-bot kb import FILE` against the running service: two web processes and a worker on PostgreSQL.
Without --apply it only shows what would change; with --apply every process answers from the new standard
within seconds, without a restart; a file that cannot be used is refused and changes nothing."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.db.models import KnowledgeVersion
from knowledge import kb
from tests.channels.conftest import Service, eventually
from tests.fakes import twilio as tw
from tests.fakes.twilio import FakeTwilio
from tests.support import run_cli

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # several processes
SLUG = "tanah-laut"


def _files(folder: Path) -> tuple[Path, Path]:
    data = copy.deepcopy(kb.read_data(SLUG))
    taruna = next(s for s in data["services"] if s["id"] == "tanda-daftar-karang-taruna")
    taruna["fee"] = "Rp 10.000 per pengajuan"
    good = folder / "tanah-laut-baru.yaml"
    good.write_text(kb.dump(data), encoding="utf-8")
    taruna.pop("requirements")
    bad = folder / "tanah-laut-rusak.yaml"
    bad.write_text(kb.dump(data), encoding="utf-8")
    return good, bad


def _logs(folder: Path, pattern: str) -> str:
    return "".join(p.read_text(errors="replace") for p in folder.glob(pattern))


async def test_a_corrected_standard_goes_live_in_every_process_without_a_restart(
        start_service: Callable[..., Service], fake_twilio: FakeTwilio, tmp_path: Path) -> None:
    web = start_service(WEB_WORKERS="2", WORKER_ENABLED="false", AGENCIES=SLUG, LOG_LEVEL="INFO")
    start_service("worker", AGENCIES=SLUG, LOG_LEVEL="INFO")
    good, bad = _files(tmp_path)
    asked = 0

    async def fees() -> list[str]:
        """Five citizens ask at once (new connections: both web processes answer); their replies."""
        nonlocal asked
        phones = [f"+6281377700{asked + n:03d}" for n in range(5)]
        asked += 5
        for phone in phones:
            assert web.whatsapp(tw.inbound_form(phone, "biaya tanda daftar karang taruna brp?")).status_code == 200
        await eventually(lambda: all(fake_twilio.sent_to(p) for p in phones), timeout=20)
        return [fake_twilio.sent_to(p)[0]["Body"] for p in phones]

    assert all("gratis" in body for body in await fees())
    refused = await asyncio.to_thread(run_cli, "kb", "import", str(bad), "--apply", env=web.env, cwd=tmp_path)
    assert refused.returncode == 1 and "requirements is missing" in refused.stdout
    shown = await asyncio.to_thread(run_cli, "kb", "import", str(good), env=web.env, cwd=tmp_path)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "biaya: Tidak dipungut biaya / gratis -> Rp 10.000 per pengajuan" in shown.stdout
    assert "--apply" in shown.stdout
    assert await web.count(KnowledgeVersion) == 0
    assert all("gratis" in body for body in await fees())  # only shown, not applied
    applied = await asyncio.to_thread(run_cli, "kb", "import", str(good), "--apply", "--author", "siti.operator",
                                      env=web.env, cwd=tmp_path)
    assert applied.returncode == 0 and "Diterapkan (versi 1)" in applied.stdout, applied.stdout + applied.stderr
    # every process: both web processes and the worker say they loaded it
    await eventually(lambda: _logs(tmp_path, "serve-*.log").count("knowledge version 1 loaded") == 2, timeout=20)
    await eventually(lambda: "knowledge version 1 loaded" in _logs(tmp_path, "worker-*.log"))
    assert all("10.000" in body for body in await fees())
    exported = await asyncio.to_thread(run_cli, "kb", "export", SLUG, env=web.env, cwd=tmp_path)
    assert exported.returncode == 0 and "Rp 10.000 per pengajuan" in exported.stdout
    assert "applied version" in exported.stdout.splitlines()[0]
    assert await web.count(KnowledgeVersion, KnowledgeVersion.author == "siti.operator") == 1
