"""Expected collections of open balances, from time-to-pay curves.

The building blocks of the collection forecast (see the *Collection
forecast* page of the documentation), shared by the forecast itself, the
registry's parts and the distributed summaries:

* :func:`horizon_offsets` -- the window boundaries of a horizon, in days
  after the as-of date;
* :func:`incidence` -- from an additive survival table
  (:func:`creditkpi.core.survival.survival_table`), per group: the
  amount-weighted survival to *any* closing and the cumulative incidence of
  closing by payment and by a competing outcome (credit note or write-off),
  the Aalen-Johansen estimate;
* :func:`conditional_shares` -- the conditional-expectation kernel: for a
  balance still open ``a`` days past its clock origin, the share expected to
  be paid (and closed otherwise) by ``a + o`` days, given that it was open at
  ``a``: ``(S(a) - S(a + o)) / S(a)`` split between the two outcomes;
* :func:`allocate` -- those shares as integer minor units per window, with
  the cumulative rounding that keeps ``windows + beyond + closed otherwise =
  balance`` exact;
* :func:`open_balance_units`, :func:`customer_curves` -- the open balances at
  ``T`` summed per (group, curve, age on the clock), the unit the forecast
  rounds, and which curve each customer's invoices use.

Everything depends only on data dated on or before the as-of date: the
tables are built at ``T`` (settlements after it ignored, invoices issued
after it absent).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from dateutil.relativedelta import relativedelta

from creditkpi.core.engine import balances
from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.fx.translate import closing_view
from creditkpi.core.groups import Groups, item_groups
from creditkpi.core.ledger import Ledger
from creditkpi.core.period import to_day
from creditkpi.core.survival import segment_cumsum, segments
from creditkpi.core.survival_tables import (
    Durations,
    SurvivalArrays,
    aggregate,
    arrays_of,
    durations,
)

__all__ = [
    "CUSTOMER",
    "LEDGER",
    "PART_FREQ",
    "PART_HORIZON",
    "PART_MIN_HISTORY",
    "SEGMENT",
    "Incidence",
    "OpenUnits",
    "allocate",
    "cash_by_week",
    "collapse_table",
    "conditional_shares",
    "customer_curves",
    "expected_by_window",
    "fallback_balances",
    "forecast_units",
    "history_at",
    "history_groupings",
    "horizon_offsets",
    "incidence",
    "open_balance_units",
    "own_curve_cash",
    "settled_counts",
    "sum_by",
    "survival_units",
    "table_incidence",
    "tables_at",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: curve levels: the customer's own history, its segment's, the whole ledger's
CUSTOMER, SEGMENT, LEDGER = 0, 1, 2


# ----------------------------------------------------------------------------------
# windows
# ----------------------------------------------------------------------------------


def _step(anchor: date, count: int, unit: str, k: int) -> date:
    """``anchor`` plus ``k`` steps of ``count`` units (months from the anchor, no drift)."""
    if unit == "D":
        return anchor + timedelta(days=count * k)
    if unit == "W":
        return anchor + timedelta(weeks=count * k)
    if unit == "M":
        shifted: date = anchor + relativedelta(months=count * k)
        return shifted
    later: date = anchor + relativedelta(years=count * k)
    return later


_LENGTH = re.compile(r"^\s*(\d*)\s*([dwmy])\s*$", re.IGNORECASE)


def _length(value: object, name: str) -> tuple[int, str]:
    """``"13W"`` as ``(13, "W")``; a bare unit (``"W"``) is one of it; an int is days."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 1:
        return int(value), "D"
    match = _LENGTH.match(value) if isinstance(value, str) else None
    if match is None or match.group(1) in ("0",) or (match.group(1) and int(match.group(1)) < 1):
        raise InvalidOptionError(
            f"{name} must be a number of days, weeks, months or years such as "
            f"'13W', '3M', '30D', 'W' or 'M'; got {value!r}",
            column=name,
        )
    return int(match.group(1) or 1), match.group(2).upper()


