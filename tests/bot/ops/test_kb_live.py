"""A standard changed while the service runs (``bot.messaging.knowledge``), on both databases: applied in one
transaction with its holidays, picked up by a process's next refresh (the conversation answers from it, an open
conversation included), and a process started later answers from it from the start."""

from __future__ import annotations

import copy
import shutil
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.db.models import KnowledgeVersion, LocalHoliday
from bot.messaging import knowledge as live
from bot.messaging.runtime import Runtime
from bot.runtime import create_runtime
from knowledge import kb
from knowledge.changes import read
from tests.bot.cases.chat import say

SLUG = "tanah-laut"


def _edited(tmp_path: Path) -> Path:
    data = copy.deepcopy(kb.read_data(SLUG))
    taruna = next(s for s in data["services"] if s["id"] == "tanda-daftar-karang-taruna")
    taruna["fee"] = "Rp 10.000 per pengajuan"
    data["holidays"] = [{"date": "2026-12-24", "name": "Cuti bersama Natal"}]
    path = tmp_path / "tanah-laut.yaml"
    path.write_text(kb.dump(data), encoding="utf-8")
    return path


async def test_an_applied_standard_is_answered_from_after_the_next_refresh(
        api: tuple[httpx.AsyncClient, Runtime], tmp_path: Path) -> None:
    _, rt = api
    assert "gratis" in await say(rt, "biaya tanda daftar karang taruna brp?")
    assert await live.refresh(rt) is False  # nothing applied: nothing to do
    candidate = read(_edited(tmp_path), agency=None, current={SLUG: kb.read_data(SLUG)})
    version = await rt.transact(live.apply, candidate, source="tanah-laut.yaml", author="operator",
                                summary=["~ biaya"])
    assert "gratis" in await say(rt, "bayar ga?")  # this process has not looked yet
    assert await live.refresh(rt) is True and rt.knowledge_version == version
    answer = await say(rt, "bayar ga?")  # the same conversation, its next answer from the new standard
    assert "10.000" in answer and "gratis" not in answer
    stored = await rt.transact(lambda s: s.execute(select(LocalHoliday.day, LocalHoliday.name)).all())
    assert [tuple(row) for row in stored] == [(date(2026, 12, 24), "Cuti bersama Natal")]
    again = await rt.transact(live.apply, candidate, source="tanah-laut.yaml", author="operator", summary=[])
    assert again > version and await rt.transact(lambda s: s.scalar(
        select(LocalHoliday.id).where(LocalHoliday.day == date(2026, 12, 24)).offset(1))) is None  # added once
    history = await rt.transact(lambda s: list(s.scalars(select(KnowledgeVersion.author))))
    assert history == ["operator", "operator"]

    later = create_runtime(rt.settings)  # a process started after the change
    try:
        assert later.knowledge_version == 0 and await live.refresh(later) is True
        fee = later.engine.kb.service(SLUG, "tanda-daftar-karang-taruna")
        assert fee is not None and fee.data["fee"] == "Rp 10.000 per pengajuan" and fee.data["free"] is False
    finally:
        await later.close()


async def test_an_upgrade_that_ships_a_new_file_is_noticed(
        api: tuple[httpx.AsyncClient, Runtime], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, rt = api
    installed = tmp_path / "installed"
    shutil.copytree(kb.DATA, installed)
    monkeypatch.setattr(kb, "DATA", installed)
    candidate = read(_edited(tmp_path), agency=None, current={SLUG: kb.read_data(SLUG)})
    await rt.transact(live.apply, candidate, source="tanah-laut.yaml", author="operator", summary=["~ biaya"])
    assert await rt.transact(live.outdated) == []
    (installed / f"{SLUG}.yaml").write_text((installed / f"{SLUG}.yaml").read_text() + "\n# upgraded\n")
    assert await rt.transact(live.outdated) == [SLUG]
