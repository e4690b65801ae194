"""Vendor differences as data: one profile per API surface, matched against the document under test.

Everything a rule needs to know that the OpenAPI document does not say in a machine-readable way
(where the job sits in a response, which statuses are terminal, how to read a balance) lives here,
taken from the seeds and from the project's conventions for the inferred parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conformance.document import Document


@dataclass(frozen=True)
class Counts:
    """Names of the count fields of a job object and of its list of results."""

    total: str | None = None
    completed: str | None = None
    failed: str | None = None
    results: str | None = None


@dataclass(frozen=True)
class Profile:
    name: str
    source: str
    title_contains: tuple[str, ...] = ()
    path_prefix: str | None = None
    # Seed-documented create paths, preferred in this order for the lifecycle rules.
    create_paths: tuple[str, ...] = ()
    # JSON pointers to the job object in a create response and in a job read response.
    create_job: str = ""
    read_job: str = ""
    id_field: str = "id"
    status_field: str = "status"
    # Status vocabulary, by stage: waiting, running, terminal. Order inside a stage is irrelevant.
    waiting: tuple[str, ...] = ()
    running: tuple[str, ...] = ()
    terminal: tuple[str, ...] = ()
    cancelled: str | None = None
    idempotency: bool = False
    # Balance: a pointer into create responses, or a GET path and a pointer into its body.
    balance_in_create: str | None = None
    balance_path: str | None = None
    balance_pointer: str | None = None
    # Header carrying the bare key on the balance path, when that path belongs to a sibling surface.
    balance_header: str | None = None
    sandbox_flag: str | None = None
    counts: Counts = field(default_factory=Counts)
    # Where result objects sit in the job: '/'-separated keys, '*' for every list element ('' = the job).
    results_path: str = ""
    envelope_schema: str = "ErrorResponse"
    # The seed states that every error uses the envelope (otherwise unknown-route errors are inferred).
    envelope_universal: bool = False
    rate_limit_per_minute: int | None = None

    @property
    def vocabulary(self) -> tuple[str, ...]:
        return self.waiting + self.running + self.terminal

    def stage(self, status: str) -> int | None:
        for rank, group in enumerate((self.waiting, self.running, self.terminal)):
            if status in group:
                return rank
        return None


# What both AI Gen Studio APIs share: the job envelope and statuses, Idempotency-Key, credits in create responses.
AIGS_CONVENTIONS = dict(
    create_job="/job",
    read_job="/job",
    idempotency=True,
    balance_in_create="/remaining_paid_credits",
    sandbox_flag="sandbox",
    waiting=("queued",),
    running=("processing",),
    terminal=("completed", "partially_completed", "failed", "cancelled"),
    cancelled="cancelled",
)

PROFILES: tuple[Profile, ...] = (
    Profile(
        name="aigenstudio-product-photo",
        source="seeds 000, 001",
        title_contains=("product photo",),
        create_paths=("/product-photo-jobs",),
        counts=Counts(total="total_items", completed="completed_items", failed="failed_items", results="items"),
        results_path="items/*/results/*",
        **AIGS_CONVENTIONS,
    ),
    Profile(
        name="aigenstudio-image",
        source="seed 004",
        title_contains=("image api",),
        create_paths=("/remove-background",),
        counts=Counts(
            total="total_results", completed="completed_results", failed="failed_results", results="results"
        ),
        results_path="results/*",
        **AIGS_CONVENTIONS,
    ),
    Profile(
        name="productai",
        source="seed 002",
        title_contains=(),
        path_prefix="/api",
        create_paths=("/api/generate", "/api/upscale"),
        create_job="/data",
        read_job="/data",
        waiting=("NOT_STARTED",),
        running=("RUNNING",),
        terminal=("COMPLETED", "ERROR"),
        balance_path="/api/key-check",
        balance_pointer="/data/tokens_remaining",
        envelope_schema="Error",
        envelope_universal=True,
        rate_limit_per_minute=15,
    ),
    Profile(
        name="productai-v1",
        source="seed 003",
        title_contains=(),
        path_prefix="/v1",
        create_paths=("/v1/generate",),
        create_job="",
        read_job="",
        id_field="job_id",
        waiting=("pending",),
        running=("processing",),
        terminal=("completed", "failed", "cancelled"),
        cancelled="cancelled",
        # ProductAI's two surfaces draw on one balance; /v1/api/key-check is the /api surface's key check.
        balance_path="/v1/api/key-check",
        balance_pointer="/data/tokens_remaining",
        balance_header="x-api-key",
        counts=Counts(total="num_images", results="images"),
        results_path="images/*",
    ),
    Profile(
        name="sandbox-control",
        source="inferred",
        title_contains=("sandbox control", "darkroom"),
    ),
)

GENERIC = Profile(name="generic", source="inferred")


def profile_for(document: Document) -> Profile:
    """The profile whose name, title or path prefix matches the document (else a generic one)."""
    for profile in PROFILES:
        if document.name == profile.name:
            return profile
    title = document.title.lower()
    prefix = document.path_prefix()
    for profile in PROFILES:
        if profile.title_contains and any(part in title for part in profile.title_contains):
            return profile
        if profile.path_prefix and profile.path_prefix == prefix:
            return profile
    return GENERIC


def by_name(name: str) -> Profile:
    for profile in PROFILES:
        if profile.name == name:
            return profile
    return GENERIC
