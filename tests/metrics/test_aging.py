"""Aging (balance âgée), overdue, overdue rate, top customers, receivables by dunning status.

Every expected figure is computed by hand in the comments (SPEC §3, §4.1).
"""

from __future__ import annotations

import math
import warnings
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import creditkpi as ck
from creditkpi import formulas as f
from creditkpi.core.engine import position
from creditkpi.metrics.aging import formula_overdue_rate
from tests.strategies import LedgerSpec, as_of_dates, ledger_specs

D = Decimal
T = "2024-06-30"
BUCKETS = ["not due", "1-30", "31-60", "61-90", "91+"]


def inv(iid: str, customer: str, issue: str, due: str, amount: str, country: str) -> ck.Invoice:
    return ck.Invoice(iid, customer, issue, due, amount, attrs={"country": country})


@pytest.fixture(scope="module")
def book() -> ck.Ledger:
    """The hand-made book; T = 2024-06-30, d = T - due, age = T - issue (issue = due - 30).

    id    cust ctry  issue       due         amount   settled <= T      B(T)   d    age
    N0    C1   FR    2024-05-31  2024-06-30  100.00                     100.00   0   30  (due today)
    D30   C1   FR    2024-05-01  2024-05-31  200.00                     200.00  30   60
    D31   C1   FR    2024-04-30  2024-05-30  300.00                     300.00  31   61
    D60   C1   FR    2024-04-01  2024-05-01  400.00                     400.00  60   90
    PART  C1   FR    2024-05-21  2024-06-20 1000.00   250.00 on 06-10   750.00  10   40
    D61   C2   DE    2024-03-31  2024-04-30  500.00                     500.00  61   91
    D90   C2   DE    2024-03-02  2024-04-01  600.00                     600.00  90  120
    D91   C2   DE    2024-03-01  2024-03-31  700.00                     700.00  91  121
    OVER  C2   DE    2024-05-02  2024-06-01   80.00   100.00 on 06-15   -20.00  29   59
    LATE  C3   FR    2024-07-01  2024-07-31  999.00   (issued after T)    -
    PAYT  C3   FR    2024-04-15  2024-05-15   50.00    50.00 on T         0.00  46   76
    PAYX  C3   FR    2024-04-15  2024-05-15   60.00   (paid 07-01)       60.00  46   76

    Unapplied cash: C2 45.00 on 06-20, C4 (no invoice) 5.00 on 06-25, C2 10.00
    on 07-05 (after T). Statuses: D91 reminder 1 (04-10) then formal notice
    (06-15); D61 reminder 1 (05-10); D90 reminder 1 (04-15), reminder 2 on
    07-01 (after T); PAYT reminder 1 (05-20, paid); PAYX reminder 2 on T.
    """
    invoices = [
        inv("N0", "C1", "2024-05-31", "2024-06-30", "100.00", "FR"),
        inv("D30", "C1", "2024-05-01", "2024-05-31", "200.00", "FR"),
        inv("D31", "C1", "2024-04-30", "2024-05-30", "300.00", "FR"),
        inv("D60", "C1", "2024-04-01", "2024-05-01", "400.00", "FR"),
        inv("PART", "C1", "2024-05-21", "2024-06-20", "1000.00", "FR"),
        inv("D61", "C2", "2024-03-31", "2024-04-30", "500.00", "DE"),
        inv("D90", "C2", "2024-03-02", "2024-04-01", "600.00", "DE"),
        inv("D91", "C2", "2024-03-01", "2024-03-31", "700.00", "DE"),
        inv("OVER", "C2", "2024-05-02", "2024-06-01", "80.00", "DE"),
        inv("LATE", "C3", "2024-07-01", "2024-07-31", "999.00", "FR"),
        inv("PAYT", "C3", "2024-04-15", "2024-05-15", "50.00", "FR"),
        inv("PAYX", "C3", "2024-04-15", "2024-05-15", "60.00", "FR"),
    ]
    payments = [
        ck.Payment("PART", "2024-06-10", "250.00"),
        ck.Payment("OVER", "2024-06-15", "100.00"),
        ck.Payment("PAYT", "2024-06-30", "50.00"),
        ck.Payment("PAYX", "2024-07-01", "60.00"),
        ck.Payment(None, "2024-06-20", "45.00", customer="C2"),
        ck.Payment(None, "2024-06-25", "5.00", customer="C4"),
        ck.Payment(None, "2024-07-05", "10.00", customer="C2"),
    ]
    statuses = [
        ck.StatusEvent("D91", "2024-04-10", "reminder 1"),
        ck.StatusEvent("D91", "2024-06-15", "formal notice"),
        ck.StatusEvent("D61", "2024-05-10", "reminder 1"),
        ck.StatusEvent("D90", "2024-04-15", "reminder 1"),
        ck.StatusEvent("D90", "2024-07-01", "reminder 2"),
        ck.StatusEvent("PAYT", "2024-05-20", "reminder 1"),
        ck.StatusEvent("PAYX", "2024-06-30", "reminder 2"),
    ]
    with pytest.warns(ck.DataQualityWarning):  # OVER is overpaid
        return ck.Ledger.from_records(invoices, payments, statuses=statuses)


