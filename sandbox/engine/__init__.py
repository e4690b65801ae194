"""Darkroom's deterministic image engine.

Every result image of the sandbox comes from here: a pipeline of ONNX graphs (built by this package
with ``onnx.helper``, run by onnxruntime) and a little Pillow, so the same request, seed and variant
give the same bytes on every run, in every process and for any thread count. Importing this package
is cheap: onnx and onnxruntime load on the first render.

    engine = Engine(EngineConfig())
    src = load_source("https://shop.example/shoe.jpg")   # synthetic unless fetching is enabled
    out = engine.render(RenderRequest("studio_packshot", src, {}, 1024, 1024, "png"))
"""

from .colors import DEFAULT_COLOR, parse_color
from .config import EngineConfig, default_cache_dir
from .engine import Engine
from .errors import SourceError
from .pipelines import PIPELINES
from .request import Rendered, RenderRequest
from .sizes import output_size, size_table
from .sources import SourceImage, load_source
from .watermark import watermark_box

__all__ = [
    "DEFAULT_COLOR", "PIPELINES", "Engine", "EngineConfig", "Rendered", "RenderRequest", "SourceError",
    "SourceImage", "default_cache_dir", "load_source", "output_size", "parse_color", "size_table",
    "watermark_box",
]
