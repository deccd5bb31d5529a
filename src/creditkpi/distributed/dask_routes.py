"""How :func:`~creditkpi.distributed.from_dask` gives every table's rows their partition.

``partitioned=True`` (:func:`as_written`): partition *i* of every table
already holds the same customers; a small pandas table of limits or cover
goes to every partition, which keeps its customers' rows. ``partitioned=False``
(:func:`shuffled`): the invoices go by a hash of their customer id's text;
the payments and the invoice-keyed tables (disputes, statuses, doubtful)
join the invoice ids' partitions on the id's text, as the ledger compares
ids; unapplied cash, limits and cover go by their customer's hash; every
table is then shuffled into the same partitions. Rows no partition is found
for are reported to the driver instead (:func:`reported`), which raises the
error one machine gives (:func:`~creditkpi.distributed.partition.judge`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from creditkpi.core.errors import InvalidOptionError
from creditkpi.distributed.ids import check_unique, id_texts
from creditkpi.distributed.partition import (
    CUSTOMER_KEYED,
    ID,
    PART,
    ROW,
    ROW_SHIFT,
    BadKeys,
    Outcome,
    column_name,
    key_column,
    labeller,
    partition_key,
    reported,
    run_partition,
    settle,
)
from creditkpi.distributed.summary import Summary

__all__ = ["Routes", "as_written", "empty_frame", "partition_task", "shuffled", "verdict"]


def empty_frame(frame: Any) -> pd.DataFrame:
    """An empty pandas frame with a Dask, Spark or pandas frame's columns (Dask's dtypes too)."""
    if isinstance(frame, pd.DataFrame):
        return frame.iloc[:0]
    if hasattr(frame, "npartitions"):
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in frame.dtypes.items()})
    return pd.DataFrame({c: pd.Series(dtype=object) for c in frame.columns})


@dataclass
class Routes:
    """Each table's partitions (``dask.delayed``), and what the driver needs to judge them.

    ``reports``: the rows no partition was found for (lists of
    :class:`~creditkpi.distributed.partition.BadKeys`, delayed or not);
    ``lengths``: each side table's input partitions' rows (``None``: the
    partitions count their own); ``broadcast``: the key texts of the pandas
    tables given to every partition.
    """

    invoices: list[Any]
    tables: dict[str, list[Any]]
    reports: list[Any] = field(default_factory=list)
    lengths: dict[str, list[Any]] | None = None
    broadcast: dict[str, list[str | None]] = field(default_factory=dict)


def _id_text_key(series: pd.Series) -> pd.Series:
    """Each id's text as the ledger compares them (missing: ``<NA>``, which joins nothing)."""
    text = id_texts(series).to_pandas().to_numpy()  # (its own index: the values alone)
    return pd.Series(text, index=series.index, dtype="string", name=ID)


def _with_rows(frame: pd.DataFrame, partition_info: dict[str, Any] | None = None) -> pd.DataFrame:
    """A partition with each row's order key (its partition's number, its position)."""
    number = 0 if partition_info is None else int(partition_info["number"])
    start = np.int64(number) << np.int64(ROW_SHIFT)
    return frame.assign(**{ROW: start + np.arange(len(frame), dtype=np.int64)})


def _keyed(frame: Any) -> Any:
    """A Dask DataFrame with the order key of each row (:func:`_with_rows`)."""
    meta = empty_frame(frame).assign(**{ROW: pd.Series(dtype="int64")})
    return frame.map_partitions(_with_rows, meta=meta)


def _delayed(frame: Any) -> list[Any]:
    """A Dask DataFrame's partitions as ``dask.delayed``, sharing the tasks of the others.

    Optimised without fusing, the collections name their shared steps (a
    table's read, the id lookup) alike: each is computed once for all of
    them (fused, the invoices were read once per table that joins them).
    """
    return list(frame.optimize(fuse=False).to_delayed(optimize_graph=False))


def _pandas_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(**{ROW: np.arange(len(frame), dtype=np.int64)})


def as_written(
    invoices: Any, payments: Any, side: Mapping[str, Any], columns: Mapping[str, Any] | None
) -> Routes:
    """``partitioned=True``: partition *i* of every Dask table holds the same customers.

    A pandas table (limits, cover) is given to every partition, which keeps
    the rows of the customers it holds.
    """
    from dask.delayed import delayed

    n = invoices.npartitions
    routes = Routes(list(invoices.to_delayed()), {})
    for name, frame in {"payments": payments, **side}.items():
        if isinstance(frame, pd.DataFrame):
            shared = delayed(_pandas_rows(frame), traverse=False)
            routes.tables[name] = [shared] * n
            routes.broadcast[name] = id_texts(frame[key_column(columns, name)]).to_pylist()
            continue
        if frame.npartitions != n:
            raise InvalidOptionError(
                f"partitioned=True needs as many {name} partitions as invoice partitions "
                f"({frame.npartitions} != {n})",
                column="partitioned",
            )
        routes.tables[name] = list(frame.to_delayed())
    return routes


