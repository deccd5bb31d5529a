"""Amounts of input columns as exact integer minor units (the rules: :mod:`creditkpi.core.money`).

Every kind of column is converted without a Python object per row on the
common path: integers with an overflow check, floats by the one float rule
(checked as vectors: ``c / 10**digits == x`` with ``c`` the nearest whole
number of minor units is exactly "the shortest repr of ``x`` is ``c`` minor
units"; the few amounts beyond 2**51 minor units are checked one by one the
way a record is), Arrow decimals from their 128-bit integers, and text as a
matrix of character codes (:mod:`.text`). Text that is not a plain
``-1234.56`` (thousands separators, spaces, exponents, another decimal mark)
is read value by value, once per distinct value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.errors import (
    AmountTooLargeError,
    InvalidAmountError,
    NonPositiveAmountError,
    SubMinorUnitError,
)
from creditkpi.core.ingest.source import (
    ColumnData,
    arrow_numbers,
    arrow_valid,
    as_arrow,
    pyarrow_module,
    take_values,
)
from creditkpi.core.ingest.text import (
    Chars,
    array_texts,
    arrow_chars,
    arrow_texts,
    chunks,
    unicode_chars,
)
from creditkpi.core.money import (
    FINER,
    INT64_MAX,
    MAX_TOTAL,
    TOO_LARGE,
    amount_hint,
    minor_units,
    parse_amount_text,
)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: beyond this many minor units a float is checked the way a record is (exactly, one by one)
_FLOAT_FAST = 2**51
#: plain digit strings up to this length are read as vectors (10**18 < 2**63)
_MAX_DIGITS = 18

_BLANKS = " \u00a0\u202f\u2009\t\r\n"


def _float_hint(digits: int) -> str:
    return (
        "a float is read at its shortest decimal representation and must be a whole number of "
        f"minor units: round it first (e.g. frame['amount'].round({digits})) or pass text or "
        "Decimal"
    )


def _unit(digits: int) -> str:
    return "whole units" if digits == 0 else f"10^-{digits}"


@dataclass(slots=True)
class _Problems:
    """Rows that break a rule, per rule."""

    missing: list[IntArray] = field(default_factory=list)
    invalid: list[IntArray] = field(default_factory=list)
    fine: list[IntArray] = field(default_factory=list)
    large: list[IntArray] = field(default_factory=list)
    floats: bool = False

    def add(self, kind: str, rows: IntArray) -> None:
        if rows.size:
            getattr(self, kind).append(np.asarray(rows, dtype=np.int64))


def parse_amounts(
    data: ColumnData,
    *,
    column: str,
    ids: Any,
    digits: int,
    decimal: str | None = None,
    positive: bool = True,
    optional: bool = False,
) -> tuple[IntArray, BoolArray]:
    """Integer minor units of a column, and its missing rows.

    Raises the first broken rule, in this order: missing amounts (unless
    ``optional``), not numbers, finer than the minor unit, too large to hold,
    and (``positive``) zero or negative.
    """
    n = len(data)
    cents = np.zeros(n, dtype=np.int64)
    missing = np.zeros(n, dtype=bool)
    problems = _Problems()
    _convert(data, cents, missing, problems, digits, decimal)

    def values(rows: IntArray) -> list[Any]:
        return take_values(data, rows[:5])

    def rows_of(parts: list[IntArray]) -> IntArray:
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, np.int64)

    if not optional and missing.any():
        rows = np.flatnonzero(missing)
        raise InvalidAmountError(
            f"{rows.size} amount(s) are missing",
            column=column,
            ids=_ids(ids, rows),
            count=rows.size,
        )
    if problems.invalid:
        rows = rows_of(problems.invalid)
        shown = values(rows)
        hint = amount_hint(shown, decimal)
        if hint is None and any(isinstance(v, float) for v in shown):
            hint = "infinite amounts are not amounts"
        raise InvalidAmountError(
            f"{rows.size} amount(s) are not numbers",
            column=column,
            ids=_ids(ids, rows),
            count=rows.size,
            values=shown,
            hint=hint,
        )
    if problems.fine:
        rows = rows_of(problems.fine)
        shown = values(rows)
        raise SubMinorUnitError(
            f"{rows.size} amount(s) are finer than the currency's minor unit ({_unit(digits)})",
            column=column,
            ids=_ids(ids, rows),
            count=rows.size,
            values=shown,
            hint=_float_hint(digits) if any(isinstance(v, float) for v in shown) else None,
        )
    if problems.large:
        rows = rows_of(problems.large)
        whole = INT64_MAX // 10**digits
        raise AmountTooLargeError(
            f"{rows.size} amount(s) are too large to be held exactly (at most {whole:,} "
            "whole units, 2**63 - 1 minor units)",
            column=column,
            ids=_ids(ids, rows),
            count=rows.size,
            values=values(rows),
        )
    if positive:
        bad = (cents <= 0) & ~missing
        if bad.any():
            rows = np.flatnonzero(bad)
            raise NonPositiveAmountError(
                f"{rows.size} amount(s) are zero or negative (settlements are positive; "
                "use kind='credit_note' for an avoir)",
                column=column,
                ids=_ids(ids, rows),
                count=rows.size,
                values=values(rows),
            )
    return cents, missing


def _ids(ids: Any, rows: IntArray) -> list[Any]:
    return list(ids[rows[:5]])


def check_total(parts: list[IntArray], *, column: str = "amount") -> float:
    """Raise if the (non-negative) amounts of a ledger add up to :data:`MAX_TOTAL` or more.

    Returns the total as a float (a close upper estimate is enough to decide
    whether float64 sums are exact).
    """
    approx = sum(float(part.sum(dtype=np.float64)) for part in parts if part.size)
    if approx >= 2**61:  # near the bound: add exactly
        exact = sum(int(part.astype(object).sum()) for part in parts if part.size)
        if exact >= MAX_TOTAL:
            raise AmountTooLargeError(
                f"the ledger's amounts add up to {exact:,} minor units in absolute value, more "
                "than creditkpi sums exactly (2**62); split the ledger",
                column=column,
                values=[exact],
            )
    return approx


# ----------------------------------------------------------------------------- dispatch
def _convert(
    data: ColumnData,
    cents: IntArray,
    missing: BoolArray,
    problems: _Problems,
    digits: int,
    decimal: str | None,
) -> None:
    arrow = as_arrow(data)
    if arrow is not None:
        _arrow(arrow, cents, missing, problems, digits, decimal)
        return
    series = data if isinstance(data, pd.Series) else pd.Series(data)
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        series = series.astype(object)
        dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        nulls = series.isna().to_numpy(dtype=bool)
        missing |= nulls
        problems.add("invalid", np.flatnonzero(~nulls))
        return
    if pd.api.types.is_integer_dtype(dtype):
        nulls = series.isna().to_numpy(dtype=bool)
        missing |= nulls
        kind = np.uint64 if pd.api.types.is_unsigned_integer_dtype(dtype) else np.int64
        _integers(series.to_numpy(dtype=kind, na_value=0), cents, problems, digits)
        return
    if pd.api.types.is_float_dtype(dtype):
        own: Any = getattr(dtype, "numpy_dtype", dtype)  # Float32: float32
        narrow = np.dtype(own)
        if narrow.itemsize < 8:
            values = shortest_float64(series.to_numpy(dtype=narrow, na_value=np.nan))
        else:
            values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        _floats(values, None, cents, missing, problems, digits)
        return
    if isinstance(dtype, pd.StringDtype) or pd.api.types.is_object_dtype(dtype):
        _objects(series.to_numpy(dtype=object), cents, missing, problems, digits, decimal)
        return
    problems.add("invalid", np.flatnonzero(series.notna().to_numpy(dtype=bool)))


def _arrow(
    arr: Any,
    cents: IntArray,
    missing: BoolArray,
    problems: _Problems,
    digits: int,
    decimal: str | None,
) -> None:
    pa = pyarrow_module()
    t = arr.type
    if pa.types.is_dictionary(t):
        _arrow(arr.dictionary_decode(), cents, missing, problems, digits, decimal)
        return
    valid = arrow_valid(arr)
    missing |= ~valid
    if pa.types.is_integer(t):
        kind = np.uint64 if pa.types.is_unsigned_integer(t) else np.int64
        _integers(arrow_numbers(arr, kind), cents, problems, digits)
        return
    if pa.types.is_floating(t):
        if t.bit_width < 64:
            values = shortest_float64(arrow_numbers(arr, t.to_pandas_dtype()))
        else:
            values = arrow_numbers(arr, np.float64)
        if arr.null_count:
            values = np.where(valid, values, np.nan)
        _floats(values, None, cents, missing, problems, digits)
        return
    if pa.types.is_decimal(t):
        _decimals(arr, valid, cents, problems, digits)
        return
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        for start, stop in chunks(len(arr)):
            _text(
                arrow_chars(arr, start, stop),
                start,
                arrow_texts(arr.slice(start, stop - start)),
                cents,
                missing,
                problems,
                digits,
                decimal,
            )
        return
    if pa.types.is_null(t):
        return
    problems.add("invalid", np.flatnonzero(valid))


# ----------------------------------------------------------------------------- numbers
def _integers(values: npt.NDArray[Any], cents: IntArray, problems: _Problems, digits: int) -> None:
    scale = 10**digits
    limit = INT64_MAX // scale
    if values.dtype == np.uint64:
        large = values > np.uint64(limit)
        safe = np.where(large, 0, values).astype(np.int64)
    else:
        large = (values > limit) | (values < -limit)
        safe = np.where(large, 0, values)
    problems.add("large", np.flatnonzero(large))
    cents[:] = safe * scale


def shortest_float64(values: npt.NDArray[np.floating[Any]]) -> npt.NDArray[np.float64]:
    """float32 (or float16) values as the float64 of their own shortest decimal text.

    The float rule reads a float at its shortest representation: a float32
    ``12.34`` means 12.34, not the 12.340000152587890625 its bits hold as a
    float64.
    """
    return np.asarray(np.asarray(values).astype(str), dtype=np.float64)


def _as_float64(value: Any) -> float:
    """One float object, read at its own precision's shortest text (see :func:`shortest_float64`)."""
    if isinstance(value, np.floating) and value.dtype.itemsize < 8:
        return float(str(value))
    return float(value)