def horizon_offsets(as_of: date, horizon: str | int, freq: str | int) -> IntArray:
    """Window boundaries ``[0, b_1, ..., b_K]`` in days after ``as_of``.

    Window ``k`` holds the days ``as_of + b_{k-1} + 1`` to ``as_of + b_k``.
    Windows are ``freq`` long from ``as_of`` (calendar months from it with
    ``"M"``); the last one stops at the horizon's end ``as_of + horizon``.

    Raises
    ------
    InvalidOptionError
        ``horizon`` or ``freq`` is not like ``"13W"``, ``"3M"``, ``"30D"``,
        or ``freq`` is longer than ``horizon``.

    Examples
    --------
    >>> horizon_offsets(date(2024, 6, 30), "3W", "W").tolist()
    [0, 7, 14, 21]
    >>> horizon_offsets(date(2024, 1, 31), "2M", "M").tolist()
    [0, 29, 60]
    >>> horizon_offsets(date(2024, 6, 30), "10D", "W").tolist()
    [0, 7, 10]
    """
    h_count, h_unit = _length(horizon, "horizon")
    f_count, f_unit = _length(freq, "freq")
    try:
        end = (_step(as_of, h_count, h_unit, 1) - as_of).days
    except (OverflowError, ValueError):  # past 9999-12-31
        raise InvalidOptionError(
            f"horizon {horizon!r} from {as_of} ends after 9999-12-31, the last supported date",
            column="horizon",
        ) from None
    bounds = [0]
    k = 1
    while bounds[-1] < end:
        bounds.append(min((_step(as_of, f_count, f_unit, k) - as_of).days, end))
        k += 1
        if k > 100_000:  # a day per window over 270 years: not a forecast
            break
    if len(bounds) == 2 and (_step(as_of, f_count, f_unit, 1) - as_of).days > end:
        raise InvalidOptionError(
            f"freq {freq!r} is longer than the horizon {horizon!r}: "
            "give a shorter freq (e.g. 'W') or a longer horizon",
            column="freq",
        )
    return np.asarray(bounds, dtype=np.int64)


# ----------------------------------------------------------------------------------
# the curves
# ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Incidence:
    """Amount-weighted survival and cumulative incidences, per group (rows by group, day).

    Attributes
    ----------
    labels : pandas.Index
        The group labels; a row's group is ``labels[code]``.
    segment_of : ndarray of int64
        For each label code, its run of rows (``-1``: no curve).
    first : ndarray of int64
        First row of each run.
    keys : ndarray of int64
        ``segment * span + (day - low)``, sorted: the lookup keys.
    low, span : int
    survival : ndarray of float64
        Per row, the product of ``1 - (paid + closed) / at risk`` since the
        start of the row's *epoch* (a run of days after which nothing was
        at risk with positive survival); 0 on a day that closed everything
        at risk.
    epoch_last : ndarray of int64
        Per row, the last row of its epoch.
    paid, closed : ndarray of float64
        Per row, the epoch's cumulative ``Σ S(u-) × paid_u / at risk_u``
        (and the same for closures): cumulative incidences relative to the
        epoch's start.
    """

    labels: pd.Index
    segment_of: IntArray
    first: IntArray
    keys: IntArray
    low: int
    span: int
    survival: FloatArray
    epoch_last: IntArray
    paid: FloatArray
    closed: FloatArray


def _group_cumulative(values: FloatArray, runs: IntArray, kind: str) -> FloatArray:
    """Cumulative product or sum within runs, each run computed on its own values only.

    A run's result must not depend on the rows of other runs (a customer's
    curve is the same in any partition), so no global cumsum-and-subtract.
    """
    grouped = pd.Series(values).groupby(runs, sort=False)
    out = grouped.cumprod() if kind == "prod" else grouped.cumsum()
    return np.asarray(out.to_numpy(dtype=np.float64), dtype=np.float64)


