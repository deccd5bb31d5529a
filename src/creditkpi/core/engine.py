"""The as-of engine: balances, positions and flows at any date, exactly.

Everything a metric needs from the data comes from here. All money is integer
minor units; all dates are day numbers (see :func:`creditkpi.core.period.to_day`).

Two ways to get the receivables position:

* :func:`balances` -- every invoice's open balance ``B_i(T)`` at one date, in
  one vectorised pass (settlements are sorted by date, so the ones dated on
  or before T are a prefix summed with one ``bincount``);
* :func:`position` -- receivables, overdue and aging buckets per group at many
  dates at once. Balances and buckets are piecewise constant between events
  (issue, settlement, bucket-edge crossing), so each quantity is a cumulative
  sum of events over the requested dates: the cost does not grow with the
  number of dates beyond a ``searchsorted``.

Both return **additive summaries**: two ledgers with disjoint customers give
frames that add up to the frame of their union, which is what lets the same
kernel run per partition under Dask or Spark.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.ledger import CREDIT_NOTE, NO_END, PAYMENT, WRITE_OFF, Groups, Ledger
from creditkpi.core.period import Period, as_date, from_day, to_day

__all__ = [
    "Basis",
    "Snapshot",
    "balances",
    "bucket_index",
    "bucket_labels",
    "cumulative",
    "disputed_at",
    "doubtful_at",
    "flows",
    "interval_balance",
    "position",
    "recovery_targets",
    "settled_by",
    "settled_day",
    "settlement_window",
    "status_at",
    "unapplied_cash",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Basis = Literal["due", "issue"]

#: the flow columns of :func:`flows`
FLOW_COLUMNS = (
    "invoiced",
    "credit_notes",
    "sales",
    "cash",
    "applied_cash",
    "unapplied_cash",
    "write_offs",
    "n_invoices",
)


# ----------------------------------------------------------------------------------
# one date, per invoice
# ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Every invoice's state at the end of day ``as_of``.

    Attributes
    ----------
    as_of : date
    day : int
        Day number of ``as_of``.
    issued : ndarray of bool
        ``I_i <= T``.
    balance : ndarray of int64
        ``B_i(T)`` in minor units (0 for invoices not yet issued; negative
        when overpaid).
    days_past_due : ndarray of int64
        ``T - D_i`` (overdue iff >= 1).
    age : ndarray of int64
        ``T - I_i``, days since issue.
    """

    as_of: date
    day: int
    issued: BoolArray
    balance: IntArray
    days_past_due: IntArray
    age: IntArray

    @property
    def open(self) -> BoolArray:
        """Issued invoices with a non-zero balance."""
        return np.asarray(self.issued & (self.balance != 0), dtype=bool)

    @property
    def overdue(self) -> BoolArray:
        """Issued invoices at least one day past due."""
        return np.asarray(self.issued & (self.days_past_due >= 1), dtype=bool)


def settled_by(
    ledger: Ledger, day: int, *, kinds: Sequence[int] | None = None, after: int | None = None
) -> IntArray:
    """Per invoice, the settlements dated ``<= day`` (and ``> after`` if given).

    Parameters
    ----------
    ledger : Ledger
    day : int
        Day number (inclusive upper bound).
    kinds : sequence of int, optional
        Settlement kind codes to keep (``PAYMENT``, ``CREDIT_NOTE``,
        ``WRITE_OFF``); all by default.
    after : int, optional
        Exclusive lower bound.

    Returns
    -------
    ndarray of int64
        One sum per invoice, in minor units.
    """
    lo = 0 if after is None else int(np.searchsorted(ledger.s_date, after, side="right"))
    hi = int(np.searchsorted(ledger.s_date, day, side="right"))
    inv = ledger.s_invoice[lo:hi]
    amt = ledger.s_amount[lo:hi]
    keep = inv >= 0
    if kinds is not None:
        keep &= np.isin(ledger.s_kind[lo:hi], np.asarray(kinds, dtype=np.int8))
    return ledger.bin_sum(inv[keep], amt[keep], ledger.n_invoices)


