r"""Output shapes shared by every KPI: the one place results are shaped.

Every KPI follows the same conventions (the *Concepts* page of the documentation):

* ``by=None`` gives one value; ``by="customer_id"`` or an attribute gives a
  Series indexed by group; a list of dates/periods gives a Series indexed by
  date/period; both give a DataFrame (rows: dates/periods, columns: groups);
* money is computed exactly (integer minor units) and carried, single
  amounts and tables alike, as numbers by default (``float``: the nearest
  float to each exact amount, so ``receivables * overdue_rate`` and
  ``describe()`` work) or, with ``money="decimal"``, as exact ``Decimal``
  objects; an undefined amount is ``nan`` (``Decimal("NaN")`` with
  ``money="decimal"``);
* ratios and days are floats, counts integers; a one-period summary is a
  Series of numbers (float64) unless it holds text or exact ``Decimal``\ s.

:func:`shape` turns the ``(keys, groups)`` array of a KPI (minor units for
money) into its result by the KPI's unit; :func:`money_column` turns one
table column of minor units into money. Both are used by every path (the
ledger functions, the dashboard, the distributed tables).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal, TypeAlias, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.groups import By, Groups, by_names, group_index
from creditkpi.core.money import CURRENCIES, money_values
from creditkpi.core.period import Period, to_day

__all__ = [
    "EVERY_COLUMN",
    "Money",
    "MoneyResult",
    "RatioResult",
    "SummaryResult",
    "Unit",
    "date_index",
    "first_row",
    "keyed_index",
    "money_column",
    "money_number",
    "money_scalar",
    "money_values",
    "name_groups",
    "one_row",
    "own_unit",
    "own_units",
    "period_index",
    "shape",
    "shape_money_columns",
    "shape_rows",
    "shape_summary",
    "shape_values",
    "stack_dates",
]

IntArray = npt.NDArray[np.int64]

#: how tables carry money: numbers (float64, the default) or exact ``Decimal``s
Money: TypeAlias = Literal["float", "decimal"]

#: what a KPI's value is: an amount, a fraction, days, a count, an amount per amount
Unit: TypeAlias = Literal["money", "ratio", "days", "count", "money_per_money"]

#: what a money KPI returns: one amount (``float``, or ``Decimal`` with ``money="decimal"``),
#: a Series (by group, date or period), a DataFrame
MoneyResult: TypeAlias = "float | Decimal | pd.Series | pd.DataFrame"
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


def money_number(cents: object, digits: int, money: Money = "float") -> float | Decimal:
    """One amount of minor units as ``money=`` asks: the nearest ``float``, or the exact ``Decimal``.

    The one shape of a single amount (a money KPI for one date or period
    and no ``by``): ``money="float"`` (the default, as for tables) gives
    the float nearest to the exact amount (``nan`` where undefined),
    ``money="decimal"`` the exact ``Decimal`` (:func:`money_scalar`).

    Examples
    --------
    >>> money_number(12345, 2), money_number(12345, 2, "decimal"), money_number(None, 2)
    (123.45, Decimal('123.45'), nan)
    """
    if money == "decimal":
        return money_scalar(cents, digits)
    if _undefined(cents):
        return float("nan")
    if isinstance(cents, Fraction):
        return float(cents * Fraction(10) ** -digits)
    return int(cents) / 10**digits  # type: ignore[call-overload, no-any-return]


def own_units(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """``frame`` with each row's ``Decimal`` money written in its ``currency`` column's minor unit.

    The rows of a table of items of several currencies (not translated):
    each amount in its own currency (:func:`own_unit`); other cells as
    they are.

    Examples
    --------
    >>> frame = pd.DataFrame({"currency": ["JPY", "EUR"], "open": [Decimal("500.00"), Decimal("2.50")]})
    >>> own_units(frame, ["open"])["open"].tolist()
    [Decimal('500'), Decimal('2.50')]
    """
    out = frame.copy()
    places = [CURRENCIES[str(code)] for code in out["currency"].tolist()]
    for column in columns:
        values = out[column].tolist()
        out[column] = pd.Series(
            [
                own_unit(v, d) if isinstance(v, Decimal) else v
                for v, d in zip(values, places, strict=True)
            ],
            index=out.index,
            dtype=object,
        )
    return out


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


#: in a table's money columns: every column of the table is money
EVERY_COLUMN = "*"


def shape_money_columns(
    frame: pd.DataFrame, columns: Sequence[str], digits: int, money: Money
) -> pd.DataFrame:
    """``frame`` with its ``columns`` of minor units turned into money (:func:`money_column`).

    ``columns`` holding :data:`EVERY_COLUMN` (``"*"``) means every column
    (a table whose columns are named by the data, such as aging buckets).
    """
    names = list(frame.columns) if EVERY_COLUMN in columns else list(columns)
    for column in names:
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
    by: By,
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
    labels = group_index(groups.labels, by)
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
    by: By,
    digits: int,
    money: Money,
    name: str | None = None,
) -> Any:
    """The result of a KPI from its ``(keys, groups)`` values, by its unit: the one place.

    Money values are minor units (int, or object with ``nan`` where
    undefined): one amount for one key and ``by=None`` (:func:`money_number`:
    a float, or a ``Decimal`` with ``money="decimal"``), money columns
    otherwise (:func:`money_column`). Counts are ints, the rest floats.

    Examples
    --------
    >>> from creditkpi.core.groups import By, Groups, by_names, group_index
    >>> whole = Groups("all", pd.Index(["all"]), np.zeros(0, np.int64), np.zeros(0, np.int64))
    >>> shape(np.asarray([[12345]]), "money", pd.Index([0]), whole, single=True, by=None,
    ...       digits=2, money="float")
    123.45
    >>> shape(np.asarray([[12345]]), "money", pd.Index([0]), whole, single=True, by=None,
    ...       digits=2, money="decimal")
    Decimal('123.45')
    """
    own = groups.digits
    if unit == "money" and single and by is None:
        value = money_number(np.asarray(values, dtype=object)[0, 0], digits, money)
        if own and isinstance(value, Decimal):
            return own_unit(value, own[0])
        return value
    shaped = cells(values, unit, digits, money)
    if unit == "money" and money == "decimal" and own:
        shaped = np.asarray(shaped, dtype=object)
        for g, places in enumerate(own):
            shaped[:, g] = [own_unit(v, places) for v in shaped[:, g].tolist()]
    out = shape_values(shaped, index, groups, single=single, by=by, name=name)
    if single and by is None:
        return cast(Any, int(out) if unit == "count" else float(out))
    return out


def one_row(values: dict[str, Any], name: str) -> pd.Series:
    """A Series of fields: float64 when every field is a number, else object.

    The shape of a one-period (or one-date), ungrouped summary: numbers
    (ints and floats alike) make a numeric Series, as pandas' own
    ``frame.iloc[0]`` does, so it adds, plots and describes; a text field
    or an exact ``Decimal`` (``money="decimal"``) keeps each value as it is.

    Examples
    --------
    >>> one_row({"amount": 12.5, "invoices": 2}, "2024-04").dtype
    dtype('float64')
    >>> one_row({"amount": Decimal("12.50"), "invoices": 2}, "2024-04").tolist()
    [Decimal('12.50'), 2]
    """
    plain = {k: v.item() if isinstance(v, np.generic) else v for k, v in values.items()}
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in plain.values())
    if numeric:
        return pd.Series(plain, dtype=np.float64, name=name)
    return pd.Series(plain, dtype=object, name=name)


def first_row(frame: pd.DataFrame, name: str) -> pd.Series:
    r"""The first row of ``frame`` as a Series named ``name`` (:func:`one_row`).

    The shape of a one-period, ungrouped summary: a Series of fields named
    after the period, numeric unless a field holds text or ``Decimal``\ s.
    """
    return one_row({str(c): frame[c].iloc[0] for c in frame.columns}, name)


def name_groups(index: pd.Index, by: By, level: int = 0) -> pd.Index:
    """``index`` with its group level (``level``) named after ``by``; split in one level per column.

    A table of parts is indexed by ``(group, ...)`` with one label per
    group; a result names that level after ``by``, and for several
    columns (:class:`~creditkpi.core.groups.GroupKey` labels) gives each
    column its own level.

    Examples
    --------
    >>> from creditkpi.core.groups import GroupKey
    >>> index = pd.MultiIndex.from_arrays(
    ...     [pd.Index([GroupKey(("FR", "A")), GroupKey(("DE", "B"))]), [1, 2]], names=["group", "day"])
    >>> name_groups(index, ["country", "segment"]).names
    FrozenList(['country', 'segment', 'day'])
    >>> name_groups(pd.Index(["FR"], name="group"), "country").name
    'country'
    """
    names = by_names(by)
    if not names:
        return index
    if not isinstance(index, pd.MultiIndex):
        return group_index(index, by)
    if len(names) == 1:
        return index.set_names(names[0], level=level)
    groups = group_index(pd.Index(index.get_level_values(level), dtype=object), by)
    arrays: list[Any] = []
    labels: list[Any] = []
    for k in range(index.nlevels):
        if k == level:
            arrays += [groups.get_level_values(i) for i in range(groups.nlevels)]
            labels += names
        else:
            arrays.append(index.get_level_values(k))
            labels.append(index.names[k])
    return pd.MultiIndex.from_arrays(arrays, names=labels)


def keyed_index(keys: pd.Index, groups: Groups | pd.Index, by: By) -> pd.MultiIndex:
    """The ``(key, group...)`` index of ``keys`` × ``groups`` (every key, every group)."""
    labels = group_index(groups.labels if isinstance(groups, Groups) else groups, by)
    k, g = len(keys), len(labels)
    arrays: list[Any] = [keys.repeat(g)]
    if isinstance(labels, pd.MultiIndex):
        arrays += [
            np.tile(np.asarray(labels.get_level_values(i), dtype=object), k)
            for i in range(labels.nlevels)
        ]
    else:
        arrays.append(np.tile(np.asarray(labels, dtype=object), k))
    return pd.MultiIndex.from_arrays(arrays, names=[keys.name, *by_names(by)])


def shape_summary(
    frame: pd.DataFrame,
    periods: Sequence[Period],
    groups: Groups,
    *,
    single: bool,
    by: By,
) -> SummaryResult:
    """Index a summary table of ``(periods × groups)`` rows per the library's conventions.

    One period and no ``by``: the first row as a Series (:func:`first_row`);
    periods only: a ``PeriodIndex``; one period by group: the group labels
    (a ``MultiIndex`` for several ``by`` columns); both: a ``(period,
    by...)`` MultiIndex.
    """
    if by is None:
        frame.index = period_index(periods)
        if single:
            return first_row(frame, str(periods[0]))
        return frame
    if single:
        frame.index = group_index(groups.labels, by)
        return frame
    frame.index = keyed_index(period_index(periods), groups, by)
    return frame


def shape_rows(
    tables: Sequence[pd.DataFrame],
    dates: Sequence[date],
    labels: pd.Index,
    *,
    single: bool,
    by: By,
) -> pd.DataFrame:
    """One row per date and group: the tables of one row per group, at each date, stacked.

    Without ``by`` the index is ``as_of`` (a ``DatetimeIndex``, even for one
    date: the rows are dates); with ``by`` and one date, the groups (named
    after ``by``); with both, ``(as_of, by...)``.
    """
    frame = pd.concat(list(tables), ignore_index=True) if len(tables) > 1 else tables[0].copy()
    if by is None:
        frame.index = date_index(list(dates))
    elif single:
        frame.index = group_index(labels, by)
    else:
        frame.index = keyed_index(date_index(list(dates)), labels, by)
    return frame


def stack_dates(tables: Sequence[pd.DataFrame], dates: Sequence[date], single: bool) -> Any:
    """One table, or the tables of many dates under an outer ``as_of`` level."""
    if single:
        return tables[0]
    return pd.concat(list(tables), keys=date_index(list(dates)), names=["as_of"])
