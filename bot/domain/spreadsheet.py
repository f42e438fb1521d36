"""A value written to a CSV or XLSX export: text a spreadsheet would run as a formula (``=HYPERLINK(...)`` typed by
a citizen) is kept as text, with a leading apostrophe (OWASP's advice for CSV injection)."""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
