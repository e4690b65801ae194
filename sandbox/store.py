"""The state store interface and its in-memory implementation.

Everything several replicas would have to share goes through this interface: jobs, idempotency
records, rate-limit windows, webhook deliveries, result-file specs, uploads, accounts with their
balances and ledger, id counters and the clock. The memory store keeps it in this process; the
SQLite store writes it through to a file; the Redis store shares it between processes and hosts.
"""

from __future__ import annotations

import contextlib
import copy
import threading
import time
from dataclasses import dataclass

from sandbox.jobs import Job

IN_FLIGHT_LEASE = 10.0  # wall-clock seconds a claim without a job holds its key (a crashed process's claim lapses)


@dataclass
class IdempotencyRecord:
    fingerprint: str  # canonical JSON hash of the body
    job_id: str | None  # None while the first request is still in flight
    expires_at: float  # sandbox time
    lease_until: float = 0.0  # wall time; an in-flight claim past it belongs to no live request

    def holds(self, now: float) -> bool:
        return self.expires_at > now and (self.job_id is not None or self.lease_until > time.time())


class MemoryStore:
    shared = False  # True when other processes see the same state (the clock then lives here)

    def __init__(self):
        self.lock = threading.RLock()
        self.jobs: dict[tuple[str, str], Job] = {}
        self.idempotency: dict[tuple[str, str, str], IdempotencyRecord] = {}
        self.files: dict[str, dict] = {}
        self.assets: dict[str, dict] = {}
        self.windows: dict[tuple, tuple[float, int]] = {}
        self.deliveries: dict[str, object] = {}
        self.accounts: dict[str, object] = {}
        self.keys: dict[str, str] = {}
        self.ledger_rows: list[dict] = []
        self.counters: dict[str, int] = {}
        self.meta: dict[str, object] = {}

    def transaction(self):
        """Groups the writes of one create (the SQLite store commits them together)."""
        return contextlib.nullcontext()

    # counters (ids, job order)
    def counter(self, kind: str) -> int:
        with self.lock:
            self.counters[kind] = self.counters.get(kind, 0) + 1
            return self.counters[kind]

    def next_seq(self) -> int:
        return self.counter("seq")

    # jobs
    def put_job(self, job: Job) -> None:
        with self.lock:
            self.jobs[(job.namespace, job.id)] = job

    def delete_job(self, job: Job) -> None:
        with self.lock:
            self.jobs.pop((job.namespace, job.id), None)

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

    def claim_settlement(self, job: Job) -> bool:
        """Exactly one caller settles a job (refunds, webhook): True for that one."""
        with self.lock:
            stored = self.jobs.get((job.namespace, job.id), job)
            if stored.settled:
                return False
            stored.settled = job.settled = True
            return True

    def all_jobs(self) -> list[Job]:
        with self.lock:
            return sorted(self.jobs.values(), key=lambda j: -j.seq)

    # idempotency
    def claim_idempotency(self, scope: tuple[str, str, str], fingerprint: str, now: float, ttl: float):
        """Atomically look up or reserve a key: returns the existing record, or None when reserved."""
        with self.lock:
            record = self.idempotency.get(scope)
            if record is not None and record.holds(now):
                return record
            self.idempotency[scope] = IdempotencyRecord(fingerprint, None, now + ttl, time.time() + IN_FLIGHT_LEASE)
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

    def claim_attempt(self, delivery_id: str, attempt: int) -> bool:
        """One process per attempt (this process serialises its own attempts already)."""
        return True

    # files and assets
    def put_file(self, key: str, spec: dict) -> None:
        self.files[key] = spec

    def get_file(self, key: str) -> dict | None:
        return self.files.get(key)

    def put_asset(self, asset_id: str, asset: dict) -> None:
        self.assets[asset_id] = asset

    def get_asset(self, asset_id: str) -> dict | None:
        return self.assets.get(asset_id)

    # accounts, balances and the ledger
    def account_get(self, account_id: str):
        return self.accounts.get(account_id)

    def account_for_key(self, key: str):
        account_id = self.keys.get(key)
        return self.accounts.get(account_id) if account_id else None

    def account_ids(self) -> list[str]:
        with self.lock:
            return list(self.accounts)

    def account_add(self, account) -> str | None:
        """Add unless the id or a key is taken; returns the reason it was not added, or None."""
        with self.lock:
            if account.id in self.accounts:
                return f"account {account.id!r} already exists"
            for key in account.keys:
                if key in self.keys:
                    return f"key {key!r} already belongs to account {self.keys[key]!r}"
            self.accounts[account.id] = copy.deepcopy(account)
            for key in account.keys:
                self.keys[key] = account.id
            self._account_changed(account.id)
            return None

    def account_update(self, account_id: str, *, balances=None, enabled=None, revoke=None, limits=None) -> None:
        with self.lock:
            account = self.accounts[account_id]
            if balances:
                account.balances.update(balances)
            if enabled is not None:
                account.enabled = enabled
            if revoke is not None:
                account.revoked.add(revoke)
            if limits:
                account.limits.update(limits)
            self._account_changed(account_id)

    def balance_move(self, account_id: str, ledger: str, delta: int, entry: dict) -> int | None:
        """Atomically add ``delta`` and record its ledger entry; None (and neither) when the balance
        would go below zero. One step, so a crash never leaves a balance without its entry."""
        with self.lock, self.transaction():
            account = self.accounts[account_id]
            new = account.balances.get(ledger, 0) + delta
            if new < 0:
                return None
            account.balances[ledger] = new
            self._account_changed(account_id)
            self.ledger_add(entry)
            return new

    def ledger_add(self, entry: dict) -> None:
        with self.lock:
            self.ledger_rows.append(entry)

    def ledger(self) -> list[dict]:
        with self.lock:
            return list(self.ledger_rows)

    def _account_changed(self, account_id: str) -> None:
        """Hook for stores that persist accounts."""

    # meta: seed, boot count, clock
    def set_meta(self, key: str, value) -> None:
        self.meta[key] = value

    def get_meta(self, key: str, default=None):
        return self.meta.get(key, default)

    def reset(self) -> None:
        with self.lock:
            for table in (self.jobs, self.idempotency, self.files, self.assets, self.windows, self.deliveries,
                          self.accounts, self.keys, self.counters):
                table.clear()
            self.ledger_rows.clear()
            seed = self.meta.get("seed")
            self.meta.clear()
            if seed is not None:
                self.meta["seed"] = seed


def open_store(url: str | None) -> MemoryStore:
    """``memory`` (default), ``sqlite:PATH`` or ``redis://HOST:PORT/N``."""
    if not url or url == "memory":
        return MemoryStore()
    if url.startswith("sqlite:"):
        from sandbox.sqlite_store import SqliteStore

        return SqliteStore(url[len("sqlite:"):])
    if url.startswith("redis://"):
        from sandbox.redis_store import RedisStore

        return RedisStore(url)
    raise ValueError(f"unknown state store {url!r}: use 'memory', 'sqlite:PATH' or 'redis://HOST:PORT/N'")
