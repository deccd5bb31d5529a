"""Ledger.from_sql: books put in PostgreSQL, SQLite and DuckDB come back as from_frames builds them.

PostgreSQL is a real server: the one ``.ci/run`` starts (``CREDITKPI_POSTGRES_URI``)
or a throwaway cluster these tests start themselves when PostgreSQL's binaries
are installed (``tests/postgres.py``); without either, the PostgreSQL cases skip
and say why. Each test gets a fresh database.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings

import creditkpi as ck
from creditkpi.core.errors import InvalidOptionError, MissingColumnError
from creditkpi.core.ingest.sql import is_query, read_sql, table_sql

from ... import postgres
from ...strategies import LedgerSpec, ledger_specs
from .stores import (
    BAD,
    TABLES,
    assert_same_error,
    assert_same_ledger,
    book,
    create_sql,
    error_of,
    ident,
    quietly,
    reference,
    spec_frames,
    sql_rows,
    typed,
)

adbc_postgresql = pytest.importorskip("adbc_driver_postgresql.dbapi")
adbc_sqlite = pytest.importorskip("adbc_driver_sqlite.dbapi")
duckdb = pytest.importorskip("duckdb")
sqlalchemy = pytest.importorskip("sqlalchemy")
psycopg = pytest.importorskip("psycopg")


# ----------------------------------------------------------------------------- the server
@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URI of a running PostgreSQL server (its ``postgres`` database)."""
    uri = os.environ.get(postgres.URI_VARIABLE)
    if uri:
        yield uri  # given by .ci/run: a server that does not answer is a failure, not a skip
        return
    if postgres.binaries() is None:
        pytest.skip(
            f"no PostgreSQL server: set {postgres.URI_VARIABLE} to one, or install "
            "PostgreSQL's server (initdb and pg_ctl) for the tests to start their own"
        )
    folder = tempfile.mkdtemp(prefix="creditkpi-pg-")
    os.chmod(folder, 0o755)
    try:
        uri = postgres.start(folder)
    except RuntimeError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"PostgreSQL could not be started here: {exc}")
    try:
        yield uri
    finally:
        postgres.stop(folder)
        shutil.rmtree(folder, ignore_errors=True)


def _database_uri(uri: str, name: str) -> str:
    parts = urlsplit(uri)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture
def pg_database(postgres_server: str) -> Iterator[str]:
    """A fresh database of the server, dropped afterwards; its URI."""
    name = f"ck_{uuid.uuid4().hex[:12]}"
    with adbc_postgresql.connect(postgres_server, autocommit=True) as con, con.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _database_uri(postgres_server, name)
    finally:
        with adbc_postgresql.connect(postgres_server, autocommit=True) as con, con.cursor() as cur:
            cur.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


