"""One store interface, two stores: the same suite runs on memory and SQLite; SQLite survives kill -9."""

from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import sqlite3
import time

import httpx
import pytest

from sandbox.jobs import Item, Job
from sandbox.store import open_store
from sandbox.webhooks import Delivery
from tests.redislib import redis_server
from tests.serverlib import free_port, live_server, manual_config, serve_process, wait_up


@pytest.fixture(scope="module")
def redis_url():
    with redis_server() as (url, _):
        yield url


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store_url(request, tmp_path):
    """The same suite for every store."""
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        open_store(url).reset()
        return url
    return "memory" if request.param == "memory" else f"sqlite:{tmp_path / 'state.db'}"


def make_job(n: int, account="acct") -> Job:
    return Job(f"job-{n}", "productai-v1", account, "nanobanana", {"prompt": "x"}, 100.0 + n, n,
               [Item(0, "https://e.example/a.jpg", None, 2)], 1.0, 2.0, credits=3, sandbox=False, ledger="productai")


def test_jobs_round_trip_and_list_newest_first(store_url):
    store = open_store(store_url)
    for n in (1, 2, 3):
        store.put_job(make_job(n))
    store.put_job(make_job(4, account="other"))
    assert [j.id for j in store.jobs_of("productai-v1", "acct")] == ["job-3", "job-2", "job-1"]
    job = store.get_job("productai-v1", "job-2")
    assert job.items[0].outputs == 2 and job.params == {"prompt": "x"}
    assert store.get_job("productai-v1", "nope") is None


def test_idempotency_claim_complete_release_and_expiry(store_url):
    store = open_store(store_url)
    scope = ("acct", "removeBackground", "key-1")
    assert store.claim_idempotency(scope, "fp", now=0, ttl=10) is None
    assert store.claim_idempotency(scope, "fp", now=1, ttl=10).job_id is None  # in flight
    store.release_idempotency(scope)
    assert store.claim_idempotency(scope, "fp", now=2, ttl=10) is None
    store.complete_idempotency(scope, "job-1")
    assert store.claim_idempotency(scope, "other", now=3, ttl=10).job_id == "job-1"
    assert store.claim_idempotency(scope, "fp", now=13, ttl=10) is None  # expired: reserved anew


def test_rate_windows_files_assets_deliveries_and_reset(store_url):
    store = open_store(store_url)
    assert [store.count_request(("p", "ip"), 60, 2) for _ in range(3)] == [1, 2, None]
    assert store.count_request(("p", "ip"), 120, 2) == 1
    store.put_file("k", {"format": "png"})
    store.put_asset("asset_1", {"data": b"\x89PNG", "account": "acct", "url": "asset:asset_1"})
    store.put_delivery(Delivery("msg_1", "acct", "job-1", "productai-v1", "http://h", "job.completed", b"{}", 5.0))
    assert store.get_file("k") == {"format": "png"} and store.get_asset("asset_1")["data"] == b"\x89PNG"
    assert [d.id for d in store.pending_deliveries()] == ["msg_1"]
    store.reset()
    assert store.get_file("k") is None and store.all_deliveries() == [] and store.all_jobs() == []


def test_sqlite_reopens_with_everything(tmp_path):
    url = f"sqlite:{tmp_path / 'state.db'}"
    store = open_store(url)
    store.put_job(make_job(1))
    store.claim_idempotency(("a", "op", "k"), "fp", 0, 100)
    store.complete_idempotency(("a", "op", "k"), "job-1")
    store.put_asset("asset_1", {"data": b"bytes", "account": "acct", "url": "asset:asset_1"})
    store.put_delivery(Delivery("msg_1", "acct", "job-1", "productai-v1", "http://h", "job.completed", b"{}", 5.0))
    store.set_meta("clock", {"mode": "manual", "now": 42.0})
    again = open_store(url)
    assert again.get_job("productai-v1", "job-1").credits == 3
    assert again.claim_idempotency(("a", "op", "k"), "fp", 1, 100).job_id == "job-1"
    assert again.get_asset("asset_1")["data"] == b"bytes"
    assert again.pending_deliveries()[0].body == b"{}"
    assert again.get_meta("clock") == {"mode": "manual", "now": 42.0}


def test_restart_keeps_jobs_balances_clock_and_ids(tmp_path):
    config = manual_config(rate_limits=False, state=f"sqlite:{tmp_path / 'state.db'}")
    with live_server(config) as live:
        job = live.client.post("/productai/v1/generate", headers={"Authorization": "Bearer live_demo"},
                               json={"model": "nanobanana2", "image_url": "https://e.example/p.jpg", "prompt": "x"}).json()
        live.advance(100)
    with live_server(config) as live:
        read = live.client.get(f"/productai/v1/jobs/{job['job_id']}", headers={"Authorization": "Bearer live_demo"})
        assert read.status_code == 200 and read.json()["status"] == "completed"
        assert live.client.get("/_sandbox/clock").json()["now"] == "2026-01-01T00:01:40Z"
        assert live.client.get("/_sandbox/accounts/live_demo").json()["balances"]["productai"] == 995
        second = live.client.post("/productai/v1/generate", headers={"Authorization": "Bearer live_demo"},
                                  json={"model": "nanobanana2", "image_url": "https://e.example/p.jpg", "prompt": "x"})
        assert second.json()["job_id"] != job["job_id"]


def _serve(db, port):
    return serve_process("--port", str(port), "--seed", "5", "--no-rate-limits", "--state", f"sqlite:{db}")


