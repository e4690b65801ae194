"""onnxruntime sessions: created once per graph, reused from any thread.

This is the only module that imports onnxruntime, and only when the first session is needed, so
``import sandbox.engine`` stays cheap. Every session option lives in :func:`session_options`.
``InferenceSession.run`` is thread-safe, so one session per graph serves concurrent renders.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import numpy as np

from .cache import GraphCache
from .graphs import SINGLE_THREAD


def _ort() -> Any:
    import onnxruntime  # noqa: PLC0415 - deliberately lazy

    return onnxruntime


def session_options(intra_op_threads: int) -> Any:
    """The pinned options: sequential execution, one inter-op thread, basic graph optimisations
    (constant folding; no hardware-specific layout rewrites), no spinning on a shared machine."""
    ort = _ort()
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.intra_op_num_threads = max(1, int(intra_op_threads))
    opts.inter_op_num_threads = 1
    opts.use_deterministic_compute = True
    opts.log_severity_level = 3
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return opts


def create_session(model: bytes | str, intra_op_threads: int) -> Any:
    return _ort().InferenceSession(model, sess_options=session_options(intra_op_threads),
                                   providers=["CPUExecutionProvider"])


class Runtime:
    """Runs the project's graphs by name."""

    def __init__(self, cache: GraphCache, intra_op_threads: int) -> None:
        self.cache = cache
        self.threads = intra_op_threads
        self._sessions: dict[str, Any] = {}
        self._lock = threading.Lock()

    def session(self, name: str) -> Any:
        session = self._sessions.get(name)
        if session is None:
            with self._lock:
                session = self._sessions.get(name)
                if session is None:
                    threads = 1 if name in SINGLE_THREAD else self.threads
                    session = create_session(self.cache.model_bytes(name), threads)
                    self._sessions[name] = session
        return session

    def run(self, name: str, feeds: Mapping[str, np.ndarray]) -> np.ndarray:
        """The graph's single output."""
        return self.session(name).run(None, dict(feeds))[0]
