"""The one rule for undefined values, exact ratios, and the countback walk.

Every KPI that divides goes through :func:`ratio` (or :func:`countback`): the
ledger functions, the pure formulas of :mod:`creditkpi.formulas`, the
dashboard and the distributed summaries. So the same inputs give the same
float, bit for bit, whichever path computed them.

**The rule.** A ratio is *undefined* when its denominator is zero or
negative. Every denominator of the library is a quantity that is positive
whenever there is something to measure (sales, receivables, cash collected,
cases in progress, the amount collectible, exposure); zero means there was
nothing to measure, and a negative value only arises when credits exceed
debits (credit notes above invoices, overpaid books), where a ratio would
flip its sign and mean nothing. An undefined ratio is ``nan`` and raises
one :class:`~creditkpi.UndefinedMetricWarning` per call, never an exception.
A ``nan`` given as an input propagates as ``nan`` without a warning (the
value was already unknown).

**Exactness.** Inputs are exact: integer minor units (the ledger's parts),
``int``, ``Decimal`` or ``Fraction`` (a ``float`` is taken at its binary
value). The quotient is computed exactly and rounded once to the nearest
float: with integers below 2**53 a float64 division is that rounding;
beyond, Python integers are used.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeAlias, overload

import numpy as np
import numpy.typing as npt

from creditkpi.core.errors import InvalidValueError, UndefinedMetricWarning

__all__ = [
    "EXACT_FLOAT",
    "Number",
    "countback",
    "exact",
    "ratio",
    "share",
    "warn_undefined",
]

Number: TypeAlias = "int | float | Decimal | Fraction | np.integer[Any] | np.floating[Any]"
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: integers of magnitude below this convert to float64 exactly (2**53)
EXACT_FLOAT = 2**53


def warn_undefined(what: str, *, count: int | None = None, total: int | None = None) -> None:
    """Emit one :class:`~creditkpi.UndefinedMetricWarning` saying ``what`` is undefined.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_undefined("DSO (sales <= 0)", count=2, total=12)
    >>> str(caught[0].message)
    'DSO (sales <= 0) is undefined for 2 of 12 values: result is nan'
    """
    where = (
        "" if count is None or total is None or total == 1 else f" for {count} of {total} values"
    )
    warnings.warn(
        f"{what} is undefined{where}: result is nan", UndefinedMetricWarning, stacklevel=3
    )


def exact(value: object, name: str) -> Fraction | None:
    """``value`` as an exact fraction; ``None`` for a ``nan`` or infinite number.

    Raises
    ------
    InvalidValueError
        If ``value`` is not a number (text, ``None``, a bool).

    Examples
    --------
    >>> exact(Decimal("0.1"), "x"), exact(float("nan"), "x"), exact(3, "x")
    (Fraction(1, 10), None, Fraction(3, 1))
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, float, Decimal, Fraction, np.integer, np.floating)
    ):
        raise InvalidValueError(f"{name} must be a number, got {value!r}", column=name)
    if isinstance(value, (float, np.floating)):
        return Fraction(float(value)) if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return Fraction(value) if value.is_finite() else None
    if isinstance(value, np.integer):
        return Fraction(int(value))
    return Fraction(value)


def _is_scalar(value: object) -> bool:
    return not isinstance(value, (np.ndarray, list, tuple))


@overload
def ratio(
    numerator: Number, denominator: Number, *, what: str, scale: int = 1, den_scale: int = 1
) -> float: ...


@overload
def ratio(
    numerator: npt.ArrayLike,
    denominator: npt.ArrayLike,
    *,
    what: str,
    scale: npt.ArrayLike = 1,
    den_scale: int = 1,
) -> FloatArray: ...


