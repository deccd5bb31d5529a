"""Invoice cohorts (SPEC §4.7): hand-computed tables and metamorphic properties."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

import creditkpi as ck
from tests.strategies import LedgerSpec, as_of_dates, ledger_specs

NAN = math.nan


@pytest.fixture(scope="module")
def book() -> ck.Ledger:
    """Every figure of the tables below is computed by hand from this ledger.

    January cohort (A1 + A2 + A3 = 100 + 300 + 100 = 500.00):
      A1 paid 60 on 01-25 and 40 on 02-05 (fully settled in February);
      A2 credit note 100 on 01-31, paid 150 on 03-15, written off 50 on 04-30
         (the write-off is not collection: A2 is never fully settled);
      A3 issued 01-31, paid 100 on 02-29.
    February cohort (B1 + B2 = 200 + 50 = 250.00):
      B1 paid 200 on 02-20; B2 paid 30 on 05-02 (partial).
    No invoice in March: no March cohort.
    April cohort: D1 400 paid on 04-30.  May cohort: E1 100 paid on 05-12.
    Unapplied cash (999 from C1 on 01-10) belongs to no cohort.
    """
    return ck.Ledger.from_records(
        [
            ck.Invoice("A1", "C1", "2024-01-05", "2024-02-04", "100.00"),
            ck.Invoice("A2", "C2", "2024-01-20", "2024-02-19", "300.00"),
            ck.Invoice("A3", "C1", "2024-01-31", "2024-03-01", "100.00"),
            ck.Invoice("B1", "C2", "2024-02-10", "2024-03-11", "200.00"),
            ck.Invoice("B2", "C3", "2024-02-29", "2024-03-30", "50.00"),
            ck.Invoice("D1", "C3", "2024-04-15", "2024-05-15", "400.00"),
            ck.Invoice("E1", "C1", "2024-05-10", "2024-06-09", "100.00"),
        ],
        [
            ck.Payment("A1", "2024-01-25", "60.00"),
            ck.Payment("A1", "2024-02-05", "40.00"),
            ck.Payment("A2", "2024-01-31", "100.00", kind="credit_note"),
            ck.Payment("A2", "2024-03-15", "150.00"),
            ck.Payment("A2", "2024-04-30", "50.00", kind="write_off"),
            ck.Payment("A3", "2024-02-29", "100.00"),
            ck.Payment("B1", "2024-02-20", "200.00"),
            ck.Payment("B2", "2024-05-02", "30.00"),
            ck.Payment("D1", "2024-04-30", "400.00"),
            ck.Payment("E1", "2024-05-12", "100.00"),
            ck.Payment(None, "2024-01-10", "999.00", customer="C1"),
        ],
    )


def table(rows: dict[str, list[float]], n_ages: int) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(
        {k: v + [NAN] * (n_ages - len(v)) for k, v in rows.items()}, orient="index"
    )
    frame = frame.astype(float).reindex(columns=range(n_ages))
    frame.index = pd.PeriodIndex([pd.Period(k) for k in rows], name="cohort")
    frame.columns = pd.RangeIndex(n_ages, name="age")
    return frame


CASES = [
    # as of 04-30 (a month end: April is age 3 of January, complete)
    # Jan: end Jan 60 + CN 100 = 160 / 500 = 0.32; end Feb +40 +100 = 300 -> 0.6;
    #      end Mar +150 = 450 -> 0.9; end Apr: the write-off does not count -> 0.9
    # Feb: end Feb 200 / 250 = 0.8, then 0.8, 0.8 (B2's payment is in May)
    # Apr: 400 / 400 = 1.0
    (
        "2024-04-30",
        "amount",
        {
            "2024-01": [0.32, 0.6, 0.9, 0.9],
            "2024-02": [0.8, 0.8, 0.8],
            "2024-04": [1.0],
        },
        4,
    ),
    # count: Jan: A1 settled 02-05, A3 02-29, A2 never -> 0/3, 2/3, 2/3, 2/3
    #        Feb: B1 02-20, B2 open -> 1/2 ...; Apr: D1 -> 1/1
    (
        "2024-04-30",
        "count",
        {
            "2024-01": [0.0, 2 / 3, 2 / 3, 2 / 3],
            "2024-02": [0.5, 0.5, 0.5],
            "2024-04": [1.0],
        },
        4,
    ),
    # mid-May: May is not complete, so the table is the one of 04-30 plus an
    # all-missing May cohort (E1 is issued on 05-10 <= as_of)
    (
        "2024-05-15",
        "amount",
        {
            "2024-01": [0.32, 0.6, 0.9, 0.9],
            "2024-02": [0.8, 0.8, 0.8],
            "2024-04": [1.0],
            "2024-05": [],
        },
        4,
    ),
    # end of May: Feb age 3 = (200 + 30) / 250 = 0.92; Apr age 1 = 1.0; May 100/100
    (
        "2024-05-31",
        "amount",
        {
            "2024-01": [0.32, 0.6, 0.9, 0.9, 0.9],
            "2024-02": [0.8, 0.8, 0.8, 0.92],
            "2024-04": [1.0, 1.0],
            "2024-05": [1.0],
        },
        5,
    ),
    (
        "2024-05-31",
        "count",
        {
            "2024-01": [0.0, 2 / 3, 2 / 3, 2 / 3, 2 / 3],
            "2024-02": [0.5, 0.5, 0.5, 0.5],
            "2024-04": [1.0, 1.0],
            "2024-05": [1.0],
        },
        5,
    ),
    # 01-31 is January's last day: age 0 only; A3 issued that day counts
    ("2024-01-31", "amount", {"2024-01": [0.32]}, 1),
    ("2024-01-31", "count", {"2024-01": [0.0]}, 1),
]


@pytest.mark.parametrize(
    ("as_of", "weight", "rows", "n_ages"),
    CASES,
    ids=[
        "apr-amount",
        "apr-count",
        "mid-may-amount",
        "may-amount",
        "may-count",
        "jan-end-amount",
        "jan-end-count",
    ],
)
def test_hand_computed(
    book: ck.Ledger, as_of: str, weight: str, rows: dict[str, list[float]], n_ages: int
) -> None:
    got = ck.cohorts(book, as_of, weight=weight)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(got, table(rows, n_ages), check_exact=True)


def test_quarterly_cohorts(book: ck.Ledger) -> None:
    # Q1 = Jan + Feb invoices = 500 + 250 = 750: by 03-31 450 + 200 = 650;
    # by 06-30 + B2's 30 = 680. Q2 = D1 + E1 = 500, all collected by 06-30.
    got = ck.cohorts(book, date(2024, 6, 30), granularity="quarter")
    expected = table({"2024-Q1": [650 / 750, 680 / 750], "2024-Q2": [1.0]}, 2)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    # the year 2024 has not ended: one cohort, no complete age yet
    assert ck.cohorts(book, "2024-06-30", granularity="year").shape == (1, 0)


def test_missing_ages_stay_missing(book: ck.Ledger) -> None:
    got = ck.cohorts(book, "2024-05-15")
    # B2's payment of 05-02 is dated on or before as_of, but May has not ended
    assert math.isnan(got.loc["2024-02", 3])
    assert got.loc["2024-05"].isna().all()  # the current month: nothing complete
    assert got.loc["2024-04", 0] == 1.0 and math.isnan(got.loc["2024-04", 1])  # not carried


def test_as_of_mid_first_month_has_no_complete_age(book: ck.Ledger) -> None:
    got = ck.cohorts(book, "2024-01-15")
    assert got.shape == (1, 0) and [str(p) for p in got.index] == ["2024-01"]
    assert got.index.name == "cohort" and got.columns.name == "age"


def test_before_any_invoice_is_empty(book: ck.Ledger) -> None:
    got = ck.cohorts(book, "2023-12-31", weight="count")
    assert got.shape == (0, 0)


def test_one_invoice_all_paid_on_issue_day() -> None:
    ledger = ck.Ledger.from_records(
        [ck.Invoice("F1", "C1", "2024-03-31", "2024-04-30", "10.00")],
        [ck.Payment("F1", "2024-03-31", "10.00")],
    )
    for weight in ("amount", "count"):
        pd.testing.assert_frame_equal(
            ck.cohorts(ledger, "2024-04-30", weight=weight),  # type: ignore[arg-type]
            table({"2024-03": [1.0, 1.0]}, 2),
        )


def test_settlement_before_issue_counts_from_issue() -> None:
    with pytest.warns(ck.DataQualityWarning):
        ledger = ck.Ledger.from_records(
            [ck.Invoice("F1", "C1", "2024-02-10", "2024-03-10", "80.00")],
            [ck.Payment("F1", "2024-01-20", "20.00")],
        )
    # 20 / 80 = 0.25 at age 0 of the February cohort; count: not fully settled
    pd.testing.assert_frame_equal(ck.cohorts(ledger, "2024-02-29"), table({"2024-02": [0.25]}, 1))
    pd.testing.assert_frame_equal(
        ck.cohorts(ledger, "2024-02-29", weight="count"), table({"2024-02": [0.0]}, 1)
    )


def test_write_off_is_not_settled_in_either_view() -> None:
    ledger = ck.Ledger.from_records(
        [ck.Invoice("F1", "C1", "2024-01-10", "2024-02-09", "100.00")],
        [
            ck.Payment("F1", "2024-01-20", "70.00"),
            ck.Payment("F1", "2024-01-25", "30.00", kind="write_off"),
        ],
    )
    assert ck.cohorts(ledger, "2024-01-31").iloc[0, 0] == 0.7
    assert ck.cohorts(ledger, "2024-01-31", weight="count").iloc[0, 0] == 0.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"weight": "cash"},
        {"granularity": "week"},
        {"as_of": ["2024-01-31", "2024-02-29"]},
        {"as_of": None},
        {"as_of": "31/01/2024"},
    ],
    ids=["weight", "granularity", "as_of-list", "as_of-none", "as_of-text"],
)
def test_bad_arguments(book: ck.Ledger, kwargs: dict[str, object]) -> None:
    args = {"as_of": "2024-04-30", **kwargs}
    with pytest.raises(ck.CreditKPIError):
        ck.cohorts(book, **args)  # type: ignore[arg-type]


def test_input_not_mutated(book: ck.Ledger) -> None:
    before = (
        book._cols.amount.copy(),
        book._cols.settlement_amount.copy(),
        book._cols.settlement_date.copy(),
    )
    ck.cohorts(book, "2024-05-31")
    ck.cohorts(book, "2024-05-31", weight="count")
    assert all(
        np.array_equal(a, b)
        for a, b in zip(
            before,
            (book._cols.amount, book._cols.settlement_amount, book._cols.settlement_date),
            strict=True,
        )
    )


# ----------------------------------------------------------------------------------
# properties
# ----------------------------------------------------------------------------------

WEIGHTS = ("amount", "count")


@given(ledger_specs(), as_of_dates())
def test_rows_are_monotone_with_a_missing_tail(spec: LedgerSpec, as_of: date) -> None:
    ledger = spec.build()
    for weight in WEIGHTS:
        values = ck.cohorts(ledger, as_of, weight=weight).to_numpy()  # type: ignore[arg-type]
        for row in values:
            known = row[~np.isnan(row)]
            # complete ages first, then only missing ones (never a gap, never carried)
            assert np.isnan(row[known.size :]).all()
            assert (np.diff(known) >= 0).all()
            assert ((known >= 0) & (known <= 1)).all()  # the strategy never overpays
        if values.size:  # the oldest cohort has every age
            assert not np.isnan(values[0]).any()


@given(ledger_specs(), as_of_dates(), st.integers(2, 1000), st.integers(0, 100))
def test_scaling_and_row_order_leave_the_table_unchanged(
    spec: LedgerSpec, as_of: date, k: int, seed: int
) -> None:
    base, scaled, shuffled = spec.build(), spec.scaled(k).build(), spec.shuffled(seed).build()
    for weight in WEIGHTS:
        a = ck.cohorts(base, as_of, weight=weight)  # type: ignore[arg-type]
        pd.testing.assert_frame_equal(a, ck.cohorts(scaled, as_of, weight=weight), check_exact=True)  # type: ignore[arg-type]
        pd.testing.assert_frame_equal(
            a, ck.cohorts(shuffled, as_of, weight=weight), check_exact=True
        )  # type: ignore[arg-type]


@given(ledger_specs(), as_of_dates(), st.integers(-14, 14))
def test_shifting_by_whole_months_relabels_cohorts(
    spec: LedgerSpec, as_of: date, months: int
) -> None:
    as_of = as_of.replace(day=min(as_of.day, 27))  # never a month end, before or after
    base, moved = spec.build(), spec.shifted_months(months).build()
    for weight in WEIGHTS:
        a = ck.cohorts(base, as_of, weight=weight)  # type: ignore[arg-type]
        b = ck.cohorts(moved, as_of + relativedelta(months=months), weight=weight)  # type: ignore[arg-type]
        assert a.shape == b.shape
        np.testing.assert_array_equal(a.to_numpy(), b.to_numpy())
        assert list(b.index) == [c + months for c in a.index]


def test_amount_view_on_the_sample_is_sensible() -> None:
    from creditkpi import datasets

    got = ck.cohorts(datasets.sample(), "2024-12-31")
    assert [str(p) for p in got.index[[0, -1]]] == ["2023-01", "2024-12"]
    assert got.shape == (24, 24)
    assert got.iloc[0, 0] < 0.5 < got.iloc[0, 3]  # little is paid in the month of issue
    assert (got.iloc[:, 6].dropna() > 0.9).all()
