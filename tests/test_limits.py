"""Rate and concurrency limits over real HTTP, on the sandbox clock."""

from __future__ import annotations

import pytest

from sandbox.config import DEFAULT_LIMITS
from tests.serverlib import live_server, manual_config

GEN = {"image_url": "https://example.com/photo.jpg", "prompt": "beach", "model": "gpt-low"}


def limits(**overrides):
    return {**DEFAULT_LIMITS, **overrides}


@pytest.fixture
def server():
    with live_server(manual_config()) as live:
        yield live


def test_sixteenth_productai_request_in_a_minute_is_429(server):
    for n in range(15):
        response = server.client.get("/productai/v1/api/key-check", headers={"x-api-key": "sandbox_rl"})
        assert response.status_code == 200, n
        assert response.headers["x-ratelimit-limit"] == "15"
        assert response.headers["x-ratelimit-remaining"] == str(14 - n)
        assert 1 <= int(response.headers["x-ratelimit-reset"]) <= 60
    blocked = server.client.post("/productai/v1/api/generate", headers={"x-api-key": "sandbox_other"}, json=GEN)
    assert blocked.status_code == 429  # per client IP, whatever the key
    assert blocked.json() == {"status": "ERROR", "code": "RATE_LIMIT_EXCEEDED", "message": blocked.json()["message"]}
    assert 1 <= int(blocked.headers["retry-after"]) <= 60
    assert blocked.headers["x-ratelimit-remaining"] == "0"
    server.advance(int(blocked.headers["retry-after"]))
    assert server.client.get("/productai/v1/api/key-check", headers={"x-api-key": "sandbox_rl"}).status_code == 200


def test_result_downloads_and_control_plane_never_count(server):
    for _ in range(20):
        assert server.client.get("/_sandbox/health").status_code == 200
        assert server.client.get("/_sandbox/files/" + "0" * 32 + ".png").status_code == 404
    assert server.client.get("/productai/v1/api/key-check", headers={"x-api-key": "sandbox_rl"}).headers[
        "x-ratelimit-remaining"] == "14"


def test_v1_429_has_retry_after_in_body_and_header():
    with live_server(manual_config(limits=limits(productai_v1_requests_per_minute=2))) as live:
        headers = {"Authorization": "Bearer sandbox_v1rl"}
        for _ in range(2):
            assert live.client.get("/productai/v1/presets", headers=headers).status_code == 200
        blocked = live.client.get("/productai/v1/presets", headers=headers)
        assert blocked.status_code == 429
        error = blocked.json()["error"]
        assert error["code"] == "rate_limit_exceeded"
        assert error["retry_after"] == int(blocked.headers["retry-after"]) == 60
        assert live.client.get("/productai/v1/presets", headers={"Authorization": "Bearer sandbox_v1rl_b"}
                               ).status_code == 200  # per key


def test_aigenstudio_per_key_rate_and_per_account_override(tmp_path):
    config = manual_config(limits=limits(aigenstudio_requests_per_minute=3))
    with live_server(config) as live:
        headers = {"Authorization": "Bearer sandbox_aig"}
        for _ in range(3):
            assert live.client.get("/aigenstudio/api/v1/jobs", headers=headers).status_code == 200
        blocked = live.client.get("/aigenstudio/api/v1/product-photo-jobs", headers=headers)  # same vendor bucket
        assert blocked.status_code == 429
        assert blocked.json()["error"]["code"] == "rate_limit_exceeded"
        assert blocked.json()["error"]["request_id"] == blocked.headers["x-request-id"]
        created = live.client.post("/_sandbox/accounts", json={"id": "big", "keys": ["big_key"], "mode": "sandbox"})
        assert created.status_code == 201
        live.sandbox.accounts.by_id["big"].limits["requests_per_minute"] = 5
        for _ in range(5):
            assert live.client.get("/aigenstudio/api/v1/jobs", headers={"Authorization": "Bearer big_key"}
                                   ).status_code == 200


def test_active_job_concurrency_limit():
    with live_server(manual_config(limits=limits(aigenstudio_active_jobs=2))) as live:
        def create(n):
            return live.client.post("/aigenstudio/api/v1/image-generation",
                                    json={"prompt": f"scene {n}"},
                                    headers={"Authorization": "Bearer sandbox_conc", "Idempotency-Key": f"conc-{n:05d}"})

        assert create(1).status_code == 202
        assert create(2).status_code == 202
        blocked = create(3)
        assert blocked.status_code == 429
        assert int(blocked.headers["retry-after"]) >= 1
        live.advance(10)  # both jobs finish
        assert create(3).status_code == 202


def test_no_rate_limits_turns_every_limit_off():
    with live_server(manual_config(rate_limits=False)) as live:
        for _ in range(20):
            response = live.client.get("/productai/v1/api/key-check", headers={"x-api-key": "sandbox_free"})
            assert response.status_code == 200
            assert "x-ratelimit-limit" not in response.headers
