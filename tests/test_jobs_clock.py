"""Job lifecycles on the manual clock, cancellation, pagination, refunds and forced scenarios."""

from __future__ import annotations

import pytest

from tests.serverlib import live_server, manual_config

AIG = "/aigenstudio/api/v1"


@pytest.fixture
def server():
    with live_server(manual_config(rate_limits=False)) as live:
        yield live


def aig_headers(key="sandbox_jobs", idem=None):
    headers = {"Authorization": f"Bearer {key}"}
    if idem:
        headers["Idempotency-Key"] = idem
    return headers


def remove_bg(server, urls, idem, key="sandbox_jobs", outputs=1):
    body = {"input": [{"image_url": u, "external_id": f"sku-{n}"} for n, u in enumerate(urls)],
            "output": {"format": "png", "number_of_images": outputs}}
    response = server.client.post(f"{AIG}/remove-background", json=body, headers=aig_headers(key, idem))
    assert response.status_code == 202, response.text
    return response.json()["job"]


def read(server, job_id, key="sandbox_jobs"):
    response = server.client.get(f"{AIG}/jobs/{job_id}", headers=aig_headers(key))
    assert response.status_code == 200
    return response.json()["job"]


def test_completed_after_the_stages_with_consistent_counts(server):
    job = remove_bg(server, ["https://client.example/a.jpg", "https://client.example/b.jpg"], "life-0001", outputs=2)
    assert job["status"] == "queued" and job["completed_at"] is None
    server.advance(1)
    assert read(server, job["id"])["status"] == "processing"
    server.advance(2)
    done = read(server, job["id"])
    assert done["status"] == "completed"
    assert done["total_results"] == 4 and done["completed_results"] == 4 and done["failed_results"] == 0
    assert done["completed_at"] == done["updated_at"] == "2026-01-01T00:00:03Z"
    assert all(r["status"] == "completed" and r["url"].startswith(server.url) for r in done["results"])
    assert [r["external_id"] for r in done["results"]] == ["sku-0", "sku-0", "sku-1", "sku-1"]


def test_partially_completed_and_failed(server):
    partial = remove_bg(server, ["https://client.example/ok.jpg", "https://client.example/sandbox-fail.jpg"],
                        "life-0002")
    failed = remove_bg(server, ["https://unreachable.invalid/x.jpg"], "life-0003")
    server.advance(5)
    p = read(server, partial["id"])
    assert p["status"] == "partially_completed"
    assert (p["completed_results"], p["failed_results"]) == (1, 1)
    assert p["results"][1]["error"]["code"] == "processing_failed" and "url" not in p["results"][1]
    f = read(server, failed["id"])
    assert f["status"] == "failed" and f["results"][0]["error"]["code"] == "image_unreachable"


def test_cancel_queued_job_then_409_once_finished(server):
    job = remove_bg(server, ["https://client.example/a.jpg"], "life-0004")
    cancelled = server.client.post(f"{AIG}/jobs/{job['id']}/cancel", headers=aig_headers())
    assert cancelled.status_code == 200 and cancelled.json()["job"]["status"] == "cancelled"
    server.advance(10)
    assert read(server, job["id"])["status"] == "cancelled"  # stays cancelled as time passes
    again = server.client.post(f"{AIG}/jobs/{job['id']}/cancel", headers=aig_headers())
    assert again.status_code == 409 and again.json()["error"]["code"] == "job_not_cancellable"
    done = remove_bg(server, ["https://client.example/a.jpg"], "life-0005")
    server.advance(10)
    late = server.client.post(f"{AIG}/jobs/{done['id']}/cancel", headers=aig_headers())
    assert late.status_code == 409


def test_product_photo_items_and_refunds_for_failed_items(server):
    body = {"operation": "marketplace_clean", "images": [
        {"source_url": "https://client.example/ok.jpg", "external_id": "ok"},
        {"source_url": "https://client.example/sandbox-fail.jpg", "external_id": "bad"}]}
    created = server.client.post(f"{AIG}/product-photo-jobs", json=body, headers=aig_headers("live_demo", "pp-00001"))
    assert created.status_code == 202
    assert created.json()["job"]["credits_reserved"] == 8
    assert created.json()["remaining_paid_credits"] == 992
    server.advance(5)
    job = server.client.get(f"{AIG}/product-photo-jobs/{created.json()['job']['id']}",
                            headers=aig_headers("live_demo")).json()["job"]
    assert job["status"] == "partially_completed"
    assert [i["status"] for i in job["items"]] == ["completed", "failed"]
    assert job["items"][0]["results"][0]["url"].endswith(".png") and job["items"][1]["results"] == []
    balance = server.client.get("/_sandbox/accounts/live_demo").json()["balances"]["aigenstudio"]
    assert balance == 996  # the failed item's 4 credits come back


def test_productai_lifecycle_keeps_tokens_on_failure(server):
    headers = {"x-api-key": "live_demo"}
    ok = server.client.post("/productai/v1/api/generate", headers=headers,
                            json={"image_url": "https://example.com/p.jpg", "prompt": "x", "model": "kontext-pro"})
    bad = server.client.post("/productai/v1/api/generate", headers=headers,
                             json={"image_url": "https://example.com/p.jpg", "prompt": "sandbox-fail", "model": "kontext-pro"})
    assert ok.json()["data"]["status"] == "NOT_STARTED"
    server.advance(1.5)
    assert server.client.get(f"/productai/v1/api/job/{ok.json()['data']['id']}", headers=headers).json()["data"][
        "status"] == "RUNNING"
    server.advance(5)
    done = server.client.get(f"/productai/v1/api/job/{ok.json()['data']['id']}", headers=headers).json()["data"]
    assert done["status"] == "COMPLETED" and done["image_url"].startswith(server.url)
    failed = server.client.get(f"/productai/v1/api/job/{bad.json()['data']['id']}", headers=headers).json()["data"]
    assert failed["status"] == "ERROR" and "image_url" not in failed
    tokens = server.client.get("/productai/v1/api/key-check", headers=headers).json()["data"]["tokens_remaining"]
    assert tokens == 1000 - 2 - 2


