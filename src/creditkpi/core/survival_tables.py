"""Time to pay as survival, step one: additive outcome tables of a ledger at a date.

Per group and per day on the clock, how many invoices (and how much
invoiced amount) **enter** the risk set, are **settled** (paid), are
**closed** otherwise (credit note or write-off: a competing outcome) or are
**censored** (open at ``as_of``): :func:`survival_table`. Integer sums: two
ledgers with disjoint customers give tables that add up
(:func:`combine_tables`) to the table of their union.
:func:`table_from_durations` builds the same table from plain durations. The
estimate (step two) is :func:`creditkpi.core.survival.kaplan_meier`.

**Clock.** ``clock="due"`` counts days from the due date (negative = paid
early); an invoice enters the risk set at its issue date (day
``issue - due <= 0``), so it is *left-truncated* (delayed entry): before its
issue it could not be paid, and it is not counted. ``clock="issue"`` counts
days from the issue date (every invoice enters at day 0).

**Outcome of an invoice at T** (only settlements dated ``<= T`` count; one
dated before the issue date counts from the issue date). The invoice
*closes* on the first day its settlements of every kind reach its amount.
If that day is ``<= T``: **settled** on that day when a cash payment is dated
on it, else **closed** by a competing outcome (the last settlements were a
credit note or a write-off). Otherwise it is **censored** at ``T``. A closed
invoice is censored at its closing day for the estimate of time to pay (the
cause-specific estimate), and counted apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import check_option
from creditkpi.core.errors import InvalidOptionError, InvalidValueError
from creditkpi.core.fx.translate import closing_view
from creditkpi.core.groups import Groups, group_codes
from creditkpi.core.ledger import PAYMENT, Ledger
from creditkpi.core.period import as_date, to_day, window_start

__all__ = [
    "AMOUNT_COLUMNS",
    "CLOSED",
    "COUNT_COLUMNS",
    "CURVE_COLUMNS",
    "DEFAULT_HORIZON",
    "OPEN",
    "SETTLED",
    "SUMMARY_COLUMNS",
    "TABLE_COLUMNS",
    "WITHIN_DAYS",
    "Clock",
    "Durations",
    "SurvivalArrays",
    "Weight",
    "aggregate",
    "arrays_of",
    "combine_tables",
    "durations",
    "group_day_index",
    "int_sums",
    "survival_table",
    "table_arrays",
    "table_from_durations",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: which day an invoice's clock starts from
Clock: TypeAlias = Literal["due", "issue"]
#: what the curve weighs: invoices, or invoiced amount
Weight: TypeAlias = Literal["count", "amount"]

#: outcome codes of :class:`Durations`
SETTLED, CLOSED, OPEN = 0, 1, 2

#: count columns of a survival table (number of invoices)
COUNT_COLUMNS = ("entered", "settled", "closed", "censored")
#: amount columns of a survival table (invoiced amount, integer minor units)
AMOUNT_COLUMNS = ("entered_amount", "settled_amount", "closed_amount", "censored_amount")
#: every column of a survival table; ``entered_amount_squared`` (float) is the
#: sum of squared amounts, for the effective size of the amount-weighted band
TABLE_COLUMNS = (*COUNT_COLUMNS, *AMOUNT_COLUMNS, "entered_amount_squared")
#: columns of :attr:`SurvivalEstimate.curve`
CURVE_COLUMNS = (
    "entered",
    "at_risk",
    "settled",
    "closed",
    "censored",
    "survival",
    "std_error",
    "lower",
    "upper",
)
#: the "settled within k days" points of the summary
WITHIN_DAYS = (0, 30, 60, 90)
#: columns of :attr:`SurvivalEstimate.summary`
SUMMARY_COLUMNS = (
    "invoices",
    "settled",
    "closed",
    "open",
    "amount",
    "settled_average",
    "median",
    "median_lower",
    "median_upper",
    "quartile_1",
    "quartile_3",
    *(f"settled_within_{k}" for k in WITHIN_DAYS),
    "restricted_mean",
    "median_note",
)
#: default horizon of the restricted mean, in days on the clock
DEFAULT_HORIZON = 90

#: a curve within this of a level counts as reaching it (float rounding of exact products)
_TOLERANCE = 1e-10
_EXACT_FLOAT = 2**53


# ----------------------------------------------------------------------------------
# per invoice: entry, exit, outcome
# ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Durations:
    """Each selected invoice's entry, exit and outcome on the clock.

    Attributes
    ----------
    invoice : ndarray of int64
        Positions of the invoices (issued ``<= T``, and in the window if one
        was given), in ledger order.
    origin : ndarray of int64
        Day number of each clock origin (due date or issue date).
    entry : ndarray of int64
        Day on the clock the invoice enters the risk set (its issue date):
        ``issue - due <= 0`` on the due clock, 0 on the issue clock.
    exit : ndarray of int64
        Day on the clock it leaves: the day it closed, or ``T`` when open.
    outcome : ndarray of int8
        :data:`SETTLED`, :data:`CLOSED` (credit note or write-off) or
        :data:`OPEN` (censored at ``T``).
    """

    invoice: IntArray
    origin: IntArray
    entry: IntArray
    exit: IntArray
    outcome: npt.NDArray[np.int8]


def _closed_by_payment(ledger: Ledger, closing: IntArray) -> BoolArray:
    """Per invoice: whether a cash payment is dated on its closing day.

    Settlements dated before the issue date count from the issue date, as in
    the closing day itself.
    """
    c = ledger._cols
    out = np.zeros(c.n_invoices, dtype=bool)
    cash = np.flatnonzero((c.settlement_kind == PAYMENT) & (c.settlement_invoice >= 0))
    if cash.size:
        inv = c.settlement_invoice[cash]
        effective = np.maximum(c.settlement_date[cash], c.issue[inv])
        out[inv[effective == closing[inv]]] = True
    return out


def durations(
    ledger: Ledger,
    as_of: date | str,
    *,
    clock: Clock = "due",
    window: str | int | None = None,
) -> Durations:
    """Entry, exit and outcome of every invoice issued on or before ``as_of``.

    Parameters
    ----------
    ledger : Ledger
    as_of : date or str
        The cut-off T: settlements dated after it are ignored.
    clock : {"due", "issue"}, default "due"
        Days counted from the due date or from the issue date.
    window : str or int, optional
        Only invoices issued in the window ending on ``as_of`` (``"12M"``,
        ``"90D"``; see :func:`window_start`); all invoices issued ``<= T`` by
        default.

    Returns
    -------
    Durations

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-01-01", "2024-01-31", "100.00"),
    ...      ck.Invoice("F2", "C1", "2024-01-10", "2024-02-09", "50.00"),
    ...      ck.Invoice("F3", "C1", "2024-01-20", "2024-02-19", "80.00")],
    ...     [ck.Payment("F1", "2024-02-05", "100.00"),
    ...      ck.Payment("F2", "2024-02-01", "50.00", kind="credit_note")])
    >>> d = durations(ledger, "2024-02-29")
    >>> d.entry.tolist(), d.exit.tolist(), d.outcome.tolist()
    ([-30, -30, -30], [5, -8, 10], [0, 1, 2])
    """
    check_option("clock", clock, ("due", "issue"))
    day = to_day(as_date(as_of))
    c = ledger._cols
    selected = c.issue <= day
    if window is not None:
        selected &= c.issue >= to_day(window_start(as_date(as_of), window))
    invoice = np.flatnonzero(selected).astype(np.int64)
    closing_all = c.closing_days[0]
    origin = (c.due if clock == "due" else c.issue)[invoice]
    entry = c.issue[invoice] - origin
    closing = closing_all[invoice]
    ended = closing <= day
    by_payment = _closed_by_payment(ledger, closing_all)[invoice]
    outcome = np.where(ended, np.where(by_payment, SETTLED, CLOSED), OPEN).astype(np.int8)
    exit_day = np.where(ended, closing, day) - origin
    return Durations(
        invoice=invoice,
        origin=origin.astype(np.int64),
        entry=entry.astype(np.int64),
        exit=exit_day.astype(np.int64),
        outcome=outcome,
    )


# ----------------------------------------------------------------------------------
# the additive table
# ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SurvivalArrays:
    """A survival table as arrays, rows sorted by (group, day) (:func:`arrays_of` a frame)."""

    labels: pd.Index
    group: IntArray
    day: IntArray
    columns: dict[str, npt.NDArray[Any]]


def int_sums(index: IntArray, values: IntArray, size: int) -> IntArray:
    """Exact per-bin sums of int64 ``values``."""
    if values.size == 0:
        return np.zeros(size, dtype=np.int64)
    if int(np.abs(values).max()) * int(values.size) < _EXACT_FLOAT:
        out = np.bincount(index, weights=values.astype(np.float64), minlength=size)
        return np.rint(out).astype(np.int64)
    acc = np.zeros(size, dtype=np.int64)
    np.add.at(acc, index, values)
    return acc


def aggregate(
    labels: pd.Index,
    group: IntArray,
    entry: IntArray,
    exit_day: IntArray,
    outcome: npt.NDArray[np.int8],
    count: IntArray,
    amount: IntArray,
) -> SurvivalArrays:
    """Sum invoices into (group, day) rows: entries at ``entry``, outcomes at ``exit``."""
    n = entry.size
    day = np.concatenate([entry, exit_day])
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        cols: dict[str, npt.NDArray[Any]] = dict.fromkeys(TABLE_COLUMNS[:-1], empty)
        cols["entered_amount_squared"] = np.zeros(0, dtype=np.float64)
        return SurvivalArrays(labels, empty, empty, cols)
    low = int(day.min())
    span = int(day.max()) - low + 1
    both = np.concatenate([group, group])
    key = both * span + (day - low)
    unique, position = np.unique(key, return_inverse=True)
    size = unique.size
    enter_pos, exit_pos = position[:n], position[n:]
    cols = {
        "entered": int_sums(enter_pos, count, size),
        "entered_amount": int_sums(enter_pos, amount, size),
    }
    for code, name in ((SETTLED, "settled"), (CLOSED, "closed"), (OPEN, "censored")):
        hit = outcome == code
        cols[name] = int_sums(exit_pos[hit], count[hit], size)
        cols[f"{name}_amount"] = int_sums(exit_pos[hit], amount[hit], size)
    squared = amount.astype(np.float64) ** 2
    cols["entered_amount_squared"] = np.bincount(enter_pos, weights=squared, minlength=size)
    ordered = {name: cols[name] for name in TABLE_COLUMNS}
    return SurvivalArrays(labels, unique // span, unique % span + low, ordered)


def table_arrays(
    ledger: Ledger,
    as_of: date | str,
    groups: Groups | str | None,
    *,
    clock: Clock,
    window: str | int | None,
) -> SurvivalArrays:
    """:func:`survival_table` as arrays (no frame built): what the estimator reads."""
    ledger = closing_view(ledger, to_day(as_date(as_of)))  # amounts at as_of's closing rates
    codes = groups if isinstance(groups, Groups) else group_codes(ledger, groups)
    d = durations(ledger, as_of, clock=clock, window=window)
    return aggregate(
        codes.labels,
        codes.invoice[d.invoice],
        d.entry,
        d.exit,
        d.outcome,
        np.ones(d.invoice.size, dtype=np.int64),
        ledger._cols.amount[d.invoice],
    )


def group_day_index(table: SurvivalArrays) -> pd.MultiIndex:
    """The ``(group, day)`` index of a table's rows, built from codes (no factorizing)."""
    days = np.unique(table.day)
    levels: Any = [table.labels, pd.Index(days, dtype=np.int64)]
    codes: Any = [table.group, np.searchsorted(days, table.day)]
    return pd.MultiIndex(
        levels=levels,
        codes=codes,
        names=[table.labels.name or "group", "day"],
        verify_integrity=False,
    )


