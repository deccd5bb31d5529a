"""Days sales outstanding: standard, countback, best possible, average days delinquent (SPEC §4.2).

DSO (délai moyen de paiement, DMP; its trend is the "PMR clients") says how
many days of sales the receivables represent. Two methods:

* **standard** (méthode comptable): ``R(end) / S(P) × days(P)``;
* **countback** (épuisement du chiffre d'affaires): walk back month by month
  from T until the sales made account for ``R(T)``.

Everything is computed from the engine's additive summaries
(:func:`~creditkpi.core.engine.position` for receivables and overdue at the
period ends, :func:`~creditkpi.core.engine.flows` for sales per period or per
calendar month), for any number of periods and groups at once.
Depends only on :mod:`creditkpi.core`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import (
    as_periods,
    check_option,
    exact_number,
    period_group_index,
    reshape_matrix,
    warn_undefined,
)
from creditkpi.core.engine import flows, position
from creditkpi.core.errors import InvalidOptionError, InvalidValueError
from creditkpi.core.groups import Groups, group_codes
from creditkpi.core.ledger import Ledger
from creditkpi.core.period import Period, PeriodLike, from_day

__all__ = [
    "SUMMARY_COLUMNS",
    "average_days_delinquent",
    "best_possible_dso",
    "dso",
    "dso_summary",
    "formula_best_possible_dso",
    "formula_countback_dso",
    "formula_dso",
]

PeriodArg: TypeAlias = "PeriodLike | Sequence[PeriodLike]"
Number: TypeAlias = "int | float | Decimal | Fraction"
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: columns of :func:`dso_summary`
SUMMARY_COLUMNS = (
    "days",
    "receivables_start",
    "receivables_end",
    "overdue_end",
    "current_end",
    "sales",
)

#: int64 magnitudes below this convert to float64 exactly
_EXACT = 2**53


# ----------------------------------------------------------------------------------
# additive parts
# ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Parts:
    """Additive parts of a list of periods, arrays of shape (periods, groups), minor units."""

    periods: list[Period]
    groups: Groups
    days: IntArray  # (periods,)
    receivables_start: IntArray  # R(start - 1)
    receivables_end: IntArray  # R(end)
    overdue_end: IntArray  # Overdue(end)
    sales: IntArray  # S(P)

    @property
    def current_end(self) -> IntArray:
        return self.receivables_end - self.overdue_end


def _at_dates(
    ledger: Ledger, dates: list[date], by: str | None, n_groups: int
) -> tuple[IntArray, IntArray]:
    """Receivables and overdue at each of ``dates``: two (len(dates), groups) arrays."""
    unique = sorted(set(dates))
    frame = position(ledger, unique, by=by)
    rec = frame["receivables"].to_numpy(dtype=np.int64).reshape(len(unique), n_groups)
    late = frame["overdue"].to_numpy(dtype=np.int64).reshape(len(unique), n_groups)
    row = {d: k for k, d in enumerate(unique)}
    take = [row[d] for d in dates]
    return rec[take], late[take]


def _parts(ledger: Ledger, periods: list[Period], by: str | None) -> _Parts:
    groups = group_codes(ledger, by)
    n, g = len(periods), groups.size
    rec, late = _at_dates(ledger, [p.before for p in periods] + [p.end for p in periods], by, g)
    sales = flows(ledger, periods, by=by)["sales"].to_numpy(dtype=np.int64).reshape(n, g)
    return _Parts(
        periods=periods,
        groups=groups,
        days=np.asarray([p.days for p in periods], dtype=np.int64),
        receivables_start=rec[:n],
        receivables_end=rec[n:],
        overdue_end=late[n:],
        sales=sales,
    )


def _days_ratio(
    num: IntArray, den: IntArray, days: IntArray, *, what: str, factor: int = 1
) -> FloatArray:
    """``num × days / (den × factor)`` per cell, correctly rounded; nan + warning where den <= 0.

    ``num`` and ``den`` are (periods, groups) integer arrays and ``days`` one
    entry per period. The quotient is of exact integers, so scaling every
    amount by k leaves the result bit for bit unchanged.
    """
    num = np.asarray(num, dtype=np.int64)
    den = np.asarray(den, dtype=np.int64)
    mult = np.broadcast_to(np.asarray(days, dtype=np.int64)[:, None], num.shape)
    bad = den <= 0
    out = np.full(num.shape, np.nan, dtype=np.float64)
    top = int(np.abs(num).max(initial=0)) * int(mult.max(initial=0))
    if top < _EXACT and int(np.abs(den).max(initial=0)) * factor < _EXACT:
        with np.errstate(divide="ignore", invalid="ignore"):
            q = (num.astype(np.float64) * mult) / (den.astype(np.float64) * factor)
        out = np.where(bad, np.nan, q)
    else:  # beyond 2**53: exact Python integers
        for idx in zip(*np.nonzero(~bad), strict=True):
            out[idx] = int(num[idx]) * int(mult[idx]) / (int(den[idx]) * factor)
    if bad.any():
        warn_undefined(f"{what} where sales <= 0 ({int(bad.sum())} of {bad.size} values)", 4)
    return np.asarray(out, dtype=np.float64)


# ----------------------------------------------------------------------------------
# countback
# ----------------------------------------------------------------------------------


def _month_start(d: date) -> date:
    return d.replace(day=1)


def _month_end(d: date) -> date:
    """Last day of the month of ``d``."""
    nxt = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(days=1)


def _month_index(d: date, origin: date) -> int:
    return (d.year - origin.year) * 12 + d.month - origin.month


def _countback(
    ledger: Ledger, periods: list[Period], by: str | None, max_months: int | None
) -> tuple[FloatArray, Groups]:
    """Countback DSO at the end of each period, per group: a (periods, groups) array."""
    groups = group_codes(ledger, by)
    g = groups.size
    ends = [p.end for p in periods]
    rec, _ = _at_dates(ledger, ends, by, g)
    out = np.zeros((len(periods), g), dtype=np.float64)
    first_day = ledger._cols.first_day
    if first_day is None:
        return out, groups
    origin = _month_start(from_day(first_day))
    live = [j for j, t in enumerate(ends) if t >= origin and (rec[j] > 0).any()]
    if not live:
        return out, groups
    months = Period.months(f"{origin:%Y-%m}", f"{max(ends[j] for j in live):%Y-%m}")
    partial = {
        j: Period(_month_start(ends[j]), ends[j]) for j in live if ends[j] != _month_end(ends[j])
    }
    fl = flows(ledger, months + list(partial.values()), by=by)
    sales = fl["sales"].to_numpy(dtype=np.int64).reshape(len(months) + len(partial), g)
    month_sales, partial_sales = sales[: len(months)], sales[len(months) :]
    month_days = np.asarray([m.days for m in months], dtype=np.int64)
    where = {j: k for k, j in enumerate(partial)}
    exhausted = 0
    for j in live:
        t = ends[j]
        m = _month_index(t, origin)
        if j in where:
            head, head_days = partial_sales[where[j]], t.day
        else:
            head, head_days = month_sales[m], int(month_days[m])
        older = slice(m - 1, None, -1) if m else slice(0, 0)
        seq = np.vstack([head[None, :], month_sales[older]])
        days = np.concatenate([np.asarray([head_days], dtype=np.int64), month_days[older]])
        if max_months is not None:
            seq, days = seq[:max_months], days[:max_months]
        result, missing = _walk(rec[j], seq, days)
        out[j] = result
        exhausted += int(missing.sum())
    if exhausted:
        warn_undefined(
            f"countback DSO where sales history runs out before receivables "
            f"({exhausted} of {out.size} values)",
            4,
        )
    return out, groups


def _walk(r: IntArray, seq: IntArray, days: IntArray) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Vectorised countback walk over groups.

    ``seq[k, g]`` is the sales of the k-th month back (newest first) and
    ``days[k]`` its length. The walk stops at the first month k where the
    cumulative sales ``C_k`` reach ``r``; the result is the days of the
    months before k plus ``days[k] × (r - C_{k-1}) / seq[k]``. This is the
    month-by-month walk of SPEC §4.2 (a month with sales <= 0 never stops it).
    """
    cum = np.cumsum(seq, axis=0)
    hit = cum >= r[None, :]
    found = hit.any(axis=0)
    k = np.argmax(hit, axis=0)
    cols = np.arange(r.size)
    before = np.where(k > 0, cum[np.maximum(k - 1, 0), cols], 0)
    whole = (np.cumsum(days) - days)[k]
    step = seq[k, cols]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = (r - before).astype(np.float64) / step.astype(np.float64)
    result = whole.astype(np.float64) + days[k].astype(np.float64) * frac
    positive = r > 0
    result = np.where(positive, result, 0.0)
    missing = positive & ~found
    result = np.where(missing, np.nan, result)
    return np.asarray(result, dtype=np.float64), np.asarray(missing, dtype=bool)


