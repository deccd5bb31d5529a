"""Activity of a period: sales and cash collected.

The denominators of most ratios, and figures a credit manager reads beside
them. Depends only on :mod:`creditkpi.core`; see the *DSO* and *Cost per euro
collected* pages of the documentation for their definitions.
"""

from __future__ import annotations

from collections.abc import Sequence

from creditkpi.core.groups import By
from creditkpi.core.kpi import KPI, finish
from creditkpi.core.ledger import Ledger
from creditkpi.core.period import PeriodLike
from creditkpi.core.shapes import Money, MoneyResult

__all__ = ["CASH_COLLECTED", "KPIS", "SALES", "cash_collected", "sales"]


def sales(
    ledger: Ledger,
    period: PeriodLike | Sequence[PeriodLike],
    *,
    by: By = None,
    money: Money = "float",
) -> MoneyResult:
    r"""Sales of a period, tax included (chiffre d'affaires TTC): ``S(P)``.

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
        A list gives a Series indexed by period.
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute.
    money : {"float", "decimal"}, default "float"
        Amounts as numbers (``float``, the default) or exact ``Decimal``\ s, a
        single amount as a Series or a DataFrame.

    Returns
    -------
    float, Decimal, Series or DataFrame
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
    90.0
    """
    result: MoneyResult = finish(SALES, ledger, period, by=by, money=money)
    return result


SALES = KPI(
    name="sales",
    label="Sales (incl. tax)",
    label_fr="Chiffre d'affaires TTC",
    unit="money",
    better=None,
    basis="period",
    section="Activity",
    parts=("sales",),
    formula=None,
    function=sales,
    page="kpis/dso.md",
    definition="Invoiced over the period (tax included), less the credit notes of the period.",
)


def cash_collected(
    ledger: Ledger,
    period: PeriodLike | Sequence[PeriodLike],
    *,
    by: By = None,
    money: Money = "float",
) -> MoneyResult:
    r"""Cash collected in a period (encaissements): ``C(P)``.

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
        A list gives a Series indexed by period.
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute; unapplied cash counts in
        its customer's group.
    money : {"float", "decimal"}, default "float"
        Amounts as numbers (``float``, the default) or exact ``Decimal``\ s, a
        single amount as a Series or a DataFrame.

    Returns
    -------
    float, Decimal, Series or DataFrame
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
    65.0
    """
    result: MoneyResult = finish(CASH_COLLECTED, ledger, period, by=by, money=money)
    return result


CASH_COLLECTED = KPI(
    name="cash_collected",
    label="Cash collected",
    label_fr="Encaissements",
    unit="money",
    better="higher",
    basis="period",
    section="Activity",
    parts=("cash",),
    formula=None,
    function=cash_collected,
    page="kpis/cost-per-euro.md",
    definition="Cash received from customers over the period, matched to invoices or not.",
    headline=True,
)

#: the value KPIs of this module (the registry collects them)
KPIS = (SALES, CASH_COLLECTED)
