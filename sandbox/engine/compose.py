"""Placing a cut-out product on a background: bbox framing, contact shadow, compositing.

Geometry (bbox, scale, position, the shadow's ellipse) is plain Python; resampling uses Pillow
(premultiplied RGBA resize); the per-pixel blend is the ``composite`` graph.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .strips import run_rows

NO_SHADOW = np.zeros((1, 1), np.uint8)
BBOX_THRESHOLD = 128  # alpha at or above this counts as product
BBOX_TRIM = 0.002  # fraction of product pixels ignored on each side (stray matte specks)


def robust_bbox(alpha: np.ndarray) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1), exclusive ends, of the product in ``alpha``; None when there is none."""
    mask = alpha >= BBOX_THRESHOLD
    cols = mask.sum(axis=0, dtype=np.int64)
    rows = mask.sum(axis=1, dtype=np.int64)
    total = int(cols.sum())
    if total == 0:
        return None
    cut = total * BBOX_TRIM

    def span(counts: np.ndarray) -> tuple[int, int]:
        csum = np.cumsum(counts)
        lo = int(np.searchsorted(csum, cut, side="right"))
        hi = int(np.searchsorted(csum, total - cut, side="left")) + 1
        return lo, max(hi, lo + 1)

    x0, x1 = span(cols)
    y0, y1 = span(rows)
    return x0, y0, x1, y1


def solid(color: tuple[int, int, int]) -> np.ndarray:
    """A 1x1 background the composite graph broadcasts over the frame."""
    return np.array(color, np.uint8).reshape(1, 1, 3)


def composite(runtime: Any, fg: np.ndarray, alpha: np.ndarray, bg: np.ndarray,
              shadow: np.ndarray = NO_SHADOW, shadow_strength: float = 0.0) -> np.ndarray:
    return run_rows(runtime, "composite", {
        "fg": np.ascontiguousarray(fg), "alpha": np.ascontiguousarray(alpha), "bg": np.ascontiguousarray(bg),
        "shadow": np.ascontiguousarray(shadow), "shadow_strength": np.array([shadow_strength], np.float32),
    }, fg.shape[0])


@dataclass(frozen=True)
class Placement:
    """Where the product goes: its bbox is scaled to ``fill`` of the frame along the limiting side
    and centred on (cx, cy) in frame fractions, or stood with its base at ``base`` when set."""

    fill: float
    cx: float = 0.5
    cy: float = 0.5
    base: float | None = None
    shadow: float = 0.0


@dataclass(frozen=True)
class Layer:
    rgb: np.ndarray  # HxWx3, zeros outside the product
    alpha: np.ndarray  # HxW
    box: tuple[float, float, float, float]  # the product's bbox in the frame (floats)


def layout(rgb: np.ndarray, alpha: np.ndarray, size: tuple[int, int], where: Placement) -> Layer:
    """The product cropped to its bbox, scaled and positioned on a frame of ``size`` (w, h)."""
    width, height = size
    src_h, src_w = alpha.shape
    bbox = robust_bbox(alpha) or (0, 0, src_w, src_h)
    x0, y0, x1, y1 = bbox
    bw, bh = x1 - x0, y1 - y0
    scale = where.fill * min(width / bw, height / bh)
    cx = where.cx * width
    cy = where.cy * height if where.base is None else where.base * height - bh * scale / 2
    pad = 2 + math.ceil(2 / scale)  # keep the soft edge that lies just outside the bbox
    px0, py0 = max(0, x0 - pad), max(0, y0 - pad)
    px1, py1 = min(src_w, x1 + pad), min(src_h, y1 + pad)
    left = round(cx - (bw / 2 + (x0 - px0)) * scale)
    top = round(cy - (bh / 2 + (y0 - py0)) * scale)
    out_w, out_h = max(1, round((px1 - px0) * scale)), max(1, round((py1 - py0) * scale))
    rgba = np.dstack([rgb[py0:py1, px0:px1], alpha[py0:py1, px0:px1]])
    piece = np.asarray(Image.fromarray(rgba, "RGBA").resize((out_w, out_h), Image.Resampling.BICUBIC))
    fg = np.zeros((height, width, 3), np.uint8)
    mask = np.zeros((height, width), np.uint8)
    fx0, fy0 = max(0, left), max(0, top)
    fx1, fy1 = min(width, left + out_w), min(height, top + out_h)
    if fx1 > fx0 and fy1 > fy0:
        part = piece[fy0 - top:fy1 - top, fx0 - left:fx1 - left]
        fg[fy0:fy1, fx0:fx1] = part[:, :, :3]
        mask[fy0:fy1, fx0:fx1] = part[:, :, 3]
    box = (cx - bw * scale / 2, cy - bh * scale / 2, cx + bw * scale / 2, cy + bh * scale / 2)
    return Layer(fg, mask, box)