def shuffled(
    invoices: Any, payments: Any, side: Mapping[str, Any], options: Mapping[str, Any], k: int
) -> Routes:
    """``partitioned=False``: every table routed to its customers' partition and shuffled."""
    import dask.dataframe as dd
    from dask.delayed import delayed

    columns = options["columns"]
    ic = column_name(columns, "invoices", "invoice_id")
    cc = column_name(columns, "invoices", "customer_id")
    inv = _keyed(invoices)
    inv = inv.assign(**{PART: inv[cc].map_partitions(partition_key, k, meta=(PART, "i8"))})
    # rows find their invoice by the id's text, as the ledger compares ids
    # (611365 and "611365" are one id, whatever each table's type)
    lookup = inv[[PART]].assign(**{ID: inv[ic].map_partitions(_id_text_key, meta=(ID, "string"))})
    lookup = lookup.dropna(subset=[ID])  # (pandas would join missing to missing)
    routes = Routes(_delayed(inv.shuffle(on=PART, npartitions=k)), {}, lengths={})
    assert routes.lengths is not None
    for name, frame in {"payments": payments, **side}.items():
        if isinstance(frame, pd.DataFrame):  # a small customer table: shuffled like the others
            frame = dd.from_pandas(frame, npartitions=1, sort=False)  # type: ignore[no-untyped-call]
        keyed = _keyed(frame)
        if name != "payments":
            routes.lengths[name] = [delayed(len)(p) for p in _delayed(keyed)]
        rows, lost = _routed(name, keyed, lookup, options, k)
        if lost is not None:
            routes.reports += [delayed(reported)(p, name) for p in _delayed(rows[lost])]
            rows = rows[~lost]
        rows = rows.assign(**{PART: rows[PART].fillna(0).astype("int64")})
        routes.tables[name] = _delayed(rows.shuffle(on=PART, npartitions=k))
    return routes


def _routed(
    name: str, keyed: Any, lookup: Any, options: Mapping[str, Any], k: int
) -> tuple[Any, Any]:
    """A table's rows with their partition, and which found none (``None``: all did).

    Payments take their invoice's partition, unapplied cash its customer's
    (no customer: partition 0, whose ledger names the rule); under
    ``unknown_invoices="error"`` a payment of an unknown invoice finds none.
    """
    key = key_column(options["columns"], name)
    rows = keyed.assign(**{ID: keyed[key].map_partitions(_id_text_key, meta=(ID, "string"))})
    if name in CUSTOMER_KEYED:
        own = rows[key].map_partitions(partition_key, k, meta=(PART, "i8"))
        return rows.assign(**{PART: own}), rows[ID].isna()
    rows = rows.merge(lookup, on=ID, how="left")
    if name != "payments":
        return rows, rows[PART].isna()
    lost = None
    if options["unknown_invoices"] == "error":
        lost = rows[PART].isna() & ~rows[ID].isna()
    pcc = column_name(options["columns"], "payments", "customer_id")
    if pcc in keyed.columns:
        own = rows[pcc].map_partitions(partition_key, k, meta=(PART, "i8"))
        rows = rows.assign(**{PART: rows[PART].fillna(own)})
    return rows, lost


def partition_task(
    number: int,
    invoices: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    options: dict[str, Any],
    broadcast: tuple[str, ...],
) -> Outcome:
    """One Dask partition's task (:func:`~creditkpi.distributed.partition.run_partition`)."""
    return run_partition({"invoices": invoices, **tables}, options, number=number,
                         broadcast=broadcast)  # fmt: skip


def verdict(
    duplicated: Sequence[Sequence[str]],
    outcomes: Sequence[Outcome],
    reports: Sequence[Sequence[BadKeys]],
    lengths: Mapping[str, Sequence[int]] | None,
    broadcast: Mapping[str, list[str | None]],
) -> Summary:
    """The combined summary, or the error one machine would raise first.

    The invoice ids are checked before anything else, as
    :meth:`Ledger.from_frames` checks them before the payments (an id
    taken by another invoice leaves that invoice's payments unknown too).
    """
    check_unique(duplicated)
    labels = None if lengths is None else labeller(lengths)
    return settle(outcomes, [b for found in reports for b in found], labels, broadcast)
