"""The inspector page in a real headless Chromium: journal, job status, clock button, result thumbnail.

The page is mostly JavaScript polling the control plane, so only a browser shows whether it works.
The browser comes from the ``browser`` fixture (``conftest.py``).
"""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.browser.chromium import console_errors, screenshot
from tests.serverlib import live_server, manual_config

KEY = "sandbox_inspector"
ENDPOINT = "/aigenstudio/api/v1/remove-background"
WAIT = 15  # seconds; the page polls every 2 s


@pytest.fixture
def server():
    with live_server(manual_config(rate_limits=False)) as live:
        yield live


# The page re-renders its tables on every poll, so rows are looked up afresh in one script each time.
_ROW = """
const row = [...document.querySelectorAll('#jobs-body tr')].find(r => r.cells[2] && r.cells[2].textContent === arguments[0]);
if (!row) return null;
const images = [...row.querySelectorAll('img')].map(i => ({src: i.getAttribute('src'), complete: i.complete,
                                                          width: i.naturalWidth, height: i.naturalHeight}));
return {status: row.querySelector('td.status').textContent, images: images};
"""


def _job(driver, job_id: str) -> dict | None:
    """The job's row in the jobs table as ``{status, images}`` (None while absent)."""
    return driver.execute_script(_ROW, job_id)


def _loaded_thumb(driver, job_id: str) -> dict | None:
    row = _job(driver, job_id)
    images = [i for i in (row or {}).get("images", []) if i["complete"]]
    return images[0] if images else None


def test_inspector_shows_request_job_and_result(browser, server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    created = server.client.post(
        ENDPOINT, headers={"Authorization": f"Bearer {KEY}", "Idempotency-Key": "inspector-browser-0001"},
        json={"input": [{"image_url": "https://client.example/shoe.jpg", "external_id": "sku-1"}],
              "output": {"format": "png", "number_of_images": 1}})
    assert created.status_code == 202, created.text
    job = created.json()["job"]
    request_id = created.headers["x-request-id"]
    assert job["status"] == "queued"
    wait = WebDriverWait(browser, WAIT, poll_frequency=0.1)
    try:
        browser.get(server.url + "/_sandbox/ui/")
        assert browser.title == "Darkroom inspector"

        # the journal is filled by the page's script from /_sandbox/journal
        journal = wait.until(lambda d: [[c.text for c in r.find_elements(By.TAG_NAME, "td")]
                                        for r in d.find_elements(By.CSS_SELECTOR, "#journal-body tr")] or None)
        entry = next((row for row in journal if request_id in row), None)
        assert entry is not None, journal
        assert entry[1:5] == ["aigenstudio-image", "POST", ENDPOINT, "202"]
        assert all(row[1] != "sandbox-control" for row in journal), "the page's own polling is hidden"

        assert wait.until(lambda d: _job(d, job["id"])) == {"status": "queued", "images": []}

        seconds = browser.find_element(By.ID, "advance-seconds")
        seconds.clear()
        seconds.send_keys("10")
        browser.find_element(By.ID, "advance-clock").click()
        wait.until(lambda d: (_job(d, job["id"]) or {}).get("status") == "completed")
        assert browser.find_element(By.ID, "clock-now").text == "2026-01-01T00:00:10Z"
        assert browser.find_element(By.ID, "message").text == "Clock advanced to 2026-01-01T00:00:10Z"
        assert server.client.get("/_sandbox/clock").json()["now"] == "2026-01-01T00:00:10Z"

        thumb = wait.until(lambda d: _loaded_thumb(d, job["id"]))
        served = server.client.get(thumb["src"])
        assert served.status_code == 200, f"{thumb['src']} answered {served.status_code}"
        assert thumb["width"] > 0, f"the thumbnail {thumb['src']} did not load"
        assert (thumb["width"], thumb["height"]) == Image.open(io.BytesIO(served.content)).size

        assert console_errors(browser) == []
    finally:
        screenshot(browser, "inspector.png")
