"""Payer profiles: one row per customer, for credit limits and collection priority.

How a customer pays (days beyond terms of its payments, its trend, the
shares paid late, the censored median from the time-to-pay curve), what it
owes now (receivables, overdue, open days beyond terms, use of its credit
limit), a 0-100 payment index and a grade with the reasons behind it.

Depends only on :mod:`creditkpi.core` (its sums are
:func:`creditkpi.core.parts.payers.payer_parts`; this module divides,
grades and explains). See the *Payer profiles* page of the
documentation.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import as_dates, check_money, check_whole
from creditkpi.core.errors import InvalidOptionError, UndefinedMetricWarning
from creditkpi.core.groups import Groups, group_codes
from creditkpi.core.kpi import TableKPI
from creditkpi.core.late_payment import claim_parts
from creditkpi.core.ledger import Ledger
from creditkpi.core.money import decimal_to_cents
from creditkpi.core.parts.payers import PayerParts, payer_parts
from creditkpi.core.period import parse_window, to_day, window_start
from creditkpi.core.ratios import ratio
from creditkpi.core.shapes import Money, money_values
from creditkpi.core.survival import DEFAULT_HORIZON, estimate, table_arrays

__all__ = [
    "DEFAULT_GRADES",
    "MONEY_COLUMNS",
    "PAYER_PROFILES",
    "PAYMENT_INDEX_POINTS",
    "PROFILE_COLUMNS",
    "TABLES",
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

#: the columns of :func:`payer_profiles` holding money
MONEY_COLUMNS = ("invoiced", "paid", "receivables", "overdue", "claimable", "credit_limit")

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
    "claimable",
    "credit_limit",
    "limit_use",
    "payment_index",
    "grade",
    "reasons",
    "insufficient_history",
)


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
        - ``claimable``: what the customer owes beyond principal at T under
          French law, the late-payment penalties and 40 € indemnities of its
          invoices (``ck.late_payment_claims`` with its defaults); ``nan``
          for a ledger not in euros;
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
    minimum = check_whole("min_invoices", min_invoices)
    assert minimum is not None
    labels_grade, bounds = _check_grades(grades)
    months = _window_months(window)
    when = dates[0]
    groups = group_codes(ledger, "customer_id")
    p = payer_parts(ledger, when, window_start(when, window), groups, months, RECENT_MONTHS)
    measures = _measures(p, months)
    measures["median_days_beyond_terms"] = _medians(ledger, when, window, groups)
    rows_kept = np.flatnonzero(p.issued > 0)
    _warn_no_payment(p, rows_kept)
    grade_text, reasons = _grades(p, measures, labels_grade, bounds, minimum, rows_kept)
    columns = _columns(p, measures, ledger.digits, money)
    columns["claimable"] = _claimable(ledger, when, groups, money)
    columns["payment_index"] = formula_payment_index(measures["days_beyond_terms"])
    columns["grade"] = grade_text
    columns["reasons"] = reasons
    columns["insufficient_history"] = p.invoices < minimum
    index = groups.labels[rows_kept].rename("customer_id")
    frame = pd.DataFrame(
        {name: np.asarray(values)[rows_kept] for name, values in columns.items()},
        index=index,
        columns=list(PROFILE_COLUMNS),
    )
    # text with None for "no grade" on every pandas (pandas 3 would infer str and NaN)
    frame["grade"] = pd.Series(grade_text[rows_kept], index=index, dtype=object)
    return frame


def _measures(p: PayerParts, months: int) -> dict[str, Any]:
    """The payment measures per customer: the parts divided (nan where undefined)."""
    size = p.payments.size
    out: dict[str, Any] = {
        "days_beyond_terms": _where_defined(p.weighted_beyond, p.paid, "days beyond terms"),
        "days_late": _where_defined(p.weighted_late, p.paid, "days late"),
        "share_late_by_count": _where_defined(p.late_count, p.payments, "share paid late"),
        "share_late_by_amount": _where_defined(p.late_amount, p.paid, "share paid late"),
        "share_over_30_days": _where_defined(
            p.over_30_amount, p.paid, "share paid over 30 days late"
        ),
        "trend_recent": _where_defined(p.recent_weighted, p.recent_paid, "days beyond terms"),
        "trend_before": _where_defined(p.before_weighted, p.before_paid, "days beyond terms"),
    }
    out["trend_change"] = out["trend_recent"] - out["trend_before"]
    monthly = _where_defined(p.monthly_weighted, p.monthly_paid, "days beyond terms").reshape(
        size, months
    )
    out["trend_slope"] = _theil_sen(monthly)
    out["open_days_beyond_terms"] = _where_defined(
        p.open_weighted, p.open_balance, "open days beyond terms"
    )
    out["limit_use"] = np.full(size, np.nan)
    if p.has_limit.any():
        out["limit_use"][p.has_limit] = ratio(
            p.receivables[p.has_limit],
            p.credit_limit[p.has_limit],
            what="credit limit use (limit <= 0)",
        )
    return out


def _claimable(ledger: Ledger, when: date, groups: Groups, money: Money) -> npt.NDArray[Any]:
    """Penalties + indemnities per customer at ``when`` (French statutory rules; euro only)."""
    if ledger.currency != "EUR":
        return (
            np.full(groups.size, None, dtype=object)
            if money == "decimal"
            else np.full(groups.size, np.nan)
        )
    parts = claim_parts(
        ledger, [to_day(when)], groups, indemnity=decimal_to_cents(Decimal(40), ledger.digits)
    )
    total = parts["late_penalties"][0] + parts["late_indemnities"][0]
    return money_values(total, ledger.digits, money)


def _medians(ledger: Ledger, when: date, window: str, groups: Groups) -> npt.NDArray[np.float64]:
    """The censored median days beyond terms per customer, of the invoices issued in the window."""
    table = table_arrays(ledger, when, groups, clock="due", window=window)
    _, summary = estimate(table, "count", 0.95, DEFAULT_HORIZON, notes=False)
    median = np.full(groups.size, np.nan)
    if len(summary):
        median[groups.labels.get_indexer(summary.index)] = summary["median"].to_numpy()
    return median


def _warn_no_payment(p: PayerParts, rows_kept: npt.NDArray[np.int64]) -> None:
    no_payment = int((p.payments[rows_kept] == 0).sum())
    if no_payment:
        warnings.warn(
            f"payment measures (days beyond terms, shares paid late, payment index) are "
            f"undefined for {no_payment} of {rows_kept.size} customers (no payment in the "
            "window): result is nan",
            UndefinedMetricWarning,
            stacklevel=3,
        )


def _grades(
    p: PayerParts,
    measures: Mapping[str, Any],
    labels: Sequence[str],
    bounds: FloatArray,
    minimum: int,
    rows_kept: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.object_]]:
    """Per customer, the worst grade of the three measures and the reasons behind it."""
    graded = (
        ("paid {v} days beyond terms on average", measures["days_beyond_terms"], True),
        ("open overdue balance {v} days beyond terms", measures["open_days_beyond_terms"], True),
        ("censored median {v} days beyond terms", measures["median_days_beyond_terms"], False),
    )
    size = p.payments.size
    codes = np.full((len(graded), size), -1, dtype=np.int64)
    for k, (_, values, _) in enumerate(graded):
        defined = np.isfinite(values)
        codes[k, defined] = np.searchsorted(bounds, values[defined], side="left")
    worst = codes.max(axis=0)
    short = p.invoices < minimum
    grade_text = np.empty(size, dtype=object)
    reasons = np.empty(size, dtype=object)
    for g in rows_kept.tolist():
        code = int(worst[g])
        why: list[str] = []
        if code < 0:
            grade_text[g] = None
            why.append("no payment in the window and no overdue balance: nothing to grade")
        else:
            grade_text[g] = labels[code]
            for k, (text, values, decimals) in enumerate(graded):
                if codes[k, g] == code:
                    why.append(
                        f"{text.format(v=_days_text(float(values[g]), decimals))} "
                        f"({_grade_text(labels, bounds, code)})"
                    )
        if short[g]:
            count = int(p.invoices[g])
            why.append(
                f"insufficient history: {count} invoice{'' if count == 1 else 's'} in the "
                f"window (minimum {minimum})"
            )
        reasons[g] = why
    return grade_text, reasons


def _columns(
    p: PayerParts, measures: Mapping[str, Any], digits: int, money: Money
) -> dict[str, Any]:
    """Every column but the index, grade and reasons: counts, money and the measures."""
    credit_limit = money_values(p.credit_limit, digits, money)
    credit_limit[~p.has_limit] = None if money == "decimal" else np.nan
    return {
        "invoices": p.invoices,
        "invoiced": money_values(p.invoiced, digits, money),
        "payments": p.payments,
        "paid": money_values(np.asarray(p.paid, dtype=np.int64), digits, money),
        **{name: measures[name] for name in PROFILE_COLUMNS if name in measures},
        "disputes": p.disputes,
        "receivables": money_values(p.receivables, digits, money),
        "overdue": money_values(p.overdue, digits, money),
        "credit_limit": credit_limit,
    }


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


PAYER_PROFILES = TableKPI(
    name="payer_profiles",
    label="Payer profiles",
    label_fr="Profils de payeurs",
    function=payer_profiles,
    page="kpis/payer-profiles.md",
    definition="Per customer: payment grade, days beyond terms, trend, receivables and overdue.",
    money=MONEY_COLUMNS,
    index="customer_id",
    dashboard="one row per customer: its own report (creditkpi profiles), not a dashboard table",
    distributed="payer profiles are one row per customer: compute ck.payer_profiles on each "
    "customer partition and concatenate the rows (no summary needed)",
)

#: the table KPIs of this module (the registry collects them)
TABLES = (PAYER_PROFILES,)
