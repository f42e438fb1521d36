"""Photos and documents from citizens: typed from their bytes, stripped of metadata, stored by hash.

Files live under MEDIA_DIR (outside any web root), named by the SHA-256 of the stored bytes.
"""

from __future__ import annotations

import hashlib
import os
import struct
from dataclasses import dataclass
from pathlib import Path

ACCEPTED = {"image/jpeg", "image/png", "image/webp", "application/pdf"}


def human_size(size: int) -> str:
    """A byte count as a citizen reads it: "20 MB", "1,5 MB", "500 KB" (Indonesian decimal comma)."""
    if size >= 1024 * 1024:
        value, unit = size / (1024 * 1024), "MB"
    else:
        value, unit = max(1, size // 1024), "KB"
    text = f"{value:.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)  # pragma: no mutate
    return f"{text.replace('.', ',')} {unit}"


class RejectedMedia(ValueError):
    """A file whose bytes are not one of the accepted types."""


def sniff(data: bytes) -> str | None:
    """The real type of a file from its first bytes, whatever its name or header says."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def _strip_jpeg(data: bytes) -> bytes:
    """Drop APP1 (EXIF, XMP, GPS), APP13 (IPTC) and comments; keep the image data untouched."""
    out = bytearray(data[:2])
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            break
        marker = data[i + 1]
        if marker == 0xDA:  # start of scan: the rest is image data
            out += data[i:]
            return bytes(out)
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # pragma: no mutate
            out += data[i : i + 2]
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        segment = data[i : i + 2 + length]
        if marker not in (0xE1, 0xED, 0xFE):
            out += segment
        i += 2 + length
    out += data[i:]
    return bytes(out)


_PNG_DROP = {b"eXIf", b"tEXt", b"iTXt", b"zTXt", b"tIME"}


def _strip_png(data: bytes) -> bytes:
    out = bytearray(data[:8])
    i = 8
    while i + 12 <= len(data):
        (length,) = struct.unpack(">I", data[i : i + 4])
        kind = data[i + 4 : i + 8]
        chunk = data[i : i + 12 + length]
        if kind not in _PNG_DROP:
            out += chunk
        i += 12 + length
        if kind == b"IEND":
            break
    return bytes(out)


def _strip_webp(data: bytes) -> bytes:
    chunks = bytearray()
    i = 12
    while i + 8 <= len(data):
        kind = data[i : i + 4]
        (length,) = struct.unpack("<I", data[i + 4 : i + 8])
        padded = length + (length & 1)
        chunk = bytearray(data[i : i + 8 + padded])
        if kind == b"VP8X" and len(chunk) >= 9:
            chunk[8] &= ~0x0C & 0xFF  # clear the EXIF and XMP flags
        if kind not in (b"EXIF", b"XMP "):
            chunks += chunk
        i += 8 + padded
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + bytes(chunks)  # pragma: no mutate


def strip_metadata(data: bytes, content_type: str) -> bytes:
    """Image metadata (camera, time, GPS position) removed; PDFs are kept as sent."""
    if content_type == "image/jpeg":
        return _strip_jpeg(data)
    if content_type == "image/png":
        return _strip_png(data)
    if content_type == "image/webp":
        return _strip_webp(data)
    return data


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    content_type: str
    size: int
    path: Path


def store(data: bytes, media_dir: Path) -> StoredFile:
    """Check the type from the bytes, strip metadata, write once under its hash (atomic rename)."""
    content_type = sniff(data)
    if content_type not in ACCEPTED:
        raise RejectedMedia("not a JPEG, PNG, WEBP or PDF file")
    clean = strip_metadata(data, content_type)
    digest = hashlib.sha256(clean).hexdigest()
    target = media_dir / digest[:2] / digest
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(clean)
        os.replace(tmp, target)
    return StoredFile(digest, content_type, len(clean), target)
