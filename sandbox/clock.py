"""One clock for the whole sandbox: the wall clock, or a manual one that tests advance.

Job progress, rate-limit windows and idempotency expiry all read :meth:`Clock.now`, so a manual
clock lets a test drive a job to completion without sleeping (like Stripe's test clocks). The
clock's state is kept in the store: a restarted sandbox keeps its time, and replicas sharing a
store share one clock.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

EARLIEST = 0.0  # 1970-01-01: manual clocks stay within years 1970..9999 so every timestamp is valid
LATEST = 253402300799.0  # 9999-12-31T23:59:59Z


def parse_instant(text: str) -> float:
    """ISO 8601 (``2026-01-01T00:00:00Z``) to epoch seconds."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def iso(epoch: float) -> str:
    value = datetime.fromtimestamp(int(epoch), UTC)
    return f"{value.year:04d}" + value.strftime("-%m-%dT%H:%M:%SZ")


class Clock:
    def __init__(self, mode: str = "real", start: float | None = None, store=None):
        self._lock = threading.Lock()
        self.store = store
        self._mode, self._manual = "real", 0.0
        saved = store.get_meta("clock") if store is not None else None
        if saved is not None:
            self._mode, self._manual = saved["mode"], saved["now"]
        else:
            self.set_mode(mode, start)

    def _state(self) -> tuple[str, float]:
        if self.store is not None and self.store.shared:
            saved = self.store.get_meta("clock") or {"mode": self._mode, "now": self._manual}
            return saved["mode"], saved["now"]
        return self._mode, self._manual

    @property
    def mode(self) -> str:
        return self._state()[0]

    def now(self) -> float:
        mode, manual = self._state()
        return time.time() if mode == "real" else manual

    def set_mode(self, mode: str, start: float | None = None) -> None:
        if mode not in ("real", "manual"):
            raise ValueError(f"clock mode must be 'real' or 'manual', not {mode!r}")
        with self._lock:
            current, manual = self._state()
            if mode == "manual" and start is not None:
                manual = start
            elif mode == "manual" and current == "real":
                manual = time.time()  # freeze where the wall clock is now
            self._save(mode, manual)

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the clock never goes back")
        with self._lock:
            mode, manual = self._state()
            if mode != "manual":
                raise ValueError("the clock can only be advanced in manual mode")
            if manual + seconds > LATEST:
                raise ValueError("the clock cannot go past the year 9999")
            self._save(mode, manual + seconds)
            return manual + seconds

    def _save(self, mode: str, manual: float) -> None:
        self._mode, self._manual = mode, manual
        if self.store is not None:
            self.store.set_meta("clock", {"mode": mode, "now": manual})
