"""The settlements of a ledger in date order: sorting, gathering, and what they imply.

The builder (:mod:`creditkpi.core.ingest.build`) hands the parsed settlements
here: :class:`DateOrder` sorts them by the day they settle (stable, so one day
keeps input order) and fills the settlement columns; :func:`derive_settlements`
reports what they show (overpaid invoices, settlements before issue).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import numpy.typing as npt

from creditkpi.core.columns import Columns
from creditkpi.core.errors import (
    DataQualityWarning,
)
from creditkpi.core.ingest.ids import (
    Later,
)
from creditkpi.core.ingest.text import chunks
from creditkpi.core.validation import ValidationIssue, ValidationReport

__all__ = [
    "DateOrder",
    "derive_settlements",
    "gather",
    "settled_per_invoice",
    "stable_order",
    "warn_issue",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def stable_order(keys: IntArray) -> IntArray:
    """``argsort(keys, kind="stable")`` of integers, by radix passes of 16 bits.

    numpy sorts 16-bit keys by radix: one pass when the keys span < 2**16
    (the settlements' dates), two when they span < 2**32 (invoice
    positions: about 1.5 times as fast as a comparison sort on 13.5M
    settlements), a comparison sort beyond.
    """
    if keys.size == 0:
        return np.argsort(keys, kind="stable")
    first = int(keys.min())
    span = int(keys.max()) - first
    if span >= 2**32:
        return np.argsort(keys, kind="stable")
    digit = np.empty(keys.size, dtype=np.uint16)
    for start, stop in chunks(keys.size):  # the low 16 bits (unsafe casting wraps)
        np.subtract(keys[start:stop], first, out=digit[start:stop], casting="unsafe")
    low = np.argsort(digit, kind="stable")
    if span < 2**16:
        return low
    high = ((keys[low] - first) >> 16).astype(np.uint16)
    return np.asarray(low[np.argsort(high, kind="stable")], dtype=np.int64)


class DateOrder:
    """The settlement columns in date order (stable), built in two steps.

    Sorting is a few random gathers of ``m`` values each, the costliest memory
    traffic of ingestion. The first step (here, while the ids are still being
    matched on worker threads) sorts what needs no invoice: the order itself
    (``settlement_row``), the dates (from the sorted day counts, no gather),
    amounts and kinds. :meth:`finish` gathers the invoice, the customer and
    each settlement's age against its invoice, on two threads. Gathers read
    32-bit copies wherever the numbers fit and write chunk by chunk into the
    final columns (:func:`gather`): no full-size temporary.
    """

    def __init__(
        self, days: IntArray, amount: IntArray, kind: npt.NDArray[np.int8], threaded: bool
    ):
        m = days.shape[0]
        self.threaded = threaded
        self.order = stable_order(days)
        if m and int(days.max()) - int(days.min()) < 2**16:
            first = int(days.min())
            counts = np.bincount(days - first)
            self.days = np.repeat(np.arange(first, first + counts.size, dtype=np.int64), counts)
        else:
            self.days = days[self.order]
        self.amount = gather(_narrow(amount), self.order, np.int64)
        self.kind = gather(kind, self.order, np.int8)

    def finish(
        self, c: Columns, ppos: IntArray, unapplied: BoolArray, unapplied_customer: IntArray
    ) -> None:
        n, m = c.n_invoices, self.order.shape[0]
        order = self.order
        c.settlement_row = order
        c.settlement_date = self.days
        c.settlement_amount = self.amount
        c.settlement_kind = self.kind
        has_unapplied = bool(unapplied.any())
        where = np.where(unapplied, -1, ppos) if has_unapplied else ppos
        c.settlement_invoice = gather(_narrow(where, low=-1), order, np.int64)
        inv = c.settlement_invoice
        if n == 0 or m == 0:  # no invoices: every settlement is unapplied cash
            c.settlement_customer = _scatter_unapplied(m, unapplied, unapplied_customer)[order]
            c.settlement_age_days = np.zeros(m, dtype=np.int32)
            c.settlement_days_past_due = np.zeros(m, dtype=np.int32)
            return
        safe = np.maximum(inv, 0) if has_unapplied else inv

        def customers() -> IntArray:
            if has_unapplied:
                scust = _scatter_unapplied(m, unapplied, unapplied_customer)
                applied = ~unapplied
                scust[applied] = c.customer[ppos[applied]]
                return scust[order]
            return gather(_narrow(c.customer), inv, np.int64)

        def ages() -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
            """Settlement day minus issue day and minus due day: one random read per row."""
            since_issue = np.empty(m, dtype=np.int32)
            past_due = np.empty(m, dtype=np.int32)
            if _fits_int32(c.issue) and _fits_int32(c.due):
                # both days of an invoice in one 64-bit word: one gather for the two
                pair = np.empty((n, 2), dtype=np.int32)
                pair[:, 0], pair[:, 1] = c.issue, c.due
                words = pair.view(np.int64).reshape(n)
                for start, stop in chunks(m):
                    read = words[safe[start:stop]].view(np.int32).reshape(-1, 2)
                    day = self.days[start:stop]
                    since_issue[start:stop] = day - read[:, 0]
                    past_due[start:stop] = day - read[:, 1]
            else:
                for start, stop in chunks(m):
                    where, day = safe[start:stop], self.days[start:stop]
                    since_issue[start:stop] = day - c.issue[where]
                    past_due[start:stop] = day - c.due[where]
            if has_unapplied:
                since_issue[inv < 0] = 0
                past_due[inv < 0] = 0
            return since_issue, past_due

        by_customer = Later(self.threaded, customers)
        c.settlement_age_days, c.settlement_days_past_due = ages()
        c.settlement_customer = by_customer.result()


def _fits_int32(values: npt.NDArray[Any]) -> bool:
    return bool(values.size == 0 or (values.min() >= -(2**31) and values.max() < 2**31))


def _narrow(values: npt.NDArray[Any], low: int = 0) -> npt.NDArray[Any]:
    """A 32-bit copy of ``values`` when they fit (random gathers then move half the bytes)."""
    if values.dtype.itemsize <= 4 or values.size == 0:
        return values
    if int(values.min()) >= max(low, -(2**31)) and int(values.max()) < 2**31:
        return values.astype(np.int32)
    return values


def gather(source: npt.NDArray[Any], index: IntArray, dtype: Any) -> npt.NDArray[Any]:
    """``source[index]`` as ``dtype``, written chunk by chunk (bounded temporaries)."""
    out = np.empty(index.shape[0], dtype=dtype)
    for start, stop in chunks(index.shape[0]):
        out[start:stop] = source[index[start:stop]]
    return out


def settled_per_invoice(c: Columns, index: IntArray, amount: IntArray) -> IntArray:
    """Per invoice, the sum of its settlements (index ``n``: unapplied cash, left out)."""
    n = c.n_invoices
    if not c.exact_float:
        return c.bin_sum(index, amount, n + 1)[:n]
    if index.size == 0:
        return np.zeros(n, dtype=np.int64)
    total = np.bincount(index, weights=amount, minlength=n + 1)[:n]
    np.rint(total, out=total)
    return total.astype(np.int64)


def _scatter_unapplied(m: int, unapplied: BoolArray, customer: IntArray) -> IntArray:
    out = np.full(m, -1, dtype=np.int64)
    out[unapplied] = customer
    return out


def derive_settlements(c: Columns, report: ValidationReport) -> None:
    """The two warning rules, on the columns the builder made."""
    over = c.settled > c.amount
    if over.any():
        where = np.flatnonzero(over)
        warn_issue(
            report,
            "overpaid-invoice",
            "invoices",
            "amount",
            f"{where.size} invoice(s) are settled for more than their amount",
            c.invoice_ids[where],
            where,
        )
    early = c.settlement_age_days < 0
    c.settled_before_issue = np.flatnonzero(early)
    if c.settled_before_issue.size:
        where = c.settled_before_issue
        warn_issue(
            report,
            "settlement-before-issue",
            "payments",
            "date",
            f"{where.size} settlement(s) are dated before their invoice's issue date "
            "(they count from the issue date)",
            c.invoice_ids[c.settlement_invoice[where]],
            c.settlement_row[where],
        )


def warn_issue(
    report: ValidationReport,
    rule: str,
    table: str,
    column: str,
    message: str,
    ids: npt.NDArray[Any],
    rows: npt.NDArray[Any],
) -> None:
    issue = ValidationIssue(
        rule, table, column, message, tuple(ids.tolist()), tuple(int(r) for r in rows)
    )
    report.issues.append(issue)
    warnings.warn(f"{issue} — see Ledger.report", DataQualityWarning, stacklevel=6)
