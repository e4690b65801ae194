"""Signed webhook deliveries on terminal job states, retried with backoff on the sandbox clock.

Signatures follow Standard Webhooks: ``webhook-signature: v1,<base64 HMAC-SHA256>`` over
``"{webhook-id}.{webhook-timestamp}.{body}"`` with the account's secret (``whsec_`` + base64 key).
Every attempt is logged. With a manual clock, attempts happen when the clock is advanced past
them; with the real clock, a background ticker runs them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field

RETRY_SCHEDULE = (5, 30, 120, 600, 1800)  # seconds after each failed attempt; 6 attempts in all
TIMEOUT_SECONDS = 5.0


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def verify(secret: str, headers: dict, body: bytes) -> bool:
    """What a receiver does: recompute and compare (constant time) any of the v1 signatures."""
    lowered = {k.lower(): v for k, v in headers.items()}
    expected = sign(secret, lowered["webhook-id"], int(lowered["webhook-timestamp"]), body)
    return any(hmac.compare_digest(expected, s) for s in lowered["webhook-signature"].split())


@dataclass
class Delivery:
    id: str
    account: str
    job: str
    surface: str
    url: str
    event: str
    body: bytes
    next_at: float
    status: str = "pending"  # pending | delivered | failed
    attempts: list[dict] = field(default_factory=list)

    def public(self) -> dict:
        from sandbox.clock import iso

        return {"id": self.id, "account": self.account, "job": self.job, "surface": self.surface, "url": self.url,
                "event": self.event, "status": self.status,
                "next_attempt_at": iso(self.next_at) if self.status == "pending" else None,
                "attempts": list(self.attempts), "payload": json.loads(self.body)}


class Webhooks:
    def __init__(self, sandbox):
        self.sandbox = sandbox
        self._lock = threading.Lock()  # one delivery run at a time: each attempt is made once

    def enqueue(self, job, event: str, payload: dict, at: float) -> Delivery:
        sandbox = self.sandbox
        delivery = Delivery(sandbox.ids.hex("webhook", "msg_", 24), job.account, job.id, job.namespace,
                            job.webhook_url, event, json.dumps(payload, sort_keys=True).encode(), at)
        sandbox.store.put_delivery(delivery)
        return delivery

    def run_due(self) -> int:
        """Attempt every delivery that is due, in time order, until none is; returns attempts made."""
        made = 0
        store = self.sandbox.store
        with self._lock:
            while True:
                now = self.sandbox.clock.now()
                due = sorted((d for d in store.pending_deliveries() if d.next_at <= now),
                             key=lambda d: (d.next_at, d.id))
                progressed = False
                for delivery in due:
                    # Replicas sharing a store race for each attempt; exactly one makes it.
                    if store.claim_attempt(delivery.id, len(delivery.attempts) + 1):
                        self._attempt(delivery)
                        made += 1
                        progressed = True
                if not progressed:
                    return made

    def _attempt(self, delivery: Delivery) -> None:
        from sandbox.engine.fetch import Denied, post  # the same SSRF guard as image fetches
        sandbox = self.sandbox
        at = delivery.next_at  # the attempt happens when it fell due on the sandbox clock
        timestamp = int(at)
        account = sandbox.accounts.by_id.get(delivery.account)
        secret = sandbox.webhook_secret(account.id if account else delivery.account)
        headers = {"Content-Type": "application/json", "webhook-id": delivery.id,
                   "webhook-timestamp": str(timestamp),
                   "webhook-signature": sign(secret, delivery.id, timestamp, delivery.body),
                   "User-Agent": "darkroom-webhooks/1"}
        record = {"attempt": len(delivery.attempts) + 1, "at": _iso(at), "status_code": None, "error": None}
        final = False
        try:
            record["status_code"] = post(delivery.url, delivery.body, headers, timeout=TIMEOUT_SECONDS,
                                         allow_private=not sandbox.config.webhooks_deny_private)
        except Denied as exc:
            record["error"], final = f"target denied: {exc}", True
        except ValueError as exc:  # not a URL this sandbox can call: retrying cannot help
            record["error"], final = f"invalid webhook URL: {exc}", True
        except Exception as exc:  # refused, timed out, HTTP error status, TLS: all count as a failed attempt
            code = getattr(exc, "code", None)
            record["status_code"] = code if isinstance(code, int) else None
            record["error"] = f"{type(exc).__name__}: {exc}"
        delivery.attempts.append(record)
        ok = record["status_code"] is not None and 200 <= record["status_code"] < 300
        if ok:
            delivery.status = "delivered"
        elif final or len(delivery.attempts) > len(RETRY_SCHEDULE):
            delivery.status = "failed"
        else:
            delivery.next_at = at + RETRY_SCHEDULE[len(delivery.attempts) - 1]
        sandbox.store.put_delivery(delivery)


def _iso(epoch: float) -> str:
    from sandbox.clock import iso

    return iso(epoch)
