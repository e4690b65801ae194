"""The request journal: a bounded ring of what the sandbox answered, for the control plane and UI."""

from __future__ import annotations

import threading
from collections import deque

from sandbox.clock import iso


class Journal:
    def __init__(self, capacity: int = 2000):
        self._entries: deque[dict] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self._seq = 0

    def record(self, **entry) -> None:
        with self._lock:
            self._seq += 1
            entry["seq"] = self._seq
            entry["at"] = iso(entry.pop("epoch"))
            self._entries.append(entry)

    def query(self, *, limit: int = 100, status: int | None = None, surface: str | None = None,
              account: str | None = None, errors_only: bool = False, after: int | None = None) -> list[dict]:
        """Newest first, filtered."""
        with self._lock:
            entries = list(self._entries)
        found = []
        for entry in reversed(entries):
            if status is not None and entry["status"] != status:
                continue
            if surface is not None and entry["surface"] != surface:
                continue
            if account is not None and entry.get("account") != account:
                continue
            if errors_only and entry["status"] < 400:
                continue
            if after is not None and entry["seq"] <= after:
                continue
            found.append(entry)
            if len(found) >= limit:
                break
        return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
