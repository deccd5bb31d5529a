"""Time-to-pay survival: the outcome rule, the additive table, the estimator against lifelines
and statsmodels, and a book worked out by hand."""

from __future__ import annotations

import math
import warnings
from dataclasses import replace
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import creditkpi as ck
from creditkpi.core.period import parse_window, to_day, window_start
from creditkpi.core.survival import (
    CLOSED,
    OPEN,
    SETTLED,
    SUMMARY_COLUMNS,
    TABLE_COLUMNS,
    combine_tables,
    durations,
    kaplan_meier,
    survival_table,
    table_from_durations,
)
from tests.strategies import LedgerSpec, as_of_dates, ledger_specs

lifelines = pytest.importorskip("lifelines")
survfunc = pytest.importorskip("statsmodels.duration.survfunc")

Z95 = 1.959963984540054


# ----------------------------------------------------------------------------------
# the outcome of an invoice
# ----------------------------------------------------------------------------------


def _one(payments: list[ck.Payment], as_of: str = "2024-06-30") -> tuple[int, int, int]:
    """(entry, exit, outcome) on the due clock of one invoice issued 01-01, due 01-31, 100.00."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        ledger = ck.Ledger.from_records(
            [ck.Invoice("F1", "C1", "2024-01-01", "2024-01-31", "100.00")], payments
        )
    d = durations(ledger, as_of)
    return int(d.entry[0]), int(d.exit[0]), int(d.outcome[0])


@pytest.mark.parametrize(
    ("payments", "expected"),
    [
        ([], (-30, 151, OPEN)),  # open on 06-30: censored there, 151 days past due
        ([ck.Payment("F1", "2024-02-10", "100.00")], (-30, 10, SETTLED)),
        ([ck.Payment("F1", "2024-01-21", "100.00")], (-30, -10, SETTLED)),  # 10 days early
        (  # partial payments: settled on the day the balance reaches 0
            [ck.Payment("F1", "2024-02-05", "40.00"), ck.Payment("F1", "2024-03-01", "60.00")],
            (-30, 30, SETTLED),
        ),
        (  # a credit note then the cash: the payment closes it
            [
                ck.Payment("F1", "2024-01-15", "20.00", kind="credit_note"),
                ck.Payment("F1", "2024-02-05", "80.00"),
            ],
            (-30, 5, SETTLED),
        ),
        (  # cash then a write-off of the rest: closed by a competing outcome
            [
                ck.Payment("F1", "2024-02-05", "90.00"),
                ck.Payment("F1", "2024-05-01", "10.00", kind="write_off"),
            ],
            (-30, 91, CLOSED),
        ),
        ([ck.Payment("F1", "2024-01-10", "100.00", kind="credit_note")], (-30, -21, CLOSED)),
        (  # a payment and a credit note on the closing day: settled
            [
                ck.Payment("F1", "2024-02-05", "70.00"),
                ck.Payment("F1", "2024-02-05", "30.00", kind="credit_note"),
            ],
            (-30, 5, SETTLED),
        ),
        (  # overpaid: settled on the first day the balance reaches 0
            [ck.Payment("F1", "2024-02-05", "60.00"), ck.Payment("F1", "2024-02-08", "50.00")],
            (-30, 8, SETTLED),
        ),
        ([ck.Payment("F1", "2023-12-20", "100.00")], (-30, -30, SETTLED)),  # before issue
        ([ck.Payment("F1", "2024-07-05", "100.00")], (-30, 151, OPEN)),  # after the cut-off
        (  # only a partial payment by the cut-off
            [ck.Payment("F1", "2024-02-05", "60.00"), ck.Payment("F1", "2024-07-05", "40.00")],
            (-30, 151, OPEN),
        ),
    ],
    ids=[
        "open",
        "paid-late",
        "paid-early",
        "partial",
        "credit-note-then-cash",
        "write-off-closes",
        "credit-note-closes",
        "same-day-cash-and-credit",
        "overpaid",
        "paid-before-issue",
        "paid-after-cut-off",
        "partly-paid-at-cut-off",
    ],
)
def test_outcome_rule(payments: list[ck.Payment], expected: tuple[int, int, int]) -> None:
    assert _one(payments) == expected


def test_issue_clock_and_window() -> None:
    ledger = ck.Ledger.from_records(
        [
            ck.Invoice("F1", "C1", "2024-01-01", "2024-01-31", "100.00"),
            ck.Invoice("F2", "C1", "2024-03-01", "2024-03-16", "50.00"),
            ck.Invoice("F3", "C1", "2024-07-01", "2024-07-31", "50.00"),  # after the cut-off
        ],
        [ck.Payment("F1", "2024-02-10", "100.00"), ck.Payment("F2", "2024-03-20", "50.00")],
    )
    d = durations(ledger, "2024-06-30", clock="issue")
    assert d.invoice.tolist() == [0, 1]
    assert d.entry.tolist() == [0, 0]
    assert d.exit.tolist() == [40, 19]
    due = durations(ledger, "2024-06-30")
    assert due.entry.tolist() == [-30, -15]
    assert due.exit.tolist() == [10, 4]
    # a 4-month window ending 06-30 starts on 03-01: F1 is out
    assert durations(ledger, "2024-06-30", window="4M").invoice.tolist() == [1]
    assert durations(ledger, "2024-06-30", window=122).invoice.tolist() == [1]


@pytest.mark.parametrize(
    ("as_of", "window", "start"),
    [
        ("2024-12-31", "12M", date(2024, 1, 1)),
        ("2024-02-29", "12M", date(2023, 3, 1)),
        ("2024-03-31", "1M", date(2024, 3, 1)),
        ("2024-03-31", "2Y", date(2022, 4, 1)),
        ("2024-03-31", "2w", date(2024, 3, 18)),
        ("2024-03-31", " 90D ", date(2024, 1, 2)),
        ("2024-03-31", 1, date(2024, 3, 31)),
    ],
)
def test_window_start(as_of: str, window: Any, start: date) -> None:
    assert window_start(as_of, window) == start


@pytest.mark.parametrize("window", ["12", "M", "0M", "-3M", "12 months", 0, True, 1.5, None])
def test_bad_window(window: Any) -> None:
    with pytest.raises(ck.CreditKPIError, match="window"):
        parse_window(window)


# ----------------------------------------------------------------------------------
# the hand-worked book: five invoices of one customer, two open at the cut-off
# ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def five() -> ck.Ledger:
    """One customer, as of 2024-05-15, days beyond terms by hand.

    F1 issued 01-02 due 02-01  paid 02-11  -> +10
    F2 issued 01-10 due 02-09  paid 02-04  -> -5 (early)
    F3 issued 02-01 due 03-02  paid 03-22  -> +20
    F4 issued 02-15 due 03-16  open        -> censored at +60 (03-16 .. 05-15)
    F5 issued 03-16 due 03-31  open        -> censored at +45, enters at -15 (15-day terms)

    Plain average of the paid invoices: (10 - 5 + 20) / 3 = 8.33 days.
    Kaplan-Meier: day -5: 5 at risk, 1 settled -> 4/5; day 10: 4 at risk -> 3/5;
    day 20: 3 at risk -> 2/5 <= 1/2: the censored median is 20 days.
    """
    return ck.Ledger.from_records(
        [
            ck.Invoice("F1", "C1", "2024-01-02", "2024-02-01", "100.00"),
            ck.Invoice("F2", "C1", "2024-01-10", "2024-02-09", "200.00"),
            ck.Invoice("F3", "C1", "2024-02-01", "2024-03-02", "300.00"),
            ck.Invoice("F4", "C1", "2024-02-15", "2024-03-16", "400.00"),
            ck.Invoice("F5", "C1", "2024-03-16", "2024-03-31", "500.00"),
        ],
        [
            ck.Payment("F2", "2024-02-04", "200.00"),
            ck.Payment("F1", "2024-02-11", "100.00"),
            ck.Payment("F3", "2024-03-22", "300.00"),
            ck.Payment("F4", "2024-05-20", "400.00"),  # after the cut-off: not seen
        ],
    )


def test_five_invoices_table(five: ck.Ledger) -> None:
    table = survival_table(five, "2024-05-15")
    assert list(table.columns) == list(TABLE_COLUMNS)
    assert table.index.names == ["group", "day"]
    expected = pd.DataFrame(
        {
            "entered": [4, 1, 0, 0, 0, 0, 0],
            "settled": [0, 0, 1, 1, 1, 0, 0],
            "closed": [0] * 7,
            "censored": [0, 0, 0, 0, 0, 1, 1],
            "entered_amount": [100000, 50000, 0, 0, 0, 0, 0],
            "settled_amount": [0, 0, 20000, 10000, 30000, 0, 0],
            "closed_amount": [0] * 7,
            "censored_amount": [0, 0, 0, 0, 0, 50000, 40000],
            "entered_amount_squared": [1e8 + 4e8 + 9e8 + 16e8, 25e8, 0, 0, 0, 0, 0],
        },
        index=pd.MultiIndex.from_product([["all"], [-30, -15, -5, 10, 20, 45, 60]]),
    )
    assert table["entered"].dtype == np.int64
    np.testing.assert_array_equal(table.to_numpy(), expected.to_numpy())
    assert table.index.get_level_values("day").tolist() == [-30, -15, -5, 10, 20, 45, 60]


def test_five_invoices_estimate(five: ck.Ledger) -> None:
    km = kaplan_meier(survival_table(five, "2024-05-15"), horizon=45)
    curve = km.curve.loc["all"]
    assert curve["at_risk"].tolist() == [4, 5, 5, 4, 3, 2, 1]
    assert curve["survival"].tolist() == pytest.approx([1, 1, 0.8, 0.6, 0.4, 0.4, 0.4])
    # Greenwood: 1/(5×4) + 1/(4×3) + 1/(3×2) = 0.3 at day 20
    greenwood = [0, 0, 1 / 20, 1 / 20 + 1 / 12, 0.3, 0.3, 0.3]
    s = curve["survival"].to_numpy()
    assert curve["std_error"].tolist() == pytest.approx(s * np.sqrt(greenwood))
    for k, (sk, gk) in enumerate(zip(s, greenwood, strict=True)):
        if sk == 1:
            assert curve["lower"].iloc[k] == curve["upper"].iloc[k] == 1.0
            continue
        v = math.log(sk)
        assert curve["lower"].iloc[k] == pytest.approx(
            math.exp(-math.exp(math.log(-v) - Z95 * math.sqrt(gk) / v))
        )
        assert curve["upper"].iloc[k] == pytest.approx(
            math.exp(-math.exp(math.log(-v) + Z95 * math.sqrt(gk) / v))
        )
    row = km.summary.loc["all"]
    assert list(km.summary.columns) == list(SUMMARY_COLUMNS)
    assert (row["invoices"], row["settled"], row["closed"], row["open"]) == (5, 3, 0, 2)
    assert row["settled_average"] == pytest.approx(25 / 3)  # the plain average: 8.33 days
    assert row["median"] == 20.0  # the censored median
    assert row["quartile_1"] == 10.0  # S(10) = 0.6 <= 3/4
    assert math.isnan(row["quartile_3"])  # S never reaches 1/4
    # the band's lower edge is 0.20 at day -5, its upper edge never reaches 1/2 (0.753 at 60)
    assert curve["lower"].iloc[2] == pytest.approx(0.2039, abs=1e-4)
    assert curve["upper"].iloc[-1] == pytest.approx(0.7528, abs=1e-4)
    assert row["median_lower"] == -5.0
    assert math.isnan(row["median_upper"])
    assert row["settled_within_0"] == pytest.approx(0.2)
    assert row["settled_within_30"] == pytest.approx(0.6)
    assert math.isnan(row["settled_within_90"])  # nothing is known past day 60
    # restricted mean to 45: -30 + 25×1 + 15×0.8 + 10×0.6 + 25×0.4 = 23
    assert row["restricted_mean"] == pytest.approx(23.0)
    assert row["median_note"] == ""
    # beyond the last day observed (60) with 2/5 not settled, the mean to 90 is unknown
    assert math.isnan(
        kaplan_meier(survival_table(five, "2024-05-15")).summary["restricted_mean"].iloc[0]
    )


def test_median_undefined_says_why() -> None:
    ledger = ck.Ledger.from_records(
        [ck.Invoice(f"F{k}", "C1", "2024-01-01", "2024-01-31", "100.00") for k in range(4)],
        [
            ck.Payment("F0", "2024-02-10", "100.00"),
            ck.Payment("F3", "2024-02-20", "100.00", kind="write_off"),
        ],
    )
    row = kaplan_meier(survival_table(ledger, "2024-03-31")).summary.loc["all"]
    assert math.isnan(row["median"])  # S = 3/4 from day 10 on (the write-off is censored)
    assert row["median_note"] == (
        "the curve never reaches 1/2: 25.0% of the invoices settled by day 60, the last day "
        "observed (2 of 4 invoices still open, 1 closed by credit note or write-off)"
    )


def test_amount_weighted(five: ck.Ledger) -> None:
    km = kaplan_meier(survival_table(five, "2024-05-15"), weight="amount")
    curve = km.curve.loc["all"]
    # day -5: 1500 at risk, 200 settled; day 10: 1300, 100; day 20: 1200, 300
    expected = [1, 1, 13 / 15, 13 / 15 * 12 / 13, 13 / 15 * 12 / 13 * 9 / 12]
    assert curve["survival"].iloc[:5].tolist() == pytest.approx(expected)
    assert curve["at_risk"].iloc[2:5].tolist() == [150000, 130000, 120000]
    # Kish: the band treats 5 amounts as (Σa)² / Σa² = 1500² / 550000 = 4.09 invoices
    greenwood = 20000 / (150000 * 130000) + 10000 / (130000 * 120000) + 30000 / (120000 * 90000)
    scale = (550_000 * 10_000) / 150_000  # Σa² / Σa in minor units
    assert curve["std_error"].iloc[4] == pytest.approx(0.6 * math.sqrt(greenwood * scale))
    assert math.isnan(km.summary.loc["all", "median"])  # 0.6 > 1/2: never reached


# ----------------------------------------------------------------------------------
# the estimator against lifelines and statsmodels
# ----------------------------------------------------------------------------------


@st.composite
def samples(draw: st.DrawFn) -> dict[str, Any]:
    """Durations in days (negative too), ties, entries, competing closures, frequency weights."""
    n = draw(st.integers(1, 30))
    kind = draw(st.sampled_from(["mixed", "mixed", "none-censored", "all-censored"]))
    truncated = draw(st.booleans())
    entry = draw(st.lists(st.sampled_from([-60, -45, -30, -15, 0]), min_size=n, max_size=n))
    length = draw(st.lists(st.integers(0, 40), min_size=n, max_size=n))  # small: many ties
    exit_ = [e + k for e, k in zip(entry, length, strict=True)]
    if kind == "none-censored":
        event = [True] * n
    elif kind == "all-censored":
        event = [False] * n
    else:
        event = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    closed = [not e and draw(st.booleans()) for e in event]
    counts = draw(st.one_of(st.none(), st.lists(st.integers(1, 4), min_size=n, max_size=n)))
    amounts = draw(st.lists(st.integers(1, 1_000_000), min_size=n, max_size=n))
    return {
        "exit": np.asarray(exit_, dtype=np.int64),
        "event": np.asarray(event, dtype=bool),
        "entry": np.asarray(entry, dtype=np.int64) if truncated else None,
        "closed": np.asarray(closed, dtype=bool),
        "counts": None if counts is None else np.asarray(counts, dtype=np.int64),
        "amounts": np.asarray(amounts, dtype=np.int64),
    }


def _exact_curve(data: dict[str, Any]) -> list[tuple[int, Fraction]]:
    """Independent exact product-limit: (event day, S) at each day with a settlement."""
    exit_, event = data["exit"], data["event"]
    n = exit_.size
    entry = data["entry"] if data["entry"] is not None else np.full(n, exit_.min())
    counts = data["counts"] if data["counts"] is not None else np.ones(n, dtype=np.int64)
    s = Fraction(1)
    out = []
    for t in sorted(set(exit_[event].tolist())):
        at_risk = int(counts[(entry <= t) & (exit_ >= t)].sum())
        settled = int(counts[(exit_ == t) & event].sum())
        s *= 1 - Fraction(settled, at_risk)
        out.append((t, s))
    return out


def _exact_quantile(curve: list[tuple[int, Fraction]], level: Fraction) -> float:
    return next((float(t) for t, s in curve if s <= level), math.nan)


def _at(series: pd.Series, days: np.ndarray) -> np.ndarray:
    """Values of a step function (index: times) at ``days``: the last point at or before."""
    times = np.asarray(series.index, dtype=np.float64)
    pos = np.searchsorted(times, days, side="right") - 1
    assert (pos >= 0).all()
    return np.asarray(series.to_numpy(dtype=np.float64)[pos])


def _fit(data: dict[str, Any]) -> Any:
    return kaplan_meier(
        table_from_durations(
            data["exit"],
            data["event"],
            entry=data["entry"],
            closed=data["closed"],
            counts=data["counts"],
        )
    )


@given(samples())
def test_equals_lifelines(data: dict[str, Any]) -> None:
    from lifelines import KaplanMeierFitter
    from lifelines.exceptions import StatError
    from lifelines.utils import median_survival_times

    mine = _fit(data)
    curve = mine.curve.loc["all"]
    days = np.asarray(curve.index, dtype=np.float64)
    # lifelines puts an entrant in the risk set after its entry time; here an invoice is at
    # risk on its entry day (issued that day), i.e. it entered at the end of the day before
    entry = None if data["entry"] is None else data["entry"] - 1
    kmf = KaplanMeierFitter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kmf.fit(data["exit"], data["event"], entry=entry, weights=data["counts"])
    except StatError:  # lifelines refuses an early empty risk set: statsmodels covers it
        assume(False)
    np.testing.assert_allclose(curve["survival"], _at(kmf.survival_function_.iloc[:, 0], days))
    band = kmf.confidence_interval_
    np.testing.assert_allclose(curve["lower"], _at(band.iloc[:, 0], days), atol=1e-12)
    np.testing.assert_allclose(curve["upper"], _at(band.iloc[:, 1], days), atol=1e-12)
    exact = _exact_curve(data)
    knife_edge = any(s in (Fraction(1, 2), Fraction(1, 4), Fraction(3, 4)) for _, s in exact)
    summary = mine.summary.loc["all"]
    assert summary["median"] == pytest.approx(_exact_quantile(exact, Fraction(1, 2)), nan_ok=True)
    assert summary["quartile_1"] == pytest.approx(
        _exact_quantile(exact, Fraction(3, 4)), nan_ok=True
    )
    if not knife_edge:  # lifelines compares rounded floats with 1/2: equal off the knife-edge
        theirs = float(kmf.median_survival_time_)
        assert summary["median"] == pytest.approx(
            math.nan if math.isinf(theirs) else theirs, nan_ok=True
        )
    limits = median_survival_times(band).iloc[0].to_numpy(dtype=np.float64)
    limits = np.where(np.isinf(limits), np.nan, limits)
    np.testing.assert_array_equal(summary[["median_lower", "median_upper"]].to_numpy(float), limits)


@given(samples())
def test_equals_statsmodels(data: dict[str, Any]) -> None:
    from statsmodels.duration.survfunc import SurvfuncRight

    mine = _fit(data)
    curve = mine.curve.loc["all"]
    # statsmodels: "not in the risk set on or before the entry time", so entry - 1 here
    entry = None if data["entry"] is None else (data["entry"] - 1).astype(np.float64)
    theirs = SurvfuncRight(
        data["exit"].astype(np.float64),
        data["event"].astype(np.float64),
        entry=entry,
        freq_weights=None if data["counts"] is None else data["counts"].astype(np.float64),
    )
    times = np.asarray(theirs.surv_times, dtype=np.int64)
    assert set(times.tolist()) == set(data["exit"][data["event"]].tolist())
    np.testing.assert_allclose(curve.loc[times, "survival"], theirs.surv_prob, atol=1e-12)
    if data["counts"] is None:  # without weights statsmodels' error is Greenwood's
        se = np.asarray(theirs.surv_prob_se, dtype=np.float64)
        finite = np.isfinite(se)  # statsmodels leaves it undefined once S reaches 0
        np.testing.assert_allclose(curve.loc[times, "std_error"][finite], se[finite], atol=1e-12)
    exact = _exact_curve(data)
    if not any(s == Fraction(1, 2) for _, s in exact):  # statsmodels takes S < 1/2, strictly
        assert mine.summary.loc["all", "median"] == pytest.approx(theirs.quantile(0.5), nan_ok=True)


@given(samples())
def test_amount_weighted_equals_weighted_fits(data: dict[str, Any]) -> None:
    """Weighted by amount: statsmodels' and lifelines' estimates with the amounts as weights."""
    from lifelines import KaplanMeierFitter
    from lifelines.exceptions import StatError
    from statsmodels.duration.survfunc import SurvfuncRight

    counts = data["counts"] if data["counts"] is not None else 1
    weights = data["amounts"] * counts
    table = table_from_durations(
        data["exit"],
        data["event"],
        entry=data["entry"],
        closed=data["closed"],
        counts=data["counts"],
        amounts=data["amounts"],
    )
    curve = kaplan_meier(table, weight="amount").curve.loc["all"]
    entry = None if data["entry"] is None else data["entry"] - 1
    theirs = SurvfuncRight(
        data["exit"].astype(np.float64),
        data["event"].astype(np.float64),
        entry=None if entry is None else entry.astype(np.float64),
        freq_weights=weights.astype(np.float64),
    )
    times = np.asarray(theirs.surv_times, dtype=np.int64)
    np.testing.assert_allclose(curve.loc[times, "survival"], theirs.surv_prob, atol=1e-12)
    kmf = KaplanMeierFitter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kmf.fit(data["exit"], data["event"], entry=entry, weights=weights)
    except StatError:
        return
    days = np.asarray(curve.index, dtype=np.float64)
    np.testing.assert_allclose(
        curve["survival"], _at(kmf.survival_function_.iloc[:, 0], days), atol=1e-12
    )


@given(
    st.lists(st.integers(0, 60), min_size=1, max_size=25),
    st.data(),
)
def test_restricted_mean_equals_lifelines(exits: list[int], data: st.DataObject) -> None:
    from lifelines import KaplanMeierFitter
    from lifelines.utils import restricted_mean_survival_time

    event = data.draw(st.lists(st.booleans(), min_size=len(exits), max_size=len(exits)))
    horizon = data.draw(st.integers(1, max(exits) if max(exits) else 1))
    assume(max(exits) >= horizon)
    t = table_from_durations(exits, event, entry=np.zeros(len(exits), dtype=np.int64))
    mine = kaplan_meier(t, horizon=horizon).summary.loc["all", "restricted_mean"]
    kmf = KaplanMeierFitter().fit(exits, event)
    assert mine == pytest.approx(restricted_mean_survival_time(kmf, t=horizon), abs=1e-9)


def test_amount_band_is_the_count_band_with_equal_amounts() -> None:
    exits = np.array([3, 5, 5, 8, 9, 12])
    event = np.array([True, True, False, True, True, False])
    by_count = kaplan_meier(table_from_durations(exits, event)).curve
    by_amount = kaplan_meier(
        table_from_durations(exits, event, amounts=np.full(6, 250)), weight="amount"
    ).curve
    for column in ("survival", "std_error", "lower", "upper"):
        np.testing.assert_allclose(by_amount[column], by_count[column])


def test_everything_settled_and_nothing_settled() -> None:
    all_paid = kaplan_meier(table_from_durations([1, 2, 3], [True, True, True]))
    row = all_paid.summary.loc["all"]
    assert all_paid.curve["survival"].tolist() == pytest.approx([2 / 3, 1 / 3, 0.0])
    assert all_paid.curve["lower"].iloc[-1] == all_paid.curve["upper"].iloc[-1] == 0.0
    assert (row["median"], row["settled_within_90"]) == (2.0, 1.0)  # known: the curve ended
    assert row["restricted_mean"] == pytest.approx(2.0)  # 1 + ∫ S = 1 + 2/3 + 1/3
    none_paid = kaplan_meier(table_from_durations([1, 2, 3], [False, False, False]))
    assert none_paid.curve["survival"].tolist() == [1.0, 1.0, 1.0]
    assert none_paid.summary.loc["all", "median_note"].startswith(
        "the curve never reaches 1/2: 0.0% of the invoices settled by day 3"
    )


def test_groups_estimated_apart() -> None:
    t = table_from_durations(
        [1, 2, 3, 10, 20], [True, True, True, True, False], groups=["b", "b", "b", "a", "a"]
    )
    km = kaplan_meier(t)
    assert km.summary.index.tolist() == ["a", "b"]
    assert km.summary["median"].tolist() == [10.0, 2.0]
    # every item enters on the first day of the data (1): group a is at risk from day 1
    assert km.curve.loc["a", "survival"].tolist() == [1.0, 0.5, 0.5]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"weight": "euros"}, "weight must be one of 'count', 'amount'; got 'euros'"),
        ({"confidence": 1.0}, "confidence must be in"),
        ({"confidence": "95%"}, "confidence must be a number"),
        ({"horizon": 90.5}, "horizon must be a whole number"),
    ],
)
def test_estimator_bad_options(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ck.CreditKPIError, match=match):
        kaplan_meier(table_from_durations([1], [True]), **kwargs)


def test_estimator_needs_a_table() -> None:
    with pytest.raises(ck.CreditKPIError, match="missing: entered_amount_squared"):
        kaplan_meier(table_from_durations([1], [True]).drop(columns="entered_amount_squared"))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"exit": [1.5], "settled": [True]}, "not whole numbers"),
        ({"exit": [1, 2], "settled": [True]}, "settled has 1 values for 2 items"),
        ({"exit": [1], "settled": [True], "closed": [True]}, "both settled and closed"),
        ({"exit": [1], "settled": [True], "entry": [2]}, "enter after they exit"),
        ({"exit": [1], "settled": [True], "counts": [0]}, "counts must be >= 1"),
        ({"exit": [1], "settled": [True], "amounts": [-1]}, "amounts must be >= 0"),
        ({"exit": ["a"], "settled": [True]}, "must hold whole numbers"),
    ],
)
def test_durations_bad_input(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ck.CreditKPIError, match=match):
        table_from_durations(**kwargs)


# ----------------------------------------------------------------------------------
# properties of the table on ledgers
# ----------------------------------------------------------------------------------


@given(
    ledger_specs(max_invoices=20), as_of_dates(), st.sampled_from([None, "country", "customer_id"])
)
def test_split_by_customer_adds_up(spec: LedgerSpec, as_of: date, by: str | None) -> None:
    whole = spec.build()
    assume(bool((whole._cols.issue <= to_day(as_of)).any()))
    # a customer with only unapplied cash has no invoice, hence no row
    parts = [survival_table(p.build(), as_of, by) for p in spec.split_by_customer() if p.invoices]
    pd.testing.assert_frame_equal(
        combine_tables(parts), survival_table(whole, as_of, by), check_exact=False, rtol=1e-12
    )


@settings(max_examples=20)
@given(ledger_specs(max_invoices=20), as_of_dates(), st.integers(-400, 400))
def test_shuffling_and_shifting_change_nothing(spec: LedgerSpec, as_of: date, days: int) -> None:
    table = survival_table(spec.build(), as_of, "customer_id")
    pd.testing.assert_frame_equal(
        survival_table(spec.shuffled(3).build(), as_of, "customer_id"), table
    )
    moved = spec.shifted(days).build()
    pd.testing.assert_frame_equal(
        survival_table(moved, as_of + timedelta(days=days), "customer_id"), table
    )


@given(ledger_specs(max_invoices=20), as_of_dates())
def test_settlements_after_the_cut_off_change_nothing(spec: LedgerSpec, as_of: date) -> None:
    seen = replace(spec, payments=[p for p in spec.payments if p.date <= as_of])
    for clock in ("due", "issue"):
        pd.testing.assert_frame_equal(
            survival_table(spec.build(), as_of, "country", clock=clock),
            survival_table(seen.build(), as_of, "country", clock=clock),
        )


@settings(max_examples=20)
@given(ledger_specs(min_invoices=2, max_invoices=20), st.integers(2, 9))
def test_scaling_amounts_changes_no_share(spec: LedgerSpec, k: int) -> None:
    as_of = date(2024, 3, 31)
    assume(any(i.issue_date <= as_of for i in spec.invoices))
    base = kaplan_meier(survival_table(spec.build(), as_of), weight="amount")
    scaled = kaplan_meier(survival_table(spec.scaled(k).build(), as_of), weight="amount")
    for column in ("survival", "std_error", "lower", "upper"):
        np.testing.assert_allclose(scaled.curve[column], base.curve[column], atol=1e-12)


def test_combine_tables_needs_a_table() -> None:
    with pytest.raises(ck.CreditKPIError, match="at least one non-empty table"):
        combine_tables([])
