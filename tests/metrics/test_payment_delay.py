"""Payment behaviour (days to pay, days late, share paid late): hand-computed and properties."""

from __future__ import annotations

import math
import warnings
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import creditkpi as ck
from creditkpi.metrics.payment_delay import formula_weighted_average_days, payment_delays
from tests.strategies import LedgerSpec, ledger_specs

FIELDS = ["days_to_pay", "days_late", "share_paid_late", "amount", "payments"]


@pytest.fixture(scope="module")
def book() -> ck.Ledger:
    """Cash payments, with (amount, days to pay, days late) worked out by hand (2024).

    F1 C1 FR 03-01 due 03-31 1000.00  cash 600 on 04-10 (40, 10); 400 on 04-30 (60, 30)
    F2 C2 DE 03-20 due 04-19  500.00  cash 500 on 04-09 (20, 0: early)
    F3 C2 DE 04-01 due 04-30  300.00  credit note 300 on 04-15 (not a payment)
    F4 C1 FR 02-01 due 03-02  200.00  cash 200 on 03-30 (58, 28)  -- March
    F5 C1 FR 04-05 due 05-05  100.00  cash 100 on 05-10 (35, 5)   -- May
    F6 C3 IT 04-10 due 04-25  250.00  cash 250 on 04-25 (15, 0: on the due date)
    F7 C3 IT 04-01 due 04-30   50.00  write-off 50 on 04-20 (not a payment)
    unapplied cash of C2, 999.00 on 04-20: no invoice, excluded
    """
    inv = [
        ("F1", "C1", "2024-03-01", "2024-03-31", "1000.00", "FR"),
        ("F2", "C2", "2024-03-20", "2024-04-19", "500.00", "DE"),
        ("F3", "C2", "2024-04-01", "2024-04-30", "300.00", "DE"),
        ("F4", "C1", "2024-02-01", "2024-03-02", "200.00", "FR"),
        ("F5", "C1", "2024-04-05", "2024-05-05", "100.00", "FR"),
        ("F6", "C3", "2024-04-10", "2024-04-25", "250.00", "IT"),
        ("F7", "C3", "2024-04-01", "2024-04-30", "50.00", "IT"),
    ]
    return ck.Ledger.from_records(
        [ck.Invoice(i, c, a, b, m, attrs={"country": k}) for i, c, a, b, m, k in inv],
        [
            ck.Payment("F1", "2024-04-10", "600.00"),
            ck.Payment("F1", "2024-04-30", "400.00"),
            ck.Payment("F2", "2024-04-09", "500.00"),
            ck.Payment("F3", "2024-04-15", "300.00", kind="credit_note"),
            ck.Payment("F4", "2024-03-30", "200.00"),
            ck.Payment("F5", "2024-05-10", "100.00"),
            ck.Payment("F6", "2024-04-25", "250.00"),
            ck.Payment("F7", "2024-04-20", "50.00", kind="write_off"),
            ck.Payment(None, "2024-04-20", "999.00", customer="C2"),
        ],
    )


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        # April: Σa = 600 + 400 + 500 + 250 = 1750
        # to pay: (600×40 + 400×60 + 500×20 + 250×15) / 1750 = 61750 / 1750 = 247/7
        # late:   (600×10 + 400×30) / 1750 = 18000 / 1750 = 72/7; late share 1000 / 1750 = 4/7
        ("2024-04", (247 / 7, 72 / 7, 4 / 7, "1750.00", 4)),
        # March: F4 only
        ("2024-03", (58.0, 28.0, 1.0, "200.00", 1)),
        # May: F5 only
        ("2024-05", (35.0, 5.0, 1.0, "100.00", 1)),
        # Q2 = April + May: (61750 + 3500) / 1850; (18000 + 500) / 1850 = 10; 1100 / 1850
        ("2024-Q2", (65250 / 1850, 10.0, 1100 / 1850, "1850.00", 5)),
    ],
    ids=["april", "march", "may", "quarter"],
)
def test_book(book: ck.Ledger, period: str, expected: tuple[Any, ...]) -> None:
    out = payment_delays(book, period, money="decimal")
    assert isinstance(out, pd.Series)
    assert list(out.index) == FIELDS
    assert out.name == period
    days_to_pay, days_late, share_late, amount, count = expected
    assert out["days_to_pay"] == days_to_pay
    assert out["days_late"] == days_late
    assert out["share_paid_late"] == share_late
    assert out["amount"] == Decimal(amount)
    assert out["payments"] == count
    assert type(out["payments"]) is int


