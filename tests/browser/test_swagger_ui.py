"""Swagger UI in a real headless Chromium: every document renders, and "Try it out" reaches the sandbox.

The pages are JavaScript that fetches a per-page variant of each document, so only a browser shows
that Swagger UI 5 understood the OpenAPI 3.1 document and that its requests go to this sandbox with
the key typed into the Authorize dialog. The browser comes from the ``browser`` fixture
(``conftest.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from sandbox.surfaces import BY_NAME
from tests.browser.chromium import console_errors, screenshot
from tests.serverlib import live_server, manual_config

OPENAPI = Path(__file__).resolve().parents[2] / "openapi"
DOCUMENTS = ("aigenstudio-product-photo", "aigenstudio-image", "productai", "productai-v1", "sandbox-control")
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
KEY = "sandbox_swagger_ui"
WAIT = 15  # seconds


@pytest.fixture(scope="module")
def server():
    with live_server(manual_config(rate_limits=False)) as live:
        yield live


@pytest.fixture
def wait(browser):
    """A waiter for this test; afterwards the page's persisted authorization is forgotten."""
    from selenium.webdriver.support.ui import WebDriverWait

    yield WebDriverWait(browser, WAIT, poll_frequency=0.1)
    if browser.current_url.startswith("http"):
        browser.execute_script("window.localStorage.clear()")


def _document(name: str) -> dict:
    return yaml.safe_load((OPENAPI / f"{name}.yaml").read_text(encoding="utf-8"))


def _operations(document: dict) -> list[tuple[str, str]]:
    return sorted((method.upper(), path) for path, item in document["paths"].items()
                  for method in item if method in METHODS)


# Each look at the page is one script, so a check never reads a half-rendered mix of elements.
_RENDERED = """
const title = document.querySelector('.information-container h1.title');
if (!title || !document.querySelector('.opblock')) return null;
return {
  title: title.firstChild.textContent.trim(),
  stamp: [...title.querySelectorAll('.version-stamp')].map(e => e.textContent.trim()),
  ops: [...document.querySelectorAll('.opblock')].map(o => [
    o.querySelector('.opblock-summary-method').textContent,
    o.querySelector('.opblock-summary-path').getAttribute('data-path')]),
  servers: [...document.querySelectorAll('select#servers option')].map(o => o.value),
};
"""


def _open(browser, wait, server, name: str) -> dict:
    browser.get(f"{server.url}/_sandbox/docs/{name}/")
    return wait.until(lambda d: d.execute_script(_RENDERED))


@pytest.mark.parametrize("name", DOCUMENTS)
def test_document_renders_every_operation(browser, wait, server, name):
    document = _document(name)
    page = _open(browser, wait, server, name)

    assert browser.title == f"{document['info']['title']} · Darkroom"
    assert page["title"] == document["info"]["title"]
    assert page["stamp"] == ["OAS 3.1"]
    assert sorted(map(tuple, page["ops"])) == _operations(document)
    assert page["servers"][0] == server.url + BY_NAME[name].public_base, "the sandbox is the first server"
    assert console_errors(browser) == []


@dataclass(frozen=True)
class Call:
    """One "Try it out": the operation, what the sandbox must answer, and whether the key is needed."""

    method: str
    path: str
    authenticated: bool
    check: Callable[[dict], bool]


def _ids(body: dict, key: str) -> set[str]:
    return {entry["id"] for entry in body[key]}


CALLS = {
    "aigenstudio-product-photo": [
        Call("GET", "/product-photo-operations", False,
             lambda body: {"product_photo_enhance", "remove_background"} <= _ids(body, "operations")),
        Call("GET", "/product-photo-jobs", True,
             lambda body: body["jobs"] == [] and body["has_more"] is False),
    ],
    "aigenstudio-image": [
        Call("GET", "/tools", False,
             lambda body: {"remove_background", "image_editing"} <= _ids(body, "tools")),
        Call("GET", "/jobs", True,
             lambda body: body["jobs"] == [] and body["has_more"] is False),
    ],
    "productai": [
        Call("GET", "/api/key-check", True,
             lambda body: body["status"] == "OK" and body["data"]["valid"] is True
             and body["data"]["plan"] == "sandbox"),
    ],
    "productai-v1": [
        Call("GET", "/v1/presets", True,
             lambda body: "preset_marble_table" in _ids(body, "presets")),
    ],
}

