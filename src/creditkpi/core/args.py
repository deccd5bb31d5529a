"""Argument checking and output shapes shared by every KPI.

Every KPI follows the same conventions (the *Concepts* page of the documentation):

* snapshot KPIs take ``as_of`` (a date or ``"YYYY-MM-DD"``), period KPIs a
  :class:`~creditkpi.Period` or ``"2024-04"``; a list gives a series;
* ``by=None`` gives one value; ``by="customer_id"`` or an attribute gives a
  Series indexed by group; a list of dates/periods gives a Series indexed by
  date/period; both give a DataFrame (rows: dates/periods, columns: groups);
* an undefined ratio is ``nan`` with an :class:`UndefinedMetricWarning`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Literal, TypeAlias, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.groups import Groups
from creditkpi.core.period import Period, PeriodLike, as_date, to_day

__all__ = [
    "Money",
    "MoneyResult",
    "RatioResult",
    "SummaryResult",
    "as_dates",
    "as_periods",
    "check_money",
    "check_option",
    "date_index",
    "first_row",
    "money_values",
    "observed_days",
    "period_index",
    "reshape",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: how tables carry money: numbers (float64, the default) or exact ``Decimal``s
Money: TypeAlias = Literal["float", "decimal"]

#: what a money KPI returns: one ``Decimal``, a Series (by group, date or period), a DataFrame
MoneyResult: TypeAlias = "Decimal | pd.Series | pd.DataFrame"
#: what a ratio or days KPI returns: one ``float``, a Series or a DataFrame
RatioResult: TypeAlias = "float | pd.Series | pd.DataFrame"
#: what a summary of parts returns: a Series of fields (one period) or a DataFrame
SummaryResult: TypeAlias = "pd.Series | pd.DataFrame"


def check_option(name: str, value: object, allowed: Collection[object]) -> None:
    """Raise :class:`InvalidOptionError` unless ``value`` is one of ``allowed``.

    Examples
    --------
    >>> check_option("method", "countback", ("standard", "countback"))
    >>> check_option("method", "fast", ("standard", "countback"))
    Traceback (most recent call last):
    ...
    creditkpi.core.errors.InvalidOptionError: invalid-option: method must be one of 'standard', 'countback'; got 'fast' in argument 'method'
    """
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise InvalidOptionError(f"{name} must be one of {shown}; got {value!r}", column=name)


def as_dates(as_of: Any) -> tuple[list[date], bool]:
    """Normalise an ``as_of`` argument: (list of dates, whether it was a single date)."""
    if as_of is None:
        raise InvalidOptionError(
            "as_of is required: creditkpi never defaults the cut-off to today", column="as_of"
        )
    if isinstance(as_of, (str, date, np.datetime64, pd.Timestamp)) or not _is_sequence(as_of):
        return [as_date(as_of)], True  # one value (a number is no date: as_date says so)
    values = list(as_of)
    if not values:
        raise InvalidOptionError("as_of is an empty list", column="as_of")
    dates = [as_date(v) for v in values]
    _reject_repeats(dates, "as_of")
    return dates, False


def _is_sequence(value: object) -> bool:
    """A list, tuple, array, Series or index of values (not one value such as a number)."""
    return isinstance(value, Iterable) and not isinstance(value, (str, bytes))


def _reject_repeats(values: Sequence[object], name: str) -> None:
    seen: set[object] = set()
    repeated = [v for v in values if v in seen or seen.add(v)]  # type: ignore[func-returns-value]
    if repeated:
        raise InvalidOptionError(
            f"{name} lists {len(repeated)} value(s) more than once",
            column=name,
            ids=[str(v) for v in repeated],
        )


def as_periods(period: PeriodLike | Sequence[PeriodLike]) -> tuple[list[Period], bool]:
    """Normalise a ``period`` argument: (list of periods, whether it was a single period)."""
    if isinstance(period, (str, Period)) or not _is_sequence(period):
        return [Period.parse(period)], True  # type: ignore[arg-type]
    values = list(period)
    if not values:
        raise InvalidOptionError("period is an empty list", column="period")
    periods = [Period.parse(p) for p in values]
    _reject_repeats(periods, "period")
    return periods, False


def reshape(
    values: pd.Series,
    *,
    single: bool,
    by: str | None,
) -> Any:
    """Shape a result indexed by ``(key, group)`` per the library's conventions.

    ``key`` is the as-of date or period label. Returns the scalar, a Series by
    group, a Series by key, or a DataFrame (keys × groups).
    """
    if by is None:
        series = values.droplevel(1)
        if single:
            value = series.iloc[0]
            return value.item() if isinstance(value, np.generic) else value
        return series
    if single:
        out = values.droplevel(0)
        out.index.name = by
        return out
    # unstack sorts both axes: put keys and groups back in their given order
    keys = values.index.get_level_values(0).unique()
    groups = values.index.get_level_values(1).unique()
    frame = values.unstack(level=1).reindex(index=keys, columns=groups)
    frame.columns.name = by
    return frame


def observed_days(periods: list[Period], observed: Any) -> list[int]:
    """The observation day number of each period: its end by default, else ``observed``.

    ``observed`` is one date (inside every period) or one date per period;
    each must satisfy ``start <= observed <= end``.
    """
    if observed is None:
        return [to_day(p.end) for p in periods]
    if isinstance(observed, (str, date, np.datetime64, pd.Timestamp)):
        dates = [as_date(observed, name="observed")] * len(periods)
    else:
        dates = [as_date(o, name="observed") for o in observed]
        if len(dates) != len(periods):
            raise InvalidOptionError(
                f"observed has {len(dates)} dates for {len(periods)} periods "
                "(give one date, or one per period)",
                column="observed",
            )
    outside = [
        f"{d} not in {p}" for p, d in zip(periods, dates, strict=True) if not p.start <= d <= p.end
    ]
    if outside:
        raise InvalidOptionError(
            "the observation date must lie in its period (start <= observed <= end)",
            column="observed",
            ids=outside,
        )
    return [to_day(d) for d in dates]


# ----------------------------------------------------------------------------------
# money and index shapes of tabular results
# ----------------------------------------------------------------------------------


def check_money(money: object) -> None:
    """Validate a ``money=`` argument (``"float"`` or ``"decimal"``)."""
    check_option("money", money, ("float", "decimal"))


def money_values(cents: npt.ArrayLike, digits: int, money: Money = "float") -> npt.NDArray[Any]:
    """Money of a table column from integer minor units.

    ``money="float"`` (the default of every table): float64 values, the
    nearest float to each exact amount, so rounding a value to the
    currency's minor unit gives back the exact figure (for amounts below
    2**53 minor units, about 90 trillion euros). ``money="decimal"``: exact
    ``Decimal`` objects.

    Examples
    --------
    >>> money_values([123456, -5], 2).tolist()
    [1234.56, -0.05]
    >>> money_values([123456], 2, "decimal").tolist()
    [Decimal('1234.56')]
    """
    values = np.asarray(cents, dtype=np.int64)
    if money == "decimal":
        out = np.empty(values.shape, dtype=object)
        flat = [Decimal(int(c)).scaleb(-digits) for c in values.ravel().tolist()]
        out.ravel()[:] = flat
        return out
    return values.astype(np.float64) / float(10**digits)


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


def shape_values(
    values: npt.NDArray[Any],
    index: pd.Index,
    groups: Groups,
    *,
    single: bool,
    by: str | None,
    name: str | None = None,
) -> RatioResult:
    """Shape a ``(keys, groups)`` array of results per the library's conventions.

    ``index`` labels the keys (dates or periods). One key and ``by=None``:
    the value; ``by``: a Series by group; many keys: a Series by key, or a
    DataFrame keys × groups with ``by``.
    """
    if by is None:
        if single:
            value = values[0, 0]
            return cast(float, value.item() if isinstance(value, np.generic) else value)
        return pd.Series(values[:, 0], index=index, name=name)
    labels = groups.labels.copy()
    labels.name = by
    if single:
        return pd.Series(values[0], index=labels, name=name)
    return pd.DataFrame(values, index=index, columns=labels)


def shape_money(
    cents: IntArray,
    index: pd.Index,
    groups: Groups,
    *,
    single: bool,
    by: str | None,
    digits: int,
    money: Money,
    name: str | None = None,
) -> MoneyResult:
    """:func:`shape_values` for money: a ``Decimal`` scalar, numeric (or ``Decimal``) tables."""
    check_money(money)
    if single and by is None:
        return Decimal(int(cents[0, 0])).scaleb(-digits)
    shaped = shape_values(
        money_values(cents, digits, money), index, groups, single=single, by=by, name=name
    )
    return cast(MoneyResult, shaped)


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
