"""Reading the input tables from Parquet files and datasets: :meth:`Ledger.from_parquet`.

Each table is a Parquet file, a directory of files (Hive-partitioned or not),
a list of files or a :class:`pyarrow.dataset.Dataset`, scanned by Arrow's
dataset reader: only the columns the ledger reads are read (the canonical
columns, through ``columns=``, and the invoice attributes asked for), and the
``filters=`` are pushed down into the scan (files and row groups whose
statistics or partition values rule them out are not read). A directory
holding ``invoices``, ``payments``, ``disputes``, ``statuses`` and
``doubtful`` (each a file ``invoices.parquet`` or a directory ``invoices/``)
is read as one book.

The Arrow tables then go to the builder of :meth:`Ledger.from_frames`: every
check, error and warning is the one a dataframe of the same rows gets.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from creditkpi.core.errors import InvalidOptionError, MissingColumnError, UnreadableFileError
from creditkpi.core.ingest.build import TABLES, Built, from_frames
from creditkpi.core.ingest.columns import CANONICAL, ColumnMap, check_mapping
from creditkpi.core.ingest.source import pyarrow_module

__all__ = ["book_tables", "from_parquet", "projection"]

#: a table: a path, a list of paths, or a pyarrow dataset
Source = str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | Any


def from_parquet(
    invoices: Source,
    payments: Source | None = None,
    disputes: Source | None = None,
    statuses: Source | None = None,
    doubtful: Source | None = None,
    *,
    columns: ColumnMap | None = None,
    attributes: Sequence[str] | None = None,
    filters: Mapping[str, Any] | None = None,
    partitioning: str | None = "hive",
    date_format: str | None = None,
    decimal: str | None = None,
    unknown_invoices: str = "error",
) -> Built:
    """:meth:`Ledger.from_parquet` (see there)."""
    mapping = check_mapping(columns)
    if invoices is None:
        raise TypeError("from_parquet needs the invoices (a file, a directory or a dataset)")
    given: dict[str, Any] = dict(
        zip(TABLES, (invoices, payments, disputes, statuses, doubtful), strict=True)
    )
    if all(v is None for k, v in given.items() if k != "invoices"):
        book = book_tables(invoices)
        if book:
            given = {name: book.get(name) for name in TABLES}
    if attributes is not None and (
        isinstance(attributes, str) or not all(isinstance(a, str) for a in attributes)
    ):
        raise InvalidOptionError(
            f"attributes must be a list of invoice column names, got {attributes!r}",
            argument="attributes",
        )
    wanted = _check_filters(filters, given)
    tables: dict[str, Any] = {}
    for name, source in given.items():
        if source is None:
            continue
        dataset = _dataset(source, partitioning)
        names = list(dataset.schema.names)
        keep = projection(name, names, mapping, attributes if name == "invoices" else ())
        tables[name] = _scan(dataset, keep, wanted.get(name), source, name)
    return from_frames(
        *(tables.get(name) for name in TABLES),
        columns=columns,
        date_format=date_format,
        decimal=decimal,
        unknown_invoices=unknown_invoices,
    )


def book_tables(path: Any) -> dict[str, Path]:
    """The tables of a book directory (``invoices/`` or ``invoices.parquet``, ...), or ``{}``."""
    if not isinstance(path, str | os.PathLike):
        return {}
    folder = Path(path)
    if not folder.is_dir():
        return {}
    found: dict[str, Path] = {}
    for name in TABLES:
        for entry in (folder / name, folder / f"{name}.parquet"):
            if entry.exists():
                found[name] = entry
                break
    return found if "invoices" in found else {}


def projection(
    table: str,
    names: Sequence[str],
    mapping: dict[str | None, dict[str, str]],
    attributes: Sequence[str] | None,
) -> list[str] | None:
    """The columns of ``table`` to read: its canonical columns (theirs and ours) and attributes.

    ``None`` reads every column (the invoices, when ``attributes`` is ``None``).
    """
    if table == "invoices" and attributes is None:
        return None
    own = mapping.get(table)
    own = own if own is not None else mapping[None]
    required, optional = CANONICAL[table]
    wanted: set[str] = set()
    for canonical in (*required, *optional):
        wanted.add(canonical)
        if canonical in own:
            wanted.add(own[canonical])
    # a flat mapping names columns of any table: keep them, so that a typo is still an error
    wanted.update(mapping[None].values())
    missing = [a for a in attributes or () if a not in names]
    if missing:
        raise MissingColumnError(
            f"the invoices have no column {missing[0]!r} (named by attributes=; they have: "
            f"{', '.join(names)})",
            column=missing[0],
            ids=missing,
        )
    wanted.update(attributes or ())
    return [n for n in names if n in wanted]


def _check_filters(filters: Mapping[str, Any] | None, given: Mapping[str, Any]) -> dict[str, Any]:
    if filters is None:
        return {}
    if not isinstance(filters, Mapping):
        raise InvalidOptionError(
            "filters must map table names to a filter, e.g. "
            "{'invoices': pyarrow.compute.field('country') == 'FR'}; "
            f"got a {type(filters).__name__}",
            argument="filters",
        )
    out: dict[str, Any] = {}
    for key, value in filters.items():
        if key not in TABLES or given.get(key) is None:
            shown = ", ".join(k for k in TABLES if given.get(k) is not None)
            raise InvalidOptionError(
                f"filters maps {key!r}, which is not one of the tables read ({shown})",
                argument="filters",
            )
        out[key] = _expression(value, key)
    return out


def _expression(value: Any, table: str) -> Any:
    """A pyarrow expression, or the list-of-tuples form of ``pyarrow.parquet.read_table``."""
    pa = _pyarrow()
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    if isinstance(value, pc.Expression):
        return value
    if isinstance(value, list | tuple):
        try:
            return pq.filters_to_expression(value)
        except (TypeError, ValueError, pa.ArrowInvalid) as exc:
            raise InvalidOptionError(
                f"filters[{table!r}] is not a filter ({' '.join(str(exc).split())})",
                argument="filters",
            ) from None
    raise InvalidOptionError(
        f"filters[{table!r}] must be a pyarrow expression or a list of (column, op, value) "
        f"tuples, got {value!r}",
        argument="filters",
    )


def _dataset(source: Any, partitioning: str | None) -> Any:
    _pyarrow()
    import pyarrow.dataset as ds

    if isinstance(source, ds.Dataset):
        return source
    if isinstance(source, str | os.PathLike):
        paths = [source]
    elif isinstance(source, Sequence):
        paths = list(source)
    else:
        paths = []
    if not paths or not all(isinstance(p, str | os.PathLike) for p in paths):
        raise TypeError(
            f"cannot read {source!r} as Parquet: pass a path, a list of paths or a pyarrow dataset"
        )
    for p in paths:
        if not Path(p).exists():
            raise UnreadableFileError("file not found", path=str(p))
    where = [os.fspath(p) for p in paths]
    try:
        return ds.dataset(where[0] if len(where) == 1 else where, format="parquet",
                          partitioning=partitioning)  # fmt: skip
    except (OSError, ValueError) as exc:
        raise UnreadableFileError(
            f"not a Parquet dataset ({' '.join(str(exc).split())})", path=where[0]
        ) from None


def _scan(dataset: Any, keep: list[str] | None, where: Any, source: Any, name: str) -> Any:
    try:
        return dataset.to_table(columns=keep, filter=where)
    except (OSError, ValueError) as exc:
        path = os.fspath(source) if isinstance(source, str | os.PathLike) else str(source)
        with_filter = f" with filters[{name!r}]" if where is not None else ""
        raise UnreadableFileError(
            f"cannot read the {name} as Parquet{with_filter} ({' '.join(str(exc).split())})",
            path=path,
        ) from None


def _pyarrow() -> Any:
    pa = pyarrow_module()
    if pa is None:  # pragma: no cover - pyarrow ships with the test extras
        raise ImportError("reading Parquet needs pyarrow: pip install pyarrow (the arrow extra)")
    return pa
