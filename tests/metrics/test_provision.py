"""Loss rates and the IFRS 9 provision matrix: worked examples, hand-computed ledgers, properties."""

from __future__ import annotations

import math
import warnings
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import creditkpi as ck
from creditkpi.metrics.loss_rates import LOSS_RATE_COLUMNS, ROLL_RATE_COLUMNS
from creditkpi.metrics.provision import MATRIX_COLUMNS, formula_provision_matrix
from tests.core.test_exposure import history_spec
from tests.strategies import LedgerSpec, ledger_specs

LABELS = ["not due", "1-30", "31-60", "61-90", "91+"]
T = "2024-12-31"

#: IFRS 9 illustrative example (IE74-IE77): gross amounts and rates per bucket
IFRS_GROSS = [15_000_000, 7_500_000, 4_000_000, 2_500_000, 1_000_000]
IFRS_RATES = [0.003, 0.016, 0.036, 0.066, 0.106]
IFRS_ALLOWANCES = [45_000, 120_000, 144_000, 165_000, 106_000]


def quiet(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call ``fn`` with creditkpi's warnings silenced (for property tests)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        return fn(*args, **kwargs)


@pytest.fixture(scope="module")
def history() -> ck.Ledger:
    """The hand-worked history of ``tests/core/test_exposure.py`` (see ``history_spec``)."""
    return history_spec().build()


def book_spec() -> LedgerSpec:
    """The history plus invoices open at T = 2024-12-31 (too young for any rate).

    N1 C2 not due 1000; N2 C1 due 12-01 400, paid 100 on 12-20 -> 300 in 1-30;
    N3 C2 due 10-01 600, doubtful from 12-01 with a provision of 300 -> doubtful row;
    N4 C1 due 10-31 250, doubtful without a provision -> stays in 61-90;
    N5 C2 due 12-31 100, paid 120 -> credit balance, no gross amount.
    Open history: B1 500 and Y1 700, both 91+.
    """
    spec = history_spec()
    invoices = [
        ck.Invoice("N1", "C2", "2024-12-10", "2025-01-09", "1000.00", attrs={"segment": "S"}),
        ck.Invoice("N2", "C1", "2024-11-01", "2024-12-01", "400.00", attrs={"segment": "S"}),
        ck.Invoice("N3", "C2", "2024-09-01", "2024-10-01", "600.00", attrs={"segment": "L"}),
        ck.Invoice("N4", "C1", "2024-10-01", "2024-10-31", "250.00", attrs={"segment": "L"}),
        ck.Invoice("N5", "C2", "2024-12-01", "2024-12-31", "100.00", attrs={"segment": "S"}),
    ]
    payments = [
        ck.Payment("N2", "2024-12-20", "100.00"),
        ck.Payment("N5", "2024-12-20", "120.00"),
    ]
    doubtful = [
        ck.Doubtful("N3", "2024-12-01", provision="300.00"),
        ck.Doubtful("N4", "2024-12-15"),
    ]
    return LedgerSpec(spec.invoices + invoices, spec.payments + payments, doubtful=doubtful)


@pytest.fixture(scope="module")
def book() -> ck.Ledger:
    return book_spec().build()


# ---------------------------------------------------------------------------------- IFRS example


def test_ifrs_example_formula() -> None:
    matrix = formula_provision_matrix(dict(zip(LABELS, IFRS_GROSS, strict=True)), IFRS_RATES)
    assert list(matrix.columns) == ["gross", "rate", "adjusted_rate", "allowance", "coverage"]
    assert list(matrix.index) == [*LABELS, "total"]
    assert matrix["allowance"].tolist() == [*IFRS_ALLOWANCES, 580_000]
    assert matrix.loc["total", "gross"] == 30_000_000
    assert matrix.loc["total", "coverage"] == 580_000 / 30_000_000
    assert matrix["rate"].tolist()[:5] == IFRS_RATES
    exact = formula_provision_matrix(
        IFRS_GROSS, [Decimal(str(r)) for r in IFRS_RATES], money="decimal"
    )
    assert exact["allowance"].tolist() == [
        Decimal(a).quantize(Decimal("0.01")) for a in IFRS_ALLOWANCES
    ] + [Decimal("580000.00")]
    assert list(exact.index) == [0, 1, 2, 3, 4, "total"]


def test_ifrs_example_ledger() -> None:
    dues = ["2025-01-15", "2024-12-15", "2024-11-15", "2024-10-15", "2024-08-31"]
    ledger = ck.Ledger.from_records(
        [
            ck.Invoice(f"I{k}", "C1", "2024-08-01", due, str(amount))
            for k, (due, amount) in enumerate(zip(dues, IFRS_GROSS, strict=True))
        ]
    )
    assert ck.aging(ledger, T, money="decimal").iloc[0].tolist()[:5] == [
        Decimal(a) for a in IFRS_GROSS
    ]
    rates = dict(zip(LABELS, IFRS_RATES, strict=True))
    matrix = ck.provision_matrix(ledger, T, rates=rates, money="decimal")
    assert matrix["allowance"].tolist() == [Decimal(a) for a in IFRS_ALLOWANCES] + [
        Decimal(0),
        Decimal(580_000),
    ]
    assert matrix.loc["total", "gross"] == Decimal(30_000_000)
    assert matrix.loc["total", "coverage"] == 580_000 / 30_000_000
    assert ck.expected_credit_loss(ledger, T, rates=rates, money="decimal") == Decimal("580000.00")
    assert ck.ecl_coverage(ledger, T, rates=IFRS_RATES) == 580_000 / 30_000_000


# ---------------------------------------------------------------------------------- loss rates


def test_cohort_rates_by_hand(history: ck.Ledger) -> None:
    table = ck.loss_rates(history, T)
    assert list(table.columns) == list(LOSS_RATE_COLUMNS)
    assert list(table.index) == LABELS and table.index.name == "bucket"
    # entered: A1 + A2 + B1 + B2; loss: A2 500, B1 500, B2 100 (0 once its write-off is off)
    assert table["entered"].tolist() == [4300.0, 3800.0, 3400.0, 1700.0, 1700.0]
    assert table["loss"].tolist() == [1100.0, 1100.0, 1100.0, 1000.0, 1000.0]
    assert table["loss_rate"].tolist() == [
        1100 / 4300,
        1100 / 3800,
        1100 / 3400,
        1000 / 1700,
        1000 / 1700,
    ]
    assert table["invoices"].tolist() == [4, 4, 4, 3, 3]
    assert table["cohorts"].tolist() == [2, 2, 2, 2, 2]


def test_roll_rates_by_hand(history: ck.Ledger) -> None:
    table = ck.loss_rates(history, T, method="roll_rate")
    assert list(table.columns) == list(ROLL_RATE_COLUMNS)
    # Y1 (700, never paid by T) joins every transition; the oldest bucket rolls into
    # default over the invoices taken (1000 lost of 1700)
    assert table["entered"].tolist() == [5000.0, 4500.0, 4100.0, 2400.0, 1700.0]
    assert table["rolled"].tolist() == [4500.0, 4100.0, 2400.0, 2400.0, 1000.0]
    assert table["roll_rate"].tolist() == [0.9, 4100 / 4500, 2400 / 4100, 1.0, 1000 / 1700]
    expected = [
        Fraction(4500, 5000) * Fraction(2400, 4500) * Fraction(1000, 1700),
        Fraction(2400, 4500) * Fraction(1000, 1700),
        Fraction(2400, 4100) * Fraction(1000, 1700),
        Fraction(1000, 1700),
        Fraction(1000, 1700),
    ]
    assert table["loss_rate"].tolist() == [float(f) for f in expected]
    assert table["invoices"].tolist() == [5, 5, 5, 4, 3]
    assert table["cohorts"].tolist() == [3, 3, 3, 3, 2]


def test_rates_by_customer_warn_when_falling(history: ck.Ledger) -> None:
    with pytest.warns(ck.DataQualityWarning, match=r"C2: 31-60 0\.6 > 61-90 0\.5556"):
        table = ck.loss_rates(history, T, by="customer_id")
    assert table.index.names == ["customer_id", "bucket"]
    assert table.loc["C1", "loss_rate"].tolist() == [
        500 / 3000,
        500 / 2800,
        500 / 2400,
        500 / 800,
        500 / 800,
    ]
    assert table.loc["C2", "loss_rate"].tolist() == [600 / 1300, 0.6, 0.6, 5 / 9, 5 / 9]


def test_too_young_lookback_and_default_after(history: ck.Ledger) -> None:
    # at 2024-03-01 only A1 and A2 are past their default day
    early = ck.loss_rates(history, "2024-03-01")
    assert early["entered"].tolist() == [1500.0, 1500.0, 1100.0, 500.0, 500.0]
    assert early["loss_rate"].tolist() == [1 / 3, 1 / 3, 5 / 11, 1.0, 1.0]
    # default after 91 days: B1's 300 of 2024 and B2's 400 of day 101 come too late,
    # and Y1 (unpaid, default day 2024-08-31) is taken
    short = ck.loss_rates(history, T, default_after=91)
    assert short["entered"].tolist() == [5000.0, 4500.0, 4100.0, 2400.0, 2400.0]
    assert short["loss"].tolist() == [2500.0, 2500.0, 2500.0, 2400.0, 2400.0]
    # nothing completed in the last 220 days: every rate undefined
    with pytest.warns(ck.UndefinedMetricWarning, match="loss rate .* undefined for 5 of 5"):
        recent = ck.loss_rates(history, T, lookback=220)
    assert recent["loss_rate"].isna().all()


def test_undefined_bucket_is_nan_with_one_warning() -> None:
    ledger = ck.Ledger.from_records(
        [ck.Invoice("P1", "C1", "2023-01-01", "2023-01-31", "100.00")],
        [ck.Payment("P1", "2023-02-10", "100.00")],
    )
    with pytest.warns(ck.UndefinedMetricWarning) as caught:
        table = ck.loss_rates(ledger, T)
    assert len([w for w in caught if issubclass(w.category, ck.UndefinedMetricWarning)]) == 1
    assert table["loss_rate"].tolist()[:2] == [0.0, 0.0]
    assert table["loss_rate"].iloc[2:].isna().all()


def test_shapes_money_and_dates(history: ck.Ledger) -> None:
    exact = ck.loss_rates(history, T, money="decimal")
    assert exact["entered"].tolist()[0] == Decimal("4300.00")
    both = quiet(ck.loss_rates, history, ["2024-06-30", T], by="segment")
    assert both.index.names == ["as_of", "segment", "bucket"]
    assert both.loc[(pd.Timestamp(T), "L", "91+"), "entered"] == 800.0  # B1 only
    several = ck.loss_rates(history, ["2024-03-01", T])
    assert several.xs(pd.Timestamp(T), level="as_of").equals(ck.loss_rates(history, T))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"method": "vintage"}, "method must be one of 'cohort', 'roll_rate'; got 'vintage'"),
        ({"money": "cents"}, "money must be one of 'float', 'decimal'"),
        ({"buckets": 30}, "buckets must be a list of increasing positive whole days"),
        ({"default_after": 60}, "default_after must be a whole number of days past due >= 91"),
        ({"lookback": -5}, "lookback must be None or a whole number of days >= 1"),
        ({"by": "planet"}, "by must be one of customer_id, segment"),
    ],
    ids=["method", "money", "buckets", "default-after", "lookback", "by"],
)
def test_loss_rates_bad_options(history: ck.Ledger, options: dict[str, Any], message: str) -> None:
    with pytest.raises(ck.core.InvalidOptionError, match=message):
        ck.loss_rates(history, T, **options)


