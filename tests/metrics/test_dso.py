"""DSO family: hand-computed standard, countback, best possible DSO and ADD; properties."""

from __future__ import annotations

import math
import warnings
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import creditkpi as ck
from creditkpi import formulas as f
from creditkpi.core.period import from_day
from creditkpi.metrics.dso import dso_summary
from tests.strategies import LedgerSpec, ledger_specs

# ----------------------------------------------------------------------------------
# fixtures
# ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def book() -> ck.Ledger:
    """A small book; every figure below is computed by hand from it.

    A1 A/FR issued 03-10 due 04-09 1000.00: paid 400 on 04-20 -> 600 open, overdue from 04-10
    A2 A/FR issued 04-05 due 05-05 2000.00: credit note 200 on 04-28 -> 1800
    B1 B/DE issued 04-12 due 04-27 1500.00: paid 1500 on 04-26 -> 0
    B2 B/DE issued 04-25 due 05-25  500.00: open

    March (31 d): S = 1000, R(02-29) = 0, R(03-31) = 1000, nothing overdue (A1 due 04-09).
    April (30 d): S = 2000 + 1500 + 500 - 200 = 3800; R(03-31) = 1000;
      R(04-30) = 600 + 1800 + 0 + 500 = 2900; Overdue(04-30) = 600 (A1); Current = 2300.
    May (31 d): S = 0; R(05-31) = 2900.
    Q2 (91 d): S = 3800; R(06-30) = 2900, all overdue (Current 0).
    """
    return ck.Ledger.from_records(
        [
            ck.Invoice("A1", "A", "2024-03-10", "2024-04-09", "1000.00", attrs={"country": "FR"}),
            ck.Invoice("A2", "A", "2024-04-05", "2024-05-05", "2000.00", attrs={"country": "FR"}),
            ck.Invoice("B1", "B", "2024-04-12", "2024-04-27", "1500.00", attrs={"country": "DE"}),
            ck.Invoice("B2", "B", "2024-04-25", "2024-05-25", "500.00", attrs={"country": "DE"}),
        ],
        [
            ck.Payment("A1", "2024-04-20", "400.00"),
            ck.Payment("B1", "2024-04-26", "1500.00"),
            ck.Payment("A2", "2024-04-28", "200.00", kind="credit_note"),
        ],
    )


@pytest.fixture(scope="module")
def countback_book() -> ck.Ledger:
    """Six months of sales for the countback walk (2024, Feb has 29 days).

    J1 A issued 01-10 due 02-09 50000: paid 35000 on 03-20, credit note 5000 on 04-15
    F1 B issued 02-12 due 03-13 20000
    M1 A issued 03-05 due 04-04 30000
    U1 B issued 06-03 due 07-03 40000
    U2 B issued 06-20 due 07-20 10000   (after the mid-month T = 06-15)

    Monthly sales: Jan 50000, Feb 20000, Mar 30000, Apr -5000 (credit note > invoices),
    May 0, Jun 50000 (40000 up to 06-15).
    R(06-30) = J1 10000 + F1 20000 + M1 30000 + U1 40000 + U2 10000 = 110000.
    R(06-15) = 100000 (U2 not issued yet).
    """
    return ck.Ledger.from_records(
        [
            ck.Invoice("J1", "A", "2024-01-10", "2024-02-09", "50000.00"),
            ck.Invoice("F1", "B", "2024-02-12", "2024-03-13", "20000.00"),
            ck.Invoice("M1", "A", "2024-03-05", "2024-04-04", "30000.00"),
            ck.Invoice("U1", "B", "2024-06-03", "2024-07-03", "40000.00"),
            ck.Invoice("U2", "B", "2024-06-20", "2024-07-20", "10000.00"),
        ],
        [
            ck.Payment("J1", "2024-03-20", "35000.00"),
            ck.Payment("J1", "2024-04-15", "5000.00", kind="credit_note"),
        ],
    )