# ----------------------------------------------------------------------------------
# public KPIs
# ----------------------------------------------------------------------------------


def dso(
    ledger: Ledger,
    period: PeriodArg,
    *,
    method: Literal["standard", "countback"] = "standard",
    receivables: Literal["end", "average"] = "end",
    by: str | None = None,
    max_months: int | None = None,
) -> Any:
    """Days sales outstanding (DSO, délai moyen de paiement) of a period.

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
        The period P (``"2024-04"``, ``"2024-Q2"``, ``ck.Period(...)``); a
        list (e.g. ``ck.Period.months("2024-01", "2024-12")``) gives the
        series, the "PMR clients" trend.
    method : {"standard", "countback"}, default "standard"
        ``"standard"``: accounting method over the period;
        ``"countback"``: exhaustion of sales at T = the end of P.
    receivables : {"end", "average"}, default "end"
        Standard method only: ``R(end)``, or ``(R(start - 1) + R(end)) / 2``.
    by : str, optional
        ``"customer_id"`` or an invoice attribute (``"country"``...): one
        DSO per group.
    max_months : int, optional
        Countback only: walk back at most this many calendar months (the
        month holding T counts as one). Default: back to the month of the
        ledger's first event.

    Returns
    -------
    float, Series or DataFrame
        Days (float, not rounded), lower is better. One value; a Series by
        group or by period; a DataFrame periods × groups when both.

    Raises
    ------
    InvalidOptionError
        Unknown ``method``, ``receivables`` or ``by``; ``receivables="average"``
        or ``max_months`` with a method that does not use them; ``max_months < 1``.
    InvalidPeriodError
        A period that cannot be parsed.

    Warns
    -----
    UndefinedMetricWarning
        Standard method: where ``S(P) <= 0`` (result ``nan``). Countback:
        where the sales history runs out before the receivables are
        accounted for (result ``nan``).

    Notes
    -----
    Standard: ``DSO(P) = R(end) / S(P) × days(P)`` with ``days(P)`` calendar
    days (April: 30); with ``receivables="average"``,
    ``(R(start - 1) + R(end)) / 2`` replaces ``R(end)``. ``R(T)`` is the sum
    of invoice balances at the end of T (TTC; unapplied cash excluded) and
    ``S(P)`` the invoices issued in P minus the credit notes dated in P.
    Where ``S(P) <= 0`` (no sales, or more credit notes than invoices) the
    standard DSO is ``nan``: a negative number of days means nothing.

    Countback at ``T = end``: ``r = R(T)``; walk calendar months backwards
    from the month holding T (that month from its 1st to T, with its sales
    up to T). While ``r >= S(month)``: add the month's days,
    ``r -= S(month)``; then add ``days(month) × r / S(month)`` and stop. A
    month with no sales counts whole; a month with negative sales (credit
    notes above invoices) counts whole and adds back to ``r``. The walk
    stops as soon as ``r`` reaches 0: a month exactly used up counts whole
    and ends the walk. ``R(T) <= 0`` gives 0. Calendar days, never rounded.
    History = the months back to the month of the ledger's first event
    (issue or settlement), or ``max_months`` months; if it runs out first
    the result is ``nan``. Countback depends only on T, not on the period's
    length.

    With ``by``, every group is computed on its own receivables and sales
    (the same history for all groups).

    References
    ----------
    SPEC §4.2 (standard and countback DSO). Seed 003 (méthode comptable;
    méthode par épuisement du chiffre d'affaires).

    See Also
    --------
    best_possible_dso, average_days_delinquent, dso_summary

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-05", "2024-04-04", "300.00"),
    ...      ck.Invoice("F2", "C1", "2024-04-10", "2024-05-10", "600.00")],
    ...     [ck.Payment("F1", "2024-04-20", "100.00")])
    >>> ck.dso(ledger, "2024-04")  # 800 / 600 × 30
    40.0
    >>> round(ck.dso(ledger, "2024-04", method="countback"), 2)  # 30 + 31 × 200/300
    50.67
    >>> ck.dso(ledger, ["2024-03", "2024-04"]).round(2).to_dict()  # 300/300 × 31
    {'2024-03': 31.0, '2024-04': 40.0}
    """
    check_option("method", method, ("standard", "countback"))
    check_option("receivables", receivables, ("end", "average"))
    periods, single = as_periods(period)
    if method == "countback":
        if receivables != "end":
            raise InvalidOptionError(
                "receivables='average' applies to the standard method only "
                "(countback is defined at one date, the end of the period)",
                column="receivables",
            )
        if max_months is not None and (
            isinstance(max_months, bool) or not isinstance(max_months, int) or max_months < 1
        ):
            raise InvalidOptionError(
                f"max_months must be a whole number of months >= 1, got {max_months!r}",
                column="max_months",
            )
        values, groups = _countback(ledger, periods, by, max_months)
        return reshape_matrix(values, periods, groups, single=single, by=by)
    if max_months is not None:
        raise InvalidOptionError(
            "max_months applies to method='countback' only", column="max_months"
        )
    parts = _parts(ledger, periods, by)
    if receivables == "average":
        num = parts.receivables_start + parts.receivables_end
        values = _days_ratio(num, parts.sales, parts.days, what="DSO", factor=2)
    else:
        values = _days_ratio(parts.receivables_end, parts.sales, parts.days, what="DSO")
    return reshape_matrix(values, periods, parts.groups, single=single, by=by)


