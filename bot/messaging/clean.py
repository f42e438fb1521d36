"""Provider values made safe to store: invisible and control characters removed, each field cut to its column.

Everything a provider sends (a WhatsApp profile name, a Telegram file name, a MIME type) passes through here
before it reaches the database. PostgreSQL refuses NUL in text and refuses a value longer than its column; one
such value used to fail the insert on every retry, so the citizen's message was lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from handlers.types import InboundMessage, MediaRef

ELLIPSIS = "…"
# C0 controls except tab and newline, DEL, C1 controls; bidi embeddings, overrides and isolates; zero-width
# characters (space, non-joiner, joiner, word joiner, byte-order mark) and the soft hyphen.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def clean(value: str) -> str:
    """``value`` without control, bidi and zero-width characters (newline and tab kept; CR LF becomes LF)."""
    return _INVISIBLE.sub("", value.replace("\r\n", "\n"))


def fit(value: str | None, limit: int) -> str | None:
    """Cleaned and cut to at most ``limit`` characters, ending in an ellipsis when cut; None stays None."""
    if value is None:
        return None
    value = clean(value)
    if len(value) <= limit:
        return value
    return value[: max(0, limit - len(ELLIPSIS))] + ELLIPSIS


@dataclass(frozen=True)
class Limits:
    """The longest value each stored field may have (the database columns' lengths)."""

    user: int
    display_name: int
    phone: int
    media_source: int
    media_type: int
    file_name: int
    text: int


MAX_SIZE = 2**53  # a declared file size beyond this (or below 0) is nonsense: treated as not declared


def fit_size(size: int | None) -> int | None:
    return size if isinstance(size, int) and 0 <= size < MAX_SIZE else None


def fit_incoming(incoming: InboundMessage, limits: Limits) -> InboundMessage:
    """Every field of a parsed delivery cleaned and cut to what the database holds."""
    media = tuple(
        MediaRef(source=fit(item.source, limits.media_source) or "",
                 declared_type=fit(item.declared_type, limits.media_type),
                 file_name=fit(item.file_name, limits.file_name), declared_size=fit_size(item.declared_size))
        for item in incoming.media
    )
    return replace(incoming, user=fit(incoming.user, limits.user) or "", text=fit(incoming.text, limits.text) or "",
                   media=media, phone=fit(incoming.phone, limits.phone),
                   display_name=fit(incoming.display_name, limits.display_name) or None)
