"""Activity of a period: sales and cash collected.

The denominators of most ratios, and figures a credit manager reads beside
them. Depends only on :mod:`creditkpi.core`; see the *DSO* and *Cost per euro
collected* pages of the documentation for their definitions.
"""

from __future__ import annotations

from collections.abc import Sequence

from creditkpi.core.args import Money, MoneyResult, as_periods, period_index, shape_money
from creditkpi.core.groups import group_codes
from creditkpi.core.ledger import Ledger
from creditkpi.core.parts import period_parts
from creditkpi.core.period import PeriodLike

__all__ = ["cash_collected", "sales"]


def _flow(
    ledger: Ledger,
    period: PeriodLike | Sequence[PeriodLike],
    name: str,
    by: str | None,
    money: Money,
    label: str,
) -> MoneyResult:
    periods, single = as_periods(period)
    groups = group_codes(ledger, by)
    cents = period_parts(ledger, periods, groups, [name])[name]
    return shape_money(
        cents,
        period_index(periods),
        groups,
        single=single,
        by=by,
        digits=ledger._cols.digits,
        money=money,
        name=label,
    )


def sales(
    ledger: Ledger,
    period: PeriodLike | Sequence[PeriodLike],
    *,
    by: str | None = None,
    money: Money = "float",
) -> MoneyResult:
    """Sales of a period, tax included (chiffre d'affaires TTC): ``S(P)``.

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
        A list gives a Series indexed by period.
    by : str, optional
        ``"customer_id"`` or an invoice attribute.
    money : {"float", "decimal"}, default "float"
        How a Series or DataFrame carries money (a single value is a ``Decimal``).

    Returns
    -------
    Decimal, Series or DataFrame
        ``S(P)``; negative when credit notes dated in P exceed the invoices
        issued in P.

    Notes
    -----
    ``S(P) = Σ A_i`` over invoices issued in P minus the credit notes dated
    in P, whatever the issue date of the invoice they credit.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-04-02", "2024-05-02", "100.00")],
    ...     [ck.Payment("F1", "2024-04-20", "10.00", kind="credit_note")])
    >>> ck.sales(ledger, "2024-04")
    Decimal('90.00')
    """
    return _flow(ledger, period, "sales", by, money, "sales")


def cash_collected(
    ledger: Ledger,
    period: PeriodLike | Sequence[PeriodLike],
    *,
    by: str | None = None,
    money: Money = "float",
) -> MoneyResult:
    """Cash collected in a period (encaissements): ``C(P)``.

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
        A list gives a Series indexed by period.
    by : str, optional
        ``"customer_id"`` or an invoice attribute; unapplied cash counts in
        its customer's group.
    money : {"float", "decimal"}, default "float"
        How a Series or DataFrame carries money (a single value is a ``Decimal``).

    Returns
    -------
    Decimal, Series or DataFrame
        ``C(P) >= 0``, higher is better.

    Notes
    -----
    Payments (kind ``payment``) dated in P, applied to an invoice or
    unapplied; credit notes and write-offs bring no cash.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-04-02", "2024-05-02", "100.00")],
    ...     [ck.Payment("F1", "2024-04-20", "60.00"),
    ...      ck.Payment(None, "2024-04-25", "5.00", customer="C1")])
    >>> ck.cash_collected(ledger, "2024-04")
    Decimal('65.00')
    """
    return _flow(ledger, period, "cash", by, money, "cash_collected")
