"""The HTML report is a page you can send: self-contained, and it works in a real browser."""

from __future__ import annotations

import os
import re
import sys
import warnings
from pathlib import Path

import pytest

import creditkpi as ck
from creditkpi.cli import main
from creditkpi.dashboard import Dashboard
from creditkpi.registry import KPIS
from tests.browser import find_chromium, open_page
from tests.test_dashboard import LEDGER


@pytest.fixture(scope="module")
def board() -> Dashboard:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ck.dashboard(LEDGER, "2024-04", by="country")


def test_fragment_and_notebook_view(board: Dashboard) -> None:
    fragment = board._repr_html_()
    assert fragment.startswith('<div class="creditkpi-dashboard">') and "<html" not in fragment
    assert "<img" not in fragment  # no charts in a notebook cell by default
    for label in board.kpis["label"]:
        assert label in fragment
    assert ">2024-03</th>" in fragment  # the previous period beside the current one
    # receivables fell (2200 -> ...): no direction; overdue rate up = worse, in red
    rows = re.findall(r"<tr><td[^>]*>([^<]+)</td>.*?</tr>", fragment)
    assert "Overdue rate" in rows
    overdue_rate = re.search(r">Overdue rate</td>(.*?)</tr>", fragment)
    assert overdue_rate is not None
    change = board.kpis.at["overdue_rate", "change"]
    assert ('class="num worse"' if change > 0 else 'class="num better"') in overdue_rate.group(1)
    assert board.data_start == LEDGER.first_date and board.data_end == LEDGER.last_date


def test_page_is_self_contained(board: Dashboard) -> None:
    pytest.importorskip("matplotlib")
    page = board.to_html(full=True)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert '<meta name="viewport"' in page and "Content-Security-Policy" in page
    assert "<script" not in page and "<link" not in page and "url(" not in page
    sources = re.findall(r'\ssrc="([^"]*)"', page)
    # the trends (receivables, DSO and CEI), the aged balance, the forecast, the cohorts
    assert len(sources) == 5 and all(s.startswith("data:image/png;base64,") for s in sources)
    assert "@media print" in page and "@media (max-width:600px)" in page
    # period, the data's date range and notes
    assert "2024-04 (2024-04-01 to 2024-04-30)" in page
    assert f"{LEDGER.first_date} to {LEDGER.last_date}" in page
    assert f"The data ends on {LEDGER.last_date}: the period 2024-04 is incomplete." in page
    for label in board.kpis["label"]:
        assert label in page


def test_page_without_matplotlib_says_so(board: Dashboard, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    page = board.to_html(full=True)
    assert "Charts are not included: matplotlib is not installed" in page
    assert "<img" not in page and "Key indicators" in page


def test_round_trip_keeps_the_data_range(board: Dashboard) -> None:
    again = Dashboard.from_json(board.to_json())
    assert (again.data_start, again.data_end) == (board.data_start, board.data_end)
    assert "the period 2024-04 is incomplete" in again.to_html(full=True, charts=False)


CHROMIUM = find_chromium()
needs_browser = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium browser here (Debian: apt-get install chromium; .ci/run installs it)",
)


@needs_browser
def test_report_in_headless_chromium(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The page of ``creditkpi demo --by country -f html`` loads without errors or requests,
    shows every KPI and every chart, fits a phone screen and prints."""
    pytest.importorskip("matplotlib")
    assert CHROMIUM is not None
    page_file = tmp_path / "demo.html"
    assert main(["demo", "--by", "country", "-f", "html", "-o", str(page_file), "-q"]) == 0
    shots = Path(os.environ.get("CREDITKPI_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    with open_page(page_file, chromium=CHROMIUM) as page:
        assert page.evaluate("document.readyState") == "complete"
        assert page.errors == []
        assert page.failed == []
        assert all(url.startswith(("file:", "data:")) for url in page.requests), page.requests
        text = page.evaluate("document.body.innerText")
        shown = set(board_rows(page_file))
        for info in KPIS.values():
            if info.name in shown:
                assert info.label in text, info.label
        assert len(shown) >= 20  # every KPI whose inputs the sample has
        assert "2024-12 (2024-12-01 to 2024-12-31)" in text and "Data" in text
        images = page.evaluate("[...document.images].map(i => [i.complete, i.naturalWidth, i.alt])")
        assert len(images) == 5  # receivables and DSO trends, aged balance, forecast, cohorts
        assert all(done and width > 500 and alt for done, width, alt in images), images
        page.screenshot(shots / "report-desktop.png", width=1280)
        # a phone: the page itself never scrolls sideways (wide tables scroll in their box)
        page.screenshot(shots / "report-phone.png", width=390, mobile=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        kpi_table = page.evaluate(
            "(() => { const t = document.querySelector('table.kpis');"
            " return [t.getBoundingClientRect().right, t.parentElement.clientWidth]; })()"
        )
        assert kpi_table[0] <= 390  # the KPI table fits a phone without scrolling
        pdf = page.call("Page.printToPDF", {"printBackground": True})
        assert pdf["data"].startswith("JVBERi")  # %PDF
        assert page.errors == [] and page.failed == []


def board_rows(page_file: Path) -> list[str]:
    """The KPI rows of the demo's dashboard (the sample has no costs: that row is left out)."""
    del page_file
    from creditkpi import datasets
    from creditkpi.cli.report import _last_full_month

    ledger = datasets.sample()
    return [str(k) for k in ck.dashboard(ledger, _last_full_month(ledger)).kpis.index]
