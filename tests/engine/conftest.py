"""Shared fixtures: one engine per test session and synthetic images with known masks."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from sandbox.engine import Engine, EngineConfig

PRODUCT_BLUE = (30, 60, 160)
LABEL_RED = (200, 40, 40)


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine(EngineConfig(cache_dir=tmp_path_factory.mktemp("onnx-cache")))


def product_mask(size: tuple[int, int], ss: int = 4) -> np.ndarray:
    """A bottle-like silhouette (rounded body + neck), anti-aliased, uint8 HxW."""
    w, h = size
    img = Image.new("L", (w * ss, h * ss), 0)
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((0.36 * w * ss, 0.35 * h * ss, 0.64 * w * ss, 0.8 * h * ss), radius=0.04 * w * ss, fill=255)
    d.rectangle((0.46 * w * ss, 0.2 * h * ss, 0.54 * w * ss, 0.36 * h * ss), fill=255)
    return np.asarray(img.resize((w, h), Image.Resampling.BOX))


def background(kind: str, size: tuple[int, int]) -> np.ndarray:
    w, h = size
    if kind == "plain":
        return np.broadcast_to(np.array([236, 232, 224], np.float32), (h, w, 3)).copy()
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    top, bottom = np.array([250, 240, 215], np.float32), np.array([150, 175, 225], np.float32)
    vertical = top + (bottom - top) * (yy / (h - 1))[..., None]
    return vertical + 25.0 * (xx / (w - 1) - 0.5)[..., None]


def product_image(kind: str = "plain", size: tuple[int, int] = (256, 256)) -> tuple[np.ndarray, np.ndarray]:
    """(RGB uint8, mask uint8): a blue bottle with a red label on a plain or gradient backdrop."""
    mask = product_mask(size)
    w, h = size
    surface = np.broadcast_to(np.array(PRODUCT_BLUE, np.float32), (h, w, 3)).copy()
    surface[int(0.5 * h):int(0.62 * h)] = LABEL_RED
    a = (mask.astype(np.float32) / 255.0)[..., None]
    rgb = background(kind, size) * (1 - a) + surface * a
    return np.clip(rgb + 0.5, 0, 255).astype(np.uint8), mask


def png_bytes(pixels: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


def data_uri(pixels: np.ndarray) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(pixels)).decode()


def decode(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im.convert("RGBA" if im.mode in ("RGBA", "LA", "P") else "RGB"))


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))
