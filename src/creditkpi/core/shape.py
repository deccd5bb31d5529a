"""Argument checking and output shapes shared by every KPI.

Every KPI follows the same conventions (DESIGN.md):

* snapshot KPIs take ``as_of`` (a date or ``"YYYY-MM-DD"``), period KPIs a
  :class:`~creditkpi.Period` or ``"2024-04"``; a list gives a series;
* ``by=None`` gives one value; ``by="customer_id"`` or an attribute gives a
  Series indexed by group; a list of dates/periods gives a Series indexed by
  date/period; both give a DataFrame (rows: dates/periods, columns: groups);
* an undefined ratio is ``nan`` with an :class:`UndefinedMetricWarning`.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.errors import InvalidOptionError, UndefinedMetricWarning
from creditkpi.core.period import Period, PeriodLike, as_date

__all__ = [
    "as_dates",
    "as_periods",
    "check_option",
    "reshape",
    "safe_ratio",
    "warn_undefined",
]

FloatArray = npt.NDArray[np.float64]


def check_option(name: str, value: object, allowed: Collection[object]) -> None:
    """Raise :class:`InvalidOptionError` unless ``value`` is one of ``allowed``.

    Examples
    --------
    >>> check_option("method", "countback", ("standard", "countback"))
    >>> check_option("method", "fast", ("standard", "countback"))
    Traceback (most recent call last):
    ...
    creditkpi.core.errors.InvalidOptionError: invalid-option: method must be one of 'standard', 'countback'; got 'fast' in column 'method'
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
    if isinstance(as_of, (str, date, np.datetime64, pd.Timestamp)):
        return [as_date(as_of)], True
    values = list(as_of)
    if not values:
        raise InvalidOptionError("as_of is an empty list", column="as_of")
    dates = [as_date(v) for v in values]
    _reject_repeats(dates, "as_of")
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


def as_periods(period: PeriodLike | Sequence[PeriodLike]) -> tuple[list[Period], bool]:
    """Normalise a ``period`` argument: (list of periods, whether it was a single period)."""
    if isinstance(period, (str, Period)):
        return [Period.parse(period)], True
    values = list(period)
    if not values:
        raise InvalidOptionError("period is an empty list", column="period")
    periods = [Period.parse(p) for p in values]
    _reject_repeats(periods, "period")
    return periods, False


def warn_undefined(what: str, stacklevel: int = 3) -> None:
    """Emit :class:`UndefinedMetricWarning` for ``what``."""
    warnings.warn(
        f"{what} is undefined: result is nan", UndefinedMetricWarning, stacklevel=stacklevel
    )


def safe_ratio(
    numerator: npt.ArrayLike, denominator: npt.ArrayLike, *, what: str, scale: npt.ArrayLike = 1.0
) -> FloatArray:
    """``numerator / denominator * scale`` as floats; ``nan`` + one warning where undefined.

    Integer minor units are divided exactly by Python's true division
    element-wise, so the float result is the correctly rounded ratio.

    Examples
    --------
    >>> safe_ratio([1, 2], [4, 8], what="x").tolist()
    [0.25, 0.25]
    """
    num = np.asarray(numerator)
    den = np.asarray(denominator)
    num, den = np.broadcast_arrays(num, den)
    zero = den == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        if num.dtype.kind in "iu" and den.dtype.kind in "iu":
            flat = [
                (int(a) / int(b)) if b != 0 else np.nan
                for a, b in zip(num.ravel().tolist(), den.ravel().tolist(), strict=True)
            ]
            out = np.asarray(flat, dtype=np.float64).reshape(num.shape)
        else:
            out = np.where(zero, np.nan, num.astype(np.float64) / np.where(zero, 1, den))
    out = out * np.asarray(scale, dtype=np.float64)
    if np.any(zero):
        warn_undefined(what, stacklevel=3)
    return np.asarray(out, dtype=np.float64)


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
