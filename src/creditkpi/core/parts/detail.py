"""Detail tables at a date: open disputes by reason, receivables by dunning status,
balances per customer, the cohort matrices.

Each is additive over disjoint customers (frames indexed by ``(group, ...)``
whose rows add up, or arrays), so a summary of partitions carries them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.engine import balances, cumulative, position, settled_day, status_at
from creditkpi.core.fx.translate import closing_view, historical_view, native_view
from creditkpi.core.groups import Groups, group_codes
from creditkpi.core.ledger import CREDIT_NOTE, NO_END, PAYMENT, Ledger
from creditkpi.core.period import from_day

__all__ = [
    "COHORT_STEP",
    "CohortParts",
    "cohort_bucket",
    "cohort_bucket_end",
    "cohort_label",
    "cohort_parts",
    "customer_parts",
    "fx_positions",
    "reason_parts",
    "status_parts",
    "top_order",
]

IntArray = npt.NDArray[np.int64]


def reason_parts(ledger: Ledger, day: int, groups: Groups) -> pd.DataFrame:
    """Open disputes at ``day`` by (group, reason): ``count`` and ``amount``.

    ``count``: open disputes with that reason (every dispute, including one on
    an invoice already paid). ``amount``: open balance of the disputed
    invoices, each invoice counted **once**, under the reason of its
    earliest-opened open dispute (ties: the reason first in alphabetical
    order). Indexed by ``(group, reason)``; additive over disjoint customers.
    """
    c = ledger._cols
    snap = balances(ledger, from_day(day))
    live = np.flatnonzero(
        (c.dispute_opened <= day) & (c.dispute_resolved > day) & snap.issued[c.dispute_invoice]
    )
    inv = c.dispute_invoice[live]
    codes, uniques = pd.factorize(pd.Series(c.dispute_reason[live], dtype=object), sort=True)
    codes = np.asarray(codes, dtype=np.int64)
    labels = [str(u) for u in uniques]
    r = len(labels)
    group = groups.invoice[inv]
    count = np.bincount(group * r + codes, minlength=groups.size * r)
    order = np.lexsort((codes, c.dispute_opened[live], inv))
    _, first = np.unique(inv[order], return_index=True)
    pick = order[first]
    amount = c.bin_sum(group[pick] * r + codes[pick], snap.balance[inv[pick]], groups.size * r)
    index = pd.MultiIndex.from_product([groups.labels, labels], names=["group", "reason"])
    frame = pd.DataFrame({"count": count.astype(np.int64), "amount": amount}, index=index)
    return frame[(frame["count"] > 0) | (frame["amount"] != 0)]


def status_parts(ledger: Ledger, day: int, groups: Groups) -> pd.DataFrame:
    """Open invoices at ``day`` by (group, dunning status): ``amount`` and ``invoices``.

    The status of an invoice is its last status event dated on or before T,
    else ``"none"``. Indexed by ``(group, status)``; additive.
    """
    c = ledger._cols
    snap = balances(ledger, from_day(day))
    live = snap.open
    status = status_at(ledger, day)[live]
    codes, uniques = pd.factorize(pd.Series(status, dtype=object), sort=True)
    codes = np.asarray(codes, dtype=np.int64)
    labels = [str(u) for u in uniques]
    r = len(labels)
    group = groups.invoice[live]
    amount = c.bin_sum(group * r + codes, snap.balance[live], groups.size * r)
    count = np.bincount(group * r + codes, minlength=groups.size * r)
    index = pd.MultiIndex.from_product([groups.labels, labels], names=["group", "status"])
    frame = pd.DataFrame({"amount": amount, "invoices": count.astype(np.int64)}, index=index)
    return frame[frame["invoices"] > 0]


def fx_positions(ledger: Ledger, day: int, groups: Groups) -> pd.DataFrame:
    """Open invoices at ``day`` by (group, transaction currency): the exchange exposure.

    Columns: ``open`` (the balances in their own currency, in its minor
    units), ``historical`` (each at its invoice's issue date rate) and
    ``closing`` (at the closing rate of ``day``), both in the reporting
    currency's minor units, and ``invoices``. A ledger not translated at
    closing rates has no difference: the three are its balances. Indexed by
    ``(group, currency)``; additive over disjoint customers.
    """
    native = native_view(ledger)
    c = native._cols
    when = from_day(day)
    own = balances(native, when)
    live = own.open
    history = balances(historical_view(ledger), when).balance
    closing = balances(closing_view(ledger, day), when).balance
    k = len(c.currencies)
    code = c.invoice_currency[live].astype(np.int64)
    cell = groups.invoice[live] * k + code
    size = groups.size * k
    # each balance in its own currency's minor unit (held at the ledger's finest)
    step = c.currency_steps
    frame = pd.DataFrame(
        {
            "open": c.bin_sum(cell, own.balance[live] // step[code], size),
            "historical": c.bin_sum(cell, history[live], size),
            "closing": c.bin_sum(cell, closing[live], size),
            "invoices": np.bincount(cell, minlength=size).astype(np.int64),
        },
        index=pd.MultiIndex.from_product(
            [groups.labels, list(c.currencies)], names=["group", "currency"]
        ),
    )
    return frame[frame["invoices"] > 0]


def customer_parts(
    ledger: Ledger, day: int, *, top: int | None = None, by: str = "balance"
) -> pd.DataFrame:
    """Balance, overdue part and open invoices per customer at ``day``.

    Customers with a zero balance are left out; with ``top``, only the
    ``top`` largest balances (ties by customer id). Indexed by
    ``customer_id``, sorted by balance descending then id: the order of
    :func:`creditkpi.top_customers`. The top N of a union of ledgers with
    disjoint customers is the top N of their tops. ``by="overdue"`` keeps
    and sorts by the overdue part instead (then the balance, then the id),
    leaving out the customers with nothing overdue.
    """
    groups = group_codes(ledger, "customer_id")
    frame = position(ledger, [from_day(day)], by="customer_id", method="snapshot")
    bal = frame["receivables"].to_numpy(dtype=np.int64)
    late = frame["overdue"].to_numpy(dtype=np.int64)
    count = frame["open_invoices"].to_numpy(dtype=np.int64)
    labels = np.asarray(groups.labels, dtype=object)
    keep = np.flatnonzero(bal != 0) if by == "balance" else np.flatnonzero(late > 0)
    text = np.asarray([str(v) for v in labels[keep]], dtype=object)
    order = keep[top_order(text, bal[keep], late[keep], by)]
    if top is not None:
        order = order[:top]
    return pd.DataFrame(
        {"balance": bal[order], "overdue": late[order], "invoices": count[order]},
        index=pd.Index(labels[order], name="customer_id", dtype=object),
    )


def top_order(ids: Any, balance: Any, overdue: Any, by: str) -> IntArray:
    """The order of a top-customers table: largest ``by`` first, then balance, then id."""
    keys: list[Any] = [ids, -np.asarray(balance, dtype=np.int64)]
    if by == "overdue":
        keys.append(-np.asarray(overdue, dtype=np.int64))
    return np.asarray(np.lexsort(keys), dtype=np.int64)


#: calendar months per cohort period
COHORT_STEP = {"month": 1, "quarter": 3, "year": 12}
_EPOCH = np.datetime64("1970-01-01", "D")


def cohort_bucket(days: IntArray, step: int) -> IntArray:
    """Cohort period number of day numbers: months (or quarters, years) since 1970-01."""
    months = (_EPOCH + days).astype("datetime64[M]").astype(np.int64)
    return np.asarray(months // step, dtype=np.int64)


def cohort_bucket_end(buckets: IntArray, step: int) -> IntArray:
    """Day number of the last day of each cohort period."""
    nxt = ((buckets + 1) * step).astype("datetime64[M]").astype("datetime64[D]")
    return np.asarray((nxt - _EPOCH).astype(np.int64) - 1, dtype=np.int64)


@dataclass(frozen=True)
class CohortParts:
    """Additive parts of the cohort table at one as-of date.

    Attributes
    ----------
    buckets : ndarray of int64
        Cohort period numbers (months, quarters or years since 1970), sorted.
    n_ages : int
        Ages complete at the as-of date (columns of the table).
    invoiced, invoices : ndarray of int64
        Per cohort: the amount invoiced and the number of invoices.
    collected, settled : ndarray of int64
        ``(cohort, age)``: cash and credit notes settled on the cohort's
        invoices by the end of period ``cohort + age``, and how many of its
        invoices are fully settled by then (0 where the age is not complete).
    """

    buckets: IntArray
    n_ages: int
    invoiced: IntArray
    invoices: IntArray
    collected: IntArray
    settled: IntArray


def cohort_parts(ledger: Ledger, day: int, step: int) -> CohortParts:
    """The cohort table's parts at ``day`` (cohorts of ``step`` months).

    A cohort is the set of invoices issued in one period; cell ``(c, k)`` sums
    what was settled (cash and credit notes; write-offs are not collection)
    by the end of period ``c + k``, for the ages ended on or before ``day``.
    """
    c = ledger._cols
    issued = np.flatnonzero(c.issue <= day)
    inv_bucket = cohort_bucket(c.issue[issued], step)
    buckets = np.unique(inv_bucket)
    now = int(cohort_bucket(np.asarray([day], dtype=np.int64), step)[0])
    last_done = now if int(cohort_bucket_end(np.asarray([now]), step)[0]) == day else now - 1
    n_ages = max(0, last_done - int(buckets[0]) + 1) if buckets.size else 0
    n = int(buckets.size)
    empty = np.zeros((n, n_ages), dtype=np.int64)
    if n == 0 or n_ages == 0:
        zeros = np.zeros(n, dtype=np.int64)
        return CohortParts(buckets, n_ages, zeros, zeros, empty, empty.copy())
    code = np.full(c.n_invoices, -1, dtype=np.int64)
    code[issued] = np.searchsorted(buckets, inv_bucket)
    grid = cohort_bucket_end(buckets[0] + np.arange(n_ages, dtype=np.int64), step)
    keep = (c.settlement_invoice >= 0) & np.isin(c.settlement_kind, (PAYMENT, CREDIT_NOTE))
    inv = c.settlement_invoice[keep]
    group = code[inv]
    mine = group >= 0
    inv = inv[mine]
    event_day = np.maximum(c.settlement_date[keep][mine], c.issue[inv])
    amounts = cumulative(ledger, event_day, c.settlement_amount[keep][mine], group[mine], n, grid)
    done = settled_day(ledger, (PAYMENT, CREDIT_NOTE))[issued]
    closed = done < NO_END
    ones = np.ones(int(closed.sum()), dtype=np.int64)
    counts = cumulative(ledger, done[closed], ones, code[issued][closed], n, grid)
    invoiced = c.bin_sum(code[issued], c.amount[issued], n)
    invoices = np.bincount(code[issued], minlength=n).astype(np.int64)
    # row c, age k reads the grid point of period (cohort c) + k
    offset = buckets - buckets[0]
    pos = offset[:, None] + np.arange(n_ages, dtype=np.int64)[None, :]
    valid = pos < n_ages
    rows = np.broadcast_to(np.arange(n)[:, None], pos.shape)
    collected = np.where(valid, amounts[np.where(valid, pos, 0), rows], 0)
    settled = np.where(valid, counts[np.where(valid, pos, 0), rows], 0)
    return CohortParts(buckets, n_ages, invoiced, invoices, collected, settled)


def cohort_label(bucket: int, step: int) -> str:
    """Label of a cohort period: ``2024-01``, ``2024-Q1`` or ``2024``."""
    first = int(bucket) * step
    year, month = 1970 + first // 12, first % 12 + 1
    if step == 1:
        return f"{year:04d}-{month:02d}"
    if step == 3:
        return f"{year:04d}-Q{(month - 1) // 3 + 1}"
    return f"{year:04d}"
