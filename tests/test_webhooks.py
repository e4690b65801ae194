"""Signed webhooks to a real loopback receiver that fails its first two attempts."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sandbox.webhooks import RETRY_SCHEDULE, verify
from tests.serverlib import live_server, manual_config


class Receiver:
    """Answers 500 to the first ``failures`` deliveries, then 204; keeps what it received."""

    def __init__(self, failures: int):
        self.failures = failures
        self.received: list[tuple[dict, bytes, int]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                status = 500 if len(receiver.received) < receiver.failures else 204
                receiver.received.append((dict(self.headers), body, status))
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver():
    r = Receiver(failures=2)
    yield r
    r.close()


def test_webhook_retried_to_success_with_a_valid_signature(receiver):
    with live_server(manual_config(rate_limits=False)) as live:
        created = live.client.post("/aigenstudio/api/v1/remove-background", headers={
            "Authorization": "Bearer sandbox_hooks", "Idempotency-Key": "hook-00001"}, json={
            "input": [{"image_url": "https://client.example/a.jpg"}], "webhook_url": receiver.url})
        job_id = created.json()["job"]["id"]
        live.advance(3)  # the job ends at t+3: the first attempt fails
        assert [r[2] for r in receiver.received] == [500]
        live.advance(RETRY_SCHEDULE[0])  # second attempt fails too
        assert [r[2] for r in receiver.received] == [500, 500]
        live.advance(RETRY_SCHEDULE[1])
        assert [r[2] for r in receiver.received] == [500, 500, 204]
        live.advance(10_000)
        assert len(receiver.received) == 3  # delivered: no more attempts

        account = live.sandbox.accounts.resolve("sandbox_hooks")
        secret = live.client.get(f"/_sandbox/accounts/{account.id}").json()["webhook_secret"]
        ids = set()
        for headers, body, _ in receiver.received:
            assert verify(secret, headers, body)
            assert not verify(secret, headers, body + b" ")
            ids.add(headers["webhook-id"])
            event = json.loads(body)
            assert event["type"] == "job.completed"
            assert event["data"]["id"] == job_id and event["data"]["status"] == "completed"
            assert event["data"]["results"][0]["url"].startswith(live.url)
        assert len(ids) == 1  # retries keep the message id, so receivers can deduplicate
        timestamps = [int(h["webhook-timestamp"]) for h, _, _ in receiver.received]
        assert timestamps[1] - timestamps[0] == RETRY_SCHEDULE[0]

        log = live.client.get("/_sandbox/webhooks", params={"job": job_id}).json()["deliveries"]
        assert len(log) == 1 and log[0]["status"] == "delivered"
        assert [a["status_code"] for a in log[0]["attempts"]] == [500, 500, 204]


def test_refused_connection_is_retried_then_given_up():
    with live_server(manual_config(rate_limits=False)) as live:
        live.client.post("/productai/v1/generate", headers={"Authorization": "Bearer sandbox_hooks"}, json={
            "model": "nanobanana", "image_url": "https://example.com/p.jpg", "prompt": "x",
            "webhook_url": "http://127.0.0.1:9/closed"})
        live.advance(sum(RETRY_SCHEDULE) + 10)
        delivery = live.client.get("/_sandbox/webhooks").json()["deliveries"][0]
        assert delivery["status"] == "failed"
        assert len(delivery["attempts"]) == len(RETRY_SCHEDULE) + 1
        assert all(a["error"] for a in delivery["attempts"])


def test_deny_switch_refuses_loopback_targets(receiver):
    with live_server(manual_config(rate_limits=False, webhooks_deny_private=True)) as live:
        live.client.post("/productai/v1/generate", headers={"Authorization": "Bearer sandbox_hooks"}, json={
            "model": "nanobanana", "image_url": "https://example.com/p.jpg", "prompt": "x",
            "webhook_url": receiver.url})
        live.advance(5)
        delivery = live.client.get("/_sandbox/webhooks").json()["deliveries"][0]
        assert delivery["status"] == "failed" and "denied" in delivery["attempts"][0]["error"]
        assert receiver.received == []