# ---------------------------------------------------------------------------------- matrix


def test_matrix_by_hand(book: ck.Ledger) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an empty bucket (31-60) has nothing to cover: no warning
        matrix = ck.provision_matrix(book, T, money="decimal")
    assert list(matrix.columns) == list(MATRIX_COLUMNS)
    assert list(matrix.index) == [*LABELS, "doubtful", "total"]
    assert matrix["gross"].tolist() == [
        Decimal(v) for v in ("1000.00", "300.00", "0.00", "250.00", "1200.00", "600.00", "3350.00")
    ]
    # allowance = gross × rate, rounded half up to the cent: 1000 × 11/43 = 255.813...,
    # 300 × 11/38 = 86.842..., 250 × 10/17 = 147.058..., 1200 × 10/17 = 705.882...
    assert matrix["allowance"].tolist() == [
        Decimal(v) for v in ("255.81", "86.84", "0.00", "147.06", "705.88", "300.00", "1495.59")
    ]
    assert matrix["rate"].tolist()[:5] == [1100 / 4300, 1100 / 3800, 1100 / 3400, 10 / 17, 10 / 17]
    assert matrix["adjusted_rate"].tolist()[:5] == matrix["rate"].tolist()[:5]
    assert matrix.loc[["doubtful", "total"], "rate"].isna().all()
    assert matrix.loc["doubtful", "coverage"] == 0.5
    assert matrix.loc["total", "coverage"] == 149_559 / 335_000
    assert math.isnan(matrix.loc["31-60", "coverage"])  # nothing to cover, no warning
    assert matrix["invoices"].tolist() == [1, 1, 0, 1, 2, 1, 6]
    assert ck.expected_credit_loss(book, T, money="decimal") == Decimal("1495.59")
    assert ck.ecl_coverage(book, T) == 149_559 / 335_000


