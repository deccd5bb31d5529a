"""The date shapes :mod:`.dates` recognises, and the arithmetic that turns them into days.

* the shape patterns of text dates (ISO, ``yyyy/mm/dd``, ``a/b/yyyy``, named
  months in English and French) and of text that is no date but says what it
  is (a number, a five-digit year, a two-digit year, a blank);
* :class:`DateFormat`, the ``date_format`` option compiled once per call, and
  the compiler of a ``strptime`` format into a shape pattern;
* the numeric conversions: year/month/day to day numbers, two-digit years,
  YYYYMMDD numbers and Excel serial days.

A shape pattern reads the *shape* of a text (every digit written ``9``), so
one match serves every row of that shape; :mod:`.dates` reads the numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from creditkpi.core.errors import InvalidOptionError

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: month names and abbreviations (English and French, lower case) -> month number
MONTHS = {
    name: k + 1
    for k, names in enumerate(
        [
            ("jan", "january", "janv", "janvier"),
            ("feb", "february", "fev", "févr", "fevr", "février", "fevrier"),
            ("mar", "march", "mars"),
            ("apr", "april", "avr", "avril"),
            ("may", "mai"),
            ("jun", "june", "juin"),
            ("jul", "july", "juil", "juillet"),
            ("aug", "august", "aou", "août", "aout"),
            ("sep", "sept", "september", "septembre"),
            ("oct", "october", "octobre"),
            ("nov", "november", "novembre"),
            ("dec", "december", "déc", "décembre", "decembre"),
        ]
    )
    for name in names
}

_TIME = (
    r"(?:(?:T|\s+)(?P<H>9{1,2}):(?P<Mi>99)(?::(?P<S>99)(?:[.,]9{1,9})?)?"
    r"(?:\s?(?P<p>[AaPp][Mm]))?(?:\s?(?P<tz>Z|[+-]99(?::?99)?))?)?"
)
_ISO = re.compile(r"\s*(?P<y>9999)-(?P<m>9{1,2})-(?P<d>9{1,2})" + _TIME + r"\s*")
_YMD = re.compile(r"\s*(?P<y>9999)(?P<sep>[/.])(?P<m>9{1,2})(?P=sep)(?P<d>9{1,2})" + _TIME + r"\s*")
_AB = re.compile(r"\s*(?P<a>9{1,2})(?P<sep>[/.-])(?P<b>9{1,2})(?P=sep)(?P<y>9999)" + _TIME + r"\s*")
_NAMED = [
    re.compile(
        r"\s*(?P<d>9{1,2})(?P<sep>[ -])(?P<mon>[^\W\d_]{3,9})\.?(?P=sep)(?P<y>9999)"
        + _TIME
        + r"\s*"
    ),
    re.compile(r"\s*(?P<mon>[^\W\d_]{3,9})\.?\s(?P<d>9{1,2}),?\s(?P<y>9999)" + _TIME + r"\s*"),
]
# text that is no date but says what it is (read by the reader for its message)
#: an ISO-like date with a year of five digits or more
BIG_YEAR = re.compile(r"\s*[+-]?9{5,}-9{1,2}-9{1,2}(?:[\sT].*)?")
#: ``a/b/yy``: a two-digit year
SHORT_YEAR = re.compile(r"\s*9{1,2}[/.-]9{1,2}[/.-]99(?:[\sT].*)?")
#: a number (a YYYYMMDD date or an Excel serial day, when date_format says so)
NUMBER = re.compile(r"\s*[+-]?9+(?:[.,]9+)?\s*")
#: blanks only: a missing date
BLANK = re.compile(r"\s*")

# strptime directives read as vectors, and what they become in a shape pattern
_DIRECTIVES = {
    "Y": r"(?P<y>9999)",
    "y": r"(?P<yy>99)",
    "m": r"(?P<m>9{1,2})",
    "d": r"(?P<d>9{1,2})",
    "b": r"(?P<mon>[^\W\d_]{3,9})\.?",
    "B": r"(?P<mon>[^\W\d_]{3,9})",
    "h": r"(?P<mon>[^\W\d_]{3,9})\.?",
    "H": r"(?P<H>9{1,2})",
    "I": r"(?P<H>9{1,2})",
    "M": r"(?P<Mi>9{1,2})",
    "S": r"(?P<S>9{1,2})",
    "f": r"9{1,9}",
    "p": r"(?P<p>[AaPp][Mm])",
    "z": r"(?P<tz>Z|[+-]99(?::?99)?)",
    "a": r"[^\W\d_]{2,9}\.?",
    "A": r"[^\W\d_]{2,9}",
    "%": "%",
}


# ----------------------------------------------------------------------------- the option
@dataclass(frozen=True, slots=True)
class DateFormat:
    """The ``date_format`` option, compiled once per call."""

    text: str | None
    layouts: tuple[re.Pattern[str], ...]
    excel: bool = False
    yyyymmdd: bool = False
    strptime: bool = False  # a format the shape patterns cannot read: value by value

    @classmethod
    def parse(cls, date_format: str | None) -> DateFormat:
        if date_format is None:
            return cls(None, (_ISO, _YMD, _AB, *_NAMED))
        if not isinstance(date_format, str) or not date_format.strip():
            raise InvalidOptionError(
                f"date_format must be a strptime format such as '%d/%m/%Y', or 'excel'; "
                f"got {date_format!r}",
                argument="date_format",
                values=[date_format],
            )
        if date_format.strip().lower() == "excel":
            return cls(date_format, (_ISO,), excel=True)
        compiled = _compile(date_format)
        yyyymmdd = date_format == "%Y%m%d"
        if compiled is None:
            return cls(date_format, (_ISO,), yyyymmdd=yyyymmdd, strptime=True)
        return cls(date_format, (compiled, _ISO), yyyymmdd=yyyymmdd)

    @property
    def reads_numbers(self) -> bool:
        return self.excel or self.yyyymmdd


@lru_cache(maxsize=32)
def _compile(date_format: str) -> re.Pattern[str] | None:
    """A shape pattern for a strptime format, or None when it needs strptime itself."""
    out = [r"\s*"]
    k = 0
    has_time = False
    while k < len(date_format):
        ch = date_format[k]
        if ch == "%":
            if k + 1 >= len(date_format):
                return None
            code = date_format[k + 1]
            if code not in _DIRECTIVES:
                return None
            has_time |= code in "HIMSp"
            out.append(_DIRECTIVES[code])
            k += 2
            continue
        if ch.isspace():
            out.append(r"\s+")
        elif ch.isdigit():
            out.append("9")
        else:
            out.append(re.escape(ch))
        k += 1
    if not has_time:
        out.append(_TIME)
    out.append(r"\s*")
    try:
        return re.compile("".join(out), re.IGNORECASE)
    except re.error:  # e.g. %d twice: a repeated group name
        return None


# ----------------------------------------------------------------------------- arithmetic
def days_from_ymd(year: IntArray, month: IntArray, day: IntArray) -> tuple[IntArray, BoolArray]:
    """Day numbers of (year, month, day), and where they are not a date of years 1..9999."""
    wrong = (year < 1) | (year > 9999) | (month < 1) | (month > 12) | (day < 1)
    y = np.where(wrong, 1970, year)
    m = np.where(wrong, 1, month)
    months = ((y - 1970) * 12 + (m - 1)).astype("timedelta64[M]")
    first = (np.datetime64("1970-01", "M") + months).astype("datetime64[D]").astype(np.int64)
    following = (np.datetime64("1970-01", "M") + months + 1).astype("datetime64[D]")
    length = following.astype(np.int64) - first
    wrong |= day > length
    return first + np.where(wrong, 0, day - 1), wrong


def two_digit_year(yy: IntArray) -> IntArray:
    """strptime's ``%y``: 69-99 are 1969-1999, 00-68 are 2000-2068."""
    return np.where(yy >= 69, 1900 + yy, 2000 + yy)


def yyyymmdd_days(numbers: npt.NDArray[Any]) -> tuple[IntArray, BoolArray]:
    """Day numbers of YYYYMMDD numbers (``20240131``), and where they are not such a date."""
    values = np.asarray(numbers, dtype=np.float64)
    whole = np.isfinite(values) & (values == np.floor(values)) & (values >= 0) & (values < 1e9)
    v = np.where(whole, values, 0).astype(np.int64)
    days, wrong = days_from_ymd(v // 10_000, (v // 100) % 100, v % 100)
    return days, wrong | ~whole


def excel_days(numbers: npt.NDArray[Any]) -> tuple[IntArray, BoolArray]:
    """Excel serial days (1900 system: 1 is 1900-01-01, 60 the 1900-02-29 Excel invents)."""
    values = np.asarray(numbers, dtype=np.float64)
    ok = np.isfinite(values) & (values >= 1) & (values < 2_958_466)
    serial = np.floor(np.where(ok, values, 1)).astype(np.int64)
    ok &= serial != 60
    base = np.where(serial < 60, -25_568, -25_569)  # 1899-12-31 and 1899-12-30 as day numbers
    return base + serial, ~ok
