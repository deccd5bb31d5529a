"""Days sales outstanding: standard, countback, best possible, average days delinquent.

DSO (délai moyen de paiement, DMP; its trend is the "PMR clients") says how
many days of sales the receivables represent. Two methods:

* **standard** (méthode comptable): ``R(end) / S(P) × days(P)``;
* **countback** (épuisement du chiffre d'affaires): walk back month by month
  from T until the sales made account for ``R(T)``.

Everything is computed from the additive parts of :mod:`creditkpi.core.parts`
(receivables, current and overdue at the period ends, sales per period or
per calendar month), for any number of periods and groups at once, and
finished by the specs of this module (:data:`DSO`, :data:`COUNTBACK_DSO`,
:data:`BEST_POSSIBLE_DSO`, :data:`AVERAGE_DAYS_DELINQUENT`). Depends only on
:mod:`creditkpi.core`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import Any, Literal, TypeAlias

import numpy as np
import pandas as pd

from creditkpi.core.args import as_periods, check_money, check_option, check_whole
from creditkpi.core.errors import InvalidOptionError, InvalidValueError
from creditkpi.core.groups import By, group_codes
from creditkpi.core.kpi import KPI, finish
from creditkpi.core.ledger import Ledger
from creditkpi.core.parts import COUNTBACK_MONTHS, LedgerParts, Settings
from creditkpi.core.period import PeriodLike
from creditkpi.core.ratios import countback, exact, ratio
from creditkpi.core.shapes import Money, RatioResult, SummaryResult, money_values, shape_summary

__all__ = [
    "AVERAGE_DAYS_DELINQUENT",
    "BEST_POSSIBLE_DSO",
    "COUNTBACK_DSO",
    "DSO",
    "KPIS",
    "SUMMARY_COLUMNS",
    "average_days_delinquent",
    "best_possible_dso",
    "dso",
    "dso_summary",
    "formula_average_days_delinquent",
    "formula_best_possible_dso",
    "formula_countback_dso",
    "formula_dso",
]

PeriodArg: TypeAlias = "PeriodLike | Sequence[PeriodLike]"

#: columns of :func:`dso_summary`
SUMMARY_COLUMNS = (
    "days",
    "receivables_start",
    "receivables_end",
    "overdue_end",
    "current_end",
    "sales",
)


# ----------------------------------------------------------------------------------
# public KPIs
# ----------------------------------------------------------------------------------


def dso(
    ledger: Ledger,
    period: PeriodArg,
    *,
    method: Literal["standard", "countback"] = "standard",
    receivables: Literal["end", "average"] = "end",
    by: By = None,
    max_months: int | None = None,
) -> RatioResult:
    """Days sales outstanding (DSO, délai moyen de paiement) of a period.

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
        The period P (``"2024-04"``, ``"2024-Q2"``, ``ck.Period(...)``); a
        list (e.g. ``ck.Period.months("2024-01", "2024-12")``) gives the
        series, the "PMR clients" trend.
    method : {"standard", "countback"}, default "standard"
        ``"standard"``: accounting method over the period;
        ``"countback"``: exhaustion of sales at T = the end of P.
    receivables : {"end", "average"}, default "end"
        Standard method only: ``R(end)``, or ``(R(start - 1) + R(end)) / 2``.
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute (``"country"``...): one
        DSO per group.
    max_months : int, optional
        Countback only: walk back at most this many calendar months (the
        month holding T counts as one). Default: back to the month of the
        ledger's first event.

    Returns
    -------
    float, Series or DataFrame
        Days (float, not rounded), lower is better. One value; a Series by
        group or by period; a DataFrame periods × groups when both.

    Raises
    ------
    InvalidOptionError
        Unknown ``method``, ``receivables`` or ``by``; ``receivables="average"``
        or ``max_months`` with a method that does not use them; ``max_months < 1``.
    InvalidPeriodError
        A period that cannot be parsed.

    Warns
    -----
    UndefinedMetricWarning
        Standard method: where ``S(P) <= 0`` (result ``nan``). Countback:
        where the sales history runs out before the receivables are
        accounted for (result ``nan``).

    Notes
    -----
    Standard: ``DSO(P) = R(end) / S(P) × days(P)`` with ``days(P)`` calendar
    days (April: 30); with ``receivables="average"``,
    ``(R(start - 1) + R(end)) / 2`` replaces ``R(end)``. ``R(T)`` is the sum
    of invoice balances at the end of T (TTC; unapplied cash excluded) and
    ``S(P)`` the invoices issued in P minus the credit notes dated in P.
    Where ``S(P) <= 0`` (no sales, or more credit notes than invoices) the
    standard DSO is ``nan``: a negative number of days means nothing.

    Countback at ``T = end``: ``r = R(T)``; walk calendar months backwards
    from the month holding T (that month from its 1st to T, with its sales
    up to T). While ``r >= S(month)``: add the month's days,
    ``r -= S(month)``; then add ``days(month) × r / S(month)`` and stop. A
    month with no sales counts whole; a month with negative sales (credit
    notes above invoices) counts whole and adds back to ``r``. The walk
    stops as soon as ``r`` reaches 0: a month exactly used up counts whole
    and ends the walk. ``R(T) <= 0`` gives 0. Calendar days, never rounded.
    History = the months back to the month of the ledger's first event
    (issue or settlement), or ``max_months`` months; if it runs out first
    the result is ``nan``. Countback depends only on T, not on the period's
    length.

    With ``by``, every group is computed on its own receivables and sales
    (the same history for all groups).

    References
    ----------
    The *DSO (standard method)* and *Countback DSO* pages of the documentation:
    definition, worked example and conventions.

    See Also
    --------
    best_possible_dso, average_days_delinquent, dso_summary

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-05", "2024-04-04", "300.00"),
    ...      ck.Invoice("F2", "C1", "2024-04-10", "2024-05-10", "600.00")],
    ...     [ck.Payment("F1", "2024-04-20", "100.00")])
    >>> ck.dso(ledger, "2024-04")  # 800 / 600 × 30
    40.0
    >>> round(ck.dso(ledger, "2024-04", method="countback"), 2)  # 30 + 31 × 200/300
    50.67
    >>> ck.dso(ledger, ["2024-03", "2024-04"])  # 300/300 × 31; a PeriodIndex
    period
    2024-03    31.0
    2024-04    40.0
    Freq: M, Name: dso, dtype: float64
    """
    check_option("method", method, ("standard", "countback"))
    check_option("receivables", receivables, ("end", "average"))
    if method == "countback":
        if receivables != "end":
            raise InvalidOptionError(
                "receivables='average' applies to the standard method only "
                "(countback is defined at one date, the end of the period)",
                column="receivables",
            )
        months = check_whole("max_months", max_months, minimum=1, allow_none=True, unit="months")
        settings = Settings(max_months=months)
        countback: RatioResult = finish(COUNTBACK_DSO, ledger, period, by=by, settings=settings)
        return countback
    if max_months is not None:
        raise InvalidOptionError(
            "max_months applies to method='countback' only", column="max_months"
        )
    kpi = DSO if receivables == "end" else _DSO_AVERAGE_RECEIVABLES
    result: RatioResult = finish(kpi, ledger, period, by=by)
    return result


def best_possible_dso(ledger: Ledger, period: PeriodArg, *, by: By = None) -> RatioResult:
    """Best possible DSO (BPDSO): the DSO if every customer paid on its due date.

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
        A list gives a series.
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute.

    Returns
    -------
    float, Series or DataFrame
        Days, lower is better; ``BPDSO <= DSO`` when no balance is negative.

    Raises
    ------
    InvalidOptionError
        Unknown ``by``.

    Warns
    -----
    UndefinedMetricWarning
        Where ``S(P) <= 0`` (result ``nan``).

    Notes
    -----
    ``BPDSO(P) = Current(end) / S(P) × days(P)``, where
    ``Current(T) = R(T) - Overdue(T)`` is the part of the receivables not
    yet due (``d_i(T) <= 0``). Always on the end-of-period receivables.

    References
    ----------
    The *Best possible DSO and ADD* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-05", "2024-04-04", "300.00"),
    ...      ck.Invoice("F2", "C1", "2024-04-10", "2024-05-10", "600.00")],
    ...     [ck.Payment("F1", "2024-04-20", "100.00")])
    >>> ck.best_possible_dso(ledger, "2024-04")  # F2 not due: 600 / 600 × 30
    30.0
    """
    result: RatioResult = finish(BEST_POSSIBLE_DSO, ledger, period, by=by)
    return result


def average_days_delinquent(ledger: Ledger, period: PeriodArg, *, by: By = None) -> RatioResult:
    """Average days delinquent (ADD): standard DSO minus best possible DSO.

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
        A list gives a series.
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute.

    Returns
    -------
    float, Series or DataFrame
        Days, lower is better (0 when nothing is overdue at the end of P).

    Raises
    ------
    InvalidOptionError
        Unknown ``by``.

    Warns
    -----
    UndefinedMetricWarning
        Where ``S(P) <= 0`` (result ``nan``).

    Notes
    -----
    ``ADD(P) = DSO(P) - BPDSO(P)`` with both on the same basis, the
    end-of-period receivables; this is ``Overdue(end) / S(P) × days(P)``,
    which is how it is computed (one exact quotient, no cancellation).

    References
    ----------
    The *Best possible DSO and ADD* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-05", "2024-04-04", "300.00"),
    ...      ck.Invoice("F2", "C1", "2024-04-10", "2024-05-10", "600.00")],
    ...     [ck.Payment("F1", "2024-04-20", "100.00")])
    >>> ck.average_days_delinquent(ledger, "2024-04")  # 40 - 30 = 200 / 600 × 30
    10.0
    """
    result: RatioResult = finish(AVERAGE_DAYS_DELINQUENT, ledger, period, by=by)
    return result


def dso_summary(
    ledger: Ledger, period: PeriodArg, *, by: By = None, money: Money = "float"
) -> SummaryResult:
    """The additive parts behind the DSO family, per period (and group).

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute.

    Returns
    -------
    Series or DataFrame
        Fields (:data:`SUMMARY_COLUMNS`): ``days`` (int, ``days(P)``),
        ``receivables_start`` (``R(start - 1)``), ``receivables_end``
        (``R(end)``), ``overdue_end``, ``current_end`` and ``sales``
        (``S(P)``), money as ``Decimal``. One period and ``by=None``: a
        Series named after the period; ``by``: a DataFrame indexed by group;
        a list of periods: a DataFrame indexed by period, or by
        ``(period, group)`` with ``by``. Every money field is additive over
        disjoint customers.

    Raises
    ------
    InvalidOptionError
        Unknown ``by``.

    References
    ----------
    The *DSO (standard method)* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> import creditkpi as ck
    >>> from creditkpi.metrics.dso import dso_summary
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-05", "2024-04-04", "300.00"),
    ...      ck.Invoice("F2", "C1", "2024-04-10", "2024-05-10", "600.00")],
    ...     [ck.Payment("F1", "2024-04-20", "100.00")])
    >>> s = dso_summary(ledger, "2024-04", money="decimal")
    >>> s["receivables_start"], s["receivables_end"], s["current_end"], s["sales"]
    (Decimal('300.00'), Decimal('800.00'), Decimal('600.00'), Decimal('600.00'))
    """
    check_money(money)
    names = ["receivables_start", "receivables_end", "overdue_end", "current_end", "sales"]
    periods, single = as_periods(period)
    groups = group_codes(ledger, by)
    source = LedgerParts(ledger, groups, periods=periods)
    source.fetch([*names, "days"])
    data: dict[str, Any] = {"days": np.repeat(source.value("days")[:, 0], groups.size)}
    for name in names:
        data[name] = money_values(source.value(name).reshape(-1), ledger.digits, money)
    frame = pd.DataFrame(data, columns=list(SUMMARY_COLUMNS))
    return shape_summary(frame, periods, groups, single=single, by=by)


# ----------------------------------------------------------------------------------
# pure formulas
# ----------------------------------------------------------------------------------


def _check_days(days: Any) -> None:
    """Days must be whole-or-fractional non-negative numbers (arrays come from the parts)."""
    if isinstance(days, np.ndarray):
        return
    d = exact(days, "days")
    if d is not None and d < 0:
        raise InvalidValueError(f"days must not be negative, got {days!r}", column="days")


def formula_dso(receivables: Any, sales: Any, days: Any) -> Any:
    """Standard DSO from its three figures: ``receivables / sales × days``.

    Parameters
    ----------
    receivables : int, float or Decimal
        ``R(end)`` (or the average receivables), tax included.
    sales : int, float or Decimal
        ``S(P)``, tax included.
    days : int or float
        Calendar days of the period.

    Returns
    -------
    float
        Days, lower is better; ``nan`` when ``sales <= 0``.

    Raises
    ------
    InvalidValueError
        A non-number, or negative ``days``.

    Warns
    -----
    UndefinedMetricWarning
        When ``sales <= 0``.

    References
    ----------
    The *DSO (standard method)* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> formula_dso(800, 600, 30)
    40.0
    """
    _check_days(days)
    return ratio(receivables, sales, scale=days, what="DSO (sales <= 0)")


def formula_best_possible_dso(current: Any, sales: Any, days: Any) -> Any:
    """Best possible DSO from its three figures: ``current / sales × days``.

    Parameters
    ----------
    current : int, float or Decimal
        ``Current(end)``: receivables not yet due.
    sales : int, float or Decimal
        ``S(P)``.
    days : int or float
        Calendar days of the period.

    Returns
    -------
    float
        Days, lower is better; ``nan`` when ``sales <= 0``.

    Raises
    ------
    InvalidValueError
        A non-number, or negative ``days``.

    Warns
    -----
    UndefinedMetricWarning
        When ``sales <= 0``.

    References
    ----------
    The *Best possible DSO and ADD* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> formula_best_possible_dso(600, 600, 30)
    30.0
    """
    _check_days(days)
    return ratio(current, sales, scale=days, what="best possible DSO (sales <= 0)")


def formula_average_days_delinquent(overdue: Any, sales: Any, days: Any) -> Any:
    """Average days delinquent from its three figures: ``overdue / sales × days``.

    ``ADD = DSO - BPDSO = (R(end) - Current(end)) / S(P) × days(P)``,
    computed as one exact quotient (no cancellation).

    Parameters
    ----------
    overdue : int, float, Decimal or array
        ``Overdue(end)``.
    sales : int, float, Decimal or array
        ``S(P)``.
    days : int or array
        Calendar days of the period.

    Returns
    -------
    float or ndarray
        Days, lower is better; ``nan`` when ``sales <= 0``.

    Raises
    ------
    InvalidValueError
        A non-number, or negative ``days``.

    Warns
    -----
    UndefinedMetricWarning
        When ``sales <= 0``.

    Examples
    --------
    >>> formula_average_days_delinquent(200, 600, 30)
    10.0
    """
    _check_days(days)
    return ratio(overdue, sales, scale=days, what="average days delinquent (sales <= 0)")


def formula_countback_dso(receivables: Any, months: Iterable[tuple[Any, Any]]) -> Any:
    """Countback DSO (épuisement du chiffre d'affaires) from receivables and monthly sales.

    Parameters
    ----------
    receivables : int, float or Decimal
        ``R(T)``.
    months : iterable of (sales, days)
        Newest first: the month holding T (its sales up to T and its days up
        to T), then each earlier calendar month with its sales and length.

    Returns
    -------
    float
        Days, lower is better; 0 when ``receivables <= 0``; ``nan`` when the
        months run out before the receivables are accounted for.

    Raises
    ------
    InvalidValueError
        A non-number, a pair that is not (sales, days), or negative days.

    Warns
    -----
    UndefinedMetricWarning
        When the months run out.

    Notes
    -----
    ``r = receivables``; for each month, newest first: if ``r >= sales`` (or
    ``sales <= 0``) the month counts whole and ``r -= sales`` (negative
    sales add back to ``r``); otherwise add ``days × r / sales`` and stop.
    The walk also stops as soon as ``r`` reaches 0. Exact arithmetic; one
    rounding to float at the end of each step.

    References
    ----------
    The *Countback DSO* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> # R = 800; April 600 (30 days), March 300 (31 days): 30 + 31 × 200/300
    >>> round(formula_countback_dso(800, [(600, 30), (300, 31)]), 4)
    50.6667
    """
    return countback(receivables, months)


def _dso_average_receivables(start: Any, end: Any, sales: Any, days: Any) -> Any:
    """Standard DSO on the average receivables: ``(R(start - 1) + R(end)) / 2 / S(P) × days(P)``."""
    return ratio(start + end, sales, scale=days, den_scale=2, what="DSO (sales <= 0)")


# ----------------------------------------------------------------------------------
# specs
# ----------------------------------------------------------------------------------

DSO = KPI(
    name="dso",
    label="DSO (standard)",
    label_fr="DSO, méthode comptable",
    unit="days",
    better="lower",
    basis="period",
    section="Speed",
    parts=("receivables_end", "sales", "days"),
    formula=formula_dso,
    function=dso,
    page="kpis/dso.md",
    definition="Days of sales outstanding: receivables at the period's end ÷ its sales × its days.",
    trend=True,
    by_group=True,
    headline=True,
)

#: ``dso(..., receivables="average")``: not a KPI of the registry, the same path
_DSO_AVERAGE_RECEIVABLES = replace(
    DSO,
    parts=("receivables_start", "receivables_end", "sales", "days"),
    formula=_dso_average_receivables,
)

COUNTBACK_DSO = KPI(
    name="countback_dso",
    label="DSO (countback)",
    label_fr="DSO par épuisement du CA",
    unit="days",
    better="lower",
    basis="period",
    section="Speed",
    parts=("receivables_end", COUNTBACK_MONTHS),
    formula=formula_countback_dso,
    function=dso,
    page="kpis/countback-dso.md",
    definition="The days of most recent sales that the receivables outstanding add up to.",
    options=MappingProxyType({"method": "countback"}),
    trend=True,
    by_group=True,
)

BEST_POSSIBLE_DSO = KPI(
    name="best_possible_dso",
    label="Best possible DSO",
    label_fr="Meilleur DSO possible",
    unit="days",
    better="lower",
    basis="period",
    section="Speed",
    parts=("current_end", "sales", "days"),
    formula=formula_best_possible_dso,
    function=best_possible_dso,
    page="kpis/bpdso-add.md",
    definition="The DSO of the receivables not yet due only: what it would be if every "
    "customer paid on time.",
    trend=True,
)

AVERAGE_DAYS_DELINQUENT = KPI(
    name="average_days_delinquent",
    label="Average days delinquent",
    label_fr="Retard moyen (ADD)",
    unit="days",
    better="lower",
    basis="period",
    section="Speed",
    parts=("overdue_end", "sales", "days"),
    formula=formula_average_days_delinquent,
    function=average_days_delinquent,
    page="kpis/bpdso-add.md",
    definition="DSO minus best possible DSO: the days that late payment adds.",
)

#: the value KPIs of this module (the registry collects them)
KPIS = (DSO, COUNTBACK_DSO, BEST_POSSIBLE_DSO, AVERAGE_DAYS_DELINQUENT)