def test_matrix_keeping_doubtful(book: ck.Ledger) -> None:
    matrix = ck.provision_matrix(book, T, exclude_doubtful=False)
    assert list(matrix.index) == [*LABELS, "total"]
    # N3's 600 joins 91+: 1800 × 10/17 = 1058.82
    assert matrix.loc["91+", "gross"] == 1800.0
    assert matrix.loc["91+", "allowance"] == 1058.82
    assert matrix.loc["total", "allowance"] == 1548.53


@pytest.mark.parametrize(
    ("adjustment", "rate_91"),
    [
        (1.5, Fraction(15, 17)),
        ({"not due": 1, "1-30": 1, "31-60": 1, "61-90": 1, "91+": 1.5}, Fraction(15, 17)),
        ([1, 1, 1, 1, Decimal("1.5")], Fraction(15, 17)),
        ([(0.5, 1.0), (0.5, 2.0)], Fraction(15, 17)),
        ([(0.3, 1.0), (0.5, 1.2), (0.2, [1, 1, 1, 1, 2])], Fraction(13, 17)),
        (2.0, Fraction(1)),  # 20/17 capped at 100 %
    ],
    ids=["one-factor", "mapping", "sequence", "scenarios", "scenario-per-bucket", "capped"],
)
def test_adjustments(book: ck.Ledger, adjustment: Any, rate_91: Fraction) -> None:
    matrix = ck.provision_matrix(book, T, adjustment=adjustment, money="decimal")
    assert matrix.loc["91+", "adjusted_rate"] == float(rate_91)
    cents = math.floor(120_000 * rate_91 + Fraction(1, 2))
    assert matrix.loc["91+", "allowance"] == Decimal(cents).scaleb(-2)
    assert matrix.loc["91+", "rate"] == 10 / 17


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"adjustment": [(0.5, 1.0), (0.4, 1.2)]}, "adjustment scenario weights must sum to 1"),
        ({"adjustment": -1}, "adjustment must not be negative"),
        ({"adjustment": [1, 2]}, "adjustment has 2 values for 5 buckets"),
        ({"adjustment": {"91+": 1.2}}, "missing \\['not due'"),
        ({"adjustment": "high"}, "adjustment must be a mapping by bucket or a sequence"),
        ({"adjustment": [(0.5, 1.0), 1.2]}, "must all be \\(weight, factor\\) pairs"),
        ({"rates": {"not due": 0.1, "1-30": 0.2}}, "rates must be labelled by aging buckets"),
        ({"rates": [0.1, 0.2, -0.3, 0.4, 0.5]}, "rates must not be negative"),
        ({"rates": [0.1, 0.2, "x", 0.4, 0.5]}, "rates must be numbers"),
        ({"rates": [0.1, 0.2], "buckets": (30, 60, 90)}, "rates has 2 values for 5 buckets"),
        (
            {"rates": {"not due": 0.1, "1-30": 0.2, "31-60": 0.3, "61-90": 0.4, "90+": 0.5}},
            "rates must be labelled by aging buckets",
        ),
        ({"exclude_doubtful": "no"}, "exclude_doubtful must be True or False"),
        ({"money": "cents"}, "money must be one of"),
    ],
    ids=[
        "weights",
        "negative-factor",
        "factor-count",
        "factor-labels",
        "factor-text",
        "mixed-scenarios",
        "rate-labels",
        "negative-rate",
        "rate-text",
        "rate-count",
        "rate-label-typo",
        "exclude-doubtful",
        "money",
    ],
)
def test_matrix_bad_options(book: ck.Ledger, options: dict[str, Any], message: str) -> None:
    with pytest.raises(ck.core.InvalidOptionError, match=message) as raised:
        ck.provision_matrix(book, T, **options)
    name = next(iter(options))
    assert raised.value.column == ("rates" if "rates" in options else name)


