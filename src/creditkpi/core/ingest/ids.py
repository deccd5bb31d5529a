"""Id columns read on their native type, id matching and customer coding.

Ids compare as text (611365, 611365.0 and "611365" are the same invoice; a
blank id is missing), but whole numbers stay numbers and strings stay Arrow
strings: no Python object is built per row on the happy path.

Matching payment ids to invoice ids (and checking invoice ids are unique) is
the costliest step of ingestion. It runs on the fastest engine installed,
each giving the same result:

* integer ids (ERP invoice numbers): a lookup table when they are dense, a
  pandas hash index otherwise;
* text ids: a polars left join validated ``m:1`` (multi-threaded) when polars
  is installed, else one Arrow ``dictionary_encode`` of both columns, else a
  pandas hash index.

Text ids made of one prefix and a number (``INV0001234``, ``C45``: most ERP
numbering) are matched as those numbers -- a lookup table, no string hashing
-- when every invoice id has that form and the form is one-to-one (the
numbers all have the same width, or none has a leading zero); a payment id of
another form cannot be an invoice's.

Customer ids are coded in order of first appearance (Arrow
``dictionary_encode`` or ``pandas.factorize``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.ingest.source import (
    ColumnData,
    arrow_numbers,
    arrow_valid,
    as_arrow,
    is_polars,
    polars_module,
    pyarrow_module,
)
from creditkpi.core.ingest.text import chunks

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: the engine matching text ids: None picks the fastest installed ("polars", "arrow", "pandas")
ENGINE: str | None = None

#: tables at least this long are ingested with worker threads
THREADED_ROWS = 200_000


@dataclass(frozen=True, slots=True)
class IdColumn:
    """An id column, normalised (ids compare as text), without building objects.

    Exactly one of ``ints`` (int64 values, ids that are whole numbers),
    ``arrow`` (an Arrow ``large_string`` array of the id text), ``polars`` (a
    polars text Series, read as Arrow one chunk at a time) or ``obj`` (the
    normalised object array, the general path) is set. ``null`` marks missing
    ids (null, NaN or blank text).
    """

    null: BoolArray
    ints: IntArray | None = None
    arrow: Any = None
    obj: npt.NDArray[Any] | None = None
    polars: Any = None

    def retained(self) -> IdColumn:
        """What a ledger keeps to name its invoices (the input itself, never a copy)."""
        return self

    @property
    def is_text(self) -> bool:
        return self.arrow is not None or self.polars is not None

    def arrow_chunks(self) -> Iterator[tuple[int, int, Any]]:
        """``(start, stop, Arrow large_string array)`` chunk by chunk (bounded memory)."""
        pa = pyarrow_module()
        assert pa is not None
        for start, stop in chunks(self.null.shape[0]):
            if self.arrow is not None:
                part = self.arrow.slice(start, stop - start)
            elif self.polars is not None:
                part = as_arrow(self.polars.slice(start, stop - start))
                if part.type != pa.large_string():
                    part = part.cast(pa.large_string())
            else:
                part = self._arrow_of(start, stop)
            yield start, stop, part

    def _arrow_of(self, start: int, stop: int) -> Any:
        pa = pyarrow_module()
        if self.ints is not None:
            return pa.array(self.ints[start:stop], mask=self.null[start:stop]).cast(
                pa.large_string()
            )
        assert self.obj is not None
        return pa.array(self.obj[start:stop], type=pa.large_string(), from_pandas=True)

    def text(self, rows: IntArray) -> npt.NDArray[Any]:
        """Normalised text of ``rows`` (``None`` where missing)."""
        rows = np.asarray(rows, dtype=np.int64)
        if self.obj is not None:
            out = np.asarray(self.obj[rows], dtype=object)
        elif self.polars is not None:
            out = np.asarray(self.polars.gather(rows).to_list(), dtype=object)
        elif self.arrow is not None:
            out = np.asarray(self.arrow.take(rows).to_numpy(zero_copy_only=False), dtype=object)
        else:
            assert self.ints is not None
            out = self.ints[rows].astype(str).astype(object)
        if self.null.any():
            out[self.null[rows]] = None
        return out

    def objects(self) -> npt.NDArray[Any]:
        """The whole normalised object array (``None`` where missing)."""
        if self.obj is not None:
            return self.obj
        if self.polars is not None:
            out = np.asarray(self.polars.to_list(), dtype=object)
            out[self.null] = None
            return out
        return self.text(np.arange(self.null.shape[0], dtype=np.int64))

    def as_arrow(self) -> Any:
        """Arrow ``large_string`` array of the text (nulls where missing), or ``None``."""
        pa = pyarrow_module()
        if pa is None:
            return None
        if self.arrow is not None:
            return self.arrow
        if self.polars is not None:
            return as_arrow(self.polars).cast(pa.large_string())
        if self.ints is not None:
            return pa.array(self.ints, mask=self.null).cast(pa.large_string())
        return pa.array(self.obj, type=pa.large_string(), from_pandas=True)


def id_text(value: object) -> object:
    """The text of one id: whole floats lose their ``.0``; ``None``/NaN stay missing."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)):
        if value != value:
            return None
        if value == int(value):
            return str(int(value))
    if isinstance(value, str):
        return value
    return str(value)


