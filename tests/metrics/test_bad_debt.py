"""Doubtful receivables, bad debt to sales, loss and provision rates: hand-computed and properties."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import creditkpi as ck
from creditkpi.metrics.bad_debt import (
    bad_debt_to_sales,
    doubtful_receivables,
    formula_bad_debt_to_sales,
    formula_loss_rate,
    formula_provision_rate,
    loss_rate,
    provision_rate,
)
from tests.strategies import LedgerSpec, ledger_specs


@pytest.fixture(scope="module")
def book() -> ck.Ledger:
    """Every figure below is computed by hand from these rows (2024).

    F1 C1 FR 01-05 due 02-04 1000.00  doubtful 03-15 (provision 400); cash 200 on 04-10;
                                      write-off 300 on 04-30
    F2 C2 DE 02-01 due 03-02  600.00  doubtful 04-20 (no provision), again 04-25 (provision 150)
    F3 C2 DE 04-03 due 05-03 2000.00  credit note 400 on 04-28
    F4 C1 FR 04-10 due 04-10  400.00  paid 04-12
    F5 C3 FR 01-10 due 01-20  250.00  doubtful 03-01 (provision 250); paid in full 03-25

    Sales: March 0 (nothing issued); April 2000 + 400 - 400 = 2000 (FR 400, DE 1600).
    """
    inv = [
        ("F1", "C1", "2024-01-05", "2024-02-04", "1000.00", "FR"),
        ("F2", "C2", "2024-02-01", "2024-03-02", "600.00", "DE"),
        ("F3", "C2", "2024-04-03", "2024-05-03", "2000.00", "DE"),
        ("F4", "C1", "2024-04-10", "2024-04-10", "400.00", "FR"),
        ("F5", "C3", "2024-01-10", "2024-01-20", "250.00", "FR"),
    ]
    return ck.Ledger.from_records(
        [ck.Invoice(i, c, a, b, m, attrs={"country": k}) for i, c, a, b, m, k in inv],
        [
            ck.Payment("F1", "2024-04-10", "200.00"),
            ck.Payment("F1", "2024-04-30", "300.00", kind="write_off"),
            ck.Payment("F3", "2024-04-28", "400.00", kind="credit_note"),
            ck.Payment("F4", "2024-04-12", "400.00"),
            ck.Payment("F5", "2024-03-25", "250.00"),
        ],
        doubtful=[
            ck.Doubtful("F1", "2024-03-15", provision="400.00"),
            ck.Doubtful("F2", "2024-04-20"),
            ck.Doubtful("F2", "2024-04-25", provision="150.00"),
            ck.Doubtful("F5", "2024-03-01", provision="250.00"),
        ],
    )


# ---------------------------------------------------------------------------------- doubtful


@pytest.mark.parametrize(
    ("as_of", "rule_days", "expected"),
    [
        # nothing classified yet
        ("2024-02-29", None, "0.00"),
        # F5 classified 03-01, still unpaid
        ("2024-03-10", None, "250.00"),
        # F1 1000 (classified 03-15); F5 paid 03-25 -> 0
        ("2024-03-31", None, "1000.00"),
        # F1 1000 - 200 = 800; F2 600 (classified 04-20)
        ("2024-04-22", None, "1400.00"),
        # F1 1000 - 200 - 300 = 500; F2 600
        ("2024-04-30", None, "1100.00"),
        # rule > 60 days past due on 03-31: F1 56 days, F2 29, F5 71 but paid -> 0
        ("2024-03-31", 60, "0.00"),
        # on 04-30: F1 86 days -> 500; F2 59 days -> not yet
        ("2024-04-30", 60, "500.00"),
        # 05-01: F2 is exactly 60 days past due: not more than 60
        ("2024-05-01", 60, "500.00"),
        # 05-02: F2 61 days -> 500 + 600
        ("2024-05-02", 60, "1100.00"),
        # rule 0: every overdue invoice (F1 500, F2 600; F4 and F5 paid; F3 not due)
        ("2024-04-30", 0, "1100.00"),
    ],
    ids=[
        "before-any",
        "first-classification",
        "paid-doubtful-is-zero",
        "partial-payment",
        "after-write-off",
        "rule-none-yet",
        "rule",
        "rule-boundary-equal",
        "rule-boundary-past",
        "rule-zero",
    ],
)
def test_doubtful(book: ck.Ledger, as_of: str, rule_days: int | None, expected: str) -> None:
    assert doubtful_receivables(book, as_of, rule_days=rule_days, money="decimal") == Decimal(
        expected
    )


def test_doubtful_shapes(book: ck.Ledger) -> None:
    by = doubtful_receivables(book, "2024-04-30", by="country", money="decimal")
    assert by.index.name == "country"
    assert by.to_dict() == {"FR": Decimal("500.00"), "DE": Decimal("600.00")}
    series = doubtful_receivables(book, ["2024-03-31", "2024-04-30"], money="decimal")
    assert list(series) == [Decimal("1000.00"), Decimal("1100.00")]
    assert series[pd.Timestamp("2024-04-30")] == Decimal("1100.00")
    frame = doubtful_receivables(
        book, ["2024-03-31", "2024-04-30"], by="customer_id", money="decimal"
    )
    assert frame.loc[pd.Timestamp("2024-03-31"), "C1"] == Decimal("1000.00")
    assert frame.loc[pd.Timestamp("2024-04-30"), "C2"] == Decimal("600.00")


# ---------------------------------------------------------------------------------- ratios


def test_bad_debt_to_sales(book: ck.Ledger) -> None:
    # (Doubtful(04-30) - Doubtful(03-31)) / S(April) = (1100 - 1000) / 2000
    assert bad_debt_to_sales(book, "2024-04") == 0.05
    assert ck.bad_debt_to_sales(book, ck.Period.month(2024, 4)) == 0.05


def test_bad_debt_to_sales_rule_vs_classification(book: ck.Ledger) -> None:
    # rule > 60 days: (500 - 0) / 2000 -- the classification gives 0.05
    assert bad_debt_to_sales(book, "2024-04", rule_days=60) == 0.25


def test_bad_debt_to_sales_by(book: ck.Ledger) -> None:
    # FR: (500 + 0) - (1000 + 0) = -500 over sales 400 (F4); DE: (600 - 0) / (2000 - 400)
    out = bad_debt_to_sales(book, "2024-04", by="country")
    assert out.to_dict() == {"FR": -1.25, "DE": 0.375}
    with pytest.warns(ck.UndefinedMetricWarning):  # C3 has no sales in April
        per_customer = bad_debt_to_sales(book, "2024-04", by="customer_id")
    assert per_customer["C1"] == -1.25
    assert math.isnan(per_customer["C3"])


def test_loss_rate(book: ck.Ledger) -> None:
    # write-offs 300 / sales 2000
    assert loss_rate(book, "2024-04") == 0.15
    assert ck.loss_rate(book, "2024-04") == 0.15
    # FR 300 / 400; DE 0 / 1600
    assert loss_rate(book, "2024-04", by="country").to_dict() == {"FR": 0.75, "DE": 0.0}


def test_zero_sales_is_nan(book: ck.Ledger) -> None:
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(loss_rate(book, "2024-03"))
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(bad_debt_to_sales(book, "2024-03"))


def test_period_series(book: ck.Ledger) -> None:
    with pytest.warns(ck.UndefinedMetricWarning):
        out = loss_rate(book, ["2024-03", "2024-04"])
    assert out.index.name == "period"
    assert math.isnan(out["2024-03"])
    assert out["2024-04"] == 0.15
    frame = bad_debt_to_sales(book, ["2024-04", "2024-Q2"], by="country")
    # a month and a quarter: no common frequency, so an IntervalIndex of dates
    assert isinstance(frame.index, pd.IntervalIndex)
    april, q2 = frame.index
    assert frame.loc[april, "DE"] == 0.375
    # Q2: Doubtful(06-30) - Doubtful(03-31): FR 500 - 1000; sales FR 400
    assert frame.loc[q2, "FR"] == -1.25


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        # F1 400 (balance 500) + F2 150 (latest classification carrying one); F5 paid: no provision
        ("2024-04-30", 550 / 1100),
        # F1 400 / 1000
        ("2024-03-31", 0.4),
        # F5 250 / 250
        ("2024-03-10", 1.0),
        # F1 400; F2 classified 04-20 without provision: 400 / (800 + 600)
        ("2024-04-22", 400 / 1400),
    ],
    ids=["end-of-april", "end-of-march", "fully-provisioned", "classified-without-provision"],
)
def test_provision_rate(book: ck.Ledger, as_of: str, expected: float) -> None:
    assert provision_rate(book, as_of) == expected


def test_provision_rate_shapes(book: ck.Ledger) -> None:
    # FR 400 / 500; DE 150 / 600
    assert provision_rate(book, "2024-04-30", by="country").to_dict() == {"FR": 0.8, "DE": 0.25}
    with pytest.warns(ck.UndefinedMetricWarning):  # nothing doubtful on 02-29
        out = provision_rate(book, ["2024-02-29", "2024-03-31"])
    assert math.isnan(out.iloc[0])
    assert out.iloc[1] == 0.4


def test_over_provisioned_not_capped() -> None:
    ledger = ck.Ledger.from_records(
        [ck.Invoice("F1", "C1", "2024-01-01", "2024-01-31", "100.00")],
        [ck.Payment("F1", "2024-03-01", "60.00")],
        doubtful=[ck.Doubtful("F1", "2024-02-15", provision="100.00")],
    )
    # provision 100 on a balance of 40
    assert provision_rate(ledger, "2024-03-31") == 2.5


def test_one_invoice_all_paid() -> None:
    ledger = ck.Ledger.from_records(
        [ck.Invoice("F1", "C1", "2024-04-01", "2024-04-30", "100.00")],
        [ck.Payment("F1", "2024-04-10", "100.00")],
    )
    assert bad_debt_to_sales(ledger, "2024-04") == 0.0
    assert loss_rate(ledger, "2024-04") == 0.0
    assert doubtful_receivables(ledger, "2024-06-30", rule_days=0, money="decimal") == Decimal(
        "0.00"
    )


def test_empty_ledger() -> None:
    ledger = ck.Ledger.from_records([])
    assert doubtful_receivables(ledger, "2024-04-30", money="decimal") == Decimal("0.00")
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(loss_rate(ledger, "2024-04"))
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(provision_rate(ledger, "2024-04-30"))


@pytest.mark.parametrize(
    "rule_days", [-1, 1.5, True, "30"], ids=["negative", "float", "bool", "text"]
)
def test_bad_rule_days(book: ck.Ledger, rule_days: Any) -> None:
    with pytest.raises(ck.CreditKPIError, match="rule_days"):
        doubtful_receivables(book, "2024-04-30", rule_days=rule_days, money="decimal")
    with pytest.raises(ck.CreditKPIError, match="rule_days"):
        bad_debt_to_sales(book, "2024-04", rule_days=rule_days)


@pytest.mark.parametrize(
    "call",
    [
        lambda b: doubtful_receivables(b, "2024-04-30", by="nope", money="decimal"),
        lambda b: doubtful_receivables(b, None, money="decimal"),
        lambda b: doubtful_receivables(b, "30/04/2024", money="decimal"),
        lambda b: bad_debt_to_sales(b, "2024-13"),
        lambda b: loss_rate(b, "2024-04", by="nope"),
        lambda b: provision_rate(b, [], by=None),
    ],
    ids=["by", "no-as-of", "bad-date", "bad-period", "loss-by", "empty-list"],
)
def test_bad_arguments(book: ck.Ledger, call: Any) -> None:
    with pytest.raises(ck.CreditKPIError):
        call(book)


def test_inputs_not_mutated(book: ck.Ledger) -> None:
    names = (
        "amount",
        "settlement_amount",
        "settlement_date",
        "doubtful_date",
        "doubtful_provision",
        "doubtful_invoice",
    )
    before = {k: getattr(book._cols, k).copy() for k in names}
    with pytest.warns(ck.UndefinedMetricWarning):  # no sales in May
        bad_debt_to_sales(book, ["2024-04", "2024-05"], by="country")
    provision_rate(book, ["2024-04-30"])
    for key, value in before.items():
        assert np.array_equal(getattr(book._cols, key), value)


# ---------------------------------------------------------------------------------- formulas


@pytest.mark.parametrize(
    ("func", "args", "expected"),
    [
        (formula_bad_debt_to_sales, (100, 2000), 0.05),
        (formula_bad_debt_to_sales, (Decimal("-500.00"), Decimal("400.00")), -1.25),
        (formula_bad_debt_to_sales, (15_000.0, 1_200_000.0), 0.0125),
        (formula_loss_rate, (300, 2000), 0.15),
        (formula_loss_rate, (0, 2000), 0.0),
        (formula_provision_rate, (550, 1100), 0.5),
        (formula_provision_rate, (Decimal("400"), Decimal("1400")), 2 / 7),
        (ck.formulas.bad_debt_to_sales, (100, 2000), 0.05),
    ],
    ids=[
        "bdts",
        "bdts-negative-decimal",
        "bdts-float",
        "loss",
        "loss-zero",
        "provision",
        "provision-decimal",
        "re-exported",
    ],
)
def test_formulas(func: Any, args: tuple[Any, Any], expected: float) -> None:
    assert func(*args) == expected


@pytest.mark.parametrize(
    "func", [formula_bad_debt_to_sales, formula_loss_rate, formula_provision_rate]
)
def test_formulas_zero_denominator(func: Any) -> None:
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(func(10, 0))


@pytest.mark.parametrize(
    "func", [formula_bad_debt_to_sales, formula_loss_rate, formula_provision_rate]
)
@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_formulas_non_finite_input_gives_nan(func: Any, value: float) -> None:
    # the library's one rule: a value already unknown propagates as nan, no exception
    assert math.isnan(func(value, 100))


@pytest.mark.parametrize(
    ("func", "args"),
    [
        (formula_loss_rate, (-1, 100)),
        (formula_provision_rate, (-1, 100)),
        (formula_bad_debt_to_sales, ("1", 100)),
        (formula_bad_debt_to_sales, (1, None)),
        (formula_provision_rate, (True, 100)),
    ],
    ids=["negative-write-offs", "negative-provisions", "text", "none", "bool"],
)
def test_formulas_bad(func: Any, args: tuple[Any, Any]) -> None:
    with pytest.raises(ck.CreditKPIError):
        func(*args)


# ---------------------------------------------------------------------------------- properties

months = st.integers(1, 17).map(lambda k: ck.Period.month(2023 + (k // 12), k % 12 + 1))
rules = st.one_of(st.none(), st.sampled_from([0, 30, 90]))


def naive_doubtful(spec: LedgerSpec, as_of: date, rule_days: int | None) -> Decimal:
    """The definition, row by row over the records."""
    classified = {d.invoice for d in spec.doubtful if d.date <= as_of}
    total = Decimal(0)
    for inv in spec.invoices:
        if inv.issue_date > as_of:
            continue
        late = (as_of - inv.due_date).days > rule_days if rule_days is not None else False
        if (inv.id in classified) if rule_days is None else late:
            settled = sum(
                (p.amount for p in spec.payments if p.invoice == inv.id and p.date <= as_of),
                Decimal(0),
            )
            total += inv.amount - settled
    return total


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def figures(ledger: ck.Ledger, period: ck.Period, rule: int | None) -> tuple[Any, ...]:
    return (
        bad_debt_to_sales(ledger, period, rule_days=rule),
        loss_rate(ledger, period),
        provision_rate(ledger, period.end),
    )


@pytest.mark.filterwarnings("ignore::creditkpi.UndefinedMetricWarning")
@settings(max_examples=20)
@given(ledger_specs(), months, rules)
def test_matches_definition(spec: LedgerSpec, period: ck.Period, rule: int | None) -> None:
    ledger = spec.build()
    before = period.start - timedelta(days=1)
    closing = naive_doubtful(spec, period.end, rule)
    opening = naive_doubtful(spec, before, rule)
    assert doubtful_receivables(ledger, period.end, rule_days=rule, money="decimal") == closing
    assert doubtful_receivables(ledger, before, rule_days=rule, money="decimal") == opening
    invoiced = sum((i.amount for i in spec.invoices if i.issue_date in period), Decimal(0))
    credits = sum(
        (p.amount for p in spec.payments if p.kind == "credit_note" and p.date in period),
        Decimal(0),
    )
    offs = sum(
        (p.amount for p in spec.payments if p.kind == "write_off" and p.date in period),
        Decimal(0),
    )
    sales = invoiced - credits
    # exact fractions, rounded once: the library divides integer cents exactly
    # the one rule: a ratio to sales is undefined when S(P) <= 0 (see the Concepts page)
    expected = float("nan") if sales <= 0 else float(Fraction(closing - opening) / Fraction(sales))
    assert same(bad_debt_to_sales(ledger, period, rule_days=rule), expected)
    loss = float("nan") if sales <= 0 else float(Fraction(offs) / Fraction(sales))
    assert same(loss_rate(ledger, period), loss)


@pytest.mark.filterwarnings("ignore::creditkpi.UndefinedMetricWarning")
@settings(max_examples=12)
@given(ledger_specs(), months, rules, st.integers(0, 10), st.integers(2, 1000))
def test_metamorphic(
    spec: LedgerSpec, period: ck.Period, rule: int | None, seed: int, k: int
) -> None:
    ledger = spec.build()
    base = figures(ledger, period, rule)
    amount = doubtful_receivables(ledger, period.end, rule_days=rule, money="decimal")
    # row order is irrelevant
    shuffled = spec.shuffled(seed).build()
    assert all(same(a, b) for a, b in zip(figures(shuffled, period, rule), base, strict=True))
    assert doubtful_receivables(shuffled, period.end, rule_days=rule, money="decimal") == amount
    # scaling every amount (and provision) by k: same ratios, k times the doubtful amount
    scaled = spec.scaled(k).build()
    assert all(same(a, b) for a, b in zip(figures(scaled, period, rule), base, strict=True))
    assert doubtful_receivables(scaled, period.end, rule_days=rule, money="decimal") == amount * k


@pytest.mark.filterwarnings("ignore::creditkpi.UndefinedMetricWarning")
@settings(max_examples=12)
@given(ledger_specs(), months, rules, st.integers(-400, 400))
def test_date_shift(spec: LedgerSpec, period: ck.Period, rule: int | None, days: int) -> None:
    moved = ck.Period(period.start + timedelta(days=days), period.end + timedelta(days=days))
    a = figures(spec.build(), period, rule)
    b = figures(spec.shifted(days).build(), moved, rule)
    assert all(same(x, y) for x, y in zip(a, b, strict=True))


@pytest.mark.filterwarnings("ignore::creditkpi.UndefinedMetricWarning")
@settings(max_examples=10)
@given(ledger_specs(), months, rules)
def test_customer_split(spec: LedgerSpec, period: ck.Period, rule: int | None) -> None:
    ledger = spec.build()
    whole = doubtful_receivables(ledger, period.end, rule_days=rule, money="decimal")
    loss = loss_rate(ledger, period, by="customer_id")
    provision = provision_rate(ledger, period.end, by="customer_id")
    total = Decimal(0)
    for part in spec.split_by_customer():
        built = part.build()
        customer = part.customers()[0]
        total += doubtful_receivables(built, period.end, rule_days=rule, money="decimal")
        if customer in loss.index:  # a customer with unapplied cash only has no invoice
            assert same(loss[customer], loss_rate(built, period))
            assert same(provision[customer], provision_rate(built, period.end))
    assert total == whole
