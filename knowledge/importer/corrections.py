"""Hand corrections recorded in a curated file, applied on top of what the importer reads.

Each correction names a path (``services.<id>.requirements.1``: mapping keys, list indexes, or a
service id inside the ``services`` list), an operation and a reason::

    - path: services.layanan-anak-terlantar.requirements.1
      op: set            # set | insert | delete
      from: "Usia 6 Tahun smpai dengan 18 tahun"   # what the importer read (set/delete)
      to: "Usia 6 Tahun sampai dengan 18 tahun"    # the corrected value (set/insert)
      reason: salah ketik di dokumen sumber

``from`` makes a correction stale (reported, not applied) when a new source no longer says it.
"""

from __future__ import annotations

import copy
from typing import Any


class CorrectionError(ValueError):
    """A correction that does not fit the data it is applied to."""


_MISSING = object()


def _step(node: Any, key: str) -> tuple[Any, Any]:
    """Return (container, key usable on it) for one path segment."""
    if isinstance(node, list):
        if key.lstrip("-").isdigit():
            return node, int(key)
        for i, item in enumerate(node):
            if isinstance(item, dict) and item.get("id") == key:
                return node, i
        raise CorrectionError(f"no item with id {key!r}")
    if isinstance(node, dict):
        return node, key
    raise CorrectionError(f"cannot descend into {type(node).__name__} at {key!r}")


def _resolve(data: Any, path: str) -> tuple[Any, Any]:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        container, key = _step(node, part)
        try:
            node = container[key]
        except (KeyError, IndexError) as exc:
            raise CorrectionError(f"path {path!r}: {part!r} not found") from exc
    return _step(node, parts[-1])


def apply_one(data: Any, correction: dict[str, Any]) -> None:
    path, op = correction["path"], correction.get("op", "set")
    container, key = _resolve(data, path)
    if op == "insert":
        if isinstance(container, list):
            container.insert(key if key >= 0 else len(container) + key + 1, copy.deepcopy(correction["to"]))
        elif key in container:
            raise CorrectionError(f"path {path!r} exists already: use set")
        else:
            container[key] = copy.deepcopy(correction["to"])
        return
    try:
        current = container[key]
    except (KeyError, IndexError) as exc:
        raise CorrectionError(f"path {path!r} not found") from exc
    if "from" in correction and current != correction["from"]:
        raise CorrectionError(f"path {path!r}: source now says {current!r}, not {correction['from']!r}")
    if op == "delete":
        del container[key]
    elif op == "set":
        container[key] = copy.deepcopy(correction["to"])
    else:
        raise CorrectionError(f"unknown op {op!r}")


def apply_corrections(data: Any, corrections: list[dict[str, Any]]) -> tuple[Any, list[str]]:
    """A corrected copy of ``data`` and the list of corrections that could not be applied."""
    result = copy.deepcopy(data)
    failed = []
    for n, correction in enumerate(corrections, 1):
        try:
            if not correction.get("reason"):
                raise CorrectionError("every correction needs a reason")
            apply_one(result, correction)
        except CorrectionError as exc:
            failed.append(f"correction {n} ({correction.get('path')}): {exc}")
    return result, failed