def test_public_name(book: ck.Ledger) -> None:
    assert ck.payment_delays(book, ck.Period.month(2024, 3), money="decimal")["days_late"] == 28.0


def test_by_country(book: ck.Ledger) -> None:
    out = payment_delays(book, "2024-04", by="country", money="decimal")
    assert isinstance(out, pd.DataFrame)
    assert out.index.name == "country"
    assert list(out.columns) == FIELDS
    # FR: (600×40 + 400×60) / 1000 = 48; (600×10 + 400×30) / 1000 = 18; all late
    assert out.loc["FR", ["days_to_pay", "days_late", "share_paid_late"]].tolist() == [
        48.0,
        18.0,
        1.0,
    ]
    # DE: paid 10 days early -> 0 days late, nothing late
    assert out.loc["DE", ["days_to_pay", "days_late", "share_paid_late"]].tolist() == [
        20.0,
        0.0,
        0.0,
    ]
    # IT: paid on the due date -> not late
    assert out.loc["IT", ["days_to_pay", "days_late", "share_paid_late"]].tolist() == [
        15.0,
        0.0,
        0.0,
    ]
    assert out.loc["DE", "amount"] == Decimal("500.00")  # the unapplied 999 is excluded
    assert out["payments"].to_dict() == {"DE": 1, "FR": 2, "IT": 1}
    assert out.index.tolist() == ["DE", "FR", "IT"]  # groups come sorted
    assert out["days_to_pay"].dtype == np.float64
    assert out["payments"].dtype == np.int64


def test_periods(book: ck.Ledger) -> None:
    out = payment_delays(book, ["2024-03", "2024-04", "2024-05"], money="decimal")
    assert out.index.name == "period"
    assert [str(p) for p in out.index] == ["2024-03", "2024-04", "2024-05"]
    assert out["days_late"].tolist() == [28.0, 72 / 7, 5.0]
    assert out["amount"].tolist() == [Decimal("200.00"), Decimal("1750.00"), Decimal("100.00")]


def test_periods_by(book: ck.Ledger) -> None:
    with pytest.warns(ck.UndefinedMetricWarning):  # DE and IT pay nothing in May
        out = payment_delays(book, ["2024-04", "2024-05"], by="country", money="decimal")
    assert out.index.names == ["period", "country"]
    assert out.loc[("2024-05", "FR"), "days_to_pay"] == 35.0
    assert math.isnan(out.loc[("2024-05", "DE"), "days_to_pay"])
    assert out.loc[("2024-05", "DE"), "payments"] == 0
    assert out.loc[("2024-05", "DE"), "amount"] == Decimal("0.00")


def test_no_payment_is_nan(book: ck.Ledger) -> None:
    with pytest.warns(ck.UndefinedMetricWarning):
        out = payment_delays(book, "2024-06", money="decimal")
    assert math.isnan(out["days_to_pay"])
    assert math.isnan(out["days_late"])
    assert math.isnan(out["share_paid_late"])
    assert (out["amount"], out["payments"]) == (Decimal("0.00"), 0)


def test_empty_ledger() -> None:
    # no customer, hence no group and nothing undefined: an empty frame with the fixed columns
    out = payment_delays(ck.Ledger.from_records([]), ["2024-04"], by="customer_id", money="decimal")
    assert list(out.columns) == FIELDS
    assert len(out) == 0


