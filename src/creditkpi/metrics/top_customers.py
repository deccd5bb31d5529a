"""Top customers by open balance, and their share of the receivables.

Depends only on :mod:`creditkpi.core`. See the *Top customers and dunning
status* page of the documentation. :func:`top_customers` -- index
``customer_id``, columns ``balance``, ``share``, ``overdue``, ``invoices``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import as_dates, check_money, check_option, check_whole
from creditkpi.core.groups import group_codes
from creditkpi.core.kpi import TableKPI, table_at
from creditkpi.core.ledger import Ledger
from creditkpi.core.parts import LedgerParts, Settings, top_order
from creditkpi.core.ratios import share
from creditkpi.core.shapes import Money, stack_dates

__all__ = [
    "ORDERS",
    "TABLES",
    "TOP_CUSTOMERS",
    "TOP_OVERDUE_CUSTOMERS",
    "top_customers",
    "top_table",
]

#: what a top-customers table ranks by
ORDERS = ("balance", "overdue")

IntArray = npt.NDArray[np.int64]


def top_customers(
    ledger: Ledger,
    as_of: Any,
    *,
    n: int | None = 10,
    order: Literal["balance", "overdue"] = "balance",
    money: Money = "float",
) -> pd.DataFrame:
    """The ``n`` customers with the largest open balance (or overdue amount), and their share of ``R(T)``.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off. A list gives one table per date, stacked under
        an outer index level ``as_of``.
    n : int or None, default 10
        How many customers (at most); ``None`` lists every customer with a
        non-zero balance.
    order : {"balance", "overdue"}, default "balance"
        Rank by open balance, or by overdue amount (the customers a
        collector calls first: those with nothing overdue are left out; ties
        by balance).

    Returns
    -------
    DataFrame
        Index ``customer_id``; columns

        - ``balance`` (Decimal): ``B_c(T) = Σ_{i of c} B_i(T)``;
        - ``share`` (float): ``B_c(T) / R(T)`` of the whole book;
        - ``overdue`` (Decimal): the customer's overdue part;
        - ``invoices`` (int): its open invoices (balance ≠ 0).

        Sorted by ``balance`` (or ``overdue``) descending, ties by balance
        then customer id ascending (deterministic). Customers with a zero
        balance (with ``order="overdue"``: nothing overdue) are left out.

    Raises
    ------
    InvalidOptionError
        ``n`` not a positive int (or None); empty list of dates.

    Warns
    -----
    UndefinedMetricWarning
        When customers are listed but ``R(T) = 0`` (balances cancelling out):
        shares are ``nan``.

    Notes
    -----
    Unapplied cash is not netted against a customer's balance (see
    :func:`aging` with ``by="customer_id"`` for its own column). Σ ``share``
    over all customers is 1: a high share for a few customers means a
    concentrated book.

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
    ...      ck.Invoice("A3", "Globex", "2024-02-01", "2024-03-02", "400.00"),
    ...      ck.Invoice("A4", "Globex", "2024-01-05", "2024-02-04", "250.00"),
    ...      ck.Invoice("A5", "Initech", "2023-11-20", "2023-12-20", "300.00")],
    ...     [ck.Payment("A4", "2024-03-10", "100.00")])
    >>> ck.top_customers(ledger, "2024-04-30", n=2)
                 balance     share overdue  invoices
    customer_id
    ACME         1600.00  0.653061  600.00         2
    Globex        550.00  0.224490  550.00         2
    >>> ck.top_customers(ledger, "2024-04-30", n=2, order="overdue")
                 balance     share overdue  invoices
    customer_id
    ACME         1600.00  0.653061  600.00         2
    Globex        550.00  0.224490  550.00         2
    >>> ck.top_customers(ledger, "2024-04-30", order="overdue").index.tolist()
    ['ACME', 'Globex', 'Initech']
    """
    check_whole("n", n, minimum=1, allow_none=True)
    check_option("order", order, ORDERS)
    check_money(money)
    dates, single = as_dates(as_of)
    settings = Settings(top=n, top_by=order)
    source = LedgerParts(ledger, group_codes(ledger, None), dates=dates, settings=settings)
    tables = [table_at(TOP_CUSTOMERS, source, j, money=money) for j in range(len(dates))]
    result: pd.DataFrame = stack_dates(tables, dates, single)
    return result


def top_table(
    customers: pd.DataFrame,
    receivables: IntArray,
    *,
    groups: Sequence[object],
    settings: Settings,
) -> pd.DataFrame:
    """The top-customers table from per-customer parts and the book's receivables (minor units).

    ``customers`` is indexed by customer id with int64 ``balance``,
    ``overdue`` and ``invoices`` (:func:`creditkpi.core.parts.customer_parts`,
    possibly the union of several partitions' tops); ``receivables`` the
    book's ``R(T)`` per group (summed here); the ``settings.top`` largest
    balances (``settings.top_by``: or overdue amounts) are kept.
    """
    del groups
    n = settings.top
    total = int(np.asarray(receivables, dtype=np.int64).sum())
    customers = customers.groupby(level=0, sort=False).sum() if len(customers) else customers
    by = settings.top_by
    kept = customers["balance"] != 0 if by == "balance" else customers["overdue"] > 0
    keep = customers[kept]
    text = np.asarray([str(v) for v in keep.index], dtype=object)
    bal, late = (keep[c].to_numpy(dtype=np.int64) for c in ("balance", "overdue"))
    order = top_order(text, bal, late, by)
    if n is not None:
        order = order[:n]
    table = keep.iloc[order]
    bal = table["balance"].to_numpy(dtype=np.int64)
    shares = share(bal, np.full(bal.size, total)) if bal.size else np.zeros(0)
    return pd.DataFrame(
        {
            "balance": bal,
            "share": np.asarray(shares, dtype=np.float64),
            "overdue": table["overdue"].to_numpy(dtype=np.int64),
            "invoices": table["invoices"].to_numpy(dtype=np.int64),
        },
        index=pd.Index(table.index, name="customer_id", dtype=object),
    )


TOP_CUSTOMERS = TableKPI(
    name="top_customers",
    label="Top customers by balance",
    label_fr="Encours des principaux clients",
    function=top_customers,
    page="kpis/top-customers-dunning.md",
    definition="The customers with the largest open balances, and their share of receivables.",
    parts=("customers", "receivables"),
    build=top_table,
    money=("balance", "overdue"),
    previous="column",
    previous_column="balance",
    index="customer_id",
)

TOP_OVERDUE_CUSTOMERS = replace(
    TOP_CUSTOMERS,
    name="top_overdue_customers",
    label="Top customers by overdue amount",
    label_fr="Principaux clients en retard",
    definition="The customers with the largest overdue amounts: who to call first.",
    previous_column="overdue",
    settings=MappingProxyType({"top_by": "overdue"}),
    distributed="a summary carries the largest customers by balance: rank by overdue amount "
    "from the ledger (top_customers(..., order='overdue'))",
)

#: the table KPIs of this module (the registry collects them)
TABLES = (TOP_CUSTOMERS, TOP_OVERDUE_CUSTOMERS)