def _floats(
    values: npt.NDArray[np.float64],
    rows: IntArray | None,
    cents: IntArray,
    missing: BoolArray,
    problems: _Problems,
    digits: int,
) -> None:
    """The float rule on ``values``, stored at ``rows`` of ``cents`` (None: the whole column).

    Chunk by chunk (bounded temporaries): ``c = rint(x * 10**digits)`` is
    accepted when ``c / 10**digits == x`` and ``|c| < 2**51``; a chunk with
    any other value (NaN, infinite, finer than the unit, huge) goes through
    the detailed rules below.
    """
    problems.floats = True
    scale = float(10**digits)
    for start, stop in chunks(values.size):
        part = values[start:stop]
        with np.errstate(invalid="ignore", over="ignore"):
            whole = part * scale
            np.rint(whole, out=whole)
            exact = whole / scale == part
            fast = bool(exact.all()) and (
                part.size == 0 or (whole.max() < _FLOAT_FAST and whole.min() > -_FLOAT_FAST)
            )
        if fast:
            target = cents[start:stop] if rows is None else None
            if target is not None:
                np.copyto(target, whole, casting="unsafe")
            else:
                assert rows is not None
                cents[rows[start:stop]] = whole.astype(np.int64)
            continue
        where = np.arange(start, stop) if rows is None else rows[start:stop]
        _floats_in_detail(part, where, whole, cents, missing, problems, digits)


