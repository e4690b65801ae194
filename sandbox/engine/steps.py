"""Pipeline steps: small functions ``step(ctx, frame, **args) -> frame`` named in the pipeline table.

A frame is RGB plus an optional alpha. Until a step composites it, the alpha is a matte; a frame
that still has one at the end is returned transparent (PNG/WebP) or flattened on white (JPEG).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import compose, creative, enhance, scene
from .colors import parse_color
from .matte import builtin_alpha
from .seeds import digest, rng
from .synthetic import product_photo

LEVELS: dict[str, float] = {"strict": 0.35, "balanced": 0.65, "creative": 1.0}
SOFTNESS: dict[str, float] = {"strict": 0.8, "balanced": 1.0, "creative": 1.3}
BACKGROUND_TYPES = ("transparent", "white", "color")
UPSCALE_FACTORS = (2, 4)
SUBJECT_SIZE = 384  # synthetic product made up for requests without a source

# How each generation model "looks": scene style, saturation, warmth, vignette. Unknown and custom
# model ids get a look derived from their hash, so every model id renders differently.
MODEL_LOOKS: dict[str, tuple[str, float, float, float]] = {
    "gpt-low": ("prompt", 0.95, 0.0, 0.05),
    "gpt-medium": ("prompt", 1.0, 0.01, 0.08),
    "gpt-high": ("prompt", 1.05, 0.015, 0.1),
    "kontext-pro": ("lifestyle", 1.0, 0.03, 0.12),
    "kontext-max": ("lifestyle", 1.08, 0.04, 0.15),
    "nanobanana": ("prompt", 1.12, -0.01, 0.1),
    "nanobanana2": ("prompt", 1.15, 0.0, 0.12),
    "nanobananapro": ("premium", 1.1, 0.02, 0.22),
    "seedream": ("lifestyle", 1.25, 0.05, 0.18),
}
LOOKS: dict[str, tuple[float, float, float]] = {  # saturation, warmth, vignette at full strength
    "warm": (1.06, 0.05, 0.12),
    "dramatic": (1.15, -0.01, 0.32),
}


@dataclass
class Frame:
    rgb: np.ndarray
    alpha: np.ndarray | None = None
    pad: tuple[int, ...] = (255, 255, 255)  # fill used if the frame must be letterboxed


@dataclass
class Context:
    runtime: Any
    params: Mapping[str, Any]
    size: tuple[int, int]  # (w, h) of the result
    level: str
    key: tuple  # everything that must change seeded choices: pipeline, params, seed, variant
    variant: int = 0
    matter: Any = None

    @property
    def strength(self) -> float:
        return LEVELS[self.level]

    @property
    def prompt(self) -> str:
        for name in ("prompt", "instructions"):
            value = self.params.get(name)
            if isinstance(value, str) and value.strip():
                return value
        return ""

    @property
    def style_text(self) -> str:
        """Words that steer a scene's palette: the prompt plus the preset id (``marble_table``)."""
        preset = self.params.get("preset") or self.params.get("preset_id") or ""
        return f"{self.prompt} {str(preset).replace('_', ' ').replace('-', ' ')}".strip()

    @property
    def jitter(self) -> float:
        """0 for the first image of a job, then 1/2, -1/2, 2/3, -2/3...: distinct per variant."""
        if self.variant <= 0:
            return 0.0
        step = (self.variant + 1) // 2
        return (step if self.variant % 2 else -step) / (step + 1)

    def rng(self, *label: object) -> np.random.Generator:
        return rng(*label, self.key)


def _model_look(model: str) -> tuple[str, float, float, float]:
    if model in MODEL_LOOKS:
        return MODEL_LOOKS[model]
    h = digest("model-look", model)
    style = ("prompt", "lifestyle", "premium")[h[0] % 3]
    return style, 0.9 + 0.35 * h[1] / 255, -0.03 + 0.08 * h[2] / 255, 0.05 + 0.2 * h[3] / 255