def ratio(
    numerator: Any,
    denominator: Any,
    *,
    what: str,
    scale: Any = 1,
    den_scale: int = 1,
) -> Any:
    """``numerator × scale / (denominator × den_scale)``, exact and rounded once.

    Parameters
    ----------
    numerator, denominator : number or array of int
        Plain numbers (a float result), or integer arrays of the same shape
        (a float array): the ledger's parts in minor units.
    what : str
        What is being computed, for the warning (``"DSO (sales <= 0)"``).
    scale : int or array of int, default 1
        Multiplies the numerator: the days of the period for DSO-type KPIs
        (one per row of 2-D arrays, broadcast along the last axis).
    den_scale : int, default 1
        Multiplies the denominator (2 for an average of two receivables).

    Returns
    -------
    float or ndarray of float64
        ``nan`` where the denominator is ``<= 0`` (one warning for the call)
        or where an input is ``nan``.

    Examples
    --------
    >>> ratio(128_000, 266_000, what="x")
    0.48120300751879697
    >>> ratio(Decimal("800"), Decimal("600"), what="x", scale=30)
    40.0
    >>> ratio(np.array([1, 5]), np.array([4, 0]), what="the example")  # doctest: +SKIP
    array([0.25,  nan])
    """
    if _is_scalar(numerator) and _is_scalar(denominator) and _is_scalar(scale):
        num = exact(numerator, "numerator")
        den = exact(denominator, "denominator")
        factor = exact(scale, "scale")
        if num is None or den is None or factor is None:
            return math.nan
        if den <= 0:
            warn_undefined(what)
            return math.nan
        return float(num * factor / (den * den_scale))
    num_a = np.asarray(numerator)
    den_a = np.asarray(denominator)
    num_a, den_a = np.broadcast_arrays(num_a, den_a)
    mult = np.asarray(scale)
    if mult.ndim == 1 and num_a.ndim == 2 and mult.shape[0] == num_a.shape[0]:
        mult = mult[:, None]
    mult = np.broadcast_to(mult, num_a.shape)
    if num_a.dtype.kind == "f" or den_a.dtype.kind == "f":
        raise TypeError("ratio takes integer arrays (minor units, counts); got floats")
    if num_a.dtype == object or den_a.dtype == object:
        return _object_ratio(num_a, den_a, mult, den_scale, what)
    bad = den_a <= 0
    out = np.full(num_a.shape, np.nan, dtype=np.float64)
    top = int(np.abs(num_a).max(initial=0)) * int(np.abs(mult).max(initial=0))
    bottom = int(np.abs(den_a).max(initial=0)) * int(den_scale)
    if top < EXACT_FLOAT and bottom < EXACT_FLOAT:
        with np.errstate(divide="ignore", invalid="ignore"):
            q = (num_a.astype(np.float64) * mult) / (den_a.astype(np.float64) * den_scale)
        out = np.where(bad, np.nan, q)
    else:  # beyond 2**53: exact Python integers
        for idx in zip(*np.nonzero(~bad), strict=True):
            out[idx] = int(num_a[idx]) * int(mult[idx]) / (int(den_a[idx]) * den_scale)
    if bad.any():
        warn_undefined(what, count=int(bad.sum()), total=int(bad.size))
    return np.asarray(out, dtype=np.float64)


def _object_ratio(
    num: npt.NDArray[Any], den: npt.NDArray[Any], mult: npt.NDArray[Any], den_scale: int, what: str
) -> FloatArray:
    """:func:`ratio` element by element for arrays of exact numbers (``Fraction``, ``Decimal``)."""
    out = np.full(num.shape, np.nan, dtype=np.float64)
    undefined = 0
    for idx in np.ndindex(num.shape):
        n, d, m = (
            exact(num[idx], "numerator"),
            exact(den[idx], "denominator"),
            exact(mult[idx], "scale"),
        )
        if n is None or d is None or m is None:
            continue
        if d <= 0:
            undefined += 1
            continue
        out[idx] = float(n * m / (d * den_scale))
    if undefined:
        warn_undefined(what, count=undefined, total=int(out.size))
    return out


