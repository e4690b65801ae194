"""Requests the fuzz campaign (scripts/fuzz_all.py) found answered with 500, pinned one by one.

Each is schema-valid or plainly malformed input; none may get a 500 (DESIGN: "Nothing returns a
500 for bad input").
"""

from __future__ import annotations

import pytest

from tests.serverlib import live_server, manual_config

IMAGE = "https://shop.example/a.jpg"


@pytest.fixture(scope="module")
def live():
    with live_server(manual_config(rate_limits=False)) as server:
        yield server


@pytest.mark.parametrize("path, headers, body", [
    pytest.param("/productai/v1/api/generate-custom-model", {"x-api-key": "sandbox_fuzz"},
                 {"model": "custom-b18", "prompt": "x", "image_url": IMAGE, "input": 1},
                 id="productai-custom-input-int"),
    pytest.param("/productai/v1/api/generate", {"x-api-key": "sandbox_fuzz"},
                 {"model": "gpt-low", "prompt": "x", "image_url": IMAGE, "input": [1]},
                 id="productai-generate-input-ints"),
    pytest.param("/productai/v1/api/upscale", {"x-api-key": "sandbox_fuzz"},
                 {"image_url": IMAGE, "images": 1}, id="productai-upscale-images-int"),
    pytest.param("/productai/v1/api/generate", {"x-api-key": "sandbox_fuzz"},
                 {"model": "gpt-low", "prompt": "x", "image_url": IMAGE, "input": 1},
                 id="productai-generate-input-int"),
    pytest.param("/productai/v1/generate", {"Authorization": "Bearer sandbox_fuzz"},
                 {"model": "nanobanana", "prompt": "x", "image_url": IMAGE, "images": 5},
                 id="v1-generate-images-int"),
    pytest.param("/aigenstudio/api/v1/remove-background",
                 {"Authorization": "Bearer sandbox_fuzz", "Idempotency-Key": "fuzz-finding-0001"},
                 {"input": [{"image_url": IMAGE}], "images": 1},
                 id="remove-background-images-int"),
    pytest.param("/aigenstudio/api/v1/image-generation",
                 {"Authorization": "Bearer sandbox_fuzz", "Idempotency-Key": "fuzz-finding-0002"},
                 {"prompt": "x", "input": 1}, id="image-generation-input-int"),
])
def test_extra_body_fields_never_give_500(live, path, headers, body):
    response = live.client.post(path, json=body, headers=headers)
    assert response.status_code < 500, response.text
    assert response.status_code in (200, 202, 400), response.text


@pytest.mark.parametrize("content", [
    pytest.param(b"--XX\r\n[1]--XX--\r\n", id="part-without-headers"),
    pytest.param(b"--XX\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--XX--\r\n", id="no-file-part"),
])
def test_malformed_multipart_upload_is_a_400(live, content):
    response = live.client.post("/productai/v1/assets", content=content, headers={
        "Authorization": "Bearer sandbox_fuzz", "Content-Type": "multipart/form-data; boundary=XX"})
    assert response.status_code == 400, response.text
