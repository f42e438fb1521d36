"""What a citizen may send as a document: the types the intake asks for and the store accepts, one list for both."""

from __future__ import annotations

ACCEPTED_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")
