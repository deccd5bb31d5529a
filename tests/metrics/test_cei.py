"""CEI and recovery rate: hand-computed tables, the seed's worked example, properties."""

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
from creditkpi.metrics.cei import recovery_summary
from tests.strategies import LedgerSpec, ledger_specs

# ----------------------------------------------------------------------------------
# fixtures
# ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def book() -> ck.Ledger:
    """The DSO test book (figures computed by hand there and below).

    April: R(03-31) = 1000, S = 3800, R(04-30) = 2900, Current(04-30) = 2300 (A1's 600 overdue).
    A: R0 1000, S 1800, R1 2400, Current 1800.  B: R0 0, S 2000, R1 500, Current 500.
    Q2: R0 1000, S 3800, R(06-30) = 2900, all overdue (Current 0).
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
def steady() -> ck.Ledger:
    """3000 of sales a month, each invoice due 30 days later.

    D0 issued 2023-12-05 due 01-04: paid in full 01-03
    J0 issued 01-05 due 02-04: paid in full 02-02
    F0 issued 02-05 due 03-06: 2000 paid 03-20, 1000 overdue at 03-31
    M0 issued 03-05 due 04-04: open, not due at 03-31

    Q1: R0 = R(2023-12-31) = 3000, S = 9000, R1 = 1000 + 3000 = 4000, Current(03-31) = 3000.
    """
    return ck.Ledger.from_records(
        [
            ck.Invoice("D0", "C1", "2023-12-05", "2024-01-04", "3000.00"),
            ck.Invoice("J0", "C1", "2024-01-05", "2024-02-04", "3000.00"),
            ck.Invoice("F0", "C1", "2024-02-05", "2024-03-06", "3000.00"),
            ck.Invoice("M0", "C1", "2024-03-05", "2024-04-04", "3000.00"),
        ],
        [
            ck.Payment("D0", "2024-01-03", "3000.00"),
            ck.Payment("J0", "2024-02-02", "3000.00"),
            ck.Payment("F0", "2024-03-20", "2000.00"),
        ],
    )


@pytest.fixture(scope="module")
def seed() -> ck.Ledger:
    """Seed 003's April: 92 000 overdue on 1 April, 174 000 falling due, 128 000 in by 15 April.

    In the target set of April:
      O1 C1 issued 01-15 due 02-14  60 000: paid 60 000 on 04-02       (overdue at start)
      O2 C2 issued 02-10 due 03-11  32 000: paid 18 000 on 04-12       (overdue at start)
      D1 C1 issued 03-01 due 04-10 100 000: paid 50 000 on 04-10       (falls due in April)
      D2 C3 issued 03-20 due 04-19  74 000: paid 74 000 on 04-25       (falls due in April)
    Not in it:
      N1 C2 issued 03-25 due 05-24  50 000 (due after April; 5 000 paid 04-05)
      N2 C3 issued 04-03 due 04-18  20 000 (issued during April; paid 04-14)
      N3 C1 issued 01-05 due 02-04  10 000 (closed before April: paid 03-15)
    Total = 60 000 + 32 000 + 100 000 + 74 000 = 266 000.
    Collected by 04-15 = 60 000 + 50 000 + 18 000 = 128 000 -> Remaining 138 000.
    """
    return ck.Ledger.from_records(
        [
            ck.Invoice("O1", "C1", "2024-01-15", "2024-02-14", "60000.00"),
            ck.Invoice("O2", "C2", "2024-02-10", "2024-03-11", "32000.00"),
            ck.Invoice("D1", "C1", "2024-03-01", "2024-04-10", "100000.00"),
            ck.Invoice("D2", "C3", "2024-03-20", "2024-04-19", "74000.00"),
            ck.Invoice("N1", "C2", "2024-03-25", "2024-05-24", "50000.00"),
            ck.Invoice("N2", "C3", "2024-04-03", "2024-04-18", "20000.00"),
            ck.Invoice("N3", "C1", "2024-01-05", "2024-02-04", "10000.00"),
        ],
        [
            ck.Payment("O1", "2024-04-02", "60000.00"),
            ck.Payment("D1", "2024-04-10", "50000.00"),
            ck.Payment("O2", "2024-04-12", "18000.00"),
            ck.Payment("N1", "2024-04-05", "5000.00"),
            ck.Payment("N2", "2024-04-14", "20000.00"),
            ck.Payment("D2", "2024-04-25", "74000.00"),
            ck.Payment("N3", "2024-03-15", "10000.00"),
        ],
    )


def _quiet(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        return fn(*args, **kwargs)


# ----------------------------------------------------------------------------------
# CEI formula
# ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        # (1000 + 3800 - 2900) / (1000 + 3800 - 2300) = 1900 / 2500
        ((1000, 3800, 2900, 2300), {}, 0.76),
        # quarter, whole S: (3000 + 9000 - 4000) / (3000 + 9000 - 3000) = 8000 / 9000
        ((3000, 9000, 4000, 3000), {"months": 3}, 8 / 9),
        # quarter, S / 3 = 3000: (3000 + 3000 - 4000) / (3000 + 3000 - 3000) = 2000 / 3000
        ((3000, 9000, 4000, 3000), {"months": 3, "sales_basis": "monthly"}, 2 / 3),
        # one month: both conventions agree
        ((3000, 3000, 4000, 3000), {"sales_basis": "monthly"}, 2 / 3),
        ((3000, 3000, 4000, 3000), {}, 2 / 3),
        # everything due collected: ending total = ending current
        ((500, 1000, 700, 700), {}, 1.0),
        # nothing collected: (1000 + 0 - 1000) / (1000 + 0 - 0)
        ((1000, 0, 1000, 0), {}, 0.0),
        (
            (Decimal("1000.00"), Decimal("3800.00"), Decimal("2900.00"), Decimal("2300.00")),
            {},
            0.76,
        ),
        ((10.0, 38.0, 29.0, 23.0), {}, 0.76),
    ],
    ids=[
        "month",
        "quarter-total",
        "quarter-monthly",
        "one-month-monthly",
        "one-month-total",
        "all-collected",
        "nothing-collected",
        "decimal",
        "floats",
    ],
)
def test_formula_cei(args: tuple, kwargs: dict, expected: float) -> None:  # type: ignore[type-arg]
    assert f.cei(*args, **kwargs) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((0, 1000, 1000, 1000), {}),  # nothing was due: 0 / 0
        ((0, 0, 0, 0), {}),  # empty
        ((0, 300, 0, 200), {"months": 3, "sales_basis": "monthly"}),  # 0 + 100 - 200 < 0
    ],
    ids=["nothing-due", "empty", "negative-denominator"],
)
def test_formula_cei_undefined(args: tuple, kwargs: dict) -> None:  # type: ignore[type-arg]
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(f.cei(*args, **kwargs))


@pytest.mark.parametrize(
    "kwargs",
    [{"sales_basis": "weekly"}, {"months": 0}, {"months": 1.5}, {"months": True}],
    ids=["basis", "zero-months", "float-months", "bool-months"],
)
def test_formula_cei_bad_options(kwargs: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(ck.CreditKPIError):
        f.cei(1, 2, 1, 1, **kwargs)


def test_formula_cei_bad_numbers() -> None:
    with pytest.raises(ck.CreditKPIError):
        f.cei("1000", 1, 1, 1)
    with pytest.raises(ck.CreditKPIError):
        f.cei(None, 1, 1, 1)


# ----------------------------------------------------------------------------------
# CEI on ledgers
# ----------------------------------------------------------------------------------


def test_cei_book(book: ck.Ledger) -> None:
    assert ck.cei(book, "2024-04") == 0.76  # 1900 / 2500
    # A: (1000 + 1800 - 2400) / (1000 + 1800 - 1800) = 400 / 1000
    # B: (0 + 2000 - 500) / (0 + 2000 - 500) = 1 (paid all that fell due, B2 not due)
    assert ck.cei(book, "2024-04", by="customer_id").to_dict() == {"A": 0.4, "B": 1.0}
    assert ck.cei(book, "2024-04", by="country").to_dict() == {"FR": 0.4, "DE": 1.0}
    assert ck.cei(book, "2024-04") == f.cei(1000, 3800, 2900, 2300)


def test_cei_quarter_both_conventions(book: ck.Ledger, steady: ck.Ledger) -> None:
    assert ck.cei(steady, "2024-Q1") == 8000 / 9000
    assert ck.cei(steady, "2024-Q1", sales="monthly") == 2000 / 3000
    # Q2 of the book, S / 3: (3·1000 + 3800 - 3·2900) / (3·1000 + 3800 - 0) = -1900 / 6800:
    # the monthly convention leaves [0, 1] when receivables grow faster than a month's sales
    assert ck.cei(book, "2024-Q2") == 1900 / 4800
    assert ck.cei(book, "2024-Q2", sales="monthly") == -1900 / 6800


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        # R0 3000 (D0), S 3000 (J0), R1 3000 (J0 not due), Current 3000 -> 3000/3000
        ("2024-01", 1.0),
        # R0 3000 (J0), S 3000 (F0), R1 = Current = 3000 (F0 due 03-06)
        ("2024-02", 1.0),
        # R0 3000 (F0), S 3000 (M0), R1 4000, Current 3000 -> 2000 / 3000
        ("2024-03", 2 / 3),
    ],
    ids=["jan", "feb", "mar"],
)
def test_cei_one_month_conventions_agree(steady: ck.Ledger, period: str, expected: float) -> None:
    assert ck.cei(steady, period) == expected
    assert ck.cei(steady, period, sales="monthly") == expected


def test_cei_series(steady: ck.Ledger) -> None:
    months = ck.Period.months("2024-01", "2024-03")
    trend = ck.cei(steady, months)
    assert trend.index.name == "period"
    assert trend.tolist() == [1.0, 1.0, 2 / 3]
    frame = ck.cei(steady, months, by="customer_id", sales="monthly")
    assert isinstance(frame, pd.DataFrame)
    assert frame["C1"].tolist() == [1.0, 1.0, 2 / 3]


def test_cei_nothing_due_is_nan(book: ck.Ledger) -> None:
    # March: R0 0, S 1000, R1 = Current = 1000 -> 0 / 0
    with pytest.warns(ck.UndefinedMetricWarning, match="CEI"):
        assert math.isnan(ck.cei(book, "2024-03"))
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(ck.cei(book, "2023-01"))  # empty period


def test_cei_part_month(steady: ck.Ledger) -> None:
    # 01-01..01-15: R0 3000, S 3000 (J0), R1 = Current = 3000 -> 1
    assert ck.cei(steady, "2024-01-01..2024-01-15") == 1.0
    with pytest.raises(ck.CreditKPIError, match="whole calendar months"):
        ck.cei(steady, "2024-01-01..2024-01-15", sales="monthly")


@pytest.mark.parametrize("kwargs", [{"sales": "weekly"}, {"by": "nope"}], ids=["sales", "by"])
def test_cei_bad_options(book: ck.Ledger, kwargs: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(ck.CreditKPIError):
        ck.cei(book, "2024-04", **kwargs)
    with pytest.raises(ck.CreditKPIError):
        ck.cei(book, "2024-13")


# ----------------------------------------------------------------------------------
# recovery rate
# ----------------------------------------------------------------------------------


def test_seed_worked_example_formula() -> None:
    # ((266 000 - 138 000) / 266 000) × 100 = 48,12 %
    rate = f.recovery_rate(266_000, 138_000)
    assert rate == 128_000 / 266_000
    assert f"{rate:.2%}" == "48.12%"
    assert f.recovery_rate(Decimal("266000.00"), Decimal("138000.00")) == rate
    assert f.recovery_rate(92_000 + 174_000, 266_000 - 128_000) == rate


def test_seed_worked_example_ledger(seed: ck.Ledger) -> None:
    rate = ck.recovery_rate(seed, "2024-04", observed="2024-04-15")
    assert rate == 128_000 / 266_000  # 0.481203…
    assert f"{rate:.2%}" == "48.12%"
    s = recovery_summary(seed, "2024-04", observed="2024-04-15", money="decimal")
    assert s.name == "2024-04"
    assert s.to_dict() == {
        "invoices": 4,
        "total": Decimal("266000.00"),
        "collected": Decimal("128000.00"),
        "remaining": Decimal("138000.00"),
        "recovery_rate": rate,
    }
    # of which 92 000 overdue on 1 April (O1 + O2; N3 was paid in March), so 174 000 falling
    # due during April (D1 + D2)
    assert position(seed, "2024-03-31")["overdue"].iloc[0] == 9_200_000  # cents


@pytest.mark.parametrize(
    ("observed", "expected"),
    [
        ("2024-04-01", 0.0),  # nothing collected yet (O1 is paid on 04-02)
        ("2024-04-02", 60_000 / 266_000),
        (date(2024, 4, 15), 128_000 / 266_000),
        ("2024-04-24", 128_000 / 266_000),
        (None, 202_000 / 266_000),  # end of April: + D2's 74 000
        ("2024-04-30", 202_000 / 266_000),
    ],
    ids=["start", "day-2", "seed-day", "before-D2", "default-end", "end"],
)
def test_recovery_through_the_month(seed: ck.Ledger, observed: object, expected: float) -> None:
    assert ck.recovery_rate(seed, "2024-04", observed=observed) == expected


def test_recovery_by_customer(seed: ck.Ledger) -> None:
    # C1: O1 60 000 + D1 100 000 = 160 000, collected 60 000 + 50 000 -> 0.6875
    # C2: O2 32 000, collected 18 000 -> 0.5625 (partial payment)
    # C3: D2 74 000, nothing by 04-15 -> 0; fully paid by 04-30 -> 1
    mid = ck.recovery_rate(seed, "2024-04", observed="2024-04-15", by="customer_id")
    assert mid.index.name == "customer_id"
    assert mid.to_dict() == {"C1": 0.6875, "C2": 0.5625, "C3": 0.0}
    end = ck.recovery_rate(seed, "2024-04", by="customer_id")
    assert end.to_dict() == {"C1": 0.6875, "C2": 0.5625, "C3": 1.0}
    s = recovery_summary(seed, "2024-04", observed="2024-04-15", by="customer_id", money="decimal")
    assert s.loc["C1", "remaining"] == Decimal("50000.00")
    assert s["invoices"].tolist() == [2, 1, 1]


def test_recovery_series(seed: ck.Ledger) -> None:
    # March: target O1 60 000, O2 32 000 (due 03-11), N3 10 000 = 102 000; N3 paid 03-15
    trend = ck.recovery_rate(seed, ["2024-03", "2024-04"])
    assert trend.rename(index=str).to_dict() == {
        "2024-03": 10_000 / 102_000,
        "2024-04": 202_000 / 266_000,
    }
    # one observation date per period
    per = ck.recovery_rate(seed, ["2024-03", "2024-04"], observed=["2024-03-14", "2024-04-15"])
    assert per.tolist() == [0.0, 128_000 / 266_000]
    with pytest.warns(ck.UndefinedMetricWarning, match="1 of 6"):
        frame = ck.recovery_rate(seed, ["2024-03", "2024-04"], by="customer_id")
    assert frame.loc["2024-04", "C3"] == 1.0
    assert math.isnan(frame.loc["2024-03", "C3"])  # C3 had nothing to recover in March
    table = recovery_summary(seed, ["2024-03", "2024-04"], money="decimal")
    assert table["total"].tolist() == [Decimal("102000.00"), Decimal("266000.00")]


def test_recovery_all_paid_and_nothing_paid() -> None:
    ledger = ck.Ledger.from_records(
        [
            ck.Invoice("F1", "C1", "2024-02-01", "2024-03-01", "100.00"),
            ck.Invoice("F2", "C2", "2024-03-01", "2024-04-15", "300.00"),
        ],
        [ck.Payment("F1", "2024-04-03", "100.00"), ck.Payment("F2", "2024-04-20", "300.00")],
    )
    assert ck.recovery_rate(ledger, "2024-04") == 1.0
    assert ck.recovery_rate(ledger, "2024-04", observed="2024-04-02") == 0.0
    assert ck.recovery_rate(ledger, "2024-04", observed="2024-04-10") == 0.25  # 100 / 400


def test_recovery_counts_credit_notes_and_write_offs() -> None:
    # Remaining is Σ B_i(d): a credit note (30) and a write-off (20) reduce it like cash
    ledger = ck.Ledger.from_records(
        [ck.Invoice("F1", "C1", "2024-03-01", "2024-04-10", "100.00")],
        [
            ck.Payment("F1", "2024-04-05", "30.00", kind="credit_note"),
            ck.Payment("F1", "2024-04-25", "20.00", kind="write_off"),
        ],
    )
    assert ck.recovery_rate(ledger, "2024-04") == 0.5


def test_recovery_target_set_rules() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        ledger = ck.Ledger.from_records(
            [
                # in: overdue at the start, 200 left of 300
                ck.Invoice("IN", "C1", "2024-02-01", "2024-03-01", "300.00"),
                # out: overpaid before the start (B = -50): nothing to recover
                ck.Invoice("OVER", "C1", "2024-02-01", "2024-03-01", "100.00"),
                # out: issued on the first day of the period, due in it (SPEC: "before start")
                ck.Invoice("NEW", "C1", "2024-04-01", "2024-04-20", "500.00"),
                # out: due the day after the period ends
                ck.Invoice("LATE", "C1", "2024-03-15", "2024-05-01", "700.00"),
                # in: due on the last day of the period
                ck.Invoice("EDGE", "C1", "2024-03-31", "2024-04-30", "800.00"),
            ],
            [
                ck.Payment("IN", "2024-03-10", "100.00"),
                ck.Payment("OVER", "2024-03-10", "150.00"),
                ck.Payment("IN", "2024-04-10", "200.00"),
                ck.Payment("NEW", "2024-04-10", "500.00"),
                ck.Payment("LATE", "2024-04-10", "700.00"),
            ],
        )
    s = recovery_summary(ledger, "2024-04", money="decimal")
    # target IN (200) + EDGE (800) = 1000, collected 200
    assert (s["invoices"], s["total"], s["collected"]) == (2, Decimal("1000.00"), Decimal("200.00"))
    assert ck.recovery_rate(ledger, "2024-04") == 0.2


def test_recovery_empty_target_is_nan(seed: ck.Ledger) -> None:
    with pytest.warns(ck.UndefinedMetricWarning, match="recovery rate"):
        assert math.isnan(ck.recovery_rate(seed, "2024-01"))
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(ck.recovery_rate(ck.Ledger.from_records([]), "2024-04"))


@pytest.mark.parametrize(
    ("period", "observed"),
    [
        ("2024-04", "2024-03-31"),
        ("2024-04", "2024-05-01"),
        ("2024-04", "April"),
        (["2024-03", "2024-04"], "2024-04-15"),  # not inside March
        (["2024-03", "2024-04"], ["2024-03-15"]),  # wrong length
    ],
    ids=["before", "after", "not-a-date", "not-in-every-period", "wrong-length"],
)
def test_recovery_bad_observed(seed: ck.Ledger, period: object, observed: object) -> None:
    with pytest.raises(ck.CreditKPIError):
        ck.recovery_rate(seed, period, observed=observed)  # type: ignore[arg-type]


def test_recovery_bad_by(seed: ck.Ledger) -> None:
    with pytest.raises(ck.CreditKPIError):
        ck.recovery_rate(seed, "2024-04", by="collector")


@pytest.mark.parametrize(
    ("total", "remaining", "expected"),
    [
        (266_000, 138_000, 128_000 / 266_000),
        (100, 0, 1.0),
        (100, 100, 0.0),
        (400, 300, 0.25),
        (100, -10, 1.1),  # overpaid by the observation date
    ],
    ids=["seed", "all", "none", "quarter", "overpaid"],
)
def test_formula_recovery_rate(total: int, remaining: int, expected: float) -> None:
    assert f.recovery_rate(total, remaining) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("total", [0, -5, 0.0], ids=["zero", "negative", "float-zero"])
def test_formula_recovery_rate_undefined(total: object) -> None:
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(f.recovery_rate(total, 0))


def test_formula_recovery_rate_bad_numbers() -> None:
    with pytest.raises(ck.CreditKPIError):
        f.recovery_rate("266000", 1)


# ----------------------------------------------------------------------------------
# properties
# ----------------------------------------------------------------------------------

MONTHS = ck.Period.months("2023-01", "2024-08")
PERIODS = [*MONTHS, ck.Period.quarter(2023, 2), ck.Period.quarter(2024, 1)]
periods_st = st.lists(st.sampled_from(PERIODS), min_size=1, max_size=3, unique=True)


def _all_kpis(ledger: ck.Ledger, periods: object, by: str | None) -> list[object]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        return [
            ck.cei(ledger, periods, by=by),  # type: ignore[arg-type]
            ck.cei(ledger, periods, sales="monthly", by=by),  # type: ignore[arg-type]
            ck.recovery_rate(ledger, periods, by=by),  # type: ignore[arg-type]
        ]


def _same(a: object, b: object) -> None:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_exact=True)  # type: ignore[arg-type]
    else:
        pd.testing.assert_series_equal(a, b, check_exact=True)  # type: ignore[arg-type]


@settings(max_examples=15)
@given(
    ledger_specs(max_invoices=15, extras=False),
    periods_st,
    st.integers(2, 1000),
    st.integers(0, 5),
    st.sampled_from([None, "country", "customer_id"]),
)
def test_scaling_and_row_order_leave_ratios_unchanged(
    spec: LedgerSpec, periods: list[ck.Period], k: int, seed: int, by: str | None
) -> None:
    before = _all_kpis(spec.build(), periods, by)
    scaled = _all_kpis(spec.scaled(k).build(), periods, by)
    shuffled = _all_kpis(spec.shuffled(seed).build(), periods, by)
    for a, b, c in zip(before, scaled, shuffled, strict=True):
        _same(a, b)  # bit for bit: quotients of exact integers
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
    for j, p in enumerate(periods):
        for whole, one in zip(series, _all_kpis(ledger, p, by), strict=True):
            if by is None:
                np.testing.assert_array_equal(whole.iloc[j], one)  # type: ignore[attr-defined]
            else:
                row = whole.iloc[j]  # type: ignore[attr-defined]
                pd.testing.assert_series_equal(
                    row, one.loc[row.index], check_names=False, check_exact=True
                )


@settings(max_examples=20)
@given(ledger_specs(max_invoices=15, extras=False), st.sampled_from(MONTHS))
def test_ranges_and_one_month_agreement(spec: LedgerSpec, period: ck.Period) -> None:
    """No overpayment in the specs: CEI and the recovery rate stay in [0, 1].

    CEI is 1 exactly when nothing is overdue at the end (and something was collectible);
    for one month both sales conventions agree; the recovery rate never falls as the
    observation date moves through the period.
    """
    ledger = spec.build()
    total = _quiet(ck.cei, ledger, period)
    monthly = _quiet(ck.cei, ledger, period, sales="monthly")
    np.testing.assert_array_equal(total, monthly)
    if not math.isnan(total):
        assert 0.0 <= total <= 1.0
        overdue = position(ledger, period.end)["overdue"].iloc[0]
        assert (total == 1.0) == (overdue == 0)
    days = [period.start + timedelta(days=k) for k in (0, 9, 19, period.days - 1)]
    rates = [_quiet(ck.recovery_rate, ledger, period, observed=d) for d in days]
    if math.isnan(rates[0]):
        assert all(math.isnan(r) for r in rates)
    else:
        assert all(0.0 <= r <= 1.0 for r in rates)
        assert rates == sorted(rates)


@settings(max_examples=10)
@given(ledger_specs(max_invoices=15, extras=False), periods_st)
def test_customer_split_additive_parts(spec: LedgerSpec, periods: list[ck.Period]) -> None:
    whole = _quiet(recovery_summary, spec.build(), periods, money="decimal")
    parts = [
        _quiet(recovery_summary, s.build(), periods, money="decimal")
        for s in spec.split_by_customer()
    ]
    by = _quiet(recovery_summary, spec.build(), periods, by="customer_id", money="decimal")
    for column in ("invoices", "total", "collected", "remaining"):
        zero = pd.Series(Decimal(0) if column != "invoices" else 0, index=whole.index)
        assert sum((p[column] for p in parts), start=zero).tolist() == whole[column].tolist()
        grouped = by[column].groupby(level="period", sort=False).sum()
        assert grouped.loc[whole.index].tolist() == whole[column].tolist()


def test_inputs_not_mutated(seed: ck.Ledger) -> None:
    snapshot = {
        k: getattr(seed._cols, k).copy() for k in ("amount", "issue", "due", "settlement_amount")
    }
    _all_kpis(seed, ["2024-03", "2024-04"], "customer_id")
    recovery_summary(seed, "2024-04", observed="2024-04-15", money="decimal")
    for k, v in snapshot.items():
        np.testing.assert_array_equal(getattr(seed._cols, k), v)