def amounts(table: pd.DataFrame, column: str = "amount") -> dict[str, Decimal]:
    return {str(k): v for k, v in table[column].items()}


def by_bucket(ledger: ck.Ledger, as_of: object, **options: object) -> pd.DataFrame:
    """The whole book at one date by bucket: the one row of each ``values=`` of ``ck.aging``.

    Index ``bucket`` (the buckets, then ``unapplied``); ``amount`` (exact),
    ``share`` of R(T) (``nan`` on ``unapplied``) and ``invoices`` (``<NA>``
    on ``unapplied``): the classic vertical listing, read from the public table.
    """
    row = ck.aging(ledger, as_of, money="decimal", **options)  # type: ignore[arg-type]
    shares = ck.aging(ledger, as_of, values="share", **options)  # type: ignore[arg-type]
    counts = ck.aging(ledger, as_of, values="invoices", **options)  # type: ignore[arg-type]
    for table in (row, shares, counts):
        assert len(table) == 1 and table.index.name == "as_of"
        assert table.index[0] == pd.Timestamp(str(as_of))
    labels = list(shares.columns)
    assert list(row.columns) == [*labels, "total", "unapplied"]
    assert list(counts.columns) == [*labels, "total"]
    assert counts.dtypes.tolist() == [np.dtype(np.int64)] * (len(labels) + 1)
    assert sum(row.iloc[0][labels], D(0)) == row.iloc[0]["total"]
    assert counts.iloc[0][labels].sum() == counts.iloc[0]["total"]
    index = pd.Index([*labels, "unapplied"], name="bucket")
    return pd.DataFrame(
        {
            "amount": [*row.iloc[0][labels], row.iloc[0]["unapplied"]],
            "share": [*shares.iloc[0].tolist(), math.nan],
            "invoices": pd.array([*counts.iloc[0][labels].tolist(), pd.NA], dtype="Int64"),
        },
        index=index,
    )


# ----------------------------------------------------------------------------------
# the whole-book table at one date
# ----------------------------------------------------------------------------------

# (buckets, basis, expected amounts incl. the unapplied line, expected open-invoice counts)
BOOK_CASES = [
    pytest.param(
        (30, 60, 90),
        "due",
        # not due: N0 100 (due today)
        # 1-30:  D30 200 (d=30) + PART 750 (1000-250) + OVER -20 (80-100)   = 930
        # 31-60: D31 300 (d=31) + D60 400 (d=60) + PAYX 60 (PAYT paid on T) = 760
        # 61-90: D61 500 (d=61) + D90 600 (d=90)                            = 1100
        # 91+:   D91 700 (d=91);  LATE issued after T: absent
        # unapplied: -(45 + 5); the 10.00 of 07-05 is after T
        {
            "not due": D("100.00"),
            "1-30": D("930.00"),
            "31-60": D("760.00"),
            "61-90": D("1100.00"),
            "91+": D("700.00"),
            "unapplied": D("-50.00"),
        },
        [1, 3, 3, 2, 1],
        id="due-basis-default-edges",
    ),
    pytest.param(
        (30, 60, 90),
        "issue",
        # ages: N0 30 | PART 40, OVER 59, D30 60 | D31 61, PAYX 76, D60 90 |
        #       D61 91, D90 120, D91 121
        # 0-30: 100; 31-60: 750 - 20 + 200 = 930; 61-90: 300 + 60 + 400 = 760;
        # 91+: 500 + 600 + 700 = 1800
        {
            "0-30": D("100.00"),
            "31-60": D("930.00"),
            "61-90": D("760.00"),
            "91+": D("1800.00"),
            "unapplied": D("-50.00"),
        },
        [1, 3, 3, 3],
        id="issue-basis",
    ),
    pytest.param(
        (10, 45),
        "due",
        # d: N0 0 | PART 10 | OVER 29, D30 30, D31 31 | PAYX 46, D60 60, D61 61, D90 90, D91 91
        # 11-45: -20 + 200 + 300 = 480; 46+: 60 + 400 + 500 + 600 + 700 = 2260
        {
            "not due": D("100.00"),
            "1-10": D("750.00"),
            "11-45": D("480.00"),
            "46+": D("2260.00"),
            "unapplied": D("-50.00"),
        },
        [1, 1, 3, 5],
        id="custom-edges-10-45",
    ),
    pytest.param(
        [30],
        "due",
        # one edge: 31+ = 760 + 1100 + 700 = 2560
        {
            "not due": D("100.00"),
            "1-30": D("930.00"),
            "31+": D("2560.00"),
            "unapplied": D("-50.00"),
        },
        [1, 3, 6],
        id="custom-single-edge-list",
    ),
]


