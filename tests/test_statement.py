"""The customer statement: movements by hand, the running balance ends at the books, HTML and PDF."""

from __future__ import annotations

import shutil
import subprocess
import warnings
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings

import creditkpi as ck
from creditkpi.core.errors import InvalidOptionError
from creditkpi.printing import CANDIDATES
from tests.strategies import LedgerSpec, ledger_specs

D = Decimal
needs_chromium = pytest.mark.skipif(
    not any(shutil.which(n) for n in CANDIDATES), reason="no Chromium to print with"
)


def _book() -> ck.Ledger:
    """ACME over April 2024, by hand (net balance = invoiced - received, unapplied included):

    opening at 03-31: F1 1000.00 + F0 200.00 - 200.00 paid 03-20  = 1000.00
    04-05 invoice F2 <b>   +250.00   1250.00
    04-15 payment F1       -600.00    650.00
    04-15 credit note F2    -50.00    600.00
    04-20 unapplied pay.    -30.00    570.00
    04-28 write-off F1      -10.00    560.00
    05-02 invoice F3 (after the period: not listed)
    Globex's invoice and payment are not ACME's.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        return ck.Ledger.from_records(
            [
                ck.Invoice("F0", "ACME", "2024-02-01", "2024-03-02", "200.00"),
                ck.Invoice("F1", "ACME", "2024-03-01", "2024-03-31", "1000.00"),
                ck.Invoice("F2 <b>", "ACME", "2024-04-05", "2024-05-05", "250.00"),
                ck.Invoice("F3", "ACME", "2024-05-02", "2024-06-01", "90.00"),
                ck.Invoice("G1", "Globex", "2024-04-01", "2024-05-01", "400.00"),
            ],
            [
                ck.Payment("F0", "2024-03-20", "200.00"),
                ck.Payment("F1", "2024-04-15", "600.00"),
                ck.Payment("F2 <b>", "2024-04-15", "50.00", kind="credit_note"),
                ck.Payment(None, "2024-04-20", "30.00", customer="ACME"),
                ck.Payment("F1", "2024-04-28", "10.00", kind="write_off"),
                ck.Payment("G1", "2024-04-25", "400.00"),
            ],
        )


BOOK = _book()


def test_the_statement_by_hand() -> None:
    s = ck.statement(BOOK, "ACME", "2024-04", money="decimal")
    assert (s.opening, s.closing) == (D("1000.00"), D("560.00"))
    lines = s.lines
    assert lines["date"].dt.strftime("%m-%d").tolist() == [
        "04-05",
        "04-15",
        "04-15",
        "04-20",
        "04-28",
    ]
    assert lines["kind"].tolist() == [
        "invoice",
        "payment",
        "credit_note",
        "unapplied payment",
        "write_off",
    ]
    assert lines["invoice_id"].tolist() == ["F2 <b>", "F1", "F2 <b>", None, "F1"]
    assert lines["debit"].tolist() == [D("250.00"), D(0), D(0), D(0), D(0)]
    assert lines["credit"].tolist() == [D(0), D("600.00"), D("50.00"), D("30.00"), D("10.00")]
    assert lines["balance"].tolist() == [
        D("1250.00"),
        D("650.00"),
        D("600.00"),
        D("570.00"),
        D("560.00"),
    ]
    assert lines["due_date"].isna().tolist() == [False, False, False, True, False]
    # the aged open items at the end: F1 390.00 (30 days), F2 200.00 (not due), unapplied -30
    assert s.items["open_balance"].to_dict() == {
        "F1": D("390.00"),
        "F2 <b>": D("200.00"),
        "(unapplied #3)": D("-30.00"),
    }
    assert s.aged["total"] == D("590.00") and s.aged["unapplied"] == D("-30.00")
    assert s.aged["total"] + s.aged["unapplied"] == s.closing


def test_money_follows_money_and_a_period_without_movement() -> None:
    with pytest.warns(ck.DataEndsWarning):  # June is after the data: said, not hidden
        s = ck.statement(BOOK, "ACME", "2024-06")
    assert s.opening == s.closing == pytest.approx(650.0)  # 560 + F3 90.00 (May)
    assert s.lines.empty and list(s.lines.columns) == [
        "date",
        "kind",
        "invoice_id",
        "due_date",
        "debit",
        "credit",
        "balance",
    ]
    assert isinstance(s.opening, float)


def _net(ledger: ck.Ledger, customer: str, day: date) -> Decimal:
    receivables = ck.receivables(ledger, day, by="customer_id", money="decimal")
    unapplied = ck.unapplied_cash(ledger, day, by="customer_id", money="decimal")
    return D(receivables.get(customer, D(0))) - D(unapplied.get(customer, D(0)))


@settings(max_examples=20, deadline=None)
@given(spec=ledger_specs(max_invoices=15))
def test_the_running_balance_ends_at_the_customers_receivables(spec: LedgerSpec) -> None:
    ledger = spec.build()
    customers = sorted({i.customer for i in spec.invoices})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for month in ("2023-03", "2023-08", "2024-01"):
            period = ck.Period.parse(month)
            for customer in customers:
                s = ck.statement(ledger, customer, period, money="decimal")
                before = period.start.toordinal() - 1
                assert s.opening == _net(ledger, customer, date.fromordinal(before))
                assert s.closing == _net(ledger, customer, period.end)
                moved = sum(s.lines["debit"], D(0)) - sum(s.lines["credit"], D(0))
                assert s.opening + moved == s.closing
                if len(s.lines):
                    assert s.lines["balance"].iloc[-1] == s.closing
                    assert s.lines["date"].is_monotonic_increasing
                assert s.aged["total"] + s.aged["unapplied"] == s.closing


def test_an_unknown_customer_and_bad_periods_are_named() -> None:
    with pytest.raises(InvalidOptionError, match="'Initech' is not in the ledger") as info:
        ck.statement(BOOK, "Initech", "2024-04")
    assert info.value.column == "customer"
    with pytest.raises(InvalidOptionError, match="one period") as many:
        ck.statement(BOOK, "ACME", ["2024-04", "2024-05"])
    assert many.value.column == "period"
    with pytest.raises(ck.CreditKPIError, match="period"):
        ck.statement(BOOK, "ACME", "April")
    with pytest.raises(InvalidOptionError):
        ck.statement(BOOK, "ACME", "2024-04", money="cents")  # type: ignore[arg-type]


def test_the_html_page_escapes_and_shows_every_section() -> None:
    page = ck.statement(BOOK, "ACME", "2024-04").to_html()
    assert page.startswith("<!DOCTYPE html>") and "@page { size: A4" in page
    assert "F2 &lt;b&gt;" in page and "F2 <b>" not in page
    for text in (
        "Statement of account: ACME",
        "Opening balance",
        "1,000.00",
        "Closing balance at 2024-04-30",
        "560.00",
        "Payment (unapplied)",
        "Aged balance at 2024-04-30",
        "Open items at 2024-04-30",
        "390.00",
    ):
        assert text in page, text
    assert "http" not in page  # nothing fetched
    assert "<body>" not in ck.statement(BOOK, "ACME", "2024-04")._repr_html_()


def _dark(image: Any) -> int:
    """Pixels darker than mid-grey in a greyscale image."""
    return int(sum(image.histogram()[:128]))


@needs_chromium
@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="no poppler to render the PDF")
def test_the_pdf_prints_on_a4_and_renders(tmp_path: Path) -> None:
    pil = pytest.importorskip("PIL.Image")
    pdf = ck.statement(BOOK, "ACME", "2024-04").to_pdf(tmp_path / "s.pdf")
    assert pdf.startswith(b"%PDF-") and (tmp_path / "s.pdf").read_bytes() == pdf
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "s.pdf"), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    for expected in ("Statement of account: ACME", "Closing balance", "560.00", "F2 <b>"):
        assert expected in text, expected
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", str(tmp_path / "s.pdf"), str(tmp_path / "page")],
        check=True,
    )
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1
    with pil.open(pages[0]) as image:
        width, height = image.size
        assert abs(width / height - 210 / 297) < 0.01  # A4 portrait
        grey = image.convert("L")
        assert _dark(grey) > 500  # text was drawn
        top, bottom = (0, 0, width, height // 3), (0, 2 * height // 3, width, height)
        assert _dark(grey.crop(top)) > _dark(grey.crop(bottom))  # filled from the top


def test_period_forms_are_the_usual_ones() -> None:
    by_text = ck.statement(BOOK, "ACME", "2024-04")
    by_pandas = ck.statement(BOOK, "ACME", pd.Period("2024-04", "M"))
    pd.testing.assert_frame_equal(by_text.lines, by_pandas.lines)
