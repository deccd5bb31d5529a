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
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.columns import NO_END, PAYMENT, Columns, float_sums_exact
from creditkpi.core.errors import (
    DataQualityWarning,
    DueBeforeIssueError,
    DuplicateIdError,
    InvalidDateError,
    InvalidOptionError,
    InvalidValueError,
    MissingColumnError,
    MissingValueError,
    NonPositiveAmountError,
    NoSettlementsReadError,
    UnknownInvoiceError,
)
from creditkpi.core.ingest.amounts import check_total, parse_amounts
from creditkpi.core.ingest.columns import (
    ColumnMap,
    NameList,
    Names,
    Resolved,
    check_flat_mapping,
    check_mapping,
    dict_table,
    resolve,
    row_labels,
    settlement_date_columns,
    take,
    truthy,
)
from creditkpi.core.ingest.currencies import (
    check_own_units,
    distinct_text,
    read_currencies,
    settlement_currencies,
)
from creditkpi.core.ingest.dates import MISSING, DateReader, ParsedDates, date_values
from creditkpi.core.ingest.ids import (
    THREADED_ROWS,
    IdColumn,
    Later,
    duplicated_ids,
    factorize_customers,
    id_column,
    match_ids,
)
from creditkpi.core.ingest.limits import add_credit_inputs
from creditkpi.core.ingest.source import ColumnData, Table, take_values, to_table
from creditkpi.core.ingest.text import chunks
from creditkpi.core.money import currency_code
from creditkpi.core.records import (
    SETTLEMENT_KINDS,
    Cover,
    CreditLimit,
    Dispute,
    Doubtful,
    Invoice,
    Payment,
    StatusEvent,
    settlement_kind,
)
from creditkpi.core.validation import ValidationIssue, ValidationReport

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
    without a ``currency`` column (EUR when not given).
    """
    _check_options(decimal=decimal, unknown_invoices=unknown_invoices)
    c = Columns()
    report = ValidationReport()
    n = inv.rows

    # invoice ids ----------------------------------------------------------------
    # normalised on their native type: whole numbers stay numbers, strings stay
    # Arrow strings; Python objects only for the rows an error names
    id_col = id_column(inv.data("invoice_id"))
    rows = row_labels(n, "invoices")
    if id_col.null.any():
        where = np.flatnonzero(id_col.null)
        raise MissingValueError(
            f"{where.size} invoice(s) have no id",
            column="invoice_id",
            ids=list(rows[where[:5]]),
            count=int(where.size),
        )
    ids: NameList = Names(n, id_col.text)

    if pay is None:
        empty = {k: pd.Series([], dtype=object) for k in ("invoice_id", "date", "amount")}
        pay = resolve(dict_table(dict(empty), 0), "payments", check_mapping(None))
    m = pay.rows
    pid_col = id_column(pay.data("invoice_id")) if pay.has("invoice_id") else None
    threaded = n + m >= THREADED_ROWS
    matched = Later(threaded, match_ids, id_col, pid_col)
    cust_col = id_column(inv.data("customer_id"))
    coded = Later(threaded, factorize_customers, cust_col, None, np.zeros(0, dtype=bool))

    # payment names for messages: their invoice id, else "payments row k"
    prow = row_labels(m, "payments")
    pnull = pid_col.null if pid_col is not None else np.ones(m, dtype=bool)

    def payment_names(where: IntArray) -> npt.NDArray[Any]:
        if pid_col is None:
            return np.asarray(prow[where], dtype=object)
        return np.where(pnull[where], prow[where], pid_col.text(where))

    pnames = Names(m, payment_names)

    # currencies: amounts are read at the finest currency's minor unit ----------
    found = read_currencies(inv, pay, ids, pnames, default_currency)
    c.currency, c.digits = found.code, found.digits

    # dates of every table (one day/month order for the whole call) --------------
    reader = reader if reader is not None else DateReader(date_format)
    if known is None:
        issue = reader.read(inv.data("issue_date"), column="issue_date", ids=ids)
        due = reader.read(inv.data("due_date"), column="due_date", ids=ids)
    else:
        issue, due = known
    pdate = reader.read(pay.data("date"), column="date", ids=pnames)
    papplied = (
        reader.read(pay.data("applied"), column="applied", ids=pnames)
        if pay.has("applied")
        else None
    )
    side: dict[str, tuple[Resolved, IdColumn, NameList]] = {}
    dated: dict[str, list[ParsedDates]] = {}
    for table, columns in ((dis, ("opened", "resolved")), (sts, ("date",)), (dbt, ("date",))):
        if table is None or table.rows == 0:
            continue
        own, names = _side_ids(table)
        side[table.name] = (table, own, names)
        dated[table.name] = [
            reader.read(table.data(col), column=col, ids=names) for col in columns if table.has(col)
        ]
    reader.finish()
    for parsed in (issue, due, pdate, *(d for k, v in dated.items() for d in v)):
        if parsed.column == "resolved":
            continue
        _require_dates(parsed)
    c.issue, c.due = issue.days, due.days

    # amounts, and their total ---------------------------------------------------
    c.amount, _ = parse_amounts(
        inv.data("amount"), column="amount", ids=ids, digits=c.digits, decimal=decimal
    )
    pamount, _ = parse_amounts(
        pay.data("amount"), column="amount", ids=pnames, digits=c.digits, decimal=decimal
    )
    check_own_units(
        c.amount, found.invoice, found, column="amount", ids=ids, data=inv.data("amount")
    )
    provision = None
    if "doubtful" in side and side["doubtful"][0].has("provision"):
        table, _, names = side["doubtful"]
        provision, no_provision = parse_amounts(
            table.data("provision"),
            column="provision",
            ids=names,
            digits=c.digits,
            decimal=decimal,
            positive=False,
            optional=True,
        )
        negative = (provision < 0) & ~no_provision
        if negative.any():
            where = np.flatnonzero(negative)
            raise NonPositiveAmountError(
                f"{where.size} provision(s) are negative",
                column="provision",
                ids=list(names[where[:5]]),
                count=int(where.size),
                values=take_values(table.data("provision"), where[:5]),
            )
        provision = np.where(no_provision, -1, provision)
    total = check_total([c.amount, pamount])
    if provision is not None:
        check_total([c.amount, pamount, np.maximum(provision, 0)])
    # the engine sums in float64 while every partial sum is exact (ledger.Columns.exact_float)
    c.exact_float = float_sums_exact(total)

    # settlement kinds, and everything of the date order that needs no invoice ----
    pkind = _kinds(pay, pnames)
    # the day each settlement settles its invoice: its application date where the
    # payments give one (never before it was posted), else its date
    effective = pdate.days
    if papplied is not None:
        given = ~papplied.missing
        effective = np.where(given, np.maximum(papplied.days, pdate.days), pdate.days)
        early = np.flatnonzero(given & (papplied.days < pdate.days))
        if early.size:
            _warn(
                report,
                "applied-before-date",
                "payments",
                "applied",
                f"{early.size} settlement(s) are applied before their date (they apply from "
                "their date)",
                pnames[early],
                early,
            )
    by_date = _DateOrder(effective, pamount, pkind, threaded)

    # unique ids, customers, due dates -------------------------------------------
    unique, ppos_all = matched.result()
    if not unique:
        dup = duplicated_ids(id_col)
        raise DuplicateIdError(
            f"{len(dup)} invoice id(s) appear more than once",
            column="invoice_id",
            ids=dup,
        )
    if cust_col.null.any():
        where = np.flatnonzero(cust_col.null)
        raise MissingValueError(
            f"{where.size} invoice(s) have no customer",
            column="customer_id",
            ids=list(ids[where[:5]]),
            count=int(where.size),
        )
    bad = c.due < c.issue
    if bad.any():
        where = np.flatnonzero(bad)
        raise DueBeforeIssueError(
            f"{where.size} invoice(s) have due_date before issue_date",
            column="due_date",
            ids=list(ids[where[:5]]),
            count=int(where.size),
            values=[
                f"due {d} < issue {i}"
                for d, i in zip(
                    date_values(c.due[where[:5]]), date_values(c.issue[where[:5]]), strict=True
                )
            ],
        )
    c.ids = None
    c.id_source = id_col.retained()
    c.attrs = inv.attributes(exclude=tuple(exclude))

    # settlements ----------------------------------------------------------------
    ppos = ppos_all if pid_col is not None else np.full(m, -1, dtype=np.int64)
    unknown = (ppos < 0) & ~pnull
    if unknown.any() and unknown_invoices == "error":
        where = np.flatnonzero(unknown)
        raise UnknownInvoiceError(
            f"{where.size} settlement(s) refer to invoices that do not exist "
            "(pass unknown_invoices='unapplied' to keep them as unapplied cash)",
            column="invoice_id",
            ids=list(pnames[where[:5]]),
            count=int(where.size),
        )
    unapplied = ppos < 0
    pay_currency = settlement_currencies(found, ppos, unapplied, pnames)
    check_own_units(
        pamount, pay_currency, found, column="amount", ids=pnames, data=pay.data("amount")
    )
    pcust_col: IdColumn | None = (
        id_column(pay.data("customer_id")) if pay.has("customer_id") else None
    )
    pcust_null = pcust_col.null if pcust_col is not None else np.ones(m, dtype=bool)
    orphan = unapplied & pcust_null
    if orphan.any():
        where = np.flatnonzero(orphan)
        raise MissingValueError(
            f"{where.size} settlement(s) have neither a known invoice nor a customer",
            column="customer_id",
            ids=list(pnames[where[:5]]),
            count=int(where.size),
        )
    if papplied is not None:
        lost = unapplied & ~papplied.missing & (effective != pdate.days)
        if lost.any():
            where = np.flatnonzero(lost)
            raise InvalidValueError(
                f"{where.size} payment(s) have an application date but no invoice to apply to",
                column="applied",
                ids=list(pnames[where[:5]]),
                count=int(where.size),
                values=take_values(pay.data("applied"), where[:5]),
                rule="applied-without-invoice",
                hint="give their invoice_id, or leave applied empty for unapplied cash",
            )
    noncash = unapplied & (pkind != PAYMENT)
    if noncash.any():
        where = np.flatnonzero(noncash)
        raise InvalidValueError(
            f"{where.size} credit note(s) or write-off(s) have no invoice "
            "(only cash can be unapplied)",
            column="invoice_id",
            ids=list(pnames[where[:5]]),
            count=int(where.size),
            rule="unapplied-non-cash",
        )

    # customers: invoice customers first, then customers only seen in payments; a
    # payment applied to an invoice that names a customer must name the invoice's
    named = ~unapplied & ~pcust_null
    if pcust_col is not None and (unapplied.any() or named.any()):
        inv_codes, some_codes, labels = factorize_customers(cust_col, pcust_col, unapplied | named)
        coded_rows = np.flatnonzero(unapplied | named)
        if named.any():
            _check_payment_customers(
                inv_codes, some_codes, coded_rows, named, ppos, labels, pnames, pcust_col
            )
        un_codes = some_codes[unapplied[coded_rows]]
    else:
        inv_codes, un_codes, labels = coded.result()
    del cust_col
    c.customer = inv_codes
    c.customer_labels = labels
    # settled per invoice, in input order (payments often come grouped by invoice)
    c.settled = _settled(c, np.where(unapplied, n, ppos) if unapplied.any() else ppos, pamount)
    del pamount
    by_date.finish(c, ppos, unapplied, un_codes)
    del ppos, by_date
    if effective is not pdate.days and bool((effective != pdate.days).any()):
        # posted before they settle their invoice: the customer's unapplied credit meanwhile
        c.settlement_posted = gather(pdate.days, c.settlement_row, np.int64)

    _derive_settlements(c, report)
    c.currencies = found.currencies
    c.invoice_currency = found.invoice
    c.settlement_currency = gather(pay_currency, c.settlement_row, np.int16)
    c.per_item_currency = len(found.currencies) > 1
    linked = {
        name: (table, names, _lookup(id_col, own, names, table))
        for name, (table, own, names) in side.items()
    }
    _build_disputes(c, linked.get("disputes"), dated.get("disputes", []))
    _build_statuses(c, linked.get("statuses"), dated.get("statuses", []))
    _build_doubtful(c, linked.get("doubtful"), dated.get("doubtful", []), provision)
    return Built(c, report)


def _check_payment_customers(
    inv_codes: IntArray,
    codes: IntArray,
    rows: IntArray,
    named: BoolArray,
    ppos: IntArray,
    labels: npt.NDArray[Any],
    pnames: NameList,
    pcust: IdColumn,
) -> None:
    """A payment of an invoice that names a customer names the invoice's (never dropped)."""
    chosen = named[rows]
    where = rows[chosen]
    own = inv_codes[ppos[where]]
    wrong = codes[chosen] != own
    if not wrong.any():
        return
    bad = where[wrong]
    theirs = pcust.text(bad[:5])
    expected = labels[own[wrong][:5]]
    raise InvalidValueError(
        f"{bad.size} settlement(s) name a customer other than their invoice's",
        column="customer_id",
        ids=list(pnames[bad[:5]]),
        count=int(bad.size),
        values=[f"{t} (invoice: {e})" for t, e in zip(theirs, expected, strict=True)],
        rule="customer-mismatch",
        hint="correct the payments' customer_id, or leave it empty where the invoice is given "
        "(an applied payment is its invoice's customer's)",
    )


