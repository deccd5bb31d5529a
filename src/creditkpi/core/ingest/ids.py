"""Id columns read on their native type, id matching and customer coding.

Ids compare as text (611365, 611365.0 and "611365" are the same invoice), but
whole numbers stay numbers and strings stay Arrow strings: no Python object is
built per row on the happy path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.ingest.columns import normalise_ids, null_mask

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def pyarrow_module() -> Any:
    """The pyarrow module, or ``None`` (the fast id paths are optional)."""
    try:
        import pyarrow
    except ImportError:  # pragma: no cover - pyarrow ships with the test extras
        return None
    return pyarrow


@dataclass(frozen=True, slots=True)
class IdColumn:
    """An id column, normalised as :func:`normalise_ids` does, without building objects.

    Exactly one of ``ints`` (int64 values, ids that are whole numbers),
    ``arrow`` (an Arrow string array of the id text) or ``obj`` (the
    normalised object array, the general path) is set. ``null`` is
    :func:`null_mask` of the normalised ids.
    """

    null: BoolArray
    ints: IntArray | None = None
    arrow: Any = None
    obj: npt.NDArray[Any] | None = None

    def text(self, rows: IntArray) -> npt.NDArray[Any]:
        """Normalised text of ``rows`` (``None`` where missing)."""
        return _source_text(self.ints, self.arrow, self.obj, self.null, rows)

    def objects(self) -> npt.NDArray[Any]:
        """The whole normalised object array (``None`` where missing)."""
        if self.obj is not None:
            return self.obj
        return self.text(np.arange(self.null.shape[0], dtype=np.int64))

    def as_arrow(self) -> Any:
        """Arrow ``large_string`` array of the text, or ``None`` when not available."""
        pa = pyarrow_module()
        if pa is None:
            return None
        if self.arrow is not None:
            return self.arrow
        if self.ints is not None:
            return pa.array(self.ints, mask=self.null).cast(pa.large_string())
        return None


def _source_text(
    ints: IntArray | None,
    arrow: Any,
    obj: npt.NDArray[Any] | None,
    null: BoolArray | None,
    rows: IntArray,
) -> npt.NDArray[Any]:
    if obj is not None:
        return np.asarray(obj[rows], dtype=object)
    if arrow is not None:
        out = np.asarray(arrow.take(rows).to_numpy(zero_copy_only=False), dtype=object)
        return out
    assert ints is not None
    text = ints[rows].astype(str).astype(object)
    if null is not None and null.any():
        text[null[rows]] = None
    return np.asarray(text, dtype=object)


#: ASCII letters and digits: a string starting with one of them is not blank
_ALNUM = np.zeros(256, dtype=bool)
_ALNUM[[ord(c) for c in "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"]] = True


def _arrow_blank(pa: Any, arr: Any, null: BoolArray) -> BoolArray:
    """``""`` or whitespace-only strings, exactly as :func:`null_mask` sees them.

    Only strings that are empty or start with a byte that is not an ASCII
    letter or digit can be blank; those few candidates (read from the Arrow
    buffers, no string is built) go through the pandas expression of
    :func:`null_mask`.
    """
    n = len(arr)
    buffers = arr.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[arr.offset : arr.offset + n + 1]
    starts = offsets[:-1]
    nonempty = offsets[1:] > starts
    first = np.zeros(n, dtype=np.uint8)
    if buffers[2] is not None and nonempty.any():
        data = np.frombuffer(buffers[2], dtype=np.uint8)
        first[nonempty] = data[starts[nonempty]]
    where = np.flatnonzero(~(nonempty & _ALNUM[first]) & ~null)
    out = np.zeros(n, dtype=bool)
    if where.size:
        text = pd.Series(arr.take(where).to_numpy(zero_copy_only=False), dtype=object)
        out[where] = null_mask(text)
    return out


class Later:
    """A value computed on a worker thread when the tables are large, else at once.

    Arrow's hashing and numpy release the GIL, so on a multi-core machine the
    id matching and the customer coding overlap with the parsing of dates and
    amounts; errors are still raised in the documented order, by whoever
    calls :meth:`result`.
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


#: tables at least this long are ingested with worker threads
THREADED_ROWS = 200_000


