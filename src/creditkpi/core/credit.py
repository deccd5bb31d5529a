"""Credit limits and insurance cover per customer at a date: the kernel of exposure and cover.

:func:`credit_position` gives, for every customer of a ledger at the end of
day T, its exposure (open receivables, unapplied credits netted or not), its
credit limit, its insurer's cover and what of it is covered, and the open
balance of its insured invoices past (or near) their declaration deadline.
The limit KPIs, the ``credit_exposure`` table and the payer profiles read it
(:mod:`creditkpi.metrics.limits`, :mod:`creditkpi.metrics.profiles`); every
figure is one customer's, so a ledger split by customer gives the same rows.

Conventions (see the *Limits and cover* page):

* **exposure** ``E_c(T) = max(0, Σ B_i(T) - unapplied credit)`` (``net``,
  the default) or ``max(0, Σ B_i(T))`` (``gross``): a customer in credit
  has no exposure, and its credit does not offset another customer's risk;
* **limit** ``L_c(T)``: the last :class:`~creditkpi.CreditLimit` dated on or
  before T (none: no limit); ``over_limit = max(0, E - L)``;
* **cover**: the covers active at T (``start <= T <= end``), stacked in the
  order they started (a second insurer's cover is a top-up above the first:
  layer k covers the exposure between the amounts of the layers before it
  and those plus its own); ``covered = Σ_k round(share_k × layer_k)``
  (half up, to the minor unit), so ``covered <= E``;
* an **insured invoice** is an open invoice (balance > 0) of a customer with
  an active cover that has a declaration deadline, issued on or after that
  cover's start; its deadline is ``due + declare_within`` (the shortest of
  those covers'); it is **past** it at T when ``T > deadline``, and **due
  soon** when ``T <= deadline <= T + 15``.

On a ledger translated at closing rates (:meth:`~creditkpi.Ledger.translate`)
the exposure is a position like the receivables: each open item at the
closing rate of T (IAS 21.23), read from
:func:`~creditkpi.core.fx.translate.closing_view`; limits and cover amounts
are in the reporting currency.

Only customers **at T** count: those with an invoice issued, or a credit
received, on or before T (a limit granted to a customer with no event yet
has nothing to measure).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.engine import Snapshot, balances, unapplied_balance
from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.fx.translate import closing_view
from creditkpi.core.groups import Groups, group_codes
from creditkpi.core.ledger import Ledger
from creditkpi.core.period import from_day

__all__ = [
    "DEADLINE_WARNING_DAYS",
    "SHARE_SCALE",
    "CreditPosition",
    "Unapplied",
    "check_unapplied",
    "credit_position",
    "customer_groups",
    "customer_ranks",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

Unapplied = Literal["net", "gross"]

#: a cover share in millionths (900000 = 90 %)
SHARE_SCALE = 1_000_000
#: days ahead in which an insured invoice's declaration deadline is "due soon"
DEADLINE_WARNING_DAYS = 15

_INT64_SAFE = 2**62


def check_unapplied(unapplied: object) -> Unapplied:
    """``unapplied`` is ``"net"`` or ``"gross"`` (the message lists both)."""
    if unapplied not in ("net", "gross"):
        raise InvalidOptionError(
            f"unapplied must be 'net' (unapplied credits netted) or 'gross', got {unapplied!r}",
            argument="unapplied",
        )
    return "net" if unapplied == "net" else "gross"


@dataclass(frozen=True)
class CreditPosition:
    """Every customer's credit figures at one date, in the order of the ``customer_id`` groups.

    Money in minor units (int64). ``present`` marks the customers at T (an
    invoice issued or a credit received on or before T); the other rows are 0.
    """

    present: BoolArray
    exposure: IntArray
    limit: IntArray  # 0 where there is none
    has_limit: BoolArray
    cover_limit: IntArray  # Σ amounts of the active covers
    insured: IntArray  # number of active covers
    covered: IntArray
    past_deadline: IntArray
    deadline_soon: IntArray

    @property
    def over_limit(self) -> IntArray:
        """``max(0, E - L)`` of the customers with a limit (0 elsewhere)."""
        return np.where(self.has_limit, np.maximum(self.exposure - self.limit, 0), 0)


def customer_ranks(ledger: Ledger) -> IntArray:
    """Position of each customer code of the ledger in the ``customer_id`` groups."""
    c = ledger._cols
    labels = group_codes(ledger, "customer_id").labels
    return np.asarray(labels.get_indexer(pd.Index(c.customer_labels)), dtype=np.int64)


def _first_days(ledger: Ledger, rank: IntArray, size: int) -> IntArray:
    """Per customer, the first day it has an invoice issued or a settlement posted."""
    c = ledger._cols
    first = np.full(size, np.iinfo(np.int64).max, dtype=np.int64)
    if c.n_invoices:
        np.minimum.at(first, rank[c.customer], c.issue)
    if c.n_settlements:
        posted = c.settlement_date if c.settlement_posted is None else c.settlement_posted
        np.minimum.at(first, rank[c.settlement_customer], posted)
    return first


def _limits_at(ledger: Ledger, day: int, rank: IntArray, size: int) -> tuple[IntArray, BoolArray]:
    """Per customer, the last limit dated on or before ``day``, and whether it has one."""
    c = ledger._cols
    limit = np.zeros(size, dtype=np.int64)
    has = np.zeros(size, dtype=bool)
    rows = np.flatnonzero(c.limit_date <= day)
    if rows.size:
        # rows are sorted by customer then date: the last one of each customer wins
        who = rank[c.limit_customer[rows]]
        last = np.full(size, -1, dtype=np.int64)
        np.maximum.at(last, who, rows)
        chosen = np.flatnonzero(last >= 0)
        limit[chosen] = c.limit_amount[last[chosen]]
        has[chosen] = True
    return limit, has


def _scaled(amount: IntArray, share: IntArray) -> IntArray:
    """``round(amount × share / SHARE_SCALE)``, half up, exactly (amounts >= 0)."""
    if amount.size == 0:
        return np.zeros(0, dtype=np.int64)
    if int(amount.max(initial=0)) * SHARE_SCALE < _INT64_SAFE:
        return np.asarray((amount * share + SHARE_SCALE // 2) // SHARE_SCALE, dtype=np.int64)
    out = [
        (int(a) * int(q) + SHARE_SCALE // 2) // SHARE_SCALE
        for a, q in zip(amount.tolist(), share.tolist(), strict=True)
    ]
    return np.asarray(out, dtype=np.int64)


def _cover_at(
    ledger: Ledger, day: int, rank: IntArray, exposure: IntArray
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Per customer: cover amounts, active covers, covered amount; and the active covers' rows."""
    c = ledger._cols
    size = exposure.size
    cover_limit = np.zeros(size, dtype=np.int64)
    insured = np.zeros(size, dtype=np.int64)
    covered = np.zeros(size, dtype=np.int64)
    active = np.flatnonzero((c.cover_start <= day) & (day <= c.cover_end))
    if active.size == 0:
        return cover_limit, insured, covered, active
    who = rank[c.cover_customer[active]]
    # layers in the order the covers started (rows are sorted by customer, start, input)
    order = np.lexsort((active, c.cover_start[active], who))
    active, who = active[order], who[order]
    amount = c.cover_amount[active]
    np.add.at(cover_limit, who, amount)
    np.add.at(insured, who, 1)
    running = np.cumsum(amount)
    first = np.concatenate([[True], who[1:] != who[:-1]])
    starts = np.flatnonzero(first)
    base = np.repeat(running[starts] - amount[starts], np.diff([*starts, who.size]))
    below = running - amount - base  # the layers of the same customer before this one
    layer = np.clip(exposure[who] - below, 0, amount)
    np.add.at(covered, who, _scaled(layer, c.cover_share[active]))
    return cover_limit, insured, covered, active


