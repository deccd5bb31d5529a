"""Books to put in databases and Parquet files, and the checks that they come back the same.

:func:`typed` turns a canonical frame into the Arrow table a database would
hold (ids and labels as text, dates as dates, money as ``decimal(18, 2)``);
:func:`assert_same_ledger` compares every column of two ledgers; :data:`BAD`
are inputs that break one rule each, as frames.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

import creditkpi as ck
from creditkpi import datasets

from ...strategies import LedgerSpec

TABLES = ("invoices", "payments", "disputes", "statuses", "doubtful")
DATES = {"issue_date", "due_date", "date", "opened", "resolved"}
MONEY = {"amount", "provision"}
#: SQL types of the canonical columns (any other column is text)
SQL_TYPES = {**dict.fromkeys(DATES, "date"), **dict.fromkeys(MONEY, "numeric(18, 2)")}

COLUMNS = (
    "invoice_ids", "customer", "customer_labels", "issue", "due", "amount",
    "settlement_invoice", "settlement_customer", "settlement_date", "settlement_amount",
    "settlement_kind", "settlement_row", "dispute_invoice", "dispute_opened",
    "dispute_resolved", "dispute_reason", "status_invoice", "status_date", "status_label",
    "doubtful_invoice", "doubtful_date", "doubtful_provision",
)  # fmt: skip


def book(seed: int = 5) -> dict[str, pd.DataFrame]:
    """A generated book: partial payments, credit notes, write-offs, unapplied cash,
    disputes (open and resolved), dunning events and doubtful invoices."""
    frames = datasets.generate(n_customers=30, months=12, seed=seed)
    tables = {name: frames.tables()[name] for name in TABLES}
    assert tables["payments"]["invoice_id"].isna().any()  # unapplied cash
    assert set(tables["payments"]["kind"]) == {"payment", "credit_note", "write_off"}
    assert (
        tables["disputes"]["resolved"].isna().any() and tables["disputes"]["resolved"].notna().any()
    )
    return tables


def spec_frames(spec: LedgerSpec) -> dict[str, pd.DataFrame]:
    """The records of a hypothesis spec as canonical frames of Python values."""
    attrs = sorted({k for i in spec.invoices for k in i.attrs})
    invoices = pd.DataFrame(
        [
            {"invoice_id": i.id, "customer_id": i.customer, "issue_date": i.issue_date,
             "due_date": i.due_date, "amount": i.amount, "currency": i.currency,
             **{k: i.attrs.get(k) for k in attrs}}
            for i in spec.invoices
        ],
        dtype=object,
    )  # fmt: skip
    payments = pd.DataFrame(
        [
            {"invoice_id": p.invoice, "customer_id": p.customer, "date": p.date,
             "amount": p.amount, "kind": p.kind}
            for p in spec.payments
        ],
        columns=["invoice_id", "customer_id", "date", "amount", "kind"],
        dtype=object,
    )  # fmt: skip
    disputes = pd.DataFrame(
        [(d.invoice, d.opened, d.resolved, d.reason) for d in spec.disputes],
        columns=["invoice_id", "opened", "resolved", "reason"],
        dtype=object,
    )
    statuses = pd.DataFrame(
        [(s.invoice, s.date, s.status) for s in spec.statuses],
        columns=["invoice_id", "date", "status"],
        dtype=object,
    )
    doubtful = pd.DataFrame(
        [(d.invoice, d.date, d.provision) for d in spec.doubtful],
        columns=["invoice_id", "date", "provision"],
        dtype=object,
    )
    return {"invoices": invoices, "payments": payments, "disputes": disputes,
            "statuses": statuses, "doubtful": doubtful}  # fmt: skip


def _missing(value: Any) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _day(value: Any) -> date | None:
    if _missing(value):
        return None
    if isinstance(value, datetime | pd.Timestamp):
        return value.date()
    assert isinstance(value, date), value
    return value


def typed(frame: pd.DataFrame, types: dict[str, str] | None = None) -> pa.Table:
    """The frame as a database holds it: dates, ``numeric(18, 2)`` money, text otherwise.

    ``types`` gives other columns an SQL type (``date``, ``bigint``, ``numeric(p, s)``).
    """
    sql_types = {**SQL_TYPES, **(types or {})}
    columns = {}
    for name in frame.columns:
        values = frame[name].tolist()
        kind = sql_types.get(name, "text")
        if kind == "date":
            columns[name] = pa.array([_day(v) for v in values], type=pa.date32())
        elif kind.startswith("numeric"):
            precision, scale = (int(x) for x in kind[8:-1].split(","))
            unit = Decimal(1).scaleb(-scale)
            money = [None if _missing(v) else Decimal(str(v)).quantize(unit) for v in values]
            columns[name] = pa.array(money, type=pa.decimal128(precision, scale))
        elif kind == "bigint":
            columns[name] = pa.array(values, type=pa.int64())
        else:
            columns[name] = pa.array(
                [None if _missing(v) else str(v) for v in values], type=pa.string()
            )
    return pa.table(columns)


def ident(name: str) -> str:
    """``name`` quoted as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def create_sql(name: str, table: pa.Table, types: dict[str, str] | None = None) -> str:
    """``CREATE TABLE`` of a typed table (identifiers quoted; ``types`` overrides SQL types)."""
    sql_types = {**SQL_TYPES, **(types or {})}
    fields = ", ".join(f"{ident(c)} {sql_types.get(c, 'text')}" for c in table.column_names)
    return f"CREATE TABLE {ident(name)} ({fields})"


