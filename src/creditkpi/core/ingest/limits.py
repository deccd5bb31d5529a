"""Reading credit limits and credit-insurance cover into a ledger's columns.

Both are customer-level inputs, read from records (:class:`~creditkpi.CreditLimit`,
:class:`~creditkpi.Cover`) or from tables, after the invoices and settlements
(the customers they name must be the ledger's). :func:`add_credit_inputs` is
the one call a builder makes; every rule raises a named
:class:`~creditkpi.CreditKPIError`:

* limits (``customer_id, date, amount``): a missing customer or date, an
  unknown customer (``unknown-customer``), a negative amount
  (``negative-amount``), two limits of one customer on one day
  (``duplicate-limit``);
* cover (``customer_id, start, amount`` [``end, share, declare_within,
  insurer``]): the same, an end before the start (``end-before-start``), a
  share outside (0, 1] (``share-out-of-range``), a deadline that is not a
  whole number of days >= 0 (``invalid-deadline``), and two covers of one
  insurer for one buyer that overlap (``overlapping-cover``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.columns import NO_END, Columns
from creditkpi.core.errors import (
    InvalidAmountError,
    InvalidDateError,
    InvalidValueError,
    MissingValueError,
    OverlappingCoverError,
    UnknownCustomerError,
)
from creditkpi.core.ingest.amounts import check_total, parse_amounts
from creditkpi.core.ingest.columns import Names, Resolved, check_mapping, resolve, row_label
from creditkpi.core.ingest.dates import DateReader, ParsedDates, date_values
from creditkpi.core.ingest.ids import id_column
from creditkpi.core.ingest.source import take_values, to_table
from creditkpi.core.records import Cover, CreditLimit

__all__ = [
    "SHARE_DIGITS",
    "add_credit_inputs",
    "cover_frame",
    "limit_frame",
    "missing_customers",
    "unknown_customers",
    "with_credit",
]

IntArray = npt.NDArray[np.int64]

#: decimal places of a cover share (stored in millionths: 900000 = 90 %)
SHARE_DIGITS = 6
#: the share of a cover that does not give one
DEFAULT_SHARE = 900_000


def limit_frame(records: Iterable[CreditLimit]) -> pd.DataFrame:
    """The table of :class:`~creditkpi.CreditLimit` records (canonical columns)."""
    rows = list(records)
    return pd.DataFrame(
        {
            "customer_id": pd.Series([r.customer for r in rows], dtype=object),
            "date": pd.Series([r.date for r in rows], dtype=object),
            "amount": pd.Series([r.amount for r in rows], dtype=object),
        }
    )


def cover_frame(records: Iterable[Cover]) -> pd.DataFrame:
    """The table of :class:`~creditkpi.Cover` records (canonical columns)."""
    rows = list(records)

    def column(values: Iterable[Any]) -> pd.Series:
        return pd.Series(list(values), dtype=object)

    return pd.DataFrame(
        {
            "customer_id": column(r.customer for r in rows),
            "start": column(r.start for r in rows),
            "amount": column(r.amount for r in rows),
            "end": column(r.end for r in rows),
            "share": column(r.share for r in rows),
            "declare_within": column(r.declare_within for r in rows),
            "insurer": column(r.insurer for r in rows),
        }
    )


def add_credit_inputs(
    c: Columns,
    limits: Any = None,
    cover: Any = None,
    *,
    columns: Any = None,
    date_format: str | None = None,
    decimal: str | None = None,
) -> None:
    """Read ``limits`` and ``cover`` (tables or records; ``None``: not given) into ``c``.

    ``c`` holds the validated invoices and settlements (its customers are
    the ones the limits and covers may name); ``columns``, ``date_format``
    and ``decimal`` are the builder's.
    """
    if _given(limits):
        c.limit_customer, c.limit_date, c.limit_amount = _limits(
            c, _table(limits, "limits", columns), date_format, decimal
        )
    if _given(cover):
        (
            c.cover_customer,
            c.cover_start,
            c.cover_end,
            c.cover_amount,
            c.cover_share,
            c.cover_declare,
            c.cover_insurer,
        ) = _cover(c, _table(cover, "cover", columns), date_format, decimal)


def with_credit(
    cols: Columns,
    limits: Any = None,
    cover: Any = None,
    *,
    columns: Any = None,
    date_format: str | None = None,
    decimal: str | None = None,
) -> Columns:
    """:meth:`Ledger.with_credit` (see there): new columns, ``cols`` unchanged."""
    c = copy.copy(cols)
    c.__dict__.pop("float_view", None)  # cached views are recomputed, never shared
    c.__dict__.pop("closing_days", None)
    add_credit_inputs(c, limits, cover, columns=columns, date_format=date_format, decimal=decimal)
    return c


def _given(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, (list, tuple)):
        return len(value) > 0
    return True


def _table(value: Any, name: str, columns: Any) -> Resolved:
    """A table (or records) resolved to its canonical columns."""
    if isinstance(value, (list, tuple)) or (
        not hasattr(value, "columns") and not hasattr(value, "column_names")
    ):
        items = list(value)
        kind = CreditLimit if name == "limits" else Cover
        wrong = [i for i in items if not isinstance(i, kind)]
        if wrong:
            raise TypeError(
                f"{name} must be a table or {kind.__name__} records, got a "
                f"{type(wrong[0]).__name__}"
            )
        value = limit_frame(items) if name == "limits" else cover_frame(items)
    return resolve(to_table(value, name), name, check_mapping(columns))


def _customers(c: Columns, table: Resolved) -> tuple[IntArray, npt.NDArray[Any]]:
    """Customer codes of a table's rows (into ``c.customer_labels``) and their ids as text."""
    own = id_column(table.data("customer_id"))
    rows = np.arange(table.rows, dtype=np.int64)
    if own.null.any():
        where = np.flatnonzero(own.null)
        labels = [row_label(table.name, k) for k in where[:5].tolist()]
        raise missing_customers(table.name, labels, int(where.size))
    text = own.text(rows) if table.rows else np.zeros(0, dtype=object)
    codes = pd.Index(c.customer_labels, dtype=object).get_indexer(pd.Index(text, dtype=object))
    unknown = codes < 0
    if unknown.any():
        where = np.flatnonzero(unknown)
        raise unknown_customers(table.name, list(text[where[:5]]), int(where.size))
    return np.asarray(codes, dtype=np.int64), np.asarray(text, dtype=object)


