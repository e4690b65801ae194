"""Pixels -> file bytes with fixed encoder settings (same pixels, same bytes).

PNG uses zlib level 1: results are served by a local sandbox, where encode time matters more than
size. JPEG cannot carry alpha, so transparent results are flattened onto white for it.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

ENCODER_OPTIONS: dict[str, dict] = {
    "png": {"format": "PNG", "compress_level": 1, "optimize": False},
    "jpg": {"format": "JPEG", "quality": 90, "subsampling": 2, "optimize": False, "progressive": False},
    "webp": {"format": "WEBP", "quality": 85, "method": 4, "lossless": False, "exact": False},
}


def flatten(pixels: np.ndarray, color: tuple[int, int, int] = (255, 255, 255)) -> np.ndarray:
    if pixels.shape[2] == 3:
        return pixels
    alpha = pixels[:, :, 3:4].astype(np.uint16)
    rgb = pixels[:, :, :3].astype(np.uint16)
    bg = np.array(color, np.uint16)
    return ((rgb * alpha + bg * (255 - alpha) + 127) // 255).astype(np.uint8)


def encode(pixels: np.ndarray, fmt: str) -> bytes:
    """``fmt`` is one of ``ENCODER_OPTIONS``; ``pixels`` HxWx3 or HxWx4 uint8."""
    if fmt == "jpg":
        pixels = flatten(pixels)
    mode = "RGBA" if pixels.shape[2] == 4 else "RGB"
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels), mode).save(buffer, **ENCODER_OPTIONS[fmt])
    return buffer.getvalue()
