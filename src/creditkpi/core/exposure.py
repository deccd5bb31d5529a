"""Credit-loss exposure per aging bucket, from the ledger's own payment history.

The additive building blocks of expected-credit-loss rates (IFRS 9 provision
matrix, see the *Expected credit loss (provision matrix)* page of the documentation):

* :func:`loss_exposure` -- for the invoices whose history is observed at an
  as-of date, per group, **cohort** (month of the due date) and aging bucket:
  the amount that *entered* the bucket, the part of it that was *lost*, and
  what the roll-rate method needs (the amount reaching the next bucket);
* :func:`carrying_amounts` -- the gross carrying amount per bucket at the
  as-of date (positive balances only) with the doubtful invoices that carry
  their own provision on a line of their own.

Both return int64 minor units and counts, and both are **additive**: two
ledgers with disjoint customers give frames that add up (row by row, after
aligning their index) to the frame of their union.

Definitions, for invoice ``i`` with amount ``A_i``, issue date ``I_i`` and due
date ``D_i``, aging buckets with lower bounds ``t_1 = 1, t_2, ...`` days past
due (``(30, 60, 90)`` gives ``not due, 1-30, 31-60, 61-90, 91+`` with
``t = 1, 31, 61, 91``) and ``h = default_after``:

* the first day of bucket ``k`` is ``f_0 = I_i`` (``not due``) and
  ``f_k = D_i + t_k``; the **default day** is ``H_i = D_i + h``;
* ``entered_k = max(0, B_i(f_k))``, the balance at the end of the bucket's
  first day (settlements of every kind dated on or before it are off);
* ``loss_k = A_i - P_i(H_i) - W_i(f_k)``, clamped to ``[0, entered_k]``:
  what payments and credit notes (``P``) had not settled by the default day,
  less the write-offs (``W``) already off the balance when the invoice
  entered bucket ``k`` (a write-off is a loss of the buckets the written-off
  amount was in, not of later ones);
* an invoice is **taken** (cohort method) when ``H_i <= T``, and is
  **observed through the transition** from bucket ``k`` to ``k + 1`` when
  ``f_{k+1} <= T``; with a ``lookback`` of ``L`` days, the day completing
  the observation (``H_i``, or ``f_{k+1}``) must also be after ``T - L``.

Only settlements dated on or before ``H_i`` (or ``f_{k+1}``) enter the sums,
so everything is as of ``T``: events dated after it change nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.engine import balances, bucket_index, bucket_labels, doubtful_at
from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.groups import By, group_codes
from creditkpi.core.ledger import WRITE_OFF, Ledger
from creditkpi.core.period import as_date, to_day

__all__ = [
    "CARRYING_COLUMNS",
    "DOUBTFUL",
    "EXPOSURE_COLUMNS",
    "bucket_starts",
    "carrying_amounts",
    "check_default_after",
    "check_lookback",
    "loss_exposure",
]

IntArray = npt.NDArray[np.int64]

#: the int64 columns of :func:`loss_exposure`
EXPOSURE_COLUMNS = ("entered", "loss", "invoices", "roll_entered", "rolled", "roll_invoices")

#: the int64 columns of :func:`carrying_amounts`
CARRYING_COLUMNS = ("gross", "provision", "invoices")

#: the row of :func:`carrying_amounts` holding doubtful invoices with their own provision
DOUBTFUL = "doubtful"


def bucket_starts(edges: Sequence[int]) -> list[int]:
    """Days past due on which buckets ``1, 2, ...`` start: ``[1, e_1 + 1, e_2 + 1, ...]``.

    Bucket 0 (``not due``) starts on the issue date.

    Examples
    --------
    >>> bucket_starts((30, 60, 90))
    [1, 31, 61, 91]
    """
    bucket_labels(edges)  # validates the edges
    return [1, *(int(e) + 1 for e in edges)]


def check_default_after(default_after: Any, edges: Sequence[int]) -> int:
    """Validate ``default_after``: whole days, on or after the oldest bucket's first day.

    Raises
    ------
    InvalidOptionError
        Not a whole number of days, or before the oldest bucket starts (the
        default must come after an invoice has entered every bucket).
    """
    starts = bucket_starts(edges)
    ok = isinstance(default_after, (int, np.integer)) and not isinstance(default_after, bool)
    if not ok or int(default_after) < starts[-1]:
        raise InvalidOptionError(
            f"default_after must be a whole number of days past due >= {starts[-1]} "
            f"(the first day of the oldest bucket, {bucket_labels(edges)[-1]!r}), "
            f"got {default_after!r}",
            column="default_after",
        )
    return int(default_after)


def check_lookback(lookback: Any) -> int | None:
    """Validate ``lookback``: ``None`` or a whole number of days >= 1."""
    if lookback is None:
        return None
    ok = isinstance(lookback, (int, np.integer)) and not isinstance(lookback, bool)
    if not ok or int(lookback) < 1:
        raise InvalidOptionError(
            f"lookback must be None or a whole number of days >= 1, got {lookback!r}",
            column="lookback",
        )
    return int(lookback)


def _months(codes: IntArray) -> pd.PeriodIndex:
    """Monthly periods from month codes (months since 1970-01)."""
    return pd.PeriodIndex(codes.astype("datetime64[M]"), freq="M")


def _month_codes(days: IntArray) -> IntArray:
    """Month code (months since 1970-01) of each day number, through a table over the span."""
    lo, hi = int(days.min()), int(days.max())
    if hi - lo > 200_000:
        return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    table = np.arange(lo, hi + 1).astype("datetime64[D]").astype("datetime64[M]")
    return table.astype(np.int64)[days - lo]


def _dense_codes(key: IntArray, space: int) -> tuple[IntArray, IntArray]:
    """Codes ``0..k-1`` of the distinct ``key`` values (in increasing order), and for
    each code the position of one element holding it.

    Keys lie in ``[0, space)``: a presence table when it is small, else a sort.
    """
    if space <= 4 * key.size + 4096:
        used = np.zeros(space, dtype=bool)
        used[key] = True
        rank = np.cumsum(used, dtype=np.int64) - 1
        codes = rank[key]
        one = np.empty(int(rank[-1]) + 1, dtype=np.int64)
        one[codes] = np.arange(key.size, dtype=np.int64)
        return codes, one
    _, one, codes = np.unique(key, return_index=True, return_inverse=True)
    return codes.astype(np.int64).reshape(-1), one.astype(np.int64)


def _empty_exposure(index_names: list[str]) -> pd.DataFrame:
    index = pd.MultiIndex.from_arrays(
        [
            pd.Index([], dtype=object),
            _months(np.zeros(0, dtype=np.int64)),
            pd.Index([], dtype=object),
        ],
        names=index_names,
    )
    return pd.DataFrame({c: np.zeros(0, dtype=np.int64) for c in EXPOSURE_COLUMNS}, index=index)


def loss_exposure(
    ledger: Ledger,
    as_of: date | str,
    *,
    edges: Sequence[int] = (30, 60, 90),
    default_after: int = 365,
    lookback: int | None = None,
    by: By = None,
) -> pd.DataFrame:
    """Exposure entering each aging bucket and its loss, per group and cohort (additive).

    Parameters
    ----------
    ledger : Ledger
    as_of : date or str
        End-of-day cut-off.
    edges : sequence of int, default (30, 60, 90)
        Bucket upper bounds in days past due (as :func:`~creditkpi.aging`).
    default_after : int, default 365
        Days past due after which what is still unpaid counts as lost.
    lookback : int, optional
        Only observations completed in the last ``lookback`` days.
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute.

    Returns
    -------
    DataFrame
        Indexed by ``(group, cohort, bucket)`` -- the group label, the month of
        the due date (``Period[M]``) and the bucket label, one row per bucket
        for every (group, cohort) holding an invoice observed at ``as_of`` --
        with int64 columns (money in minor units):

        ``entered``, ``loss``, ``invoices``
            Over the invoices taken (``D_i + default_after <= T``): the sum
            of ``entered_k``, of ``loss_k``, and the number of invoices
            entering the bucket with a positive balance.
        ``roll_entered``, ``rolled``, ``roll_invoices``
            Over the invoices observed through the transition to the next
            bucket (``f_{k+1} <= T``): the sum of ``entered_k``, of
            ``entered_{k+1}`` (what rolled on), and the count as above. For
            the oldest bucket the transition is to default: the invoices
            taken, their ``entered_k`` and ``loss_k``.

    Raises
    ------
    InvalidOptionError
        Bad ``edges``, ``default_after``, ``lookback`` or ``by``.

    Notes
    -----
    See the module docstring for the definitions. Vectorised: invoices
    falling in the same (group, cohort, set of observations) are summed
    together before any per-bucket arithmetic (overpaid invoices alone, so
    that each one's balance is clamped at 0 on its own). Settlements are
    placed in the bucket whose first day they precede with one
    ``searchsorted`` on their days past due.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2023-01-01", "2023-01-31", "100.00")],
    ...     [ck.Payment("F1", "2023-02-15", "60.00")])
    >>> parts = loss_exposure(ledger, "2024-06-30")
    >>> parts.loc[("all", "2023-01"), ["entered", "loss"]]
             entered  loss
    bucket
    not due    10000  4000
    1-30       10000  4000
    31-60       4000  4000
    61-90       4000  4000
    91+         4000  4000
    """
    c = ledger._cols
    labels = bucket_labels(edges)
    starts = bucket_starts(edges)
    horizon = check_default_after(default_after, edges)
    window = check_lookback(lookback)
    groups = group_codes(ledger, by)
    day = to_day(as_date(as_of))
    nb = len(labels)
    names = ["group", "cohort", "bucket"]
    n = ledger.n_invoices
    if n == 0:
        return _empty_exposure(names)

    # observation sets, one bit each: bit j < nb - 1 = the transition from
    # bucket j to j + 1 (completed on D + starts[j]); bit nb - 1 = taken
    # (completed on the default day D + default_after)
    completes = [*starts, horizon]
    member = np.zeros(n, dtype=np.int64)
    for bit, offset in enumerate(completes):
        done = c.due + offset
        seen = done <= day
        if window is not None:
            seen &= done > day - window
        member |= seen.astype(np.int64) << bit
    idx = np.flatnonzero(member)
    if idx.size == 0:
        return _empty_exposure(names)

    due = c.due[idx]
    month = _month_codes(due)
    m0 = int(month.min())
    n_months = int(month.max()) - m0 + 1
    g = groups.invoice[idx]
    # strata: invoices of one (group, cohort, observation bits) are summed
    # together; an overpaid invoice is a stratum of its own (its balance is
    # clamped at 0 alone)
    key = ((g * n_months + (month - m0)) << nb) | member[idx]
    space = (groups.size * n_months) << nb
    overpaid = np.flatnonzero(c.settled[idx] > c.amount[idx])
    key[overpaid] = space + np.arange(overpaid.size, dtype=np.int64)
    stratum, first = _dense_codes(key, space + overpaid.size)
    n_strata = int(first.size)
    bits = member[idx][first]
    sums = c.bin_sum

    amount = sums(stratum, c.amount[idx], n_strata)

    # settlements: slot = the first bucket whose first day is on or after the
    # settlement's date (0 = on or before the issue), nb = by the default
    # day, nb + 1 = after it; kind class 0 = payments and credit notes, 1 = write-offs
    of_invoice = np.full(n + 1, -1, dtype=np.int64)  # spare slot n: unapplied cash
    of_invoice[idx] = stratum
    s_stratum = of_invoice[c.settlement_invoice]
    keep = np.flatnonzero(s_stratum >= 0)
    bounds = np.asarray(completes, dtype=np.int64)
    slot = 1 + np.searchsorted(bounds, c.settlement_days_past_due[keep], side="left")
    slot[c.settlement_age_days[keep] <= 0] = 0
    wo = (c.settlement_kind[keep] == WRITE_OFF).astype(np.int64)
    width = nb + 2
    bins = (s_stratum[keep] * 2 + wo) * width + slot
    settled = sums(bins, c.settlement_amount[keep], n_strata * 2 * width)
    settled = np.cumsum(settled.reshape(n_strata, 2, width), axis=2)
    cash, written = settled[:, 0, :], settled[:, 1, :]

    entered = amount[:, None] - cash[:, :nb] - written[:, :nb]
    np.maximum(entered, 0, out=entered)
    loss = amount[:, None] - cash[:, nb : nb + 1] - written[:, :nb]
    loss = np.clip(loss, 0, entered)

    # invoices entering bucket k with a positive balance: closed after f_k
    closed = c.closing_days[0][idx]
    reach = np.searchsorted(np.asarray(starts, dtype=np.int64), closed - due, side="left")
    reach += c.issue[idx] < closed  # buckets entered (their first days precede the closing)
    counts = np.bincount(stratum * (nb + 1) + reach, minlength=n_strata * (nb + 1))
    counts = counts.reshape(n_strata, nb + 1)
    counts = np.cumsum(counts[:, ::-1], axis=1)[:, ::-1][:, 1:]  # invoices with reach > k

    # cells (group, cohort): sum the strata of each observation set
    cell_key = g[first] * n_months + (month[first] - m0)
    cell, cell_first = _dense_codes(cell_key, groups.size * n_months)
    n_cells = int(cell_first.size)
    taken = ((bits >> (nb - 1)) & 1).astype(bool)

    def per_cell(values: IntArray, mask: npt.NDArray[np.bool_]) -> IntArray:
        """Sums of the rows of ``values`` (strata x columns) over the strata in ``mask``."""
        width = values.shape[1]
        flat = cell[mask][:, None] * width + np.arange(width, dtype=np.int64)
        return sums(flat.reshape(-1), values[mask].reshape(-1), n_cells * width).reshape(
            n_cells, width
        )

    columns: dict[str, IntArray] = {
        "entered": per_cell(entered, taken),
        "loss": per_cell(loss, taken),
        "invoices": per_cell(counts, taken),
    }
    roll_entered = np.zeros((n_cells, nb), dtype=np.int64)
    rolled = np.zeros((n_cells, nb), dtype=np.int64)
    roll_invoices = np.zeros((n_cells, nb), dtype=np.int64)
    for k in range(nb - 1):
        seen = ((bits >> k) & 1).astype(bool)
        pair = per_cell(np.column_stack([entered[:, k], entered[:, k + 1], counts[:, k]]), seen)
        roll_entered[:, k], rolled[:, k], roll_invoices[:, k] = pair.T
    roll_entered[:, -1] = columns["entered"][:, -1]
    rolled[:, -1] = columns["loss"][:, -1]
    roll_invoices[:, -1] = columns["invoices"][:, -1]
    columns.update(roll_entered=roll_entered, rolled=rolled, roll_invoices=roll_invoices)

    # the index from codes (no label is repeated as an object per row)
    cell_key = cell_key[cell_first]
    group_code, month_code = np.divmod(cell_key, n_months)
    levels: list[Any] = [groups.labels, _months(np.arange(m0, m0 + n_months)), pd.Index(labels)]
    codes: list[Any] = [
        np.repeat(group_code, nb),
        np.repeat(month_code, nb),
        np.tile(np.arange(nb), n_cells),
    ]
    index = pd.MultiIndex(levels=levels, codes=codes, names=names)
    return pd.DataFrame({k: v.reshape(-1) for k, v in columns.items()}, index=index)


def _provisioned(ledger: Ledger, day: int) -> tuple[npt.NDArray[np.bool_], IntArray]:
    """Invoices classified doubtful on or before ``day`` with a provision amount, and it."""
    c = ledger._cols
    carries = (c.doubtful_date <= day) & (c.doubtful_provision >= 0)
    flag = np.zeros(ledger.n_invoices, dtype=bool)
    flag[c.doubtful_invoice[carries]] = True
    _, provision = doubtful_at(ledger, day)
    return flag, provision


def carrying_amounts(
    ledger: Ledger,
    as_of: date | str,
    *,
    edges: Sequence[int] = (30, 60, 90),
    exclude_doubtful: bool = True,
    by: By = None,
) -> pd.DataFrame:
    """Gross carrying amount per aging bucket at ``as_of`` (additive), doubtful apart.

    Parameters
    ----------
    ledger : Ledger
    as_of : date or str
        End-of-day cut-off.
    edges : sequence of int, default (30, 60, 90)
        Bucket upper bounds in days past due.
    exclude_doubtful : bool, default True
        Put the invoices classified doubtful with their own provision on
        the ``"doubtful"`` row instead of their bucket.
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute.

    Returns
    -------
    DataFrame
        Indexed by ``(group, bucket)``, rows = the bucket labels then
        ``"doubtful"`` (zeros when ``exclude_doubtful=False``); int64 columns
        ``gross`` (sum of the positive balances ``B_i(T)``: credit balances
        and unapplied cash are not part of it), ``provision`` (the doubtful
        invoices' own provisions, on the doubtful row) and ``invoices``
        (count of invoices with a positive balance).

    Notes
    -----
    A doubtful invoice's provision is that of its latest classification
    dated on or before ``T`` carrying one; an invoice classified without a
    provision amount stays in its bucket (the matrix provides for it).

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-01-01", "2024-01-31", "100.00"),
    ...      ck.Invoice("F2", "C1", "2024-03-01", "2024-03-31", "50.00")],
    ...     doubtful=[ck.Doubtful("F1", "2024-03-01", provision="80.00")])
    >>> carrying_amounts(ledger, "2024-03-15").loc["all"].loc[["not due", "doubtful"]]
              gross  provision  invoices
    bucket
    not due    5000          0         1
    doubtful  10000       8000         1
    """
    if not isinstance(exclude_doubtful, (bool, np.bool_)):
        raise InvalidOptionError(
            f"exclude_doubtful must be True or False, got {exclude_doubtful!r}",
            column="exclude_doubtful",
        )
    labels = [*bucket_labels(edges), DOUBTFUL]
    nr = len(labels)
    groups = group_codes(ledger, by)
    snap = balances(ledger, as_of)
    row = bucket_index(snap, edges)
    positive = snap.issued & (snap.balance > 0)
    provision = np.zeros(ledger.n_invoices, dtype=np.int64)
    if exclude_doubtful:
        special, provision = _provisioned(ledger, snap.day)
        row = np.where(special, nr - 1, row)
    live = np.flatnonzero(positive)
    cell = groups.invoice[live] * nr + row[live]
    size = groups.size * nr
    sums = ledger._cols.bin_sum
    data = {
        "gross": sums(cell, snap.balance[live], size),
        "provision": sums(cell, provision[live], size),
        "invoices": np.bincount(cell, minlength=size).astype(np.int64),
    }
    index = pd.MultiIndex.from_product([groups.labels, labels], names=["group", "bucket"])
    return pd.DataFrame(data, index=index)