def _quiet(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        return fn(*args, **kwargs)


# ----------------------------------------------------------------------------------
# formulas
# ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("receivables", "sales", "days", "expected"),
    [
        (800, 600, 30, 40.0),  # 800 / 600 × 30
        (120_000, 90_000, 31, 3_720_000 / 90_000),  # 41.333…
        (Decimal("1234.56"), Decimal("2469.12"), 30, 15.0),  # half the sales × 30
        (300_000, 910_000, 91, 30.0),  # a quarter: 300/910 × 91
        (0, 500, 30, 0.0),
        (-100, 1000, 30, -3.0),  # net credit balance: kept, not clipped
        (1.5, 3.0, 31, 15.5),
    ],
    ids=["basic", "fraction", "decimal", "quarter", "nothing-owed", "negative-R", "floats"],
)
def test_formula_dso(receivables: object, sales: object, days: int, expected: float) -> None:
    assert f.dso(receivables, sales, days) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(
    ("current", "sales", "days", "expected"),
    [(600, 600, 30, 30.0), (2300, 3800, 30, 69_000 / 3800), (0, 3800, 91, 0.0)],
    ids=["all-current", "book-april", "nothing-current"],
)
def test_formula_best_possible_dso(current: int, sales: int, days: int, expected: float) -> None:
    assert f.best_possible_dso(current, sales, days) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("sales", [0, -10, Decimal("0.00")], ids=["zero", "negative", "decimal"])
def test_formula_dso_undefined(sales: object) -> None:
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(f.dso(100, sales, 30))
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(f.best_possible_dso(100, sales, 30))


#: the five-month walk (plus the one that ends it), newest first
WALK = [(40_000, 30), (0, 31), (-5_000, 30), (30_000, 31), (20_000, 29), (50_000, 31)]


@pytest.mark.parametrize(
    ("receivables", "months", "expected"),
    [
        # 100000: Jun 40000 -> 30 d, r 60000; May no sales -> 31 (61); Apr -5000 -> 30 (91),
        # r 65000; Mar 30000 -> 31 (122), r 35000; Feb 20000 -> 29 (151), r 15000;
        # Jan 50000 > r -> 31 × 15000/50000 = 9.3 -> 160.3
        (100_000, WALK, 160.3),
        # inside the first month: 15 × 10000/40000
        (10_000, [(40_000, 15), (99, 31)], 3.75),
        # exactly the first month: 30 whole days, the walk stops (no further month needed)
        (40_000, [(40_000, 30)], 30.0),
        # exactly used up, then a month without sales: still stops at 30
        (40_000, [(40_000, 30), (0, 31)], 30.0),
        # 45000 = 40000 (30 d) + 5000 of 10000 in a 31-day month: 30 + 15.5
        (45_000, [(40_000, 30), (10_000, 31)], 45.5),
        # negative month first: 31 whole days and r grows to 300; then 300/600 × 30
        (200, [(-100, 31), (600, 30)], 46.0),
        (Decimal("800.00"), [(Decimal("600.00"), 30), (Decimal("300.00"), 31)], 30 + 31 * 2 / 3),
    ],
    ids=[
        "five-months",
        "partial-first",
        "exact-first",
        "exact-then-zero",
        "half-second",
        "negative-first",
        "decimal",
    ],
)
def test_formula_countback(receivables: object, months: list[tuple[object, int]], expected: float):
    assert f.countback_dso(receivables, months) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("receivables", [0, -500, Decimal("-0.01")], ids=["zero", "neg", "cent"])
def test_formula_countback_nothing_owed(receivables: object) -> None:
    assert f.countback_dso(receivables, WALK) == 0.0
    assert f.countback_dso(receivables, []) == 0.0


@pytest.mark.parametrize(
    ("receivables", "months"),
    [
        (200_000, WALK),  # all sales since January: 135000 < 200000
        (1, []),  # no history at all
        (100, [(0, 31), (0, 30)]),  # only months without sales
        (100_000, WALK[:5]),  # history stops in February with r = 15000 left
    ],
    ids=["too-much", "no-months", "no-sales", "cut-history"],
)
def test_formula_countback_history_exhausted(receivables: int, months: list) -> None:  # type: ignore[type-arg]
    with pytest.warns(ck.UndefinedMetricWarning, match="history"):
        assert math.isnan(f.countback_dso(receivables, months))