@pytest.mark.parametrize(("buckets", "basis", "expected", "counts"), BOOK_CASES)
def test_book_table(
    book: ck.Ledger,
    buckets: tuple[int, ...],
    basis: str,
    expected: dict[str, Decimal],
    counts: list[int],
) -> None:
    table = by_bucket(book, T, buckets=buckets, basis=basis)
    assert table.index.name == "bucket"
    assert list(table.columns) == ["amount", "share", "invoices"]
    assert amounts(table) == expected
    # R(T) = 100 + 200 + 300 + 400 + 750 + 500 + 600 + 700 - 20 + 0 + 60 = 3590
    total = D("3590.00")
    bucket_rows = table.drop(index="unapplied")
    assert sum(bucket_rows["amount"]) == total == ck.receivables(book, T, money="decimal")
    # shares: amount / 3590, each the correctly rounded float of the exact ratio
    assert bucket_rows["share"].tolist() == [float(v) / 3590 for v in bucket_rows["amount"]]
    assert math.isnan(table.loc["unapplied", "share"])
    assert bucket_rows["invoices"].tolist() == counts
    assert table.loc["unapplied", "invoices"] is pd.NA


def test_book_shares_are_exact_fractions(book: ck.Ledger) -> None:
    table = by_bucket(book, T)
    # 100/3590, 930/3590, 760/3590, 1100/3590, 700/3590
    assert table["share"].iloc[:5].tolist() == [
        100 / 3590,
        930 / 3590,
        760 / 3590,
        1100 / 3590,
        700 / 3590,
    ]
    assert table["share"].iloc[:5].sum() == pytest.approx(1.0, abs=1e-15)


