"""Which field of a service a component label names, and small helpers shared by the importer."""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

# Canonical component labels of a Standar Pelayanan (PermenPANRB 15/2014) -> our field names.
COMPONENTS: dict[str, str] = {
    "persyaratan": "requirements",
    "persyaratan pelayanan": "requirements",
    "persyaratan administrasi": "requirements",
    "sistem mekanisme dan prosedur": "procedure",
    "jangka waktu penyelesaian": "duration",
    "jangka waktu pelayanan": "duration",
    "jangka penyelesaian": "duration",
    "jangka waktu penyelesaian pelayanan": "duration",
    "biaya tarif": "fee",
    "produk pelayanan": "products",
    "produk layanan": "products",
    "produk": "products",
    "penanganan pengaduan saran dan masukan": "complaints",
    "pengelola pengaduan": "complaints",
    "dasar hukum": "legal_basis",
    "sarana prasarana dan atau fasilitas": "facilities",
    "sarana prasarana fasilitas": "facilities",
    "kompetensi pelaksana": "competencies",
    "pengawasan internal": "supervision",
    "jumlah pelaksana": "executors",
    "jaminan pelayanan": "guarantees",
    "jaminan keamanan dan keselamatan pelayanan": "safety",
    "evaluasi kinerja pelaksana": "evaluation",
    "waktu pelayanan": "office_hours",
}

# Fields kept as one text; the others are lists of items.
SCALAR_FIELDS = {"duration", "fee"}

# Headings of an SOP (Standar Operasional Prosedur) sheet -> fields of the service's ``sop``.
SOP_SECTIONS: dict[str, str] = {
    "dasar hukum": "legal_basis",
    "kualifikasi pelaksana": "qualifications",
    "keterkaitan": "related",
    "peralatan dan perlengkapan": "equipment",
    "peralatan kelengkapan": "equipment",
    "peringatan": "warnings",
    "pencatatan dan pendataan": "records",
}


def label_key(label: str) -> str:
    """Lower-case letters and single spaces only ("Biaya/Tarif" -> "biaya tarif")."""
    return re.sub(r"[^a-z]+", " ", label.lower()).strip()


def component_field(label: str, table: dict[str, str] = COMPONENTS) -> str | None:
    """The field a component label names, tolerant of OCR damage; None when unsure."""
    key = label_key(label)
    if key in table:
        return table[key]
    best = process.extractOne(key, list(table), scorer=fuzz.ratio, score_cutoff=82)
    return table[best[0]] if best else None


_SMALL = {"dan", "atau", "dengan", "bagi", "untuk", "di", "ke", "dari", "yang"}
_ACRONYMS = {
    "LKS", "BPJS", "PBI", "APBD", "DTKS", "BPNT", "KKS", "ATM", "PUB", "ABH", "LAPOR", "SP4N",
    "KT", "PIN", "E-LAPOR",
}


def smart_title(name: str) -> str:
    """Title-case an ALL-CAPS heading, keeping acronyms ("TANDA DAFTAR LKS" -> "Tanda Daftar LKS")."""
    if name != name.upper():
        return name
    words = []
    for i, word in enumerate(name.split()):
        core = word.strip("()/,")
        if core in _ACRONYMS:
            words.append(word)
        elif i and word.lower() in _SMALL:
            words.append(word.lower())
        else:
            words.append(word.capitalize() if not word.startswith("(") else "(" + word[1:].capitalize())
    return " ".join(words)


def slugify(name: str, max_words: int = 7) -> str:
    """A stable id from a service name."""
    words = re.findall(r"[a-z0-9]+", name.lower())
    drop = {"dan", "atau", "untuk", "bagi", "dengan", "yang"}
    kept = [w for w in words if w not in drop][:max_words]
    return "-".join(kept)


MONTHS = {
    "januari": 1, "februari": 2, "maret": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7,
    "agustus": 8, "september": 9, "oktober": 10, "november": 11, "desember": 12,
}


def parse_date(text: str) -> str | None:
    """'10 Januari 2025' -> '2025-01-10'."""
    m = re.search(r"(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})", text)
    if not m or m.group(2).lower() not in MONTHS:
        return None
    return f"{int(m.group(3)):04d}-{MONTHS[m.group(2).lower()]:02d}-{int(m.group(1)):02d}"