def stable_date_order(days: IntArray) -> IntArray:
    """``argsort(days, kind="stable")``; a radix sort when the dates span < 2**16 days."""
    if days.size and int(days.max()) - int(days.min()) < 2**16:
        first = int(days.min())
        keys = np.empty(days.size, dtype=np.uint16)
        for start, stop in chunks(days.size):
            np.subtract(days[start:stop], first, out=keys[start:stop], casting="unsafe")
        return np.argsort(keys, kind="stable")
    return np.argsort(days, kind="stable")


def _require_dates(parsed: ParsedDates) -> None:
    if parsed.missing.any():
        where = np.flatnonzero(parsed.missing)
        ids = parsed.ids
        raise InvalidDateError(
            f"{where.size} date(s) are missing",
            column=parsed.column,
            ids=[] if ids is None else list(ids[where[:5]]),
            count=int(where.size),
        )


def _kinds(pay: Resolved, pnames: NameList) -> npt.NDArray[np.int8]:
    """Settlement kind codes, normalised as a record's (:func:`settlement_kind`)."""
    m = pay.rows
    if not pay.has("kind"):
        return np.zeros(m, dtype=np.int8)
    data = pay.data("kind")
    codes, uniques = distinct_text(data)
    canon = [settlement_kind(u) for u in uniques]
    lookup = np.asarray(
        [SETTLEMENT_KINDS.index(k) if k is not None else -1 for k in canon] + [PAYMENT],
        dtype=np.int8,
    )
    out: npt.NDArray[np.int8] = lookup[codes]  # a missing kind (code -1): the last, payment
    bad = out < 0
    if bad.any():
        where = np.flatnonzero(bad)
        raise InvalidValueError(
            f"{where.size} settlement kind(s) are not one of {', '.join(SETTLEMENT_KINDS)}",
            column="kind",
            ids=list(pnames[where[:5]]),
            count=int(where.size),
            values=take_values(data, where[:5]),
        )
    return out


