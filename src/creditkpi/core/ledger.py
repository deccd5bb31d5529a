"""The validated, columnar :class:`Ledger`.

A ledger holds invoices and their settlements as numpy columns: dates as
integer day numbers (days since 1970-01-01) and money as integer minor units
(cents), so every sum is exact and vectorised. It is built from records, from
dataframes (pandas, polars, pyarrow) or from a one-table ERP export, and every
input row is either used or reported (SPEC §5).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.errors import (
    DataQualityWarning,
    DueBeforeIssueError,
    DuplicateIdError,
    InvalidAmountError,
    InvalidDateError,
    InvalidOptionError,
    InvalidValueError,
    MissingColumnError,
    MissingValueError,
    MixedCurrencyError,
    NonPositiveAmountError,
    SubMinorUnitError,
    UnknownInvoiceError,
)
from creditkpi.core.money import (
    FLOAT_EXACT_LIMIT,
    cents_array_to_decimal,
    cents_to_decimal,
    minor_unit,
    parse_amounts,
)
from creditkpi.core.period import from_day
from creditkpi.core.records import (
    SETTLEMENT_KINDS,
    Dispute,
    Doubtful,
    Invoice,
    Payment,
    StatusEvent,
)
from creditkpi.core.report import ValidationIssue, ValidationReport

__all__ = ["CANONICAL", "CREDIT_NOTE", "NO_END", "PAYMENT", "WRITE_OFF", "Groups", "Ledger"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: settlement kind codes in :attr:`Ledger.s_kind`
PAYMENT, CREDIT_NOTE, WRITE_OFF = 0, 1, 2

#: a day number later than any real date ("never", e.g. an unresolved dispute)
NO_END = 2**40

#: canonical columns of each input table: (required, optional)
CANONICAL: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "invoices": (("invoice_id", "customer_id", "issue_date", "due_date", "amount"), ("currency",)),
    "payments": (("date", "amount"), ("invoice_id", "kind", "customer_id", "currency")),
    "disputes": (("invoice_id", "opened"), ("resolved", "reason")),
    "statuses": (("invoice_id", "date", "status"), ()),
    "doubtful": (("invoice_id", "date"), ("provision",)),
}

ColumnMap = Mapping[str, str] | Mapping[str, Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class Groups:
    """Group codes for a ``by=`` argument.

    Attributes
    ----------
    name : str
        The grouping column (``"all"`` when not grouped).
    labels : pandas.Index
        Group labels; code ``k`` is ``labels[k]``.
    invoice : ndarray of int64
        Group code of each invoice.
    settlement : ndarray of int64
        Group code of each settlement (unapplied cash: its customer's group).
    """

    name: str
    labels: pd.Index
    invoice: IntArray
    settlement: IntArray

    @property
    def size(self) -> int:
        """Number of groups."""
        return len(self.labels)


# ----------------------------------------------------------------------------------
# column parsing helpers
# ----------------------------------------------------------------------------------


def _rename(frame: pd.DataFrame, table: str, columns: ColumnMap | None) -> pd.DataFrame:
    if not columns:
        return frame
    mapping: Mapping[str, str]
    nested = columns.get(table)
    if isinstance(nested, Mapping):
        mapping = nested
    else:
        mapping = {k: v for k, v in columns.items() if isinstance(v, str)}
    reverse = {
        theirs: canonical for canonical, theirs in mapping.items() if theirs in frame.columns
    }
    return frame.rename(columns=reverse) if reverse else frame


def _require(frame: pd.DataFrame, table: str, required: Sequence[str]) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise MissingColumnError(
            f"{table} table lacks required column(s) {', '.join(missing)} "
            f"(has: {', '.join(map(str, frame.columns))}; map yours with columns=...)",
            column=missing[0],
            ids=missing,
        )


def _null_mask(series: pd.Series) -> BoolArray:
    mask = series.isna().to_numpy()
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        text = series.astype("string").str.strip()
        mask = mask | (text == "").fillna(True).to_numpy(dtype=bool)
    return np.asarray(mask, dtype=bool)


def _normalise_ids(series: pd.Series) -> pd.Series:
    """Ids compare as text: 611365, 611365.0 and "611365" are the same invoice."""
    if pd.api.types.is_float_dtype(series.dtype):
        values = series.to_numpy(dtype=float)
        finite = np.isfinite(values)
        if np.all(values[finite] == np.round(values[finite])):
            out = pd.Series(pd.array(values, dtype="Int64"), index=series.index)
            return out.astype("string").astype(object).where(finite, None)
    if pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("string").astype(object)
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        return series.astype(object).where(series.notna(), None)
    if series.dtype == object:
        return series.map(lambda v: v if v is None or isinstance(v, str) else _id_text(v))
    return series.astype("string").astype(object)


def _id_text(value: object) -> object:
    if isinstance(value, float):
        if value != value:
            return None
        if value == int(value):
            return str(int(value))
    return str(value)


def _parse_dates(
    series: pd.Series,
    *,
    column: str,
    ids: npt.NDArray[Any],
    date_format: str | None,
    optional: bool = False,
) -> IntArray:
    """Day numbers of a date column; raises on missing/unparseable values."""
    missing = _null_mask(series)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        parsed = series
    else:
        values = series.where(~missing, None)
        try:
            parsed = pd.to_datetime(values, errors="coerce", format=date_format)
        except (ValueError, TypeError):
            parsed = pd.to_datetime(values, errors="coerce", format="mixed")
    naive = parsed.dt.tz_localize(None) if getattr(parsed.dt, "tz", None) is not None else parsed
    days = naive.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    bad_parse = np.isnat(days) & ~missing
    if bad_parse.any():
        raise InvalidDateError(
            f"{int(bad_parse.sum())} value(s) are not dates",
            column=column,
            ids=list(ids[bad_parse]),
        )
    if missing.any() and not optional:
        raise InvalidDateError(
            f"{int(missing.sum())} date(s) are missing", column=column, ids=list(ids[missing])
        )
    out = days.astype(np.int64)
    out[missing] = NO_END
    return out


def _parse_money(
    series: pd.Series, *, column: str, ids: npt.NDArray[Any], digits: int, positive: bool = True
) -> IntArray:
    values = series.to_numpy()
    if isinstance(series.dtype, pd.api.extensions.ExtensionDtype) and pd.api.types.is_numeric_dtype(
        series.dtype
    ):
        values = series.astype("float64").to_numpy()
    cents, invalid, too_fine = parse_amounts(values, digits)
    if invalid.any():
        raise InvalidAmountError(
            f"{int(invalid.sum())} amount(s) are missing or not numbers",
            column=column,
            ids=list(ids[invalid]),
        )
    if too_fine.any():
        raise SubMinorUnitError(
            f"{int(too_fine.sum())} amount(s) are finer than the currency's minor unit "
            f"(10^-{digits})",
            column=column,
            ids=list(ids[too_fine]),
        )
    if positive:
        bad = cents <= 0
        if bad.any():
            raise NonPositiveAmountError(
                f"{int(bad.sum())} amount(s) are zero or negative (settlements are positive; "
                "use kind='credit_note' for an avoir)",
                column=column,
                ids=list(ids[bad]),
            )
    return cents


def _row_labels(frame: pd.DataFrame, table: str) -> npt.NDArray[Any]:
    """How rows of a table without ids are named in messages: ``payments row 3``."""
    return np.array([f"{table} row {k}" for k in range(len(frame))], dtype=object)


def _truthy(series: pd.Series, *, column: str, ids: npt.NDArray[Any]) -> BoolArray:
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.fillna(False).to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(series.dtype):
        return np.asarray(series.fillna(0).to_numpy() != 0, dtype=bool)
    text = series.astype("string").str.strip().str.lower().fillna("")
    yes = text.isin(["yes", "y", "true", "t", "1", "oui", "x"]).to_numpy(dtype=bool)
    no = text.isin(["no", "n", "false", "f", "0", "non", ""]).to_numpy(dtype=bool)
    bad = ~(yes | no)
    if bad.any():
        raise InvalidValueError(
            f"{int(bad.sum())} value(s) are neither yes nor no", column=column, ids=list(ids[bad])
        )
    return yes


# ----------------------------------------------------------------------------------
# the ledger
# ----------------------------------------------------------------------------------


class Ledger:
    """Invoices and settlements as validated, exact columns.

    Build one with :meth:`from_records`, :meth:`from_frames` or
    :meth:`from_invoice_table`; never call the constructor directly.

    Columns (all numpy arrays; ``n`` invoices, ``m`` settlements)
    ----------------------------------------------------------------
    Invoices, in input order: ``invoice_ids`` (object), ``customer`` (int64
    codes into ``customers``), ``issue`` and ``due`` (int64 day numbers),
    ``amount`` (int64 minor units), ``attrs`` (a DataFrame of the extra invoice
    columns). Settlements, sorted by date: ``s_invoice`` (invoice position, -1
    for unapplied cash), ``s_customer``, ``s_date``, ``s_amount``, ``s_kind``
    (0 payment, 1 credit note, 2 write-off), ``s_row`` (input row number).
    Disputes: ``d_invoice``, ``d_opened``, ``d_resolved`` (``NO_END`` if
    open), ``d_reason``. Statuses (sorted by invoice then date): ``st_invoice``,
    ``st_date``, ``st_status``. Doubtful: ``db_invoice``, ``db_date``,
    ``db_provision`` (minor units, -1 when none).

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "ACME", "2024-03-01", "2024-03-31", "1000.00"),
    ...      ck.Invoice("F2", "ACME", "2024-04-02", "2024-05-02", "500.00")],
    ...     [ck.Payment("F1", "2024-04-10", "400.00")],
    ... )
    >>> ledger
    Ledger(2 invoices, 1 settlements, 1 customers, EUR, 2024-03-01..2024-04-10)
    >>> ck.receivables(ledger, "2024-04-30")
    Decimal('1100.00')
    """

    invoice_ids: npt.NDArray[Any]
    customer: IntArray
    customers: npt.NDArray[Any]
    issue: IntArray
    due: IntArray
    amount: IntArray
    attrs: pd.DataFrame
    s_invoice: IntArray
    s_customer: IntArray
    s_date: IntArray
    s_amount: IntArray
    s_kind: npt.NDArray[np.int8]
    s_row: IntArray
    d_invoice: IntArray
    d_opened: IntArray
    d_resolved: IntArray
    d_reason: npt.NDArray[Any]
    st_invoice: IntArray
    st_date: IntArray
    st_status: npt.NDArray[Any]
    db_invoice: IntArray
    db_date: IntArray
    db_provision: IntArray
    currency: str
    digits: int
    report: ValidationReport
    exact_float: bool

    def __init__(self) -> None:  # pragma: no cover - use the classmethods
        raise TypeError(
            "build a Ledger with Ledger.from_records, from_frames or from_invoice_table"
        )

    # ------------------------------------------------------------------ builders
    @classmethod
    def from_records(
        cls,
        invoices: Iterable[Invoice],
        payments: Iterable[Payment] = (),
        disputes: Iterable[Dispute] = (),
        statuses: Iterable[StatusEvent] = (),
        doubtful: Iterable[Doubtful] = (),
        *,
        unknown_invoices: Literal["error", "unapplied"] = "error",
    ) -> Ledger:
        """Build a ledger from typed records.

        Parameters
        ----------
        invoices : iterable of Invoice
        payments : iterable of Payment, optional
            Payments, credit notes and write-offs (``Payment.kind``).
        disputes : iterable of Dispute, optional
        statuses : iterable of StatusEvent, optional
            Dunning status events.
        doubtful : iterable of Doubtful, optional
            Doubtful classifications (créances douteuses).
        unknown_invoices : {"error", "unapplied"}, default "error"
            What a payment for an unknown invoice is: an error, or unapplied
            cash of its ``customer``.

        Returns
        -------
        Ledger

        Raises
        ------
        CreditKPIError
            On any rule of SPEC §5 (see :mod:`creditkpi.core.errors`).

        Examples
        --------
        >>> import creditkpi as ck
        >>> ck.Ledger.from_records(
        ...     [ck.Invoice("F1", "C1", "2024-01-05", "2024-02-04", "99.90")]
        ... ).n_invoices
        1
        """
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
        return cls._build(
            inv_frame,
            pay_frame,
            dis_frame,
            st_frame,
            db_frame,
            date_format=None,
            unknown_invoices=unknown_invoices,
        )

    @classmethod
    def from_frames(
        cls,
        invoices: Any,
        payments: Any = None,
        disputes: Any = None,
        statuses: Any = None,
        doubtful: Any = None,
        *,
        columns: ColumnMap | None = None,
        date_format: str | None = None,
        unknown_invoices: Literal["error", "unapplied"] = "error",
    ) -> Ledger:
        """Build a ledger from dataframes (pandas, polars or pyarrow).

        Canonical columns (map yours with ``columns``):

        - invoices: ``invoice_id, customer_id, issue_date, due_date, amount``
          [``currency``]; any other column becomes a grouping attribute;
        - payments: ``invoice_id, date, amount`` [``kind``, ``customer_id``,
          ``currency``]; an empty ``invoice_id`` with a ``customer_id`` is
          unapplied cash; ``kind`` defaults to ``"payment"``;
        - disputes: ``invoice_id, opened`` [``resolved``, ``reason``];
        - statuses: ``invoice_id, date, status``;
        - doubtful: ``invoice_id, date`` [``provision``].

        Parameters
        ----------
        invoices, payments, disputes, statuses, doubtful : dataframe
            pandas, polars or pyarrow tables (anything narwhals reads).
        columns : mapping, optional
            ``{"canonical": "theirs"}`` for every table, or
            ``{"payments": {"date": "paid_on"}, ...}`` per table.
        date_format : str, optional
            ``strptime`` format of text dates (e.g. ``"%m/%d/%Y"``); inferred
            when omitted.
        unknown_invoices : {"error", "unapplied"}, default "error"
            A payment for an unknown invoice: an error, or unapplied cash.

        Returns
        -------
        Ledger

        Examples
        --------
        >>> import pandas as pd, creditkpi as ck
        >>> inv = pd.DataFrame({"number": ["F1", "F2"], "customer_id": ["A", "B"],
        ...     "issue_date": ["2024-04-01", "2024-04-03"],
        ...     "due_date": ["2024-05-01", "2024-05-03"], "amount": [120.0, 80.5]})
        >>> pay = pd.DataFrame({"number": ["F1"], "date": ["2024-04-20"], "amount": [20.0]})
        >>> ledger = ck.Ledger.from_frames(inv, pay, columns={"invoice_id": "number"})
        >>> ck.receivables(ledger, "2024-04-30")
        Decimal('180.50')
        """
        frames = [cls._to_pandas(f) for f in (invoices, payments, disputes, statuses, doubtful)]
        tables = ["invoices", "payments", "disputes", "statuses", "doubtful"]
        renamed = [
            None if f is None else _rename(f, t, columns)
            for f, t in zip(frames, tables, strict=True)
        ]
        inv_frame = renamed[0]
        assert inv_frame is not None
        return cls._build(
            inv_frame,
            renamed[1],
            renamed[2],
            renamed[3],
            renamed[4],
            date_format=date_format,
            unknown_invoices=unknown_invoices,
        )

    @classmethod
    def from_invoice_table(
        cls,
        frame: Any,
        *,
        settled_date: str = "settled_date",
        disputed: str | None = None,
        columns: ColumnMap | None = None,
        date_format: str | None = None,
    ) -> Ledger:
        """Build a ledger from one row per invoice with the date it was settled.

        The shape of many ERP exports: each invoice is paid in full on
        ``settled_date`` (empty = still open). A truthy ``disputed`` column
        (yes/no, true/false, 1/0) means disputed from issue until settled.

        Parameters
        ----------
        frame : dataframe
            Invoice columns (see :meth:`from_frames`) plus the settled date.
        settled_date : str, default "settled_date"
            Column holding the settlement date.
        disputed : str, optional
            Column flagging disputed invoices.
        columns : mapping, optional
            ``{"canonical": "theirs"}`` for the invoice columns.
        date_format : str, optional
            ``strptime`` format of text dates.

        Returns
        -------
        Ledger

        Examples
        --------
        >>> import pandas as pd, creditkpi as ck
        >>> erp = pd.DataFrame({"invoice_id": ["F1", "F2"], "customer_id": ["A", "A"],
        ...     "issue_date": ["2024-01-02", "2024-01-20"], "due_date": ["2024-02-01", "2024-02-19"],
        ...     "amount": [100.0, 50.0], "settled_date": ["2024-02-10", None]})
        >>> ck.receivables(ck.Ledger.from_invoice_table(erp), "2024-02-28")
        Decimal('50.00')
        """
        native = cls._to_pandas(frame)
        if native is None:
            raise TypeError("from_invoice_table needs a table, got None")
        inv = _rename(native, "invoices", columns)
        required, _ = CANONICAL["invoices"]
        _require(inv, "invoices", [*required, settled_date])
        ids = _normalise_ids(inv["invoice_id"]).to_numpy()
        settled = _parse_dates(
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
            _require(inv, "invoices", [disputed])
            flag = _truthy(inv[disputed], column=disputed, ids=ids)
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
        return cls._build(
            inv.drop(columns=drop),
            payments,
            disputes,
            None,
            None,
            date_format=date_format,
            unknown_invoices="error",
        )

    @staticmethod
    def _to_pandas(frame: Any) -> pd.DataFrame | None:
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
        out: pd.DataFrame = native.to_pandas()
        return out

    # ------------------------------------------------------------------ validation
    @classmethod
    def _build(
        cls,
        inv: pd.DataFrame,
        pay: pd.DataFrame | None,
        dis: pd.DataFrame | None,
        sts: pd.DataFrame | None,
        dbt: pd.DataFrame | None,
        *,
        date_format: str | None,
        unknown_invoices: str,
    ) -> Ledger:
        if unknown_invoices not in ("error", "unapplied"):
            raise InvalidOptionError(
                f"unknown_invoices must be 'error' or 'unapplied', got {unknown_invoices!r}",
                column="unknown_invoices",
            )
        self = object.__new__(cls)
        self.report = ValidationReport()
        req, opt = CANONICAL["invoices"]
        _require(inv, "invoices", req)
        inv = inv.reset_index(drop=True)

        # ids ----------------------------------------------------------------------
        id_series = _normalise_ids(inv["invoice_id"])
        rows = _row_labels(inv, "invoices")
        missing = _null_mask(id_series)
        if missing.any():
            raise MissingValueError(
                f"{int(missing.sum())} invoice(s) have no id",
                column="invoice_id",
                ids=list(rows[missing]),
            )
        ids = id_series.to_numpy(dtype=object)
        index = pd.Index(ids)
        if not index.is_unique:
            dup = index[index.duplicated(keep=False)]
            raise DuplicateIdError(
                f"{int(index.duplicated().sum())} invoice id(s) appear more than once",
                column="invoice_id",
                ids=list(pd.unique(dup)),
            )
        cust_series = _normalise_ids(inv["customer_id"])
        cmiss = _null_mask(cust_series)
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
                cur = frame["currency"].astype("string").str.strip().str.upper()
                currencies.update(str(c) for c in pd.unique(cur.dropna()))
        if len(currencies) > 1:
            names = sorted(currencies)
            raise MixedCurrencyError(
                f"the inputs mix {len(names)} currencies ({', '.join(names)}); "
                "compute one currency at a time",
                column="currency",
                ids=cls._first_ids_per_currency(inv, ids),
            )
        self.currency = currencies.pop() if currencies else "EUR"
        self.digits = minor_unit(self.currency)

        # invoice columns ------------------------------------------------------------
        self.invoice_ids = ids
        self.issue = _parse_dates(
            inv["issue_date"], column="issue_date", ids=ids, date_format=date_format
        )
        self.due = _parse_dates(
            inv["due_date"], column="due_date", ids=ids, date_format=date_format
        )
        bad = self.due < self.issue
        if bad.any():
            raise DueBeforeIssueError(
                f"{int(bad.sum())} invoice(s) have due_date before issue_date",
                column="due_date",
                ids=list(ids[bad]),
            )
        self.amount = _parse_money(inv["amount"], column="amount", ids=ids, digits=self.digits)
        attr_cols = [c for c in inv.columns if c not in (*req, *opt)]
        self.attrs = inv[attr_cols].reset_index(drop=True)

        # settlements ------------------------------------------------------------------
        n = len(ids)
        if pay is None:
            pay = pd.DataFrame(
                {c: pd.Series([], dtype=object) for c in ("invoice_id", "date", "amount")}
            )
        pay = pay.reset_index(drop=True)
        preq, _ = CANONICAL["payments"]
        _require(pay, "payments", preq)
        m = len(pay)
        prow = _row_labels(pay, "payments")
        if "invoice_id" in pay.columns:
            pid = _normalise_ids(pay["invoice_id"])
            pnull = _null_mask(pid)
            ppos = index.get_indexer(pid.where(~pnull, None).to_numpy(dtype=object))
            ppos[pnull] = -1
        else:
            pid = pd.Series([None] * m, dtype=object)
            pnull = np.ones(m, dtype=bool)
            ppos = np.full(m, -1, dtype=np.int64)
        pnames = np.where(pnull, prow, pid.to_numpy(dtype=object))
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
            pcust_series = _normalise_ids(pay["customer_id"])
            pcust_null = _null_mask(pcust_series)
        else:
            pcust_series = pd.Series([None] * m, dtype=object)
            pcust_null = np.ones(m, dtype=bool)
        orphan = unapplied & pcust_null
        if orphan.any():
            raise MissingValueError(
                f"{int(orphan.sum())} settlement(s) have neither a known invoice nor a customer",
                column="customer_id",
                ids=list(pnames[orphan]),
            )
        pdate = _parse_dates(pay["date"], column="date", ids=pnames, date_format=date_format)
        pamount = _parse_money(pay["amount"], column="amount", ids=pnames, digits=self.digits)
        if "kind" in pay.columns:
            kind_text = pay["kind"].astype("string").str.strip().str.lower().fillna("payment")
            kind_text = kind_text.replace("", "payment")
            codes = pd.Index(SETTLEMENT_KINDS).get_indexer(
                pd.Index(kind_text.to_numpy(dtype=object))
            )
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
        inv_cust = cust_series.to_numpy(dtype=object)
        pay_cust = pcust_series.to_numpy(dtype=object).copy()
        pay_cust[~unapplied] = None
        codes_all, uniques = pd.factorize(
            np.concatenate([inv_cust, pay_cust[unapplied]]), use_na_sentinel=True
        )
        self.customer = codes_all[:n].astype(np.int64)
        self.customers = np.asarray(uniques, dtype=object)
        scust = np.empty(m, dtype=np.int64)
        scust[~unapplied] = self.customer[ppos[~unapplied]]
        scust[unapplied] = codes_all[n:]

        order = np.argsort(pdate, kind="stable")
        self.s_invoice = ppos.astype(np.int64)[order]
        self.s_customer = scust[order]
        self.s_date = pdate[order]
        self.s_amount = pamount[order]
        self.s_kind = pkind[order]
        self.s_row = np.arange(m, dtype=np.int64)[order]

        total = int(np.abs(self.amount).sum()) + int(np.abs(self.s_amount).sum())
        self.exact_float = total < FLOAT_EXACT_LIMIT // 4

        self._warn_settlements()
        self._build_disputes(dis, index, date_format)
        self._build_statuses(sts, index, date_format)
        self._build_doubtful(dbt, index, date_format)
        return self

    @staticmethod
    def _first_ids_per_currency(inv: pd.DataFrame, ids: npt.NDArray[Any]) -> list[object]:
        if "currency" not in inv.columns:
            return []
        cur = inv["currency"].astype("string").str.strip().str.upper()
        first = cur.drop_duplicates()
        return [f"{ids[int(str(i))]} ({c})" for i, c in first.dropna().items()]

    def _warn_settlements(self) -> None:
        applied = self.s_invoice >= 0
        inv = self.s_invoice[applied]
        settled = self.bin_sum(inv, self.s_amount[applied], len(self.invoice_ids))
        over = settled > self.amount
        if over.any():
            where = np.flatnonzero(over)
            self._warn(
                "overpaid-invoice",
                "invoices",
                "amount",
                f"{where.size} invoice(s) are settled for more than their amount",
                self.invoice_ids[where],
                where,
            )
        early = applied.copy()
        early[applied] = self.s_date[applied] < self.issue[inv]
        if early.any():
            where = np.flatnonzero(early)
            self._warn(
                "settlement-before-issue",
                "payments",
                "date",
                f"{where.size} settlement(s) are dated before their invoice's issue date "
                "(they count from the issue date)",
                self.invoice_ids[self.s_invoice[where]],
                self.s_row[where],
            )

    def _warn(
        self,
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
        self.report.issues.append(issue)
        warnings.warn(f"{issue} — see Ledger.report", DataQualityWarning, stacklevel=4)

    def _lookup(
        self, frame: pd.DataFrame, table: str, index: pd.Index
    ) -> tuple[IntArray, npt.NDArray[Any]]:
        ids = _normalise_ids(frame["invoice_id"])
        null = _null_mask(ids)
        rows = _row_labels(frame, table)
        if null.any():
            raise MissingValueError(
                f"{int(null.sum())} {table} row(s) have no invoice id",
                column="invoice_id",
                ids=list(rows[null]),
            )
        names = ids.to_numpy(dtype=object)
        pos = index.get_indexer(pd.Index(names))
        if (pos < 0).any():
            raise UnknownInvoiceError(
                f"{int((pos < 0).sum())} {table} row(s) refer to invoices that do not exist",
                column="invoice_id",
                ids=list(names[pos < 0]),
            )
        return pos.astype(np.int64), names

    def _build_disputes(self, dis: pd.DataFrame | None, index: pd.Index, fmt: str | None) -> None:
        if dis is None or len(dis) == 0:
            self.d_invoice = np.zeros(0, np.int64)
            self.d_opened = np.zeros(0, np.int64)
            self.d_resolved = np.zeros(0, np.int64)
            self.d_reason = np.zeros(0, object)
            return
        dis = dis.reset_index(drop=True)
        _require(dis, "disputes", CANONICAL["disputes"][0])
        pos, names = self._lookup(dis, "disputes", index)
        self.d_invoice = pos
        self.d_opened = _parse_dates(dis["opened"], column="opened", ids=names, date_format=fmt)
        if "resolved" in dis.columns:
            self.d_resolved = _parse_dates(
                dis["resolved"], column="resolved", ids=names, date_format=fmt, optional=True
            )
        else:
            self.d_resolved = np.full(len(dis), NO_END, dtype=np.int64)
        bad = self.d_resolved < self.d_opened
        if bad.any():
            raise InvalidDateError(
                f"{int(bad.sum())} dispute(s) are resolved before they are opened",
                column="resolved",
                ids=list(names[bad]),
                rule="resolved-before-opened",
            )
        if "reason" in dis.columns:
            reason = dis["reason"].astype("string").fillna("").str.strip()
            self.d_reason = reason.replace("", "unspecified").to_numpy(dtype=object)
        else:
            self.d_reason = np.full(len(dis), "unspecified", dtype=object)

    def _build_statuses(self, sts: pd.DataFrame | None, index: pd.Index, fmt: str | None) -> None:
        if sts is None or len(sts) == 0:
            self.st_invoice = np.zeros(0, np.int64)
            self.st_date = np.zeros(0, np.int64)
            self.st_status = np.zeros(0, object)
            return
        sts = sts.reset_index(drop=True)
        _require(sts, "statuses", CANONICAL["statuses"][0])
        pos, names = self._lookup(sts, "statuses", index)
        day = _parse_dates(sts["date"], column="date", ids=names, date_format=fmt)
        status = sts["status"].astype("string")
        bad = _null_mask(status)
        if bad.any():
            raise MissingValueError(
                f"{int(bad.sum())} status event(s) have no status",
                column="status",
                ids=list(names[bad]),
            )
        order = np.lexsort((np.arange(len(pos)), day, pos))
        self.st_invoice = pos[order]
        self.st_date = day[order]
        self.st_status = status.to_numpy(dtype=object)[order]

    def _build_doubtful(self, dbt: pd.DataFrame | None, index: pd.Index, fmt: str | None) -> None:
        if dbt is None or len(dbt) == 0:
            self.db_invoice = np.zeros(0, np.int64)
            self.db_date = np.zeros(0, np.int64)
            self.db_provision = np.zeros(0, np.int64)
            return
        dbt = dbt.reset_index(drop=True)
        _require(dbt, "doubtful", CANONICAL["doubtful"][0])
        pos, names = self._lookup(dbt, "doubtful", index)
        self.db_invoice = pos
        self.db_date = _parse_dates(dbt["date"], column="date", ids=names, date_format=fmt)
        if "provision" in dbt.columns:
            has = ~_null_mask(dbt["provision"])
            prov = np.full(len(dbt), -1, dtype=np.int64)
            if has.any():
                prov[has] = _parse_money(
                    dbt["provision"][has],
                    column="provision",
                    ids=names[has],
                    digits=self.digits,
                    positive=False,
                )
                neg = prov[has] < 0
                if neg.any():
                    raise NonPositiveAmountError(
                        f"{int(neg.sum())} provision(s) are negative",
                        column="provision",
                        ids=list(names[has][neg]),
                    )
            self.db_provision = prov
        else:
            self.db_provision = np.full(len(dbt), -1, dtype=np.int64)

    # ------------------------------------------------------------------ accessors
    @property
    def n_invoices(self) -> int:
        """Number of invoices."""
        return int(self.invoice_ids.shape[0])

    @property
    def n_settlements(self) -> int:
        """Number of settlements (payments, credit notes, write-offs, unapplied cash)."""
        return int(self.s_date.shape[0])

    @property
    def attributes(self) -> list[str]:
        """Names usable as ``by=``: ``"customer_id"`` and every extra invoice column."""
        return ["customer_id", *map(str, self.attrs.columns)]

    @property
    def first_day(self) -> int | None:
        """Day number of the earliest event (issue or settlement), ``None`` if empty."""
        days = [a.min() for a in (self.issue, self.s_date) if a.size]
        return int(min(days)) if days else None

    @property
    def last_day(self) -> int | None:
        """Day number of the latest event (issue or settlement), ``None`` if empty."""
        days = [a.max() for a in (self.issue, self.s_date) if a.size]
        return int(max(days)) if days else None

    def money(self, cents: int | np.integer[Any]) -> Decimal:
        """``Decimal`` amount of integer minor units, in this ledger's currency."""
        return cents_to_decimal(int(cents), self.digits)

    def money_list(self, cents: Iterable[int]) -> list[Decimal]:
        """``Decimal`` amounts of many integer minor-unit values."""
        return cents_array_to_decimal(cents, self.digits)

    def bin_sum(self, index: IntArray, weights: IntArray, size: int) -> IntArray:
        """Exact ``bincount`` of integer ``weights`` into ``size`` bins.

        Float64 bincount is exact while totals stay below 2**53 minor units
        (checked once per ledger); beyond, an integer ``np.add.at`` is used.
        """
        if self.exact_float:
            out = np.bincount(index, weights=weights.astype(np.float64), minlength=size)
            return np.rint(out).astype(np.int64)
        acc = np.zeros(size, dtype=np.int64)
        np.add.at(acc, index, weights)
        return acc

    def groups(self, by: str | None) -> Groups:
        """Group codes of invoices and settlements for ``by`` (``None``: one group "all").

        Unapplied cash, which has no invoice, takes its customer's group; when
        ``by`` is an attribute that is not constant across a customer's
        invoices, it goes to the group ``"(unassigned)"``.
        """
        n, m = self.n_invoices, self.n_settlements
        if by is None:
            return Groups("all", pd.Index(["all"]), np.zeros(n, np.int64), np.zeros(m, np.int64))
        if by in ("customer_id", "customer"):
            labels = pd.Index(self.customers, name="customer_id")
            sgroup = np.where(self.s_invoice >= 0, self.customer[self.s_invoice], self.s_customer)
            return Groups("customer_id", labels, self.customer, sgroup)
        if by not in self.attrs.columns:
            raise InvalidOptionError(
                f"by must be one of {', '.join(self.attributes)}, got {by!r}", column="by"
            )
        codes, uniques = pd.factorize(self.attrs[by], use_na_sentinel=False)
        codes = codes.astype(np.int64)
        labels = list(uniques)
        sgroup = np.empty(m, dtype=np.int64)
        applied = self.s_invoice >= 0
        sgroup[applied] = codes[self.s_invoice[applied]]
        if (~applied).any():
            # customer -> its attribute, when constant across its invoices
            ncust = len(self.customers)
            lo = np.full(ncust, np.iinfo(np.int64).max, dtype=np.int64)
            hi = np.full(ncust, -1, dtype=np.int64)
            np.minimum.at(lo, self.customer, codes)
            np.maximum.at(hi, self.customer, codes)
            cust_code = np.where((lo == hi) & (hi >= 0), hi, -1)
            sg = cust_code[self.s_customer[~applied]]
            if (sg < 0).any():
                labels.append("(unassigned)")
                sg = np.where(sg < 0, len(labels) - 1, sg)
            sgroup[~applied] = sg
        return Groups(by, pd.Index(labels, name=by), codes, sgroup)

    # ------------------------------------------------------------------ views
    @property
    def invoices(self) -> pd.DataFrame:
        """The invoices as a canonical DataFrame (amounts as ``Decimal``)."""
        epoch = np.datetime64("1970-01-01", "D")
        frame = pd.DataFrame(
            {
                "invoice_id": self.invoice_ids,
                "customer_id": self.customers[self.customer],
                "issue_date": epoch + self.issue.astype("timedelta64[D]"),
                "due_date": epoch + self.due.astype("timedelta64[D]"),
                "amount": pd.Series(self.money_list(self.amount.tolist()), dtype=object),
                "currency": self.currency,
            }
        )
        return pd.concat([frame, self.attrs], axis=1)

    @property
    def settlements(self) -> pd.DataFrame:
        """The settlements as a canonical DataFrame, sorted by date."""
        epoch = np.datetime64("1970-01-01", "D")
        inv = self.invoice_ids[self.s_invoice].copy()
        inv[self.s_invoice < 0] = None
        return pd.DataFrame(
            {
                "invoice_id": pd.Series(inv, dtype=object),
                "customer_id": self.customers[self.s_customer],
                "date": epoch + self.s_date.astype("timedelta64[D]"),
                "amount": pd.Series(self.money_list(self.s_amount.tolist()), dtype=object),
                "kind": np.asarray(SETTLEMENT_KINDS, dtype=object)[self.s_kind],
                "row": self.s_row,
            }
        )

    def __len__(self) -> int:
        return self.n_invoices

    def __repr__(self) -> str:
        first, last = self.first_day, self.last_day
        span = "" if first is None or last is None else f", {from_day(first)}..{from_day(last)}"
        extras = ""
        if self.d_invoice.size:
            extras += f", {self.d_invoice.size} disputes"
        return (
            f"Ledger({self.n_invoices} invoices, {self.n_settlements} settlements, "
            f"{len(self.customers)} customers{extras}, {self.currency}{span})"
        )