def test_formula_bad_input() -> None:
    with pytest.raises(ck.CreditKPIError):
        f.dso("100", 10, 30)
    with pytest.raises(ck.CreditKPIError):
        f.dso(100, 10, -1)
    with pytest.raises(ck.CreditKPIError):
        f.countback_dso(100, [(10,)])
    with pytest.raises(ck.CreditKPIError):
        f.countback_dso(True, [(10, 30)])
    assert math.isnan(f.dso(float("nan"), 10, 30))


# ----------------------------------------------------------------------------------
# standard DSO, BPDSO, ADD on the book
# ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "dso", "dso_avg", "bpdso", "add"),
    [
        # March: 1000/1000 × 31; average (0 + 1000)/2 / 1000 × 31; A1 not due yet
        ("2024-03", 31.0, 15.5, 31.0, 0.0),
        # April: 2900/3800 × 30; (1000 + 2900)/2 = 1950 / 3800 × 30; 2300/3800 × 30; 600/3800 × 30
        ("2024-04", 87_000 / 3800, 58_500 / 3800, 69_000 / 3800, 18_000 / 3800),
        # Q2: 2900/3800 × 91; (1000 + 2900)/2 / 3800 × 91; nothing current; all 2900 overdue
        ("2024-Q2", 263_900 / 3800, 177_450 / 3800, 0.0, 263_900 / 3800),
        # April 1-15 (15 d): S = 2000 + 1500 = 3500; R(04-15) = 1000 + 2000 + 1500 = 4500;
        # R(03-31) = 1000; A1 overdue since 04-10 -> Overdue 1000, Current 3500
        ("2024-04-01..2024-04-15", 67_500 / 3500, 41_250 / 3500, 15.0, 15_000 / 3500),
    ],
    ids=["march", "april", "q2", "half-april"],
)
def test_standard_table(
    book: ck.Ledger, period: str, dso: float, dso_avg: float, bpdso: float, add: float
) -> None:
    assert ck.dso(book, period) == pytest.approx(dso, rel=1e-15)
    assert ck.dso(book, period, receivables="average") == pytest.approx(dso_avg, rel=1e-15)
    assert ck.best_possible_dso(book, period) == pytest.approx(bpdso, rel=1e-15, abs=1e-15)
    assert ck.average_days_delinquent(book, period) == pytest.approx(add, rel=1e-15, abs=1e-15)
    # ADD = DSO - BPDSO (same, end-of-period, receivables)
    assert ck.average_days_delinquent(book, period) == pytest.approx(dso - bpdso, abs=1e-12)


def test_standard_matches_formula_exactly(book: ck.Ledger) -> None:
    assert ck.dso(book, "2024-04") == f.dso(Decimal("2900"), Decimal("3800"), 30)
    assert ck.best_possible_dso(book, "2024-04") == f.best_possible_dso(2300, 3800, 30)


def test_by_customer_and_country(book: ck.Ledger) -> None:
    # A: S = 2000 - 200 = 1800, R(end) = 600 + 1800 = 2400, Overdue 600, R(start) 1000
    # B: S = 1500 + 500 = 2000, R(end) = 500, nothing overdue, R(start) 0
    by_customer = ck.dso(book, "2024-04", by="customer_id")
    assert by_customer.index.name == "customer_id"
    assert by_customer.to_dict() == {"A": 40.0, "B": 7.5}  # 2400/1800 × 30; 500/2000 × 30
    by_country = ck.dso(book, "2024-04", by="country")
    assert by_country.index.name == "country"
    assert by_country.to_dict() == {"FR": 40.0, "DE": 7.5}
    assert ck.best_possible_dso(book, "2024-04", by="customer_id").to_dict() == {
        "A": 30.0,  # 1800 / 1800 × 30
        "B": 7.5,
    }
    assert ck.average_days_delinquent(book, "2024-04", by="customer_id").to_dict() == {
        "A": 10.0,  # 600 / 1800 × 30
        "B": 0.0,
    }
    avg = ck.dso(book, "2024-04", receivables="average", by="customer_id")
    assert avg["A"] == pytest.approx(1700 * 30 / 1800)  # (1000 + 2400)/2 = 1700
    assert avg["B"] == 3.75  # (0 + 500)/2 / 2000 × 30


