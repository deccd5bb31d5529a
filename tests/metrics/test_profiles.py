"""Payer profiles: a book worked out by hand, the payment index, grades, properties."""

from __future__ import annotations

import math
import warnings
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import creditkpi as ck
from creditkpi.core.period import window_start
from creditkpi.metrics.profiles import (
    PROFILE_COLUMNS,
    formula_payment_index,
    payer_profiles,
)
from tests.strategies import CUSTOMERS, START, LedgerSpec, as_of_dates, ledger_specs

AS_OF = "2024-12-31"  # the 12-month window runs from 2024-01-01


@pytest.fixture(scope="module")
def book() -> ck.Ledger:
    """Days beyond terms (payment day - due date) worked out by hand.

    C1  A1 2023-11-01 due 12-01  100.00  paid 2024-01-10                 +40 (in the window)
        A2 2024-03-01 due 03-31  200.00  paid 03-21                      -10
        A3 2024-06-01 due 07-01  300.00  100 on 07-11 (+10), 200 on 08-10 (+40)
        A4 2024-11-01 due 12-01  400.00  open: 30 days past due; disputed 12-05
        A5 2024-12-15 due 2025-01-14 500.00 open, not due
        credit limits: 2000 on A1-A4, 1500 on A5 (the latest)
    C2  B1 2024-12-20 due 2025-01-19 1000.00 open, not due
    C3  E1 2023-01-05 due 02-04  50.00  paid 2023-02-01 (before the window)
    C4  unapplied cash only; C5 invoiced after the cut-off: no row
    """
    invoices = [
        ("A1", "C1", "2023-11-01", "2023-12-01", "100.00", "2000"),
        ("A2", "C1", "2024-03-01", "2024-03-31", "200.00", "2000"),
        ("A3", "C1", "2024-06-01", "2024-07-01", "300.00", "2000"),
        ("A4", "C1", "2024-11-01", "2024-12-01", "400.00", "2000"),
        ("A5", "C1", "2024-12-15", "2025-01-14", "500.00", "1500"),
        ("B1", "C2", "2024-12-20", "2025-01-19", "1000.00", None),
        ("E1", "C3", "2023-01-05", "2023-02-04", "50.00", None),
        ("H1", "C5", "2025-01-05", "2025-02-04", "70.00", "10"),
    ]
    return ck.Ledger.from_records(
        [ck.Invoice(i, c, a, b, m, attrs={"credit_limit": k}) for i, c, a, b, m, k in invoices],
        [
            ck.Payment("A1", "2024-01-10", "100.00"),
            ck.Payment("A2", "2024-03-21", "200.00"),
            ck.Payment("A3", "2024-07-11", "100.00"),
            ck.Payment("A3", "2024-08-10", "200.00"),
            ck.Payment("E1", "2023-02-01", "50.00"),
            ck.Payment(None, "2024-05-05", "30.00", customer="C4"),
            ck.Payment("A4", "2025-01-10", "400.00"),  # after the cut-off
        ],
        [ck.Dispute("A4", "2024-12-05", "price"), ck.Dispute("A1", "2023-11-20", "price")],
    )


@pytest.fixture(scope="module")
def profiles(book: ck.Ledger) -> pd.DataFrame:
    with pytest.warns(ck.UndefinedMetricWarning, match="undefined for 2 of 3 customers"):
        return payer_profiles(book, AS_OF)


def test_columns_and_rows(profiles: pd.DataFrame) -> None:
    assert list(profiles.columns) == list(PROFILE_COLUMNS)
    assert profiles.index.name == "customer_id"
    assert profiles.index.tolist() == ["C1", "C2", "C3"]