def _incidence_of(table: SurvivalArrays) -> Incidence:
    entered = table.columns["entered_amount"]
    settled = table.columns["settled_amount"]
    closed = table.columns["closed_amount"]
    censored = table.columns["censored_amount"]
    seg, first, _last = segments(table.group)
    n_rows = table.day.size
    gone = settled + closed + censored
    at_risk = segment_cumsum(entered, seg, first) - (segment_cumsum(gone, seg, first) - gone)
    ended = settled + closed
    risk = at_risk.astype(np.float64)
    positive = at_risk > 0
    safe = np.where(positive, risk, 1.0)
    factor = np.clip(np.where(positive, (at_risk - ended) / safe, 1.0), 0.0, 1.0)
    hazard_paid = np.where(positive, settled / safe, 0.0)
    hazard_closed = np.where(positive, closed / safe, 0.0)
    zero = positive & (ended >= at_risk)
    start = np.zeros(n_rows, dtype=bool)
    start[first] = True
    if n_rows > 1:
        start[1:] |= zero[:-1] & (seg[1:] == seg[:-1])
    epoch = (np.cumsum(start) - 1).astype(np.int64)
    survival = _group_cumulative(np.asarray(factor, dtype=np.float64), epoch, "prod")
    before = np.ones(n_rows, dtype=np.float64)
    if n_rows > 1:
        before[1:] = survival[:-1]
    before[start] = 1.0
    paid = _group_cumulative(before * hazard_paid, epoch, "sum")
    closed_inc = _group_cumulative(before * hazard_closed, epoch, "sum")
    ends = np.flatnonzero(np.append(start[1:], True)).astype(np.int64)
    epoch_last = ends[epoch] if n_rows else np.zeros(0, dtype=np.int64)
    low = int(table.day.min()) if n_rows else 0
    span = (int(table.day.max()) - low + 2) if n_rows else 2
    segment_of = np.full(len(table.labels), -1, dtype=np.int64)
    if first.size:
        segment_of[table.group[first]] = np.arange(first.size, dtype=np.int64)
    return Incidence(
        labels=table.labels,
        segment_of=segment_of,
        first=first,
        keys=(seg * span + (table.day - low)).astype(np.int64),
        low=low,
        span=span,
        survival=survival,
        epoch_last=epoch_last,
        paid=paid,
        closed=closed_inc,
    )


def incidence(table: pd.DataFrame) -> Incidence:
    """The curves of a survival table (a frame of :func:`~creditkpi.core.survival.survival_table`).

    Amount-weighted: at risk, paid and closed are invoiced amounts. With
    ``n_t`` the amount at risk on day ``t``, ``p_t`` the amount settled by
    cash and ``c_t`` the amount closed by credit note or write-off that day,
    the survival to any closing is ``S(t) = Π_{u <= t} (1 - (p_u + c_u) / n_u)``
    and the cumulative incidences are ``P(t) = Σ_{u <= t} S(u-) p_u / n_u``
    and ``C(t) = Σ_{u <= t} S(u-) c_u / n_u`` (Aalen-Johansen), so that
    ``1 - S = P + C``.

    Examples
    --------
    >>> from creditkpi.core.survival import table_from_durations
    >>> t = table_from_durations([1, 2, 3, 4], [True, True, False, False], closed=[0, 0, 1, 0])
    >>> inc = incidence(t)
    >>> inc.survival.tolist(), inc.paid.tolist(), inc.closed.tolist()
    ([0.75, 0.5, 0.25, 0.25], [0.25, 0.5, 0.5, 0.5], [0.0, 0.0, 0.25, 0.25])
    """
    return _incidence_of(arrays_of(table))


def collapse_table(table: pd.DataFrame, label: object = "all") -> pd.DataFrame:
    """A survival table summed over its groups: one group ``label`` (the whole book).

    Survival tables are additive, so the sum of a grouped table over its
    groups is the table of all its invoices.
    """
    if len(table) == 0:
        return table
    total = table.groupby(level=1, sort=True).sum()
    total.index = pd.MultiIndex.from_arrays(
        [pd.Index([label] * len(total), dtype=object), total.index.astype(np.int64)],
        names=["group", "day"],
    )
    return total