def test_rates_from_a_loss_rates_table(book: ck.Ledger) -> None:
    rates = quiet(ck.loss_rates, book, T, method="roll_rate", buckets=(30, 90), default_after=120)
    matrix = quiet(ck.provision_matrix, book, T, rates=rates)
    assert list(matrix.index) == ["not due", "1-30", "31-90", "91+", "doubtful", "total"]
    assert matrix["rate"].tolist()[:4] == rates["loss_rate"].tolist()
    by = quiet(ck.loss_rates, book, T, by="segment")
    per_group = quiet(ck.provision_matrix, book, T, rates=by, by="segment")
    assert per_group.loc[("L", "91+"), "rate"] == by.loc[("L", "91+"), "loss_rate"]
    assert per_group.equals(quiet(ck.provision_matrix, book, T, by="segment"))
    with pytest.raises(ck.core.InvalidOptionError, match="need by= naming that grouping"):
        ck.provision_matrix(book, T, rates=by)
    stacked = quiet(ck.loss_rates, book, ["2024-06-30", T])
    both = quiet(ck.provision_matrix, book, ["2024-06-30", T], rates=stacked)
    assert both.xs(pd.Timestamp(T), level="as_of").equals(ck.provision_matrix(book, T))
    with pytest.raises(ck.core.InvalidOptionError, match="no rates as of 2024-11-30"):
        ck.provision_matrix(book, "2024-11-30", rates=stacked)


