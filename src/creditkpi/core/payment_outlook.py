"""Per invoice: when it is expected to be paid, and how likely within a horizon.

The per-invoice reading of the collection forecast's survival kernel
(:mod:`creditkpi.core.expected_cash`): an invoice still open ``a`` days past
its due date at T, whose customer's time-to-pay curve (or its segment's, or
the whole ledger's, under a minimum history: :func:`~creditkpi.core.expected_cash.customer_curves`)
gives the cumulative incidence of payment ``P`` and the survival to any
closing ``S``, is paid by ``a + o`` days with probability

    ``(P(a + o) - P(a)) / S(a)``

(:func:`~creditkpi.core.expected_cash.conditional_shares`). Two figures a
collector reads:

* the **probability of payment within the horizon** ``H``: that share at
  ``o = H`` (cash only: a credit note or a write-off is not a payment);
* the **expected payment date**: the first day by which the invoice is more
  likely paid than not -- the conditional median, ``T + o`` for the least
  ``o >= 1`` with ``(P(a + o) - P(a)) / S(a) >= 1/2``. Undefined (``NaT``)
  when the curve never gets there: it says the invoice is as likely to stay
  open, or to be closed otherwise, as to be paid.

Everything is read from data dated on or before T, amount-weighted as the
forecast is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from creditkpi.core.expected_cash import (
    Incidence,
    conditional_shares,
    customer_curves,
    horizon_offsets,
    table_incidence,
)
from creditkpi.core.ledger import Ledger
from creditkpi.core.period import to_day

__all__ = ["NO_DATE", "PaymentOutlook", "median_offsets", "payment_outlook"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: the expected payment day of an invoice whose curve never makes payment the likelier outcome
NO_DATE = -(2**62)


@dataclass(frozen=True, slots=True)
class PaymentOutlook:
    """The outlook of some invoices at T, one value each.

    Attributes
    ----------
    expected_day : ndarray of int64
        Day number of the expected payment date (:data:`NO_DATE` when undefined).
    probability : ndarray of float64
        Probability of being paid (by cash) within the horizon, given open at T.
    level : ndarray of int64
        The curve used: the customer's own, its segment's or the ledger's
        (``CUSTOMER``, ``SEGMENT``, ``LEDGER`` of :mod:`creditkpi.core.expected_cash`).
    """

    expected_day: IntArray
    probability: FloatArray
    level: IntArray


def median_offsets(curves: Incidence, codes: IntArray, ages: IntArray) -> IntArray:
    """Days after T of the conditional median of payment, per balance (``-1``: none).

    For a balance open ``a = ages[i]`` days past the clock origin, on curve
    ``codes[i]``: the least ``o >= 1`` with ``(P(a + o) - P(a)) / S(a) >= 1/2``
    (the same conditional incidence as
    :func:`~creditkpi.core.expected_cash.conditional_shares`, within the
    curve's known days). ``-1`` when there is none, the curve is missing, or
    ``S(a) = 0``.

    Examples
    --------
    >>> from creditkpi.core.expected_cash import incidence
    >>> from creditkpi.core.survival import table_from_durations
    >>> curves = incidence(table_from_durations([1, 2, 3, 4], [True, True, True, False]))
    >>> median_offsets(curves, np.array([0, 0, 0]), np.array([0, 2, 3])).tolist()
    [2, 1, -1]
    """
    codes = np.asarray(codes, dtype=np.int64)
    ages = np.asarray(ages, dtype=np.int64)
    out = np.full(ages.size, -1, dtype=np.int64)
    if ages.size == 0 or curves.keys.size == 0:
        return out
    size = curves.segment_of.size
    inside = (codes >= 0) & (codes < size)
    seg = np.where(inside, curves.segment_of[np.clip(codes, 0, max(size - 1, 0))], -1)
    has = np.flatnonzero(seg >= 0)
    if has.size == 0:
        return out
    seg_h, age_h = seg[has], ages[has]
    span, low = curves.span, curves.low
    first = curves.first[seg_h]
    target = seg_h * span + np.clip(age_h - low, -1, span - 2)
    row_a = np.searchsorted(curves.keys, target, side="right") - 1
    known = row_a >= first
    ref = np.where(known, row_a, first)
    s_a = np.where(known, curves.survival[ref], 1.0)
    p_a = np.where(known, curves.paid[ref], 0.0)
    cap = curves.epoch_last[ref]
    start = np.where(known, row_a + 1, first)  # the first row after day a
    threshold = p_a + 0.5 * s_a
    # paid is a cumulative sum within an epoch, epochs follow each other: one sorted key
    n_rows = curves.keys.size
    epoch = np.zeros(n_rows, dtype=np.int64)
    if n_rows > 1:
        epoch[1:] = np.cumsum(curves.epoch_last[1:] != curves.epoch_last[:-1])
    key = 2.0 * epoch + curves.paid
    row = np.searchsorted(key, 2.0 * epoch[ref] + threshold, side="left")
    row = np.maximum(row, start)
    # one exact step against rounding of the sorted key, either way
    inside_epoch = row <= cap
    at = np.clip(row, 0, n_rows - 1)
    short = inside_epoch & (curves.paid[at] < threshold)
    row = np.where(short, row + 1, row)
    prev = np.clip(row - 1, 0, n_rows - 1)
    early = (row - 1 >= start) & (curves.paid[prev] >= threshold)
    row = np.where(early, row - 1, row)
    ok = (s_a > 0) & (row <= cap) & (row < n_rows)
    at = np.clip(row, 0, n_rows - 1)
    day = curves.keys[at] - seg_h * span + low
    offset = day - age_h
    ok &= (offset >= 1) & (curves.paid[at] >= threshold)
    out[has[ok]] = offset[ok]
    return out


def payment_outlook(
    ledger: Ledger,
    as_of: date,
    invoices: IntArray,
    *,
    horizon: str | int = "13W",
    min_history: int = 20,
    fallback: str = "all",
) -> PaymentOutlook:
    """The expected payment date and the probability within ``horizon`` of ``invoices``.

    ``invoices`` are positions of invoices open at ``as_of`` with a positive
    balance. Each uses the curve the collection forecast gives it (its
    customer's own with ``min_history`` invoices settled by cash, else its
    segment's with ``fallback``, else the whole ledger's), on the due-date
    clock.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice(f"P{k}", "C1", "2024-01-01", "2024-01-31", "100") for k in range(4)]
    ...     + [ck.Invoice("OPEN", "C1", "2024-05-01", "2024-05-31", "100")],
    ...     [ck.Payment(f"P{k}", f"2024-02-{10 * k + 5:02d}", "100") for k in range(3)])
    >>> outlook = payment_outlook(ledger, date(2024, 5, 31), np.array([4]), min_history=1)
    >>> outlook.expected_day.tolist() == [to_day(date(2024, 6, 15))], outlook.probability.round(2).tolist()
    (True, [0.75])
    """
    invoices = np.asarray(invoices, dtype=np.int64)
    level, curve, tables = customer_curves(
        ledger, as_of, min_history=min_history, fallback=fallback
    )
    day = to_day(as_of)
    n = invoices.size
    expected = np.full(n, NO_DATE, dtype=np.int64)
    probability = np.full(n, np.nan, dtype=np.float64)
    ages = day - ledger._cols.due[invoices]
    end = int(horizon_offsets(as_of, horizon, horizon)[-1])
    mine_level = level[invoices]
    for lvl in np.unique(mine_level).tolist():
        rows = np.flatnonzero(mine_level == lvl)
        curves = table_incidence(tables[lvl][1])
        codes = curve[invoices[rows]]
        paid, _ = conditional_shares(curves, codes, ages[rows], np.asarray([0, end]))
        probability[rows] = paid[:, 1]
        offsets = median_offsets(curves, codes, ages[rows])
        expected[rows] = np.where(offsets >= 1, day + offsets, NO_DATE)
    return PaymentOutlook(expected, probability, mine_level)
