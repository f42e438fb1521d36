"""Turn knowledge into short WhatsApp-formatted answers (faithful to the standard's own words)."""

from __future__ import annotations

import re
from typing import Any

from handlers import messages as m
from knowledge.model import Agency, Item, Service, item_children, item_text

MAX_PAGE = 650  # characters of body per message before the rest goes behind "lanjut" (phone screens)

FIELD = {
    "requirements": "requirements", "procedure": "procedure", "products": "products",
    "complaints": "complaints", "legal": "legal_basis", "facilities": "facilities",
    "executors": "executors", "competencies": "competencies", "guarantees": "guarantees",
    "supervision": "supervision", "evaluation": "evaluation", "warnings": "warnings",
}


GENERIC_LINE = re.compile(r"^\s*(?:kelengkapan berkas|berkas lengkap|persyaratan lengkap|sesuai ketentuan|"
                          r"lengkap|melengkapi (?:berkas|persyaratan))\s*\.?\s*$", re.IGNORECASE)


def phone_lines(agency: Agency) -> list[str]:
    """The numbers a citizen can call or message, as "• WhatsApp: ..." lines."""
    return ["• " + m.CONTACT_LINES[kind].format(value=value)
            for kind in ("whatsapp", "phone") for value in agency.contacts.get(kind, [])]


def reach(agency: Agency, limit: int = 4) -> list[str]:
    """How to reach a person at the office: its numbers first, then the other channels, each once."""
    lines = phone_lines(agency)
    digits = {re.sub(r"\D", "", line) for line in lines}
    for line in shortest_channels(complaint_channels(agency), limit + len(lines)):
        number = re.sub(r"\D", "", line)
        if not any(number and (number in d or d in number) for d in digits if d):
            lines.append(line)
    return lines[:limit]


def display_name(service: Service) -> str:
    name = service.name
    if len(name) > 70 and " untuk " in name:
        name = name.split(" untuk ")[0]
    return name


def numbered(items: list[Item]) -> list[str]:
    lines = []
    for n, item in enumerate(items, 1):
        lines.append(f"{n}. {item_text(item)}")
        for child in item_children(item):
            lines.append(f"   - {item_text(child)}")
    return lines


def source_line(agency: Agency, service: Service | None = None) -> str:
    """One short line on every channel: "Sumber: SP Dinsos Tanah Laut 47/2023"."""
    doc = service.document if service else agency.main_document
    return m.SOURCE.format(agency=short_agency(agency), number=short_number(doc.number or "")).replace("  ", " ")


def short_agency(agency: Agency) -> str:
    """"Dinsos Kab. Tanah Laut" -> "Dinsos Tanah Laut" (the region's kind is clear from the name)."""
    return re.sub(r"\b(?:Kab\.|Kabupaten|Kota)\s+", "", agency.short_name)


def short_number(number: str) -> str:
    """A decree number as people cite it: "Keputusan ... Nomor 47 Tahun 2023" -> "47/2023"; spaces dropped."""
    decree = re.search(r"Nomor\s+(\S+)\s+Tahun\s+(\d{4})", number, re.IGNORECASE)
    if decree:
        return f"{decree.group(1)}/{decree.group(2)}"
    return re.sub(r"\s+", "", number)


NEXT_WORDS = {"howto": "persyaratan", "requirements": "persyaratan", "fee": "biaya", "duration": "lama",
              "procedure": "prosedur", "products": "produk"}


def next_step(aspect: str) -> str:
    skip = NEXT_WORDS.get(aspect)
    options = [word for word in dict.fromkeys(NEXT_WORDS.values()) if word != skip]
    return m.NEXT_STEP.format(a=options[0], b=options[1], c=options[2])


def pick_variants(items: list[Item], words: set[str], variant_lex: dict[str, list[list[str]]]) -> tuple[
        list[Item], list[str]]:
    """Keep the general items and only the variant groups the citizen named (all when none named)."""
    groups = [it for it in items if item_children(it)]
    if not groups or not words:
        return items, []
    chosen: list[Item] = []
    names: list[str] = []
    for it in items:
        if not item_children(it):
            chosen.append(it)
            continue
        title = item_text(it).lower()
        if any(any(" ".join(p) in title for p in variant_lex.get(w, [])) or w in title for w in words):
            chosen.append(it)
            names.append(item_text(it))
    if not names:
        return items, []
    return chosen, names


def paginate(lines: list[str], limit: int = MAX_PAGE) -> list[str]:
    pages: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        if current and size + len(line) > limit and not line.startswith("   -"):
            pages.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        pages.append("\n".join(current))
    return pages


