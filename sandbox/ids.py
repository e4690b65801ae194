"""Deterministic identifiers: the same seed and request sequence give the same ids in every run."""

from __future__ import annotations

import hashlib
import threading
import uuid


class Ids:
    """Counters per id kind, hashed with the seed. Counters can be restored from a persistent store."""

    def __init__(self, seed: int, counters: dict[str, int] | None = None):
        self.seed = seed
        self.counters: dict[str, int] = dict(counters or {})
        self._lock = threading.Lock()

    def _next(self, kind: str) -> int:
        with self._lock:
            n = self.counters.get(kind, 0) + 1
            self.counters[kind] = n
            return n

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
        return self.hex("request", "req_", 24)

    def secret(self, label: str) -> str:
        """Stable secrets (webhook signing) derived from the seed and a label."""
        return "whsec_" + hashlib.sha256(f"{self.seed}:secret:{label}".encode()).hexdigest()[:32]
