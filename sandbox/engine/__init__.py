"""Darkroom's deterministic image engine.

Every result image of the sandbox comes from here: a pipeline of ONNX graphs (built by this package
with ``onnx.helper``, run by onnxruntime) and a little Pillow, so the same request, seed and variant
give the same bytes on every run, in every process and for any thread count. Importing this package
is cheap: each name below loads its module on first use (numpy and Pillow with the first engine or
watermark, onnx and onnxruntime with the first render), so planning a job imports neither.

    engine = Engine(EngineConfig())
    src = load_source("https://shop.example/shoe.jpg")   # synthetic unless fetching is enabled
    out = engine.render(RenderRequest("studio_packshot", src, {}, 1024, 1024, "png"))
"""

from __future__ import annotations

import importlib

_HOMES = {
    "DEFAULT_COLOR": "colors", "parse_color": "colors",
    "EngineConfig": "config", "default_cache_dir": "config",
    "Engine": "engine",
    "SourceError": "errors",
    "PIPELINES": "pipelines",
    "Rendered": "request", "RenderRequest": "request",
    "output_size": "sizes", "size_table": "sizes",
    "SourceImage": "sources", "load_source": "sources",
    "watermark_box": "watermark",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value
