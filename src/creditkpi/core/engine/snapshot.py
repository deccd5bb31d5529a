"""One date, per invoice: balances, days past due, disputes, statuses, doubtful flags.

:func:`balances` gives every invoice's open balance ``B_i(T)`` at one date in
one vectorised pass (settlements are sorted by date, so the ones dated on or
before T are a prefix summed with one ``bincount``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from creditkpi.core.ledger import Ledger
from creditkpi.core.period import Period, as_date, to_day

__all__ = [
    "Snapshot",
    "balances",
    "disputed_at",
    "doubtful_at",
    "recovery_targets",
    "settled_by",
    "settled_day",
    "settlement_window",
    "status_at",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


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
    lo = (
        0
        if after is None
        else int(np.searchsorted(ledger._cols.settlement_date, after, side="right"))
    )
    hi = int(np.searchsorted(ledger._cols.settlement_date, day, side="right"))
    inv = ledger._cols.settlement_invoice[lo:hi]
    amt = ledger._cols.settlement_amount[lo:hi]
    keep = inv >= 0
    if kinds is not None:
        keep &= np.isin(ledger._cols.settlement_kind[lo:hi], np.asarray(kinds, dtype=np.int8))
    return ledger._cols.bin_sum(inv[keep], amt[keep], ledger.n_invoices)


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
    issued = ledger._cols.issue <= day
    paid = settled_by(ledger, day)
    balance = np.where(issued, ledger._cols.amount - paid, 0)
    return Snapshot(
        as_of=when,
        day=day,
        issued=issued,
        balance=balance.astype(np.int64),
        days_past_due=(day - ledger._cols.due).astype(np.int64),
        age=(day - ledger._cols.issue).astype(np.int64),
    )


def settlement_window(ledger: Ledger, first: int, last: int) -> slice:
    """The slice of the (date-sorted) settlement columns dated in ``[first, last]``."""
    lo = int(np.searchsorted(ledger._cols.settlement_date, first, side="left"))
    hi = int(np.searchsorted(ledger._cols.settlement_date, last, side="right"))
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
    >>> from creditkpi.core.ledger import CREDIT_NOTE, NO_END, PAYMENT
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
        return ledger._cols.closing_days
    return ledger._cols.reaching_days(np.arange(ledger.n_invoices), kinds)


def disputed_at(ledger: Ledger, day: int) -> BoolArray:
    """Invoices under an open dispute at the end of ``day`` (opened <= T < resolved)."""
    live = (ledger._cols.dispute_opened <= day) & (ledger._cols.dispute_resolved > day)
    out = np.zeros(ledger.n_invoices, dtype=bool)
    out[ledger._cols.dispute_invoice[live]] = True
    return out


def status_at(ledger: Ledger, day: int, *, default: str = "none") -> npt.NDArray[np.object_]:
    """Each invoice's dunning status at the end of ``day``: its last event <= T."""
    out = np.full(ledger.n_invoices, default, dtype=object)
    idx = np.flatnonzero(ledger._cols.status_date <= day)
    if idx.size:
        rev = idx[::-1]  # statuses are sorted by invoice then date: the last one wins
        inv, first = np.unique(ledger._cols.status_invoice[rev], return_index=True)
        out[inv] = ledger._cols.status_label[rev[first]]
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
    live = ledger._cols.doubtful_date <= day
    doubtful = np.zeros(n, dtype=bool)
    doubtful[ledger._cols.doubtful_invoice[live]] = True
    provision = np.zeros(n, dtype=np.int64)
    idx = np.flatnonzero(live & (ledger._cols.doubtful_provision >= 0))
    if idx.size:
        order = idx[
            np.lexsort((ledger._cols.doubtful_date[idx], ledger._cols.doubtful_invoice[idx]))
        ][::-1]
        inv, first = np.unique(ledger._cols.doubtful_invoice[order], return_index=True)
        provision[inv] = ledger._cols.doubtful_provision[order[first]]
    return doubtful, provision


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
    due_by_end = ledger._cols.due <= to_day(period.end)
    return np.asarray(snap.issued & (snap.balance > 0) & due_by_end, dtype=bool)