class _DateOrder:
    """The settlement columns in date order (stable), built in two steps.

    Sorting is a few random gathers of ``m`` values each, the costliest memory
    traffic of ingestion. The first step (here, while the ids are still being
    matched on worker threads) sorts what needs no invoice: the order itself
    (``settlement_row``), the dates (from the sorted day counts, no gather),
    amounts and kinds. :meth:`finish` gathers the invoice, the customer and
    each settlement's age against its invoice, on two threads. Gathers read
    32-bit copies wherever the numbers fit and write chunk by chunk into the
    final columns (:func:`gather`): no full-size temporary.
    """

    def __init__(
        self, days: IntArray, amount: IntArray, kind: npt.NDArray[np.int8], threaded: bool
    ):
        m = days.shape[0]
        self.threaded = threaded
        self.order = stable_date_order(days)
        if m and int(days.max()) - int(days.min()) < 2**16:
            first = int(days.min())
            counts = np.bincount(days - first)
            self.days = np.repeat(np.arange(first, first + counts.size, dtype=np.int64), counts)
        else:
            self.days = days[self.order]
        self.amount = gather(_narrow(amount), self.order, np.int64)
        self.kind = gather(kind, self.order, np.int8)

    def finish(
        self, c: Columns, ppos: IntArray, unapplied: BoolArray, unapplied_customer: IntArray
    ) -> None:
        n, m = c.n_invoices, self.order.shape[0]
        order = self.order
        c.settlement_row = order
        c.settlement_date = self.days
        c.settlement_amount = self.amount
        c.settlement_kind = self.kind
        has_unapplied = bool(unapplied.any())
        where = np.where(unapplied, -1, ppos) if has_unapplied else ppos
        c.settlement_invoice = gather(_narrow(where, low=-1), order, np.int64)
        inv = c.settlement_invoice
        if n == 0 or m == 0:  # no invoices: every settlement is unapplied cash
            c.settlement_customer = _scatter_unapplied(m, unapplied, unapplied_customer)[order]
            c.settlement_age_days = np.zeros(m, dtype=np.int32)
            c.settlement_days_past_due = np.zeros(m, dtype=np.int32)
            return
        safe = np.maximum(inv, 0) if has_unapplied else inv

        def customers() -> IntArray:
            if has_unapplied:
                scust = _scatter_unapplied(m, unapplied, unapplied_customer)
                applied = ~unapplied
                scust[applied] = c.customer[ppos[applied]]
                return scust[order]
            return gather(_narrow(c.customer), inv, np.int64)

        def ages() -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
            """Settlement day minus issue day and minus due day: one random read per row."""
            since_issue = np.empty(m, dtype=np.int32)
            past_due = np.empty(m, dtype=np.int32)
            if _fits_int32(c.issue) and _fits_int32(c.due):
                # both days of an invoice in one 64-bit word: one gather for the two
                pair = np.empty((n, 2), dtype=np.int32)
                pair[:, 0], pair[:, 1] = c.issue, c.due
                words = pair.view(np.int64).reshape(n)
                for start, stop in chunks(m):
                    read = words[safe[start:stop]].view(np.int32).reshape(-1, 2)
                    day = self.days[start:stop]
                    since_issue[start:stop] = day - read[:, 0]
                    past_due[start:stop] = day - read[:, 1]
            else:
                for start, stop in chunks(m):
                    where, day = safe[start:stop], self.days[start:stop]
                    since_issue[start:stop] = day - c.issue[where]
                    past_due[start:stop] = day - c.due[where]
            if has_unapplied:
                since_issue[inv < 0] = 0
                past_due[inv < 0] = 0
            return since_issue, past_due

        by_customer = Later(self.threaded, customers)
        c.settlement_age_days, c.settlement_days_past_due = ages()
        c.settlement_customer = by_customer.result()