def best_possible_dso(ledger: Ledger, period: PeriodArg, *, by: str | None = None) -> Any:
    """Best possible DSO (BPDSO): the DSO if every customer paid on its due date.

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
        A list gives a series.
    by : str, optional
        ``"customer_id"`` or an invoice attribute.

    Returns
    -------
    float, Series or DataFrame
        Days, lower is better; ``BPDSO <= DSO`` when no balance is negative.

    Raises
    ------
    InvalidOptionError
        Unknown ``by``.

    Warns
    -----
    UndefinedMetricWarning
        Where ``S(P) <= 0`` (result ``nan``).

    Notes
    -----
    ``BPDSO(P) = Current(end) / S(P) × days(P)``, where
    ``Current(T) = R(T) - Overdue(T)`` is the part of the receivables not
    yet due (``d_i(T) <= 0``). Always on the end-of-period receivables.

    References
    ----------
    SPEC §4.2 (best possible DSO).

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-05", "2024-04-04", "300.00"),
    ...      ck.Invoice("F2", "C1", "2024-04-10", "2024-05-10", "600.00")],
    ...     [ck.Payment("F1", "2024-04-20", "100.00")])
    >>> ck.best_possible_dso(ledger, "2024-04")  # F2 not due: 600 / 600 × 30
    30.0
    """
    periods, single = as_periods(period)
    parts = _parts(ledger, periods, by)
    values = _days_ratio(parts.current_end, parts.sales, parts.days, what="best possible DSO")
    return reshape_matrix(values, periods, parts.groups, single=single, by=by)


