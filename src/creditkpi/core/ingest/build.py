"""Builders: records, dataframes and one-table exports into validated ledger columns.

Each builder returns :class:`Built` (the :class:`~creditkpi.core.columns.Columns`
and the validation report), which :class:`~creditkpi.Ledger` wraps.

Every input row is either used or reported: a broken rule raises a
:class:`~creditkpi.CreditKPIError` naming the rule, the column, the first
offending ids and values, and the option that fixes it; suspicious but valid
rows (overpaid invoices, settlements before issue) give a
:class:`~creditkpi.DataQualityWarning` and a line in ``Ledger.report``.

The rules are checked in this order: the tables' columns (``columns=``,
required, duplicated), missing invoice ids, currencies, dates (all tables),
amounts (all tables) and their total, duplicate invoice ids, customers, due
before issue, then the settlements, disputes, statuses and doubtful tables.
Each rule is one step of :mod:`creditkpi.core.ingest.steps`; :func:`build`
runs them in that order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.columns import NO_END, Columns
from creditkpi.core.errors import (
    InvalidOptionError,
    MissingColumnError,
    NoSettlementsReadError,
)
from creditkpi.core.ingest.columns import (
    ColumnMap,
    Names,
    Resolved,
    check_flat_mapping,
    check_mapping,
    dict_table,
    resolve,
    settlement_date_columns,
    take,
    truthy,
)
from creditkpi.core.ingest.currencies import (
    check_own_units,
    read_currencies,
    settlement_currencies,
)
from creditkpi.core.ingest.dates import MISSING, DateReader, ParsedDates
from creditkpi.core.ingest.ids import (
    THREADED_ROWS,
    Later,
    factorize_customers,
    id_column,
    match_ids,
)
from creditkpi.core.ingest.limits import add_credit_inputs
from creditkpi.core.ingest.settlements import (
    DateOrder,
    derive_settlements,
    gather,
    settled_per_invoice,
)
from creditkpi.core.ingest.side_tables import (
    build_disputes,
    build_doubtful,
    build_statuses,
    invoice_positions,
)
from creditkpi.core.ingest.source import ColumnData, Table, to_table
from creditkpi.core.ingest.steps import (
    application_days,
    check_invoices,
    check_known_invoices,
    check_unapplied,
    code_customers,
    invoice_ids,
    read_amounts,
    read_dates,
    read_kinds,
    read_payments,
)
from creditkpi.core.money import currency_code
from creditkpi.core.records import (
    Cover,
    CreditLimit,
    Dispute,
    Doubtful,
    Invoice,
    Payment,
    StatusEvent,
)
from creditkpi.core.validation import ValidationReport

__all__ = ["Built", "from_frames", "from_invoice_table", "from_records"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

TABLES = ("invoices", "payments", "disputes", "statuses", "doubtful")


class Built(NamedTuple):
    """What a builder returns: the validated columns and the report of what it noticed.

    :class:`~creditkpi.Ledger` wraps them (``Ledger._wrap(*built)``); the
    builders never construct a ledger themselves.
    """

    columns: Columns
    report: ValidationReport


assert MISSING == NO_END


def from_records(
    invoices: Iterable[Invoice],
    payments: Iterable[Payment] = (),
    disputes: Iterable[Dispute] = (),
    statuses: Iterable[StatusEvent] = (),
    doubtful: Iterable[Doubtful] = (),
    *,
    unknown_invoices: str = "error",
    limits: Iterable[CreditLimit] = (),
    cover: Iterable[Cover] = (),
) -> Built:
    """:meth:`Ledger.from_records` (see there)."""
    inv = list(invoices)

    def column(values: Iterable[Any]) -> pd.Series:
        return pd.Series(list(values), dtype=object)

    inv_frame = pd.DataFrame(
        {
            "invoice_id": column(i.id for i in inv),
            "customer_id": column(i.customer for i in inv),
            "issue_date": column(i.issue_date for i in inv),
            "due_date": column(i.due_date for i in inv),
            "amount": column(i.amount for i in inv),
            "currency": column(i.currency for i in inv),
        }
    )
    attr_names: dict[str, None] = {}
    for i in inv:
        attr_names.update(dict.fromkeys(i.attrs))
    for key in attr_names:
        inv_frame[key] = column(i.attrs.get(key) for i in inv)
    pays = list(payments)
    pay_frame = pd.DataFrame(
        {
            "invoice_id": column(p.invoice for p in pays),
            "date": column(p.date for p in pays),
            "amount": column(p.amount for p in pays),
            "kind": column(p.kind for p in pays),
            "customer_id": column(p.customer for p in pays),
            "applied": column(p.applied for p in pays),
        }
    )
    if any(p.currency is not None for p in pays):
        pay_frame["currency"] = column(p.currency for p in pays)
    dis = list(disputes)
    dis_frame = pd.DataFrame(
        {
            "invoice_id": column(d.invoice for d in dis),
            "opened": column(d.opened for d in dis),
            "resolved": column(d.resolved for d in dis),
            "reason": column(d.reason for d in dis),
        }
    )
    sts = list(statuses)
    st_frame = pd.DataFrame(
        {
            "invoice_id": column(s.invoice for s in sts),
            "date": column(s.date for s in sts),
            "status": column(s.status for s in sts),
        }
    )
    dbs = list(doubtful)
    db_frame = pd.DataFrame(
        {
            "invoice_id": column(d.invoice for d in dbs),
            "date": column(d.date for d in dbs),
            "provision": column(d.provision for d in dbs),
        }
    )
    mapping = check_mapping(None)
    frames = [inv_frame, pay_frame, dis_frame, st_frame, db_frame]
    resolved = [resolve(to_table(f, t), t, mapping) for f, t in zip(frames, TABLES, strict=True)]
    built = build(*resolved, date_format=None, decimal=None, unknown_invoices=unknown_invoices)
    add_credit_inputs(built.columns, list(limits), list(cover))
    return built


def from_frames(
    invoices: Any,
    payments: Any = None,
    disputes: Any = None,
    statuses: Any = None,
    doubtful: Any = None,
    *,
    columns: ColumnMap | None = None,
    date_format: str | None = None,
    decimal: str | None = None,
    unknown_invoices: str = "error",
    limits: Any = None,
    cover: Any = None,
) -> Built:
    """:meth:`Ledger.from_frames` (see there)."""
    mapping = check_mapping(columns)
    _check_options(decimal=decimal, unknown_invoices=unknown_invoices)
    if invoices is None:
        raise TypeError("from_frames needs an invoices table, got None")
    none_said = isinstance(payments, (list, tuple)) and len(payments) == 0
    given = [invoices, None if none_said else payments, disputes, statuses, doubtful]
    resolved = [
        None if frame is None else resolve(to_table(frame, name), name, mapping)
        for frame, name in zip(given, TABLES, strict=True)
    ]
    check_flat_mapping(mapping, [r for r in resolved if r is not None])
    inv = resolved[0]
    assert inv is not None
    if payments is None:
        _refuse_unsettled(inv)
    built = build(
        inv,
        *resolved[1:],
        date_format=date_format,
        decimal=decimal,
        unknown_invoices=unknown_invoices,
    )
    add_credit_inputs(
        built.columns, limits, cover, columns=columns, date_format=date_format, decimal=decimal
    )
    return built


def from_invoice_table(
    frame: Any,
    *,
    settled_date: str = "settled_date",
    disputed: str | None = None,
    columns: ColumnMap | None = None,
    date_format: str | None = None,
    decimal: str | None = None,
    currency: str | None = None,
    limits: Any = None,
    cover: Any = None,
) -> Built:
    """:meth:`Ledger.from_invoice_table` (see there)."""
    mapping = check_mapping(columns)
    _check_options(decimal=decimal, unknown_invoices="error")
    if frame is None:
        raise TypeError("from_invoice_table needs a table, got None")
    table = to_table(frame, "invoices")
    code = _invoice_table_currency(currency, table.names, mapping)
    consumed = [settled_date] + ([] if disputed is None else [disputed])
    inv = resolve(table, "invoices", mapping, exclude=consumed)
    check_flat_mapping(mapping, [inv])
    for option, name in (("settled_date", settled_date), ("disputed", disputed)):
        if name is not None and name not in table.names:
            raise MissingColumnError(
                f"the invoices table has no column {name!r} (named by {option}=; it has: "
                f"{', '.join(table.names)})",
                column=name,
                ids=[name],
            )
    ids = Names(inv.rows, id_column(inv.data("invoice_id")).text)
    reader = DateReader(date_format)
    settled = reader.read(
        table.column(table.names.index(settled_date)), column=settled_date, ids=ids
    )
    issue = reader.read(inv.data("issue_date"), column="issue_date", ids=ids)
    # the due dates too, before the day/month order is settled: a value of any of
    # the three columns may prove it
    due = reader.read(inv.data("due_date"), column="due_date", ids=ids)
    reader.finish()
    has = np.flatnonzero(~settled.missing)
    epoch = np.datetime64("1970-01-01", "D")
    payments: dict[str, ColumnData] = {
        "invoice_id": take(inv.data("invoice_id"), has),
        "date": pd.Series(epoch + settled.days[has].astype("timedelta64[D]")),
        "amount": take(inv.data("amount"), has),
    }
    if inv.has("currency"):
        payments["currency"] = take(inv.data("currency"), has)
    pay = resolve(dict_table(payments, has.size), "payments", check_mapping(None))
    dis: Resolved | None = None
    if disputed is not None:
        flag = truthy(table.column(table.names.index(disputed)), column=disputed, ids=ids)
        rows = np.flatnonzero(flag)
        # disputed from issue until settled (a settlement dated before issue counts from issue)
        end = settled.days[rows]
        issued = issue.days[rows]
        resolved = np.where(settled.missing[rows], MISSING, np.maximum(end, issued))
        opened = epoch + issued.astype("timedelta64[D]")
        closed = np.where(
            resolved == MISSING,
            np.datetime64("NaT", "D"),
            epoch + np.minimum(resolved, 2**31).astype("timedelta64[D]"),
        )
        dis = resolve(
            dict_table(
                {
                    "invoice_id": take(inv.data("invoice_id"), rows),
                    "opened": pd.Series(opened),
                    "resolved": pd.Series(closed),
                    "reason": pd.Series(["disputed"] * rows.size, dtype=object),
                },
                rows.size,
            ),
            "disputes",
            check_mapping(None),
        )
    built = build(
        inv, pay, dis, None, None, date_format=date_format, decimal=decimal,
        unknown_invoices="error", exclude=consumed, reader=reader, known=(issue, due),
        default_currency=code,
    )  # fmt: skip
    add_credit_inputs(
        built.columns, limits, cover, columns=columns, date_format=date_format, decimal=decimal
    )
    return built


def _invoice_table_currency(
    currency: str | None, names: Sequence[str], mapping: dict[str | None, dict[str, str]]
) -> str | None:
    """``currency=`` of a one-table export: a column name (mapped), or one ISO 4217 code."""
    if currency is None:
        return None
    if not isinstance(currency, str):
        raise InvalidOptionError(
            f"currency must be a column name or an ISO 4217 code, got {currency!r}",
            argument="currency",
        )
    if currency in names:
        mapping[None]["currency"] = currency
        return None
    code = currency_code(currency)
    if code is None:
        raise InvalidOptionError(
            f"currency={currency!r} is neither a column of the table nor an ISO 4217 code "
            "such as 'EUR', 'USD'",
            argument="currency",
        )
    if "currency" in names or "currency" in mapping[None]:
        raise InvalidOptionError(
            f"currency={currency!r} gives every invoice one currency, but the table has a "
            "currency column: leave currency= out (or name that column)",
            argument="currency",
        )
    return code


def _refuse_unsettled(inv: Resolved) -> None:
    """Invoices without payments, beside a column that looks like a settlement date.

    A one-row-per-invoice export read as invoices alone: every invoice would
    count as unpaid (a DSO in the hundreds of days, a CEI of 0). The same
    rule as the command line's; ``payments=[]`` says there really are none.
    """
    names = [inv.table.names[k] for k in inv.extra]
    looks = settlement_date_columns(names)
    if not looks:
        return
    raise NoSettlementsReadError(
        f"{inv.rows:,} invoice(s) and no payments table, every invoice would count as unpaid, "
        "but it has a settlement date",
        column=looks[0],
        ids=looks,
        hint=f"read a one-row-per-invoice export with Ledger.from_invoice_table(frame, "
        f"settled_date={looks[0]!r}), or give the payments (payments=[] if there are none)",
    )


def _check_options(*, decimal: str | None, unknown_invoices: str) -> None:
    if unknown_invoices not in ("error", "unapplied"):
        raise InvalidOptionError(
            f"unknown_invoices must be 'error' or 'unapplied', got {unknown_invoices!r}",
            argument="unknown_invoices",
        )
    if decimal not in (None, ".", ","):
        raise InvalidOptionError(
            f'decimal must be None, "." or ",", got {decimal!r}',
            argument="decimal",
        )


# ----------------------------------------------------------------------------- the builder


def build(
    inv: Resolved,
    pay: Resolved | None,
    dis: Resolved | None,
    sts: Resolved | None,
    dbt: Resolved | None,
    *,
    date_format: str | None,
    decimal: str | None,
    unknown_invoices: str,
    exclude: Iterable[str] = (),
    reader: DateReader | None = None,
    known: tuple[ParsedDates, ParsedDates] | None = None,
    default_currency: str | None = None,
) -> Built:
    """Validate the resolved tables and build the ledger's columns.

    ``reader`` carries the dates already read by the caller (so that one
    day/month order holds for the whole call), ``known`` the issue and due
    dates among them; ``default_currency`` is the currency of invoices
    without a ``currency`` column (EUR when not given). The steps run in
    the order of the module's rules; the id matching and the customer
    coding run on a second thread beside the dates and amounts.
    """
    _check_options(decimal=decimal, unknown_invoices=unknown_invoices)
    c = Columns()
    report = ValidationReport()
    n = inv.rows
    id_col, ids = invoice_ids(inv)
    payments = read_payments(pay)
    m, pid_col = payments.table.rows, payments.ids
    threaded = n + m >= THREADED_ROWS
    matched = Later(threaded, match_ids, id_col, pid_col)
    cust_col = id_column(inv.data("customer_id"))
    coded = Later(threaded, factorize_customers, cust_col, None, np.zeros(0, dtype=bool))
    # on the worker thread only: coded at once it would raise its error before the amounts'
    kinds = Later(True, read_kinds, payments.table, payments.names) if threaded else None

    # currencies (amounts are read at the finest currency's minor unit), dates, amounts
    found = read_currencies(inv, payments.table, ids, payments.names, default_currency)
    c.currency, c.digits = found.code, found.digits
    reader = reader if reader is not None else DateReader(date_format)
    dates = read_dates(reader, known, inv, ids, payments, (dis, sts, dbt))
    c.issue, c.due = dates.issue.days, dates.due.days
    amounts = read_amounts(inv, payments, dates.side, ids, found, decimal=decimal)
    c.amount, pamount, c.exact_float = amounts.invoices, amounts.payments, amounts.exact_float

    # settlement kinds, and everything of the date order that needs no invoice
    pkind = kinds.result() if kinds is not None else read_kinds(payments.table, payments.names)
    effective = application_days(dates, payments.names, report)
    by_date = DateOrder(effective, pamount, pkind, threaded)

    # invoices: unique ids, customers, due dates
    unique, ppos_all = matched.result()
    check_invoices(unique, id_col, cust_col, ids, c)
    c.ids = None
    c.id_source = id_col.retained()
    c.attrs = inv.attributes(exclude=tuple(exclude))

    # settlements: their invoice, currency and customer
    ppos = ppos_all if pid_col is not None else np.full(m, -1, dtype=np.int64)
    pay_table = payments.table
    pcust_col = id_column(pay_table.data("customer_id")) if pay_table.has("customer_id") else None
    pcust_null = pcust_col.null if pcust_col is not None else np.ones(m, dtype=bool)
    check_known_invoices(payments, ppos, unknown_invoices)
    unapplied = ppos < 0
    pay_currency = settlement_currencies(found, ppos, unapplied, payments.names)
    check_own_units(
        pamount,
        pay_currency,
        found,
        column="amount",
        ids=payments.names,
        data=pay_table.data("amount"),
    )
    check_unapplied(payments, ppos, pcust_null, pkind, dates, effective)
    c.customer, un_codes, c.customer_labels = code_customers(
        cust_col, pcust_col, pcust_null, ppos, payments.names, coded
    )
    del cust_col

    # the settlement columns in date order, settled per invoice (in input order:
    # payments often come grouped by invoice)
    c.settled = settled_per_invoice(
        c, np.where(unapplied, n, ppos) if unapplied.any() else ppos, pamount
    )
    del pamount
    by_date.finish(c, ppos, unapplied, un_codes)
    del ppos, by_date
    posted = dates.posted.days
    if effective is not posted and bool((effective != posted).any()):
        # posted before they settle their invoice: the customer's unapplied credit meanwhile
        c.settlement_posted = gather(posted, c.settlement_row, np.int64)
    derive_settlements(c, report)
    c.currencies = found.currencies
    c.invoice_currency = found.invoice
    c.per_item_currency = len(found.currencies) > 1
    c.settlement_currency = (
        gather(pay_currency, c.settlement_row, np.int16)
        if c.per_item_currency
        else np.zeros(m, dtype=np.int16)
    )

    # the side tables, linked to their invoices
    linked = {
        name: (table, names, invoice_positions(id_col, own, names, table))
        for name, (table, own, names) in dates.side.items()
    }
    build_disputes(c, linked.get("disputes"), dates.dated.get("disputes", []))
    build_statuses(c, linked.get("statuses"), dates.dated.get("statuses", []))
    build_doubtful(c, linked.get("doubtful"), dates.dated.get("doubtful", []), amounts.provision)
    return Built(c, report)


__all__ += ["Table", "build"]
