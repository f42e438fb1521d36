"""Files from citizens: sizes as a citizen reads them, types from the bytes, images decoded and encoded again
(upright, shrunk, no metadata, nothing appended), too small or blurry photos marked, files stored once under
their hash, encrypted."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from bot.domain.protect import Protector
from bot.messaging import files as media
from tests.fakes import images

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


JPEG = images.jpeg(700, 700)
PNG = images.encoded(images.card(700, 700), "PNG")
WEBP = images.encoded(images.card(700, 700), "WEBP")


@pytest.mark.parametrize(("data", "kind"), [
    (JPEG, "image/jpeg"), (PNG, "image/png"), (WEBP, "image/webp"), (b"%PDF-1.7\n...", "application/pdf"),
    (b"MZ\x90\x00", None), (b"GIF89a", None), (b"", None), (b"<html>", None),
])
def test_type_comes_from_the_bytes(data: bytes, kind: str | None) -> None:
    assert media.sniff(data) == kind


# --- cleaning: decoded and encoded again with Pillow --------------------------------------------------------------

def _exif(data: bytes) -> Image.Exif:
    with Image.open(io.BytesIO(data)) as image:
        return image.getexif()


def test_an_image_loses_its_metadata_and_what_was_appended_and_keeps_its_picture() -> None:
    sent = images.jpeg(gps=True, trailer=b"<script>PAYLOAD</script>")
    assert images.GPS_TAG in _exif(sent) and b"PAYLOAD" in sent
    kept = media.clean(sent)
    assert (kept.content_type, kept.width, kept.height, kept.quality) == ("image/jpeg", 1600, 1000, "ok")
    assert b"PAYLOAD" not in kept.data and b"KameraHP" not in kept.data and b"Exif" not in kept.data
    assert len(_exif(kept.data)) == 0


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_cleaned_in_their_own_format(fmt: str) -> None:
    sent = images.encoded(images.card(900, 700), fmt, gps=True, trailer=b"TRAILER")
    kept = media.clean(sent)
    assert kept.content_type == f"image/{fmt.lower()}" and (kept.width, kept.height) == (900, 700)
    assert len(_exif(kept.data)) == 0 and b"TRAILER" not in kept.data


def test_a_photo_is_turned_upright_from_its_orientation_tag_and_shrunk_to_2048() -> None:
    sideways = images.encoded(images.card(3000, 1800), orientation=6)  # the camera was held sideways
    kept = media.clean(sideways)
    assert (kept.width, kept.height) == (1229, 2048) and len(_exif(kept.data)) == 0


@pytest.mark.parametrize(("sent", "quality"), [
    (images.jpeg(1600, 1000), "ok"),
    (images.jpeg(800, 500), "small"),  # short side under 600 px
    (images.jpeg(1600, 1000, blur=4), "blurry"),  # text blurred past reading
    (images.jpeg(1600, 1000, blur=1), "ok"),  # slightly soft is still readable
])
def test_a_photo_too_small_or_too_blurry_to_read_is_marked(sent: bytes, quality: str) -> None:
    assert media.clean(sent).quality == quality


@pytest.mark.parametrize("sent", [
    b"\xff\xd8\xff" * 100,  # a JPEG signature and nothing that decodes
    images.jpeg()[:2000],  # cut short
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
])
def test_an_image_that_does_not_decode_is_refused(sent: bytes) -> None:
    with pytest.raises(media.RejectedMedia, match="cannot be read"):
        media.clean(sent)


def test_a_pdf_is_kept_as_sent() -> None:
    pdf = b"%PDF-1.7\n1 0 obj\n%%EOF\n"
    assert media.clean(pdf) == media.Cleaned(pdf, "application/pdf")


# --- store ---------------------------------------------------------------------------------------------------------

KEY = Protector(bytes(range(32)))


def test_a_stored_file_is_the_cleaned_one_encrypted_under_its_hash(tmp_path: Path) -> None:
    media_dir = tmp_path / "data" / "media"  # not there yet: made on the first file
    stored = media.store(images.jpeg(), media_dir, KEY)
    clean = media.clean(images.jpeg()).data
    digest = hashlib.sha256(clean).hexdigest()
    assert (stored.sha256, stored.content_type, stored.size) == (digest, "image/jpeg", len(clean))
    assert stored.path == media_dir / digest[:2] / digest
    assert stored.path.read_bytes() != clean and b"JFIF" not in stored.path.read_bytes()  # encrypted at rest
    assert media.read(stored.path, KEY) == clean
    assert sorted(p.name for p in media_dir.rglob("*")) == sorted([digest[:2], digest])  # no temporary file left


def test_files_sharing_a_folder_are_both_stored(tmp_path: Path) -> None:
    first: dict[str, bytes] = {}
    for n in range(1000):  # two different PDFs whose hashes start alike, so they go to the same folder
        pdf = b"%PDF-1.7\n%" + str(n).encode()
        prefix = hashlib.sha256(pdf).hexdigest()[:2]
        if prefix in first:
            break
        first[prefix] = pdf
    one, two = media.store(first[prefix], tmp_path, KEY), media.store(pdf, tmp_path, KEY)
    assert one.path.parent == two.path.parent and one.path != two.path
    assert media.read(one.path, KEY) == first[prefix] and media.read(two.path, KEY) == pdf
    assert (one.content_type, one.size) == ("application/pdf", len(first[prefix]))


def test_a_refused_file_says_what_is_accepted(tmp_path: Path) -> None:
    with pytest.raises(media.RejectedMedia) as refused:
        media.store(b"GIF89a...", tmp_path, KEY)
    assert str(refused.value) == "not a JPEG, PNG, WEBP or PDF file"
    assert list(tmp_path.iterdir()) == []
