"""Output size table: aspect-ratio names and resolutions to pixel sizes.

One table for every vendor so a given ``aspect_ratio``/``resolution`` pair always renders the same
size. ProductAI's bare names are mapped as: ``SQUARE`` 1:1, ``LANDSCAPE`` 16:9, ``PORTRAIT`` 9:16
(the seed names the orientation only; 16:9 is the common landscape frame and keeps its 4:3/5:4
siblings distinct). Sizes are rounded to multiples of 8 (encoders and chroma subsampling like it).
"""

from __future__ import annotations

import re

DEFAULT_RATIO = "1:1"
DEFAULT_RESOLUTION = "1K"

RESOLUTIONS: dict[str, int] = {"1K": 1024, "2K": 2048, "4K": 4096}

RATIOS: dict[str, tuple[int, int]] = {
    "1:1": (1, 1),
    "4:3": (4, 3),
    "3:4": (3, 4),
    "16:9": (16, 9),
    "9:16": (9, 16),
    "5:4": (5, 4),
    "4:5": (4, 5),
    "3:2": (3, 2),
    "2:3": (2, 3),
    "21:9": (21, 9),
}

NAMED_RATIOS: dict[str, str] = {
    "SQUARE": "1:1",
    "LANDSCAPE": "16:9",
    "PORTRAIT": "9:16",
    "LANDSCAPE_4_3": "4:3",
    "LANDSCAPE_5_4": "5:4",
    "SQUARE_1_1": "1:1",
    "PORTRAIT_4_5": "4:5",
    "PORTRAIT_3_4": "3:4",
}

_RATIO_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[:x/]\s*(\d+(?:\.\d+)?)\s*$")
_MAX_RATIO = 99.0  # the widest "W:H" ProductAI's documented pattern admits (both sides 1..99)


def _round8(value: float) -> int:
    return max(8, int(round(value / 8.0)) * 8)


def parse_ratio(aspect_ratio: str | None) -> tuple[float, float]:
    """``"16:9"``, ``"LANDSCAPE"``, ``"7:5"`` -> (w, h) weights; ValueError for anything else."""
    name = DEFAULT_RATIO if aspect_ratio is None else aspect_ratio.strip()
    name = NAMED_RATIOS.get(name.upper(), name)
    if name in RATIOS:
        w, h = RATIOS[name]
        return float(w), float(h)
    match = _RATIO_RE.match(name)
    if not match:
        raise ValueError(f"unknown aspect ratio {aspect_ratio!r}")
    w, h = float(match.group(1)), float(match.group(2))
    if w <= 0 or h <= 0 or max(w, h) / min(w, h) > _MAX_RATIO:
        raise ValueError(f"unsupported aspect ratio {aspect_ratio!r}")
    return w, h


def longer_side(resolution: str | None) -> int:
    key = DEFAULT_RESOLUTION if resolution is None else resolution.strip().upper()
    if key not in RESOLUTIONS:
        raise ValueError(f"unknown resolution {resolution!r}")
    return RESOLUTIONS[key]


def output_size(aspect_ratio: str | None, resolution: str | None) -> tuple[int, int]:
    """Pixel size (width, height): the longer side is the resolution's, the other follows the ratio."""
    w, h = parse_ratio(aspect_ratio)
    side = longer_side(resolution)
    if w >= h:
        return side, _round8(side * h / w)
    return _round8(side * w / h), side


def size_table() -> list[dict]:
    """Every named ratio at every resolution, as rows a README or a catalog endpoint can print."""
    rows = []
    names = list(RATIOS) + list(NAMED_RATIOS)
    for name in names:
        ratio = NAMED_RATIOS.get(name, name)
        for resolution in RESOLUTIONS:
            width, height = output_size(name, resolution)
            rows.append({"aspect_ratio": name, "ratio": ratio, "resolution": resolution,
                         "width": width, "height": height})
    return rows