def test_undefined_rate_with_balance(book: ck.Ledger) -> None:
    rates = [0.01, 0.02, float("nan"), float("nan"), 0.5]
    matrix = ck.provision_matrix(book, T, rates=rates)
    assert matrix.loc["31-60", "allowance"] == 0.0  # no rate, but nothing to provide
    assert math.isnan(matrix.loc["61-90", "allowance"])  # no rate for 250.00
    assert math.isnan(matrix.loc["total", "allowance"])
    assert math.isnan(ck.expected_credit_loss(book, T, rates=rates))
    assert ck.expected_credit_loss(book, T, rates=rates, money="decimal").is_nan()


def test_matrix_by_group_and_dates(book: ck.Ledger) -> None:
    pooled = dict(zip(LABELS, [0.01, 0.02, 0.05, 0.1, 0.5], strict=True))
    by = ck.provision_matrix(book, T, rates=pooled, by="customer_id")
    assert by.index.names == ["customer_id", "bucket"]
    assert by.loc[("C1", "total"), "gross"] + by.loc[("C2", "total"), "gross"] == 3350.0
    ecl = ck.expected_credit_loss(book, ["2024-11-30", T], rates=pooled, money="decimal")
    assert isinstance(ecl.index, pd.DatetimeIndex)
    assert ecl.iloc[-1] == ck.expected_credit_loss(book, T, rates=pooled, money="decimal")
    coverage = ck.ecl_coverage(book, T, rates=pooled, by="customer_id")
    assert coverage.index.name == "customer_id"
    assert coverage["C1"] == by.loc[("C1", "total"), "coverage"]


def test_empty_book_coverage_warns() -> None:
    ledger = ck.Ledger.from_records([ck.Invoice("F1", "C1", "2024-01-01", "2024-01-31", "10.00")])
    with pytest.warns(ck.UndefinedMetricWarning, match="coverage ratio"):
        assert math.isnan(ck.ecl_coverage(ledger, "2023-12-31", rates=[0.1] * 5))


def test_formula_options() -> None:
    m = formula_provision_matrix({"a": 100, "b": 50}, {"b": 0.5, "a": 0.1}, [(0.5, 1), (0.5, 3)])
    assert m["adjusted_rate"].tolist()[:2] == [0.2, 1.0]
    assert m["allowance"].tolist() == [20.0, 50.0, 70.0]
    halves = formula_provision_matrix([0.05], [0.5], digits=1, money="decimal")
    assert halves["allowance"].tolist() == [Decimal("0.0"), Decimal("0.0")]  # 0.025 -> 0.0
    assert formula_provision_matrix([0.25], [0.5], digits=1)["allowance"].iloc[0] == 0.1
    assert formula_provision_matrix([0.01], [0.5])["allowance"].iloc[0] == 0.01  # half a cent: up
    with pytest.raises(ck.core.CreditKPIError, match="balances must be finite and >= 0"):
        formula_provision_matrix([-1], [0.1])
    with pytest.raises(ck.core.InvalidOptionError, match="rates has 1 values for 2 buckets"):
        formula_provision_matrix([1, 2], [0.1])
    with pytest.warns(ck.UndefinedMetricWarning, match="coverage ratio"):
        assert math.isnan(formula_provision_matrix([0, 0], [0.1, 0.2]).loc["total", "coverage"])


# ---------------------------------------------------------------------------------- properties
# (customer halves pooling to the whole and the as-of rule are proved on the
# additive parts, rates and matrices together, in tests/core/test_exposure.py)


