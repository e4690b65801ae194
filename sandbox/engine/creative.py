"""Ad creative overlay: a translucent banner band with a headline and a call-to-action pill.

Text needs a rasteriser, so this part is Pillow (its bundled default font, scaled), not a graph.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

BAND_FRACTION = 0.22  # banner height, fraction of the frame height
DEFAULT_HEADLINE = "New arrival"
DEFAULT_CTA = "Shop now"


def _fit_font(draw: ImageDraw.ImageDraw, text: str, size: float, max_width: float) -> ImageFont.FreeTypeFont:
    font = ImageFont.load_default(size=size)
    while size > 8 and draw.textlength(text, font=font) > max_width:
        size *= 0.9
        font = ImageFont.load_default(size=size)
    return font


def _clip_text(text: str, limit: int = 80) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def banner(rgb: np.ndarray, headline: str, cta: str, color: tuple[int, int, int],
           accent: tuple[int, int, int]) -> np.ndarray:
    """The frame with a band across its bottom holding ``headline`` (left) and ``cta`` (right)."""
    height, width = rgb.shape[:2]
    band_h = max(16, round(BAND_FRACTION * height))
    base = Image.fromarray(np.ascontiguousarray(rgb), "RGB").convert("RGBA")
    overlay = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    top = height - band_h
    draw.rectangle((0, top, width, height), fill=(*color, 215))
    pad = max(4, round(0.04 * width))
    headline, cta = _clip_text(headline or DEFAULT_HEADLINE), _clip_text(cta or DEFAULT_CTA, 24)
    cta_font = _fit_font(draw, cta, band_h * 0.22, width * 0.3)
    cta_w = draw.textlength(cta, font=cta_font)
    pill_w, pill_h = cta_w + 2 * pad * 0.6, band_h * 0.36
    pill_x1 = width - pad
    pill = (pill_x1 - pill_w, top + band_h * 0.22, pill_x1, top + band_h * 0.22 + pill_h)
    draw.rounded_rectangle(pill, radius=pill_h / 2, fill=(*accent, 255))
    luminance = 0.299 * accent[0] + 0.587 * accent[1] + 0.114 * accent[2]
    cta_color = (20, 20, 20, 255) if luminance > 140 else (255, 255, 255, 255)
    draw.text(((pill[0] + pill[2]) / 2, (pill[1] + pill[3]) / 2), cta, fill=cta_color, font=cta_font, anchor="mm")
    head_font = _fit_font(draw, headline, band_h * 0.3, max(8.0, pill[0] - 2 * pad))
    band_lum = 0.299 * color[0] + 0.587 * color[1] + 0.114 * color[2]
    head_color = (20, 20, 20, 255) if band_lum > 140 else (255, 255, 255, 255)
    draw.text((pad, top + band_h * 0.4), headline, fill=head_color, font=head_font, anchor="lm")
    return np.asarray(Image.alpha_composite(base, overlay).convert("RGB"))
