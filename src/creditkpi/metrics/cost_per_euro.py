"""Cost per euro collected (coût à l'euro recouvré).

Depends only on :mod:`creditkpi.core`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import RatioResult, as_periods, period_index, shape_values
from creditkpi.core.errors import (
    CreditKPIError,
    InvalidAmountError,
    InvalidDateError,
    InvalidOptionError,
    InvalidValueError,
    MissingColumnError,
)
from creditkpi.core.groups import group_codes
from creditkpi.core.ledger import Ledger
from creditkpi.core.money import to_decimal
from creditkpi.core.parts import period_parts
from creditkpi.core.period import Period, as_date
from creditkpi.core.ratios import exact, ratio

__all__ = ["cost_per_euro", "cost_totals", "costs_in_minor_units", "formula_cost_per_euro"]

_NUMBER = (int, float, Decimal, str, np.integer, np.floating)


def _is_number(value: object) -> bool:
    return isinstance(value, _NUMBER) and not isinstance(value, bool)


def _amount(value: object, *, column: str, row: object = None) -> Decimal:
    """A cost amount as an exact ``Decimal``; raises on a missing, bad or negative value."""
    try:
        amount = None if value is None else to_decimal(value)
    except CreditKPIError:
        amount = None
    if amount is None or not amount.is_finite():
        raise InvalidAmountError(
            f"{value!r} is not an amount", column=column, ids=[] if row is None else [row]
        )
    if amount < 0:
        raise InvalidAmountError(
            f"costs must not be negative, got {value!r}",
            column=column,
            ids=[] if row is None else [row],
            rule="negative-cost",
        )
    return amount


def _lines_frame(costs: Any, by: str | None) -> pd.DataFrame:
    """Dated cost lines as a DataFrame with columns ``date``, ``amount`` [``category``, by]."""
    if isinstance(costs, pd.DataFrame):
        need = ["date", "amount"] + ([by] if by is not None else [])
        missing = [c for c in need if c not in costs.columns]
        if missing:
            hint = f" (by={by!r} needs it on every cost line)" if by in missing else ""
            raise MissingColumnError(
                f"cost lines lack column(s) {', '.join(missing)}{hint} "
                f"(has: {', '.join(map(str, costs.columns))})",
                column=missing[0],
                ids=missing,
            )
        return costs
    if by is not None:
        raise InvalidOptionError(
            f"by={by!r} needs dated cost lines as a DataFrame with a {by!r} column",
            column="costs",
        )
    if isinstance(costs, (str, bytes)) or not isinstance(costs, Iterable):
        raise InvalidOptionError(
            f"costs must be a number, a mapping {{period: total}}, a DataFrame of cost lines "
            f"or an iterable of (date, amount[, category]); got {type(costs).__name__}",
            column="costs",
        )
    rows: list[tuple[Any, Any, Any]] = []
    for k, line in enumerate(costs):
        if isinstance(line, (str, bytes)) or not isinstance(line, Iterable):
            raise InvalidValueError(
                f"cost line {k} is {line!r}: expected (date, amount[, category])",
                column="costs",
                ids=[k],
                rule="invalid-cost-line",
            )
        parts = tuple(line)
        if len(parts) not in (2, 3):
            raise InvalidValueError(
                f"cost line {k} has {len(parts)} fields: expected (date, amount[, category])",
                column="costs",
                ids=[k],
                rule="invalid-cost-line",
            )
        rows.append((parts[0], parts[1], parts[2] if len(parts) == 3 else None))
    return pd.DataFrame(rows, columns=["date", "amount", "category"])


def _line_dates(values: pd.Series) -> list[date]:
    out: list[date] = []
    bad: list[object] = []
    for row, value in values.items():
        try:
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                raise InvalidDateError("missing")
            out.append(as_date(value, name="date"))
        except (CreditKPIError, TypeError, ValueError):
            bad.append(row)
    if bad:
        raise InvalidDateError(
            f"{len(bad)} cost line(s) have a missing or unparseable date (expected YYYY-MM-DD)",
            column="date",
            ids=bad,
            count=len(bad),
        )
    return out


def _line_amounts(values: pd.Series) -> list[Decimal]:
    amounts: list[Decimal | None] = []
    bad: list[object] = []
    negative: list[object] = []
    for row, value in values.items():
        try:
            amounts.append(_amount(value, column="amount", row=row))
        except InvalidAmountError as exc:
            (negative if exc.rule == "negative-cost" else bad).append(row)
            amounts.append(None)
    if bad:
        raise InvalidAmountError(
            f"{len(bad)} cost line(s) have a missing or unparseable amount",
            column="amount",
            ids=bad,
            count=len(bad),
        )
    if negative:
        raise InvalidAmountError(
            f"{len(negative)} cost line(s) have a negative amount",
            column="amount",
            ids=negative,
            count=len(negative),
            rule="negative-cost",
        )
    return [a for a in amounts if a is not None]


def cost_totals(
    costs: Any, periods: list[Period], labels: pd.Index, by: str | None
) -> list[list[Decimal]]:
    """``out[j][g]``: the collection costs of period j and group g, exact ``Decimal`` amounts.

    ``costs`` as :func:`cost_per_euro` takes it (a number, a ``{period:
    total}`` mapping, or dated cost lines); validated here (every error of
    :func:`cost_per_euro`).
    """
    n_groups = len(labels)
    if costs is None:
        raise InvalidOptionError(
            "costs is required: a number for the period or dated cost lines", column="costs"
        )
    if _is_number(costs):
        if len(periods) > 1 or by is not None:
            raise InvalidOptionError(
                "one cost total fits one period and by=None; for several periods or groups "
                "pass dated cost lines (or a mapping {period: total})",
                column="costs",
            )
        return [[_amount(costs, column="costs")]]
    if isinstance(costs, Mapping):
        if by is not None:
            raise InvalidOptionError(
                f"by={by!r} needs dated cost lines as a DataFrame with a {by!r} column",
                column="costs",
            )
        totals = {str(Period.parse(k)): v for k, v in costs.items()}
        missing = [str(p) for p in periods if str(p) not in totals]
        if missing:
            raise InvalidValueError(
                f"costs has no total for {len(missing)} period(s)",
                column="costs",
                ids=missing,
                rule="missing-cost",
            )
        return [[_amount(totals[str(p)], column="costs", row=str(p))] for p in periods]
    frame = _lines_frame(costs, by)
    days = _line_dates(frame["date"])
    amounts = _line_amounts(frame["amount"])
    if by is not None:
        line_groups = list(frame[by])
        code = pd.Index(labels).get_indexer(pd.Index(line_groups, dtype=object))
        # labels may be text where the ledger's are numbers (or the reverse): compare as text
        if (code < 0).any():
            text = pd.Index([str(v) for v in labels])
            retry = text.get_indexer(pd.Index([str(v) for v in line_groups]))
            code = np.where(code < 0, retry, code)
        unknown = [row for row, c in zip(frame.index, code, strict=True) if c < 0]
        if unknown:
            raise InvalidValueError(
                f"{len(unknown)} cost line(s) name a {by} that is not in the ledger",
                column=by,
                ids=unknown,
                count=len(unknown),
                rule="unknown-group",
            )
    else:
        code = np.zeros(len(frame), dtype=np.int64)
    out = [[Decimal(0)] * n_groups for _ in periods]
    for day, amount, g in zip(days, amounts, code.tolist(), strict=True):
        for j, p in enumerate(periods):
            if p.start <= day <= p.end:
                out[j][g] += amount
    return out


def cost_per_euro(ledger: Ledger, period: Any, *, costs: Any, by: str | None = None) -> RatioResult:
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
    by : str, optional
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
    periods, single = as_periods(period)
    groups = group_codes(ledger, by)
    totals = cost_totals(costs, periods, groups.labels, by)
    cash = period_parts(ledger, periods, groups, ["cash"])["cash"]
    values = formula_cost_per_euro(costs_in_minor_units(totals, ledger._cols.digits), cash)
    index = period_index(periods)
    return shape_values(values, index, groups, single=single, by=by, name="cost_per_euro")


def costs_in_minor_units(totals: list[list[Decimal]], digits: int) -> npt.NDArray[np.object_]:
    """Cost totals as exact fractions of minor units (an object array), to divide by cash."""
    scale = Fraction(10**digits)
    return np.asarray([[Fraction(v) * scale for v in row] for row in totals], dtype=object)


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
    if not _is_number(costs) or isinstance(costs, str):
        raise InvalidAmountError(f"costs must be a number, got {costs!r}", column="costs")
    if not _is_number(collected) or isinstance(collected, str):
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
