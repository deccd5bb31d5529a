"""Output shapes shared by every KPI: the one place results are shaped.

Every KPI follows the same conventions (the *Concepts* page of the documentation):

* ``by=None`` gives one value; ``by="customer_id"`` or an attribute gives a
  Series indexed by group; a list of dates/periods gives a Series indexed by
  date/period; both give a DataFrame (rows: dates/periods, columns: groups);
* money is exact: a single amount is a ``Decimal``; tables carry money as
  numbers (float64, the nearest float to each exact amount) or, with
  ``money="decimal"``, as exact ``Decimal`` objects; an undefined amount is
  ``nan`` (``Decimal("NaN")`` with ``money="decimal"``);
* ratios and days are floats, counts integers.

:func:`shape` turns the ``(keys, groups)`` array of a KPI (minor units for
money) into its result by the KPI's unit; :func:`money_column` turns one
table column of minor units into money. Both are used by every path (the
ledger functions, the dashboard, the distributed tables).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal, TypeAlias, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.groups import Groups
from creditkpi.core.money import money_values
from creditkpi.core.period import Period, to_day

__all__ = [
    "Money",
    "MoneyResult",
    "RatioResult",
    "SummaryResult",
    "Unit",
    "date_index",
    "first_row",
    "money_column",
    "money_scalar",
    "money_values",
    "own_unit",
    "period_index",
    "shape",
    "shape_money_columns",
    "shape_summary",
    "shape_values",
    "stack_dates",
]

IntArray = npt.NDArray[np.int64]

#: how tables carry money: numbers (float64, the default) or exact ``Decimal``s
Money: TypeAlias = Literal["float", "decimal"]

#: what a KPI's value is: an amount, a fraction, days, a count, an amount per amount
Unit: TypeAlias = Literal["money", "ratio", "days", "count", "money_per_money"]

#: what a money KPI returns: one ``Decimal``, a Series (by group, date or period), a DataFrame
MoneyResult: TypeAlias = "Decimal | pd.Series | pd.DataFrame"
#: what a ratio or days KPI returns: one ``float``, a Series or a DataFrame
RatioResult: TypeAlias = "float | pd.Series | pd.DataFrame"
#: what a summary of parts returns: a Series of fields (one period) or a DataFrame
SummaryResult: TypeAlias = "pd.Series | pd.DataFrame"


# ----------------------------------------------------------------------------------
# money
# ----------------------------------------------------------------------------------


def _undefined(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def money_scalar(cents: object, digits: int) -> Decimal:
    """One amount of minor units (an int, a ``Fraction``; ``None``/``nan``: undefined) as ``Decimal``.

    Examples
    --------
    >>> money_scalar(12345, 2), money_scalar(float("nan"), 2)
    (Decimal('123.45'), Decimal('NaN'))
    """
    if _undefined(cents):
        return Decimal("NaN")
    if isinstance(cents, Fraction) and cents.denominator != 1:
        value = cents * Fraction(10) ** -digits
        return Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(int(cents)).scaleb(-digits)  # type: ignore[call-overload]


def own_unit(value: Decimal, places: int) -> Decimal:
    """``value`` written with ``places`` decimals when that is exact (a JPY total: no ``.00``).

    The money of a ledger of several currencies is held at the finest
    currency's minor unit; a group in a coarser currency shows its own.

    Examples
    --------
    >>> own_unit(Decimal("50000.00"), 0), own_unit(Decimal("12.50"), 0)
    (Decimal('50000'), Decimal('12.50'))
    """
    if not value.is_finite():
        return value
    quantum = Decimal(1).scaleb(-places)
    fitted = value.quantize(quantum)
    return fitted if fitted == value else value


def money_column(values: npt.ArrayLike, digits: int, money: Money = "float") -> npt.NDArray[Any]:
    """:func:`money_values`, also for object arrays holding undefined amounts or fractions.

    Integer arrays take the fast path; an object array may hold ints,
    :class:`~fractions.Fraction` minor units (an exact share of a cent) and
    undefined amounts (``None`` or ``nan``), which become ``nan`` (or
    ``Decimal("NaN")``).

    Examples
    --------
    >>> money_column(np.asarray([150, None, Fraction(1, 3)], dtype=object), 2).round(6).tolist()
    [1.5, nan, 0.003333]
    """
    array = np.asarray(values)
    if array.dtype != object:
        return money_values(array, digits, money)
    flat = array.ravel().tolist()
    if money == "decimal":
        out = np.empty(array.shape, dtype=object)
        out.ravel()[:] = [money_scalar(v, digits) for v in flat]
        return out
    scale = Fraction(10) ** -digits
    floats = [
        np.nan
        if _undefined(v)
        else float(Fraction(v) * scale)
        if isinstance(v, Fraction)
        else int(v) / 10**digits
        for v in flat
    ]
    return np.asarray(floats, dtype=np.float64).reshape(array.shape)


def shape_money_columns(
    frame: pd.DataFrame, columns: Sequence[str], digits: int, money: Money
) -> pd.DataFrame:
    """``frame`` with its ``columns`` of minor units turned into money (:func:`money_column`)."""
    for column in columns:
        if column in frame.columns:
            frame[column] = money_column(frame[column].to_numpy(), digits, money)
    return frame


# ----------------------------------------------------------------------------------
# indexes
# ----------------------------------------------------------------------------------


def _calendar_freq(periods: Sequence[Period]) -> str | None:
    """The pandas frequency shared by calendar ``periods`` (``M``, ``Q``, ``Y``), if any."""
    freqs = set()
    for p in periods:
        months = p.n_months
        if months == 1:
            freqs.add("M")
        elif months == 3 and p.start.month % 3 == 1:
            freqs.add("Q")
        elif months == 12 and p.start.month == 1:
            freqs.add("Y")
        else:
            return None
    return freqs.pop() if len(freqs) == 1 else None


def period_index(periods: Sequence[Period], name: str = "period") -> pd.Index:
    """The index of a result over periods.

    Calendar months, quarters or years give a :class:`pandas.PeriodIndex`
    (so ``.loc["2024-04"]``, plotting and resampling work); other periods
    (any two dates, or mixed lengths) an :class:`pandas.IntervalIndex` of
    dates closed on both sides.

    Examples
    --------
    >>> period_index([Period.month(2024, 3), Period.month(2024, 4)])
    PeriodIndex(['2024-03', '2024-04'], dtype='period[M]', name='period')
    """
    freq = _calendar_freq(periods)
    if freq is not None:
        return pd.PeriodIndex(
            [pd.Period(p.start, freq=freq) for p in periods], freq=freq, name=name
        )
    return pd.IntervalIndex.from_arrays(
        pd.DatetimeIndex([p.start for p in periods]),
        pd.DatetimeIndex([p.end for p in periods]),
        closed="both",
        name=name,
    )


def date_index(dates: Sequence[date] | Sequence[int], name: str = "as_of") -> pd.DatetimeIndex:
    """The index of a result over as-of dates (dates or day numbers): a ``DatetimeIndex``.

    Examples
    --------
    >>> date_index([date(2024, 4, 30)])
    DatetimeIndex(['2024-04-30'], dtype='datetime64[s]', name='as_of', freq=None)
    """
    days = [d if isinstance(d, (int, np.integer)) else to_day(d) for d in dates]
    values = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[s]")
    return pd.DatetimeIndex(values, name=name)


# ----------------------------------------------------------------------------------
# values
# ----------------------------------------------------------------------------------


def shape_values(
    values: npt.NDArray[Any],
    index: pd.Index,
    groups: Groups,
    *,
    single: bool,
    by: str | None,
    name: str | None = None,
) -> Any:
    """Shape a ``(keys, groups)`` array of results per the library's conventions.

    ``index`` labels the keys (dates or periods). One key and ``by=None``:
    the value; ``by``: a Series by group; many keys: a Series by key, or a
    DataFrame keys × groups with ``by``.
    """
    if by is None:
        if single:
            value = values[0, 0]
            return value.item() if isinstance(value, np.generic) else value
        return pd.Series(values[:, 0], index=index, name=name)
    labels = groups.labels.copy()
    labels.name = by
    if single:
        return pd.Series(values[0], index=labels, name=name)
    return pd.DataFrame(values, index=index, columns=labels)


def cells(values: npt.NDArray[Any], unit: Unit, digits: int, money: Money) -> npt.NDArray[Any]:
    """A ``(keys, groups)`` array of a KPI as table cells: money, int counts or floats."""
    if unit == "money":
        return money_column(values, digits, money)
    if unit == "count":
        return np.asarray(values, dtype=np.int64)
    return np.asarray(values, dtype=np.float64)


def shape(
    values: npt.NDArray[Any],
    unit: Unit,
    index: pd.Index,
    groups: Groups,
    *,
    single: bool,
    by: str | None,
    digits: int,
    money: Money,
    name: str | None = None,
) -> Any:
    """The result of a KPI from its ``(keys, groups)`` values, by its unit: the one place.

    Money values are minor units (int, or object with ``nan`` where
    undefined): one ``Decimal`` for one key and ``by=None``, money columns
    otherwise (:func:`money_column`). Counts are ints, the rest floats.

    Examples
    --------
    >>> from creditkpi.core.groups import Groups
    >>> whole = Groups("all", pd.Index(["all"]), np.zeros(0, np.int64), np.zeros(0, np.int64))
    >>> shape(np.asarray([[12345]]), "money", pd.Index([0]), whole, single=True, by=None,
    ...       digits=2, money="float")
    Decimal('123.45')
    """
    own = groups.digits
    if unit == "money" and single and by is None:
        value = money_scalar(np.asarray(values, dtype=object)[0, 0], digits)
        return own_unit(value, own[0]) if own else value
    shaped = cells(values, unit, digits, money)
    if unit == "money" and money == "decimal" and own:
        shaped = np.asarray(shaped, dtype=object)
        for g, places in enumerate(own):
            shaped[:, g] = [own_unit(v, places) for v in shaped[:, g].tolist()]
    out = shape_values(shaped, index, groups, single=single, by=by, name=name)
    if single and by is None:
        return cast(Any, int(out) if unit == "count" else float(out))
    return out


def first_row(frame: pd.DataFrame, name: str) -> pd.Series:
    """The first row of ``frame`` as a Series of plain Python values (ints stay ints).

    The shape of a one-period, ungrouped summary: a Series of fields named
    after the period.
    """
    row = {}
    for column in frame.columns:
        value = frame[column].iloc[0]
        row[column] = value.item() if isinstance(value, np.generic) else value
    return pd.Series(row, dtype=object, name=name)


def shape_summary(
    frame: pd.DataFrame,
    periods: Sequence[Period],
    groups: Groups,
    *,
    single: bool,
    by: str | None,
) -> SummaryResult:
    """Index a summary table of ``(periods × groups)`` rows per the library's conventions.

    One period and no ``by``: the first row as a Series (:func:`first_row`);
    periods only: a ``PeriodIndex``; one period by group: the group labels;
    both: a ``(period, by)`` MultiIndex.
    """
    if by is None:
        frame.index = period_index(periods)
        if single:
            return first_row(frame, str(periods[0]))
        return frame
    if single:
        frame.index = groups.labels.rename(by)
        return frame
    frame.index = pd.MultiIndex.from_product(
        [period_index(periods), groups.labels], names=["period", by]
    )
    return frame


def stack_dates(tables: Sequence[pd.DataFrame], dates: Sequence[date], single: bool) -> Any:
    """One table, or the tables of many dates under an outer ``as_of`` level."""
    if single:
        return tables[0]
    return pd.concat(list(tables), keys=date_index(list(dates)), names=["as_of"])
