"""Read one OCR'd Standar Pelayanan / SOP document into services, SOP steps and contacts.

The importer never guesses: whatever it cannot place is listed in ``problems`` so that a person
can correct it in the curated file (and record the correction).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from knowledge.importer.fields import (
    SCALAR_FIELDS,
    SOP_SECTIONS,
    component_field,
    parse_date,
    slugify,
    smart_title,
)
from knowledge.importer.lists import clean, split_items

_ROW = re.compile(r"^(\d{1,2})\.?\t([^\t]+)\t(.*)$")
_HEADER = re.compile(r"^NO\.?\t", re.I)
_SECTION = re.compile(r"^[A-D]\.?\t")
_SERVICE_NUMBERED = re.compile(r"^\s*\**\s*(\d{1,2})\.\s+(?:Jenis Pelayanan\s*:\s*)?([^\t*]+?)\**\s*$")
_SERVICE_NAMED = re.compile(r"Jenis Pelayanan\s*:\s*(.+)$")
_SD_START = re.compile(r"^\s*[A-D]\.\s+(Penyamp|Yang terkait)", re.I)


@dataclass
class ParsedDocument:
    """What one source file yields before it is merged into an agency file."""

    file: str
    meta: dict[str, Any] = field(default_factory=dict)
    services: list[dict[str, Any]] = field(default_factory=list)
    sop: dict[str, Any] | None = None
    contacts: dict[str, list[str]] = field(default_factory=dict)
    general: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def parse_document(file: str, text: str, *, kind: str = "standar") -> ParsedDocument:
    doc = ParsedDocument(file=file)
    doc.meta = _meta(text)
    doc.contacts = _contacts(text)
    doc.general = _general(text)
    sop_at = _sop_start(text) if kind == "standar" else 0
    standard_part = text[:sop_at] if sop_at is not None else text
    if kind == "standar":
        doc.services = _services(standard_part, doc)
    if sop_at is not None:
        doc.sop = _sop(text[sop_at:], doc)
    return doc


# --- metadata -------------------------------------------------------------------------------


def _meta(text: str) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for pattern in (
        r"No\.?\s*Dokumen\s*:\s*(.+)",
        r"Lampiran Nomor\s+(\S.*)",
        r"KEPUTUSAN .*?NOMOR\s*:\s*(\d+\s+TAHUN\s+\d{4})",
    ):
        m = re.search(pattern, text)
        if m:
            meta["number"] = re.sub(r"\s+", " ", m.group(1)).strip()
            break
    for pattern in (
        r"Tgl\.?\s*Efektif\s*:\s*(.+)",
        r"Pada [Tt]anggal\s*:?\s*(\d{1,2}\s+\w+\s+\d{4})",
        r"Tanggal terbit\s*:\s*(.+)",
    ):
        m = re.search(pattern, text)
        if m and parse_date(m.group(1)):
            meta["date"] = parse_date(m.group(1))
            break
    m = re.search(r"Revisi(?: ke)?[ \t]*[:\t][ \t]*(\S.*)", text)
    if m and m.group(1).strip():
        meta["revision"] = m.group(1).strip()
    title = re.search(r"(STANDAR(?:T)? OPERASIONAL PROSEDUR[^\n]*|Nama SOP\s*:\s*\**[^\n*]+)", text)
    if title and "Nama SOP" not in title.group(1) and not re.search(r"STANDAR PELAYANAN", text):
        meta["title"] = smart_title(title.group(1).strip())
    return meta


_PHONE = r"\(?0\d{2,4}\)?[\s-]*\d{2,4}[\s-]?\d{2,5}(?:[\s-]?\d{2,4})?"


def _contacts(text: str) -> dict[str, list[str]]:
    plain = html.unescape(text)
    found: dict[str, list[str]] = {}

    def add(kind: str, value: str) -> None:
        value = re.sub(r"\s*-\s*", "-", value.strip().rstrip(".,;"))
        if value and value not in found.setdefault(kind, []):
            found[kind].append(value)

    for m in re.finditer(r"Jalan [^\n]*?(?=\s+Telp|\n|$)", plain):
        after = plain[m.end() : m.end() + 120].split("\n")[0]
        place = re.search(r"\d{3,5}[\s-]*\d{4,6}\s+([A-Z][a-z]+ \d{5})", after)
        add("address", m.group(0) + (", " + place.group(1) if place else ""))
    for m in re.finditer(r"(?:WA|Whats[Aa]pp)\s*[.:]?\s*(" + _PHONE + ")", plain):
        add("whatsapp", m.group(1))
    for m in re.finditer(r"(?:Telp(?:on)?(?:\s*/\s*Fax)?|Telepon)\s*\.?\s*:?\s*(" + _PHONE + ")", plain):
        add("phone", m.group(1))
    for m in re.finditer(r"(?<![\w.])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", plain):
        add("email", m.group(0).lower())
    for m in re.finditer(r"instagram\.com/([\w.]+)", plain):
        add("instagram", m.group(1))
    for m in re.finditer(r"(?:https?://|www\.)[\w./-]+|\b[a-z]+\.[a-z]+\.go\.id\b", plain):
        url = m.group(0).rstrip("/.")
        if "instagram.com" in url or "lapor.go.id" in url:
            continue
        add("website", re.sub(r"^https?://", "", url).removeprefix("www.").rstrip("/"))
    return found


def _general(text: str) -> dict[str, str]:
    general = {}
    m = re.search(r"Tidak ada biaya[^\n]*?semua (?:pelayanan|layanan)[^\n]*", text, re.I)
    if m:
        general["fee"] = clean(m.group(0)).rstrip(".") + "."
    return general


# --- services -------------------------------------------------------------------------------


def _service_headers(lines: list[str]) -> list[tuple[int, str, int | None]]:
    """(line index, name, number) of every service heading in a standard."""
    heads: list[tuple[int, str, int | None]] = []
    for i, line in enumerate(lines):
        if "\t" in line:
            continue
        nxt = next((ln for ln in lines[i + 1 : i + 6] if ln.strip()), "")
        m = _SERVICE_NUMBERED.match(line)
        if m and (_SD_START.match(nxt) or _HEADER.match(nxt) or "Jenis Pelayanan" in line):
            heads.append((i, m.group(2).strip(), int(m.group(1))))
            continue
        m2 = _SERVICE_NAMED.search(line)
        if m2:
            heads.append((i, m2.group(1).strip(" *"), None))
    return heads


def _title_service(text: str) -> str | None:
    m = re.search(r"\*\*STANDAR PELAYANAN\s*\n\s*([^*]+?)\*\*", text)
    return m.group(1).strip() if m else None


def _services(text: str, doc: ParsedDocument) -> list[dict[str, Any]]:
    lines = text.splitlines()
    heads = _service_headers(lines)
    if not heads:
        name = _title_service(text)
        if not name:
            doc.problems.append("no service name found")
            return []
        heads = [(0, name, None)]
    services: list[dict[str, Any]] = []
    by_number: dict[int, dict[str, Any]] = {}
    for k, (start, name, number) in enumerate(heads):
        end = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
        name = smart_title(name)
        service: dict[str, Any] = {"id": slugify(name), "name": name}
        if number is not None:
            service["number"] = number
        service["document"] = doc.file
        _read_table(lines[start:end], service, doc)
        if number is not None and number in by_number:
            _merge_repeat(by_number[number], service, doc)
            continue
        if number is not None:
            by_number[number] = service
        services.append(service)
    return services


def _merge_repeat(first: dict[str, Any], again: dict[str, Any], doc: ParsedDocument) -> None:
    """A service printed twice: fill what the first copy lacks, report where the copies differ."""
    for key, value in again.items():
        if key in ("id", "name", "number", "document", "unparsed"):
            continue
        if key not in first:
            first[key] = value
        elif first[key] != value:
            doc.problems.append(
                f"service {first['number']} ({first['name']}) is printed twice; "
                f"'{key}' differs between the copies: kept the first"
            )
    if again.get("unparsed"):
        first.setdefault("unparsed", []).extend(again["unparsed"])
    doc.problems.append(f"service {first['number']} ({first['name']}) is printed twice: merged")


def _read_table(lines: list[str], service: dict[str, Any], doc: ParsedDocument) -> None:
    rows: list[list[str]] = []
    for line in lines:
        if _HEADER.match(line) and "KOMPONEN" not in line.upper():
            break  # another kind of table (e.g. an attendance list): the standard has ended
        if _HEADER.match(line) or _SECTION.match(line):
            continue
        m = _ROW.match(line)
        if m:
            rows.append([m.group(2).strip(), m.group(3)])
        elif line.startswith("\t\t") and rows:
            rows[-1][1] += " " + line.strip()
    for label, cell in rows:
        target = component_field(label)
        if target is None:
            service.setdefault("unparsed", []).append({"component": label, "text": clean(cell)})
            doc.problems.append(f"{service['name']}: unknown component {label!r}")
            continue
        if target in service:
            doc.problems.append(f"{service['name']}: component {label!r} appears twice: kept the first")
            continue
        service[target] = _field_value(target, cell, service, doc)
    if not rows:
        doc.problems.append(f"{service['name']}: no component table found")


def _field_value(target: str, cell: str, service: dict[str, Any], doc: ParsedDocument) -> Any:
    if target in SCALAR_FIELDS:
        return clean(cell)
    if target == "procedure":
        flow = _mermaid(cell) or _flowchart(cell)
        rest = re.sub(r"<pre>.*?</pre>", " ", cell, flags=re.S)
        if flow and not re.search(r"<li>|\d\.\s", rest):
            if "FINISH" in cell.replace(" ", ""):
                doc.problems.append(f"{service['name']}: procedure read from a drawn flowchart; check the order")
            return flow
        if flow:
            service["procedure_flow"] = flow
        cell = rest
    intro, items = split_items(cell)
    if not items:
        return [intro] if intro else []
    if intro and not re.search(r"melalui\W*$", intro, re.I):
        return [{"text": intro, "items": items}]
    return items


def _mermaid(cell: str) -> list[str] | None:
    """Steps of a Mermaid ``graph TD`` flow, in edge order."""
    m = re.search(r"<pre>\s*graph\s+\w+(.*?)</pre>", html.unescape(cell), flags=re.S)
    if not m:
        return None
    labels = dict(re.findall(r"\b([A-Z]\w*)\[([^\]]+)\]", m.group(1)))
    order: list[str] = []
    for a, b in re.findall(r"\b([A-Z]\w*)(?:\[[^\]]*\])?\s*--[^>]*?-->\s*([A-Z]\w*)", m.group(1)):
        for node in (a, b):
            if node not in order:
                order.append(node)
    return [labels[n].strip() for n in order if n in labels]


def _flowchart(cell: str) -> list[str] | None:
    """Boxes of a div flowchart, START to FINISH; a row that begins at FINISH runs right to left."""
    if "S T A R T" not in cell and "START" not in cell:
        return None
    rows = re.split(r'<div style="display: flex; align-items: center; justify-content: space-around;">', cell)
    steps: list[str] = []
    for row in rows[1:]:
        boxes = [clean(b) for b in re.findall(r"<div style=\"border[^>]*>(.*?)</div>", row, flags=re.S)]
        boxes = [b for b in boxes if b]
        if boxes and boxes[0].replace(" ", "") == "FINISH":
            boxes = list(reversed(boxes))
        steps.extend(b for b in boxes if b.replace(" ", "") not in ("START", "FINISH"))
    return steps or None


# --- SOP sheets -----------------------------------------------------------------------------


def _sop_start(text: str) -> int | None:
    m = re.search(r"^.*Nama SOP\s*:", text, flags=re.M)
    if m:
        # The SOP sheet of a standard begins at its own header block.
        head = text.rfind("**DINAS SOSIAL", 0, m.start())
        return head if head >= 0 else m.start()
    return None


def _sop(text: str, doc: ParsedDocument) -> dict[str, Any]:
    sop: dict[str, Any] = {"document": doc.file}
    m = re.search(r"Nama SOP\s*:\s*\**([^*\n]+)", text) or re.search(
        r"STANDAR OPERASIONAL PROSEDUR\s+([^\n]+)", text
    )
    if m:
        sop["name"] = smart_title(m.group(1).strip())
    number = re.search(r"No\.?\s*Dokumen\s*:\s*(.+)", text)
    if number:
        sop["number"] = re.sub(r"\s+", " ", number.group(1)).strip()
    _sop_sections(text, sop, doc)
    steps = _tab_steps(text) or _pipe_steps(text, doc)
    if steps:
        sop["steps"] = steps
    else:
        doc.problems.append("SOP: no step table found")
    return sop


def _heading(line: str) -> str | None:
    stripped = line.strip().strip("*").strip()
    m = re.match(r"^([A-Za-z][A-Za-z /]+?)\s*:?$", stripped)
    if not m:
        return None
    key = re.sub(r"[^a-z]+", " ", m.group(1).lower()).strip()
    for label, target in SOP_SECTIONS.items():
        if key == label or (len(key) > 6 and label.startswith(key)) or key.startswith(label):
            return target
    return None


def _sop_sections(text: str, sop: dict[str, Any], doc: ParsedDocument) -> None:
    """Headings and their lists; headings with no list of their own take the next lists in turn."""
    waiting: list[str] = []
    current: list[str] | None = None
    lists: list[tuple[str, list[str]]] = []
    last_number = 0
    for line in text.splitlines():
        if "\t" in line or "|" in line:
            waiting, current = [], None
            continue
        target = _heading(line)
        if target:
            waiting.append(target)
            current = None
            last_number = 0
            continue
        stripped = line.strip()
        m = re.match(r"^(?:(\d{1,2})\.|[-•])\s*(.+)$", stripped)
        if m and waiting:
            number = int(m.group(1)) if m.group(1) else None
            if current is None or (number == 1 and last_number >= 1):
                if not waiting:
                    continue
                current = []
                lists.append((waiting.pop(0), current))
            current.append(m.group(2).strip())
            last_number = number or last_number
        elif m and current is not None:
            current.append(m.group(2).strip())
        elif stripped and current is not None and not stripped.startswith("**"):
            current[-1] = current[-1] + " " + stripped
        elif stripped and current is not None:
            current = None
    for target, items in lists:
        sop[target] = [i.rstrip(";,.").strip() for i in items]


def _tab_steps(text: str) -> list[dict[str, Any]]:
    lines = text.splitlines()
    header = next((i for i, ln in enumerate(lines) if "KEGIATAN" in ln and "\t" in ln), None)
    if header is None:
        return []
    columns: dict[str, int] = {}
    for ln in lines[header : header + 3]:
        for idx, name in enumerate(ln.split("\t")):
            key = re.sub(r"[^A-Z]", "", name.upper())
            if key in ("KELENGKAPAN", "WAKTU", "OUTPUT", "KET"):
                columns[key] = idx
    steps = []
    for ln in lines[header + 1 :]:
        cells = ln.split("\t")
        if not re.fullmatch(r"\d{1,2}", cells[0].strip()):
            continue

        def cell(key: str, cells: list[str] = cells) -> str:
            idx = columns.get(key)
            return cells[idx].strip() if idx is not None and idx < len(cells) else ""

        step: dict[str, Any] = {"step": int(cells[0]), "activity": cells[1].strip()}
        for key, name in (("KELENGKAPAN", "inputs"), ("WAKTU", "duration"), ("OUTPUT", "output"), ("KET", "note")):
            if cell(key):
                step[name] = cell(key)
        steps.append(step)
    return steps


def _pipe_steps(text: str, doc: ParsedDocument) -> list[dict[str, Any]]:
    """Best effort on an OCR'd ruled table: step numbers, first-line activity, minutes."""
    steps: list[dict[str, Any]] = []
    for ln in text.splitlines():
        m = re.match(r"^\s*(\d)\s*\|(.*)$", ln)
        if m:
            steps.append({"step": int(m.group(1)), "activity": m.group(2), "_raw": ln})
        elif steps:
            steps[-1]["_raw"] += "\n" + ln
    for step in steps:
        raw = step.pop("_raw")
        step["activity"] = clean(re.split(r"\s{2,}|\s[a-e]\.|\d+\s*me[nr]it|\|", step["activity"])[0])
        dur = re.search(r"(\d+)\s*me[nr]it", raw)
        if dur:
            step["duration"] = f"{dur.group(1)} menit"
        else:
            doc.problems.append(f"SOP step {step['step']}: duration unreadable")
        doc.problems.append(f"SOP step {step['step']}: OCR'd table, activity and columns need review")
    return steps
