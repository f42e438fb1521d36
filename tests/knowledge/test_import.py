"""Importing the sources reproduces the curated data, except for the recorded corrections."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from knowledge import kb
from knowledge.check import check_all
from knowledge.importer.agency import import_agency
from knowledge.importer.corrections import CorrectionError, apply_corrections, apply_one

SLUGS = [e["slug"] for e in kb.registry()]


@pytest.mark.parametrize("slug", SLUGS)
def test_import_plus_corrections_is_the_curated_file(slug: str) -> None:
    entry = next(e for e in kb.registry() if e["slug"] == slug)
    curated = kb.read_data(slug)
    imported, _ = import_agency(entry, kb.SOURCES)
    corrected, stale = apply_corrections(imported, curated["corrections"])
    assert stale == []
    corrected["corrections"] = curated["corrections"]
    assert corrected == curated


@pytest.mark.parametrize("slug", SLUGS)
def test_every_correction_changes_something_and_says_why(slug: str) -> None:
    entry = next(e for e in kb.registry() if e["slug"] == slug)
    imported, _ = import_agency(entry, kb.SOURCES)
    for correction in kb.read_data(slug)["corrections"]:
        assert correction["reason"].strip()
        before = yaml.safe_dump(imported)
        apply_one(imported, correction)
        assert yaml.safe_dump(imported) != before, correction["path"]


def test_the_importer_reports_what_it_could_not_read() -> None:
    tanah_laut = next(e for e in kb.registry() if e["slug"] == "tanah-laut")
    _, problems = import_agency(tanah_laut, kb.SOURCES)
    assert any("printed twice" in p for p in problems)
    assert any("Jamian realisasi" in p for p in problems)
    tarakan = next(e for e in kb.registry() if e["slug"] == "tarakan")
    _, problems = import_agency(tarakan, kb.SOURCES)
    assert any("SOP step 5: duration unreadable" in p for p in problems)


def test_the_curated_facts_citizens_ask_about() -> None:
    tl = kb.read_data("tanah-laut")
    services = {s["number"]: s for s in tl["services"]}
    assert len(services) == 16
    assert tl["agency"]["timezone"] == "Asia/Makassar"
    assert tl["agency"]["contacts"]["whatsapp"] == ["0822-5225-4224"]
    assert tl["agency"]["office_hours"]["schedule"][1] == {"days": [4], "open": "08:00", "close": "11:30"}
    assert "Tidak ada biaya" in tl["agency"]["general"]["fee"]
    assert services[6]["duration_value"] == {"days": 17, "hours": 3, "minutes": 30}
    kks = services[14]["requirements"]
    assert [len(v["items"]) for v in kks] == [4, 5, 4]
    assert "Kepolisian" in " ".join(kks[2]["items"])
    tarakan = kb.read_data("tarakan")["services"][0]
    assert [s["duration"] for s in tarakan["sop"]["steps"]] == ["10 menit"] * 3 + ["5 menit"] * 3
    assert "E-Warong" in tarakan["warnings"][0]
    assert kb.read_data("sragen")["services"][0]["duration_value"] == {"fiscal_years": 1}
    magetan = kb.read_data("magetan")
    assert magetan["agency"]["timezone"] == "Asia/Jakarta"
    assert len(magetan["services"][0]["sop"]["steps"]) == 10


def test_check_passes_on_the_curated_files() -> None:
    assert check_all() == []


def _broken_copy(tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    data_dir = tmp_path / "data"
    shutil.copytree(kb.DATA, data_dir)
    path = data_dir / "sragen.yaml"
    data = yaml.safe_load(path.read_text())
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return data_dir


def test_check_finds_a_missing_requirement_and_an_unreadable_duration(tmp_path: Path) -> None:
    def edit(data: dict) -> None:  # type: ignore[type-arg]
        data["services"][0]["requirements"] = []
        data["services"][0]["duration"] = "secepatnya"

    errors = check_all(_broken_copy(tmp_path, edit))
    assert any("requirements is missing" in e for e in errors)
    assert any("cannot be read" in e for e in errors)
    assert any("differs from import" in e for e in errors)


def test_a_correction_whose_source_changed_is_reported_not_applied() -> None:
    data = {"services": [{"id": "a", "fee": "Gratis"}]}
    stale = {"path": "services.a.fee", "op": "set", "from": "Bayar", "to": "x", "reason": "r"}
    result, failed = apply_corrections(data, [stale])
    assert result == data and failed and "source now says" in failed[0]
    with pytest.raises(CorrectionError):
        apply_one(data, {"path": "services.nope.fee", "op": "set", "to": "x", "reason": "r"})


def test_import_command_keeps_corrections(tmp_path: Path) -> None:
    entry = next(e for e in kb.registry() if e["slug"] == "magetan")
    shutil.copy(kb.DATA / "magetan.yaml", tmp_path / "magetan.yaml")
    result = kb.import_one(entry, data_dir=tmp_path)
    kb.write(result, tmp_path)
    assert kb.read_data("magetan", tmp_path) == kb.read_data("magetan")
