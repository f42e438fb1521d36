"""Turn one OCR'd table cell (HTML fragments, numbered items run together) into a list of items.

An item is a string, or a mapping ``{"text": ..., "items": [...]}`` when it has sub-items
(e.g. one requirement variant with its own documents).
"""

from __future__ import annotations

import html
import re
from typing import Any

Item = str | dict[str, Any]

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_LIST_OPEN = re.compile(r"<\s*(ol|ul)\b[^>]*>", re.I)


def clean(text: str) -> str:
    """Strip tags and entities, collapse white space."""
    text = html.unescape(_TAG.sub(" ", text))
    text = _SPACE.sub(" ", text).strip()
    text = re.sub(r"\(\s+", "(", text)
    return re.sub(r"\s+([).,;])", r"\1", text)


def _tidy_item(text: str) -> str:
    text = clean(text).strip(" \t").rstrip(" ,;")
    if text.endswith(".") and not re.search(r"\b(dll|dsb|dst|No|\w)\.$", text):
        text = text[:-1]
    return text.strip()


# Candidate list markers; each kind has its own counter so that "1." and "a." never mix.
_NUM = re.compile(r"(?:(?<=^)|(?<=[\s;:.>)]))(\d{1,2})\.(?=\s+\S)")
_LOWER = re.compile(r"(?:(?<=^)|(?<=[\s;:>]))([a-h])\s?\.(?=\s*\S)")
_UPPER = re.compile(r"(?:(?<=^)|(?<=[\s;:>]))([A-H])\.(?=\s+\S)")


def _sequence(text: str, pattern: re.Pattern[str], value: Any) -> list[tuple[int, int]]:
    """Positions of markers that count 1, 2, 3... (a repeat or one skipped number tolerated)."""
    found: list[tuple[int, int]] = []
    expected = 1
    for m in pattern.finditer(text):
        n = value(m.group(1))
        if n == expected or (found and n in (expected + 1, expected - 1) and n >= 1):
            if not found and n != 1:
                continue
            found.append((m.start(), m.end()))
            expected = n + 1
    return found if len(found) >= 2 or (len(found) == 1 and found[0][0] == 0) else []


def _split_at(text: str, marks: list[tuple[int, int]]) -> tuple[str, list[str]]:
    head = text[: marks[0][0]]
    parts = []
    for i, (_, end) in enumerate(marks):
        stop = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        parts.append(text[end:stop])
    return head, parts


def _markers(text: str) -> list[tuple[int, int]]:
    """The outermost list markers of a cell: numbers, then letters, then dashes/bullets."""
    plain = text
    for pattern, value in (
        (_NUM, int),
        (_UPPER, lambda s: ord(s) - 64),
        (_LOWER, lambda s: ord(s) - 96),
    ):
        marks = _sequence(plain, pattern, value)
        if marks:
            return marks
    for bullet in ("•", "-"):
        marks = [(m.start(), m.end()) for m in re.finditer(rf"(?:(?<=^)|(?<=\s)){bullet}(?=\s)", plain)]
        if marks:
            return marks
    return []


def _first_nested(text: str) -> int:
    """Where the first nested list starts (an <ol>/<ul> or a ' - ' run) inside an item."""
    m = _LIST_OPEN.search(text)
    return m.start() if m else -1


def split_items(cell: str) -> tuple[str, list[Item]]:
    """Split a cell into (intro text, items). Cells without list markers give ([], whole text)."""
    text = html.unescape(cell)
    text = re.sub(r"</?(li|p|br|div)\b[^>]*>", " ", text, flags=re.I)
    text = re.sub(r"</(ol|ul)>", " ", text, flags=re.I)
    text = re.sub(r"<(?!/?(ol|ul)\b)[^>]+>", " ", text, flags=re.I)
    # The outer list tag of the cell carries no structure of its own.
    text = _SPACE.sub(" ", text).strip()
    text = re.sub(r"^<(ol|ul)\b[^>]*>\s*", "", text, flags=re.I)
    intro = ""
    p = re.match(r"^\s*<p>(.*?)</p>", html.unescape(cell), flags=re.S | re.I)
    if p and not _markers(clean(p.group(1))):
        intro = clean(p.group(1))
        text = text[len(clean(p.group(1))):] if text.startswith(clean(p.group(1))) else text
    items = _split(text)
    if items is None:
        semi = [p for p in (_tidy_item(p) for p in clean(text).split(";")) if p]
        if _LIST_OPEN.search(cell) and len(semi) > 1:
            if intro and semi[0].startswith(intro):
                semi[0] = semi[0][len(intro):].strip()
            return intro.rstrip(" :"), list(semi)
        return clean(text), []
    head, found = items
    return head, found


def _split(text: str) -> tuple[str, list[Item]] | None:
    marks = _markers(text)
    if not marks:
        return None
    head, parts = _split_at(text, marks)
    items: list[Item] = []
    for part in parts:
        items.append(_item(part))
    return clean(head).rstrip(":").strip(), items


def _item(part: str) -> Item:
    nested_at = _first_nested(part)
    if nested_at >= 0:
        own, rest = part[:nested_at], _LIST_OPEN.sub(" ", part[nested_at:], count=1)
        sub = _split(rest)
        if sub is not None:
            lead, children = sub
            text = _tidy_item(own + (" " + lead if lead else ""))
            return {"text": text.rstrip(" :;"), "items": children}
    return _tidy_item(_LIST_OPEN.sub(" ", part)).rstrip(";").strip()
