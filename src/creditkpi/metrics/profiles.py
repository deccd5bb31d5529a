"""Payer profiles: one row per customer, for credit limits and collection priority.

How a customer pays (days beyond terms of its payments, its trend, the
shares paid late, the censored median from the time-to-pay curve), what it
owes now (receivables, overdue, open days beyond terms, use of its credit
limit), a 0-100 payment index and a grade with the reasons behind it.

Depends only on :mod:`creditkpi.core`. See the *Payer profiles* page of the
documentation.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from dateutil.relativedelta import relativedelta

from creditkpi.core.args import Money, as_dates, check_money, money_values
from creditkpi.core.engine import balances
from creditkpi.core.errors import InvalidAmountError, InvalidOptionError, UndefinedMetricWarning
from creditkpi.core.groups import group_codes
from creditkpi.core.ingest.amounts import parse_amounts
from creditkpi.core.ledger import PAYMENT, Ledger
from creditkpi.core.period import to_day
from creditkpi.core.ratios import ratio
from creditkpi.core.survival import (
    DEFAULT_HORIZON,
    _estimate,
    _table_arrays,
    parse_window,
    window_start,
)

__all__ = [
    "DEFAULT_GRADES",
    "PAYMENT_INDEX_POINTS",
    "PROFILE_COLUMNS",
    "formula_payment_index",
    "payer_profiles",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: days beyond terms -> payment index, linear in between; 100 before the first
#: point, 0 after the last
PAYMENT_INDEX_POINTS: tuple[tuple[int, int], ...] = (
    (-30, 100),
    (-20, 90),
    (0, 80),
    (15, 70),
    (22, 60),
    (30, 50),
    (60, 40),
    (90, 30),
    (120, 20),
    (240, 0),
)

#: grade -> most days beyond terms it allows (``None``: no limit, the last grade)
DEFAULT_GRADES: Mapping[str, float | None] = {"A": 30, "B": 60, "C": 90, "D": None}

#: the months of the window counted as "recent" by the trend
RECENT_MONTHS = 3

#: columns of :func:`payer_profiles`, in order
PROFILE_COLUMNS = (
    "invoices",
    "invoiced",
    "payments",
    "paid",
    "days_beyond_terms",
    "days_late",
    "share_late_by_count",
    "share_late_by_amount",
    "share_over_30_days",
    "trend_recent",
    "trend_before",
    "trend_change",
    "trend_slope",
    "median_days_beyond_terms",
    "disputes",
    "receivables",
    "overdue",
    "open_days_beyond_terms",
    "credit_limit",
    "limit_use",
    "payment_index",
    "grade",
    "reasons",
    "insufficient_history",
)

_INT64_SAFE = 2**62


def formula_payment_index(days_beyond_terms: Any) -> Any:
    """The 0-100 payment index of days beyond terms (higher is better).

    Linear between the key points of :data:`PAYMENT_INDEX_POINTS` (days
    beyond terms -> index): -30 -> 100, -20 -> 90, 0 -> 80 (paid on terms),
    15 -> 70, 22 -> 60, 30 -> 50, 60 -> 40, 90 -> 30, 120 -> 20, then down to
    0 at 240 days; 100 for payment 30 days early or more, 0 from 240 days
    late. ``nan`` stays ``nan``.

    Parameters
    ----------
    days_beyond_terms : float or array of float
        Payment day minus due date (negative: early).

    Returns
    -------
    float or ndarray of float64

    Examples
    --------
    >>> formula_payment_index(0), formula_payment_index(-25), formula_payment_index(45)
    (80.0, 95.0, 45.0)
    >>> formula_payment_index([-60, 180, 400]).tolist()
    [100.0, 10.0, 0.0]
    """
    xs = np.asarray([p[0] for p in PAYMENT_INDEX_POINTS], dtype=np.float64)
    ys = np.asarray([p[1] for p in PAYMENT_INDEX_POINTS], dtype=np.float64)
    values = np.asarray(days_beyond_terms, dtype=np.float64)
    out = np.interp(values, xs, ys)
    if out.ndim == 0:
        return float(out)
    return np.asarray(out, dtype=np.float64)


def _check_grades(grades: Mapping[str, float | None] | None) -> tuple[list[str], FloatArray]:
    """Grade labels and their upper bounds (the last one infinite)."""
    given = DEFAULT_GRADES if grades is None else grades
    if not isinstance(given, Mapping) or not given:
        raise InvalidOptionError(
            "grades must map each grade to its most days beyond terms, the last one to None, "
            f"e.g. {{'A': 30, 'B': 60, 'C': 90, 'D': None}}; got {grades!r}",
            column="grades",
        )
    labels = [str(k) for k in given]
    bounds: list[float] = []
    for k, (label, bound) in enumerate(given.items()):
        last = k == len(given) - 1
        if bound is None or (isinstance(bound, float) and math.isinf(bound) and bound > 0):
            if not last:
                raise InvalidOptionError(
                    f"only the last grade may be open-ended (None); {label!r} is not last",
                    column="grades",
                )
            bounds.append(math.inf)
            continue
        if isinstance(bound, bool) or not isinstance(bound, (int, float)) or math.isnan(bound):
            raise InvalidOptionError(
                f"grade {label!r} needs a number of days (or None for the last), got {bound!r}",
                column="grades",
            )
        if bounds and bound <= bounds[-1]:
            raise InvalidOptionError(
                f"grade bounds must increase; {label!r} allows {bound} days after {bounds[-1]}",
                column="grades",
            )
        if last:
            raise InvalidOptionError(
                f"the last grade ({label!r}) must be open-ended (None) so every customer gets "
                f"a grade; got {bound}",
                column="grades",
            )
        bounds.append(float(bound))
    return labels, np.asarray(bounds, dtype=np.float64)


def _window_months(window: object) -> int:
    count, unit = parse_window(window)
    if unit not in ("M", "Y"):
        raise InvalidOptionError(
            "payer_profiles needs a window in months or years ('12M', '2Y') for its monthly "
            f"trend; got {window!r}",
            column="window",
        )
    months = count * 12 if unit == "Y" else count
    if months <= RECENT_MONTHS:
        raise InvalidOptionError(
            f"window must be longer than {RECENT_MONTHS} months (the trend compares the last "
            f"{RECENT_MONTHS} months with the months before); got {window!r}",
            column="window",
        )
    return months


def _sums(index: IntArray, values: IntArray, size: int) -> npt.NDArray[Any]:
    """Exact per-bin sums of int64 values: int64, or Python ints beyond int64's reach."""
    if values.size == 0 or int(np.abs(values).max()) * int(values.size) < _INT64_SAFE:
        acc = np.zeros(size, dtype=np.int64)
        np.add.at(acc, index, values)
        return acc
    out = np.zeros(size, dtype=object)
    out[:] = 0
    for g, v in zip(index.tolist(), values.tolist(), strict=True):
        out[g] += v
    return out


