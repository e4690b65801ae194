"""The sandbox's state and the operations on it, independent of HTTP.

Handlers translate requests into calls on :class:`Sandbox` and its answers into vendor bodies;
everything that decides something (auth, credits, idempotency, job lifecycle) happens here.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import random
import threading
import time
from pathlib import Path

from sandbox import planner
from sandbox.accounts import Account, Accounts
from sandbox.clock import Clock
from sandbox.config import Config
from sandbox.errors import ApiError
from sandbox.files import ResultFiles
from sandbox.ids import Ids
from sandbox.jobs import Job
from sandbox.journal import Journal
from sandbox.limits import RateLimiter, check_concurrency
from sandbox.store import open_store
from sandbox.surfaces import BY_NAME
from sandbox.webhooks import Webhooks

# How each surface names its jobs, and whether failed items are refunded (ProductAI keeps tokens).
JOB_IDS = {
    "aigenstudio-product-photo": ("uuid", True),
    "aigenstudio-image": ("uuid", True),
    "productai": ("number", False),
    "productai-v1": ("job_hex", False),
}


MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # seed 002: "Max size: 10 MB"


def fingerprint(body) -> str:
    """Canonical JSON: key order and whitespace do not change a request's identity.

    ASCII escapes keep lone surrogates (valid in JSON text, not in UTF-8) hashable.
    """
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


class Sandbox:
    def __init__(self, config: Config | None = None):
        self.config = config or Config()
        self.store = open_store(self.config.state)
        seed = self.store.get_meta("seed")
        if seed is None:
            seed = self.config.seed if self.config.seed is not None else random.SystemRandom().randrange(2**31)
            self.store.set_meta("seed", seed)
        self.ids = Ids(seed, self.store.counter, boot=self.store.counter("boot"))
        self.clock = Clock(self.config.clock, self.config.start, store=self.store)
        self.accounts = Accounts(self.store, self.config.accounts)
        self.files = ResultFiles(self)
        self.journal = Journal()
        self.limiter = RateLimiter(self)
        self.webhooks = Webhooks(self)
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()
        self._source_sizes: dict[str, tuple[int, int]] = {}

    # auth
    def authenticate(self, key: str | None) -> Account:
        account = self.accounts.resolve(key)
        if account is None:
            raise ApiError("unauthorized")
        if not account.enabled:
            raise ApiError("forbidden", "API access is not enabled for this account.")
        return account

    # jobs
    def create_job(self, surface: str, operation_id: str, account: Account, body: dict,
                   idempotency_key: str | None = None, base_url: str = "") -> tuple[Job, bool, int]:
        """(job, replayed, balance after). Same key + same body replays; another body conflicts."""
        scope = (account.id, operation_id, idempotency_key) if idempotency_key else None
        now = self.clock.now()
        if scope is not None:
            digest = fingerprint(body)
            ttl = self.config.idempotency_ttl_hours * 3600
            record = self.store.claim_idempotency(scope, digest, now, ttl)
            if record is not None:
                if record.fingerprint != digest:
                    raise ApiError("idempotency_conflict")
                if record.job_id is None:
                    wait = max(1, math.ceil(record.lease_until - time.time()))
                    raise ApiError("idempotency_in_progress", headers={"Retry-After": str(wait)})
                job = self.store.get_job(surface, record.job_id)
                return job, True, self.balance(account, surface)
        try:
            with self.store.transaction():
                job, balance = self._new_job(surface, operation_id, account, body, now, base_url)
                if scope is not None:
                    self.store.complete_idempotency(scope, job.id)
        except BaseException:
            if scope is not None:
                self.store.release_idempotency(scope)
            raise
        return job, False, balance

    def _new_job(self, surface: str, operation_id: str, account: Account, body: dict, now: float,
                 base_url: str = ""):
        def own_asset(asset_id):
            asset = self.store.get_asset(asset_id)
            return asset if asset is not None and asset["account"] == account.id else None

        plan = planner.PLANS[operation_id](body, own_asset)
        check_concurrency(self, surface, account)
        self._check_sources(surface, plan.items)
        style, refund = JOB_IDS[surface]
        ledger = BY_NAME[surface].ledger
        job_id = {"uuid": lambda: self.ids.uuid(surface),
                  "number": lambda: str(self.ids.number(surface)),
                  "job_hex": lambda: self.ids.hex(surface, "job_")}[style]()
        cost = 0 if account.sandbox else plan.cost
        if cost and self.accounts.balance(account, ledger) < cost:
            raise self.accounts.short(account, ledger, cost)
        factor = self.config.slow_factor if plan.slow else 1.0
        job = Job(job_id, surface, account.id, plan.kind, body, now, self.store.next_seq(), plan.items,
                  self.config.queued_seconds * factor, self.config.processing_seconds * factor,
                  credits=cost, sandbox=account.sandbox, ledger=ledger, refund_failed=refund,
                  webhook_url=plan.webhook_url,
                  extra={"pipeline": plan.pipeline, "params": plan.params, "format": plan.format,
                         "size": plan.size, "scale": plan.scale, "base_url": base_url})
        # The job is stored before it is charged: where writes are not one transaction (Redis), a
        # crash in between leaves an unacknowledged, uncharged job rather than a charge for nothing.
        self.store.put_job(job)
        try:
            balance = self.accounts.charge(account, ledger, cost, job=job_id, at=now)
        except ApiError:
            self.store.delete_job(job)  # another request spent the credit first
            raise
        return job, balance

    def get_job(self, surface: str, account: Account, job_id: str) -> Job:
        """Another tenant's job is indistinguishable from a missing one: 404, never 403."""
        job = self.store.get_job(surface, str(job_id))
        if job is None or job.account != account.id:
            raise ApiError("job_not_found", f"Job {job_id} was not found.")
        self.settle(job)
        return job

    def list_jobs(self, surface: str, account: Account, limit: int, cursor: str | None, kind: str | None = None):
        """Newest first; the cursor is the opaque position after the last job returned.

        An unknown cursor yields an empty page rather than a 400: the cursor is schema-valid.
        """
        jobs = self.store.jobs_of(surface, account.id)
        if kind is not None:
            jobs = [j for j in jobs if j.kind == kind]
        if cursor:
            after = _decode_cursor(cursor)
            jobs = [j for j in jobs if j.seq < after] if after is not None else []
        page, more = jobs[:limit], len(jobs) > limit
        for job in page:
            self.settle(job)
        next_cursor = _encode_cursor(page[-1].seq) if more and page else None
        return page, more, next_cursor

    def cancel_job(self, surface: str, account: Account, job_id: str) -> Job:
        job = self.get_job(surface, account, job_id)
        now = self.clock.now()
        if job.finished(now):
            raise ApiError("job_not_cancellable", f"Job {job_id} is {job.phase(now)} and cannot be cancelled.")
        job.cancelled_at = now
        self.store.put_job(job)
        self.settle(job)
        return job

    def settle(self, job: Job) -> None:
        """Once a job has ended: refund what the vendor refunds and queue its webhook. Once per job."""
        now = self.clock.now()
        if job.settled or not job.finished(now) or not self.store.claim_settlement(job):
            return
        ended = job.finished_at(now)
        phase = job.phase(now)
        account = self.accounts.by_id.get(job.account)
        if account is not None and job.refund_failed and job.credits:
            refund = job.credits if phase == "cancelled" else job.failed_cost_share()
            self.accounts.credit(account, job.ledger, refund, reason="refund", job=job.id, at=ended)
        if job.webhook_url:
            from sandbox.clock import iso
            from sandbox.views import render_job

            payload = {"type": f"job.{phase}", "timestamp": iso(ended),
                       "data": render_job(self, job, ended, job.extra.get("base_url", ""))}
            self.webhooks.enqueue(job, f"job.{phase}", payload, ended)
        self.store.put_job(job)

    def tick(self) -> None:
        """Let time act: settle finished jobs, then make every webhook attempt that is due."""
        self.settle_all()
        self.webhooks.run_due()

    def start_ticker(self, interval: float = 0.25) -> None:
        """With the real clock nobody advances time, so a daemon thread does the ticking."""
        if self._ticker is not None:
            return

        def loop():
            while not self._stop.wait(interval):
                if self.clock.mode == "real":
                    try:
                        self.tick()
                    except Exception:  # a bad webhook target must never stop the ticker
                        import logging

                        logging.getLogger("darkroom").exception("ticker")

        self._ticker = threading.Thread(target=loop, name="darkroom-ticker", daemon=True)
        self._ticker.start()

    def close(self) -> None:
        self._stop.set()

    def webhook_secret(self, account_id: str) -> str:
        """Per-account signing secret, stable for a given seed (``whsec_`` + base64 key)."""
        digest = hashlib.sha256(f"{self.ids.seed}:webhook-secret:{account_id}".encode()).digest()
        return "whsec_" + base64.b64encode(digest).decode()

    def settle_all(self) -> None:
        for job in self.store.unsettled():
            self.settle(job)

    def balance(self, account: Account, surface: str) -> int:
        return self.accounts.balance(account, BY_NAME[surface].ledger)

    def reset(self) -> None:
        """Forget all state, restore configured accounts (balances included) and the configured clock."""
        self.store.reset()
        self.journal.clear()
        self.clock.set_mode(self.config.clock, self.config.start)
        self.accounts = Accounts(self.store, self.config.accounts)
        self.ids = Ids(self.ids.seed, self.store.counter, boot=self.store.counter("boot"))

    # sources and results
    def load_source(self, url: str):
        """Uploads, ``data:`` URIs, configured fixtures, opt-in fetch, else a synthetic photo."""
        from sandbox.engine import load_source

        assets = {url: self.store.get_asset(url[len("asset:"):])["data"]} if url.startswith("asset:") else {}
        config = self.config
        return load_source(url, assets=assets, fixtures={u: Path(f) for u, f in config.fixtures.items()},
                           allow_fetch=config.allow_fetch, allow_private=config.allow_private)

    def _check_sources(self, surface: str, items) -> None:
        """Sources the sandbox can read now (uploads, data: URIs, fixtures, fetches) are checked at
        creation: a broken one fails its item, or, on ProductAI's /api, the request (seed 002)."""
        from sandbox.engine import SourceError

        config = self.config
        for item in items:
            url = item.source_url
            if item.failure or not url:
                continue
            local = url.startswith(("data:", "asset:")) or url in config.fixtures
            if not (local or config.allow_fetch):
                continue  # a synthetic stand-in: nothing can be wrong with it
            try:
                source = self.load_source(url)
                self._source_sizes[url] = (source.width, source.height)
            except SourceError as exc:
                if surface == "productai":
                    raise ApiError("invalid_image", f"Image URL is invalid or unreachable: {exc}",
                                   field="image_url") from None
                item.failure = "image_unreachable" if exc.code == "unreachable" else "invalid_image"

    def source_size(self, url: str | None) -> tuple[int, int]:
        """Pixel size of a source image (upscale results follow it); unreadable sources count as synthetic."""
        from sandbox.engine import SourceError

        if url not in self._source_sizes:
            try:
                source = self.load_source(url)
                self._source_sizes[url] = (source.width, source.height)
            except SourceError:  # the item failed; its declared size is the synthetic stand-in's
                synthetic = self.load_source("synthetic:unreadable")
                self._source_sizes[url] = (synthetic.width, synthetic.height)
        return self._source_sizes[url]

    def result_file(self, name: str):
        spec = self.store.get_file(name.split(".")[0])
        if spec is None or not name.endswith("." + spec["format"]):
            return None
        return self.files.get(name, spec)

    def upload_asset(self, account: Account, upload, base_url: str) -> dict:
        """Keep an uploaded file; it becomes a source for v1 generations by ``asset_id``.

        Any bytes are accepted (the request is schema-valid); unreadable ones are reported as
        ``application/octet-stream`` and fail the generation that uses them, like a broken URL.
        """
        from sandbox.clock import iso
        from sandbox.engine import SourceError, load_source

        data = upload.file.read() if hasattr(upload, "file") else bytes(upload or b"")
        if len(data) > MAX_UPLOAD_BYTES:
            raise ApiError("too_large", f"Uploads are limited to {MAX_UPLOAD_BYTES} bytes (10 MB).")
        try:
            image = load_source("upload:", assets={"upload:": data})
            media_type = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}[image.format]
            width, height = image.width, image.height
        except SourceError:
            media_type, width, height = "application/octet-stream", None, None
        asset_id = self.ids.hex("asset", "asset_")
        now = self.clock.now()
        self.store.put_asset(asset_id, {"data": data, "account": account.id, "url": f"asset:{asset_id}",
                                        "width": width})
        return {"asset_id": asset_id, "content_type": media_type, "size": len(data),
                "width": width, "height": height, "created_at": iso(now)}


def _encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        return int(value) if kind == "seq" else None
    except (ValueError, UnicodeDecodeError):
        return None
