"""Cost per euro collected (coût à l'euro recouvré): hand-computed cases and properties."""

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
from creditkpi.metrics.cost_per_euro import cost_per_euro, formula_cost_per_euro
from tests.strategies import LedgerSpec, ledger_specs


@pytest.fixture(scope="module")
def book() -> ck.Ledger:
    """Cash collected C(P) by hand.

    F1 C1 (FR) 03-01 due 03-31 1000.00: cash 600.00 on 04-10
    F2 C2 (DE) 03-15 due 04-14  500.00: cash 200.00 on 04-20, credit note 100.00 on 04-22
       (not cash), write-off 50.00 on 04-23 (not cash), cash 100.00 on 05-05
    unapplied cash from C2: 50.00 on 04-25 (cash, applied or not)

    C(2024-03) = 0; C(2024-04) = 600 + 200 + 50 = 850.00 (FR 600, DE 250);
    C(2024-05) = 100.00.
    """
    return ck.Ledger.from_records(
        [
            ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "1000.00", attrs={"country": "FR"}),
            ck.Invoice("F2", "C2", "2024-03-15", "2024-04-14", "500.00", attrs={"country": "DE"}),
        ],
        [
            ck.Payment("F1", "2024-04-10", "600.00"),
            ck.Payment("F2", "2024-04-20", "200.00"),
            ck.Payment("F2", "2024-04-22", "100.00", kind="credit_note"),
            ck.Payment("F2", "2024-04-23", "50.00", kind="write_off"),
            ck.Payment(None, "2024-04-25", "50.00", customer="C2"),
            ck.Payment("F2", "2024-05-05", "100.00"),
        ],
    )


LINES = [
    ("2024-03-31", "1000.00", "staff"),  # the day before April: ignored
    ("2024-04-01", "40.00", "staff"),  # first day: counts
    (date(2024, 4, 30), 45, "letters"),  # last day: counts
    ("2024-05-01", "999.00", "staff"),  # May
]


@pytest.mark.parametrize(
    ("costs", "expected"),
    [
        ("85.00", 0.1),  # 85 / 850
        (Decimal("425.00"), 0.5),  # 425 / 850: below 1, pays for itself
        (850, 1.0),  # break-even
        ("1275", 1.5),  # 1275 / 850: above 1, costs more than it brings
        (42.5, 0.05),  # float taken at its text: 42.5 / 850
        (0, 0.0),  # no cost
        ("0.001", 1 / 850_000),  # a cost may be finer than a cent (not a ledger entry)
        ([("2024-04-02", "85")], 0.1),  # (date, amount) pairs
        (LINES, 0.1),  # 40 + 45 = 85 in April / 850
        (pd.DataFrame(LINES, columns=["date", "amount", "category"]), 0.1),
        ({"2024-04": "170.00", "2024-05": 1}, 0.2),  # a total per period: 170 / 850
    ],
    ids=[
        "text",
        "decimal",
        "int-break-even",
        "above-one",
        "float",
        "zero-costs",
        "sub-cent",
        "pairs",
        "tuples",
        "frame",
        "mapping",
    ],
)
def test_april(book: ck.Ledger, costs: Any, expected: float) -> None:
    assert cost_per_euro(book, "2024-04", costs=costs) == expected


def test_public_name_and_type(book: ck.Ledger) -> None:
    value = ck.cost_per_euro(book, ck.Period.month(2024, 4), costs="85.00")
    assert value == 0.1
    assert type(value) is float


def test_reading_below_and_above_one(book: ck.Ledger) -> None:
    assert (
        cost_per_euro(book, "2024-04", costs="849.99")
        < 1
        < cost_per_euro(book, "2024-04", costs="850.01")
    )


