"""Result images over real HTTP: every model and tool yields a real image of the declared format and
size, served with strong ETags; broken sources fail in the vendor's voice."""

from __future__ import annotations

import base64
import io
import subprocess
import sys

import pytest
from PIL import Image

from sandbox.catalog import PRODUCTAI_MODELS, PRODUCTAI_V1_MODELS
from tests.serverlib import live_server, manual_config

MAGIC = {"png": b"\x89PNG", "jpg": b"\xff\xd8\xff", "webp": b"RIFF"}
PIL_FORMATS = {"png": "PNG", "jpg": "JPEG", "webp": "WEBP"}


@pytest.fixture(scope="module")
def server():
    with live_server(manual_config(rate_limits=False)) as live:
        yield live


def png_data_uri(size=(64, 48), color=(200, 30, 30)) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def fetch_image(server, url):
    response = server.client.get(url)
    assert response.status_code == 200
    return response, Image.open(io.BytesIO(response.content))


@pytest.mark.parametrize("model", sorted(PRODUCTAI_MODELS))
def test_every_productai_model_returns_its_image(server, model):
    headers = {"x-api-key": "sandbox_results"}
    body = {"image_url": "https://example.com/photo.jpg", "prompt": "beach", "model": model, "output_format": "jpg"}
    job = server.client.post("/productai/v1/api/generate", headers=headers, json=body).json()["data"]
    server.advance(5)
    done = server.client.get(f"/productai/v1/api/job/{job['id']}", headers=headers).json()["data"]
    response, image = fetch_image(server, done["image_url"])
    assert response.headers["content-type"] == "image/jpeg" and response.content.startswith(MAGIC["jpg"])
    expected = (2048, 2048) if model.startswith("nanobanana") else (1024, 1024)  # SQUARE at 2K / 1K
    assert image.size == expected


def test_extreme_direct_ratio_renders_at_its_size(server):
    """Found by the 1,000-example fuzz run: "1:22" is schema-valid for nanobanana and must render."""
    headers = {"x-api-key": "sandbox_results"}
    job = server.client.post("/productai/v1/api/generate", headers=headers, json={
        "image_url": "https://0.org", "prompt": "x", "model": "nanobanana", "aspect_ratio": "1:22",
        "resolution": "2K", "output_format": "jpg"})
    assert job.status_code == 200, job.text
    server.advance(5)
    done = server.client.get(f"/productai/v1/api/job/{job.json()['data']['id']}", headers=headers).json()["data"]
    _, image = fetch_image(server, done["image_url"])
    assert image.size == (96, 2048)


def test_models_differ_and_repeat(server):
    headers = {"x-api-key": "sandbox_results"}
    files = {}
    for model in ("gpt-low", "seedream", "gpt-low"):
        job = server.client.post("/productai/v1/api/generate", headers=headers, json={
            "image_url": "https://example.com/same.jpg", "prompt": "same", "model": model}).json()["data"]
        server.advance(5)
        url = server.client.get(f"/productai/v1/api/job/{job['id']}", headers=headers).json()["data"]["image_url"]
        files.setdefault(model, []).append(server.client.get(url).content)
    assert files["gpt-low"][0] != files["seedream"][0]
    assert len(files["gpt-low"][0]) > 1000


@pytest.mark.parametrize("model", sorted(PRODUCTAI_V1_MODELS))
def test_v1_variants_differ_and_match_their_claims(server, model):
    headers = {"Authorization": "Bearer sandbox_results"}
    job = server.client.post("/productai/v1/generate", headers=headers, json={
        "model": model, "image_url": "https://example.com/product.jpg", "prompt": "marble", "num_images": 3,
        "aspect_ratio": "4:3"}).json()
    server.advance(5)
    images = server.client.get(f"/productai/v1/jobs/{job['job_id']}", headers=headers).json()["images"]
    contents = set()
    for claim in images:
        response, image = fetch_image(server, claim["url"])
        assert image.size == (claim["width"], claim["height"]) == (1024, 768)
        assert image.format == PIL_FORMATS[claim["format"]]
        contents.add(response.content)
    assert len(contents) == 3


@pytest.mark.parametrize("fmt", ["png", "jpg", "webp"])
@pytest.mark.parametrize("path", ["remove-background", "image-editing", "image-ai-edit", "ai-background",
                                  "ad-creative", "image-generation"])
def test_image_api_tools_honour_format_and_count(server, path, fmt):
    body = {"output": {"format": fmt, "number_of_images": 2}, "prompt": "studio", "instructions": "brighter",
            "input": [{"image_url": "https://client.example/images/shoe-001.jpg"}]}
    if path == "image-generation":
        body = {"prompt": "a sunny studio", "aspect_ratio": "16:9", "output": body["output"]}
    created = server.client.post(f"/aigenstudio/api/v1/{path}", json=body, headers={
        "Authorization": "Bearer sandbox_results", "Idempotency-Key": f"fmt-{path}-{fmt}"})
    assert created.status_code == 202, created.text
    server.advance(5)
    job = server.client.get(f"/aigenstudio/api/v1/jobs/{created.json()['job']['id']}",
                            headers={"Authorization": "Bearer sandbox_results"}).json()["job"]
    assert len(job["results"]) == 2
    for result in job["results"]:
        response, image = fetch_image(server, result["url"])
        assert response.content.startswith(MAGIC[fmt]) and image.format == PIL_FORMATS[fmt]
        assert image.size == (result["width"], result["height"])