def short_line(service: Service, aspect: str) -> str:
    """One line for a second aspect asked in the same message ("... bayar gak?")."""
    if aspect == "fee":
        fee = service.text("fee")
        return m.FEE_LINE.format(fee=m.FREE_SHORT if service.free else (fee or m.PAID_SHORT))
    return m.DURATION_LINE.format(duration=duration_short(service))


def fee_short(service: Service) -> str:
    return m.FREE_SHORT if service.free else (service.text("fee") or m.PAID_SHORT)


def duration_short(service: Service) -> str:
    return service.duration.human() if service.duration else (service.text("duration") or "-")


def documents_for(service: Service, variant_words: set[str], variant_lex: dict[str, list[list[str]]]) -> list[Item]:
    """The requirements that apply to a case: the general ones and the named case's group; with no case named,
    only the general ones (never another case's documents)."""
    items, _ = pick_variants(service.items("requirements"), variant_words, variant_lex)
    if not variant_words:
        items = [item for item in items if not item_children(item)]
    return items


def shortest_channels(lines: list[str], limit: int = 3) -> list[str]:
    """The complaint channels a citizen can use from a phone first: a number, SP4N-LAPOR!, then the rest."""
    def rank(line: str) -> int:
        low = line.lower().lstrip("• ")
        if re.search(r"\d{4}", low):
            return 0
        if "lapor" in low:
            return 1
        return 3 if low.startswith(("pejabat", "petugas", "pengelola")) else 2
    return sorted(lines, key=rank)[:limit]


def _warnings(service: Service) -> list[str]:
    return [m.WARNING_PREFIX + item_text(w) for w in service.items("warnings")]


def service_answer(agency: Agency, service: Service, aspect: str, variant_words: set[str],
                   variant_lex: dict[str, list[list[str]]]) -> tuple[list[str], list[str]]:
    """(head lines, body lines) for one aspect of a service; the body may be paginated."""
    name = display_name(service)
    head = [m.HEADING.format(title=m.TITLE.get(aspect, aspect), name=name)]
    body: list[str] = []
    if aspect in ("requirements", "overview"):
        items, _ = pick_variants(service.items("requirements"), variant_words, variant_lex)
        body = numbered(items) if items else [m.NOT_STATED.format(what="Persyaratan")]
        if len(items) == 1 and GENERIC_LINE.match(item_text(items[0])) and not item_children(items[0]):
            # "1. Kelengkapan Berkas" names no document: say so, and where to ask before going
            body = [m.REQUIREMENTS_VAGUE.format(text=item_text(items[0])), *phone_lines(agency)]
        if aspect == "overview":
            body.append("")
            body.append(m.SUMMARY_LINE.format(
                duration=duration_short(service),
                fee=fee_short(service)))
        body.extend(_warnings(service))
    elif aspect == "fee":
        fee = service.text("fee")
        if fee is None:
            general = agency.general.get("fee")
            body = [general] if general else [m.NOT_STATED.format(what="Biaya")]
        else:
            body = [m.FEE_FREE if service.free else "", m.FEE_AS_WRITTEN.format(fee=fee)]
            if service.free:
                body.append(m.FEE_WARNING)
            body = [b for b in body if b]
    elif aspect == "duration":
        text = service.text("duration")
        if not text:
            body = [m.NOT_STATED.format(what="Jangka waktu")]
        else:
            human = service.duration.human() if service.duration else text
            body = [m.DURATION.format(human=human)]
            if human.lower() != text.lower():
                body.append(m.DURATION_AS_WRITTEN.format(text=text))
            if service.sop.get("steps"):
                body.append(m.DURATION_STEPS)
    elif aspect == "howto" and service.data.get("procedure_by") == "office":
        # The standard's procedure is the office's own work: what a citizen does is be registered (DTKS).
        _, req = service_answer(agency, service, "requirements", variant_words, variant_lex)
        head = [m.HEADING.format(title=m.TITLE["howto"], name=name)]
        body = [m.HOWTO_ELIGIBLE, *[r for r in req if not r.startswith(m.WARNING_PREFIX)], "", m.HOWTO_REGISTER,
                m.HOWTO_OFFICE_STEPS]
    elif aspect == "howto":
        _, req = service_answer(agency, service, "requirements", variant_words, variant_lex)
        _, how = service_answer(agency, service, "procedure", variant_words, variant_lex)
        head = [m.HEADING.format(title=m.TITLE["howto"], name=name)]
        body = [m.HOWTO_BRING, *[r for r in req if not r.startswith(m.WARNING_PREFIX)], "", m.HOWTO_STEPS, *how]
    elif aspect == "procedure":
        body = numbered(service.items("procedure")) or [m.NOT_STATED.format(what="Prosedur")]
        body.extend(_warnings(service))
        if service.sop.get("steps"):
            body.append(m.DURATION_STEPS)
    elif aspect == "detail":
        sop_steps: list[dict[str, Any]] = service.sop.get("steps") or []
        if not sop_steps:
            return service_answer(agency, service, "procedure", variant_words, variant_lex)
        for step in sop_steps:
            who = ", ".join(x for x in (step.get("actor"), step.get("duration")) if x)
            body.append(f"{step['step']}. {step['activity']}" + (m.STEP_ACTOR_TIME.format(who=who) if who else ""))
    elif aspect == "complaints":
        body = numbered(service.items("complaints")) or complaint_channels(agency)
    else:
        field = FIELD.get(aspect)
        items = service.items(field) if field else []
        body = numbered(items) if len(items) > 1 else [item_text(i) for i in items]
        if not body:
            body = [m.NOT_STATED.format(what=m.TITLE.get(aspect, aspect))]
        if aspect == "products" and len(items) == 1 and names_only_the_service(service, item_text(items[0])):
            # "bpnt isinya apa?": "Bantuan Sosial BPNT" says nothing; the procedure says what the aid is
            body += ["", m.PRODUCTS_VAGUE, *numbered(service.items("procedure"))]
    return head, body


