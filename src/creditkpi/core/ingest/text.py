"""Text cells as a matrix of character codes, read without a Python object per row.

Dates and amounts written as text are parsed with numpy on an ``(n, width)``
matrix of character codes: UTF-8 bytes read straight from an Arrow string
array's buffers, or UTF-32 code points of a numpy ``str`` array (what an
object column of Python strings becomes). Rows are grouped by their *shape*
(the text with every digit replaced by ``9``): a column holds few shapes
(``9999-99-99``, ``99/99/9999``, ``9999.99``), each shape is matched once by
a regular expression, and the digits at the positions it names are read for
every row of that shape at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: rows of at most this many characters are parsed as a matrix; longer ones one by one
MAX_WIDTH = 48
#: rows per chunk: bounds the memory of the character matrix
CHUNK = 1 << 20

_NINE = ord("9")


@dataclass(frozen=True, slots=True)
class Chars:
    """Character codes of some text rows (padded with 0) and their lengths.

    ``codes`` is ``uint8`` (UTF-8 bytes: anything >= 128 is not ASCII) or
    ``uint32`` (code points). ``long`` marks rows wider than :data:`MAX_WIDTH`
    (their codes are left empty).
    """

    codes: npt.NDArray[Any]
    lengths: IntArray
    long: BoolArray

    @property
    def size(self) -> int:
        return int(self.lengths.shape[0])

    def take(self, rows: IntArray) -> Chars:
        return Chars(self.codes[rows], self.lengths[rows], self.long[rows])

    def text(self, row: int) -> str:
        """One row back as text (for messages and the few rows parsed one by one)."""
        n = int(self.lengths[row])
        raw = self.codes[row, :n]
        if raw.dtype == np.uint8:
            return bytes(raw.tolist()).decode("utf-8", errors="replace")
        return "".join(map(chr, raw.tolist()))

    def digits(self) -> BoolArray:
        c = self.codes
        return np.asarray((c >= 48) & (c <= 57), dtype=bool)

    def shape_codes(self) -> npt.NDArray[Any]:
        """The codes with every digit replaced by ``9``."""
        return np.where(self.digits(), np.asarray(_NINE, dtype=self.codes.dtype), self.codes)


def arrow_chars(arr: Any, start: int = 0, stop: int | None = None) -> Chars:
    """Rows ``start:stop`` of an Arrow (large) string array (nulls: empty rows)."""
    stop = len(arr) if stop is None else stop
    part = arr.slice(start, stop - start)
    n = len(part)
    buffers = part.buffers()
    off_type = np.int64 if part.type.id == _large_string_id() else np.int32
    raw = np.frombuffer(buffers[1], dtype=off_type)[part.offset : part.offset + n + 1]
    offsets: IntArray = raw.astype(np.int64)
    starts = offsets[:-1]
    lengths: IntArray = offsets[1:] - starts
    if part.null_count:
        valid = np.asarray(part.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        lengths = np.where(valid, lengths, 0)
    long = lengths > MAX_WIDTH
    if long.any():
        lengths = np.where(long, 0, lengths)
    width = int(lengths.max(initial=0))
    codes = np.zeros((n, width), dtype=np.uint8)
    if width and buffers[2] is not None:
        data = np.frombuffer(buffers[2], dtype=np.uint8)
        for j in range(width):
            rows = np.flatnonzero(lengths > j)
            codes[rows, j] = data[starts[rows] + j]
    return Chars(codes, lengths, long)


def arrow_texts(part: Any) -> Callable[[IntArray], list[Any]]:
    """The text of some rows of an Arrow string array (for the few rows read one by one)."""

    def texts(rows: IntArray) -> list[Any]:
        return list(part.take(rows).to_pylist())

    return texts


def array_texts(part: npt.NDArray[Any]) -> Callable[[IntArray], list[Any]]:
    """The text of some rows of an object array."""

    def texts(rows: IntArray) -> list[Any]:
        return list(part[rows].tolist())

    return texts


def _large_string_id() -> int:
    import pyarrow as pa

    return int(pa.large_string().id)


def unicode_chars(values: npt.NDArray[Any]) -> Chars:
    """Rows of an object array of ``str`` (anything else: an empty row)."""
    n = values.shape[0]
    lengths = np.fromiter(
        (len(v) if isinstance(v, str) else 0 for v in values), dtype=np.int64, count=n
    )
    long = lengths > MAX_WIDTH
    keep = np.where(long | (lengths == 0), "", values)
    width = int(np.where(long, 0, lengths).max(initial=0))
    if width == 0:
        return Chars(np.zeros((n, 0), dtype=np.uint32), np.where(long, 0, lengths), long)
    fixed = np.asarray(keep, dtype=f"<U{width}")
    codes = fixed.view(np.uint32).reshape(n, width)
    return Chars(codes, np.where(long, 0, lengths), long)


def chunks(size: int) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` of consecutive chunks of :data:`CHUNK` rows."""
    for start in range(0, size, CHUNK):
        yield start, min(size, start + CHUNK)


def shape_groups(chars: Chars, rows: IntArray) -> Iterator[tuple[str, IntArray]]:
    """``(shape, rows)`` for each distinct shape among ``rows`` (of non-empty, short rows).

    Most columns hold one to four shapes: each is found by comparing every
    remaining row with the first one; past 16 shapes the rest are grouped by
    a hash of their shape.
    """
    shape = chars.shape_codes()
    remaining = rows
    for _ in range(16):
        if remaining.size == 0:
            return
        first = int(remaining[0])
        same = np.all(shape[remaining] == shape[first], axis=1)
        yield _shape_text(shape[first], int(chars.lengths[first])), remaining[same]
        remaining = remaining[~same]
    if remaining.size == 0:
        return
    sub = shape[remaining].astype(np.uint64)
    key = np.zeros(remaining.size, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(sub.shape[1]):
            key = key * np.uint64(1_000_003) + sub[:, j]
    _, first_rows, inverse = np.unique(key, return_index=True, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(first_rows.size + 1))
    for k, first in enumerate(first_rows.tolist()):
        members = remaining[order[bounds[k] : bounds[k + 1]]]
        row = int(remaining[first])
        yield _shape_text(shape[row], int(chars.lengths[row])), members


def _shape_text(codes: npt.NDArray[Any], length: int) -> str:
    raw = codes[:length].tolist()
    if codes.dtype == np.uint8:
        return bytes(raw).decode("utf-8", errors="replace")
    return "".join(map(chr, raw))


def read_number(chars: Chars, rows: IntArray, start: int, stop: int) -> IntArray:
    """The decimal number written at character positions ``start:stop`` of ``rows``."""
    out = np.zeros(rows.size, dtype=np.int64)
    block = chars.codes[rows, start:stop].astype(np.int64) - 48
    for j in range(stop - start):
        out = out * 10 + block[:, j]
    return out
