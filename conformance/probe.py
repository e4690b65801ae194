"""The rules' own HTTP client: auth by identity, a request budget, 429 waits, and a journal of exchanges.

A 429 carrying Retry-After is waited out (within the wait budget) and retried, so rate limits never
show up as rule failures; every 429 still lands in the journal for the rate-limit rule to judge.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from conformance.verdicts import Evidence

EXCERPT = 600
MAX_SINGLE_WAIT = 65.0


class BudgetExhausted(Exception):
    """The run has sent as many requests as --max-requests allows."""


@dataclass
class Budget:
    max_requests: int | None = None
    wait_seconds: float = 90.0
    sent: int = 0
    waited: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> None:
        with self.lock:
            if self.max_requests is not None and self.sent >= self.max_requests:
                raise BudgetExhausted(f"request budget of {self.max_requests} spent")
            self.sent += 1

    def may_wait(self, seconds: float) -> bool:
        with self.lock:
            if seconds > MAX_SINGLE_WAIT or self.waited + seconds > self.wait_seconds:
                return False
            self.waited += seconds
            return True


@dataclass
class Exchange:
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str | None
    response: httpx.Response
    operation: str | None = None
    identity: str = ""

    @property
    def status(self) -> int:
        return self.response.status_code

    def header(self, name: str) -> str | None:
        return self.response.headers.get(name)

    def json(self) -> Any:
        try:
            return self.response.json()
        except ValueError:
            return None

    def evidence(self, note: str = "") -> Evidence:
        text = self.response.text if _is_text(self.response) else f"<{len(self.response.content)} bytes>"
        return Evidence(
            method=self.method,
            url=self.url,
            request_headers=self.request_headers,
            request_body=self.request_body,
            status=self.status,
            response_headers=dict(self.response.headers),
            response_excerpt=text[:EXCERPT],
            note=note,
        )


def _is_text(response: httpx.Response) -> bool:
    kind = response.headers.get("content-type", "")
    return not kind or kind.startswith(("text/", "application/json", "application/problem")) or "json" in kind


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class Probe:
    """Sends requests as one identity (`headers` carry its credential) against one base URL."""

    def __init__(
        self,
        base_url: str,
        headers: dict[str, str],
        *,
        budget: Budget,
        journal: list[Exchange],
        identity: str = "main",
        key: str = "",
        timeout: float = 15.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = headers
        self.budget = budget
        self.journal = journal
        self.identity = identity
        self.key = key
        self.client = httpx.Client(timeout=timeout, transport=transport)
        self._lock = threading.Lock()

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.base_url + path

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        content: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        auth: bool = True,
        operation: str | None = None,
        wait_on_429: bool = True,
        request_id: bool = True,
    ) -> Exchange:
        sent_headers: dict[str, str] = dict(self.headers) if auth else {}
        if request_id:
            sent_headers["X-Request-Id"] = "darkroom-check-" + uuid.uuid4().hex[:16]
        body_text: str | None = None
        if json_body is not None:
            body_text = json.dumps(json_body, separators=(",", ":"))
            sent_headers["Content-Type"] = "application/json"
        elif content is not None:
            body_text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
        sent_headers.update(headers or {})
        url = self.url(path)
        while True:
            self.budget.take()
            response = self.client.request(
                method.upper(),
                url,
                headers=sent_headers,
                content=body_text.encode() if body_text is not None and content is None else content,
            )
            exchange = Exchange(method.upper(), url, sent_headers, body_text, response, operation, self.identity)
            with self._lock:
                self.journal.append(exchange)
            delay = retry_after(response) if response.status_code == 429 else None
            if delay is None or not wait_on_429 or not self.budget.may_wait(delay):
                return exchange
            time.sleep(delay + 0.05)

    def get_raw(self, url: str) -> httpx.Response:
        """Fetch a result file: no credential, as a CDN download would."""
        self.budget.take()
        return self.client.get(url, follow_redirects=True)

    def close(self) -> None:
        self.client.close()