def average_days_delinquent(ledger: Ledger, period: PeriodArg, *, by: str | None = None) -> Any:
    """Average days delinquent (ADD): standard DSO minus best possible DSO.

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
        A list gives a series.
    by : str, optional
        ``"customer_id"`` or an invoice attribute.

    Returns
    -------
    float, Series or DataFrame
        Days, lower is better (0 when nothing is overdue at the end of P).

    Raises
    ------
    InvalidOptionError
        Unknown ``by``.

    Warns
    -----
    UndefinedMetricWarning
        Where ``S(P) <= 0`` (result ``nan``).

    Notes
    -----
    ``ADD(P) = DSO(P) - BPDSO(P)`` with both on the same basis, the
    end-of-period receivables; this is ``Overdue(end) / S(P) × days(P)``,
    which is how it is computed (one exact quotient, no cancellation).

    References
    ----------
    SPEC §4.2 (average days delinquent, standard method).

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-05", "2024-04-04", "300.00"),
    ...      ck.Invoice("F2", "C1", "2024-04-10", "2024-05-10", "600.00")],
    ...     [ck.Payment("F1", "2024-04-20", "100.00")])
    >>> ck.average_days_delinquent(ledger, "2024-04")  # 40 - 30 = 200 / 600 × 30
    10.0
    """
    periods, single = as_periods(period)
    parts = _parts(ledger, periods, by)
    values = _days_ratio(parts.overdue_end, parts.sales, parts.days, what="average days delinquent")
    return reshape_matrix(values, periods, parts.groups, single=single, by=by)


