"""Closed periods of calendar days and date helpers.

A :class:`Period` ``[start, end]`` includes both ends: April 2024 is
2024-04-01 ... 2024-04-30 and has 30 days. Month arithmetic uses
:class:`dateutil.relativedelta.relativedelta` from an anchor, never repeated
addition (which drifts from the 31st).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
from dateutil.relativedelta import relativedelta

from creditkpi.core.errors import InvalidDateError, InvalidOptionError, InvalidPeriodError

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "DateLike",
    "Period",
    "PeriodLike",
    "as_date",
    "from_day",
    "month_end",
    "month_end_days",
    "parse_window",
    "to_day",
    "window_start",
]

DateLike: TypeAlias = date | str | np.datetime64
PeriodLike: TypeAlias = "Period | str"

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


#: the supported dates: years 1 to 9999 (Python's ``date`` range), as day numbers
FIRST_DAY = date(1, 1, 1).toordinal() - _EPOCH_ORDINAL
LAST_DAY = date(9999, 12, 31).toordinal() - _EPOCH_ORDINAL


def as_date(value: object, *, name: str = "as_of") -> date:
    """Coerce ``value`` (a ``date``, ``datetime``, ISO text or numpy date) to ``date``.

    Years 1 to 9999 are supported; anything else, or anything that is not a
    date, raises :class:`~creditkpi.core.errors.InvalidDateError` naming the
    argument ``name`` and quoting the value.

    Examples
    --------
    >>> as_date("2024-04-30")
    datetime.date(2024, 4, 30)
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, np.datetime64):
        if not np.isnat(value):
            day = int(value.astype("datetime64[D]").astype(np.int64))
            if FIRST_DAY <= day <= LAST_DAY:
                return from_day(day)
            raise InvalidDateError(
                f"{name} {str(value)!r} is outside the supported range 0001-01-01..9999-12-31",
                argument=name,
                values=[str(value)],
            )
    elif hasattr(value, "to_pydatetime"):  # pandas Timestamp
        if value == value:  # not NaT
            return value.to_pydatetime().date()  # type: ignore[no-any-return]
    elif isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidDateError(
        f"{name} {value!r} is not a date (expected YYYY-MM-DD)", argument=name, values=[value]
    )


def to_day(value: date) -> int:
    """Day number of ``value``: days since 1970-01-01 (numpy's ``datetime64[D]``).

    Examples
    --------
    >>> to_day(date(1970, 1, 2))
    1
    """
    return value.toordinal() - _EPOCH_ORDINAL


def from_day(day: int) -> date:
    """Inverse of :func:`to_day`.

    Examples
    --------
    >>> from_day(19813)
    datetime.date(2024, 3, 31)
    """
    return date.fromordinal(int(day) + _EPOCH_ORDINAL)


def _month_end(year: int, month: int) -> date:
    """The last day of a month (no date arithmetic: December 9999 has one too)."""
    return date(year, month, calendar.monthrange(year, month)[1])


def month_end(day: date) -> date:
    """The last day of the month of ``day``.

    Examples
    --------
    >>> month_end(date(9999, 12, 5))
    datetime.date(9999, 12, 31)
    """
    return _month_end(day.year, day.month)


