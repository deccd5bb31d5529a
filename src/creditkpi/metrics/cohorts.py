"""Invoice cohorts: cumulative share settled by issue month and age (SPEC §4.7).

Depends only on :mod:`creditkpi.core`.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import as_dates, check_option, safe_ratio
from creditkpi.core.engine import cumulative, settled_day
from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.ledger import CREDIT_NOTE, NO_END, PAYMENT, Ledger
from creditkpi.core.period import to_day

__all__ = ["cohorts"]

IntArray = npt.NDArray[np.int64]

#: calendar months per cohort period
_STEP = {"month": 1, "quarter": 3, "year": 12}

_EPOCH = np.datetime64("1970-01-01", "D")


def _bucket(days: IntArray, step: int) -> IntArray:
    """Period number of day numbers: months (or quarters, years) since 1970-01."""
    months = (_EPOCH + days).astype("datetime64[M]").astype(np.int64)
    return np.asarray(months // step, dtype=np.int64)


def _bucket_end(buckets: IntArray, step: int) -> IntArray:
    """Day number of the last day of each period."""
    nxt = ((buckets + 1) * step).astype("datetime64[M]").astype("datetime64[D]")
    return np.asarray((nxt - _EPOCH).astype(np.int64) - 1, dtype=np.int64)


def _label(bucket: int, step: int) -> str:
    first = int(bucket) * step
    year, month = 1970 + first // 12, first % 12 + 1
    if step == 1:
        return f"{year:04d}-{month:02d}"
    if step == 3:
        return f"{year:04d}-Q{(month - 1) // 3 + 1}"
    return f"{year:04d}"


def cohorts(
    ledger: Ledger,
    as_of: Any,
    *,
    weight: Literal["amount", "count"] = "amount",
    period: Literal["month", "quarter", "year"] = "month",
) -> pd.DataFrame:
    """Collection curves of invoice cohorts (cohortes de facturation): cohort × age table.

    A cohort is the set of invoices issued in one calendar month (or
    quarter, year). Cell ``(c, k)`` is the share of cohort ``c`` collected by
    the end of the period ``c + k``, observed as of ``as_of``.

    Parameters
    ----------
    ledger : Ledger
    as_of : date or str
        End-of-day cut-off (one date). Cohorts and settlements after it are
        ignored; an age is shown only once its period has ended on or before
        ``as_of``.
    weight : {"amount", "count"}, default "amount"
        ``"amount"``: cash and credit notes settled on the cohort's invoices,
        divided by the cohort's invoiced amount. ``"count"``: share of the
        cohort's invoices fully settled by cash and credit notes.
    period : {"month", "quarter", "year"}, default "month"
        Length of a cohort and of one age step.

    Returns
    -------
    DataFrame
        Index ``cohort``: period labels as text (``"2024-01"``, ``"2024-Q1"``,
        ``"2024"``), oldest first, one row per period with at least one
        invoice issued on or before ``as_of`` (periods without invoices are
        skipped). Columns ``age``: integers ``0, 1, 2, …`` up to the age of
        the oldest cohort at the last period ended on or before ``as_of``.
        Float fractions in ``[0, 1]`` (above 1 only for overpaid invoices),
        non-decreasing along a row; higher is better (faster collection).
        Ages not yet complete at ``as_of`` are ``NaN`` — missing, never 0 and
        never carried forward; the cohort of the period holding ``as_of`` is
        all ``NaN`` unless ``as_of`` is that period's last day. No invoice
        issued on or before ``as_of``: an empty frame.

    Raises
    ------
    InvalidOptionError
        If ``weight`` or ``period`` is not an allowed value, or ``as_of`` is
        missing or a list.
    InvalidDateError
        If ``as_of`` is not a date.

    Notes
    -----
    For cohort ``c`` (invoices ``i`` with issue date in period ``c``) and age
    ``k``, with ``E = end of period c + k <= as_of``:

    - amount-weighted: ``Σ_i (payments + credit notes of i dated <= E) / Σ_i A_i``;
    - count-weighted: ``#{i : payments + credit notes of i dated <= E >= A_i} / #{i}``.

    Write-offs are not collection: they count in neither view, so a
    written-off invoice never reaches 100 % (the loss shows as the gap). A
    settlement dated before its invoice's issue date counts from the issue
    date. Unapplied cash belongs to no invoice and no cohort. Sums are exact
    integer minor units; each ratio is the correctly rounded float.

    References
    ----------
    SPEC §4.7 (cohorts); seed 003 ("cohortes de facturation": group invoices
    by month, follow the share paid over the following months).

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-01-10", "2024-02-09", "100.00"),
    ...      ck.Invoice("F2", "C2", "2024-01-20", "2024-02-19", "300.00"),
    ...      ck.Invoice("F3", "C1", "2024-02-05", "2024-03-06", "200.00")],
    ...     [ck.Payment("F1", "2024-01-25", "100.00"),
    ...      ck.Payment("F2", "2024-02-28", "150.00"),
    ...      ck.Payment("F3", "2024-03-10", "50.00", kind="credit_note")])
    >>> ck.cohorts(ledger, "2024-03-31")
    age         0      1      2
    cohort
    2024-01  0.25  0.625  0.625
    2024-02  0.00  0.250    NaN
    >>> ck.cohorts(ledger, "2024-03-31", weight="count")
    age        0    1    2
    cohort
    2024-01  0.5  0.5  0.5
    2024-02  0.0  0.0  NaN
    """
    check_option("weight", weight, ("amount", "count"))
    check_option("period", period, tuple(_STEP))
    dates, single = as_dates(as_of)
    if not single:
        raise InvalidOptionError(
            "cohorts takes one as_of date (the table already spans every age); "
            f"got {len(dates)} dates",
            column="as_of",
        )
    step = _STEP[period]
    day = to_day(dates[0])

    issued = np.flatnonzero(ledger._cols.issue <= day)
    inv_bucket = _bucket(ledger._cols.issue[issued], step)
    cohort_buckets = np.unique(inv_bucket)
    labels = [_label(int(b), step) for b in cohort_buckets]
    now = int(_bucket(np.asarray([day], dtype=np.int64), step)[0])
    last_done = now if int(_bucket_end(np.asarray([now]), step)[0]) == day else now - 1
    n_ages = max(0, last_done - int(cohort_buckets[0]) + 1) if cohort_buckets.size else 0
    index = pd.Index(labels, name="cohort")
    columns = pd.RangeIndex(n_ages, name="age")
    n_groups = int(cohort_buckets.size)
    if n_groups == 0 or n_ages == 0:
        return pd.DataFrame(np.full((n_groups, n_ages), np.nan), index=index, columns=columns)

    # cohort code of every issued invoice (-1: not issued by as_of)
    code = np.full(ledger.n_invoices, -1, dtype=np.int64)
    code[issued] = np.searchsorted(cohort_buckets, inv_bucket)
    grid = _bucket_end(cohort_buckets[0] + np.arange(n_ages, dtype=np.int64), step)

    if weight == "amount":
        keep = (ledger._cols.settlement_invoice >= 0) & np.isin(
            ledger._cols.settlement_kind, (PAYMENT, CREDIT_NOTE)
        )
        inv = ledger._cols.settlement_invoice[keep]
        group = code[inv]
        mine = group >= 0
        inv = inv[mine]
        event_day = np.maximum(ledger._cols.settlement_date[keep][mine], ledger._cols.issue[inv])
        acc = cumulative(
            ledger,
            event_day,
            ledger._cols.settlement_amount[keep][mine],
            group[mine],
            n_groups,
            grid,
        )
        total = ledger._cols.bin_sum(code[issued], ledger._cols.amount[issued], n_groups)
    else:
        done = settled_day(ledger, (PAYMENT, CREDIT_NOTE))[issued]
        closed = done < NO_END
        ones = np.ones(int(closed.sum()), dtype=np.int64)
        acc = cumulative(ledger, done[closed], ones, code[issued][closed], n_groups, grid)
        total = np.bincount(code[issued], minlength=n_groups).astype(np.int64)

    # row c, age k reads the grid point of period (cohort c) + k
    offset = cohort_buckets - cohort_buckets[0]
    pos = offset[:, None] + np.arange(n_ages, dtype=np.int64)[None, :]
    valid = pos < n_ages
    rows = np.broadcast_to(np.arange(n_groups)[:, None], pos.shape)
    num = acc[np.where(valid, pos, 0), rows]
    den = np.broadcast_to(total[:, None], pos.shape)
    values = np.full(pos.shape, np.nan)
    values[valid] = safe_ratio(num[valid], den[valid], what="cohort collection rate")
    return pd.DataFrame(values, index=index, columns=columns)