def _fits_int32(values: npt.NDArray[Any]) -> bool:
    return bool(values.size == 0 or (values.min() >= -(2**31) and values.max() < 2**31))


def _narrow(values: npt.NDArray[Any], low: int = 0) -> npt.NDArray[Any]:
    """A 32-bit copy of ``values`` when they fit (random gathers then move half the bytes)."""
    if values.dtype.itemsize <= 4 or values.size == 0:
        return values
    if int(values.min()) >= max(low, -(2**31)) and int(values.max()) < 2**31:
        return values.astype(np.int32)
    return values


def gather(source: npt.NDArray[Any], index: IntArray, dtype: Any) -> npt.NDArray[Any]:
    """``source[index]`` as ``dtype``, written chunk by chunk (bounded temporaries)."""
    out = np.empty(index.shape[0], dtype=dtype)
    for start, stop in chunks(index.shape[0]):
        out[start:stop] = source[index[start:stop]]
    return out


def _settled(c: Columns, index: IntArray, amount: IntArray) -> IntArray:
    """Per invoice, the sum of its settlements (index ``n``: unapplied cash, left out)."""
    n = c.n_invoices
    if not c.exact_float:
        return c.bin_sum(index, amount, n + 1)[:n]
    if index.size == 0:
        return np.zeros(n, dtype=np.int64)
    total = np.bincount(index, weights=amount, minlength=n + 1)[:n]
    np.rint(total, out=total)
    return total.astype(np.int64)


