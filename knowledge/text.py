"""Text as the rest of knowledge reads it: normalised Unicode, no control characters or emoji, bounded length."""

from __future__ import annotations

import re
import unicodedata

_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U0001f900-\U0001f9ff\u200d\ufe0f\u2190-\u21ff\u2b00-\u2bff]"
)


def clean_text(text: str) -> str:
    """Remove control characters and emoji; normalise Unicode (fancy alphabets to plain letters, combining marks
    such as strike-throughs and accents dropped); keep at most 1,000 characters."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    text = unicodedata.normalize("NFC", "".join(ch for ch in text if not unicodedata.combining(ch)))
    text = "".join(ch if (ch.isprintable() or ch in "\n\t") else " " for ch in text)
    text = _EMOJI.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()[:1000].rstrip()  # cut, then strip: the same text twice, same result
