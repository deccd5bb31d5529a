"""Builders: records, dataframes and one-table exports into a validated :class:`Ledger`.

Every input row is either used or reported: a broken rule raises a
:class:`~creditkpi.CreditKPIError` naming the rule, the column and the first
offending ids; suspicious but valid rows (overpaid invoices, settlements
before issue) give a :class:`~creditkpi.DataQualityWarning` and a line in
``Ledger.report``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.errors import (
    DataQualityWarning,
    DueBeforeIssueError,
    DuplicateIdError,
    InvalidDateError,
    InvalidOptionError,
    InvalidValueError,
    MissingValueError,
    MixedCurrencyError,
    NonPositiveAmountError,
    UnknownInvoiceError,
)
from creditkpi.core.ingest.columns import (
    CANONICAL,
    ColumnMap,
    NameList,
    Names,
    normalise_ids,
    null_mask,
    rename,
    require,
    row_labels,
    truthy,
)
from creditkpi.core.ingest.ids import (
    THREADED_ROWS,
    IdColumn,
    Later,
    factorize_customers,
    id_column,
    match_ids,
)
from creditkpi.core.ingest.parse import parse_dates, parse_money, stable_date_order
from creditkpi.core.ledger import NO_END, PAYMENT, Columns, Ledger
from creditkpi.core.money import minor_unit
from creditkpi.core.records import (
    SETTLEMENT_KINDS,
    Dispute,
    Doubtful,
    Invoice,
    Payment,
    StatusEvent,
)
from creditkpi.core.validation import ValidationIssue, ValidationReport

__all__ = ["from_frames", "from_invoice_table", "from_records", "to_pandas"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def from_records(
    cls: type[Ledger],
    invoices: Iterable[Invoice],
    payments: Iterable[Payment] = (),
    disputes: Iterable[Dispute] = (),
    statuses: Iterable[StatusEvent] = (),
    doubtful: Iterable[Doubtful] = (),
    *,
    unknown_invoices: str = "error",
) -> Ledger:
    """:meth:`Ledger.from_records` (see there)."""
    inv = list(invoices)
    inv_frame = pd.DataFrame(
        {
            "invoice_id": [i.id for i in inv],
            "customer_id": [i.customer for i in inv],
            "issue_date": pd.Series([i.issue_date for i in inv], dtype=object),
            "due_date": pd.Series([i.due_date for i in inv], dtype=object),
            "amount": pd.Series([i.amount for i in inv], dtype=object),
            "currency": [i.currency for i in inv],
        }
    )
    attr_names: list[str] = []
    for i in inv:
        for key in i.attrs:
            if key not in attr_names:
                attr_names.append(key)
    for key in attr_names:
        inv_frame[key] = pd.Series([i.attrs.get(key) for i in inv], dtype=object)
    pays = list(payments)
    pay_frame = pd.DataFrame(
        {
            "invoice_id": pd.Series([p.invoice for p in pays], dtype=object),
            "date": pd.Series([p.date for p in pays], dtype=object),
            "amount": pd.Series([p.amount for p in pays], dtype=object),
            "kind": pd.Series([p.kind for p in pays], dtype=object),
            "customer_id": pd.Series([p.customer for p in pays], dtype=object),
        }
    )
    dis = list(disputes)
    dis_frame = pd.DataFrame(
        {
            "invoice_id": pd.Series([d.invoice for d in dis], dtype=object),
            "opened": pd.Series([d.opened for d in dis], dtype=object),
            "resolved": pd.Series([d.resolved for d in dis], dtype=object),
            "reason": pd.Series([d.reason for d in dis], dtype=object),
        }
    )
    sts = list(statuses)
    st_frame = pd.DataFrame(
        {
            "invoice_id": pd.Series([s.invoice for s in sts], dtype=object),
            "date": pd.Series([s.date for s in sts], dtype=object),
            "status": pd.Series([s.status for s in sts], dtype=object),
        }
    )
    dbs = list(doubtful)
    db_frame = pd.DataFrame(
        {
            "invoice_id": pd.Series([d.invoice for d in dbs], dtype=object),
            "date": pd.Series([d.date for d in dbs], dtype=object),
            "provision": pd.Series([d.provision for d in dbs], dtype=object),
        }
    )
    return build(
        cls,
        inv_frame,
        pay_frame,
        dis_frame,
        st_frame,
        db_frame,
        date_format=None,
        unknown_invoices=unknown_invoices,
    )


def from_frames(
    cls: type[Ledger],
    invoices: Any,
    payments: Any = None,
    disputes: Any = None,
    statuses: Any = None,
    doubtful: Any = None,
    *,
    columns: ColumnMap | None = None,
    date_format: str | None = None,
    unknown_invoices: str = "error",
) -> Ledger:
    """:meth:`Ledger.from_frames` (see there)."""
    frames = [to_pandas(f) for f in (invoices, payments, disputes, statuses, doubtful)]
    tables = ["invoices", "payments", "disputes", "statuses", "doubtful"]
    renamed = [
        None if f is None else rename(f, t, columns) for f, t in zip(frames, tables, strict=True)
    ]
    inv_frame = renamed[0]
    assert inv_frame is not None
    return build(
        cls,
        inv_frame,
        renamed[1],
        renamed[2],
        renamed[3],
        renamed[4],
        date_format=date_format,
        unknown_invoices=unknown_invoices,
    )


def from_invoice_table(
    cls: type[Ledger],
    frame: Any,
    *,
    settled_date: str = "settled_date",
    disputed: str | None = None,
    columns: ColumnMap | None = None,
    date_format: str | None = None,
) -> Ledger:
    """:meth:`Ledger.from_invoice_table` (see there)."""
    native = to_pandas(frame)
    if native is None:
        raise TypeError("from_invoice_table needs a table, got None")
    inv = rename(native, "invoices", columns)
    required, _ = CANONICAL["invoices"]
    require(inv, "invoices", [*required, settled_date])
    ids = normalise_ids(inv["invoice_id"]).to_numpy()
    settled = parse_dates(
        inv[settled_date], column=settled_date, ids=ids, date_format=date_format, optional=True
    )
    has = settled != NO_END
    day = np.datetime64("1970-01-01", "D") + settled[has].astype("timedelta64[D]")
    payments = pd.DataFrame(
        {
            "invoice_id": inv["invoice_id"].to_numpy()[has],
            "date": pd.to_datetime(day),
            "amount": inv["amount"].to_numpy()[has],
        }
    )
    if "currency" in inv.columns:
        payments["currency"] = inv["currency"].to_numpy()[has]
    disputes = None
    drop = [settled_date]
    if disputed is not None:
        require(inv, "invoices", [disputed])
        flag = truthy(inv[disputed], column=disputed, ids=ids)
        resolved = settled[flag]
        disputes = pd.DataFrame(
            {
                "invoice_id": inv["invoice_id"].to_numpy()[flag],
                "opened": inv["issue_date"].to_numpy()[flag],
                "resolved": pd.to_datetime(
                    np.where(
                        resolved == NO_END,
                        np.datetime64("NaT"),
                        np.datetime64("1970-01-01", "D") + resolved.astype("timedelta64[D]"),
                    )
                ),
                "reason": "disputed",
            }
        )
        drop.append(disputed)
    return build(
        cls,
        inv.drop(columns=drop),
        payments,
        disputes,
        None,
        None,
        date_format=date_format,
        unknown_invoices="error",
    )


def to_pandas(frame: Any) -> pd.DataFrame | None:
    """A pandas DataFrame of any table narwhals reads (``None`` stays ``None``)."""
    if frame is None or isinstance(frame, pd.DataFrame):
        return frame
    try:
        import narwhals as nw
    except ImportError as exc:  # pragma: no cover - narwhals is a dependency
        raise TypeError(f"cannot read a {type(frame).__name__}: install narwhals") from exc
    try:
        native = nw.from_native(frame, eager_only=True)
    except TypeError:
        raise TypeError(
            f"cannot read a {type(frame).__name__}: pass a pandas, polars or pyarrow table"
        ) from None
    try:
        # through Arrow: numbers and strings are not copied into Python objects,
        # dates stay datetime64 (parsed without going through Python dates)
        out: pd.DataFrame = native.to_arrow().to_pandas(date_as_object=False)
    except Exception:  # pragma: no cover - a type Arrow cannot hand to pandas
        out = native.to_pandas()
    return out


def build(
    cls: type[Ledger],
    inv: pd.DataFrame,
    pay: pd.DataFrame | None,
    dis: pd.DataFrame | None,
    sts: pd.DataFrame | None,
    dbt: pd.DataFrame | None,
    *,
    date_format: str | None,
    unknown_invoices: str,
) -> Ledger:
    """Validate canonical tables and build the ledger's columns."""
    if unknown_invoices not in ("error", "unapplied"):
        raise InvalidOptionError(
            f"unknown_invoices must be 'error' or 'unapplied', got {unknown_invoices!r}",
            column="unknown_invoices",
        )
    c = Columns()
    report = ValidationReport()
    req, opt = CANONICAL["invoices"]
    require(inv, "invoices", req)
    inv = inv.reset_index(drop=True)

    # ids ----------------------------------------------------------------------
    # Ids are normalised on their native dtype (_id_column): whole numbers stay
    # numbers, strings stay Arrow strings; Python objects are only built for the
    # rows an error names, or when ``invoice_ids`` is first read.
    n = len(inv)
    id_col = id_column(inv["invoice_id"])
    rows = row_labels(inv, "invoices")
    missing = id_col.null
    if missing.any():
        raise MissingValueError(
            f"{int(missing.sum())} invoice(s) have no id",
            column="invoice_id",
            ids=list(rows[missing]),
        )
    ids: NameList = Names(n, id_col.text)

    if pay is None:
        pay = pd.DataFrame(
            {c: pd.Series([], dtype=object) for c in ("invoice_id", "date", "amount")}
        )
    pay = pay.reset_index(drop=True)
    preq, _ = CANONICAL["payments"]
    m = len(pay)
    pid_col = (
        id_column(pay["invoice_id"])
        if "invoice_id" in pay.columns and all(c in pay.columns for c in preq)
        else None
    )
    threaded = n + m >= THREADED_ROWS
    matched = Later(threaded, match_ids, id_col, pid_col)
    cust_col = id_column(inv["customer_id"])
    coded = Later(threaded, factorize_customers, cust_col, None, np.zeros(0, dtype=bool))
    unique, ppos_all = matched.result()
    if not unique:
        index = pd.Index(id_col.objects())
        dup = index[index.duplicated(keep=False)]
        raise DuplicateIdError(
            f"{int(index.duplicated().sum())} invoice id(s) appear more than once",
            column="invoice_id",
            ids=list(pd.unique(dup)),
        )
    cmiss = cust_col.null
    if cmiss.any():
        raise MissingValueError(
            f"{int(cmiss.sum())} invoice(s) have no customer",
            column="customer_id",
            ids=list(ids[cmiss]),
        )

    # currency -----------------------------------------------------------------
    currencies: set[str] = set()
    for frame in (inv, pay):
        if frame is not None and "currency" in frame.columns and len(frame):
            distinct = pd.Series(np.asarray(pd.unique(frame["currency"]), dtype=object))
            cur = distinct.astype("string").str.strip().str.upper()
            currencies.update(str(c) for c in pd.unique(cur.dropna()))
    if len(currencies) > 1:
        names = sorted(currencies)
        raise MixedCurrencyError(
            f"the inputs mix {len(names)} currencies ({', '.join(names)}); "
            "compute one currency at a time",
            column="currency",
            ids=_first_ids_per_currency(inv, ids),
        )
    c.currency = currencies.pop() if currencies else "EUR"
    c.digits = minor_unit(c.currency)

    # invoice columns ------------------------------------------------------------
    c.ids = None
    c.id_source = id_col
    c.issue = parse_dates(inv["issue_date"], column="issue_date", ids=ids, date_format=date_format)
    c.due = parse_dates(inv["due_date"], column="due_date", ids=ids, date_format=date_format)
    bad = c.due < c.issue
    if bad.any():
        raise DueBeforeIssueError(
            f"{int(bad.sum())} invoice(s) have due_date before issue_date",
            column="due_date",
            ids=list(ids[bad]),
        )
    c.amount = parse_money(inv["amount"], column="amount", ids=ids, digits=c.digits)
    attr_cols = [c for c in inv.columns if c not in (*req, *opt)]
    c.attrs = inv[attr_cols].reset_index(drop=True)

    # settlements ------------------------------------------------------------------
    require(pay, "payments", preq)
    prow = row_labels(pay, "payments")
    if pid_col is not None:
        pnull = pid_col.null
        ppos = ppos_all
        ptext = pid_col.text
    else:
        pnull = np.ones(m, dtype=bool)
        ppos = np.full(m, -1, dtype=np.int64)

        def ptext(rows: IntArray) -> npt.NDArray[Any]:
            return np.full(rows.shape[0], None, dtype=object)

    def payment_names(rows: IntArray) -> npt.NDArray[Any]:
        return np.where(pnull[rows], prow[rows], ptext(rows))

    pnames = Names(m, payment_names)
    unknown = (ppos < 0) & ~pnull
    if unknown.any() and unknown_invoices == "error":
        raise UnknownInvoiceError(
            f"{int(unknown.sum())} settlement(s) refer to invoices that do not exist "
            "(pass unknown_invoices='unapplied' to keep them as unapplied cash)",
            column="invoice_id",
            ids=list(pnames[unknown]),
        )
    unapplied = ppos < 0
    if "customer_id" in pay.columns:
        pcust_col: IdColumn | None = id_column(pay["customer_id"])
        assert pcust_col is not None
        pcust_null = pcust_col.null
    else:
        pcust_col = None
        pcust_null = np.ones(m, dtype=bool)
    orphan = unapplied & pcust_null
    if orphan.any():
        raise MissingValueError(
            f"{int(orphan.sum())} settlement(s) have neither a known invoice nor a customer",
            column="customer_id",
            ids=list(pnames[orphan]),
        )
    pdate = parse_dates(pay["date"], column="date", ids=pnames, date_format=date_format)
    pamount = parse_money(pay["amount"], column="amount", ids=pnames, digits=c.digits)
    if "kind" in pay.columns:
        # normalise the few distinct kinds, not every row
        kcodes, kuniques = pd.factorize(pay["kind"], use_na_sentinel=True)
        distinct = pd.Series(np.asarray(kuniques, dtype=object), dtype=object)
        kind_text = distinct.astype("string").str.strip().str.lower().fillna("payment")
        kind_text = kind_text.replace("", "payment")
        ucodes = pd.Index(SETTLEMENT_KINDS).get_indexer(pd.Index(kind_text.to_numpy(dtype=object)))
        codes = np.where(kcodes < 0, PAYMENT, np.append(ucodes, PAYMENT)[kcodes])
        badk = codes < 0
        if badk.any():
            raise InvalidValueError(
                f"{int(badk.sum())} settlement kind(s) are not one of "
                f"{', '.join(SETTLEMENT_KINDS)}",
                column="kind",
                ids=list(pnames[badk]),
            )
        pkind = codes.astype(np.int8)
    else:
        pkind = np.zeros(m, dtype=np.int8)
    noncash = unapplied & (pkind != PAYMENT)
    if noncash.any():
        raise InvalidValueError(
            f"{int(noncash.sum())} credit note(s) or write-off(s) have no invoice "
            "(only cash can be unapplied)",
            column="invoice_id",
            ids=list(pnames[noncash]),
            rule="unapplied-non-cash",
        )

    # customers: invoice customers first, then customers only seen in payments
    if unapplied.any():
        inv_codes, un_codes, labels = factorize_customers(cust_col, pcust_col, unapplied)
    else:
        inv_codes, un_codes, labels = coded.result()
    c.customer = inv_codes
    c.customer_labels = labels
    applied = ~unapplied
    scust = np.empty(m, dtype=np.int64)
    scust[applied] = c.customer[ppos[applied]]
    scust[unapplied] = un_codes

    order = stable_date_order(pdate)
    c.settlement_invoice = ppos.astype(np.int64)[order]
    c.settlement_customer = scust[order]
    c.settlement_date = pdate[order]
    c.settlement_amount = pamount[order]
    c.settlement_kind = pkind[order]
    c.settlement_row = order.astype(np.int64)

    _derive_settlements(c, report)
    _build_disputes(c, dis, date_format)
    _build_statuses(c, sts, date_format)
    _build_doubtful(c, dbt, date_format)
    return cls._wrap(c, report)