def sql_rows(table: pa.Table) -> list[tuple[Any, ...]]:
    """Rows of a typed table as Python values a DB-API driver binds (money as text)."""
    out = []
    for row in table.to_pylist():
        out.append(tuple(str(v) if isinstance(v, Decimal) else v for v in row.values()))
    return out


def reference(frames: dict[str, pd.DataFrame | None], **options: Any) -> ck.Ledger:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        return ck.Ledger.from_frames(*(frames.get(t) for t in TABLES), **options)


def quietly(make: Callable[[], ck.Ledger]) -> ck.Ledger:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        return make()


def assert_same_ledger(got: ck.Ledger, want: ck.Ledger) -> None:
    """Every column of the two ledgers, their attributes, currency and report are equal."""
    for name in COLUMNS:
        a, b = getattr(got._cols, name), getattr(want._cols, name)
        assert a.dtype == b.dtype, name
        assert a.tolist() == b.tolist(), name
    attrs_got, attrs_want = got._cols.attrs, want._cols.attrs
    assert list(attrs_got.columns) == list(attrs_want.columns)
    for column in attrs_want.columns:
        values = [None if _missing(v) else str(v) for v in attrs_want[column].tolist()]
        assert [None if _missing(v) else str(v) for v in attrs_got[column].tolist()] == values
    assert got.currency == want.currency
    assert [str(i) for i in got.report.issues] == [str(i) for i in want.report.issues]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        assert ck.dashboard(got, "2023-06").to_json() == ck.dashboard(want, "2023-06").to_json()


def error_of(make: Callable[[], object]) -> ck.CreditKPIError:
    try:
        make()
    except ck.CreditKPIError as exc:
        return exc
    raise AssertionError("no error")


def assert_same_error(got: ck.CreditKPIError, want: ck.CreditKPIError) -> None:
    """Same rule, column, count and ids; the message alike but for how values print."""
    assert type(got) is type(want)
    assert (got.rule, got.column, got.count, got.ids) == (want.rule, want.column, want.count,
                                                          want.ids)  # fmt: skip
    assert _without_values(str(got)) == _without_values(str(want))


def _without_values(message: str) -> str:
    return re.sub(r"; values: [^)]*\)", ")", message)


