"""Idempotency on AI Gen Studio creates, over real HTTP: replay, conflict, in-flight, expiry, races."""

from __future__ import annotations

import concurrent.futures

import httpx
import pytest

from tests.serverlib import live_server, manual_config

BODY = {"input": [{"image_url": "https://client.example/images/shoe-001.jpg", "external_id": "shoe-001"}],
        "output": {"format": "png", "number_of_images": 2}}
PATH = "/aigenstudio/api/v1/remove-background"


@pytest.fixture(scope="module")
def server():
    with live_server(manual_config(rate_limits=False)) as live:
        yield live


def create(server, key, idem, body=BODY, **headers):
    return server.client.post(PATH, json=body, headers={"Authorization": f"Bearer {key}",
                                                        "Idempotency-Key": idem, **headers})


def test_replay_returns_same_job_with_200_and_header(server):
    first = create(server, "sandbox_idem_a", "order-0001")
    assert first.status_code == 202
    assert "idempotent-replayed" not in first.headers
    again = create(server, "sandbox_idem_a", "order-0001")
    assert again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["job"]["id"] == first.json()["job"]["id"]


def test_canonical_json_key_order_and_whitespace_do_not_matter(server):
    first = create(server, "sandbox_idem_b", "order-0002")
    raw = b'{ "output": {"number_of_images": 2, "format": "png"},\n "input": [{"external_id": "shoe-001", ' \
          b'"image_url": "https://client.example/images/shoe-001.jpg"}] }'
    again = server.client.post(PATH, content=raw, headers={"Authorization": "Bearer sandbox_idem_b",
                                                            "Idempotency-Key": "order-0002",
                                                            "Content-Type": "application/json"})
    assert again.status_code == 200
    assert again.json()["job"]["id"] == first.json()["job"]["id"]


def test_different_body_conflicts(server):
    assert create(server, "sandbox_idem_c", "order-0003").status_code == 202
    other = {**BODY, "output": {"format": "jpg"}}
    conflict = create(server, "sandbox_idem_c", "order-0003", body=other)
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "idempotency_conflict"
    assert conflict.json()["request_id"] == conflict.headers["x-request-id"]


def test_scope_is_account_operation_and_key(server):
    a = create(server, "sandbox_idem_d1", "shared-key-1")
    b = create(server, "sandbox_idem_d2", "shared-key-1")  # another tenant, same key
    assert a.status_code == b.status_code == 202
    assert a.json()["job"]["id"] != b.json()["job"]["id"]
    other_op = server.client.post("/aigenstudio/api/v1/image-editing", json=BODY,
                                  headers={"Authorization": "Bearer sandbox_idem_d1", "Idempotency-Key": "shared-key-1"})
    assert other_op.status_code == 202  # another operation, same key


def test_in_flight_key_gives_409_in_progress(server):
    account = server.sandbox.accounts.resolve("sandbox_idem_e")
    scope = (account.id, "removeBackground", "order-0005")
    from sandbox.runtime import fingerprint

    assert server.sandbox.store.claim_idempotency(scope, fingerprint(BODY), server.sandbox.clock.now(), 3600) is None
    response = create(server, "sandbox_idem_e", "order-0005")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_in_progress"
    server.sandbox.store.release_idempotency(scope)
    assert create(server, "sandbox_idem_e", "order-0005").status_code == 202


def test_rejected_request_stores_nothing(server):
    bad = create(server, "sandbox_idem_f", "order-0006", body={"input": []})
    assert bad.status_code == 400
    unauthenticated = create(server, "unknown-key", "order-0006")
    assert unauthenticated.status_code == 401
    assert create(server, "sandbox_idem_f", "order-0006").status_code == 202


def test_records_expire_after_24_hours_of_sandbox_time(server):
    first = create(server, "sandbox_idem_g", "order-0007")
    server.advance(23 * 3600)
    assert create(server, "sandbox_idem_g", "order-0007").status_code == 200
    server.advance(3601)
    fresh = create(server, "sandbox_idem_g", "order-0007")
    assert fresh.status_code == 202
    assert fresh.json()["job"]["id"] != first.json()["job"]["id"]


@pytest.mark.parametrize("key", ["sandbox_race", "live_demo"])
def test_fifty_parallel_creates_make_one_job_and_one_charge(server, key):
    before = server.client.get("/_sandbox/accounts").json()["accounts"]
    balance = {a["id"]: a["balances"]["aigenstudio"] for a in before}.get(key, None)

    def send(_):
        with httpx.Client(base_url=server.url, timeout=30) as client:
            return client.post(PATH, json=BODY, headers={"Authorization": f"Bearer {key}",
                                                        "Idempotency-Key": f"race-{key}"})

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(send, range(50)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(202) == 1
    assert set(statuses) <= {200, 202, 409}
    job_ids = {r.json()["job"]["id"] for r in responses if r.status_code in (200, 202)}
    assert len(job_ids) == 1
    account = server.sandbox.accounts.resolve(key)
    jobs = [j for j in server.sandbox.store.jobs_of("aigenstudio-image", account.id) if j.params == BODY]
    assert len([j for j in jobs if j.id in job_ids]) == 1
    charges = [e for e in server.sandbox.accounts.entries if e.account == account.id and e.job in job_ids]
    if key == "live_demo":
        assert [e.amount for e in charges] == [-2]  # 1 credit x 1 image x 2 outputs, charged once
        assert account.balances["aigenstudio"] == balance - 2
    else:
        assert charges == []
