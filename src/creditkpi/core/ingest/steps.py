"""The builder's steps: each reads or checks one thing, in the documented order.

:func:`~creditkpi.core.ingest.build.build` calls them in the order of the
rules listed in :mod:`creditkpi.core.ingest.build`: the invoice ids, the
payments and their names for messages, every table's dates, the amounts
and their total, the settlement kinds and application days, the invoice
rules, the settlement rules, the customer codes. Each raises the rule's
error naming the column, the first offending ids and values, and the
option that fixes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.columns import PAYMENT, Columns, float_sums_exact
from creditkpi.core.errors import (
    DueBeforeIssueError,
    DuplicateIdError,
    InvalidValueError,
    MissingValueError,
    NonPositiveAmountError,
    UnknownInvoiceError,
)
from creditkpi.core.ingest.amounts import check_total, parse_amounts
from creditkpi.core.ingest.columns import (
    NameList,
    Names,
    Resolved,
    check_mapping,
    dict_table,
    resolve,
    row_labels,
)
from creditkpi.core.ingest.currencies import (
    CurrencyCodes,
    check_own_units,
    distinct_text,
)
from creditkpi.core.ingest.dates import DateReader, ParsedDates, date_values
from creditkpi.core.ingest.ids import (
    IdColumn,
    Later,
    duplicated_ids,
    factorize_customers,
    id_column,
)
from creditkpi.core.ingest.settlements import (
    warn_issue,
)
from creditkpi.core.ingest.side_tables import (
    side_ids,
)
from creditkpi.core.ingest.source import take_values
from creditkpi.core.records import (
    SETTLEMENT_KINDS,
    settlement_kind,
)
from creditkpi.core.validation import ValidationReport

__all__ = [
    "Amounts",
    "Dates",
    "Payments",
    "application_days",
    "check_invoices",
    "check_known_invoices",
    "check_unapplied",
    "code_customers",
    "invoice_ids",
    "read_amounts",
    "read_dates",
    "read_kinds",
    "read_payments",
    "unknown_settlements",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class Payments(NamedTuple):
    """The payments table with what the checks need to name its rows."""

    table: Resolved
    ids: IdColumn | None
    no_id: BoolArray
    names: NameList


def read_payments(pay: Resolved | None) -> Payments:
    """The payments (an empty table when none were given) and their names for messages.

    A payment is named by its invoice id, else ``payments row k``.
    """
    if pay is None:
        empty = {k: pd.Series([], dtype=object) for k in ("invoice_id", "date", "amount")}
        pay = resolve(dict_table(dict(empty), 0), "payments", check_mapping(None))
    m = pay.rows
    pid_col = id_column(pay.data("invoice_id")) if pay.has("invoice_id") else None
    prow = row_labels(m, "payments")
    pnull = pid_col.null if pid_col is not None else np.ones(m, dtype=bool)

    def payment_names(where: IntArray) -> npt.NDArray[Any]:
        if pid_col is None:
            return np.asarray(prow[where], dtype=object)
        return np.where(pnull[where], prow[where], pid_col.text(where))

    return Payments(pay, pid_col, pnull, Names(m, payment_names))


def invoice_ids(inv: Resolved) -> tuple[IdColumn, NameList]:
    """The invoice ids on their native type (rule: every invoice has an id)."""
    # whole numbers stay numbers, strings stay Arrow strings; Python objects only
    # for the rows an error names
    id_col = id_column(inv.data("invoice_id"))
    if id_col.null.any():
        where = np.flatnonzero(id_col.null)
        raise MissingValueError(
            f"{where.size} invoice(s) have no id",
            column="invoice_id",
            ids=list(row_labels(inv.rows, "invoices")[where[:5]]),
            count=int(where.size),
        )
    return id_col, Names(inv.rows, id_col.text)


class Dates(NamedTuple):
    """Every table's dates, read with one day/month order."""

    issue: ParsedDates
    due: ParsedDates
    posted: ParsedDates
    applied: ParsedDates | None
    side: dict[str, tuple[Resolved, IdColumn, NameList]]
    dated: dict[str, list[ParsedDates]]


def read_dates(
    reader: DateReader,
    known: tuple[ParsedDates, ParsedDates] | None,
    inv: Resolved,
    ids: NameList,
    pay: Payments,
    tables: tuple[Resolved | None, Resolved | None, Resolved | None],
) -> Dates:
    """Read the dates of every table; refuse a missing one where it is required."""
    if known is None:
        issue = reader.read(inv.data("issue_date"), column="issue_date", ids=ids)
        due = reader.read(inv.data("due_date"), column="due_date", ids=ids)
    else:
        issue, due = known
    table, names = pay.table, pay.names
    posted = reader.read(table.data("date"), column="date", ids=names)
    applied = (
        reader.read(table.data("applied"), column="applied", ids=names)
        if table.has("applied")
        else None
    )
    side: dict[str, tuple[Resolved, IdColumn, NameList]] = {}
    dated: dict[str, list[ParsedDates]] = {}
    dis, sts, dbt = tables
    for other, columns in ((dis, ("opened", "resolved")), (sts, ("date",)), (dbt, ("date",))):
        if other is None or other.rows == 0:
            continue
        own, own_names = side_ids(other)
        side[other.name] = (other, own, own_names)
        dated[other.name] = [
            reader.read(other.data(col), column=col, ids=own_names)
            for col in columns
            if other.has(col)
        ]
    reader.finish()
    for parsed in (issue, due, posted, *(d for v in dated.values() for d in v)):
        if parsed.column != "resolved":
            parsed.require()
    return Dates(issue, due, posted, applied, side, dated)


class Amounts(NamedTuple):
    invoices: IntArray
    payments: IntArray
    provision: IntArray | None
    exact_float: bool


