"""Argument checking shared by every KPI: one check per kind of argument.

Every KPI follows the same conventions (the *Concepts* page of the documentation):

* snapshot KPIs take ``as_of`` (a date or ``"YYYY-MM-DD"``), period KPIs a
  :class:`~creditkpi.Period` or ``"2024-04"``; a list gives a series;
* options are keyword-only; a choice is one of a few values
  (:func:`check_option`), a count or a number of days a whole number
  (:func:`check_whole`), a level a number in an interval
  (:func:`check_number`), a switch a bool (:func:`check_flag`);
* ``money=`` is ``"float"`` or ``"decimal"`` (:func:`check_money`).

The shapes of the results are :mod:`creditkpi.core.shapes`'.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.period import Period, PeriodLike, as_date, to_day

__all__ = [
    "as_dates",
    "as_periods",
    "check_flag",
    "check_money",
    "check_number",
    "check_option",
    "check_whole",
    "observed_days",
]


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


#: lists of dates or periods: pandas indexes and Series, numpy arrays, lists, tuples
_MANY = (list, tuple, np.ndarray, pd.Index, pd.Series)


def _listed(value: Any, name: str) -> list[Any]:
    """The items of a list of dates or periods (a list, tuple, array, index or Series)."""
    if isinstance(value, np.ndarray):
        # datetime64 items as they are: as objects, nanosecond ones become integers
        # under some numpy versions
        flat = np.ravel(value)
        values = list(flat) if flat.dtype.kind == "M" else list(flat.astype(object))
    else:
        values = list(value)
    if not values:
        raise InvalidOptionError(f"{name} is an empty list", column=name)
    return values


def as_dates(as_of: Any, *, name: str = "as_of") -> tuple[list[date], bool]:
    """Normalise an ``as_of`` argument: (list of dates, whether it was a single date).

    One date is anything :func:`~creditkpi.core.period.as_date` reads (a
    ``date``, a ``Timestamp`` or ``datetime`` at midnight, a ``datetime64``,
    a daily ``pd.Period``, ISO text); a list is a list, tuple, numpy array,
    ``pd.DatetimeIndex`` (``pd.date_range``) or Series of them, without
    repeats. ``None`` is refused: the cut-off is never defaulted to today.

    Examples
    --------
    >>> import pandas as pd
    >>> as_dates(pd.Timestamp("2024-04-30"))
    ([datetime.date(2024, 4, 30)], True)
    >>> as_dates(pd.date_range("2024-01-31", periods=2, freq="ME"))[0]
    [datetime.date(2024, 1, 31), datetime.date(2024, 2, 29)]
    """
    if as_of is None:
        raise InvalidOptionError(
            f"{name} is required: creditkpi never defaults the cut-off to today", column=name
        )
    if not isinstance(as_of, _MANY):  # one date, or what as_date explains is not one
        return [as_date(as_of, name=name)], True
    values = _listed(as_of, name)
    dates = [as_date(v, name=name) for v in values]
    _reject_repeats(dates, name)
    return dates, False


def _reject_repeats(values: Sequence[object], name: str) -> None:
    seen: set[object] = set()
    repeated = [v for v in values if v in seen or seen.add(v)]  # type: ignore[func-returns-value]
    if repeated:
        raise InvalidOptionError(
            f"{name} lists {len(repeated)} value(s) more than once",
            column=name,
            ids=[str(v) for v in repeated],
        )


def as_periods(
    period: PeriodLike | Sequence[PeriodLike], *, name: str = "period"
) -> tuple[list[Period], bool]:
    """Normalise a ``period`` argument: (list of periods, whether it was a single period).

    One period is anything :meth:`Period.parse <creditkpi.core.period.Period.parse>`
    reads (a ``Period``, a ``pd.Period``, a closed ``pd.Interval``, text);
    a list is a list, tuple, array, ``pd.PeriodIndex`` (``pd.period_range``),
    ``pd.IntervalIndex`` or Series of them, without repeats.

    Examples
    --------
    >>> import pandas as pd
    >>> [str(p) for p in as_periods(pd.period_range("2024-01", "2024-03", freq="M"))[0]]
    ['2024-01', '2024-02', '2024-03']
    >>> as_periods(pd.Period("2013-06", "M"))
    ([Period('2013-06')], True)
    """
    if not isinstance(period, _MANY):  # one period, or what Period.parse explains is not one
        return [Period.parse(period, name=name)], True  # type: ignore[arg-type]
    values = _listed(period, name)
    periods = [Period.parse(p, name=name) for p in values]
    _reject_repeats(periods, name)
    return periods, False


def observed_days(periods: list[Period], observed: Any) -> list[int]:
    """The observation day number of each period: its end by default, else ``observed``.

    ``observed`` is one date (inside every period) or one date per period;
    each must satisfy ``start <= observed <= end``.
    """
    if observed is None:
        return [to_day(p.end) for p in periods]
    if not isinstance(observed, _MANY):
        dates = [as_date(observed, name="observed")] * len(periods)
    else:
        dates = [as_date(o, name="observed") for o in _listed(observed, "observed")]
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


def check_money(money: object) -> None:
    """Validate a ``money=`` argument (``"float"`` or ``"decimal"``)."""
    check_option("money", money, ("float", "decimal"))


def check_whole(
    name: str, value: object, *, minimum: int = 0, allow_none: bool = False, unit: str = ""
) -> int | None:
    """Validate a whole-number option (a count, a number of days): ``>= minimum``.

    ``allow_none`` accepts ``None`` (returned as is). ``unit`` names what is
    counted in the message (``"days"``). Booleans are refused (``True`` is
    not 1 day).

    Examples
    --------
    >>> check_whole("n", 3, minimum=1)
    3
    >>> check_whole("n", 0, minimum=1)
    Traceback (most recent call last):
    ...
    creditkpi.core.errors.InvalidOptionError: invalid-option: n must be >= 1 (a whole number), got 0 in argument 'n'
    """
    if value is None and allow_none:
        return None
    what = f" of {unit}" if unit else ""
    none = " or None" if allow_none else ""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise InvalidOptionError(
            f"{name} must be a whole number{what} >= {minimum}{none}, got {value!r}", column=name
        )
    if value < minimum:
        raise InvalidOptionError(
            f"{name} must be >= {minimum} (a whole number{what}){none}, got {value!r}",
            column=name,
        )
    return int(value)


def check_number(name: str, value: object, *, low: float, high: float) -> float:
    """Validate a number strictly between ``low`` and ``high`` (a confidence level).

    Examples
    --------
    >>> check_number("confidence", 0.9, low=0, high=1)
    0.9
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise InvalidOptionError(
            f"{name} must be a number in ({low:g}, {high:g}), got {value!r}", column=name
        )
    if not low < value < high:
        raise InvalidOptionError(
            f"{name} must be in ({low:g}, {high:g}), got {value!r}", column=name
        )
    return float(value)


def check_flag(name: str, value: object) -> bool:
    """Validate a switch: ``True`` or ``False``."""
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidOptionError(f"{name} must be True or False, got {value!r}", column=name)
    return bool(value)
