"""Canonical columns, the ``columns=`` mapping, and names of rows for messages.

Each input table is resolved once: which of its columns (by position, since a
pandas frame may repeat a name) gives each canonical column, which are extra
invoice attributes, and the user's own name of each column for messages. A
column name used twice, a mapping key that is not a canonical name, a mapped
column that is not there, or two columns that would both be ``amount`` are
errors; nothing is dropped or replaced silently.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.errors import (
    DuplicateColumnError,
    InvalidOptionError,
    InvalidValueError,
    MissingColumnError,
)
from creditkpi.core.ingest.source import ColumnData, Table, as_arrow

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: canonical columns of each input table: (required, optional)
CANONICAL: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "invoices": (("invoice_id", "customer_id", "issue_date", "due_date", "amount"), ("currency",)),
    "payments": (
        ("date", "amount"),
        ("invoice_id", "kind", "customer_id", "currency", "applied"),
    ),
    "disputes": (("invoice_id", "opened"), ("resolved", "reason")),
    "statuses": (("invoice_id", "date", "status"), ()),
    "doubtful": (("invoice_id", "date"), ("provision",)),
    "limits": (("customer_id", "date", "amount"), ()),
    "cover": (("customer_id", "start", "amount"), ("end", "share", "declare_within", "insurer")),
}

#: column names that look like a settlement date (compared lower case, letters and
#: digits only): a one-table export read as invoices alone holds one of them
SETTLEMENT_DATE_NAMES = (
    "settleddate", "settlementdate", "datesettled", "settledon", "settled",
    "paymentdate", "paiddate", "datepaid", "paidon", "lastpaymentdate",
    "clearingdate", "cleareddate", "clearedon", "closeddate", "closedate",
    "datereglement", "datedereglement", "reglementdate", "datepaiement",
    "datedepaiement", "dateencaissement", "datelettrage",
)  # fmt: skip


def settlement_date_columns(names: Sequence[str]) -> list[str]:
    """The names among ``names`` that look like a settlement date (:data:`SETTLEMENT_DATE_NAMES`)."""
    import re

    return [
        str(name)
        for name in names
        if re.sub(r"[^0-9a-z]", "", str(name).lower()) in SETTLEMENT_DATE_NAMES
    ]


#: names an invoice attribute cannot have (they are canonical invoice columns)
RESERVED = frozenset(CANONICAL["invoices"][0] + CANONICAL["invoices"][1])

ColumnMap = Mapping[str, str] | Mapping[str, Mapping[str, str]]

_ALL_CANONICAL = tuple(dict.fromkeys(c for req, opt in CANONICAL.values() for c in (*req, *opt)))


def check_mapping(columns: ColumnMap | None) -> dict[str | None, dict[str, str]]:
    """Validate ``columns=``: ``{None: flat mapping, table: mapping, ...}``.

    Raises
    ------
    InvalidOptionError
        A key is neither a canonical column nor a table name, a table's key is
        not one of that table's columns, or a value is not a column name.
    """
    out: dict[str | None, dict[str, str]] = {None: {}}
    if columns is None:
        return out
    if not isinstance(columns, Mapping):
        raise InvalidOptionError(
            f"columns must be a mapping {{canonical: yours}}, got a {type(columns).__name__}",
            argument="columns",
        )
    for key, value in columns.items():
        if key in CANONICAL and isinstance(value, Mapping):
            allowed = CANONICAL[key][0] + CANONICAL[key][1]
            table: dict[str, str] = {}
            for canonical, theirs in value.items():
                if canonical not in allowed:
                    raise InvalidOptionError(
                        f"columns[{key!r}] maps {canonical!r}, which is not a column of the "
                        f"{key} table (its canonical columns: {', '.join(allowed)})",
                        argument="columns",
                        values=[canonical],
                    )
                table[str(canonical)] = _their_name(f"{key}.{canonical}", theirs)
            out[str(key)] = table
        elif key in _ALL_CANONICAL:
            out[None][str(key)] = _their_name(str(key), value)
        else:
            raise InvalidOptionError(
                f"columns maps {key!r}, which is neither a canonical column nor a table "
                f"(canonical columns: {', '.join(_ALL_CANONICAL)}; tables: "
                f"{', '.join(CANONICAL)})",
                argument="columns",
                values=[key],
            )
    return out


def _their_name(key: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidOptionError(
            f"columns[{key!r}] must be the name of one of your columns (text), got {value!r}",
            argument="columns",
        )
    return value


@dataclass(frozen=True, slots=True)
class Resolved:
    """One input table with its canonical columns found."""

    name: str
    table: Table
    position: dict[str, int]  # canonical -> column position
    theirs: dict[str, str]  # canonical -> the user's name, where it differs
    extra: tuple[int, ...]  # positions of the other columns

    @property
    def rows(self) -> int:
        return self.table.rows

    def has(self, canonical: str) -> bool:
        return canonical in self.position

    def data(self, canonical: str) -> ColumnData:
        return self.table.column(self.position[canonical])

    def attributes(self, exclude: Sequence[str] = ()) -> pd.DataFrame:
        """The extra columns as a pandas frame (the invoices' grouping attributes)."""
        keep = [k for k in self.extra if self.table.names[k] not in exclude]
        frame = self.table.frame
        if isinstance(frame, pd.DataFrame):
            out = frame.iloc[:, keep].reset_index(drop=True)
            return out.copy(deep=False)
        if not keep:
            return pd.DataFrame(index=pd.RangeIndex(self.rows))
        if type(frame).__module__.startswith("polars"):
            chosen = frame.select([frame.columns[k] for k in keep]).to_arrow()
        else:
            chosen = frame.select(keep)
        out = chosen.to_pandas(date_as_object=False)
        return pd.DataFrame(out).reset_index(drop=True)


def resolve(
    table: Table,
    name: str,
    mapping: dict[str | None, dict[str, str]],
    *,
    exclude: Sequence[str] = (),
) -> Resolved:
    """Find the canonical columns of ``table`` (the ``name`` table of the inputs).

    ``exclude`` are columns consumed elsewhere (``settled_date=``), neither
    canonical nor attributes.
    """
    names = table.names
    seen: dict[str, int] = {}
    for k, column in enumerate(names):
        if column in seen:
            raise DuplicateColumnError(
                f"the {name} table has {names.count(column)} columns named {column!r}; "
                "keep one (or rename the others)",
                column=column,
            )
        seen[column] = k
    table_map = mapping.get(name)
    own = table_map if table_map is not None else mapping[None]
    required, optional = CANONICAL[name]
    position: dict[str, int] = {}
    theirs: dict[str, str] = {}
    for canonical in (*required, *optional):
        mapped = own.get(canonical)
        if mapped is not None and mapped in seen:
            if canonical in seen and canonical != mapped:
                raise DuplicateColumnError(
                    f"the {name} table has both a column {canonical!r} and the column "
                    f"{mapped!r} mapped to {canonical} by columns=; drop one",
                    column=canonical,
                )
            position[canonical] = seen[mapped]
            if mapped != canonical:
                theirs[canonical] = mapped
        elif mapped is not None and table_map is not None:
            raise MissingColumnError(
                f"column {mapped!r} (mapped to {canonical}) is not in the {name} table "
                f"({name} has: {', '.join(names)})",
                column=canonical,
                ids=[mapped],
            )
        elif canonical in seen:
            position[canonical] = seen[canonical]
    missing = [c for c in required if c not in position]
    if missing:
        mapped_missing = [c for c in missing if own.get(c) is not None]
        if mapped_missing:
            c = mapped_missing[0]
            raise MissingColumnError(
                f"column {own[c]!r} (mapped to {c}) is not in the {name} table "
                f"({name} has: {', '.join(names)})",
                column=c,
                ids=[own[c]],
            )
        wanted = ", ".join(missing)
        raise MissingColumnError(
            f"{name} table lacks required column(s) {wanted} "
            f"(has: {', '.join(names)}; map yours with columns=...)",
            column=missing[0],
            ids=missing,
        )
    used = set(position.values())
    extra = tuple(k for k, column in enumerate(names) if k not in used and column not in exclude)
    return Resolved(name, table, position, theirs, extra)


def check_flat_mapping(mapping: dict[str | None, dict[str, str]], tables: list[Resolved]) -> None:
    """A flat ``columns=`` entry must name a column of some table (a typo is an error)."""
    for canonical, theirs in mapping[None].items():
        holders = [
            r
            for r in tables
            if mapping.get(r.name) is None and canonical in sum(CANONICAL[r.name], ())
        ]
        if holders and not any(theirs in r.table.names for r in holders):
            where = ", ".join(r.name for r in holders)
            has = ", ".join(holders[0].table.names)
            raise MissingColumnError(
                f"column {theirs!r} (mapped to {canonical}) is not in the {where} table(s) "
                f"({holders[0].name} has: {has})",
                column=canonical,
                ids=[theirs],
            )


def take(data: ColumnData, rows: IntArray) -> ColumnData:
    """The given rows of a column, of the same kind (Series or Arrow array)."""
    if isinstance(data, pd.Series):
        return data.iloc[rows].reset_index(drop=True)
    arrow = as_arrow(data)
    return arrow.take(rows)


def dict_table(columns: dict[str, ColumnData], rows: int) -> Table:
    """A table made of the given columns (for tables derived from another one)."""
    names = tuple(columns)
    values = list(columns.values())
    return Table(names, rows, lambda k: values[k], pd.DataFrame(index=pd.RangeIndex(rows)))


class Names:
    """Row names for messages, built only for the rows an error reports.

    Indexing (``names[mask]``) returns an object array like the eager array
    would; nothing is built on the happy path.
    """

    __slots__ = ("_make", "_size")

    def __init__(self, size: int, make: Callable[[IntArray], npt.NDArray[Any]]) -> None:
        self._size = size
        self._make = make

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, key: Any) -> Any:
        rows = np.arange(self._size, dtype=np.int64)[key]
        if np.ndim(rows) == 0:
            return self._make(np.asarray([rows], dtype=np.int64))[0]
        return self._make(np.asarray(rows, dtype=np.int64))


