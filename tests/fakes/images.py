"""Real images for tests, made with Pillow: a document-like card with text, with camera metadata (EXIF with a
GPS position, an orientation tag), optionally blurred, small, or with bytes appended after the image."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFilter, ImageFont

GPS_TAG, ORIENTATION_TAG, MAKE_TAG = 0x8825, 0x0112, 0x010F


def card(width: int = 1600, height: int = 1000, *, blur: float = 0) -> Image.Image:
    """A KTP-like card: pale background, lines of dark text."""
    image = Image.new("RGB", (width, height), (230, 235, 245))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(10, height // 25))
    for line in range(12):
        draw.text((width // 25, height // 25 + line * height // 13), "NIK 6301054501900002 SITI AMINAH PELAIHARI",
                  fill=(20, 20, 20), font=font)
    return image.filter(ImageFilter.GaussianBlur(blur)) if blur else image


def encoded(image: Image.Image, fmt: str = "JPEG", *, gps: bool = True, orientation: int | None = None,
            trailer: bytes = b"") -> bytes:
    exif = Image.Exif()
    exif[MAKE_TAG] = "KameraHP"
    if gps:
        exif[GPS_TAG] = {1: "S", 2: (3.0, 47.0, 12.5), 3: "E", 4: (114.0, 45.0, 3.2)}
    if orientation:
        exif[ORIENTATION_TAG] = orientation
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes())
    return out.getvalue() + trailer


def jpeg(width: int = 1600, height: int = 1000, **options: object) -> bytes:
    blur = float(options.pop("blur", 0))  # type: ignore[arg-type]
    return encoded(card(width, height, blur=blur), "JPEG", **options)  # type: ignore[arg-type]