def _to_frame(table: SurvivalArrays) -> pd.DataFrame:
    return pd.DataFrame(table.columns, index=group_day_index(table), columns=list(TABLE_COLUMNS))


def survival_table(
    ledger: Ledger,
    as_of: date | str,
    groups: Groups | str | None = None,
    *,
    clock: Clock = "due",
    window: str | int | None = None,
) -> pd.DataFrame:
    """The additive survival table of the invoices at ``as_of``, per group and day.

    Parameters
    ----------
    ledger : Ledger
    as_of : date or str
        The cut-off T (settlements dated after it are ignored).
    groups : Groups, str or None, default None
        :func:`~creditkpi.core.groups.group_codes` of the ledger, or a ``by``
        name (``"customer_id"``, an invoice attribute); ``None`` is one group
        ``"all"``.
    clock : {"due", "issue"}, default "due"
    window : str or int, optional
        Only invoices issued in the window ending on ``as_of`` (``"12M"``).

    Returns
    -------
    DataFrame
        Indexed by ``(group, day)`` (the group level is named after the
        grouping), days on the clock ascending within each group, one row
        per day where something happens. Columns (:data:`TABLE_COLUMNS`):
        ``entered``, ``settled``, ``closed``, ``censored`` (invoices; int64)
        and the same with ``_amount`` (invoiced amounts, int64 minor units),
        and ``entered_amount_squared`` (float64, sum of squared amounts in
        minor units, for the amount-weighted band). Two ledgers with
        disjoint customers give tables that add up
        (:func:`combine_tables`) to the table of their union.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-01-01", "2024-01-31", "100.00"),
    ...      ck.Invoice("F2", "C2", "2024-01-01", "2024-01-31", "50.00")],
    ...     [ck.Payment("F1", "2024-02-05", "100.00")])
    >>> survival_table(ledger, "2024-02-29")[["entered", "settled", "censored"]]
               entered  settled  censored
    group day
    all   -30        2        0         0
           5         0        1         0
           29        0        0         1
    """
    return _to_frame(table_arrays(ledger, as_of, groups, clock=clock, window=window))