def _to_rgb(values: np.ndarray) -> tuple[int, int, int]:
    return tuple(int(v) for v in np.clip(np.asarray(values) * 255 + 0.5, 0, 255))  # type: ignore[return-value]


# -- steps ------------------------------------------------------------------------------------

def matte(ctx: Context, frame: Frame) -> Frame:
    """Keep a source's own transparency; otherwise a configured model, else the built-in matte."""
    if frame.alpha is not None:
        return frame
    if ctx.matter is not None:
        return Frame(frame.rgb, ctx.matter.alpha(frame.rgb))
    softness = max(0.3, SOFTNESS[ctx.level] * (1.0 + 0.3 * ctx.jitter))
    return Frame(frame.rgb, builtin_alpha(ctx.runtime, frame.rgb, softness))


def subject(ctx: Context, frame: Frame | None) -> Frame:
    """The source's product, or (without a source) a synthetic one derived from the prompt."""
    if frame is not None:
        return matte(ctx, frame)
    rgb, mask = product_photo("subject:" + digest(ctx.prompt, ctx.key).hex(), SUBJECT_SIZE)
    return Frame(rgb, mask)


def background(ctx: Context, frame: Frame) -> Frame:
    """``background_type`` transparent (default) | white | color with ``background_color``; unknown
    types fall back to transparent and unparseable colours to white."""
    kind = ctx.params.get("background_type")
    kind = kind if kind in BACKGROUND_TYPES else "transparent"
    if kind == "transparent" or frame.alpha is None:
        return Frame(frame.rgb, frame.alpha, (0, 0, 0, 0))
    color = (255, 255, 255) if kind == "white" else parse_color(ctx.params.get("background_color"))
    rgb = compose.composite(ctx.runtime, frame.rgb, frame.alpha, compose.solid(color))
    return Frame(rgb, None, color)


def fit(ctx: Context, frame: Frame, mode: str = "cover") -> Frame:
    if frame.rgb.shape[1::-1] == ctx.size:
        return frame
    pixels = frame.rgb if frame.alpha is None else np.dstack([frame.rgb, frame.alpha])
    if mode == "contain":
        pixels = compose.fit_contain(pixels, ctx.size, frame.pad)
    else:
        pixels = compose.fit_cover(pixels, ctx.size)
    if pixels.shape[2] == 4:
        return Frame(np.ascontiguousarray(pixels[:, :, :3]), np.ascontiguousarray(pixels[:, :, 3]), frame.pad)
    return Frame(pixels, None, frame.pad)


def tone(ctx: Context, frame: Frame, scale: float = 1.0) -> Frame:
    """Enhance: levels, white balance and sharpening at the preservation level's strength."""
    rgb = enhance.enhance(ctx.runtime, frame.rgb, ctx.strength * scale, warmth=0.02 * ctx.jitter)
    return Frame(rgb, frame.alpha, frame.pad)


def packshot(ctx: Context, frame: Frame, backdrop: str, fill: float, shadow: float) -> Frame:
    """Centre the product's bbox, scaled to ``fill`` of the frame, on white or a studio sweep."""
    alpha = frame.alpha if frame.alpha is not None else np.full(frame.rgb.shape[:2], 255, np.uint8)
    if backdrop == "white":
        bg = compose.solid((255, 255, 255))
    else:
        bg = scene.backdrop(ctx.runtime, ctx.size, "studio", "", ctx.key, ctx.strength)
    where = compose.Placement(fill=fill + 0.02 * ctx.jitter, shadow=shadow)
    return Frame(compose.place(ctx.runtime, frame.rgb, alpha, bg, ctx.size, where))