# ----------------------------------------------------------------------------- the stores
@dataclass
class Store:
    """One database and one way of connecting to it."""

    kind: str  # postgresql | sqlite | duckdb
    how: str  # adbc | uri | dbapi | sqlalchemy
    target: str  # the server's URI, or the database file

    @property
    def placeholder(self) -> str:
        """How the first parameter of a query is written for this driver."""
        if self.how == "sqlalchemy":
            return ":p"
        if self.kind == "postgresql":
            return "%s" if self.how == "dbapi" else "$1"
        return "?"

    def params(self, value: Any) -> Any:
        return {"p": value} if self.how == "sqlalchemy" else (value,)

    def execute(self, *statements: str) -> None:
        with self._admin() as run:
            for statement in statements:
                run(statement, None)

    def load(
        self,
        tables: dict[str, pd.DataFrame | pa.Table],
        *,
        replace: bool = False,
        types: dict[str, str] | None = None,
    ) -> None:
        """Create each table with SQL types and insert its rows."""
        arrow = {n: t if isinstance(t, pa.Table) else typed(t, types) for n, t in tables.items()}
        if self.kind == "postgresql":
            with adbc_postgresql.connect(self.target) as con, con.cursor() as cur:
                for name, table in arrow.items():
                    if replace:
                        cur.execute(f"DROP TABLE IF EXISTS {ident(name)}")
                    cur.execute(create_sql(name, table, types))
                    if table.num_rows:
                        cur.adbc_ingest(name, table, mode="append")
                con.commit()
        elif self.kind == "sqlite":
            with sqlite3.connect(self.target) as con:
                for name, table in arrow.items():
                    if replace:
                        con.execute(f"DROP TABLE IF EXISTS {ident(name)}")
                    con.execute(create_sql(name, table, types))
                    marks = ", ".join("?" * table.num_columns)
                    rows = [
                        tuple(v.isoformat() if isinstance(v, date) else v for v in row)
                        for row in sql_rows(table)
                    ]
                    con.executemany(f"INSERT INTO {ident(name)} VALUES ({marks})", rows)
        else:
            with duckdb.connect(self.target) as con:
                for name, table in arrow.items():
                    if replace:
                        con.execute(f"DROP TABLE IF EXISTS {ident(name)}")
                    con.execute(create_sql(name, table, types))
                    con.register("incoming", table)
                    con.execute(f"INSERT INTO {ident(name)} SELECT * FROM incoming")
                    con.unregister("incoming")

    @contextmanager
    def _admin(self) -> Iterator[Any]:
        if self.kind == "postgresql":
            with adbc_postgresql.connect(self.target, autocommit=True) as con, con.cursor() as cur:
                yield lambda sql, p: cur.execute(sql, p)
        elif self.kind == "sqlite":
            with sqlite3.connect(self.target) as con:
                yield lambda sql, p: con.execute(sql)
        else:
            with duckdb.connect(self.target) as con:
                yield lambda sql, p: con.execute(sql)

    @contextmanager
    def connection(self) -> Iterator[Any]:
        """What ``from_sql`` is given: a connection of this kind, or a URI."""
        if self.how == "uri":
            scheme = "postgresql" if self.kind == "postgresql" else self.kind
            yield self.target if self.kind == "postgresql" else f"{scheme}:///{self.target}"
            return
        if self.kind == "postgresql":
            if self.how == "adbc":
                with adbc_postgresql.connect(self.target) as con:
                    yield con
            elif self.how == "dbapi":
                with psycopg.connect(_libpq(self.target)) as con:
                    yield con
            else:
                engine = sqlalchemy.create_engine(_sqlalchemy_pg(self.target))
                try:
                    yield engine
                finally:
                    engine.dispose()
        elif self.kind == "sqlite":
            if self.how == "adbc":
                with adbc_sqlite.connect(self.target) as con:
                    yield con
            elif self.how == "dbapi":
                con = sqlite3.connect(self.target)
                try:
                    yield con
                finally:
                    con.close()
            else:
                engine = sqlalchemy.create_engine(f"sqlite:///{self.target}")
                try:
                    with engine.connect() as con:
                        yield con
                finally:
                    engine.dispose()
        else:
            with duckdb.connect(self.target) as con:
                yield con

    def read(self, **tables: Any) -> ck.Ledger:
        with self.connection() as con:
            return quietly(lambda: ck.Ledger.from_sql(con, **tables))


def _libpq(uri: str) -> str:
    return uri  # psycopg takes the same URI


def _sqlalchemy_pg(uri: str) -> str:
    return "postgresql+psycopg://" + uri.split("://", 1)[1]


STORES = [
    "postgresql-adbc", "postgresql-uri", "postgresql-dbapi", "postgresql-sqlalchemy",
    "sqlite-adbc", "sqlite-uri", "sqlite-dbapi", "sqlite-sqlalchemy", "duckdb-duckdb",
    "duckdb-uri",
]  # fmt: skip
#: one store per database, for the longer tests
EACH_DATABASE = ["postgresql-adbc", "sqlite-dbapi", "duckdb-duckdb"]


def _store(request: pytest.FixtureRequest, name: str, folder: str) -> Store:
    kind, how = name.split("-")
    if kind == "postgresql":
        return Store(kind, how, request.getfixturevalue("pg_database"))
    return Store(kind, how, os.path.join(folder, f"book.{kind}"))


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Any) -> Store:
    return _store(request, request.param, str(tmp_path))


@pytest.fixture(params=EACH_DATABASE)
def database(request: pytest.FixtureRequest, tmp_path: Any) -> Store:
    return _store(request, request.param, str(tmp_path))


ALL = {name: name for name in TABLES}


# ----------------------------------------------------------------------------- same rows
@pytest.fixture(scope="module")
def generated() -> dict[str, pd.DataFrame]:
    return book()


def test_generated_book_reads_as_from_frames(
    store: Store, generated: dict[str, pd.DataFrame]
) -> None:
    """Unapplied cash, credit notes, write-offs, disputes, dunning and doubtful included."""
    store.load(generated)
    assert_same_ledger(store.read(**ALL), reference(generated))


