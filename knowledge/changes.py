"""A new or corrected service standard, before it goes live: read it, check it, and say what would change.

What an operator gives ``dinsos-bot kb import FILE``:

- an agency's knowledge file, as ``dinsos-bot kb import`` writes it (``knowledge/data/<slug>.yaml``), edited:
  a fee, a requirement, ``agency.office_hours.text`` (the published hours: told to citizens, and what case
  deadlines count in), ``agency.working_hours`` (the hours deadlines count in where none are published),
  ``agency.timezone``, and ``holidays:`` (the agency's local holidays, ``{date, name}``: added, never removed);
- or the text of a new standard document (the OCR'd ``.txt``/``.html`` the importer reads), with ``--agency``:
  it replaces that agency's standard (``kind: standar``) documents; the corrections recorded in the agency's
  file are applied again, and the ones that no longer fit are reported.

Derived fields are recomputed (``duration_value`` from ``duration``, ``free`` from ``fee``, the office hours'
``schedule`` from their text), so an edit of the text is enough. Nothing here touches the database or a
running process (``bot.messaging.knowledge`` does).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from knowledge import kb
from knowledge.check import check_agency
from knowledge.importer.agency import finish_service, import_agency, parse_hours
from knowledge.importer.corrections import apply_corrections
from knowledge.model import item_text

DOCUMENT_SUFFIXES = (".txt", ".html", ".htm", ".md")


class ChangeError(ValueError):
    """The file cannot be used as it is (unreadable, unknown agency, invalid): what to fix, in ``problems``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Candidate:
    """A checked new version of one agency's knowledge, ready to compare and to apply."""

    slug: str
    data: dict[str, Any]
    holidays: list[tuple[date, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # warnings that do not stop it (stale corrections...)


def _entry(slug: str, registry: Path) -> dict[str, Any]:
    entry = next((e for e in kb.registry(registry) if e["slug"] == slug), None)
    if entry is None:
        known = ", ".join(kb.slugs(registry))
        raise ChangeError([f"agency {slug!r} is not in the registry (known: {known})"])
    return entry


def _holidays(raw: Any) -> list[tuple[date, str]]:
    if raw in (None, []):
        return []
    if not isinstance(raw, list):
        raise ChangeError(["holidays: must be a list of {date: YYYY-MM-DD, name: ...}"])
    found, problems = [], []
    for n, item in enumerate(raw, 1):
        day = item.get("date") if isinstance(item, dict) else None
        name = str(item.get("name") or "").strip() if isinstance(item, dict) else ""
        if isinstance(day, str):
            try:
                day = date.fromisoformat(day)
            except ValueError:
                day = None
        if not isinstance(day, date) or not name or len(name) > 120 or "\n" in name:
            problems.append(f"holidays {n}: needs a date (YYYY-MM-DD) and a one-line name of at most 120 characters")
            continue
        found.append((day, name))
    if problems:
        raise ChangeError(problems)
    return sorted(found)


def _from_yaml(path: Path, registry: Path) -> Candidate:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ChangeError([f"{path.name} is not readable YAML: {str(exc).splitlines()[0]}"]) from None
    if not isinstance(data, dict) or not isinstance(data.get("agency"), dict):
        raise ChangeError([f"{path.name}: not an agency's knowledge file (it needs agency:, documents:, services:)"])
    slug = str(data["agency"].get("slug") or "")
    _entry(slug, registry)
    holidays = _holidays(data.pop("holidays", None))
    return Candidate(slug, data, holidays)


def _from_document(path: Path, slug: str, registry: Path, current: dict[str, Any], sources: Path) -> Candidate:
    entry = dict(_entry(slug, registry))
    kept = [d for d in entry["documents"] if d.get("kind", "standar") != "standar"]
    entry["documents"] = [{"file": path.name, "kind": "standar"}, *kept]
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(path, Path(folder) / path.name)
        for doc in kept:
            shutil.copy(sources / doc["file"], Path(folder) / doc["file"])
        imported, problems = import_agency(entry, Path(folder))
    corrections = list(current.get("corrections") or [])
    corrected, stale = apply_corrections(imported, corrections)
    corrected["corrections"] = corrections  # kept, as `kb import` keeps them: a stale one is reported each time
    notes = [f"not read from the document: {p}" for p in problems]
    notes += [f"not applied, it no longer fits the document: {message}" for message in stale]
    return Candidate(slug, corrected, notes=notes)


def read(path: Path, *, agency: str | None, current: dict[str, dict[str, Any]], registry: Path = kb.REGISTRY,
         sources: Path = kb.SOURCES) -> Candidate:
    """Read and check ``path``; ``current``: each agency's live knowledge. Raises ``ChangeError``."""
    if not path.is_file():
        raise ChangeError([f"{path} does not exist"])
    if path.suffix.lower() in (".yaml", ".yml"):
        candidate = _from_yaml(path, registry)
        if agency and agency != candidate.slug:
            raise ChangeError([f"{path.name} is the knowledge of {candidate.slug}, not of {agency}"])
    elif path.suffix.lower() in DOCUMENT_SUFFIXES:
        if not agency:
            raise ChangeError(["a standard document needs --agency SLUG: whose standard it is"])
        candidate = _from_document(path, agency, registry, current.get(agency) or {}, sources)
    else:
        raise ChangeError([f"{path.name}: give an agency's .yaml file or a standard document "
                           f"({', '.join(DOCUMENT_SUFFIXES)})"])
    for service in candidate.data.get("services") or []:
        if isinstance(service, dict):
            problems: list[str] = []
            finish_service(service, problems)
    errors = check_agency(candidate.slug, candidate.data)
    office = candidate.data["agency"].get("office_hours")
    if isinstance(office, dict) and office.get("text"):  # the published hours: their schedule read again
        office["schedule"] = parse_hours(list(office["text"]))
        if not office["schedule"]:
            errors.append(f"{candidate.slug}: agency.office_hours text cannot be read as hours "
                          "(like 'Senin – Kamis : 08.00 – 16.00')")
    working = candidate.data["agency"].get("working_hours")
    if working is not None and not _schedule_ok(working):
        errors.append(f"{candidate.slug}: agency.working_hours needs schedule: [{{days: [0-6], open: HH:MM, "
                      "close: HH:MM}]")
    if errors:
        raise ChangeError(errors)
    return candidate


def _schedule_ok(working: Any) -> bool:
    schedule = working.get("schedule") if isinstance(working, dict) else None
    if not isinstance(schedule, list) or not schedule:
        return False
    for row in schedule:
        if not isinstance(row, dict) or not isinstance(row.get("days"), list):
            return False
        if not all(isinstance(d, int) and 0 <= d <= 6 for d in row["days"]):
            return False
        for key in ("open", "close"):
            text = str(row.get(key, ""))
            if len(text) != 5 or text[2] != ":" or not (text[:2] + text[3:]).isdigit():
                return False
        if not str(row["open"]) < str(row["close"]) <= "24:00":
            return False
    return True


def _texts(items: Any) -> list[str]:
    return [item_text(i) for i in items or []]


def _listed(what: str, name: str, old: Any, new: Any) -> list[str]:
    before, after = _texts(old), _texts(new)
    if before == after:
        return []
    lines = [f"~ {name}: {what}: + {t}" for t in after if t not in before]
    lines += [f"~ {name}: {what}: - {t}" for t in before if t not in after]
    return lines or [f"~ {name}: {what}: urutan berubah"]


def _value(what: str, name: str, old: Any, new: Any) -> list[str]:
    return [] if old == new else [f"~ {name}: {what}: {old or '(kosong)'} -> {new or '(kosong)'}"]


def diff(old: dict[str, Any], candidate: Candidate, holidays: set[date] | None = None) -> list[str]:
    """What applying ``candidate`` would change, one line each (services, fees, requirements, hours...)."""
    new = candidate.data
    lines: list[str] = []
    agency_old, agency_new = old.get("agency") or {}, new.get("agency") or {}
    where = agency_new.get("short_name") or candidate.slug
    lines += _value("zona waktu", where, agency_old.get("timezone"), agency_new.get("timezone"))
    lines += _listed("jam pelayanan", where, (agency_old.get("office_hours") or {}).get("text"),
                     (agency_new.get("office_hours") or {}).get("text"))
    hours_old, hours_new = _deadline_hours(candidate.slug, agency_old), _deadline_hours(candidate.slug, agency_new)
    if hours_old != hours_new:
        lines.append(f"~ {where}: jam kerja untuk tenggat: {_hours(hours_old)} -> {_hours(hours_new)}")
    lines += _value("kontak", where, agency_old.get("contacts"), agency_new.get("contacts"))
    before = {s["id"]: s for s in old.get("services") or []}
    after = {s["id"]: s for s in new.get("services") or []}
    lines += [f"+ layanan baru: {s['name']}" for sid, s in after.items() if sid not in before]
    lines += [f"- layanan dihapus: {s['name']}" for sid, s in before.items() if sid not in after]
    for sid, s in after.items():
        if sid not in before:
            continue
        was, name = before[sid], s["name"]
        lines += _value("nama", was["name"], was["name"], name)
        lines += _value("biaya", name, was.get("fee"), s.get("fee"))
        lines += _value("jangka waktu", name, was.get("duration"), s.get("duration"))
        lines += _listed("persyaratan", name, was.get("requirements"), s.get("requirements"))
        lines += _listed("prosedur", name, was.get("procedure"), s.get("procedure"))
        lines += _listed("produk", name, was.get("products"), s.get("products"))
        lines += _listed("pengaduan", name, was.get("complaints"), s.get("complaints"))
        lines += _listed("jam pelayanan", name, was.get("office_hours"), s.get("office_hours"))
        lines += [f"~ {name}: {key} berubah" for key in _other_keys(was, s, _SHOWN_SERVICE)]
    lines += [f"~ {where}: {key} berubah" for key in _other_keys(agency_old, agency_new, _SHOWN_AGENCY)]
    if [d.get("file") for d in old.get("documents") or []] != [d.get("file") for d in new.get("documents") or []]:
        lines.append(f"~ {where}: dokumen sumber: {', '.join(d.get('file', '?') for d in new.get('documents') or [])}")
    elif old.get("documents") != new.get("documents"):
        lines.append(f"~ {where}: keterangan dokumen sumber berubah")
    if (old.get("corrections") or []) != (new.get("corrections") or []):
        lines.append(f"~ {where}: koreksi tercatat berubah")
    known = holidays or set()
    lines += [f"+ hari libur {day.isoformat()}: {name}" for day, name in candidate.holidays if day not in known]
    return lines


# What ``diff`` shows line by line; any other field that differs gets a line of its own ("... berubah"), so no
# change goes unseen (or unapplied). Derived fields follow their text and are not shown apart.
_SHOWN_SERVICE = {"id", "name", "fee", "free", "duration", "duration_value", "requirements", "procedure", "products",
                  "complaints", "office_hours"}
_SHOWN_AGENCY = {"slug", "timezone", "office_hours", "working_hours", "contacts"}


def _other_keys(old: dict[str, Any], new: dict[str, Any], shown: set[str]) -> list[str]:
    return [key for key in dict.fromkeys([*old, *new]) if key not in shown and old.get(key) != new.get(key)]


def _deadline_hours(slug: str, agency: dict[str, Any]) -> Any:
    """The hours case deadlines count in (as ``bot.domain.calendar``): the published office hours, else the
    agency's working hours, else the registry's assumed ones."""
    published = (agency.get("office_hours") or {}).get("schedule")
    if published:
        return {"schedule": published}
    registered = next((e.get("working_hours") for e in kb.registry() if e["slug"] == slug), None)
    return agency.get("working_hours") or registered


def _hours(working: Any) -> str:
    if not isinstance(working, dict):
        return "(tidak ada)"
    names = ["Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"]
    return "; ".join(f"{'/'.join(names[d] for d in row['days'])} {row['open']}-{row['close']}"
                     for row in working.get("schedule") or [])
