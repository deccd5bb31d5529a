"""The side tables of a ledger: disputes, dunning statuses, doubtful classifications.

Each row names an invoice of the invoices table (an unknown id is an error);
the builder (:mod:`creditkpi.core.ingest.build`) calls these once the
invoices and settlements are validated.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.columns import NO_END, Columns
from creditkpi.core.errors import (
    InvalidDateError,
    MissingValueError,
    UnknownInvoiceError,
)
from creditkpi.core.ingest.columns import (
    NameList,
    Names,
    Resolved,
    row_labels,
)
from creditkpi.core.ingest.dates import ParsedDates, date_values
from creditkpi.core.ingest.ids import (
    IdColumn,
    id_column,
    match_ids,
)
from creditkpi.core.ingest.source import ColumnData, take_values

__all__ = [
    "build_disputes",
    "build_doubtful",
    "build_statuses",
    "invoice_positions",
    "missing_invoice_ids",
    "side_ids",
    "unknown_invoices",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def side_ids(table: Resolved) -> tuple[IdColumn, NameList]:
    """The invoice ids of a side table (disputes, statuses, doubtful) and its row names."""
    own = id_column(table.data("invoice_id"))
    labels = row_labels(table.rows, table.name)

    def names_of(where: IntArray) -> npt.NDArray[Any]:
        return np.where(own.null[where], labels[where], own.text(where))

    if own.null.any():
        where = np.flatnonzero(own.null)
        raise missing_invoice_ids(table.name, list(labels[where[:5]]), int(where.size))
    return own, Names(table.rows, names_of)


def missing_invoice_ids(table: str, rows: Sequence[object], count: int) -> MissingValueError:
    """The error of ``count`` rows of a side table without an invoice id (``rows``: the first)."""
    return MissingValueError(
        f"{count} {table} row(s) have no invoice id", column="invoice_id", ids=rows, count=count
    )


def unknown_invoices(table: str, ids: Sequence[object], count: int) -> UnknownInvoiceError:
    """The error of ``count`` rows of a side table naming invoices that do not exist."""
    return UnknownInvoiceError(
        f"{count} {table} row(s) refer to invoices that do not exist",
        column="invoice_id",
        ids=ids,
        count=count,
    )


def invoice_positions(
    id_col: IdColumn, own: IdColumn, names: NameList, table: Resolved
) -> IntArray:
    """Invoice positions of a side table's rows (an unknown id is an error)."""
    _, pos = match_ids(id_col, own)
    if (pos < 0).any():
        where = np.flatnonzero(pos < 0)
        raise unknown_invoices(table.name, list(names[where[:5]]), int(where.size))
    return pos


def build_disputes(
    c: Columns, found: tuple[Resolved, NameList, IntArray] | None, dated: list[ParsedDates]
) -> None:
    if found is None:
        c.dispute_invoice = np.zeros(0, np.int64)
        c.dispute_opened = np.zeros(0, np.int64)
        c.dispute_resolved = np.zeros(0, np.int64)
        c.dispute_reason = np.zeros(0, object)
        return
    table, names, pos = found
    c.dispute_invoice = pos
    by_column = {p.column: p for p in dated}
    c.dispute_opened = by_column["opened"].days
    if "resolved" in by_column:
        c.dispute_resolved = by_column["resolved"].days
    else:
        c.dispute_resolved = np.full(table.rows, NO_END, dtype=np.int64)
    bad = c.dispute_resolved < c.dispute_opened
    if bad.any():
        where = np.flatnonzero(bad)
        raise InvalidDateError(
            f"{where.size} dispute(s) are resolved before they are opened",
            column="resolved",
            ids=list(names[where[:5]]),
            count=int(where.size),
            values=[
                f"resolved {r} < opened {o}"
                for r, o in zip(
                    date_values(c.dispute_resolved[where[:5]]),
                    date_values(c.dispute_opened[where[:5]]),
                    strict=True,
                )
            ],
            rule="resolved-before-opened",
        )
    if table.has("reason"):
        reason = _text_column(table.data("reason"), table.rows).fillna("").str.strip()
        c.dispute_reason = reason.replace("", "unspecified").to_numpy(dtype=object)
    else:
        c.dispute_reason = np.full(table.rows, "unspecified", dtype=object)


def _text_column(data: ColumnData, rows: int) -> pd.Series:
    if isinstance(data, pd.Series):
        return data.astype("string")
    return pd.Series(take_values(data, np.arange(rows)), dtype=object).astype("string")


def build_statuses(
    c: Columns, found: tuple[Resolved, NameList, IntArray] | None, dated: list[ParsedDates]
) -> None:
    if found is None:
        c.status_invoice = np.zeros(0, np.int64)
        c.status_date = np.zeros(0, np.int64)
        c.status_label = np.zeros(0, object)
        return
    table, names, pos = found
    day = dated[0].days
    status = _text_column(table.data("status"), table.rows)
    bad = status.isna().to_numpy(dtype=bool) | (status.str.strip() == "").fillna(True).to_numpy(
        dtype=bool
    )
    if bad.any():
        where = np.flatnonzero(bad)
        raise MissingValueError(
            f"{where.size} status event(s) have no status",
            column="status",
            ids=list(names[where[:5]]),
            count=int(where.size),
        )
    order = np.lexsort((np.arange(len(pos)), day, pos))
    c.status_invoice = pos[order]
    c.status_date = day[order]
    c.status_label = status.to_numpy(dtype=object)[order]


def build_doubtful(
    c: Columns,
    found: tuple[Resolved, NameList, IntArray] | None,
    dated: list[ParsedDates],
    provision: IntArray | None,
) -> None:
    if found is None:
        c.doubtful_invoice = np.zeros(0, np.int64)
        c.doubtful_date = np.zeros(0, np.int64)
        c.doubtful_provision = np.zeros(0, np.int64)
        return
    table, _, pos = found
    c.doubtful_invoice = pos
    c.doubtful_date = dated[0].days
    c.doubtful_provision = (
        provision if provision is not None else np.full(table.rows, -1, dtype=np.int64)
    )