def test_series_and_frame_shapes(book: ck.Ledger) -> None:
    months = ck.Period.months("2024-03", "2024-05")
    with pytest.warns(ck.UndefinedMetricWarning, match="sales <= 0"):
        trend = ck.dso(book, months)  # May has no sales
    assert isinstance(trend, pd.Series)
    assert trend.index.name == "period"
    assert [str(p) for p in trend.index] == ["2024-03", "2024-04", "2024-05"]
    assert trend["2024-03"] == 31.0
    assert math.isnan(trend["2024-05"])
    with pytest.warns(ck.UndefinedMetricWarning):
        frame = ck.dso(book, months, by="customer_id")
    assert isinstance(frame, pd.DataFrame)
    assert frame.columns.name == "customer_id"
    assert frame.loc["2024-04", "A"] == 40.0
    assert math.isnan(frame.loc["2024-03", "B"])  # B sold nothing in March
    single = ck.dso(book, "2024-04")
    assert isinstance(single, float)


def test_zero_sales_is_nan_with_warning(book: ck.Ledger) -> None:
    for fn in (ck.dso, ck.best_possible_dso, ck.average_days_delinquent):
        with pytest.warns(ck.UndefinedMetricWarning):
            assert math.isnan(fn(book, "2024-05"))  # R = 2900, S = 0
        with pytest.warns(ck.UndefinedMetricWarning):
            assert math.isnan(fn(book, "2023-01"))  # empty period


def test_negative_sales_is_nan(countback_book: ck.Ledger) -> None:
    # April: no invoice, a 5000 credit note -> S = -5000
    with pytest.warns(ck.UndefinedMetricWarning, match="sales <= 0"):
        assert math.isnan(ck.dso(countback_book, "2024-04"))


def test_one_invoice_all_paid() -> None:
    ledger = ck.Ledger.from_records(
        [ck.Invoice("F1", "C1", "2024-04-02", "2024-05-02", "100.00")],
        [ck.Payment("F1", "2024-04-20", "100.00")],
    )
    assert ck.dso(ledger, "2024-04") == 0.0
    assert ck.dso(ledger, "2024-04", method="countback") == 0.0
    assert ck.best_possible_dso(ledger, "2024-04") == 0.0
    assert ck.average_days_delinquent(ledger, "2024-04") == 0.0


def test_summary(book: ck.Ledger) -> None:
    s = dso_summary(book, "2024-04", money="decimal")
    assert s.name == "2024-04"
    assert s.to_dict() == {
        "days": 30,
        "receivables_start": Decimal("1000.00"),
        "receivables_end": Decimal("2900.00"),
        "overdue_end": Decimal("600.00"),
        "current_end": Decimal("2300.00"),
        "sales": Decimal("3800.00"),
    }
    by = dso_summary(book, ["2024-03", "2024-04"], by="customer_id", money="decimal")
    assert by.index.names == ["period", "customer_id"]
    assert by.loc[("2024-04", "A"), "sales"] == Decimal("1800.00")
    assert dso_summary(book, "2024-04", by="country", money="decimal").loc[
        "DE", "receivables_end"
    ] == Decimal("500.00")


# ----------------------------------------------------------------------------------
# countback via the ledger
# ----------------------------------------------------------------------------------


def test_countback_five_months(countback_book: ck.Ledger) -> None:
    # R(06-30) = 110000; Jun 50000 -> 30 d, r 60000; then as in WALK: 31 + 30 + 31 + 29
    # whole (151), r 15000; Jan: 31 × 15000/50000 = 9.3 -> 160.3
    value = ck.dso(countback_book, "2024-06", method="countback")
    assert value == pytest.approx(160.3, rel=1e-14)
    months = [(50_000, 30), (0, 31), (-5_000, 30), (30_000, 31), (20_000, 29), (50_000, 31)]
    assert value == f.countback_dso(110_000, months)