def test_customer_by_hand(profiles: pd.DataFrame) -> None:
    c1 = profiles.loc["C1"]
    assert (c1["invoices"], c1["invoiced"]) == (4, 1400.0)  # A2-A5 issued in 2024
    assert (c1["payments"], c1["paid"]) == (4, 600.0)  # A1's is dated in the window
    # (100×40 - 200×10 + 100×10 + 200×40) / 600 = 11000 / 600
    assert c1["days_beyond_terms"] == pytest.approx(11000 / 600)
    assert c1["days_late"] == pytest.approx(13000 / 600)  # the early payment counts 0
    assert c1["share_late_by_count"] == 0.75
    assert c1["share_late_by_amount"] == pytest.approx(400 / 600)
    assert c1["share_over_30_days"] == pytest.approx(300 / 600)  # the two +40 payments
    # no payment in October-December: no recent figure, hence no change
    assert math.isnan(c1["trend_recent"])
    assert c1["trend_before"] == pytest.approx(11000 / 600)
    assert math.isnan(c1["trend_change"])
    # monthly: Jan +40, Mar -10, Jul +10, Aug +40 at months 0, 2, 6, 7; pairwise slopes
    # -25, -5, 0, 5, 10, 30: Theil-Sen median 2.5 days per month
    assert c1["trend_slope"] == 2.5
    # censored median of A2-A5: -14 A5 censored, -10 A2 settled (2/3), 30 A4 censored,
    # 40 A3 settled (0)
    assert c1["median_days_beyond_terms"] == 40.0
    assert c1["disputes"] == 1  # the one of 2023 is before the window
    assert (c1["receivables"], c1["overdue"]) == (900.0, 400.0)
    assert c1["open_days_beyond_terms"] == 30.0
    assert (c1["credit_limit"], c1["limit_use"]) == (1500.0, 0.6)
    # 18.33 days: between 15 -> 70 and 22 -> 60
    assert c1["payment_index"] == pytest.approx(70 - (11000 / 600 - 15) * 10 / 7)
    # open balance 900: 400 overdue by 30 days, 500 current: 13.3 days late on average
    assert c1["open_days_late"] == pytest.approx(30 * 400 / 900)
    assert (c1["written_off"], c1["share_written_off"]) == (0.0, 0.0)
    # default scale: paid 18.3 (B), median 40 (C), 67% paid late (A), open 13.3 (A),
    # nothing written off (A), 60% of its limit (A): the worst, C
    assert c1["grade"] == "C"
    assert c1["reasons"] == [
        "censored median 40 days beyond terms (C: up to 60)",
        "insufficient history: 4 invoices in the window (minimum 5)",
    ]
    assert bool(c1["insufficient_history"]) is True


def test_customers_without_payments(profiles: pd.DataFrame) -> None:
    c2 = profiles.loc["C2"]
    assert (c2["invoices"], c2["payments"], c2["receivables"], c2["overdue"]) == (1, 0, 1000.0, 0.0)
    for column in ("days_beyond_terms", "payment_index", "open_days_beyond_terms", "limit_use"):
        assert math.isnan(c2[column]), column
    assert math.isnan(c2["median_days_beyond_terms"])  # censored at -19 only
    assert math.isnan(c2["credit_limit"])
    assert c2["grade"] is None
    assert c2["reasons"] == [
        "no payment in the window and no overdue balance: nothing to grade",
        "insufficient history: 1 invoice in the window (minimum 5)",
    ]
    c3 = profiles.loc["C3"]
    assert (c3["invoices"], c3["payments"], c3["receivables"]) == (0, 0, 0.0)
    assert c3["reasons"][-1] == "insufficient history: 0 invoices in the window (minimum 5)"


def test_money_decimal(book: ck.Ledger) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        exact = payer_profiles(book, AS_OF, money="decimal")
    assert exact.loc["C1", "receivables"] == Decimal("900.00")
    assert exact.loc["C1", "credit_limit"] == Decimal("1500.00")
    assert exact.loc["C2", "credit_limit"] is None
    assert exact["paid"].tolist() == [Decimal("600.00"), Decimal("0.00"), Decimal("0.00")]


def test_custom_grades_and_history(book: ck.Ledger) -> None:
    grades = {"good": 10, "fair": 45, "poor": None}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        out = payer_profiles(book, AS_OF, grades=grades, min_invoices=4)
    assert out.loc["C1", "grade"] == "fair"
    assert out.loc["C1", "reasons"] == [
        "paid 18.3 days beyond terms on average (fair: up to 45)",
        "censored median 40 days beyond terms (fair: up to 45)",
        "open balance 13.3 days past due on average (fair: up to 45)",
    ]
    assert out["insufficient_history"].tolist() == [False, True, True]