def conditional_shares(
    curves: Incidence, codes: IntArray, ages: IntArray, offsets: IntArray
) -> tuple[FloatArray, FloatArray]:
    """The kernel: cumulative shares paid and closed otherwise, given open at ``age``.

    Parameters
    ----------
    curves : Incidence
    codes : array of int
        The curve of each balance: a label code of ``curves.labels``.
    ages : array of int
        Days past the clock origin at the as-of date (``a``).
    offsets : array of int
        Days after the as-of date (``o``), increasing, the first one 0.

    Returns
    -------
    paid, closed : ndarray of float64, shape (balances, offsets)
        ``paid[i, k]``: the share of balance ``i`` expected to be paid by
        day ``a + o_k`` given it was open at ``a``, i.e.
        ``(P(a + o_k) - P(a)) / S(a)``; ``closed`` the same for credit notes
        and write-offs. ``paid + closed = (S(a) - S(a + o_k)) / S(a)``. Past
        the curve's last day nothing more is expected (the curve says
        nothing there). A balance whose curve is missing, or whose ``S(a)``
        is 0, is expected nowhere (all beyond the horizon).

    Examples
    --------
    >>> from creditkpi.core.survival import table_from_durations
    >>> curves = incidence(table_from_durations([1, 2, 3, 4], [True, True, True, False]))
    >>> paid, closed = conditional_shares(curves, np.array([0]), np.array([1]), np.array([0, 1, 2]))
    >>> paid.round(4).tolist()
    [[0.0, 0.3333, 0.6667]]
    """
    codes = np.asarray(codes, dtype=np.int64)
    ages = np.asarray(ages, dtype=np.int64)
    offsets = np.asarray(offsets, dtype=np.int64)
    n, k = ages.size, offsets.size
    paid = np.zeros((n, k), dtype=np.float64)
    closed = np.zeros((n, k), dtype=np.float64)
    if n == 0 or curves.keys.size == 0:
        return paid, closed
    size = curves.segment_of.size
    inside = (codes >= 0) & (codes < size)
    seg = np.where(inside, curves.segment_of[np.clip(codes, 0, max(size - 1, 0))], -1)
    has = seg >= 0
    if not has.any():
        return paid, closed
    seg, age = seg[has], ages[has]
    span, low = curves.span, curves.low
    first = curves.first[seg]

    def row_at(day: IntArray) -> tuple[IntArray, BoolArray]:
        target = seg[..., None] * span if day.ndim == 2 else seg * span
        target = target + np.clip(day - low, -1, span - 2)
        pos = np.searchsorted(curves.keys, target, side="right") - 1
        base = first[:, None] if day.ndim == 2 else first
        return pos.astype(np.int64), pos >= base

    row_a, known_a = row_at(age)
    # before the curve's first day: nothing has happened yet (S = 1)
    ref = np.where(known_a, row_a, first)
    s_a = np.where(known_a, curves.survival[ref], 1.0)
    p_a = np.where(known_a, curves.paid[ref], 0.0)
    c_a = np.where(known_a, curves.closed[ref], 0.0)
    cap = curves.epoch_last[ref]
    row_t, known_t = row_at(age[:, None] + offsets[None, :])
    row_t = np.minimum(row_t, cap[:, None])
    pick = np.clip(row_t, 0, None)
    s_t = np.where(known_t, curves.survival[pick], 1.0)
    dp = np.where(known_t, curves.paid[pick] - p_a[:, None], 0.0)
    dc = np.where(known_t, curves.closed[pick] - c_a[:, None], 0.0)
    alive = s_a > 0
    safe = np.where(alive, s_a, 1.0)[:, None]
    done = np.where(alive[:, None], np.clip(1.0 - s_t / safe, 0.0, 1.0), 0.0)
    total = dp + dc
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, np.clip(dp / np.where(total > 0, total, 1.0), 0.0, 1.0), 1.0)
    out_paid = done * share
    paid[has] = out_paid
    closed[has] = done - out_paid
    return paid, closed