def month_end_days(days: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The last day of the month of each day number (vectorised :func:`month_end`).

    Examples
    --------
    >>> month_end_days(np.asarray([to_day(date(2024, 2, 10))])).tolist() == [to_day(date(2024, 2, 29))]
    True
    """
    epoch = np.datetime64("1970-01-01", "D")
    nxt = ((epoch + days).astype("datetime64[M]") + 1).astype("datetime64[D]")
    return np.asarray((nxt - epoch).astype(np.int64) - 1, dtype=np.int64)


@dataclass(frozen=True, slots=True, order=True, repr=False)
class Period:
    """A closed period of calendar days ``[start, end]``.

    Parameters
    ----------
    start, end : date or str
        First and last day, both included.

    Raises
    ------
    InvalidPeriodError
        If ``end`` precedes ``start``.

    Examples
    --------
    >>> p = Period.month(2024, 4)
    >>> p.days, str(p), date(2024, 4, 30) in p
    (30, '2024-04', True)
    >>> str(p.previous())
    '2024-03'
    >>> [str(m) for m in Period.months("2024-11", "2025-02")]
    ['2024-11', '2024-12', '2025-01', '2025-02']
    """

    start: date
    end: date

    def __post_init__(self) -> None:
        start = as_date(self.start, name="start")
        end = as_date(self.end, name="end")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        if end < start:
            raise InvalidPeriodError(
                f"period ends ({end}) before it starts ({start})", column="end"
            )

    # constructors -----------------------------------------------------------------
    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """The calendar month ``year-month``."""
        return cls(date(year, month, 1), month_end(date(year, month, 1)))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        """The calendar quarter ``year-Qquarter`` (1 to 4)."""
        if not 1 <= quarter <= 4:
            raise InvalidPeriodError(f"quarter must be 1 to 4, got {quarter}", column="period")
        first = 3 * (quarter - 1) + 1
        return cls(date(year, first, 1), month_end(date(year, first + 2, 1)))

    @classmethod
    def year(cls, year: int) -> Period:
        """The calendar year."""
        return cls(date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def parse(cls, text: PeriodLike) -> Period:
        """Parse ``"2024-04"``, ``"2024-Q2"``, ``"2024"`` or ``"2024-04-01..2024-04-15"``.

        A :class:`Period` is returned unchanged.

        Examples
        --------
        >>> Period.parse("2024-Q2")
        Period('2024-Q2')
        """
        if isinstance(text, Period):
            return text
        if not isinstance(text, str):
            raise InvalidPeriodError(f"{text!r} is not a period", column="period")
        s = text.strip()
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", s):
            year, month = int(m[1]), int(m[2])
            if not 1 <= month <= 12:
                raise InvalidPeriodError(f"{text!r}: month must be 1 to 12", column="period")
            return cls.month(year, month)
        if m := re.fullmatch(r"(\d{4})-?[Qq]([1-4])", s):
            return cls.quarter(int(m[1]), int(m[2]))
        if re.fullmatch(r"\d{4}", s):
            return cls.year(int(s))
        if m := re.fullmatch(r"(\S+?)\s*(?:\.\.|/)\s*(\S+)", s):
            try:
                first, last = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            except ValueError:
                pass
            else:
                return cls(first, last)
        raise InvalidPeriodError(
            f"{text!r} is not a period (expected 2024-04, 2024-Q2, 2024 or 2024-04-01..2024-04-15)",
            column="period",
        )

    @classmethod
    def months(cls, first: PeriodLike, last: PeriodLike) -> list[Period]:
        """Every calendar month from the month of ``first`` to that of ``last``."""
        a, b = cls.parse(first).start, cls.parse(last).start
        if b < a:
            raise InvalidPeriodError(f"{last} is before {first}", column="period")
        anchor = date(a.year, a.month, 1)
        count = (b.year - a.year) * 12 + b.month - a.month + 1
        out = []
        for i in range(count):
            d = anchor + relativedelta(months=i)
            out.append(cls.month(d.year, d.month))
        return out

    # properties -------------------------------------------------------------------
    @property
    def days(self) -> int:
        """Number of calendar days, both ends included."""
        return (self.end - self.start).days + 1

    @property
    def before(self) -> date:
        """The day before the period starts (the "opening" as-of date).

        Raises
        ------
        InvalidPeriodError
            The period starts on 0001-01-01, the first supported date: there
            is no day before it to take the opening position at.
        """
        if self.start == date.min:
            raise InvalidPeriodError(
                f"period {self} starts on 0001-01-01, the first supported date: there is no "
                "day before it for its opening position (start it a day later)",
                column="period",
            )
        return self.start - timedelta(days=1)

    def _whole_months(self) -> int | None:
        if self.start.day != 1 or self.end != month_end(self.end):
            return None
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def n_months(self) -> int | None:
        """Number of whole calendar months if the period is made of them, else ``None``."""
        return self._whole_months()

    def previous(self) -> Period:
        """The period of the same shape just before this one.

        A run of whole months gives the same number of months before;
        any other period gives the same number of days before.
        """
        months = self._whole_months()
        if self.start == date.min:
            raise InvalidPeriodError(
                f"there is no period before {self}: it starts on 0001-01-01, the first "
                "supported date",
                column="period",
            )
        end = self.before
        try:
            if months is not None:
                return Period(self.start - relativedelta(months=months), end)
            return Period(self.start - timedelta(days=self.days), end)
        except (ValueError, OverflowError):
            raise InvalidPeriodError(
                f"the period before {self} would start before 0001-01-01, the first supported date",
                column="period",
            ) from None

    def shift_months(self, months: int) -> Period:
        """The period moved by ``months`` calendar months (whole-month periods stay whole)."""
        n = self._whole_months()
        start = self.start + relativedelta(months=months)
        if n is not None:
            return Period(start, start + relativedelta(months=n, days=-1))
        return Period(start, self.end + relativedelta(months=months))

    def __contains__(self, item: object) -> bool:
        if isinstance(item, datetime):
            item = item.date()
        if not isinstance(item, date):
            return False
        return self.start <= item <= self.end

    def __repr__(self) -> str:
        return f"Period({str(self)!r})"

    def __str__(self) -> str:
        months = self._whole_months()
        year = f"{self.start.year:04d}"  # strftime's %Y is not zero-padded everywhere
        if months == 1:
            return f"{year}-{self.start.month:02d}"
        if months == 3 and self.start.month % 3 == 1:
            return f"{year}-Q{(self.start.month - 1) // 3 + 1}"
        if months == 12 and self.start.month == 1:
            return year
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


# ----------------------------------------------------------------------------------
# windows ending on a date ("12M", "90D")
# ----------------------------------------------------------------------------------

_WINDOW = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$", re.IGNORECASE)


def parse_window(window: object) -> tuple[int, str]:
    """A window as ``(count, unit)``, unit one of ``D W M Y``; an int is a number of days.

    Raises
    ------
    InvalidOptionError
        ``window`` is not like ``"90D"``, ``"13W"``, ``"12M"``, ``"2Y"`` or an int >= 1.

    Examples
    --------
    >>> parse_window("12M"), parse_window("2y"), parse_window(90)
    ((12, 'M'), (2, 'Y'), (90, 'D'))
    """
    if isinstance(window, bool):
        raise InvalidOptionError(f"window must be like '12M', got {window!r}", column="window")
    if isinstance(window, (int, np.integer)):
        count, unit = int(window), "D"
    else:
        match = _WINDOW.match(window) if isinstance(window, str) else None
        if match is None:
            raise InvalidOptionError(
                "window must be a number of days, weeks, months or years such as "
                f"'90D', '13W', '12M' or '2Y'; got {window!r}",
                column="window",
            )
        count, unit = int(match.group(1)), match.group(2).upper()
    if count < 1:
        raise InvalidOptionError(
            f"window must be at least one day, got {window!r}", column="window"
        )
    return count, unit


def window_start(as_of: date | str, window: str | int) -> date:
    """First day of the window of length ``window`` ending on ``as_of`` (both included).

    ``window`` is ``"<n>D"``, ``"<n>W"``, ``"<n>M"`` or ``"<n>Y"`` (or an int
    of days); months and years are calendar months back from ``as_of``.

    Raises
    ------
    InvalidOptionError
        ``window`` is not of that form.

    Examples
    --------
    >>> window_start("2024-12-31", "12M"), window_start("2024-03-31", "1M")
    (datetime.date(2024, 1, 1), datetime.date(2024, 3, 1))
    >>> window_start("2024-04-30", "30D"), window_start("2024-04-30", 1)
    (datetime.date(2024, 4, 1), datetime.date(2024, 4, 30))
    """
    end = as_date(as_of)
    count, unit = parse_window(window)
    if unit == "D":
        back: timedelta | relativedelta = timedelta(days=count)
    elif unit == "W":
        back = timedelta(weeks=count)
    elif unit == "M":
        back = relativedelta(months=count)
    else:
        back = relativedelta(years=count)
    start: date = end - back + timedelta(days=1)
    return start
