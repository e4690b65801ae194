"""In-memory state: jobs, idempotency records, result-file specs and uploaded assets.

One store interface; the HTTP layer never touches these dicts directly.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sandbox.jobs import Job


@dataclass
class IdempotencyRecord:
    fingerprint: str  # canonical JSON hash of the body
    job_id: str | None  # None while the first request is still in flight
    expires_at: float


class MemoryStore:
    def __init__(self):
        self.lock = threading.RLock()
        self.jobs: dict[tuple[str, str], Job] = {}
        self.seq = 0
        self.idempotency: dict[tuple[str, str, str], IdempotencyRecord] = {}
        self.files: dict[str, dict] = {}
        self.assets: dict[str, dict] = {}
        self.windows: dict[tuple, tuple[float, int]] = {}
        self.deliveries: dict[str, object] = {}

    # jobs
    def next_seq(self) -> int:
        with self.lock:
            self.seq += 1
            return self.seq

    def put_job(self, job: Job) -> None:
        with self.lock:
            self.jobs[(job.namespace, job.id)] = job

    def get_job(self, namespace: str, job_id: str) -> Job | None:
        return self.jobs.get((namespace, job_id))

    def jobs_of(self, namespace: str, account: str) -> list[Job]:
        """Newest first, the order listings page through."""
        with self.lock:
            found = [j for (ns, _), j in self.jobs.items() if ns == namespace and j.account == account]
        return sorted(found, key=lambda j: -j.seq)

    def unsettled(self) -> list[Job]:
        with self.lock:
            return [j for j in self.jobs.values() if not j.settled]

    def all_jobs(self) -> list[Job]:
        with self.lock:
            return sorted(self.jobs.values(), key=lambda j: -j.seq)

    # idempotency
    def claim_idempotency(self, scope: tuple[str, str, str], fingerprint: str, now: float, ttl: float):
        """Atomically look up or reserve a key: returns the existing record, or None when reserved."""
        with self.lock:
            record = self.idempotency.get(scope)
            if record is not None and record.expires_at > now:
                return record
            self.idempotency[scope] = IdempotencyRecord(fingerprint, None, now + ttl)
            return None

    def complete_idempotency(self, scope, job_id: str) -> None:
        with self.lock:
            self.idempotency[scope].job_id = job_id

    def release_idempotency(self, scope) -> None:
        """A request that failed stores nothing, so a corrected retry with the same key succeeds."""
        with self.lock:
            record = self.idempotency.get(scope)
            if record is not None and record.job_id is None:
                del self.idempotency[scope]

    # rate-limit windows
    def count_request(self, bucket: tuple, window: float, limit: int) -> int | None:
        """Count a request in its window; None (and no count) once the limit is reached."""
        with self.lock:
            start, count = self.windows.get(bucket, (window, 0))
            if start != window:
                start, count = window, 0
            if count >= limit:
                return None
            self.windows[bucket] = (start, count + 1)
            return count + 1

    # webhook deliveries
    def put_delivery(self, delivery) -> None:
        with self.lock:
            self.deliveries[delivery.id] = delivery

    def pending_deliveries(self) -> list:
        with self.lock:
            return [d for d in self.deliveries.values() if d.status == "pending"]

    def all_deliveries(self) -> list:
        with self.lock:
            return list(self.deliveries.values())

    # files and assets
    def put_file(self, key: str, spec: dict) -> None:
        self.files[key] = spec

    def get_file(self, key: str) -> dict | None:
        return self.files.get(key)

    def put_asset(self, asset_id: str, asset: dict) -> None:
        self.assets[asset_id] = asset

    def get_asset(self, asset_id: str) -> dict | None:
        return self.assets.get(asset_id)

    # accounts, ledger and meta: nothing to do in memory, the Accounts object holds them
    def save_account(self, account) -> None:
        pass

    def saved_accounts(self) -> list[dict]:
        return []

    def add_ledger(self, entry) -> None:
        pass

    def set_meta(self, key: str, value) -> None:
        pass

    def get_meta(self, key: str, default=None):
        return default

    def reset(self) -> None:
        with self.lock:
            self.jobs.clear()
            self.idempotency.clear()
            self.files.clear()
            self.assets.clear()
            self.windows.clear()
            self.deliveries.clear()
            self.seq = 0


def open_store(url: str | None) -> MemoryStore:
    """``memory`` (default) or ``sqlite:PATH``."""
    if not url or url == "memory":
        return MemoryStore()
    if url.startswith("sqlite:"):
        from sandbox.sqlite_store import SqliteStore

        return SqliteStore(url[len("sqlite:"):])
    raise ValueError(f"unknown state store {url!r}: use 'memory' or 'sqlite:PATH'")
