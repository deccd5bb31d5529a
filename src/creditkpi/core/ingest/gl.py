"""General-ledger customer lines with a matching (clearing, lettering) reference into a ledger.

An accounting system does not keep "invoices and payments": it keeps entry
lines on the customer accounts, a debit for what the customer owes (an
invoice), a credit for what reduces it (a payment, a credit note, a
write-off), and a *matching* reference that ties credits to the debits they
settle: the lettering code of a French FEC (``EcritureLet``), SAP's clearing
document, Odoo's matching number. This module turns such lines into the
invoice and settlement tables of :meth:`~creditkpi.Ledger.from_frames`, which
then checks and builds the ledger as it does for any table.

The rules (the *From your accounting system* page of the documentation):

* a debit line is an invoice (its document id, customer, date and amount);
* a credit line is a settlement of its kind (payment by default);
* within one matching reference and customer, credits are applied in date
  order to the debits in date order (oldest invoice first); what a credit
  has left once the group's debits are settled is unapplied cash of the
  customer; a group whose lines do not balance (a partial match) is applied
  the same way, its debits stay open for what the credits do not cover;
* a credit with no matching reference is unapplied cash of its customer (a
  ledger only holds cash unapplied, so an unmatched credit note or write-off
  is carried as the customer's unapplied credit), and so is every credit of
  an extract without debits;
* with an application date (the clearing date, an FEC's ``DateLet``), a
  credit settles its invoices from it and is its customer's unapplied credit
  from its own date until then;
* lines of several fiscal years (an FEC per year) are settled year after
  year, the items an opening line carries at the head of its group
  (:class:`Carry`);
* the due date is ``due_date`` where the lines have one, else the invoice's
  entry in ``due_dates``, else its date plus ``terms`` days.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.errors import (
    DataQualityWarning,
    InvalidOptionError,
    InvalidValueError,
    MissingColumnError,
    MissingValueError,
)
from creditkpi.core.ingest.amounts import parse_amounts
from creditkpi.core.ingest.columns import NameList, Names, row_labels
from creditkpi.core.ingest.dates import MISSING, DateReader
from creditkpi.core.ingest.lines import check_currency, check_terms, debit_minus_credit, text_values
from creditkpi.core.ingest.source import ColumnData, Table, to_table
from creditkpi.core.money import CURRENCIES
from creditkpi.core.records import CREDIT_NOTE, PAYMENT, WRITE_OFF
from creditkpi.core.validation import ValidationIssue, ValidationReport

__all__ = [
    "GL_COLUMNS",
    "Carry",
    "Lines",
    "Read",
    "allocate",
    "frames_of",
    "from_gl_lines",
    "match_groups",
    "settle",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: canonical columns of general-ledger customer lines (``debit``/``credit`` or a signed ``amount``)
GL_COLUMNS = (
    "customer_id",
    "document_id",
    "date",
    "debit",
    "credit",
    "amount",
    "due_date",
    "kind",
    "currency",
)

_KIND_CODES = {"payment": PAYMENT, "credit_note": CREDIT_NOTE, "write_off": WRITE_OFF}
_EPOCH = np.datetime64("1970-01-01", "D")


@dataclass
class Lines:
    """Customer lines, read and checked, as the allocation needs them.

    ``cents`` is signed (a debit is positive, a credit negative); ``group``
    is the matching group of each line (``-1``: not matched); ``kind`` is
    the settlement kind of credit lines; ``due`` the due day of debit lines
    (``MISSING`` where the lines give none); ``row`` the input row, the last
    tie-breaker of the date order; ``currency`` each line's ISO code when the
    lines are in several currencies (``cents`` in each one's minor unit; a
    matching group holds one currency). ``settle_day`` is the day each credit is
    applied (its clearing or lettering date), when the source gives one;
    ``stage`` the fiscal year of each line and ``carry`` the earlier open
    items the opening lines of later years carry (:func:`settle`).
    """

    customer: npt.NDArray[Any]
    document: npt.NDArray[Any]
    day: IntArray
    cents: IntArray
    group: IntArray
    kind: npt.NDArray[np.int8]
    row: IntArray
    due: IntArray
    attrs: pd.DataFrame = field(default_factory=pd.DataFrame)
    settle_day: IntArray | None = None
    stage: IntArray | None = None
    carry: Carry | None = None
    currency: npt.NDArray[Any] | None = None


@dataclass
class Read:
    """Accounting lines read and settled: the tables :meth:`Ledger.from_frames` builds from.

    ``invoices`` and ``payments`` (and ``doubtful`` classifications) are
    canonical tables; ``issues`` what the reader could not use (a zero line,
    an unused ``due_dates=`` key, an opening balance that disagrees), for
    :meth:`tell` to add to the built ledger's report.
    """

    invoices: pd.DataFrame
    payments: pd.DataFrame
    doubtful: pd.DataFrame | None = None
    issues: list[ValidationIssue] = field(default_factory=list)

    def skipped(
        self, rule: str, table: str, column: str, message: str, ids: Any, rows: Any
    ) -> None:
        """A line or a key that the reader could not use (an issue for the report)."""
        self.issues.append(
            ValidationIssue(rule, table, column, message, tuple(ids), tuple(int(r) for r in rows))
        )

    def tell(self, report: ValidationReport, *, stacklevel: int) -> None:
        """Add the issues to ``report`` (the ledger's), each with a warning at the user's call.

        ``stacklevel`` as for :func:`warnings.warn`, counted from this method
        (the ``Ledger`` reader that calls it knows how far up the user's call is).
        """
        for issue in self.issues:
            report.issues.append(issue)
            warnings.warn(f"{issue} — see Ledger.report", DataQualityWarning, stacklevel=stacklevel)


def match_groups(
    customer: npt.NDArray[Any], match: npt.NDArray[Any], scope: IntArray | None = None
) -> IntArray:
    """One code per (customer, matching reference); ``-1`` where the reference is empty.

    With ``scope`` (a fiscal year per line), per (scope, customer, reference):
    a reference reused in another year is another group.
    """
    has = np.asarray(pd.notna(match), dtype=bool)
    if has.any():
        text = np.asarray(match, dtype=object)
        blank = np.zeros(len(text), dtype=bool)
        blank[has] = pd.Series(text[has]).astype(str).str.strip().eq("").to_numpy()
        has &= ~blank
    out = np.full(len(match), -1, dtype=np.int64)
    if has.any():
        who = pd.factorize(pd.Series(customer[has], dtype=object))[0].astype(np.int64)
        what = pd.factorize(pd.Series(match[has], dtype=object))[0].astype(np.int64)
        if scope is not None:
            who = who * (int(scope.max()) + 1) + scope[has]
        out[has] = pd.factorize(who * (int(what.max()) + 1) + what)[0]
    return out


def allocate(
    group: IntArray, cents: IntArray, order: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """Credits laid end to end against the debits of their group, both in ``order``.

    ``group`` (>= 0 for every line) ties lines; ``order`` ranks the lines of a
    group (oldest first). Returns the segments: the credit line, the debit line
    it settles (``-1``: what the credit has left once the group's debits are
    settled) and the amount, in minor units.
    """
    debit = np.flatnonzero(cents > 0)
    credit = np.flatnonzero(cents < 0)
    d = debit[np.lexsort((order[debit], group[debit]))]
    c = credit[np.lexsort((order[credit], group[credit]))]
    d_amt = cents[d]
    c_amt = -cents[c]
    n_groups = int(group.max()) + 1 if group.size else 0
    d_total = np.zeros(n_groups, dtype=np.int64)
    np.add.at(d_total, group[d], d_amt)
    c_total = np.zeros(n_groups, dtype=np.int64)
    np.add.at(c_total, group[c], c_amt)
    span = np.maximum(d_total, c_total)
    base = np.concatenate([[0], np.cumsum(span)[:-1]]) if n_groups else span
    # every group occupies [base, base + span) on one line; debits and credits
    # are laid end to end from the group's base in order
    d_end = _ends(group[d], d_amt, base)
    c_end = _ends(group[c], c_amt, base)
    d_start, c_start = d_end - d_amt, c_end - c_amt
    points = np.unique(np.concatenate([d_start, d_end, c_start, c_end]))
    seg_start, seg_len = points[:-1], np.diff(points)
    j = np.searchsorted(c_end, seg_start, side="right")
    has_c = j < c.size
    has_c[has_c] = c_start[j[has_c]] <= seg_start[has_c]
    seg_start, seg_len, j = seg_start[has_c], seg_len[has_c], j[has_c]
    i = np.searchsorted(d_end, seg_start, side="right")
    has_d = i < d.size
    has_d[has_d] = d_start[i[has_d]] <= seg_start[has_d]
    # no debit at all (a credit-only extract): every credit is the customer's unapplied credit
    inv_line = np.where(has_d, d[np.minimum(i, d.size - 1)], -1) if d.size else np.full(j.size, -1)
    return c[j], np.asarray(inv_line, dtype=np.int64), seg_len


@dataclass
class Carry:
    """Open items of earlier fiscal years that the opening lines of a later one carry.

    One row per carrying opening line: ``stage`` is its fiscal year, ``group``
    its lettering group in that year (``-1``: not lettered, nothing settles
    what it carries), ``line`` the earlier line it carries (per invoice), or
    ``-1`` for every open earlier line of its ``customer`` (per customer), and
    ``applied`` the day the group's lettering applies the carried credits
    (with application dates).
    """

    stage: IntArray
    group: IntArray
    line: IntArray
    customer: npt.NDArray[Any]
    applied: IntArray


def settle(lines: Lines, due: IntArray | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The invoices and settlements of ``lines``: credits applied oldest invoice first.

    ``due`` (one day per line, read on debit lines) orders the open items a
    per-customer opening carries. Returns two dicts of columns (invoices:
    ``invoice_id, customer_id, issue_date, amount, due`` and the attributes;
    settlements: ``invoice_id, customer_id, date, applied, amount, kind``),
    amounts in minor units, days as day numbers; with :attr:`Lines.carry`,
    the settlements dict also holds ``carried``, the signed amount each
    carrying line finds open (for the consistency check of the caller).
    """
    n = lines.cents.shape[0]
    debit = np.flatnonzero(lines.cents > 0)
    # unmatched lines each get a group of their own, after the matched ones
    group = lines.group.copy()
    free = np.flatnonzero(group < 0)
    top = int(group.max()) + 1 if group.size else 0
    group[free] = top + np.arange(free.size)
    order = np.empty(n, dtype=np.int64)
    order[np.lexsort((lines.row, lines.day))] = np.arange(n)
    posted = lines.day
    applied = lines.day if lines.settle_day is None else np.maximum(lines.settle_day, lines.day)
    carried = None
    if lines.carry is None or lines.stage is None:
        line, inv_line, amount = allocate(group, lines.cents, order)
        seg_applied = applied[line]
    else:
        line, inv_line, amount, seg_applied, carried = _settle_years(
            lines, group, order, applied, lines.due if due is None else due
        )
    has_d = inv_line >= 0
    kind = np.where(has_d, lines.kind[line], PAYMENT).astype(np.int8)
    invoices: dict[str, Any] = {
        "invoice_id": lines.document[debit],
        "customer_id": lines.customer[debit],
        "issue_date": lines.day[debit],
        "amount": lines.cents[debit],
        "due": lines.due[debit],
        "line": debit,
    }
    docs = lines.document[np.maximum(inv_line, 0)]
    settlements: dict[str, Any] = {
        "invoice_id": _with_none(docs, ~has_d),
        "customer_id": lines.customer[line],
        "date": posted[line],
        # what is left unapplied has no application: it is the customer's from its date
        "applied": np.where(has_d, seg_applied, posted[line]),
        "amount": amount,
        "kind": kind,
        "line": line,
        "invoice_line": inv_line,
        "carried": carried,
    }
    return invoices, settlements


def _settle_years(
    lines: Lines, group: IntArray, order: IntArray, applied: IntArray, due: IntArray
) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray]:
    """The allocation fiscal year after fiscal year, the carried items first in their group.

    Each year's groups are settled as :func:`allocate` settles them, with,
    at the head of each group that an opening line letters, what is still
    open of the earlier items it carries (per invoice: that line; per
    customer: every open earlier item of the customer, oldest due first). A
    credit's leftover is its unapplied credit once every year is settled.
    """
    carry = lines.carry
    stage = lines.stage
    assert carry is not None and stage is not None
    n = lines.cents.shape[0]
    remaining = np.abs(lines.cents)
    sign = np.sign(lines.cents)
    out_c: list[IntArray] = []
    out_d: list[IntArray] = []
    out_amt: list[IntArray] = []
    out_applied: list[IntArray] = []
    carried = np.zeros(carry.stage.shape[0], dtype=np.int64)
    # every year with lines or carrying lines (a year may hold only its opening entry)
    for year in np.unique(np.concatenate([stage, carry.stage])).tolist():
        own = np.flatnonzero((stage == year) & (lines.cents != 0))
        rows = np.flatnonzero(carry.stage == year)
        src: list[IntArray] = []
        src_group: list[IntArray] = []
        src_applied: list[IntArray] = []
        detailed = rows[carry.line[rows] >= 0]
        lines_of = carry.line[detailed]
        open_now = remaining * sign
        carried[detailed] = open_now[lines_of]
        claimed = np.zeros(n, dtype=bool)
        claimed[lines_of] = True
        src.append(lines_of)
        src_group.append(carry.group[detailed])
        src_applied.append(carry.applied[detailed])
        by_customer = rows[carry.line[rows] < 0]
        if by_customer.size:
            earlier = np.flatnonzero((stage < year) & (remaining > 0) & ~claimed)
            # per customer, every carrying line of the year shares the customer's items
            first: dict[Any, int] = {}
            for r in by_customer.tolist():
                first.setdefault(carry.customer[r], r)
            chosen = np.asarray(
                [first.get(k, -1) for k in lines.customer[earlier].tolist()], dtype=np.int64
            )
            keep = chosen >= 0
            items, carrier = earlier[keep], chosen[keep]
            # the customer's total open at the year's start, on its first carrying line
            np.add.at(carried, carrier, open_now[items])
            src.append(items)
            src_group.append(carry.group[carrier])
            src_applied.append(carry.applied[carrier])
        source = np.concatenate(src)
        s_group = np.concatenate(src_group)
        s_applied = np.concatenate(src_applied)
        lettered = s_group >= 0
        source, s_group, s_applied = source[lettered], s_group[lettered], s_applied[lettered]
        # each earlier item carried once (by the first carrying line that letters it)
        _, once = np.unique(source, return_index=True)
        first_time = np.zeros(source.size, dtype=bool)
        first_time[once] = True
        first_time &= remaining[source] > 0
        source, s_group, s_applied = source[first_time], s_group[first_time], s_applied[first_time]
        # the year's lines and the carried items: carried first (debits by due date), then
        # the year's own lines in date order
        origin = np.concatenate([source, own])
        k = source.size
        cents = np.concatenate([sign[source] * remaining[source], lines.cents[own]])
        gid = np.concatenate([s_group, group[own]])
        is_own = np.concatenate([np.zeros(k, np.int64), np.ones(own.size, np.int64)])
        first_key = np.where(
            np.concatenate([lines.cents[source] > 0, np.zeros(own.size, bool)]),
            due[origin],
            lines.day[origin],
        )
        rank = np.empty(origin.size, dtype=np.int64)
        rank[np.lexsort((order[origin], first_key, is_own))] = np.arange(origin.size)
        c, d, amount = allocate(gid, cents, rank)
        hit = d >= 0
        c, d, amount = c[hit], d[hit], amount[hit]
        seg_applied = np.where(
            c < k, s_applied[np.minimum(c, max(k - 1, 0))] if k else 0, applied[origin[c]]
        )
        c, d = origin[c], origin[d]
        np.subtract.at(remaining, c, amount)
        np.subtract.at(remaining, d, amount)
        out_c.append(c)
        out_d.append(d)
        out_amt.append(amount)
        out_applied.append(np.maximum(seg_applied, lines.day[c]))
    left = np.flatnonzero((lines.cents < 0) & (remaining > 0))
    out_c.append(left)
    out_d.append(np.full(left.size, -1, dtype=np.int64))
    out_amt.append(remaining[left])
    out_applied.append(lines.day[left])
    line = np.concatenate(out_c)
    inv_line = np.concatenate(out_d)
    amount = np.concatenate(out_amt)
    seg_applied = np.concatenate(out_applied)
    # every credit's segments together, in the credits' date order
    back = np.lexsort((np.where(inv_line >= 0, order[np.maximum(inv_line, 0)], n), order[line]))
    return line[back], inv_line[back], amount[back], seg_applied[back], carried


def _with_none(values: npt.NDArray[Any], where: BoolArray) -> npt.NDArray[Any]:
    out = np.asarray(values, dtype=object).copy()
    out[where] = None
    return out


def _ends(group: IntArray, amount: IntArray, base: IntArray) -> IntArray:
    """End of each line on the group's line: the group's base plus the running total."""
    if amount.size == 0:
        return np.zeros(0, dtype=np.int64)
    running = np.cumsum(amount)
    first = np.concatenate([[True], group[1:] != group[:-1]])
    start_of = np.maximum.accumulate(np.where(first, np.arange(amount.size), 0))
    before = (running - amount)[start_of]
    return np.asarray(base[group] + running - before, dtype=np.int64)


def frames_of(
    lines: Lines,
    *,
    terms: int | Mapping[str, int],
    due_dates: Any,
    doubtful: pd.DataFrame | None = None,
    currency: str,
    digits: int,
    on_carried: Callable[[Read, IntArray], None] | None = None,
) -> Read:
    """Settle ``lines`` into the tables of :meth:`Ledger.from_frames` (a :class:`Read`).

    Due dates are known before the lines are settled (a per-customer opening
    settles the customer's earlier items oldest due first). ``on_carried``
    receives the read tables and what each carrying line found open
    (:func:`settle`).
    """
    debit = np.flatnonzero(lines.cents > 0)
    of_debits = {
        "invoice_id": lines.document[debit],
        "customer_id": lines.customer[debit],
        "issue_date": lines.day[debit],
        "due": lines.due[debit],
    }
    due_debits, unused = _due_days(of_debits, terms, due_dates)
    due_line = np.full(lines.cents.shape[0], MISSING, dtype=np.int64)
    due_line[debit] = due_debits
    inv, pay = settle(lines, due_line)
    due = due_line[inv["line"]]
    if lines.currency is None:
        inv_currency: Any = currency
        pay_currency: Any = currency
        scale: Any = 10**digits
        pay_scale: Any = scale
    else:  # each item in its line's currency and minor unit
        inv_currency = lines.currency[inv["line"]]
        pay_currency = lines.currency[pay["line"]]
        unit = np.asarray([10 ** CURRENCIES[c] for c in lines.currency.tolist()], dtype=np.int64)
        scale, pay_scale = unit[inv["line"]], unit[pay["line"]]
    attrs = (
        lines.attrs.iloc[inv["line"]].reset_index(drop=True) if len(lines.attrs.columns) else None
    )
    inv_frame = pd.DataFrame(
        {
            "invoice_id": pd.Series(inv["invoice_id"], dtype=object),
            "customer_id": pd.Series(inv["customer_id"], dtype=object),
            "issue_date": _EPOCH + inv["issue_date"].astype("timedelta64[D]"),
            "due_date": _EPOCH + due.astype("timedelta64[D]"),
            "amount": inv["amount"] / scale,
            "currency": inv_currency,
        }
    )
    if attrs is not None:
        inv_frame = pd.concat([inv_frame, attrs], axis=1)
    kinds = np.asarray(["payment", "credit_note", "write_off"], dtype=object)
    # the customer of an applied settlement is its invoice's: only unapplied ones say it
    customer = _with_none(pay["customer_id"], pay["invoice_line"] >= 0)
    pay_frame = pd.DataFrame(
        {
            "invoice_id": pd.Series(pay["invoice_id"], dtype=object),
            "customer_id": pd.Series(customer, dtype=object),
            "date": _EPOCH + pay["date"].astype("timedelta64[D]"),
            "amount": pay["amount"] / pay_scale,
            "kind": kinds[pay["kind"]],
            "currency": pay_currency,
        }
    )
    if lines.settle_day is not None:  # application dates: from them credits settle invoices
        pay_frame["applied"] = _EPOCH + pay["applied"].astype("timedelta64[D]")
    read = Read(inv_frame, pay_frame, doubtful)
    if on_carried is not None and pay["carried"] is not None:
        on_carried(read, pay["carried"])
    if unused:
        read.skipped(
            "unused-due-date",
            "due_dates",
            "invoice_id",
            f"{len(unused)} key(s) of due_dates= name no invoice of the lines and were not used",
            [str(k) for k in unused],
            range(len(unused)),
        )
    return read


def _due_days(
    inv: dict[str, Any], terms: int | Mapping[str, int], due_dates: Any
) -> tuple[IntArray, list[Any]]:
    """Due day of each invoice: its own, else ``due_dates[id]``, else issue + terms.

    Also returns the keys of ``due_dates`` that name no invoice (said, not dropped).
    """
    issue: IntArray = inv["issue_date"]
    due = np.asarray(inv["due"], dtype=np.int64).copy()
    unused: list[Any] = []
    if isinstance(terms, Mapping):
        days = pd.Series(inv["customer_id"], dtype=object).map(dict(terms))
        if days.isna().any():
            where = np.flatnonzero(days.isna().to_numpy() & (due == MISSING))
            if where.size:
                missing = pd.unique(pd.Series(inv["customer_id"][where], dtype=object))
                raise MissingValueError(
                    f"{where.size} invoice(s) have no due date and their customer has no "
                    "terms in terms=",
                    column="due_date",
                    ids=list(inv["invoice_id"][where[:5]]),
                    count=int(where.size),
                    values=list(missing[:5]),
                    hint="add those customers to terms={customer: days}, or give due_dates=",
                )
        offset = days.fillna(0).to_numpy(dtype=np.int64)
    else:
        offset = np.full(issue.shape, int(terms), dtype=np.int64)
    if due_dates is not None:
        given = pd.Series(due_dates)
        if len(given):
            read = pd.to_datetime(given.to_numpy(), errors="coerce")
            if read.isna().any():
                bad = given[read.isna()]
                raise InvalidValueError(
                    f"{bad.size} value(s) of due_dates= are not dates",
                    column="due_dates",
                    ids=list(bad.index[:5]),
                    values=list(bad.to_numpy()[:5]),
                )
            days_of = pd.Series(
                (read.to_numpy().astype("datetime64[D]") - _EPOCH).astype(np.int64),
                index=given.index.astype(str),
            )
            found = pd.Series(inv["invoice_id"], dtype=object).astype(str).map(days_of)
            use = found.notna().to_numpy() & (due == MISSING)
            due[use] = found.to_numpy()[use].astype(np.int64)
            known = set(pd.Series(inv["invoice_id"], dtype=object).astype(str).tolist())
            unused = [key for key in given.index.tolist() if str(key) not in known]
    fill = due == MISSING
    due[fill] = issue[fill] + offset[fill]
    return due, unused


# ------------------------------------------------------------------------ from_gl_lines
def from_gl_lines(
    frame: Any,
    *,
    columns: Mapping[str, str] | None = None,
    match: str = "match",
    match_date: str | None = None,
    terms: int | Mapping[str, int] = 30,
    due_dates: Any = None,
    date_format: str | None = None,
    decimal: str | None = None,
    currency: str = "EUR",
) -> Read:
    """The tables of :meth:`Ledger.from_gl_lines` (see there), which builds the ledger.

    The steps: the options, the columns (:func:`_gl_names`), the lines' ids,
    customers, amounts, dates, documents and kinds, then the lettering
    (:func:`frames_of`); the zero lines are reported, never dropped.
    """
    terms = check_terms(terms)
    if decimal not in (None, ".", ","):
        raise InvalidOptionError(
            f'decimal must be None, "." or ",", got {decimal!r}', argument="decimal"
        )
    code, digits = check_currency(currency)
    table = to_table(frame, "lines")
    names = _gl_names(table, columns or {}, match, match_date)

    def data(canonical: str) -> ColumnData:
        return table.column(table.names.index(names[canonical]))

    n = table.rows
    document = text_values(data("document_id")) if "document_id" in names else None
    ids = _line_ids(n, document)
    customer = _customers(data, names, ids)
    if "amount" in names:
        signed, _ = parse_amounts(
            data("amount"), column=names["amount"], ids=ids, digits=digits,
            decimal=decimal, positive=False,
        )  # fmt: skip
    else:
        signed = debit_minus_credit(
            data("debit"), data("credit"), names=(names["debit"], names["credit"]),
            ids=ids, digits=digits, decimal=decimal,
        )  # fmt: skip
    day, due, settle_day = _line_dates(data, names, ids, date_format)
    lines = Lines(
        customer=customer,
        document=_documents(document, signed, names["document_id"] if document is not None else ""),
        day=day,
        cents=signed,
        group=match_groups(customer, text_values(data("match"))),
        kind=_kinds(data, names, ids, signed),
        row=np.arange(n, dtype=np.int64),
        due=due,
        attrs=_attributes(table, set(names.values())),
        settle_day=settle_day,
    )
    read = frames_of(lines, terms=terms, due_dates=due_dates, currency=code, digits=digits)
    zero = np.flatnonzero(signed == 0)
    if zero.size:
        read.skipped(
            "zero-line",
            "lines",
            names.get("amount") or names["debit"],
            f"{zero.size} line(s) with neither a debit nor a credit carry no amount and were "
            "skipped",
            ids[zero],
            zero,
        )
    return read


def _line_ids(n: int, document: npt.NDArray[Any] | None) -> NameList:
    """How messages name a line: its document id, else its row (``lines row 3``)."""
    rows = row_labels(n, "lines")
    if document is None:
        return rows
    doc = document

    def make(where: IntArray) -> npt.NDArray[Any]:
        return np.asarray(
            [doc[k] if doc[k] is not None else f"lines row {k}" for k in where.tolist()],
            dtype=object,
        )

    return Names(n, make)


def _customers(
    data: Callable[[str], ColumnData], names: Mapping[str, str], ids: NameList
) -> npt.NDArray[Any]:
    """Each line's customer, as text: every line has one."""
    customer = text_values(data("customer_id"))
    if any(v is None for v in customer):
        where = np.flatnonzero(pd.isna(customer))
        raise MissingValueError(
            f"{where.size} line(s) have no customer",
            column=names["customer_id"],
            ids=list(ids[where[:5]]),
            count=int(where.size),
        )
    return customer


def _line_dates(
    data: Callable[[str], ColumnData],
    names: Mapping[str, str],
    ids: NameList,
    date_format: str | None,
) -> tuple[IntArray, IntArray, IntArray | None]:
    """Each line's day (required), due day (``MISSING``: none) and application day.

    One day/month order for the three columns; the application day is the
    clearing date (``match_date=``) where given, else the line's date, and
    ``None`` without a clearing date column.
    """
    reader = DateReader(date_format)
    day = reader.read(data("date"), column=names["date"], ids=ids)
    due = (
        reader.read(data("due_date"), column=names["due_date"], ids=ids)
        if "due_date" in names
        else None
    )
    cleared = (
        reader.read(data("match_date"), column=names["match_date"], ids=ids)
        if "match_date" in names
        else None
    )
    reader.finish()
    if day.missing.any():
        where = np.flatnonzero(day.missing)
        raise MissingValueError(
            f"{where.size} line(s) have no date",
            column=names["date"],
            ids=list(ids[where[:5]]),
            count=int(where.size),
        )
    due_day = np.full(day.days.size, MISSING, np.int64) if due is None else due.days
    settle_day = None if cleared is None else np.where(cleared.missing, day.days, cleared.days)
    return day.days, due_day, settle_day


def _documents(
    document: npt.NDArray[Any] | None, signed: IntArray, column: str
) -> npt.NDArray[Any]:
    """Each line's document id: an invoice (a debit) needs one; ``L1, L2...`` without the column."""
    if document is None:
        return np.asarray([f"L{k + 1}" for k in range(signed.size)], dtype=object)
    no_doc = np.flatnonzero((signed > 0) & pd.isna(document))
    if no_doc.size:
        raise MissingValueError(
            f"{no_doc.size} debit line(s) (invoices) have no document id",
            column=column,
            ids=list(row_labels(signed.size, "lines")[no_doc[:5]]),
            count=int(no_doc.size),
        )
    return document


def _kinds(
    data: Callable[[str], ColumnData], names: Mapping[str, str], ids: NameList, signed: IntArray
) -> npt.NDArray[np.int8]:
    """Each line's settlement kind: the ``kind`` column where given (credits), else payment."""
    if "kind" not in names:
        return np.full(signed.size, PAYMENT, dtype=np.int8)
    text = pd.Series(text_values(data("kind")), dtype=object)
    given = text.notna().to_numpy()
    codes = text.str.strip().str.lower().str.replace(" ", "_").str.replace("-", "_")
    mapped = codes.map(_KIND_CODES)
    bad = np.flatnonzero(given & mapped.isna().to_numpy() & (signed < 0))
    if bad.size:
        raise InvalidValueError(
            f"{bad.size} credit line(s) have a kind that is not payment, credit_note or write_off",
            column=names["kind"],
            ids=list(ids[bad[:5]]),
            count=int(bad.size),
            values=list(text.to_numpy()[bad[:5]]),
        )
    return mapped.fillna(PAYMENT).to_numpy().astype(np.int8)


def _gl_names(
    table: Table, columns: Mapping[str, str], match: str, match_date: str | None
) -> dict[str, str]:
    """Canonical name -> the table's column, for the columns present."""
    for key in columns:
        if key not in GL_COLUMNS:
            raise InvalidOptionError(
                f"columns= maps {key!r}, which is not a general-ledger column (they are: "
                f"{', '.join(GL_COLUMNS)})",
                argument="columns",
            )
    names: dict[str, str] = {}
    for canonical in GL_COLUMNS:
        theirs = columns.get(canonical, canonical)
        if theirs in table.names:
            names[canonical] = theirs
        elif canonical in columns:
            raise MissingColumnError(
                f"the lines have no column {theirs!r} (mapped to {canonical!r} by columns=; "
                f"they have: {', '.join(table.names)})",
                column=theirs,
                ids=[theirs],
            )
    for option, value, key in (("match", match, "match"), ("match_date", match_date, "match_date")):
        if value is None:
            continue
        if value not in table.names:
            raise MissingColumnError(
                f"the lines have no column {value!r} (named by {option}=; they have: "
                f"{', '.join(table.names)})",
                column=value,
                ids=[value],
            )
        names[key] = value
    required = ["customer_id", "date"]
    if "amount" not in names:
        required += ["debit", "credit"]
    for canonical in required:
        if canonical not in names:
            raise MissingColumnError(
                f"the lines have no {canonical!r} column (they have: {', '.join(table.names)}); "
                "map yours with columns={" + repr(canonical) + ": 'theirs'}",
                column=canonical,
                ids=[canonical],
            )
    return names


def _attributes(table: Table, consumed: set[str]) -> pd.DataFrame:
    """The table's other columns, kept as invoice attributes."""
    extra = {
        name: pd.Series(text_values(table.column(k)), dtype=object)
        for k, name in enumerate(table.names)
        if name not in consumed
    }
    return pd.DataFrame(extra) if extra else pd.DataFrame(index=pd.RangeIndex(table.rows))
