"""Headless Chromium started one way for every browser test: Debian's binaries by path, a throwaway profile.

Using ``/usr/bin/chromium`` and ``/usr/bin/chromedriver`` by path means Selenium Manager never downloads
a browser at run time.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REPORTS = Path(__file__).resolve().parents[2] / "reports"
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
         "--window-size=1400,900")


def unavailable() -> str | None:
    """Why no browser can be started here (None: it can)."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package")
    return f"missing {', '.join(missing)}" if missing else None


@contextmanager
def chromium() -> Iterator:
    """A WebDriver on a fresh profile that keeps the console log, quit afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="darkroom-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in (*FLAGS, f"--user-data-dir={profile}"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
        try:
            yield driver
        finally:
            driver.quit()


def console_errors(driver) -> list[str]:
    """The page's own errors from the browser console (a missing favicon is not the page's)."""
    return [e["message"] for e in driver.get_log("browser")
            if e["level"] == "SEVERE" and "favicon.ico" not in e["message"]]


def screenshot(driver, name: str) -> Path:
    """Save what the browser shows as ``reports/{name}`` for a human to look at."""
    path = REPORTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))
    return path