@pytest.mark.parametrize(
    ("days_past_due", "bucket"),
    [
        (-5, "not due"),
        (0, "not due"),
        (1, "1-30"),
        (30, "1-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "91+"),
        (400, "91+"),
    ],
    ids=[
        "5-days-before-due",
        "due-today",
        "1-day-late",
        "30-days-late",
        "31-days-late",
        "60-days-late",
        "61-days-late",
        "90-days-late",
        "91-days-late",
        "400-days-late",
    ],
)
def test_bucket_edges(days_past_due: int, bucket: str) -> None:
    as_of = date(2024, 12, 31)
    due = as_of - timedelta(days=days_past_due)
    ledger = ck.Ledger.from_records(
        [ck.Invoice("F", "C", min(due, date(2023, 1, 1)), due, "12.34")]
    )
    table = by_bucket(ledger, as_of)
    expected = {b: D("0.00") for b in BUCKETS} | {bucket: D("12.34"), "unapplied": D("0.00")}
    assert amounts(table) == expected
    assert table.loc[bucket, "share"] == 1.0
    assert table.loc[bucket, "invoices"] == 1
    overdue_expected = D("12.34") if days_past_due >= 1 else D("0.00")
    assert ck.overdue(ledger, as_of, money="decimal") == overdue_expected


def test_payment_dated_exactly_t_counts() -> None:
    ledger = ck.Ledger.from_records(
        [ck.Invoice("F", "C", "2024-01-01", "2024-01-31", "100.00")],
        [ck.Payment("F", "2024-03-01", "40.00")],
    )
    # the day before: 100 in 1-30 (29 days late); on the payment day: 60 (30 days late)
    assert by_bucket(ledger, "2024-02-29").loc["1-30", "amount"] == D("100.00")
    assert by_bucket(ledger, "2024-03-01").loc["1-30", "amount"] == D("60.00")


def test_fully_paid_invoice_adds_nothing_and_is_not_counted(book: ck.Ledger) -> None:
    # PAYT (50.00, 46 days late) is paid on T: 31-60 holds D31, D60, PAYX only
    table = by_bucket(book, T)
    assert table.loc["31-60", "amount"] == D("760.00")
    assert table.loc["31-60", "invoices"] == 3


def test_overpaid_invoice_stays_in_its_bucket(book: ck.Ledger) -> None:
    # OVER, 29 days late, -20.00: 1-30 = 200 + 750 - 20; by customer, C2's 1-30 is -20
    assert by_bucket(book, T).loc["1-30", "amount"] == D("930.00")
    assert ck.aging(book, T, by="customer_id", money="decimal").loc["C2", "1-30"] == D("-20.00")


# ----------------------------------------------------------------------------------
# by group, and lists of dates
# ----------------------------------------------------------------------------------


def test_by_customer_table(book: ck.Ledger) -> None:
    table = ck.aging(book, T, by="customer_id", money="decimal")
    assert table.index.name == "customer_id"
    assert list(table.columns) == [*BUCKETS, "total", "unapplied"]
    z = D("0.00")
    # C1: N0 100 | D30 200 + PART 750 | D31 300 + D60 400                 total 1750
    # C2: OVER -20 | D61 500 + D90 600 | D91 700; unapplied -45          total 1780
    # C3: PAYX 60 (PAYT paid, LATE not issued)                           total 60
    # C4: only 5.00 unapplied cash
    expected = {
        "C1": [D("100.00"), D("950.00"), D("700.00"), z, z, D("1750.00"), z],
        "C2": [z, D("-20.00"), z, D("1100.00"), D("700.00"), D("1780.00"), D("-45.00")],
        "C3": [z, z, D("60.00"), z, z, D("60.00"), z],
        "C4": [z, z, z, z, z, z, D("-5.00")],
    }
    assert {k: list(v) for k, v in table.iterrows()} == expected


def test_by_country_table(book: ck.Ledger) -> None:
    table = ck.aging(book, T, by="country", money="decimal")
    z = D("0.00")
    # FR = C1 + C3; DE = C2; C4 has no invoice, so no country: "(unassigned)"
    expected = {
        "FR": [D("100.00"), D("950.00"), D("760.00"), z, z, D("1810.00"), z],
        "DE": [z, D("-20.00"), z, D("1100.00"), D("700.00"), D("1780.00"), D("-45.00")],
        "(unassigned)": [z, z, z, z, z, z, D("-5.00")],
    }
    assert {k: list(v) for k, v in table.iterrows()} == expected


def test_by_customer_shares(book: ck.Ledger) -> None:
    with pytest.warns(ck.UndefinedMetricWarning):  # C4 holds no receivables
        table = ck.aging(book, T, by="customer_id", values="share")
    assert list(table.columns) == BUCKETS
    # C1: 100/1750, 950/1750, 700/1750
    assert table.loc["C1"].tolist() == [100 / 1750, 950 / 1750, 700 / 1750, 0.0, 0.0]
    # C2: -20/1780, 1100/1780, 700/1780
    assert table.loc["C2"].tolist() == [0.0, -20 / 1780, 0.0, 1100 / 1780, 700 / 1780]
    assert table.loc["C4"].isna().all()


def test_trend_table_uses_the_sweep(book: ck.Ledger) -> None:
    dates = [T, "2024-07-01", "2024-07-05"]  # three dates: the sweep path
    table = ck.aging(book, dates, money="decimal")
    assert table.index.name == "as_of"
    assert list(table.index) == [pd.Timestamp(d) for d in dates]
    assert list(table.columns) == [*BUCKETS, "total", "unapplied"]
    rows = {str(k.date()): list(v) for k, v in table.iterrows()}
    # 07-01: LATE issued (not due, 999); PAYX paid; everyone one day older:
    #   1-30: N0 100 + PART 750 + OVER -20 = 830; 31-60: D30 200 + D31 300 = 500;
    #   61-90: D60 400 + D61 500 = 900; 91+: D90 600 + D91 700 = 1300; total 4529
    # 07-05: OVER now 34 days late moves to 31-60: 1-30 = 850, 31-60 = 480;
    #   unapplied also has C2's 10.00 of 07-05
    assert rows == {
        "2024-06-30": [
            D("100.00"),
            D("930.00"),
            D("760.00"),
            D("1100.00"),
            D("700.00"),
            D("3590.00"),
            D("-50.00"),
        ],
        "2024-07-01": [
            D("999.00"),
            D("830.00"),
            D("500.00"),
            D("900.00"),
            D("1300.00"),
            D("4529.00"),
            D("-50.00"),
        ],
        "2024-07-05": [
            D("999.00"),
            D("850.00"),
            D("480.00"),
            D("900.00"),
            D("1300.00"),
            D("4529.00"),
            D("-60.00"),
        ],
    }


def test_trend_by_group_is_long(book: ck.Ledger) -> None:
    table = ck.aging(book, [T, "2024-07-01"], by="customer_id", money="decimal")
    assert table.index.names == ["as_of", "customer_id"]
    # C3 on 07-01: LATE 999 not due, PAYX paid -> 999 total
    assert table.loc[(pd.Timestamp("2024-07-01"), "C3"), "total"] == D("999.00")
    assert table.loc[(pd.Timestamp(T), "C3"), "total"] == D("60.00")


def test_overdue_and_rate(book: ck.Ledger) -> None:
    # Overdue = R - not due = 3590 - 100 = 3490
    assert ck.overdue(book, T, money="decimal") == D("3490.00")
    assert ck.overdue_rate(book, T) == 3490 / 3590
    assert isinstance(ck.overdue_rate(book, T), float)
    by_customer = ck.overdue(book, T, by="customer_id", money="decimal")
    # C1 1750 - 100 (N0 due today); C2 everything overdue; C3 PAYX
    assert by_customer.to_dict() == {
        "C1": D("1650.00"),
        "C2": D("1780.00"),
        "C3": D("60.00"),
        "C4": D("0.00"),
    }
    with pytest.warns(ck.UndefinedMetricWarning):  # C4: R = 0
        rates = ck.overdue_rate(book, T, by="customer_id")
    assert rates.name == "overdue_rate"
    assert rates[["C1", "C2", "C3"]].tolist() == [1650 / 1750, 1.0, 1.0]
    assert math.isnan(rates["C4"])
    # a series: on 07-01 overdue = 4529 - 999
    series = ck.overdue_rate(book, [T, "2024-07-01"])
    assert series.tolist() == [3490 / 3590, 3530 / 4529]


def test_over_90_days_rate(book: ck.Ledger) -> None:
    # at T only D91 (91 days late) is over 90 days: 700 / 3590; D90 (90 days) is not
    assert ck.over_90_days_rate(book, T) == 700 / 3590
    # on 07-01 D90 is 91 days late too: (600 + 700) / 4529
    assert ck.over_90_days_rate(book, [T, "2024-07-01"]).tolist() == [700 / 3590, 1300 / 4529]
    # per country: nothing of FR (1810) is over 90 days, D91 is DE's (1780); C4's unapplied
    # cash alone (no invoice, so no country) makes a group without receivables
    with pytest.warns(ck.UndefinedMetricWarning):
        rates = ck.over_90_days_rate(book, T, by="country")
    assert rates[["DE", "FR"]].tolist() == [700 / 1780, 0.0]
    assert math.isnan(rates["(unassigned)"])
    # the 91+ bucket of the aged balance over the receivables, at most the overdue rate
    table = by_bucket(book, T)
    assert ck.over_90_days_rate(book, T) == float(table.loc["91+", "share"])
    assert ck.over_90_days_rate(book, T) <= ck.overdue_rate(book, T)
    assert f.over_90_days_rate(D("700.00"), D("3590.00")) == 700 / 3590


def test_over_90_days_rate_undefined_without_receivables() -> None:
    empty = ck.Ledger.from_records([ck.Invoice("F1", "C1", "2024-01-01", "2024-01-31", "10.00")])
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(ck.over_90_days_rate(empty, "2023-12-31"))  # nothing issued yet


def test_overdue_fr_on_july_first(book: ck.Ledger) -> None:
    # 07-01, FR = C1 + C3: C1 all overdue now (N0 1 day late) = 1750; C3: LATE not due, PAYX paid
    frame = ck.overdue(book, [T, "2024-07-01"], by="country", money="decimal")
    assert frame.loc[pd.Timestamp("2024-07-01"), "FR"] == D("1750.00")
    assert frame.loc[pd.Timestamp(T), "FR"] == D("1710.00")  # 1650 (C1) + 60 (C3)


def test_overdue_on_issue_basis_is_still_days_past_due(book: ck.Ledger) -> None:
    # the basis changes the buckets, never Overdue(T)
    table = by_bucket(book, T, basis="issue")
    assert sum(table.drop(index="unapplied")["amount"]) == D("3590.00")
    assert ck.overdue(book, T, money="decimal") == D("3490.00")


# ----------------------------------------------------------------------------------
# top customers and dunning status
# ----------------------------------------------------------------------------------


def test_top_customers(book: ck.Ledger) -> None:
    table = ck.top_customers(book, T, money="decimal")
    assert table.index.name == "customer_id"
    assert list(table.columns) == ["balance", "share", "overdue", "invoices"]
    # C2 1780 > C1 1750 > C3 60; C4 (balance 0) left out
    assert list(table.index) == ["C2", "C1", "C3"]
    assert table["balance"].tolist() == [D("1780.00"), D("1750.00"), D("60.00")]
    assert table["share"].tolist() == [1780 / 3590, 1750 / 3590, 60 / 3590]
    assert table["overdue"].tolist() == [D("1780.00"), D("1650.00"), D("60.00")]
    # open invoices: C2 D61 D90 D91 OVER; C1 N0 D30 D31 D60 PART; C3 PAYX
    assert table["invoices"].tolist() == [4, 5, 1]
    assert list(ck.top_customers(book, T, n=2, money="decimal").index) == ["C2", "C1"]


def test_top_customers_by_overdue_amount(book: ck.Ledger) -> None:
    table = ck.top_customers(book, T, order="overdue", money="decimal")
    # overdue: C2 1780 > C1 1650 > C3 60 (C1 has 100 not yet due); nothing overdue: left out
    assert list(table.index) == ["C2", "C1", "C3"]
    assert table["overdue"].tolist() == [D("1780.00"), D("1650.00"), D("60.00")]
    assert list(ck.top_customers(book, T, n=1, order="overdue", money="decimal").index) == ["C2"]
    # the largest balance is not the most overdue: a big invoice not yet due ranks last
    ledger = ck.Ledger.from_records(
        [
            ck.Invoice("F1", "BIG", "2024-01-25", "2024-03-31", "5000.00"),
            ck.Invoice("F2", "LATE", "2024-01-01", "2024-01-15", "300.00"),
            ck.Invoice("F3", "LATER", "2023-12-01", "2023-12-31", "200.00"),
            ck.Invoice("F4", "LATER", "2024-01-02", "2024-01-30", "100.00"),
        ]
    )
    by_balance = ck.top_customers(ledger, "2024-02-01", money="decimal")
    assert list(by_balance.index) == ["BIG", "LATE", "LATER"]
    late = ck.top_customers(ledger, "2024-02-01", order="overdue", money="decimal")
    # LATE 300 = LATER 300 overdue, and the same balance: the tie goes to the id
    assert list(late.index) == ["LATE", "LATER"]
    assert late["share"].tolist() == [300 / 5600, 300 / 5600]
    with pytest.raises(ck.CreditKPIError, match="order must be one of 'balance', 'overdue'"):
        ck.top_customers(ledger, "2024-02-01", order="amount")  # type: ignore[arg-type]


def test_top_customers_ties_broken_by_id() -> None:
    ledger = ck.Ledger.from_records(
        [
            ck.Invoice("F1", "B", "2024-01-01", "2024-01-31", "50.00"),
            ck.Invoice("F2", "A", "2024-01-01", "2024-01-31", "50.00"),
            ck.Invoice("F3", "C", "2024-01-01", "2024-01-31", "70.00"),
        ]
    )
    assert list(ck.top_customers(ledger, "2024-02-01", money="decimal").index) == ["C", "A", "B"]
    assert list(ck.top_customers(ledger, "2024-02-01", n=None, money="decimal").index) == [
        "C",
        "A",
        "B",
    ]


def test_top_customers_over_dates(book: ck.Ledger) -> None:
    table = ck.top_customers(book, [T, "2024-07-01"], n=1, money="decimal")
    # 07-01: C3 holds LATE 999 + 0 = 999 < C2 1780
    assert list(table.index) == [(pd.Timestamp(T), "C2"), (pd.Timestamp("2024-07-01"), "C2")]


def test_by_dunning_status(book: ck.Ledger) -> None:
    table = ck.by_dunning_status(book, T, money="decimal")
    assert table.index.name == "status"
    assert list(table.columns) == ["amount", "share", "invoices"]
    # none: N0 100 + D30 200 + D31 300 + D60 400 + PART 750 + OVER -20 = 1730 (6 invoices)
    # reminder 1: D61 500 + D90 600 (its reminder 2 is after T) = 1100; PAYT paid: not counted
    # formal notice: D91 700 (last event 06-15); reminder 2: PAYX 60 (event dated T)
    assert amounts(table) == {
        "none": D("1730.00"),
        "reminder 1": D("1100.00"),
        "formal notice": D("700.00"),
        "reminder 2": D("60.00"),
    }
    assert table["invoices"].tolist() == [6, 2, 1, 1]
    assert table["share"].tolist() == [1730 / 3590, 1100 / 3590, 700 / 3590, 60 / 3590]
    assert sum(table["amount"]) == ck.receivables(book, T, money="decimal")


def test_by_dunning_status_in_process_order(book: ck.Ledger) -> None:
    order = ["none", "reminder 1", "reminder 2", "formal notice", "agency"]
    table = ck.by_dunning_status(book, T, order=order, money="decimal")
    assert list(table.index) == order
    assert table.loc["agency"].tolist() == [D("0.00"), 0.0, 0]
    # 07-01: D90 moved to reminder 2, PAYX paid -> reminder 2 = 600
    later = ck.by_dunning_status(book, "2024-07-01", order=order, money="decimal")
    assert later.loc["reminder 2", "amount"] == D("600.00")


# ----------------------------------------------------------------------------------
# named edge cases
# ----------------------------------------------------------------------------------


def test_empty_book() -> None:
    empty = ck.Ledger.from_records([])
    with pytest.warns(ck.UndefinedMetricWarning):
        table = by_bucket(empty, T)
    assert amounts(table) == {b: D("0.00") for b in [*BUCKETS, "unapplied"]}
    assert table["share"].isna().all()
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(ck.overdue_rate(empty, T))
    assert ck.overdue(empty, T, money="decimal") == D("0.00")
    assert ck.top_customers(empty, T, money="decimal").empty
    assert ck.by_dunning_status(empty, T, money="decimal").empty


def test_all_paid_gives_nan_rate() -> None:
    ledger = ck.Ledger.from_records(
        [ck.Invoice("F", "C", "2024-01-01", "2024-01-31", "10.00")],
        [ck.Payment("F", "2024-01-15", "10.00")],
    )
    with pytest.warns(ck.UndefinedMetricWarning, match="overdue rate"):
        assert math.isnan(ck.overdue_rate(ledger, "2024-06-30"))


def test_one_invoice_before_issue_is_absent() -> None:
    ledger = ck.Ledger.from_records([ck.Invoice("F", "C", "2024-07-01", "2024-07-31", "10.00")])
    assert ck.receivables(ledger, T, money="decimal") == D("0.00")
    with pytest.warns(ck.UndefinedMetricWarning):
        table = by_bucket(ledger, T)
    assert table["invoices"].iloc[:5].sum() == 0
    assert by_bucket(ledger, "2024-07-01").loc["not due", "amount"] == D("10.00")


def test_warning_can_be_silenced_or_raised() -> None:
    empty = ck.Ledger.from_records([])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ck.UndefinedMetricWarning)
        with pytest.raises(ck.UndefinedMetricWarning):
            ck.overdue_rate(empty, T)