def dso_summary(ledger: Ledger, period: PeriodArg, *, by: str | None = None) -> Any:
    """The additive parts behind the DSO family, per period (and group).

    Parameters
    ----------
    ledger : Ledger
    period : Period, str or list of them
    by : str, optional
        ``"customer_id"`` or an invoice attribute.

    Returns
    -------
    Series or DataFrame
        Fields (:data:`SUMMARY_COLUMNS`): ``days`` (int, ``days(P)``),
        ``receivables_start`` (``R(start - 1)``), ``receivables_end``
        (``R(end)``), ``overdue_end``, ``current_end`` and ``sales``
        (``S(P)``), money as ``Decimal``. One period and ``by=None``: a
        Series named after the period; ``by``: a DataFrame indexed by group;
        a list of periods: a DataFrame indexed by period, or by
        ``(period, group)`` with ``by``. Every money field is additive over
        disjoint customers.

    Raises
    ------
    InvalidOptionError
        Unknown ``by``.

    References
    ----------
    SPEC §3 (building blocks), §4.2.

    Examples
    --------
    >>> import creditkpi as ck
    >>> from creditkpi.metrics.dso import dso_summary
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-05", "2024-04-04", "300.00"),
    ...      ck.Invoice("F2", "C1", "2024-04-10", "2024-05-10", "600.00")],
    ...     [ck.Payment("F1", "2024-04-20", "100.00")])
    >>> s = dso_summary(ledger, "2024-04")
    >>> s["receivables_start"], s["receivables_end"], s["current_end"], s["sales"]
    (Decimal('300.00'), Decimal('800.00'), Decimal('600.00'), Decimal('600.00'))
    """
    periods, single = as_periods(period)
    parts = _parts(ledger, periods, by)
    g = parts.groups.size
    money = {
        "receivables_start": parts.receivables_start,
        "receivables_end": parts.receivables_end,
        "overdue_end": parts.overdue_end,
        "current_end": parts.current_end,
        "sales": parts.sales,
    }
    data: dict[str, Any] = {"days": np.repeat(parts.days, g)}
    for name, values in money.items():
        data[name] = pd.Series(ledger._cols.money_list(values.reshape(-1).tolist()), dtype=object)
    frame = pd.DataFrame({c: list(data[c]) for c in SUMMARY_COLUMNS})
    frame.index = period_group_index(periods, parts.groups)
    if by is None:
        out = frame.droplevel("group")
        if single:
            row = {c: (int(v) if c == "days" else v) for c, v in out.iloc[0].items()}
            return pd.Series(row, dtype=object, name=str(periods[0]))
        return out
    if single:
        out = frame.droplevel("period")
        out.index.name = by
        return out
    return frame.rename_axis(["period", by])


# ----------------------------------------------------------------------------------
# pure formulas
# ----------------------------------------------------------------------------------


def _days_formula(amount: Number, sales: Number, days: Number, *, what: str) -> float:
    a, s, d = (
        exact_number(amount, "receivables"),
        exact_number(sales, "sales"),
        exact_number(days, "days"),
    )
    if a is None or s is None or d is None:
        return float("nan")
    if d < 0:
        raise InvalidValueError(f"days must not be negative, got {days!r}", column="days")
    if s <= 0:
        warn_undefined(f"{what} with sales <= 0", 4)
        return float("nan")
    return float(a * d / s)


