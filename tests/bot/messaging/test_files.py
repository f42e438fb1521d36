"""Files from citizens (mutation testing of bot/media.py): sizes as a citizen reads them, types from the bytes,
metadata stripped segment by segment (and nothing else touched), files stored once under their hash."""

from __future__ import annotations

import hashlib
import struct
import zlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.messaging import files as media

KB, MB = 1024, 1024 * 1024


@pytest.mark.parametrize(("size", "shown"), [
    (20 * MB, "20 MB"), (10 * MB, "10 MB"), (100 * MB, "100 MB"), (MB, "1 MB"), (3 * MB // 2, "1,5 MB"),
    (MB + MB // 4, "1,2 MB"), (MB + MB // 100, "1 MB"), (5 * MB // 2, "2,5 MB"),
    (MB - 1, "1023 KB"), (500 * KB, "500 KB"), (2 * KB, "2 KB"), (3 * KB // 2, "1 KB"), (KB, "1 KB"),
    (KB - 1, "1 KB"), (1, "1 KB"), (0, "1 KB"),
])
def test_sizes_as_a_citizen_reads_them(size: int, shown: str) -> None:
    assert media.human_size(size) == shown


@given(st.integers(min_value=0, max_value=2**40))
def test_a_size_is_a_whole_number_or_one_decimal_with_a_comma(size: int) -> None:
    shown = media.human_size(size)
    number, unit = shown.split(" ")
    assert unit == ("MB" if size >= MB else "KB")
    whole, _, decimal = number.partition(",")
    assert whole.isdigit() and int(whole) >= 1 and decimal in ("", *"123456789")
    value = int(whole) + int(decimal or 0) / 10
    if unit == "MB":
        assert abs(value - size / MB) <= 0.05 + 1e-9  # rounded to the nearest tenth
    else:
        assert value == max(1, size // KB)  # whole kilobytes, never "0 KB"


@pytest.mark.parametrize(("data", "kind"), [
    (b"RIFF\x04\x00\x00\x00WEBP", "image/webp"),  # the smallest WEBP header: exactly 12 bytes
    (b"RIFF\x04\x00\x00\x00WEB", None),
    (b"\x00\x00\x00\x00\x04\x00\x00\x00WEBPVP8 ", None),  # "WEBP" without "RIFF" in front
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),  # a sound file
    (b"%PDF", None),
])
def test_the_webp_signature_needs_both_parts(data: bytes, kind: str | None) -> None:
    assert media.sniff(data) == kind


# --- JPEG: a segment is FF, a marker, a 2-byte length (counting itself) and its payload ---------------------------

def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


SOI, EOI = b"\xff\xd8", b"\xff\xd9"
APP0 = _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
EXIF = _segment(0xE1, b"Exif\x00\x00MM\x00*GPS -3.3,114.6")
IPTC = _segment(0xED, b"Photoshop 3.0\x008BIM\x04\x04Siti Aminah")
COMMENT = _segment(0xFE, b"kamera HP Siti")
DQT = _segment(0xDB, bytes(65))
SOF = _segment(0xC0, b"\x08\x00\x01\x00\x01\x01\x01\x11\x00")
# image data may hold FF 00 and restart markers; here also bytes that look like a comment segment
SCAN = _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + b"\x12\x34\xff\x00\xff\xfe\x00\x04ab\xff\xd0\x56" + EOI


def test_jpeg_metadata_segments_go_and_every_other_byte_stays() -> None:
    jpeg = SOI + APP0 + EXIF + DQT + IPTC + COMMENT + SOF + SCAN
    assert media.strip_metadata(jpeg, "image/jpeg") == SOI + APP0 + DQT + SOF + SCAN


def test_jpeg_markers_without_a_length_are_kept_and_parsing_goes_on_after_them() -> None:
    tem, rst0, rst7 = b"\xff\x01", b"\xff\xd0", b"\xff\xd7"
    jpeg = SOI + APP0 + tem + EXIF + rst0 + COMMENT + rst7 + IPTC + SOI + EXIF + DQT + SCAN
    assert media.strip_metadata(jpeg, "image/jpeg") == SOI + APP0 + tem + rst0 + rst7 + SOI + DQT + SCAN


def test_a_large_exif_segment_goes_too() -> None:
    big = _segment(0xE1, b"Exif\x00\x00" + bytes(40_000))  # over 32 KB: a length with its top bit set
    assert media.strip_metadata(SOI + APP0 + big + SCAN, "image/jpeg") == SOI + APP0 + SCAN


@pytest.mark.parametrize(("jpeg", "stripped"), [
    (SOI + APP0 + EXIF + EOI, SOI + APP0 + EOI),  # no image data at all: the end marker is kept
    (SOI + APP0 + EXIF + b"\xff\xfe\x00\x02", SOI + APP0),  # ends with an empty comment: it goes
    (SOI + APP0 + EXIF + b"\xff\xe1\x00", SOI + APP0 + b"\xff\xe1\x00"),  # cut inside a segment header
    (SOI + APP0 + b"\x00garbage" + DQT, SOI + APP0 + b"\x00garbage" + DQT),  # unreadable: kept from there on
])
def test_a_jpeg_cut_short_or_damaged_is_kept_as_far_as_it_goes(jpeg: bytes, stripped: bytes) -> None:
    assert media.strip_metadata(jpeg, "image/jpeg") == stripped


# --- PNG: a chunk is a 4-byte length, a 4-byte type, the data and a CRC ----------------------------------------------

def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


SIGNATURE = b"\x89PNG\r\n\x1a\n"
IHDR = _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
IDAT = _chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
IEND = _chunk(b"IEND", b"")
PNG_METADATA = (_chunk(b"eXIf", b"MM\x00*GPS") + _chunk(b"tEXt", b"Author\x00Siti")
                + _chunk(b"iTXt", b"Location\x00\x00\x00\x00\x00Tarakan") + _chunk(b"zTXt", b"Comment\x00\x00x\x9c")
                + _chunk(b"tIME", b"\x07\xea\x0c\x01\x03\x00\x00"))


def test_png_metadata_chunks_go_and_nothing_after_the_end_is_kept() -> None:
    appended = _chunk(b"zzZz", b"hidden after the end") + b"PK\x03\x04 a zip file"
    png = SIGNATURE + IHDR + PNG_METADATA + IDAT + IEND + appended
    assert media.strip_metadata(png, "image/png") == SIGNATURE + IHDR + IDAT + IEND


def test_a_png_cut_short_keeps_its_whole_chunks() -> None:
    png = SIGNATURE + IHDR + PNG_METADATA + IDAT + IEND
    cut = png[: len(SIGNATURE + IHDR + PNG_METADATA + IDAT) + 6]  # inside the IEND chunk
    assert media.strip_metadata(cut, "image/png") == SIGNATURE + IHDR + IDAT


def test_a_png_chunk_claiming_more_than_2_gb_keeps_the_rest_as_it_is() -> None:
    rest = struct.pack(">I", 0x8000_0010) + b"IDAT" + b"not that long"
    assert media.strip_metadata(SIGNATURE + IHDR + rest, "image/png") == SIGNATURE + IHDR + rest


# --- WEBP: RIFF header, then chunks of a 4-byte type, a little-endian length and the data padded to even -------------

def _riff(body: bytes) -> bytes:
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


def _webp_chunk(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack("<I", len(data)) + data + b"\x00" * (len(data) & 1)


def _vp8x(flags: int) -> bytes:
    return _webp_chunk(b"VP8X", bytes([flags]) + b"\x00" * 9)


VP8 = _webp_chunk(b"VP8 ", b"DATA")


def test_webp_metadata_chunks_go_and_the_flags_no_longer_announce_them() -> None:
    # flags: ICC 0x20, alpha 0x10, EXIF 0x08, XMP 0x04, and the reserved bit 0x01: only EXIF and XMP are cleared
    webp = _riff(_vp8x(0x3D) + _webp_chunk(b"EXIF", b"GPS") + VP8 + _webp_chunk(b"XMP ", b"<x:a/>!")
                 + _webp_chunk(b"ICCP", b"profile") + _webp_chunk(b"UNKN", b""))
    expected = _riff(_vp8x(0x31) + VP8 + _webp_chunk(b"ICCP", b"profile") + _webp_chunk(b"UNKN", b""))
    assert media.strip_metadata(webp, "image/webp") == expected


def test_a_webp_cut_right_after_its_flags_still_loses_the_metadata_flags() -> None:
    cut = _riff(VP8 + b"VP8X" + struct.pack("<I", 10) + b"\x1c")
    assert media.strip_metadata(cut, "image/webp") == _riff(VP8 + b"VP8X" + struct.pack("<I", 10) + b"\x10")


def test_a_webp_chunk_claiming_more_than_2_gb_keeps_the_rest_as_it_is() -> None:
    rest = b"VP8 " + struct.pack("<I", 0x8000_0001) + b"not that long"
    assert media.strip_metadata(_riff(VP8 + rest), "image/webp") == _riff(VP8 + rest)


# --- store ---------------------------------------------------------------------------------------------------------

def test_a_stored_file_is_the_stripped_one_under_its_hash(tmp_path: Path) -> None:
    media_dir = tmp_path / "data" / "media"  # not there yet: made on the first file
    jpeg = SOI + APP0 + EXIF + DQT + SOF + SCAN
    stored = media.store(jpeg, media_dir)
    clean = SOI + APP0 + DQT + SOF + SCAN
    digest = hashlib.sha256(clean).hexdigest()
    assert stored == media.StoredFile(digest, "image/jpeg", len(clean), media_dir / digest[:2] / digest)
    assert stored.path.read_bytes() == clean
    assert sorted(p.name for p in media_dir.rglob("*")) == sorted([digest[:2], digest])  # no temporary file left


def test_files_sharing_a_folder_are_both_stored(tmp_path: Path) -> None:
    first: dict[str, bytes] = {}
    for n in range(1000):  # two different PDFs whose hashes start alike, so they go to the same folder
        pdf = b"%PDF-1.7\n%" + str(n).encode()
        prefix = hashlib.sha256(pdf).hexdigest()[:2]
        if prefix in first:
            break
        first[prefix] = pdf
    one, two = media.store(first[prefix], tmp_path), media.store(pdf, tmp_path)
    assert one.path.parent == two.path.parent and one.path != two.path
    assert one.path.read_bytes() == first[prefix] and two.path.read_bytes() == pdf
    assert (one.content_type, one.size) == ("application/pdf", len(first[prefix]))


def test_a_refused_file_says_what_is_accepted(tmp_path: Path) -> None:
    with pytest.raises(media.RejectedMedia) as refused:
        media.store(b"GIF89a...", tmp_path)
    assert str(refused.value) == "not a JPEG, PNG, WEBP or PDF file"
    assert list(tmp_path.iterdir()) == []


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
