"""A headless Chromium driven over the DevTools protocol, for the reading-room browser tests.

``--remote-debugging-pipe`` speaks the protocol as NUL-terminated JSON on file descriptors 3
(commands) and 4 (answers and events): no websocket library, no driver binary. Each page is
opened at a chosen window size; every request it makes is recorded, so a test can check that
nothing left 127.0.0.1.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: CI (``CI=true``, as .ci/run is started) must run the browser tests: a missing browser fails there.
IN_CI = os.environ.get("CI", "").lower() == "true"
#: Screenshots the tests take, for a person to look at (gitignored).
ARTEFACTS = Path(__file__).resolve().parent / "artefacts"

#: How every test starts Chromium: headless, offline from Google's services, nothing synced.
HEADLESS_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

#: The marks of a browser test module: skipped without Chromium, except in CI.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None and not IN_CI, reason="chromium not installed (make browser installs it)"
    ),
]


def require_chromium() -> str:
    """Chromium's path; in CI (where the marks do not skip) a missing browser fails the test."""
    if CHROMIUM is None:
        pytest.fail(
            "chromium not installed and CI=true: run `make browser` (the browser tests must run in CI)"
        )
    return CHROMIUM


class BrowserError(RuntimeError):
    """The browser answered a command with an error, or not in time."""


class Browser:
    """One Chromium process; ``page()`` opens a tab at a size and returns a ``Page``."""

    def __init__(self, executable: str, profile: Path) -> None:
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def at_3_and_4() -> None:
            # out of the way first: the pipe's own descriptors may be 3 or 4 themselves
            high_r = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.proc = subprocess.Popen(
            [
                executable,
                *HEADLESS_FLAGS,
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=at_3_and_4,  # dup2'd descriptors are inheritable; os.pipe()'s are not
            close_fds=False,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            answer = self._read()
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self.events.append(answer)
        raise BrowserError(f"{method}: no answer")

    def _read(self) -> dict:
        while b"\0" not in self._buffer:
            chunk = os.read(self._from_child, 1 << 16)
            if not chunk:
                raise BrowserError("the browser closed the pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def wait_event(self, method: str, session: str, timeout: float = 20) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, event in enumerate(self.events):
                if event.get("method") == method and event.get("sessionId") == session:
                    return self.events.pop(i)
            self.events.append(self._read())
        raise BrowserError(f"no {method} event")

    def page(self, url: str, width: int, height: int = 1000) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session, target)
        for method in ("Page.enable", "Network.enable", "Runtime.enable"):
            self.send(method, session=session)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        page.goto(url)
        return page

    def close(self) -> None:
        with contextlib.suppress(BrowserError, OSError):
            self.send("Browser.close")
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_child)
        os.close(self._from_child)


class Page:
    """One tab: navigate, evaluate JavaScript, click, screenshot; ``requests`` lists every URL asked for."""

    def __init__(self, browser: Browser, session: str, target: str) -> None:
        self.browser, self.session, self.target = browser, session, target
        self.requests: list[str] = []

    def send(self, method: str, params: dict | None = None) -> dict:
        return self.browser.send(method, params, session=self.session)

    def goto(self, url: str) -> None:
        self.send("Page.navigate", {"url": url})
        self.browser.wait_event("Page.loadEventFired", self.session)
        self.settle()

    def settle(self, quiet: float = 0.5, timeout: float = 10) -> None:
        """Wait until no request has started for ``quiet`` seconds (the chart fetches its data)."""
        deadline = time.monotonic() + timeout
        last = time.monotonic()
        while time.monotonic() < deadline and time.monotonic() - last < quiet:
            self.send("Runtime.evaluate", {"expression": "1"})
            time.sleep(0.1)
            for event in [e for e in self.browser.events if e.get("sessionId") == self.session]:
                self.browser.events.remove(event)
                if event.get("method") == "Network.requestWillBeSent":
                    self.requests.append(event["params"]["request"]["url"])
                    last = time.monotonic()

    def js(self, expression: str, *, gesture: bool = False) -> Any:
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True, "userGesture": gesture},
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """A real mouse click in the middle of the element (a user gesture, as the clipboard wants)."""
        box = self.js(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.scrollIntoView();"
            " const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": box[0], "y": box[1], "button": "left", "clickCount": 1},
            )
        self.settle(quiet=0.3)

    def screenshot(self, path: Path, full_page: bool = True) -> bytes:
        params: dict[str, Any] = {"format": "png", "captureBeyondViewport": full_page}
        data = base64.b64decode(self.send("Page.captureScreenshot", params)["data"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return data

    def close(self) -> None:
        self.browser.send("Target.closeTarget", {"targetId": self.target})


def open_page(browser: Browser, base: str, path: str, width: int, name: str) -> Page:
    """The page at ``base + path``, screenshot kept; fails when any request left 127.0.0.1."""
    page = browser.page(base + path, width)
    page.screenshot(ARTEFACTS / f"{name}-{width}.png")
    outside = [r for r in page.requests if urlsplit(r).hostname not in ("127.0.0.1", None)]
    assert not outside, f"{name}: requests left 127.0.0.1: {outside}"
    assert page.requests, "no request recorded: the recorder is broken"
    return page


def visible_text(page: Page) -> str:
    return page.js("document.body.innerText")
