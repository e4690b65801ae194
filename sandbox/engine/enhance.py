"""Tonal work on whole images: enhance (levels, grey-world balance, unsharp), creative grade, upscale.

Image statistics are taken in numpy on a strided sample (small, fixed order: deterministic); the
per-pixel work is the ``enhance``, ``grade`` and ``upscale`` graphs.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .strips import run_rows

STATS_SIDE = 256  # statistics come from a sample of about this many pixels per side
UPSCALE_STRIP_PIXELS = 2_000_000  # output pixels per upscale run: bounds memory at 4K
UPSCALE_HALO = 4  # source rows of overlap between strips (Resize needs 1, the sharpen 1)
SHARPEN_HALO = 4  # rows of overlap for the enhance graph (its 5-tap blur reaches 2 rows)


def _sample(rgb: np.ndarray) -> np.ndarray:
    step = max(1, math.ceil(max(rgb.shape[:2]) / STATS_SIDE))
    return rgb[::step, ::step].reshape(-1, 3).astype(np.float32)


def enhance(runtime: Any, rgb: np.ndarray, strength: float, warmth: float = 0.0) -> np.ndarray:
    """Stretch levels to the 0.5/99.5 luminance percentiles and pull channel means toward grey,
    both by ``strength`` (0..1), then sharpen; ``warmth`` shifts red against blue."""
    pixels = _sample(rgb)
    lum = pixels @ np.array([0.299, 0.587, 0.114], np.float32)
    lo, hi = (float(v) for v in np.percentile(lum, [0.5, 99.5]))
    black = lo * strength
    white = 255.0 - (255.0 - hi) * strength
    if white - black < 32.0:
        black, white = 0.0, 255.0
    means = np.maximum(pixels.mean(axis=0), 1.0)
    balance = np.clip(1.0 + strength * (means.mean() / means - 1.0), 0.8, 1.25)
    balance = balance * np.array([1.0 + warmth, 1.0, 1.0 - warmth], np.float32)
    return run_rows(runtime, "enhance", {
        "image": np.ascontiguousarray(rgb),
        "black": np.array([black], np.float32),
        "gain": (balance * 255.0 / (white - black)).astype(np.float32),
        "amount": np.array([0.8 * strength], np.float32),
    }, rgb.shape[0], halo=SHARPEN_HALO)


def vignette_profile(n: int, amount: float) -> np.ndarray:
    t = (np.arange(n, dtype=np.float32) + 0.5) / n * 2.0 - 1.0
    return (1.0 - amount * t * t).astype(np.float32)


def grade(runtime: Any, rgb: np.ndarray, *, saturation: float, tint: tuple[float, float, float],
          lift: tuple[float, float, float] = (0.0, 0.0, 0.0), vignette: float = 0.0) -> np.ndarray:
    """out = tint * (lum + saturation * (rgb - lum)) + lift, darkened toward the corners. Both
    colour steps are linear in rgb, so they reach the graph as one 3x3 matrix."""
    height, width = rgb.shape[:2]
    luma = np.array([[0.299, 0.587, 0.114]], np.float64)
    matrix = np.diag(tint) @ (saturation * np.eye(3) + (1.0 - saturation) * np.ones((3, 1)) @ luma)
    return run_rows(runtime, "grade", {
        "image": np.ascontiguousarray(rgb),
        "matrix": matrix.astype(np.float32),
        "offset": np.array(lift, np.float32),
        "vy": vignette_profile(height, vignette).reshape(height, 1),
        "vx": vignette_profile(width, vignette).reshape(1, width),
    }, height)


def upscale(runtime: Any, rgb: np.ndarray, scale: int, amount: float) -> np.ndarray:
    """Exactly ``scale`` times larger: linear Resize + sharpen, in horizontal strips of the source so
    a 4K result never holds more than a few float planes of ``UPSCALE_STRIP_PIXELS``. The strip
    height depends only on the image size, so the bytes do not depend on anything else."""
    height, width = rgb.shape[:2]
    rows = max(8, UPSCALE_STRIP_PIXELS // (width * scale * scale))
    out = np.empty((height * scale, width * scale, 3), np.uint8)
    feed_amount = np.array([amount], np.float32)
    for r0 in range(0, height, rows):
        r1 = min(height, r0 + rows)
        a, b = max(0, r0 - UPSCALE_HALO), min(height, r1 + UPSCALE_HALO)
        part = runtime.run("upscale", {
            "image": np.ascontiguousarray(rgb[a:b]),
            "sizes": np.array([1, 3, (b - a) * scale, width * scale], np.int64),
            "amount": feed_amount,
        })
        out[r0 * scale:r1 * scale] = part[(r0 - a) * scale:(r1 - a) * scale]
    return out
