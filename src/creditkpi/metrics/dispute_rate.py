"""Disputed receivables: dispute rate and open disputes by reason.

Depends only on :mod:`creditkpi.core`; the specs :data:`DISPUTED_RECEIVABLES`,
:data:`DISPUTE_RATE` and :data:`DISPUTE_REASONS` say how each is computed.

At T an invoice is **disputed** when one of its disputes was opened on or
before T and is not resolved on or before T. Output schemas:

* :func:`disputed_receivables` -- Decimal (Σ ``B_i(T)`` over disputed invoices), a Series
  by group or by date, or a DataFrame dates × groups;
* :func:`dispute_rate` -- the same shapes, floats;
* :func:`dispute_reasons` -- index ``reason``, columns ``count`` and
  ``amount``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from creditkpi.core.args import as_dates, check_money
from creditkpi.core.groups import By, group_codes
from creditkpi.core.kpi import KPI, TableKPI, finish, table_at
from creditkpi.core.ledger import Ledger
from creditkpi.core.parts import LedgerParts, Settings
from creditkpi.core.ratios import ratio
from creditkpi.core.shapes import Money, MoneyResult, RatioResult, stack_dates

__all__ = [
    "DISPUTED_RECEIVABLES",
    "DISPUTE_RATE",
    "DISPUTE_REASONS",
    "KPIS",
    "TABLES",
    "dispute_rate",
    "dispute_reasons",
    "disputed_receivables",
    "formula_dispute_rate",
    "reasons_table",
]


def disputed_receivables(
    ledger: Ledger, as_of: Any, *, by: By = None, money: Money = "float"
) -> MoneyResult:
    """Disputed receivables (encours en litige) at the end of ``as_of``.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off; a list gives a Series indexed by ``as_of``.
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute: a Series indexed by group
        (a list and ``by=`` give a DataFrame dates × groups).

    Returns
    -------
    float, Decimal, Series or DataFrame
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
    The *Dispute rate and reasons* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> import creditkpi as ck
    >>> from creditkpi.metrics.dispute_rate import disputed_receivables
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "100.00"),
    ...      ck.Invoice("F2", "C2", "2024-03-05", "2024-04-04", "60.00")],
    ...     [ck.Payment("F1", "2024-04-10", "30.00")],
    ...     disputes=[ck.Dispute("F1", "2024-04-02", "price", resolved="2024-04-20")])
    >>> disputed_receivables(ledger, ["2024-04-01", "2024-04-15", "2024-04-20"]).tolist()
    [0.0, 70.0, 0.0]
    """
    result: MoneyResult = finish(DISPUTED_RECEIVABLES, ledger, as_of, by=by, money=money)
    return result


DISPUTED_RECEIVABLES = KPI(
    name="disputed_receivables",
    label="Disputed receivables",
    label_fr="Encours en litige",
    unit="money",
    better="lower",
    basis="as_of",
    section="Position",
    parts=("disputed",),
    formula=None,
    function=disputed_receivables,
    page="kpis/dispute-rate.md",
    definition="The open balance of the invoices under an open dispute.",
    requires=("disputes",),
)


def dispute_rate(ledger: Ledger, as_of: Any, *, by: By = None) -> RatioResult:
    """Dispute rate (taux de l'encours en litige): disputed receivables / ``R(T)``.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off; a list gives a Series indexed by ``as_of`` (the
        dispute rate as a series), computed in one sweep over the events.
    by : str or list of str, optional
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
    The *Dispute rate and reasons* page of the documentation: definition, worked
    example and conventions.

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
    result: RatioResult = finish(DISPUTE_RATE, ledger, as_of, by=by)
    return result


def formula_dispute_rate(disputed: Any, receivables: Any) -> Any:
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
        A fraction (lower is better); ``nan`` when ``receivables`` is 0 or below.

    Warns
    -----
    UndefinedMetricWarning
        When ``receivables`` is 0 or below.

    Notes
    -----
    Computed exactly (ints and Decimals as fractions) and rounded once.

    References
    ----------
    The *Dispute rate and reasons* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> from creditkpi import formulas as f
    >>> round(f.dispute_rate(900, 2_450), 6)
    0.367347
    """
    return ratio(disputed, receivables, what="dispute rate (receivables <= 0)")


DISPUTE_RATE = KPI(
    name="dispute_rate",
    label="Dispute rate",
    label_fr="Taux de l'encours en litige",
    unit="ratio",
    better="lower",
    basis="as_of",
    section="Position",
    parts=("disputed", "receivables"),
    formula=formula_dispute_rate,
    function=dispute_rate,
    page="kpis/dispute-rate.md",
    definition="Disputed receivables as a share of receivables outstanding.",
    requires=("disputes",),
    headline=True,
)


def dispute_reasons(ledger: Ledger, as_of: Any, *, money: Money = "float") -> pd.DataFrame:
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
        ``amount`` column sums exactly to :func:`disputed_receivables` at T, so
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
    The *Dispute rate and reasons* page of the documentation: definition, worked
    example and conventions.

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
    check_money(money)
    dates, single = as_dates(as_of)
    source = LedgerParts(ledger, group_codes(ledger, None), dates=dates)
    tables = [table_at(DISPUTE_REASONS, source, j, money=money) for j in range(len(dates))]
    result: pd.DataFrame = stack_dates(tables, dates, single)
    return result


def reasons_table(
    parts: pd.DataFrame, *, groups: Sequence[object], settings: Settings
) -> pd.DataFrame:
    """The open-disputes-by-reason table from :func:`creditkpi.core.parts.reason_parts`.

    ``parts`` is indexed by ``(group, reason)`` (summed over groups here).
    Amounts in minor units.
    """
    del groups, settings
    sums = parts.groupby(level="reason", sort=False)[["count", "amount"]].sum()
    labels = [str(r) for r in sums.index]
    count = sums["count"].to_numpy(dtype=np.int64)
    amount = sums["amount"].to_numpy(dtype=np.int64)
    rows = sorted(range(len(labels)), key=lambda k: (-int(amount[k]), -int(count[k]), labels[k]))
    index = pd.Index([labels[k] for k in rows], name="reason", dtype=object)
    return pd.DataFrame(
        {"count": count[rows].astype(np.int64), "amount": amount[rows]}, index=index
    )


DISPUTE_REASONS = TableKPI(
    name="dispute_reasons",
    label="Open disputes by reason",
    label_fr="Raisons de non-paiement",
    function=dispute_reasons,
    page="kpis/dispute-rate.md",
    definition="Open disputes by reason: how many and for what amount.",
    parts=("reasons",),
    build=reasons_table,
    money=("amount",),
    requires=("disputes",),
    index="reason",
)

#: the value KPIs and the table KPIs of this module (the registry collects them)
KPIS = (DISPUTED_RECEIVABLES, DISPUTE_RATE)
TABLES = (DISPUTE_REASONS,)