def test_periods_series(book: ck.Ledger) -> None:
    frame = pd.DataFrame(LINES, columns=["date", "amount", "category"])
    out = cost_per_euro(book, ["2024-04", "2024-05"], costs=frame)
    # April 85 / 850; May 999 / 100
    assert out.index.name == "period"
    assert out.rename(index=str).to_dict() == {"2024-04": 0.1, "2024-05": 9.99}
    mapped = cost_per_euro(
        book,
        [ck.Period.month(2024, 4), "2024-05"],
        costs={ck.Period.month(2024, 4): 170, "2024-05": 50},
    )
    assert mapped.rename(index=str).to_dict() == {"2024-04": 0.2, "2024-05": 0.5}


def test_quarter_collects_every_line(book: ck.Ledger) -> None:
    # Q2: lines 04-01, 04-30, 05-01 = 40 + 45 + 999 = 1084; cash 850 + 100 = 950
    assert cost_per_euro(book, "2024-Q2", costs=LINES) == 1084 / 950


def test_by_country(book: ck.Ledger) -> None:
    lines = pd.DataFrame(
        {
            "date": ["2024-04-03", "2024-04-28", "2024-04-15", "2024-06-01"],
            "amount": ["40.00", "20.00", "25.50", "7.00"],
            "country": ["FR", "FR", "DE", "DE"],
        }
    )
    out = cost_per_euro(book, "2024-04", costs=lines, by="country")
    # FR 60 / 600; DE 25.50 / (200 + 50 unapplied of C2, whose invoices are all DE)
    assert out.to_dict() == {"FR": 0.1, "DE": 0.102}
    with pytest.warns(ck.UndefinedMetricWarning):  # no cash in March
        both = cost_per_euro(book, ["2024-03", "2024-04"], costs=lines, by="country")
    assert both.loc["2024-04", "DE"] == 0.102
    assert math.isnan(both.loc["2024-03", "FR"])


def test_by_matches_text_labels() -> None:
    # the ledger's group labels are numbers, the cost lines' are text
    ledger = ck.Ledger.from_records(
        [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "100.00", attrs={"code": 391})],
        [ck.Payment("F1", "2024-04-10", "100.00")],
    )
    lines = pd.DataFrame({"date": ["2024-04-02"], "amount": [5], "code": ["391"]})
    assert cost_per_euro(ledger, "2024-04", costs=lines, by="code").to_dict() == {391: 0.05}


def test_zero_cash_is_nan(book: ck.Ledger) -> None:
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(cost_per_euro(book, "2024-03", costs="10.00"))


def test_empty_ledger() -> None:
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(cost_per_euro(ck.Ledger.from_records([]), "2024-04", costs=[]))


def test_no_line_in_period_is_zero(book: ck.Ledger) -> None:
    assert cost_per_euro(book, "2024-04", costs=[("2024-06-01", "5.00")]) == 0.0


def test_datetime_column(book: ck.Ledger) -> None:
    frame = pd.DataFrame(
        {"date": pd.to_datetime(["2024-04-01", "2024-04-30"]), "amount": [40.0, 45.0]}
    )
    assert cost_per_euro(book, "2024-04", costs=frame) == 0.1


def test_inputs_not_mutated(book: ck.Ledger) -> None:
    frame = pd.DataFrame(LINES, columns=["date", "amount", "category"])
    copy = frame.copy()
    lines = list(LINES)
    cost_per_euro(book, "2024-04", costs=frame)
    cost_per_euro(book, "2024-04", costs=lines)
    pd.testing.assert_frame_equal(frame, copy)
    assert lines == LINES


