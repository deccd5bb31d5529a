"""Additive parts of every KPI, per (as-of date or period, group), computed once.

Every KPI of the library is a function of a few **additive** building blocks:
sums and counts per group at an as-of date or over a period. Two ledgers with
disjoint customers give parts that add up to the parts of their union. The
metric functions, the dashboard and :mod:`creditkpi.distributed` all read
these parts and finish them with the same formula (see
:mod:`creditkpi.registry`), so every path gives the same answer.

* :func:`snapshot_parts` -- at as-of dates: receivables, overdue, current,
  aging buckets, open invoices, unapplied cash, disputed and doubtful
  receivables, provisions; :func:`money_at` and :func:`ratio_at` shape one
  part, or a ratio of two, as a KPI result;
* :func:`period_parts` -- over periods: sales and cash flows, the snapshot
  parts at the period's start (``_start``, as of ``start - 1``) and end
  (``_end``), payment-delay sums, the recovery target sums and the activation
  counts;
* :func:`countback_months` -- the calendar months of sales walked back by
  the countback DSO;
* :func:`reason_parts`, :func:`status_parts`, :func:`customer_parts`,
  :func:`cohort_parts` -- the detail tables (open disputes by reason,
  receivables by dunning status, balances per customer, cohort matrices).

Money is int64 minor units, days are day numbers; every array is shaped
``(keys, groups)``. :data:`PARTS` documents each name.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import (
    Money,
    MoneyResult,
    RatioResult,
    as_dates,
    date_index,
    shape_money,
    shape_values,
)
from creditkpi.core.engine import (
    FLOW_COLUMNS,
    balances,
    cumulative,
    doubtful_at,
    flows,
    interval_balance,
    position,
    recovery_targets,
    settled_by,
    settled_day,
    settlement_window,
    status_at,
)
from creditkpi.core.engine.position import Basis, bucket_index, bucket_labels
from creditkpi.core.errors import CreditKPIError, DataEndsWarning, InvalidOptionError
from creditkpi.core.groups import Groups, group_codes
from creditkpi.core.ledger import CREDIT_NOTE, NO_END, PAYMENT, Ledger
from creditkpi.core.period import Period, from_day, month_end, to_day

__all__ = [
    "PARTS",
    "CohortParts",
    "check_exact",
    "cohort_parts",
    "countback_months",
    "customer_parts",
    "money_at",
    "period_parts",
    "ratio_at",
    "reason_parts",
    "snapshot_parts",
    "status_parts",
    "warn_after_data",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: every part by name: (where it is computed, unit, meaning)
PARTS: Mapping[str, tuple[Literal["snapshot", "period"], str, str]] = {
    # at an as-of date T
    "receivables": ("snapshot", "money", "R(T): Σ B_i(T) over invoices issued <= T"),
    "overdue": ("snapshot", "money", "Σ B_i(T) over invoices at least one day past due"),
    "current": ("snapshot", "money", "R(T) - Overdue(T)"),
    "open_invoices": ("snapshot", "count", "issued invoices with a non-zero balance"),
    "unapplied": ("snapshot", "money", "unapplied cash received <= T (not part of R(T))"),
    "disputed": ("snapshot", "money", "Σ B_i(T) over invoices under an open dispute"),
    "doubtful": ("snapshot", "money", "Σ B_i(T) over invoices doubtful at T"),
    "provisions": ("snapshot", "money", "provisions held on doubtful invoices still open"),
    # over a period P
    "days": ("period", "days", "days(P), calendar days of the period"),
    "invoiced": ("period", "money", "Σ A_i over invoices issued in P"),
    "credit_notes": ("period", "money", "credit notes dated in P"),
    "sales": ("period", "money", "S(P) = invoiced - credit notes"),
    "cash": ("period", "money", "C(P): cash payments dated in P, applied or unapplied"),
    "applied_cash": ("period", "money", "cash payments dated in P applied to an invoice"),
    "unapplied_cash": ("period", "money", "unapplied cash received in P"),
    "write_offs": ("period", "money", "write-offs dated in P"),
    "n_invoices": ("period", "count", "invoices issued in P"),
    "paid": ("period", "money", "cash applied to invoices in P (payment delays)"),
    "payments": ("period", "count", "number of those payments"),
    "paid_late": ("period", "money", "the part of it paid at least one day after due"),
    "paid_days_to_pay": ("period", "money×days", "Σ amount × (payment date - issue date)"),
    "paid_days_late": ("period", "money×days", "Σ amount × max(0, payment date - due date)"),
    "doubtful_change": ("period", "money", "Doubtful(end) - Doubtful(start - 1)"),
    "recovery_invoices": ("period", "count", "invoices of the recovery target set"),
    "recovery_total": ("period", "money", "Σ B_i(start - 1) over the target set"),
    "recovery_collected": ("period", "money", "settlements in [start, d] on the target set"),
    "recovery_remaining": ("period", "money", "Σ B_i(d) over the target set"),
    "customers_in_progress": ("period", "count", "customers holding a target invoice"),
    "customers_activated": ("period", "count", "of them, with a cash payment in [start, d]"),
    "invoices_in_progress": ("period", "count", "target invoices"),
    "invoices_activated": ("period", "count", "of them, with a cash payment in [start, d]"),
    "activation_payments": ("period", "count", "cash payments in [start, d] on target invoices"),
    "activation_collected": ("period", "money", "their amount"),
}

#: snapshot parts also available at a period's start (``_start``) and end (``_end``)
EDGE_PARTS = (
    "receivables",
    "overdue",
    "current",
    "unapplied",
    "disputed",
    "doubtful",
    "provisions",
)

#: magnitude an int64 sum of parts may reach (one bit of headroom under 2**63)
_INT64_SAFE = 2**62

_DELAY_PARTS = ("paid", "payments", "paid_late", "paid_days_to_pay", "paid_days_late")
_RECOVERY_PARTS = (
    "recovery_invoices",
    "recovery_total",
    "recovery_collected",
    "recovery_remaining",
)
_ACTIVATION_PARTS = (
    "customers_in_progress",
    "customers_activated",
    "invoices_in_progress",
    "invoices_activated",
    "activation_payments",
    "activation_collected",
)


class TotalTooLargeError(CreditKPIError):
    """A total cannot be held exactly in 64-bit integers."""

    rule = "total-too-large"


def check_exact(bound: int, what: str) -> None:
    """Raise :class:`TotalTooLargeError` when ``bound`` exceeds what int64 sums hold exactly."""
    if bound >= _INT64_SAFE:
        raise TotalTooLargeError(
            f"{what} would exceed 2**62 minor units and cannot be computed exactly "
            "(split the ledger, or check the amounts' scale)",
            column="amount",
        )


# ----------------------------------------------------------------------------------
# the end of the data
# ----------------------------------------------------------------------------------

#: set while a part computes other parts: what it asked for was already checked
_CHECKED: ContextVar[bool] = ContextVar("creditkpi_data_end_checked", default=False)


def warn_after_data(ledger: Ledger, last_asked: int) -> None:
    """:class:`~creditkpi.DataEndsWarning` when a KPI asks for a day after the data ends.

    Called where as-of days and periods enter the parts (:func:`snapshot_parts`,
    :func:`period_parts`): once per call, naming the ledger's last dated event
    (invoice, settlement, dispute, status, doubtful classification); the KPI
    still answers.
    """
    c = ledger._cols
    if c.last_day is None or last_asked <= c.last_day or _CHECKED.get():
        return
    dated = [c.dispute_opened, c.dispute_resolved, c.status_date, c.doubtful_date]
    end = max([c.last_day, *(int(d[d < NO_END].max()) for d in dated if (d < NO_END).any())])
    if last_asked <= end:
        return
    warnings.warn(
        f"the data ends on {from_day(end)} (the ledger's last dated event): a KPI "
        "asked for a later date or period counts nothing after it",
        DataEndsWarning,
        stacklevel=_caller_level(),
    )


@contextmanager
def _checked() -> Iterator[None]:
    """Parts computed by a part whose dates were checked: no second warning."""
    token = _CHECKED.set(True)
    try:
        yield
    finally:
        _CHECKED.reset(token)


def _caller_level() -> int:
    """The ``stacklevel`` of the first frame outside creditkpi (the user's call)."""
    level, frame = 2, sys._getframe(2)
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith("creditkpi."):
        frame, level = frame.f_back, level + 1
    return level


# ----------------------------------------------------------------------------------
# at as-of dates
# ----------------------------------------------------------------------------------


def _dispute_layers(ledger: Ledger) -> list[tuple[IntArray, IntArray]]:
    """Each invoice's disputed time as disjoint ``[start, end)`` intervals, in layers.

    The disputes of one invoice may overlap or touch; their union is a few
    disjoint intervals. Layer ``k`` holds, per invoice, its ``k``-th interval
    (``start = end = NO_END`` when it has fewer), so that every layer is one
    :func:`~creditkpi.core.engine.interval_balance` call. Almost every ledger
    has a single layer.
    """
    c = ledger._cols
    if c.dispute_invoice.size == 0:
        return []
    order = np.lexsort((c.dispute_opened, c.dispute_invoice))
    inv = c.dispute_invoice[order]
    opened = c.dispute_opened[order]
    resolved = c.dispute_resolved[order]
    reach = pd.Series(resolved).groupby(inv).cummax().to_numpy(dtype=np.int64)
    same_invoice = np.concatenate([[False], inv[1:] == inv[:-1]])
    prev_reach = np.concatenate([[np.int64(0)], reach[:-1]])
    # a new interval starts unless the dispute opens before (or on) the day an
    # earlier dispute of the same invoice is resolved
    new = ~same_invoice | (opened > prev_reach)
    starts = np.flatnonzero(new)
    seg_inv = inv[starts]
    seg_start = opened[starts]
    seg_end = np.maximum.reduceat(resolved, starts)
    first_of_inv = np.concatenate([[True], seg_inv[1:] != seg_inv[:-1]])
    first_pos = np.flatnonzero(first_of_inv)
    layer = np.arange(seg_inv.size) - np.repeat(first_pos, np.diff([*first_pos, seg_inv.size]))
    out = []
    for k in range(int(layer.max()) + 1):
        sel = layer == k
        start = np.full(c.n_invoices, NO_END, dtype=np.int64)
        end = np.full(c.n_invoices, NO_END, dtype=np.int64)
        start[seg_inv[sel]] = seg_start[sel]
        end[seg_inv[sel]] = seg_end[sel]
        out.append((start, end))
    return out


def _disputed(ledger: Ledger, days: IntArray, groups: Groups) -> IntArray:
    """``out[j, g] = Σ B_i(T_j)`` over invoices of group g disputed at ``T_j`` (one sweep)."""
    total = np.zeros((days.size, groups.size), dtype=np.int64)
    for start, end in _dispute_layers(ledger):
        total += interval_balance(ledger, start, end, days, groups)
    return total


def _doubtful(
    ledger: Ledger, days: IntArray, groups: Groups, rule_days: int | None
) -> tuple[IntArray, IntArray]:
    """Per date and group: Σ B_i(T) over doubtful invoices, and the provisions they hold.

    Doubtful: classified on or before T (the ledger's classifications), or
    more than ``rule_days`` days past due when a rule is given. Provisions
    count on classified invoices still open (``B_i(T) > 0``) only.
    """
    c = ledger._cols
    amount = np.zeros((days.size, groups.size), dtype=np.int64)
    provisions = np.zeros((days.size, groups.size), dtype=np.int64)
    if rule_days is None and c.doubtful_invoice.size == 0:
        return amount, provisions
    for j, day in enumerate(days.tolist()):
        snap = balances(ledger, from_day(day))
        classified, provision = doubtful_at(ledger, day)
        flag = snap.days_past_due > rule_days if rule_days is not None else classified
        mask = flag & snap.issued
        amount[j] = c.bin_sum(groups.invoice[mask], snap.balance[mask], groups.size)
        held = classified & snap.issued & (snap.balance > 0)
        provisions[j] = c.bin_sum(groups.invoice[held], provision[held], groups.size)
    return amount, provisions


def snapshot_parts(
    ledger: Ledger,
    days: Sequence[int] | IntArray,
    groups: Groups,
    names: Iterable[str],
    *,
    edges: Sequence[int] = (30, 60, 90),
    basis: Basis = "due",
    rule_days: int | None = None,
) -> dict[str, IntArray]:
    """The snapshot parts ``names`` at each of ``days``, per group: ``(days, groups)`` arrays.

    Besides the names of :data:`PARTS` of kind ``"snapshot"``, ``names`` may
    hold aging bucket labels (``bucket_labels(edges, basis)``) and
    ``"bucket_invoices"`` (open invoices per bucket: a ``(days, groups,
    buckets)`` array).

    Examples
    --------
    >>> import creditkpi as ck
    >>> from creditkpi.core.groups import group_codes
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "100.00")],
    ...     [ck.Payment("F1", "2024-04-10", "30.00")])
    >>> day = ck.core.period.to_day(date(2024, 4, 30))
    >>> p = snapshot_parts(ledger, [day], group_codes(ledger, None), ["receivables", "overdue"])
    >>> int(p["receivables"][0, 0]), int(p["overdue"][0, 0])
    (7000, 7000)
    """
    wanted = list(dict.fromkeys(names))
    grid = np.asarray(days, dtype=np.int64)
    if grid.size:
        warn_after_data(ledger, int(grid.max()))
    out: dict[str, IntArray] = {}
    labels = bucket_labels(edges, basis)
    k, g = grid.size, groups.size
    positional = {"receivables", "overdue", "current", "open_invoices", "unapplied", *labels}
    # open invoices per bucket come with the balances of one or two dates (one pass)
    counted = "bucket_invoices" in wanted and k <= 2
    if positional & set(wanted) or counted:
        unique, back = np.unique(grid, return_inverse=True)
        frame = position(
            ledger,
            [from_day(int(d)) for d in unique],
            edges=edges,
            basis=basis,
            by=None if groups.name == "all" else groups.name,
            bucket_counts=counted,
        )
        for name in ("receivables", "overdue", "open_invoices", "unapplied", *labels):
            values = frame[name].to_numpy(dtype=np.int64).reshape(unique.size, g)
            out[name] = values[back]
        out["current"] = out["receivables"] - out["overdue"]
        if counted:
            columns = [f"{label} invoices" for label in labels]
            values = frame[columns].to_numpy(dtype=np.int64)
            out["bucket_invoices"] = values.reshape(unique.size, g, len(labels))[back]
    if "bucket_invoices" in wanted and not counted:
        counts = np.zeros((k, g, len(labels)), dtype=np.int64)
        for j, day in enumerate(grid.tolist()):
            snap = balances(ledger, from_day(day))
            code = bucket_index(snap, edges, basis)
            live = snap.open
            flat = groups.invoice[live] * len(labels) + code[live]
            counts[j] = np.bincount(flat, minlength=g * len(labels)).reshape(g, len(labels))
        out["bucket_invoices"] = counts
    if "disputed" in wanted:
        out["disputed"] = _disputed(ledger, grid, groups)
    if "doubtful" in wanted or "provisions" in wanted:
        out["doubtful"], out["provisions"] = _doubtful(ledger, grid, groups, rule_days)
    unknown = [n for n in wanted if n not in out]
    if unknown:
        raise InvalidOptionError(
            f"unknown snapshot part(s): {', '.join(unknown)}", column="parts", ids=unknown
        )
    return {n: out[n] for n in wanted}


def money_at(
    ledger: Ledger,
    as_of: object,
    part: str,
    *,
    by: str | None,
    money: Money,
    name: str,
    rule_days: int | None = None,
) -> MoneyResult:
    """One snapshot part as a KPI result: ``as_of`` a date or a list, ``by`` groups.

    The shape of every money KPI at dates (receivables, overdue, unapplied,
    disputed, doubtful): a ``Decimal`` for one date, a Series over a
    ``DatetimeIndex`` for a list, by group with ``by``.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "100.00")],
    ...     [ck.Payment("F1", "2024-04-10", "30.00")])
    >>> money_at(ledger, "2024-04-30", "overdue", by=None, money="float", name="overdue")
    Decimal('70.00')
    """
    dates, single = as_dates(as_of)
    groups = group_codes(ledger, by)
    values = snapshot_parts(ledger, [to_day(d) for d in dates], groups, [part], rule_days=rule_days)
    return shape_money(
        values[part],
        date_index(dates),
        groups,
        single=single,
        by=by,
        digits=ledger._cols.digits,
        money=money,
        name=name,
    )


def ratio_at(
    ledger: Ledger,
    as_of: object,
    numerator: str,
    denominator: str,
    formula: Callable[[IntArray, IntArray], FloatArray],
    *,
    by: str | None,
    name: str,
) -> RatioResult:
    """A ratio of two snapshot parts finished by its ``formula``, shaped like :func:`money_at`.

    Examples
    --------
    >>> import creditkpi as ck
    >>> from creditkpi import formulas
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "100.00"),
    ...      ck.Invoice("F2", "C2", "2024-04-01", "2024-05-31", "300.00")])
    >>> ratio_at(ledger, "2024-04-30", "overdue", "receivables", formulas.overdue_rate,
    ...          by=None, name="overdue_rate")
    0.25
    """
    dates, single = as_dates(as_of)
    groups = group_codes(ledger, by)
    days = [to_day(d) for d in dates]
    values = snapshot_parts(ledger, days, groups, [numerator, denominator])
    rate = formula(values[numerator], values[denominator])
    return shape_values(rate, date_index(dates), groups, single=single, by=by, name=name)


# ----------------------------------------------------------------------------------
# over periods
# ----------------------------------------------------------------------------------


def _delay_parts(ledger: Ledger, periods: Sequence[Period], groups: Groups) -> dict[str, IntArray]:
    """Payment-delay sums over the cash applied to invoices in each period."""
    c = ledger._cols
    out = {name: np.zeros((len(periods), groups.size), dtype=np.int64) for name in _DELAY_PARTS}
    for j, p in enumerate(periods):
        window: slice | IntArray
        if c.settlement_posted is None:
            window = settlement_window(ledger, to_day(p.start), to_day(p.end))
            to_pay_days = c.settlement_age_days[window]
            late_days = c.settlement_days_past_due[window]
        else:
            # application dates: the customer paid on the day the cash was posted, so
            # the payments posted in P, their days counted to the posting date
            posted = c.settlement_posted
            window = np.flatnonzero((posted >= to_day(p.start)) & (posted <= to_day(p.end)))
            of = c.settlement_invoice[window]  # -1 (unapplied cash) reads the spare 0
            to_pay_days = posted[window] - np.append(c.issue, 0)[of]
            late_days = posted[window] - np.append(c.due, 0)[of]
        inv = c.settlement_invoice[window]
        keep = (c.settlement_kind[window] == PAYMENT) & (inv >= 0)
        amount = c.settlement_amount[window][keep]
        # a payment dated before its invoice counts from the issue date (as in the engine)
        to_pay = np.maximum(to_pay_days[keep], 0).astype(np.int64)
        late = np.maximum(late_days[keep], 0).astype(np.int64)
        group = groups.invoice[inv[keep]]
        if amount.size:
            check_exact(
                int(np.abs(amount).max()) * int(max(to_pay.max(), late.max(), 1)) * amount.size,
                "a payment-delay sum (amount × days)",
            )
        is_late = late >= 1
        size = groups.size
        out["paid"][j] = _int_sum(group, amount, size)
        out["payments"][j] = np.bincount(group, minlength=size)
        out["paid_late"][j] = _int_sum(group[is_late], amount[is_late], size)
        out["paid_days_to_pay"][j] = _int_sum(group, amount * to_pay, size)
        out["paid_days_late"][j] = _int_sum(group, amount * late, size)
    return out


def _int_sum(group: IntArray, values: IntArray, size: int) -> IntArray:
    """Exact per-group sums of int64 ``values`` (the caller checked they fit)."""
    acc = np.zeros(size, dtype=np.int64)
    np.add.at(acc, group, values)
    return acc


def _recovery_parts(
    ledger: Ledger, periods: Sequence[Period], observed: Sequence[int], groups: Groups
) -> dict[str, IntArray]:
    """Recovery target sums and activation counts of each period observed at ``observed``."""
    c = ledger._cols
    size = groups.size
    out = {
        name: np.zeros((len(periods), size), dtype=np.int64)
        for name in (*_RECOVERY_PARTS, *_ACTIVATION_PARTS)
    }
    n_cust = max(len(c.customer_labels), 1)
    n_inv = max(c.n_invoices, 1)
    for j, (p, day) in enumerate(zip(periods, observed, strict=True)):
        opening = balances(ledger, p.before)
        target = recovery_targets(ledger, p, opening)
        gi = groups.invoice[target]
        moved = settled_by(ledger, day, after=opening.day)  # settlements dated in [start, d]
        out["recovery_invoices"][j] = np.bincount(gi, minlength=size)
        out["recovery_total"][j] = c.bin_sum(gi, opening.balance[target], size)
        out["recovery_collected"][j] = c.bin_sum(gi, moved[target], size)
        # cash payments (not credit notes, not write-offs, not unapplied) in [start, d]
        window = settlement_window(ledger, to_day(p.start), day)
        inv = c.settlement_invoice[window]
        paid = (c.settlement_kind[window] == PAYMENT) & (inv >= 0)
        paid[paid] = target[inv[paid]]
        pinv = inv[paid]
        pgroup = groups.invoice[pinv]
        held = np.flatnonzero(target)
        for unit, case, n_cases in (
            ("customers", c.customer, n_cust),
            ("invoices", np.arange(c.n_invoices, dtype=np.int64), n_inv),
        ):
            # a case is counted once per group it has target invoices in
            pairs = np.unique(groups.invoice[held] * n_cases + case[held])
            out[f"{unit}_in_progress"][j] = np.bincount(pairs // n_cases, minlength=size)
            active = np.unique(pgroup * n_cases + case[pinv])
            out[f"{unit}_activated"][j] = np.bincount(active // n_cases, minlength=size)
        out["activation_payments"][j] = np.bincount(pgroup, minlength=size)
        out["activation_collected"][j] = c.bin_sum(pgroup, c.settlement_amount[window][paid], size)
    out["recovery_remaining"] = out["recovery_total"] - out["recovery_collected"]
    return out


def period_parts(
    ledger: Ledger,
    periods: Sequence[Period],
    groups: Groups,
    names: Iterable[str],
    *,
    observed: Sequence[int] | None = None,
    edges: Sequence[int] = (30, 60, 90),
    basis: Basis = "due",
    rule_days: int | None = None,
) -> dict[str, IntArray]:
    """The period parts ``names`` of each period, per group: ``(periods, groups)`` arrays.

    ``names`` are names of :data:`PARTS` of kind ``"period"``, or a snapshot
    part with the suffix ``_start`` (as of ``start - 1``) or ``_end`` (as of
    ``end``). ``observed`` (day numbers, one per period; default the period
    ends) is the observation date of the recovery and activation parts.
    ``days`` is broadcast to ``(periods, 1)``.

    Examples
    --------
    >>> import creditkpi as ck
    >>> from creditkpi.core.groups import group_codes
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-05", "2024-04-04", "300.00"),
    ...      ck.Invoice("F2", "C1", "2024-04-10", "2024-05-10", "600.00")],
    ...     [ck.Payment("F1", "2024-04-20", "100.00")])
    >>> p = period_parts(ledger, [ck.Period.month(2024, 4)], group_codes(ledger, None),
    ...                  ["receivables_end", "sales", "days"])
    >>> int(p["receivables_end"][0, 0]), int(p["sales"][0, 0]), int(p["days"][0, 0])
    (80000, 60000, 30)
    """
    wanted = list(dict.fromkeys(names))
    plist = list(periods)
    if plist:
        warn_after_data(ledger, max(to_day(p.end) for p in plist))
    with _checked():
        return _period_parts(
            ledger, plist, groups, wanted, observed=observed, edges=edges, basis=basis,
            rule_days=rule_days,
        )  # fmt: skip


def _period_parts(
    ledger: Ledger,
    plist: list[Period],
    groups: Groups,
    wanted: list[str],
    *,
    observed: Sequence[int] | None,
    edges: Sequence[int],
    basis: Basis,
    rule_days: int | None,
) -> dict[str, IntArray]:
    n, g = len(plist), groups.size
    by = None if groups.name == "all" else groups.name
    out: dict[str, IntArray] = {}
    if "days" in wanted:
        out["days"] = np.asarray([p.days for p in plist], dtype=np.int64)[:, None]
    if set(FLOW_COLUMNS) & set(wanted):
        frame = flows(ledger, plist, by=by)
        for name in FLOW_COLUMNS:
            out[name] = frame[name].to_numpy(dtype=np.int64).reshape(n, g)
    if set(_DELAY_PARTS) & set(wanted):
        out.update(_delay_parts(ledger, plist, groups))
    if {*_RECOVERY_PARTS, *_ACTIVATION_PARTS} & set(wanted):
        days = [to_day(p.end) for p in plist] if observed is None else list(observed)
        out.update(_recovery_parts(ledger, plist, days, groups))
    if "doubtful_change" in wanted:
        wanted_edges = [*wanted, "doubtful_start", "doubtful_end"]
    else:
        wanted_edges = wanted
    edge = [w for w in wanted_edges if w.endswith(("_start", "_end")) and w not in out]
    if edge:
        base = sorted({w.rsplit("_", 1)[0] for w in edge})
        starts = [to_day(p.before) for p in plist]
        ends = [to_day(p.end) for p in plist]
        snap = snapshot_parts(
            ledger, starts + ends, groups, base, edges=edges, basis=basis, rule_days=rule_days
        )
        for name in base:
            out[f"{name}_start"] = snap[name][:n]
            out[f"{name}_end"] = snap[name][n:]
    if "doubtful_change" in wanted:
        out["doubtful_change"] = out["doubtful_end"] - out["doubtful_start"]
    unknown = [w for w in wanted if w not in out]
    if unknown:
        raise InvalidOptionError(
            f"unknown period part(s): {', '.join(unknown)}", column="parts", ids=unknown
        )
    return {w: out[w] for w in wanted}


# ----------------------------------------------------------------------------------
# countback history
# ----------------------------------------------------------------------------------


def month_windows(first_day: int | None, end: date, max_months: int | None = None) -> list[Period]:
    """The calendar months walked back by the countback at ``end``, newest first.

    The month holding ``end`` counts from its first day to ``end``; the walk
    goes back to the month of ``first_day`` (the ledger's first event) or at
    most ``max_months`` months.

    Examples
    --------
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


# ----------------------------------------------------------------------------------
# detail tables
# ----------------------------------------------------------------------------------


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


def customer_parts(ledger: Ledger, day: int, *, top: int | None = None) -> pd.DataFrame:
    """Balance, overdue part and open invoices per customer at ``day``.

    Customers with a zero balance are left out; with ``top``, only the
    ``top`` largest balances (ties by customer id). Indexed by
    ``customer_id``, sorted by balance descending then id: the order of
    :func:`creditkpi.top_customers`. The top N of a union of ledgers with
    disjoint customers is the top N of their tops.
    """
    from creditkpi.core.groups import group_codes

    groups = group_codes(ledger, "customer_id")
    frame = position(ledger, [from_day(day)], by="customer_id", method="snapshot")
    bal = frame["receivables"].to_numpy(dtype=np.int64)
    late = frame["overdue"].to_numpy(dtype=np.int64)
    count = frame["open_invoices"].to_numpy(dtype=np.int64)
    labels = np.asarray(groups.labels, dtype=object)
    keep = np.flatnonzero(bal != 0)
    text = np.asarray([str(v) for v in labels[keep]], dtype=object)
    order = keep[np.lexsort((text, -bal[keep]))]
    if top is not None:
        order = order[:top]
    return pd.DataFrame(
        {"balance": bal[order], "overdue": late[order], "invoices": count[order]},
        index=pd.Index(labels[order], name="customer_id", dtype=object),
    )


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
