"""Parts over periods: sales and cash flows, payment delays, the recovery and activation sums.

:func:`period_parts` computes the period parts of
:data:`~creditkpi.core.parts.names.PARTS` of many periods at once, and the
snapshot parts at their edges (``_start``: as of ``start - 1``; ``_end``: as
of ``end``), as ``(periods, groups)`` int64 arrays.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from creditkpi.core.engine import (
    FLOW_COLUMNS,
    balances,
    flows,
    recovery_targets,
    settled_by,
    settlement_window,
)
from creditkpi.core.engine.position import Basis
from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.fx.translate import closing_view, flow_settlements
from creditkpi.core.groups import Groups
from creditkpi.core.late_payment import beyond_terms_parts
from creditkpi.core.ledger import PAYMENT, Ledger
from creditkpi.core.parts.data_end import checked, warn_after_data
from creditkpi.core.parts.names import (
    ACTIVATION_PARTS,
    DELAY_PARTS,
    FX_PARTS,
    RECOVERY_PARTS,
    TERMS_PARTS,
    check_exact,
)
from creditkpi.core.parts.settings import Settings
from creditkpi.core.parts.snapshot import snapshot_parts
from creditkpi.core.period import Period, to_day

__all__ = ["period_parts"]

IntArray = npt.NDArray[np.int64]


def _delay_parts(ledger: Ledger, periods: Sequence[Period], groups: Groups) -> dict[str, IntArray]:
    """Payment-delay sums over the cash applied to invoices in each period."""
    c = ledger._cols
    out = {name: np.zeros((len(periods), groups.size), dtype=np.int64) for name in DELAY_PARTS}
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
        amount = flow_settlements(c)[window][keep]  # at their own date's rate when translated
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


def _fx_parts(ledger: Ledger, periods: Sequence[Period], groups: Groups) -> dict[str, IntArray]:
    """The realised exchange differences: settlements of invoices posted in each period.

    Each settlement at its own date's rate (its flow) against the historical
    amount it settles (the fall of its invoice's balance at the invoice's
    issue date rate). A ledger not translated at closing rates has none.
    """
    c = ledger._cols
    size = groups.size
    at_rate = np.zeros((len(periods), size), dtype=np.int64)
    historical = np.zeros((len(periods), size), dtype=np.int64)
    applied = c.settlement_invoice >= 0
    posted = c.settlement_date if c.settlement_posted is None else c.settlement_posted
    flow = flow_settlements(c)
    for j, p in enumerate(periods):
        inside = applied & (posted >= to_day(p.start)) & (posted <= to_day(p.end))
        group = groups.settlement[inside]
        at_rate[j] = c.bin_sum(group, flow[inside], size)
        historical[j] = c.bin_sum(group, c.settlement_amount[inside], size)
    return {
        "fx_settled_at_rate": at_rate,
        "fx_settled_historical": historical,
        "fx_realised": at_rate - historical,
    }


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
        for name in (*RECOVERY_PARTS, *ACTIVATION_PARTS)
    }
    n_cust = max(len(c.customer_labels), 1)
    n_inv = max(c.n_invoices, 1)
    base = ledger
    for j, (p, day) in enumerate(zip(periods, observed, strict=True)):
        # the target set at one rate, its observation day's: a rate's move is no collection
        ledger = closing_view(base, day)
        c = ledger._cols
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
    settings: Settings | None = None,
) -> dict[str, IntArray]:
    """The period parts ``names`` of each period, per group: ``(periods, groups)`` arrays.

    ``names`` are names of :data:`PARTS` of kind ``"period"``, or a snapshot
    part with the suffix ``_start`` (as of ``start - 1``) or ``_end`` (as of
    ``end``). ``observed`` (day numbers, one per period; default the period
    ends) is the observation date of the recovery and activation parts.
    ``days`` and ``months`` (whole calendar months, 0 when the period is not
    made of them) are facts of the periods, ``(periods, 1)`` arrays.

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
    plist = list(periods)
    if plist:
        warn_after_data(ledger, max(to_day(p.end) for p in plist))
    with checked():
        return _period_parts(
            ledger, plist, groups, names, observed=observed, edges=edges, basis=basis,
            rule_days=rule_days, settings=settings,
        )  # fmt: skip


def _period_parts(
    ledger: Ledger,
    periods: Sequence[Period],
    groups: Groups,
    names: Iterable[str],
    *,
    observed: Sequence[int] | None,
    edges: Sequence[int],
    basis: Basis,
    rule_days: int | None,
    settings: Settings | None,
) -> dict[str, IntArray]:
    wanted = list(dict.fromkeys(names))
    plist = list(periods)
    n, g = len(plist), groups.size
    by = None if groups.name == "all" else groups.name
    out: dict[str, IntArray] = {}
    if "days" in wanted:
        out["days"] = np.asarray([p.days for p in plist], dtype=np.int64)[:, None]
    if "months" in wanted:
        out["months"] = np.asarray([p.n_months or 0 for p in plist], dtype=np.int64)[:, None]
    if set(FLOW_COLUMNS) & set(wanted):
        frame = flows(ledger, plist, by=by)
        for name in FLOW_COLUMNS:
            out[name] = frame[name].to_numpy(dtype=np.int64).reshape(n, g)
    if set(TERMS_PARTS) & set(wanted):
        rule = (settings or Settings()).legal_terms
        out.update(beyond_terms_parts(ledger, plist, groups, rule=rule))
    if set(DELAY_PARTS) & set(wanted):
        out.update(_delay_parts(ledger, plist, groups))
    if set(FX_PARTS) & set(wanted):
        out.update(_fx_parts(ledger, plist, groups))
    if {*RECOVERY_PARTS, *ACTIVATION_PARTS} & set(wanted):
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
            ledger,
            starts + ends,
            groups,
            base,
            edges=edges,
            basis=basis,
            rule_days=rule_days,
            settings=settings,
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
