"""What a rule sees: the document, the surface's job shape, one probe per identity, options and caches."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from conformance.document import Document, Operation, pointer_get
from conformance.probe import Exchange, Probe
from conformance.profiles import Profile
from conformance.surface import Surface


@dataclass
class Options:
    key_mode: str = "sandbox"
    allow_billable: bool = False
    phases: tuple[str, ...] = ("examples", "coverage", "fuzzing")
    max_examples: int = 10
    seed: int | None = None
    job_timeout: float = 30.0
    poll_interval: float = 0.2
    parallel_requests: int = 5


@dataclass
class JobTrace:
    """One job followed from creation to a terminal status (or to the time bound)."""

    operation: Operation
    create: Exchange
    job_id: Any
    reads: list[Exchange] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    terminal: bool = False
    elapsed: float = 0.0
    error: str = ""

    @property
    def last_read(self) -> Exchange | None:
        return self.reads[-1] if self.reads else None


@dataclass
class CheckContext:
    document: Document
    profile: Profile
    surface: Surface
    probe: Probe
    options: Options
    other: Probe | None = None
    empty: Probe | None = None
    schema_results: Any = None
    _traces: dict[str, JobTrace] = field(default_factory=dict)
    _memo: dict[str, Any] = field(default_factory=dict)

    def memo(self, key: str, factory):
        """Share one probe between rules (the 405 exchanges feed two rules)."""
        if key not in self._memo:
            self._memo[key] = factory()
        return self._memo[key]

    # --- requests several rules make -------------------------------------------------------------------
    def create_headers(self, operation: Operation, key: str | None = None) -> dict[str, str]:
        if operation.has_header("Idempotency-Key") or self.profile.idempotency:
            return {"Idempotency-Key": key or fresh_key()}
        return {}

    def create(
        self,
        operation: Operation,
        *,
        probe: Probe | None = None,
        body: Any = None,
        idempotency_key: str | None = None,
    ) -> Exchange:
        probe = probe or self.probe
        payload = body if body is not None else operation.example_body()
        return probe.request(
            operation.method,
            operation.fill_path(),
            json_body=payload,
            headers=self.create_headers(operation, idempotency_key),
            operation=operation.label,
        )

    def job_id(self, operation: Operation, exchange: Exchange) -> Any:
        return pointer_get(exchange.json(), self.surface.id_pointer(operation))

    def created_job(self, operation: Operation, exchange: Exchange) -> dict | None:
        job = pointer_get(exchange.json(), self.surface.job_pointer(operation))
        return job if isinstance(job, dict) else None

    def read_job(self, job_id: Any, *, probe: Probe | None = None) -> Exchange:
        getter = self.surface.get_job
        assert getter is not None
        return (probe or self.probe).request(
            "get", getter.operation.fill_path({getter.param: job_id}), operation=getter.operation.label
        )

    def job_of(self, exchange: Exchange) -> dict | None:
        job = pointer_get(exchange.json(), self.profile.read_job)
        return job if isinstance(job, dict) else None

    def status_of(self, job: dict | None) -> str | None:
        if not isinstance(job, dict):
            return None
        value = job.get(self.profile.status_field)
        return value if isinstance(value, str) else None

    def balance(self, exchange: Exchange | None = None, probe: Probe | None = None) -> int | None:
        """The account balance: from a create response, or from the profile's balance endpoint."""
        if self.profile.balance_in_create:
            if exchange is None:
                return None
            value = pointer_get(exchange.json(), self.profile.balance_in_create)
            return value if isinstance(value, int) else None
        if self.profile.balance_path:
            probe = probe or self.probe
            header = self.profile.balance_header
            read = probe.request(
                "get",
                self.profile.balance_path,
                auth=header is None,
                headers={header: probe.key} if header else None,
            )
            value = pointer_get(read.json(), self.profile.balance_pointer or "")
            return value if read.status == 200 and isinstance(value, int) else None
        return None

    # --- the shared job lifecycle ----------------------------------------------------------------
    def trace(self) -> JobTrace | None:
        """Create one job with the primary create operation and poll it to a terminal status (cached)."""
        if "primary" in self._traces:
            return self._traces["primary"]
        operation = self.surface.primary_create
        if operation is None or self.surface.get_job is None:
            return None
        self._traces["primary"] = self.follow(operation, self.create(operation))
        return self._traces["primary"]

    def follow(self, operation: Operation, create: Exchange) -> JobTrace:
        """Poll the job `create` made until it is terminal (plus two reads) or the time bound passes."""
        trace = JobTrace(operation=operation, create=create, job_id=self.job_id(operation, create))
        if create.status not in (200, 201, 202) or trace.job_id is None:
            trace.error = f"create answered {create.status} without a job id"
            return trace
        first = self.status_of(self.created_job(operation, create))
        if first:
            trace.statuses.append(first)
        started = time.monotonic()
        extra_reads = 2
        while time.monotonic() - started < self.options.job_timeout:
            read = self.read_job(trace.job_id)
            trace.reads.append(read)
            if read.status != 200:
                trace.error = f"job read answered {read.status}"
                break
            status = self.status_of(self.job_of(read))
            if status is None:
                trace.error = "job read carries no status"
                break
            trace.statuses.append(status)
            if status in self.profile.terminal:
                trace.terminal = True
                extra_reads -= 1
                if extra_reads < 0:
                    break
            time.sleep(self.options.poll_interval)
        trace.elapsed = time.monotonic() - started
        return trace


def fresh_key() -> str:
    return "darkroom-check-" + uuid.uuid4().hex
