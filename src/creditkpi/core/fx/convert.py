"""Exact conversion of integer minor units at a rational rate, rounded half up.

Every translated amount of the library is one call of :func:`convert`:
``round(x × p / q)`` for integer minor units ``x`` and a positive rate
``p / q`` (integers), rounded to the nearest whole minor unit, ties away
from zero (``Decimal``'s ``ROUND_HALF_UP``: a negative balance rounds like
its opposite). The arithmetic is exact, never a float: numpy int64 by long
division in two 31-bit steps while ``p`` and ``q`` stay below ``2**31``,
Python integers beyond (rare: rates with many significant digits).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["convert", "convert_one", "reduce_fraction"]

IntArray = npt.NDArray[np.int64]

_LIMB = 31
_LOW = (1 << _LIMB) - 1
#: rates whose numerator and denominator stay below this take the int64 path
_FAST = 1 << _LIMB
#: amounts below this (in absolute value) take the int64 path
_FAST_AMOUNT = 1 << 62


def convert_one(x: int, p: int, q: int) -> int:
    """``round(x × p / q)``, ties away from zero, for Python integers.

    Examples
    --------
    >>> convert_one(5, 1, 2), convert_one(-5, 1, 2), convert_one(7, 1, 2), convert_one(4, 1, 3)
    (3, -3, 4, 1)
    """
    if x < 0:
        return -convert_one(-x, p, q)
    whole, rest = divmod(x * p, q)
    return whole + (1 if 2 * rest >= q else 0)


def reduce_fraction(p: npt.ArrayLike, q: npt.ArrayLike) -> tuple[IntArray, IntArray]:
    """``p / q`` in lowest terms, element-wise (int64 arrays)."""
    pa = np.asarray(p, dtype=np.int64)
    qa = np.asarray(q, dtype=np.int64)
    g = np.gcd(pa, qa)
    g[g == 0] = 1
    return pa // g, qa // g


def convert(x: npt.ArrayLike, p: Any, q: Any) -> IntArray:
    """``round(x × p / q)`` element-wise, ties away from zero, exactly.

    Parameters
    ----------
    x : array of int64
        Amounts in minor units (any sign).
    p, q : int or array of int
        The rate's numerator and denominator (positive), one each or one per
        amount. Python integers of any size are taken as they are.

    Returns
    -------
    ndarray of int64

    Examples
    --------
    >>> convert(np.asarray([100000, -5, 15]), 10000, 10956).tolist()  # 1000 USD at 1.0956/EUR
    [91274, -5, 14]
    >>> convert(np.asarray([3]), 1, 2).tolist(), convert(np.asarray([-3]), 1, 2).tolist()
    ([2], [-2])
    """
    xa = np.asarray(x, dtype=np.int64)
    scalar = np.ndim(p) == 0 and np.ndim(q) == 0
    if scalar:
        pi, qi = int(p), int(q)
        if pi == qi:
            return xa.copy()
        if pi < _FAST and qi < _FAST:
            return _fast(xa, np.int64(pi), np.int64(qi))
        return _exact(xa, np.full(xa.shape, pi, dtype=object), np.full(xa.shape, qi, dtype=object))
    pa, qa = np.broadcast_to(np.asarray(p), xa.shape), np.broadcast_to(np.asarray(q), xa.shape)
    if pa.dtype != object and qa.dtype != object and xa.size:
        if int(pa.max()) < _FAST and int(qa.max()) < _FAST:
            return _fast(xa, pa.astype(np.int64), qa.astype(np.int64))
    elif xa.size == 0:
        return xa.copy()
    return _exact(xa, pa, qa)


def _fast(x: IntArray, p: Any, q: Any) -> IntArray:
    """The int64 path: ``|x| < 2**62``, ``0 < p, q < 2**31`` (long division in two limbs)."""
    a = np.abs(x)
    if a.size and int(a.max()) >= _FAST_AMOUNT:
        return _exact(x, np.broadcast_to(p, x.shape), np.broadcast_to(q, x.shape))
    p_max = int(np.max(p)) if np.ndim(p) else int(p)
    if a.size == 0 or int(a.max()) * p_max < _FAST_AMOUNT:  # one step: a × p fits
        whole, rest = np.divmod(a * p, q)
        out = whole + (2 * rest >= q)
        return np.asarray(np.where(x < 0, -out, out), dtype=np.int64)
    hi = a >> _LIMB
    lo = a & _LOW
    q1, r1 = np.divmod(hi * p, q)  # hi < 2**31, p < 2**31: exact
    t0 = (r1 << _LIMB) + lo * p  # r1 < q < 2**31: < 2**63
    q0, r0 = np.divmod(t0, q)
    # the result must fit: a × p / q < 2**62 (checked on the quotient's high limb)
    if q1.size and int(q1.max()) >= 1 << (62 - _LIMB):
        return _exact(x, np.broadcast_to(p, x.shape), np.broadcast_to(q, x.shape))
    out = (q1 << _LIMB) + q0 + (2 * r0 >= q)
    out = np.where(x < 0, -out, out)
    return np.asarray(out, dtype=np.int64)


def _exact(x: IntArray, p: npt.NDArray[Any], q: npt.NDArray[Any]) -> IntArray:
    """The Python-integer path (any size), for rates or amounts beyond the int64 path."""
    from creditkpi.core.errors import AmountTooLargeError

    flat = [
        convert_one(int(v), int(a), int(b))
        for v, a, b in zip(x.ravel().tolist(), p.ravel().tolist(), q.ravel().tolist(), strict=True)
    ]
    if flat and max(abs(v) for v in flat) >= 1 << 62:
        raise AmountTooLargeError(
            "a translated amount would exceed 2**62 minor units and cannot be held exactly",
            column="amount",
        )
    return np.asarray(flat, dtype=np.int64).reshape(x.shape)


def fraction_of(p: int, q: int) -> Fraction:
    """The rate ``p / q`` as a :class:`~fractions.Fraction` (for messages and tests)."""
    return Fraction(p, q)
