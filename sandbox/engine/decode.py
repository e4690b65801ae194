"""Bytes -> pixels, refusing anything but a complete PNG, JPEG or WebP within the caps.

Every failure becomes a :class:`SourceError`: a client-supplied file must never surface as a
library exception (Pillow raises OSError, SyntaxError, ValueError, struct.error... on bad input).
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageOps

from .errors import SourceError

FORMATS = ("PNG", "JPEG", "WEBP")
CONTENT_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/jpg": "JPEG", "image/webp": "WEBP"}


def sniff(data: bytes) -> str | None:
    """The format named by the magic bytes, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def decode_image(data: bytes, *, max_bytes: int, max_pixels: int) -> tuple[np.ndarray, str]:
    """(pixels, format): pixels are HxWx3 or HxWx4 (when the file has transparency) uint8."""
    if len(data) > max_bytes:
        raise SourceError("too_large", f"image is {len(data)} bytes, the limit is {max_bytes}")
    if not data:
        raise SourceError("invalid_image", "image is empty")
    fmt = sniff(data)
    if fmt is None:
        raise SourceError("invalid_image", "not a PNG, JPEG or WebP image")
    if fmt == "PNG" and len(data) >= 24 and data[12:16] == b"IHDR":  # refuse before Pillow parses more
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        if width * height > max_pixels:
            raise SourceError("too_large", f"image is {width}x{height}, the limit is {max_pixels} pixels")
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as im:
            width, height = im.size
            if width <= 0 or height <= 0 or width * height > max_pixels:
                raise SourceError("too_large", f"image is {width}x{height}, the limit is {max_pixels} pixels")
            im.load()
            im = ImageOps.exif_transpose(im)
            if im.mode.startswith("I"):  # 16-bit greyscale: keep the top byte rather than clip
                im = Image.fromarray((np.asarray(im).astype(np.uint32) >> 8).clip(0, 255).astype(np.uint8))
            has_alpha = im.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in im.info
            pixels = np.asarray(im.convert("RGBA" if has_alpha else "RGB"))
    except SourceError:
        raise
    except Image.DecompressionBombError as exc:
        raise SourceError("too_large", str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - any decoder failure is the file's fault
        raise SourceError("invalid_image", f"cannot decode {fmt} image: {exc}") from None
    if pixels.ndim == 3 and pixels.shape[2] == 4 and bool((pixels[:, :, 3] == 255).all()):
        pixels = pixels[:, :, :3]  # an opaque alpha channel carries nothing
    return np.ascontiguousarray(pixels), fmt
