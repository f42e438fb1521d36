"""Validate the curated knowledge: shape, required content, durations, corrections still applying."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from knowledge import kb
from knowledge.durations import DurationError, parse_duration
from knowledge.importer.corrections import apply_corrections

REQUIRED = ("id", "name", "document", "requirements", "procedure", "duration", "fee", "products", "complaints")
LISTS = ("requirements", "procedure", "products", "complaints", "legal_basis", "facilities", "competencies",
         "supervision", "executors", "guarantees", "safety", "evaluation", "warnings", "office_hours")
AGENCY_FIELDS = ("slug", "name", "short_name", "timezone")
TIMEZONES = {"Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"}


def _items_ok(value: Any) -> bool:
    if not isinstance(value, list):
        return False
    for item in value:
        if isinstance(item, str):
            if not item.strip():
                return False
        elif isinstance(item, dict):
            if not isinstance(item.get("text"), str) or not _items_ok(item.get("items", [])):
                return False
        else:
            return False
    return True


def check_agency(slug: str, data: dict[str, Any]) -> list[str]:
    errors: list[str] = []
    agency = data.get("agency") or {}
    for key in AGENCY_FIELDS:
        if not agency.get(key):
            errors.append(f"{slug}: agency.{key} is missing")
    if not isinstance(agency.get("contacts"), dict):
        errors.append(f"{slug}: agency.contacts must be a mapping (it may be empty)")
    if agency.get("slug") != slug:
        errors.append(f"{slug}: agency.slug is {agency.get('slug')!r}")
    if agency.get("timezone") not in TIMEZONES:
        errors.append(f"{slug}: agency.timezone {agency.get('timezone')!r} is not an Indonesian zone")
    documents = {d.get("file") for d in data.get("documents", [])}
    if not documents:
        errors.append(f"{slug}: no source documents")
    services = data.get("services") or []
    if not services:
        errors.append(f"{slug}: no services")
    ids: set[str] = set()
    for s in services:
        where = f"{slug}/{s.get('id', '?')}"
        for key in REQUIRED:
            if not s.get(key):
                errors.append(f"{where}: {key} is missing or empty")
        if s.get("id") in ids:
            errors.append(f"{where}: duplicate id")
        ids.add(s.get("id", ""))
        if s.get("document") not in documents:
            errors.append(f"{where}: document {s.get('document')!r} is not listed")
        for key in LISTS:
            if key in s and not _items_ok(s[key]):
                errors.append(f"{where}: {key} must be a list of texts or {{text, items}}")
        if s.get("duration"):
            try:
                parsed = parse_duration(str(s["duration"])).as_dict()
            except DurationError:
                errors.append(f"{where}: duration {s['duration']!r} cannot be read")
            else:
                if s.get("duration_value") != parsed:
                    errors.append(f"{where}: duration_value {s.get('duration_value')} != {parsed}")
        if "fee" in s and not isinstance(s.get("free"), bool):
            errors.append(f"{where}: free must be true or false")
        if s.get("unparsed"):
            errors.append(f"{where}: has unparsed components: {s['unparsed']}")
        for step in (s.get("sop") or {}).get("steps", []):
            if "duration" in step:
                try:
                    parse_duration(str(step["duration"]))
                except DurationError:
                    errors.append(f"{where}: SOP step {step.get('step')} duration {step['duration']!r} unreadable")
    for n, c in enumerate(data.get("corrections") or [], 1):
        if not c.get("reason") or not c.get("path"):
            errors.append(f"{slug}: correction {n} needs a path and a reason")
    return errors


def check_all(data_dir: Path = kb.DATA, *, sources: Path = kb.SOURCES) -> list[str]:
    """Every problem found in the curated files; an empty list means the knowledge base is sound."""
    errors: list[str] = []
    for entry in kb.registry():
        path = data_dir / f"{entry['slug']}.yaml"
        if not path.exists():
            errors.append(f"{entry['slug']}: {path} is missing (run `dinsos-bot kb import`)")
            continue
        data = kb.read_data(entry["slug"], data_dir)
        errors.extend(check_agency(entry["slug"], data))
        result = kb.import_one(entry, sources=sources, data_dir=data_dir)
        errors.extend(f"{entry['slug']}: {s}" for s in result.stale_corrections)
        expected, _ = apply_corrections(result.data, [])
        if expected != data:
            errors.append(f"{entry['slug']}: the curated file differs from import + recorded corrections "
                          "(edit corrections, then run `dinsos-bot kb import`)")
    return errors
