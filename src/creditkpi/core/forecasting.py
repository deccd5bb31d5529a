"""The collection forecast's kernels: what one method expects of the balances open at a date.

Shared by :func:`creditkpi.collection_forecast` and
:func:`creditkpi.backtest_forecast` (what two metrics share lives in the
core). Every function reads only data dated on or before its date:

* :func:`expected` -- the forecast of one method (``survival``, the
  customer's time-to-pay curve; ``average_delay``, due date + average days
  late; ``due_date``) per group and window: an :class:`Expected`;
* :func:`issued_balances`, :class:`BalanceSweep` -- every invoice's balance
  at a date, or at increasing dates;
* :func:`actual_cash` -- the cash received in each window on the invoices
  open at a date (a backtest's actuals);
* :func:`window_dates`, :func:`warn_incomplete` -- the windows' first and
  last days, and the warning when they run past the data.

A forecast follows invoice balances: it predicts the day an open balance
falls, so every date here is the day a settlement settles its invoice
(``settlement_date``, the application date where the inputs give one), not
the day the customer paid (``settlement_posted``, which the payment delays
and payer profiles count to). The history, the expected days and a
backtest's actual cash read the same date, so a backtest compares like
with like.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.engine import settled_by
from creditkpi.core.errors import DataQualityWarning, InvalidOptionError
from creditkpi.core.expected_cash import (
    CUSTOMER,
    LEDGER,
    SEGMENT,
    expected_by_window,
    horizon_offsets,
    settled_counts,
    sum_by,
    survival_units,
)
from creditkpi.core.fx.translate import closing_view
from creditkpi.core.groups import Groups
from creditkpi.core.ledger import PAYMENT, Ledger
from creditkpi.core.period import from_day, to_day

__all__ = [
    "METHODS",
    "BalanceSweep",
    "Expected",
    "History",
    "Method",
    "actual_cash",
    "average_days_late",
    "check_fallback",
    "expected",
    "issued_balances",
    "warn_incomplete",
    "window_dates",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
#: per curve level, its groups and survival table (core.expected_cash.history_at)
History: TypeAlias = dict[int, tuple[Groups, Any]]

#: forecasting methods
Method: TypeAlias = Literal["survival", "average_delay", "due_date"]
METHODS: tuple[Method, ...] = ("survival", "average_delay", "due_date")


@dataclass(frozen=True, slots=True)
class Expected:
    """The forecast of one method at one date, per group (int64 minor units).

    Cash and closures per window, what is expected beyond the horizon, the
    open balance and invoices, and the balance forecast from each curve
    level (customer, segment, ledger history).
    """

    cash: IntArray  # (groups, K)
    write_offs: IntArray  # (groups, K)
    beyond: IntArray  # (groups,)
    open_balance: IntArray  # (groups,)
    open_invoices: IntArray  # (groups,)
    by_level: IntArray  # (groups, 3): balance forecast from customer, segment, ledger history


def check_fallback(ledger: Ledger, fallback: object) -> str:
    if fallback == "all":
        return "all"
    attributes = [a for a in ledger.attributes if a not in ("customer_id", "customer")]
    if not isinstance(fallback, str) or fallback not in attributes:
        allowed = ", ".join(repr(a) for a in ("all", *attributes))
        raise InvalidOptionError(
            f"fallback must be 'all' or an invoice attribute ({allowed}), got {fallback!r}",
            column="fallback",
        )
    return fallback


def _survival_method(
    ledger: Ledger,
    when: date,
    groups: Groups,
    offsets: IntArray,
    min_history: int,
    fallback: str,
    balance: IntArray,
    history: History,
) -> Expected:
    units, curves, _ = survival_units(
        ledger,
        when,
        groups,
        min_history=min_history,
        fallback=fallback,
        balance=balance,
        history=history,
    )
    cash, closed, beyond = expected_by_window(units, curves, offsets)
    size = groups.size
    by_level = np.zeros((size, 3), dtype=np.int64)
    np.add.at(by_level, (units.group, units.level), units.balance)
    return Expected(
        cash=sum_by(units.group, cash, size),
        write_offs=sum_by(units.group, closed, size),
        beyond=sum_by(units.group, beyond, size),
        open_balance=sum_by(units.group, units.balance, size),
        open_invoices=sum_by(units.group, units.invoices, size),
        by_level=by_level,
    )


def average_days_late(
    ledger: Ledger, day: int, min_history: int, history: History
) -> tuple[npt.NDArray[np.float64], IntArray, IntArray]:
    """Per invoice: the amount-weighted average days late of its curve's history at ``day``.

    Cash applied to invoices and dated ``<= day``: ``Σ amount × max(0, date -
    due) / Σ amount`` per customer, used when the customer has at least
    ``min_history`` invoices settled by cash by ``day``; else the segment's
    (``fallback``), else the whole ledger's (0 days when nothing was ever
    paid). Returns the average and the level and code of the history used.
    """
    c = ledger._cols
    hi = int(np.searchsorted(c.settlement_date, day, side="right"))
    inv = c.settlement_invoice[:hi]
    keep = (inv >= 0) & (c.settlement_kind[:hi] == PAYMENT)
    inv = inv[keep]
    amount = c.settlement_amount[:hi][keep].astype(np.float64)
    late = np.maximum(c.settlement_date[:hi][keep] - c.due[inv], 0).astype(np.float64)
    n = c.n_invoices
    average = np.zeros(n, dtype=np.float64)
    level = np.full(n, LEDGER, dtype=np.int64)
    code = np.zeros(n, dtype=np.int64)
    for lvl in (LEDGER, SEGMENT, CUSTOMER):
        if lvl not in history:
            continue
        groups, table = history[lvl]
        size = groups.size
        weight = np.bincount(groups.invoice[inv], weights=amount, minlength=size)
        total = np.bincount(groups.invoice[inv], weights=amount * late, minlength=size)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(weight > 0, total / np.where(weight > 0, weight, 1.0), 0.0)
        ok = (
            np.ones(size, dtype=bool)
            if lvl == LEDGER
            else settled_counts(table) >= max(min_history, 1)
        )
        use = ok[groups.invoice]
        average[use] = mean[groups.invoice][use]
        level[use] = lvl
        code[use] = groups.invoice[use]
    return average, level, code


def _baseline(
    ledger: Ledger,
    day: int,
    groups: Groups,
    offsets: IntArray,
    balance: IntArray,
    method: Method,
    min_history: int,
    history: History | None,
) -> Expected:
    """Whole balances on one expected day: the due date, or due date + average days late."""
    c = ledger._cols
    open_ = np.flatnonzero(balance > 0)
    size, k = groups.size, offsets.size - 1
    by_level = np.zeros((size, 3), dtype=np.int64)
    group = groups.invoice[open_]
    amount = balance[open_]
    expected = c.due[open_].astype(np.int64)
    if method == "average_delay" and history is not None:
        average, level, _ = average_days_late(ledger, day, min_history, history)
        expected = expected + np.rint(average[open_]).astype(np.int64)
        np.add.at(by_level, (group, level[open_]), amount)
    offset = np.maximum(expected - day, 1)  # already past: the first window
    window = np.searchsorted(offsets, offset, side="left") - 1  # (b_{k-1}, b_k]
    inside = window < k
    cash = np.zeros((size, k), dtype=np.int64)
    np.add.at(cash, (group[inside], window[inside]), amount[inside])
    return Expected(
        cash=cash,
        write_offs=np.zeros((size, k), dtype=np.int64),
        beyond=sum_by(group[~inside], amount[~inside], size),
        open_balance=sum_by(group, amount, size),
        open_invoices=np.bincount(group, minlength=size).astype(np.int64),
        by_level=by_level,
    )


def expected(
    ledger: Ledger,
    when: date,
    groups: Groups,
    offsets: IntArray,
    method: Method,
    min_history: int,
    fallback: str,
    balance: IntArray,
    history: History | None,
) -> Expected:
    """The forecast of one method; ``history`` (:func:`history_at`) unless ``due_date``.

    A ledger translated at closing rates is read at the rates of ``when``.
    """
    ledger = closing_view(ledger, to_day(when))
    if method == "survival":
        assert history is not None
        return _survival_method(
            ledger, when, groups, offsets, min_history, fallback, balance, history
        )
    return _baseline(ledger, to_day(when), groups, offsets, balance, method, min_history, history)


def issued_balances(ledger: Ledger, day: int) -> IntArray:
    """Every invoice's balance at ``day`` (0 for invoices issued later), at its closing rates."""
    ledger = closing_view(ledger, day)
    c = ledger._cols
    return np.where(c.issue <= day, c.amount - settled_by(ledger, day), 0).astype(np.int64)


