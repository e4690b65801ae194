"""The "SANDBOX" mark every result carries by default.

It lives inside :func:`watermark_box`, inset from the bottom-right corner, and nowhere else, so
tests (and integrators) can check every pixel outside that box.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

TEXT = "SANDBOX"


def watermark_box(width: int, height: int) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1), exclusive ends: a box 4.5x as wide as it is tall, its height 4% of the
    shorter side (10..64 px), inset by 2% of the shorter side (at least 2 px) from the corner;
    clamped to the image."""
    short = min(width, height)
    box_h = min(64, max(10, round(0.04 * short)))
    box_w = round(box_h * 4.5)
    inset = max(2, round(0.02 * short))
    x1, y1 = max(1, width - inset), max(1, height - inset)
    return max(0, x1 - box_w), max(0, y1 - box_h), x1, y1


def apply_watermark(pixels: np.ndarray) -> np.ndarray:
    """A translucent dark plate with white text, blended inside the box only (RGB or RGBA)."""
    height, width = pixels.shape[:2]
    x0, y0, x1, y1 = watermark_box(width, height)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return pixels
    out = pixels.copy()
    region = out[y0:y1, x0:x1]
    rgba = region if region.shape[2] == 4 else np.dstack([region, np.full(region.shape[:2], 255, np.uint8)])
    base = Image.fromarray(np.ascontiguousarray(rgba), "RGBA")
    plate = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(plate)
    bw, bh = base.size
    draw.rounded_rectangle((0, 0, bw - 1, bh - 1), radius=max(1, bh // 4), fill=(20, 20, 24, 150))
    size = max(6.0, bh * 0.62)
    font = ImageFont.load_default(size=size)
    while size > 6 and draw.textlength(TEXT, font=font) > bw * 0.9:
        size -= 1
        font = ImageFont.load_default(size=size)
    draw.text((bw / 2, bh / 2), TEXT, fill=(255, 255, 255, 235), font=font, anchor="mm")
    blended = np.asarray(Image.alpha_composite(base, plate))
    out[y0:y1, x0:x1] = blended if region.shape[2] == 4 else blended[:, :, :3]
    return out