def test_formula() -> None:
    # 1450 / 2450 = 0.5918367...
    assert formula_overdue_rate(1450, 2450) == 1450 / 2450
    assert f.overdue_rate(D("1450.00"), D("2450.00")) == 1450 / 2450
    assert f.overdue_rate(0.5, 2) == 0.25
    assert isinstance(f.overdue_rate(1, 3), float)
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(f.overdue_rate(0, 0))
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(f.overdue_rate(5, D("0.00")))


# ----------------------------------------------------------------------------------
# bad arguments
# ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "option"),
    [
        ({"buckets": (60, 30)}, "buckets"),
        ({"buckets": (30, 30, 60)}, "buckets"),
        ({"buckets": (0, 30)}, "buckets"),
        ({"buckets": (-30,)}, "buckets"),
        ({"buckets": ()}, "buckets"),
        ({"buckets": (30.5, 60)}, "buckets"),
        ({"buckets": 30}, "buckets"),
        ({"buckets": "30,60"}, "buckets"),
        ({"basis": "x"}, "basis"),
        ({"basis": "invoice"}, "basis"),
        ({"by": "region"}, "by"),
        ({"values": "shares"}, "values"),
    ],
    ids=[
        "buckets-decreasing",
        "buckets-repeated",
        "buckets-zero",
        "buckets-negative",
        "buckets-empty",
        "buckets-fraction",
        "buckets-int",
        "buckets-text",
        "basis-x",
        "basis-invoice",
        "by-unknown",
        "values-unknown",
    ],
)
def test_aging_bad_options(book: ck.Ledger, kwargs: dict[str, object], option: str) -> None:
    with pytest.raises(ck.CreditKPIError, match=option) as err:
        ck.aging(book, T, **kwargs, money="decimal")  # type: ignore[arg-type]
    assert err.value.column == option  # type: ignore[attr-defined]
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize(
    "call",
    [
        lambda b: ck.overdue(b, T, by="region", money="decimal"),
        lambda b: ck.overdue_rate(b, T, by="region"),
        lambda b: ck.top_customers(b, T, n=0, money="decimal"),
        lambda b: ck.top_customers(b, T, n=-1, money="decimal"),
        lambda b: ck.top_customers(b, T, n=2.5, money="decimal"),
        lambda b: ck.top_customers(b, T, n=True, money="decimal"),
        lambda b: ck.by_dunning_status(b, T, order="none", money="decimal"),
        lambda b: ck.aging(b, None, money="decimal"),
        lambda b: ck.aging(b, [], money="decimal"),
        lambda b: ck.aging(b, "30/06/2024", money="decimal"),
        lambda b: ck.overdue(b, "yesterday", money="decimal"),
    ],
    ids=[
        "overdue-by",
        "rate-by",
        "top-n-zero",
        "top-n-negative",
        "top-n-float",
        "top-n-bool",
        "status-order-text",
        "as-of-none",
        "as-of-empty",
        "as-of-not-iso",
        "as-of-text",
    ],
)
def test_other_bad_arguments(book: ck.Ledger, call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ck.CreditKPIError):
        call(book)