def _scatter_unapplied(m: int, unapplied: BoolArray, customer: IntArray) -> IntArray:
    out = np.full(m, -1, dtype=np.int64)
    out[unapplied] = customer
    return out


def _derive_settlements(c: Columns, report: ValidationReport) -> None:
    """The two warning rules, on the columns the builder made."""
    over = c.settled > c.amount
    if over.any():
        where = np.flatnonzero(over)
        _warn(
            report,
            "overpaid-invoice",
            "invoices",
            "amount",
            f"{where.size} invoice(s) are settled for more than their amount",
            c.invoice_ids[where],
            where,
        )
    early = c.settlement_age_days < 0
    c.settled_before_issue = np.flatnonzero(early)
    if c.settled_before_issue.size:
        where = c.settled_before_issue
        _warn(
            report,
            "settlement-before-issue",
            "payments",
            "date",
            f"{where.size} settlement(s) are dated before their invoice's issue date "
            "(they count from the issue date)",
            c.invoice_ids[c.settlement_invoice[where]],
            c.settlement_row[where],
        )


def _warn(
    report: ValidationReport,
    rule: str,
    table: str,
    column: str,
    message: str,
    ids: npt.NDArray[Any],
    rows: npt.NDArray[Any],
) -> None:
    issue = ValidationIssue(
        rule, table, column, message, tuple(ids.tolist()), tuple(int(r) for r in rows)
    )
    report.issues.append(issue)
    warnings.warn(f"{issue} — see Ledger.report", DataQualityWarning, stacklevel=6)


