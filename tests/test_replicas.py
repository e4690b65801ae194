"""Three ``darkroom serve`` replicas share one real Redis; a client spreads requests round-robin."""

from __future__ import annotations

import concurrent.futures
import itertools
import os
import signal

import httpx
import pytest

from tests.redislib import redis_server
from tests.serverlib import free_port, serve_process, wait_up
from tests.test_webhooks import Receiver


def _start(redis_url: str, port: int):
    return serve_process("--port", str(port), "--seed", "5", "--state", redis_url, "--clock", "manual",
                         "--start", "2026-01-01T00:00:00Z")


@pytest.fixture(scope="module")
def replicas():
    with redis_server() as (redis_url, client):
        ports = [free_port() for _ in range(3)]
        processes = [_start(redis_url, port) for port in ports]
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        try:
            for url in urls:
                wait_up(url)
            yield urls, processes, client
        finally:
            for process in processes:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(10)


def test_fifty_parallel_creates_with_one_key_make_one_job_and_one_charge(replicas):
    urls, _, _ = replicas
    body = {"input": [{"image_url": "https://e.example/a.jpg"}], "output": {"number_of_images": 3}}

    def send(n):
        return httpx.post(urls[n % 3] + "/aigenstudio/api/v1/remove-background", json=body, timeout=30,
                          headers={"Authorization": "Bearer live_demo", "Idempotency-Key": "replica-race-1"})

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(send, range(50)))
    statuses = [r.status_code for r in responses]
    assert statuses.count(202) == 1 and set(statuses) <= {200, 202, 409}
    job_ids = {r.json()["job"]["id"] for r in responses if r.status_code in (200, 202)}
    assert len(job_ids) == 1
    ledger = httpx.get(urls[1] + "/_sandbox/accounts/live_demo").json()
    assert ledger["balances"]["aigenstudio"] == 1000 - 3
    jobs = httpx.get(urls[2] + "/_sandbox/jobs").json()["jobs"]
    assert [j["id"] for j in jobs if j["account"] == "live_demo"] == list(job_ids)


def test_productai_limit_holds_in_total_not_per_replica(replicas):
    urls, _, _ = replicas
    rotation = itertools.cycle(urls)
    statuses = [httpx.get(next(rotation) + "/productai/v1/api/key-check",
                          headers={"x-api-key": "sandbox_replica"}).status_code for _ in range(16)]
    assert statuses == [200] * 15 + [429]


def test_a_job_moves_between_replicas_and_is_webhooked_once(replicas):
    urls, _, _ = replicas
    receiver = Receiver(failures=1)
    try:
        headers = {"Authorization": "Bearer sandbox_roam", "Idempotency-Key": "roam-00001"}
        created = httpx.post(urls[0] + "/aigenstudio/api/v1/remove-background", headers=headers, json={
            "input": [{"image_url": "https://e.example/a.jpg"}], "webhook_url": receiver.url}).json()["job"]
        other = httpx.post(urls[0] + "/aigenstudio/api/v1/remove-background",
                           headers={**headers, "Idempotency-Key": "roam-00002"},
                           json={"input": [{"image_url": "https://e.example/b.jpg"}]}).json()["job"]
        read = httpx.get(urls[1] + f"/aigenstudio/api/v1/jobs/{created['id']}", headers=headers)
        assert read.status_code == 200 and read.json()["job"]["status"] == "queued"
        cancelled = httpx.post(urls[2] + f"/aigenstudio/api/v1/jobs/{other['id']}/cancel", headers=headers)
        assert cancelled.status_code == 200 and cancelled.json()["job"]["status"] == "cancelled"
        assert httpx.post(urls[1] + "/_sandbox/clock/advance", json={"seconds": 3}).status_code == 200
        assert [r[2] for r in receiver.received] == [500]
        assert httpx.post(urls[2] + "/_sandbox/clock/advance", json={"seconds": 5}).status_code == 200
        # every replica ticks at once: the due attempts have all been made, none is repeated
        with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
            list(pool.map(lambda u: httpx.put(u + "/_sandbox/clock", json={"mode": "manual"}), urls))
        assert [r[2] for r in receiver.received] == [500, 204]
        log = httpx.get(urls[0] + "/_sandbox/webhooks", params={"job": created["id"]}).json()["deliveries"]
        assert [a["status_code"] for a in log[0]["attempts"]] == [500, 204]
        assert httpx.get(urls[0] + f"/aigenstudio/api/v1/jobs/{other['id']}", headers=headers).json()["job"][
            "status"] == "cancelled"
    finally:
        receiver.close()


def test_killing_a_replica_loses_nothing_acknowledged(replicas):
    urls, processes, _ = replicas
    acknowledged = []
    for n in range(9):  # under v1's 10 active jobs: the manual clock is not moving here
        r = httpx.post(urls[n % 3] + "/productai/v1/generate", headers={"Authorization": "Bearer sandbox_kill"},
                       json={"model": "nanobanana", "image_url": f"https://e.example/{n}.jpg", "prompt": "x"})
        assert r.status_code == 202
        acknowledged.append(r.json()["job_id"])
    os.killpg(processes[0].pid, signal.SIGKILL)
    processes[0].wait(10)
    for job_id in acknowledged:
        for url in urls[1:]:
            r = httpx.get(f"{url}/productai/v1/jobs/{job_id}", headers={"Authorization": "Bearer sandbox_kill"})
            assert r.status_code == 200 and r.json()["job_id"] == job_id