def id_column(series: pd.Series) -> IdColumn:
    """Normalise an id column (see :func:`normalise_ids`) on its native dtype."""
    dtype = series.dtype
    pa = pyarrow_module()
    # whole numbers: integer columns, and float columns holding whole numbers (NaN = missing)
    if isinstance(dtype, np.dtype) and dtype.kind == "i":
        return IdColumn(null=np.zeros(len(series), dtype=bool), ints=series.to_numpy(np.int64))
    if pd.api.types.is_extension_array_dtype(dtype) and getattr(dtype, "kind", "") == "i":
        null = np.asarray(series.isna().to_numpy(), dtype=bool)
        return IdColumn(null=null, ints=series.to_numpy(dtype=np.int64, na_value=0))
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        values = series.to_numpy(dtype=np.float64)
        nan = np.isnan(values)
        finite = values[~nan]
        if (
            np.all(np.isfinite(finite))
            and np.all(finite == np.round(finite))
            and np.all(np.abs(finite) < 2.0**53)
        ):
            return IdColumn(null=nan, ints=np.where(nan, 0, values).astype(np.int64))
    # text: pandas string dtypes, Arrow strings, categoricals or object columns of str
    if pa is not None:
        arrow = None
        try:
            if isinstance(dtype, pd.StringDtype) or (
                isinstance(dtype, pd.ArrowDtype)
                and (
                    pa.types.is_string(dtype.pyarrow_dtype)
                    or pa.types.is_large_string(dtype.pyarrow_dtype)
                )
            ):
                arrow = pa.array(series.array)
            elif isinstance(dtype, pd.CategoricalDtype):
                if pd.api.types.infer_dtype(dtype.categories, skipna=True) == "string":
                    arrow = pa.array(
                        series.astype(object).to_numpy(), type=pa.large_string(), from_pandas=True
                    )
            elif pd.api.types.is_object_dtype(dtype) and pd.api.types.infer_dtype(
                series, skipna=True
            ) in (
                "string",
                "empty",
            ):
                arrow = pa.array(series.to_numpy(), type=pa.large_string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arrow = None
        if arrow is not None:
            if isinstance(arrow, pa.ChunkedArray):
                arrow = arrow.combine_chunks()
            if not pa.types.is_large_string(arrow.type):
                arrow = arrow.cast(pa.large_string())
            null = np.asarray(arrow.is_null().to_numpy(zero_copy_only=False), dtype=bool)
            return IdColumn(null=null | _arrow_blank(pa, arrow, null), arrow=arrow)
    normalised = normalise_ids(series)
    return IdColumn(null=null_mask(normalised), obj=normalised.to_numpy(dtype=object))


def match_ids(inv: IdColumn, pay: IdColumn | None) -> tuple[bool, IntArray]:
    """Whether invoice ids are unique, and each payment's invoice position (-1: none).

    Invoice ids are known not to be missing. Ids compare as their text; whole
    numbers compare as numbers (the same thing), strings by hashing.
    """
    n = inv.null.shape[0]
    m = 0 if pay is None else pay.null.shape[0]
    if inv.ints is not None and (pay is None or pay.ints is not None):
        values = inv.ints
        lo = int(values.min()) if n else 0
        hi = int(values.max()) if n else -1
        if hi - lo < 4 * n + 1024:  # dense ids: a lookup table
            table = np.full(hi - lo + 1, -1, dtype=np.int64)
            table[values - lo] = np.arange(n, dtype=np.int64)
            unique = bool((table >= 0).sum() == n)
            ppos = np.full(m, -1, dtype=np.int64)
            if pay is not None and pay.ints is not None:
                off = pay.ints - lo
                inside = (off >= 0) & (off <= hi - lo) & ~pay.null
                ppos[inside] = table[off[inside]]
            return unique, ppos
        index = pd.Index(values)
        unique = bool(index.is_unique)
        if pay is None or pay.ints is None or not unique:
            return unique, np.full(m, -1, dtype=np.int64)
        ppos = np.asarray(index.get_indexer(pd.Index(pay.ints)), dtype=np.int64)
        ppos[pay.null] = -1
        return unique, ppos
    pa = pyarrow_module()
    left = inv.as_arrow()
    right = None if pay is None else pay.as_arrow()
    if pa is not None and left is not None and (pay is None or right is not None):
        import pyarrow.compute as pc

        both = left if right is None else pa.concat_arrays([left, right])
        codes = pc.fill_null(pc.dictionary_encode(both).indices, -1).to_numpy()
        unique = bool(np.array_equal(codes[:n], np.arange(n)))
        ppos = np.asarray(codes[n:], dtype=np.int64).copy()
        ppos[ppos >= n] = -1
        if pay is not None:
            ppos[pay.null] = -1
        return unique, ppos
    index = pd.Index(inv.objects())
    if not index.is_unique:
        return False, np.full(m, -1, dtype=np.int64)
    if pay is None:
        return True, np.full(0, -1, dtype=np.int64)
    names = pay.objects().copy()
    names[pay.null] = None
    ppos = np.asarray(index.get_indexer(names), dtype=np.int64)
    ppos[pay.null] = -1
    return True, ppos


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
            if pay is None or pay.ints is None
            else np.concatenate([inv.ints, pay.ints[extra]])
        )
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        labels = np.asarray(uniques).astype(str).astype(object)
        codes = np.asarray(codes, dtype=np.int64)
        return codes[:n], codes[n:], labels
    pa = pyarrow_module()
    left = inv.as_arrow()
    right = None if pay is None or extra.size == 0 else pay.as_arrow()
    if pa is not None and left is not None and (right is not None or extra.size == 0):
        import pyarrow.compute as pc

        both = left if right is None else pa.concat_arrays([left, right.take(extra)])
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
