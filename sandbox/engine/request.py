"""What a render is asked for and what it returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .sources import SourceImage

MEDIA_TYPES: dict[str, str] = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
FORMAT_ALIASES: dict[str, str] = {"jpeg": "jpg"}


def normalize_format(fmt: str) -> str:
    """``png``/``jpg``/``jpeg``/``webp`` (any case) -> the key of ``MEDIA_TYPES``; ValueError otherwise."""
    key = FORMAT_ALIASES.get(fmt.lower(), fmt.lower())
    if key not in MEDIA_TYPES:
        raise ValueError(f"unsupported output format {fmt!r}")
    return key


@dataclass(frozen=True)
class RenderRequest:
    """One image to render.

    ``width``/``height`` of ``None`` mean the pipeline's natural size: the source size (times
    ``scale`` for upscaling) or 1024x1024 without a source. ``variant`` is the index of the image
    within one job (``num_images``); ``seed`` is the sandbox seed. Both change the bytes.
    """

    pipeline: str
    source: SourceImage | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    width: int | None = None
    height: int | None = None
    format: str = "png"
    variant: int = 0
    seed: int = 0


@dataclass(frozen=True)
class Rendered:
    data: bytes
    media_type: str
    width: int
    height: int
    format: str
