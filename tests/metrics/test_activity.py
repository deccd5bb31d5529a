"""Activity of a period: sales and cash collected, and unapplied cash held.

Every expected figure is computed by hand in the comments.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

import creditkpi as ck

D = Decimal


@pytest.fixture(scope="module")
def book() -> ck.Ledger:
    """Two customers, April and May 2024.

    F1  C1 FR  issued 2024-04-02  500.00   paid 200.00 on 04-20, credit note 50.00 on 05-03
    F2  C2 DE  issued 2024-04-15  300.00   write-off 30.00 on 04-28
    F3  C1 FR  issued 2024-05-10  400.00   paid 400.00 on 05-25
    unapplied cash of C2: 70.00 on 04-25 (not sales, cash collected), 10.00 on 05-02

    April: sales 500 + 300 = 800; cash 200 + 70 (unapplied is cash) = 270
    May:   sales 400 - 50 (credit note) = 350; cash 400 + 10 = 410
    """
    return ck.Ledger.from_records(
        [
            ck.Invoice("F1", "C1", "2024-04-02", "2024-05-02", "500.00", attrs={"country": "FR"}),
            ck.Invoice("F2", "C2", "2024-04-15", "2024-05-15", "300.00", attrs={"country": "DE"}),
            ck.Invoice("F3", "C1", "2024-05-10", "2024-06-09", "400.00", attrs={"country": "FR"}),
        ],
        [
            ck.Payment("F1", "2024-04-20", "200.00"),
            ck.Payment("F1", "2024-05-03", "50.00", kind="credit_note"),
            ck.Payment("F2", "2024-04-28", "30.00", kind="write_off"),
            ck.Payment("F3", "2024-05-25", "400.00"),
            ck.Payment(None, "2024-04-25", "70.00", customer="C2"),
            ck.Payment(None, "2024-05-02", "10.00", customer="C2"),
        ],
    )


@pytest.mark.parametrize(
    ("period", "sales", "cash"),
    [
        ("2024-04", D("800.00"), D("270.00")),
        ("2024-05", D("350.00"), D("410.00")),
        ("2024-06", D("0.00"), D("0.00")),
        ("2024-Q2", D("1150.00"), D("680.00")),
    ],
    ids=["april", "may-credit-note", "june-nothing", "quarter"],
)
def test_sales_and_cash_collected(
    book: ck.Ledger, period: str, sales: Decimal, cash: Decimal
) -> None:
    assert ck.sales(book, period) == sales
    assert ck.cash_collected(book, period) == cash


def test_series_and_groups(book: ck.Ledger) -> None:
    months = ["2024-04", "2024-05"]
    assert ck.sales(book, months).tolist() == [800.0, 350.0]
    # by country: unapplied cash takes its customer's country
    assert ck.cash_collected(book, "2024-04", by="country").to_dict() == {"DE": 70.0, "FR": 200.0}
    table = ck.sales(book, months, by="country", money="decimal")
    assert isinstance(table, pd.DataFrame)
    assert table.loc[pd.Period("2024-05"), "FR"] == D("350.00")


def test_unapplied_cash_held(book: ck.Ledger) -> None:
    # C2's unapplied cash: 70.00 from 04-25, 80.00 from 05-02; never part of the receivables
    assert ck.unapplied_cash(book, "2024-04-24", money="decimal") == D("0.00")
    assert ck.unapplied_cash(book, "2024-04-30", money="decimal") == D("70.00")
    assert ck.unapplied_cash(book, ["2024-04-30", "2024-05-31"]).tolist() == [70.0, 80.0]
    assert ck.unapplied_cash(book, "2024-05-31", by="customer_id").to_dict() == {
        "C1": 0.0,
        "C2": 80.0,
    }
    # R(05-31) = F1 500-200-50 + F2 300-30 + F3 0 = 520, unapplied cash apart
    assert ck.receivables(book, "2024-05-31", money="decimal") == D("520.00")
