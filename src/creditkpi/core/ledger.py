"""The validated, columnar :class:`Ledger`.

A ledger holds invoices and their settlements as numpy columns: dates as
integer day numbers (days since 1970-01-01) and money as integer minor units
(cents), so every sum is exact and vectorised. It is built from records, from
dataframes (pandas, polars, pyarrow) or from a one-table ERP export, and every
input row is either used or reported (SPEC §5).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
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


class _Names:
    """Row names for messages, built only for the rows an error reports.

    Indexing (``names[mask]``) returns an object array like the eager array
    would; nothing is built on the happy path.
    """

    __slots__ = ("_make", "_size")

    def __init__(self, size: int, make: Callable[[IntArray], npt.NDArray[Any]]) -> None:
        self._size = size
        self._make = make

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, key: Any) -> Any:
        rows = np.arange(self._size, dtype=np.int64)[key]
        if np.ndim(rows) == 0:
            return self._make(np.asarray([rows], dtype=np.int64))[0]
        return self._make(np.asarray(rows, dtype=np.int64))


Names = npt.NDArray[Any] | _Names


def _pyarrow() -> Any:
    """The pyarrow module, or ``None`` (the fast id paths are optional)."""
    try:
        import pyarrow
    except ImportError:  # pragma: no cover - pyarrow ships with the test extras
        return None
    return pyarrow


@dataclass(frozen=True, slots=True)
class _IdColumn:
    """An id column, normalised as :func:`_normalise_ids` does, without building objects.

    Exactly one of ``ints`` (int64 values, ids that are whole numbers),
    ``arrow`` (an Arrow string array of the id text) or ``obj`` (the
    normalised object array, the general path) is set. ``null`` is
    :func:`_null_mask` of the normalised ids.
    """

    null: BoolArray
    ints: IntArray | None = None
    arrow: Any = None
    obj: npt.NDArray[Any] | None = None

    def text(self, rows: IntArray) -> npt.NDArray[Any]:
        """Normalised text of ``rows`` (``None`` where missing)."""
        return _source_text(self.ints, self.arrow, self.obj, self.null, rows)

    def objects(self) -> npt.NDArray[Any]:
        """The whole normalised object array (``None`` where missing)."""
        if self.obj is not None:
            return self.obj
        return self.text(np.arange(self.null.shape[0], dtype=np.int64))

    def as_arrow(self) -> Any:
        """Arrow ``large_string`` array of the text, or ``None`` when not available."""
        pa = _pyarrow()
        if pa is None:
            return None
        if self.arrow is not None:
            return self.arrow
        if self.ints is not None:
            return pa.array(self.ints, mask=self.null).cast(pa.large_string())
        return None


def _source_text(
    ints: IntArray | None,
    arrow: Any,
    obj: npt.NDArray[Any] | None,
    null: BoolArray | None,
    rows: IntArray,
) -> npt.NDArray[Any]:
    if obj is not None:
        return np.asarray(obj[rows], dtype=object)
    if arrow is not None:
        out = np.asarray(arrow.take(rows).to_numpy(zero_copy_only=False), dtype=object)
        return out
    assert ints is not None
    text = ints[rows].astype(str).astype(object)
    if null is not None and null.any():
        text[null[rows]] = None
    return np.asarray(text, dtype=object)


#: ASCII letters and digits: a string starting with one of them is not blank
_ALNUM = np.zeros(256, dtype=bool)
_ALNUM[[ord(c) for c in "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"]] = True


def _arrow_blank(pa: Any, arr: Any, null: BoolArray) -> BoolArray:
    """``""`` or whitespace-only strings, exactly as :func:`_null_mask` sees them.

    Only strings that are empty or start with a byte that is not an ASCII
    letter or digit can be blank; those few candidates (read from the Arrow
    buffers, no string is built) go through the pandas expression of
    :func:`_null_mask`.
    """
    n = len(arr)
    buffers = arr.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[arr.offset : arr.offset + n + 1]
    starts = offsets[:-1]
    nonempty = offsets[1:] > starts
    first = np.zeros(n, dtype=np.uint8)
    if buffers[2] is not None and nonempty.any():
        data = np.frombuffer(buffers[2], dtype=np.uint8)
        first[nonempty] = data[starts[nonempty]]
    where = np.flatnonzero(~(nonempty & _ALNUM[first]) & ~null)
    out = np.zeros(n, dtype=bool)
    if where.size:
        text = pd.Series(arr.take(where).to_numpy(zero_copy_only=False), dtype=object)
        out[where] = _null_mask(text)
    return out


class _Later:
    """A value computed on a worker thread when the tables are large, else at once.

    Arrow's hashing and numpy release the GIL, so on a multi-core machine the
    id matching and the customer coding overlap with the parsing of dates and
    amounts; errors are still raised in the documented order, by whoever
    calls :meth:`result`.
    """

    _pool: Any = None

    def __init__(self, threaded: bool, fn: Callable[..., Any], *args: Any) -> None:
        self._future: Any = None
        self._value: Any = None
        if threaded:
            if _Later._pool is None:
                from concurrent.futures import ThreadPoolExecutor

                _Later._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="creditkpi")
            self._future = _Later._pool.submit(fn, *args)
        else:
            self._value = fn(*args)

    def result(self) -> Any:
        return self._value if self._future is None else self._future.result()


#: tables at least this long are ingested with worker threads
_THREADED_ROWS = 200_000


def _id_column(series: pd.Series) -> _IdColumn:
    """Normalise an id column (see :func:`_normalise_ids`) on its native dtype."""
    dtype = series.dtype
    pa = _pyarrow()
    # whole numbers: integer columns, and float columns holding whole numbers (NaN = missing)
    if isinstance(dtype, np.dtype) and dtype.kind == "i":
        return _IdColumn(null=np.zeros(len(series), dtype=bool), ints=series.to_numpy(np.int64))
    if pd.api.types.is_extension_array_dtype(dtype) and getattr(dtype, "kind", "") == "i":
        null = np.asarray(series.isna().to_numpy(), dtype=bool)
        return _IdColumn(null=null, ints=series.to_numpy(dtype=np.int64, na_value=0))
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        values = series.to_numpy(dtype=np.float64)
        nan = np.isnan(values)
        finite = values[~nan]
        if (
            np.all(np.isfinite(finite))
            and np.all(finite == np.round(finite))
            and np.all(np.abs(finite) < 2.0**53)
        ):
            return _IdColumn(null=nan, ints=np.where(nan, 0, values).astype(np.int64))
    # text: pandas string dtypes, Arrow strings, categoricals or object columns of str
    if pa is not None:
        arrow = None
        try:
            if isinstance(dtype, pd.StringDtype) or (
                isinstance(dtype, pd.ArrowDtype)
                and (
                    pa.types.is_string(dtype.pyarrow_dtype)
                    or pa.types.is_large_string(dtype.pyarrow_dtype)
                )
            ):
                arrow = pa.array(series.array)
            elif isinstance(dtype, pd.CategoricalDtype):
                if pd.api.types.infer_dtype(dtype.categories, skipna=True) == "string":
                    arrow = pa.array(
                        series.astype(object).to_numpy(), type=pa.large_string(), from_pandas=True
                    )
            elif pd.api.types.is_object_dtype(dtype) and pd.api.types.infer_dtype(
                series, skipna=True
            ) in (
                "string",
                "empty",
            ):
                arrow = pa.array(series.to_numpy(), type=pa.large_string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arrow = None
        if arrow is not None:
            if isinstance(arrow, pa.ChunkedArray):
                arrow = arrow.combine_chunks()
            if not pa.types.is_large_string(arrow.type):
                arrow = arrow.cast(pa.large_string())
            null = np.asarray(arrow.is_null().to_numpy(zero_copy_only=False), dtype=bool)
            return _IdColumn(null=null | _arrow_blank(pa, arrow, null), arrow=arrow)
    normalised = _normalise_ids(series)
    return _IdColumn(null=_null_mask(normalised), obj=normalised.to_numpy(dtype=object))


def _match_ids(inv: _IdColumn, pay: _IdColumn | None) -> tuple[bool, IntArray]:
    """Whether invoice ids are unique, and each payment's invoice position (-1: none).

    Invoice ids are known not to be missing. Ids compare as their text; whole
    numbers compare as numbers (the same thing), strings by hashing.
    """
    n = inv.null.shape[0]
    m = 0 if pay is None else pay.null.shape[0]
    if inv.ints is not None and (pay is None or pay.ints is not None):
        values = inv.ints
        lo = int(values.min()) if n else 0
        hi = int(values.max()) if n else -1
        if hi - lo < 4 * n + 1024:  # dense ids: a lookup table
            table = np.full(hi - lo + 1, -1, dtype=np.int64)
            table[values - lo] = np.arange(n, dtype=np.int64)
            unique = bool((table >= 0).sum() == n)
            ppos = np.full(m, -1, dtype=np.int64)
            if pay is not None and pay.ints is not None:
                off = pay.ints - lo
                inside = (off >= 0) & (off <= hi - lo) & ~pay.null
                ppos[inside] = table[off[inside]]
            return unique, ppos
        index = pd.Index(values)
        unique = bool(index.is_unique)
        if pay is None or pay.ints is None or not unique:
            return unique, np.full(m, -1, dtype=np.int64)
        ppos = np.asarray(index.get_indexer(pd.Index(pay.ints)), dtype=np.int64)
        ppos[pay.null] = -1
        return unique, ppos
    pa = _pyarrow()
    left = inv.as_arrow()
    right = None if pay is None else pay.as_arrow()
    if pa is not None and left is not None and (pay is None or right is not None):
        import pyarrow.compute as pc

        both = left if right is None else pa.concat_arrays([left, right])
        codes = pc.fill_null(pc.dictionary_encode(both).indices, -1).to_numpy()
        unique = bool(np.array_equal(codes[:n], np.arange(n)))
        ppos = np.asarray(codes[n:], dtype=np.int64).copy()
        ppos[ppos >= n] = -1
        if pay is not None:
            ppos[pay.null] = -1
        return unique, ppos
    index = pd.Index(inv.objects())
    if not index.is_unique:
        return False, np.full(m, -1, dtype=np.int64)
    if pay is None:
        return True, np.full(0, -1, dtype=np.int64)
    names = pay.objects().copy()
    names[pay.null] = None
    ppos = np.asarray(index.get_indexer(names), dtype=np.int64)
    ppos[pay.null] = -1
    return True, ppos


def _factorize_customers(
    inv: _IdColumn, pay: _IdColumn | None, unapplied: BoolArray
) -> tuple[IntArray, IntArray, npt.NDArray[Any]]:
    """Customer codes of invoices and of unapplied payments, and the labels (text).

    Codes follow the order of first appearance: invoice customers first, then
    customers only seen in unapplied cash.
    """
    n = inv.null.shape[0]
    extra = np.flatnonzero(unapplied)
    if inv.ints is not None and (pay is None or extra.size == 0 or pay.ints is not None):
        values = (
            inv.ints
            if pay is None or pay.ints is None
            else np.concatenate([inv.ints, pay.ints[extra]])
        )
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        labels = np.asarray(uniques).astype(str).astype(object)
        codes = np.asarray(codes, dtype=np.int64)
        return codes[:n], codes[n:], labels
    pa = _pyarrow()
    left = inv.as_arrow()
    right = None if pay is None or extra.size == 0 else pay.as_arrow()
    if pa is not None and left is not None and (right is not None or extra.size == 0):
        import pyarrow.compute as pc

        both = left if right is None else pa.concat_arrays([left, right.take(extra)])
        encoded = pc.dictionary_encode(both)
        codes = np.asarray(pc.fill_null(encoded.indices, -1).to_numpy(), dtype=np.int64)
        labels = np.asarray(encoded.dictionary.to_numpy(zero_copy_only=False), dtype=object)
        return codes[:n], codes[n:], labels
    parts = [inv.objects()]
    if pay is not None and extra.size:
        parts.append(pay.objects()[extra])
    codes, uniques = pd.factorize(np.concatenate(parts), use_na_sentinel=True)
    codes = np.asarray(codes, dtype=np.int64)
    return codes[:n], codes[n:], np.asarray(uniques, dtype=object)


def _stable_date_order(days: IntArray) -> IntArray:
    """``argsort(days, kind="stable")``; a radix sort when the dates span < 2**16 days."""
    if days.size and int(days.max()) - int(days.min()) < 2**16:
        return np.argsort((days - days.min()).astype(np.uint16), kind="stable")
    return np.argsort(days, kind="stable")


def _parse_dates(
    series: pd.Series,
    *,
    column: str,
    ids: Names,
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
    series: pd.Series, *, column: str, ids: Names, digits: int, positive: bool = True
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


def _row_labels(frame: pd.DataFrame, table: str) -> _Names:
    """How rows of a table without ids are named in messages: ``payments row 3``."""

    def make(rows: IntArray) -> npt.NDArray[Any]:
        return np.array([f"{table} row {k}" for k in rows.tolist()], dtype=object)

    return _Names(len(frame), make)


def _truthy(series: pd.Series, *, column: str, ids: Names) -> BoolArray:
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


def _sorted_labels(labels: list[Any]) -> tuple[IntArray, list[Any]]:
    """Sort group labels so results never depend on the order rows arrive in.

    Returns ``rank`` (old code -> new code) and the sorted labels; missing
    labels sort last; labels of mixed types sort by their text.
    """
    index = pd.Index(labels, dtype=object)
    try:
        order = np.asarray(index.argsort(), dtype=np.int64)
    except TypeError:
        text = pd.Index([str(v) for v in labels], dtype=object)
        order = np.asarray(text.argsort(), dtype=np.int64)
    rank = np.empty(len(labels), dtype=np.int64)
    rank[order] = np.arange(len(labels), dtype=np.int64)
    return rank, [labels[i] for i in order]


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
    ``db_provision`` (minor units, -1 when none). Derived once:
    ``settled`` (per invoice, the sum of its settlements of every kind),
    ``s_early`` (positions of the settlements dated before their invoice's
    issue), ``s_past_due`` and ``s_since_issue`` (int32, each settlement's
    date minus its invoice's due and issue dates; 0 for unapplied cash).

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

    _invoice_ids: npt.NDArray[Any] | None
    _id_source: _IdColumn | None
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
    settled: IntArray
    s_early: IntArray
    s_past_due: npt.NDArray[np.int32]
    s_since_issue: npt.NDArray[np.int32]

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
        try:
            # through Arrow: numbers and strings are not copied into Python objects,
            # dates stay datetime64 (parsed without going through Python dates)
            out: pd.DataFrame = native.to_arrow().to_pandas(date_as_object=False)
        except Exception:  # pragma: no cover - a type Arrow cannot hand to pandas
            out = native.to_pandas()
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
        # Ids are normalised on their native dtype (_id_column): whole numbers stay
        # numbers, strings stay Arrow strings; Python objects are only built for the
        # rows an error names, or when ``invoice_ids`` is first read.
        n = len(inv)
        id_col = _id_column(inv["invoice_id"])
        rows = _row_labels(inv, "invoices")
        missing = id_col.null
        if missing.any():
            raise MissingValueError(
                f"{int(missing.sum())} invoice(s) have no id",
                column="invoice_id",
                ids=list(rows[missing]),
            )
        ids: Names = _Names(n, id_col.text)

        if pay is None:
            pay = pd.DataFrame(
                {c: pd.Series([], dtype=object) for c in ("invoice_id", "date", "amount")}
            )
        pay = pay.reset_index(drop=True)
        preq, _ = CANONICAL["payments"]
        m = len(pay)
        pid_col = (
            _id_column(pay["invoice_id"])
            if "invoice_id" in pay.columns and all(c in pay.columns for c in preq)
            else None
        )
        threaded = n + m >= _THREADED_ROWS
        matched = _Later(threaded, _match_ids, id_col, pid_col)
        cust_col = _id_column(inv["customer_id"])
        coded = _Later(threaded, _factorize_customers, cust_col, None, np.zeros(0, dtype=bool))
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
                ids=cls._first_ids_per_currency(inv, ids),
            )
        self.currency = currencies.pop() if currencies else "EUR"
        self.digits = minor_unit(self.currency)

        # invoice columns ------------------------------------------------------------
        self._invoice_ids = None
        self._id_source = id_col
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
        _require(pay, "payments", preq)
        prow = _row_labels(pay, "payments")
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

        pnames = _Names(m, payment_names)
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
            pcust_col: _IdColumn | None = _id_column(pay["customer_id"])
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
        pdate = _parse_dates(pay["date"], column="date", ids=pnames, date_format=date_format)
        pamount = _parse_money(pay["amount"], column="amount", ids=pnames, digits=self.digits)
        if "kind" in pay.columns:
            # normalise the few distinct kinds, not every row
            kcodes, kuniques = pd.factorize(pay["kind"], use_na_sentinel=True)
            distinct = pd.Series(np.asarray(kuniques, dtype=object), dtype=object)
            kind_text = distinct.astype("string").str.strip().str.lower().fillna("payment")
            kind_text = kind_text.replace("", "payment")
            ucodes = pd.Index(SETTLEMENT_KINDS).get_indexer(
                pd.Index(kind_text.to_numpy(dtype=object))
            )
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
            inv_codes, un_codes, labels = _factorize_customers(cust_col, pcust_col, unapplied)
        else:
            inv_codes, un_codes, labels = coded.result()
        self.customer = inv_codes
        self.customers = labels
        applied = ~unapplied
        scust = np.empty(m, dtype=np.int64)
        scust[applied] = self.customer[ppos[applied]]
        scust[unapplied] = un_codes

        order = _stable_date_order(pdate)
        self.s_invoice = ppos.astype(np.int64)[order]
        self.s_customer = scust[order]
        self.s_date = pdate[order]
        self.s_amount = pamount[order]
        self.s_kind = pkind[order]
        self.s_row = order.astype(np.int64)

        total = int(np.abs(self.amount).sum()) + int(np.abs(self.s_amount).sum())
        self.exact_float = total < FLOAT_EXACT_LIMIT // 4

        self._warn_settlements()
        self._build_disputes(dis, date_format)
        self._build_statuses(sts, date_format)
        self._build_doubtful(dbt, date_format)
        return self

    @staticmethod
    def _first_ids_per_currency(inv: pd.DataFrame, ids: Names) -> list[object]:
        if "currency" not in inv.columns:
            return []
        cur = inv["currency"].astype("string").str.strip().str.upper()
        first = cur.drop_duplicates()
        return [f"{ids[int(str(i))]} ({c})" for i, c in first.dropna().items()]

    def _warn_settlements(self) -> None:
        applied = self.s_invoice >= 0
        inv = self.s_invoice[applied]
        settled = self.bin_sum(inv, self.s_amount[applied], self.n_invoices)
        self.settled = settled
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
        sday = self.s_date[applied]
        self.s_since_issue = np.zeros(self.s_date.size, dtype=np.int32)
        self.s_since_issue[applied] = sday - self.issue[inv]
        self.s_past_due = np.zeros(self.s_date.size, dtype=np.int32)
        self.s_past_due[applied] = sday - self.due[inv]
        early = self.s_since_issue < 0
        self.s_early = np.flatnonzero(early)
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

    def _lookup(self, frame: pd.DataFrame, table: str) -> tuple[IntArray, npt.NDArray[Any]]:
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
        pos = pd.Index(self.invoice_ids).get_indexer(pd.Index(names))
        if (pos < 0).any():
            raise UnknownInvoiceError(
                f"{int((pos < 0).sum())} {table} row(s) refer to invoices that do not exist",
                column="invoice_id",
                ids=list(names[pos < 0]),
            )
        return pos.astype(np.int64), names

    def _build_disputes(self, dis: pd.DataFrame | None, fmt: str | None) -> None:
        if dis is None or len(dis) == 0:
            self.d_invoice = np.zeros(0, np.int64)
            self.d_opened = np.zeros(0, np.int64)
            self.d_resolved = np.zeros(0, np.int64)
            self.d_reason = np.zeros(0, object)
            return
        dis = dis.reset_index(drop=True)
        _require(dis, "disputes", CANONICAL["disputes"][0])
        pos, names = self._lookup(dis, "disputes")
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

    def _build_statuses(self, sts: pd.DataFrame | None, fmt: str | None) -> None:
        if sts is None or len(sts) == 0:
            self.st_invoice = np.zeros(0, np.int64)
            self.st_date = np.zeros(0, np.int64)
            self.st_status = np.zeros(0, object)
            return
        sts = sts.reset_index(drop=True)
        _require(sts, "statuses", CANONICAL["statuses"][0])
        pos, names = self._lookup(sts, "statuses")
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

    def _build_doubtful(self, dbt: pd.DataFrame | None, fmt: str | None) -> None:
        if dbt is None or len(dbt) == 0:
            self.db_invoice = np.zeros(0, np.int64)
            self.db_date = np.zeros(0, np.int64)
            self.db_provision = np.zeros(0, np.int64)
            return
        dbt = dbt.reset_index(drop=True)
        _require(dbt, "doubtful", CANONICAL["doubtful"][0])
        pos, names = self._lookup(dbt, "doubtful")
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
    def invoice_ids(self) -> npt.NDArray[Any]:
        """Invoice ids as text (object array), in input order.

        Built on first use from the ids as they were read (numbers or Arrow
        strings), so that ingestion never creates millions of Python strings.
        """
        ids = self._invoice_ids
        if ids is None:
            assert self._id_source is not None
            ids = self._id_source.objects()
            self._invoice_ids = ids
            self._id_source = None
        return ids

    @property
    def n_invoices(self) -> int:
        """Number of invoices."""
        return int(self.amount.shape[0])

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

    @functools.cached_property
    def float_view(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], IntArray]:
        """Columns prepared once for the engine's float64 fast paths.

        ``(amount, s_amount, s_bin)``: amounts as float64 (exact integers while
        :attr:`exact_float`), and each settlement's invoice position with
        unapplied cash sent to a spare bin ``n`` so a ``bincount`` needs no mask.
        """
        n = self.n_invoices
        s_bin = np.where(self.s_invoice >= 0, self.s_invoice, n).astype(np.int64)
        return self.amount.astype(np.float64), self.s_amount.astype(np.float64), s_bin

    @functools.cached_property
    def closing_days(self) -> tuple[IntArray, IntArray]:
        """Per invoice, the first day its settlements reach its amount and the
        first day they exceed it (``NO_END`` when never).

        Settlements are positive, so the balance only falls: an invoice settled
        exactly closes on its last settlement's day (one ``maximum.at``);
        only the rare overpaid invoices need their settlements in order.
        Settlements dated before the issue count from the issue.

        Examples
        --------
        >>> import creditkpi as ck
        >>> from creditkpi.core.period import from_day
        >>> ledger = ck.Ledger.from_records(
        ...     [ck.Invoice("F1", "C1", "2024-01-05", "2024-02-04", "100.00"),
        ...      ck.Invoice("F2", "C1", "2024-01-10", "2024-02-09", "50.00")],
        ...     [ck.Payment("F1", "2024-02-01", "60.00"),
        ...      ck.Payment("F1", "2024-02-20", "40.00"),
        ...      ck.Payment("F2", "2024-02-01", "20.00")])
        >>> closed, over = ledger.closing_days
        >>> from_day(int(closed[0])), int(closed[1]) == ck.core.ledger.NO_END
        (datetime.date(2024, 2, 20), True)
        """
        n = self.n_invoices
        closed = np.full(n, NO_END, dtype=np.int64)
        over = np.full(n, NO_END, dtype=np.int64)
        applied = self.s_invoice >= 0
        inv = self.s_invoice[applied]
        exact = np.flatnonzero(self.settled == self.amount)
        if exact.size:
            last = np.full(n, -1, dtype=np.int64)
            np.maximum.at(last, inv, self.s_date[applied])
            closed[exact] = np.maximum(last[exact], self.issue[exact])
        overpaid = np.flatnonzero(self.settled > self.amount)
        if overpaid.size:
            closed[overpaid], over[overpaid] = self.reaching_days(overpaid)
        closed.flags.writeable = False  # cached: shared by every caller
        over.flags.writeable = False
        return closed, over

    def reaching_days(
        self, invoices: IntArray, kinds: Sequence[int] | None = None
    ) -> tuple[IntArray, IntArray]:
        """For ``invoices`` (positions), the first day their settlements (of
        ``kinds``, all by default) reach the amount and the first day they
        exceed it (``NO_END`` when never), by sorting those settlements.

        Examples
        --------
        >>> import numpy as np
        >>> import creditkpi as ck
        >>> from creditkpi.core.period import from_day
        >>> ledger = ck.Ledger.from_records(
        ...     [ck.Invoice("F1", "C1", "2024-01-05", "2024-02-04", "100.00")],
        ...     [ck.Payment("F1", "2024-02-01", "60.00"),
        ...      ck.Payment("F1", "2024-02-20", "60.00")])
        >>> reached, exceeded = ledger.reaching_days(np.array([0]))
        >>> from_day(int(reached[0])) == from_day(int(exceeded[0]))
        True
        """
        n = self.n_invoices
        chosen = np.zeros(n + 1, dtype=bool)
        chosen[invoices] = True
        applied = chosen[self.s_invoice]  # unapplied cash (-1) reads the spare slot
        if kinds is not None:
            applied &= np.isin(self.s_kind, np.asarray(kinds, dtype=np.int8))
        inv = self.s_invoice[applied]
        day = np.maximum(self.s_date[applied], self.issue[inv])
        amt = self.s_amount[applied]
        # settlements are sorted by date and max(date, issue) keeps that order
        # within an invoice, so a stable sort by invoice gives (invoice, day) order
        order = np.argsort(inv, kind="stable")
        inv, day, amt = inv[order], day[order], amt[order]
        cum = np.cumsum(amt)
        starts = np.searchsorted(inv, np.arange(n), side="left")
        before = np.concatenate([[0], cum])[starts]
        paid = cum - before[inv]
        due = self.amount[inv]
        out = []
        for reached in (paid >= due, paid > due):
            first_day = np.full(n, NO_END, dtype=np.int64)
            hit = np.flatnonzero(reached)
            if hit.size:
                hit_inv = inv[hit]
                first = np.concatenate([[True], hit_inv[1:] != hit_inv[:-1]])
                first_day[hit_inv[first]] = day[hit[first]]
            out.append(first_day[invoices])
        return out[0], out[1]

    def bin_sum(self, index: IntArray, weights: npt.NDArray[Any], size: int) -> IntArray:
        """Exact ``bincount`` of integer-valued ``weights`` into ``size`` bins.

        Float64 bincount is exact while totals stay below 2**53 minor units
        (checked once per ledger); beyond, an integer ``np.add.at`` is used.
        Float64 weights (:attr:`float_view`) are used without a copy.
        """
        if self.exact_float:
            w = weights.astype(np.float64, copy=False)
            out = np.bincount(index, weights=w, minlength=size)
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
            rank, sorted_labels = _sorted_labels(list(self.customers))
            sgroup = np.where(self.s_invoice >= 0, self.customer[self.s_invoice], self.s_customer)
            return Groups(
                "customer_id",
                pd.Index(sorted_labels, name="customer_id", dtype=object),
                rank[self.customer],
                rank[sgroup],
            )
        if by not in self.attrs.columns:
            raise InvalidOptionError(
                f"by must be one of {', '.join(self.attributes)}, got {by!r}", column="by"
            )
        raw, uniques = pd.factorize(self.attrs[by], use_na_sentinel=False)
        rank, labels = _sorted_labels(list(uniques))
        codes = rank[raw.astype(np.int64)]
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
