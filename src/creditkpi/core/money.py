"""Exact money: amounts are stored as integer minor units (cents).

The rules, the same for records and for every kind of column:

* **Exact inputs stay exact**: ``Decimal``, text, integers and Arrow or polars
  decimals are converted without rounding, at any size a 64-bit integer of
  minor units holds.
* **Text** is read with ``.`` as the decimal mark; plain, non-breaking and
  narrow non-breaking spaces may group thousands (``"1 234.56"``). With
  ``decimal=","`` the comma is the decimal mark and spaces or dots group
  thousands (``"1 234,56"``, ``"1.234,56"``); with ``decimal="."`` commas may
  group thousands (``"1,234.56"``). A comma is never guessed: ``"7,5"``
  without ``decimal=","`` is an error that says which option reads it.
* **A float** is taken at its shortest decimal representation (Python's
  ``repr``: ``0.1`` is ten cents), and that decimal must be a whole number of
  minor units: ``0.1 + 0.2`` (``0.30000000000000004``) is an error, never
  0.30. Round computed floats yourself (``frame["amount"].round(2)``).
* **Never finer than the minor unit**, never rounded silently.
* **Never wrapped**: an amount beyond ``2**63 - 1`` minor units, or a ledger
  whose amounts add up (in absolute value) to :data:`MAX_TOTAL` or more, is an
  :class:`~creditkpi.core.errors.AmountTooLargeError`, so every total,
  difference and average the library computes fits a 64-bit integer.
* **Currencies** are ISO 4217 codes (:data:`CURRENCIES`, with their minor
  units: the codes in use and those withdrawn since 2007, such as HRK or
  BGN, which ledgers of past years hold); case and surrounding spaces do not
  matter (``" eur"`` is EUR).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from creditkpi.core.errors import (
    AmountTooLargeError,
    InvalidAmountError,
    InvalidValueError,
    SubMinorUnitError,
)

__all__ = [
    "CURRENCIES",
    "FINER",
    "FLOAT_EXACT_LIMIT",
    "INT64_MAX",
    "MAX_TOTAL",
    "TOO_LARGE",
    "amount_hint",
    "cents_array_to_decimal",
    "cents_to_decimal",
    "currency_code",
    "decimal_to_cents",
    "minor_unit",
    "minor_units",
    "money_values",
    "parse_amount_text",
    "to_decimal",
]

#: ISO 4217 currency codes in use and the decimal places of their minor unit
#: (list A.1; codes without a minor unit -- gold, SDR, test codes -- are left out)
_CURRENT: dict[str, int] = {
    "AED": 2, "AFN": 2, "ALL": 2, "AMD": 2, "AOA": 2, "ARS": 2, "AUD": 2,
    "AWG": 2, "AZN": 2, "BAM": 2, "BBD": 2, "BDT": 2, "BHD": 3, "BIF": 0,
    "BMD": 2, "BND": 2, "BOB": 2, "BOV": 2, "BRL": 2, "BSD": 2, "BTN": 2, "BWP": 2,
    "BYN": 2, "BZD": 2, "CAD": 2, "CDF": 2, "CHE": 2, "CHF": 2, "CHW": 2, "CLF": 4,
    "CLP": 0, "CNY": 2, "COP": 2, "COU": 2, "CRC": 2, "CUP": 2, "CVE": 2,
    "CZK": 2, "DJF": 0, "DKK": 2, "DOP": 2, "DZD": 2, "EGP": 2, "ERN": 2, "ETB": 2,
    "EUR": 2, "FJD": 2, "FKP": 2, "GBP": 2, "GEL": 2, "GHS": 2, "GIP": 2, "GMD": 2,
    "GNF": 0, "GTQ": 2, "GYD": 2, "HKD": 2, "HNL": 2, "HTG": 2, "HUF": 2, "IDR": 2,
    "ILS": 2, "INR": 2, "IQD": 3, "IRR": 2, "ISK": 0, "JMD": 2, "JOD": 3, "JPY": 0,
    "KES": 2, "KGS": 2, "KHR": 2, "KMF": 0, "KPW": 2, "KRW": 0, "KWD": 3, "KYD": 2,
    "KZT": 2, "LAK": 2, "LBP": 2, "LKR": 2, "LRD": 2, "LSL": 2, "LYD": 3, "MAD": 2,
    "MDL": 2, "MGA": 2, "MKD": 2, "MMK": 2, "MNT": 2, "MOP": 2, "MRU": 2, "MUR": 2,
    "MVR": 2, "MWK": 2, "MXN": 2, "MXV": 2, "MYR": 2, "MZN": 2, "NAD": 2, "NGN": 2,
    "NIO": 2, "NOK": 2, "NPR": 2, "NZD": 2, "OMR": 3, "PAB": 2, "PEN": 2, "PGK": 2,
    "PHP": 2, "PKR": 2, "PLN": 2, "PYG": 0, "QAR": 2, "RON": 2, "RSD": 2, "RUB": 2,
    "RWF": 0, "SAR": 2, "SBD": 2, "SCR": 2, "SDG": 2, "SEK": 2, "SGD": 2, "SHP": 2,
    "SLE": 2, "SOS": 2, "SRD": 2, "SSP": 2, "STN": 2, "SVC": 2, "SYP": 2, "SZL": 2,
    "THB": 2, "TJS": 2, "TMT": 2, "TND": 3, "TOP": 2, "TRY": 2, "TTD": 2, "TWD": 2,
    "TZS": 2, "UAH": 2, "UGX": 0, "USD": 2, "USN": 2, "UYI": 0, "UYU": 2, "UYW": 4,
    "UZS": 2, "VED": 2, "VES": 2, "VND": 0, "VUV": 0, "WST": 2, "XAF": 0, "XCD": 2,
    "XAD": 2, "XCG": 2, "XOF": 0, "XPF": 0, "YER": 2, "ZAR": 2, "ZMW": 2, "ZWG": 2,
}  # fmt: skip

#: codes withdrawn since 2007 (ISO 4217 list A.3) that ledgers of those years still
#: hold: euro adoptions (SIT, CYP, MTL, SKK, EEK, LVL, LTL, HRK, BGN) and
#: redenominations or replacements (BYR, MRO, STD, VEF, ZMK, CUC, SLL, ZWL, ANG)
_WITHDRAWN: dict[str, int] = {
    "SIT": 2, "CYP": 2, "MTL": 2, "SKK": 2, "EEK": 2, "LVL": 2, "LTL": 2, "HRK": 2,
    "BGN": 2, "BYR": 0, "MRO": 2, "STD": 2, "VEF": 2, "ZMK": 2, "CUC": 2, "SLL": 2,
    "ZWL": 2, "ANG": 2,
}  # fmt: skip

#: every currency a ledger may be in, with the decimal places of its minor unit:
#: the codes in use and those withdrawn since 2007, since ledgers hold past years
CURRENCIES: dict[str, int] = {**_WITHDRAWN, **_CURRENT}

#: the largest int64
INT64_MAX = 2**63 - 1

#: a ledger's amounts, in absolute minor units, must add up to less than this
#: (so that any two totals still add up inside an int64)
MAX_TOTAL = 2**62

#: integer sums below this bound are exact in float64 (2**53)
FLOAT_EXACT_LIMIT = 2**53

#: characters that may group thousands, whatever the decimal mark
SPACES = " \u00a0\u202f\u2009"

_PLAIN = {
    ".": re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"),
    ",": re.compile(r"[+-]?(?:\d+(?:,\d*)?|,\d+)"),
}
_GROUPED = {
    # separators: one kind per number, groups of exactly three digits
    None: re.compile(
        r"[+-]?\d{1,3}(?P<sep>[ \u00a0\u202f\u2009])\d{3}(?:(?P=sep)\d{3})*(?:\.\d+)?"
    ),
    ".": re.compile(
        r"[+-]?\d{1,3}(?P<sep>[ \u00a0\u202f\u2009,])\d{3}(?:(?P=sep)\d{3})*(?:\.\d+)?"
    ),
    ",": re.compile(
        r"[+-]?\d{1,3}(?P<sep>[ \u00a0\u202f\u2009.'])\d{3}(?:(?P=sep)\d{3})*(?:,\d+)?"
    ),
}


def currency_code(value: object) -> str | None:
    """The ISO 4217 code of ``value`` (case and surrounding spaces ignored), or ``None``.

    Examples
    --------
    >>> currency_code(" eur"), currency_code("EURO"), currency_code("XYZ")
    ('EUR', None, None)
    """
    if not isinstance(value, str):
        return None
    code = value.strip().upper()
    return code if code in CURRENCIES else None


def minor_unit(currency: str) -> int:
    """Number of decimal places of ``currency``'s minor unit (ISO 4217).

    Raises
    ------
    InvalidValueError
        ``currency`` is not an ISO 4217 code.

    Examples
    --------
    >>> minor_unit("EUR"), minor_unit("JPY"), minor_unit("KWD")
    (2, 0, 3)
    """
    code = currency_code(currency)
    if code is None:
        raise InvalidValueError(
            "is not an ISO 4217 currency code",
            column="currency",
            values=[currency],
            hint="use a code such as 'EUR', 'USD', 'JPY'",
        )
    return CURRENCIES[code]


def parse_amount_text(text: str, decimal: str | None = None) -> Decimal | None:
    """The exact amount written in ``text``, or ``None`` when it is not a number.

    ``decimal`` is the decimal mark: ``None`` (``.``, spaces group
    thousands), ``"."`` (commas may group thousands too) or ``","`` (spaces,
    dots or apostrophes group thousands).

    Examples
    --------
    >>> parse_amount_text("1 234.56"), parse_amount_text("1.234,56", ",")
    (Decimal('1234.56'), Decimal('1234.56'))
    >>> parse_amount_text("7,5") is None
    True
    """
    s = text.strip(SPACES + "\t\r\n")
    mark = "," if decimal == "," else "."
    if _PLAIN[mark].fullmatch(s):
        digits = s.replace(",", ".") if mark == "," else s
    elif (m := _GROUPED[decimal if decimal in (".", ",") else None].fullmatch(s)) is not None:
        digits = s.replace(m["sep"], "")
        if mark == ",":
            digits = digits.replace(",", ".")
    else:
        return None
    try:
        return Decimal(digits)
    except InvalidOperation:  # pragma: no cover - the patterns only let numbers through
        return None


def amount_hint(values: Iterable[object], decimal: str | None) -> str | None:
    """The option that reads ``values`` (text that is not a number as given), if any.

    Examples
    --------
    >>> amount_hint(["1 234,56"], None)
    'they are written with a decimal comma: pass decimal=","'
    """
    for text in values:
        if not isinstance(text, str):
            continue
        as_comma = parse_amount_text(text, ",") if decimal != "," else None
        as_point = parse_amount_text(text, ".") if decimal != "." else None
        if as_comma is not None and as_point is not None:
            return (
                f'{text!r} reads as {as_comma} with decimal="," and as {as_point} with '
                'decimal=".": pass the one your data uses'
            )
        if as_comma is not None:
            return 'they are written with a decimal comma: pass decimal=","'
        if as_point is not None:
            if decimal is None:
                return 'they group thousands with commas: pass decimal="."'
            return 'they are written with a decimal point: pass decimal="." (or leave it out)'
    return None


def to_decimal(value: object, *, decimal: str | None = None) -> Decimal:
    """Convert ``value`` to ``Decimal`` exactly: text as written, a float at its shortest repr.

    Raises
    ------
    InvalidAmountError
        ``value`` is not a finite amount (the message says which option reads it).

    Examples
    --------
    >>> to_decimal(0.1), to_decimal("12.30"), to_decimal(5), to_decimal("1 234,5", decimal=",")
    (Decimal('0.1'), Decimal('12.30'), Decimal('5'), Decimal('1234.5'))
    """
    out: Decimal | None
    if isinstance(value, Decimal):
        out = value
    elif isinstance(value, (bool, np.bool_)):
        out = None
    elif isinstance(value, (int, np.integer)):
        out = Decimal(int(value))
    elif isinstance(value, np.floating) and value.dtype.itemsize < 8:
        out = Decimal(str(value))  # a float32 at its own shortest representation
    elif isinstance(value, (float, np.floating)):
        out = Decimal(repr(float(value)))
    elif isinstance(value, str):
        out = parse_amount_text(value, decimal)
        if out is None:
            raise InvalidAmountError(
                "is not an amount", values=[value], hint=amount_hint([value], decimal)
            )
    else:
        out = None
    if out is None or not out.is_finite():
        raise InvalidAmountError("is not an amount", values=[value])
    return out


def decimal_to_cents(value: Decimal, digits: int) -> int:
    """Exact integer minor units of ``value``.

    Raises
    ------
    SubMinorUnitError
        ``value`` is finer than the minor unit.
    AmountTooLargeError
        ``value`` does not fit a 64-bit integer of minor units.

    Examples
    --------
    >>> decimal_to_cents(Decimal("12.34"), 2)
    1234
    """
    if not value.is_finite():
        raise InvalidAmountError("is not a finite amount", values=[value])
    cents = minor_units(value, digits)
    if cents is FINER:
        raise SubMinorUnitError(f"has more than {digits} decimal places", values=[value])
    if cents is TOO_LARGE:
        raise AmountTooLargeError(
            "is too large to be held exactly (more than 2**63 - 1 minor units)", values=[value]
        )
    assert isinstance(cents, int)
    return cents


#: what :func:`minor_units` returns for an amount finer than the minor unit
FINER = "finer"
#: what :func:`minor_units` returns for an amount beyond 2**63 - 1 minor units
TOO_LARGE = "too large"


def minor_units(value: Decimal, digits: int) -> int | str:
    """A finite ``value`` in whole minor units, exactly, or :data:`FINER` / :data:`TOO_LARGE`.

    Computed on the digits and the exponent, with no decimal context: no
    rounding, no underflow to 0 (``1e-999999999`` is finer than a cent) and
    no overflow (``1e999999`` is too large).

    Examples
    --------
    >>> minor_units(Decimal("12.30"), 2), minor_units(Decimal("1E-999999999"), 2)
    (1230, 'finer')
    >>> minor_units(Decimal("1E+999999"), 2)
    'too large'
    """
    sign, coefficient, exponent = value.as_tuple()
    assert isinstance(exponent, int), "a finite Decimal"
    number: int = int("".join(map(str, coefficient)) or "0")
    if number == 0:
        return 0
    shift = exponent + digits
    if shift < 0:
        if -shift > len(coefficient):
            return FINER
        number, rest = divmod(number, 10**-shift)
        if rest:
            return FINER
    elif len(coefficient) + shift > 19:  # 10**19 > 2**63 - 1
        return TOO_LARGE
    else:
        number *= 10**shift
    if number > INT64_MAX:
        return TOO_LARGE
    return -number if sign else number


def cents_to_decimal(cents: int, digits: int) -> Decimal:
    """``Decimal`` amount of an integer number of minor units.

    Examples
    --------
    >>> cents_to_decimal(123456, 2)
    Decimal('1234.56')
    """
    return Decimal(int(cents)).scaleb(-digits)


def cents_array_to_decimal(cents: Iterable[int], digits: int) -> list[Decimal]:
    """Vector form of :func:`cents_to_decimal`."""
    return [Decimal(int(c)).scaleb(-digits) for c in cents]


def money_values(
    cents: npt.ArrayLike, digits: int, money: Literal["float", "decimal"] = "float"
) -> npt.NDArray[Any]:
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
