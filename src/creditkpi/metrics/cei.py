"""Collection effectiveness index and recovery rate.

* **CEI** (indice d'efficacité du recouvrement): of what could have been
  collected in the period, the share that was;
* **recovery rate** (taux de recouvrement, taux d'encaissement): of the
  invoices to collect in a period (overdue at its start or falling due in
  it), the share of their balance recovered by an observation date.

Computed from the engine's additive summaries
(:func:`~creditkpi.core.engine.position`, :func:`~creditkpi.core.engine.flows`,
:func:`~creditkpi.core.engine.balances`, :func:`~creditkpi.core.engine.settled_by`)
for any number of periods and groups. Depends only on :mod:`creditkpi.core`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import (
    as_periods,
    check_money,
    check_option,
    check_whole,
    observed_days,
)
from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.groups import By, group_codes
from creditkpi.core.kpi import KPI, finish
from creditkpi.core.ledger import Ledger
from creditkpi.core.parts import LedgerParts
from creditkpi.core.parts.names import RECOVERY_PARTS
from creditkpi.core.period import Period, PeriodLike
from creditkpi.core.ratios import exact, ratio
from creditkpi.core.shapes import Money, RatioResult, SummaryResult, money_values, shape_summary

__all__ = [
    "CEI",
    "KPIS",
    "RECOVERY_COLUMNS",
    "RECOVERY_RATE",
    "cei",
    "formula_cei",
    "formula_recovery_rate",
    "recovery_rate",
    "recovery_summary",
]

PeriodArg: TypeAlias = "PeriodLike | Sequence[PeriodLike]"
SalesBasis = Literal["total", "monthly"]
IntArray = npt.NDArray[np.int64]

#: columns of :func:`recovery_summary`
RECOVERY_COLUMNS = ("invoices", "total", "collected", "remaining", "recovery_rate")


# ----------------------------------------------------------------------------------
# CEI
# ----------------------------------------------------------------------------------


def _check_months(periods: list[Period]) -> None:
    """``sales="monthly"`` needs periods made of whole calendar months."""
    odd = [str(p) for p in periods if p.n_months is None]
    if odd:
        raise InvalidOptionError(
            "sales='monthly' needs periods made of whole calendar months "
            "(use sales='total' for other periods)",
            column="sales",
            ids=odd,
        )


def cei(
    ledger: Ledger,
    period: PeriodArg,
    *,
    sales: SalesBasis = "total",
    by: By = None,
) -> RatioResult:
    """Collection effectiveness index (CEI, indice d'efficacité du recouvrement).

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
        The period P; a list gives a series.
    sales : {"total", "monthly"}, default "total"
        ``"total"``: the whole ``S(P)``; ``"monthly"``: ``S(P) / N`` for a
        period of N calendar months (Credit Research Foundation). For one
        month both agree.
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute: one index per group.

    Returns
    -------
    float, Series or DataFrame
        A fraction, higher is better: 1 when everything due was collected
        (sources print it × 100). Normally in ``[0, 1]``; with
        ``sales="monthly"`` over several months it can leave that range.

    Raises
    ------
    InvalidOptionError
        Unknown ``sales`` or ``by``; ``sales="monthly"`` with a period that is
        not made of whole calendar months.

    Warns
    -----
    UndefinedMetricWarning
        Where the denominator is ``<= 0`` (nothing was collectible): ``nan``.

    Notes
    -----
    ``CEI = (R(start - 1) + S - R(end)) / (R(start - 1) + S - Current(end))``
    with ``S = S(P)`` (or ``S(P) / N``). ``R`` is the receivables,
    ``Current(end)`` the part of ``R(end)`` not yet due. With the total
    basis the numerator is what left the receivables during P (cash applied
    to invoices and write-offs) and the denominator adds what is overdue at
    the end: ``CEI = 1`` exactly when nothing is overdue at the end of P.
    A denominator ``<= 0`` gives ``nan``. With the monthly basis the index
    is computed exactly as ``(N·R(start-1) + S - N·R(end)) / (N·R(start-1)
    + S - N·Current(end))``.

    References
    ----------
    The *Collection effectiveness index* page of the documentation: definition, worked
    example and conventions. The monthly-sales convention is the Credit Research Foundation's.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-05", "2024-04-04", "300.00"),
    ...      ck.Invoice("F2", "C1", "2024-04-10", "2024-05-10", "600.00")],
    ...     [ck.Payment("F1", "2024-04-20", "100.00")])
    >>> ck.cei(ledger, "2024-04")  # (300 + 600 - 800) / (300 + 600 - 600)
    0.3333333333333333
    """
    check_option("sales", sales, ("total", "monthly"))
    if sales == "total":
        total: RatioResult = finish(CEI, ledger, period, by=by)
        return total
    _check_months(as_periods(period)[0])
    result: RatioResult = finish(_CEI_MONTHLY_SALES, ledger, period, by=by)
    return result


# ----------------------------------------------------------------------------------
# recovery rate
# ----------------------------------------------------------------------------------


def recovery_rate(
    ledger: Ledger, period: PeriodArg, *, observed: Any = None, by: By = None
) -> RatioResult:
    """Recovery rate (taux de recouvrement, taux d'encaissement) of a period observed at d.

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
        The period P (``"2024-04"``); a list gives a series.
    observed : date or str, optional
        Observation date d with ``start <= d <= end``; default: the end of
        P. With a list of periods: one date (inside every period) or one per
        period.
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute (collector, portfolio...):
        one rate per group.

    Returns
    -------
    float, Series or DataFrame
        A fraction, higher is better: near 0 at the start of P, ideally 1 at
        its end (sources print it × 100). It exceeds 1 only if target
        invoices are overpaid by d.

    Raises
    ------
    InvalidOptionError
        Unknown ``by``; ``observed`` outside the period, or a list of the
        wrong length.

    Warns
    -----
    UndefinedMetricWarning
        Where the target set is empty (``Total = 0``): ``nan``.

    Notes
    -----
    Target set of P: invoices issued before ``start``, open at
    ``start - 1`` (``B_i(start - 1) > 0``; overpaid invoices have nothing to
    recover) and due on or before ``end`` (overdue at the start of P, or
    falling due during P).

    ``Total = Σ B_i(start - 1)`` and ``Remaining(d) = Σ B_i(d)`` over the
    target set; ``rate = (Total - Remaining(d)) / Total``.

    By definition (see the *Recovery rate* page), an invoice issued during P
    is never in the target set, even when it falls due in P. Everything that reduces a
    balance counts as recovered: payments, credit notes and write-offs
    (see :func:`recovery_summary` for the amounts).

    References
    ----------
    The *Recovery rate* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-02-01", "2024-03-02", "92000.00"),
    ...      ck.Invoice("F2", "C2", "2024-03-10", "2024-04-09", "174000.00")],
    ...     [ck.Payment("F1", "2024-04-05", "50000.00"),
    ...      ck.Payment("F2", "2024-04-12", "78000.00")])
    >>> rate = ck.recovery_rate(ledger, "2024-04", observed="2024-04-15")
    >>> rate == 128_000 / 266_000, f"{rate:.2%}"
    (True, '48.12%')
    """
    result: RatioResult = finish(
        RECOVERY_RATE, ledger, period, by=by, observed=lambda p: observed_days(p, observed)
    )
    return result


def recovery_summary(
    ledger: Ledger,
    period: PeriodArg,
    *,
    observed: Any = None,
    by: By = None,
    money: Money = "float",
) -> SummaryResult:
    """The figures behind :func:`recovery_rate`: target invoices, Total, collected, remaining.

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
    observed : date or str, optional
        Observation date, default the end of P (see :func:`recovery_rate`).
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute.

    Returns
    -------
    Series or DataFrame
        Fields (:data:`RECOVERY_COLUMNS`): ``invoices`` (int, size of the
        target set), ``total`` (``Σ B_i(start - 1)``), ``collected``
        (``total - remaining``: payments, credit notes and write-offs dated
        in ``[start, d]`` on target invoices), ``remaining``
        (``Σ B_i(d)``), money as ``Decimal``, and ``recovery_rate`` (float).
        One period and ``by=None``: a Series named after the period; ``by``:
        a DataFrame indexed by group; a list of periods: a DataFrame indexed
        by period, or by ``(period, group)`` with ``by``. Every field but the
        rate is additive over disjoint customers.

    Raises
    ------
    InvalidOptionError
        Unknown ``by``; ``observed`` outside the period.

    Warns
    -----
    UndefinedMetricWarning
        Where the target set is empty (the rate is ``nan``).

    References
    ----------
    The *Recovery rate* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> import creditkpi as ck
    >>> from creditkpi.metrics.cei import recovery_summary
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-02-01", "2024-03-02", "92000.00"),
    ...      ck.Invoice("F2", "C2", "2024-03-10", "2024-04-09", "174000.00")],
    ...     [ck.Payment("F1", "2024-04-05", "50000.00"),
    ...      ck.Payment("F2", "2024-04-12", "78000.00")])
    >>> s = recovery_summary(ledger, "2024-04", observed="2024-04-15", money="decimal")
    >>> s["invoices"], s["total"], s["collected"], s["remaining"]
    (2, Decimal('266000.00'), Decimal('128000.00'), Decimal('138000.00'))
    """
    check_money(money)
    periods, single = as_periods(period)
    days = observed_days(periods, observed)
    groups = group_codes(ledger, by)
    source = LedgerParts(ledger, groups, periods=periods, observed=days)
    source.fetch(RECOVERY_PARTS)
    p = {name: source.value(name) for name in RECOVERY_PARTS}
    digits = ledger.digits
    rate = formula_recovery_rate(p["recovery_total"], p["recovery_remaining"]).reshape(-1)
    frame = pd.DataFrame(
        {
            "invoices": p["recovery_invoices"].reshape(-1),
            "total": money_values(p["recovery_total"].reshape(-1), digits, money),
            "collected": money_values(p["recovery_collected"].reshape(-1), digits, money),
            "remaining": money_values(p["recovery_remaining"].reshape(-1), digits, money),
            "recovery_rate": rate,
        }
    )
    return shape_summary(frame, periods, groups, single=single, by=by)


# ----------------------------------------------------------------------------------
# pure formulas
# ----------------------------------------------------------------------------------


def formula_cei(
    beginning: Any,
    sales: Any,
    ending_total: Any,
    ending_current: Any,
    *,
    months: Any = 1,
    sales_basis: SalesBasis = "total",
) -> Any:
    """CEI from its four totals.

    Parameters
    ----------
    beginning : int, float or Decimal
        Receivables at the start of the period, ``R(start - 1)``.
    sales : int, float or Decimal
        Sales of the period, ``S(P)``.
    ending_total : int, float or Decimal
        Receivables at the end, ``R(end)``.
    ending_current : int, float or Decimal
        Not-yet-due receivables at the end, ``Current(end)``.
    months : int, default 1
        N, the number of months of the period (used by the monthly basis).
    sales_basis : {"total", "monthly"}, default "total"
        ``"monthly"`` uses ``sales / months`` (Credit Research Foundation).

    Returns
    -------
    float
        A fraction, higher is better (1: everything due was collected);
        ``nan`` when the denominator is ``<= 0``.

    Raises
    ------
    InvalidOptionError
        Unknown ``sales_basis``, or ``months`` not a whole number >= 1.
    InvalidValueError
        A non-number.

    Warns
    -----
    UndefinedMetricWarning
        When the denominator is ``<= 0``.

    Notes
    -----
    ``(beginning + S - ending_total) / (beginning + S - ending_current)``
    with ``S = sales`` or ``sales / months``; exact arithmetic, one rounding.

    References
    ----------
    The *Collection effectiveness index* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> formula_cei(300, 600, 800, 600)
    0.3333333333333333
    >>> formula_cei(1000, 3000, 1500, 900, months=3, sales_basis="monthly")
    0.45454545454545453
    """
    check_option("sales_basis", sales_basis, ("total", "monthly"))
    n: Any = months
    if not isinstance(months, np.ndarray):
        check_whole("months", months, minimum=1)
    if sales_basis == "total":
        n = 1
    arrays = [isinstance(v, np.ndarray) for v in (beginning, sales, ending_total, ending_current)]
    b: Any
    s: Any
    t: Any
    c: Any
    if any(arrays):
        b, s, t, c = (
            np.asarray(v, dtype=np.int64) for v in (beginning, sales, ending_total, ending_current)
        )
    else:
        values = [
            exact(v, name)
            for v, name in (
                (beginning, "beginning"),
                (sales, "sales"),
                (ending_total, "ending_total"),
                (ending_current, "ending_current"),
            )
        ]
        if any(v is None for v in values):
            return float("nan")
        b, s, t, c = values
    # (b + S/N - t) / (b + S/N - c), multiplied through by N: exact for ints
    return ratio(
        n * b + s - n * t,
        n * b + s - n * c,
        what="CEI (nothing was collectible: denominator <= 0)",
    )


def formula_recovery_rate(total: Any, remaining: Any) -> Any:
    """Recovery rate from its two totals: ``(total - remaining) / total``.

    Parameters
    ----------
    total : int, float or Decimal
        Amount to recover at the start of the period (overdue + falling due).
    remaining : int, float or Decimal
        Amount still to recover at the observation date.

    Returns
    -------
    float
        A fraction, higher is better; ``nan`` when ``total <= 0``.

    Raises
    ------
    InvalidValueError
        A non-number.

    Warns
    -----
    UndefinedMetricWarning
        When ``total <= 0``.

    References
    ----------
    The *Recovery rate* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> formula_recovery_rate(266_000, 138_000)
    0.48120300751879697
    """
    if isinstance(total, np.ndarray) or isinstance(remaining, np.ndarray):
        total_a = np.asarray(total, dtype=np.int64)
        return ratio(total_a - np.asarray(remaining, dtype=np.int64), total_a, what=_RECOVERY_WHAT)
    tot, rem = exact(total, "total"), exact(remaining, "remaining")
    if tot is None or rem is None:
        return float("nan")
    return ratio(tot - rem, tot, what=_RECOVERY_WHAT)


_RECOVERY_WHAT = "recovery rate (no invoice to recover: total <= 0)"


def _cei_monthly_sales(beginning: Any, sales: Any, end: Any, current: Any, months: Any) -> Any:
    """CEI with ``S(P) / N`` for a period of N calendar months."""
    return formula_cei(beginning, sales, end, current, months=months, sales_basis="monthly")


# ----------------------------------------------------------------------------------
# specs
# ----------------------------------------------------------------------------------

CEI = KPI(
    name="cei",
    label="Collection effectiveness index",
    label_fr="Indice d'efficacité du recouvrement",
    unit="ratio",
    better="higher",
    basis="period",
    section="Collection",
    parts=("receivables_start", "sales", "receivables_end", "current_end"),
    formula=formula_cei,
    function=cei,
    page="kpis/cei.md",
    definition="Of what could be collected in the period (opening receivables plus sales), the "
    "share that was.",
    trend=True,
    headline=True,
)

#: ``cei(..., sales="monthly")``: not a KPI of the registry, the same path
_CEI_MONTHLY_SALES = replace(CEI, parts=(*CEI.parts, "months"), formula=_cei_monthly_sales)

RECOVERY_RATE = KPI(
    name="recovery_rate",
    label="Recovery rate",
    label_fr="Taux de recouvrement",
    unit="ratio",
    better="higher",
    basis="period",
    section="Collection",
    parts=("recovery_total", "recovery_remaining"),
    formula=formula_recovery_rate,
    function=recovery_rate,
    page="kpis/recovery-rate.md",
    definition="Of the receivables open at the period's start and due by its end, the share "
    "collected during it.",
)

#: the value KPIs of this module (the registry collects them)
KPIS = (CEI, RECOVERY_RATE)