def test_trend_recent_and_before() -> None:
    # due 01-31 each month-ish; paid 10 days late before October, 40 days late after
    invoices, payments = [], []
    for k, month in enumerate(range(1, 13)):
        issue = date(2024, month, 1)
        due = issue + timedelta(days=30)
        late = 40 if month >= 9 else 10
        paid = due + timedelta(days=late)
        if paid > date(2024, 12, 31):
            continue
        invoices.append(ck.Invoice(f"T{k}", "C1", issue, due, "100.00"))
        payments.append(ck.Payment(f"T{k}", paid, "100.00"))
    ledger = ck.Ledger.from_records(invoices, payments)
    row = payer_profiles(ledger, AS_OF).loc["C1"]
    # Sept invoice paid 11-10, Oct's 12-10: recent (Oct-Dec) = 40; before = 10 (Feb-Aug
    # payments of Jan-Jul invoices) and the August invoice paid 09-10 (+10)
    assert row["trend_recent"] == 40.0
    assert row["trend_before"] == 10.0
    assert row["trend_change"] == 30.0
    assert row["trend_slope"] == 0.0  # most monthly pairs are flat: robust to the jump


@pytest.mark.parametrize(
    ("days", "index"),
    [
        (-60, 100.0),
        (-30, 100.0),
        (-20, 90.0),
        (-10, 85.0),
        (0, 80.0),
        (15, 70.0),
        (22, 60.0),
        (30, 50.0),
        (60, 40.0),
        (90, 30.0),
        (120, 20.0),
        (180, 10.0),
        (240, 0.0),
        (1000, 0.0),
    ],
)
def test_payment_index_key_points(days: float, index: float) -> None:
    assert formula_payment_index(days) == index


def test_payment_index_decreases() -> None:
    values = formula_payment_index(np.arange(-100, 300, 0.5))
    assert (np.diff(values) <= 0).all()
    assert values.max() == 100.0
    assert values.min() == 0.0
    assert math.isnan(formula_payment_index(float("nan")))


# ----------------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"window": "90D"}, "needs a window in months or years"),
        ({"window": "3M"}, "window must be longer than 3 months"),
        ({"window": "twelve"}, "window must be a number of days"),
        ({"min_invoices": -1}, "min_invoices must be >= 0"),
        ({"min_invoices": True}, "min_invoices must be a whole number"),
        ({"money": "cents"}, "money must be one of 'float', 'decimal'; got 'cents'"),
        ({"grades": {}}, "grades must map each grade"),
        ({"grades": {"A": 30, "B": 20, "C": None}}, "grade bounds must increase"),
        ({"grades": {"A": 30, "B": 60}}, "the last grade \\('B'\\) must be open-ended"),
        ({"grades": {"A": None, "B": None}}, "only the last grade may be open-ended"),
        ({"grades": {"A": "30", "B": None}}, "grade 'A' needs a number of days"),
    ],
)
def test_bad_options(book: ck.Ledger, kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ck.CreditKPIError, match=match):
        payer_profiles(book, AS_OF, **kwargs)


def test_one_date_only(book: ck.Ledger) -> None:
    with pytest.raises(ck.CreditKPIError, match="one as-of date"):
        payer_profiles(book, [AS_OF, "2024-11-30"])


@pytest.mark.parametrize(
    ("limit", "match"),
    [
        (
            "lots",
            "invalid-amount: 1 amount\\(s\\) are not numbers in column 'credit_limit' "
            "\\(first: 'X2'; values: 'lots'\\)",
        ),
        (
            "-5",
            "invalid-amount: 1 credit limit\\(s\\) are negative in column 'credit_limit' "
            "\\(first: 'X2'; values: '-5'\\)",
        ),
        (
            "10.001",
            "sub-minor-unit-amount: 1 amount\\(s\\) are finer than the currency's minor unit "
            "\\(10\\^-2\\) in column 'credit_limit' \\(first: 'X2'; values: '10.001'\\)",
        ),
    ],
)
def test_bad_credit_limit(limit: str, match: str) -> None:
    ledger = ck.Ledger.from_records(
        [
            ck.Invoice(
                "X1", "C1", "2024-01-01", "2024-01-31", "10.00", attrs={"credit_limit": "100"}
            ),
            ck.Invoice(
                "X2", "C1", "2024-02-01", "2024-02-29", "10.00", attrs={"credit_limit": limit}
            ),
        ]
    )
    with pytest.raises(ck.CreditKPIError, match=match):
        payer_profiles(ledger, AS_OF)


def test_empty_ledger() -> None:
    out = payer_profiles(ck.Ledger.from_records([]), AS_OF)
    assert list(out.columns) == list(PROFILE_COLUMNS)
    assert len(out) == 0