def _blank(text: pd.Series) -> BoolArray:
    return np.asarray(text.str.strip().eq("").fillna(False).to_numpy(dtype=bool), dtype=bool)


def id_column(data: ColumnData) -> IdColumn:
    """Normalise an id column on its native type (pandas Series or Arrow array)."""
    if is_polars(data) and data.dtype.is_(_polars_string()):
        column = IdColumn(null=np.zeros(len(data), dtype=bool), polars=data)
        for start, stop, part in column.arrow_chunks():  # no full-size Arrow copy
            valid = arrow_valid(part)
            column.null[start:stop] = ~valid | _arrow_blank(part, ~valid)
        return column
    arrow = as_arrow(data)
    if arrow is not None:
        return _arrow_ids(arrow)
    series = data if isinstance(data, pd.Series) else pd.Series(data)
    dtype = series.dtype
    n = len(series)
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        if dtype.kind == "u" and n and int(series.max()) > 2**63 - 1:
            return _objects(series.astype(object).to_numpy())
        return IdColumn(null=np.zeros(n, dtype=bool), ints=series.to_numpy(np.int64))
    if pd.api.types.is_extension_array_dtype(dtype) and getattr(dtype, "kind", "") in "iu":
        null = np.asarray(series.isna().to_numpy(), dtype=bool)
        return IdColumn(null=null, ints=series.to_numpy(dtype=np.int64, na_value=0))
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        ints = _whole(series.to_numpy(dtype=np.float64))
        if ints is not None:
            return ints
    if isinstance(dtype, pd.CategoricalDtype):
        return _objects(series.astype(object).to_numpy())
    pa = pyarrow_module()
    if pa is not None and (
        isinstance(dtype, pd.StringDtype)
        or (pd.api.types.is_object_dtype(dtype) and _all_text(series))
    ):
        try:
            arr = pa.array(series.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # pragma: no cover - checked to be text
            arr = None
        if arr is not None:
            return _arrow_ids(arr)
    return _objects(series.to_numpy(dtype=object))


def _polars_string() -> Any:
    pl = polars_module()
    return None if pl is None else pl.String


def _all_text(series: pd.Series) -> bool:
    return pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")


def _whole(values: npt.NDArray[np.float64]) -> IdColumn | None:
    """Float ids holding whole numbers (NaN: missing) as integers, else None."""
    nan = np.isnan(values)
    finite = values[~nan]
    if (
        np.all(np.isfinite(finite))
        and np.all(finite == np.round(finite))
        and np.all(np.abs(finite) < 2.0**53)
    ):
        return IdColumn(null=nan, ints=np.where(nan, 0, values).astype(np.int64))
    return None


def _objects(values: npt.NDArray[Any]) -> IdColumn:
    texts = np.asarray([id_text(v) for v in values], dtype=object)
    text = pd.Series(texts, dtype=object)
    null = text.isna().to_numpy(dtype=bool) | _blank(text.astype("string"))
    return IdColumn(null=null, obj=texts)


def _arrow_ids(arr: Any) -> IdColumn:
    pa = pyarrow_module()
    t = arr.type
    if pa.types.is_dictionary(t):
        return _arrow_ids(arr.dictionary_decode())
    valid = arrow_valid(arr)
    if pa.types.is_integer(t):
        if pa.types.is_unsigned_integer(t) and t.bit_width == 64:
            big = arrow_numbers(arr, np.uint64) > np.uint64(2**63 - 1)
            if big.any():
                return _objects(np.asarray(arr.to_pylist(), dtype=object))
        return IdColumn(null=~valid, ints=arrow_numbers(arr, np.int64))
    if pa.types.is_floating(t):
        values = arrow_numbers(arr.cast(pa.float64()), np.float64)
        if arr.null_count:
            values = np.where(valid, values, np.nan)
        ints = _whole(values)
        if ints is not None:
            return ints
        return _objects(np.asarray(arr.to_pylist(), dtype=object))
    if pa.types.is_string(t) or pa.types.is_large_string(t) or _is_view(pa, t):
        if not pa.types.is_large_string(t):
            arr = arr.cast(pa.large_string())
        null = ~valid
        return IdColumn(null=null | _arrow_blank(arr, null), arrow=arr)
    return _objects(np.asarray(arr.to_pylist(), dtype=object))


def _is_view(pa: Any, t: Any) -> bool:
    return bool(getattr(pa.types, "is_string_view", lambda _: False)(t))


#: ASCII letters and digits: a string starting with one of them is not blank
_ALNUM = np.zeros(256, dtype=bool)
_ALNUM[[ord(c) for c in "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"]] = True


def _arrow_blank(arr: Any, null: BoolArray) -> BoolArray:
    """``""`` or whitespace-only strings, read from the Arrow buffers.

    Only strings that are empty or start with a byte that is not an ASCII
    letter or digit can be blank; those few are checked as text.
    """
    n = len(arr)
    buffers = arr.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[arr.offset : arr.offset + n + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0)
    if data.size == 0:
        return np.asarray(~null, dtype=bool)  # every present string is empty
    first = data[np.minimum(offsets[:-1], data.size - 1)]  # a plain gather, no mask
    maybe = ~_ALNUM[first] | (offsets[1:] == offsets[:-1])
    maybe &= ~null
    out = np.zeros(n, dtype=bool)
    if maybe.any():
        where = np.flatnonzero(maybe)
        text = pd.Series(arr.take(where).to_numpy(zero_copy_only=False), dtype=object)
        out[where] = _blank(text.astype("string"))
    return out


class Later:
    """A value computed on a worker thread when the tables are large, else at once.

    Hashing (polars, Arrow) and numpy release the GIL, so on a multi-core
    machine the id matching and the customer coding overlap with the parsing
    of dates and amounts; errors are still raised in the documented order, by
    whoever calls :meth:`result`.
    """

    _pool: Any = None

    def __init__(self, threaded: bool, fn: Callable[..., Any], *args: Any) -> None:
        self._future: Any = None
        self._value: Any = None
        if threaded:
            if Later._pool is None:
                from concurrent.futures import ThreadPoolExecutor

                Later._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="creditkpi")
            self._future = Later._pool.submit(fn, *args)
        else:
            self._value = fn(*args)

    def result(self) -> Any:
        return self._value if self._future is None else self._future.result()


