"""Accounts, keys and credit ledgers over real HTTP, and the config file's error messages."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sandbox import config as config_module
from tests.serverlib import live_server, manual_config

PP = "/aigenstudio/api/v1/product-photo-jobs"
PP_BODY = {"operation": "studio_packshot", "images": [{"source_url": "https://client.example/images/a.jpg"},
                                                      {"source_url": "https://client.example/images/b.jpg"}]}
V1_BODY = {"model": "nanobanana2", "image_url": "https://example.com/product.jpg", "prompt": "marble", "num_images": 2}


@pytest.fixture(scope="module")
def server():
    with live_server(manual_config(rate_limits=False)) as live:
        yield live


def bearer(key, **extra):
    return {"Authorization": f"Bearer {key}", **extra}


def test_sandbox_keys_are_never_charged_and_say_so(server):
    response = server.client.post(PP, json=PP_BODY, headers=bearer("sandbox_acc_1", **{"Idempotency-Key": "acc-00001"}))
    assert response.status_code == 202
    job = response.json()["job"]
    assert job["sandbox"] is True and job["credits_reserved"] == 0
    key_check = server.client.get("/productai/v1/api/key-check", headers={"x-api-key": "sandbox_acc_1"}).json()
    server.client.post("/productai/v1/api/generate", headers={"x-api-key": "sandbox_acc_1"},
                       json={"image_url": "https://example.com/p.jpg", "prompt": "x", "model": "gpt-high"})
    after = server.client.get("/productai/v1/api/key-check", headers={"x-api-key": "sandbox_acc_1"}).json()
    assert after["data"]["tokens_remaining"] == key_check["data"]["tokens_remaining"]


def test_live_aigenstudio_reserves_cost_times_images(server):
    response = server.client.post(PP, json=PP_BODY, headers=bearer("live_demo", **{"Idempotency-Key": "acc-00002"}))
    body = response.json()
    assert response.status_code == 202
    assert body["job"]["sandbox"] is False
    assert body["job"]["credits_reserved"] == 10  # studio_packshot 5 credits x 2 images
    account = server.client.get("/_sandbox/accounts/live_demo").json()
    assert body["remaining_paid_credits"] == account["balances"]["aigenstudio"]


def test_productai_tokens_and_v1_credits_share_one_balance(server):
    server.client.patch("/_sandbox/accounts/live_demo", json={"balances": {"productai": 100}})
    generate = server.client.post("/productai/v1/api/generate", headers={"x-api-key": "live_demo"},
                                  json={"image_url": "https://example.com/p.jpg", "prompt": "x", "model": "gpt-high"})
    assert generate.status_code == 200
    upscale = server.client.post("/productai/v1/api/upscale", headers={"x-api-key": "live_demo"},
                                 json={"image_url": "https://example.com/p.jpg"})
    assert upscale.status_code == 200
    v1 = server.client.post("/productai/v1/generate", headers=bearer("live_demo"), json=V1_BODY)
    assert v1.status_code == 202
    check = server.client.get("/productai/v1/api/key-check", headers={"x-api-key": "live_demo"}).json()["data"]
    assert check == {"valid": True, "tokens_remaining": 100 - 8 - 20 - 5 * 2, "plan": "standard"}


def test_short_credit_is_402_with_the_vendor_message(server):
    v1 = server.client.post("/productai/v1/generate", headers=bearer("live_empty"), json=V1_BODY)
    assert v1.status_code == 402
    assert v1.json() == {"error": {"code": "insufficient_credits",
                                   "message": "Not enough credits. Required: 10, Available: 0"}}
    api = server.client.post("/productai/v1/api/generate", headers={"x-api-key": "live_empty"},
                             json={"image_url": "https://example.com/p.jpg", "prompt": "x", "model": "seedream"})
    assert api.status_code == 402 and api.json()["code"] == "OUT_OF_TOKENS" and api.json()["status"] == "ERROR"
    pp = server.client.post(PP, json=PP_BODY, headers=bearer("live_empty", **{"Idempotency-Key": "acc-00003"}))
    assert pp.status_code == 402 and pp.json()["error"]["code"] == "insufficient_api_credits"


def test_disabled_account_is_403_on_aigenstudio_and_401_on_productai(server):
    pp = server.client.post(PP, json=PP_BODY, headers=bearer("live_disabled", **{"Idempotency-Key": "acc-00004"}))
    assert pp.status_code == 403
    assert pp.json()["error"]["code"] == "api_access_not_enabled"
    assert pp.json()["error"]["request_id"] == pp.headers["x-request-id"]
    api = server.client.get("/productai/v1/api/key-check", headers={"x-api-key": "live_disabled"})
    assert api.status_code == 401 and api.json()["code"] == "INVALID_API_KEY"
    v1 = server.client.get("/productai/v1/presets", headers=bearer("live_disabled"))
    assert v1.status_code == 401 and v1.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"},
                                     {"Authorization": "Bearer"}])
def test_missing_or_unknown_key_is_401_in_each_envelope(server, headers):
    aig = server.client.get("/aigenstudio/api/v1/jobs", headers=headers)
    assert aig.status_code == 401 and aig.json()["error"]["code"] == "invalid_api_key"
    v1 = server.client.get("/productai/v1/presets", headers=headers)
    assert v1.status_code == 401 and v1.json()["error"]["code"] == "unauthorized"
    api = server.client.get("/productai/v1/api/key-check", headers={"x-api-key": headers.get("Authorization", "")})
    assert api.status_code == 401 and api.json() == {"status": "ERROR", "code": "INVALID_API_KEY",
                                                     "message": api.json()["message"]}


def test_revoked_key_is_401(server):
    created = server.client.post("/_sandbox/accounts", json={"id": "acme", "keys": ["acme_k1", "acme_k2"],
                                                             "balances": {"productai": 50}})
    assert created.status_code == 201
    assert server.client.get("/productai/v1/api/key-check", headers={"x-api-key": "acme_k1"}).status_code == 200
    revoked = server.client.patch("/_sandbox/accounts/acme", json={"revoke_key": "acme_k1"})
    assert revoked.status_code == 200 and revoked.json()["revoked_keys"] == ["acme_k1"]
    assert server.client.get("/productai/v1/api/key-check", headers={"x-api-key": "acme_k1"}).status_code == 401
    assert server.client.get("/productai/v1/api/key-check", headers={"x-api-key": "acme_k2"}).status_code == 200


def test_other_tenants_jobs_are_404(server):
    mine = server.client.post("/productai/v1/generate", headers=bearer("sandbox_owner"), json=V1_BODY).json()
    theirs = server.client.get(f"/productai/v1/jobs/{mine['job_id']}", headers=bearer("sandbox_intruder"))
    assert theirs.status_code == 404 and theirs.json()["error"]["code"] == "not_found"
    pp = server.client.post(PP, json=PP_BODY, headers=bearer("sandbox_owner", **{"Idempotency-Key": "acc-00005"}))
    job_id = pp.json()["job"]["id"]
    for path in (f"{PP}/{job_id}", f"{PP}/{job_id}/cancel"):
        method = "POST" if path.endswith("cancel") else "GET"
        other = server.client.request(method, path, headers=bearer("sandbox_intruder"))
        assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"
    listing = server.client.get(PP, headers=bearer("sandbox_intruder")).json()
    assert job_id not in [j["id"] for j in listing["jobs"]]
    api = server.client.post("/productai/v1/api/generate", headers={"x-api-key": "sandbox_owner"},
                             json={"image_url": "https://example.com/p.jpg", "prompt": "x", "model": "gpt-low"}).json()
    other = server.client.get(f"/productai/v1/api/job/{api['data']['id']}", headers={"x-api-key": "sandbox_intruder"})
    assert other.status_code == 404 and other.json()["code"] == "JOB_NOT_FOUND"


CONFIG_ERRORS = [
    ("[sandbox]\nseed = 'x'\n", "sandbox.seed", "expected int"),
    ("[limits]\nproductai_requests_per_minute = -1\n", "limits.productai_requests_per_minute", "must be >= 0"),
    ("[bogus]\n", "bogus", "unknown section"),
    ("[[accounts]]\nid = 'a'\nkeys = []\n", "accounts[0].keys", "non-empty"),
    ("[[accounts]]\nid = 'a'\nkeys = ['k']\nmode = 'free'\n", "accounts[0].mode", "must be 'sandbox' or 'live'"),
    ("[[accounts]]\nid = 'a'\nkeys = ['k']\nbalances = { productai = -5 }\n", "accounts[0].balances.productai",
     "integer >= 0"),
    ("[[accounts]]\nkeys = ['k']\n", "accounts[0].id", "is required"),
    ("[[accounts]]\nid = 'a'\nkeys = ['live_demo']\n", "accounts", "used by both"),
    ("[sandbox\n", "syntax", ""),
]


@pytest.mark.parametrize(("text", "field", "problem"), CONFIG_ERRORS)
def test_malformed_config_names_file_field_and_problem(tmp_path, text, field, problem):
    path = tmp_path / "darkroom.toml"
    path.write_text(text)
    with pytest.raises(config_module.ConfigError) as info:
        config_module.load(path)
    message = str(info.value)
    assert str(path) in message and f": {field}:" in message and problem in message


def test_config_error_stops_serve_with_the_message(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[limits]\naigenstudio_active_jobs = 'ten'\n")
    run = subprocess.run([sys.executable, "-m", "sandbox.cli", "serve", "--config", str(path), "--port", "1"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert f"{path}: limits.aigenstudio_active_jobs: expected int" in run.stderr


def test_config_file_accounts_and_limits(tmp_path):
    path = tmp_path / "darkroom.toml"
    path.write_text("""
[sandbox]
default_accounts = false

[[accounts]]
id = "shop"
keys = ["shop_live"]
mode = "live"
plan = "pro"
balances = { productai = 42 }
""")
    config = config_module.load(path, seed=3, validate_responses=True)
    with live_server(config) as live:
        check = live.client.get("/productai/v1/api/key-check", headers={"x-api-key": "shop_live"}).json()
        assert check["data"] == {"valid": True, "tokens_remaining": 42, "plan": "pro"}
        gone = live.client.get("/productai/v1/api/key-check", headers={"x-api-key": "live_demo"})
        assert gone.status_code == 401
