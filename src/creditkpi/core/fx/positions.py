"""Receivables, aging, overdue and unapplied cash of a translated ledger at many dates at once.

A ledger translated at closing rates gives its positions at a date T at
T's rates (:func:`position_view`): every other
date has its own rates, so the one-currency engine's single sweep over all
dates does not apply as it is. But at T only the **open** items differ from
their historical carrying amounts (a settled item is zero at any rate), so

    position at T's rates = position at historical rates (one sweep, every T)
                            + Σ over the foreign items open at T of
                              (balance at T's rate − balance at its historical rate)

item by item, each balance rounded as :func:`~creditkpi.core.fx.convert.convert`
rounds it: the same integers as the view of each date, in one sweep and a
pass over each date's open foreign items. :func:`closing_positions` is what
the snapshot parts read for these positions; :func:`open_columns` builds the
columns of :func:`position_view` (the items open
at a date converted at its rates) for the other positions.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from creditkpi.core.columns import float_sums_exact
from creditkpi.core.engine.position import Basis, bucket_labels, position
from creditkpi.core.fx.convert import convert
from creditkpi.core.fx.translate import Translation, historical_view, per_currency_factors
from creditkpi.core.groups import Groups
from creditkpi.core.period import from_day

if TYPE_CHECKING:  # pragma: no cover
    from creditkpi.core.columns import Columns
    from creditkpi.core.ledger import Ledger

__all__ = [
    "POSITION_NAMES",
    "closing_positions",
    "native_balances",
    "open_columns",
    "position_view",
]

IntArray = npt.NDArray[np.int64]

#: the parts :func:`closing_positions` gives (besides the aging bucket labels)
POSITION_NAMES = ("receivables", "overdue", "current", "open_invoices", "unapplied")


def position_view(ledger: Ledger, day: int) -> Ledger:
    """``ledger`` for its positions at ``day``: what :func:`closing_view` gives there, cheaper.

    The items open at ``day`` (issued, a balance other than zero, or a
    credit posted by ``day`` that settles its invoice later) and the
    unapplied cash at the closing rates of ``day``, every other item at its
    historical rates: its balance at ``day`` is zero at any rate, so every
    position at ``day`` (receivables, aging, overdue, disputed, doubtful,
    provisions, unapplied cash, exposure) is that of :func:`~creditkpi.core.fx.translate.closing_view`.
    Not for what reads other days' balances (late-payment claims, payment
    histories): those read :func:`~creditkpi.core.fx.translate.closing_view`. Any other ledger is
    returned as it is.
    """
    translation = ledger._cols.translation
    if translation is None or translation.method != "closing":
        return ledger
    day = int(day)
    if translation.has_view(day):  # the full view is at hand: the same positions
        out: Ledger = translation.ledger_at(ledger, day)
        return out
    kept = translation.positions
    found = kept.get(day)
    if found is not None:
        kept.move_to_end(day)
        return found  # type: ignore[no-any-return]
    assert translation.history is not None  # set by translate
    wrapped = type(ledger)._wrap(open_columns(translation, translation.history, day), ledger.report)
    kept[day] = wrapped
    while len(kept) > translation.kept:
        kept.popitem(last=False)
    return wrapped


def closing_positions(
    ledger: Ledger,
    days: IntArray,
    groups: Groups,
    *,
    edges: Sequence[int],
    basis: Basis,
) -> dict[str, IntArray]:
    """:data:`POSITION_NAMES` and the aging buckets at each of ``days`` (sorted, distinct).

    ``ledger`` is translated at closing rates; each array is ``(days,
    groups)``, the positions of each day at that day's rates, equal to those
    of :func:`position_view` (and
    :func:`~creditkpi.core.fx.translate.closing_view`) of the day.
    """
    translation = ledger._cols.translation
    history = historical_view(ledger)
    labels = bucket_labels(edges, basis)
    frame = position(
        history,
        [from_day(int(d)) for d in days],
        edges=edges,
        basis=basis,
        by=None if groups.name == "all" else groups.name,
        method="sweep",  # open invoices counted by their native balance
    )
    g, nb = groups.size, len(labels)
    names = [*labels, "receivables", "overdue", "open_invoices", "unapplied"]
    out = {n: frame[n].to_numpy(dtype=np.int64).reshape(days.size, g).copy() for n in names}
    c = translation.source
    h = history._cols
    # the lower age bound of every bucket after the first, as the engine counts them
    lower = [int(e) + 1 for e in edges]
    thresholds = np.asarray([1, *lower] if basis == "due" else lower, dtype=np.int64)
    ref = c.due if basis == "due" else c.issue
    p_hist, q_hist = translation.invoice_rates
    fx = h.fx_items
    for j, day in enumerate(days.tolist()):
        p_cur, q_cur = per_currency_factors(
            translation.rates, c, translation.to, day, translation.first_days
        )
        balance = native_balances(c, day)
        chosen = fx[(c.issue[fx] <= day) & (balance[fx] != 0)]
        native = balance[chosen]
        code = c.invoice_currency[chosen]
        now = convert(native, p_cur[code], q_cur[code])
        then = convert(native, p_hist[chosen], q_hist[chosen])
        gi = groups.invoice[chosen]
        bucket = np.searchsorted(thresholds, day - ref[chosen], side="right")
        moved = _sums(gi * nb + bucket, now - then, g * nb).reshape(g, nb)
        for b, label in enumerate(labels):
            out[label][j] += moved[:, b]
        out["receivables"][j] += moved.sum(axis=1)
        late = (day - c.due[chosen]) >= 1
        out["overdue"][j] += _sums(gi[late], (now - then)[late], g)
        # counted by their native balance in the sweep, by their translated one in a view
        out["open_invoices"][j] += _sums(gi, (now != 0).astype(np.int64) - 1, g)
        out["unapplied"][j] += _unapplied_moves(translation, h, groups, day, p_cur, q_cur)
    out["current"] = out["receivables"] - out["overdue"]
    return out


def native_balances(c: Columns, day: int) -> IntArray:
    """Every invoice's balance at the end of ``day`` in its own currency (``c``: native columns)."""
    hi = int(np.searchsorted(c.settlement_date, day, side="right"))
    by_day = c.settlement_invoice[:hi]
    applied = by_day >= 0
    paid = c.bin_sum(by_day[applied], c.settlement_amount[:hi][applied], c.amount.shape[0])
    return np.asarray(c.amount - paid, dtype=np.int64)


