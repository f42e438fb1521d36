"""A new or corrected standard before it goes live (``knowledge.changes``): what would change is said line by
line; a file that cannot be used is refused with what to fix; a standard document is imported as the agency's
own, with its corrections."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge import kb
from knowledge.changes import ChangeError, diff, read

SLUG = "tanah-laut"


def _current() -> dict[str, dict[str, Any]]:
    return {slug: kb.read_data(slug) for slug in kb.slugs()}


def _service(data: dict[str, Any], service_id: str) -> dict[str, Any]:
    return next(s for s in data["services"] if s["id"] == service_id)


def _write(tmp_path: Path, data: dict[str, Any], name: str = "tanah-laut.yaml") -> Path:
    path = tmp_path / name
    path.write_text(kb.dump(data), encoding="utf-8")
    return path


def test_an_edited_file_says_what_would_change(tmp_path: Path) -> None:
    current = _current()
    edited = copy.deepcopy(current[SLUG])
    taruna = _service(edited, "tanda-daftar-karang-taruna")
    taruna["fee"] = "Rp 10.000 per pengajuan"
    taruna["requirements"].append("Fotokopi NPWP organisasi")
    taruna["duration"] = "3 (tiga) hari kerja"  # duration_value left as it was: recomputed
    removed = edited["services"].pop(0)
    edited["agency"]["office_hours"]["text"] = ["Senin – Jumat : 08.00 – 15.00 WITA"]  # schedule left: read again
    edited["holidays"] = [{"date": "2026-12-24", "name": "Cuti bersama Natal"},
                          {"date": date(2026, 8, 17), "name": "sudah ada"}]
    candidate = read(_write(tmp_path, edited), agency=None, current=current)
    assert candidate.slug == SLUG and candidate.holidays[0] == (date(2026, 8, 17), "sudah ada")
    assert _service(candidate.data, "tanda-daftar-karang-taruna")["free"] is False  # derived again from the fee
    assert _service(candidate.data, "tanda-daftar-karang-taruna")["duration_value"] == {"working_days": 3}
    lines = diff(current[SLUG], candidate, holidays={date(2026, 8, 17)})
    name = taruna["name"]
    assert f"~ {name}: biaya: Tidak dipungut biaya / gratis -> Rp 10.000 per pengajuan" in lines
    assert f"~ {name}: persyaratan: + Fotokopi NPWP organisasi" in lines
    assert any(line.startswith(f"~ {name}: jangka waktu: ") and line.endswith("-> 3 (tiga) hari kerja")
               for line in lines)
    assert f"- layanan dihapus: {removed['name']}" in lines
    assert ("~ Dinsos Kab. Tanah Laut: jam kerja untuk tenggat: Sen/Sel/Rab/Kam 08:00-16:30; Jum 08:00-11:30 -> "
            "Sen/Sel/Rab/Kam/Jum 08:00-15:00") in lines
    assert "~ Dinsos Kab. Tanah Laut: jam pelayanan: + Senin – Jumat : 08.00 – 15.00 WITA" in lines
    assert "+ hari libur 2026-12-24: Cuti bersama Natal" in lines
    assert not any("2026-08-17" in line for line in lines)  # already a holiday of the agency
    assert len(lines) == 9, lines  # two office-hours lines removed, one added


def test_the_same_knowledge_changes_nothing(tmp_path: Path) -> None:
    current = _current()
    assert diff(current[SLUG], read(_write(tmp_path, current[SLUG]), agency=None, current=current)) == []


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda d: d["agency"].update(slug="jakarta"), "not in the registry"),
    (lambda d: d["services"][0].pop("requirements"), "requirements is missing"),
    (lambda d: d["agency"].update(timezone="Europe/Paris"), "not an Indonesian zone"),
    (lambda d: d["services"][0].update(duration="sebentar saja"), "cannot be read"),
    (lambda d: d["agency"].update(working_hours={"schedule": [{"days": [0], "open": "16:00", "close": "08:00"}]}),
     "working_hours"),
    (lambda d: d["agency"]["office_hours"].update(text=["setiap hari kerja"]), "cannot be read as hours"),
    (lambda d: d.update(holidays=[{"date": "2026-02-30", "name": "Tidak ada"}]), "holidays 1"),
    (lambda d: d["services"].append(copy.deepcopy(d["services"][0])), "duplicate id"),
])
def test_a_file_that_cannot_be_used_is_refused_with_what_to_fix(tmp_path: Path, edit: Any, expected: str) -> None:
    current = _current()
    edited = copy.deepcopy(current[SLUG])
    edit(edited)
    with pytest.raises(ChangeError) as refused:
        read(_write(tmp_path, edited), agency=None, current=current)
    assert any(expected in problem for problem in refused.value.problems), refused.value.problems


def test_unreadable_or_unknown_files_are_refused(tmp_path: Path) -> None:
    current = _current()
    broken = tmp_path / "rusak.yaml"
    broken.write_text("agency: [tidak: tutup", encoding="utf-8")
    with pytest.raises(ChangeError, match="not readable YAML"):
        read(broken, agency=None, current=current)
    with pytest.raises(ChangeError, match="does not exist"):
        read(tmp_path / "tidak-ada.yaml", agency=None, current=current)
    pdf = tmp_path / "standar.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    with pytest.raises(ChangeError, match=r"give an agency's \.yaml file or a standard document"):
        read(pdf, agency=None, current=current)
    with pytest.raises(ChangeError, match="needs --agency"):
        read(kb.SOURCES / "004_26fb5f08c67fff6c.txt", agency=None, current=current)
    with pytest.raises(ChangeError, match="is the knowledge of tanah-laut, not of sragen"):
        read(_write(tmp_path, current[SLUG]), agency="sragen", current=current)


def test_a_standard_document_is_imported_as_the_agencys_with_its_corrections(tmp_path: Path) -> None:
    current = _current()
    entry = next(e for e in kb.registry() if e["slug"] == SLUG)
    source = next(d["file"] for d in entry["documents"] if d.get("kind", "standar") == "standar")
    text = (kb.SOURCES / source).read_text(encoding="utf-8")
    assert "Tidak dipungut biaya" in text
    new = tmp_path / "standar-baru.txt"
    new.write_text(text, encoding="utf-8")
    same = read(new, agency=SLUG, current=current)
    assert next(d["file"] for d in same.data["documents"]) == "standar-baru.txt"
    lines = diff(current[SLUG], same)
    assert not [line for line in lines if not line.startswith("~") or "biaya" in line], lines
    assert yaml.safe_load(kb.dump(same.data))["corrections"] == current[SLUG].get("corrections", [])


def test_working_hours_where_none_are_published_replace_the_assumed_ones(tmp_path: Path) -> None:
    current = _current()
    edited = copy.deepcopy(current["tarakan"])
    assert not edited["agency"].get("office_hours")
    edited["agency"]["working_hours"] = {"schedule": [{"days": [0, 1, 2, 3, 4], "open": "08:00", "close": "15:00"}]}
    lines = diff(current["tarakan"], read(_write(tmp_path, edited, "tarakan.yaml"), agency=None, current=current))
    assert lines == ["~ Dinsos PM Kota Tarakan: jam kerja untuk tenggat: Sen/Sel/Rab/Kam 07:30-16:00; "
                     "Jum 07:30-16:30 -> Sen/Sel/Rab/Kam/Jum 08:00-15:00"]


def test_every_other_field_that_changes_gets_a_line(tmp_path: Path) -> None:
    current = _current()
    edited = copy.deepcopy(current[SLUG])
    taruna = _service(edited, "tanda-daftar-karang-taruna")
    taruna["legal_basis"] = [*taruna.get("legal_basis", []), "Peraturan Bupati Tanah Laut Nomor 1 Tahun 2027"]
    edited["agency"]["general"] = {**(edited["agency"].get("general") or {}), "fee": "Rp 5.000"}
    edited["documents"][0]["revision"] = "02"
    lines = diff(current[SLUG], read(_write(tmp_path, edited), agency=None, current=current))
    assert lines == [f"~ {taruna['name']}: legal_basis berubah", "~ Dinsos Kab. Tanah Laut: general berubah",
                     "~ Dinsos Kab. Tanah Laut: keterangan dokumen sumber berubah"]