def allocate(
    balance: IntArray, paid: FloatArray, closed: FloatArray
) -> tuple[IntArray, IntArray, IntArray]:
    """Integer minor units per window from cumulative shares, exact in total.

    Each cumulative amount ``balance × share`` at a window's end is rounded
    to the nearest minor unit (never decreasing, never above the balance);
    a window gets the difference of two consecutive rounded cumulative
    amounts. So every window is within one minor unit of its exact
    expectation, the first ``k`` windows within half a unit (the same
    whatever the horizon), and ``Σ cash + Σ closed + beyond = balance``.

    Parameters
    ----------
    balance : array of int, shape (n,)
    paid, closed : arrays of float, shape (n, K + 1)
        Cumulative shares at the window boundaries (column 0: 0).

    Returns
    -------
    cash, closed, beyond : int64 arrays, shapes (n, K), (n, K), (n,)

    Examples
    --------
    >>> cash, closed, beyond = allocate(
    ...     np.array([100]), np.array([[0, 1 / 3, 2 / 3]]), np.array([[0.0, 0.0, 0.0]]))
    >>> cash.tolist(), closed.tolist(), beyond.tolist()
    ([[33, 34]], [[0, 0]], [33])
    """
    b = np.asarray(balance, dtype=np.int64)
    bf = b.astype(np.float64)[:, None]
    cum_paid = np.rint(bf * paid).astype(np.int64)
    cum_paid = np.minimum(np.maximum.accumulate(cum_paid, axis=1), b[:, None])
    cum_closed = np.rint(bf * closed).astype(np.int64)
    cum_closed = np.maximum.accumulate(cum_closed, axis=1)
    room = b - cum_paid[:, -1]
    cum_closed = np.minimum(cum_closed, room[:, None])
    cash = np.diff(cum_paid, axis=1)
    other = np.diff(cum_closed, axis=1)
    beyond = b - cum_paid[:, -1] - cum_closed[:, -1]
    return cash.astype(np.int64), other.astype(np.int64), beyond.astype(np.int64)


# ----------------------------------------------------------------------------------
# the open balances and their curves
# ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenUnits:
    """Open balances at ``T`` summed per (group, curve level, curve code, age).

    The unit the forecast rounds: balances sharing a curve and an age have
    the same conditional distribution, so their sum is allocated at once.

    Attributes
    ----------
    group : ndarray of int64
        Group code (of the ``by`` grouping).
    level : ndarray of int64
        :data:`CUSTOMER`, :data:`SEGMENT` or :data:`LEDGER`.
    curve : ndarray of int64
        Label code of the curve within its level's labels.
    age : ndarray of int64
        Days past the clock origin (the due date) at ``T``.
    balance : ndarray of int64
        Summed open balance (minor units).
    invoices : ndarray of int64
        Number of open invoices summed.
    """

    group: IntArray
    level: IntArray
    curve: IntArray
    age: IntArray
    balance: IntArray
    invoices: IntArray

    def take(self, mask: BoolArray) -> OpenUnits:
        """The units where ``mask`` holds."""
        return OpenUnits(
            self.group[mask],
            self.level[mask],
            self.curve[mask],
            self.age[mask],
            self.balance[mask],
            self.invoices[mask],
        )


def open_balance_units(
    group: IntArray,
    level: IntArray,
    curve: IntArray,
    age: IntArray,
    balance: IntArray,
) -> OpenUnits:
    """Sum per-invoice open balances into :class:`OpenUnits` (rows sorted by key)."""
    n = balance.size
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return OpenUnits(empty, empty, empty, empty, empty, empty)
    cols = np.stack([group, level, curve, age]).astype(np.int64)
    order = np.lexsort(cols[::-1])
    cols = cols[:, order]
    new = np.ones(n, dtype=bool)
    new[1:] = (cols[:, 1:] != cols[:, :-1]).any(axis=0)
    starts = np.flatnonzero(new)
    sums = np.add.reduceat(np.asarray(balance, dtype=np.int64)[order], starts)
    counts = np.diff(np.append(starts, n)).astype(np.int64)
    keys = cols[:, starts]
    return OpenUnits(keys[0], keys[1], keys[2], keys[3], sums.astype(np.int64), counts)


