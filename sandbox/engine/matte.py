"""Alpha mattes: the built-in colour-distance matte, or a user's u2net-style model.

Built-in: the background is modelled as bg(y, x) = col[x] + row[y] from the border bands (median
across each band, smoothed along it), which is exact for flat and linear-gradient backdrops and
close for soft vignettes. The threshold adapts to the texture of the border so busy backdrops stay
background. The per-pixel work runs in the ``matte`` graph.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

BAND = 0.04  # border band depth, fraction of the shorter side
WORK_PIXELS = 600 * 600  # above this the distance is computed at an integer fraction of the size
MIN_THRESHOLD = 28.0  # colour distance (0..255 units) below which a pixel is always background
NOISE_FACTOR = 1.3  # threshold = max(MIN_THRESHOLD, NOISE_FACTOR * p99 of the border's distances)
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], np.float32)


def _smooth(profile: np.ndarray, radius: int) -> np.ndarray:
    """Box filter along axis 0 with edge padding."""
    if radius < 1:
        return profile
    padded = np.concatenate([np.repeat(profile[:1], radius, 0), profile, np.repeat(profile[-1:], radius, 0)])
    csum = np.cumsum(padded, axis=0, dtype=np.float64)
    csum = np.concatenate([np.zeros_like(csum[:1]), csum])
    width = 2 * radius + 1
    return ((csum[width:] - csum[:-width]) / width).astype(np.float32)


def _resample(profile: np.ndarray, n: int) -> np.ndarray:
    """Profile of length N -> length n, sampled at the centres of n equal cells."""
    size = profile.shape[0]
    if n == size:
        return profile
    pos = (np.arange(n, dtype=np.float64) + 0.5) * size / n - 0.5
    idx = np.arange(size, dtype=np.float64)
    return np.stack([np.interp(pos, idx, profile[:, c]) for c in range(3)], axis=1).astype(np.float32)


def work_size(height: int, width: int) -> tuple[int, int]:
    factor = max(1, math.ceil(math.sqrt(height * width / WORK_PIXELS)))
    return max(1, round(height / factor)), max(1, round(width / factor))


def border_model(rgb: np.ndarray, softness: float = 1.0) -> dict[str, np.ndarray]:
    """Feeds for the ``matte`` graph, computed from the border bands of ``rgb`` (HxWx3 uint8)."""
    height, width = rgb.shape[:2]
    band = max(2, round(BAND * min(height, width)))
    step = max(1, band // 8)  # at most ~8 lines per band: the median needs no more
    top = np.median(rgb[:band:step], axis=0).astype(np.float32)
    bottom = np.median(rgb[-band::step], axis=0).astype(np.float32)
    left = np.median(rgb[:, :band:step], axis=1).astype(np.float32)
    right = np.median(rgb[:, -band::step], axis=1).astype(np.float32)
    col = _smooth((top + bottom) / 2, band)
    row = _smooth((left + right) / 2, band)
    col = col - (col.mean(axis=0) + row.mean(axis=0)) / 2
    samples = []
    for ys, xs in ((slice(0, band, step), slice(None, None, step)), (slice(-band, None, step), slice(None, None, step)),
                   (slice(None, None, step), slice(0, band, step)), (slice(None, None, step), slice(-band, None, step))):
        model = col[xs][None, :, :] + row[ys][:, None, :]
        samples.append(np.sqrt(((rgb[ys, xs].astype(np.float32) - model) ** 2).sum(axis=2)).ravel())
    noise = float(np.percentile(np.concatenate(samples), 99))
    threshold = max(MIN_THRESHOLD, NOISE_FACTOR * noise)
    slope = 4.0 / (max(6.0, 0.2 * threshold) * softness)
    h, w = work_size(height, width)
    return {
        "work": np.array([1, h, w, 3], np.int64),
        "full": np.array([1, 1, height, width], np.int64),
        "col": np.ascontiguousarray(_resample(col, w).T[:, None, :]),
        "row": np.ascontiguousarray(_resample(row, h).T[:, :, None]),
        "params": np.array([threshold, slope], np.float32),
    }


def builtin_alpha(runtime: Any, rgb: np.ndarray, softness: float = 1.0) -> np.ndarray:
    feeds = border_model(rgb, softness)
    feeds["image"] = np.ascontiguousarray(rgb)
    return runtime.run("matte", feeds)


# -- a user-supplied matting model -----------------------------------------------------------------

def _shape(value_info: Any) -> list[int | str]:
    dims = value_info.type.tensor_type.shape.dim
    return [d.dim_value if d.HasField("dim_value") else (d.dim_param or "?") for d in dims]


def _compatible(actual: list[int | str], expected: list[int]) -> bool:
    return len(actual) == len(expected) and all(not isinstance(a, int) or a == e for a, e in zip(actual, expected, strict=True))


def validate_matting_model(path: Path, size: tuple[int, int]) -> None:
    """ValueError naming the file unless it takes 1x3xHxW and returns 1x1xHxW (symbolic dims pass)."""
    import onnx  # noqa: PLC0415 - only needed when a model is configured

    height, width = size
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as exc:  # noqa: BLE001 - any load failure is a configuration error
        raise ValueError(f"matting model {path}: cannot be loaded as ONNX ({exc})") from None
    initializers = {init.name for init in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in initializers]
    outputs = list(model.graph.output)
    expected_in, expected_out = [1, 3, height, width], [1, 1, height, width]
    if len(inputs) != 1:
        raise ValueError(f"matting model {path}: expected one input {expected_in}, found {len(inputs)} inputs")
    actual_in = _shape(inputs[0])
    if not _compatible(actual_in, expected_in):
        raise ValueError(f"matting model {path}: input {inputs[0].name!r} has shape {actual_in}, "
                         f"expected {expected_in}")
    if not outputs:
        raise ValueError(f"matting model {path}: expected an output {expected_out}, found none")
    actual_out = _shape(outputs[0])
    if not _compatible(actual_out, expected_out):
        raise ValueError(f"matting model {path}: output {outputs[0].name!r} has shape {actual_out}, "
                         f"expected {expected_out}")


class ModelMatter:
    """Runs a u2net-style saliency model: ImageNet-normalised 1x3xHxW in, 1x1xHxW saliency out,
    min-max normalised and resized back to the image (as u2net's reference code does)."""

    def __init__(self, path: Path, size: tuple[int, int], intra_op_threads: int) -> None:
        self.path, self.size, self.threads = path, size, intra_op_threads
        self._session: Any = None
        self._lock = threading.Lock()

    def _get_session(self) -> Any:
        with self._lock:
            if self._session is None:
                from .session import create_session  # noqa: PLC0415 - keeps onnxruntime lazy

                self._session = create_session(str(self.path), self.threads)
            return self._session

    def alpha(self, rgb: np.ndarray) -> np.ndarray:
        session = self._get_session()
        height, width = self.size
        small = np.asarray(Image.fromarray(rgb).resize((width, height), Image.Resampling.BILINEAR), np.float32)
        x = ((small / 255.0 - IMAGENET_MEAN) / IMAGENET_STD).transpose(2, 0, 1)[None].astype(np.float32)
        out = np.asarray(session.run(None, {session.get_inputs()[0].name: x})[0], np.float32).reshape(height, width)
        lo, hi = float(out.min()), float(out.max())
        sal = (out - lo) / (hi - lo) if hi > lo else np.zeros_like(out)
        big = Image.fromarray(sal.astype(np.float32), mode="F").resize(rgb.shape[1::-1], Image.Resampling.BILINEAR)
        return np.clip(np.asarray(big) * 255.0 + 0.5, 0, 255).astype(np.uint8)
