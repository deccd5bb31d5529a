"""The credit pack in a real browser, section by section, and printed to A4 PDF pages.

Chromium is Debian's ``chromium`` and ``pdftoppm`` / ``pdftotext`` are
poppler's (``.ci/run`` installs both); the tests skip without them. With
``CREDITKPI_SCREENSHOTS=DIR`` the screenshots and the PDF's page images are
kept in ``DIR`` to be looked at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Any

import pytest

import creditkpi as ck
from creditkpi import datasets
from creditkpi.cli import main
from creditkpi.core.errors import PrintingError
from creditkpi.core.formatting import Formatter
from creditkpi.dashboard.pack import pdf_of
from creditkpi.printing import ENVIRONMENT_VARIABLE
from creditkpi.registry import KPIS
from creditkpi.version import DOCS_URL
from tests.browser import find_chromium, open_page
from tests.test_credit_pack import BOOK, TARGETS

CHROMIUM = find_chromium()
POPPLER = shutil.which("pdftoppm") and shutil.which("pdftotext")
needs_browser = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium browser here (Debian: apt-get install chromium; .ci/run installs it)",
)
needs_poppler = pytest.mark.skipif(
    not POPPLER, reason="no pdftoppm / pdftotext (Debian: apt-get install poppler-utils)"
)

#: every section of a full pack, in order (the sample has disputes and dunning statuses)
FULL = ["summary", "notes", "kpis", "trends", "aging", "forecast", "risk", "customers",
        "items", "dunning", "cohorts"]  # fmt: skip

SECTIONS_JS = """[...document.querySelectorAll('section')].map(s => ({
  id: s.id, heading: s.querySelector('h2').innerText, page: s.classList.contains('page'),
  tables: [...s.querySelectorAll('h3')].map(h => h.innerText),
  figures: [...s.querySelectorAll('figure img')].map(i => [i.parentElement.id, i.complete,
    i.naturalWidth])}))"""

KPI_ROWS_JS = """[...document.querySelectorAll('table.kpis tbody tr:not(.section):not(.block)')].map(r => {
  const a = r.querySelector('td a'), d = r.querySelector('.definition');
  return {kpi: r.cells[0].title, label: a ? a.innerText : null, href: a ? a.href : null,
          definition: d ? d.innerText : null, cells: [...r.cells].slice(1).map(c => c.innerText),
          colours: [...r.cells].slice(1).map(c => getComputedStyle(c).color)}; })"""


def _shots() -> Path | None:
    folder = os.environ.get("CREDITKPI_SCREENSHOTS")
    if not folder:
        return None
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _quiet_board(ledger: ck.Ledger, period: str, **options: Any) -> ck.Dashboard:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ck.dashboard(ledger, period, **options)


def _clean_load(page: Any) -> None:
    assert page.evaluate("document.readyState") == "complete"
    assert page.errors == [] and page.failed == []
    assert all(url.startswith(("file:", "data:")) for url in page.requests), page.requests


@needs_browser
def test_the_pack_of_the_sample(tmp_path: Path) -> None:
    """``creditkpi demo -f html``: every section in order, every KPI defined and linked,
    every chart drawn, the year before beside, nothing loaded, a phone never scrolls."""
    pytest.importorskip("matplotlib")
    assert CHROMIUM is not None
    page_file = tmp_path / "pack.html"
    assert main(["demo", "-f", "html", "-o", str(page_file), "-q"]) == 0
    board = _quiet_board(datasets.sample(), "2024-12")
    with open_page(page_file, chromium=CHROMIUM) as page:
        _clean_load(page)
        sections = page.evaluate(SECTIONS_JS)
        assert [s["id"] for s in sections] == FULL
        by_id = {s["id"]: s for s in sections}
        # the summary: an overview, then the headline KPIs in words
        items = page.evaluate(
            "[...document.querySelectorAll('ul.summary li')].map(l => l.innerText)"
        )
        assert items[0] == "2024-12 against 2024-11: " + items[0].split(": ", 1)[1]
        for info in KPIS.values():
            if (
                info.headline
                and info.name in board.kpis.index
                and info.name != "expected_credit_loss"
            ):
                assert any(item.startswith(info.label) for item in items), info.label
        # the key indicators: each KPI's definition, linked to its page; the year before beside
        rows = page.evaluate(KPI_ROWS_JS)
        assert [r["kpi"] for r in rows] == list(board.kpis.index)
        for row in rows:
            info = KPIS[row["kpi"]]
            assert row["label"] == info.label and row["definition"] == info.definition
            assert row["href"] == DOCS_URL + info.page.removesuffix(".md") + "/"
        head = page.evaluate(
            "[...document.querySelectorAll('table.kpis th')].map(t => t.innerText)"
        )
        assert head[:6] == ["KPI", "2024-12", "2024-11", "change", "2023-12", "year on year"]
        receivables = next(r for r in rows if r["kpi"] == "receivables")
        fmt = Formatter("EUR")
        assert receivables["cells"][:2] == [
            fmt.money(board.kpis.at["receivables", "current"]),
            fmt.money(board.kpis.at["receivables", "previous"]),
        ]
        # the charts, each in its section, drawn
        figures = {f[0]: f for s in sections for f in s["figures"]}
        assert {f[0] for f in by_id["trends"]["figures"]} == {"chart-receivables", "chart-trend"}
        assert [f[0] for f in by_id["aging"]["figures"]] == ["chart-aging"]
        assert [f[0] for f in by_id["forecast"]["figures"]] == ["chart-forecast"]
        assert all(done and width > 500 for _, done, width in figures.values()), figures
        # the tables of each section
        assert by_id["risk"]["tables"] == ["Provision matrix (IFRS 9) at 2024-12-31"]
        assert by_id["customers"]["tables"][0].startswith("Top customers by overdue amount")
        first = page.evaluate(
            "document.querySelector('#customers table tbody tr').cells[0].innerText"
        )
        assert first == board.top_overdue_customers.index[0]
        # the most urgent open items: ck.open_items ranked by open balance x days past due
        assert board.urgent_items is not None
        assert by_id["items"]["tables"][0].startswith("The 20 most urgent open items")
        cells = page.evaluate(
            "[...document.querySelector('#items table tbody tr').cells].map(c => c.innerText)"
        )
        assert cells[:2] == list(board.urgent_items.index[0])
        assert "(none)" not in page.evaluate("document.body.innerText")
        notes = page.evaluate("document.querySelector('#notes').innerText")
        assert notes.count("No collection costs given") == 1
        shots = _shots() or tmp_path
        page.screenshot(shots / "pack-desktop.png", width=1280)
        page.screenshot(shots / "pack-phone.png", width=390, mobile=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.errors == [] and page.failed == []


@needs_browser
def test_the_pack_of_a_generated_book_with_targets(tmp_path: Path) -> None:
    """A dollar book with targets: the targets table and the KPI rows say met or missed,
    in green and red; the amounts read in dollars."""
    pytest.importorskip("matplotlib")
    assert CHROMIUM is not None
    board = _quiet_board(BOOK, "2024-12", targets=TARGETS)
    page_file = tmp_path / "book.html"
    page_file.write_text(board.to_html(full=True), encoding="utf-8")
    status = board.target_status()
    usd = Formatter("USD")
    with open_page(page_file, chromium=CHROMIUM) as page:
        _clean_load(page)
        ids = [s["id"] for s in page.evaluate(SECTIONS_JS)]
        assert ids == FULL
        targets = page.evaluate(
            "[...document.querySelectorAll('table.targets tbody tr')].map(r =>"
            " [...r.cells].map(c => c.innerText))"
        )
        assert [t[0] for t in targets] == [KPIS[n].label for n in status.index]
        for (label, current, target, word), (name, row) in zip(
            targets, status.iterrows(), strict=True
        ):
            unit = KPIS[str(name)].unit
            assert (current, target, word) == (
                usd.value(row["current"], unit),
                usd.value(row["target"], unit),
                row["status"],
            ), label
        colours = page.evaluate(
            "[...document.querySelectorAll('table.targets td.met, table.targets td.missed')]"
            ".map(c => [c.innerText, getComputedStyle(c).color])"
        )
        assert colours and all(
            colour == ("rgb(26, 127, 55)" if word == "met" else "rgb(207, 34, 46)")
            for word, colour in colours
        )
        rows = {r["kpi"]: r for r in page.evaluate(KPI_ROWS_JS)}
        assert rows["dso"]["cells"][-3:-1] == [usd.value(45, "days"), status.at["dso", "status"]]
        assert rows["receivables"]["cells"][0] == usd.money(board.kpis.at["receivables", "current"])
        assert rows["receivables"]["cells"][0].startswith("$")
        shots = _shots()
        if shots is not None:
            page.screenshot(shots / "pack-book.png", width=1280)


def _pages(pdf: Path, folder: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"))


def _page_text(pdf: Path, number: int) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(pdf), "-"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return out.stdout


@needs_browser
@needs_poppler
def test_the_pack_printed_to_a4(tmp_path: Path) -> None:
    """``creditkpi demo -f pdf``: A4 pages, none blank, each main section starting a page,
    a table never cut from its heading."""
    from PIL import Image

    pytest.importorskip("matplotlib")
    targets = tmp_path / "targets.toml"
    targets.write_text("[targets]\ndso = 45\noverdue_rate = 0.15\ncei = 0.5\n", encoding="utf-8")
    pdf = tmp_path / "pack.pdf"
    assert main(["demo", "-f", "pdf", "-o", str(pdf), "--targets", str(targets), "-q"]) == 0
    assert pdf.read_bytes()[:5] == b"%PDF-"
    pages = _pages(pdf, tmp_path)
    assert 6 <= len(pages) <= 14, len(pages)
    for path in pages:
        image = Image.open(path).convert("L")
        width, height = image.size  # A4 at 40 dpi: 331 x 468 pixels
        assert abs(width - 210 / 25.4 * 40) <= 1.5 and abs(height - 297 / 25.4 * 40) <= 1.5
        inked = sum(1 for v in image.getdata() if v < 200) / (width * height)
        assert inked > 0.003, (path.name, inked)  # not blank
    texts = [_page_text(pdf, k) for k in range(1, len(pages) + 1)]
    assert "Credit pack 2024-12" in texts[0] and "Summary" in texts[0] and "Targets" in texts[0]
    tops = [" ".join(t.split()[:8]) for t in texts]
    for heading in ("Key indicators", "Trends", "Aged balance", "Expected credit loss"):
        assert any(top.startswith(heading) for top in tops), (heading, tops)
    matrix = next(t for t in texts if "Provision matrix (IFRS 9)" in t)
    assert "total" in matrix.split("Provision matrix (IFRS 9)", 1)[1]  # not cut from its heading
    shots = _shots()
    if shots is not None:
        for path in pages:
            shutil.copyfile(path, shots / f"pdf-{path.name}")


def test_without_chromium_the_pdf_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv(ENVIRONMENT_VARIABLE, raising=False)
    with pytest.raises(PrintingError, match="no-chromium") as caught:
        pdf_of("<!DOCTYPE html><p>x</p>")
    assert "apt install chromium" in str(caught.value)
    assert "--format html" in str(caught.value)
    assert main(["demo", "-f", "pdf", "-o", str(tmp_path / "x.pdf"), "-q"]) == 2
    assert "needs a Chromium browser" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()


def test_a_pdf_needs_an_output_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "-f", "pdf", "-q"]) == 2
    assert "--format pdf writes a file: give --output FILE.pdf" in capsys.readouterr().err


def test_a_failing_browser_is_a_named_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(fake))
    with pytest.raises(PrintingError, match=r"print-failed.*exit code 3.*cannot open display"):
        pdf_of("<!DOCTYPE html><p>x</p>")
    assert main(["demo", "-f", "pdf", "-o", str(tmp_path / "x.pdf"), "-q"]) != 0
    assert "cannot open display" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()
