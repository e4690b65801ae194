"""``sandbox.testing.mock``: the vendors' real URLs answered in process, exactly as over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import http.server
import io
import json
import threading

import httpx
import pytest
import requests
import respx

from sandbox.app import create_app
from sandbox.config import Config
from sandbox.testing import MOCK_URL, ControlError, mock
from tests.tooling import seed_examples

SANDBOX_KEY = "sandbox_tooling"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PRODUCT = "https://example.com/product.jpg"


@pytest.fixture(scope="module")
def app():
    return create_app(Config(seed=7, public_url=MOCK_URL))


@pytest.fixture
def darkroom(app):
    with mock(app=app) as darkroom:
        darkroom.reset()
        yield darkroom


def _key(text: str) -> str:
    return text.replace(seed_examples.PLACEHOLDER_KEY, SANDBOX_KEY)


def _packshot(key=SANDBOX_KEY, idempotency_key="tooling-0001", body=None, **kwargs):
    body = body or {"operation": "studio_packshot", "images": [{"source_url": PRODUCT}]}
    return requests.post("https://aigenstudio.app/api/v1/product-photo-jobs", json=body, timeout=10,
                         headers={"Authorization": f"Bearer {key}", "Idempotency-Key": idempotency_key}, **kwargs)


# ---- the seeds' own examples ------------------------------------------------------------------------


def test_embedded_examples_match_the_seeds():
    """The fallback copy parses to the same requests as the seeds (when the seeds are here to compare)."""
    for number in ("002", "003"):
        text, from_seed = seed_examples.seed_text(number)
        if not from_seed:
            pytest.skip("seed folder not beside the repository")
        assert seed_examples.curl_examples(text) == seed_examples.curl_examples(seed_examples.EMBEDDED[number])
    assert seed_examples.python_example(seed_examples.seed_text("003")[0]) == \
        seed_examples.python_example(seed_examples.EMBEDDED["003"])


def test_seed_002_curl_examples_succeed(darkroom):
    examples = seed_examples.curl_examples(seed_examples.seed_text("002")[0])
    assert len(examples) == 6
    created = None
    for example in examples:
        url = example.url
        if created is not None:
            url = url.replace("/api/job/12345", f"/api/job/{created}")  # the seed's id is illustrative
        headers = {name: _key(value) for name, value in example.headers.items()}
        response = requests.request(example.method, url, headers=headers, data=example.body, timeout=10)
        assert response.status_code == 200, (example.heading, url, response.text)
        body = response.json()
        assert body["status"] == "OK"
        if "/api/job/" not in url and "id" in body["data"]:
            created = created or body["data"]["id"]
    assert created is not None


def test_seed_003_curl_example_is_accepted(darkroom):
    (example,) = seed_examples.curl_examples(seed_examples.seed_text("003")[0])
    headers = {name: _key(value) for name, value in example.headers.items()}
    response = requests.request(example.method, example.url, headers=headers, data=example.body, timeout=10)
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "pending" and body["num_images"] == 2 and body["job_id"].startswith("job_")


def test_seed_003_python_snippet_runs_as_published(darkroom):
    snippet = _key(seed_examples.python_example(seed_examples.seed_text("003")[0]))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(snippet, "seed-003-example", "exec"), {})
    assert out.getvalue().startswith("Job created: job_")
    (call,) = darkroom.requests
    assert (call.method, call.path, call.status) == ("POST", "/productai/v1/generate", 202)


@pytest.mark.parametrize("name", ["live", "sandbox"])
def test_seed_000_example_bodies_create_jobs(darkroom, name):
    bodies, _ = seed_examples.example_bodies("000", "createProductPhotoJob")
    key = "live_demo" if name == "live" else SANDBOX_KEY
    response = _packshot(key=key, idempotency_key=f"seed-000-{name}", body=bodies[name])
    assert response.status_code == 202, response.text
    job = response.json()["job"]
    assert job["sandbox"] is (name == "sandbox")
    if name == "live":
        assert job["credits_reserved"] > 0
        assert response.json()["remaining_paid_credits"] == 1000 - job["credits_reserved"]
    else:
        assert job["credits_reserved"] == 0


def test_seed_004_example_body_creates_a_job(darkroom):
    (body,) = seed_examples.example_bodies("004", "removeBackground")[0].values()
    response = requests.post("https://aigenstudio.app/api/v1/remove-background", json=body, timeout=10,
                             headers={"Authorization": f"Bearer {SANDBOX_KEY}", "Idempotency-Key": "seed-004-ex"})
    assert response.status_code == 202, response.text
    assert response.json()["job"]["api"] == "remove_background"


# ---- behaves as over HTTP ----------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "url", "auth", "code"), [
    ("GET", "https://aigenstudio.app/api/v1/product-photo-jobs", "bearer", "invalid_api_key"),
    ("GET", "https://aigenstudio.app/api/v1/jobs", "bearer", "invalid_api_key"),
    ("GET", "https://api.productai.photo/v1/api/key-check", "x-api-key", "INVALID_API_KEY"),
    ("GET", "https://api.productai.photo/v1/presets", "bearer", "unauthorized"),
])
def test_wrong_keys_get_each_vendors_401(darkroom, method, url, auth, code):
    headers = {"x-api-key": "nope"} if auth == "x-api-key" else {"Authorization": "Bearer nope"}
    response = requests.request(method, url, headers=headers, timeout=10)
    assert response.status_code == 401
    body = response.json()
    assert (body.get("code") or body["error"]["code"]) == code
    assert response.headers["x-request-id"]


def test_error_request_id_matches_the_header(darkroom):
    response = requests.get("https://aigenstudio.app/api/v1/product-photo-jobs", timeout=10,
                            headers={"Authorization": "Bearer nope", "X-Request-Id": "trace-123"})
    assert response.headers["x-request-id"] == "trace-123"
    assert response.json()["error"]["request_id"] == "trace-123"


def test_disabled_account_gets_403(darkroom):
    assert _packshot(key="live_disabled").status_code == 403


def test_idempotent_replay_and_conflict(darkroom):
    first = _packshot()
    again = _packshot()
    other = _packshot(body={"operation": "remove_background", "images": [{"source_url": PRODUCT}]})
    assert (first.status_code, again.status_code, other.status_code) == (202, 200, 409)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["job"]["id"] == first.json()["job"]["id"]


def test_missing_idempotency_key_is_a_400(darkroom):
    response = requests.post("https://aigenstudio.app/api/v1/product-photo-jobs", timeout=10,
                             headers={"Authorization": f"Bearer {SANDBOX_KEY}"},
                             json={"operation": "studio_packshot", "images": [{"source_url": PRODUCT}]})
    assert response.status_code == 400


def test_rate_limits_count_as_over_http(darkroom):
    statuses = [requests.get("https://api.productai.photo/v1/api/key-check", timeout=10,
                             headers={"x-api-key": SANDBOX_KEY}) for _ in range(16)]
    assert [r.status_code for r in statuses] == [200] * 15 + [429]
    assert int(statuses[-1].headers["Retry-After"]) > 0


def test_live_key_is_charged_and_balance_reported(darkroom):
    generate = {"image_url": PRODUCT, "prompt": "beach", "model": "gpt-high"}
    headers = {"x-api-key": "live_demo"}
    requests.post("https://api.productai.photo/v1/api/generate", json=generate, headers=headers, timeout=10)
    balance = requests.get("https://api.productai.photo/v1/api/key-check", headers=headers, timeout=10)
    assert balance.json()["data"]["tokens_remaining"] == 1000 - 8
    assert darkroom.sandbox.accounts.by_id["live_demo"].balances["productai"] == 992


# ---- clock, results, state -----------------------------------------------------------------------------


def test_clock_advance_needs_the_manual_clock(darkroom):
    with pytest.raises(ControlError) as refused:
        darkroom.clock.advance(10)
    assert refused.value.status == 409
    start = darkroom.clock.manual()["epoch"]
    assert darkroom.clock.advance(90)["epoch"] == start + 90
    assert darkroom.clock.now() == start + 90


def test_job_finishes_when_the_clock_moves_and_links_point_at_the_mock(darkroom):
    darkroom.clock.manual()
    job_id = _packshot().json()["job"]["id"]
    darkroom.clock.advance(60)
    job = requests.get(f"https://aigenstudio.app/api/v1/product-photo-jobs/{job_id}", timeout=10,
                       headers={"Authorization": f"Bearer {SANDBOX_KEY}"}).json()["job"]
    assert job["status"] == "completed"
    assert job["items"][0]["results"][0]["url"].startswith(f"{MOCK_URL}/_sandbox/files/")


def test_result_urls_download_png_bytes_through_the_mock(darkroom):
    darkroom.clock.manual()
    job_id = requests.post("https://api.productai.photo/v1/api/generate", headers={"x-api-key": SANDBOX_KEY},
                           json={"image_url": PRODUCT, "prompt": "beach", "model": "nanobanana"},
                           timeout=10).json()["data"]["id"]
    darkroom.clock.advance(60)
    job = requests.get(f"https://api.productai.photo/v1/api/job/{job_id}", headers={"x-api-key": SANDBOX_KEY},
                       timeout=10).json()["data"]
    image = requests.get(job["image_url"], timeout=30)
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(PNG_SIGNATURE)


def test_requests_are_recorded_and_reset_forgets_everything(darkroom):
    _packshot()
    requests.get("https://api.productai.photo/v1/presets", headers={"Authorization": f"Bearer {SANDBOX_KEY}"},
                 timeout=10)
    assert [(c.method, c.path, c.status) for c in darkroom.requests] == [
        ("POST", "/aigenstudio/api/v1/product-photo-jobs", 202), ("GET", "/productai/v1/presets", 200)]
    assert darkroom.requests[0].json()["job"]["status"] == "queued"
    assert darkroom.sandbox.store.all_jobs()
    darkroom.reset()
    assert darkroom.requests == [] and darkroom.sandbox.store.all_jobs() == []
    assert _packshot().status_code == 202  # the same key is new again after a reset


def test_sandbox_host_serves_the_control_plane(darkroom):
    response = requests.get(f"{MOCK_URL}/_sandbox/health", timeout=10)
    assert response.status_code == 200 and response.json()["status"] == "ok"
    documents = requests.get(f"{MOCK_URL}/_sandbox/documents", timeout=10).json()["documents"]
    assert documents[0]["base_url"].startswith(MOCK_URL + "/")


# ---- httpx, other hosts, passthrough, decorator ----------------------------------------------------------


def test_httpx_sync_and_async_clients_are_routed(darkroom):
    headers = {"Authorization": f"Bearer {SANDBOX_KEY}"}
    sync = httpx.post("https://api.productai.photo/v1/generate", headers=headers,
                      json={"model": "nanobanana2", "image_url": PRODUCT, "prompt": "p"})
    assert sync.status_code == 202

    async def read_job():
        async with httpx.AsyncClient() as client:
            return await client.get(f"https://api.productai.photo/v1/jobs/{sync.json()['job_id']}", headers=headers)

    job = asyncio.run(read_job())
    assert job.status_code == 200 and job.json()["job_id"] == sync.json()["job_id"]
    other_tenant = httpx.get(f"https://api.productai.photo/v1/jobs/{sync.json()['job_id']}",
                             headers={"Authorization": "Bearer sandbox_someone_else"})
    assert other_tenant.status_code == 404


def test_other_hosts_are_refused_and_unmocked_vendor_paths_too(darkroom):
    with pytest.raises(requests.ConnectionError):
        requests.get("https://example.org/", timeout=5)
    with pytest.raises(requests.ConnectionError):
        requests.get("https://api.productai.photo/v2/generate", timeout=5)
    with pytest.raises(respx.models.AllMockedAssertionError):
        httpx.get("https://example.org/")


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        body = json.dumps({"hello": "network"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_passthrough_prefixes_reach_the_network(app):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    local = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with mock(app=app, passthrough=[local]):
            assert requests.get(local + "/", timeout=5).json() == {"hello": "network"}
            assert httpx.get(local + "/").json() == {"hello": "network"}
            assert requests.get(f"{MOCK_URL}/_sandbox/health", timeout=5).status_code == 200
    finally:
        server.shutdown()
        thread.join()


def test_decorator_runs_each_call_on_fresh_state(app):
    darkroom = mock(app=app)
    seen = []

    @darkroom
    def create_twice():
        seen.append(_packshot(idempotency_key="decorated-1").status_code)
        seen.append(len(darkroom.sandbox.store.all_jobs()))

    create_twice()
    create_twice()
    assert seen == [202, 1, 202, 1]
    with pytest.raises(requests.ConnectionError):  # patches are gone outside the call
        requests.get(f"{MOCK_URL}/_sandbox/health", timeout=5)


def test_a_configured_public_url_is_the_mocked_host():
    with mock(Config(seed=1, public_url="http://cdn.test:9000")) as darkroom:
        assert darkroom.url == "http://cdn.test:9000"
        assert requests.get("http://cdn.test:9000/_sandbox/health", timeout=5).status_code == 200
        assert darkroom.base_urls["productai"] == "http://cdn.test:9000/productai/v1"
        assert darkroom.vendor_base_urls["productai"] == "https://api.productai.photo/v1"
