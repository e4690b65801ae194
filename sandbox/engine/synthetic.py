"""A deterministic synthetic product photo for any URL that has no real image behind it.

It looks like the photos the real APIs receive (a bottle, box or can with a label, a soft shadow,
a busy textured backdrop) so every pipeline has something meaningful to cut out and restage, and it
comes with its exact product mask. Everything is seeded from the SHA-256 of the key.
"""

from __future__ import annotations

import colorsys
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .seeds import digest, rng

DEFAULT_SIZE = 768
KINDS = ("bottle", "box", "can")
_SS = 2  # supersampling for anti-aliased silhouettes


def _hsv(h: float, s: float, v: float) -> np.ndarray:
    return np.array(colorsys.hsv_to_rgb(h % 1.0, s, v), dtype=np.float32)


def _texture(gen: np.random.Generator, size: int) -> np.ndarray:
    """A busy but low-contrast backdrop texture in [-1, 1]: fabric, wood grain, speckle or tiles."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    kind = int(gen.integers(4))
    coarse = gen.standard_normal((9, 9)).astype(np.float32)
    warp = np.asarray(Image.fromarray(coarse, mode="F").resize((size, size), Image.Resampling.BICUBIC))
    if kind == 0:  # woven fabric
        f = float(gen.uniform(60, 110))
        tex = 0.5 * np.sin(2 * np.pi * f * xx) * np.sin(2 * np.pi * f * yy) + 0.5 * np.sin(2 * np.pi * 7 * (xx + yy) + warp)
    elif kind == 1:  # wood grain
        f = float(gen.uniform(18, 30))
        tex = np.sin(2 * np.pi * f * (yy + 0.04 * warp) + 3.0 * warp)
    elif kind == 2:  # speckled stone
        fine = gen.standard_normal((size // 4, size // 4)).astype(np.float32)
        fine = np.asarray(Image.fromarray(fine, mode="F").resize((size, size), Image.Resampling.BILINEAR))
        tex = 0.6 * np.tanh(fine) + 0.4 * np.tanh(warp)
    else:  # tiles
        n = int(gen.integers(5, 9))
        gx = np.abs(((xx * n) % 1.0) - 0.5)
        gy = np.abs(((yy * n) % 1.0) - 0.5)
        tex = np.where(np.maximum(gx, gy) > 0.47, -1.0, 0.25 * np.tanh(warp)).astype(np.float32)
    return np.clip(tex, -1, 1).astype(np.float32)


def _silhouette(kind: str, size: int, cx: float, base: float, height: float) -> tuple[Image.Image, dict]:
    """Anti-aliased product mask (L, supersampled) plus its geometry in supersampled pixels."""
    s = size * _SS
    mask = Image.new("L", (s, s), 0)
    draw = ImageDraw.Draw(mask)
    c, b, h = cx * _SS, base * _SS, height * _SS
    if kind == "bottle":
        w = 0.36 * h
        body_top = b - 0.68 * h
        draw.rounded_rectangle((c - w / 2, body_top, c + w / 2, b), radius=w * 0.18, fill=255)
        draw.polygon([(c - w / 2, body_top + w * 0.2), (c - w * 0.16, b - 0.85 * h),
                      (c + w * 0.16, b - 0.85 * h), (c + w / 2, body_top + w * 0.2)], fill=255)
        draw.rectangle((c - w * 0.16, b - h, c + w * 0.16, b - 0.84 * h), fill=255)
        geo = {"w": w, "label": (b - 0.52 * h, b - 0.2 * h), "cap": (b - h, b - 0.9 * h)}
    elif kind == "can":
        w = 0.55 * h
        e = 0.09 * w
        draw.rectangle((c - w / 2, b - h + e, c + w / 2, b - e), fill=255)
        draw.ellipse((c - w / 2, b - h, c + w / 2, b - h + 2 * e), fill=255)
        draw.ellipse((c - w / 2, b - 2 * e, c + w / 2, b), fill=255)
        geo = {"w": w, "label": (b - 0.7 * h, b - 0.3 * h), "cap": None}
    else:
        w = 0.72 * h
        d = 0.16 * w
        draw.polygon([(c - w / 2, b), (c - w / 2, b - h + d), (c - w / 2 + d, b - h), (c + w / 2 + d, b - h),
                      (c + w / 2 + d, b - d), (c + w / 2, b)], fill=255)
        geo = {"w": w, "label": (b - 0.62 * h, b - 0.3 * h), "cap": None, "depth": d, "top": b - h}
    return mask, geo


def _brand(gen: np.random.Generator) -> str:
    letters = "ABCDEFGHIKLMNOPRSTUVZ"
    return "".join(letters[int(i)] for i in gen.integers(len(letters), size=int(gen.integers(3, 6))))


@lru_cache(maxsize=16)
def product_photo(key: str, size: int = DEFAULT_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """(RGB uint8 HxWx3, product mask uint8 HxW) for ``key``; cached, arrays are read-only."""
    gen = rng("synthetic-product", key, size)
    kind = KINDS[int.from_bytes(digest("kind", key)[:4], "big") % len(KINDS)]
    dark_backdrop = gen.uniform() < 0.25
    bg_hue = float(gen.uniform())
    bg = _hsv(bg_hue, float(gen.uniform(0.12, 0.4)),
              float(gen.uniform(0.2, 0.3) if dark_backdrop else gen.uniform(0.72, 0.9)))
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    angle = float(gen.uniform(0, 2 * np.pi))
    ramp = (np.cos(angle) * (xx - 0.5) + np.sin(angle) * (yy - 0.5))[..., None]
    img = bg[None, None, :] * (1.0 + 0.16 * ramp) + 0.065 * _texture(gen, size)[..., None]
    img += gen.normal(0, 0.008, size=(size, size, 1)).astype(np.float32)

    height = float(gen.uniform(0.5, 0.64)) * size
    cx = size * float(0.5 + gen.uniform(-0.06, 0.06))
    base = size * float(gen.uniform(0.8, 0.86))
    mask_img, geo = _silhouette(kind, size, cx, base, height)

    shadow = Image.new("L", (size, size), 0)
    half = geo["w"] / _SS * 0.75
    ImageDraw.Draw(shadow).ellipse((cx - half, base - 0.03 * size, cx + half, base + 0.03 * size), fill=255)
    shadow = shadow.filter(ImageFilter.GaussianBlur(0.03 * size))
    img *= 1.0 - 0.16 * (np.asarray(shadow, np.float32) / 255.0)[..., None]

    product = _hsv(bg_hue + float(gen.uniform(0.33, 0.67)), float(gen.uniform(0.55, 0.9)),
                   float(gen.uniform(0.78, 0.95) if dark_backdrop else gen.uniform(0.32, 0.55)))
    label_col = _hsv(bg_hue + float(gen.uniform(0.1, 0.25)), float(gen.uniform(0.1, 0.3)),
                     0.12 if not dark_backdrop else 0.55)
    s = size * _SS
    layer = Image.new("RGB", (s, s), tuple(int(v * 255) for v in product))
    draw = ImageDraw.Draw(layer)
    c, w = cx * _SS, geo["w"]
    top, bottom = geo["label"]
    draw.rectangle((c - w, top, c + w, bottom), fill=tuple(int(v * 255) for v in label_col))
    text_col = tuple(int(v * 255) for v in product)
    font = ImageFont.load_default(size=max(8.0, 0.3 * (bottom - top)))
    draw.text((c, top + 0.4 * (bottom - top)), _brand(gen), fill=text_col, font=font, anchor="mm")
    for i in range(2):
        y = top + (bottom - top) * (0.75 + 0.1 * i)
        draw.line((c - 0.3 * w, y, c + 0.3 * w, y), fill=text_col, width=max(1, int(0.006 * s)))
    if geo.get("cap"):
        cap_top, cap_bottom = geo["cap"]
        draw.rectangle((c - w, cap_top, c + w, cap_bottom), fill=(40, 40, 46))
    if geo.get("depth"):
        d = geo["depth"]
        dark = tuple(int(v * 160) for v in product)
        draw.polygon([(c + w / 2, 0), (c + w / 2 + d, 0), (c + w / 2 + d, s), (c + w / 2, s)], fill=dark)
        light = tuple(int(min(1.0, v * 1.25) * 255) for v in product)
        draw.rectangle((c - w, 0, c + w + d, geo["top"] + d), fill=light)
    surface = np.asarray(layer.resize((size, size), Image.Resampling.BOX), np.float32) / 255.0
    mask = np.asarray(mask_img.resize((size, size), Image.Resampling.BOX))

    if kind != "box":  # cylindrical shading and a specular streak
        u = np.clip((xx * size - cx) / (geo["w"] / _SS / 2), -1, 1)
        shade = 0.72 + 0.28 * np.cos(u * np.pi / 2) + 0.25 * np.exp(-((u + 0.45) / 0.12) ** 2)
        surface = surface * shade[..., None]
    alpha = (mask.astype(np.float32) / 255.0)[..., None]
    img = img * (1 - alpha) + surface * alpha
    rgb = np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8)
    rgb.flags.writeable = False
    mask.flags.writeable = False
    return rgb, mask
