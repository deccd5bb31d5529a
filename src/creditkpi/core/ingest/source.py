"""Input tables and columns as they were given: pandas Series or Arrow arrays.

pandas frames are read column by column as Series; polars and pyarrow tables
become one Arrow table (polars hands its buffers to Arrow without copying) and
are read column by column as Arrow arrays, never converted to pandas as a
whole. pandas columns backed by Arrow (``str`` under pandas 3 with pyarrow,
``ArrowDtype``) are read through their Arrow array too, so one parser serves
every library.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: one input column: a pandas Series, or an Arrow array
ColumnData = Any


def pyarrow_module() -> Any:
    """The pyarrow module, or ``None`` (pyarrow is optional)."""
    try:
        import pyarrow
    except ImportError:  # pragma: no cover - pyarrow ships with the test extras
        return None
    return pyarrow


def polars_module() -> Any:
    """The polars module, or ``None`` (polars is optional)."""
    try:
        import polars
    except ImportError:  # pragma: no cover - polars ships with the test extras
        return None
    return polars


@dataclass(frozen=True, slots=True)
class Table:
    """One input table: its column names as given and a way to read each column.

    ``names`` keeps duplicates (a pandas frame may hold two ``amount``
    columns); :meth:`column` reads the ``k``-th of them.
    """

    names: tuple[str, ...]
    rows: int
    read: Callable[[int], ColumnData]
    frame: Any  # the native object, for the attribute columns

    def column(self, position: int) -> ColumnData:
        return self.read(position)


def to_table(frame: Any, what: str) -> Table:
    """Wrap a pandas, polars or pyarrow table (anything narwhals reads)."""
    if isinstance(frame, pd.DataFrame):
        names = tuple(str(c) for c in frame.columns)
        return Table(names, len(frame), lambda k: frame.iloc[:, k], frame)
    pl = polars_module() if type(frame).__module__.startswith("polars") else None
    if pl is not None and isinstance(frame, pl.DataFrame) and pyarrow_module() is not None:
        # column by column, as polars Series: each is handed to Arrow only while it is read
        names = tuple(str(c) for c in frame.columns)
        return Table(names, frame.height, lambda k: frame.to_series(k), frame)
    pa = pyarrow_module()
    if pa is not None and isinstance(frame, pa.RecordBatch):
        frame = pa.Table.from_batches([frame])
    if pa is not None and isinstance(frame, pa.Table):
        table = plain_arrow(frame)
    else:
        table = _via_narwhals(frame, what)
        if isinstance(table, pd.DataFrame):
            return to_table(table, what)
    names = tuple(str(c) for c in table.column_names)
    return Table(names, table.num_rows, lambda k: table.column(k), table)


def plain_arrow(table: Any) -> Any:
    """An Arrow table with its extension columns as plain values.

    Databases hand some types over as Arrow extension types: PostgreSQL's
    ``numeric`` is an opaque extension of exact decimal text, ``json`` of
    text, ``uuid`` of 16 bytes. They become their text (a UUID its canonical
    ``8-4-4-4-12`` form), which the readers parse like any other column.
    """
    pa = pyarrow_module()
    assert pa is not None
    if not any(isinstance(t, pa.BaseExtensionType) for t in table.schema.types):
        return table
    columns = []
    for column in table.columns:
        if isinstance(column.type, pa.BaseExtensionType):
            uuid = column.type.extension_name == "arrow.uuid"
            chunks = [_uuid_text(c.storage) if uuid else c.storage for c in column.chunks]
            column = pa.chunked_array(
                chunks, type=pa.string() if uuid else column.type.storage_type
            )
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


def _uuid_text(storage: Any) -> Any:
    """16-byte UUIDs as their canonical text, without a Python object per row."""
    pa = pyarrow_module()
    n = len(storage)
    raw = np.frombuffer(storage.buffers()[1], dtype=np.uint8)
    raw = raw[storage.offset * 16 : (storage.offset + n) * 16].reshape(n, 16)
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    pairs = np.empty((n, 32), dtype=np.uint8)
    pairs[:, 0::2], pairs[:, 1::2] = digits[raw >> 4], digits[raw & 15]
    text = np.full((n, 36), ord("-"), dtype=np.uint8)
    for start, stop, at in ((0, 8, 0), (8, 12, 9), (12, 16, 14), (16, 20, 19), (20, 32, 24)):
        text[:, at : at + stop - start] = pairs[:, start:stop]
    offsets = np.arange(0, 36 * (n + 1), 36, dtype=np.int32)
    valid = storage.buffers()[0] if storage.null_count else None
    if valid is not None and storage.offset:
        valid = pa.array(arrow_valid(storage)).buffers()[1]
    return pa.Array.from_buffers(
        pa.string(), n, [valid, pa.py_buffer(offsets), pa.py_buffer(text.tobytes())],
        storage.null_count,
    )  # fmt: skip


def _via_narwhals(frame: Any, what: str) -> Any:
    try:
        import narwhals as nw
    except ImportError as exc:  # pragma: no cover - narwhals is a dependency
        raise TypeError(f"cannot read a {type(frame).__name__}: install narwhals") from exc
    try:
        native = nw.from_native(frame, eager_only=True)
    except TypeError:
        raise TypeError(
            f"cannot read the {what} table, a {type(frame).__name__}: "
            "pass a pandas, polars or pyarrow table"
        ) from None
    if pyarrow_module() is None:  # pragma: no cover - polars needs pyarrow to hand over
        return native.to_pandas()
    return native.to_arrow()


def as_arrow(data: ColumnData) -> Any:
    """The column as one Arrow array when it is Arrow data (or Arrow-backed pandas), else None."""
    pa = pyarrow_module()
    if pa is None:
        return None
    if isinstance(data, pa.ChunkedArray):
        return data.combine_chunks() if data.num_chunks != 1 else data.chunk(0)
    if isinstance(data, pa.Array):
        return data
    if is_polars(data):
        return as_arrow(data.to_arrow())
    if isinstance(data, pd.Series):
        dtype = data.dtype
        arrow_backed = isinstance(dtype, pd.ArrowDtype) or (
            isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"
        )
        if arrow_backed:
            arr = pa.array(data.array)
            if isinstance(arr, pa.ChunkedArray):
                arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
            return arr
    return None


def is_polars(data: Any) -> bool:
    """Whether ``data`` is a polars Series (read without importing polars)."""
    return type(data).__module__.startswith("polars") and hasattr(data, "to_arrow")


def arrow_valid(arr: Any) -> BoolArray:
    """Validity of an Arrow array as a numpy mask."""
    if arr.null_count == 0:
        return np.ones(len(arr), dtype=bool)
    return np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)


def arrow_numbers(arr: Any, dtype: Any) -> npt.NDArray[Any]:
    """Values of a numeric Arrow array as numpy ``dtype`` (nulls: 0)."""
    pa = pyarrow_module()
    assert pa is not None
    if arr.null_count:
        import pyarrow.compute as pc

        arr = pc.fill_null(arr, pa.scalar(0, type=arr.type))
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=dtype)


def take_values(data: ColumnData, rows: Sequence[int] | IntArray) -> list[Any]:
    """The given rows of a column as Python values (for messages)."""
    index = np.asarray(rows, dtype=np.int64)
    if isinstance(data, pd.Series):
        out = data.iloc[index].tolist()
    elif is_polars(data):
        out = data.gather(index).to_list()
    else:
        arrow = as_arrow(data)
        out = arrow.take(index).to_pylist()
    return [None if _missing(v) else v for v in out]


def _missing(value: object) -> bool:
    try:
        return bool(value is None or value is pd.NA or value is pd.NaT or value != value)
    except (TypeError, ValueError):
        return False
