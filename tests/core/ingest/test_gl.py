"""General-ledger customer lines with a matching reference (``Ledger.from_gl_lines``)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

import creditkpi as ck


def _settlements(ledger: ck.Ledger) -> list[tuple[object, ...]]:
    frame = ledger.settlements
    return [
        (r.invoice_id, r.customer_id, str(r.date.date()), r.amount, r.kind)
        for r in frame.itertuples()
    ]


def sap_lines() -> pd.DataFrame:
    """An SAP-style customer line-item export, worked by hand below.

    Customer 100: invoices 9001 (1,000.00, Jan 5) and 9002 (500.00, Jan 20),
    cleared together by payment 1400 (1,200.00, Feb 10) under clearing
    document CL1: 1,000.00 to 9001 (oldest first), 200.00 to 9002.
    Credit memo 1600 (100.00, Feb 28), also under CL1, goes to what 9002 still owes.
    Payment 1401 (80.00, Mar 3) is not cleared: unapplied cash.
    Customer 200: invoice 9003 (300.00, Feb 1) cleared by payment 1402
    (350.00, Mar 1, CL3): 300.00 settle it, 50.00 are unapplied.
    """
    return pd.DataFrame(
        {
            "Customer": ["100", "100", "100", "100", "100", "200", "200", "100"],
            "DocumentNo": ["9001", "9002", "1400", "1600", "1401", "9003", "1402", "9002"],
            "PostingDate": [
                "2024-01-05",
                "2024-01-20",
                "2024-02-10",
                "2024-02-28",
                "2024-03-03",
                "2024-02-01",
                "2024-03-01",
                "2024-01-20",
            ],
            "Amount": [
                "1000.00",
                "500.00",
                "-1200.00",
                "-100.00",
                "-80.00",
                "300.00",
                "-350.00",
                "0",
            ],
            "DocType": ["RV", "RV", "DZ", "DG", "DZ", "RV", "DZ", "RV"],
            "ClearingDoc": ["CL1", "CL1", "CL1", "CL1", None, "CL3", "CL3", None],
            "Region": ["N", "S", "N", "N", "N", "E", "E", "S"],
        }
    ).iloc[:7]  # the eighth row only proves the frame may hold more than the lines used


def test_sap_export_worked_by_hand() -> None:
    lines = sap_lines()
    lines["kind"] = lines["DocType"].map({"DG": "credit_note"})
    ledger = ck.Ledger.from_gl_lines(
        lines.drop(columns="DocType"),
        columns={"customer_id": "Customer", "document_id": "DocumentNo",
                 "date": "PostingDate", "amount": "Amount"},
        match="ClearingDoc",
        terms={"100": 30, "200": 45},
    )  # fmt: skip
    inv = ledger.invoices
    assert inv["invoice_id"].tolist() == ["9001", "9002", "9003"]
    assert inv["customer_id"].tolist() == ["100", "100", "200"]
    assert [str(d.date()) for d in inv["due_date"]] == ["2024-02-04", "2024-02-19", "2024-03-17"]
    assert inv["amount"].tolist() == [Decimal("1000.00"), Decimal("500.00"), Decimal("300.00")]
    assert inv["Region"].tolist() == ["N", "S", "E"]  # other columns are attributes
    assert _settlements(ledger) == [
        ("9001", "100", "2024-02-10", Decimal("1000.00"), "payment"),
        ("9002", "100", "2024-02-10", Decimal("200.00"), "payment"),
        ("9002", "100", "2024-02-28", Decimal("100.00"), "credit_note"),
        ("9003", "200", "2024-03-01", Decimal("300.00"), "payment"),
        (None, "200", "2024-03-01", Decimal("50.00"), "payment"),
        (None, "100", "2024-03-03", Decimal("80.00"), "payment"),
    ]
    # 9002 keeps 500 - 200 - 100 = 200.00 open, due 2024-02-19: 11 days late on Mar 1
    assert ck.receivables(ledger, "2024-03-01", money="decimal") == Decimal("200.00")
    aged = ck.aging(ledger, "2024-03-01", money="decimal").iloc[0]
    assert aged["1-30"] == Decimal("200.00")
    assert aged["not due"] == Decimal("0.00")
    assert aged["unapplied"] == Decimal("-50.00")  # 1402 left 50.00


def test_clearing_date_dates_the_settlements() -> None:
    lines = pd.DataFrame(
        {
            "customer_id": ["A", "A", "A"],
            "document_id": ["F1", "F2", "P1"],
            "date": ["2024-01-01", "2024-01-15", "2024-02-01"],
            "debit": ["100", "40", None],
            "credit": [None, None, "120"],
            "clearing": ["K", "K", "K"],
            "cleared_on": ["2024-02-03", "2024-02-03", "2024-02-05"],
        }
    )
    ledger = ck.Ledger.from_gl_lines(lines, match="clearing", match_date="cleared_on")
    assert _settlements(ledger) == [
        ("F1", "A", "2024-02-05", Decimal("100.00"), "payment"),
        ("F2", "A", "2024-02-05", Decimal("20.00"), "payment"),
    ]


def test_credits_applied_in_date_order_whatever_the_row_order() -> None:
    lines = pd.DataFrame(
        {
            "customer_id": ["A"] * 4,
            "document_id": ["P2", "F2", "P1", "F1"],
            "date": ["2024-03-01", "2024-02-01", "2024-02-10", "2024-01-01"],
            "amount": [-30, 50, -60, 40],
            "match": ["X"] * 4,
        }
    )
    ledger = ck.Ledger.from_gl_lines(lines, due_dates={"F1": "2024-01-31"})
    # P1 (60, Feb 10) pays F1 (40, oldest) then 20 of F2; P2 (30) pays the other 30 of F2
    assert _settlements(ledger) == [
        ("F1", "A", "2024-02-10", Decimal("40.00"), "payment"),
        ("F2", "A", "2024-02-10", Decimal("20.00"), "payment"),
        ("F2", "A", "2024-03-01", Decimal("30.00"), "payment"),
    ]
    due = dict(zip(ledger.invoices["invoice_id"], ledger.invoices["due_date"], strict=True))
    assert str(due["F1"].date()) == "2024-01-31" and str(due["F2"].date()) == "2024-03-02"


def test_a_line_with_a_debit_and_a_credit_is_an_error() -> None:
    lines = pd.DataFrame(
        {"customer_id": ["A"], "document_id": ["F1"], "date": ["2024-01-01"],
         "debit": ["10"], "credit": ["5"], "match": [None]}
    )  # fmt: skip
    with pytest.raises(ck.CreditKPIError, match=r"debit-and-credit: 1 line\(s\) have both") as err:
        ck.Ledger.from_gl_lines(lines)
    assert "(first: 'F1'; values: 'debit=10.00 credit=5.00')" in str(err.value)


def test_missing_mapped_column_names_it() -> None:
    lines = pd.DataFrame({"customer_id": ["A"], "date": ["2024-01-01"], "amount": [1]})
    with pytest.raises(
        ck.CreditKPIError, match=r"missing-column: the lines have no column 'Kunde'"
    ):
        ck.Ledger.from_gl_lines(lines, columns={"customer_id": "Kunde"})
    with pytest.raises(ck.CreditKPIError, match=r"no column 'clearing' \(named by match="):
        ck.Ledger.from_gl_lines(lines, match="clearing")
