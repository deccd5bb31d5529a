"""Time to pay as survival: additive outcome tables and the Kaplan-Meier estimate.

How long invoices take to be paid, counting the ones still open. An invoice
open at the as-of date is *right-censored*: it was not paid by then, and
nothing more is known. Ignoring it (averaging paid invoices only) makes the
slowest payers look fast; the Kaplan-Meier product-limit estimate uses it
for exactly what is known. See the *Time to pay* page of the documentation.

Two steps, so that the estimate can be computed from partitions:

1. :func:`survival_table` -- from a ledger at ``as_of``, per group and per day
   on the clock, how many invoices (and how much invoiced amount) **enter**
   the risk set, are **settled** (paid), are **closed** otherwise (credit note
   or write-off: a competing outcome) or are **censored** (open at
   ``as_of``). Integer sums: two ledgers with disjoint customers give tables
   that add up (:func:`combine_tables`) to the table of their union.
2. :func:`kaplan_meier` -- from such a table, per group: the curve (share
   not yet settled by day, with its confidence band) and a summary (median
   and its interval, quartiles, share settled within 0/30/60/90 days,
   restricted mean).

:func:`table_from_durations` builds the same table from plain durations.

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

The estimator is a vectorised product-limit over the aggregated table, not a
wrapper of a survival package: a package fits one group of individual
durations at a time, while the distributed path only has the additive table
(see the *Time to pay* page for the measurements). Tests check it equals
lifelines' and statsmodels' estimates on the same durations, entries and
weights.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import NormalDist
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
from dateutil.relativedelta import relativedelta

from creditkpi.core.args import check_option
from creditkpi.core.errors import InvalidOptionError, InvalidValueError
from creditkpi.core.groups import Groups, group_codes
from creditkpi.core.ledger import PAYMENT, Ledger
from creditkpi.core.period import as_date, to_day
from creditkpi.core.ratios import ratio

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
    "SurvivalEstimate",
    "Weight",
    "combine_tables",
    "durations",
    "kaplan_meier",
    "parse_window",
    "survival_table",
    "table_from_durations",
    "window_start",
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
_WINDOW = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$", re.IGNORECASE)
_EXACT_FLOAT = 2**53


# ----------------------------------------------------------------------------------
# windows
# ----------------------------------------------------------------------------------


def parse_window(window: object) -> tuple[int, str]:
    """A window as ``(count, unit)``, unit one of ``D W M Y``; an int is a number of days.

    Raises
    ------
    InvalidOptionError
        ``window`` is not like ``"90D"``, ``"13W"``, ``"12M"``, ``"2Y"`` or an int >= 1.

    Examples
    --------
    >>> parse_window("12M"), parse_window("2y"), parse_window(90)
    ((12, 'M'), (2, 'Y'), (90, 'D'))
    """
    if isinstance(window, bool):
        raise InvalidOptionError(f"window must be like '12M', got {window!r}", column="window")
    if isinstance(window, (int, np.integer)):
        count, unit = int(window), "D"
    else:
        match = _WINDOW.match(window) if isinstance(window, str) else None
        if match is None:
            raise InvalidOptionError(
                "window must be a number of days, weeks, months or years such as "
                f"'90D', '13W', '12M' or '2Y'; got {window!r}",
                column="window",
            )
        count, unit = int(match.group(1)), match.group(2).upper()
    if count < 1:
        raise InvalidOptionError(
            f"window must be at least one day, got {window!r}", column="window"
        )
    return count, unit


def window_start(as_of: date | str, window: str | int) -> date:
    """First day of the window of length ``window`` ending on ``as_of`` (both included).

    ``window`` is ``"<n>D"``, ``"<n>W"``, ``"<n>M"`` or ``"<n>Y"`` (or an int
    of days); months and years are calendar months back from ``as_of``.

    Raises
    ------
    InvalidOptionError
        ``window`` is not of that form.

    Examples
    --------
    >>> window_start("2024-12-31", "12M"), window_start("2024-03-31", "1M")
    (datetime.date(2024, 1, 1), datetime.date(2024, 3, 1))
    >>> window_start("2024-04-30", "30D"), window_start("2024-04-30", 1)
    (datetime.date(2024, 4, 1), datetime.date(2024, 4, 30))
    """
    end = as_date(as_of)
    count, unit = parse_window(window)
    if unit == "D":
        back: timedelta | relativedelta = timedelta(days=count)
    elif unit == "W":
        back = timedelta(weeks=count)
    elif unit == "M":
        back = relativedelta(months=count)
    else:
        back = relativedelta(years=count)
    start: date = end - back + timedelta(days=1)
    return start


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
class _Table:
    """A survival table as arrays, rows sorted by (group, day)."""

    labels: pd.Index
    group: IntArray
    day: IntArray
    columns: dict[str, npt.NDArray[Any]]


def _int_sums(index: IntArray, values: IntArray, size: int) -> IntArray:
    """Exact per-bin sums of int64 ``values``."""
    if values.size == 0:
        return np.zeros(size, dtype=np.int64)
    if int(np.abs(values).max()) * int(values.size) < _EXACT_FLOAT:
        out = np.bincount(index, weights=values.astype(np.float64), minlength=size)
        return np.rint(out).astype(np.int64)
    acc = np.zeros(size, dtype=np.int64)
    np.add.at(acc, index, values)
    return acc


def _aggregate(
    labels: pd.Index,
    group: IntArray,
    entry: IntArray,
    exit_day: IntArray,
    outcome: npt.NDArray[np.int8],
    count: IntArray,
    amount: IntArray,
) -> _Table:
    """Sum invoices into (group, day) rows: entries at ``entry``, outcomes at ``exit``."""
    n = entry.size
    day = np.concatenate([entry, exit_day])
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        cols: dict[str, npt.NDArray[Any]] = dict.fromkeys(TABLE_COLUMNS[:-1], empty)
        cols["entered_amount_squared"] = np.zeros(0, dtype=np.float64)
        return _Table(labels, empty, empty, cols)
    low = int(day.min())
    span = int(day.max()) - low + 1
    both = np.concatenate([group, group])
    key = both * span + (day - low)
    unique, position = np.unique(key, return_inverse=True)
    size = unique.size
    enter_pos, exit_pos = position[:n], position[n:]
    cols = {
        "entered": _int_sums(enter_pos, count, size),
        "entered_amount": _int_sums(enter_pos, amount, size),
    }
    for code, name in ((SETTLED, "settled"), (CLOSED, "closed"), (OPEN, "censored")):
        hit = outcome == code
        cols[name] = _int_sums(exit_pos[hit], count[hit], size)
        cols[f"{name}_amount"] = _int_sums(exit_pos[hit], amount[hit], size)
    squared = amount.astype(np.float64) ** 2
    cols["entered_amount_squared"] = np.bincount(enter_pos, weights=squared, minlength=size)
    ordered = {name: cols[name] for name in TABLE_COLUMNS}
    return _Table(labels, unique // span, unique % span + low, ordered)


def _table_arrays(
    ledger: Ledger,
    as_of: date | str,
    groups: Groups | str | None,
    *,
    clock: Clock,
    window: str | int | None,
) -> _Table:
    codes = groups if isinstance(groups, Groups) else group_codes(ledger, groups)
    d = durations(ledger, as_of, clock=clock, window=window)
    return _aggregate(
        codes.labels,
        codes.invoice[d.invoice],
        d.entry,
        d.exit,
        d.outcome,
        np.ones(d.invoice.size, dtype=np.int64),
        ledger._cols.amount[d.invoice],
    )


def _group_day_index(table: _Table) -> pd.MultiIndex:
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


def _to_frame(table: _Table) -> pd.DataFrame:
    return pd.DataFrame(table.columns, index=_group_day_index(table), columns=list(TABLE_COLUMNS))


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
    return _to_frame(_table_arrays(ledger, as_of, groups, clock=clock, window=window))


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
    table = _aggregate(labels, code, entry_days, exit_days, outcome, weights, amount * weights)
    table.columns["entered_amount_squared"] = _square_sums(table, code, entry_days, amount, weights)
    return _to_frame(table)


def _square_sums(
    table: _Table, code: IntArray, entry: IntArray, amount: IntArray, weights: IntArray
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


# ----------------------------------------------------------------------------------
# the estimator
# ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurvivalEstimate:
    """The Kaplan-Meier estimate of a survival table.

    Attributes
    ----------
    curve : DataFrame
        Indexed by ``(group, day)``, one row per day of the table:
        ``entered``, ``at_risk`` (entered on or before the day, not gone
        before it), ``settled``, ``closed``, ``censored`` (invoices, or minor
        units with ``weight="amount"``), ``survival`` (share not settled by
        the end of the day), ``std_error`` (Greenwood) and ``lower``,
        ``upper`` (the confidence band).
    summary : DataFrame
        Indexed by group (:data:`SUMMARY_COLUMNS`): ``invoices``,
        ``settled``, ``closed``, ``open`` (counts), ``amount`` (invoiced,
        minor units), ``settled_average`` (plain average day of the settled
        invoices, open ones ignored), ``median``, ``median_lower``,
        ``median_upper``, ``quartile_1``, ``quartile_3`` (days),
        ``settled_within_0`` ... ``_90`` (shares), ``restricted_mean``
        (days) and ``median_note`` (why the median is undefined; empty when
        defined).
    weight : {"count", "amount"}
    confidence : float
    horizon : int
        Days on the clock up to which the restricted mean is taken.
    """

    curve: pd.DataFrame
    summary: pd.DataFrame
    weight: Weight
    confidence: float
    horizon: int


def _from_frame(table: pd.DataFrame) -> _Table:
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
    return _Table(labels, codes.astype(np.int64), day, cols)


def _segments(group: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """(segment id of each row, first row, last row) of runs of equal ``group``."""
    if group.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    start = np.concatenate([[True], group[1:] != group[:-1]])
    first = np.flatnonzero(start)
    last = np.concatenate([first[1:] - 1, [group.size - 1]]).astype(np.int64)
    return (np.cumsum(start) - 1).astype(np.int64), first.astype(np.int64), last


def _seg_cumsum(values: IntArray, seg: IntArray, first: IntArray) -> IntArray:
    """Cumulative sums within segments (exact for int64)."""
    total = np.cumsum(values)
    offset = (total - values)[first]
    return np.asarray(total - offset[seg], dtype=np.int64)


def _first_at_or_below(
    values: FloatArray, level: float, day: IntArray, seg: IntArray, n_seg: int
) -> FloatArray:
    """Per segment, the first day where ``values <= level`` (nan when never)."""
    out = np.full(n_seg, np.nan)
    hit = np.flatnonzero(values <= level + _TOLERANCE)
    if hit.size:
        segs, first = np.unique(seg[hit], return_index=True)
        out[segs] = day[hit[first]]
    return out


def kaplan_meier(
    table: pd.DataFrame,
    *,
    weight: Weight = "count",
    confidence: float = 0.95,
    horizon: int = DEFAULT_HORIZON,
) -> SurvivalEstimate:
    """Kaplan-Meier estimate of a survival table, per group.

    Parameters
    ----------
    table : DataFrame
        A table of :func:`survival_table`, :func:`table_from_durations` or
        :func:`combine_tables`.
    weight : {"count", "amount"}, default "count"
        Share of invoices, or of invoiced amount.
    confidence : float, default 0.95
        Level of the pointwise band and of the median's interval.
    horizon : int, default 90
        Days on the clock up to which the restricted mean is taken.

    Returns
    -------
    SurvivalEstimate

    Raises
    ------
    InvalidOptionError
        A bad option, or a table without the survival-table columns.

    Notes
    -----
    At each day ``t`` of a group, ``n_t`` is the weight at risk (entered on
    or before ``t``, not gone before ``t``) and ``d_t`` the weight settled on
    ``t``:

    - survival (product-limit) ``S(t) = Π_{u <= t} (1 - d_u / n_u)``; closed
      and censored invoices leave the risk set after the day's settlements;
    - Greenwood ``V(t) = S(t)² σ²(t)`` with
      ``σ²(t) = Σ_{u <= t} d_u / (n_u (n_u - d_u))`` (terms with
      ``n_u = d_u`` count 0, as lifelines does): ``std_error = S σ``;
    - band, log-log transform (lifelines' "exponential Greenwood"):
      ``S(t) ** exp(± z σ(t) / log S(t))`` (1 where S = 1, 0 where S = 0);
    - with ``weight="amount"`` the weights are amounts and the band treats
      them as ``(Σa)² / Σa²`` equally weighted invoices (Kish's effective
      size): ``σ²`` is multiplied by ``Σa² / Σa`` over the group's invoices;
    - quantile ``q_p = min{t : S(t) <= 1 - p}``: the median (``p = 1/2``)
      and the quartiles; the median's interval is where the band crosses
      1/2 (lower limit: the first day the band's lower edge is <= 1/2;
      upper limit: the first day its upper edge is), which is Brookmeyer and
      Crowley's interval with the log-log transform;
    - settled within ``k`` days ``= 1 - S(k)``;
    - restricted mean ``t0 + ∫_{t0}^{τ} S(t) dt`` (``τ`` = ``horizon``,
      ``t0`` the group's first day): the mean of ``min(days, τ)``.

    A value past the group's last day is undefined (``nan``) unless the
    curve has reached 0 by then: the data says nothing beyond it.
    ``median_note`` says why a median is undefined.

    Examples
    --------
    >>> t = table_from_durations([2, 4, 4, 7, 9], [True, True, False, True, False])
    >>> km = kaplan_meier(t)
    >>> km.curve["survival"].round(4).tolist()
    [0.8, 0.6, 0.3, 0.3]
    >>> km.summary[["median", "quartile_1", "settled_within_0", "settled_within_30"]]
           median  quartile_1  settled_within_0  settled_within_30
    group
    all       7.0         4.0               0.0                NaN
    """
    check_option("weight", weight, ("count", "amount"))
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)):
        raise InvalidOptionError(
            f"confidence must be a number in (0, 1), got {confidence!r}", column="confidence"
        )
    if not 0 < confidence < 1:
        raise InvalidOptionError(
            f"confidence must be in (0, 1), got {confidence!r}", column="confidence"
        )
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)):
        raise InvalidOptionError(
            f"horizon must be a whole number of days, got {horizon!r}", column="horizon"
        )
    arrays = _from_frame(table)
    curve, summary = _estimate(arrays, weight, float(confidence), int(horizon), notes=True)
    return SurvivalEstimate(curve, summary, weight, float(confidence), int(horizon))


def _estimate(
    table: _Table, weight: Weight, confidence: float, horizon: int, *, notes: bool
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The curve and summary frames of a table (rows sorted by group, day)."""
    suffix = "_amount" if weight == "amount" else ""
    entered = table.columns["entered" + suffix]
    settled = table.columns["settled" + suffix]
    closed = table.columns["closed" + suffix]
    censored = table.columns["censored" + suffix]
    day = table.day
    seg, first, last = _segments(table.group)
    n_seg = first.size

    gone = settled + closed + censored
    at_risk = _seg_cumsum(entered, seg, first) - (_seg_cumsum(gone, seg, first) - gone)
    n = at_risk.astype(np.float64)
    d = settled.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n > 0, 1.0 - d / np.where(n > 0, n, 1.0), 1.0)
        greenwood = np.where(n > d, d / (n * (n - d)), 0.0)
    by_segment = pd.Series(factor).groupby(seg, sort=False)
    survival: FloatArray = np.asarray(
        np.clip(by_segment.cumprod().to_numpy(dtype=np.float64), 0.0, 1.0), dtype=np.float64
    )
    sigma2: FloatArray = np.asarray(
        pd.Series(greenwood).groupby(seg, sort=False).cumsum().to_numpy(), dtype=np.float64
    )
    if weight == "amount" and n_seg:
        total = np.bincount(seg, weights=entered.astype(np.float64), minlength=n_seg)
        squares = np.bincount(seg, weights=table.columns["entered_amount_squared"], minlength=n_seg)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(total > 0, squares / np.where(total > 0, total, 1.0), 1.0)
        sigma2 = np.asarray(sigma2 * scale[seg], dtype=np.float64)
    lower, upper = _loglog_band(survival, sigma2, confidence)

    labels = table.labels.take(table.group[first]) if n_seg else table.labels[:0]
    index = _group_day_index(table)
    curve = pd.DataFrame(
        {
            "entered": entered,
            "at_risk": at_risk,
            "settled": settled,
            "closed": closed,
            "censored": censored,
            "survival": survival,
            "std_error": survival * np.sqrt(sigma2),
            "lower": lower,
            "upper": upper,
        },
        index=index,
        columns=list(CURVE_COLUMNS),
    )

    counts = {
        name: np.bincount(seg, weights=table.columns[column], minlength=n_seg).astype(np.int64)
        for name, column in (
            ("invoices", "entered"),
            ("settled", "settled"),
            ("closed", "closed"),
            ("open", "censored"),
        )
    }
    last_day = day[last].astype(np.float64)
    last_survival = survival[last]
    ended = last_survival <= _TOLERANCE  # the curve reached 0: known at every later day
    values: dict[str, Any] = dict(counts)
    values["amount"] = _int_sums(seg, table.columns["entered_amount"], n_seg)
    values["settled_average"] = _settled_average(settled, day, seg, n_seg)
    values["median"] = _first_at_or_below(survival, 0.5, day, seg, n_seg)
    values["median_lower"] = _first_at_or_below(lower, 0.5, day, seg, n_seg)
    values["median_upper"] = _first_at_or_below(upper, 0.5, day, seg, n_seg)
    values["quartile_1"] = _first_at_or_below(survival, 0.75, day, seg, n_seg)
    values["quartile_3"] = _first_at_or_below(survival, 0.25, day, seg, n_seg)
    for k in WITHIN_DAYS:
        at_k = _value_at(survival, day, seg, first, last, k)
        known = (k <= last_day) | ended
        values[f"settled_within_{k}"] = np.where(known, 1.0 - at_k, np.nan)
    values["restricted_mean"] = _restricted_mean(survival, day, seg, first, last, horizon, ended)
    values["median_note"] = (
        _median_notes(values["median"], counts, last_survival, last_day, weight)
        if notes
        else np.full(n_seg, "", dtype=object)
    )
    summary = pd.DataFrame(values, index=labels, columns=list(SUMMARY_COLUMNS))
    return curve, summary


def _settled_average(settled: IntArray, day: IntArray, seg: IntArray, n_seg: int) -> FloatArray:
    """Per segment, the plain (weighted) average day of the settled invoices (nan if none)."""
    weight_sum = _int_sums(seg, settled, n_seg)
    out = np.full(n_seg, np.nan)
    defined = weight_sum > 0
    if defined.any():
        if int(np.abs(day).max(initial=0)) * int(settled.sum()) < 2**62:
            total = np.zeros(n_seg, dtype=np.int64)
            np.add.at(total, seg, settled * day)
            out[defined] = ratio(total[defined], weight_sum[defined], what="average day settled")
        else:  # beyond int64: exact Python integers
            for g in np.flatnonzero(defined).tolist():
                rows = seg == g
                num = sum(int(a) * int(b) for a, b in zip(settled[rows], day[rows], strict=True))
                out[g] = ratio(num, int(weight_sum[g]), what="average day settled")
    return out


def _loglog_band(
    survival: FloatArray, sigma2: FloatArray, confidence: float
) -> tuple[FloatArray, FloatArray]:
    """The log-log (exponential Greenwood) band of lifelines."""
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    inside = (survival > 0) & (survival < 1)
    s = np.where(inside, survival, 0.5)
    v = np.log(s)
    spread = z * np.sqrt(sigma2) / v
    with np.errstate(over="ignore"):
        lower = np.exp(-np.exp(np.log(-v) - spread))
        upper = np.exp(-np.exp(np.log(-v) + spread))
    return (
        np.where(inside, lower, survival).astype(np.float64),
        np.where(inside, upper, survival).astype(np.float64),
    )


def _value_at(
    survival: FloatArray, day: IntArray, seg: IntArray, first: IntArray, last: IntArray, k: int
) -> FloatArray:
    """Per segment, S(k): the value of the last row with day <= k (1 before any row)."""
    n_seg = first.size
    if n_seg == 0:
        return np.zeros(0, dtype=np.float64)
    low = int(day.min())
    span = int(day.max()) - low + 2
    keys = seg * span + (day - low)
    offset = min(max(k - low, -1), span - 1)
    target = np.arange(n_seg, dtype=np.int64) * span + offset
    pos = np.searchsorted(keys, target, side="right") - 1
    found = pos >= first
    return np.where(found, survival[np.clip(pos, 0, None)], 1.0)


def _restricted_mean(
    survival: FloatArray,
    day: IntArray,
    seg: IntArray,
    first: IntArray,
    last: IntArray,
    horizon: int,
    ended: BoolArray,
) -> FloatArray:
    """Per segment ``t0 + ∫_{t0}^{τ} S``, nan when the data stops before τ with S > 0."""
    n_seg = first.size
    if n_seg == 0:
        return np.zeros(0, dtype=np.float64)
    following = np.empty_like(day)
    following[:-1] = day[1:]
    following[last] = max(horizon, int(day.max()))
    right = np.minimum(following, horizon)
    width = np.clip(right - day, 0, None).astype(np.float64)
    area = np.bincount(seg, weights=survival * width, minlength=n_seg)
    start = day[first].astype(np.float64)
    mean = np.where(start >= horizon, float(horizon), start + area)
    known = (horizon <= day[last]) | ended
    return np.where(known, mean, np.nan)


def _median_notes(
    median: FloatArray,
    counts: dict[str, IntArray],
    last_survival: FloatArray,
    last_day: FloatArray,
    weight: Weight,
) -> npt.NDArray[np.object_]:
    """Why each undefined median is undefined ("" where it is defined)."""
    out = np.full(median.size, "", dtype=object)
    what = "of the amount" if weight == "amount" else "of the invoices"
    for g in np.flatnonzero(np.isnan(median)).tolist():
        if counts["invoices"][g] == 0:
            out[g] = "no invoices"
            continue
        share = 1.0 - float(last_survival[g])
        out[g] = (
            f"the curve never reaches 1/2: {share:.1%} {what} settled by day "
            f"{int(last_day[g])}, the last day observed ({counts['open'][g]} of "
            f"{counts['invoices'][g]} invoices still open, {counts['closed'][g]} closed "
            "by credit note or write-off)"
        )
    return out