def _first_ids_per_currency(inv: pd.DataFrame, ids: NameList) -> list[object]:
    if "currency" not in inv.columns:
        return []
    cur = inv["currency"].astype("string").str.strip().str.upper()
    first = cur.drop_duplicates()
    return [f"{ids[int(str(i))]} ({c})" for i, c in first.dropna().items()]


def _derive_settlements(c: Columns, report: ValidationReport) -> None:
    """What the engine reads for every settlement, computed once; the two warning rules."""
    applied = c.settlement_invoice >= 0
    inv = c.settlement_invoice[applied]
    settled = c.bin_sum(inv, c.settlement_amount[applied], c.n_invoices)
    c.settled = settled
    over = settled > c.amount
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
    sday = c.settlement_date[applied]
    c.settlement_age_days = np.zeros(c.settlement_date.size, dtype=np.int32)
    c.settlement_age_days[applied] = sday - c.issue[inv]
    c.settlement_days_past_due = np.zeros(c.settlement_date.size, dtype=np.int32)
    c.settlement_days_past_due[applied] = sday - c.due[inv]
    early = c.settlement_age_days < 0
    c.settled_before_issue = np.flatnonzero(early)
    if early.any():
        where = np.flatnonzero(early)
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


def _lookup(c: Columns, frame: pd.DataFrame, table: str) -> tuple[IntArray, npt.NDArray[Any]]:
    ids = normalise_ids(frame["invoice_id"])
    null = null_mask(ids)
    rows = row_labels(frame, table)
    if null.any():
        raise MissingValueError(
            f"{int(null.sum())} {table} row(s) have no invoice id",
            column="invoice_id",
            ids=list(rows[null]),
        )
    names = ids.to_numpy(dtype=object)
    pos = pd.Index(c.invoice_ids).get_indexer(pd.Index(names))
    if (pos < 0).any():
        raise UnknownInvoiceError(
            f"{int((pos < 0).sum())} {table} row(s) refer to invoices that do not exist",
            column="invoice_id",
            ids=list(names[pos < 0]),
        )
    return pos.astype(np.int64), names


