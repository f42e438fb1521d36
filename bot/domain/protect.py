"""Personal data at rest (UU 27/2022): NIKs and case photos are stored encrypted (AES-256-GCM, a fresh random
nonce per value, the purpose bound in as associated data), and found again by a keyed hash (HMAC-SHA256), never
by their clear value. One 32-byte key (the ``DATA_KEY`` setting) yields both, so rotating it is one operation.

Stored form of an encrypted value: ``version (1 byte) | nonce (12 bytes) | ciphertext and tag``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = b"\x01"
NONCE = 12
KEY_BYTES = 32


class ProtectError(ValueError):
    """A key that is not a key, or a stored value that this key cannot open (wrong key, altered bytes)."""


def new_key() -> str:
    """A fresh key as ``DATA_KEY`` takes it (URL-safe base64 of 32 random bytes)."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


def parse_key(text: str) -> bytes:
    """32 bytes from URL-safe base64 (what ``new_key`` makes) or 64 hex digits."""
    text = text.strip()
    try:
        raw = bytes.fromhex(text) if len(text) == 2 * KEY_BYTES else base64.urlsafe_b64decode(text.encode())
    except (ValueError, binascii.Error):
        raise ProtectError("DATA_KEY is neither base64 nor hex") from None
    if len(raw) != KEY_BYTES:
        raise ProtectError(f"DATA_KEY must be {KEY_BYTES} bytes, not {len(raw)}")
    return raw


class Protector:
    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ProtectError(f"a key is {KEY_BYTES} bytes")
        # Separate keys for separate jobs, derived from the one setting.
        self._aead = AESGCM(hmac.digest(key, b"dinsos-bot encrypt v1", hashlib.sha256))
        self._lookup = hmac.digest(key, b"dinsos-bot lookup v1", hashlib.sha256)

    def encrypt(self, data: bytes, purpose: str) -> bytes:
        """``purpose`` ("nik", "photo") is bound in: a NIK's ciphertext cannot be passed off as a photo's."""
        nonce = os.urandom(NONCE)
        return VERSION + nonce + self._aead.encrypt(nonce, data, purpose.encode())

    def decrypt(self, stored: bytes, purpose: str) -> bytes:
        if len(stored) < 1 + NONCE + 16 or stored[:1] != VERSION:
            raise ProtectError("not a value this version stored")
        try:
            return self._aead.decrypt(stored[1:1 + NONCE], stored[1 + NONCE:], purpose.encode())
        except InvalidTag:
            raise ProtectError("wrong key, wrong purpose or altered data") from None

    def lookup(self, value: str, purpose: str) -> str:
        """A keyed hash to find a value again (the same NIK, the same case) without storing it in clear."""
        return hmac.new(self._lookup, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()