def test_payment_before_issue_counts_from_issue() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        ledger = ck.Ledger.from_records(
            [
                ck.Invoice("F1", "C1", "2024-04-20", "2024-05-20", "100.00"),
                ck.Invoice("F2", "C1", "2024-04-01", "2024-04-11", "100.00"),
            ],
            [
                ck.Payment("F1", "2024-04-18", "100.00"),  # 2 days before issue: 0 days
                ck.Payment("F2", "2024-04-21", "100.00"),  # 20 days, 10 late
            ],
        )
    out = payment_delays(ledger, "2024-04", money="decimal")
    # (0 + 20) / 2; (0 + 10) / 2; half the amount late
    assert out[["days_to_pay", "days_late", "share_paid_late"]].tolist() == [10.0, 5.0, 0.5]


def test_partial_payments_weighted_by_amount() -> None:
    # one invoice paid 90 % on time (day 0) and 10 % a hundred days later: weighted, not averaged
    ledger = ck.Ledger.from_records(
        [ck.Invoice("F1", "C1", "2024-01-01", "2024-01-01", "1000.00")],
        [ck.Payment("F1", "2024-01-01", "900.00"), ck.Payment("F1", "2024-04-10", "100.00")],
    )
    out = payment_delays(ledger, "2024", money="decimal")
    # (900×0 + 100×100) / 1000 = 10 (the unweighted mean would be 50)
    assert out["days_to_pay"] == 10.0
    assert out["days_late"] == 10.0
    assert out["share_paid_late"] == 0.1


@pytest.mark.parametrize(
    ("period", "by"),
    [("2024-13", None), ([], None), ("2024-04", "nope"), (None, None)],
    ids=["period", "no-period", "by", "none"],
)
def test_bad_arguments(book: ck.Ledger, period: Any, by: str | None) -> None:
    with pytest.raises((ck.CreditKPIError, TypeError)):
        payment_delays(book, period, by=by, money="decimal")


def test_inputs_not_mutated(book: ck.Ledger) -> None:
    before = {
        k: getattr(book._cols, k).copy()
        for k in ("amount", "settlement_amount", "settlement_date", "issue", "due")
    }
    with pytest.warns(ck.UndefinedMetricWarning):  # C2 and C3 pay nothing in March
        payment_delays(book, ["2024-03", "2024-04"], by="customer_id", money="decimal")
    for key, value in before.items():
        assert np.array_equal(getattr(book._cols, key), value)


# ---------------------------------------------------------------------------------- formula


@pytest.mark.parametrize(
    ("amounts", "days", "expected"),
    [
        ([100, 300], [40, 20], 25.0),  # (4000 + 6000) / 400
        ([900, 100], [0, 100], 10.0),
        ([Decimal("600.00"), Decimal("400.00")], [10, 30], 18.0),
        ([0.5, 1.5], [2.0, 4.0], 3.5),
        ([600, 400, 500, 250], [40, 60, 20, 15], 247 / 7),
        ([1], [-3], -3.0),  # days may be negative (paid before due: days to due)
    ],
    ids=["two", "weighted-not-mean", "decimal", "float", "book-april", "negative-days"],
)
def test_formula(amounts: list[Any], days: list[Any], expected: float) -> None:
    assert formula_weighted_average_days(amounts, days) == expected
    assert ck.formulas.weighted_average_days(amounts, days) == expected


@pytest.mark.parametrize(("amounts", "days"), [([], []), ([0, 0], [3, 4])], ids=["empty", "zero"])
def test_formula_undefined(amounts: list[Any], days: list[Any]) -> None:
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(formula_weighted_average_days(amounts, days))


@pytest.mark.parametrize(
    ("amounts", "days"),
    [([1, 2], [3]), ([-1, 2], [3, 4]), (["1"], [2]), ([1], [float("nan")]), ([True], [1])],
    ids=["lengths", "negative", "text", "nan", "bool"],
)
def test_formula_bad(amounts: list[Any], days: list[Any]) -> None:
    with pytest.raises(ck.CreditKPIError):
        formula_weighted_average_days(amounts, days)


