"""The pipeline table: every operation/tool/model name the sandbox renders, as a list of steps.

Parameters read (all optional; unknown keys are ignored, but every key changes seeded choices):

- ``preservation_level`` strict | balanced | creative: strength of every step (default per
  pipeline: strict for Product Photo operations, as the seed documents; balanced elsewhere).
- ``prompt`` (or ``instructions``), ``preset``/``preset_id``, ``model``: seed the scene and look.
- ``background_type`` transparent | white | color and ``background_color`` (remove_background).
- ``headline``, ``cta`` (ad_creative). ``scale`` 2 | 4 (productai_upscale; default 2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

REQUIRED, OPTIONAL, NONE = "required", "optional", "none"


@dataclass(frozen=True)
class Pipeline:
    steps: tuple[tuple[str, Mapping[str, Any]], ...]
    source: str = REQUIRED
    level: str = "balanced"


def _steps(*steps: tuple[str, dict] | str) -> tuple[tuple[str, Mapping[str, Any]], ...]:
    return tuple((s, MappingProxyType({})) if isinstance(s, str) else (s[0], MappingProxyType(s[1])) for s in steps)


def _p(*steps: tuple[str, dict] | str, source: str = REQUIRED, level: str = "balanced") -> Pipeline:
    return Pipeline(_steps(*steps), source, level)


_CUTOUT = _p("matte", "background", ("fit", {"mode": "contain"}), level="strict")
_GENERATE = _p("matte", ("stage", {"style": "model"}), ("grade", {"look": "model"}))

PIPELINES: dict[str, Pipeline] = {
    # AI Gen Studio Product Photo operations
    "product_photo_enhance": _p("fit", "enhance", level="strict"),
    "remove_background": _CUTOUT,
    "studio_packshot": _p("matte", ("packshot", {"backdrop": "studio", "fill": 0.85, "shadow": 0.3}), level="strict"),
    "marketplace_clean": _p(("enhance", {"scale": 0.6}), "matte",
                            ("packshot", {"backdrop": "white", "fill": 0.85, "shadow": 0.0}), level="strict"),
    "natural_lifestyle": _p("matte", ("stage", {"style": "lifestyle"}), ("grade", {"look": "warm"}), level="strict"),
    "premium_ad": _p("matte", ("stage", {"style": "premium", "base": 0.84}), ("grade", {"look": "dramatic"}),
                     level="strict"),
    # AI Gen Studio Image API tools ("remove_background" above serves both APIs)
    "image_editing": _p("fit", "enhance"),
    "image_ai_edit": _p("fit", "enhance", ("grade", {"look": "prompt"})),
    "ai_background": _p("matte", ("stage", {"style": "prompt"})),
    "image_generation": _p("subject", ("stage", {"style": "prompt"}), ("grade", {"look": "prompt"}), source=NONE),
    "ad_creative": _p("subject", ("stage", {"style": "prompt", "base": 0.74, "fill": 0.5}), "banner", source=OPTIONAL),
    # ProductAI /api/*
    "productai_generate": _GENERATE,
    "productai_upscale": _p("upscale"),
    "productai_custom_model": _GENERATE,
    # ProductAI /v1/generate
    "productai_v1_generate": _GENERATE,
}