NameList = npt.NDArray[Any] | Names


def row_label(table: str, row: int) -> str:
    """How a row of a table without an id is named in messages: ``payments row 3``."""
    return f"{table} row {row}"


def row_labels(rows: int, table: str) -> Names:
    """The :func:`row_label` of every row of a table, built for the rows an error names."""

    def make(where: IntArray) -> npt.NDArray[Any]:
        return np.array([row_label(table, k) for k in where.tolist()], dtype=object)

    return Names(rows, make)


def truthy(data: ColumnData, *, column: str, ids: NameList) -> BoolArray:
    """A yes/no column (yes, y, true, t, 1, oui, x / no, n, false, f, 0, non, empty)."""
    arrow = as_arrow(data)
    series = pd.Series(arrow.to_pandas()) if arrow is not None else data
    if pd.api.types.is_bool_dtype(series.dtype):
        return np.asarray(series.fillna(False).to_numpy(dtype=bool), dtype=bool)
    if pd.api.types.is_numeric_dtype(series.dtype):
        return np.asarray(series.fillna(0).to_numpy() != 0, dtype=bool)
    text = series.astype("string").str.strip().str.lower().fillna("")
    yes = text.isin(["yes", "y", "true", "t", "1", "oui", "x"]).to_numpy(dtype=bool)
    no = text.isin(["no", "n", "false", "f", "0", "non", ""]).to_numpy(dtype=bool)
    bad = ~(yes | no)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise InvalidValueError(
            f"{rows.size} value(s) are neither yes nor no",
            column=column,
            ids=list(ids[rows[:5]]),
            count=int(rows.size),
            values=series.iloc[rows[:5]].tolist(),
        )
    return np.asarray(yes, dtype=bool)