def _products(amount: IntArray, days: IntArray) -> npt.NDArray[Any]:
    """``amount × days`` per item, exactly (Python ints when int64 could overflow)."""
    if amount.size == 0:
        return np.zeros(0, dtype=np.int64)
    bound = int(np.abs(amount).max()) * int(np.abs(days).max(initial=0)) * int(amount.size)
    if bound < _INT64_SAFE:
        return np.asarray(amount * days, dtype=np.int64)
    out = np.empty(amount.size, dtype=object)
    out[:] = [int(a) * int(d) for a, d in zip(amount.tolist(), days.tolist(), strict=True)]
    return out


def _sums_any(index: IntArray, values: npt.NDArray[Any], size: int) -> npt.NDArray[Any]:
    if values.dtype != object:
        return _sums(index, values.astype(np.int64), size)
    out = np.zeros(size, dtype=object)
    out[:] = 0
    for g, v in zip(index.tolist(), values.tolist(), strict=True):
        out[g] += v
    return out


def _where_defined(num: npt.NDArray[Any], den: npt.NDArray[Any], what: str) -> FloatArray:
    """``num / den`` where ``den > 0`` (exact, through the core's ratio), ``nan`` elsewhere."""
    out = np.full(den.shape, np.nan, dtype=np.float64)
    defined = den > 0
    if defined.any():
        out[defined] = ratio(num[defined], den[defined], what=what)
    return out


