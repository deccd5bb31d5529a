"""Print an HTML page to PDF with headless Chromium: HTML text in, PDF bytes out.

What the customer statement and the credit pack use for their printable
form (``--format pdf`` in the command line). A leaf, like
:mod:`creditkpi.plotting`: it imports nothing of creditkpi, so any
rendering can call it.

* :func:`find_chromium` -- the browser to print with: the ``executable``
  given, else the ``CREDITKPI_CHROMIUM`` environment variable, else the
  first of ``chromium``, ``chromium-browser``, ``google-chrome``,
  ``google-chrome-stable`` on the ``PATH``;
* :func:`html_to_pdf` -- the page printed: paper size and margins come from
  the page's own CSS (``@page { size: A4; margin: 15mm }``), no header or
  footer is added, and nothing is fetched from the network (write pages
  that embed their images and styles).

Chromium runs headless in a fresh, temporary profile that is deleted
afterwards, without sandbox (so it also runs as root in a container), GPU,
background networking, component updates or sync.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

__all__ = [
    "CANDIDATES",
    "ENVIRONMENT_VARIABLE",
    "ChromiumNotFoundError",
    "PrintFailedError",
    "chromium_command",
    "find_chromium",
    "html_to_pdf",
]

#: names of a Chromium-family browser looked up on the ``PATH``, in order
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

#: the environment variable naming the browser to use (a path or a command name)
ENVIRONMENT_VARIABLE = "CREDITKPI_CHROMIUM"

#: the flags of every run: headless, no sandbox (root in a container), no background traffic
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    # no request leaves the machine: every host name fails to resolve
    "--host-resolver-rules=MAP * ~NOTFOUND",
    # no date, title, URL or page number printed in the margins (old and new spelling)
    "--no-pdf-header-footer",
    "--print-to-pdf-no-header",
)


class ChromiumNotFoundError(FileNotFoundError):
    """No Chromium-family browser to print with (a ``FileNotFoundError``)."""


class PrintFailedError(RuntimeError):
    """Chromium ran but gave no PDF (it failed, or took longer than the timeout)."""


def find_chromium(executable: str | os.PathLike[str] | None = None) -> str:
    """The path of the browser to print with.

    Parameters
    ----------
    executable : str or path, optional
        A path or a command name. Default: the ``CREDITKPI_CHROMIUM``
        environment variable, else the first of :data:`CANDIDATES` found on
        the ``PATH``.

    Raises
    ------
    ChromiumNotFoundError
        Nothing found, or ``executable`` (or the variable) names nothing
        that can be run; the message says how to install one.

    Examples
    --------
    >>> find_chromium("/no/such/browser")
    Traceback (most recent call last):
    ...
    creditkpi.printing.ChromiumNotFoundError: cannot print to PDF: '/no/such/browser' (given as executable) is not a program that can be run...
    """
    if executable is not None:
        return _runnable(str(executable), "given as executable")
    named = os.environ.get(ENVIRONMENT_VARIABLE)
    if named:
        return _runnable(named, f"from the environment variable {ENVIRONMENT_VARIABLE}")
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise ChromiumNotFoundError(
        "cannot print to PDF: no Chromium found (looked for "
        f"{', '.join(CANDIDATES)} on the PATH). Install one (Debian/Ubuntu: "
        "apt install chromium; macOS: install Google Chrome), or name it with "
        f"the environment variable {ENVIRONMENT_VARIABLE}; HTML output needs no browser"
    )


def _runnable(name: str, source: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ChromiumNotFoundError(
            f"cannot print to PDF: {name!r} ({source}) is not a program that can be run; "
            "give the path of a Chromium or Chrome executable"
        )
    return found


def chromium_command(executable: str, page: Path, pdf: Path, profile: Path) -> list[str]:
    """The command line that prints ``page`` (a local HTML file) to ``pdf``."""
    return [
        executable,
        *FLAGS,
        f"--user-data-dir={profile}",
        f"--print-to-pdf={pdf}",
        page.resolve().as_uri(),
    ]


def _run(command: list[str], browser: str, timeout: float) -> tuple[int, bytes]:
    """Run Chromium; on timeout stop it with every process it started (its own session)."""
    posix = os.name == "posix"
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=posix,
    )
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        if posix:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            process.kill()
        process.communicate()
        raise PrintFailedError(
            f"Chromium ({browser}) did not print the page within {timeout:g} seconds"
        ) from exc
    return process.returncode, stderr


def html_to_pdf(
    html: str,
    path: str | os.PathLike[str] | None = None,
    *,
    executable: str | os.PathLike[str] | None = None,
    timeout: float = 120.0,
) -> bytes:
    """Print the HTML page ``html`` to PDF with headless Chromium.

    Parameters
    ----------
    html : str
        A whole page (``<!DOCTYPE html>...``). Its CSS decides the paper
        (``@page { size: A4; margin: 15mm }``; Chromium's default is Letter
        with 1 cm margins) and what a printed page shows (``@media print``).
        It should embed what it shows (images as ``data:`` URIs, inline
        styles): nothing is fetched from the network.
    path : str or path, optional
        Also write the PDF there.
    executable : str or path, optional
        The browser (see :func:`find_chromium`).
    timeout : float, default 120
        Seconds to wait for Chromium.

    Returns
    -------
    bytes
        The PDF document (starting with ``%PDF-``).

    Raises
    ------
    ChromiumNotFoundError
        No browser to print with.
    PrintFailedError
        Chromium failed or took longer than ``timeout`` (the message quotes
        the end of its error output).

    Examples
    --------
    >>> try:
    ...     pdf = html_to_pdf("<!DOCTYPE html><style>@page{size:A4}</style><p>Hello</p>")
    ... except ChromiumNotFoundError:  # a machine without a browser
    ...     pdf = b"%PDF-"
    >>> pdf[:5]
    b'%PDF-'
    """
    browser = find_chromium(executable)
    with tempfile.TemporaryDirectory(prefix="creditkpi-print-") as folder:
        root = Path(folder)
        page = root / "page.html"
        page.write_text(html, encoding="utf-8")
        pdf = root / "page.pdf"
        command = chromium_command(browser, page, pdf, root / "profile")
        returncode, stderr = _run(command, browser, timeout)
        data = pdf.read_bytes() if pdf.is_file() else b""
        if returncode != 0 or not data.startswith(b"%PDF-"):
            tail = stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
            raise PrintFailedError(
                f"Chromium ({browser}) gave no PDF (exit code {returncode}); "
                "its last messages: " + (" | ".join(tail) or "(none)")
            )
    if path is not None:
        Path(path).write_bytes(data)
    return data
