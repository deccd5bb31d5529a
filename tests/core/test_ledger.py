"""Building ledgers: records, frames (pandas, polars, pyarrow), one-table exports."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

import creditkpi as ck
from creditkpi.core.engine import position
from creditkpi.core.groups import group_codes

INVOICES = pd.DataFrame(
    {
        "number": ["F1", "F2", "F3"],
        "client": ["A", "B", "A"],
        "issued": ["2024-01-05", "2024-01-10", "2024-02-01"],
        "due": ["2024-02-04", "2024-02-09", "2024-03-02"],
        "ttc": [100.0, 250.5, 80.0],
        "country": ["FR", "DE", "FR"],
    }
)
PAYMENTS = pd.DataFrame(
    {
        "ref": ["F1", "F2", None],
        "paid_on": ["2024-02-01", "2024-02-15", "2024-02-20"],
        "ttc": [100.0, 50.0, 30.0],
        "type": ["payment", "credit_note", "payment"],
        "client": [None, None, "B"],
    }
)
NESTED = {
    "invoices": {
        "invoice_id": "number",
        "customer_id": "client",
        "issue_date": "issued",
        "due_date": "due",
        "amount": "ttc",
    },
    "payments": {
        "invoice_id": "ref",
        "date": "paid_on",
        "amount": "ttc",
        "kind": "type",
        "customer_id": "client",
    },
}


def test_from_frames_with_nested_mapping() -> None:
    ledger = ck.Ledger.from_frames(INVOICES, PAYMENTS, columns=NESTED)
    assert ledger.n_invoices == 3 and ledger.n_settlements == 3
    assert ledger.attributes == ["customer_id", "country"]
    # 100 + 250.50 + 80 - 100 - 50 (credit note); the 30.00 is unapplied cash of B
    assert ck.receivables(ledger, "2024-03-31", money="decimal") == Decimal("280.50")
    pos = position(ledger, "2024-03-31", by="customer_id")
    assert pos.loc[(pd.Timestamp("2024-03-31"), "B"), "unapplied"] == 3000


def test_flat_mapping_applies_to_every_table() -> None:
    inv = INVOICES.rename(columns={"number": "inv"})
    pay = pd.DataFrame({"inv": ["F1"], "date": ["2024-02-01"], "amount": [10.0]})
    ledger = ck.Ledger.from_frames(
        inv,
        pay,
        columns={
            "invoice_id": "inv",
            "customer_id": "client",
            "issue_date": "issued",
            "due_date": "due",
            "amount": "ttc",
        },
    )
    assert ck.receivables(ledger, "2024-03-31", money="decimal") == Decimal("420.50")


def test_inputs_are_not_mutated() -> None:
    before_inv, before_pay = INVOICES.copy(), PAYMENTS.copy()
    ck.Ledger.from_frames(INVOICES, PAYMENTS, columns=NESTED)
    pd.testing.assert_frame_equal(INVOICES, before_inv)
    pd.testing.assert_frame_equal(PAYMENTS, before_pay)


@pytest.mark.parametrize("backend", ["polars", "pyarrow"])
def test_other_dataframe_backends_give_identical_results(backend: str) -> None:
    mod = pytest.importorskip(backend)
    if backend == "polars":
        inv, pay = mod.from_pandas(INVOICES), mod.from_pandas(PAYMENTS)
    else:
        inv, pay = mod.Table.from_pandas(INVOICES), mod.Table.from_pandas(PAYMENTS)
    a = ck.Ledger.from_frames(INVOICES, PAYMENTS, columns=NESTED)
    b = ck.Ledger.from_frames(inv, pay, columns=NESTED)
    dates = ["2024-01-31", "2024-02-10", "2024-02-29", "2024-03-31"]
    pd.testing.assert_frame_equal(
        position(a, dates, by="country"), position(b, dates, by="country")
    )


def test_native_date_columns() -> None:
    inv = INVOICES.assign(
        issued=pd.to_datetime(INVOICES["issued"]), due=pd.to_datetime(INVOICES["due"])
    )
    a = ck.Ledger.from_frames(INVOICES, columns=NESTED)
    b = ck.Ledger.from_frames(inv, columns=NESTED)
    assert (a._cols.issue == b._cols.issue).all() and (a._cols.due == b._cols.due).all()


def test_integer_and_text_ids_match() -> None:
    inv = pd.DataFrame(
        {
            "invoice_id": [611365, 7900770],
            "customer_id": [1, 2],
            "issue_date": ["2013-01-02"] * 2,
            "due_date": ["2013-02-01"] * 2,
            "amount": [55.94, 61.74],
        }
    )
    pay = pd.DataFrame({"invoice_id": ["611365"], "date": ["2013-01-15"], "amount": [55.94]})
    ledger = ck.Ledger.from_frames(inv, pay)
    assert ck.receivables(ledger, "2013-01-31", money="decimal") == Decimal("61.74")


def test_from_invoice_table_like_an_erp_export() -> None:
    erp = pd.DataFrame(
        {
            "invoiceNumber": ["0000611365", "0007900770", "0009231909"],
            "customerID": ["0379-NEVHP", "8976-AMJEO", "0379-NEVHP"],
            "InvoiceDate": ["1/2/2013", "1/26/2013", "7/3/2013"],
            "DueDate": ["2/1/2013", "2/25/2013", "8/2/2013"],
            "InvoiceAmount": [55.94, 61.74, 65.88],
            "Disputed": ["No", "Yes", "No"],
            "SettledDate": ["1/15/2013", "3/3/2013", None],
            "countryCode": [391, 406, 391],
        }
    )
    ledger = ck.Ledger.from_invoice_table(
        erp,
        settled_date="SettledDate",
        disputed="Disputed",
        columns={
            "invoice_id": "invoiceNumber",
            "customer_id": "customerID",
            "issue_date": "InvoiceDate",
            "due_date": "DueDate",
            "amount": "InvoiceAmount",
        },
        date_format="%m/%d/%Y",
    )
    assert ledger._cols.invoice_ids.tolist() == [
        "0000611365",
        "0007900770",
        "0009231909",
    ]  # zeros kept
    assert ledger.n_settlements == 2
    assert ledger.attributes == ["customer_id", "countryCode"]
    assert ck.receivables(ledger, "2013-02-28", money="decimal") == Decimal("61.74")
    assert ck.receivables(ledger, "2013-07-31", money="decimal") == Decimal("65.88")
    # disputed from issue until settled
    assert ledger._cols.dispute_invoice.tolist() == [1]
    assert ledger.invoices.loc[1, "amount"] == Decimal("61.74")


def test_views_and_repr() -> None:
    ledger = ck.Ledger.from_frames(INVOICES, PAYMENTS, columns=NESTED)
    inv = ledger.invoices
    assert inv.columns.tolist() == [
        "invoice_id",
        "customer_id",
        "issue_date",
        "due_date",
        "amount",
        "currency",
        "country",
    ]
    assert inv["amount"].sum() == Decimal("430.50")
    st = ledger.settlements
    assert st["kind"].tolist() == ["payment", "credit_note", "payment"]
    assert st["invoice_id"].tolist() == ["F1", "F2", None]
    assert (
        repr(ledger)
        == "Ledger(3 invoices, 3 settlements, 2 customers, EUR, 2024-01-05..2024-02-20)"
    )
    assert len(ledger) == 3


def test_groups_unapplied_cash_follow_their_customer() -> None:
    ledger = ck.Ledger.from_frames(INVOICES, PAYMENTS, columns=NESTED)
    groups = group_codes(ledger, "country")
    assert groups.labels.tolist() == ["DE", "FR"]  # sorted: row order never matters
    # the unapplied 30.00 of customer B goes to B's country
    assert groups.settlement[ledger._cols.settlement_invoice < 0].tolist() == [0]
    with pytest.raises(ck.CreditKPIError, match="by must be one of customer_id, country"):
        group_codes(ledger, "region")


def test_unapplied_cash_of_a_customer_spanning_groups_is_unassigned() -> None:
    inv = INVOICES.assign(country=["FR", "DE", "IT"])
    ledger = ck.Ledger.from_frames(inv, PAYMENTS.assign(client=[None, None, "A"]), columns=NESTED)
    groups = group_codes(ledger, "country")
    assert (
        groups.labels[groups.settlement[ledger._cols.settlement_invoice < 0][0]] == "(unassigned)"
    )


def test_exact_beyond_float_range_falls_back_to_integers() -> None:
    big = pd.DataFrame(
        {
            "invoice_id": ["A", "B"],
            "customer_id": ["C", "C"],
            "issue_date": ["2024-01-01"] * 2,
            "due_date": ["2024-01-31"] * 2,
            "amount": ["45035996273704.97", "0.01"],
        }
    )
    ledger = ck.Ledger.from_frames(big)
    assert not ledger._cols.exact_float
    assert ck.receivables(ledger, "2024-02-01", money="decimal") == Decimal("45035996273704.98")
    assert np.int64(ledger._cols.amount.sum()) == 4503599627370498


def test_describe_counts_dates_and_amounts() -> None:
    ledger = ck.Ledger.from_frames(INVOICES, PAYMENTS, columns=NESTED)
    table = ledger.describe()
    assert table.index.name == "table"
    assert table.columns.tolist() == ["count", "first", "last", "amount"]
    assert table["count"].to_dict() == {
        "invoices": 3, "payments": 1, "credit notes": 1, "write-offs": 0, "unapplied cash": 1,
        "disputes": 0, "status events": 0, "doubtful": 0,
    }  # fmt: skip
    assert table.at["invoices", "first"] == pd.Timestamp("2024-01-05")
    assert table.at["invoices", "last"] == pd.Timestamp("2024-02-01")
    assert table.at["credit notes", "first"] == pd.Timestamp("2024-02-15")
    assert pd.isna(table.at["write-offs", "first"]) and pd.isna(table.at["disputes", "amount"])
    assert table["amount"].dtype == np.float64
    assert table.at["invoices", "amount"] == 430.5 and table.at["unapplied cash", "amount"] == 30
    exact = ledger.describe(money="decimal")
    assert exact.at["invoices", "amount"] == Decimal("430.50")
    assert exact.at["write-offs", "amount"] == Decimal("0.00")
    with pytest.raises(ck.CreditKPIError, match="money"):
        ledger.describe(money="cents")  # type: ignore[arg-type]


def test_text_and_notebook_summaries_show_labels_as_text() -> None:
    frame = INVOICES.assign(**{"<b>\x1b[31mregion": ["n", "s", "n"]})
    with pytest.warns(ck.DataQualityWarning):
        ledger = ck.Ledger.from_frames(
            frame, PAYMENTS.assign(ttc=[120.0, 50.0, 30.0]), columns=NESTED
        )  # F1 (100.00) paid 120.00: overpaid
    text = str(ledger)
    assert text.splitlines()[0] == (
        "Ledger: 3 invoices, 3 settlements, 2 customers, EUR, 2024-01-05 to 2024-02-20"
    )
    assert "by= : customer_id, country, <b>\\x1b[31mregion" in text
    assert "\x1b" not in text
    assert "validation: 1 warning(s)" in text and "overpaid-invoice" in text
    html = ledger._repr_html_()
    assert "&lt;b&gt;\\x1b[31mregion" in html and "<b>\\x1b" not in html and "\x1b" not in html
    assert "overpaid-invoice" in html and "2024-01-05 to 2024-02-20" in html
    assert "<td>credit notes</td><td class='num'>1</td>" in html
    assert "50.00" in html  # amounts exact