def open_columns(translation: Translation, history: Columns, day: int) -> Columns:
    """:func:`position_view`'s columns: the items open at ``day``
    (and the unapplied cash) converted at its rates, the others as ``history`` holds them."""
    c = translation.source
    n = c.amount.shape[0]
    live = (c.issue <= day) & (native_balances(c, day) != 0)
    if c.settlement_posted is not None:  # posted by ``day``, settling its invoice later
        later = (
            (c.settlement_posted <= day) & (c.settlement_date > day) & (c.settlement_invoice >= 0)
        )
        live[c.settlement_invoice[later]] = True
    fx = history.fx_items
    chosen = fx[live[fx]]
    p_cur, q_cur = per_currency_factors(
        translation.rates, c, translation.to, day, translation.first_days
    )
    p_inv, q_inv = p_cur[c.invoice_currency[chosen]], q_cur[c.invoice_currency[chosen]]
    amount = history.amount.copy()
    amount[chosen] = convert(c.amount[chosen], p_inv, q_inv)
    settled = history.settled.copy()
    t = translation.telescope
    settled[chosen] = amount[chosen] - convert(t.final[chosen], p_inv, q_inv)
    mark = np.zeros(n, dtype=bool)
    mark[chosen] = True
    mine = np.flatnonzero(mark[t.invoice])  # the settlements of the chosen invoices
    inv = t.invoice[mine]
    code = c.invoice_currency[inv]
    after_all = np.zeros(t.after.shape[0], dtype=np.int64)
    after_all[mine] = convert(t.after[mine], p_cur[code], q_cur[code])
    prev = t.previous[mine]
    before = np.where(prev >= 0, after_all[np.maximum(prev, 0)], amount[inv])
    s_amount = history.settlement_amount.copy()
    s_amount[t.applied[mine]] = before - after_all[mine]
    un = translation.unapplied
    if un.size:
        code_un = c.settlement_currency[un]
        s_amount[un] = convert(c.settlement_amount[un], p_cur[code_un], q_cur[code_un])
    out = copy.copy(history)
    out.__dict__.pop("float_view", None)
    out.__dict__.pop("closing_days", None)
    out.amount = amount
    out.settlement_amount = s_amount
    out.settled = settled
    if c.doubtful_invoice.size:
        held = np.flatnonzero((c.doubtful_provision >= 0) & mark[c.doubtful_invoice])
        provision = history.doubtful_provision.copy()
        of = c.doubtful_invoice[held]
        code_d = c.invoice_currency[of]
        provision[held] = convert(c.doubtful_provision[held], p_cur[code_d], q_cur[code_d])
        out.doubtful_provision = provision
    out.translation = None
    out.settlement_flow = None
    out.fx_items = np.zeros(0, dtype=np.int64)
    total = float(np.abs(amount).sum(dtype=np.float64)) + float(
        np.abs(s_amount).sum(dtype=np.float64)
    )
    out.exact_float = float_sums_exact(total)
    return out


def _sums(index: IntArray, values: IntArray, size: int) -> IntArray:
    """Exact int64 sums of ``values`` per ``index``."""
    acc = np.zeros(size, dtype=np.int64)
    np.add.at(acc, index, values)
    return acc


def _unapplied_moves(
    translation: Any, h: Any, groups: Groups, day: int, p_cur: Any, q_cur: Any
) -> IntArray:
    """Unapplied cash held at ``day`` at its rates, less the same at historical rates.

    Unapplied payments received by ``day`` at the day's rate; credits posted
    by ``day`` that settle their invoice later as the fall they cause in
    its balance at the day's rate.
    """
    c = translation.source
    un = translation.unapplied
    un = un[c.settlement_date[un] <= day]
    code = c.settlement_currency[un]
    moves = [
        (un, convert(c.settlement_amount[un], p_cur[code], q_cur[code]) - h.settlement_amount[un])
    ]
    if c.settlement_posted is not None:
        t = translation.telescope
        waiting = (c.settlement_posted[t.applied] <= day) & (c.settlement_date[t.applied] > day)
        k = np.flatnonzero(waiting)
        if k.size:
            inv = t.invoice[k]
            code = c.invoice_currency[inv]
            p, q = p_cur[code], q_cur[code]
            after = convert(t.after[k], p, q)
            prev = t.previous[k]
            before_native = np.where(prev >= 0, t.after[np.maximum(prev, 0)], c.amount[inv])
            before = convert(before_native, p, q)
            where = t.applied[k]
            moves.append((where, (before - after) - h.settlement_amount[where]))
    total = np.zeros(groups.size, dtype=np.int64)
    for where, value in moves:
        total += _sums(groups.settlement[where], value, groups.size)
    return total
