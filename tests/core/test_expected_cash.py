"""The forecast's kernel: curves with a competing outcome, conditional shares, exact allocation."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.expected_cash import (
    allocate,
    conditional_shares,
    horizon_offsets,
    incidence,
    open_balance_units,
)
from creditkpi.core.survival import kaplan_meier, table_from_durations

#: the documentation's given curve: ten invoices of the same amount paid
#: -5, 0, 3, 7, 10, 14, 21, 28, 45 and 60 days after their due date, so
#: S = 0.9, 0.8, ..., 0.1, 0 on those days
HISTORY = [-5, 0, 3, 7, 10, 14, 21, 28, 45, 60]


def test_hand_worked_three_open_invoices() -> None:
    """The documentation's example, computed by hand (weekly windows, 4 weeks).

    A: 1000.00 due in 7 days (a = -7, S(a) = 1): weeks end at a = 0, 7, 14, 21,
       S = 0.8, 0.6, 0.4, 0.3 -> 200, 200, 200, 100; 300 beyond.
    B: 600.00, 7 days late (S(7) = 0.6): S(14, 21, 28, 35) = 0.4, 0.3, 0.2, 0.2
       -> 600 x (0.2, 0.1, 0.1, 0) / 0.6 = 200, 100, 100, 0; 200 beyond.
    C: 500.00, 30 days late (S(30) = 0.2): S(37, 44, 51, 58) = 0.2, 0.2, 0.1, 0.1
       -> 0, 0, 250, 0; 250 beyond.
    """
    curve = incidence(table_from_durations(HISTORY, [True] * 10))
    ages = np.array([-7, 7, 30])
    balance = np.array([100_000, 60_000, 50_000])
    offsets = horizon_offsets(date(2024, 6, 30), "4W", "W")
    paid, closed = conditional_shares(curve, np.zeros(3, dtype=np.int64), ages, offsets)
    cash, other, beyond = allocate(balance, paid, closed)
    assert cash.tolist() == [
        [20_000, 20_000, 20_000, 10_000],
        [20_000, 10_000, 10_000, 0],
        [0, 0, 25_000, 0],
    ]
    assert cash.sum(axis=0).tolist() == [40_000, 30_000, 55_000, 10_000]
    assert other.sum() == 0
    assert beyond.tolist() == [30_000, 20_000, 25_000]


def test_competing_closures_are_apart_and_add_up() -> None:
    """1 - S = paid + closed; without closures, S is the time-to-pay Kaplan-Meier curve."""
    exits = [1, 2, 2, 3, 5, 8, 8, 9]
    settled = [True, True, False, True, False, True, False, False]
    closed = [False, False, True, False, True, False, False, False]
    inc = incidence(table_from_durations(exits, settled, closed=closed))
    np.testing.assert_allclose(1 - inc.survival, inc.paid + inc.closed, atol=1e-15)
    assert inc.closed[-1] > 0
    plain = table_from_durations(exits, settled)
    np.testing.assert_allclose(
        incidence(plain).survival, kaplan_meier(plain).curve["survival"].to_numpy(), atol=1e-15
    )


def test_a_day_closing_everything_at_risk_does_not_poison_later_entries() -> None:
    """Delayed entry: S drops to 0 before a later invoice enters; its own curve restarts."""
    # item 0 enters at -30 and is paid at -20 (alone at risk: S = 0);
    # items 1, 2 enter at -10; item 1 paid at 5, item 2 open at 10
    table = table_from_durations([-20, 5, 10], [True, True, False], entry=[-30, -10, -10])
    inc = incidence(table)
    paid, _ = conditional_shares(inc, np.array([0]), np.array([0]), np.array([0, 7, 14]))
    assert paid.tolist() == [[0.0, 0.5, 0.5]]


def test_past_the_curve_and_without_a_curve_nothing_is_expected() -> None:
    inc = incidence(table_from_durations([1, 2], [True, False]))
    paid, closed = conditional_shares(
        inc, np.array([0, 5]), np.array([40, 0]), np.array([0, 7, 14])
    )  # code 5: no such curve
    assert paid.tolist() == [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    assert closed.sum() == 0


@settings(max_examples=40)
@given(
    st.lists(st.integers(0, 10**9), min_size=1, max_size=5),
    st.lists(st.floats(0, 1), min_size=2, max_size=6),
    st.floats(0, 1),
)
def test_allocation_is_exact_and_prefix_stable(
    balances: list[int], levels: list[float], split: float
) -> None:
    done = np.sort(np.asarray(levels))
    done[0] = 0.0
    paid = np.tile(done * split, (len(balances), 1))
    closed = np.tile(done * (1 - split), (len(balances), 1))
    balance = np.asarray(balances, dtype=np.int64)
    cash, other, beyond = allocate(balance, paid, closed)
    assert (cash >= 0).all() and (other >= 0).all() and (beyond >= 0).all()
    np.testing.assert_array_equal(cash.sum(axis=1) + other.sum(axis=1) + beyond, balance)
    # each window within one minor unit of its exact expectation
    exact = np.diff(balance[:, None] * paid, axis=1)
    assert np.abs(cash - exact).max(initial=0) <= 1.0 + 1e-6 * max(balances)
    # a shorter horizon gives the same first windows
    short, _, _ = allocate(balance, paid[:, :2], closed[:, :2])
    np.testing.assert_array_equal(short, cash[:, :1])


def test_units_sum_balances_sharing_curve_and_age() -> None:
    units = open_balance_units(
        np.array([0, 0, 1, 0]),
        np.array([2, 2, 2, 0]),
        np.array([0, 0, 0, 3]),
        np.array([5, 5, 5, 5]),
        np.array([100, 250, 7, 1]),
    )
    assert units.balance.tolist() == [1, 350, 7]
    assert units.invoices.tolist() == [1, 2, 1]


@pytest.mark.parametrize(
    ("horizon", "freq", "message"),
    [
        ("0W", "W", "horizon must be"),
        ("13W", "fortnight", "freq must be"),
        ("1W", "M", "longer than the horizon"),
        (True, "W", "horizon must be"),
    ],
)
def test_bad_horizons_name_the_option(horizon: object, freq: object, message: str) -> None:
    with pytest.raises(InvalidOptionError, match=message):
        horizon_offsets(date(2024, 1, 31), horizon, freq)  # type: ignore[arg-type]


def test_months_are_calendar_months_from_the_date() -> None:
    assert horizon_offsets(date(2024, 1, 31), "3M", "M").tolist() == [0, 29, 60, 90]
    assert horizon_offsets(date(2024, 6, 30), 10, 3).tolist() == [0, 3, 6, 9, 10]
