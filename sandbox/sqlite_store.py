"""SQLite persistence: the memory store, written through to one file.

Reads stay in memory; every change is committed before the response leaves (WAL mode), so a
``kill -9`` loses nothing that was acknowledged. On start the file is loaded back: jobs,
idempotency records, result-file specs, assets, webhook deliveries, accounts and their ledger,
id counters, the seed and the clock. One process owns the file at a time.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import threading
from contextlib import contextmanager

from sandbox.jobs import Item, Job
from sandbox.store import IdempotencyRecord, MemoryStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (namespace TEXT, id TEXT, body TEXT, PRIMARY KEY (namespace, id));
CREATE TABLE IF NOT EXISTS idempotency (scope TEXT PRIMARY KEY, body TEXT);
CREATE TABLE IF NOT EXISTS files (key TEXT PRIMARY KEY, body TEXT);
CREATE TABLE IF NOT EXISTS assets (id TEXT PRIMARY KEY, body TEXT, data BLOB);
CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY, body TEXT);
CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, body TEXT);
CREATE TABLE IF NOT EXISTS ledger (n INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, body TEXT);
CREATE TABLE IF NOT EXISTS counters (kind TEXT PRIMARY KEY, value INTEGER);
"""


class SqliteStore(MemoryStore):
    def __init__(self, path: str):
        super().__init__()
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db_lock = threading.RLock()
        self._depth = 0  # nesting of transaction()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._load()

    def _write(self, sql: str, *args) -> None:
        with self._db_lock:
            self._db.execute(sql, args)

    def _rows(self, sql: str, *args):
        with self._db_lock:
            return self._db.execute(sql, args).fetchall()

    def _load(self) -> None:
        from sandbox.accounts import Account

        for (body,) in self._rows("SELECT body FROM jobs"):
            raw = json.loads(body)
            raw["items"] = [Item(**i) for i in raw["items"]]
            job = Job(**raw)
            self.jobs[(job.namespace, job.id)] = job
        for kind, value in self._rows("SELECT kind, value FROM counters"):
            self.counters[kind] = value
        for key, body in self._rows("SELECT key, body FROM meta"):
            self.meta[key] = json.loads(body)
        for (body,) in self._rows("SELECT body FROM accounts"):
            raw = json.loads(body)
            account = Account(**{**raw, "revoked": set(raw.get("revoked", []))})
            self.accounts[account.id] = account
            for key in account.keys:
                self.keys[key] = account.id
        self.ledger_rows = [json.loads(b) for (b,) in self._rows("SELECT body FROM ledger ORDER BY n")]
        for scope, body in self._rows("SELECT scope, body FROM idempotency"):
            record = IdempotencyRecord(**json.loads(body))
            if record.job_id is None:  # in flight when the process died: nothing was acknowledged
                self._write("DELETE FROM idempotency WHERE scope = ?", scope)
                continue
            self.idempotency[tuple(json.loads(scope))] = record
        for key, body in self._rows("SELECT key, body FROM files"):
            self.files[key] = json.loads(body)
        for asset_id, body, data in self._rows("SELECT id, body, data FROM assets"):
            self.assets[asset_id] = {**json.loads(body), "data": bytes(data)}
        from sandbox.webhooks import Delivery

        for (body,) in self._rows("SELECT body FROM deliveries"):
            raw = json.loads(body)
            raw["body"] = raw["body"].encode()
            self.deliveries[raw["id"]] = Delivery(**raw)

    @contextmanager
    def transaction(self):
        """One commit for all the writes of one create: a kill leaves all of them or none.
        Nested uses join the outer transaction."""
        with self.lock, self._db_lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0

    # write-through
    def delete_job(self, job: Job) -> None:
        super().delete_job(job)
        self._write("DELETE FROM jobs WHERE namespace = ? AND id = ?", job.namespace, job.id)

    def put_job(self, job: Job) -> None:
        super().put_job(job)
        self._write("INSERT OR REPLACE INTO jobs VALUES (?, ?, ?)", job.namespace, job.id,
                    json.dumps(dataclasses.asdict(job)))

    def claim_idempotency(self, scope, fingerprint, now, ttl):
        with self.lock:
            record = super().claim_idempotency(scope, fingerprint, now, ttl)
            if record is None:
                self._save_idempotency(scope)
            return record

    def complete_idempotency(self, scope, job_id: str) -> None:
        with self.lock:
            super().complete_idempotency(scope, job_id)
            self._save_idempotency(scope)

    def release_idempotency(self, scope) -> None:
        with self.lock:
            super().release_idempotency(scope)
            if scope not in self.idempotency:
                self._write("DELETE FROM idempotency WHERE scope = ?", json.dumps(list(scope)))

    def _save_idempotency(self, scope) -> None:
        self._write("INSERT OR REPLACE INTO idempotency VALUES (?, ?)", json.dumps(list(scope)),
                    json.dumps(dataclasses.asdict(self.idempotency[scope])))

    def put_file(self, key: str, spec: dict) -> None:
        super().put_file(key, spec)
        self._write("INSERT OR REPLACE INTO files VALUES (?, ?)", key, json.dumps(spec))

    def put_asset(self, asset_id: str, asset: dict) -> None:
        super().put_asset(asset_id, asset)
        meta = {k: v for k, v in asset.items() if k != "data"}
        self._write("INSERT OR REPLACE INTO assets VALUES (?, ?, ?)", asset_id, json.dumps(meta), asset["data"])

    def put_delivery(self, delivery) -> None:
        super().put_delivery(delivery)
        raw = dataclasses.asdict(delivery)
        raw["body"] = raw["body"].decode()
        self._write("INSERT OR REPLACE INTO deliveries VALUES (?, ?)", delivery.id, json.dumps(raw))

    def claim_settlement(self, job: Job) -> bool:
        with self.lock:
            claimed = super().claim_settlement(job)
            if claimed:
                self.put_job(job)
            return claimed

    def counter(self, kind: str) -> int:
        with self.lock:
            value = super().counter(kind)
            self._write("INSERT OR REPLACE INTO counters VALUES (?, ?)", kind, value)
            return value

    def _account_changed(self, account_id: str) -> None:
        raw = dataclasses.asdict(self.accounts[account_id])
        raw["revoked"] = sorted(raw["revoked"])
        self._write("INSERT OR REPLACE INTO accounts VALUES (?, ?)", account_id, json.dumps(raw))

    def ledger_add(self, entry: dict) -> None:
        with self.lock:
            super().ledger_add(entry)
            self._write("INSERT INTO ledger (body) VALUES (?)", json.dumps(entry))

    def set_meta(self, key: str, value) -> None:
        super().set_meta(key, value)
        self._write("INSERT OR REPLACE INTO meta VALUES (?, ?)", key, json.dumps(value))

    def reset(self) -> None:
        with self.lock:
            super().reset()
            with self._db_lock:
                for table in ("jobs", "idempotency", "files", "assets", "deliveries", "accounts", "ledger", "meta",
                              "counters"):
                    self._db.execute(f"DELETE FROM {table}")
            for key, value in self.meta.items():
                self.set_meta(key, value)