def _floats_in_detail(
    part: npt.NDArray[np.float64],
    rows: IntArray,
    whole: npt.NDArray[np.float64],
    cents: IntArray,
    missing: BoolArray,
    problems: _Problems,
    digits: int,
) -> None:
    scale = float(10**digits)
    nan = np.isnan(part)
    missing[rows[nan]] = True
    infinite = np.isinf(part)
    problems.add("invalid", rows[infinite])
    finite = ~(nan | infinite)
    slow = finite & (np.abs(np.where(finite, whole, 0.0)) >= _FLOAT_FAST)
    fast = finite & ~slow
    exact = np.zeros(part.size, dtype=bool)
    exact[fast] = whole[fast] / scale == part[fast]
    problems.add("fine", rows[fast & ~exact])
    cents[rows[exact]] = whole[exact].astype(np.int64)
    for k in np.flatnonzero(slow).tolist():
        _one(Decimal(repr(float(part[k]))), int(rows[k]), cents, problems, digits)


def _one(value: Decimal, row: int, cents: IntArray, problems: _Problems, digits: int) -> None:
    """One exact amount (a Decimal): stored, or its row filed under the broken rule."""
    if not value.is_finite():
        problems.add("invalid", np.asarray([row]))
        return
    number = minor_units(value, digits)
    if number is FINER:
        problems.add("fine", np.asarray([row]))
    elif number is TOO_LARGE:
        problems.add("large", np.asarray([row]))
    else:
        assert isinstance(number, int)
        cents[row] = number