def formula_dso(receivables: Number, sales: Number, days: Number) -> float:
    """Standard DSO from its three figures: ``receivables / sales × days``.

    Parameters
    ----------
    receivables : int, float or Decimal
        ``R(end)`` (or the average receivables), tax included.
    sales : int, float or Decimal
        ``S(P)``, tax included.
    days : int or float
        Calendar days of the period.

    Returns
    -------
    float
        Days, lower is better; ``nan`` when ``sales <= 0``.

    Raises
    ------
    InvalidValueError
        A non-number, or negative ``days``.

    Warns
    -----
    UndefinedMetricWarning
        When ``sales <= 0``.

    References
    ----------
    SPEC §4.2 (standard method); seed 003 (méthode comptable).

    Examples
    --------
    >>> formula_dso(800, 600, 30)
    40.0
    """
    return _days_formula(receivables, sales, days, what="DSO")


def formula_best_possible_dso(current: Number, sales: Number, days: Number) -> float:
    """Best possible DSO from its three figures: ``current / sales × days``.

    Parameters
    ----------
    current : int, float or Decimal
        ``Current(end)``: receivables not yet due.
    sales : int, float or Decimal
        ``S(P)``.
    days : int or float
        Calendar days of the period.

    Returns
    -------
    float
        Days, lower is better; ``nan`` when ``sales <= 0``.

    Raises
    ------
    InvalidValueError
        A non-number, or negative ``days``.

    Warns
    -----
    UndefinedMetricWarning
        When ``sales <= 0``.

    References
    ----------
    SPEC §4.2 (best possible DSO).

    Examples
    --------
    >>> formula_best_possible_dso(600, 600, 30)
    30.0
    """
    return _days_formula(current, sales, days, what="best possible DSO")


def formula_countback_dso(receivables: Number, months: Iterable[tuple[Number, Number]]) -> float:
    """Countback DSO (épuisement du chiffre d'affaires) from receivables and monthly sales.

    Parameters
    ----------
    receivables : int, float or Decimal
        ``R(T)``.
    months : iterable of (sales, days)
        Newest first: the month holding T (its sales up to T and its days up
        to T), then each earlier calendar month with its sales and length.

    Returns
    -------
    float
        Days, lower is better; 0 when ``receivables <= 0``; ``nan`` when the
        months run out before the receivables are accounted for.

    Raises
    ------
    InvalidValueError
        A non-number, a pair that is not (sales, days), or negative days.

    Warns
    -----
    UndefinedMetricWarning
        When the months run out.

    Notes
    -----
    ``r = receivables``; for each month, newest first: if ``r >= sales`` (or
    ``sales <= 0``) the month counts whole and ``r -= sales`` (negative
    sales add back to ``r``); otherwise add ``days × r / sales`` and stop.
    The walk also stops as soon as ``r`` reaches 0. Exact arithmetic; one
    rounding to float at the end of each step.

    References
    ----------
    SPEC §4.2 (countback); seed 003 ("encours client TTC - chiffre d'affaires
    TTC du mois M - chiffre d'affaires TTC du mois M-1... jusqu'à épuisement").

    Examples
    --------
    >>> # R = 800; April 600 (30 days), March 300 (31 days): 30 + 31 × 200/300
    >>> round(formula_countback_dso(800, [(600, 30), (300, 31)]), 4)
    50.6667
    """
    r = exact_number(receivables, "receivables")
    if r is None:
        return float("nan")
    if r <= 0:
        return 0.0
    whole = Fraction(0)
    for pair in months:
        try:
            sales_value, days_value = pair
        except (TypeError, ValueError):
            raise InvalidValueError(
                f"months must hold (sales, days) pairs, got {pair!r}", column="months"
            ) from None
        s, d = exact_number(sales_value, "sales"), exact_number(days_value, "days")
        if s is None or d is None:
            return float("nan")
        if d < 0:
            raise InvalidValueError(f"days must not be negative, got {days_value!r}", column="days")
        if s <= 0 or r >= s:
            whole += d
            r -= s
            if r == 0:
                return float(whole)
            continue
        return float(whole) + float(d) * float(r / s)
    warn_undefined("countback DSO (sales history runs out before receivables)", 3)
    return float("nan")
