"""Photos and documents from citizens: typed from their bytes, images decoded and encoded again with Pillow
(upright, at most 2048 px, no metadata), checked for size and sharpness, stored encrypted by hash.

Files live under MEDIA_DIR (outside any web root), named by the SHA-256 of the cleaned bytes and encrypted
with the DATA_KEY (``bot.domain.protect``, purpose "photo"): a copied disk shows no document.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFilter, ImageOps, ImageStat

from bot.domain.documents import ACCEPTED_TYPES
from bot.domain.protect import Protector

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_SIDE = 2048  # as FixMyStreet keeps citizens' photos
MIN_SHORT_SIDE = 600  # below this a KTP's text cannot be read
SHARPNESS_SCALE = 1000  # sharpness is measured on the image shrunk to this, so it does not depend on its size
MIN_SHARPNESS = 150.0  # Laplacian variance; printed text blurred past reading (Gaussian radius 3) measures ~100
Image.MAX_IMAGE_PIXELS = 60_000_000  # a larger "photo" is a decompression bomb: refused, not decoded


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


def _sharpness(image: Image.Image) -> float:
    """Variance of the Laplacian of the grey image at a fixed scale: low when the text is too blurry to read."""
    grey = image.convert("L")
    grey.thumbnail((SHARPNESS_SCALE, SHARPNESS_SCALE))
    edges = grey.filter(ImageFilter.Kernel((3, 3), (0, 1, 0, 1, -4, 1, 0, 1, 0), scale=1, offset=128))
    return float(ImageStat.Stat(edges).var[0])


@dataclass(frozen=True)
class Cleaned:
    data: bytes
    content_type: str
    width: int | None = None
    height: int | None = None
    quality: str | None = None  # "ok", "small" (short side under MIN_SHORT_SIDE) or "blurry"; None for a PDF


def clean(data: bytes) -> Cleaned:
    """The file as it is kept: an image decoded, turned upright from its orientation tag, shrunk to MAX_SIDE and
    encoded again (every piece of metadata, and anything appended after the image, is gone), with its size
    and how readable it is; a PDF as sent. Anything else, or an image that does not decode, is refused."""
    content_type = sniff(data)
    if content_type not in ACCEPTED_TYPES:
        raise RejectedMedia("not a JPEG, PNG, WEBP or PDF file")
    if content_type == "application/pdf":
        return Cleaned(data, content_type)
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.format not in FORMATS or FORMATS[opened.format] != content_type:
                raise RejectedMedia(f"the bytes say {content_type} but decode as {opened.format}")
            opened.load()
            image = ImageOps.exif_transpose(opened) or opened
    except RejectedMedia:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:  # truncated, corrupt, huge
        raise RejectedMedia(f"the image cannot be read: {type(error).__name__}") from None
    short = min(image.size)
    quality = "small" if short < MIN_SHORT_SIDE else "blurry" if _sharpness(image) < MIN_SHARPNESS else "ok"
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if content_type == "image/jpeg":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif content_type == "image/png":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=85)
    return Cleaned(out.getvalue(), content_type, image.width, image.height, quality)


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    content_type: str
    size: int
    path: Path
    width: int | None = None
    height: int | None = None
    quality: str | None = None


PURPOSE = "photo"


def store(data: bytes, media_dir: Path, protector: Protector) -> StoredFile:
    """Check and clean the file (``clean``), then write it once under its hash, encrypted (atomic rename)."""
    return keep(clean(data), media_dir, protector)


def keep(cleaned: Cleaned, media_dir: Path, protector: Protector) -> StoredFile:
    """Write a cleaned file once under its hash, encrypted (atomic rename)."""
    digest = hashlib.sha256(cleaned.data).hexdigest()
    target = media_dir / digest[:2] / digest
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(protector.encrypt(cleaned.data, PURPOSE))
        os.replace(tmp, target)
    return StoredFile(digest, cleaned.content_type, len(cleaned.data), target, cleaned.width, cleaned.height,
                      cleaned.quality)


def read(path: Path, protector: Protector) -> bytes:
    """A stored file's bytes, decrypted (``ProtectError`` if it was altered or the key is wrong)."""
    return protector.decrypt(path.read_bytes(), PURPOSE)