PRODUCT_FILLER = {"surat", "bantuan", "sosial", "layanan", "program", "pemberian", "penyaluran", "dan", "bagi"}


def names_only_the_service(service: Service, product: str) -> bool:
    words = set(re.findall(r"[a-z0-9]+", product.lower()))
    return bool(words) and words <= set(re.findall(r"[a-z0-9]+", service.name.lower())) | PRODUCT_FILLER


def complaint_channels(agency: Agency) -> list[str]:
    """Every complaint channel the agency's standards name, de-duplicated, plus its contacts."""
    seen: list[str] = []
    keys: set[str] = set()
    for service in agency.services:
        for item in service.items("complaints"):
            text = item_text(item)
            key = re.sub(r"[^a-z0-9]", "", text.lower())
            if key not in keys and not text.lower().startswith(("bidang teknis", "survey")):
                keys.add(key)
                seen.append(text)
    combined = [t for t in seen if sum(1 for o in seen if o != t and o.lower() in t.lower()) >= 2]
    lines = [f"• {t}" for t in seen if t not in combined]
    for kind in ("whatsapp", "phone", "email"):
        for value in agency.contacts.get(kind, []):
            if not any(value.replace("-", "") in line.replace("-", "") for line in lines):
                lines.append("• " + m.CONTACT_LINES[kind].format(value=value))
    if not any("lapor" in line.lower() for line in lines):
        lines.append("• " + m.NATIONAL_CHANNEL)
    return lines


def hours(agency: Agency) -> list[str]:
    oh = agency.office_hours
    if not oh or not oh.get("schedule"):
        return [m.AGENCY_NOT_STATED.format(what="Jam pelayanan", agency=agency.short_name), m.CONTACT_FALLBACK]
    tz = m.TZ_NAMES.get(agency.timezone, "")
    lines = []
    for slot in oh["schedule"]:
        days = slot["days"]
        label = m.DAY_NAMES[days[0]] + (f"–{m.DAY_NAMES[days[-1]]}" if len(days) > 1 else "")
        lines.append(m.HOURS_LINE.format(days=label, open=slot["open"].replace(":", "."),
                                         close=slot["close"].replace(":", "."), tz=tz))
    closed = [d for d in range(7) if not any(d in s["days"] for s in oh["schedule"])]
    if closed:
        lines.append(m.NO_SCHEDULE.format(days=", ".join(m.DAY_NAMES[d] for d in closed)))
    return lines


def contacts(agency: Agency) -> list[str]:
    lines = [m.CONTACT_LINES[k].format(value=v) for k in m.CONTACT_LINES for v in agency.contacts.get(k, [])]
    if not agency.contacts.get("address"):
        lines.insert(0, m.AGENCY_NOT_STATED.format(what="Alamat kantor", agency=agency.short_name))
    if len(lines) <= 1:
        lines.append(m.CONTACT_FALLBACK)
    return lines
