"""Long messages cut into parts a channel accepts (WhatsApp 1,600 characters, Telegram 4,096), at paragraph
boundaries where possible, then lines, then words; pure, so it is tested on generated text."""

from __future__ import annotations


def split_body(text: str, limit: int) -> list[str]:
    """Cut a long message at paragraph boundaries (then lines, then words) into parts of at most ``limit``."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""  # pragma: no mutate
    for piece in text.split("\n\n"):
        candidate = f"{current}\n\n{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while len(piece) > limit:
            cut = piece.rfind("\n", 0, limit)  # pragma: no mutate
            cut = cut if cut > limit // 2 else piece.rfind(" ", 0, limit)  # pragma: no mutate
            cut = cut if cut > limit // 2 else limit  # pragma: no mutate
            parts.append(piece[:cut].rstrip())
            piece = piece[cut:].lstrip()
        current = piece
    if current:
        parts.append(current)
    return parts
