"""Exact money: amounts are stored as integer minor units (cents).

Decimal amounts are built from their text (``Decimal("0.10")``), never from a
float's binary value; a float read from a CSV file is taken at its shortest
decimal representation (``0.1`` means ten cents). An amount finer than the
currency's minor unit is an error, never rounded silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

import numpy as np
import numpy.typing as npt

from creditkpi.core.errors import InvalidAmountError, SubMinorUnitError

__all__ = [
    "FLOAT_EXACT_LIMIT",
    "cents_array_to_decimal",
    "cents_to_decimal",
    "decimal_to_cents",
    "minor_unit",
    "parse_amounts",
    "to_decimal",
]

# ISO 4217 currencies whose minor unit is not 1/100.
_MINOR_UNITS: dict[str, int] = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0,
    "KRW": 0, "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0,
    "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    "CLF": 4, "UYW": 4,
}  # fmt: skip

#: integer sums below this bound are exact in float64 (2**53)
FLOAT_EXACT_LIMIT = 2**53


def minor_unit(currency: str) -> int:
    """Number of decimal places of ``currency`` (ISO 4217; 2 when unknown).

    Examples
    --------
    >>> minor_unit("EUR"), minor_unit("JPY"), minor_unit("KWD")
    (2, 0, 3)
    """
    return _MINOR_UNITS.get(currency.upper(), 2)


def to_decimal(value: object) -> Decimal:
    """Convert ``value`` to ``Decimal`` through its text, never its binary value.

    Examples
    --------
    >>> to_decimal(0.1), to_decimal("12.30"), to_decimal(5)
    (Decimal('0.1'), Decimal('12.30'), Decimal('5'))
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise InvalidAmountError(f"{value!r} is not an amount")
    if isinstance(value, (int, np.integer)):
        return Decimal(int(value))
    if isinstance(value, (float, np.floating)):
        return Decimal(repr(float(value)))
    if isinstance(value, str):
        try:
            return Decimal(value.strip().replace(" ", ""))
        except InvalidOperation:
            raise InvalidAmountError(f"{value!r} is not an amount") from None
    raise InvalidAmountError(f"{value!r} is not an amount")


def decimal_to_cents(value: Decimal, digits: int) -> int:
    """Exact integer minor units of ``value``; raises if finer than the unit.

    Examples
    --------
    >>> decimal_to_cents(Decimal("12.34"), 2)
    1234
    """
    if not value.is_finite():
        raise InvalidAmountError(f"{value!r} is not a finite amount")
    scaled = value.scaleb(digits)
    if scaled != scaled.to_integral_value():
        raise SubMinorUnitError(f"{value} has more than {digits} decimal places")
    return int(scaled)


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


def parse_amounts(
    values: npt.ArrayLike, digits: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Parse a column of amounts into integer minor units.

    Returns
    -------
    cents : ndarray of int64
        The amounts in minor units (0 where invalid).
    invalid : ndarray of bool
        Missing or unparseable values.
    too_fine : ndarray of bool
        Values finer than the minor unit.
    """
    arr = np.asarray(values)
    scale = 10**digits
    n = arr.shape[0]
    if arr.dtype.kind in "iu":
        cents = arr.astype(np.int64) * scale
        return cents, np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    if arr.dtype.kind == "f":
        a = arr.astype(np.float64)
        invalid = ~np.isfinite(a)
        scaled = np.where(invalid, 0.0, a) * scale
        rounded = np.rint(scaled)
        # a few ulps of tolerance: 55.94 * 100 == 5593.999999999999
        too_fine = np.abs(scaled - rounded) > 1e-6 + np.abs(scaled) * 1e-15
        too_fine &= ~invalid
        invalid |= np.abs(rounded) >= FLOAT_EXACT_LIMIT
        return rounded.astype(np.int64), invalid, too_fine
    cents_list = np.zeros(n, dtype=np.int64)
    invalid = np.zeros(n, dtype=bool)
    too_fine = np.zeros(n, dtype=bool)
    for k, value in enumerate(arr.tolist()):
        if value is None or (isinstance(value, float) and value != value):
            invalid[k] = True
            continue
        if isinstance(value, str) and not value.strip():
            invalid[k] = True
            continue
        try:
            cents_list[k] = decimal_to_cents(to_decimal(value), digits)
        except SubMinorUnitError:
            too_fine[k] = True
        except (InvalidAmountError, OverflowError):
            invalid[k] = True
    return cents_list, invalid, too_fine