def test_countback_partial_month(countback_book: ck.Ledger) -> None:
    # T = 06-15: R = 100000, June counts 15 days with its 40000 of sales up to T (U2 later):
    # 15 (r 60000) + 31 + 30 (r 65000) + 31 (r 35000) + 29 (r 15000) + 31 × 0.3 = 145.3
    half = ck.Period(date(2024, 6, 1), date(2024, 6, 15))
    value = ck.dso(countback_book, half, method="countback")
    assert value == pytest.approx(145.3, rel=1e-14)
    # countback depends only on T: any period ending on 06-15 gives the same
    assert ck.dso(countback_book, "2024-05-20..2024-06-15", method="countback") == value


def test_countback_by_customer(countback_book: ck.Ledger) -> None:
    # A: R = 10000 + 30000 = 40000; sales Jun 0, May 0, Apr -5000, Mar 30000, Feb 0, Jan 50000
    #    30 + 31 + 30 (r 45000) + 31 (r 15000) + 29 + 31 × 15000/50000 = 160.3
    # B: R = 20000 + 40000 + 10000 = 70000; Jun 50000 -> 30 (r 20000); May, Apr, Mar no
    #    sales -> 122; Feb 20000 used up exactly -> 151, the walk stops there
    out = ck.dso(countback_book, "2024-06", method="countback", by="customer_id")
    assert out["A"] == pytest.approx(160.3, rel=1e-14)
    assert out["B"] == 151.0


def test_countback_series(countback_book: ck.Ledger) -> None:
    # 03-31: R = 15000 + 20000 + 30000 = 65000; Mar 30000 (31), Feb 20000 (29), Jan:
    #        15000/50000 × 31 = 9.3 -> 69.3
    # 04-30: R = 60000; Apr -5000 (30, r 65000) then the same 69.3 -> 99.3
    trend = ck.dso(countback_book, ["2024-03", "2024-04", "2024-06"], method="countback")
    assert trend["2024-03"] == pytest.approx(69.3, rel=1e-14)
    assert trend["2024-04"] == pytest.approx(99.3, rel=1e-14)
    assert trend["2024-06"] == pytest.approx(160.3, rel=1e-14)


def test_countback_max_months(countback_book: ck.Ledger) -> None:
    assert ck.dso(countback_book, "2024-06", method="countback", max_months=6) == pytest.approx(
        160.3
    )
    # five months (Jun..Feb) leave 15000 unexplained
    with pytest.warns(ck.UndefinedMetricWarning, match="history"):
        assert math.isnan(ck.dso(countback_book, "2024-06", method="countback", max_months=5))


def test_countback_history_exhausted() -> None:
    # X2 is credited in February, before its May issue: Jan 100, Feb -50, Mar 0 of sales
    # while R(03-31) = 100 (X1). Mar 31 d, Feb 29 d (r 150), Jan 100 < 150 whole (r 50):
    # the ledger starts in January, history runs out.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        ledger = ck.Ledger.from_records(
            [
                ck.Invoice("X1", "C1", "2024-01-10", "2024-02-09", "100.00"),
                ck.Invoice("X2", "C1", "2024-05-10", "2024-06-09", "100.00"),
            ],
            [ck.Payment("X2", "2024-02-15", "50.00", kind="credit_note")],
        )
    with pytest.warns(ck.UndefinedMetricWarning, match="history"):
        assert math.isnan(ck.dso(ledger, "2024-03", method="countback"))


def test_countback_nothing_owed() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        ledger = ck.Ledger.from_records(
            [
                ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "100.00"),
                ck.Invoice("F2", "C2", "2024-03-05", "2024-04-04", "50.00"),
            ],
            [
                ck.Payment("F1", "2024-03-20", "100.00"),
                ck.Payment("F2", "2024-03-25", "80.00"),  # overpaid: R = -30
            ],
        )
    assert ck.dso(ledger, "2024-03", method="countback") == 0.0  # R <= 0 -> 0
    out = ck.dso(ledger, "2024-03", method="countback", by="customer_id")
    assert out.to_dict() == {"C1": 0.0, "C2": 0.0}
    assert ck.dso(ledger, "2023-12", method="countback") == 0.0  # before the first event


def test_empty_ledger() -> None:
    ledger = ck.Ledger.from_records([])
    assert ck.dso(ledger, "2024-04", method="countback") == 0.0
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(ck.dso(ledger, "2024-04"))