def _build_disputes(c: Columns, dis: pd.DataFrame | None, fmt: str | None) -> None:
    if dis is None or len(dis) == 0:
        c.dispute_invoice = np.zeros(0, np.int64)
        c.dispute_opened = np.zeros(0, np.int64)
        c.dispute_resolved = np.zeros(0, np.int64)
        c.dispute_reason = np.zeros(0, object)
        return
    dis = dis.reset_index(drop=True)
    require(dis, "disputes", CANONICAL["disputes"][0])
    pos, names = _lookup(c, dis, "disputes")
    c.dispute_invoice = pos
    c.dispute_opened = parse_dates(dis["opened"], column="opened", ids=names, date_format=fmt)
    if "resolved" in dis.columns:
        c.dispute_resolved = parse_dates(
            dis["resolved"], column="resolved", ids=names, date_format=fmt, optional=True
        )
    else:
        c.dispute_resolved = np.full(len(dis), NO_END, dtype=np.int64)
    bad = c.dispute_resolved < c.dispute_opened
    if bad.any():
        raise InvalidDateError(
            f"{int(bad.sum())} dispute(s) are resolved before they are opened",
            column="resolved",
            ids=list(names[bad]),
            rule="resolved-before-opened",
        )
    if "reason" in dis.columns:
        reason = dis["reason"].astype("string").fillna("").str.strip()
        c.dispute_reason = reason.replace("", "unspecified").to_numpy(dtype=object)
    else:
        c.dispute_reason = np.full(len(dis), "unspecified", dtype=object)