def read_amounts(
    inv: Resolved,
    pay: Payments,
    side: dict[str, tuple[Resolved, IdColumn, NameList]],
    ids: NameList,
    found: CurrencyCodes,
    *,
    decimal: str | None,
) -> Amounts:
    """The amounts in minor units, each a whole unit of its currency, and their total."""
    digits = found.digits
    amount, _ = parse_amounts(
        inv.data("amount"), column="amount", ids=ids, digits=digits, decimal=decimal
    )
    pamount, _ = parse_amounts(
        pay.table.data("amount"), column="amount", ids=pay.names, digits=digits, decimal=decimal
    )
    check_own_units(amount, found.invoice, found, column="amount", ids=ids, data=inv.data("amount"))
    provision = None
    if "doubtful" in side and side["doubtful"][0].has("provision"):
        provision = _provisions(*side["doubtful"][::2], digits=digits, decimal=decimal)
    total = check_total([amount, pamount])
    if provision is not None:
        check_total([amount, pamount, np.maximum(provision, 0)])
    # the engine sums in float64 while every partial sum is exact (Columns.exact_float)
    return Amounts(amount, pamount, provision, float_sums_exact(total))


def _provisions(table: Resolved, names: NameList, *, digits: int, decimal: str | None) -> IntArray:
    """The doubtful table's provisions (-1 where none is given; rule: none negative)."""
    provision, no_provision = parse_amounts(
        table.data("provision"),
        column="provision",
        ids=names,
        digits=digits,
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
    return np.where(no_provision, -1, provision)


def application_days(dates: Dates, names: NameList, report: ValidationReport) -> IntArray:
    """The day each settlement settles its invoice.

    Its application date where the payments give one (never before it was
    posted: a warning), else its date.
    """
    posted, applied = dates.posted, dates.applied
    if applied is None:
        return posted.days
    given = ~applied.missing
    early = np.flatnonzero(given & (applied.days < posted.days))
    if early.size:
        warn_issue(
            report,
            "applied-before-date",
            "payments",
            "applied",
            f"{early.size} settlement(s) are applied before their date (they apply from "
            "their date)",
            names[early],
            early,
        )
    return np.where(given, np.maximum(applied.days, posted.days), posted.days)


def check_invoices(
    unique: bool, id_col: IdColumn, cust_col: IdColumn, ids: NameList, c: Columns
) -> None:
    """Rules on the invoices: unique ids, a customer each, due on or after issue."""
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


def check_known_invoices(pay: Payments, ppos: IntArray, unknown_invoices: str) -> None:
    """Rule: a settlement's invoice id exists (unless ``unknown_invoices="unapplied"``)."""
    unknown = (ppos < 0) & ~pay.no_id
    if unknown.any() and unknown_invoices == "error":
        where = np.flatnonzero(unknown)
        raise unknown_settlements(list(pay.names[where[:5]]), int(where.size))


def unknown_settlements(ids: Sequence[object], count: int) -> UnknownInvoiceError:
    """The error of ``count`` settlements naming invoices that do not exist (``ids``: the first)."""
    return UnknownInvoiceError(
        f"{count} settlement(s) refer to invoices that do not exist "
        "(pass unknown_invoices='unapplied' to keep them as unapplied cash)",
        column="invoice_id",
        ids=ids,
        count=count,
    )


def check_unapplied(
    pay: Payments,
    ppos: IntArray,
    pcust_null: BoolArray,
    pkind: npt.NDArray[np.int8],
    dates: Dates,
    effective: IntArray,
) -> None:
    """Rules on settlements without an invoice (``ppos`` -1): unapplied cash only.

    It names a customer; it has no application date; it is no credit note
    or write-off.
    """
    names = pay.names
    unapplied = ppos < 0
    orphan = unapplied & pcust_null
    if orphan.any():
        where = np.flatnonzero(orphan)
        raise MissingValueError(
            f"{where.size} settlement(s) have neither a known invoice nor a customer",
            column="customer_id",
            ids=list(names[where[:5]]),
            count=int(where.size),
        )
    if dates.applied is not None:
        lost = unapplied & ~dates.applied.missing & (effective != dates.posted.days)
        if lost.any():
            where = np.flatnonzero(lost)
            raise InvalidValueError(
                f"{where.size} payment(s) have an application date but no invoice to apply to",
                column="applied",
                ids=list(names[where[:5]]),
                count=int(where.size),
                values=take_values(pay.table.data("applied"), where[:5]),
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
            ids=list(names[where[:5]]),
            count=int(where.size),
            rule="unapplied-non-cash",
        )


def code_customers(
    cust_col: IdColumn,
    pcust_col: IdColumn | None,
    pcust_null: BoolArray,
    ppos: IntArray,
    names: NameList,
    coded: Later,
) -> tuple[IntArray, IntArray, Any]:
    """Customer codes of the invoices and of the unapplied settlements, and the labels.

    Invoice customers first, then customers only seen in payments; a payment
    applied to an invoice that names a customer must name the invoice's.
    """
    unapplied = ppos < 0
    named = ~unapplied & ~pcust_null
    if pcust_col is None or not (unapplied.any() or named.any()):
        inv_codes, un_codes, labels = coded.result()
        return inv_codes, un_codes, labels
    inv_codes, some_codes, labels = factorize_customers(cust_col, pcust_col, unapplied | named)
    coded_rows = np.flatnonzero(unapplied | named)
    if named.any():
        _check_payment_customers(
            inv_codes, some_codes, coded_rows, named, ppos, labels, names, pcust_col
        )
    return inv_codes, some_codes[unapplied[coded_rows]], labels


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


def read_kinds(pay: Resolved, pnames: NameList) -> npt.NDArray[np.int8]:
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