def tables_at(
    ledger: Ledger, as_of: date, groupings: dict[str, Groups]
) -> tuple[Durations, dict[str, SurvivalArrays]]:
    """The survival tables at ``as_of`` (due-date clock) for several groupings at once."""
    ledger = closing_view(ledger, to_day(as_of))  # amounts at the closing rates of as_of
    d = durations(ledger, as_of, clock="due")
    count = np.ones(d.invoice.size, dtype=np.int64)
    amount = ledger._cols.amount[d.invoice]
    out = {
        name: aggregate(
            groups.labels, groups.invoice[d.invoice], d.entry, d.exit, d.outcome, count, amount
        )
        for name, groups in groupings.items()
    }
    return d, out


def settled_counts(table: SurvivalArrays) -> IntArray:
    """Invoices settled by cash per label code of a table (0 for labels without rows)."""
    out = np.zeros(len(table.labels), dtype=np.int64)
    np.add.at(out, table.group, table.columns["settled"])
    return out


def history_groupings(ledger: Ledger, fallback: str) -> dict[int, Groups]:
    """The groupings of the curve levels (customer, segment unless ``"all"``, ledger).

    They do not depend on the date: compute them once for many as-of dates. A curve
    counts invoices, no money: its groups may hold several currencies (``item_groups``).
    """
    out = {CUSTOMER: item_groups(ledger, "customer_id")}
    if fallback != "all":
        out[SEGMENT] = item_groups(ledger, fallback)
    out[LEDGER] = item_groups(ledger, None)
    return out


def history_at(
    ledger: Ledger, as_of: date, groupings: dict[int, Groups]
) -> dict[int, tuple[Groups, SurvivalArrays]]:
    """Per curve level, its groups and its survival table at ``as_of`` (one pass of durations)."""
    named = {str(level): groups for level, groups in groupings.items()}
    _, tables = tables_at(ledger, as_of, named)
    return {level: (groups, tables[str(level)]) for level, groups in groupings.items()}


def customer_curves(
    ledger: Ledger,
    as_of: date,
    *,
    min_history: int,
    fallback: str,
    history: dict[int, tuple[Groups, SurvivalArrays]] | None = None,
) -> tuple[IntArray, IntArray, dict[int, tuple[Groups, SurvivalArrays]]]:
    """Which curve each invoice's balance uses at ``as_of``, and the curves' tables.

    A customer with at least ``min_history`` invoices settled by cash on or
    before ``as_of`` uses its own curve; otherwise its segment's (the
    invoice attribute ``fallback``) when the segment has that history,
    else the whole ledger's. ``fallback="all"`` skips the segment.
    ``history`` is :func:`history_at` when already computed.

    Returns
    -------
    level, curve : int64 arrays, one value per invoice of the ledger
        The curve level (:data:`CUSTOMER`, :data:`SEGMENT`, :data:`LEDGER`)
        and the curve's label code within that level.
    tables : dict
        Per level, its groups and its survival table at ``as_of``.
    """
    levels = (
        history
        if history is not None
        else history_at(ledger, as_of, history_groupings(ledger, fallback))
    )
    n = ledger.n_invoices
    level = np.full(n, LEDGER, dtype=np.int64)
    curve = np.zeros(n, dtype=np.int64)
    if SEGMENT in levels:
        seg_groups, seg_table = levels[SEGMENT]
        seg_ok = settled_counts(seg_table) >= min_history
        use = seg_ok[seg_groups.invoice]
        level[use] = SEGMENT
        curve[use] = seg_groups.invoice[use]
    cust, cust_table = levels[CUSTOMER]
    own_ok = settled_counts(cust_table) >= min_history
    use = own_ok[cust.invoice]
    level[use] = CUSTOMER
    curve[use] = cust.invoice[use]
    return level, curve, levels