# ----------------------------------------------------------------------------------
# properties
# ----------------------------------------------------------------------------------


def _profiles(spec: LedgerSpec, as_of: date, **kwargs: Any) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        return payer_profiles(spec.build(), as_of, **kwargs)


def _window(as_of: date) -> ck.Period:
    return ck.Period(window_start(as_of, "12M"), as_of)


@given(
    st.one_of(ledger_specs(max_invoices=20), ledger_specs(max_invoices=20, applied=True)),
    as_of_dates(),
)
def test_days_late_equal_payment_delays(spec: LedgerSpec, as_of: date) -> None:
    """Also with application dates: both count to the day the customer paid."""
    out = _profiles(spec, as_of)
    assume(int(out["payments"].sum()) > 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        delays = ck.payment_delays(spec.build(), _window(as_of), by="customer_id")
    paid = out[out["payments"] > 0]
    np.testing.assert_array_equal(
        paid["days_late"].to_numpy(), delays.loc[paid.index, "days_late"].to_numpy()
    )
    np.testing.assert_array_equal(
        paid["share_late_by_amount"].to_numpy(),
        delays.loc[paid.index, "share_paid_late"].to_numpy(),
    )
    assert paid["payments"].tolist() == delays.loc[paid.index, "payments"].tolist()


@st.composite
def paid_in_one_payment(draw: st.DrawFn) -> LedgerSpec:
    """Invoices each paid in full in one payment on or after its due date, or left open."""
    invoices, payments = [], []
    for k in range(draw(st.integers(1, 25))):
        issue = START + timedelta(days=draw(st.integers(0, 500)))
        due = issue + timedelta(days=draw(st.sampled_from([0, 15, 30, 60])))
        amount = Decimal(draw(st.integers(1, 10_000_000))).scaleb(-2)
        invoices.append(ck.Invoice(f"P{k}", draw(st.sampled_from(CUSTOMERS)), issue, due, amount))
        late = draw(st.one_of(st.none(), st.integers(0, 150)))
        if late is not None:
            payments.append(ck.Payment(f"P{k}", due + timedelta(days=late), amount))
    return LedgerSpec(invoices, payments)


@settings(max_examples=20)
@given(paid_in_one_payment(), as_of_dates())
def test_days_beyond_terms_of_single_payments_equal_days_late(
    spec: LedgerSpec, as_of: date
) -> None:
    out = _profiles(spec, as_of)
    assume(int(out["payments"].sum()) > 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        delays = ck.payment_delays(spec.build(), _window(as_of), by="customer_id")
    paid = out[out["payments"] > 0]
    np.testing.assert_allclose(
        paid["days_beyond_terms"].to_numpy(), delays.loc[paid.index, "days_late"].to_numpy()
    )


@given(ledger_specs(max_invoices=20), as_of_dates())
def test_nothing_after_the_cut_off_counts(spec: LedgerSpec, as_of: date) -> None:
    seen = replace(
        spec,
        invoices=[i for i in spec.invoices if i.issue_date <= as_of],
        payments=[p for p in spec.payments if p.date <= as_of],
        disputes=[d for d in spec.disputes if d.opened <= as_of],
        statuses=[s for s in spec.statuses if s.date <= as_of],
        doubtful=[d for d in spec.doubtful if d.date <= as_of],
    )
    kept = {i.id for i in seen.invoices}
    seen = replace(
        seen,
        payments=[p for p in seen.payments if p.invoice is None or p.invoice in kept],
        disputes=[d for d in seen.disputes if d.invoice in kept],
        statuses=[s for s in seen.statuses if s.invoice in kept],
        doubtful=[d for d in seen.doubtful if d.invoice in kept],
    )
    pd.testing.assert_frame_equal(_profiles(spec, as_of), _profiles(seen, as_of))


@settings(max_examples=15)  # each example builds a ledger per customer: kept lean
@given(ledger_specs(max_invoices=20), as_of_dates())
def test_each_customer_alone(spec: LedgerSpec, as_of: date) -> None:
    whole = _profiles(spec, as_of)
    for part in spec.split_by_customer():
        alone = _profiles(part, as_of)
        assert alone.index.tolist() == whole.index.intersection(alone.index).tolist()
        pd.testing.assert_frame_equal(alone, whole.loc[alone.index])