def _side_ids(table: Resolved) -> tuple[IdColumn, NameList]:
    """The invoice ids of a side table (disputes, statuses, doubtful) and its row names."""
    own = id_column(table.data("invoice_id"))
    labels = row_labels(table.rows, table.name)

    def names_of(where: IntArray) -> npt.NDArray[Any]:
        return np.where(own.null[where], labels[where], own.text(where))

    if own.null.any():
        where = np.flatnonzero(own.null)
        raise MissingValueError(
            f"{where.size} {table.name} row(s) have no invoice id",
            column="invoice_id",
            ids=list(labels[where[:5]]),
            count=int(where.size),
        )
    return own, Names(table.rows, names_of)


def _lookup(id_col: IdColumn, own: IdColumn, names: NameList, table: Resolved) -> IntArray:
    """Invoice positions of a side table's rows (an unknown id is an error)."""
    _, pos = match_ids(id_col, own)
    if (pos < 0).any():
        where = np.flatnonzero(pos < 0)
        raise UnknownInvoiceError(
            f"{where.size} {table.name} row(s) refer to invoices that do not exist",
            column="invoice_id",
            ids=list(names[where[:5]]),
            count=int(where.size),
        )
    return pos


def _build_disputes(
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


def _build_statuses(
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


def _build_doubtful(
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


__all__ += ["Table", "build", "stable_date_order"]