def balances(ledger: Ledger, as_of: date | str) -> Snapshot:
    """Every invoice's balance, days past due and age at the end of ``as_of``.

    Examples
    --------
    >>> import creditkpi as ck
    >>> from creditkpi.core.engine import balances
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-01-01", "2024-01-31", "100.00")],
    ...     [ck.Payment("F1", "2024-02-10", "30.00")])
    >>> snap = balances(ledger, "2024-02-15")
    >>> int(snap.balance[0]), int(snap.days_past_due[0])
    (7000, 15)
    """
    when = as_date(as_date(as_of))
    day = to_day(when)
    issued = ledger.issue <= day
    paid = settled_by(ledger, day)
    balance = np.where(issued, ledger.amount - paid, 0)
    return Snapshot(
        as_of=when,
        day=day,
        issued=issued,
        balance=balance.astype(np.int64),
        days_past_due=(day - ledger.due).astype(np.int64),
        age=(day - ledger.issue).astype(np.int64),
    )


def settlement_window(ledger: Ledger, first: int, last: int) -> slice:
    """The slice of the (date-sorted) settlement columns dated in ``[first, last]``."""
    lo = int(np.searchsorted(ledger.s_date, first, side="left"))
    hi = int(np.searchsorted(ledger.s_date, last, side="right"))
    return slice(lo, hi)


def settled_day(
    ledger: Ledger, kinds: Sequence[int] | None = None, *, overpaid: bool = False
) -> IntArray:
    """Per invoice, the first day its balance is ``<= 0`` (``NO_END`` if never).

    With ``overpaid=True``, the first day it is ``< 0`` instead.

    Settlements dated before issue count from the issue date. With ``kinds``
    (e.g. ``(PAYMENT, CREDIT_NOTE)``) only settlements of those kinds count:
    the day an invoice is fully collected, a write-off not counting.

    Examples
    --------
    >>> import creditkpi as ck
    >>> from creditkpi.core.ledger import CREDIT_NOTE, PAYMENT
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-01-01", "2024-01-31", "100.00")],
    ...     [ck.Payment("F1", "2024-02-10", "60.00"),
    ...      ck.Payment("F1", "2024-03-01", "40.00", kind="write_off")])
    >>> settled_day(ledger).tolist() == [to_day(date(2024, 3, 1))]
    True
    >>> int(settled_day(ledger, (PAYMENT, CREDIT_NOTE))[0]) == NO_END
    True
    """
    closed, over = _closing_days(ledger, kinds)
    return over if overpaid else closed


def _closing_days(ledger: Ledger, kinds: Sequence[int] | None = None) -> tuple[IntArray, IntArray]:
    """Per invoice, the first day its balance is ``<= 0`` and the first day it is ``< 0``.

    Counting only settlements of ``kinds`` (all by default: the ledger's cached
    :attr:`~Ledger.closing_days`).
    """
    if kinds is None:
        return ledger.closing_days
    return ledger.reaching_days(np.arange(ledger.n_invoices), kinds)


def disputed_at(ledger: Ledger, day: int) -> BoolArray:
    """Invoices under an open dispute at the end of ``day`` (opened <= T < resolved)."""
    live = (ledger.d_opened <= day) & (ledger.d_resolved > day)
    out = np.zeros(ledger.n_invoices, dtype=bool)
    out[ledger.d_invoice[live]] = True
    return out


def status_at(ledger: Ledger, day: int, *, default: str = "none") -> npt.NDArray[np.object_]:
    """Each invoice's dunning status at the end of ``day``: its last event <= T."""
    out = np.full(ledger.n_invoices, default, dtype=object)
    idx = np.flatnonzero(ledger.st_date <= day)
    if idx.size:
        rev = idx[::-1]  # statuses are sorted by invoice then date: the last one wins
        inv, first = np.unique(ledger.st_invoice[rev], return_index=True)
        out[inv] = ledger.st_status[rev[first]]
    return out