def expected_by_window(
    units: OpenUnits, curves: dict[int, Incidence], offsets: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """Cash, closures per window and beyond, per unit: the kernel then :func:`allocate`."""
    n, k = units.balance.size, offsets.size - 1
    cash = np.zeros((n, k), dtype=np.int64)
    closed = np.zeros((n, k), dtype=np.int64)
    beyond = units.balance.copy()
    for lvl, inc in curves.items():
        rows = np.flatnonzero(units.level == lvl)
        if rows.size == 0:
            continue
        paid_s, closed_s = conditional_shares(inc, units.curve[rows], units.age[rows], offsets)
        c, w, b = allocate(units.balance[rows], paid_s, closed_s)
        cash[rows], closed[rows], beyond[rows] = c, w, b
    return cash, closed, beyond


def table_incidence(table: SurvivalArrays) -> Incidence:
    """:func:`incidence` of a survival table held as arrays."""
    return _incidence_of(table)


def sum_by(index: IntArray, values: npt.NDArray[Any], size: int) -> IntArray:
    """Exact int64 sums of rows of ``values`` (1-D or 2-D) per ``index``."""
    values = np.asarray(values, dtype=np.int64)
    out = np.zeros((size, *values.shape[1:]), dtype=np.int64)
    np.add.at(out, index, values)
    return out


# ----------------------------------------------------------------------------------
# the survival forecast and its additive parts
# ----------------------------------------------------------------------------------

#: the horizon and windows of the registry's forecast parts (13 weeks, weekly)
PART_HORIZON, PART_FREQ = "13W", "W"
#: minimum history of a customer's own curve in the registry's parts
PART_MIN_HISTORY = 20


def survival_units(
    ledger: Ledger,
    as_of: date,
    groups: Groups,
    *,
    min_history: int,
    fallback: str,
    balance: IntArray | None = None,
    history: dict[int, tuple[Groups, SurvivalArrays]] | None = None,
) -> tuple[OpenUnits, dict[int, Incidence], dict[int, pd.Index]]:
    """The open balances at ``as_of`` as units, with the curves they use.

    Returns the units (per group of ``groups``, curve level and code, age on
    the due-date clock), the curves per level (only the levels some unit
    uses) and each level's curve labels. ``balance`` is every invoice's
    balance at ``as_of`` when already known (0 for invoices not yet issued),
    ``history`` the :func:`history_at` tables.
    """
    day = to_day(as_of)
    ledger = closing_view(ledger, day)  # balances at the closing rates of as_of
    if balance is None:
        balance = balances(ledger, as_of).balance
    open_ = balance > 0
    level, curve, levels = customer_curves(
        ledger, as_of, min_history=min_history, fallback=fallback, history=history
    )
    units = open_balance_units(
        groups.invoice[open_],
        level[open_],
        curve[open_],
        day - ledger._cols.due[open_],
        balance[open_],
    )
    used = set(np.unique(units.level).tolist())
    curves = {lvl: table_incidence(tbl) for lvl, (_, tbl) in levels.items() if lvl in used}
    labels = {lvl: g.labels for lvl, (g, _) in levels.items()}
    return units, curves, labels


def forecast_units(
    ledger: Ledger, as_of: date, groups: Groups
) -> tuple[Groups, OpenUnits, dict[int, Incidence]]:
    """:func:`survival_units` with the registry parts' options (20 invoices, no segment).

    What both forecast parts read at a date (:func:`own_curve_cash`,
    :func:`fallback_balances`): compute it once and give it to both.
    """
    units, curves, _ = survival_units(
        ledger, as_of, groups, min_history=PART_MIN_HISTORY, fallback="all"
    )
    return groups, units, curves


def own_curve_cash(
    units: tuple[Groups, OpenUnits, dict[int, Incidence]], as_of: date
) -> pd.DataFrame:
    """Registry part: expected cash per (group, week) of the customers with their own curve.

    Over the next 13 weeks (weekly windows from ``as_of``), for the open
    invoices of customers with at least 20 invoices settled by cash by
    ``as_of``: ``cash`` and ``write_offs`` (closures by credit note or
    write-off) in minor units, already allocated (:func:`allocate`). A
    customer's curve depends only on its own invoices, so the part is
    additive over partitions by customer. ``units`` is :func:`forecast_units`.
    """
    groups, open_units, curves = units
    own = open_units.take(open_units.level == CUSTOMER)
    offsets = horizon_offsets(as_of, PART_HORIZON, PART_FREQ)
    k = offsets.size - 1
    cash, closed, _ = expected_by_window(own, curves, offsets)
    present = np.unique(own.group)
    slot = np.searchsorted(present, own.group)
    cash_g = sum_by(slot, cash, present.size)
    closed_g = sum_by(slot, closed, present.size)
    index = pd.MultiIndex.from_arrays(
        [
            pd.Index(groups.labels.take(np.repeat(present, k)), dtype=object),
            pd.Index(np.tile(np.arange(1, k + 1, dtype=np.int64), present.size)),
        ],
        names=["group", "step"],
    )
    return pd.DataFrame(
        {"cash": cash_g.reshape(-1), "write_offs": closed_g.reshape(-1)}, index=index
    )


def fallback_balances(units: tuple[Groups, OpenUnits, dict[int, Incidence]]) -> pd.DataFrame:
    """Registry part: open balances per (group, age) that fall back to the ledger's curve.

    The open invoices of customers with fewer than 20 invoices settled by
    cash by ``as_of``, summed per group and days past due (``balance`` in
    minor units, ``invoices``). Their curve is the whole ledger's, known
    only once the partitions are combined: the driver applies it (the
    survival table is additive too). ``units`` is :func:`forecast_units`.
    """
    groups, open_units, _ = units
    rest = open_units.take(open_units.level == LEDGER)
    index = pd.MultiIndex.from_arrays(
        [pd.Index(groups.labels.take(rest.group), dtype=object), pd.Index(rest.age)],
        names=["group", "age"],
    )
    return pd.DataFrame({"balance": rest.balance, "invoices": rest.invoices}, index=index)


def cash_by_week(
    own: pd.DataFrame,
    fallback: pd.DataFrame,
    survival_table: pd.DataFrame,
    groups: list[Any],
) -> IntArray:
    """Expected cash per group and week over the registry parts' 13 weeks, from the parts.

    The cash of the customers with their own curve (already per week in
    ``own``, :func:`own_curve_cash`), plus the balances that fall back to
    the ledger's curve (``fallback``, :func:`fallback_balances`), forecast
    with the curve of the (combined) ``survival_table``. A ``(groups, 13)``
    int64 array of minor units; the first ``k`` weeks are the forecast of a
    ``k``-week horizon (windows are differences of cumulative roundings).
    """
    index = pd.Index(groups, dtype=object)
    offsets = horizon_offsets(date(2000, 1, 1), PART_HORIZON, PART_FREQ)
    weeks = offsets.size - 1
    out = np.zeros((len(index), weeks), dtype=np.int64)
    if len(own):
        step = own.index.get_level_values(1).astype(np.int64)
        cells = own["cash"].to_numpy(dtype=np.int64)
        row = index.get_indexer(own.index.get_level_values(0))
        keep = (row >= 0) & (step >= 1) & (step <= weeks)
        np.add.at(out, (row[keep], step[keep] - 1), cells[keep])
    if len(fallback) and len(survival_table):
        table = arrays_of(collapse_table(survival_table))
        curves = {LEDGER: table_incidence(table)}
        code, labels = pd.factorize(fallback.index.get_level_values(0), sort=False)
        ages = np.asarray(fallback.index.get_level_values(1), dtype=np.int64)
        n = ages.size
        units = OpenUnits(
            code.astype(np.int64),
            np.full(n, LEDGER, dtype=np.int64),
            np.zeros(n, dtype=np.int64),
            ages,
            fallback["balance"].to_numpy(dtype=np.int64),
            fallback["invoices"].to_numpy(dtype=np.int64),
        )
        cash, _, _ = expected_by_window(units, curves, offsets)
        per = sum_by(code.astype(np.int64), cash, len(labels))
        row = index.get_indexer(pd.Index(labels, dtype=object))
        keep = row >= 0
        out[row[keep]] += per[keep]
    return out