# ---------------------------------------------------------------------------------- properties

months = st.integers(0, 20).map(lambda k: ck.Period.month(2023 + (k // 12), k % 12 + 1))


def naive(spec: LedgerSpec, period: ck.Period) -> tuple[float, float, float, Decimal, int]:
    """The definition with exact fractions, row by row."""
    invoices = {i.id: i for i in spec.invoices}
    cash = [
        p
        for p in spec.payments
        if p.kind == "payment" and p.invoice is not None and p.date in period
    ]
    total = sum((Fraction(p.amount) for p in cash), Fraction(0))
    if total == 0:
        nan = float("nan")
        return (nan, nan, nan, Decimal(0), 0)
    to_pay = sum(
        Fraction(p.amount) * max(0, (p.date - invoices[p.invoice].issue_date).days)
        for p in cash
        if p.invoice is not None
    )
    late_days = [
        (p, max(0, (p.date - invoices[p.invoice].due_date).days))
        for p in cash
        if p.invoice is not None
    ]
    late = sum(Fraction(p.amount) * d for p, d in late_days)
    share = sum(Fraction(p.amount) for p, d in late_days if d >= 1)
    return (
        float(to_pay / total),
        float(late / total),
        float(share / total),
        sum((p.amount for p in cash), Decimal(0)),
        len(cash),
    )


def values(out: pd.Series) -> tuple[Any, ...]:
    return tuple(out[f] for f in FIELDS)


def same(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    return all(
        (isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y))
        or x == y
        for x, y in zip(a, b, strict=True)
    )


@pytest.mark.filterwarnings("ignore::creditkpi.UndefinedMetricWarning")
@settings(max_examples=25)
@given(ledger_specs(), months)
def test_matches_definition(spec: LedgerSpec, period: ck.Period) -> None:
    out = values(payment_delays(spec.build(), period, money="decimal"))
    assert same(out, naive(spec, period))
    if out[4]:
        assert 0.0 <= out[2] <= 1.0
        assert 0.0 <= out[1] <= out[0] + 60  # specs have terms of at most 60 days


@pytest.mark.filterwarnings("ignore::creditkpi.UndefinedMetricWarning")
@settings(max_examples=12)
@given(ledger_specs(), months, st.integers(0, 10), st.integers(2, 1000), st.integers(-400, 400))
def test_metamorphic(spec: LedgerSpec, period: ck.Period, seed: int, k: int, days: int) -> None:
    base = values(payment_delays(spec.build(), period, money="decimal"))
    # row order is irrelevant
    assert same(values(payment_delays(spec.shuffled(seed).build(), period, money="decimal")), base)
    # scaling amounts by k: same days and share, k times the amount
    scaled = values(payment_delays(spec.scaled(k).build(), period, money="decimal"))
    assert same(scaled[:3], base[:3])
    assert scaled[3] == base[3] * k
    assert scaled[4] == base[4]
    # shifting every date (and the period) by the same number of days changes nothing
    moved = ck.Period(period.start + timedelta(days=days), period.end + timedelta(days=days))
    assert same(values(payment_delays(spec.shifted(days).build(), moved, money="decimal")), base)


@pytest.mark.filterwarnings("ignore::creditkpi.UndefinedMetricWarning")
@settings(max_examples=10)
@given(ledger_specs(), months)
def test_customer_split(spec: LedgerSpec, period: ck.Period) -> None:
    ledger = spec.build()
    whole = values(payment_delays(ledger, period, money="decimal"))
    by = payment_delays(ledger, period, by="customer_id", money="decimal")
    amount, count = Decimal(0), 0
    for part in spec.split_by_customer():
        alone = values(payment_delays(part.build(), period, money="decimal"))
        amount += alone[3]
        count += alone[4]
        customer = part.customers()[0]
        if customer in by.index:  # a customer with only unapplied cash has no invoice
            assert same(values(by.loc[customer]), alone)
    assert (amount, count) == (whole[3], whole[4])
