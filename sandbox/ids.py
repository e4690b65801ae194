"""Deterministic identifiers: the same seed and request sequence give the same ids in every run."""

from __future__ import annotations

import hashlib
import threading
import uuid


class Ids:
    """Counters per id kind, hashed with the seed. Counters can be restored from a persistent store."""

    def __init__(self, seed: int, counters: dict[str, int] | None = None, boot: int = 1, on_change=None):
        self.seed = seed
        self.counters: dict[str, int] = dict(counters or {})
        self.boot = boot  # request ids restart per boot, so they are salted with it
        self.on_change = on_change  # persists counters of ids that name stored things
        self._lock = threading.Lock()

    def _next(self, kind: str, persist: bool = True) -> int:
        with self._lock:
            n = self.counters.get(kind, 0) + 1
            self.counters[kind] = n
            if persist and self.on_change is not None:
                self.on_change({k: v for k, v in self.counters.items() if not k.startswith("request")})
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
        kind = "request" if self.boot == 1 else f"request:{self.boot}"
        n = self._next(kind, persist=False)
        return "req_" + self._digest(kind, n).hex()[:24]

    def secret(self, label: str) -> str:
        """Stable secrets (webhook signing) derived from the seed and a label."""
        return "whsec_" + hashlib.sha256(f"{self.seed}:secret:{label}".encode()).hexdigest()[:32]
