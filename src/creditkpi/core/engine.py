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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

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
    """Per invoice, the first day its balance is ``<= 0`` and the first day it is ``< 0``."""
    n = ledger.n_invoices
    applied = ledger.s_invoice >= 0
    if kinds is not None:
        applied &= np.isin(ledger.s_kind, np.asarray(kinds, dtype=np.int8))
    inv = ledger.s_invoice[applied]
    day = np.maximum(ledger.s_date[applied], ledger.issue[inv])
    amt = ledger.s_amount[applied]
    # settlements are sorted by date and max(date, issue) keeps that order within
    # an invoice, so a stable sort by invoice gives (invoice, day) order
    order = np.argsort(inv, kind="stable")
    inv, day, amt = inv[order], day[order], amt[order]
    cum = np.cumsum(amt)
    starts = np.searchsorted(inv, np.arange(n), side="left")
    before = np.concatenate([[0], cum])[starts]
    paid = cum - before[inv]
    due = ledger.amount[inv]
    out = []
    for reached in (paid >= due, paid > due):
        first_day = np.full(n, NO_END, dtype=np.int64)
        hit = np.flatnonzero(reached)
        if hit.size:
            hit_inv = inv[hit]
            first = np.concatenate([[True], hit_inv[1:] != hit_inv[:-1]])
            first_day[hit_inv[first]] = day[hit[first]]
        out.append(first_day)
    return out[0], out[1]


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
    """Index of the first of ``sorted_days`` on or after each event (``len`` if none).

    A lookup table over the day grid replaces a binary search per event when
    the grid is short (years of days), which it always is for KPI dates.
    """
    if sorted_days.size == 0:
        return np.zeros(event_day.shape, dtype=np.int64)
    first, last = int(sorted_days[0]), int(sorted_days[-1])
    span = last - first
    if span > 200_000 or event_day.size < 4 * (span + 1):
        return np.searchsorted(sorted_days, event_day, side="left").astype(np.int64)
    table = np.searchsorted(sorted_days, np.arange(first, last + 2), side="left").astype(np.int64)
    # table[span + 1] == len(sorted_days): events after the last day fall out
    return table[np.clip(event_day - first, 0, span + 1)]


def cumulative(
    ledger: Ledger,
    event_day: IntArray,
    weight: IntArray,
    group: IntArray,
    n_groups: int,
    days: IntArray,
) -> IntArray:
    """``out[j, g] = Σ weight`` over events of group ``g`` dated ``<= days[j]``.

    ``days`` may be in any order; the cost is one ``searchsorted`` of the
    events plus one ``bincount``, whatever the number of days.
    """
    order = np.argsort(days, kind="stable")
    sorted_days = days[order]
    k = _date_bin(sorted_days, event_day)
    keep = k < sorted_days.size
    bins = k[keep] * n_groups + group[keep]
    flat = ledger.bin_sum(bins, weight[keep], sorted_days.size * n_groups)
    acc = np.cumsum(flat.reshape(sorted_days.size, n_groups), axis=0)
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
    ref = ledger.due if basis == "due" else ledger.issue
    total = interval_balance(ledger, ledger.issue, None, days, groups)
    at_least = [total]
    for t in _thresholds(edges, basis):
        at_least.append(interval_balance(ledger, ref + t, None, days, groups))
    at_least.append(np.zeros_like(total))
    out = {label: at_least[i] - at_least[i + 1] for i, label in enumerate(labels)}
    out["receivables"] = total
    if basis == "due":
        out["overdue"] = at_least[1]
    else:
        out["overdue"] = interval_balance(ledger, ledger.due + 1, None, days, groups)
    # non-zero balance: from issue until settled, and again once overpaid
    closed, over = _closing_days(ledger)
    fc, fo = closed < NO_END, over < NO_END
    out["open_invoices"] = cumulative(
        ledger,
        np.concatenate([ledger.issue, closed[fc], over[fo]]),
        np.concatenate(
            [
                np.ones(ledger.n_invoices, np.int64),
                -np.ones(int(fc.sum()), np.int64),
                np.ones(int(fo.sum()), np.int64),
            ]
        ),
        np.concatenate([groups.invoice, groups.invoice[fc], groups.invoice[fo]]),
        groups.size,
        days,
    )
    return out


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

    def window(event_day: IntArray, weight: IntArray, group: IntArray) -> IntArray:
        acc = cumulative(ledger, event_day, weight, group, g, grid)
        return acc[len(plist) :] - acc[: len(plist)]

    sk = ledger.s_kind
    applied = ledger.s_invoice >= 0
    sg = groups.settlement
    data = {
        "invoiced": window(ledger.issue, ledger.amount, groups.invoice),
        "credit_notes": window(
            ledger.s_date[sk == CREDIT_NOTE],
            ledger.s_amount[sk == CREDIT_NOTE],
            sg[sk == CREDIT_NOTE],
        ),
        "applied_cash": window(
            ledger.s_date[(sk == PAYMENT) & applied],
            ledger.s_amount[(sk == PAYMENT) & applied],
            sg[(sk == PAYMENT) & applied],
        ),
        "unapplied_cash": window(ledger.s_date[~applied], ledger.s_amount[~applied], sg[~applied]),
        "write_offs": window(
            ledger.s_date[sk == WRITE_OFF], ledger.s_amount[sk == WRITE_OFF], sg[sk == WRITE_OFF]
        ),
        "n_invoices": window(ledger.issue, np.ones(ledger.n_invoices, np.int64), groups.invoice),
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
