"""Many dates, per group: cumulative sums of dated events over a grid of days.

Balances and buckets are piecewise constant between events (issue,
settlement, bucket-edge crossing), so each quantity at many dates is a
cumulative sum of events over the requested dates: the cost does not grow
with the number of dates beyond one lookup per event.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from creditkpi.core.groups import Groups
from creditkpi.core.ledger import NO_END, Ledger
from creditkpi.core.period import as_date, to_day

__all__ = [
    "cumulative",
    "date_bin",
    "day_grid",
    "grid_bins",
    "interval_balance",
    "unapplied_balance",
]

IntArray = npt.NDArray[np.int64]


def day_grid(dates: Sequence[date | str] | Sequence[int]) -> IntArray:
    days = [d if isinstance(d, (int, np.integer)) else to_day(as_date(d)) for d in dates]
    return np.asarray(days, dtype=np.int64)


def date_bin(sorted_days: IntArray, event_day: IntArray) -> IntArray:
    """Index of the first of ``sorted_days`` on or after each event (``len`` if none)."""
    if sorted_days.size == 0:
        return np.zeros(event_day.shape, dtype=np.int64)
    return grid_bins(sorted_days)(event_day)


def grid_bins(sorted_days: IntArray) -> Callable[[IntArray], IntArray]:
    """``f(day)``: index of the first of ``sorted_days`` on or after ``day``.

    One lookup table over the grid's span (searchsorted beyond); days after
    the last grid day map to ``len(sorted_days)``.
    """
    first, last = int(sorted_days[0]), int(sorted_days[-1])
    span = last - first
    if span > 200_000:
        return lambda day: np.searchsorted(sorted_days, day, side="left").astype(np.int64)
    table = np.searchsorted(sorted_days, np.arange(first, last + 2), side="left").astype(np.int64)
    # table[span + 1] == len(sorted_days): days after the last grid day fall out

    def lookup(day: IntArray) -> IntArray:
        return table.take(day - first, mode="clip")

    return lookup


def cumulative(
    ledger: Ledger,
    event_day: IntArray,
    weight: npt.NDArray[Any] | None,
    group: IntArray,
    n_groups: int,
    days: IntArray,
) -> IntArray:
    """``out[j, g] = Σ weight`` over events of group ``g`` dated ``<= days[j]``.

    ``weight=None`` counts the events; float64 weights (the ledger's
    :attr:`~Ledger.float_view`) are taken as they are. ``days`` may be in any
    order; the cost is one lookup per event plus one ``bincount`` (events after
    the last day fall in a spare row), whatever the number of days.
    """
    order = np.argsort(days, kind="stable")
    sorted_days = days[order]
    k = date_bin(sorted_days, event_day)
    bins = k if n_groups == 1 else k * n_groups + group
    size = (sorted_days.size + 1) * n_groups
    if weight is None:
        flat = np.bincount(bins, minlength=size)
    else:
        flat = ledger._cols.bin_sum(bins, weight, size)
    acc = np.cumsum(flat[: sorted_days.size * n_groups].reshape(sorted_days.size, n_groups), axis=0)
    out = np.empty_like(acc)
    out[order] = acc
    return out


def interval_balance(
    ledger: Ledger, start: IntArray, end: IntArray | None, days: IntArray, groups: Groups
) -> IntArray:
    """``out[j, g] = Σ B_i(T_j)`` over invoices of group g with ``start_i <= T_j < end_i``.

    ``start`` is raised to the issue date (a balance exists only once issued);
    ``end=None`` means no end. Each invoice contributes ``+A_i`` at its start
    and ``-A_i`` at its end; each settlement ``-amount`` at ``max(start, date)``
    and ``+amount`` at ``max(end, date)``.
    """
    a = np.maximum(start, ledger._cols.issue)
    applied = ledger._cols.settlement_invoice >= 0
    inv = ledger._cols.settlement_invoice[applied]
    sday = ledger._cols.settlement_date[applied]
    samt = ledger._cols.settlement_amount[applied]
    ginv = groups.invoice
    parts_day = [a, np.maximum(a[inv], sday)]
    parts_w = [ledger._cols.amount, -samt]
    parts_g = [ginv, ginv[inv]]
    if end is not None:
        b = np.maximum(end, a)
        finite = b < NO_END
        sfin = finite[inv]
        parts_day += [b[finite], np.maximum(b[inv][sfin], sday[sfin])]
        parts_w += [-ledger._cols.amount[finite], samt[sfin]]
        parts_g += [ginv[finite], ginv[inv][sfin]]
    return cumulative(
        ledger,
        np.concatenate(parts_day),
        np.concatenate(parts_w),
        np.concatenate(parts_g),
        groups.size,
        days,
    )


def unapplied_balance(ledger: Ledger, days: IntArray, groups: Groups) -> IntArray:
    """``out[j, g]``: unapplied cash held at the end of ``days[j]``, per group.

    Cash received on or before the day and applied to no invoice, plus the
    credits posted on or before it that settle their invoice only later
    (application dates: :attr:`~creditkpi.core.ledger.Columns.settlement_posted`).
    """
    c = ledger._cols
    un = c.settlement_invoice < 0
    when, weight, group = c.settlement_date[un], c.settlement_amount[un], groups.settlement[un]
    if c.settlement_posted is not None:
        waiting = np.flatnonzero(~un & (c.settlement_posted < c.settlement_date))
        amount = c.settlement_amount[waiting]
        when = np.concatenate([when, c.settlement_posted[waiting], c.settlement_date[waiting]])
        weight = np.concatenate([weight, amount, -amount])
        group = np.concatenate([group, groups.settlement[waiting], groups.settlement[waiting]])
    return cumulative(ledger, when, weight, group, groups.size, days)
