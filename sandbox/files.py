"""Rendering result files on demand and keeping the bytes content-addressed.

A result is rendered the first time somebody downloads it, one at a time, and the bytes are kept
in a small LRU keyed by file name; the ETag is the SHA-256 of the bytes, so it is strong and the
same in every run.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from pathlib import Path

MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}


class ResultFiles:
    def __init__(self, sandbox, capacity_bytes: int = 256 * 1024 * 1024):
        self.sandbox = sandbox
        self.capacity = capacity_bytes
        self._cache: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self._size = 0
        self._render_lock = threading.Lock()  # one render at a time bounds peak memory
        self._engine = None

    @property
    def engine(self):
        if self._engine is None:
            from sandbox.engine import Engine, EngineConfig

            config = self.sandbox.config
            self._engine = Engine(EngineConfig(
                watermark=config.watermark, intra_op_threads=config.engine_threads,
                matting_model=Path(config.matting_model) if config.matting_model else None,
                matting_size=tuple(config.matting_size)))
        return self._engine

    def get(self, name: str, spec: dict) -> tuple[bytes, str, str]:
        hit = self._cache.get(name)
        if hit is None:
            with self._render_lock:
                hit = self._cache.get(name) or self._render(name, spec)
        else:
            self._cache.move_to_end(name)
        data, etag = hit
        return data, MEDIA_TYPES[spec["format"]], etag

    def _render(self, name: str, spec: dict):
        from sandbox.engine import RenderRequest, SourceError, load_source

        source = None
        if spec.get("source_url"):
            try:
                source = self.sandbox.load_source(spec["source_url"])
            except SourceError:
                # Readable when the job was created, gone now (a fetched URL that went away):
                # the result is rendered from the URL's synthetic stand-in rather than failing.
                source = load_source(spec["source_url"])
        params = {k: _printable(v) for k, v in (spec.get("params") or {}).items()}
        rendered = self.engine.render(RenderRequest(
            pipeline=spec["pipeline"], source=source, params=params,
            width=spec["width"], height=spec["height"], format=spec["format"],
            variant=spec.get("variant", 0), seed=spec.get("seed", 0)))
        data = rendered.data
        etag = '"' + hashlib.sha256(data).hexdigest() + '"'
        self._cache[name] = (data, etag)
        self._size += len(data)
        while self._size > self.capacity and len(self._cache) > 1:
            _, (old, _) = self._cache.popitem(last=False)
            self._size -= len(old)
        return data, etag


def _printable(value):
    """Lone surrogates are valid in JSON text but cannot be drawn or encoded: replace them."""
    return value.encode("utf-8", "replace").decode("utf-8") if isinstance(value, str) else value