# ----------------------------------------------------------------------------------
# properties
# ----------------------------------------------------------------------------------

edges_strategy = st.lists(st.integers(1, 200), min_size=1, max_size=5, unique=True).map(
    lambda xs: tuple(sorted(xs))
)


@settings(max_examples=40)
@given(
    ledger_specs(max_invoices=15), as_of_dates(), edges_strategy, st.sampled_from(["due", "issue"])
)
def test_one_date_invariants(
    spec: LedgerSpec, as_of: date, edges: tuple[int, ...], basis: str
) -> None:
    ledger = spec.build()
    before = {k: v.copy() for k, v in vars(ledger._cols).items() if isinstance(v, np.ndarray)}
    edge_list = list(edges)
    receivables = ck.receivables(ledger, as_of, money="decimal")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        table = by_bucket(ledger, as_of, buckets=edge_list, basis=basis)
        default = by_bucket(ledger, as_of)
        by_customer = ck.aging(ledger, as_of, by="customer_id", money="decimal")
        by_country = ck.aging(ledger, as_of, by="country", money="decimal")
        top = ck.top_customers(ledger, as_of, n=None, money="decimal")
        status = ck.by_dunning_status(ledger, as_of, money="decimal")
    rows = table.drop(index="unapplied")
    # buckets sum exactly to R(T), whatever the edges and basis
    assert sum(rows["amount"], D(0)) == receivables
    assert len(rows) == len(edges) + (2 if basis == "due" else 1)
    if receivables > 0:
        assert rows["share"].sum() == pytest.approx(1.0, abs=1e-12)
    # invoices per bucket add up to the open invoices (issued, balance != 0)
    open_invoices = position(ledger, as_of, method="snapshot")["open_invoices"].iloc[0]
    assert rows["invoices"].sum() == open_invoices
    # the default buckets after "not due" are exactly Overdue(T)
    overdue = ck.overdue(ledger, as_of, money="decimal")
    assert sum(default["amount"].iloc[1:5], D(0)) == overdue
    # by= adds up to the whole book, bucket by bucket, unapplied cash included
    for groups, by in ((by_customer, "customer_id"), (by_country, "country")):
        for label in [*BUCKETS, "unapplied"]:
            assert sum(groups[label], D(0)) == default.loc[label, "amount"]
        assert (groups[BUCKETS].sum(axis=1) == groups["total"]).all()
        assert sum(ck.overdue(ledger, as_of, by=by, money="decimal"), D(0)) == overdue
    # the report tables add up too
    assert sum(top["balance"], D(0)) == receivables
    assert sum(status["amount"], D(0)) == receivables
    assert status["invoices"].sum() == top["invoices"].sum() == open_invoices
    assert list(top["balance"]) == sorted(top["balance"], reverse=True)
    # inputs not mutated
    assert edge_list == list(edges)
    for k, v in before.items():
        np.testing.assert_array_equal(getattr(ledger._cols, k), v)


