"""Procedural backdrops whose palette is seeded from the prompt.

A few prompt words steer the hue (``sunset`` is warm, ``forest`` green...) so results feel related
to the request; everything else comes from a SHA-256 of the style key, so the same prompt, model,
seed and variant always give the same scene and any change gives another. The pixels are made by
the ``scene`` graph at a small working size and resized to the frame.
"""

from __future__ import annotations

import colorsys
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from .seeds import rng

SCENE_BLOBS = 6  # soft bokeh discs per scene (a fixed input shape of the graph)
WORK_SIDE = 160  # the backdrop is smooth, so it is computed at this longer side and resized

# word -> (hue, saturation scale, brightness) hints
KEYWORDS: dict[str, tuple[float, float, float]] = {
    "sunset": (0.06, 1.2, 0.8), "beach": (0.12, 0.8, 0.9), "sand": (0.11, 0.6, 0.85),
    "ocean": (0.55, 1.0, 0.75), "sea": (0.55, 1.0, 0.75), "sky": (0.58, 0.8, 0.9),
    "forest": (0.32, 0.9, 0.55), "garden": (0.28, 0.9, 0.7), "leaf": (0.3, 1.0, 0.65),
    "marble": (0.1, 0.15, 0.92), "concrete": (0.1, 0.08, 0.7), "snow": (0.6, 0.1, 0.95),
    "wood": (0.08, 0.8, 0.55), "kitchen": (0.09, 0.5, 0.85), "cafe": (0.07, 0.7, 0.6),
    "night": (0.65, 0.7, 0.2), "neon": (0.85, 1.3, 0.45), "luxury": (0.12, 0.7, 0.25),
    "gold": (0.12, 1.1, 0.7), "pink": (0.95, 0.7, 0.9), "red": (0.0, 1.0, 0.7),
    "blue": (0.6, 1.0, 0.75), "green": (0.33, 1.0, 0.7), "purple": (0.78, 0.9, 0.6),
    "desert": (0.09, 0.8, 0.8), "autumn": (0.07, 1.1, 0.65), "spring": (0.25, 0.8, 0.85),
}


@dataclass(frozen=True)
class Style:
    """A family of scenes: how light, saturated, busy and deep they are."""

    saturation: tuple[float, float]
    brightness: tuple[float, float]
    horizon: tuple[float, float]
    light_gain: tuple[float, float]
    bokeh: float
    grain: float


STYLES: dict[str, Style] = {
    "studio": Style((0.0, 0.04), (0.9, 0.97), (0.62, 0.7), (0.25, 0.4), 0.0, 0.0),
    "lifestyle": Style((0.2, 0.45), (0.65, 0.9), (0.55, 0.68), (0.35, 0.6), 0.12, 0.03),
    "premium": Style((0.3, 0.6), (0.12, 0.3), (0.6, 0.72), (0.5, 0.8), 0.18, 0.015),
    "prompt": Style((0.25, 0.65), (0.45, 0.9), (0.5, 0.7), (0.3, 0.6), 0.14, 0.025),
}

_WORD = re.compile(r"[a-z]+")


def prompt_hint(prompt: str) -> tuple[float, float, float] | None:
    for word in _WORD.findall(prompt.lower()):
        if word in KEYWORDS:
            return KEYWORDS[word]
    return None


def _rgb(h: float, s: float, v: float) -> list[float]:
    return list(colorsys.hsv_to_rgb(h % 1.0, min(max(s, 0.0), 1.0), min(max(v, 0.0), 1.0)))


def scene_feeds(size: tuple[int, int], style: str, prompt: str, key: tuple, strength: float) -> dict[str, np.ndarray]:
    """Feeds for the ``scene`` graph; ``key`` carries everything that must change the result."""
    width, height = size
    spec = STYLES[style]
    gen = rng("scene", style, prompt, key)
    hint = prompt_hint(prompt) if style != "studio" else None
    hue = hint[0] + float(gen.uniform(-0.03, 0.03)) if hint else float(gen.uniform())
    sat_scale, bright = (hint[1], hint[2]) if hint else (1.0, float(gen.uniform(*spec.brightness)))
    if style in ("studio", "premium"):
        bright = float(gen.uniform(*spec.brightness))
    sat = float(gen.uniform(*spec.saturation)) * sat_scale
    accent = hue + float(gen.choice([0.08, -0.08, 0.5, 0.42]))
    palette = np.array([
        _rgb(hue, sat * 0.9, bright * 1.02),
        _rgb(hue + 0.02, sat, bright * 0.86),
        _rgb(accent, sat * 0.7, bright * 0.8),
        _rgb(accent, sat * 0.8, bright * 0.62),
        _rgb(0.1, 0.15, 1.0),
    ], np.float32)
    work_w = max(8, round(WORK_SIDE * width / max(width, height)))
    work_h = max(8, round(WORK_SIDE * height / max(width, height)))
    blobs = np.zeros((SCENE_BLOBS, 4), np.float32)
    blobs[:, 0] = gen.uniform(0.0, 1.0, SCENE_BLOBS)
    blobs[:, 1] = gen.uniform(0.0, 0.55, SCENE_BLOBS)
    blobs[:, 2] = gen.uniform(0.03, 0.12, SCENE_BLOBS)
    blobs[:, 3] = gen.uniform(0.3, 1.0, SCENE_BLOBS) * spec.bokeh * (0.5 + 0.5 * strength)
    blob_colors = np.array([_rgb(accent + float(d), 0.4, min(1.0, bright + 0.25))
                            for d in gen.uniform(-0.1, 0.1, SCENE_BLOBS)], np.float32)
    params = np.array([
        gen.uniform(*spec.horizon), 0.02, gen.uniform(0.2, 0.8), gen.uniform(0.1, 0.4),
        gen.uniform(0.3, 0.6), gen.uniform(*spec.light_gain),
    ], np.float32)
    grain = gen.normal(0.0, spec.grain, (work_h, work_w, 1)).astype(np.float32)
    return {
        "yy": ((np.arange(work_h, dtype=np.float32) + 0.5) / work_h).reshape(work_h, 1, 1),
        "xx": ((np.arange(work_w, dtype=np.float32) + 0.5) / work_w).reshape(1, work_w, 1),
        "palette": palette, "blobs": blobs, "blob_colors": blob_colors, "params": params, "grain": grain,
    }


def backdrop(runtime: Any, size: tuple[int, int], style: str, prompt: str, key: tuple,
             strength: float = 0.65) -> np.ndarray:
    """An HxWx3 uint8 scene of ``size`` (w, h): the graph at the working size, resized by Pillow
    (bilinear on uint8 keeps a 4K backdrop at 50 MB instead of several float planes)."""
    small = runtime.run("scene", scene_feeds(size, style, prompt, key, strength))
    return np.asarray(Image.fromarray(small, "RGB").resize(size, Image.Resampling.BILINEAR))