def engine() -> str:
    """The engine text ids are matched with (see :data:`ENGINE`)."""
    if ENGINE is not None:
        return ENGINE
    if polars_module() is not None and pyarrow_module() is not None:
        return "polars"
    if pyarrow_module() is not None:
        return "arrow"
    return "pandas"


@dataclass(frozen=True, slots=True)
class Numbered:
    """Text ids read as ``prefix`` + a number: the numbers, and which rows have that form.

    ``width`` is the number of digits when every invoice id has the same
    (zero-padded numbers), else ``None`` (and no number has a leading zero):
    either way, two ids are equal exactly when their numbers are.
    """

    prefix: str
    width: int | None
    values: IntArray
    ok: BoolArray


def numbered(arr: Any, form: Numbered) -> Numbered | None:
    """Read Arrow strings as ``form``: prefix + number; rows of another form are not ``ok``.

    With ``form.width`` the number has exactly that many digits (zero-padded),
    else it has no leading zero; either way equal numbers mean equal text.
    """
    pa = pyarrow_module()
    if pa is None or len(arr) == 0:
        return None
    import pyarrow.compute as pc

    def mask(values: Any) -> BoolArray:
        return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)

    ok = mask(pc.starts_with(arr, form.prefix))
    rest = pc.utf8_slice_codeunits(arr, len(form.prefix))
    if rest.type != pa.large_string():
        rest = rest.cast(pa.large_string())
    ok &= mask(pc.ascii_is_decimal(rest))
    buffers = rest.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[rest.offset : rest.offset + len(rest) + 1]
    length = offsets[1:] - offsets[:-1]
    ok &= (length >= 1) & (length <= 18)
    if form.width is not None:
        ok &= length == form.width
    else:  # no leading zero ("INV01" and "INV1" would be one number)
        data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0)
        if data.size:
            lead = data[np.minimum(offsets[:-1], data.size - 1)] == ord("0")
            ok &= ~(lead & (length > 1))
    values = np.zeros(len(arr), dtype=np.int64)
    if ok.any():
        where = np.flatnonzero(ok)
        chosen = rest if ok.all() else rest.take(pa.array(where))
        numbers = np.asarray(pc.cast(chosen, pa.int64()).to_numpy(), dtype=np.int64)
        if ok.all():
            values = numbers
        else:
            values[where] = numbers
    return Numbered(form.prefix, form.width, values, ok)