def test_queries_with_parameters_and_mapped_columns(
    store: Store, generated: dict[str, pd.DataFrame]
) -> None:
    """A query renames the columns, another filters with a bound parameter, columns= maps."""
    inv = generated["invoices"].rename(columns={"invoice_id": "number", "amount": "total"})
    pay = generated["payments"].rename(columns={"invoice_id": "number", "date": "paid_on"})
    store.load({"sales": inv, "receipts": pay.assign(line=range(len(pay)))},
               types={"total": "numeric(18, 2)", "paid_on": "date", "line": "bigint"})  # fmt: skip
    country = "FR"
    kept = inv[inv["country"] == country]
    receipts = pay[pay["number"].isin(kept["number"]) | pay["number"].isna()]
    receipts = receipts[
        receipts["number"].notna() | receipts["customer_id"].isin(kept["customer_id"])
    ]
    p = store.placeholder
    with store.connection() as con:
        got = quietly(lambda: ck.Ledger.from_sql(
            con,
            invoices=f"SELECT * FROM sales WHERE country = {p}",
            payments=(
                "SELECT r.number AS invoice_id, r.customer_id, r.paid_on AS date, r.amount, "
                "r.kind FROM receipts r LEFT JOIN sales s ON s.number = r.number "
                f"WHERE s.country = {p} OR (r.number IS NULL AND r.customer_id IN "
                f"(SELECT customer_id FROM sales WHERE country = {p})) ORDER BY r.line"
            ),
            params={"invoices": store.params(country), "payments": _twice(store, country)},
            columns={"invoices": {"invoice_id": "number", "amount": "total"}},
        ))  # fmt: skip
    want = reference(
        {
            "invoices": kept.rename(columns={"number": "invoice_id", "total": "amount"}),
            "payments": receipts.rename(columns={"number": "invoice_id", "paid_on": "date"})[
                ["invoice_id", "customer_id", "date", "amount", "kind"]
            ],
        }
    )
    assert got.n_invoices == len(kept) > 0
    assert_same_ledger(got, want)


def _twice(store: Store, value: Any) -> Any:
    if store.how == "sqlalchemy":
        return {"p": value}
    return (value,) if store.placeholder == "$1" else (value, value)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(spec=ledger_specs(max_invoices=15))
def test_random_books_read_as_from_frames(database: Store, spec: LedgerSpec) -> None:
    frames = spec_frames(spec)
    database.load(frames, replace=True)
    assert_same_ledger(database.read(**ALL), reference(frames))


def test_empty_tables_read_as_no_rows(database: Store, generated: dict[str, pd.DataFrame]) -> None:
    tables = {name: frame.iloc[0:0] for name, frame in generated.items()}
    tables["invoices"] = generated["invoices"]
    database.load(tables)
    assert_same_ledger(database.read(**ALL), reference({"invoices": generated["invoices"]}))


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_gives_the_frame_error(database: Store, case: str) -> None:
    frames = BAD[case]
    want = error_of(lambda: reference(frames))
    database.load(frames)
    got = error_of(lambda: database.read(**{name: name for name in frames}))
    assert_same_error(got, want)


def test_finer_than_a_cent_is_the_frame_error(database: Store) -> None:
    frames = BAD["duplicate-invoice-id"]["invoices"].assign(
        invoice_id=["F1", "F2", "F3"], amount=[Decimal("100.005"), Decimal("2.00"), Decimal("3")]
    )
    # SQLite has no decimal type: it holds (and a frame of its rows has) the float 100.005
    held = (
        frames.assign(amount=frames["amount"].astype(float))
        if database.kind == "sqlite"
        else frames
    )
    want = error_of(lambda: reference({"invoices": held}))
    database.load({"invoices": frames}, types={"amount": "numeric(18, 3)"})
    got = error_of(lambda: database.read(invoices="invoices"))
    assert got.rule == want.rule == "sub-minor-unit-amount"
    assert_same_error(got, want)


# ----------------------------------------------------------------------------- names
def test_table_names_are_quoted_identifiers(database: Store, generated: dict[str, Any]) -> None:
    odd = 'tab"Sales Invoice'
    database.load({odd: generated["invoices"], "payments": generated["payments"]})
    got = database.read(invoices=odd, payments="payments")
    assert_same_ledger(got, reference({k: generated[k] for k in ("invoices", "payments")}))
    # a name is never SQL: this one is an unknown table, and the payments are still there
    with pytest.raises(Exception) as caught:
        database.read(invoices="payments; DROP TABLE payments")
    assert "creditkpi: reading the invoices table with: SELECT * FROM" in "\n".join(
        getattr(caught.value, "__notes__", [])
    )
    assert database.read(invoices=odd, payments="payments").n_settlements == len(
        generated["payments"]
    )


def test_schema_qualified_names(pg_database: str, generated: dict[str, Any]) -> None:
    store = Store("postgresql", "adbc", pg_database)
    store.execute('CREATE SCHEMA "erp"')
    store.load({"erp.inv": generated["invoices"]})  # a table whose name holds a dot
    with adbc_postgresql.connect(pg_database) as con, con.cursor() as cur:
        cur.execute('CREATE TABLE erp.invoices AS SELECT * FROM "erp.inv"')
        con.commit()
    want = reference({"invoices": generated["invoices"]})
    assert_same_ledger(store.read(invoices="erp.invoices"), want)
    assert_same_ledger(store.read(invoices=("erp", "invoices")), want)
    assert_same_ledger(store.read(invoices=("erp.inv",)), want)


