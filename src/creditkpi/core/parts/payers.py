"""Payer parts: per customer, the sums behind a payer profile over a window ending at T.

The kernel of :func:`creditkpi.payer_profiles` (its finisher divides,
grades and explains): invoices issued and cash paid in the window, the
amount-weighted days beyond terms of the payments, counted to the day the
customer paid (the posting day under application dates; all, late, recent
and before, per month of the window), disputes opened, the open and overdue
balances at T with their weighted days past due, and the credit limits of
the invoice attribute ``credit_limit``. Exact integer sums (Python ints where
int64 could overflow).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
from dateutil.relativedelta import relativedelta

from creditkpi.core.engine import balances
from creditkpi.core.errors import InvalidAmountError
from creditkpi.core.fx.translate import closing_view
from creditkpi.core.groups import Groups
from creditkpi.core.ingest.amounts import parse_amounts
from creditkpi.core.ledger import PAYMENT, WRITE_OFF, Ledger
from creditkpi.core.period import to_day

__all__ = ["PayerParts", "payer_parts"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_INT64_SAFE = 2**62


def _sums(index: IntArray, values: IntArray, size: int) -> npt.NDArray[Any]:
    """Exact per-bin sums of int64 values: int64, or Python ints beyond int64's reach."""
    if values.size == 0 or int(np.abs(values).max()) * int(values.size) < _INT64_SAFE:
        acc = np.zeros(size, dtype=np.int64)
        np.add.at(acc, index, values)
        return acc
    out = np.zeros(size, dtype=object)
    out[:] = 0
    for g, v in zip(index.tolist(), values.tolist(), strict=True):
        out[g] += v
    return out


def _products(amount: IntArray, days: IntArray) -> npt.NDArray[Any]:
    """``amount × days`` per item, exactly (Python ints when int64 could overflow)."""
    if amount.size == 0:
        return np.zeros(0, dtype=np.int64)
    bound = int(np.abs(amount).max()) * int(np.abs(days).max(initial=0)) * int(amount.size)
    if bound < _INT64_SAFE:
        return np.asarray(amount * days, dtype=np.int64)
    out = np.empty(amount.size, dtype=object)
    out[:] = [int(a) * int(d) for a, d in zip(amount.tolist(), days.tolist(), strict=True)]
    return out


def _sums_any(index: IntArray, values: npt.NDArray[Any], size: int) -> npt.NDArray[Any]:
    if values.dtype != object:
        return _sums(index, values.astype(np.int64), size)
    out = np.zeros(size, dtype=object)
    out[:] = 0
    for g, v in zip(index.tolist(), values.tolist(), strict=True):
        out[g] += v
    return out