def numbered_whole(column: IdColumn) -> Numbered | None:
    """:func:`numbered` of a whole text column (every row must have the form), chunk by chunk.

    The form comes from the first row's prefix and the lengths of all rows:
    one length is a fixed width (zero-padded numbers), several require that no
    number has a leading zero.
    """
    pa = pyarrow_module()
    n = column.null.shape[0]
    if pa is None or n == 0 or column.null.any():
        return None
    import pyarrow.compute as pc

    first = str(column.text(np.zeros(1, dtype=np.int64))[0])
    digits = len(first) - len(first.rstrip("0123456789"))
    if digits == 0 or not first.isascii():
        return None
    prefix = first[: len(first) - digits]
    if column.polars is not None:
        lengths = column.polars.str.len_bytes()
        shortest, longest = int(lengths.min()), int(lengths.max())
    else:
        shortest, longest = len(first), len(first)
        for _, _, part in column.arrow_chunks():
            bounds = pc.min_max(pc.binary_length(part)).as_py()
            shortest, longest = min(shortest, bounds["min"]), max(longest, bounds["max"])
    width = digits if shortest == longest else None
    form = Numbered(prefix, width, np.zeros(0, np.int64), np.zeros(0, bool))
    values = np.empty(n, dtype=np.int64)
    for start, stop, part in column.arrow_chunks():
        read = numbered(part, form)
        if read is None or not read.ok.all():
            return None
        values[start:stop] = read.values
    return Numbered(prefix, width, values, np.ones(n, dtype=bool))


def match_ids(inv: IdColumn, pay: IdColumn | None) -> tuple[bool, IntArray]:
    """Whether invoice ids are unique, and each payment's invoice position (-1: none).

    Invoice ids are known not to be missing.
    """
    m = 0 if pay is None else pay.null.shape[0]
    form = None
    text_ok = pyarrow_module() is not None and engine() != "pandas"
    if inv.is_text and text_ok:
        form = numbered_whole(inv)
        if form is not None:
            lookup = IntLookup(form.values)
            ppos = np.full(m, -1, dtype=np.int64)
            if pay is not None and lookup.unique:
                for start, stop, part in pay.arrow_chunks():  # bounded memory
                    read = numbered(part, form)
                    if read is not None:
                        ppos[start:stop] = np.where(read.ok, lookup.find(read.values), -1)
            if pay is not None and pay.null.any():
                ppos[pay.null] = -1
            return lookup.unique, ppos
    if inv.ints is not None and (pay is None or pay.ints is not None):
        unique, ppos = _match_ints(inv.ints, None if pay is None else pay.ints, m)
    else:
        how = engine()
        own = (inv.polars, None if pay is None else pay.polars)
        if how == "polars" and own[0] is not None and (pay is None or own[1] is not None):
            unique, ppos = _match_polars(None, None, m, own)  # polars input: no conversion
            if pay is not None and pay.null.any():
                ppos[pay.null] = -1
            return unique, ppos
        left = inv.as_arrow() if how != "pandas" else None
        right = None if pay is None or how == "pandas" else pay.as_arrow()
        if how == "polars" and left is not None:
            unique, ppos = _match_polars(left, right, m, own)
        elif how in ("polars", "arrow") and left is not None:
            unique, ppos = _match_arrow(left, right, m)
        else:
            unique, ppos = _match_pandas(inv.objects(), None if pay is None else pay.objects(), m)
    if pay is not None and pay.null.any():
        ppos[pay.null] = -1
    return unique, ppos


