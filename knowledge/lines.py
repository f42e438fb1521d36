"""Every line of every service's standard, indexed by word stems, to find the one line a narrow question asks about
("kalau hilang perlu surat polisi?" -> "Surat Keterangan Kehilangan dari Kepolisian")."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from knowledge.model import KnowledgeBase, Service, item_children, item_text

FIELDS = ("requirements", "products", "procedure", "warnings")
PREFIXES = ("meng", "meny", "mem", "men", "me", "peng", "peny", "pem", "pen", "per", "pe", "di", "ter", "ber",
            "ke", "se")
RESTORE = {"meng": "k", "peng": "k", "meny": "s", "peny": "s", "mem": "p", "pem": "p", "men": "t", "pen": "t"}
SUFFIXES = ("nya", "kan", "an", "i")
VOWELS = set("aeiou")


def stems(word: str) -> frozenset[str]:
    """The forms a word may share with another form of it: a light Indonesian affix stripper, no dictionary
    ("kepolisian" -> polisi, "penggantian" -> ganti, "dibelanjakan" -> belanja, "pengiriman" -> kirim).
    Used only to compare words, so an over-stripped form costs nothing when no other word shares it."""
    found = {word}
    bases = [word]
    for prefix in PREFIXES:
        rest = word[len(prefix):]
        if word.startswith(prefix) and len(rest) >= 4:
            bases.append(rest)
            if prefix in RESTORE and rest[0] in VOWELS:
                bases.append(RESTORE[prefix] + rest)
            break
    for base in bases:
        found.add(base)
        for suffix in SUFFIXES:
            if base.endswith(suffix) and len(base) - len(suffix) >= 4:
                found.add(base[: -len(suffix)])
                break
    return frozenset(found)


@dataclass(frozen=True)
class Line:
    field: str
    text: str
    children: tuple[str, ...]  # the documents under a group title ("... karena Hilang": FC KTP, ...)
    stems: frozenset[str]
    parent: str | None = None  # the group title of a document listed under one


@dataclass(frozen=True)
class Match:
    line: Line
    score: float
    words: frozenset[str]  # the message's words found in the line


class Lines:
    """The lines of each service, with how rare each stem is among that service's lines (rare words decide)."""

    def __init__(self, kb: KnowledgeBase, tokens: Callable[[str], list[str]]) -> None:
        self._tokens = tokens
        self.raw_words: set[str] = set()  # every word of the standards, as written (never "corrected" away)
        self._lines: dict[str, list[Line]] = {}
        self._idf: dict[str, dict[str, float]] = {}
        for agency in kb.agencies.values():
            for service in agency.services:
                key = f"{agency.slug}/{service.id}"
                lines = list(self._service_lines(service))
                self._lines[key] = lines
                df: dict[str, int] = {}
                for line in lines:
                    for s in line.stems:
                        df[s] = df.get(s, 0) + 1
                n = max(1, len(lines))
                self._idf[key] = {s: math.log(1 + n / c) for s, c in df.items()}

    def _service_lines(self, service: Service) -> Iterable[Line]:
        for field in FIELDS:
            for item in service.items(field):
                children = tuple(item_text(c) for c in item_children(item))
                text = item_text(item)
                words = self._tokens(" ".join([text, *children]) if children else text)
                self.raw_words.update(words)
                yield Line(field, text, children, frozenset(s for w in words for s in stems(w)))
                for child in children:
                    own = frozenset(s for w in self._tokens(child) for s in stems(w))
                    yield Line(field, child, (), own, text)

    def best(self, service: Service, words: Iterable[str], fields: tuple[str, ...] = FIELDS) -> Match | None:
        """The service's line sharing the rarest words with the message ; of two as good, the narrower one."""
        key = f"{service.agency}/{service.id}"
        idf = self._idf.get(key, {})
        found: Match | None = None
        for line in self._lines.get(key, []):
            if line.field not in fields:
                continue
            hit = {w for w in words if stems(w) & line.stems}
            score = sum(max(idf.get(s, 0.0) for s in stems(w) & line.stems) for w in hit)
            better = found is None or score > found.score or (
                score == found.score and len(line.stems) < len(found.line.stems))  # the narrower line
            if score > 0 and better:
                found = Match(line, score, frozenset(hit))
        return found
