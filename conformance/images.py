"""Recognising image bytes: format from magic numbers, dimensions from Pillow."""

from __future__ import annotations

import io

from PIL import Image

CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}


def sniff(data: bytes) -> str | None:
    """The format named by the file's magic bytes (jpg, png, webp), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def normalise(name: object) -> str | None:
    if not isinstance(name, str):
        return None
    name = name.lower().lstrip(".")
    return "jpg" if name in ("jpg", "jpeg", "image/jpeg") else name.replace("image/", "")


def dimensions(data: bytes) -> tuple[int, int] | None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return image.size
    except Exception:  # Pillow raises many kinds; any of them means "not a readable image".
        return None
