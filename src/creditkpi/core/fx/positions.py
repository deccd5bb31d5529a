"""Receivables, aging, overdue and unapplied cash of a translated ledger at many dates at once.

A ledger translated at closing rates gives its positions at a date T at
T's rates (:func:`~creditkpi.core.fx.translate.position_view`): every other
date has its own rates, so the one-currency engine's single sweep over all
dates does not apply as it is. But at T only the **open** items differ from
their historical carrying amounts (a settled item is zero at any rate), so

    position at T's rates = position at historical rates (one sweep, every T)
                            + Σ over the foreign items open at T of
                              (balance at T's rate − balance at its historical rate)

item by item, each balance rounded as :func:`~creditkpi.core.fx.convert.convert`
rounds it: the same integers as the view of each date, in one sweep and a
pass over each date's open foreign items. :func:`closing_positions` is what
the snapshot parts read for these positions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from creditkpi.core.engine.position import Basis, bucket_labels, position
from creditkpi.core.fx.convert import convert
from creditkpi.core.fx.translate import historical_view, native_balances, per_currency_factors
from creditkpi.core.groups import Groups
from creditkpi.core.period import from_day

if TYPE_CHECKING:  # pragma: no cover
    from creditkpi.core.ledger import Ledger

__all__ = ["POSITION_NAMES", "closing_positions"]

IntArray = npt.NDArray[np.int64]

#: the parts :func:`closing_positions` gives (besides the aging bucket labels)
POSITION_NAMES = ("receivables", "overdue", "current", "open_invoices", "unapplied")


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
    of :func:`~creditkpi.core.fx.translate.position_view` (and
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
