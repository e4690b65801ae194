"""The mixed request load of the soak: what an integrator's fleet does to a sandbox, one call at a time.

Creates on all four vendor surfaces, reads, lists, cancels, idempotent replays, result downloads
and key checks, against sandbox keys (never charged, so a long run never meets a 402). Every
answer is held against the statuses its operation can legitimately give here; anything else is
an unexpected answer, and a 5xx or a dropped connection always counts.
"""

from __future__ import annotations

import random
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import httpx

KEYS = tuple(f"sandbox_soak_{n}" for n in range(4))
SOURCES = tuple(f"https://shop.example/soak/{n}.jpg" for n in range(32))
TERMINAL = {
    "aigenstudio-product-photo": {"completed", "partially_completed", "failed", "cancelled"},
    "aigenstudio-image": {"completed", "partially_completed", "failed", "cancelled"},
    "productai": {"COMPLETED", "ERROR"},
    "productai-v1": {"completed", "failed"},
}
READ_PATH = {
    "aigenstudio-product-photo": "/aigenstudio/api/v1/product-photo-jobs/{id}",
    "aigenstudio-image": "/aigenstudio/api/v1/jobs/{id}",
    "productai": "/productai/v1/api/job/{id}",
    "productai-v1": "/productai/v1/jobs/{id}",
}
CANCEL_PATH = {
    "aigenstudio-product-photo": "/aigenstudio/api/v1/product-photo-jobs/{id}/cancel",
    "aigenstudio-image": "/aigenstudio/api/v1/jobs/{id}/cancel",
}


def auth(surface: str, key: str) -> dict[str, str]:
    return {"x-api-key": key} if surface == "productai" else {"Authorization": f"Bearer {key}"}


def status_of(surface: str, body: dict) -> str | None:
    if surface.startswith("aigenstudio"):
        return body["job"]["status"]
    if surface == "productai":
        return body["data"]["status"]
    return body["status"]


def result_urls(surface: str, body: dict) -> list[str]:
    if surface == "aigenstudio-product-photo":
        return [r["url"] for item in body["job"]["items"] for r in item["results"] if r.get("url")]
    if surface == "aigenstudio-image":
        return [r["url"] for r in body["job"]["results"] if r.get("url")]
    if surface == "productai":
        return [body["data"]["image_url"]] if body["data"].get("image_url") else []
    return [image["url"] for image in body.get("images") or []]


@dataclass
class Created:
    surface: str
    id: str
    key: str
    replay: tuple[str, dict, str] | None = None  # (path, body, Idempotency-Key) for AI Gen Studio


