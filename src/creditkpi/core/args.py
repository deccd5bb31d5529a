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

from collections.abc import Collection, Iterable, Sequence
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