def _build_statuses(c: Columns, sts: pd.DataFrame | None, fmt: str | None) -> None:
    if sts is None or len(sts) == 0:
        c.status_invoice = np.zeros(0, np.int64)
        c.status_date = np.zeros(0, np.int64)
        c.status_label = np.zeros(0, object)
        return
    sts = sts.reset_index(drop=True)
    require(sts, "statuses", CANONICAL["statuses"][0])
    pos, names = _lookup(c, sts, "statuses")
    day = parse_dates(sts["date"], column="date", ids=names, date_format=fmt)
    status = sts["status"].astype("string")
    bad = null_mask(status)
    if bad.any():
        raise MissingValueError(
            f"{int(bad.sum())} status event(s) have no status",
            column="status",
            ids=list(names[bad]),
        )
    order = np.lexsort((np.arange(len(pos)), day, pos))
    c.status_invoice = pos[order]
    c.status_date = day[order]
    c.status_label = status.to_numpy(dtype=object)[order]


def _build_doubtful(c: Columns, dbt: pd.DataFrame | None, fmt: str | None) -> None:
    if dbt is None or len(dbt) == 0:
        c.doubtful_invoice = np.zeros(0, np.int64)
        c.doubtful_date = np.zeros(0, np.int64)
        c.doubtful_provision = np.zeros(0, np.int64)
        return
    dbt = dbt.reset_index(drop=True)
    require(dbt, "doubtful", CANONICAL["doubtful"][0])
    pos, names = _lookup(c, dbt, "doubtful")
    c.doubtful_invoice = pos
    c.doubtful_date = parse_dates(dbt["date"], column="date", ids=names, date_format=fmt)
    if "provision" in dbt.columns:
        has = ~null_mask(dbt["provision"])
        prov = np.full(len(dbt), -1, dtype=np.int64)
        if has.any():
            prov[has] = parse_money(
                dbt["provision"][has],
                column="provision",
                ids=names[has],
                digits=c.digits,
                positive=False,
            )
            neg = prov[has] < 0
            if neg.any():
                raise NonPositiveAmountError(
                    f"{int(neg.sum())} provision(s) are negative",
                    column="provision",
                    ids=list(names[has][neg]),
                )
        c.doubtful_provision = prov
    else:
        c.doubtful_provision = np.full(len(dbt), -1, dtype=np.int64)