@dataclass
class Tally:
    """Counts shared by every worker thread."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    requests: int = 0
    server_errors: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    transport: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # server_errors / unexpected / transport totals

    def note(self, op: str, method: str, url: str, status: int | None, expected: set[int], text: str = "",
             error: str = "") -> None:
        with self.lock:
            self.requests += 1
            self.statuses[op][status if status is not None else "error"] += 1
            line = f"{op}: {method} {url} -> {status if status is not None else error} {text[:300]!r}"
            if status is None:
                kind, bucket = "transport", self.transport
            elif status >= 500:
                kind, bucket = "server_errors", self.server_errors
            elif status not in expected:
                kind, bucket = "unexpected", self.unexpected
            else:
                return
            self.counts[kind] += 1
            if len(bucket) < 20:
                bucket.append(line)


class Mix:
    """The shared state of one soak run: jobs made so far and result files seen."""

    def __init__(self, base_url: str, tally: Tally, distinct_files: int, fresh_creates: threading.Event):
        self.base = base_url
        self.tally = tally
        self.distinct_files = distinct_files
        self.fresh_creates = fresh_creates  # cleared: create slots replay known keys instead
        self.lock = threading.Lock()
        self.jobs: list[Created] = []
        self.replayable: list[Created] = []
        self.files: list[str] = []
        self.local = threading.local()
        self.sequence = 0

    def client(self) -> httpx.Client:
        if not hasattr(self.local, "client"):
            self.local.client = httpx.Client(base_url=self.base, timeout=30)
        return self.local.client

    def call(self, op: str, method: str, url: str, expected: set[int], **kwargs) -> httpx.Response | None:
        try:
            response = self.client().request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            self.tally.note(op, method, url, None, expected, error=f"{type(exc).__name__}: {exc}")
            return None
        self.tally.note(op, method, url, response.status_code, expected, response.text)
        return response

    def _next(self) -> int:
        with self.lock:
            self.sequence += 1
            return self.sequence

    def _remember(self, job: Created) -> None:
        with self.lock:
            self.jobs.append(job)
            if job.replay is not None:
                self.replayable.append(job)

    def pick(self, surfaces=None) -> Created | None:
        with self.lock:
            jobs = self.jobs if surfaces is None else [j for j in self.jobs[-500:] if j.surface in surfaces]
            return random.choice(jobs) if jobs else None

    # --- operations -------------------------------------------------------------------------------

    def create(self, rng: random.Random) -> None:
        if not self.fresh_creates.is_set():
            return self.replay(rng)
        n, key, source = self._next(), rng.choice(KEYS), rng.choice(SOURCES)
        kind = n % 5
        if kind == 0:
            path, surface = "/aigenstudio/api/v1/product-photo-jobs", "aigenstudio-product-photo"
            body = {"images": [{"source_url": source}]}
        elif kind == 1:
            path, surface = "/aigenstudio/api/v1/remove-background", "aigenstudio-image"
            body = {"input": [{"image_url": source}]}
        elif kind == 2:
            path, surface = "/aigenstudio/api/v1/image-generation", "aigenstudio-image"
            body = {"prompt": f"studio scene {n % 7}", "aspect_ratio": "1:1"}
        elif kind == 3:
            path, surface = "/productai/v1/api/generate", "productai"
            body = {"image_url": source, "prompt": "on a marble table", "model": "gpt-low"}
        else:
            path, surface = "/productai/v1/generate", "productai-v1"
            body = {"model": "nanobanana", "image_url": source, "prompt": "on a marble table"}
        headers = auth(surface, key)
        idem = None
        if surface.startswith("aigenstudio"):
            idem = f"soak-{n:08d}"
            headers["Idempotency-Key"] = idem
        expected = {200} if surface == "productai" else {202}
        response = self.call("create", "POST", path, expected, json=body, headers=headers)
        if response is None or response.status_code not in expected:
            return None
        data = response.json()
        job_id = {"productai": lambda: str(data["data"]["id"]), "productai-v1": lambda: data["job_id"]}.get(
            surface, lambda: data["job"]["id"])()
        self._remember(Created(surface, job_id, key, (path, body, idem) if idem else None))
        return None

    def replay(self, rng: random.Random) -> None:
        with self.lock:
            job = rng.choice(self.replayable) if self.replayable else None
        if job is None:
            return self.key_check(rng)
        path, body, idem = job.replay
        response = self.call("replay", "POST", path, {200}, json=body,
                             headers={**auth(job.surface, job.key), "Idempotency-Key": idem})
        if response is not None and response.status_code == 200 and response.json()["job"]["id"] != job.id:
            self.tally.note("replay", "POST", path, 200, set(), f"replayed another job: {response.text}")
        return None

    def read(self, rng: random.Random) -> None:
        job = self.pick()
        if job is None:
            return self.key_check(rng)
        self.call("read", "GET", READ_PATH[job.surface].format(id=job.id), {200}, headers=auth(job.surface, job.key))
        return None

    def harvest(self, job: Created) -> None:
        """Add a finished job's result files to the download pool (up to ``distinct_files``)."""
        response = self.call("read", "GET", READ_PATH[job.surface].format(id=job.id), {200},
                             headers=auth(job.surface, job.key))
        if response is None or response.status_code != 200:
            return
        with self.lock:
            for url in result_urls(job.surface, response.json()):
                if url not in self.files and len(self.files) < self.distinct_files:
                    self.files.append(url)

    def listing(self, rng: random.Random) -> None:
        path = rng.choice(["/aigenstudio/api/v1/jobs", "/aigenstudio/api/v1/product-photo-jobs"])
        self.call("list", "GET", path, {200}, params={"limit": rng.choice([1, 10, 50])},
                  headers=auth("aigenstudio-image", rng.choice(KEYS)))

    def cancel(self, rng: random.Random) -> None:
        job = self.pick(CANCEL_PATH)
        if job is None:
            return self.key_check(rng)
        self.call("cancel", "POST", CANCEL_PATH[job.surface].format(id=job.id), {200, 409},
                  headers=auth(job.surface, job.key))
        return None

    def download(self, rng: random.Random) -> None:
        with self.lock:
            url = rng.choice(self.files) if self.files else None
        if url is None:
            return self.key_check(rng)
        response = self.call("download", "GET", url, {200})
        if response is not None and response.status_code == 200 and \
                not response.headers.get("content-type", "").startswith("image/"):
            self.tally.note("download", "GET", url, 200, set(), f"not an image: {response.headers}")
        return None

    def key_check(self, rng: random.Random) -> None:
        self.call("key-check", "GET", "/productai/v1/api/key-check", {200},
                  headers=auth("productai", rng.choice(KEYS)))

    def weighted(self):
        """(operation, weight): reads dominate, as they do for a polling client."""
        return [(self.create, 25), (self.read, 30), (self.listing, 10), (self.cancel, 5), (self.replay, 5),
                (self.download, 10), (self.key_check, 15)]

    # --- the end: every job terminal ---------------------------------------------------------------

    def unfinished(self, jobs: list[Created]) -> list[Created]:
        """The jobs among ``jobs`` that are not terminal yet (one read each)."""
        left = []
        for job in jobs:
            response = self.call("final-read", "GET", READ_PATH[job.surface].format(id=job.id), {200},
                                 headers=auth(job.surface, job.key))
            if response is None or response.status_code != 200 or \
                    status_of(job.surface, response.json()) not in TERMINAL[job.surface]:
                left.append(job)
        return left
