"""The countback DSO's history: the calendar months of sales walked back from a date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from creditkpi.core.engine import flows
from creditkpi.core.groups import Groups
from creditkpi.core.ledger import Ledger
from creditkpi.core.period import Period, from_day, month_end

__all__ = ["countback_months", "month_windows"]

IntArray = npt.NDArray[np.int64]


def month_windows(first_day: int | None, end: date, max_months: int | None = None) -> list[Period]:
    """The calendar months walked back by the countback at ``end``, newest first.

    The month holding ``end`` counts from its first day to ``end``; the walk
    goes back to the month of ``first_day`` (the ledger's first event) or at
    most ``max_months`` months.

    Examples
    --------
    >>> from creditkpi.core.period import to_day
    >>> [str(p) for p in month_windows(to_day(date(2024, 2, 10)), date(2024, 4, 15))]
    ['2024-04-01..2024-04-15', '2024-03', '2024-02']
    """
    if first_day is None:
        return []
    first = from_day(first_day).replace(day=1)
    month = end.replace(day=1)
    out: list[Period] = []
    while month >= first and (max_months is None or len(out) < max_months):
        out.append(Period(month, min(month_end(month), end)))
        if month == date.min:  # January of year 1: no month before it
            break
        month = (month - timedelta(days=1)).replace(day=1)
    return out


def countback_months(
    ledger: Ledger,
    ends: Sequence[date],
    groups: Groups,
    *,
    max_months: int | None = None,
) -> list[list[tuple[IntArray, int]]]:
    """Per end date, the months walked back by the countback: ``[(sales per group, days), ...]``.

    Newest first (see :func:`month_windows`); all the windows' sales come
    from one :func:`~creditkpi.core.engine.flows` call.
    """
    first = ledger._cols.first_day
    walks = [month_windows(first, end, max_months) for end in ends]
    unique = sorted({w for walk in walks for w in walk})
    if not unique:
        return [[] for _ in ends]
    by = None if groups.name == "all" else groups.name
    flat = flows(ledger, unique, by=by)["sales"].to_numpy(dtype=np.int64)
    sales = flat.reshape(len(unique), groups.size)
    row = {w: k for k, w in enumerate(unique)}
    return [[(sales[row[w]], w.days) for w in walk] for walk in walks]
