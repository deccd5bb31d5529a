"""Collection costs, an input given as an argument: numbers, per-period totals or dated lines.

What :func:`creditkpi.cost_per_euro`, the dashboard and
:func:`creditkpi.distributed.kpis` take as ``costs``: one number (the total
of the one period), a mapping ``{period: total}``, or dated cost lines (a
DataFrame with ``date``, ``amount`` [``category``, a ``by`` column] or an
iterable of ``(date, amount[, category])``). :func:`cost_totals` validates
them and sums them per period and group (exact ``Decimal``);
:func:`cost_matrix` makes those totals the ``costs`` part of the KPIs
(fractions of minor units, ``nan`` where the costs of a period are unknown).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.errors import (
    CreditKPIError,
    InvalidAmountError,
    InvalidDateError,
    InvalidOptionError,
    InvalidValueError,
    MissingColumnError,
)
from creditkpi.core.groups import By, GroupKey, by_names
from creditkpi.core.money import to_decimal
from creditkpi.core.period import Period, as_date

__all__ = ["cost_matrix", "cost_totals", "costs_in_minor_units", "is_number"]

_NUMBER = (int, float, Decimal, str, np.integer, np.floating)


def is_number(value: object) -> bool:
    """Whether ``value`` is one number (not a bool): an int, float, ``Decimal`` or text."""
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


def _lines_frame(costs: Any, by: By) -> pd.DataFrame:
    """Dated cost lines as a DataFrame with columns ``date``, ``amount`` [``category``, by]."""
    if isinstance(costs, pd.DataFrame):
        names = by_names(by)
        need = ["date", "amount", *names]
        missing = [c for c in need if c not in costs.columns]
        if missing:
            hint = (
                f" (by={by!r} needs it on every cost line)"
                if any(m in names for m in missing)
                else ""
            )
            raise MissingColumnError(
                f"cost lines lack column(s) {', '.join(missing)}{hint} "
                f"(has: {', '.join(map(str, costs.columns))})",
                column=missing[0],
                ids=missing,
            )
        return costs
    if by is not None:
        raise InvalidOptionError(
            f"by={by!r} needs dated cost lines as a DataFrame with the column(s) {by!r}",
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


def cost_totals(costs: Any, periods: list[Period], labels: pd.Index, by: By) -> list[list[Decimal]]:
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
    if is_number(costs):
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
                f"by={by!r} needs dated cost lines as a DataFrame with the column(s) {by!r}",
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
        names = by_names(by)
        line_groups: list[Any] = (
            list(frame[names[0]])
            if len(names) == 1
            else [GroupKey(t) for t in frame[names].itertuples(index=False, name=None)]
        )
        code = pd.Index(labels).get_indexer(pd.Index(line_groups, dtype=object))
        # labels may be text where the ledger's are numbers (or the reverse): compare as text
        if (code < 0).any():
            text = pd.Index([str(v) for v in labels])
            retry = text.get_indexer(pd.Index([str(v) for v in line_groups]))
            code = np.where(code < 0, retry, code)
        unknown = [row for row, c in zip(frame.index, code, strict=True) if c < 0]
        if unknown:
            raise InvalidValueError(
                f"{len(unknown)} cost line(s) name a {'/'.join(names)} that is not in the ledger",
                column=names[0],
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


def costs_in_minor_units(totals: list[list[Decimal]], digits: int) -> npt.NDArray[np.object_]:
    """Cost totals as exact fractions of minor units (an object array), to divide by cash."""
    scale = Fraction(10**digits)
    return np.asarray([[Fraction(v) * scale for v in row] for row in totals], dtype=object)


def cost_matrix(
    totals: Sequence[Sequence[Decimal] | None], digits: int, n_groups: int
) -> npt.NDArray[np.object_]:
    """The ``costs`` part: ``(keys, groups)`` fractions of minor units, ``nan`` rows where unknown.

    ``totals[j]`` are the cost totals of key ``j`` per group
    (:func:`cost_totals`), or ``None`` when the costs of that period are
    not known (the KPI is then ``nan``).
    """
    matrix = np.full((len(totals), n_groups), math.nan, dtype=object)
    for j, row in enumerate(totals):
        if row is not None:
            matrix[j] = costs_in_minor_units([list(row)], digits)[0]
    return matrix
