"""The app served to a real browser: ``upsample-tui --serve`` on a free local port, headless
Chromium through selenium.

The page draws the terminal on a canvas, so "the app has drawn" and "the page changed" are read
from the page itself: textual-serve marks the body ``-first-byte`` once the app's output
arrives, and the terminal's picture is compared before and after a key. The export is checked
where it lands: Chromium's download directory, not the server's current directory.

Skipped, with the reason, where Chromium, its driver, selenium or textual-serve is missing
(CI installs them: see ``.ci/run`` and the ``test`` extra).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (apt-get install chromium)"),
    pytest.mark.skipif(
        CHROMEDRIVER is None, reason="no chromedriver installed (apt-get install chromium-driver)"
    ),
]

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # textual-serve opens each download from a message, not a click: let it.
    "--disable-popup-blocking",
    "--window-size=1400,900",
)
WAIT = 60
"""Seconds to wait for anything the page should do (a bound, not a measurement)."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(condition, what: str, timeout: float = WAIT) -> None:
    """Poll ``condition`` until it is true; fail naming ``what`` after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"waited {timeout} s for {what}")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """``upsample-tui --serve --stride 2`` on a free port of this machine; its URL."""
    pytest.importorskip("textual_serve", reason="textual-serve missing: pip install -e '.[web]'")
    port = _free_port()
    cwd = tmp_path / "server"
    cwd.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "tui_upsample", "--serve", "--port", str(port), "--stride", "2"],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )

    def listening() -> bool:
        if process.poll() is not None:
            pytest.fail(f"--serve ended: {process.communicate()[0].decode(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        except OSError:
            return False
        return True

    try:
        _wait_for(listening, "the server to listen")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
    # Nothing was written where the server runs: the export went to the browser.
    assert list(cwd.iterdir()) == []


@pytest.fixture
def browser(tmp_path: Path):
    """Headless Chromium with a fresh profile, downloading into ``tmp_path / "downloads"``."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium missing")
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


def test_served_app_steps_and_exports_as_a_download(server: str, browser) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{server}/?fontsize=14")
    body = browser.find_element(By.TAG_NAME, "body")
    _wait_for(
        lambda: "-first-byte" in (body.get_attribute("class") or ""), "the app's first output"
    )
    terminal = browser.find_element(By.ID, "terminal")

    # Drawn: the picture stops changing (the first screen is complete).
    pictures = [terminal.screenshot_as_png]

    def settled() -> bool:
        time.sleep(0.5)
        pictures.append(terminal.screenshot_as_png)
        return pictures[-1] == pictures[-2]

    _wait_for(settled, "the first screen to be drawn")
    drawn = pictures[-1]

    keys = browser.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")
    keys.send_keys("n")
    _wait_for(lambda: terminal.screenshot_as_png != drawn, "the page to change after n")
    _wait_for(settled, "step 2 to be drawn")
    stepped = pictures[-1]

    keys.send_keys("x")
    _wait_for(lambda: terminal.screenshot_as_png != stepped, "the export dialog")
    keys.send_keys("s")

    def downloaded() -> list[Path]:
        return [p for p in browser.downloads.iterdir() if not p.name.endswith(".crdownload")]

    _wait_for(lambda: bool(downloaded()), "the export to arrive as a download")
    (session,) = downloaded()
    assert session.name == "upsample-conv_transpose2d-session.json"
    data = json.loads(session.read_text(encoding="utf-8"))
    # The scene the server was started with (--stride 2), one step on (n).
    assert data["op"] == "conv_transpose2d"
    assert data["parameters"]["stride"] == 2
    assert data["step"] == 1
