"""On-disk cache of the built graphs, keyed by the SHA-256 of their serialized definition.

A graph is rebuilt in memory on start-up (cheap) and hashed; a cached file with that hash has
already passed the full ONNX check, so only a changed definition pays for the check again. A cache
directory that cannot be written degrades to in-memory models.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from pathlib import Path

import onnx

from .graphs import GRAPHS


def check(model: onnx.ModelProto) -> None:
    onnx.checker.check_model(model, full_check=True)


class GraphCache:
    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._lock = threading.Lock()

    def path_for(self, name: str, key: str) -> Path | None:
        return None if self.directory is None else self.directory / f"{name}-{key}.onnx"

    def model_bytes(self, name: str) -> bytes:
        """The serialized, checked model for graph ``name``."""
        blob = GRAPHS[name]().SerializeToString(deterministic=True)
        key = hashlib.sha256(blob).hexdigest()
        path = self.path_for(name, key)
        with self._lock:
            if path is not None and path.is_file():
                try:
                    if hashlib.sha256(path.read_bytes()).hexdigest() == key:
                        return blob
                except OSError:
                    pass
            check(onnx.load_model_from_string(blob))
            if path is not None:
                self._write(path, blob)
        return blob

    @staticmethod
    def _write(path: Path, blob: bytes) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
            os.replace(tmp, path)  # atomic: concurrent processes never read half a file
        except OSError:
            pass