class IntLookup:
    """Positions of integer ids: a lookup table when they are dense, else a pandas hash index."""

    def __init__(self, values: IntArray) -> None:
        n = values.shape[0]
        self.lo = int(values.min()) if n else 0
        self.hi = int(values.max()) if n else -1
        self.table: npt.NDArray[Any] | None = None
        self.index: pd.Index | None = None
        if self.hi - self.lo < 4 * n + 1024:  # dense: 32-bit table, half the memory traffic
            kind = np.int32 if n < 2**31 else np.int64
            self.table = np.full(self.hi - self.lo + 1, -1, dtype=kind)
            self.table[values - self.lo] = np.arange(n, dtype=kind)
            self.unique = bool(np.count_nonzero(self.table >= 0) == n)
        else:
            self.index = pd.Index(values)
            self.unique = bool(self.index.is_unique)

    def find(self, values: IntArray) -> IntArray:
        """Position of each value (-1: not an id), chunk by chunk."""
        out = np.empty(values.shape[0], dtype=np.int64)
        if self.table is None:
            assert self.index is not None
            out[:] = self.index.get_indexer(pd.Index(values))
            return out
        span = self.hi - self.lo
        for start, stop in chunks(values.shape[0]):
            off = values[start:stop] - self.lo
            if off.size and off.min() >= 0 and off.max() <= span:
                out[start:stop] = self.table[off]
            else:
                inside = (off >= 0) & (off <= span)
                out[start:stop] = np.where(inside, self.table[np.where(inside, off, 0)], -1)
        return out


def _match_ints(values: IntArray, pay: IntArray | None, m: int) -> tuple[bool, IntArray]:
    lookup = IntLookup(values)
    if pay is None or not lookup.unique:
        return lookup.unique, np.full(m, -1, dtype=np.int64)
    return True, lookup.find(pay)


def _match_polars(
    left: Any, right: Any, m: int, own: tuple[Any, Any] = (None, None)
) -> tuple[bool, IntArray]:
    """The polars join; ``own`` are the polars Series the ids came from (no conversion)."""
    pl = polars_module()
    inv_ids = own[0] if own[0] is not None else pl.from_arrow(left)
    pay_ids = own[1] if own[1] is not None else [] if right is None else pl.from_arrow(right)
    invoices = pl.DataFrame({"id": inv_ids}).with_row_index("position")
    payments = pl.DataFrame({"id": pay_ids})
    payments = payments.cast({"id": pl.String})
    try:
        joined = payments.join(invoices, on="id", how="left", validate="m:1", maintain_order="left")
    except pl.exceptions.ComputeError:  # the invoice ids are not unique
        return False, np.full(m, -1, dtype=np.int64)
    except TypeError:  # pragma: no cover - a polars without maintain_order
        return _match_arrow(left, right, m)
    position = joined.get_column("position").cast(pl.Int64).fill_null(-1)
    return True, np.array(position.to_numpy(), dtype=np.int64)  # a writable copy


def _match_arrow(left: Any, right: Any, m: int) -> tuple[bool, IntArray]:
    pa = pyarrow_module()
    import pyarrow.compute as pc

    n = len(left)
    both = left if right is None else pa.concat_arrays([left, right])
    codes = pc.fill_null(pc.dictionary_encode(both).indices, -1).to_numpy()
    unique = bool(np.array_equal(codes[:n], np.arange(n)))
    ppos = np.asarray(codes[n:], dtype=np.int64).copy()
    ppos[ppos >= n] = -1
    return unique, ppos


def _match_pandas(
    inv: npt.NDArray[Any], pay: npt.NDArray[Any] | None, m: int
) -> tuple[bool, IntArray]:
    index = pd.Index(inv)
    if not index.is_unique:
        return False, np.full(m, -1, dtype=np.int64)
    if pay is None:
        return True, np.full(0, -1, dtype=np.int64)
    return True, np.asarray(index.get_indexer(pay), dtype=np.int64)


def duplicated_ids(inv: IdColumn) -> list[Any]:
    """The ids that appear more than once (the error path: objects are fine here)."""
    index = pd.Index(inv.objects())
    return list(pd.unique(index[index.duplicated(keep=False)]))


