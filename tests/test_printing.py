"""HTML to PDF through headless Chromium (creditkpi.printing): found, printed, refused clearly."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from creditkpi import printing
from creditkpi.printing import ChromiumNotFoundError, PrintFailedError, find_chromium, html_to_pdf

HAS_CHROMIUM = any(shutil.which(name) for name in printing.CANDIDATES)
needs_chromium = pytest.mark.skipif(not HAS_CHROMIUM, reason="no Chromium to print with")


def _page(body: str, page_css: str = "size: A4; margin: 15mm") -> str:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title>'
        f"<style>@page {{ {page_css} }} body {{ font-family: sans-serif }}</style>"
        f"</head><body>{body}</body></html>"
    )


def _media_boxes(pdf: bytes) -> list[tuple[float, float]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return [(float(w), float(h)) for w, h in boxes]


def test_an_executable_that_cannot_run_is_named(tmp_path: Path) -> None:
    with pytest.raises(ChromiumNotFoundError, match=r"no/such/browser.*given as executable"):
        find_chromium(tmp_path / "no" / "such" / "browser")


def test_the_environment_variable_names_the_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(printing.ENVIRONMENT_VARIABLE, "no-such-browser-anywhere")
    with pytest.raises(ChromiumNotFoundError, match="CREDITKPI_CHROMIUM"):
        find_chromium()
    true = shutil.which("true")
    assert true is not None
    monkeypatch.setenv(printing.ENVIRONMENT_VARIABLE, true)
    assert find_chromium() == true


def test_without_any_browser_the_error_says_how_to_get_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(printing.ENVIRONMENT_VARIABLE, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ChromiumNotFoundError) as info:
        html_to_pdf(_page("<p>x</p>"))
    message = str(info.value)
    assert "apt install chromium" in message and "HTML output needs no browser" in message
    assert isinstance(info.value, FileNotFoundError)


def test_a_browser_that_fails_gives_print_failed(tmp_path: Path) -> None:
    false = shutil.which("false")
    assert false is not None
    with pytest.raises(PrintFailedError, match="gave no PDF"):
        html_to_pdf(_page("<p>x</p>"), executable=false)


def test_a_browser_that_hangs_is_stopped_with_what_it_started(tmp_path: Path) -> None:
    script = tmp_path / "slow-browser"
    pids = tmp_path / "pids"
    # a browser starts helper processes: the helper and the browser both hang
    script.write_text(
        f"#!/bin/sh\nsleep 30 &\necho $! $$ > {pids}\nexec sleep 30\n", encoding="utf-8"
    )
    script.chmod(0o755)
    with pytest.raises(PrintFailedError, match=r"within 0\.5 seconds"):
        html_to_pdf(_page("<p>x</p>"), executable=script, timeout=0.5)
    for pid in map(int, pids.read_text(encoding="utf-8").split()):
        assert not _running(pid)


def _running(pid: int) -> bool:
    """Whether ``pid`` still runs (a killed process may linger as a zombie until reaped)."""
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():
        return stat.read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0] != "Z"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_command_is_headless_sandboxless_and_offline(tmp_path: Path) -> None:
    command = printing.chromium_command(
        "chromium", tmp_path / "p.html", tmp_path / "p.pdf", tmp_path
    )
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"):
        assert flag in command
    assert f"--user-data-dir={tmp_path}" in command
    assert "--host-resolver-rules=MAP * ~NOTFOUND" in command
    assert command[-1].startswith("file:///")


@needs_chromium
def test_a_page_prints_on_the_paper_its_css_asks_for(tmp_path: Path) -> None:
    a4 = html_to_pdf(_page("<h1>Relevé de compte</h1><p>1 234,56 €</p>"), tmp_path / "a4.pdf")
    assert a4.startswith(b"%PDF-")
    assert (tmp_path / "a4.pdf").read_bytes() == a4
    (w, h), *_ = _media_boxes(a4)
    assert (round(w), round(h)) == (595, 842)  # A4 portrait, in points
    landscape = html_to_pdf(_page("<p>wide</p>", "size: A4 landscape"))
    (w, h), *_ = _media_boxes(landscape)
    assert (round(w), round(h)) == (842, 595)
    pages = html_to_pdf(_page("".join(f"<p style='break-after: page'>{i}</p>" for i in range(3))))
    assert len(_media_boxes(pages)) == 3
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(tmp_path / "a4.pdf"), "-"], capture_output=True, check=True
        ).stdout.decode("utf-8")
        assert "Relevé de compte" in text and "1 234,56 €" in text
        assert "file://" not in text and "t\n" not in text.splitlines()[0]  # no header, no URL


@needs_chromium
def test_a_page_asking_for_the_network_still_prints_without_it(tmp_path: Path) -> None:
    page = _page('<img src="https://example.invalid/logo.png" alt="logo"><p>offline</p>')
    assert html_to_pdf(page, timeout=60).startswith(b"%PDF-")


def test_printing_leaves_no_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    false = shutil.which("false")
    assert false is not None
    with pytest.raises(PrintFailedError):
        html_to_pdf(_page("<p>x</p>"), executable=false)
    assert os.listdir(tmp_path) == []