def window_dates(when: date, offsets: IntArray) -> tuple[list[pd.Timestamp], list[pd.Timestamp]]:
    starts = [pd.Timestamp(when + timedelta(days=int(o) + 1)) for o in offsets[:-1]]
    ends = [pd.Timestamp(when + timedelta(days=int(o))) for o in offsets[1:]]
    return starts, ends


def actual_cash(ledger: Ledger, day: int, offsets: IntArray, open_: BoolArray) -> IntArray:
    """Cash dated in each window after ``day`` on the invoices open at ``day``.

    A ledger translated at closing rates is read at the rates of ``day``, as
    the forecast made at ``day`` is: a rate's move is no forecast error.
    """
    ledger = closing_view(ledger, day)
    c = ledger._cols
    lo = int(np.searchsorted(c.settlement_date, day, side="right"))
    hi = int(np.searchsorted(c.settlement_date, day + int(offsets[-1]), side="right"))
    inv = c.settlement_invoice[lo:hi]
    keep = (inv >= 0) & (c.settlement_kind[lo:hi] == PAYMENT)
    keep[keep] = open_[inv[keep]]
    offset = c.settlement_date[lo:hi][keep] - day
    window = np.searchsorted(offsets, offset, side="left") - 1
    k = offsets.size - 1
    out = np.zeros(k, dtype=np.int64)
    np.add.at(out, window, c.settlement_amount[lo:hi][keep])
    return out