def first_appearance(values: IntArray) -> tuple[IntArray, IntArray]:
    """Codes of ``values`` in order of first appearance, and the row where each code first is."""
    size = values.shape[0]
    lo = int(values.min()) if size else 0
    hi = int(values.max()) if size else -1
    if hi - lo < 4 * size + 1024:  # dense: a lookup table
        shifted = values - lo
        first = np.full(hi - lo + 1, size, dtype=np.int64)
        np.minimum.at(first, shifted, np.arange(size, dtype=np.int64))
        present = np.flatnonzero(first < size)
        ranked = present[np.argsort(first[present], kind="stable")]
        code_of = np.zeros(hi - lo + 1, dtype=np.int64)
        code_of[ranked] = np.arange(ranked.size, dtype=np.int64)
        return code_of[shifted], first[ranked]
    codes, uniques = pd.factorize(values)
    rows = np.full(len(uniques), size, dtype=np.int64)
    np.minimum.at(rows, codes, np.arange(size, dtype=np.int64))
    return np.asarray(codes, dtype=np.int64), rows


def _taken(column: IdColumn, rows: IntArray) -> IdColumn | None:
    """The given rows of an id column (a few: the unapplied cash), as Arrow text.

    Whatever the column's type (text, whole numbers read from a float or an
    integer column, a categorical): ids compare as text.
    """
    pa = pyarrow_module()
    if pa is None:
        return None
    texts = column.text(rows)
    return IdColumn(null=column.null[rows], arrow=pa.array(texts, type=pa.large_string()))


def _joined(first: IdColumn, second: IdColumn) -> IdColumn | None:
    """Two text columns one after the other (the second is short)."""
    pa = pyarrow_module()
    if pa is None:
        return None
    head = first.arrow if first.arrow is not None else first.as_arrow()
    return IdColumn(
        null=np.concatenate([first.null, second.null]),
        arrow=pa.concat_arrays([head, second.arrow]),
    )


def factorize_customers(
    inv: IdColumn, pay: IdColumn | None, unapplied: BoolArray
) -> tuple[IntArray, IntArray, npt.NDArray[Any]]:
    """Customer codes of invoices and of unapplied payments, and the labels (text).

    Codes follow the order of first appearance: invoice customers first, then
    customers only seen in unapplied cash.
    """
    n = inv.null.shape[0]
    extra = np.flatnonzero(unapplied)
    if inv.ints is not None and (pay is None or extra.size == 0 or pay.ints is not None):
        values = (
            inv.ints
            if pay is None or pay.ints is None or extra.size == 0
            else np.concatenate([inv.ints, pay.ints[extra]])
        )
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        labels = np.asarray(uniques).astype(str).astype(object)
        codes = np.asarray(codes, dtype=np.int64)
        return codes[:n], codes[n:], labels
    pa = pyarrow_module()
    if pa is not None and engine() != "pandas" and inv.is_text:
        extra_ids = None if pay is None or extra.size == 0 else _taken(pay, extra)
        both = inv if extra_ids is None else _joined(inv, extra_ids)
        form = numbered_whole(both) if both is not None else None
        if form is not None and both is not None:  # prefix + number: code the numbers
            codes, first = first_appearance(form.values)
            return codes[:n], codes[n:], both.text(first)
    left = inv.as_arrow() if engine() != "pandas" else None
    right = None if pay is None or extra.size == 0 or left is None else _taken(pay, extra)
    if pa is not None and left is not None and (right is not None or extra.size == 0):
        import pyarrow.compute as pc

        both = left if right is None else pa.concat_arrays([left, right.as_arrow()])
        encoded = pc.dictionary_encode(both)
        codes = np.asarray(pc.fill_null(encoded.indices, -1).to_numpy(), dtype=np.int64)
        labels = np.asarray(encoded.dictionary.to_numpy(zero_copy_only=False), dtype=object)
        return codes[:n], codes[n:], labels
    parts = [inv.objects()]
    if pay is not None and extra.size:
        parts.append(pay.objects()[extra])
    codes, uniques = pd.factorize(np.concatenate(parts), use_na_sentinel=True)
    codes = np.asarray(codes, dtype=np.int64)
    return codes[:n], codes[n:], np.asarray(uniques, dtype=object)
