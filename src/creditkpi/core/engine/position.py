"""Receivables, overdue and aging buckets per date and group, at one date or many.

:func:`position` returns an **additive summary**: two ledgers with disjoint
customers give frames that add up to the frame of their union, which is what
lets the same kernel run per partition under Dask or Spark.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.engine.grid import day_grid, grid_bins, unapplied_balance
from creditkpi.core.engine.snapshot import Snapshot, balances
from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.groups import By, Groups, group_codes
from creditkpi.core.ledger import NO_END, Ledger
from creditkpi.core.period import from_day

__all__ = ["Basis", "bucket_index", "bucket_labels", "check_edges", "position"]

IntArray = npt.NDArray[np.int64]
Basis = Literal["due", "issue"]


def bucket_labels(edges: Sequence[int] = (30, 60, 90), basis: Basis = "due") -> list[str]:
    """Bucket names for ``edges``: ``not due, 1-30, 31-60, 61-90, 91+`` by default.

    On the issue-date basis the first bucket is ``0-30`` (days since issue).

    Examples
    --------
    >>> bucket_labels((30, 60))
    ['not due', '1-30', '31-60', '61+']
    >>> bucket_labels((30, 60), basis="issue")
    ['0-30', '31-60', '61+']
    """
    check_edges(edges, basis)
    bounds = [int(e) for e in edges]
    labels = ["not due"] if basis == "due" else []
    lo = 1 if basis == "due" else 0
    for e in bounds:
        labels.append(f"{lo}-{e}")
        lo = e + 1
    labels.append(f"{lo}+")
    return labels


def _thresholds(edges: Sequence[int], basis: Basis) -> list[int]:
    """Lower age bound of every bucket after the first."""
    first = [1] if basis == "due" else []
    return first + [int(e) + 1 for e in edges]


def check_edges(buckets: Any, basis: str = "due") -> tuple[int, ...]:
    """Validate aging bucket edges (increasing positive whole days) and ``basis``: the edges.

    The one check of every ``buckets=`` argument.

    Examples
    --------
    >>> check_edges([30, 60])
    (30, 60)
    >>> check_edges("30")
    Traceback (most recent call last):
    ...
    creditkpi.core.errors.InvalidOptionError: invalid-option: buckets must be a list of increasing positive whole days, got '30' in argument 'buckets'
    """
    if basis not in ("due", "issue"):
        raise InvalidOptionError(f"basis must be 'due' or 'issue', got {basis!r}", column="basis")
    if isinstance(buckets, (str, bytes, int, float)):
        raise InvalidOptionError(
            f"buckets must be a list of increasing positive whole days, got {buckets!r}",
            column="buckets",
        )
    try:
        values = list(buckets)
    except TypeError:
        raise InvalidOptionError(
            f"buckets must be a list of increasing positive whole days, got {buckets!r}",
            column="buckets",
        ) from None
    ok = all(isinstance(e, (int, np.integer)) and not isinstance(e, bool) for e in values)
    if not ok or not values or values[0] < 1 or any(b <= a for a, b in itertools.pairwise(values)):
        raise InvalidOptionError(
            f"buckets must be increasing positive whole days, got {tuple(values)!r}",
            column="buckets",
        )
    return tuple(int(e) for e in values)


def position(
    ledger: Ledger,
    dates: Sequence[date | str] | date | str,
    *,
    edges: Sequence[int] = (30, 60, 90),
    basis: Basis = "due",
    by: By = None,
    method: Literal["auto", "snapshot", "sweep"] = "auto",
    bucket_counts: bool = False,
) -> pd.DataFrame:
    """Receivables, overdue and aging buckets per date and group (additive summary).

    Parameters
    ----------
    ledger : Ledger
    dates : date, str or sequence of them
        As-of dates (end of day).
    edges : sequence of int, default (30, 60, 90)
        Bucket upper bounds in days.
    basis : {"due", "issue"}, default "due"
        Age from the due date (days past due) or from the issue date.
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute.
    method : {"auto", "snapshot", "sweep"}
        ``snapshot`` recomputes every balance per date; ``sweep`` accumulates
        events once for all dates; ``auto`` picks sweep beyond two dates.
        Both give identical results.
    bucket_counts : bool, default False
        Also count the open invoices of each bucket (columns ``"<bucket>
        invoices"``), in the same pass over the balances (this takes the
        snapshot method).

    Returns
    -------
    DataFrame
        Indexed by ``(as_of, group)``; int64 minor-unit columns
        ``receivables``, ``overdue``, one per bucket (summing exactly to
        ``receivables``), ``open_invoices`` (count of issued invoices with a
        non-zero balance) and ``unapplied`` (unapplied cash
        held, not part of receivables).

    Examples
    --------
    >>> import creditkpi as ck
    >>> from creditkpi.core.engine import position
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-01-01", "2024-01-31", "100.00"),
    ...      ck.Invoice("F2", "C1", "2024-03-01", "2024-03-31", "50.00")])
    >>> position(ledger, "2024-03-15").loc[:, ["receivables", "not due", "31-60"]]
                       receivables  not due  31-60
    as_of      group
    2024-03-15 all           15000     5000  10000
    """
    many = isinstance(dates, (list, tuple, np.ndarray, pd.Index, pd.Series))
    days = day_grid(list(dates) if many else [dates])  # type: ignore[arg-type]
    groups = group_codes(ledger, by)
    labels = bucket_labels(edges, basis)
    if method not in ("auto", "snapshot", "sweep"):
        raise InvalidOptionError(f"method must be auto, snapshot or sweep, got {method!r}")
    use_sweep = not bucket_counts and (method == "sweep" or (method == "auto" and days.size > 2))
    if use_sweep:
        data = _position_sweep(ledger, days, edges, basis, groups, labels)
    else:
        data = _position_snapshot(ledger, days, edges, basis, groups, labels)
    data["unapplied"] = unapplied_balance(ledger, days, groups)
    index = pd.MultiIndex.from_product(
        # second resolution, as args.date_index: years 1 to 9999 under pandas 2.2 too
        [
            pd.DatetimeIndex(days.astype("datetime64[D]").astype("datetime64[s]"), name="as_of"),
            groups.labels,
        ],
        names=["as_of", "group"],
    )
    columns = ["receivables", "overdue", *labels, "open_invoices", "unapplied"]
    if bucket_counts:
        columns += [f"{label} invoices" for label in labels]
    return pd.DataFrame({c: data[c].reshape(-1) for c in columns}, index=index)


def _position_snapshot(
    ledger: Ledger,
    days: IntArray,
    edges: Sequence[int],
    basis: Basis,
    groups: Groups,
    labels: list[str],
) -> dict[str, IntArray]:
    k, g, nb = days.size, groups.size, len(labels)
    buckets = np.zeros((k, g, nb), dtype=np.int64)
    overdue = np.zeros((k, g), dtype=np.int64)
    count = np.zeros((k, g), dtype=np.int64)
    open_by_bucket = np.zeros((k, g, nb), dtype=np.int64)
    if ledger._cols.exact_float:
        # float64 fast path: every partial sum is an integer below 2**53, so exact
        amount_f, s_amount_f, s_bin = ledger._cols.float_view
        n = ledger.n_invoices
        thresholds = np.asarray(_thresholds(edges, basis), dtype=np.int64)
        for j, day in enumerate(days):
            hi = int(np.searchsorted(ledger._cols.settlement_date, day, side="right"))
            paid = np.bincount(s_bin[:hi], weights=s_amount_f[:hi], minlength=n + 1)[:n]
            # not yet issued: balance 0, so it adds nothing to any sum below
            bal = np.where(ledger._cols.issue <= day, amount_f - paid, 0.0)
            dpd = day - ledger._cols.due
            b = np.searchsorted(
                thresholds, dpd if basis == "due" else day - ledger._cols.issue, "right"
            )
            codes = b if g == 1 else groups.invoice * nb + b
            sums = np.bincount(codes, weights=bal, minlength=g * nb)
            buckets[j] = np.rint(sums).astype(np.int64).reshape(g, nb)
            if basis == "due":
                overdue[j] = buckets[j][:, 1:].sum(axis=1)
            else:
                owed = np.bincount(
                    groups.invoice, weights=np.where(dpd >= 1, bal, 0.0), minlength=g
                )
                overdue[j] = np.rint(owed).astype(np.int64)
            nonzero = bal != 0
            open_by_bucket[j] = np.bincount(codes[nonzero], minlength=g * nb).reshape(g, nb)
            count[j] = open_by_bucket[j].sum(axis=1)
    else:
        for j, day in enumerate(days):
            snap = balances(ledger, from_day(int(day)))
            idx = np.flatnonzero(snap.issued)
            b = bucket_index(snap, edges, basis)[idx]
            gi = groups.invoice[idx]
            bal = snap.balance[idx]
            buckets[j] = ledger._cols.bin_sum(gi * nb + b, bal, g * nb).reshape(g, nb)
            late = snap.days_past_due[idx] >= 1
            overdue[j] = ledger._cols.bin_sum(gi[late], bal[late], g)
            live = bal != 0
            open_by_bucket[j] = np.bincount(gi[live] * nb + b[live], minlength=g * nb).reshape(
                g, nb
            )
            count[j] = open_by_bucket[j].sum(axis=1)
    out = {label: buckets[:, :, i] for i, label in enumerate(labels)}
    out |= {f"{label} invoices": open_by_bucket[:, :, i] for i, label in enumerate(labels)}
    out["receivables"] = buckets.sum(axis=2)
    out["overdue"] = overdue
    out["open_invoices"] = count
    return out


def _position_sweep(
    ledger: Ledger,
    days: IntArray,
    edges: Sequence[int],
    basis: Basis,
    groups: Groups,
    labels: list[str],
) -> dict[str, IntArray]:
    order = np.argsort(days, kind="stable")
    sorted_days = days[order]
    back = np.argsort(order)
    buckets, count = _sweep(
        ledger, sorted_days, basis, _thresholds(edges, basis), groups, counts=True
    )
    assert count is not None
    buckets = buckets[back]
    out = {label: buckets[:, :, i] for i, label in enumerate(labels)}
    out["receivables"] = buckets.sum(axis=2)
    if basis == "due":
        out["overdue"] = buckets[:, :, 1:].sum(axis=2)
    else:
        late, _ = _sweep(ledger, sorted_days, "due", [1], groups, counts=False)
        out["overdue"] = late[back][:, :, 1]
    out["open_invoices"] = count[back]
    return out


def _bucket_of_age(thresholds: Sequence[int]) -> Callable[[IntArray], IntArray]:
    """``f(age)``: bucket number (count of thresholds ``<= age``), by a small table."""
    lo, hi = int(thresholds[0]) - 1, int(thresholds[-1])
    table = np.searchsorted(np.asarray(thresholds), np.arange(lo, hi + 1), side="right")

    def lookup(age: IntArray) -> IntArray:
        return table.take(age - lo, mode="clip")

    return lookup


def _sweep(
    ledger: Ledger,
    sorted_days: IntArray,
    basis: Basis,
    thresholds: Sequence[int],
    groups: Groups,
    *,
    counts: bool,
    by_class: bool | None = None,
) -> tuple[IntArray, IntArray | None]:
    """Balances per age bucket (``[j, g, k]``) and open invoices (``[j, g]``) in one pass.

    Ages count from the due date (``basis="due"``) or the issue date. Each
    invoice is a *piece* ``+A_i`` starting at its issue; each applied
    settlement a piece ``-amount`` starting at ``max(date, issue)``. A piece
    counts from the first grid day on or after its start (index ``s``), in
    its invoice's bucket at that day (``k``), and moves up one bucket at each
    of its invoice's edge crossings ``C_b`` (first grid day with age ``>=``
    threshold ``b``) after ``s``. The pieces' entries are one ``bincount``
    into the small ``(day, group, bucket)`` grid. A move depends on the
    invoice only through its reference (due or issue) day, whose crossings
    ``(C_1, C_2, ...)`` fall in a few classes (at most one per grid day and
    edge), so the amount crossing each ``C_b`` is the sum over the class of
    the pieces that started below ``b``: one small ``bincount`` per table by
    ``(class, group, bucket)``. Settlements know their invoice's reference
    day and age from the ledger's ``s_past_due`` / ``s_since_issue`` columns,
    so no settlement looks up its invoice. When classes x groups would
    outgrow the data (``by_class=False``; e.g. thousands of customers), the
    pieces are summed per invoice instead (one ``bincount`` by ``(bucket,
    invoice)``). A cumulative sum over the days gives every day's buckets.

    Settlements are positive, so a balance only falls after the issue: an
    invoice is open (non-zero) from its issue until the day its settlements
    reach its amount and again from the day they exceed it
    (:attr:`Ledger.closing_days`, computed once per ledger).
    """
    k_days, n_groups, nb = sorted_days.size, groups.size, len(thresholds) + 1
    n = ledger.n_invoices
    ref = ledger._cols.due if basis == "due" else ledger._cols.issue
    to_bin = grid_bins(sorted_days)
    bucket = _bucket_of_age(thresholds)
    grid_day = np.append(sorted_days, sorted_days[-1])  # index k_days: after the grid
    rows = (k_days + 1) * n_groups  # a spare day row collects pieces after the grid
    amount: npt.NDArray[Any]
    s_amount: npt.NDArray[Any]
    if ledger._cols.exact_float:
        amount, s_amount, s_bin = ledger._cols.float_view
    else:
        amount, s_amount, s_bin = (
            ledger._cols.amount,
            ledger._cols.settlement_amount,
            ledger._cols.float_view[2],
        )

    sums = ledger._cols.bin_sum  # exact int64 sums (float64 bincount while exact)

    def cell(s: IntArray, g: IntArray | None) -> IntArray:
        return s if g is None else s * n_groups + g

    g_inv = groups.invoice if n_groups > 1 else None
    # invoice pieces
    s0 = to_bin(ledger._cols.issue)
    k0 = bucket(grid_day[s0] - ref)
    a_live = np.where(s0 < k_days, amount, 0)
    entries = sums(cell(s0, g_inv) * nb + k0, amount, rows * nb)

    # settlement pieces (weights: the positive amounts, subtracted): sorted by
    # date, those dated up to the last grid day are a prefix; unapplied cash
    # (invoice position n) and settlements of invoices issued after the grid go
    # to the spare day row
    hi = int(np.searchsorted(ledger._cols.settlement_date, sorted_days[-1], side="right"))
    inv = s_bin[:hi]
    paid = s_amount[:hi]
    s1, k1, early = _settlement_starts(ledger, hi, inv, s0, to_bin, bucket, grid_day, basis)
    g_set = np.append(groups.invoice, 0)[inv] if n_groups > 1 else None
    entries -= sums(cell(s1, g_set) * nb + k1, paid, rows * nb)
    entries = entries.reshape(k_days + 1, n_groups, nb)[:k_days]

    # moves: what started below bucket b crosses into it at C_b. Crossings
    # depend on the invoice only through its reference day, and the days fall
    # in few classes of equal (C_1, C_2, ...): sum the pieces by (class, group,
    # starting bucket) from both tables -- settlements know their invoice's
    # reference day as date minus age -- or, when classes x groups is large,
    # per invoice.
    dead = early[s1[early] >= k_days]  # early settlements of invoices issued after the grid
    gap = (
        ledger._cols.settlement_days_past_due
        if basis == "due"
        else ledger._cols.settlement_age_days
    )
    lo = int(ref.min()) if n else 0
    day_class, class_crossing = _crossing_classes(ref, lo, thresholds, to_bin)
    n_classes = int(day_class[-1]) + 1
    if by_class is None:
        by_class = n_classes * n_groups * nb <= 2 * (n + hi) + 4096
    if by_class:
        c0 = day_class.take(ref - lo)
        below = sums(cell(c0, g_inv) * nb + k0, a_live, n_classes * n_groups * nb)
        c1 = day_class.take(ledger._cols.settlement_date[:hi] - gap[:hi] - lo, mode="clip")
        c1[s1 >= k_days] = n_classes  # unapplied cash, early settlements after the grid
        below -= sums(cell(c1, g_set) * nb + k1, paid, (n_classes + 1) * n_groups * nb)[
            : below.size
        ]
        below = np.cumsum(below.reshape(n_classes, n_groups, nb), axis=2)
        for b in range(1, nb):
            flow = np.zeros((k_days + 1, n_groups), dtype=below.dtype)
            np.add.at(flow, class_crossing[b - 1], below[:, :, b - 1])
            entries[:, :, b - 1] -= flow[:k_days]
            entries[:, :, b] += flow[:k_days]
    else:
        stride = n + 1
        if 2 * hi >= s_bin.size:  # fewer settlements after the grid: take them off
            settled = ledger._cols.settled - sums(s_bin[hi:], s_amount[hi:], stride)[:n]
            if dead.size:
                settled = settled - sums(inv[dead], paid[dead], stride)[:n]
        else:
            settled = sums(np.where(s1 < k_days, inv, n), paid, stride)[:n]
        total = a_live - settled
        spare = (nb - 1) * stride  # pieces starting in bucket 0 never enter a higher one
        index = k1.astype(np.int64)
        index -= 1
        index *= stride
        index += inv
        index[k1 == 0] = spare
        index[dead] = spare
        late_paid = sums(index, paid, spare + 1)  # rows b - 1: paid in bucket b
        del index
        ref_cell = cell(day_class.take(ref - lo), g_inv)
        crossing = np.empty_like(total)
        late = np.zeros_like(total)
        for b in range(nb - 1, 0, -1):
            late += late_paid[(b - 1) * stride : (b - 1) * stride + n]
            np.add(total, late, out=crossing)
            np.subtract(crossing, a_live, out=crossing, where=k0 >= b)
            per_class = sums(ref_cell, crossing, n_classes * n_groups)
            flow = np.zeros((k_days + 1, n_groups), dtype=per_class.dtype)
            np.add.at(flow, class_crossing[b - 1], per_class.reshape(n_classes, n_groups))
            entries[:, :, b - 1] -= flow[:k_days]
            entries[:, :, b] += flow[:k_days]
    buckets = np.cumsum(entries, axis=0)
    if not counts:
        return buckets, None
    return buckets, _open_counts(ledger, to_bin, s0, groups, k_days)


def _settlement_starts(
    ledger: Ledger,
    hi: int,
    inv: IntArray,
    s0: IntArray,
    to_bin: Any,
    bucket: Any,
    grid_day: IntArray,
    basis: Basis,
) -> tuple[IntArray, IntArray, IntArray]:
    """The first ``hi`` settlements as pieces: (grid day they start at, bucket there, early ones).

    A settlement dated before its invoice's issue starts at the issue;
    unapplied cash (invoice position ``n``) goes to the spare day row.
    """
    c = ledger._cols
    k_days = grid_day.size - 1
    s1 = to_bin(c.settlement_date[:hi])
    early = c.settled_before_issue[c.settled_before_issue < hi]
    if early.size:  # dated before the issue: they start at the issue
        s1[early] = np.maximum(s1[early], s0[inv[early]])
    s1[inv == c.n_invoices] = k_days
    age = grid_day[s1]
    age -= c.settlement_date[:hi]
    age += (c.settlement_days_past_due if basis == "due" else c.settlement_age_days)[:hi]
    return s1, bucket(age), early


def _crossing_classes(
    ref: IntArray, lo: int, thresholds: Sequence[int], to_bin: Any
) -> tuple[IntArray, IntArray]:
    """Reference days in classes of equal edge crossings: (class of each day, crossings).

    ``class_crossing[b - 1, c]`` is the first grid day at which an invoice
    of class ``c`` reaches threshold ``b``; days ``lo, lo + 1, ...`` of the
    references (due or issue days) fall in few classes.
    """
    span = int(ref.max()) - lo + 1 if ref.size else 1
    ref_days = np.arange(lo, lo + span)
    crossings = np.stack([to_bin(ref_days + t) for t in thresholds])  # [b - 1, day]
    step = np.any(crossings[:, 1:] != crossings[:, :-1], axis=0)
    day_class = np.concatenate([[0], np.cumsum(step)]).astype(np.int64)
    return day_class, crossings[:, np.concatenate([[0], np.flatnonzero(step) + 1])]


def _open_counts(
    ledger: Ledger, to_bin: Any, s0: IntArray, groups: Groups, k_days: int
) -> IntArray:
    """Open invoices per (grid day, group): +1 at issue, -1 when settled, +1 again when overpaid."""
    n_groups = groups.size
    rows = (k_days + 1) * n_groups

    def cell(s: IntArray, g: IntArray | None) -> IntArray:
        return s if g is None else s * n_groups + g

    g_inv = groups.invoice if n_groups > 1 else None
    closed, over = ledger._cols.closing_days
    opened = np.bincount(cell(s0, g_inv), minlength=rows)
    opened -= np.bincount(cell(to_bin(closed), g_inv), minlength=rows)
    overpaid = np.flatnonzero(over < NO_END)
    if overpaid.size:
        g = groups.invoice[overpaid] if n_groups > 1 else None
        opened += np.bincount(cell(to_bin(over[overpaid]), g), minlength=rows)
    opened = opened.reshape(k_days + 1, n_groups)[:k_days]
    return np.cumsum(opened, axis=0)


def bucket_index(
    snap: Snapshot, edges: Sequence[int] = (30, 60, 90), basis: Basis = "due"
) -> IntArray:
    """Per invoice, the position of its aging bucket in ``bucket_labels(edges, basis)``.

    The same rule as :func:`position` (which sums balances per bucket): the
    age is ``snap.days_past_due`` on the due-date basis, ``snap.age`` on the
    issue-date basis. Invoices not issued at ``snap.as_of`` get a code too
    (mask them with ``snap.issued``).

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-01-01", "2024-01-31", "100.00"),
    ...      ck.Invoice("F2", "C1", "2024-03-01", "2024-03-31", "50.00")])
    >>> bucket_index(balances(ledger, "2024-03-15")).tolist()   # 44 days late, not due
    [2, 0]
    """
    check_edges(edges, basis)
    age = snap.days_past_due if basis == "due" else snap.age
    thresholds = np.asarray(_thresholds(edges, basis), dtype=np.int64)
    return np.searchsorted(thresholds, age, side="right").astype(np.int64)