def test_productai_unreachable_image_is_a_synchronous_400(server):
    response = server.client.post("/productai/v1/api/generate", headers={"x-api-key": "sandbox_j"},
                                  json={"image_url": "https://unreachable.invalid/p.jpg", "prompt": "x",
                                        "model": "gpt-low"})
    assert response.status_code == 400 and response.json()["code"] == "INVALID_IMAGE_URL"


def test_v1_lifecycle_and_estimated_time(server):
    headers = {"Authorization": "Bearer sandbox_v1"}
    created = server.client.post("/productai/v1/generate", headers=headers, json={
        "model": "nanobanana2", "image_url": "https://example.com/product.jpg", "prompt": "marble",
        "num_images": 3, "aspect_ratio": "16:9"})
    assert created.status_code == 202
    body = created.json()
    assert body["status"] == "pending" and body["estimated_time_seconds"] == 3
    server.advance(1)
    assert server.client.get(f"/productai/v1/jobs/{body['job_id']}", headers=headers).json()["status"] == "processing"
    server.advance(2)
    job = server.client.get(f"/productai/v1/jobs/{body['job_id']}", headers=headers).json()
    assert job["status"] == "completed" and len(job["images"]) == 3
    assert {(i["width"], i["height"]) for i in job["images"]} == {(1024, 576)}
    assert len({i["url"] for i in job["images"]}) == 3


def test_slow_magic_input_stretches_the_stages(server):
    job = remove_bg(server, ["https://client.example/sandbox-slow.jpg"], "life-0006")
    server.advance(5)
    assert read(server, job["id"])["status"] == "queued"
    server.advance(30)
    assert read(server, job["id"])["status"] == "completed"


def test_listing_pages_with_a_stable_cursor(server):
    ids = [remove_bg(server, ["https://client.example/a.jpg"], f"page-{n:05d}", key="sandbox_pager")["id"]
           for n in range(7)]
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = server.client.get(f"{AIG}/jobs", params=params, headers=aig_headers("sandbox_pager")).json()
        seen += [j["id"] for j in page["jobs"]]
        if not page["has_more"]:
            assert page["next_cursor"] is None
            break
        cursor = page["next_cursor"]
    assert seen == list(reversed(ids))
    garbage = server.client.get(f"{AIG}/jobs", params={"cursor": "not-a-cursor"}, headers=aig_headers("sandbox_pager"))
    assert garbage.status_code == 200 and garbage.json()["jobs"] == []


@pytest.mark.parametrize(("path", "method", "body", "scenario", "status", "code"), [
    ("/aigenstudio/api/v1/remove-background", "POST", {"input": [{"image_url": "https://c.example/a.jpg"}]},
     "402", 402, "insufficient_api_credits"),
    ("/aigenstudio/api/v1/product-photo-jobs", "POST", {"images": [{"source_url": "https://c.example/a.jpg"}]},
     "content_policy", 422, "content_policy_violation"),
    ("/aigenstudio/api/v1/jobs", "GET", None, "rate_limited", 429, "rate_limit_exceeded"),
    ("/productai/v1/api/generate", "POST", {"image_url": "https://c.example/a.jpg", "prompt": "x", "model": "gpt-low"},
     "500", 500, "INTERNAL_ERROR"),
    ("/productai/v1/generate", "POST", {"model": "nanobanana", "image_url": "https://c.example/a.jpg", "prompt": "x"},
     "429", 429, "rate_limit_exceeded"),
])
def test_scenario_header_forces_documented_errors(server, path, method, body, scenario, status, code):
    headers = {"Authorization": "Bearer sandbox_sc", "x-api-key": "sandbox_sc", "Idempotency-Key": "scenario-1",
               "X-Sandbox-Scenario": scenario}
    response = server.client.request(method, path, json=body, headers=headers)
    assert response.status_code == status
    payload = response.json()
    found = payload.get("code") or payload["error"]["code"]
    assert found == code
    if status == 429:
        assert response.headers["retry-after"] == "60"


def test_scenario_header_refuses_undocumented_errors(server):
    response = server.client.get("/productai/v1/api/key-check",
                                 headers={"x-api-key": "sandbox_sc", "X-Sandbox-Scenario": "402"})
    assert response.status_code == 400
    assert "does not document 402" in response.json()["message"]
    unknown = server.client.get("/aigenstudio/api/v1/jobs", headers={"Authorization": "Bearer sandbox_sc",
                                                                     "X-Sandbox-Scenario": "meteor"})
    assert unknown.status_code == 400 and "Unknown scenario" in unknown.json()["error"]["message"]


def test_scenarios_are_listed(server):
    listing = server.client.get("/_sandbox/scenarios").json()
    assert {m["token"] for m in listing["magic_inputs"]} >= {"sandbox-fail", "sandbox-unreachable", "sandbox-slow",
                                                             "sandbox-content-policy"}
    assert {f["status"] for f in listing["forced_errors"]} >= {402, 403, 409, 422, 429, 500}


def test_content_policy_magic_input_is_422(server):
    response = server.client.post(f"{AIG}/product-photo-jobs", headers=aig_headers(idem="policy-0001"), json={
        "instructions": "sandbox-content-policy", "images": [{"source_url": "https://client.example/a.jpg"}]})
    assert response.status_code == 422 and response.json()["error"]["code"] == "content_policy_violation"