def _decimals(
    arr: Any, valid: BoolArray, cents: IntArray, problems: _Problems, digits: int
) -> None:
    """Arrow decimals from their two's-complement 128-bit integers (exact, no objects)."""
    pa = pyarrow_module()
    t = arr.type
    n = len(arr)
    if t.id != pa.decimal128(1, 0).id:
        for row, value in enumerate(arr.to_pylist()):
            if value is not None:
                _one(value, row, cents, problems, digits)
        return
    words = np.frombuffer(arr.buffers()[1], dtype=np.int64)[2 * arr.offset : 2 * (arr.offset + n)]
    low, high = words[0::2], words[1::2]
    fits = (high == (low >> 63)) & valid
    unscaled = np.where(fits, low, 0)
    shift = digits - t.scale
    if shift >= 0:
        limit = INT64_MAX // 10**shift
        large = fits & ((unscaled > limit) | (unscaled < -limit))
        ok = fits & ~large
        problems.add("large", np.flatnonzero(large))
        cents[ok] = unscaled[ok] * 10**shift
    else:
        unit = 10**-shift
        fine = fits & (unscaled % unit != 0)
        problems.add("fine", np.flatnonzero(fine))
        ok = fits & ~fine
        cents[ok] = unscaled[ok] // unit
    wide = np.flatnonzero(valid & ~fits)
    if wide.size:
        for row, value in zip(wide.tolist(), arr.take(wide).to_pylist(), strict=True):
            _one(value, row, cents, problems, digits)


# ----------------------------------------------------------------------------- objects and text
def _objects(
    objects: npt.NDArray[Any],
    cents: IntArray,
    missing: BoolArray,
    problems: _Problems,
    digits: int,
    decimal: str | None,
) -> None:
    n = objects.shape[0]
    kinds = np.fromiter((_kind(v) for v in objects), dtype=np.int8, count=n)
    missing |= kinds == _K_MISSING
    problems.add("invalid", np.flatnonzero(kinds == _K_OTHER))
    text = np.flatnonzero(kinds == _K_TEXT)
    if text.size:
        sub = objects[text]
        local = np.zeros(text.size, dtype=np.int64)
        local_missing = np.zeros(text.size, dtype=bool)
        local_problems = _Problems()
        for start, stop in chunks(text.size):
            part = sub[start:stop]
            _text(
                unicode_chars(part),
                start,
                array_texts(part),
                local,
                local_missing,
                local_problems,
                digits,
                decimal,
            )
        cents[text] = local
        missing[text[local_missing]] = True
        for kind in ("invalid", "fine", "large"):
            for rows in getattr(local_problems, kind):
                problems.add(kind, text[rows])
    floats = np.flatnonzero(kinds == _K_FLOAT)
    if floats.size:
        values = np.asarray([_as_float64(v) for v in objects[floats]], dtype=np.float64)
        _floats(values, floats, cents, missing, problems, digits)
    for row in np.flatnonzero(kinds == _K_EXACT).tolist():
        value = objects[row]
        _one(
            value if isinstance(value, Decimal) else Decimal(int(value)),
            row,
            cents,
            problems,
            digits,
        )


