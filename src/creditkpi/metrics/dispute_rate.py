"""Disputed receivables: dispute rate and open disputes by reason (SPEC §4.6).

Depends only on :mod:`creditkpi.core`.

At T an invoice is **disputed** when one of its disputes was opened on or
before T and is not resolved on or before T. Output schemas:

* :func:`disputed` -- Decimal (Σ ``B_i(T)`` over disputed invoices), a Series
  by group or by date, or a DataFrame dates × groups;
* :func:`dispute_rate` -- the same shapes, floats;
* :func:`dispute_reasons` -- index ``reason``, columns ``count`` and
  ``amount``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import as_dates, exact_ratio, reshape, safe_ratio
from creditkpi.core.engine import balances, interval_balance, position
from creditkpi.core.groups import Groups, group_codes
from creditkpi.core.ledger import NO_END, Ledger
from creditkpi.core.period import to_day

__all__ = ["dispute_rate", "dispute_reasons", "disputed", "formula_dispute_rate"]

IntArray = npt.NDArray[np.int64]


# ----------------------------------------------------------------------------------
# disputed balance at many dates
# ----------------------------------------------------------------------------------


def _dispute_layers(ledger: Ledger) -> list[tuple[IntArray, IntArray]]:
    """Each invoice's disputed time as disjoint ``[start, end)`` intervals, in layers.

    The disputes of one invoice may overlap or touch; their union is a few
    disjoint intervals. Layer ``k`` holds, per invoice, its ``k``-th interval
    (``start = end = NO_END`` when it has fewer), so that every layer is one
    :func:`~creditkpi.core.engine.interval_balance` call. Almost every ledger
    has a single layer.
    """
    if ledger._cols.dispute_invoice.size == 0:
        return []
    order = np.lexsort((ledger._cols.dispute_opened, ledger._cols.dispute_invoice))
    inv = ledger._cols.dispute_invoice[order]
    opened = ledger._cols.dispute_opened[order]
    resolved = ledger._cols.dispute_resolved[order]
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
        start = np.full(ledger.n_invoices, NO_END, dtype=np.int64)
        end = np.full(ledger.n_invoices, NO_END, dtype=np.int64)
        start[seg_inv[sel]] = seg_start[sel]
        end[seg_inv[sel]] = seg_end[sel]
        out.append((start, end))
    return out


def _disputed_cents(ledger: Ledger, days: IntArray, groups: Groups) -> IntArray:
    """``out[j, g] = Σ B_i(T_j)`` over invoices of group g disputed at ``T_j``."""
    total = np.zeros((days.size, groups.size), dtype=np.int64)
    for start, end in _dispute_layers(ledger):
        total += interval_balance(ledger, start, end, days, groups)
    return total


def _frame(ledger: Ledger, dates: list[date], by: str | None) -> pd.DataFrame:
    """``disputed`` and ``receivables`` (int minor units) indexed by ``(as_of, group)``."""
    frame = position(ledger, dates, by=by)
    days = np.asarray([to_day(d) for d in dates], dtype=np.int64)
    groups = group_codes(ledger, by)
    cents = _disputed_cents(ledger, days, groups)
    return pd.DataFrame(
        {"disputed": cents.reshape(-1), "receivables": frame["receivables"].to_numpy()},
        index=frame.index,
    )


def disputed(ledger: Ledger, as_of: Any, *, by: str | None = None) -> Any:
    """Disputed receivables (encours en litige) at the end of ``as_of``.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off; a list gives a Series indexed by ``as_of``.
    by : str, optional
        ``"customer_id"`` or an invoice attribute: a Series indexed by group
        (a list and ``by=`` give a DataFrame dates × groups).

    Returns
    -------
    Decimal, Series or DataFrame
        Σ ``B_i(T)`` over invoices disputed at T. Lower is better.

    Raises
    ------
    InvalidOptionError
        Unknown ``by``; empty list of dates.

    Notes
    -----
    Invoice i is disputed at T when a dispute on it has ``opened <= T`` and
    no ``resolved <= T`` (resolved on T means not disputed at T). An invoice
    with several open disputes counts once. A disputed invoice paid
    meanwhile adds its remaining balance, possibly 0. A list of dates is
    computed in one sweep over the events.

    References
    ----------
    SPEC §4.6 (numerator of the dispute rate).

    Examples
    --------
    >>> import creditkpi as ck
    >>> from creditkpi.metrics.dispute_rate import disputed
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "100.00"),
    ...      ck.Invoice("F2", "C2", "2024-03-05", "2024-04-04", "60.00")],
    ...     [ck.Payment("F1", "2024-04-10", "30.00")],
    ...     disputes=[ck.Dispute("F1", "2024-04-02", "price", resolved="2024-04-20")])
    >>> disputed(ledger, ["2024-04-01", "2024-04-15", "2024-04-20"]).tolist()
    [Decimal('0.00'), Decimal('70.00'), Decimal('0.00')]
    """
    dates, single = as_dates(as_of)
    frame = _frame(ledger, dates, by)
    values = pd.Series(
        ledger._cols.money_list(frame["disputed"].tolist()),
        index=frame.index,
        name="disputed",
        dtype=object,
    )
    return reshape(values, single=single, by=by)


def dispute_rate(ledger: Ledger, as_of: Any, *, by: str | None = None) -> Any:
    """Dispute rate (taux de l'encours en litige): disputed receivables / ``R(T)``.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off; a list gives a Series indexed by ``as_of`` (the
        dispute rate as a series), computed in one sweep over the events.
    by : str, optional
        ``"customer_id"`` or an invoice attribute: a Series indexed by group
        (a list and ``by=`` give a DataFrame dates × groups).

    Returns
    -------
    float, Series or DataFrame
        A fraction in [0, 1] (lower is better); it can leave that range only
        when overpaid invoices make balances negative. ``nan`` where
        ``R(T) = 0``.

    Raises
    ------
    InvalidOptionError
        Unknown ``by``; empty list of dates.

    Warns
    -----
    UndefinedMetricWarning
        Where ``R(T) = 0`` (empty book, a group with nothing open): ``nan``.

    Notes
    -----
    ``dispute_rate(T) = Σ_{i disputed at T} B_i(T) / R(T)``, an amount-based
    rate (not a count of invoices). Disputed at T: a dispute opened ``<= T``
    and not resolved ``<= T``. Each disputed invoice counts once, however
    many disputes it has open. Unapplied cash is in neither term.

    References
    ----------
    SPEC §4.6.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("A2", "ACME", "2024-03-15", "2024-04-14", "600.00"),
    ...      ck.Invoice("A3", "Globex", "2024-02-01", "2024-03-02", "400.00"),
    ...      ck.Invoice("A5", "Initech", "2023-11-20", "2023-12-20", "300.00")],
    ...     disputes=[ck.Dispute("A2", "2024-04-16", "price"),
    ...               ck.Dispute("A3", "2024-03-10", "damaged goods", resolved="2024-04-20")])
    >>> round(ck.dispute_rate(ledger, "2024-04-30"), 6)        # 600 / 1300
    0.461538
    >>> ck.dispute_rate(ledger, ["2024-03-31", "2024-04-20"]).round(4).tolist()
    [0.3077, 0.4615]
    """
    dates, single = as_dates(as_of)
    frame = _frame(ledger, dates, by)
    rate = safe_ratio(
        frame["disputed"].to_numpy(dtype=np.int64),
        frame["receivables"].to_numpy(dtype=np.int64),
        what="dispute rate",
    )
    result = reshape(pd.Series(rate, index=frame.index, name="dispute_rate"), single=single, by=by)
    return float(result) if isinstance(result, (float, np.floating)) else result


def dispute_reasons(ledger: Ledger, as_of: Any) -> pd.DataFrame:
    """Open disputes at the end of ``as_of`` by reason (raisons de non-paiement).

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off. A list gives one table per date, stacked under an
        outer index level ``as_of``.

    Returns
    -------
    DataFrame
        Index ``reason``; columns

        - ``count`` (int): open disputes with that reason (every dispute
          counts, including one on an invoice already paid);
        - ``amount`` (Decimal): open balance ``B_i(T)`` of the disputed
          invoices, each invoice counted **once**, under the reason of its
          earliest-opened open dispute (ties: the reason first in
          alphabetical order).

        One row per reason with at least one open dispute, sorted by
        ``amount`` descending, then ``count`` descending, then reason. The
        ``amount`` column sums exactly to :func:`disputed` at T, so
        ``amount.sum() / R(T)`` is the dispute rate.

    Raises
    ------
    InvalidOptionError
        Empty list of dates.

    Notes
    -----
    Open at T: ``opened <= T`` and not ``resolved <= T``, on an invoice
    issued on or before T. An invoice with two open disputes (say "price"
    opened first, then "quality") adds 1 to both counts but its balance only
    to "price": the money is blocked once, and the amounts stay additive.
    Empty reasons are read as ``"unspecified"`` by the ledger.

    References
    ----------
    SPEC §4.6 (companion: open disputes by reason, count and amount).

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("A2", "ACME", "2024-03-15", "2024-04-14", "600.00"),
    ...      ck.Invoice("A3", "Globex", "2024-02-01", "2024-03-02", "400.00"),
    ...      ck.Invoice("A5", "Initech", "2023-11-20", "2023-12-20", "300.00")],
    ...     disputes=[ck.Dispute("A2", "2024-04-16", "price"),
    ...               ck.Dispute("A3", "2024-03-10", "damaged goods", resolved="2024-04-20"),
    ...               ck.Dispute("A5", "2024-01-15", "not received"),
    ...               ck.Dispute("A5", "2024-02-01", "price")])
    >>> ck.dispute_reasons(ledger, "2024-04-30")
                  count  amount
    reason
    price             2  600.00
    not received      1  300.00
    """
    dates, single = as_dates(as_of)
    tables = [_reasons_at(ledger, d) for d in dates]
    if single:
        return tables[0]
    keys = pd.DatetimeIndex([pd.Timestamp(d) for d in dates], name="as_of")
    return pd.concat(tables, keys=keys, names=["as_of"])


def _reasons_at(ledger: Ledger, as_of: date) -> pd.DataFrame:
    snap = balances(ledger, as_of)
    day = snap.day
    live = np.flatnonzero(
        (ledger._cols.dispute_opened <= day)
        & (ledger._cols.dispute_resolved > day)
        & snap.issued[ledger._cols.dispute_invoice].astype(bool)
    )
    inv = ledger._cols.dispute_invoice[live]
    codes, uniques = pd.factorize(
        pd.Series(ledger._cols.dispute_reason[live], dtype=object), sort=True
    )
    codes = np.asarray(codes, dtype=np.int64)
    labels = [str(u) for u in uniques]
    count = np.bincount(codes, minlength=len(labels))
    # each invoice once: its earliest-opened open dispute, ties by reason (codes are sorted)
    order = np.lexsort((codes, ledger._cols.dispute_opened[live], inv))
    _, first = np.unique(inv[order], return_index=True)
    pick = order[first]
    amount = ledger._cols.bin_sum(codes[pick], snap.balance[inv[pick]], len(labels))
    rows = sorted(range(len(labels)), key=lambda k: (-int(amount[k]), -int(count[k]), labels[k]))
    index = pd.Index([labels[k] for k in rows], name="reason", dtype=object)
    return pd.DataFrame(
        {
            "count": pd.Series(count[rows].astype(np.int64), index=index, dtype=np.int64),
            "amount": pd.Series(
                ledger._cols.money_list(amount[rows].tolist()), index=index, dtype=object
            ),
        },
        index=index,
    )


def formula_dispute_rate(disputed: float | Decimal, receivables: float | Decimal) -> float:
    """Dispute rate from plain numbers: ``disputed / receivables``.

    Parameters
    ----------
    disputed : int, float or Decimal
        Receivables under an open dispute.
    receivables : int, float or Decimal
        Receivables ``R(T)``, same currency.

    Returns
    -------
    float
        A fraction (lower is better); ``nan`` when ``receivables`` is 0.

    Warns
    -----
    UndefinedMetricWarning
        When ``receivables`` is 0.

    Notes
    -----
    Computed exactly (ints and Decimals as fractions) and rounded once.

    References
    ----------
    SPEC §4.6.

    Examples
    --------
    >>> from creditkpi import formulas as f
    >>> round(f.dispute_rate(900, 2_450), 6)
    0.367347
    """
    return exact_ratio(
        disputed, receivables, what="dispute rate", names=("disputed", "receivables")
    )
