"""Personal data at rest (UU 27/2022): NIKs and case photos are stored encrypted (AES-256-GCM, a fresh random
nonce per value, the purpose bound in as associated data), and found again by a keyed hash (HMAC-SHA256), never
by their clear value. One 32-byte key (the ``DATA_KEY`` setting) yields both, so rotating it is one operation.

``DATA_KEY`` may list several keys, newest first: the newest encrypts and hashes; every key listed opens (newest
tried first) and every key's hash is looked for, until ``dinsos-bot keys rotate`` has moved everything to the
newest (``bot.ops.keys``). A stored value names no key: the one whose tag verifies is the one.

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


def parse_keys(text: str) -> list[bytes]:
    """Every key of a comma-separated ``DATA_KEY``, newest first (empty items ignored)."""
    return [parse_key(part) for part in text.split(",") if part.strip()]


class Protector:
    """Encrypts and hashes with the first key given; opens and finds with any of them (newest tried first)."""

    def __init__(self, key: bytes, *older: bytes) -> None:
        for one in (key, *older):
            if len(one) != KEY_BYTES:
                raise ProtectError(f"a key is {KEY_BYTES} bytes")
        # Separate keys for separate jobs, derived from each key.
        self._aeads = [AESGCM(hmac.digest(one, b"dinsos-bot encrypt v1", hashlib.sha256)) for one in (key, *older)]
        self._lookups = [hmac.digest(one, b"dinsos-bot lookup v1", hashlib.sha256) for one in (key, *older)]
        self._aead, self._lookup = self._aeads[0], self._lookups[0]

    @property
    def keys(self) -> int:
        """How many keys are listed (more than one: a rotation is under way)."""
        return len(self._aeads)

    def encrypt(self, data: bytes, purpose: str) -> bytes:
        """``purpose`` ("nik", "photo") is bound in: a NIK's ciphertext cannot be passed off as a photo's."""
        nonce = os.urandom(NONCE)
        return VERSION + nonce + self._aead.encrypt(nonce, data, purpose.encode())

    def opened(self, stored: bytes, purpose: str) -> tuple[bytes, int]:
        """The clear value and the position of the key that opened it (0: the newest)."""
        if len(stored) < 1 + NONCE + 16 or stored[:1] != VERSION:
            raise ProtectError("not a value this version stored")
        for index, aead in enumerate(self._aeads):
            try:
                return aead.decrypt(stored[1:1 + NONCE], stored[1 + NONCE:], purpose.encode()), index
            except InvalidTag:
                continue
        raise ProtectError("wrong key, wrong purpose or altered data")

    def decrypt(self, stored: bytes, purpose: str) -> bytes:
        return self.opened(stored, purpose)[0]

    def reseal(self, stored: bytes, purpose: str) -> bytes | None:
        """``stored`` encrypted again under the newest key, or None when it already is (nothing to rewrite)."""
        data, index = self.opened(stored, purpose)
        return None if index == 0 else self.encrypt(data, purpose)

    def lookup(self, value: str, purpose: str) -> str:
        """A keyed hash to find a value again (the same NIK, the same case) without storing it in clear."""
        return self._hash(self._lookup, value, purpose)

    def lookups(self, value: str, purpose: str) -> list[str]:
        """The value's hash under every key, newest first: what to look for while a rotation is under way."""
        return [self._hash(key, value, purpose) for key in self._lookups]

    @staticmethod
    def _hash(key: bytes, value: str, purpose: str) -> str:
        return hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()
