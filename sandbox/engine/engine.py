"""The engine: validates a request, runs its pipeline, watermarks and encodes one image.

Heavy machinery (onnx, onnxruntime) is imported on the first render, not at import or creation.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import numpy as np

from .config import EngineConfig
from .encode import encode
from .pipelines import NONE, PIPELINES, REQUIRED
from .request import MEDIA_TYPES, Rendered, RenderRequest, normalize_format
from .steps import LEVELS, STEPS, Context, Frame, fit, upscale_factor
from .watermark import apply_watermark

NATURAL_SIZE = (1024, 1024)  # the result size without a source and without an explicit size


def transparent(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """RGBA with the colour of fully transparent pixels zeroed: invisible either way, but the
    hidden backdrop would otherwise cost PNG/WebP most of their size and encode time."""
    rgba = np.empty((*alpha.shape, 4), np.uint8)
    rgba[:, :, :3] = rgb
    rgba[:, :, 3] = alpha
    pixels = rgba.view(np.uint32).reshape(alpha.shape)  # one word per pixel: a fast masked clear
    np.multiply(pixels, alpha != 0, out=pixels)
    return rgba


class Engine:
    def __init__(self, config: EngineConfig | None = None) -> None:
        self.config = config or EngineConfig()
        if self.config.intra_op_threads < 1:
            raise ValueError("intra_op_threads must be at least 1")
        self._matter: Any = None
        if self.config.matting_model is not None:
            from .matte import ModelMatter, validate_matting_model  # noqa: PLC0415

            validate_matting_model(self.config.matting_model, self.config.matting_size)
            self._matter = ModelMatter(self.config.matting_model, self.config.matting_size,
                                       self.config.intra_op_threads)
        self._runtime: Any = None
        self._lock = threading.Lock()

    @property
    def runtime(self) -> Any:
        """The graph runner, created on first use (this is where onnxruntime gets imported)."""
        with self._lock:
            if self._runtime is None:
                from .cache import GraphCache  # noqa: PLC0415
                from .session import Runtime  # noqa: PLC0415

                self._runtime = Runtime(GraphCache(self.config.resolved_cache_dir()), self.config.intra_op_threads)
            return self._runtime

    def warm_up(self) -> None:
        """Build every graph and session now rather than on the first render that needs it."""
        from .graphs import GRAPHS  # noqa: PLC0415

        for name in GRAPHS:
            self.runtime.session(name)

    def result_size(self, request: RenderRequest) -> tuple[int, int]:
        """The (w, h) a request renders at: its explicit size, else the pipeline's natural size."""
        if (request.width is None) != (request.height is None):
            raise ValueError("give both width and height, or neither")
        if request.width is not None and request.height is not None:
            size = (int(request.width), int(request.height))
        elif request.source is None:
            size = NATURAL_SIZE
        elif request.pipeline == "productai_upscale":
            factor = upscale_factor(request.params)
            size = (request.source.width * factor, request.source.height * factor)
        else:
            size = (request.source.width, request.source.height)
        if size[0] < 1 or size[1] < 1:
            raise ValueError(f"invalid size {size[0]}x{size[1]}")
        if size[0] * size[1] > self.config.pixel_cap:
            raise ValueError(f"{size[0]}x{size[1]} exceeds the pixel cap of {self.config.pixel_cap}")
        return size

    def render(self, request: RenderRequest) -> Rendered:
        pipeline = PIPELINES.get(request.pipeline)
        if pipeline is None:
            raise ValueError(f"unknown pipeline {request.pipeline!r}")
        fmt = normalize_format(request.format)
        if pipeline.source == REQUIRED and request.source is None:
            raise ValueError(f"pipeline {request.pipeline!r} needs a source image")
        size = self.result_size(request)
        if request.pipeline == "productai_upscale" and request.source is not None:
            factor = upscale_factor(request.params)
            if request.source.width * request.source.height * factor * factor > self.config.pixel_cap:
                raise ValueError("the upscaled image would exceed the pixel cap")
        params: Mapping[str, Any] = dict(request.params)
        level = params.get("preservation_level")
        ctx = Context(
            runtime=self.runtime, params=params, size=size,
            level=level if level in LEVELS else pipeline.level,
            key=(request.pipeline, params, int(request.seed), int(request.variant)),
            variant=int(request.variant), matter=self._matter,
        )
        frame: Frame | None = None
        if request.source is not None and pipeline.source != NONE:
            pixels = request.source.pixels
            frame = Frame(pixels[:, :, :3], pixels[:, :, 3]) if pixels.shape[2] == 4 else Frame(pixels)
        for name, args in pipeline.steps:
            frame = STEPS[name](ctx, frame, **args)
        assert frame is not None
        if frame.rgb.shape[1::-1] != size:
            frame = fit(ctx, frame, "contain" if frame.alpha is not None else "cover")
        pixels = frame.rgb if frame.alpha is None else transparent(frame.rgb, frame.alpha)
        if self.config.watermark:
            pixels = apply_watermark(pixels)
        return Rendered(encode(pixels, fmt), MEDIA_TYPES[fmt], size[0], size[1], fmt)
