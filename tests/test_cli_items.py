"""``creditkpi items`` and ``creditkpi statement`` on files (hand-computed, formula-safe)."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from creditkpi.cli import main
from creditkpi.printing import CANDIDATES

# at 2024-04-30: ACME A1 1000 - 600 = 400 (30 days past due), A2 500 not due;
# "=HYPERLINK" (a customer named like a formula) B1 300, 59 days past due
INVOICES = """invoice_id,customer_id,issue_date,due_date,amount
A1,ACME,2024-03-01,2024-03-31,1000.00
A2,ACME,2024-04-10,2024-05-10,500.00
B1,"=HYPERLINK(""http://x"")<b>",2024-02-01,2024-03-02,300.00
"""
PAYMENTS = """invoice_id,date,amount
A1,2024-04-15,600.00
"""


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    inv, pay = tmp_path / "invoices.csv", tmp_path / "payments.csv"
    inv.write_text(INVOICES, encoding="utf-8")
    pay.write_text(PAYMENTS, encoding="utf-8")
    return [str(inv), str(pay), "-q"]


def test_items_as_csv(files: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["items", *files, "--as-of", "2024-04-30", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["customer_id"], r["invoice_id"], r["open_balance"]) for r in rows] == [
        ('\'=HYPERLINK("http://x")<b>', "B1", "300.00"),
        ("ACME", "A1", "400.00"),
        ("ACME", "A2", "500.00"),
    ]
    assert [r["days_past_due"] for r in rows] == ["59", "30", "-10"]
    assert rows[1]["last_settlement_date"] == "2024-04-15" and rows[2]["due_date"] == "2024-05-10"


def test_items_as_a_table_and_html(files: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["items", *files, "--as-of", "2024-04-30"]) == 0
    out = capsys.readouterr().out
    assert "Open items at 2024-04-30 (EUR)" in out and "400.00" in out and "31-60" in out
    assert main(["items", *files, "--as-of", "2024-04-30", "--format", "html"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("<!DOCTYPE html>") and '<td>=HYPERLINK("http://x")&lt;b&gt;</td>' in page


def test_items_as_a_safe_workbook(files: list[str], tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    target = tmp_path / "items.xlsx"
    argv = ["items", *files, "--as-of", "2024-04-30", "--format", "xlsx", "-o", str(target)]
    assert main(argv) == 0
    sheet = openpyxl.load_workbook(target).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["customer_id", "invoice_id", "kind"]
    customer = sheet.cell(row=2, column=1)
    assert customer.value == '=HYPERLINK("http://x")<b>' and customer.data_type == "s"
    assert customer.quotePrefix
    balance = sheet.cell(row=3, column=header.index("open_balance") + 1)
    assert balance.value == 400.0
    assert main(argv) != 0  # an existing file needs --force


def test_xlsx_needs_a_file(files: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["items", *files, "--as-of", "2024-04-30", "--format", "xlsx"]) != 0
    assert "-o items.xlsx" in capsys.readouterr().err


def test_statement_as_html_and_csv(files: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["statement", *files, "--customer", "ACME", "--period", "2024-04"]
    assert main(argv) == 0
    page = capsys.readouterr().out
    assert "Statement of account: ACME" in page and "Closing balance at 2024-04-30" in page
    assert main([*argv, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["date"], r["kind"], r["balance"]) for r in rows] == [
        ("2024-04-10", "invoice", "1500.00"),
        ("2024-04-15", "payment", "900.00"),
    ]


def test_statement_of_an_unknown_customer(
    files: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["statement", *files, "--customer", "Nobody", "--period", "2024-04"]) != 0
    assert "'Nobody' is not in the ledger" in capsys.readouterr().err


@pytest.mark.skipif(not any(shutil.which(n) for n in CANDIDATES), reason="no Chromium")
def test_statement_as_pdf(files: list[str], tmp_path: Path) -> None:
    target = tmp_path / "s.pdf"
    argv = ["statement", *files, "--customer", "ACME", "--period", "2024-04"]
    assert main([*argv, "--format", "pdf", "-o", str(target)]) == 0
    assert target.read_bytes().startswith(b"%PDF-")
