"""Assemble one agency's structured data from its source documents."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from knowledge.durations import DurationError, parse_duration
from knowledge.importer.document import ParsedDocument, parse_document

DAYS = ["senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu"]
_FREE = re.compile(r"gratis|tidak dipungut|tidak dikenakan|tanpa (?:dipungut )?biaya|tidak ada biaya", re.I)

SERVICE_ORDER = [
    "id", "number", "name", "aliases", "document", "requirements", "procedure", "procedure_flow",
    "duration", "duration_value", "fee", "free", "products", "complaints", "office_hours",
    "legal_basis", "facilities", "competencies", "supervision", "executors", "guarantees",
    "safety", "evaluation", "warnings", "sop", "unparsed",
]


def parse_hours(items: list[Any]) -> list[dict[str, Any]]:
    """'Senin – Kamis : 08.00 – 16.30 WITA' -> {days: [0..3], open: '08:00', close: '16:30'}."""
    schedule = []
    for item in items:
        text = str(item).lower().replace("jum'at", "jumat")
        m = re.search(r"([a-z]+)(?:\s*[–-]\s*([a-z]+))?\s*:\s*(\d{1,2})[.:](\d{2})\s*[–-]\s*(\d{1,2})[.:](\d{2})", text)
        if not m or m.group(1) not in DAYS or (m.group(2) and m.group(2) not in DAYS):
            continue
        first = DAYS.index(m.group(1))
        last = DAYS.index(m.group(2)) if m.group(2) else first
        schedule.append({
            "days": list(range(first, last + 1)),
            "open": f"{int(m.group(3)):02d}:{m.group(4)}",
            "close": f"{int(m.group(5)):02d}:{m.group(6)}",
        })
    return schedule


def _order(service: dict[str, Any]) -> dict[str, Any]:
    known = {k: service[k] for k in SERVICE_ORDER if k in service}
    return known | {k: v for k, v in service.items() if k not in known}


def finish_service(service: dict[str, Any], problems: list[str]) -> None:
    if "duration" in service:
        try:
            service["duration_value"] = parse_duration(service["duration"]).as_dict()
        except DurationError:
            problems.append(f"{service['name']}: duration unreadable: {service['duration']!r}")
    if "fee" in service:
        service["free"] = bool(_FREE.search(service["fee"]))


def _attach_sop(services: list[dict[str, Any]], sop: dict[str, Any], wanted: str | None,
                problems: list[str]) -> None:
    target = None
    if wanted:
        target = next((s for s in services if s["id"] == wanted), None)
    elif len(services) == 1:
        target = services[0]
    elif sop.get("name"):
        best = max(services, key=lambda s: fuzz.token_set_ratio(s["name"].lower(), sop["name"].lower()))
        if fuzz.token_set_ratio(best["name"].lower(), sop["name"].lower()) >= 80:
            target = best
    if target is None:
        problems.append(f"SOP {sop.get('name')!r}: no service to attach it to")
        return
    warnings = sop.pop("warnings", None)
    if warnings:
        target["warnings"] = warnings
    target["sop"] = sop


def import_agency(entry: dict[str, Any], sources: Path) -> tuple[dict[str, Any], list[str]]:
    """Read every document of ``entry`` (one item of agencies.yaml) into one agency mapping."""
    problems: list[str] = []
    parsed: list[tuple[dict[str, Any], ParsedDocument]] = []
    for doc_entry in entry["documents"]:
        text = (sources / doc_entry["file"]).read_text(encoding="utf-8")
        doc = parse_document(doc_entry["file"], text, kind=doc_entry.get("kind", "standar"))
        parsed.append((doc_entry, doc))
        problems.extend(f"{doc_entry['file']}: {p}" for p in doc.problems)

    services: list[dict[str, Any]] = []
    contacts: dict[str, list[str]] = {}
    general: dict[str, str] = {}
    documents = []
    for doc_entry, doc in parsed:
        documents.append({"file": doc_entry["file"], "kind": doc_entry.get("kind", "standar")} | doc.meta)
        services.extend(doc.services)
        for kind, values in doc.contacts.items():
            for v in values:
                if v not in contacts.setdefault(kind, []):
                    contacts[kind].append(v)
        general.update(doc.general)
    for doc_entry, doc in parsed:
        if doc.sop:
            _attach_sop(services, doc.sop, doc_entry.get("service"), problems)
    for service in services:
        finish_service(service, problems)

    agency: dict[str, Any] = {
        "slug": entry["slug"],
        "name": entry["name"],
        "short_name": entry.get("short_name", entry["name"]),
        "region": entry.get("region"),
        "timezone": entry["timezone"],
        "contacts": contacts,
    }
    hours = [tuple(map(str, s["office_hours"])) for s in services if s.get("office_hours")]
    if hours and len(set(hours)) == 1:
        agency["office_hours"] = {"text": list(hours[0]), "schedule": parse_hours(list(hours[0]))}
    if general:
        agency["general"] = general
    data = {
        "agency": agency,
        "documents": documents,
        "services": [_order(s) for s in services],
    }
    return data, problems
