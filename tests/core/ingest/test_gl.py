"""General-ledger customer lines with a matching reference (``Ledger.from_gl_lines``)."""

from __future__ import annotations

import warnings
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_a_clearing_date_is_the_day_a_credit_settles_its_invoices() -> None:
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
    # P1, posted Feb 1, is A's unapplied credit until it is cleared on Feb 5
    view = ledger.settlements
    assert [(r.invoice_id, str(r.date.date()), str(r.applied.date()), str(r.amount))
            for r in view.itertuples()] == [
        ("F1", "2024-02-01", "2024-02-05", "100.00"),
        ("F2", "2024-02-01", "2024-02-05", "20.00"),
    ]  # fmt: skip
    position = {
        day: (
            str(ck.receivables(ledger, day, money="decimal")),
            str(ck.unapplied_cash(ledger, day, money="decimal")),
        )
        for day in ("2024-01-31", "2024-02-01", "2024-02-04", "2024-02-05")
    }
    assert position == {
        "2024-01-31": ("140.00", "0.00"),
        "2024-02-01": ("140.00", "120.00"),
        "2024-02-04": ("140.00", "120.00"),
        "2024-02-05": ("20.00", "0.00"),
    }
    aged = ck.aging(ledger, "2024-02-04", money="decimal").iloc[0].drop("total")
    assert (aged["1-30"], aged["not due"], aged["unapplied"]) == (
        Decimal("100.00"), Decimal("40.00"), Decimal("-120.00"),
    )  # fmt: skip
    # the cash is February's once, on the day it was posted; the customer paid then:
    # F1 31 days after issue (1 late), F2 17 days after (not late)
    assert str(ck.cost_per_euro(ledger, "2024-02", costs="12.00")) == "0.1"
    delays = ck.payment_delays(ledger, "2024-02", money="decimal")
    assert delays["days_to_pay"] == pytest.approx((100 * 31 + 20 * 17) / 120)
    assert delays["days_late"] == pytest.approx(100 / 120)
    # without match_date, P1 settles the invoices on the day it was posted
    plain = ck.Ledger.from_gl_lines(lines, match="clearing")
    assert str(ck.receivables(plain, "2024-02-01", money="decimal")) == "20.00"


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


def test_a_credit_only_extract_gives_unapplied_credits() -> None:
    # a bank statement's receipts, or an advance and a credit note with no invoice read:
    # it raised a raw IndexError
    lines = pd.DataFrame(
        {
            "customer_id": ["A", "A", "B"],
            "document_id": ["P1", "AV1", "P2"],
            "date": ["2024-01-10", "2024-01-12", "2024-01-15"],
            "amount": ["-100.00", "-20.00", "-5.50"],
            "kind": ["payment", "credit_note", "payment"],
            "match": ["X", None, "Y"],
        }
    )
    ledger = ck.Ledger.from_gl_lines(lines)
    assert ledger.n_invoices == 0
    assert _settlements(ledger) == [
        (None, "A", "2024-01-10", Decimal("100.00"), "payment"),
        (None, "A", "2024-01-12", Decimal("20.00"), "payment"),
        (None, "B", "2024-01-15", Decimal("5.50"), "payment"),
    ]
    by = ck.unapplied_cash(ledger, "2024-01-31", by="customer_id", money="decimal")
    assert by.to_dict() == {"A": Decimal("120.00"), "B": Decimal("5.50")}
    assert ck.receivables(ledger, "2024-01-31") == Decimal("0.00")
    # a credit-only customer inside a larger extract
    more = pd.concat(
        [lines, pd.DataFrame({"customer_id": ["C"], "document_id": ["F1"],
                              "date": ["2024-01-02"], "amount": ["40.00"], "match": ["X"]})],
        ignore_index=True,
    )  # fmt: skip
    ledger = ck.Ledger.from_gl_lines(more)
    assert ck.receivables(ledger, "2024-01-31") == Decimal("40.00")  # X of C is not X of A
    assert ck.unapplied_cash(ledger, "2024-01-31") == Decimal("125.50")


def test_a_zero_line_and_an_unused_due_date_are_said() -> None:
    lines = pd.DataFrame(
        {"customer_id": ["A", "A"], "document_id": ["F1", "F2"],
         "date": ["2024-01-01", "2024-01-02"], "debit": ["10", "0"], "credit": ["", ""],
         "match": [None, None]}
    )  # fmt: skip
    with pytest.warns(ck.DataQualityWarning) as caught:
        ledger = ck.Ledger.from_gl_lines(lines, due_dates={"F1": "2024-02-01", "F9": "2024-03-01"})
    assert ledger.invoices["invoice_id"].tolist() == ["F1"]
    assert [str(i) for i in ledger.report.issues] == [
        "unused-due-date: 1 key(s) of due_dates= name no invoice of the lines and were not "
        "used in column 'invoice_id' (first: 'F9')",
        "zero-line: 1 line(s) with neither a debit nor a credit carry no amount and were "
        "skipped in column 'debit' (first: 'F2')",
    ]
    assert len(caught) == 2
    assert [i.rows for i in ledger.report.issues] == [(0,), (1,)]
    assert {w.filename for w in caught} == {__file__}  # the warnings point at the call


_GL_CELL = {
    "customer_id": st.sampled_from(["A", "B", "", None, "1"]),
    "document_id": st.sampled_from(["F1", "F2", "P1", "", None]),
    "date": st.sampled_from(["2024-01-05", "2024-02-30", "", None, "05/01/2024", "13/01/2024"]),
    "amount": st.sampled_from(["10", "-10", "0", "", None, "1e999999", "-4.5", "x"]),
    "match": st.sampled_from(["K", "L", "", None]),
    "cleared": st.sampled_from(["2024-01-10", "", None, "bad"]),
    "kind": st.sampled_from(["payment", "credit_note", "refund", None]),
}


@settings(deadline=None)
@given(rows=st.lists(st.fixed_dictionaries(_GL_CELL), max_size=8), clearing=st.booleans())
def test_any_gl_lines_read_or_name_the_broken_rule(
    rows: list[dict[str, object]], clearing: bool
) -> None:
    """Whatever its cells, a line export gives a ledger or a creditkpi error naming a rule."""
    frame = pd.DataFrame(rows, columns=list(_GL_CELL))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        try:
            ck.Ledger.from_gl_lines(frame, match_date="cleared" if clearing else None)
        except ck.CreditKPIError as exc:
            assert str(exc).startswith(f"{exc.rule}: ")
