"""`kzdocs preview` as a lawyer starts it, and Debian's Chromium driven by Selenium, for the
browser tests and the preview benchmark."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# Root, no display, and a machine without outside network: these keep Chromium quiet and quick.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
)
START_TIMEOUT = 60.0


def browser_available() -> bool:
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


@contextmanager
def preview(*args: str, cwd: Path) -> Iterator[str]:
    """`kzdocs preview --port 0 …` running in `cwd`; yields the address it printed."""
    command = [sys.executable, "-m", "kzdocs", "preview", "--port", "0", *args]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "KZDOCS_KEY_PASSWORD": "test"}
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_pump, args=(process, lines), daemon=True).start()
    try:
        yield _address(process, lines)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        process.stdout.close()


def _pump(process: subprocess.Popen, lines: queue.Queue[str]) -> None:
    for line in process.stdout:
        lines.put(line)


def _address(process: subprocess.Popen, lines: queue.Queue[str]) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    seen = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            if process.poll() is not None:
                break
            continue
        seen.append(line)
        if line.startswith("kzdocs preview: http://"):
            return line.split()[2]
    raise RuntimeError("kzdocs preview did not start:\n" + "".join(seen))


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium under Selenium with a fresh profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="kzdocs-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


# What a pane shows, read as the lawyer reads it: the visible text of the current document
# frame, the printed words of each page image, the messages above them.
PANE_TEXT = """
const pane = document.getElementById("pane-" + arguments[0]);
const content = pane.querySelector(".content");
const frame = content.querySelector("iframe.current");
const images = [...content.querySelectorAll(".pages img")]
  .filter((i) => i.complete && i.naturalWidth);
return {
  document: frame && frame.contentDocument.body ? frame.contentDocument.body.innerText : "",
  pages: images.map((i) => i.alt),
  diff: [...content.querySelectorAll(".diff")].map((d) => d.innerText).join(""),
  added: [...content.querySelectorAll(".diff ins")].map((d) => d.innerText),
  removed: [...content.querySelectorAll(".diff del")].map((d) => d.innerText),
  messages: pane.querySelector(".messages").innerText,
  golden: pane.querySelector(".golden").innerText,
  stale: content.classList.contains("stale"),
};
"""

# Resolves when both panes show `arguments[0]` in `arguments[1]` ("document" or "pages"):
# polled in the page every 5 ms, so a benchmark measures the page, not the driver.
WAIT_FOR_WORD = """
const [word, view, done] = arguments;
function shows(lang) {
  const content = document.querySelector(`#pane-${lang} .content`);
  if (view === "pages") {
    const images = [...content.querySelectorAll(".pages img")];
    return images.some((i) => i.complete && i.naturalWidth && i.alt.includes(word));
  }
  const frame = content.querySelector("iframe.current");
  const body = frame && frame.contentDocument.body;
  return Boolean(body && body.innerText.includes(word));
}
(function poll() {
  if (shows("kk") && shows("ru")) done(performance.now());
  else setTimeout(poll, 5);
})();
"""


def pane(driver, lang: str) -> dict:
    return driver.execute_script(PANE_TEXT, lang)


def wait_until(condition, timeout: float = 20.0, what: str = "the page"):
    """Poll `condition()` until it is truthy (bounded in time); its value."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = condition()
        except Exception as exc:  # the page may be between two renderings
            last = exc
        if last and not isinstance(last, Exception):
            return last
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {timeout} s (last: {last!r})")