def test_sigkill_during_a_burst_loses_nothing_acknowledged(tmp_path):
    db, port = tmp_path / "state.db", free_port()
    url = f"http://127.0.0.1:{port}"
    process = _serve(db, port)
    wait_up(url)
    acknowledged: list[tuple[str, str]] = []

    def create(n):
        try:
            if n % 2:
                r = httpx.post(url + "/aigenstudio/api/v1/remove-background", timeout=2, json={
                    "input": [{"image_url": f"https://e.example/{n}.jpg"}]},
                    headers={"Authorization": "Bearer live_demo", "Idempotency-Key": f"burst-{n:05d}"})
                if r.status_code == 202:
                    acknowledged.append(("aigenstudio-image", r.json()["job"]["id"]))
            else:
                r = httpx.post(url + "/productai/v1/api/generate", timeout=2, headers={"x-api-key": "live_demo"},
                               json={"image_url": f"https://e.example/{n}.jpg", "prompt": "x", "model": "gpt-low"})
                if r.status_code == 200:
                    acknowledged.append(("productai", str(r.json()["data"]["id"])))
        except httpx.HTTPError:
            pass  # in flight when the server died: not acknowledged

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(create, n) for n in range(400)]
        while len(acknowledged) < 40:
            time.sleep(0.01)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
        for f in futures:
            f.cancel()  # never sent: nothing to lose
        concurrent.futures.wait(futures)
    assert len(acknowledged) >= 40

    process = _serve(db, port)
    try:
        wait_up(url)
        for surface, job_id in acknowledged:
            if surface == "productai":
                r = httpx.get(f"{url}/productai/v1/api/job/{job_id}", headers={"x-api-key": "live_demo"})
            else:
                r = httpx.get(f"{url}/aigenstudio/api/v1/jobs/{job_id}", headers={"Authorization": "Bearer live_demo"})
            assert r.status_code == 200, (surface, job_id)
        replay = httpx.post(url + "/aigenstudio/api/v1/remove-background", json={
            "input": [{"image_url": "https://e.example/1.jpg"}]},
            headers={"Authorization": "Bearer live_demo", "Idempotency-Key": "burst-00001"})
        assert replay.status_code == 200  # the idempotency record survived too
        balances = httpx.get(url + "/_sandbox/accounts/live_demo").json()["balances"]
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
    with sqlite3.connect(db) as conn:
        entries = [json.loads(b) for (b,) in conn.execute("SELECT body FROM ledger")]
    charges = [e for e in entries if e["reason"] == "charge"]
    charged_jobs = [e["job"] for e in charges]
    assert len(charged_jobs) == len(set(charged_jobs))  # nothing charged twice
    assert {job_id for _, job_id in acknowledged} <= set(charged_jobs)
    for ledger in ("aigenstudio", "productai"):
        assert balances[ledger] == 1000 + sum(e["amount"] for e in entries if e["ledger"] == ledger)


def test_accounts_balances_ledger_counters_and_claims(store_url):
    from sandbox.accounts import Account

    store = open_store(store_url)
    assert store.account_add(Account("a", ["k1", "k2"], "live", {"aigenstudio": 5, "productai": 0})) is None
    assert "already exists" in store.account_add(Account("a", ["k3"], "live"))
    assert "already belongs" in store.account_add(Account("b", ["k2"], "live"))
    assert store.account_for_key("k2").id == "a" and store.account_for_key("nope") is None
    entry = {"account": "a", "ledger": "aigenstudio", "amount": -3, "reason": "charge", "job": "j", "at": 1.0}
    assert store.balance_move("a", "aigenstudio", -3, entry) == 2
    assert store.balance_move("a", "aigenstudio", -3, {**entry, "job": "k"}) is None  # never below zero
    assert store.account_get("a").balances["aigenstudio"] == 2
    assert [row["job"] for row in store.ledger()] == ["j"]  # the refused move left no entry
    store.account_update("a", enabled=False, revoke="k1", balances={"productai": 9})
    account = store.account_get("a")
    assert (account.enabled, account.revoked, account.balances["productai"]) == (False, {"k1"}, 9)
    assert [store.counter("x") for _ in range(3)] == [1, 2, 3]
    job = make_job(1)
    store.put_job(job)
    assert store.claim_settlement(store.get_job("productai-v1", "job-1")) is True
    assert store.claim_settlement(store.get_job("productai-v1", "job-1")) is False
    assert store.unsettled() == []
    assert store.claim_attempt("msg_1", 1) is True


def test_sandbox_serves_from_redis(redis_url):
    open_store(redis_url).reset()
    config = manual_config(rate_limits=False, state=redis_url)
    with live_server(config) as live:
        headers = {"Authorization": "Bearer live_demo", "Idempotency-Key": "redis-0001"}
        body = {"input": [{"image_url": "https://e.example/a.jpg"}]}
        first = live.client.post("/aigenstudio/api/v1/remove-background", json=body, headers=headers)
        again = live.client.post("/aigenstudio/api/v1/remove-background", json=body, headers=headers)
        assert (first.status_code, again.status_code) == (202, 200)
        assert first.json()["remaining_paid_credits"] == 999
        live.advance(5)
        job = live.client.get(f"/aigenstudio/api/v1/jobs/{first.json()['job']['id']}",
                              headers={"Authorization": "Bearer live_demo"}).json()["job"]
        assert job["status"] == "completed"
        assert live.client.get(job["results"][0]["url"]).status_code == 200