# ----------------------------------------------------------------------------------
# bad arguments
# ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"method": "fast"},
        {"receivables": "start"},
        {"method": "countback", "receivables": "average"},
        {"method": "countback", "max_months": 0},
        {"method": "countback", "max_months": 2.5},
        {"max_months": 12},
        {"by": "nope"},
    ],
    ids=["method", "receivables", "countback-average", "max-0", "max-float", "max-std", "by"],
)
def test_bad_options(book: ck.Ledger, kwargs: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(ck.CreditKPIError):
        ck.dso(book, "2024-04", **kwargs)


@pytest.mark.parametrize("fn", [ck.dso, ck.best_possible_dso, ck.average_days_delinquent])
def test_bad_period_and_by(book: ck.Ledger, fn) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ck.CreditKPIError):
        fn(book, "2024-13")
    with pytest.raises(ck.CreditKPIError):
        fn(book, [])
    with pytest.raises(ck.CreditKPIError):
        fn(book, "2024-04", by="region")


# ----------------------------------------------------------------------------------
# properties
# ----------------------------------------------------------------------------------

MONTHS = ck.Period.months("2023-01", "2024-08")
periods_st = st.lists(st.sampled_from(MONTHS), min_size=1, max_size=3, unique=True)


def _all_kpis(ledger: ck.Ledger, periods: object, by: str | None) -> list[object]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        return [
            ck.dso(ledger, periods, by=by),  # type: ignore[arg-type]
            ck.dso(ledger, periods, receivables="average", by=by),  # type: ignore[arg-type]
            ck.dso(ledger, periods, method="countback", by=by),  # type: ignore[arg-type]
            ck.best_possible_dso(ledger, periods, by=by),  # type: ignore[arg-type]
            ck.average_days_delinquent(ledger, periods, by=by),  # type: ignore[arg-type]
        ]


def _same(a: object, b: object) -> None:
    if isinstance(a, pd.DataFrame):
        assert isinstance(b, pd.DataFrame)
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    else:
        assert isinstance(a, pd.Series) and isinstance(b, pd.Series)
        pd.testing.assert_series_equal(a, b, check_exact=True)


@settings(max_examples=15)
@given(
    ledger_specs(max_invoices=15, extras=False),
    periods_st,
    st.integers(2, 1000),
    st.integers(0, 5),
    st.sampled_from([None, "country", "customer_id"]),
)
def test_scaling_and_row_order_leave_results_unchanged(
    spec: LedgerSpec, periods: list[ck.Period], k: int, seed: int, by: str | None
) -> None:
    before = _all_kpis(spec.build(), periods, by)
    scaled = _all_kpis(spec.scaled(k).build(), periods, by)
    shuffled = _all_kpis(spec.shuffled(seed).build(), periods, by)
    for a, b, c in zip(before, scaled, shuffled, strict=True):
        _same(a, b)  # bit for bit: every figure is a quotient of exact integers
        _same(a, c)


@settings(max_examples=15)
@given(
    ledger_specs(max_invoices=15, extras=False), periods_st, st.sampled_from([None, "customer_id"])
)
def test_series_equals_period_by_period(
    spec: LedgerSpec, periods: list[ck.Period], by: str | None
) -> None:
    ledger = spec.build()
    series = _all_kpis(ledger, periods, by)
    for p in periods:
        alone = _all_kpis(ledger, p, by)
        for whole, one in zip(series, alone, strict=True):
            if by is None:
                np.testing.assert_array_equal(whole[str(p)], one)  # type: ignore[index]
            else:
                # (a frame's columns come sorted, a Series by group in ledger order)
                row = whole.loc[str(p)]  # type: ignore[attr-defined]
                pd.testing.assert_series_equal(
                    row, one.loc[row.index], check_names=False, check_exact=True
                )
        # ADD = DSO - BPDSO
        d, b, a = (alone[0], alone[3], alone[4]) if by is None else (None, None, None)
        if d is not None and not math.isnan(d):  # type: ignore[arg-type]
            assert b + a == pytest.approx(d, rel=1e-12, abs=1e-9)  # type: ignore[operator]


