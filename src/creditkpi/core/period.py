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
import pandas as pd
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

DateLike: TypeAlias = "date | str | np.datetime64 | pd.Timestamp | pd.Period"
PeriodLike: TypeAlias = "Period | str | pd.Period | pd.Interval"

#: what a period argument may be, said by the errors that refuse anything else
PERIOD_FORMS = (
    "a Period, a pandas Period, a pandas Interval of dates closed on both sides, or text "
    "such as '2024-04', '2024-Q2', '2024' or '2024-04-01..2024-04-15'"
)

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


#: the supported dates: years 1 to 9999 (Python's ``date`` range), as day numbers
FIRST_DAY = date(1, 1, 1).toordinal() - _EPOCH_ORDINAL
LAST_DAY = date(9999, 12, 31).toordinal() - _EPOCH_ORDINAL


#: what a date argument may be, said by the errors that refuse anything else
DATE_FORMS = (
    "a date, a datetime or pandas Timestamp at midnight, a numpy datetime64, a daily pandas "
    "Period or 'YYYY-MM-DD' text"
)


def _described(value: object) -> str:
    """``'2024-04-30' (str)``: a refused value and its type, for a message."""
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:59] + "…"
    return f"{shown} ({type(value).__name__})"


def _whole_day(value: datetime, name: str, shown: object) -> date:
    """The day of a datetime at midnight; a time of day or a time zone is refused."""
    if value.tzinfo is not None:
        raise InvalidDateError(
            f"{name} {shown!r} has a time zone: creditkpi's dates are calendar days without "
            "one; give the local date (e.g. Timestamp.tz_localize(None).normalize())",
            argument=name,
            values=[shown],
        )
    nanoseconds = value.nanosecond if isinstance(value, pd.Timestamp) else 0
    if (value.hour, value.minute, value.second, value.microsecond, nanoseconds) != (0,) * 5:
        raise InvalidDateError(
            f"{name} {shown!r} has a time of day: creditkpi's dates are whole days (an as-of "
            "date means the end of that day); give the date alone (e.g. '2024-04-30' or "
            "Timestamp.normalize())",
            argument=name,
            values=[shown],
        )
    return value.date()


def as_date(value: object, *, name: str = "as_of") -> date:
    """Coerce ``value`` to a ``date``; anything that is not one day raises, naming ``name``.

    Accepted: a :class:`datetime.date`; a :class:`datetime.datetime` or
    :class:`pandas.Timestamp` at midnight without a time zone; a
    :class:`numpy.datetime64` at midnight (any unit); a daily
    :class:`pandas.Period`; ISO text (``"2024-04-30"``, also with a
    midnight time: ``"2024-04-30T00:00"``, ``"2024-04-30 00:00:00"``).
    Years 1 to 9999 are supported. Anything else -- a time of day, a time
    zone, a monthly period, a number, ``None``, ``NaT``, other text --
    raises :class:`~creditkpi.core.errors.InvalidDateError` naming the
    argument ``name`` and quoting the value.

    Examples
    --------
    >>> as_date("2024-04-30"), as_date("2024-04-30T00:00")
    (datetime.date(2024, 4, 30), datetime.date(2024, 4, 30))
    >>> import pandas as pd
    >>> as_date(pd.Timestamp("2024-04-30")), as_date(np.datetime64("2024-04-30T00:00:00.000"))
    (datetime.date(2024, 4, 30), datetime.date(2024, 4, 30))
    >>> as_date("2024-04-30T15:00")
    Traceback (most recent call last):
    ...
    creditkpi.core.errors.InvalidDateError: invalid-date: as_of '2024-04-30T15:00' has a time of day: ...
    """
    if value is pd.NaT or (isinstance(value, float) and value != value):
        raise InvalidDateError(
            f"{name} is {value!r} (a missing date), not a date", argument=name, values=[value]
        )
    if isinstance(value, datetime):  # a pandas Timestamp too
        return _whole_day(value, name, str(value))
    if isinstance(value, date):
        return value
    if isinstance(value, np.datetime64):
        return _datetime64(value, name)
    if isinstance(value, pd.Period):
        if value.freqstr == "D":
            return value.start_time.date()
        raise InvalidDateError(
            f"{name} {str(value)!r} is a period ({value.freqstr}), not a date: give a day, such "
            "as its last (period.end_time.normalize()), or ask a KPI over periods",
            argument=name,
            values=[str(value)],
        )
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if len(text) > 10:  # a date with a time: midnight only
                return _whole_day(moment, name, value)
        raise InvalidDateError(
            f"{name} {value!r} is not a date (expected YYYY-MM-DD)", argument=name, values=[value]
        )
    raise InvalidDateError(
        f"{name} {_described(value)} is not a date (expected {DATE_FORMS})",
        argument=name,
        values=[value],
    )


