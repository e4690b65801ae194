"""Same seed, manual clock and request sequence: identical bodies (ids, timestamps, URLs) every run.

Two independent servers replay each hypothesis-generated sequence after a reset and must agree
byte for byte; a third with another seed must not.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.serverlib import live_server, manual_config

URLS = st.sampled_from(["https://e.example/a.jpg", "https://e.example/sandbox-fail.jpg", "https://e.example/b.png"])
STEP = st.one_of(
    st.tuples(st.just("remove_bg"), URLS, st.integers(1, 3)),
    st.tuples(st.just("product_photo"), st.sampled_from(["studio_packshot", "marketplace_clean"]), URLS),
    st.tuples(st.just("productai"), st.sampled_from(["gpt-low", "nanobanana", "seedream"]), URLS),
    st.tuples(st.just("v1"), st.sampled_from(["nanobanana2", "gpt-high"]), st.integers(1, 4)),
    st.tuples(st.just("advance"), st.sampled_from([0.5, 1, 2, 5])),
    st.tuples(st.just("read_all")),
)


def run(server, steps) -> list[str]:
    client = server.client
    assert client.post("/_sandbox/reset").status_code == 200
    assert client.put("/_sandbox/clock", json={"mode": "manual", "now": "2026-01-01T00:00:00Z"}).status_code == 200
    out, reads = [], []
    for n, step in enumerate(steps):
        kind = step[0]
        if kind == "remove_bg":
            r = client.post("/aigenstudio/api/v1/remove-background", headers={
                "Authorization": "Bearer sandbox_det", "Idempotency-Key": f"det-{n:05d}", "X-Request-Id": f"r{n}"},
                json={"input": [{"image_url": step[1]}], "output": {"number_of_images": step[2]}})
            reads.append(f"/aigenstudio/api/v1/jobs/{r.json()['job']['id']}")
        elif kind == "product_photo":
            r = client.post("/aigenstudio/api/v1/product-photo-jobs", headers={
                "Authorization": "Bearer live_demo", "Idempotency-Key": f"det-{n:05d}"},
                json={"operation": step[1], "images": [{"source_url": step[2]}]})
            reads.append(f"/aigenstudio/api/v1/product-photo-jobs/{r.json()['job']['id']}")
        elif kind == "productai":
            r = client.post("/productai/v1/api/generate", headers={"x-api-key": "sandbox_det"},
                            json={"image_url": step[2], "prompt": "x", "model": step[1]})
            reads.append(f"/productai/v1/api/job/{r.json()['data']['id']}")
        elif kind == "v1":
            r = client.post("/productai/v1/generate", headers={"Authorization": "Bearer sandbox_det"},
                            json={"model": step[1], "image_url": "https://e.example/a.jpg", "prompt": "x",
                                  "num_images": step[2]})
            reads.append(f"/productai/v1/jobs/{r.json()['job_id']}")
        elif kind == "advance":
            r = client.post("/_sandbox/clock/advance", json={"seconds": step[1]})
        else:
            for path in reads:
                headers = {"Authorization": "Bearer sandbox_det", "x-api-key": "sandbox_det"}
                if "product-photo" in path:
                    headers["Authorization"] = "Bearer live_demo"
                got = client.get(path, headers=headers)
                out.append(f"{got.status_code} {got.text}")
            continue
        out.append(f"{r.status_code} {r.headers.get('x-request-id')} {r.text}")
    return out


@pytest.fixture(scope="module")
def servers():
    with live_server(manual_config(rate_limits=False, seed=11, public_url="http://sandbox.test")) as a, \
            live_server(manual_config(rate_limits=False, seed=11, public_url="http://sandbox.test")) as b, \
            live_server(manual_config(rate_limits=False, seed=12, public_url="http://sandbox.test")) as c:
        yield a, b, c


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=1, max_size=8).map(lambda s: [*s, ("advance", 5), ("read_all",)]))
def test_same_seed_same_bodies(servers, steps):
    a, b, c = servers
    first = run(a, steps)
    assert first == run(b, steps)
    assert first == run(a, steps)  # and again after a reset
    if any(s[0] in ("remove_bg", "product_photo", "v1") for s in steps):
        assert first != run(c, steps)  # the seed matters
