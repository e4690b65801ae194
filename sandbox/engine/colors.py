"""Lenient colour parsing for background colours.

Vendors document ``background.color`` as a free string, and a schema-valid request must never fail,
so anything unparseable falls back to white (``DEFAULT_COLOR``) instead of raising.
"""

from __future__ import annotations

import re

DEFAULT_COLOR: tuple[int, int, int] = (255, 255, 255)

NAMED_COLORS: dict[str, tuple[int, int, int]] = {
    "white": (255, 255, 255),
    "black": (0, 0, 0),
    "red": (255, 0, 0),
    "green": (0, 128, 0),
    "lime": (0, 255, 0),
    "blue": (0, 0, 255),
    "yellow": (255, 255, 0),
    "orange": (255, 165, 0),
    "purple": (128, 0, 128),
    "pink": (255, 192, 203),
    "gray": (128, 128, 128),
    "grey": (128, 128, 128),
    "lightgray": (211, 211, 211),
    "lightgrey": (211, 211, 211),
    "beige": (245, 245, 220),
    "navy": (0, 0, 128),
    "teal": (0, 128, 128),
    "brown": (165, 42, 42),
}

_HEX_RE = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_RGB_RE = re.compile(r"^rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)$", re.IGNORECASE)


def parse_color(value: object, default: tuple[int, int, int] = DEFAULT_COLOR) -> tuple[int, int, int]:
    """CSS ``#rgb``/``#rrggbb`` (``#`` optional), ``rgb(r, g, b)`` or a name from ``NAMED_COLORS``."""
    if not isinstance(value, str):
        return default
    text = value.strip()
    match = _HEX_RE.match(text)
    if match:
        digits = match.group(1)
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
    match = _RGB_RE.match(text)
    if match:
        channels = tuple(int(g) for g in match.groups())
        if all(c <= 255 for c in channels):
            return channels  # type: ignore[return-value]
        return default
    return NAMED_COLORS.get(text.lower().replace(" ", ""), default)
