"""Reading the input tables from a database, straight into Arrow: :meth:`Ledger.from_sql`.

Each table is a table name or a query, read through the connection it is given:

* an **ADBC** connection (``adbc_driver_postgresql``, ``adbc_driver_sqlite``,
  any ADBC driver's DB-API connection): the result arrives as Arrow record
  batches, never as Python rows;
* a **DuckDB** connection: its Arrow result, likewise;
* a **SQLAlchemy** ``Engine`` or ``Connection``, or any **DB-API** connection
  (``sqlite3``, ``psycopg``, ``pymysql``, ...): the rows are fetched in batches
  and each column becomes one Arrow array (a column whose values have no
  common type, as SQLite allows, becomes their text);
* a URI: ``postgresql://...`` (ADBC's PostgreSQL driver), ``sqlite:///path``
  (ADBC's SQLite driver) or ``duckdb:///path``, opened and closed here.

The Arrow tables then go to the builder of :meth:`Ledger.from_frames`: every
check, error and warning is the one a dataframe of the same rows gets.

A table name is never pasted into SQL as it is: each part of ``schema.table``
(or of a tuple ``("schema", "table")``) is quoted as an identifier, by the
SQLAlchemy dialect's rules or as ``"name"`` (```name``` for MySQL and MariaDB
drivers). Values are never written into SQL at all: a query's parameters
(``params=``) are bound by the driver.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.ingest.build import TABLES, Built, from_frames
from creditkpi.core.ingest.columns import ColumnMap, check_mapping
from creditkpi.core.ingest.source import plain_arrow, pyarrow_module

__all__ = ["from_sql", "is_query", "read_sql", "table_sql"]

#: a table given as a name, a ``(schema, name)`` tuple, or a query
Source = str | Sequence[str]

#: rows fetched at a time from a DB-API or SQLAlchemy cursor
BATCH_ROWS = 65_536

#: the URI schemes opened here, and the extra that installs each driver
SCHEMES = {"postgresql": "postgresql", "postgres": "postgresql", "sqlite": "sqlite",
           "duckdb": "duckdb"}  # fmt: skip

_QUERY = re.compile(r"\s*(?:(?:--[^\n]*(?:\n|$)|/\*.*?\*/)\s*)*(?:\(|(?:select|with|values)\b)",
                    re.IGNORECASE | re.DOTALL)  # fmt: skip
#: DB-API modules whose server quotes identifiers with backticks
_BACKTICKS = ("pymysql", "MySQLdb", "mysql", "mariadb", "aiomysql")


def from_sql(
    connection: Any,
    *,
    invoices: Source,
    payments: Source | None = None,
    disputes: Source | None = None,
    statuses: Source | None = None,
    doubtful: Source | None = None,
    columns: ColumnMap | None = None,
    params: Mapping[str, Any] | None = None,
    date_format: str | None = None,
    decimal: str | None = None,
    unknown_invoices: str = "error",
) -> Built:
    """:meth:`Ledger.from_sql` (see there)."""
    check_mapping(columns)
    given = dict(zip(TABLES, (invoices, payments, disputes, statuses, doubtful), strict=True))
    if invoices is None:
        raise TypeError("from_sql needs an invoices table or query, got None")
    bound = _check_params(params, given)
    tables: dict[str, Any] = {}
    with _reader(connection) as reader:
        for name, source in given.items():
            if source is not None:
                tables[name] = reader.read(source, bound.get(name), name)
    return from_frames(
        *(tables.get(name) for name in TABLES),
        columns=columns,
        date_format=date_format,
        decimal=decimal,
        unknown_invoices=unknown_invoices,
    )


def read_sql(connection: Any, source: Source, *, params: Any = None) -> Any:
    """One table or query read into a :class:`pyarrow.Table` (the reading of :meth:`Ledger.from_sql`).

    Parameters
    ----------
    connection : connection or str
        As for :meth:`Ledger.from_sql`.
    source : str or tuple of str
        A table name (``"invoices"``, ``"erp.invoices"``, ``("erp", "invoices")``)
        or a query (text starting with ``SELECT``, ``WITH``, ``VALUES`` or ``(``).
    params : optional
        The query's parameters, bound by the driver in its own placeholder
        style (``$1`` for ADBC PostgreSQL, ``?`` for SQLite and DuckDB,
        ``%s`` for psycopg, ``:name`` with a mapping through SQLAlchemy).

    Returns
    -------
    pyarrow.Table
        The columns as the database typed them (extension types such as
        PostgreSQL's ``numeric`` as their text).

    Examples
    --------
    >>> import sqlite3
    >>> from creditkpi.core.ingest.sql import read_sql
    >>> db = sqlite3.connect(":memory:")
    >>> _ = db.execute("CREATE TABLE invoices (invoice_id TEXT, amount NUMERIC)")
    >>> _ = db.execute("INSERT INTO invoices VALUES ('F1', 120.5), ('F2', 80)")
    >>> read_sql(db, "invoices").to_pydict()
    {'invoice_id': ['F1', 'F2'], 'amount': [120.5, 80.0]}
    >>> read_sql(db, "SELECT invoice_id FROM invoices WHERE amount > ?", params=(100,)).num_rows
    1
    """
    with _reader(connection) as reader:
        return reader.read(source, params, "invoices")


def is_query(source: str) -> bool:
    """Whether ``source`` is a query (``SELECT``/``WITH``/``VALUES``/``(`` first) or a table name."""
    return bool(_QUERY.match(source))


def table_sql(parts: Sequence[str], quote: str = '"') -> str:
    """``SELECT * FROM "schema"."table"``: each part quoted as an identifier (quotes doubled)."""
    return "SELECT * FROM " + ".".join(quote + p.replace(quote, quote * 2) + quote for p in parts)


# ----------------------------------------------------------------------------- the sources
def _table_parts(source: Source, name: str) -> tuple[str, ...] | None:
    """The name parts of a table source, or ``None`` for a query."""
    if isinstance(source, str):
        if not source.strip():
            raise InvalidOptionError(
                f"{name}= is empty: give a table name or a query", argument=name
            )
        if is_query(source):
            return None
        return tuple(source.split("."))
    if (
        isinstance(source, Sequence)
        and 1 <= len(source) <= 3
        and all(isinstance(p, str) and p for p in source)
    ):
        return tuple(source)
    raise InvalidOptionError(
        f"{name}= must be a table name, a (schema, table) tuple or a query text, got {source!r}",
        argument=name,
    )


def _check_params(params: Mapping[str, Any] | None, given: Mapping[str, Any]) -> dict[str, Any]:
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise InvalidOptionError(
            "params must map table names to the parameters of their query, e.g. "
            f"{{'invoices': (2024,)}}; got a {type(params).__name__}",
            argument="params",
        )
    for key in params:
        if key not in TABLES:
            raise InvalidOptionError(
                f"params maps {key!r}, which is not a table ({', '.join(TABLES)})",
                argument="params",
            )
        source = given[key]
        if source is None or _table_parts(source, key) is not None:
            raise InvalidOptionError(
                f"params[{key!r}] is given, but {key}= is not a query: parameters go with "
                "a query's placeholders",
                argument="params",
            )
    return dict(params)


# ----------------------------------------------------------------------------- the readers
class _Reader:
    """How one kind of connection runs a query into an Arrow table."""

    quote: str = '"'

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def read(self, source: Source, params: Any, name: str) -> Any:
        parts = _table_parts(source, name)
        sql = self.select(parts) if parts is not None else str(source)
        try:
            table = self.fetch(sql, params)
        except Exception as exc:
            exc.add_note(f"creditkpi: reading the {name} table with: {sql}")
            raise
        return plain_arrow(table)

    def select(self, parts: Sequence[str]) -> str:
        return table_sql(parts, self.quote)

    def fetch(self, sql: str, params: Any) -> Any:  # pragma: no cover - every reader has one
        raise NotImplementedError


class _Adbc(_Reader):
    def __init__(self, connection: Any) -> None:
        super().__init__(connection)
        try:
            vendor = str(connection.adbc_get_info().get("vendor_name", ""))
        except Exception:  # a driver without the info call: standard quoting
            vendor = ""
        if vendor.lower() in ("mysql", "mariadb"):
            self.quote = "`"

    def fetch(self, sql: str, params: Any) -> Any:
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, params)
            return cursor.fetch_arrow_table()
        finally:
            cursor.close()


class _DuckDB(_Reader):
    def fetch(self, sql: str, params: Any) -> Any:
        relation = self.connection.sql(sql, params=params)
        if relation is None:
            raise InvalidOptionError(
                f"the query returns no rows to read (is it a SELECT?): {sql}", argument="query"
            )
        if hasattr(relation, "to_arrow_table"):  # DuckDB >= 1.4
            return relation.to_arrow_table()
        return relation.arrow()  # pragma: no cover - older DuckDB


class _SqlAlchemy(_Reader):
    def select(self, parts: Sequence[str]) -> str:
        preparer = self.connection.dialect.identifier_preparer
        return "SELECT * FROM " + ".".join(preparer.quote(p) for p in parts)

    def fetch(self, sql: str, params: Any) -> Any:
        import sqlalchemy

        result = self.connection.execute(sqlalchemy.text(sql), params or {})
        keys = result.keys()  # (iterating a result gives its rows)
        names = [str(k) for k in keys]
        return _rows_to_arrow(names, (list(p) for p in result.partitions(BATCH_ROWS)))


class _DbApi(_Reader):
    def __init__(self, connection: Any) -> None:
        super().__init__(connection)
        if type(connection).__module__.split(".")[0] in _BACKTICKS:
            self.quote = "`"

    def fetch(self, sql: str, params: Any) -> Any:
        cursor = self.connection.cursor()
        try:
            if params is None:
                cursor.execute(sql)
            else:
                cursor.execute(sql, params)
            names = [str(d[0]) for d in cursor.description or ()]

            def batches() -> Iterator[list[Any]]:
                while rows := cursor.fetchmany(BATCH_ROWS):
                    yield list(rows)

            return _rows_to_arrow(names, batches())
        finally:
            cursor.close()


def _rows_to_arrow(names: list[str], batches: Iterator[list[Any]]) -> Any:
    """Rows (tuples) into one Arrow array per column, built once from that column's values."""
    pa = _pyarrow()
    values: list[list[Any]] = [[] for _ in names]
    for rows in batches:
        for k, column in enumerate(zip(*rows, strict=True)):
            values[k].extend(column)
    arrays = [_arrow_array(v) for v in values]
    return pa.Table.from_arrays(arrays, names=names)


def _arrow_array(values: list[Any]) -> Any:
    """One column as Arrow: its own type, or its text when the values share none."""
    pa = _pyarrow()
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        # mixed types (SQLite keeps any value in any column): read as their text,
        # which the readers parse as they parse a CSV cell (a float at its shortest repr)
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())


def _pyarrow() -> Any:
    pa = pyarrow_module()
    if pa is None:  # pragma: no cover - pyarrow ships with every database extra
        raise ImportError(
            "reading from a database needs pyarrow: pip install pyarrow (the arrow extra)"
        )
    return pa


@contextmanager
def _reader(connection: Any) -> Iterator[_Reader]:
    """The reader of ``connection``; a URI is opened here and closed at the end."""
    _pyarrow()
    if isinstance(connection, str):
        opened = _open_uri(connection)
        try:
            yield _reader_of(opened)
        finally:
            opened.close()
        return
    if type(connection).__module__.startswith("sqlalchemy"):
        import sqlalchemy

        if isinstance(connection, sqlalchemy.engine.Engine):
            with connection.connect() as one:  # one connection for all the tables of the call
                yield _SqlAlchemy(one)
            return
    yield _reader_of(connection)


def _reader_of(connection: Any) -> _Reader:
    module = type(connection).__module__
    if module.startswith("adbc_driver_manager"):
        return _Adbc(connection)
    if module.split(".")[0] in ("duckdb", "_duckdb"):
        return _DuckDB(connection)
    if module.startswith("sqlalchemy"):
        return _SqlAlchemy(connection)
    if callable(getattr(connection, "cursor", None)):
        return _DbApi(connection)
    raise TypeError(
        f"cannot read from a {type(connection).__name__}: pass an ADBC, DuckDB, SQLAlchemy "
        "or DB-API connection, or a postgresql://, sqlite:/// or duckdb:/// URI"
    )


#: the packages of each URI scheme's driver (the extras of the same names install them)
_DRIVERS = {
    "postgresql": "adbc-driver-postgresql pyarrow",
    "sqlite": "adbc-driver-sqlite pyarrow",
    "duckdb": "duckdb pyarrow",
}


def _open_uri(uri: str) -> Any:
    scheme = uri.split(":", 1)[0].lower() if "://" in uri else ""
    extra = SCHEMES.get(scheme)
    if extra is None:
        raise InvalidOptionError(
            f"connection {uri!r} is not a URI this reads (postgresql://, sqlite:///, "
            "duckdb:///): pass a connection object for other databases",
            argument="connection",
        )
    try:
        if extra == "postgresql":
            import adbc_driver_postgresql.dbapi as pg

            return pg.connect(uri)
        path = uri.split("://", 1)[1]
        path = path[1:] if path.startswith("/") else path  # sqlite:///x.db -> x.db
        path = path or ":memory:"
        if extra == "sqlite":
            import adbc_driver_sqlite.dbapi as lite

            return lite.connect(path)
        import duckdb

        return duckdb.connect(path, read_only=path != ":memory:")
    except ImportError:
        raise ImportError(
            f"reading a {scheme}:// URI needs its driver: pip install {_DRIVERS[extra]} "
            f"(the {extra} extra)"
        ) from None
