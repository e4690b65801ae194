"""Running a row-local graph over horizontal strips, so a 4K frame never needs several full float
planes at once. The strip height depends only on the frame width, so a given size always splits
the same way and the bytes stay deterministic."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

STRIP_PIXELS = 1 << 20  # output pixels per run; frames up to 1024^2 run in one piece


def run_rows(runtime: Any, name: str, feeds: Mapping[str, np.ndarray], height: int, halo: int = 0) -> np.ndarray:
    """Run ``name`` whose output has one row per input row. Feeds whose first axis is ``height``
    are cut into strips (with ``halo`` extra rows of context each side); the others go whole."""
    width = max(1, next(v.shape[1] for v in feeds.values() if v.ndim >= 2 and v.shape[0] == height))
    rows = max(8, STRIP_PIXELS // width)
    if height <= rows:
        return runtime.run(name, feeds)
    out: np.ndarray | None = None
    for r0 in range(0, height, rows):
        r1 = min(height, r0 + rows)
        a, b = max(0, r0 - halo), min(height, r1 + halo)
        part = runtime.run(name, {k: np.ascontiguousarray(v[a:b]) if v.ndim >= 1 and v.shape[0] == height else v
                                  for k, v in feeds.items()})
        if out is None:
            out = np.empty((height, *part.shape[1:]), part.dtype)
        out[r0:r1] = part[r0 - a:r1 - a]
    assert out is not None
    return out
