"""One clock for the whole sandbox: the wall clock, or a manual one that tests advance.

Job progress, rate-limit windows and idempotency expiry all read :meth:`Clock.now`, so a manual
clock lets a test drive a job to completion without sleeping (like Stripe's test clocks).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


def parse_instant(text: str) -> float:
    """ISO 8601 (``2026-01-01T00:00:00Z``) to epoch seconds."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


EARLIEST = 0.0  # 1970-01-01: manual clocks stay within years 1970..9999 so every timestamp is valid
LATEST = 253402300799.0  # 9999-12-31T23:59:59Z


def iso(epoch: float) -> str:
    value = datetime.fromtimestamp(int(epoch), UTC)
    return f"{value.year:04d}" + value.strftime("-%m-%dT%H:%M:%SZ")


class Clock:
    def __init__(self, mode: str = "real", start: float | None = None):
        self._lock = threading.Lock()
        self.on_change = None  # persists the clock when a store wants it
        self.mode = "real"
        self._manual = 0.0
        self.set_mode(mode, start)

    def now(self) -> float:
        return time.time() if self.mode == "real" else self._manual

    def set_mode(self, mode: str, start: float | None = None) -> None:
        if mode not in ("real", "manual"):
            raise ValueError(f"clock mode must be 'real' or 'manual', not {mode!r}")
        with self._lock:
            if mode == "manual" and start is not None:
                self._manual = start
            elif mode == "manual" and self.mode == "real":
                self._manual = time.time()  # freeze where the wall clock is now
            self.mode = mode
        self._changed()

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self)

    def advance(self, seconds: float) -> float:
        if self.mode != "manual":
            raise ValueError("the clock can only be advanced in manual mode")
        if seconds < 0:
            raise ValueError("the clock never goes back")
        if self._manual + seconds > LATEST:
            raise ValueError("the clock cannot go past the year 9999")
        with self._lock:
            self._manual += seconds
        self._changed()
        return self._manual