def _deadlines(
    ledger: Ledger, day: int, rank: IntArray, snap: Snapshot, active: IntArray
) -> tuple[IntArray, IntArray]:
    """Per customer: open balance of insured invoices past their deadline, and due within 15 days."""
    c = ledger._cols
    size = rank.size
    balance = snap.balance
    past = np.zeros(size, dtype=np.int64)
    soon = np.zeros(size, dtype=np.int64)
    with_deadline = active[c.cover_declare[active] >= 0]
    open_inv = np.flatnonzero(snap.issued & (balance > 0))
    if with_deadline.size == 0 or open_inv.size == 0:
        return past, soon
    # pairs (open invoice, active cover of its customer with a deadline)
    cover_cust = c.cover_customer[with_deadline]
    order = np.argsort(cover_cust, kind="stable")
    with_deadline, cover_cust = with_deadline[order], cover_cust[order]
    inv_cust = c.customer[open_inv]
    lo = np.searchsorted(cover_cust, inv_cust, side="left")
    hi = np.searchsorted(cover_cust, inv_cust, side="right")
    count = hi - lo
    inv = np.repeat(open_inv, count)
    offset = np.arange(inv.size) - np.repeat(np.cumsum(count) - count, count)
    cov = with_deadline[np.repeat(lo, count) + offset]
    insured = c.issue[inv] >= c.cover_start[cov]
    inv, cov = inv[insured], cov[insured]
    deadline = np.full(c.n_invoices, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(deadline, inv, c.due[inv] + c.cover_declare[cov])
    chosen = np.unique(inv)
    when = deadline[chosen]
    who = rank[c.customer[chosen]]
    is_past = day > when
    is_soon = ~is_past & (when <= day + DEADLINE_WARNING_DAYS)
    np.add.at(past, who[is_past], balance[chosen][is_past])
    np.add.at(soon, who[is_soon], balance[chosen][is_soon])
    return past, soon


def credit_position(ledger: Ledger, day: int, *, unapplied: Unapplied = "net") -> CreditPosition:
    """Every customer's exposure, limit and cover at the end of ``day`` (a day number).

    Examples
    --------
    >>> import creditkpi as ck
    >>> from datetime import date
    >>> from creditkpi.core.period import to_day
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "A", "2024-01-05", "2024-02-04", "1000.00")],
    ...     limits=[ck.CreditLimit("A", "2024-01-01", "800")],
    ...     cover=[ck.Cover("A", "2024-01-01", "600", share="0.9")])
    >>> p = credit_position(ledger, to_day(date(2024, 2, 29)))
    >>> p.exposure.tolist(), p.over_limit.tolist(), p.covered.tolist()
    ([100000], [20000], [54000])
    """
    # a position: on a ledger translated at closing rates, its items at the rates of ``day``
    ledger = closing_view(ledger, int(day))
    c = ledger._cols
    check_unapplied(unapplied)
    groups = group_codes(ledger, "customer_id")
    size = groups.size
    rank = customer_ranks(ledger)
    snap = balances(ledger, from_day(day))
    owed = c.bin_sum(groups.invoice, np.where(snap.issued, snap.balance, 0), size)
    if unapplied == "net":
        owed = owed - unapplied_balance(ledger, np.asarray([day], dtype=np.int64), groups)[0]
    present = _first_days(ledger, rank, size) <= day
    exposure = np.where(present, np.maximum(owed, 0), 0)
    limit, has_limit = _limits_at(ledger, day, rank, size)
    has_limit &= present
    limit = np.where(has_limit, limit, 0)
    cover_limit, insured, covered, active = _cover_at(ledger, day, rank, exposure)
    past, soon = _deadlines(ledger, day, rank, snap, active)
    keep = present.astype(np.int64)
    return CreditPosition(
        present=present,
        exposure=exposure,
        limit=limit,
        has_limit=has_limit,
        cover_limit=cover_limit * keep,
        insured=insured * keep,
        covered=covered * keep,
        past_deadline=past * keep,
        deadline_soon=soon * keep,
    )


def customer_groups(ledger: Ledger, groups: Groups, day: int) -> IntArray:
    """The group of each customer (``customer_id`` order) for customer-level figures at ``day``.

    Not grouped: 0; by customer: itself; by an invoice attribute: the value
    of its latest invoice issued on or before ``day`` (ties: the later
    row), else the group of its unapplied cash; -1 for a customer with
    neither.
    """
    c = ledger._cols
    size = group_codes(ledger, "customer_id").size
    if groups.name == "all":
        return np.zeros(size, dtype=np.int64)
    if groups.name == "customer_id":
        return np.arange(size, dtype=np.int64)
    rank = customer_ranks(ledger)
    out = np.full(size, -1, dtype=np.int64)
    unapplied = np.flatnonzero(c.settlement_invoice < 0)
    out[rank[c.settlement_customer[unapplied]]] = groups.settlement[unapplied]
    issued = np.flatnonzero(c.issue <= day)
    if issued.size:
        # latest issue date last (then the later row): the last assignment wins
        order = issued[np.lexsort((issued, c.issue[issued]))]
        out[rank[c.customer[order]]] = groups.invoice[order]
    return out


def grouped(values: npt.NDArray[Any], codes: IntArray, size: int) -> IntArray:
    """Sum customer values into their groups (customers of code -1 left out)."""
    keep = codes >= 0
    acc = np.zeros(size, dtype=np.int64)
    np.add.at(acc, codes[keep], np.asarray(values, dtype=np.int64)[keep])
    return acc


__all__ += ["grouped"]