def _credit_limits(
    ledger: Ledger, issued: npt.NDArray[np.bool_], customer: IntArray, size: int
) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Per customer, the credit limit of its latest invoice issued <= T that has one.

    Returns ``(limit cents, has_limit)``.
    """
    c = ledger._cols
    limit = np.zeros(size, dtype=np.int64)
    has = np.zeros(size, dtype=bool)
    if "credit_limit" not in c.attrs.columns:
        return limit, has
    raw = c.attrs["credit_limit"]
    # the ingestion rules of amounts: exact text, decimals and integers, no float noise
    cents, missing = parse_amounts(
        raw, column="credit_limit", ids=c.invoice_ids, digits=c.digits, positive=False,
        optional=True,
    )  # fmt: skip
    negative = np.flatnonzero((cents < 0) & ~missing)
    if negative.size:
        raise InvalidAmountError(
            f"{negative.size} credit limit(s) are negative",
            column="credit_limit",
            ids=c.invoice_ids[negative].tolist(),
            count=int(negative.size),
            values=raw.iloc[negative[:5]].tolist(),
        )
    usable = np.flatnonzero(issued & ~missing)
    if usable.size:
        # latest issue date wins; among equal dates, the last invoice in input order
        order = usable[np.lexsort((usable, c.issue[usable]))]
        limit[customer[order]] = cents[order]  # later assignments win
        has[customer[order]] = True
    return limit, has


@dataclass(frozen=True)
class PayerParts:
    """Per customer (the ``customer_id`` groups), the sums of a payer profile.

    ``weighted_*`` are ``Σ amount × days`` (minor units × days); the
    ``monthly_*`` arrays are ``(customers, months)``, month 0 the oldest of
    the window. Money in minor units.
    """

    issued: IntArray  # invoices issued on or before T (any date)
    invoices: IntArray  # invoices issued in the window
    invoiced: IntArray
    payments: IntArray  # cash payments dated in the window
    paid: npt.NDArray[Any]
    weighted_beyond: npt.NDArray[Any]
    weighted_late: npt.NDArray[Any]
    late_count: IntArray
    late_amount: npt.NDArray[Any]
    over_30_amount: npt.NDArray[Any]
    recent_weighted: npt.NDArray[Any]
    recent_paid: npt.NDArray[Any]
    before_weighted: npt.NDArray[Any]
    before_paid: npt.NDArray[Any]
    monthly_weighted: npt.NDArray[Any]
    monthly_paid: npt.NDArray[Any]
    disputes: IntArray
    receivables: IntArray
    overdue: IntArray
    open_balance: npt.NDArray[Any]
    open_weighted: npt.NDArray[Any]
    credit_limit: IntArray
    has_limit: BoolArray
    owing_balance: npt.NDArray[Any]  # Σ B_i(T) over issued invoices with a balance > 0
    written_off: IntArray  # write-offs dated in the window (invoices issued <= T)


def _payments_in(ledger: Ledger, start: int, day: int) -> slice | IntArray:
    """The settlements the customers paid from day ``start`` to ``day`` (both included).

    The day a customer paid is the settlement's date, or its posting day where
    the inputs give application dates (as in :func:`creditkpi.payment_delays`):
    a payment posted in the window and applied to its invoice later counts, one
    posted before the window and applied in it does not. Settlements are sorted
    by date (a slice), not by posting day (positions).
    """
    c = ledger._cols
    if c.settlement_posted is None:
        lo = int(np.searchsorted(c.settlement_date, start, side="left"))
        hi = int(np.searchsorted(c.settlement_date, day, side="right"))
        return slice(lo, hi)
    posted = c.settlement_posted
    return np.flatnonzero((posted >= start) & (posted <= day))


def payer_parts(
    ledger: Ledger, when: date, first: date, groups: Groups, months: int, recent: int
) -> PayerParts:
    """The payer parts at ``when`` over the window starting on ``first`` (``months`` long).

    ``groups`` is the ``customer_id`` grouping; the last ``recent`` months
    of the window are the trend's recent months. A ledger translated at
    closing rates is read at the rates of ``when`` (a table at ``when``).
    """
    ledger = closing_view(ledger, to_day(when))
    c = ledger._cols
    day, start = to_day(when), to_day(first)
    size = groups.size
    customer = groups.invoice
    issued = c.issue <= day
    in_window = issued & (c.issue >= start)
    window = _payments_in(ledger, start, day)
    inv = c.settlement_invoice[window]
    keep = (c.settlement_kind[window] == PAYMENT) & (inv >= 0)
    keep[keep] &= issued[inv[keep]]
    inv = inv[keep]
    paid_on = c.settlement_date if c.settlement_posted is None else c.settlement_posted
    paid_day = paid_on[window][keep]
    amount = c.settlement_amount[window][keep].astype(np.int64)
    beyond = (np.maximum(paid_day, c.issue[inv]) - c.due[inv]).astype(np.int64)
    late = np.maximum(beyond, 0)
    who = customer[inv]
    is_late, over_30 = late >= 1, late > 30
    # the months of the window: ascending ends, the day before the window ... T
    ends = np.asarray(
        [to_day(when - relativedelta(months=k)) for k in range(months, -1, -1)], dtype=np.int64
    )
    month = np.searchsorted(ends, paid_day, side="left") - 1  # 0 = oldest month of the window
    rows = month >= months - recent
    cell = who * months + month
    opened = (c.dispute_opened >= start) & (c.dispute_opened <= day)
    opened &= issued[c.dispute_invoice]
    snap = balances(ledger, when)
    overdue_rows = snap.overdue
    owing = overdue_rows & (snap.balance > 0)
    limit, has_limit = _credit_limits(ledger, issued, customer, size)
    weighted = _products(amount, beyond)
    positive = snap.issued & (snap.balance > 0)
    lost_inv = c.settlement_invoice[window]
    lost = (c.settlement_kind[window] == WRITE_OFF) & (lost_inv >= 0)
    lost[lost] &= issued[lost_inv[lost]]
    return PayerParts(
        issued=np.bincount(customer[issued], minlength=size).astype(np.int64),
        invoices=np.bincount(customer[in_window], minlength=size).astype(np.int64),
        invoiced=c.bin_sum(customer[in_window], c.amount[in_window], size),
        payments=np.bincount(who, minlength=size).astype(np.int64),
        paid=_sums(who, amount, size),
        weighted_beyond=_sums_any(who, weighted, size),
        weighted_late=_sums_any(who, _products(amount, late), size),
        late_count=np.bincount(who[is_late], minlength=size).astype(np.int64),
        late_amount=_sums(who[is_late], amount[is_late], size),
        over_30_amount=_sums(who[over_30], amount[over_30], size),
        recent_weighted=_sums_any(who[rows], _products(amount[rows], beyond[rows]), size),
        recent_paid=_sums(who[rows], amount[rows], size),
        before_weighted=_sums_any(who[~rows], _products(amount[~rows], beyond[~rows]), size),
        before_paid=_sums(who[~rows], amount[~rows], size),
        monthly_weighted=_sums_any(cell, weighted, size * months),
        monthly_paid=_sums(cell, amount, size * months),
        disputes=np.bincount(customer[c.dispute_invoice[opened]], minlength=size).astype(np.int64),
        receivables=c.bin_sum(customer, snap.balance, size),
        overdue=c.bin_sum(customer[overdue_rows], snap.balance[overdue_rows], size),
        open_balance=_sums(customer[owing], snap.balance[owing], size),
        open_weighted=_sums_any(
            customer[owing], _products(snap.balance[owing], snap.days_past_due[owing]), size
        ),
        credit_limit=limit,
        has_limit=has_limit,
        owing_balance=_sums(customer[positive], snap.balance[positive], size),
        written_off=_sums(
            customer[lost_inv[lost]], c.settlement_amount[window][lost].astype(np.int64), size
        ),
    )