def combine_tables(tables: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Add survival tables (of disjoint customers): the table of their union.

    Examples
    --------
    >>> import creditkpi as ck
    >>> a = ck.Ledger.from_records([ck.Invoice("F1", "C1", "2024-01-01", "2024-01-31", "1")])
    >>> b = ck.Ledger.from_records([ck.Invoice("F2", "C2", "2024-01-01", "2024-01-31", "1")])
    >>> t = combine_tables([survival_table(a, "2024-02-29"), survival_table(b, "2024-02-29")])
    >>> t["entered"].tolist(), t["censored"].tolist()
    ([2, 0], [0, 2])
    """
    frames = [t for t in tables if len(t)]
    if not frames:
        raise InvalidOptionError("combine_tables needs at least one non-empty table")
    names = list(frames[0].index.names)
    total = pd.concat(frames).groupby(level=[0, 1], sort=True).sum()
    total.index = total.index.set_names(names)
    return total.astype(dict.fromkeys(TABLE_COLUMNS[:-1], np.int64))[list(TABLE_COLUMNS)]


def table_from_durations(
    exit: npt.ArrayLike,
    settled: npt.ArrayLike,
    *,
    entry: npt.ArrayLike | None = None,
    closed: npt.ArrayLike | None = None,
    counts: npt.ArrayLike | None = None,
    amounts: npt.ArrayLike | None = None,
    groups: npt.ArrayLike | None = None,
) -> pd.DataFrame:
    """A survival table from plain durations (whole days on the clock).

    Parameters
    ----------
    exit : array of int
        Day each item leaves the risk set (settled, closed or censored).
    settled : array of bool
        Whether the item was settled at ``exit`` (the event).
    entry : array of int, optional
        Day each item enters the risk set (``<= exit``); at risk from that
        day on, included. Default: the smallest day, for every item.
    closed : array of bool, optional
        Items closed by a competing outcome at ``exit`` (not settled).
        Others not settled are censored.
    counts : array of int, optional
        How many identical items each row stands for (frequency weights;
        default 1).
    amounts : array of int, optional
        Amount of each item (default 1), for ``weight="amount"``.
    groups : array, optional
        Group label of each item (default: one group ``"all"``).

    Returns
    -------
    DataFrame
        The table of :func:`survival_table`.

    Raises
    ------
    InvalidValueError
        Arrays of different lengths, days that are not whole numbers, an
        entry after its exit, an item both settled and closed, counts < 1
        or amounts < 0.

    Examples
    --------
    >>> t = table_from_durations([3, 5, 5], [True, True, False])
    >>> t[["entered", "settled", "censored"]].to_numpy().tolist()
    [[3, 1, 0], [0, 1, 1]]
    """
    exit_days = _whole_days(exit, "exit")
    n = exit_days.size
    event = _flags(settled, n, "settled")
    competing = np.zeros(n, dtype=bool) if closed is None else _flags(closed, n, "closed")
    both = np.flatnonzero(event & competing)
    if both.size:
        raise InvalidValueError(
            f"{both.size} item(s) are both settled and closed", column="closed", ids=both.tolist()
        )
    low = int(exit_days.min()) if n else 0
    entry_days = np.full(n, low, dtype=np.int64) if entry is None else _whole_days(entry, "entry")
    _same_length(entry_days, n, "entry")
    late = np.flatnonzero(entry_days > exit_days)
    if late.size:
        raise InvalidValueError(
            f"{late.size} item(s) enter after they exit", column="entry", ids=late.tolist()
        )
    weights = np.ones(n, dtype=np.int64) if counts is None else _whole_days(counts, "counts")
    _same_length(weights, n, "counts")
    if (weights < 1).any():
        raise InvalidValueError("counts must be >= 1", column="counts")
    amount = np.ones(n, dtype=np.int64) if amounts is None else _whole_days(amounts, "amounts")
    _same_length(amount, n, "amounts")
    if (amount < 0).any():
        raise InvalidValueError("amounts must be >= 0", column="amounts")
    if groups is None:
        labels = pd.Index(["all"], name="group", dtype=object)
        code = np.zeros(n, dtype=np.int64)
    else:
        raw = np.asarray(groups, dtype=object)
        _same_length(raw, n, "groups")
        factor, uniques = pd.factorize(raw, sort=True)
        labels = pd.Index(uniques, name="group", dtype=object)
        code = factor.astype(np.int64)
    outcome = np.where(event, SETTLED, np.where(competing, CLOSED, OPEN)).astype(np.int8)
    # an item standing for k identical ones: k entries, k outcomes, amount k x its amount
    table = aggregate(labels, code, entry_days, exit_days, outcome, weights, amount * weights)
    table.columns["entered_amount_squared"] = _square_sums(table, code, entry_days, amount, weights)
    return _to_frame(table)


def _square_sums(
    table: SurvivalArrays, code: IntArray, entry: IntArray, amount: IntArray, weights: IntArray
) -> FloatArray:
    """Σ k × a² per entry row (k identical items of amount a)."""
    if table.day.size == 0:
        return np.zeros(0, dtype=np.float64)
    span = int(table.day.max()) - int(table.day.min()) + 1
    low = int(table.day.min())
    keys = table.group * span + (table.day - low)
    pos = np.searchsorted(keys, code * span + (entry - low))
    squared = weights.astype(np.float64) * amount.astype(np.float64) ** 2
    return np.asarray(np.bincount(pos, weights=squared, minlength=keys.size), dtype=np.float64)


def _whole_days(values: npt.ArrayLike, name: str) -> IntArray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise InvalidValueError(f"{name} must be one-dimensional", column=name)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64)
    if arr.dtype.kind == "f":
        bad = np.flatnonzero(~np.isfinite(arr) | (arr != np.round(arr)))
        if bad.size:
            raise InvalidValueError(
                f"{bad.size} value(s) of {name} are not whole numbers (first: {arr[bad[0]]!r})",
                column=name,
                ids=bad.tolist(),
            )
        return arr.astype(np.int64)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    raise InvalidValueError(f"{name} must hold whole numbers, got {arr.dtype}", column=name)


def _flags(values: npt.ArrayLike, n: int, name: str) -> BoolArray:
    arr = np.asarray(values).astype(bool)
    _same_length(arr, n, name)
    return arr


def _same_length(arr: npt.NDArray[Any], n: int, name: str) -> None:
    if arr.shape != (n,):
        raise InvalidValueError(f"{name} has {arr.size} values for {n} items", column=name)


def arrays_of(table: pd.DataFrame) -> SurvivalArrays:
    """A survival table frame (:func:`survival_table`) as :class:`SurvivalArrays`."""
    missing = [c for c in TABLE_COLUMNS if c not in table.columns]
    if missing or table.index.nlevels != 2:
        raise InvalidOptionError(
            "a survival table is indexed by (group, day) with the columns "
            f"{', '.join(TABLE_COLUMNS)}; missing: {', '.join(missing) or 'the (group, day) index'}",
            column="table",
        )
    frame = table if table.index.is_monotonic_increasing else table.sort_index()
    group_values = frame.index.get_level_values(0)
    codes, uniques = pd.factorize(group_values, sort=False)
    labels = pd.Index(uniques, name=frame.index.names[0], dtype=object)
    day = np.asarray(frame.index.get_level_values(1), dtype=np.int64)
    cols: dict[str, npt.NDArray[Any]] = {
        c: np.asarray(frame[c], dtype=np.int64) for c in TABLE_COLUMNS[:-1]
    }
    cols["entered_amount_squared"] = np.asarray(frame["entered_amount_squared"], dtype=np.float64)
    return SurvivalArrays(labels, codes.astype(np.int64), day, cols)