# ---------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("costs", "rule", "column", "ids"),
    [
        ("-5", "negative-cost", "costs", ()),
        (Decimal("-0.01"), "negative-cost", "costs", ()),
        ("abc", "invalid-amount", "costs", ()),
        (float("nan"), "invalid-amount", "costs", ()),
        (
            [("2024-04-01", "10"), ("2024-04-02", "-1"), ("2024-04-03", "-2")],
            "negative-cost",
            "amount",
            (1, 2),
        ),
        ([("2024-04-01", "10"), ("2024-04-02", "ten")], "invalid-amount", "amount", (1,)),
        ([("2024-04-01", None)], "invalid-amount", "amount", (0,)),
        ([("2024-04-01", "1"), ("04/02/2024", "1")], "invalid-date", "date", (1,)),
        ([(None, "1")], "invalid-date", "date", (0,)),
        ([("2024-04-01", "1", "x", "extra")], "invalid-cost-line", "costs", (0,)),
        (["2024-04-01"], "invalid-cost-line", "costs", (0,)),
        (pd.DataFrame({"when": ["2024-04-01"], "amount": [1]}), "missing-column", "date", ()),
        (
            pd.DataFrame({"date": ["2024-04-01", None], "amount": [1, 2]}, index=["a", "b"]),
            "invalid-date",
            "date",
            ("b",),
        ),
        ({"2024-05": 10}, "missing-cost", "costs", ("2024-04",)),
        (None, "invalid-option", "costs", ()),
        (object(), "invalid-option", "costs", ()),
    ],
    ids=[
        "negative-number",
        "negative-decimal",
        "text",
        "nan",
        "negative-lines",
        "bad-amount",
        "missing-amount",
        "bad-date",
        "missing-date",
        "long-tuple",
        "not-a-tuple",
        "missing-column",
        "frame-bad-date-row-label",
        "mapping-missing-period",
        "none",
        "object",
    ],
)
def test_bad_costs(
    book: ck.Ledger, costs: Any, rule: str, column: str, ids: tuple[object, ...]
) -> None:
    with pytest.raises(ck.CreditKPIError) as info:
        cost_per_euro(book, "2024-04", costs=costs)
    assert info.value.rule == rule
    assert info.value.column == column
    assert info.value.ids[: len(ids)] == ids


def test_bad_by_group(book: ck.Ledger) -> None:
    lines = pd.DataFrame(
        {"date": ["2024-04-01", "2024-04-02"], "amount": [1, 1], "country": ["FR", "XX"]}
    )
    with pytest.raises(ck.CreditKPIError, match="not in the ledger") as info:
        cost_per_euro(book, "2024-04", costs=lines, by="country")
    assert info.value.column == "country"
    assert info.value.ids == (1,)


@pytest.mark.parametrize(
    ("period", "costs", "by"),
    [
        (["2024-04", "2024-05"], "10", None),  # one number for two periods
        ("2024-04", "10", "country"),  # a number cannot be split by group
        ("2024-04", LINES, "country"),  # tuples carry no group
        ("2024-04", {"2024-04": 1}, "country"),
        ("2024-04", pd.DataFrame({"date": ["2024-04-01"], "amount": [1]}), "country"),
        ("2024-04", LINES, "nope"),
        ("2024-13", "10", None),
    ],
    ids=["number-many", "number-by", "tuples-by", "mapping-by", "frame-no-by-col", "by", "period"],
)
def test_bad_arguments(book: ck.Ledger, period: Any, costs: Any, by: str | None) -> None:
    with pytest.raises(ck.CreditKPIError):
        cost_per_euro(book, period, costs=costs, by=by)


# ---------------------------------------------------------------------------------- formula


@pytest.mark.parametrize(
    ("costs", "collected", "expected"),
    [
        (85, 850, 0.1),
        (Decimal("1275.00"), Decimal("850.00"), 1.5),
        (0, 100, 0.0),
        (12_000.0, 300_000.0, 0.04),
    ],
    ids=["int", "decimal-above-one", "zero-costs", "float"],
)
def test_formula(costs: float, collected: float, expected: float) -> None:
    assert formula_cost_per_euro(costs, collected) == expected
    assert ck.formulas.cost_per_euro(costs, collected) == expected


def test_formula_nothing_collected() -> None:
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(formula_cost_per_euro(10, 0))


@pytest.mark.parametrize(
    ("costs", "collected"), [(-1, 10), (1, -10), ("1", 10), (True, 10), (1, None)]
)
def test_formula_bad(costs: Any, collected: Any) -> None:
    with pytest.raises(ck.CreditKPIError):
        formula_cost_per_euro(costs, collected)


