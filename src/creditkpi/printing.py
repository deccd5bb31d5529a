"""HTML to PDF through a headless Chromium browser (the credit pack, the customer statement).

:func:`html_to_pdf` writes the page to a temporary folder and has Chromium
print it (``--print-to-pdf``): the page's own print stylesheet decides the
paper (``@page{size:A4}``), the margins and the page breaks; no header or
footer is added. Chromium runs headless, sandbox off (it runs as a plain
process, often as root in containers), with background networking,
component updates, sync and first-run pages off, and a fresh profile that
is removed afterwards. The page itself loads nothing (the reports forbid
it in their Content-Security-Policy).

Chromium is found as :data:`CANDIDATES` on the ``PATH`` (Debian's
``chromium`` package: ``apt-get install chromium``), or given
(``chromium=``); without one, :class:`~creditkpi.core.errors.PrintingError`
(rule ``no-chromium``) says what to install.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from creditkpi.core.errors import PrintingError

__all__ = ["CANDIDATES", "find_chromium", "html_to_pdf"]

#: the browser names looked for on the PATH, in order
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

#: how long one page may take to print, in seconds
TIMEOUT = 120.0


def find_chromium() -> str | None:
    """The path of a Chromium-family browser on the ``PATH``, or ``None``."""
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def html_to_pdf(
    html: str, path: Path | str, *, chromium: str | None = None, timeout: float = TIMEOUT
) -> None:
    """Print an HTML page to a PDF file with headless Chromium.

    Parameters
    ----------
    html : str
        A complete page (its ``@page`` rules give the paper size and margins).
    path : path
        The PDF file to write (replaced if it exists; its folder must exist).
    chromium : str, optional
        The browser to run (default: :func:`find_chromium`).
    timeout : float, default 120
        Seconds before giving up.

    Raises
    ------
    PrintingError
        Rule ``no-chromium``: no Chromium browser found; ``print-failed``:
        it failed, timed out, or wrote no PDF (its last message quoted).
    """
    browser = chromium or find_chromium()
    if browser is None:
        raise PrintingError(
            "no Chromium browser found to print the PDF (looked for "
            + ", ".join(CANDIDATES)
            + " on the PATH)",
            argument="format",
            rule="no-chromium",
            hint="install one (Debian: apt-get install chromium) or write --format html "
            "and print it from a browser",
        )
    target = Path(path)
    with tempfile.TemporaryDirectory(prefix="creditkpi-print-") as folder:
        page = Path(folder) / "page.html"
        page.write_text(html, encoding="utf-8")
        out = Path(folder) / "page.pdf"
        command = [
            browser, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions",
            "--mute-audio", f"--user-data-dir={Path(folder) / 'profile'}",
            "--no-pdf-header-footer", f"--print-to-pdf={out}", page.as_uri(),
        ]  # fmt: skip
        stderr = _run(command, browser, timeout)
        if not out.exists() or out.read_bytes()[:5] != b"%PDF-":
            said = stderr.strip().splitlines()
            last = said[-1] if said else "no message"
            raise PrintingError(f"{browser} wrote no PDF ({last})", argument="format")
        shutil.copyfile(out, target)


def _run(command: list[str], browser: str, timeout: float) -> str:
    """Run the browser in a session of its own (its helpers stopped with it); its stderr."""
    try:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as exc:
        raise PrintingError(f"cannot run {browser}: {exc}", argument="format") from None
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise PrintingError(
            f"{browser} did not print the page within {timeout:g} s", argument="format"
        ) from None
    return err.decode("utf-8", "replace")