def doubtful_at(ledger: Ledger, day: int) -> tuple[BoolArray, IntArray]:
    """Invoices classified doubtful on or before ``day``, and their provision.

    Returns
    -------
    doubtful : ndarray of bool
    provision : ndarray of int64
        The provision of the latest classification dated <= T that carries
        one (0 if none).
    """
    n = ledger.n_invoices
    live = ledger.db_date <= day
    doubtful = np.zeros(n, dtype=bool)
    doubtful[ledger.db_invoice[live]] = True
    provision = np.zeros(n, dtype=np.int64)
    idx = np.flatnonzero(live & (ledger.db_provision >= 0))
    if idx.size:
        order = idx[np.lexsort((ledger.db_date[idx], ledger.db_invoice[idx]))][::-1]
        inv, first = np.unique(ledger.db_invoice[order], return_index=True)
        provision[inv] = ledger.db_provision[order[first]]
    return doubtful, provision


# ----------------------------------------------------------------------------------
# many dates, per group: cumulative sums of events
# ----------------------------------------------------------------------------------


def _day_grid(dates: Sequence[date | str] | Sequence[int]) -> IntArray:
    days = [d if isinstance(d, (int, np.integer)) else to_day(as_date(d)) for d in dates]
    return np.asarray(days, dtype=np.int64)


def _date_bin(sorted_days: IntArray, event_day: IntArray) -> IntArray:
    """Index of the first of ``sorted_days`` on or after each event (``len`` if none)."""
    if sorted_days.size == 0:
        return np.zeros(event_day.shape, dtype=np.int64)
    return _grid_bins(sorted_days)(event_day)


def _grid_bins(sorted_days: IntArray) -> Callable[[IntArray], IntArray]:
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
    k = _date_bin(sorted_days, event_day)
    bins = k if n_groups == 1 else k * n_groups + group
    size = (sorted_days.size + 1) * n_groups
    if weight is None:
        flat = np.bincount(bins, minlength=size)
    else:
        flat = ledger.bin_sum(bins, weight, size)
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
    a = np.maximum(start, ledger.issue)
    applied = ledger.s_invoice >= 0
    inv = ledger.s_invoice[applied]
    sday = ledger.s_date[applied]
    samt = ledger.s_amount[applied]
    ginv = groups.invoice
    parts_day = [a, np.maximum(a[inv], sday)]
    parts_w = [ledger.amount, -samt]
    parts_g = [ginv, ginv[inv]]
    if end is not None:
        b = np.maximum(end, a)
        finite = b < NO_END
        sfin = finite[inv]
        parts_day += [b[finite], np.maximum(b[inv][sfin], sday[sfin])]
        parts_w += [-ledger.amount[finite], samt[sfin]]
        parts_g += [ginv[finite], ginv[inv][sfin]]
    return cumulative(
        ledger,
        np.concatenate(parts_day),
        np.concatenate(parts_w),
        np.concatenate(parts_g),
        groups.size,
        days,
    )


def unapplied_cash(ledger: Ledger, days: IntArray, groups: Groups) -> IntArray:
    """``out[j, g]``: unapplied cash received on or before ``days[j]``, per group."""
    un = ledger.s_invoice < 0
    return cumulative(
        ledger, ledger.s_date[un], ledger.s_amount[un], groups.settlement[un], groups.size, days
    )


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
    _check_edges(edges, basis)
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


def _check_edges(edges: Sequence[int], basis: str) -> None:
    if basis not in ("due", "issue"):
        raise InvalidOptionError(f"basis must be 'due' or 'issue', got {basis!r}", column="basis")
    values = list(edges)
    ok = all(isinstance(e, (int, np.integer)) and not isinstance(e, bool) for e in values)
    if not ok or not values or values[0] < 1 or any(b <= a for a, b in itertools.pairwise(values)):
        raise InvalidOptionError(
            f"buckets must be increasing positive whole days, got {tuple(values)!r}",
            column="buckets",
        )


