"""The invoice ids checked across partitions: no id twice in the whole table.

Each partition's ledger checks its own ids; an id under two customers lands
in two partitions and neither sees it twice. So each partition also splits
its ids into buckets by a 64-bit hash of their text (:func:`id_buckets`,
hashed by :func:`text_hashes` from the Arrow bytes, without a Python object
per id), one task per bucket compares the texts of equal hashes across every
partition (:func:`duplicate_ids`: exact, collisions are no duplicates), and
:func:`check_unique` raises the one error naming them. Memory per task is
one bucket's ids; nothing is shuffled and no partition is read twice.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from creditkpi.core.errors import DuplicateIdError
from creditkpi.core.ingest.ids import id_column

__all__ = ["check_unique", "duplicate_ids", "id_buckets", "id_texts", "partition_numbers",
           "text_hashes"]  # fmt: skip

#: the polynomial hash of the id text (an odd 64-bit constant), and its final mix (splitmix64)
HASH_BASE = np.uint64(0x100000001B3)
MIX = (np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))

#: one bucket of ids: their hashes and their Arrow ``large_string`` texts
Bucket = tuple[npt.NDArray[np.uint64], Any]


def text_hashes(text: Any) -> npt.NDArray[np.uint64]:
    """64-bit hashes of the values of an Arrow ``large_string`` array without nulls or blanks.

    Equal texts get equal hashes (any partition, any worker); different texts
    rarely do, and :func:`duplicate_ids` compares the texts of equal hashes.
    Computed from the array's bytes, without a Python object per value.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from creditkpi.distributed import text_hashes
    >>> h = text_hashes(pa.array(["F1", "F2", "F1"], type=pa.large_string()))
    >>> bool(h[0] == h[2]), bool(h[0] == h[1])
    (True, False)
    """
    n = len(text)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[text.offset : text.offset + n + 1]
    first, last = int(offsets[0]), int(offsets[-1])
    data = np.frombuffer(text.buffers()[2], dtype=np.uint8)[first:last]
    lengths = np.diff(offsets)
    position = np.int32 if last - first < 2**31 else np.int64
    starts: npt.NDArray[np.signedinteger[Any]] = (offsets[:-1] - first).astype(position)
    # h = sum over the bytes b_j of a text of (b_j + 1) * BASE**j (mod 2**64)
    exponent = np.arange(last - first, dtype=position) - np.repeat(starts, lengths)
    powers = np.cumprod(np.full(int(lengths.max()), HASH_BASE, dtype=np.uint64))
    powers = np.concatenate([np.ones(1, dtype=np.uint64), powers[:-1]])
    byte_values = np.arange(1, 257, dtype=np.uint64)
    h = np.add.reduceat(byte_values[data] * powers[exponent], starts)
    h ^= lengths.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    h ^= h >> np.uint64(30)
    h *= MIX[0]
    h ^= h >> np.uint64(27)
    h *= MIX[1]
    h ^= h >> np.uint64(31)
    return np.asarray(h, dtype=np.uint64)


def id_buckets(ids: Any, buckets: int) -> list[Bucket]:
    """Invoice ids (as the ledger compares them) in ``buckets`` by their hash.

    ``ids`` is one partition's invoice id column (pandas or Arrow; 611365,
    611365.0 and ``"611365"`` are one id). One ``(hashes, texts)`` pair per
    bucket: the tasks of :func:`duplicate_ids` each receive one bucket of
    every partition. Missing ids are left out (the partition's ledger says
    them).
    """
    import pyarrow as pa

    column = id_column(ids)
    text = column.as_arrow()
    if column.null.any():
        text = text.filter(pa.array(~column.null))
    hashes = text_hashes(text)
    bucket = (hashes % np.uint64(buckets)).astype(np.int64)
    order = np.argsort(bucket, kind="stable")
    bounds = np.searchsorted(bucket[order], np.arange(buckets + 1))
    return [
        (hashes[order[a:b]], text.take(pa.array(order[a:b])))
        for a, b in itertools.pairwise(bounds.tolist())
    ]


def duplicate_ids(pieces: Sequence[Bucket]) -> list[str]:
    """The ids found more than once among ``(hashes, texts)`` pieces (texts compared exactly).

    Examples
    --------
    >>> import pyarrow as pa
    >>> from creditkpi.distributed import duplicate_ids, text_hashes
    >>> a = pa.array(["F1", "F2"], type=pa.large_string())
    >>> b = pa.array(["F3", "F1"], type=pa.large_string())
    >>> duplicate_ids([(text_hashes(a), a), (text_hashes(b), b)])
    ['F1']
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    pieces = [p for p in pieces if len(p[0])]
    if not pieces:
        return []
    hashes = np.concatenate([p[0] for p in pieces])
    ordered = np.sort(hashes)
    twice = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
    if twice.size == 0:
        return []
    rows = np.flatnonzero(np.isin(hashes, twice))
    texts = pa.concat_arrays([p[1] for p in pieces]).take(pa.array(rows))
    counts = pc.value_counts(texts)
    values, seen = counts.field("values"), counts.field("counts")
    return [str(v) for v in values.filter(pc.greater(seen, 1)).to_pylist()]


def check_unique(duplicated: Sequence[Sequence[str]], count: int | None = None) -> None:
    """Raise :class:`DuplicateIdError` naming the ids found twice (by any bucket's task).

    ``count`` is how many ids are duplicated, when ``duplicated`` holds only
    the first of them.
    """
    found = sorted(i for part in duplicated for i in part)
    if found:
        total = len(found) if count is None else count
        raise DuplicateIdError(
            f"{total} invoice id(s) appear more than once (across partitions)",
            column="invoice_id",
            ids=found,
            count=total,
        )


def id_texts(ids: Any) -> Any:
    """Ids as the ledger compares them, an Arrow ``large_string`` array (null where missing).

    611365, 611365.0 and ``"611365"`` are one text; blank ids are missing.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    column = id_column(ids)
    text = column.as_arrow()
    if column.null.any():
        text = pc.if_else(pa.array(column.null), pa.scalar(None, pa.large_string()), text)
    return text


def partition_numbers(ids: Any, parts: int) -> npt.NDArray[np.int64]:
    """The partition (``0 .. parts - 1``) of each id, from the hash of its text; missing: 0.

    Customers are partitioned by this number on every engine: equal ids (as
    the ledger compares them, whatever their type) share a partition.

    Examples
    --------
    >>> import pandas as pd
    >>> from creditkpi.distributed.ids import partition_numbers
    >>> parts = partition_numbers(pd.Series([611365, None, 42]), 8)
    >>> bool(parts[0] == partition_numbers(pd.Series(["611365"]), 8)[0]), int(parts[1])
    (True, 0)
    """
    import pyarrow as pa

    column = id_column(ids)
    out = np.zeros(column.null.shape[0], dtype=np.int64)
    valid = ~column.null
    if valid.any():
        text = column.as_arrow()
        if not valid.all():
            text = text.filter(pa.array(valid))
        out[valid] = (text_hashes(text) % np.uint64(parts)).astype(np.int64)
    return out
