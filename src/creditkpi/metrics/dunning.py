"""Receivables by dunning status (encours par statut de relance).

Depends only on :mod:`creditkpi.core`. See the *Top customers and dunning
status* page of the documentation. :func:`by_dunning_status` -- index
``status``, columns ``amount``, ``share``, ``invoices``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from creditkpi.core.args import as_dates, check_money
from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.groups import group_codes
from creditkpi.core.kpi import TableKPI, table_at
from creditkpi.core.ledger import Ledger
from creditkpi.core.parts import LedgerParts, Settings
from creditkpi.core.ratios import share
from creditkpi.core.shapes import Money, stack_dates

__all__ = ["BY_DUNNING_STATUS", "TABLES", "by_dunning_status", "status_table"]


def by_dunning_status(
    ledger: Ledger, as_of: Any, *, order: Sequence[str] | None = None, money: Money = "float"
) -> pd.DataFrame:
    """Receivables by dunning status (encours par statut de relance) at the end of ``as_of``.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off. A list gives one table per date, stacked under
        an outer index level ``as_of``.
    order : sequence of str, optional
        Your dunning process in order (e.g. ``["none", "reminder 1",
        "formal notice"]``): these rows come first, in this order, and are
        always present (0 when nothing is open at that status); other
        statuses follow. By default rows are sorted by amount descending,
        ties by label.

    Returns
    -------
    DataFrame
        Index ``status``; columns ``amount`` (Decimal, Σ ``B_i(T)`` of the
        open invoices at that status), ``share`` (float, ``amount / R(T)``)
        and ``invoices`` (int, open invoices). One row per status held by
        at least one open invoice (issued, balance ≠ 0), plus the ``order``
        rows. The amounts sum exactly to ``R(T)``.

    Raises
    ------
    InvalidOptionError
        ``order`` is not a list of labels; empty list of dates.

    Warns
    -----
    UndefinedMetricWarning
        When rows are listed but ``R(T) = 0``: shares are ``nan``.

    Notes
    -----
    The status of an invoice at T is the label of its last status event
    dated on or before T, else ``"none"``. Paid invoices keep their last
    status but add nothing. Unapplied cash has no invoice and no status: it
    is not in this table (see :func:`aging`).

    References
    ----------
    The *Top customers and dunning status* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("A1", "ACME", "2024-04-10", "2024-05-10", "1000.00"),
    ...      ck.Invoice("A2", "ACME", "2024-03-15", "2024-04-14", "600.00"),
    ...      ck.Invoice("A3", "Globex", "2024-02-01", "2024-03-02", "400.00")],
    ...     statuses=[ck.StatusEvent("A2", "2024-04-20", "reminder 1"),
    ...               ck.StatusEvent("A3", "2024-03-10", "reminder 1"),
    ...               ck.StatusEvent("A3", "2024-04-05", "formal notice")])
    >>> ck.by_dunning_status(ledger, "2024-04-30")
                    amount  share  invoices
    status
    none           1000.00    0.5         1
    reminder 1      600.00    0.3         1
    formal notice   400.00    0.2         1
    """
    wanted: list[str] = []
    if order is not None:
        if isinstance(order, (str, bytes)) or not all(isinstance(s, str) for s in order):
            raise InvalidOptionError(
                f"order must be a list of status labels, got {order!r}", column="order"
            )
        wanted = list(dict.fromkeys(order))
    check_money(money)
    dates, single = as_dates(as_of)
    source = LedgerParts(ledger, group_codes(ledger, None), dates=dates)
    tables = [
        table_at(BY_DUNNING_STATUS, source, j, money=money, order=wanted) for j in range(len(dates))
    ]
    result: pd.DataFrame = stack_dates(tables, dates, single)
    return result


def status_table(
    parts: pd.DataFrame,
    *,
    groups: Sequence[object],
    settings: Settings,
    order: Sequence[str] = (),
) -> pd.DataFrame:
    """The receivables-by-status table from :func:`creditkpi.core.parts.status_parts`.

    ``parts`` is indexed by ``(group, status)`` (summed over groups here);
    ``order`` lists the statuses that come first, always present. Amounts
    in minor units.
    """
    del groups, settings
    sums = parts.groupby(level="status", sort=False)[["amount", "invoices"]].sum()
    by_label = {
        str(s): (int(a), int(k))
        for s, a, k in zip(sums.index, sums["amount"], sums["invoices"], strict=True)
    }
    rest = sorted((lab for lab in by_label if lab not in order), key=lambda s: (-by_label[s][0], s))
    rows = [*order, *rest]
    cents = np.asarray([by_label.get(r, (0, 0))[0] for r in rows], dtype=np.int64)
    total = int(cents.sum())
    shares = share(cents, np.full(cents.size, total)) if cents.size else np.zeros(0)
    return pd.DataFrame(
        {
            "amount": cents,
            "share": np.asarray(shares, dtype=np.float64),
            "invoices": np.asarray([by_label.get(r, (0, 0))[1] for r in rows], dtype=np.int64),
        },
        index=pd.Index(rows, name="status", dtype=object),
    )


BY_DUNNING_STATUS = TableKPI(
    name="by_dunning_status",
    label="Receivables by dunning status",
    label_fr="Encours par statut de relance",
    function=by_dunning_status,
    page="kpis/top-customers-dunning.md",
    definition="Receivables by the dunning step their invoices have reached.",
    parts=("statuses",),
    build=status_table,
    money=("amount",),
    requires=("statuses",),
    index="status",
)

#: the table KPIs of this module (the registry collects them)
TABLES = (BY_DUNNING_STATUS,)
