"""Cost per euro collected (coût à l'euro recouvré).

Depends only on :mod:`creditkpi.core`; the costs, an input given as an
argument, are read by :mod:`creditkpi.core.costs`. :data:`COST_PER_EURO` is
its spec.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from creditkpi.core.costs import cost_matrix, cost_totals, is_number
from creditkpi.core.errors import InvalidAmountError
from creditkpi.core.groups import By, Groups
from creditkpi.core.kpi import KPI, finish
from creditkpi.core.ledger import Ledger
from creditkpi.core.parts import COSTS
from creditkpi.core.period import Period
from creditkpi.core.ratios import exact, ratio
from creditkpi.core.shapes import RatioResult

__all__ = ["COST_PER_EURO", "KPIS", "cost_per_euro", "formula_cost_per_euro"]


def cost_per_euro(ledger: Ledger, period: Any, *, costs: Any, by: By = None) -> RatioResult:
    """Cost per euro collected (coût à l'euro recouvré): collection costs of P / cash of P.

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
        A list gives a series indexed by period.
    costs : number, mapping, DataFrame or iterable of tuples
        The collection costs (dépenses liées au recouvrement), in the ledger's
        currency:

        - a number (``Decimal``, ``int``, ``float`` or text): the total of the
          one period;
        - a mapping ``{period: total}`` (keys ``"2024-04"`` or ``Period``):
          one total per requested period;
        - dated cost lines: a DataFrame with columns ``date``, ``amount``
          [``category``], or an iterable of ``(date, amount[, category])``
          tuples; the lines dated in P count, the others are ignored.
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute (e.g. a collector): then
        ``costs`` must be a DataFrame of cost lines with a column of that
        name giving each line's group.

    Returns
    -------
    float, Series or DataFrame
        ``>= 0``, lower is better: below 1 the recovery pays for itself,
        above 1 it costs more than it brings in. ``nan`` when no cash was
        collected in P.

    Raises
    ------
    InvalidAmountError
        A cost missing, unparseable or negative (rule ``negative-cost``),
        naming the column and the first offending rows.
    InvalidDateError
        A cost line with a missing or unparseable date.
    MissingColumnError
        Cost lines without ``date``/``amount`` (or the ``by`` column).
    InvalidValueError
        A malformed cost line, a period missing from a mapping, or a ``by``
        group not in the ledger.
    InvalidOptionError
        One number for several periods or with ``by``; an unknown ``by``.

    Warns
    -----
    UndefinedMetricWarning
        When no cash was collected in P.

    Notes
    -----
    ``cost_per_euro(P) = costs(P) / C(P)``, with ``C(P)`` the cash collected
    in P (payments dated in P, applied or unapplied; credit notes and
    write-offs are not cash). Costs are summed exactly as ``Decimal`` (they
    may carry fractions of a cent: they are not ledger entries); the ratio
    is the correctly rounded float of the exact fraction. Zero costs give 0.

    References
    ----------
    The *Cost per euro collected* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "1000.00")],
    ...     [ck.Payment("F1", "2024-04-10", "800.00")])
    >>> ck.cost_per_euro(ledger, "2024-04", costs="40.00")
    0.05
    >>> lines = [("2024-04-05", "30.00", "staff"), ("2024-04-20", "10.00", "letters"),
    ...          ("2024-05-02", "99.00", "staff")]
    >>> ck.cost_per_euro(ledger, "2024-04", costs=lines)
    0.05
    """

    def costs_part(periods: list[Period], groups: Groups) -> Any:
        totals = cost_totals(costs, periods, groups.labels, by)
        return cost_matrix(totals, ledger.digits, groups.size)

    result: RatioResult = finish(COST_PER_EURO, ledger, period, by=by, costs=costs_part)
    return result


def formula_cost_per_euro(costs: Any, collected: Any) -> Any:
    """Cost per euro collected from its two totals: ``costs / collected``.

    Parameters
    ----------
    costs : int, float or Decimal
        Collection costs of the period (>= 0).
    collected : int, float or Decimal
        Cash collected in the period (>= 0).

    Returns
    -------
    float
        Lower is better; below 1 the recovery pays for itself. ``nan`` when
        nothing was collected.

    Raises
    ------
    InvalidAmountError
        A negative or non-numeric amount.

    Warns
    -----
    UndefinedMetricWarning
        When ``collected`` is 0 or below.

    References
    ----------
    The *Cost per euro collected* page of the documentation: definition, worked
    example and conventions.

    Examples
    --------
    >>> formula_cost_per_euro(12_000, 300_000)
    0.04
    """
    if isinstance(costs, np.ndarray) or isinstance(collected, np.ndarray):
        return ratio(costs, collected, what=_WHAT)
    if not is_number(costs) or isinstance(costs, str):
        raise InvalidAmountError(f"costs must be a number, got {costs!r}", column="costs")
    if not is_number(collected) or isinstance(collected, str):
        raise InvalidAmountError(
            f"collected must be a number, got {collected!r}", column="collected"
        )
    c, k = exact(costs, "costs"), exact(collected, "collected")
    if c is None or k is None:
        return float("nan")
    for value, name in ((c, "costs"), (k, "collected")):
        if value < 0:
            raise InvalidAmountError(
                f"{name} must not be negative, got {value}", column=name, rule="negative-cost"
            )
    return ratio(c, k, what=_WHAT)


_WHAT = "cost per euro collected (no cash collected)"


COST_PER_EURO = KPI(
    name="cost_per_euro",
    label="Cost per euro collected",
    label_fr="Coût à l'euro recouvré",
    unit="money_per_money",
    better="lower",
    basis="period",
    section="Collection",
    parts=(COSTS, "cash"),
    formula=formula_cost_per_euro,
    function=cost_per_euro,
    page="kpis/cost-per-euro.md",
    definition="Collection costs of the period per unit of currency collected.",
    requires=("costs",),
)

#: the value KPIs of this module (the registry collects them)
KPIS = (COST_PER_EURO,)
