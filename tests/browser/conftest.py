"""The ``browser`` fixture: one headless Chromium per test module (see ``chromium.py``).

Without the browser the tests are skipped locally; under CI (``CI`` set) its absence is a failure.
"""

from __future__ import annotations

import os

import pytest

from tests.browser.chromium import chromium, unavailable


@pytest.fixture(scope="module")
def browser():
    reason = unavailable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI installs the browser, but it is {reason}")
        pytest.skip(f"no headless browser here: {reason}")
    with chromium() as driver:
        yield driver