def _history(ledger: ck.Ledger, period: ck.Period) -> list[ck.Period]:
    """The months from the ledger's first event to the month of the period's end, newest first."""
    assert ledger._cols.first_day is not None
    first = from_day(ledger._cols.first_day)
    if first > period.end:
        return []
    return ck.Period.months(f"{first:%Y-%m}", f"{period.end:%Y-%m}")[::-1]


def _countback_oracle(ledger: ck.Ledger, period: ck.Period) -> tuple[Decimal, list[Decimal]]:
    """R at the end of the period and the sales of each history month (newest first)."""
    receivables = dso_summary(ledger, period, money="decimal")["receivables_end"]
    months = _history(ledger, period)
    sales = dso_summary(ledger, months, money="decimal")["sales"].tolist() if months else []
    return receivables, sales


def _walk(receivables: Decimal, sales: list[Decimal], days: list[int]) -> float:
    """The pure formula on the ledger's own summaries."""
    return float(_quiet(f.countback_dso, receivables, list(zip(sales, days, strict=True))))


@settings(max_examples=20)
@given(
    ledger_specs(max_invoices=15, extras=False),
    st.sampled_from(MONTHS),
    st.sampled_from([1, 2, 7, 13, 48]),
)
def test_shift_by_months(spec: LedgerSpec, period: ck.Period, n: int) -> None:
    """Shifting every date by n months (day of month kept) moves R(end) and S(P) alike.

    DSO counts calendar days, so it is unchanged only when the month lengths are (n = 48:
    same leap-year pattern). For any n: standard DSO / days(P) is unchanged, and countback
    is the original's receivables and monthly sales walked with the new month lengths. The
    same oracle with the original month lengths checks the ledger countback against the
    pure formula.
    """
    moved = period.shift_months(n)
    a, b = spec.build(), spec.shifted_months(n).build()
    sa, sb = dso_summary(a, period, money="decimal"), dso_summary(b, moved, money="decimal")
    assert sa["receivables_end"] == sb["receivables_end"]
    assert sa["sales"] == sb["sales"]
    x, y = _quiet(ck.dso, a, period), _quiet(ck.dso, b, moved)
    cx = _quiet(ck.dso, a, period, method="countback")
    cy = _quiet(ck.dso, b, moved, method="countback")
    if math.isnan(x):
        assert math.isnan(y)
    else:
        assert y / moved.days == pytest.approx(x / period.days, rel=1e-12, abs=1e-12)
    if n == 48:
        assert (math.isnan(x) and math.isnan(y)) or x == y
        assert cx == cy
    receivables, sales = _countback_oracle(a, period)
    history = _history(a, period)
    own = _walk(receivables, sales, [m.days for m in history])
    assert cx == own or (math.isnan(cx) and math.isnan(own))
    shifted = _walk(receivables, sales, [m.shift_months(n).days for m in history])
    assert cy == pytest.approx(shifted, rel=1e-12, abs=1e-12, nan_ok=True)


@settings(max_examples=10)
@given(ledger_specs(max_invoices=15, extras=False), periods_st)
def test_customer_split_additive_parts(spec: LedgerSpec, periods: list[ck.Period]) -> None:
    whole = dso_summary(spec.build(), periods, money="decimal")
    parts = [dso_summary(s.build(), periods, money="decimal") for s in spec.split_by_customer()]
    by = dso_summary(spec.build(), periods, by="customer_id", money="decimal")
    for column in ("receivables_start", "receivables_end", "overdue_end", "sales"):
        total = sum((p[column] for p in parts), start=pd.Series(Decimal(0), index=whole.index))
        assert total.tolist() == whole[column].tolist()
        grouped = by[column].groupby(level="period", sort=False).sum()
        assert grouped.loc[whole.index].tolist() == whole[column].tolist()


def test_inputs_not_mutated(book: ck.Ledger) -> None:
    snapshot = {
        k: getattr(book._cols, k).copy() for k in ("amount", "issue", "due", "settlement_amount")
    }
    months = ck.Period.months("2024-03", "2024-06")
    _all_kpis(book, months, "customer_id")
    dso_summary(book, months, money="decimal")
    for k, v in snapshot.items():
        np.testing.assert_array_equal(getattr(book._cols, k), v)