def test_uuid_ids_and_postgres_types(pg_database: str) -> None:
    """uuid ids as their text, numeric money, timestamptz dates on their UTC calendar day."""
    store = Store("postgresql", "adbc", pg_database)
    ids = [uuid.UUID(int=k * 7919) for k in range(1, 4)]
    store.execute(
        "CREATE TABLE inv (invoice_id uuid, customer_id varchar(20), issue_date timestamptz, "
        "due_date date, amount numeric)",
        *(
            f"INSERT INTO inv VALUES ('{i}', 'C{k}', '2024-01-0{k + 1} 23:30:00+00', "
            f"'2024-02-01', {k}.25)"
            for k, i in enumerate(ids)
        ),
    )
    got = store.read(invoices="inv")
    want = reference(
        {
            "invoices": pd.DataFrame(
                {
                    "invoice_id": [str(i) for i in ids],
                    "customer_id": [f"C{k}" for k in range(3)],
                    "issue_date": [date(2024, 1, k + 1) for k in range(3)],
                    "due_date": [date(2024, 2, 1)] * 3,
                    "amount": [f"{k}.25" for k in range(3)],
                }
            )
        }
    )
    assert_same_ledger(got, want)


# ----------------------------------------------------------------------------- options
@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("invoices", False),
        ("erp.invoices", False),
        ("tabSales Invoice", False),
        ("selections", False),
        ("SELECT * FROM invoices", True),
        ("  select 1", True),
        ("WITH x AS (SELECT 1) SELECT * FROM x", True),
        ("-- the open items\nSELECT 1", True),
        ("/* a comment */ SELECT 1", True),
        ("(SELECT 1) UNION (SELECT 2)", True),
        ("VALUES (1)", True),
    ],
)
def test_table_name_or_query(text: str, query: bool) -> None:
    assert is_query(text) is query


def test_identifiers_double_their_quotes() -> None:
    assert table_sql(["erp", 'a"b']) == 'SELECT * FROM "erp"."a""b"'
    assert table_sql(["tabSales Invoice"], "`") == "SELECT * FROM `tabSales Invoice`"


def test_bad_arguments() -> None:
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE invoices (invoice_id TEXT)")
    with pytest.raises(InvalidOptionError, match="params"):
        ck.Ledger.from_sql(con, invoices="invoices", params={"invoices": (1,)})
    with pytest.raises(InvalidOptionError, match="params maps 'sales'"):
        ck.Ledger.from_sql(con, invoices="SELECT 1", params={"sales": (1,)})
    with pytest.raises(InvalidOptionError, match="invoices= is empty"):
        ck.Ledger.from_sql(con, invoices="  ")
    with pytest.raises(InvalidOptionError, match="a table name"):
        ck.Ledger.from_sql(con, invoices=42)  # type: ignore[arg-type]
    with pytest.raises(InvalidOptionError, match="not a URI this reads"):
        ck.Ledger.from_sql("mysql://somewhere/erp", invoices="invoices")
    with pytest.raises(TypeError, match="cannot read from a DataFrame"):
        ck.Ledger.from_sql(pd.DataFrame(), invoices="invoices")
    with pytest.raises(InvalidOptionError, match="columns maps 'number'"):
        ck.Ledger.from_sql(con, invoices="invoices", columns={"number": "x"})
    with pytest.raises(MissingColumnError, match="customer_id"):
        ck.Ledger.from_sql(con, invoices="invoices")


def test_mixed_sqlite_column_types_read_as_their_text() -> None:
    """SQLite keeps any value in any column: ids 7 and 'F8' in one column, as a CSV would."""
    con = sqlite3.connect(":memory:")
    con.executescript(
        """CREATE TABLE invoices (invoice_id, customer_id, issue_date, due_date, amount);
        INSERT INTO invoices VALUES (7, 'A', '2024-01-02', '2024-02-01', 10.5),
                                    ('F8', 'B', '2024-01-03', '2024-02-02', '20.25');"""
    )
    assert read_sql(con, "invoices").column("invoice_id").to_pylist() == ["7", "F8"]
    got = ck.Ledger.from_sql(con, invoices="invoices")
    want = ck.Ledger.from_frames(
        pd.DataFrame(
            {
                "invoice_id": ["7", "F8"],
                "customer_id": ["A", "B"],
                "issue_date": ["2024-01-02", "2024-01-03"],
                "due_date": ["2024-02-01", "2024-02-02"],
                "amount": ["10.5", "20.25"],
            }
        )
    )
    assert_same_ledger(got, want)
