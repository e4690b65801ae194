"""Swagger UI at ``/_sandbox/docs/{name}/`` and the inspector at ``/_sandbox/ui/``, over real HTTP."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
import requests
import yaml

from sandbox.config import Config
from sandbox.pages import STATIC, Pages
from sandbox.surfaces import BY_NAME, SURFACES, document_text
from sandbox.testing import serve

NAMES = [s.name for s in SURFACES]
ADMIN = "admin-secret-token"


@pytest.fixture(scope="module")
def server():
    with serve(Config(seed=3)) as server:
        yield server


@pytest.fixture(scope="module")
def locked():
    with serve(Config(seed=3, admin_token=ADMIN)) as server:
        yield server


def get(server, path, **kwargs):
    return requests.get(server.url + path, timeout=30, allow_redirects=False, **kwargs)


def _original(name: str) -> dict:
    return yaml.safe_load(document_text(name))


# ---- Swagger UI ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_docs_page_loads_bundled_swagger_ui_and_the_sandbox_variant(server, name):
    page = get(server, f"/_sandbox/docs/{name}/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<script src="../assets/swagger-ui-bundle.js">' in page.text
    assert '"url": "openapi.json"' in page.text
    assert '"validatorUrl": null' in page.text  # no call to the public validator either
    external = re.findall(r'(?:src|href)="(https?:[^"]*)"', page.text)
    assert external == []


@pytest.mark.parametrize("name", NAMES)
def test_variant_puts_this_sandbox_first_and_leaves_the_rest_unchanged(server, name):
    variant = get(server, f"/_sandbox/docs/{name}/openapi.json").json()
    original = _original(name)
    assert variant["servers"][0] == {"url": server.url + BY_NAME[name].public_base, "description": "Darkroom sandbox"}
    assert variant["servers"][1:] == [s for s in original["servers"] if s["description"] != "Darkroom sandbox"]
    assert {k: v for k, v in variant.items() if k != "servers"} == \
        {k: v for k, v in json.loads(json.dumps(original, default=str)).items() if k != "servers"}


@pytest.mark.parametrize("name", NAMES)
def test_original_documents_stay_unchanged(server, name):
    assert get(server, f"/_sandbox/openapi/{name}.json").json()["servers"] == _original(name)["servers"]
    assert get(server, f"/_sandbox/openapi/{name}.yaml").text == document_text(name)


def test_variant_follows_the_host_the_browser_used(server):
    variant = get(server, "/_sandbox/docs/productai-v1/openapi.json", headers={"Host": "sandbox.example:18080"})
    assert variant.json()["servers"][0]["url"] == "http://sandbox.example:18080/productai"


def test_try_it_out_target_answers(server):
    """The first server of a variant plus a documented path is a working sandbox URL."""
    variant = get(server, "/_sandbox/docs/productai/openapi.json").json()
    response = requests.get(variant["servers"][0]["url"] + "/api/key-check", headers={"x-api-key": "sandbox_docs"},
                            timeout=10)
    assert response.status_code == 200 and response.json()["data"]["valid"] is True


@pytest.mark.parametrize(("asset", "media"), [
    ("swagger-ui-bundle.js", "text/javascript"), ("swagger-ui.css", "text/css"), ("LICENSE", "text/plain")])
def test_assets_are_the_bundled_files(server, asset, media):
    response = get(server, f"/_sandbox/docs/assets/{asset}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert response.content == (STATIC / "swagger-ui" / asset).read_bytes()


def test_bundled_swagger_ui_is_version_5_with_its_licence():
    folder = STATIC / "swagger-ui"
    assert (folder / "VERSION").read_text().startswith("v5.")
    assert "Apache License" in (folder / "LICENSE").read_text()
    assert "TERMS AND CONDITIONS" in (folder / "LICENSE-2.0.txt").read_text()
    assert (folder / "swagger-ui-bundle.js").read_bytes().find(b"SwaggerUIBundle") > 0


def test_docs_index_links_every_document(server):
    page = get(server, "/_sandbox/docs/")
    assert page.status_code == 200
    for name in NAMES:
        assert f'href="{name}/"' in page.text


@pytest.mark.parametrize("path", ["/_sandbox/docs", "/_sandbox/docs/productai", "/_sandbox/ui"])
def test_pages_without_slash_redirect(server, path):
    response = get(server, path)
    assert response.status_code == 308
    assert response.headers["location"] == path + "/"


@pytest.mark.parametrize("path", ["/_sandbox/docs/nope/", "/_sandbox/docs/assets/pages.py", "/_sandbox/ui/assets/x.js"])
def test_unknown_pages_get_the_control_planes_404(server, path):
    response = get(server, path)
    assert response.status_code == 404
    assert response.json()["request_id"] == response.headers["x-request-id"]


def test_only_reads_are_pages(server):
    response = requests.post(server.url + "/_sandbox/docs/productai/", timeout=10)
    assert response.status_code in (404, 405)
    assert response.json()["error"]["code"]


@pytest.mark.parametrize(("method", "path", "expected"), [
    ("GET", "/_sandbox/docs/", True),
    ("GET", "/_sandbox/docs", True),
    ("GET", "/_sandbox/docs/sandbox-control/", True),
    ("HEAD", "/_sandbox/docs/productai/openapi.json", True),
    ("GET", "/_sandbox/ui/", True),
    ("GET", "/_sandbox/health", False),
    ("GET", "/_sandbox/openapi/productai.json", False),
    ("GET", "/_sandbox/documents", False),
    ("POST", "/_sandbox/docs/productai/", False),
    ("GET", "/productai/v1/api/key-check", False),
])
def test_pages_claim_only_docs_and_ui(method, path, expected):
    pages = Pages(sandbox=None)
    assert asyncio.run(pages.handles({"type": "http", "method": method, "path": path})) is expected


# ---- inspector -------------------------------------------------------------------------------------------


def test_inspector_shows_jobs_with_thumbnails_accounts_and_the_clock(server):
    server.reset()
    server.clock.manual()
    created = requests.post(server.base_urls["productai"] + "/api/generate", headers={"x-api-key": "sandbox_ui"},
                            json={"image_url": "https://example.com/a.jpg", "prompt": "x", "model": "nanobanana"},
                            timeout=10).json()["data"]["id"]
    server.clock.advance(120)
    page = get(server, "/_sandbox/ui/")
    assert page.status_code == 200
    row = re.search(rf'<tr data-job="productai/{created}">(.*?)</tr>', page.text, re.S).group(1)
    assert 'class="status completed"' in row
    thumb = re.search(r'<img src="(/_sandbox/files/[0-9a-f]{32}\.png)"', row).group(1)
    assert get(server, f"/_sandbox/ui/jobs/productai/{created}/results.json").json() == {"urls": [thumb]}
    assert 'id="clock-mode">manual<' in page.text
    assert "<td>live_demo</td>" in page.text
    assert 'data-source="/_sandbox/journal' in page.text and 'data-source="/_sandbox/webhooks' in page.text
    assert 'id="advance-clock"' in page.text
    script = get(server, "/_sandbox/ui/assets/inspector.js")
    assert script.status_code == 200 and "/_sandbox/clock/advance" in script.text
    server.reset()


def test_inspector_results_of_an_unknown_job_are_404(server):
    assert get(server, "/_sandbox/ui/jobs/productai/999999/results.json").status_code == 404


def test_inspector_escapes_what_clients_chose(server):
    server.reset()
    created = requests.post(server.url + "/_sandbox/accounts", timeout=10,
                            json={"id": "tricky", "keys": ["<b>bold</b>"], "mode": "sandbox"})
    assert created.status_code == 201, created.text
    page = get(server, "/_sandbox/ui/").text
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold</b>" not in page
    server.reset()


def test_inspector_hides_state_without_the_admin_token(locked):
    requests.post(locked.base_urls["productai"] + "/api/generate", headers={"x-api-key": "sandbox_ui"},
                  json={"image_url": "https://example.com/a.jpg", "prompt": "x", "model": "nanobanana"}, timeout=10)
    anonymous = get(locked, "/_sandbox/ui/")
    admitted = get(locked, "/_sandbox/ui/", headers={"Authorization": f"Bearer {ADMIN}"})
    assert anonymous.status_code == admitted.status_code == 200
    assert 'id="admin-token"' in anonymous.text
    assert "live_demo" not in anonymous.text and "live_demo" in admitted.text
    assert get(locked, "/_sandbox/ui/jobs/productai/10001/results.json").status_code == 401