# ---------------------------------------------------------------------------------- properties

months = st.integers(0, 17).map(lambda k: ck.Period.month(2023 + (k // 12), k % 12 + 1))
cost_lines = st.lists(
    st.tuples(
        st.integers(0, 560).map(lambda k: date(2023, 1, 1) + timedelta(days=k)),
        st.integers(0, 1_000_000).map(lambda c: Decimal(c).scaleb(-2)),
        st.sampled_from(["C1", "C2", "C3", "C4", "C5"]),
    ),
    max_size=12,
)


def naive(spec: LedgerSpec, period: ck.Period, lines: list[tuple[date, Decimal, str]]) -> float:
    costs = sum((a for d, a, _ in lines if d in period), Decimal(0))
    cash = sum((p.amount for p in spec.payments if p.kind == "payment" and p.date in period), 0)
    return float("nan") if cash == 0 else float(Fraction(costs) / Fraction(cash))


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.mark.filterwarnings("ignore::creditkpi.UndefinedMetricWarning")
@settings(max_examples=15)
@given(ledger_specs(), months, cost_lines, st.integers(2, 1000), st.integers(-300, 300))
def test_metamorphic(
    spec: LedgerSpec,
    period: ck.Period,
    lines: list[tuple[date, Decimal, str]],
    k: int,
    days: int,
) -> None:
    ledger = spec.build()
    value = cost_per_euro(ledger, period, costs=lines)
    assert same(value, naive(spec, period, lines))
    # row order: of the ledger and of the cost lines
    assert same(cost_per_euro(spec.shuffled(3).build(), period, costs=lines[::-1]), value)
    # scaling costs and amounts by k changes nothing (exact fractions)
    scaled = [(d, a * k, c) for d, a, c in lines]
    assert same(cost_per_euro(spec.scaled(k).build(), period, costs=scaled), value)
    # shifting every date by the same number of days changes nothing
    moved = ck.Period(period.start + timedelta(days=days), period.end + timedelta(days=days))
    shifted = [(d + timedelta(days=days), a, c) for d, a, c in lines]
    assert same(cost_per_euro(spec.shifted(days).build(), moved, costs=shifted), value)


@pytest.mark.filterwarnings("ignore::creditkpi.UndefinedMetricWarning")
@settings(max_examples=10)
@given(ledger_specs(), months, cost_lines)
def test_customer_split(
    spec: LedgerSpec, period: ck.Period, lines: list[tuple[date, Decimal, str]]
) -> None:
    # each cost line belongs to a customer: by="customer_id" on the whole book gives, for
    # every customer, the ratio of that customer's ledger alone with its own lines
    known = [line for line in lines if line[2] in spec.customers()]
    frame = pd.DataFrame(known, columns=["date", "amount", "customer_id"])
    by = cost_per_euro(spec.build(), period, costs=frame, by="customer_id")
    for part in spec.split_by_customer():
        customer = part.customers()[0]
        mine = [(d, a) for d, a, c in known if c == customer]
        assert same(by[customer], cost_per_euro(part.build(), period, costs=mine))


def test_cash_is_exact_for_many_rows() -> None:
    # 3 000 payments of 0.10 = 300.00 exactly; costs 30.00 -> 0.1 exactly
    n = 3000
    inv = pd.DataFrame(
        {
            "invoice_id": [f"F{i}" for i in range(n)],
            "customer_id": "C1",
            "issue_date": "2024-03-01",
            "due_date": "2024-03-31",
            "amount": np.full(n, 0.1),
        }
    )
    pay = pd.DataFrame(
        {"invoice_id": inv["invoice_id"], "date": "2024-04-02", "amount": np.full(n, 0.1)}
    )
    ledger = ck.Ledger.from_frames(inv, pay)
    assert cost_per_euro(ledger, "2024-04", costs="30.00") == 0.1
