"""Every line of every service's standard, indexed by word stems, to find the one line a narrow question asks about
("kalau hilang perlu surat polisi?" -> "Surat Keterangan Kehilangan dari Kepolisian")."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from knowledge.model import KnowledgeBase, Service, item_children, item_text
from knowledge.text import clean_text

FIELDS = ("requirements", "products", "procedure", "warnings")
PREFIXES = ("meng", "meny", "mem", "men", "me", "peng", "peny", "pem", "pen", "per", "pe", "di", "ter", "ber",
            "ke", "se")
RESTORE = {"meng": "k", "peng": "k", "meny": "s", "peny": "s", "mem": "p", "pem": "p", "men": "t", "pen": "t"}
SUFFIXES = ("nya", "kan", "an", "i")
VOWELS = set("aeiou")
# Words that name the same act in a question and in a standard ("dikirim ke mana" / "mengajukan ... ke").
SYNONYM_WEIGHT = 1.0
SYNONYM_GROUPS = [{"kirim", "aju", "serah", "sampai", "terus", "urus"}, {"beli", "belanja"},
                  {"kasih", "beri"}, {"bagi", "distribusi", "salur", "cair"}]
SYNONYMS: dict[str, set[str]] = {}
for _group in SYNONYM_GROUPS:
    for _word in _group:
        SYNONYMS.setdefault(_word, set()).update(_group - {_word})


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
        shortest = 3 if base != word else 4  # "mengajukan" -> aju; a bare "jalan" keeps its "an"
        for suffix in SUFFIXES:
            if base.endswith(suffix) and len(base) - len(suffix) >= shortest:
                found.add(base[: -len(suffix)])
                break
    return frozenset(found)


def synonyms(forms: frozenset[str]) -> frozenset[str]:
    """Words naming the same act as one of ``forms`` ("dikirim" / "mengajukan"), for matching a question."""
    return frozenset(w for form in forms for w in SYNONYMS.get(form, ())) - forms


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

    def _words(self, text: str) -> list[str]:
        """A line's words as written and as the reader normalises them ("mengajukan" and "urus"), so a
        question matches either way."""
        written = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", clean_text(text).lower())
        return list(dict.fromkeys([*written, *self._tokens(text)]))

    def _service_lines(self, service: Service) -> Iterable[Line]:
        for field in FIELDS:
            for item in service.items(field):
                children = tuple(item_text(c) for c in item_children(item))
                text = item_text(item)
                words = self._words(" ".join([text, *children]) if children else text)
                self.raw_words.update(words)
                yield Line(field, text, children, frozenset(s for w in words for s in stems(w)))
                for child in children:
                    own = frozenset(s for w in self._words(child) for s in stems(w))
                    yield Line(field, child, (), own, text)

    def first_with(self, services: Iterable[Service], groups: list[list[str]],
                   field: str = "procedure") -> tuple[Service, str] | None:
        """The first line (of ``field``, service by service) holding every word of a group, with its service;
        groups in order."""
        services = list(services)
        for words in groups:
            for service in services:
                for line in self._lines.get(f"{service.agency}/{service.id}", []):
                    if line.field == field and set(words) <= line.stems:
                        return service, line.text
        return None

    def _scored(self, service: Service, words: Iterable[str], fields: tuple[str, ...]) -> list[Match]:
        key = f"{service.agency}/{service.id}"
        idf = self._idf.get(key, {})
        words = list(words)
        found = []
        for line in self._lines.get(key, []):
            if line.field not in fields:
                continue
            hit: set[str] = set()
            score = 0.0
            for w in words:
                own = stems(w)
                if own & line.stems:  # the word itself: as rare as it is in this service's lines
                    score += max(idf.get(s, 0.0) for s in own & line.stems)
                elif synonyms(own) & line.stems:  # another word for it: a fixed, modest weight
                    score += SYNONYM_WEIGHT
                else:
                    continue
                hit.add(w)
            if score > 0:
                found.append(Match(line, score, frozenset(hit)))
        return found

    def best(self, service: Service, words: Iterable[str], fields: tuple[str, ...] = FIELDS) -> Match | None:
        """The service's line sharing the rarest words with the message; of two as good, the narrower one."""
        found = self._scored(service, words, fields)
        return max(found, key=lambda m: (m.score, -len(m.line.stems))) if found else None

    def best_lines(self, service: Service, words: Iterable[str], fields: tuple[str, ...] = FIELDS,
                   limit: int = 4) -> list[Match]:
        """Every line as good as the best one, in the standard's order ("dikirim ke mana?" shares its words with
        several steps: the citizen sees each); a document and the group it is listed under: the document."""
        found = self._scored(service, words, fields)
        if not found:
            return []
        top = max(m.score for m in found)
        tied = [m for m in found if m.score >= top - 1e-9]
        children_of = {m.line.parent for m in tied if m.line.parent}
        return [m for m in tied if m.line.text not in children_of][:limit]