def missing_customers(table: str, rows: Sequence[object], count: int) -> MissingValueError:
    """The error of ``count`` rows of ``limits`` or ``cover`` without a customer (``rows``: the first)."""
    return MissingValueError(
        f"{count} {table} row(s) have no customer", column="customer_id", ids=rows, count=count
    )


def unknown_customers(table: str, ids: Sequence[object], count: int) -> UnknownCustomerError:
    """The error of ``count`` rows of ``limits`` or ``cover`` naming customers the ledger lacks."""
    return UnknownCustomerError(
        f"{count} {table} row(s) name customers the ledger does not hold (no "
        "invoice and no unapplied cash)",
        column="customer_id",
        ids=ids,
        count=count,
        hint="check the customer ids match the invoices' (same spelling), or drop the rows",
    )


def _dates(
    table: Resolved, names: npt.NDArray[Any], date_format: str | None, wanted: tuple[str, ...]
) -> dict[str, ParsedDates]:
    reader = DateReader(date_format)
    out = {
        col: reader.read(table.data(col), column=col, ids=names) for col in wanted if table.has(col)
    }
    reader.finish()
    return out


def _required(parsed: ParsedDates, names: npt.NDArray[Any]) -> IntArray:
    if parsed.missing.any():
        where = np.flatnonzero(parsed.missing)
        raise InvalidDateError(
            f"{where.size} date(s) are missing",
            column=parsed.column,
            ids=list(names[where[:5]]),
            count=int(where.size),
        )
    return parsed.days


def _amounts(
    table: Resolved, names: npt.NDArray[Any], digits: int, decimal: str | None, what: str
) -> IntArray:
    """Amounts >= 0 in minor units (zero allowed: "no credit", "cover refused")."""
    cents, _ = parse_amounts(
        table.data("amount"),
        column="amount",
        ids=Names(len(names), lambda rows: names[rows]),
        digits=digits,
        decimal=decimal,
        positive=False,
    )
    negative = cents < 0
    if negative.any():
        where = np.flatnonzero(negative)
        raise InvalidAmountError(
            f"{where.size} {what} amount(s) are negative",
            column="amount",
            ids=list(names[where[:5]]),
            count=int(where.size),
            values=take_values(table.data("amount"), where[:5]),
            rule="negative-amount",
            hint=f"a {what} is an amount >= 0 (0: no credit)",
        )
    check_total([cents])
    return cents


def _limits(
    c: Columns, table: Resolved, date_format: str | None, decimal: str | None
) -> tuple[IntArray, IntArray, IntArray]:
    customer, names = _customers(c, table)
    day = _required(_dates(table, names, date_format, ("date",))["date"], names)
    amount = _amounts(table, names, c.digits, decimal, "credit limit")
    order = np.lexsort((np.arange(table.rows), day, customer))
    customer, day, amount = customer[order], day[order], amount[order]
    twice = np.flatnonzero((customer[1:] == customer[:-1]) & (day[1:] == day[:-1])) + 1
    if twice.size:
        shown = names[order][twice[:5]]
        raise InvalidValueError(
            f"{twice.size} credit limit(s) are dated on a day the customer already has one",
            column="date",
            ids=list(shown),
            count=int(twice.size),
            values=date_values(day[twice[:5]]),
            rule="duplicate-limit",
            hint="keep one limit per customer and day (each limit applies from its date on)",
        )
    return customer, day, amount


