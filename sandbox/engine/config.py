"""Engine configuration and where compiled graphs are cached."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CACHE_ENV = "DARKROOM_CACHE_DIR"
DEFAULT_PIXEL_CAP = 4096 * 4096


def default_cache_dir() -> Path:
    """``$DARKROOM_CACHE_DIR``, else ``$XDG_CACHE_HOME/darkroom/onnx``, else ``~/.cache/darkroom/onnx``."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "darkroom" / "onnx"


@dataclass(frozen=True)
class EngineConfig:
    """``matting_size`` is (height, width) of a configured matting model's input, as in its NCHW shape.

    ``cache_dir=None`` means :func:`default_cache_dir`. ``intra_op_threads`` never changes result
    bytes (tested); it only trades latency for cores.
    """

    cache_dir: Path | None = None
    intra_op_threads: int = 1
    watermark: bool = True
    matting_model: Path | None = None
    matting_size: tuple[int, int] = (320, 320)
    pixel_cap: int = DEFAULT_PIXEL_CAP

    def resolved_cache_dir(self) -> Path:
        return Path(self.cache_dir) if self.cache_dir is not None else default_cache_dir()
