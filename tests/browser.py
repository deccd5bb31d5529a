"""A headless Chromium driven through the DevTools protocol over a pipe (no dependency).

``open_page(path)`` loads a local file and reports what a person would care
about: console errors, uncaught exceptions, requests that failed or left the
machine, and what the page shows (``evaluate``), with screenshots at any
width. Chromium is Debian's ``chromium`` package (``.ci/run`` installs it);
:func:`find_chromium` returns ``None`` where there is none, and tests skip.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from creditkpi import printing

__all__ = ["Page", "find_chromium", "open_page"]


def find_chromium() -> str | None:
    """The browser :func:`creditkpi.printing.find_chromium` prints with, or ``None``."""
    try:
        return printing.find_chromium()
    except printing.ChromiumNotFoundError:
        return None


@dataclass
class Page:
    """A page loaded in headless Chromium, and what happened while it loaded."""

    _proc: subprocess.Popen[bytes]
    _write: int
    _read: int
    session: str = ""
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    _next: int = 0
    _buffer: bytes = b""
    _events: list[dict[str, Any]] = field(default_factory=list)

    # ---------------------------------------------------------------- protocol
    def _send(
        self, method: str, params: dict[str, Any] | None = None, *, browser: bool = False
    ) -> int:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if not browser and self.session:
            message["sessionId"] = self.session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        return self._next

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("chromium did not answer in time")
            ready, _, _ = select.select([self._read], [], [], left)
            if ready:
                chunk = os.read(self._read, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed the DevTools pipe")
                self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        message: dict[str, Any] = json.loads(raw)
        if "method" in message:
            self._note(message)
        return message

    def _note(self, event: dict[str, Any]) -> None:
        method, params = event["method"], event.get("params", {})
        self._events.append(event)
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            texts = [str(a.get("value", a.get("description", ""))) for a in params.get("args", [])]
            self.errors.append("console: " + " ".join(texts))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.errors.append("exception: " + str(details.get("text", details)))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            self.errors.append(f"log: {entry.get('text')} {entry.get('url', '')}".strip())
        elif method == "Network.requestWillBeSent":
            self.requests.append(params.get("request", {}).get("url", ""))
        elif method == "Network.loadingFailed":
            self.failed.append(f"{params.get('errorText')} {params.get('blockedReason', '')}")

    def call(
        self, method: str, params: dict[str, Any] | None = None, *, browser: bool = False,
        timeout: float = 60.0,
    ) -> dict[str, Any]:  # fmt: skip
        """Send one command and return its result (events seen meanwhile are noted)."""
        wanted = self._send(method, params, browser=browser)
        deadline = time.monotonic() + timeout
        while True:
            message = self._receive(deadline)
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result

    def wait_for(self, method: str, timeout: float = 60.0) -> dict[str, Any]:
        """Wait for an event (or return it if it already came)."""
        for event in self._events:
            if event["method"] == method:
                return event
        deadline = time.monotonic() + timeout
        while True:
            message = self._receive(deadline)
            if message.get("method") == method:
                return message

    # ---------------------------------------------------------------- page
    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-able)."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(
        self, path: Path, *, width: int, height: int = 900, mobile: bool = False
    ) -> Path:
        """A PNG of the whole page laid out at ``width`` CSS pixels."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
        )
        full = self.evaluate("document.documentElement.scrollHeight")
        shot = self.call(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": int(full), "scale": 1},
            },
        )
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def set_width(self, width: int, *, mobile: bool = False) -> None:
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": mobile},
        )


@contextmanager
def open_page(
    path: Path, *, chromium: str, width: int = 1280, url: str | None = None
) -> Iterator[Page]:
    """Load ``path`` (a local file; or ``url``) in a fresh headless Chromium; yield the :class:`Page`."""
    profile = tempfile.mkdtemp(prefix="creditkpi-chromium-")
    to_browser_r, to_browser_w = os.pipe()
    from_browser_r, from_browser_w = os.pipe()

    def plumbing() -> None:  # in the child: DevTools reads fd 3 and writes fd 4
        import fcntl  # POSIX only, like --remote-debugging-pipe here

        high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
        high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
        os.dup2(high_r, 3)
        os.dup2(high_w, 4)

    proc = subprocess.Popen(
        [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-default-apps", "--disable-extensions", "--no-first-run",
            "--no-default-browser-check", "--mute-audio", "--hide-scrollbars",
            f"--user-data-dir={profile}", f"--window-size={width},900", "about:blank",
        ],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=plumbing, close_fds=False,
    )  # fmt: skip
    os.close(to_browser_r)
    os.close(from_browser_w)
    page = Page(proc, to_browser_w, from_browser_r)
    try:
        target = page.call("Target.createTarget", {"url": "about:blank"}, browser=True)
        attached = page.call(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True},
            browser=True,
        )  # fmt: skip
        page.session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            page.call(f"{domain}.enable")
        page.set_width(width)
        page.call("Page.navigate", {"url": url or path.resolve().as_uri()})
        page.wait_for("Page.loadEventFired")
        yield page
    finally:
        with suppress(OSError, RuntimeError, TimeoutError):
            page.call("Browser.close", browser=True, timeout=10)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        os.close(to_browser_w)
        os.close(from_browser_r)
        shutil.rmtree(profile, ignore_errors=True)
