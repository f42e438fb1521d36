"""Small parts: phone numbers, file typing and metadata stripping, message splitting, status order."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from bot import media
from bot.channels.telegram.outbound import to_html
from bot.outbox import merge_status
from bot.phone import InvalidPhone, mask, to_e164
from bot.splitting import split_body


@pytest.mark.parametrize(("raw", "e164"), [
    ("whatsapp:+6281234567890", "+6281234567890"), ("081234567890", "+6281234567890"),
    ("62 812-3456-7890", "+6281234567890"), ("+62 812 3456 7890", "+6281234567890"),
    ("81234567890", "+6281234567890"), ("+14155238886", "+14155238886"),
])
def test_phone_numbers_become_e164(raw: str, e164: str) -> None:
    assert to_e164(raw) == e164


@pytest.mark.parametrize("raw", ["", "whatsapp:", "abc", "12", "+62 812 3456 7890 1234 5678"])
def test_not_phone_numbers(raw: str) -> None:
    with pytest.raises(InvalidPhone):
        to_e164(raw)


def test_masked_phone_keeps_only_the_ends() -> None:
    assert mask("+6281234567890") == "+62812****7890"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


PNG = (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
       + _png_chunk(b"eXIf", b"MM\x00*GPS") + _png_chunk(b"tEXt", b"Author\x00Siti")
       + _png_chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + _png_chunk(b"IEND", b""))
WEBP_BODY = (b"VP8X" + struct.pack("<I", 10) + bytes([0x0C]) + b"\x00" * 9
             + b"VP8 " + struct.pack("<I", 4) + b"DATA" + b"EXIF" + struct.pack("<I", 3) + b"GPS\x00")
WEBP = b"RIFF" + struct.pack("<I", 4 + len(WEBP_BODY)) + b"WEBP" + WEBP_BODY
JPEG = (b"\xff\xd8\xff\xe0\x00\x06JFIF\xff\xe1\x00\x0cExif\x00\x00GPS!\xff\xfe\x00\x05hi!"
        b"\xff\xda\x00\x02SCAN\xff\xd9")


@pytest.mark.parametrize(("data", "kind"), [
    (JPEG, "image/jpeg"), (PNG, "image/png"), (WEBP, "image/webp"), (b"%PDF-1.7\n...", "application/pdf"),
    (b"MZ\x90\x00", None), (b"GIF89a", None), (b"", None), (b"<html>", None),
])
def test_type_comes_from_the_bytes(data: bytes, kind: str | None) -> None:
    assert media.sniff(data) == kind


def test_metadata_is_stripped_and_the_image_kept() -> None:
    jpeg = media.strip_metadata(JPEG, "image/jpeg")
    assert b"Exif" not in jpeg and b"hi!" not in jpeg and jpeg.endswith(b"SCAN\xff\xd9") and b"JFIF" in jpeg
    png = media.strip_metadata(PNG, "image/png")
    assert b"eXIf" not in png and b"Siti" not in png and b"IDAT" in png and png.endswith(b"IEND\xaeB`\x82")
    webp = media.strip_metadata(WEBP, "image/webp")
    assert b"EXIF" not in webp and b"DATA" in webp
    assert struct.unpack("<I", webp[4:8])[0] == len(webp) - 8
    assert webp[20] & 0x0C == 0  # VP8X no longer announces EXIF/XMP


def test_store_refuses_other_types_and_names_files_by_hash(tmp_path: Path) -> None:
    with pytest.raises(media.RejectedMedia):
        media.store(b"MZ\x90\x00 not a picture", tmp_path)
    stored = media.store(PNG, tmp_path)
    assert stored.path == tmp_path / stored.sha256[:2] / stored.sha256
    assert media.store(PNG, tmp_path).path == stored.path  # the same file once


def test_long_bodies_split_at_paragraphs() -> None:
    text = "\n\n".join(f"Paragraf {n}: " + "kata " * 60 for n in range(12))
    parts = split_body(text, 1600)
    assert all(len(p) <= 1600 for p in parts) and len(parts) > 1
    assert "\n\n".join(parts) == text
    assert split_body("pendek", 1600) == ["pendek"]
    huge = split_body("x" * 5000, 1600)
    assert all(len(p) <= 1600 for p in huge) and "".join(huge) == "x" * 5000


@pytest.mark.parametrize(("current", "new", "result"), [
    ("sending", "queued", "queued"), ("queued", "sent", "sent"), ("delivered", "sent", "delivered"),
    ("read", "delivered", "read"), ("sent", "undelivered", "undelivered"), ("undelivered", "delivered", "undelivered"),
    ("delivered", "failed", "delivered"), ("failed", "read", "failed"), ("dead", "queued", "dead"),
])
def test_statuses_only_move_forward(current: str, new: str, result: str) -> None:
    assert merge_status(current, new) == result


def test_telegram_html_escapes_and_keeps_whatsapp_markup() -> None:
    assert to_html("*Syarat* <b>x</b> & _catatan_") == "<b>Syarat</b> &lt;b&gt;x&lt;/b&gt; &amp; <i>catatan</i>"