def position(
    ledger: Ledger,
    dates: Sequence[date | str] | date | str,
    *,
    edges: Sequence[int] = (30, 60, 90),
    basis: Basis = "due",
    by: str | None = None,
    method: Literal["auto", "snapshot", "sweep"] = "auto",
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
    by : str, optional
        ``"customer_id"`` or an invoice attribute.
    method : {"auto", "snapshot", "sweep"}
        ``snapshot`` recomputes every balance per date; ``sweep`` accumulates
        events once for all dates; ``auto`` picks sweep beyond two dates.
        Both give identical results.

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
    if isinstance(dates, (str, date)):
        dates = [dates]
    days = _day_grid(list(dates))
    groups = ledger.groups(by)
    labels = bucket_labels(edges, basis)
    if method not in ("auto", "snapshot", "sweep"):
        raise InvalidOptionError(f"method must be auto, snapshot or sweep, got {method!r}")
    use_sweep = method == "sweep" or (method == "auto" and days.size > 2)
    if use_sweep:
        data = _position_sweep(ledger, days, edges, basis, groups, labels)
    else:
        data = _position_snapshot(ledger, days, edges, basis, groups, labels)
    data["unapplied"] = unapplied_cash(ledger, days, groups)
    index = pd.MultiIndex.from_product(
        [pd.DatetimeIndex([np.datetime64(int(d), "D") for d in days], name="as_of"), groups.labels],
        names=["as_of", "group"],
    )
    columns = ["receivables", "overdue", *labels, "open_invoices", "unapplied"]
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
    if ledger.exact_float:
        # float64 fast path: every partial sum is an integer below 2**53, so exact
        amount_f, s_amount_f, s_bin = ledger.float_view
        n = ledger.n_invoices
        thresholds = np.asarray(_thresholds(edges, basis), dtype=np.int64)
        for j, day in enumerate(days):
            hi = int(np.searchsorted(ledger.s_date, day, side="right"))
            paid = np.bincount(s_bin[:hi], weights=s_amount_f[:hi], minlength=n + 1)[:n]
            # not yet issued: balance 0, so it adds nothing to any sum below
            bal = np.where(ledger.issue <= day, amount_f - paid, 0.0)
            dpd = day - ledger.due
            b = np.searchsorted(thresholds, dpd if basis == "due" else day - ledger.issue, "right")
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
            if g == 1:
                count[j] = np.count_nonzero(nonzero)
            else:
                count[j] = np.bincount(groups.invoice[nonzero], minlength=g)
    else:
        for j, day in enumerate(days):
            snap = balances(ledger, from_day(int(day)))
            idx = np.flatnonzero(snap.issued)
            b = bucket_index(snap, edges, basis)[idx]
            gi = groups.invoice[idx]
            bal = snap.balance[idx]
            buckets[j] = ledger.bin_sum(gi * nb + b, bal, g * nb).reshape(g, nb)
            late = snap.days_past_due[idx] >= 1
            overdue[j] = ledger.bin_sum(gi[late], bal[late], g)
            count[j] = np.bincount(gi[bal != 0], minlength=g)
    out = {label: buckets[:, :, i] for i, label in enumerate(labels)}
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
    ref = ledger.due if basis == "due" else ledger.issue
    to_bin = _grid_bins(sorted_days)
    bucket = _bucket_of_age(thresholds)
    grid_day = np.append(sorted_days, sorted_days[-1])  # index k_days: after the grid
    rows = (k_days + 1) * n_groups  # a spare day row collects pieces after the grid
    amount: npt.NDArray[Any]
    s_amount: npt.NDArray[Any]
    if ledger.exact_float:
        amount, s_amount, s_bin = ledger.float_view
    else:
        amount, s_amount, s_bin = ledger.amount, ledger.s_amount, ledger.float_view[2]

    sums = ledger.bin_sum  # exact int64 sums (float64 bincount while exact)

    def cell(s: IntArray, g: IntArray | None) -> IntArray:
        return s if g is None else s * n_groups + g

    g_inv = groups.invoice if n_groups > 1 else None
    # invoice pieces
    s0 = to_bin(ledger.issue)
    k0 = bucket(grid_day[s0] - ref)
    a_live = np.where(s0 < k_days, amount, 0)
    entries = sums(cell(s0, g_inv) * nb + k0, amount, rows * nb)

    # settlement pieces (weights: the positive amounts, subtracted): sorted by
    # date, those dated up to the last grid day are a prefix; unapplied cash
    # (invoice position n) and settlements of invoices issued after the grid go
    # to the spare day row
    hi = int(np.searchsorted(ledger.s_date, sorted_days[-1], side="right"))
    inv = s_bin[:hi]
    paid = s_amount[:hi]
    s1 = to_bin(ledger.s_date[:hi])
    early = ledger.s_early[ledger.s_early < hi]
    if early.size:  # dated before the issue: they start at the issue
        s1[early] = np.maximum(s1[early], s0[inv[early]])
    s1[inv == n] = k_days
    age = grid_day[s1]
    age -= ledger.s_date[:hi]
    age += (ledger.s_past_due if basis == "due" else ledger.s_since_issue)[:hi]
    k1 = bucket(age)
    del age
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
    gap = ledger.s_past_due if basis == "due" else ledger.s_since_issue
    lo = int(ref.min()) if n else 0
    span = int(ref.max()) - lo + 1 if n else 1
    ref_days = np.arange(lo, lo + span)
    crossings = np.stack([to_bin(ref_days + t) for t in thresholds])  # [b - 1, day]
    step = np.any(crossings[:, 1:] != crossings[:, :-1], axis=0)
    day_class = np.concatenate([[0], np.cumsum(step)])
    n_classes = int(day_class[-1]) + 1
    class_crossing = crossings[:, np.concatenate([[0], np.flatnonzero(step) + 1])]
    if by_class is None:
        by_class = n_classes * n_groups * nb <= 2 * (n + hi) + 4096
    if by_class:
        c0 = day_class.take(ref - lo)
        below = sums(cell(c0, g_inv) * nb + k0, a_live, n_classes * n_groups * nb)
        c1 = day_class.take(ledger.s_date[:hi] - gap[:hi] - lo, mode="clip")
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
            settled = ledger.settled - sums(s_bin[hi:], s_amount[hi:], stride)[:n]
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

    # open invoices: +1 at issue, -1 when settled, +1 again when overpaid
    closed, over = ledger.closing_days
    opened = np.bincount(cell(s0, g_inv), minlength=rows)
    opened -= np.bincount(cell(to_bin(closed), g_inv), minlength=rows)
    overpaid = np.flatnonzero(over < NO_END)
    if overpaid.size:
        g = groups.invoice[overpaid] if n_groups > 1 else None
        opened += np.bincount(cell(to_bin(over[overpaid]), g), minlength=rows)
    opened = opened.reshape(k_days + 1, n_groups)[:k_days]
    return buckets, np.cumsum(opened, axis=0)


# ----------------------------------------------------------------------------------
# flows over periods
# ----------------------------------------------------------------------------------


def flows(
    ledger: Ledger, periods: Sequence[Period] | Period, *, by: str | None = None
) -> pd.DataFrame:
    """Sales, cash, credit notes and write-offs per period and group (additive).

    Columns (int64 minor units unless noted): ``invoiced`` (Σ amounts issued in
    P), ``credit_notes`` (dated in P), ``sales`` = invoiced - credit_notes,
    ``cash`` (payments dated in P, applied or unapplied), ``applied_cash``,
    ``unapplied_cash``, ``write_offs``, ``n_invoices`` (count issued in P).

    Examples
    --------
    >>> import creditkpi as ck
    >>> from creditkpi.core.engine import flows
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-04-02", "2024-05-02", "100.00")],
    ...     [ck.Payment("F1", "2024-04-20", "10.00", kind="credit_note")])
    >>> int(flows(ledger, ck.Period.month(2024, 4))["sales"].iloc[0])
    9000
    """
    plist = [periods] if isinstance(periods, Period) else list(periods)
    groups = ledger.groups(by)
    g = groups.size
    ends = np.asarray([to_day(p.end) for p in plist], dtype=np.int64)
    befores = ends - np.asarray([p.days for p in plist], dtype=np.int64)
    grid = np.concatenate([befores, ends])

    order = np.argsort(grid, kind="stable")
    sorted_grid = grid[order]
    rows = grid.size + 1  # a spare row for events after the last day

    def window(flat: npt.NDArray[Any], size: int) -> IntArray:
        acc: IntArray = np.cumsum(flat[: grid.size * size].reshape(grid.size, size), axis=0)
        out = np.empty_like(acc)
        out[order] = acc
        return out[len(plist) :] - out[: len(plist)]

    amount, s_amount = (
        ledger.float_view[:2] if ledger.exact_float else (ledger.amount, ledger.s_amount)
    )
    # one date lookup per table; settlements by (group, applied or not, kind)
    day_bin = _date_bin(sorted_grid, ledger.issue)
    cells = day_bin if g == 1 else day_bin * g + groups.invoice
    kinds = 3  # PAYMENT, CREDIT_NOTE, WRITE_OFF
    code = ledger.s_kind.astype(np.int64)
    code[ledger.s_invoice < 0] += kinds
    day_bin = _date_bin(sorted_grid, ledger.s_date)
    s_cells = (day_bin if g == 1 else day_bin * g + groups.settlement) * (2 * kinds) + code
    s = window(ledger.bin_sum(s_cells, s_amount, rows * g * 2 * kinds), g * 2 * kinds)
    s = s.reshape(len(plist), g, 2, kinds)
    data = {
        "invoiced": window(ledger.bin_sum(cells, amount, rows * g), g),
        "credit_notes": s[:, :, :, CREDIT_NOTE].sum(axis=2),
        "applied_cash": s[:, :, 0, PAYMENT],
        "unapplied_cash": s[:, :, 1, :].sum(axis=2),
        "write_offs": s[:, :, :, WRITE_OFF].sum(axis=2),
        "n_invoices": window(np.bincount(cells, minlength=rows * g), g),
    }
    data["sales"] = data["invoiced"] - data["credit_notes"]
    data["cash"] = data["applied_cash"] + data["unapplied_cash"]
    index = pd.MultiIndex.from_product(
        [pd.Index([str(p) for p in plist], name="period"), groups.labels], names=["period", "group"]
    )
    return pd.DataFrame({c: data[c].reshape(-1) for c in FLOW_COLUMNS}, index=index)


# ----------------------------------------------------------------------------------
# aging bucket of each invoice at one date
# ----------------------------------------------------------------------------------


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
    _check_edges(edges, basis)
    age = snap.days_past_due if basis == "due" else snap.age
    thresholds = np.asarray(_thresholds(edges, basis), dtype=np.int64)
    return np.searchsorted(thresholds, age, side="right").astype(np.int64)


# ----------------------------------------------------------------------------------
# the recovery target set (recovery and activation rates)
# ----------------------------------------------------------------------------------


def recovery_targets(ledger: Ledger, period: Period, opening: Snapshot | None = None) -> BoolArray:
    """The invoices a collection team must recover during ``period``, one flag each.

    Issued before the period starts, open at ``start - 1`` (``B_i(start-1) > 0``,
    so overpaid invoices are out) and falling due on or before its end: already
    overdue at the start, or falling due during the period. Recovery and
    activation rates are both measured on this set.

    Parameters
    ----------
    ledger : Ledger
    period : Period
    opening : Snapshot, optional
        ``balances(ledger, period.before)`` if the caller already has it.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-02-01", "2024-03-02", "100.00"),
    ...      ck.Invoice("F2", "C1", "2024-03-20", "2024-04-19", "50.00"),
    ...      ck.Invoice("F3", "C1", "2024-03-25", "2024-05-24", "70.00"),
    ...      ck.Invoice("F4", "C2", "2024-04-02", "2024-04-30", "10.00")])
    >>> recovery_targets(ledger, ck.Period.month(2024, 4)).tolist()
    [True, True, False, False]
    """
    snap = balances(ledger, period.before) if opening is None else opening
    due_by_end = ledger.due <= to_day(period.end)
    return np.asarray(snap.issued & (snap.balance > 0) & due_by_end, dtype=bool)