def warn_incomplete(
    ledger: Ledger, origins: list[date], horizon: str | int, freq: str | int
) -> None:
    """Warn when some windows end after the ledger's last dated event (actuals incomplete)."""
    c = ledger._cols
    days = [int(c.settlement_date.max(initial=-(2**40))), int(c.issue.max(initial=-(2**40)))]
    last = max(days)
    late = [
        when
        for when in origins
        if to_day(when) + int(horizon_offsets(when, horizon, freq)[-1]) > last
    ]
    if late and last > -(2**40):
        warnings.warn(
            f"the horizon of {len(late)} of {len(origins)} origins (first: {late[0]}) ends after "
            f"the ledger's last dated event ({from_day(last)}): their actual cash is incomplete; "
            "choose origins at least one horizon before the end of the data",
            DataQualityWarning,
            stacklevel=3,
        )


class BalanceSweep:
    """Every invoice's balance at increasing dates, settlements added once (a backtest's origins).

    ``at(day)`` gives the balances at ``day`` (0 for invoices issued later);
    successive days must not decrease: the settlements between two days are
    added once instead of every balance being rebuilt from scratch.
    """

    def __init__(self, ledger: Ledger) -> None:
        c = ledger._cols
        self._ledger = ledger
        self._c = c
        self._paid = np.zeros(c.n_invoices, dtype=np.int64)
        self._swept = 0  # settlements already added
        self._applied = c.settlement_invoice >= 0

    def at(self, day: int) -> IntArray:
        """The balances at the end of ``day`` (at its closing rates on a translated ledger)."""
        if closing_view(self._ledger, day) is not self._ledger:
            return issued_balances(self._ledger, day)
        c = self._c
        hi = int(np.searchsorted(c.settlement_date, day, side="right"))
        if hi > self._swept:
            new = slice(self._swept, hi)
            keep = self._applied[new]
            self._paid += c.bin_sum(
                c.settlement_invoice[new][keep], c.settlement_amount[new][keep], c.n_invoices
            )
            self._swept = hi
        return np.where(c.issue <= day, c.amount - self._paid, 0).astype(np.int64)