def countback(
    receivables: Any, months: Iterable[tuple[Any, Any]], *, what: str = "countback DSO"
) -> Any:
    """Countback DSO: walk months back from T until the sales account for ``R(T)``.

    Parameters
    ----------
    receivables : number or array of int
        ``R(T)``, one value or one per group.
    months : iterable of (sales, days)
        Newest first: the month holding T (its sales up to T, its days up to
        T), then every earlier calendar month. ``sales`` is a number or an
        array (one per group), ``days`` a whole number.

    Returns
    -------
    float or ndarray of float64
        Days. 0 where ``R(T) <= 0``; ``nan`` (with one warning) where the
        months run out before the receivables are accounted for.

    Notes
    -----
    ``r = R(T)``; for each month, newest first: while ``r >= S(month)`` (a
    month with no or negative sales always counts whole, and negative sales
    add back to ``r``) the month counts whole and ``r -= S(month)``; the walk
    stops as soon as ``r`` reaches 0. At the first month with
    ``r < S(month)`` it adds ``days(month) × r / S(month)`` and stops. The
    comparisons are exact and the result is the exact sum of days rounded
    once to a float.

    Examples
    --------
    >>> round(countback(800, [(600, 30), (300, 31)]), 4)  # 30 + 31 × 200/300
    50.6667
    """
    scalar = _is_scalar(receivables)
    if scalar:
        r0 = exact(receivables, "receivables")
        if r0 is None:
            return math.nan
        r: Any = np.asarray([r0], dtype=object)
    else:
        r = np.asarray(receivables).astype(np.int64).copy()
    n = r.shape[0]
    whole = np.zeros(n, dtype=np.int64)  # whole days counted
    active = np.asarray(r > 0, dtype=bool)
    result = np.zeros(n, dtype=np.float64)
    for pair in months:
        if not active.any():
            break
        try:
            sales, days = pair
        except (TypeError, ValueError):
            raise InvalidValueError(
                f"months must hold (sales, days) pairs, got {pair!r}", column="months"
            ) from None
        d = exact(days, "days")
        if d is None:
            return math.nan
        if d < 0 or d.denominator != 1:
            raise InvalidValueError(
                f"days must be a whole number >= 0, got {days!r}", column="days"
            )
        day_count = int(d)
        if scalar:
            s_exact = exact(sales, "sales")
            if s_exact is None:
                return math.nan
            s: Any = np.asarray([s_exact], dtype=object)
        else:
            s = np.broadcast_to(np.asarray(sales).astype(np.int64), (n,))
        whole_month = active & ((s <= 0) | (r >= s))
        stop = active & ~whole_month
        whole[whole_month] += day_count
        r[whole_month] = r[whole_month] - s[whole_month]
        if stop.any():
            result[stop] = _whole_plus(whole[stop], day_count, r[stop], s[stop])
        active &= ~stop
        exhausted = active & (r <= 0)  # r reached 0 on a whole month: the walk ends there
        result[exhausted] = whole[exhausted]
        active &= ~exhausted
    if active.any():
        result[active] = np.nan
        warn_undefined(
            f"{what} (the sales history runs out before the receivables)",
            count=int(active.sum()),
            total=n,
        )
    return float(result[0]) if scalar else result


def _whole_plus(whole: IntArray, days: int, r: Any, s: Any) -> FloatArray:
    """``whole + days × r / s`` per element, exact and rounded once (``s > 0``)."""
    if r.dtype.kind == "i":
        bound = int(np.abs(s).max()) * (int(whole.max()) + days + 1) + days * int(np.abs(r).max())
        if bound < EXACT_FLOAT:
            num = whole * s + days * r
            return np.asarray(num.astype(np.float64) / s.astype(np.float64), dtype=np.float64)
    return np.asarray(
        [
            float(Fraction(int(w)) + Fraction(days) * Fraction(rk) / Fraction(sk))
            for w, rk, sk in zip(whole.tolist(), r.tolist(), s.tolist(), strict=True)
        ],
        dtype=np.float64,
    )


def weighted_mean(weights: Sequence[Any], values: Sequence[Any], *, what: str) -> float:
    """``Σ w × v / Σ w`` of plain numbers, exact and rounded once (``nan`` when ``Σ w <= 0``).

    Examples
    --------
    >>> weighted_mean([100, 300], [40, 20], what="days to pay")
    25.0
    """
    w = [exact(x, "amounts") for x in weights]
    v = [exact(x, "days") for x in values]
    if any(x is None for x in w) or any(x is None for x in v):
        return math.nan
    total = sum((x for x in w if x is not None), Fraction(0))
    num = sum(
        (a * b for a, b in zip(w, v, strict=True) if a is not None and b is not None), Fraction(0)
    )
    return ratio(num, total, what=what)


def share(amount: Any, total: Any) -> Any:
    """Share of a total (aging bucket, customer, status): ``amount / total``.

    Parameters
    ----------
    amount, total : number or array of int
        Same currency; arrays broadcast (e.g. buckets against their row's total).

    Returns
    -------
    float or ndarray
        A fraction; ``nan`` where ``total <= 0``.

    Warns
    -----
    UndefinedMetricWarning
        Where ``total <= 0`` (nothing open, or a book in credit).

    Examples
    --------
    >>> share(600, 2450)
    0.2448979591836735
    """
    return ratio(amount, total, what="shares of the receivables (receivables <= 0)")