def _datetime64(value: np.datetime64, name: str) -> date:
    """The day of a numpy datetime64 at midnight (any unit), in the supported range."""
    if np.isnat(value):
        raise InvalidDateError(
            f"{name} is NaT (a missing date), not a date", argument=name, values=[str(value)]
        )
    day64 = value.astype("datetime64[D]")
    if day64 != value:
        raise InvalidDateError(
            f"{name} {str(value)!r} has a time of day: creditkpi's dates are whole days; give "
            "the date alone (value.astype('datetime64[D]'))",
            argument=name,
            values=[str(value)],
        )
    day = int(day64.astype(np.int64))
    if FIRST_DAY <= day <= LAST_DAY:
        return from_day(day)
    raise InvalidDateError(
        f"{name} {str(value)!r} is outside the supported range 0001-01-01..9999-12-31",
        argument=name,
        values=[str(value)],
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
    def parse(cls, text: PeriodLike, *, name: str = "period") -> Period:
        """Read a period: text, a :class:`pandas.Period` or a closed :class:`pandas.Interval`.

        Text is ``"2024-04"``, ``"2024-Q2"``, ``"2024"`` or
        ``"2024-04-01..2024-04-15"``; a pandas ``Period`` of any frequency
        (``pd.Period("2024-04", "M")``, a quarter, a year, a week, a day) is
        its first to its last day; a ``pd.Interval`` of midnight timestamps
        closed on both sides (what results over other periods are indexed
        by) is its two ends. A :class:`Period` is returned unchanged.

        Raises
        ------
        InvalidPeriodError
            Anything else, naming the argument ``name``.

        Examples
        --------
        >>> Period.parse("2024-Q2")
        Period('2024-Q2')
        >>> import pandas as pd
        >>> Period.parse(pd.Period("2013-06", "M")), Period.parse(pd.Period("2024Q2", "Q"))
        (Period('2013-06'), Period('2024-Q2'))
        """
        if isinstance(text, Period):
            return text
        if isinstance(text, pd.Period):
            return cls(text.start_time.date(), text.end_time.date())
        if isinstance(text, pd.Interval):
            return _interval_period(cls, text, name)
        if not isinstance(text, str):
            raise InvalidPeriodError(
                f"{name} {_described(text)} is not a period (expected {PERIOD_FORMS})",
                column=name,
            )
        s = text.strip()
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", s):
            year, month = int(m[1]), int(m[2])
            if not 1 <= month <= 12:
                raise InvalidPeriodError(f"{text!r}: month must be 1 to 12", column=name)
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
            column=name,
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


def _interval_period(cls: type[Period], interval: pd.Interval, name: str) -> Period:
    """The period of a ``pd.Interval`` of whole days closed on both sides."""
    if interval.closed != "both":
        raise InvalidPeriodError(
            f"{name} {interval!r} is closed {interval.closed!r}: a period includes both its "
            "first and its last day; give an interval closed on both sides "
            "(pd.Interval(start, end, closed='both')) or a Period",
            column=name,
        )
    return cls(as_date(interval.left, name=name), as_date(interval.right, name=name))


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
