"""Receivables position: receivables, overdue, aging (balance âgée), top customers.

SPEC §3 and §4.1. Depends only on :mod:`creditkpi.core`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Literal

import pandas as pd

from creditkpi.core.engine import position
from creditkpi.core.ledger import Ledger
from creditkpi.core.shape import as_dates, reshape

__all__ = ["receivables"]


def receivables(
    ledger: Ledger, as_of: date | str | Sequence[date | str], *, by: str | None = None
) -> Any:
    """Receivables outstanding (encours clients) ``R(T)`` at the end of ``as_of``.

    Notes
    -----
    ``R(T) = Σ_i B_i(T)`` over invoices issued on or before T, where
    ``B_i(T) = A_i - Σ settlements of i dated <= T`` (payments, credit notes
    and write-offs). Unapplied cash is not part of it. Exact: the sum of
    integer minor units, returned as ``Decimal``.

    Parameters
    ----------
    ledger : Ledger
    as_of : date, str or list of them
        End-of-day cut-off; a list gives a Series indexed by date.
    by : str, optional
        ``"customer_id"`` or an invoice attribute: a Series indexed by group.

    Returns
    -------
    Decimal, Series or DataFrame
        Tax-inclusive amount in the ledger's currency.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-04-01", "2024-04-30", "100.00"),
    ...      ck.Invoice("F2", "C2", "2024-04-20", "2024-05-20", "40.00")],
    ...     [ck.Payment("F1", "2024-04-30", "60.00")])
    >>> ck.receivables(ledger, "2024-04-30")
    Decimal('80.00')
    >>> ck.receivables(ledger, "2024-04-30", by="customer_id").to_dict()
    {'C1': Decimal('40.00'), 'C2': Decimal('40.00')}
    """
    dates, single = as_dates(as_of)
    frame = position(ledger, dates, by=by)
    values = frame["receivables"].map(ledger.money)
    result: Decimal = reshape(values, single=single, by=by)
    return result


def aging(
    ledger: Ledger,
    as_of: Any,
    *,
    buckets: Sequence[int] = (30, 60, 90),
    basis: Literal["due", "issue"] = "due",
    by: str | None = None,
) -> pd.DataFrame:
    """Aged balance (balance âgée)."""
    raise NotImplementedError


def overdue(ledger: Ledger, as_of: Any, *, by: str | None = None) -> Any:
    """Overdue receivables (créances échues)."""
    raise NotImplementedError


def overdue_rate(ledger: Ledger, as_of: Any, *, by: str | None = None) -> Any:
    """Overdue(T) / R(T)."""
    raise NotImplementedError


def top_customers(ledger: Ledger, as_of: Any, n: int = 10) -> pd.DataFrame:
    """The n customers with the largest balance and their share of R(T)."""
    raise NotImplementedError


def by_dunning_status(ledger: Ledger, as_of: Any) -> pd.DataFrame:
    """Receivables by dunning status at T."""
    raise NotImplementedError


def formula_overdue_rate(overdue: float, receivables: float) -> float:
    """overdue / receivables."""
    raise NotImplementedError
