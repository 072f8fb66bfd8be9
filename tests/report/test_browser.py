"""Open every rendered report in headless Chromium, as a reader would.

Asserts no console errors (a blocked fetch, a CSP violation or a broken image all log
one), that the key sections are present and every figure decoded, and writes a full-page
screenshot of one sample report to the test output (``$ALLSTRAT_TEST_OUTPUT`` or pytest's
temporary folder). Skips when Chromium / chromedriver / selenium are missing, except in CI
(``CI=true``), where a missing browser fails.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SAMPLE_SECTIONS = (
    "summary", "subtype", "markers", "copy-number", "allelic", "risk", "qc", "provenance",
)  # fmt: skip
COHORT_SECTIONS = ("embedding", "subtypes", "risk", "qc", "provenance")
CHROME_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


def _need(condition: bool, why: str) -> None:
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why} (CI=true: the browser test must run; .ci/run installs it)")
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_bin = shutil.which("chromedriver")
    _need(chromium is not None and driver_bin is not None, "chromium/chromedriver not installed")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _need(False, "selenium not installed (pip install -e '.[test]')")
        raise
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for flag in CHROME_FLAGS:
        opts.add_argument(flag)
    opts.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    opts.add_argument("--window-size=1200,900")
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_bin), options=opts)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def _serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (ephemeral port) for the duration of the block."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _open_and_check(driver, url: str, sections: tuple[str, ...]) -> None:
    from selenium.webdriver.common.by import By

    driver.get_log("browser")  # drop entries of earlier pages
    driver.get(url)
    for section in sections:
        el = driver.find_element(By.ID, section)
        assert el.is_displayed(), (url, section)
    assert "Research use only" in driver.find_element(By.ID, "disclaimer").text
    broken = driver.execute_script(
        "return Array.from(document.images)"
        ".filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt);"
    )
    assert broken == [], (url, broken)
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert errors == [], (url, errors)


def _output_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    env = os.environ.get("ALLSTRAT_TEST_OUTPUT")
    out = Path(env) if env else tmp_path_factory.getbasetemp() / "test-output"
    out.mkdir(parents=True, exist_ok=True)
    return out


def test_every_report_opens_without_console_errors(
    browser, rendered, sample_ids, tmp_path_factory
) -> None:
    with _serve(rendered) as base:
        for sid in sample_ids:
            _open_and_check(browser, f"{base}/samples/{sid}.html", SAMPLE_SECTIONS)
        _open_and_check(browser, f"{base}/report/cohort.html", COHORT_SECTIONS)
        # file:// too: a report mailed or archived opens the same way
        _open_and_check(browser, (rendered / "samples" / "RPT_01.html").as_uri(), SAMPLE_SECTIONS)

        browser.get(f"{base}/samples/RPT_01.html")
        height = browser.execute_script("return document.documentElement.scrollHeight;")
        browser.set_window_size(1200, min(int(height) + 100, 12000))
        shot = _output_dir(tmp_path_factory) / "report_RPT_01.png"
        assert browser.save_screenshot(str(shot))
        browser.set_window_size(1200, 900)
    assert shot.stat().st_size > 50_000  # a rendered page, not a blank one


def test_checker_catches_a_fetch_attempt(browser, rendered, tmp_path) -> None:
    """The console check is not vacuous: a report that tries to fetch fails it."""
    page = (rendered / "samples" / "RPT_04.html").read_text()
    bad = tmp_path / "bad.html"
    bad.write_text(page.replace("</main>", '<img alt="x" src="http://127.0.0.1:9/x.png"></main>'))
    with pytest.raises(AssertionError):
        _open_and_check(browser, bad.as_uri(), SAMPLE_SECTIONS)