def _invoices(**changes: list[Any]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "invoice_id": ["F1", "F2", "F3"],
            "customer_id": ["A", "B", "A"],
            "issue_date": [date(2023, 1, 5), date(2023, 2, 1), date(2023, 3, 1)],
            "due_date": [date(2023, 2, 4), date(2023, 3, 3), date(2023, 3, 31)],
            "amount": [Decimal("100.00"), Decimal("250.50"), Decimal("80.00")],
        },
        dtype=object,
    )
    for column, values in changes.items():
        frame[column] = pd.Series(values, dtype=object)
    return frame


def _payments(**changes: list[Any]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "invoice_id": ["F1", "F2"],
            "date": [date(2023, 2, 1), date(2023, 3, 10)],
            "amount": [Decimal("40.00"), Decimal("250.50")],
            "kind": ["payment", "credit_note"],
        },
        dtype=object,
    )
    for column, values in changes.items():
        frame[column] = pd.Series(values, dtype=object)
    return frame


#: inputs that break one rule each (the frames a user would have loaded into the database)
BAD: dict[str, dict[str, pd.DataFrame]] = {
    "duplicate-invoice-id": {"invoices": _invoices(invoice_id=["F1", "F2", "F1"])},
    "missing-invoice-id": {"invoices": _invoices(invoice_id=["F1", None, "F3"])},
    "missing-customer": {"invoices": _invoices(customer_id=["A", None, "A"])},
    "due-before-issue": {
        "invoices": _invoices(due_date=[date(2023, 1, 1), date(2023, 3, 3), date(2023, 3, 31)])
    },
    "non-positive-amount": {
        "invoices": _invoices(amount=[Decimal("100.00"), Decimal("-5.00"), Decimal("0.00")])
    },
    "missing-amount": {"invoices": _invoices(amount=[Decimal("100.00"), None, Decimal("1.00")])},
    "missing-issue-date": {
        "invoices": _invoices(issue_date=[date(2023, 1, 5), None, date(2023, 3, 1)])
    },
    "unknown-invoice": {"invoices": _invoices(), "payments": _payments(invoice_id=["F1", "F9"])},
    "bad-kind": {"invoices": _invoices(), "payments": _payments(kind=["payment", "refund"])},
    "negative-payment": {
        "invoices": _invoices(),
        "payments": _payments(amount=[Decimal("40.00"), Decimal("-1.00")]),
    },
    # a book may hold several currencies; a payment in another currency than its invoice's not
    "mixed-currency": {
        "invoices": _invoices(currency=["EUR", "USD", "EUR"]),
        "payments": _payments(currency=["EUR", "EUR"]),
    },
    "unknown-dispute-invoice": {
        "invoices": _invoices(),
        "disputes": pd.DataFrame(
            {
                "invoice_id": ["F7"],
                "opened": [date(2023, 2, 1)],
                "resolved": [None],
                "reason": ["price"],
            },
            dtype=object,
        ),
    },
    "resolved-before-opened": {
        "invoices": _invoices(),
        "disputes": pd.DataFrame(
            {
                "invoice_id": ["F1"],
                "opened": [date(2023, 2, 1)],
                "resolved": [date(2023, 1, 9)],
                "reason": ["price"],
            },
            dtype=object,
        ),
    },
    "missing-status": {
        "invoices": _invoices(),
        "statuses": pd.DataFrame(
            {
                "invoice_id": ["F1", "F2"],
                "date": [date(2023, 2, 10)] * 2,
                "status": ["reminder 1", None],
            },
            dtype=object,
        ),
    },
}


def attribute_names(frame: pd.DataFrame) -> list[str]:
    """The invoice columns that are attributes (not canonical)."""
    canonical = {"invoice_id", "customer_id", "issue_date", "due_date", "amount", "currency"}
    return [c for c in frame.columns if c not in canonical]


def hash_bucket(customers: pd.Series, parts: int) -> np.ndarray:
    """A stable bucket per customer id (for partitioned datasets)."""
    hashed = pd.util.hash_pandas_object(customers.astype(str), index=False).to_numpy()
    return (hashed % np.uint64(parts)).astype(np.int64)