@settings(max_examples=40)
@given(
    ledger_specs(max_invoices=15),
    st.lists(as_of_dates(), min_size=3, max_size=4, unique=True),
    edges_strategy,
)
def test_sweep_equals_date_by_date(
    spec: LedgerSpec, dates: list[date], edges: tuple[int, ...]
) -> None:
    ledger = spec.build()
    trend = ck.aging(ledger, dates, buckets=edges, money="decimal")
    for d in dates:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
            one = by_bucket(ledger, d, buckets=edges)
        row = trend.loc[pd.Timestamp(d)]
        labels = list(one.index[:-1])
        assert row[labels].tolist() == one["amount"].iloc[:-1].tolist()
        assert row["unapplied"] == one.loc["unapplied", "amount"]
        assert row["total"] == sum(one["amount"].iloc[:-1], D(0))


@settings(max_examples=20)  # four ledgers per example
@given(
    ledger_specs(max_invoices=15),
    st.lists(as_of_dates(), min_size=1, max_size=3, unique=True),
    st.integers(0, 10_000),
    st.integers(2, 1000),
    st.integers(-300, 300),
)
def test_row_order_scaling_and_shifting(
    spec: LedgerSpec, dates: list[date], seed: int, k: int, n: int
) -> None:
    as_of = dates[0]
    base = spec.build()
    shuffled = spec.shuffled(seed).build()
    scaled = spec.scaled(k).build()
    shifted = spec.shifted(n).build()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        book = by_bucket(base, as_of)
        # row order: same tables (groups compared in label order)
        pd.testing.assert_frame_equal(
            ck.aging(base, as_of, money="decimal"), ck.aging(shuffled, as_of, money="decimal")
        )
        pd.testing.assert_frame_equal(
            ck.aging(base, dates, by="customer_id", money="decimal").sort_index(),
            ck.aging(shuffled, dates, by="customer_id", money="decimal").sort_index(),
        )
        top = ck.top_customers(base, as_of, n=None, money="decimal")
        pd.testing.assert_frame_equal(
            top, ck.top_customers(shuffled, as_of, n=None, money="decimal")
        )
        status = ck.by_dunning_status(base, as_of, money="decimal")
        pd.testing.assert_frame_equal(
            status, ck.by_dunning_status(shuffled, as_of, money="decimal")
        )
        rate = ck.overdue_rate(base, dates, by="country")
        pd.testing.assert_frame_equal(
            rate.sort_index(axis=1),
            ck.overdue_rate(shuffled, dates, by="country").sort_index(axis=1),
        )
        # amounts x k: amounts scale, shares and rates do not move (exact ratios)
        big = by_bucket(scaled, as_of)
        assert [x * k for x in book["amount"]] == big["amount"].tolist()
        np.testing.assert_array_equal(book["share"].to_numpy(), big["share"].to_numpy())
        pd.testing.assert_frame_equal(rate, ck.overdue_rate(scaled, dates, by="country"))
        pd.testing.assert_frame_equal(
            ck.aging(base, dates, by="country", values="share"),
            ck.aging(scaled, dates, by="country", values="share"),
        )
        big_top = ck.top_customers(scaled, as_of, n=None, money="decimal")
        pd.testing.assert_series_equal(top["share"], big_top["share"])
        pd.testing.assert_series_equal(
            status["share"], ck.by_dunning_status(scaled, as_of, money="decimal")["share"]
        )
        # every date moved by n days, as_of too: same tables
        later = [d + timedelta(days=n) for d in dates]
        pd.testing.assert_frame_equal(
            ck.aging(base, dates, by="customer_id", money="decimal").reset_index(
                level="as_of", drop=True
            ),
            ck.aging(shifted, later, by="customer_id", money="decimal").reset_index(
                level="as_of", drop=True
            ),
        )
        pd.testing.assert_frame_equal(
            status, ck.by_dunning_status(shifted, later[0], money="decimal")
        )


@settings(max_examples=15)
@given(ledger_specs(max_invoices=15), st.lists(as_of_dates(), min_size=1, max_size=4, unique=True))
def test_split_by_customer_adds_up(spec: LedgerSpec, dates: list[date]) -> None:
    whole = ck.aging(spec.build(), dates, money="decimal")
    parts = [ck.aging(p.build(), dates, money="decimal") for p in spec.split_by_customer()]
    total = parts[0]
    for p in parts[1:]:
        total = total + p
    pd.testing.assert_frame_equal(total, whole)