AS_OF = st.sampled_from([date(2024, 3, 31), date(2024, 9, 30)])
METHOD = st.sampled_from(["cohort", "roll_rate"])


def without_early_write_offs(spec: LedgerSpec) -> LedgerSpec:
    """``spec`` with every write-off dated on or before the oldest bucket's first day
    (due + 91) turned into a payment."""
    due = {i.id: i.due_date for i in spec.invoices}
    payments = [
        ck.Payment(p.invoice, p.date, p.amount)
        if p.kind == "write_off" and p.date <= due[p.invoice] + timedelta(days=91)
        else p
        for p in spec.payments
    ]
    return LedgerSpec(spec.invoices, payments)


@given(
    spec=ledger_specs(max_invoices=20, extras=False).map(without_early_write_offs),
    as_of=AS_OF,
    method=METHOD,
    k=st.integers(2, 1000),
)
def test_scaling_and_complete_history(spec: LedgerSpec, as_of: date, method: str, k: int) -> None:
    """Scaling every amount leaves the rates unchanged; with every invoice past its
    default day (and no write-off before the oldest bucket), cohort and roll-rate
    methods give the same rates on the same invoices."""
    ledger, scaled = spec.build(), spec.scaled(k).build()
    options = {"method": method, "default_after": 180}
    pd.testing.assert_series_equal(
        quiet(ck.loss_rates, ledger, as_of, **options)["loss_rate"],
        quiet(ck.loss_rates, scaled, as_of, **options)["loss_rate"],
    )
    complete = max(i.due_date for i in spec.invoices) + timedelta(days=200)
    cohort = quiet(ck.loss_rates, ledger, complete, default_after=200)
    roll = quiet(ck.loss_rates, ledger, complete, default_after=200, method="roll_rate")
    pd.testing.assert_series_equal(cohort["loss_rate"], roll["loss_rate"])
    pd.testing.assert_series_equal(cohort["entered"], roll["entered"])


def test_zero_roll_gives_zero_before_an_empty_bucket() -> None:
    """Everything paid within 30 days past due: nothing reaches 31-60, so the rates of
    the younger buckets are 0 (nothing rolls on), those from 31-60 on undefined."""
    ledger = ck.Ledger.from_records(
        [
            ck.Invoice("Z1", "C1", "2023-01-01", "2023-01-31", "100.00"),
            ck.Invoice("Z2", "C2", "2023-02-01", "2023-03-03", "50.00"),
        ],
        [ck.Payment("Z1", "2023-02-10", "100.00"), ck.Payment("Z2", "2023-03-20", "50.00")],
    )
    for method in ("cohort", "roll_rate"):
        with pytest.warns(ck.UndefinedMetricWarning):
            rates = ck.loss_rates(ledger, T, method=method)["loss_rate"]
        assert rates.tolist()[:2] == [0.0, 0.0]
        assert rates.iloc[2:].isna().all()


def test_early_write_off_is_where_the_methods_differ() -> None:
    """A write-off before the oldest bucket: a loss for the cohort method, a cure for roll rates."""
    ledger = ck.Ledger.from_records(
        [
            ck.Invoice("W1", "C1", "2023-01-01", "2023-01-31", "100.00"),
            ck.Invoice("W2", "C1", "2023-01-01", "2023-01-31", "100.00"),
        ],
        [ck.Payment("W1", "2023-02-20", "100.00", kind="write_off")],  # day 20
    )
    cohort = quiet(ck.loss_rates, ledger, T)
    roll = quiet(ck.loss_rates, ledger, T, method="roll_rate")
    assert cohort["loss_rate"].tolist() == [1.0, 1.0, 1.0, 1.0, 1.0]
    assert roll["loss_rate"].tolist() == [0.5, 0.5, 1.0, 1.0, 1.0]


def test_inputs_not_mutated(book: ck.Ledger) -> None:
    rates = {"not due": 0.01, "1-30": 0.02, "31-60": 0.05, "61-90": 0.1, "91+": 0.5}
    scenarios = [(0.5, 1.0), (0.5, [1, 1, 1, 1, 2])]
    before = (dict(rates), [tuple(s) for s in scenarios])
    ck.provision_matrix(book, T, rates=rates, adjustment=scenarios)
    assert (rates, [tuple(s) for s in scenarios]) == before
    table = quiet(ck.loss_rates, book, T)
    copy = table.copy()
    ck.provision_matrix(book, T, rates=table)
    pd.testing.assert_frame_equal(table, copy)
    assert np.isfinite(table["loss_rate"]).all()