def _cover(
    c: Columns, table: Resolved, date_format: str | None, decimal: str | None
) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray, IntArray, npt.NDArray[Any]]:
    customer, names = _customers(c, table)
    ids = Names(len(names), lambda rows: names[rows])
    dated = _dates(table, names, date_format, ("start", "end"))
    start = _required(dated["start"], names)
    end = np.full(table.rows, NO_END, dtype=np.int64)
    if "end" in dated:
        end = np.where(dated["end"].missing, NO_END, dated["end"].days)
    bad = end < start
    if bad.any():
        where = np.flatnonzero(bad)
        raise InvalidDateError(
            f"{where.size} cover(s) end before they start",
            column="end",
            ids=list(names[where[:5]]),
            count=int(where.size),
            values=[
                f"end {e} < start {s}"
                for e, s in zip(
                    date_values(end[where[:5]]), date_values(start[where[:5]]), strict=True
                )
            ],
            rule="end-before-start",
        )
    amount = _amounts(table, names, c.digits, decimal, "cover")
    share = np.full(table.rows, DEFAULT_SHARE, dtype=np.int64)
    if table.has("share"):
        given, missing = parse_amounts(
            table.data("share"),
            column="share",
            ids=ids,
            digits=SHARE_DIGITS,
            decimal=decimal,
            positive=False,
            optional=True,
        )
        share = np.where(missing, DEFAULT_SHARE, given)
        outside = (share <= 0) | (share > 10**SHARE_DIGITS)
        if outside.any():
            where = np.flatnonzero(outside)
            raise InvalidValueError(
                f"{where.size} cover share(s) are outside (0, 1]",
                column="share",
                ids=list(names[where[:5]]),
                count=int(where.size),
                values=take_values(table.data("share"), where[:5]),
                rule="share-out-of-range",
                hint="a share is the fraction of a loss the insurer pays: 0.9 for 90 %",
            )
    declare = np.full(table.rows, -1, dtype=np.int64)
    if table.has("declare_within"):
        days, missing = parse_amounts(
            table.data("declare_within"),
            column="declare_within",
            ids=ids,
            digits=0,
            decimal=decimal,
            positive=False,
            optional=True,
        )
        if (days[~missing] < 0).any():
            where = np.flatnonzero(~missing & (days < 0))
            raise InvalidValueError(
                f"{where.size} declaration deadline(s) are negative",
                column="declare_within",
                ids=list(names[where[:5]]),
                count=int(where.size),
                values=take_values(table.data("declare_within"), where[:5]),
                rule="invalid-deadline",
                hint="declare_within is a whole number of days after the due date, >= 0",
            )
        declare = np.where(missing, -1, days)
    insurer = np.full(table.rows, "", dtype=object)
    if table.has("insurer"):
        text = pd.Series(take_values(table.data("insurer"), np.arange(table.rows)), dtype=object)
        insurer = text.fillna("").astype(str).str.strip().to_numpy(dtype=object)
    order = np.lexsort((np.arange(table.rows), start, customer))
    customer, start, end, amount = customer[order], start[order], end[order], amount[order]
    share, declare, insurer, names = share[order], declare[order], insurer[order], names[order]
    _no_overlap(customer, start, end, insurer, names)
    return customer, start, end, amount, share, declare, insurer


def _no_overlap(
    customer: IntArray,
    start: IntArray,
    end: IntArray,
    insurer: npt.NDArray[Any],
    names: npt.NDArray[Any],
) -> None:
    """Two covers of one insurer for one buyer may not share a day."""
    codes = pd.factorize(pd.Series(insurer, dtype=object))[0].astype(np.int64)
    order = np.lexsort((start, codes, customer))
    same = (customer[order][1:] == customer[order][:-1]) & (codes[order][1:] == codes[order][:-1])
    reach = end[order][:-1]
    if same.size:
        # the latest end so far of each (customer, insurer) run: covers sorted by start
        run = np.concatenate([[0], np.cumsum(~same)])
        reach = pd.Series(end[order]).groupby(run).cummax().to_numpy(dtype=np.int64)[:-1]
    overlap = np.flatnonzero(same & (start[order][1:] <= reach)) + 1
    if overlap.size:
        rows = order[overlap]
        raise OverlappingCoverError(
            f"{overlap.size} cover(s) overlap an earlier cover of the same insurer for the "
            "same customer",
            column="start",
            ids=list(names[rows[:5]]),
            count=int(overlap.size),
            values=[
                f"{insurer[r] or '(no insurer)'} from {d}"
                for r, d in zip(rows[:5], date_values(start[rows[:5]]), strict=True)
            ],
            hint="end the earlier cover the day before the next one starts (or name the insurers)",
        )