def contact_shadow(size: tuple[int, int], box: tuple[float, float, float, float]) -> np.ndarray:
    """A soft elliptical shadow under the product's base, drawn and blurred at quarter size."""
    width, height = size
    q = 4
    x0, _y0, x1, y1 = box
    pw = x1 - x0
    small = Image.new("L", (max(1, width // q), max(1, height // q)), 0)
    cx, rx, ry = (x0 + x1) / 2 / q, 0.48 * pw / q, max(1.0, 0.05 * pw / q)
    ImageDraw.Draw(small).ellipse((cx - rx, y1 / q - ry, cx + rx, y1 / q + ry), fill=255)
    small = small.filter(ImageFilter.GaussianBlur(max(1.0, 0.05 * pw / q)))
    return np.asarray(small.resize((width, height), Image.Resampling.BILINEAR))


def place(runtime: Any, rgb: np.ndarray, alpha: np.ndarray, background: np.ndarray,
          size: tuple[int, int], where: Placement) -> np.ndarray:
    """The product composited onto ``background`` (full frame, or 1x1 for a flat colour)."""
    layer = layout(rgb, alpha, size, where)
    shadow = contact_shadow(size, layer.box) if where.shadow > 0 else NO_SHADOW
    return composite(runtime, layer.rgb, layer.alpha, background, shadow, where.shadow)


def fit_cover(pixels: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Scale to cover ``size`` (w, h) and centre-crop; works for RGB and RGBA."""
    width, height = size
    src_h, src_w = pixels.shape[:2]
    if (src_w, src_h) == (width, height):
        return pixels
    scale = max(width / src_w, height / src_h)
    crop_w, crop_h = width / scale, height / scale
    box = ((src_w - crop_w) / 2, (src_h - crop_h) / 2, (src_w + crop_w) / 2, (src_h + crop_h) / 2)
    mode = "RGBA" if pixels.shape[2] == 4 else "RGB"
    return np.asarray(Image.fromarray(pixels, mode).resize((width, height), Image.Resampling.BICUBIC, box=box))


def fit_contain(pixels: np.ndarray, size: tuple[int, int], fill: tuple[int, ...]) -> np.ndarray:
    """Scale to fit inside ``size`` and pad with ``fill`` (RGB or RGBA, matching ``pixels``)."""
    width, height = size
    src_h, src_w = pixels.shape[:2]
    if (src_w, src_h) == (width, height):
        return pixels
    scale = min(width / src_w, height / src_h)
    new_w, new_h = max(1, round(src_w * scale)), max(1, round(src_h * scale))
    mode = "RGBA" if pixels.shape[2] == 4 else "RGB"
    resized = Image.fromarray(pixels, mode).resize((new_w, new_h), Image.Resampling.BICUBIC)
    canvas = Image.new(mode, (width, height), fill)
    canvas.paste(resized, ((width - new_w) // 2, (height - new_h) // 2))
    return np.asarray(canvas)