_OPBLOCK = """
return [...document.querySelectorAll('.opblock')].find(o =>
  o.querySelector('.opblock-summary-method').textContent === arguments[0] &&
  o.querySelector('.opblock-summary-path').getAttribute('data-path') === arguments[1]) || null;
"""

_LIVE = """
const op = arguments[0];
const status = op.querySelector('.live-responses-table .response .response-col_status');
const body = op.querySelector('.live-responses-table .response-col_description .highlight-code pre');
if (!status || !body) return null;
const headers = [...op.querySelectorAll('.live-responses-table .headerline')].map(h => h.textContent.trim());
return {status: status.textContent.trim(), body: body.textContent,
        url: op.querySelector('.request-url pre').textContent.trim(), headers: headers};
"""


def _authorize(browser, wait, scheme: str) -> None:
    """Type the key into the Authorize dialog, apply it, and close the dialog."""
    from selenium.webdriver.common.by import By

    browser.find_element(By.CSS_SELECTOR, ".scheme-container .btn.authorize").click()
    modal = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".modal-ux"))
    assert modal.find_element(By.CSS_SELECTOR, ".auth-container h4 code").text == scheme
    modal.find_element(By.CSS_SELECTOR, ".auth-container input").send_keys(KEY)
    modal.find_element(By.CSS_SELECTOR, "button.authorize").click()
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".modal-ux .auth-container h6").text == "Authorized")
    modal.find_element(By.CSS_SELECTOR, "button.btn-done").click()
    wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, ".modal-ux"))


def _try_it_out(browser, wait, call: Call) -> dict:
    """Expand the operation, execute it as the page offers it, and read the live response block."""
    from selenium.webdriver.common.by import By

    op = browser.execute_script(_OPBLOCK, call.method, call.path)
    assert op is not None, f"no opblock for {call.method} {call.path}"
    op.find_element(By.CSS_SELECTOR, ".opblock-summary-control").click()
    button = wait.until(lambda d: op.find_element(By.CSS_SELECTOR, ".try-out__btn"))
    # the page sets tryItOutEnabled, so an expanded operation is already in "Try it out" mode
    if button.text == "Try it out":
        button.click()
    assert op.find_element(By.CSS_SELECTOR, ".try-out__btn").text == "Cancel"
    op.find_element(By.CSS_SELECTOR, ".btn.execute").click()
    live = wait.until(lambda d: d.execute_script(_LIVE, op))
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", op)
    return live


def _account_of(server, key: str) -> str:
    accounts = server.client.get("/_sandbox/accounts").json()["accounts"]
    return next(a["id"] for a in accounts if key in a["keys"])


@pytest.mark.parametrize("name", sorted(CALLS))
def test_try_it_out_calls_the_sandbox(browser, wait, server, name):
    document = _document(name)
    _open(browser, wait, server, name)
    try:
        _authorize(browser, wait, next(iter(document["components"]["securitySchemes"])))
        for call in CALLS[name]:
            live = _try_it_out(browser, wait, call)
            assert live["url"].split("?")[0] == server.url + BY_NAME[name].public_base + call.path
            assert live["status"] == "200", live
            body = json.loads(live["body"])
            assert call.check(body), body

            # the journal proves the page's body is the sandbox's own answer to this request, with the key
            request_id = next(h.split(":", 1)[1].strip() for h in live["headers"] if h.startswith("x-request-id:"))
            journal = server.client.get("/_sandbox/journal", params={"limit": 200}).json()["entries"]
            entry = next(e for e in journal if e["request_id"] == request_id)
            assert (entry["surface"], entry["method"], entry["path"], entry["status"]) == \
                (name, call.method, BY_NAME[name].public_base + call.path, 200)
            assert entry["account"] == (_account_of(server, KEY) if call.authenticated else None), entry
        assert console_errors(browser) == []
    finally:
        if name == "productai":
            screenshot(browser, "swagger-ui.png")
