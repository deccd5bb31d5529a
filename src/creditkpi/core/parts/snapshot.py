"""Parts at as-of dates: receivables, overdue, aging buckets, disputed, doubtful.

:func:`snapshot_parts` computes the snapshot parts of :data:`~creditkpi.core.parts.names.PARTS`
(and the bucket labels, :data:`~creditkpi.core.parts.names.BUCKETS`,
:data:`~creditkpi.core.parts.names.BUCKET_INVOICES`) at many dates in one
sweep, as ``(dates, groups)`` int64 arrays of minor units or counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.credit import Unapplied, credit_position, customer_groups, grouped
from creditkpi.core.engine import balances, doubtful_at, interval_balance, position
from creditkpi.core.engine.position import Basis, bucket_index, bucket_labels
from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.fx.positions import POSITION_NAMES, closing_positions, position_view
from creditkpi.core.fx.translate import historical_view
from creditkpi.core.groups import Groups
from creditkpi.core.late_payment import claim_parts
from creditkpi.core.ledger import NO_END, Ledger
from creditkpi.core.parts.data_end import warn_after_data
from creditkpi.core.parts.names import BUCKET_INVOICES, BUCKETS, CLAIM_PARTS, CREDIT_PARTS
from creditkpi.core.parts.settings import Settings
from creditkpi.core.period import from_day

__all__ = ["snapshot_parts"]

IntArray = npt.NDArray[np.int64]

#: the snapshot part of the historical carrying amounts
HISTORICAL = "fx_historical"


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


def _at_closing_rates(
    ledger: Ledger,
    days: Sequence[int] | IntArray,
    groups: Groups,
    names: Iterable[str],
    edges: Sequence[int],
    basis: Basis,
    rule_days: int | None,
    settings: Settings | None,
) -> dict[str, IntArray]:
    """The snapshot parts of a ledger translated at closing rates: each day at its own rates.

    Receivables, aging, overdue, open invoices and unapplied cash at every
    day come from one sweep at historical rates and each day's open foreign
    items (:func:`~creditkpi.core.fx.positions.closing_positions`); the
    other positions at a day read :func:`~creditkpi.core.fx.positions.position_view`
    (only the items open that day converted); the late-payment claims accrue
    in each invoice's own currency (:func:`_claims`).
    """
    grid = np.asarray(days, dtype=np.int64)
    wanted = list(dict.fromkeys(names))
    # the claims accrue in each invoice's own currency: computed on the translated ledger
    claims = [n for n in wanted if n in CLAIM_PARTS]
    labels = bucket_labels(edges, basis)
    swept = {*POSITION_NAMES, *labels, BUCKETS}
    positions = [n for n in wanted if n not in (HISTORICAL, *CLAIM_PARTS) and n not in swept]
    unique, back = np.unique(grid, return_inverse=True)
    if not positions:  # else each day's own parts say it
        warn_after_data(ledger, int(grid.max()))
    out: dict[str, IntArray] = {}
    if swept & set(wanted):
        found = closing_positions(ledger, unique, groups, edges=edges, basis=basis)
        found[BUCKETS] = np.stack([found[label] for label in labels], axis=2)
        out |= {n: found[n][back] for n in wanted if n in swept}
    rows = [
        snapshot_parts(
            position_view(ledger, day),
            [day],
            groups,
            positions,
            edges=edges,
            basis=basis,
            rule_days=rule_days,
            settings=settings,
        )
        for day in (unique.tolist() if positions else [])
    ]
    out |= {name: np.concatenate([r[name] for r in rows], axis=0)[back] for name in positions}
    if claims:
        out.update(_claims(ledger, grid, groups, settings))
    if HISTORICAL in wanted:  # every item at its issue date's rate: one sweep of its own
        history = snapshot_parts(historical_view(ledger), grid, groups, ["receivables"])
        out[HISTORICAL] = history["receivables"]
    return {name: out[name] for name in wanted}


def _claims(
    ledger: Ledger, days: IntArray, groups: Groups, settings: Settings | None
) -> dict[str, IntArray]:
    """The late-payment claim parts (:data:`CLAIM_PARTS`) per date and group.

    On a translated ledger they are computed on the items in their own
    currencies and translated per invoice at each day's rate
    (:func:`~creditkpi.core.late_payment.invoice_claims`).
    """
    options = (settings or Settings()).claim_options(ledger.currency)
    return claim_parts(ledger, days.tolist(), groups, **options)


def _credit(
    ledger: Ledger, days: IntArray, groups: Groups, unapplied: Unapplied
) -> dict[str, IntArray]:
    """The credit-limit and cover parts (:data:`CREDIT_PARTS`) per date and group.

    Each customer's figures (:func:`~creditkpi.core.credit.credit_position`)
    go to its group at that date (:func:`~creditkpi.core.credit.customer_groups`).
    """
    out = {name: np.zeros((days.size, groups.size), dtype=np.int64) for name in CREDIT_PARTS}
    for j, day in enumerate(days.tolist()):
        p = credit_position(ledger, day, unapplied=unapplied)
        code = customer_groups(ledger, groups, day)
        limited = p.has_limit
        values = {
            "exposure": p.exposure,
            "limited_exposure": np.where(limited, p.exposure, 0),
            "credit_limits": p.limit,
            "over_limit": p.over_limit,
            "over_limit_customers": (p.over_limit > 0).astype(np.int64),
            "unlimited_exposure": np.where(limited, 0, p.exposure),
            "covered": p.covered,
            "past_deadline": p.past_deadline,
        }
        for name, value in values.items():
            out[name][j] = grouped(value, code, groups.size)
    return out


def snapshot_parts(
    ledger: Ledger,
    days: Sequence[int] | IntArray,
    groups: Groups,
    names: Iterable[str],
    *,
    edges: Sequence[int] = (30, 60, 90),
    basis: Basis = "due",
    rule_days: int | None = None,
    settings: Settings | None = None,
) -> dict[str, IntArray]:
    """The snapshot parts ``names`` at each of ``days``, per group: ``(days, groups)`` arrays.

    Besides the names of :data:`~creditkpi.core.parts.names.PARTS` of kind
    ``"snapshot"``, ``names`` may hold aging bucket labels
    (``bucket_labels(edges, basis)``), ``"buckets"`` (their amounts stacked:
    a ``(days, groups, buckets)`` array) and ``"bucket_invoices"`` (open
    invoices per bucket, the same shape). The late-payment claim parts follow
    ``settings`` (the rate, the indemnity, the year's days, disputes left out).
    On a ledger translated at closing rates, the parts at each day are those
    of its items at that day's rates.

    Examples
    --------
    >>> import creditkpi as ck
    >>> from datetime import date
    >>> from creditkpi.core.groups import group_codes
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "100.00")],
    ...     [ck.Payment("F1", "2024-04-10", "30.00")])
    >>> day = ck.core.period.to_day(date(2024, 4, 30))
    >>> p = snapshot_parts(ledger, [day], group_codes(ledger, None), ["receivables", "overdue"])
    >>> int(p["receivables"][0, 0]), int(p["overdue"][0, 0])
    (7000, 7000)
    """
    translation = ledger._cols.translation
    if translation is not None and translation.method == "closing" and len(days):
        return _at_closing_rates(ledger, days, groups, names, edges, basis, rule_days, settings)
    requested = list(dict.fromkeys(names))
    labels = bucket_labels(edges, basis)
    stacked = BUCKETS in requested
    wanted = [n for n in requested if n != BUCKETS] + (labels if stacked else [])
    grid = np.asarray(days, dtype=np.int64)
    if grid.size:
        warn_after_data(ledger, int(grid.max()))
    out: dict[str, IntArray] = {}
    k, g = grid.size, groups.size
    positional = {"receivables", "overdue", "current", "open_invoices", "unapplied", HISTORICAL}
    positional |= set(labels)
    # open invoices per bucket come with the balances of one or two dates (one pass)
    counted = BUCKET_INVOICES in wanted and k <= 2
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
        out[HISTORICAL] = out["receivables"]  # untranslated: the balances as they are
        if counted:
            columns = [f"{label} invoices" for label in labels]
            values = frame[columns].to_numpy(dtype=np.int64)
            out[BUCKET_INVOICES] = values.reshape(unique.size, g, len(labels))[back]
    if BUCKET_INVOICES in wanted and not counted:
        counts = np.zeros((k, g, len(labels)), dtype=np.int64)
        for j, day in enumerate(grid.tolist()):
            snap = balances(ledger, from_day(day))
            code = bucket_index(snap, edges, basis)
            live = snap.open
            flat = groups.invoice[live] * len(labels) + code[live]
            counts[j] = np.bincount(flat, minlength=g * len(labels)).reshape(g, len(labels))
        out[BUCKET_INVOICES] = counts
    if "disputed" in wanted:
        out["disputed"] = _disputed(ledger, grid, groups)
    if "doubtful" in wanted or "provisions" in wanted:
        out["doubtful"], out["provisions"] = _doubtful(ledger, grid, groups, rule_days)
    if set(CREDIT_PARTS) & set(wanted):
        out.update(_credit(ledger, grid, groups, (settings or Settings()).unapplied))
    if set(CLAIM_PARTS) & set(wanted):
        out.update(_claims(ledger, grid, groups, settings))
    unknown = [n for n in wanted if n not in out]
    if unknown:
        raise InvalidOptionError(
            f"unknown snapshot part(s): {', '.join(unknown)}", column="parts", ids=unknown
        )
    if stacked:
        out[BUCKETS] = np.stack([out[label] for label in labels], axis=2)
    return {n: out[n] for n in requested}