def stage(ctx: Context, frame: Frame, style: str, base: float = 0.88, fill: float | None = None) -> Frame:
    """Stand the product in a generated scene (``style`` "model" picks the look of ``model``)."""
    if style == "model":
        style = _model_look(str(ctx.params.get("model", "")))[0]
    gen = ctx.rng("stage")
    bg = scene.backdrop(ctx.runtime, ctx.size, style, ctx.style_text, ctx.key, ctx.strength)
    alpha = frame.alpha if frame.alpha is not None else np.full(frame.rgb.shape[:2], 255, np.uint8)
    size = fill if fill is not None else 0.72 - 0.2 * ctx.strength
    where = compose.Placement(fill=size + 0.03 * ctx.jitter, cx=0.5 + float(gen.uniform(-0.1, 0.1)) * ctx.strength,
                              base=base, shadow=0.45)
    return Frame(compose.place(ctx.runtime, frame.rgb, alpha, bg, ctx.size, where))


def grade(ctx: Context, frame: Frame, look: str) -> Frame:
    """A colour grade: a named look, the look of ``model``, or a tint from the prompt's palette."""
    s = ctx.strength
    if look == "model":
        _style, sat, warmth, vignette = _model_look(str(ctx.params.get("model", "")))
        tint = (1.0 + warmth, 1.0, 1.0 - warmth)
    elif look == "prompt":
        hint = scene.prompt_hint(ctx.style_text)
        hue = hint[0] if hint else float(ctx.rng("grade").uniform())
        color = np.array(scene._rgb(hue, 0.6, 1.0))
        tint = tuple(float(v) for v in 1.0 + 0.12 * (color - color.mean()))
        sat, vignette = 1.08, 0.15
    else:
        sat, warmth, vignette = LOOKS[look]
        tint = (1.0 + warmth, 1.0, 1.0 - warmth)
    tint = tuple(1.0 + s * (t - 1.0) for t in tint)
    rgb = enhance.grade(ctx.runtime, frame.rgb, saturation=1.0 + s * (sat - 1.0), tint=tint,  # type: ignore[arg-type]
                        vignette=s * vignette * (1.0 + 0.2 * ctx.jitter))
    return Frame(rgb, frame.alpha, frame.pad)


def ad_banner(ctx: Context, frame: Frame) -> Frame:
    """Headline (``headline``, else the prompt) and ``cta`` on a band in the scene's colours."""
    gen = ctx.rng("banner")
    hue = float(gen.uniform())
    color = _to_rgb(np.array(scene._rgb(hue, 0.55, 0.25)))
    accent = _to_rgb(np.array(scene._rgb(hue + 0.5, 0.75, 0.95)))
    headline = ctx.params.get("headline") or ctx.prompt or creative.DEFAULT_HEADLINE
    cta = ctx.params.get("cta") or ctx.params.get("call_to_action") or creative.DEFAULT_CTA
    return Frame(creative.banner(frame.rgb, str(headline), str(cta), color, accent))


def upscale_factor(params: Mapping[str, Any]) -> int:
    scale = params.get("scale", 2)
    if isinstance(scale, bool) or scale not in UPSCALE_FACTORS:
        raise ValueError(f"upscale scale must be one of {UPSCALE_FACTORS}, not {scale!r}")
    return int(scale)


def upscale(ctx: Context, frame: Frame) -> Frame:
    """Exactly ``scale`` (2 or 4) times the source size."""
    factor = upscale_factor(ctx.params)
    amount = 0.45 + 0.15 * ctx.jitter
    rgb = enhance.upscale(ctx.runtime, frame.rgb, factor, amount)
    alpha = None
    if frame.alpha is not None:  # keep a transparent source transparent
        from PIL import Image  # noqa: PLC0415

        alpha = np.asarray(Image.fromarray(frame.alpha).resize(rgb.shape[1::-1], Image.Resampling.BILINEAR))
    return Frame(rgb, alpha, frame.pad)


STEPS: dict[str, Callable[..., Frame]] = {
    "matte": matte,
    "subject": subject,
    "background": background,
    "fit": fit,
    "enhance": tone,
    "packshot": packshot,
    "stage": stage,
    "grade": grade,
    "banner": ad_banner,
    "upscale": upscale,
}