def test_files_have_strong_etags_and_cache_headers(server):
    job = server.client.post("/productai/v1/api/upscale", headers={"x-api-key": "sandbox_results"},
                             json={"image_url": png_data_uri((64, 48))}).json()["data"]
    server.advance(5)
    url = server.client.get(f"/productai/v1/api/job/{job['id']}", headers={"x-api-key": "sandbox_results"}
                            ).json()["data"]["image_url"]
    response, image = fetch_image(server, url)
    assert image.size == (128, 96)  # exactly x2 of the source
    etag = response.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert "immutable" in response.headers["cache-control"]
    again = server.client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


def test_broken_sources_fail_in_the_vendor_voice(server):
    broken = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\ntruncated").decode()
    api = server.client.post("/productai/v1/api/generate", headers={"x-api-key": "sandbox_results"},
                             json={"image_url": broken, "prompt": "x", "model": "gpt-low"})
    assert api.status_code == 400 and api.json()["code"] == "INVALID_IMAGE_URL"
    created = server.client.post("/aigenstudio/api/v1/remove-background", headers={
        "Authorization": "Bearer sandbox_results", "Idempotency-Key": "broken-0001"},
        json={"input": [{"image_url": broken}, {"image_url": png_data_uri()}]}).json()["job"]
    server.advance(5)
    job = server.client.get(f"/aigenstudio/api/v1/jobs/{created['id']}",
                            headers={"Authorization": "Bearer sandbox_results"}).json()["job"]
    assert job["status"] == "partially_completed"
    assert job["results"][0]["error"]["code"] == "invalid_image"
    upload = server.client.post("/productai/v1/assets", headers={"Authorization": "Bearer sandbox_results"},
                                files={"file": ("x.png", b"not an image", "image/png")})
    assert upload.status_code == 201 and upload.json()["content_type"] == "application/octet-stream"
    v1 = server.client.post("/productai/v1/generate", headers={"Authorization": "Bearer sandbox_results"},
                            json={"model": "nanobanana", "asset_id": upload.json()["asset_id"], "prompt": "x"}).json()
    server.advance(5)
    read = server.client.get(f"/productai/v1/jobs/{v1['job_id']}", headers={"Authorization": "Bearer sandbox_results"})
    assert read.json()["status"] == "failed" and read.json()["error"]["code"] == "invalid_image"


def test_uploaded_asset_is_the_source(server):
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (10, 120, 200)).save(buffer, "PNG")
    upload = server.client.post("/productai/v1/assets", headers={"Authorization": "Bearer sandbox_results"},
                                files={"file": ("p.png", buffer.getvalue(), "image/png")}).json()
    assert (upload["content_type"], upload["width"], upload["height"]) == ("image/png", 80, 60)
    other = server.client.post("/productai/v1/generate", headers={"Authorization": "Bearer sandbox_stranger"},
                               json={"model": "nanobanana", "asset_id": upload["asset_id"], "prompt": "x"})
    assert other.status_code == 404  # another tenant's upload does not exist for them


def test_fixtures_map_urls_to_files(tmp_path):
    photo = tmp_path / "shoe.png"
    Image.new("RGB", (40, 30), (0, 200, 0)).save(photo)
    config_file = tmp_path / "darkroom.toml"
    config_file.write_text('[sources]\nfixtures = { "https://shop.example/shoe.png" = "shoe.png" }\n')
    from sandbox import config as config_module

    config = config_module.load(config_file, seed=1, clock="manual", start=0.0, rate_limits=False,
                                validate_responses=True)
    with live_server(config) as live:
        job = live.client.post("/productai/v1/api/upscale", headers={"x-api-key": "sandbox_fx"},
                               json={"image_url": "https://shop.example/shoe.png"}).json()["data"]
        live.advance(5)
        url = live.client.get(f"/productai/v1/api/job/{job['id']}", headers={"x-api-key": "sandbox_fx"}
                              ).json()["data"]["image_url"]
        assert Image.open(io.BytesIO(live.client.get(url).content)).size == (80, 60)


def test_a_matting_model_of_the_wrong_shape_stops_start_up(tmp_path):
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "bad",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 8, 8])])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), tmp_path / "bad.onnx")
    (tmp_path / "darkroom.toml").write_text('[engine]\nmatting_model = "bad.onnx"\nmatting_size = [8, 8]\n')
    run = subprocess.run([sys.executable, "-m", "sandbox.cli", "serve", "--config", str(tmp_path / "darkroom.toml"),
                          "--port", "1"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "bad.onnx" in run.stderr and "shape" in run.stderr.lower()
