"""Deterministic identifiers: the same seed and request sequence give the same ids in every run."""

from __future__ import annotations

import hashlib
import threading
import uuid


class Ids:
    """Counters per id kind (kept by the store, so restarts and replicas never reuse an id),
    hashed with the seed."""

    def __init__(self, seed: int, counter=None, boot: int = 1):
        self.seed = seed
        self.counter = counter  # the store's atomic counter; None: local counters only
        self.boot = boot  # request ids are counted per process start, so they are salted with it
        self._local: dict[str, int] = {}
        self._lock = threading.Lock()

    def _next(self, kind: str, persist: bool = True) -> int:
        if persist and self.counter is not None:
            return self.counter(kind)
        with self._lock:
            self._local[kind] = self._local.get(kind, 0) + 1
            return self._local[kind]

    def _digest(self, kind: str, n: int) -> bytes:
        return hashlib.sha256(f"{self.seed}:{kind}:{n}".encode()).digest()

    def uuid(self, kind: str) -> str:
        n = self._next(kind)
        return str(uuid.UUID(bytes=self._digest(kind, n)[:16], version=4))

    def hex(self, kind: str, prefix: str, length: int = 20) -> str:
        n = self._next(kind)
        return prefix + self._digest(kind, n).hex()[:length]

    def number(self, kind: str, start: int = 10000) -> int:
        return start + self._next(kind)

    def request_id(self) -> str:
        kind = "request" if self.boot == 1 else f"request:{self.boot}"
        n = self._next(kind, persist=False)
        return "req_" + self._digest(kind, n).hex()[:24]

    def secret(self, label: str) -> str:
        """Stable secrets (webhook signing) derived from the seed and a label."""
        return "whsec_" + hashlib.sha256(f"{self.seed}:secret:{label}".encode()).hexdigest()[:32]
