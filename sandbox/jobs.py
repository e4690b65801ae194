"""Jobs and their lifecycle: state is a pure function of creation time and the sandbox clock.

Internal phases are queued -> processing -> completed | partially_completed | failed, or cancelled;
each API renders them in its own vocabulary (``sandbox.catalog.VOCABULARY``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sandbox.catalog import TERMINAL


@dataclass
class Item:
    """One input image (or one prompt) and the outputs it yields."""

    index: int
    source_url: str | None
    external_id: str | None
    outputs: int
    failure: str | None = None  # error code when the sandbox decided this item fails


@dataclass
class Job:
    id: str
    namespace: str  # the surface that owns it: ids and listings are per surface
    account: str
    kind: str  # operation, tool or model
    params: dict
    created_at: float
    seq: int
    items: list[Item]
    queued_s: float
    processing_s: float
    credits: int = 0  # charged to a live account at creation
    sandbox: bool = True
    ledger: str = "aigenstudio"
    refund_failed: bool = True  # AI Gen Studio refunds failed items; ProductAI keeps tokens
    cancelled_at: float | None = None
    settled: bool = False  # refunds and webhooks done
    webhook_url: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def ends_at(self) -> float:
        return self.created_at + self.queued_s + self.processing_s

    def phase(self, now: float) -> str:
        if self.cancelled_at is not None:
            return "cancelled"
        elapsed = now - self.created_at
        if elapsed < self.queued_s:
            return "queued"
        if elapsed < self.queued_s + self.processing_s:
            return "processing"
        failed = sum(1 for i in self.items if i.failure)
        if failed == 0:
            return "completed"
        return "failed" if failed == len(self.items) else "partially_completed"

    def finished(self, now: float) -> bool:
        return self.phase(now) in TERMINAL

    def finished_at(self, now: float) -> float | None:
        if self.cancelled_at is not None:
            return self.cancelled_at
        return self.ends_at if now >= self.ends_at else None

    def updated_at(self, now: float) -> float:
        """The last moment the job changed: creation, start, end or cancellation."""
        if self.cancelled_at is not None:
            return self.cancelled_at
        for moment in (self.ends_at, self.created_at + self.queued_s):
            if now >= moment:
                return moment
        return self.created_at

    def item_phase(self, item: Item, now: float) -> str:
        phase = self.phase(now)
        if phase in ("queued", "processing", "cancelled"):
            return phase
        return "failed" if item.failure else "completed"

    @property
    def total_results(self) -> int:
        return sum(i.outputs for i in self.items)

    def counts(self, now: float) -> tuple[int, int]:
        """(completed results, failed results) at ``now``."""
        if self.phase(now) in ("queued", "processing", "cancelled"):
            return 0, 0
        failed = sum(i.outputs for i in self.items if i.failure)
        return self.total_results - failed, failed

    def failed_cost_share(self) -> int:
        """Credits attributable to failed items, refunded to live AI Gen Studio accounts."""
        if not self.items or not self.total_results:
            return 0
        failed = sum(i.outputs for i in self.items if i.failure)
        return self.credits * failed // self.total_results