def _theil_sen(monthly: FloatArray) -> FloatArray:
    """Median of the pairwise slopes of each row (x = column), nan with < 3 values."""
    rows, cols = monthly.shape
    out = np.full(rows, np.nan)
    if cols < 2:
        return out
    left, right = np.triu_indices(cols, k=1)
    slopes = (monthly[:, right] - monthly[:, left]) / (right - left).astype(np.float64)
    enough = np.isfinite(monthly).sum(axis=1) >= 3
    if enough.any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # rows of nan are not computed
            out[enough] = np.nanmedian(slopes[enough], axis=1)
    return out


def _credit_limits(
    ledger: Ledger, issued: npt.NDArray[np.bool_], customer: IntArray, size: int
) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Per customer, the credit limit of its latest invoice issued <= T that has one.

    Returns ``(limit cents, has_limit)``.
    """
    c = ledger._cols
    limit = np.zeros(size, dtype=np.int64)
    has = np.zeros(size, dtype=bool)
    if "credit_limit" not in c.attrs.columns:
        return limit, has
    raw = c.attrs["credit_limit"]
    # the ingestion rules of amounts: exact text, decimals and integers, no float noise
    cents, missing = parse_amounts(
        raw, column="credit_limit", ids=c.invoice_ids, digits=c.digits, positive=False,
        optional=True,
    )  # fmt: skip
    negative = np.flatnonzero((cents < 0) & ~missing)
    if negative.size:
        raise InvalidAmountError(
            f"{negative.size} credit limit(s) are negative",
            column="credit_limit",
            ids=c.invoice_ids[negative].tolist(),
            count=int(negative.size),
            values=raw.iloc[negative[:5]].tolist(),
        )
    usable = np.flatnonzero(issued & ~missing)
    if usable.size:
        # latest issue date wins; among equal dates, the last invoice in input order
        order = usable[np.lexsort((usable, c.issue[usable]))]
        limit[customer[order]] = cents[order]  # later assignments win
        has[customer[order]] = True
    return limit, has


def payer_profiles(
    ledger: Ledger,
    as_of: date | str,
    *,
    window: str = "12M",
    min_invoices: int = 5,
    grades: Mapping[str, float | None] | None = None,
    money: Money = "float",
) -> pd.DataFrame:
    """One row per customer: how it pays, what it owes, a payment index and a grade.

    Parameters
    ----------
    ledger : Ledger
    as_of : date or str
        The cut-off T; the window ends on it. Nothing dated after T counts.
    window : str, default "12M"
        Length of the window ending on T, in months or years (``"12M"``,
        ``"2Y"``; more than 3 months): invoices issued and payments made in
        it are measured.
    min_invoices : int, default 5
        Fewer invoices issued in the window flag ``insufficient_history``.
    grades : mapping, optional
        Grade -> most days beyond terms it allows, in increasing order, the
        last one ``None`` (open-ended). Default
        ``{"A": 30, "B": 60, "C": 90, "D": None}``.
    money : {"float", "decimal"}, default "float"
        Amounts as numbers or exact ``Decimal``.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id`` (every customer with an invoice issued on
        or before T), columns :data:`PROFILE_COLUMNS`. Days beyond terms are
        payment (or as-of) day minus due date: negative = early; lower is
        better.

        - ``invoices``, ``invoiced``: invoices issued in the window, their
          amount;
        - ``payments``, ``paid``: cash payments dated in the window (on
          invoices issued <= T), their amount;
        - ``days_beyond_terms``: amount-weighted days beyond terms of those
          payments (negative when paid early);
        - ``days_late``: the same with early payments counting 0 (equal to
          ``ck.payment_delays``' ``days_late`` over the window);
        - ``share_late_by_count``, ``share_late_by_amount``: share of the
          payments, and of the amount paid, at least one day late;
          ``share_over_30_days``: share of the amount paid more than 30
          days late (lower is better);
        - ``trend_recent``, ``trend_before``: days beyond terms of the
          payments of the last 3 months and of the months before in the
          window; ``trend_change`` = recent - before (positive: paying
          slower); ``trend_slope``: robust (Theil-Sen) slope of the monthly
          days beyond terms, days per month (positive: paying slower);
        - ``median_days_beyond_terms``: censored median of the time-to-pay
          curve (due clock) of the invoices issued in the window, open ones
          censored at T (see ``ck.time_to_pay``);
        - ``disputes``: disputes opened in the window;
        - ``receivables``, ``overdue``: open balance and overdue balance at
          T (every invoice issued <= T); ``open_days_beyond_terms``:
          balance-weighted days past due of the overdue invoices at T;
        - ``credit_limit``: the invoice attribute ``credit_limit`` of the
          customer's latest invoice that has one (``nan`` without);
          ``limit_use`` = receivables / credit limit;
        - ``payment_index``: 0-100 from ``days_beyond_terms``
          (:func:`formula_payment_index`; higher is better);
        - ``grade``: the worst grade of the three measures
          ``days_beyond_terms``, ``open_days_beyond_terms`` and
          ``median_days_beyond_terms`` (``None`` when none is defined);
          ``reasons``: the measures behind it, as text (a list);
        - ``insufficient_history``: fewer than ``min_invoices`` invoices in
          the window.

    Raises
    ------
    InvalidOptionError
        A bad window, ``min_invoices``, ``grades`` or ``money``, or a list
        of as-of dates.
    InvalidAmountError
        A ``credit_limit`` attribute that is not an amount, or negative.

    Warns
    -----
    UndefinedMetricWarning
        When some customers have no payment in the window: their payment
        measures (days beyond terms, shares paid late, payment index) are
        ``nan``.

    Notes
    -----
    Over the cash payments of amount ``a`` dated ``t`` in the window, on
    invoices due ``D``: ``days beyond terms = Σ a (t - D) / Σ a`` (a payment
    dated before its invoice's issue date counts from the issue date). A
    partial payment counts for its own amount at its own date, as in
    ``ck.payment_delays``. The payment index maps days beyond terms
    linearly between its key points; it is this library's own scale, not
    any bureau's. See the *Payer profiles* page.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-01-05", "2024-02-04", "100.00"),
    ...      ck.Invoice("F2", "C1", "2024-02-05", "2024-03-06", "300.00"),
    ...      ck.Invoice("F3", "C2", "2024-03-01", "2024-03-31", "500.00")],
    ...     [ck.Payment("F1", "2024-02-04", "100.00"), ck.Payment("F2", "2024-04-05", "300.00")])
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", ck.UndefinedMetricWarning)  # C2 paid nothing
    ...     p = ck.payer_profiles(ledger, "2024-06-30", min_invoices=2)
    >>> p[["days_beyond_terms", "payment_index", "open_days_beyond_terms", "grade"]]
                 days_beyond_terms  payment_index  open_days_beyond_terms grade
    customer_id
    C1                        22.5         59.375                     NaN     A
    C2                         NaN            NaN                    91.0     D
    >>> p.loc["C2", "reasons"]
    ['open overdue balance 91 days beyond terms (D: over 90)', 'insufficient history: 1 invoice in the window (minimum 2)']
    """
    dates, single = as_dates(as_of)
    if not single:
        raise InvalidOptionError(
            "payer_profiles takes one as-of date (call it once per date)", column="as_of"
        )
    check_money(money)
    if isinstance(min_invoices, bool) or not isinstance(min_invoices, (int, np.integer)):
        raise InvalidOptionError(
            f"min_invoices must be a whole number >= 0, got {min_invoices!r}",
            column="min_invoices",
        )
    if min_invoices < 0:
        raise InvalidOptionError(
            f"min_invoices must be >= 0, got {min_invoices!r}", column="min_invoices"
        )
    labels_grade, bounds = _check_grades(grades)
    months = _window_months(window)
    when = dates[0]
    day = to_day(when)
    first = to_day(window_start(when, window))
    c = ledger._cols
    groups = group_codes(ledger, "customer_id")
    size = groups.size
    customer = groups.invoice
    issued = c.issue <= day

    # ---------------------------------------------------------------- invoices
    in_window = issued & (c.issue >= first)
    invoices = np.bincount(customer[in_window], minlength=size).astype(np.int64)
    invoiced = c.bin_sum(customer[in_window], c.amount[in_window], size)

    # ---------------------------------------------------------------- payments
    lo = int(np.searchsorted(c.settlement_date, first, side="left"))
    hi = int(np.searchsorted(c.settlement_date, day, side="right"))
    inv = c.settlement_invoice[lo:hi]
    keep = (c.settlement_kind[lo:hi] == PAYMENT) & (inv >= 0)
    keep[keep] &= issued[inv[keep]]
    inv = inv[keep]
    paid_day = c.settlement_date[lo:hi][keep]
    amount = c.settlement_amount[lo:hi][keep].astype(np.int64)
    beyond = (np.maximum(paid_day, c.issue[inv]) - c.due[inv]).astype(np.int64)
    late = np.maximum(beyond, 0)
    who = customer[inv]
    payments = np.bincount(who, minlength=size).astype(np.int64)
    paid = _sums(who, amount, size)
    weighted_beyond = _sums_any(who, _products(amount, beyond), size)
    weighted_late = _sums_any(who, _products(amount, late), size)
    is_late = late >= 1
    late_count = np.bincount(who[is_late], minlength=size).astype(np.int64)
    late_amount = _sums(who[is_late], amount[is_late], size)
    over_30 = late > 30
    over_30_amount = _sums(who[over_30], amount[over_30], size)

    days_beyond = _where_defined(weighted_beyond, paid, "days beyond terms")
    days_late = _where_defined(weighted_late, paid, "days late")
    share_late_count = _where_defined(late_count, payments, "share paid late")
    share_late_amount = _where_defined(late_amount, paid, "share paid late")
    share_over_30 = _where_defined(over_30_amount, paid, "share paid over 30 days late")

    # ---------------------------------------------------------------- trend
    ends = np.asarray(
        [to_day(when - relativedelta(months=k)) for k in range(months, -1, -1)], dtype=np.int64
    )  # ascending: the day before the window, ..., T
    month = np.searchsorted(ends, paid_day, side="left") - 1  # 0 = oldest month of the window
    recent = month >= months - RECENT_MONTHS
    trend: dict[str, FloatArray] = {}
    for name, rows in (("trend_recent", recent), ("trend_before", ~recent)):
        trend[name] = _where_defined(
            _sums_any(who[rows], _products(amount[rows], beyond[rows]), size),
            _sums(who[rows], amount[rows], size),
            "days beyond terms",
        )
    cell = who * months + month
    monthly = _where_defined(
        _sums_any(cell, _products(amount, beyond), size * months),
        _sums(cell, amount, size * months),
        "days beyond terms",
    ).reshape(size, months)
    trend_slope = _theil_sen(monthly)

    # ---------------------------------------------------------------- censored median
    table = _table_arrays(ledger, when, groups, clock="due", window=window)
    _, summary = _estimate(table, "count", 0.95, DEFAULT_HORIZON, notes=False)
    median = np.full(size, np.nan)
    if len(summary):
        median[groups.labels.get_indexer(summary.index)] = summary["median"].to_numpy()

    # ---------------------------------------------------------------- disputes
    opened = (c.dispute_opened >= first) & (c.dispute_opened <= day)
    opened &= issued[c.dispute_invoice]
    disputes = np.bincount(customer[c.dispute_invoice[opened]], minlength=size).astype(np.int64)

    # ---------------------------------------------------------------- exposure
    snap = balances(ledger, when)
    receivables = c.bin_sum(customer, snap.balance, size)
    overdue_rows = snap.overdue
    overdue = c.bin_sum(customer[overdue_rows], snap.balance[overdue_rows], size)
    owing = overdue_rows & (snap.balance > 0)
    open_balance = _sums(customer[owing], snap.balance[owing], size)
    open_beyond = _where_defined(
        _sums_any(customer[owing], _products(snap.balance[owing], snap.days_past_due[owing]), size),
        open_balance,
        "open days beyond terms",
    )
    limit, has_limit = _credit_limits(ledger, issued, customer, size)
    limit_use = np.full(size, np.nan)
    if has_limit.any():
        limit_use[has_limit] = ratio(
            receivables[has_limit], limit[has_limit], what="credit limit use (limit <= 0)"
        )

    # ---------------------------------------------------------------- index, grade
    index = formula_payment_index(days_beyond)
    measures = (
        ("paid {v} days beyond terms on average", days_beyond, True),
        ("open overdue balance {v} days beyond terms", open_beyond, True),
        ("censored median {v} days beyond terms", median, False),
    )
    grade_codes = np.full((len(measures), size), -1, dtype=np.int64)
    for k, (_, values, _) in enumerate(measures):
        defined = np.isfinite(values)
        grade_codes[k, defined] = np.searchsorted(bounds, values[defined], side="left")
    worst = grade_codes.max(axis=0)
    short = invoices < min_invoices

    # ---------------------------------------------------------------- rows
    rows_kept = np.flatnonzero(np.bincount(customer[issued], minlength=size) > 0)
    no_payment = int((payments[rows_kept] == 0).sum())
    if no_payment:
        warnings.warn(
            f"payment measures (days beyond terms, shares paid late, payment index) are "
            f"undefined for {no_payment} of {rows_kept.size} customers (no payment in the "
            "window): result is nan",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    grade_text = np.empty(size, dtype=object)
    reasons = np.empty(size, dtype=object)
    for g in rows_kept.tolist():
        code = int(worst[g])
        why: list[str] = []
        if code < 0:
            grade_text[g] = None
            why.append("no payment in the window and no overdue balance: nothing to grade")
        else:
            grade_text[g] = labels_grade[code]
            for k, (text, values, decimals) in enumerate(measures):
                if grade_codes[k, g] == code:
                    why.append(
                        f"{text.format(v=_days_text(float(values[g]), decimals))} "
                        f"({_grade_text(labels_grade, bounds, code)})"
                    )
        if short[g]:
            count = int(invoices[g])
            why.append(
                f"insufficient history: {count} invoice{'' if count == 1 else 's'} in the "
                f"window (minimum {min_invoices})"
            )
        reasons[g] = why

    digits = c.digits
    credit_limit = money_values(limit, digits, money)
    if money == "decimal":
        credit_limit[~has_limit] = None
    else:
        credit_limit[~has_limit] = np.nan
    columns: dict[str, Any] = {
        "invoices": invoices,
        "invoiced": money_values(invoiced, digits, money),
        "payments": payments,
        "paid": money_values(np.asarray(paid, dtype=np.int64), digits, money),
        "days_beyond_terms": days_beyond,
        "days_late": days_late,
        "share_late_by_count": share_late_count,
        "share_late_by_amount": share_late_amount,
        "share_over_30_days": share_over_30,
        "trend_recent": trend["trend_recent"],
        "trend_before": trend["trend_before"],
        "trend_change": trend["trend_recent"] - trend["trend_before"],
        "trend_slope": trend_slope,
        "median_days_beyond_terms": median,
        "disputes": disputes,
        "receivables": money_values(receivables, digits, money),
        "overdue": money_values(overdue, digits, money),
        "open_days_beyond_terms": open_beyond,
        "credit_limit": credit_limit,
        "limit_use": limit_use,
        "payment_index": index,
        "grade": grade_text,
        "reasons": reasons,
        "insufficient_history": short,
    }
    index = groups.labels[rows_kept].rename("customer_id")
    frame = pd.DataFrame(
        {name: np.asarray(values)[rows_kept] for name, values in columns.items()},
        index=index,
        columns=list(PROFILE_COLUMNS),
    )
    # text with None for "no grade" on every pandas (pandas 3 would infer str and NaN)
    frame["grade"] = pd.Series(grade_text[rows_kept], index=index, dtype=object)
    return frame


def _days_text(value: float, decimals: bool) -> str:
    """Days as text: 12.5, 91 (no trailing .0)."""
    text = f"{value:.1f}" if decimals else f"{value:.0f}"
    return text[:-2] if text.endswith(".0") else text


def _grade_text(labels: Sequence[str], bounds: FloatArray, code: int) -> str:
    """``"B: up to 60"`` or, for the open-ended grade, ``"D: over 90"``."""
    bound = float(bounds[code])
    if math.isinf(bound):
        previous = _days_text(float(bounds[code - 1]), True) if code > 0 else None
        return f"{labels[code]}: over {previous}" if previous is not None else labels[code]
    return f"{labels[code]}: up to {_days_text(bound, True)}"