_K_MISSING, _K_TEXT, _K_FLOAT, _K_EXACT, _K_OTHER = 0, 1, 2, 3, 4


def _kind(value: object) -> int:
    if value is None or value is pd.NA or value is pd.NaT:
        return _K_MISSING
    if isinstance(value, str):
        return _K_TEXT
    if isinstance(value, (bool, np.bool_)):
        return _K_OTHER
    if isinstance(value, (float, np.floating)):
        return _K_MISSING if value != value else _K_FLOAT
    if isinstance(value, (int, np.integer, Decimal)):
        if isinstance(value, Decimal) and value.is_nan():
            return _K_MISSING
        return _K_EXACT
    return _K_OTHER


def _text(
    chars: Chars,
    offset: int,
    texts: Callable[[IntArray], list[Any]],
    cents: IntArray,
    missing: BoolArray,
    problems: _Problems,
    digits: int,
    decimal: str | None,
) -> None:
    """Text amounts of rows ``offset : offset + chars.size``."""
    n = chars.size
    codes = chars.codes
    width = codes.shape[1]
    position = np.arange(width)
    inside = position[None, :] < chars.lengths[:, None]
    is_digit = chars.digits() & inside
    mark = ord("," if decimal == "," else ".")
    is_mark = (codes == mark) & inside
    sign = np.zeros(n, dtype=bool)
    negative = np.zeros(n, dtype=bool)
    if width:
        negative = codes[:, 0] == ord("-")
        sign = negative | (codes[:, 0] == ord("+"))
    first = np.zeros_like(inside)
    if width:
        first[:, 0] = sign
    marks = is_mark.sum(axis=1)
    n_digits = is_digit.sum(axis=1)
    plain = (
        np.all(is_digit | is_mark | first | ~inside, axis=1)
        & (marks <= 1)
        & (n_digits >= 1)
        & (n_digits <= _MAX_DIGITS)
        & ~chars.long
    )
    blank = (chars.lengths == 0) & ~chars.long
    missing[offset + np.flatnonzero(blank)] = True
    rows = np.flatnonzero(plain)
    if rows.size:
        value = np.zeros(rows.size, dtype=np.int64)
        sub_codes = codes[rows].astype(np.int64) - 48
        sub_digit = is_digit[rows]
        for j in range(width):
            d = sub_digit[:, j]
            value = np.where(d, value * 10 + sub_codes[:, j], value)
        has_mark = marks[rows] == 1
        where_mark = np.argmax(is_mark[rows], axis=1)
        fraction = np.where(has_mark, chars.lengths[rows] - 1 - where_mark, 0)
        value = np.where(negative[rows], -value, value)
        for places in np.unique(fraction).tolist():
            sel = fraction == places
            target = offset + rows[sel]
            v = value[sel]
            if places <= digits:
                factor = 10 ** (digits - places)
                limit = INT64_MAX // factor
                large = (v > limit) | (v < -limit)
                problems.add("large", target[large])
                cents[target[~large]] = v[~large] * factor
            else:
                unit = 10 ** (places - digits)
                fine = v % unit != 0
                problems.add("fine", target[fine])
                cents[target[~fine]] = v[~fine] // unit
    other = np.flatnonzero(~plain & ~blank)
    if other.size:
        raw = texts(other)
        uniques, inverse = np.unique(
            np.asarray([str(t) for t in raw], dtype=object), return_inverse=True
        )
        status = np.zeros(uniques.size, dtype=np.int8)  # 0 read, then _STATUS
        read = np.zeros(uniques.size, dtype=np.int64)
        for k, text in enumerate(uniques.tolist()):
            exact = parse_amount_text(text, decimal)
            if exact is None:
                status[k] = 1 if not text.strip(_BLANKS) else 2
                continue
            one = _Problems()
            _one(exact, k, read, one, digits)
            status[k] = 3 if one.fine else 4 if one.large else 2 if one.invalid else 0
        per_row = status[inverse]
        target = offset + other
        cents[target[per_row == 0]] = read[inverse[per_row == 0]]
        missing[target[per_row == 1]] = True
        for code, kind in ((2, "invalid"), (3, "fine"), (4, "large")):
            problems.add(kind, target[per_row == code])
