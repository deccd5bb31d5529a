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

import itertools
import math
import warnings
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import as_dates, check_money, check_option, check_whole
from creditkpi.core.credit import CreditPosition, credit_position
from creditkpi.core.errors import InvalidOptionError, UndefinedMetricWarning
from creditkpi.core.groups import Groups, group_codes
from creditkpi.core.kpi import TableKPI
from creditkpi.core.late_payment import claim_parts, statutory_claims_apply
from creditkpi.core.ledger import Ledger
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

#: the measures a grade reads, in the order its reasons list them:
#: (column, reason, unit of the value: "days" or "share")
GRADED_MEASURES: tuple[tuple[str, str, str], ...] = (
    ("days_beyond_terms", "paid {v} days beyond terms on average", "days"),
    ("trend_recent", "paid {v} days beyond terms in the last 3 months", "days"),
    ("median_days_beyond_terms", "censored median {v} days beyond terms", "days"),
    ("share_late_by_amount", "{v} of the amount paid late", "share"),
    ("open_days_late", "open balance {v} days past due on average", "days"),
    ("share_written_off", "{v} of the amount settled written off", "share"),
    ("limit_use", "owes {v} of its credit limit", "share"),
)
_MEASURES = {name: (text, unit) for name, text, unit in GRADED_MEASURES}
#: the measures counted in days (a grade given as one number bounds them all)
DAYS_MEASURES = tuple(name for name, _, unit in GRADED_MEASURES if unit == "days")

#: grade -> the most each measure may reach in it (a measure not named: no bound),
#: the last grade open-ended (``None``). A: pays on terms (a week's grace), B: a
#: few weeks late, C: a month or two, D: up to three months, E: beyond, or losses
DEFAULT_GRADES: Mapping[str, Mapping[str, float] | None] = {
    "A": {
        "days_beyond_terms": 7,
        "trend_recent": 7,
        "median_days_beyond_terms": 7,
        "share_late_by_amount": 0.75,
        "open_days_late": 15,
        "share_written_off": 0,
        "limit_use": 1,
    },
    "B": {
        "days_beyond_terms": 30,
        "trend_recent": 30,
        "median_days_beyond_terms": 30,
        "open_days_late": 30,
        "share_written_off": 0.02,
        "limit_use": 1,
    },
    "C": {
        "days_beyond_terms": 60,
        "trend_recent": 60,
        "median_days_beyond_terms": 60,
        "open_days_late": 60,
        "share_written_off": 0.02,
        "limit_use": 1.5,
    },
    "D": {
        "days_beyond_terms": 90,
        "trend_recent": 90,
        "median_days_beyond_terms": 90,
        "open_days_late": 90,
        "share_written_off": 0.02,
    },
    "E": None,
}

#: ``grading="relative"``: grade -> the portfolio quantile each measure may reach in it
DEFAULT_QUANTILES: Mapping[str, float | None] = {
    "A": 0.5,
    "B": 0.75,
    "C": 0.9,
    "D": 0.97,
    "E": None,
}

#: a grade's bounds: one number (every days measure), one per measure, or None (last)
Grades: TypeAlias = "Mapping[str, float | Mapping[str, float] | None]"

#: the months of the window counted as "recent" by the trend
RECENT_MONTHS = 3

#: the columns of :func:`payer_profiles` holding money
MONEY_COLUMNS = (
    "invoiced",
    "paid",
    "receivables",
    "overdue",
    "claimable",
    "credit_limit",
    "written_off",
    "exposure",
    "cover_limit",
    "covered",
)

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
    "open_days_late",
    "written_off",
    "share_written_off",
    "exposure",
    "cover_limit",
    "covered",
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


def _bound(label: str, measure: str, value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise InvalidOptionError(
            f"grade {label!r} needs a number {what} for {measure}, got {value!r}",
            column="grades",
        )
    return float(value)


def _grade_scale(
    grades: Grades | None, grading: str
) -> tuple[list[str], dict[str, FloatArray] | FloatArray]:
    """Grade labels, and the bounds of every grade but the last.

    Absolute grading: per measure, an array of ``len(labels) - 1`` bounds
    (non-decreasing; ``inf`` where a grade does not bound it). Relative: the
    quantile levels (increasing, in (0, 1)).
    """
    check_option("grading", grading, ("absolute", "relative"))
    relative = grading == "relative"
    given: Any = (DEFAULT_QUANTILES if relative else DEFAULT_GRADES) if grades is None else grades
    example = (
        "{'A': 0.5, 'B': 0.75, 'C': 0.9, 'D': None}"
        if relative
        else ("{'A': 30, 'B': 60, 'C': 90, 'D': None}")
    )
    if not isinstance(given, Mapping) or len(given) < 2:
        raise InvalidOptionError(
            f"grades must map each grade to its bounds, the last one to None, e.g. {example}; "
            f"got {grades!r}",
            column="grades",
        )
    labels = [str(k) for k in given]
    items = list(given.items())
    for k, (label, bound) in enumerate(items):
        last = k == len(items) - 1
        if bound is None and not last:
            raise InvalidOptionError(
                f"only the last grade may be open-ended (None); {label!r} is not last",
                column="grades",
            )
        if last and bound is not None:
            raise InvalidOptionError(
                f"the last grade ({label!r}) must be open-ended (None) so every customer gets "
                f"a grade; got {bound}",
                column="grades",
            )
    bounds = [b for _, b in items[:-1]]
    if relative:
        levels = [_bound(str(lab), "the quantile", b, "in (0, 1)") for (lab, b) in items[:-1]]
        if any(not 0 < v < 1 for v in levels) or any(b <= a for a, b in itertools.pairwise(levels)):
            raise InvalidOptionError(
                f"relative grades need increasing quantile levels in (0, 1), e.g. {example}; "
                f"got {grades!r}",
                column="grades",
            )
        return labels, np.asarray(levels, dtype=np.float64)
    table = {name: np.full(len(bounds), math.inf) for name, _, _ in GRADED_MEASURES}
    if all(not isinstance(b, Mapping) for b in bounds):  # one number: every days measure
        days = [_bound(str(lab), "of days", b, "of days") for lab, b in items[:-1]]
        for a, b, label in zip(days, days[1:], labels[1:], strict=False):
            if b <= a:
                raise InvalidOptionError(
                    f"grade bounds must increase; {label!r} allows {b:g} days after {a:g}",
                    column="grades",
                )
        table = {name: np.asarray(days) if name in DAYS_MEASURES else
                 np.full(len(days), math.inf) for name in table}  # fmt: skip
        return labels, table
    for k, (label, bound) in enumerate(items[:-1]):
        if not isinstance(bound, Mapping):
            raise InvalidOptionError(
                f"grade {label!r}: give every grade one number (days) or every grade a "
                f"mapping {{measure: bound}}, not both; got {bound!r}",
                column="grades",
            )
        for measure, value in bound.items():
            if measure not in table:
                raise InvalidOptionError(
                    f"grade {label!r} bounds {measure!r}, which is not a graded measure (one of "
                    f"{', '.join(table)})",
                    column="grades",
                )
            table[measure][k] = _bound(str(label), str(measure), value, "")
    for measure, row in table.items():
        if (row[1:] < row[:-1]).any():
            raise InvalidOptionError(
                f"grade bounds must increase; {measure} goes down from one grade to the next "
                f"({', '.join(f'{v:g}' for v in row)})",
                column="grades",
            )
    return labels, table


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
    grades: Grades | None = None,
    grading: Literal["absolute", "relative"] = "absolute",
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
        Grade -> its bounds, best grade first, the last one ``None``
        (open-ended). Absolute grading: a mapping ``{measure: most it may
        reach}`` per grade (default :data:`DEFAULT_GRADES`, A to E), or one
        number per grade, the most days of every days measure (``{"A": 30,
        "B": 60, "C": 90, "D": None}``). Relative grading: the quantile
        level of the portfolio each grade reaches (default
        :data:`DEFAULT_QUANTILES`: ``{"A": 0.5, "B": 0.75, "C": 0.9, "D":
        0.97, "E": None}``).
    grading : {"absolute", "relative"}, default "absolute"
        ``"absolute"``: grade by fixed, documented thresholds;
        ``"relative"``: grade each measure by the portfolio's own quantiles
        (computed over the customers with enough history), so the grades
        spread over the book whatever its payment culture.
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
          ``open_days_late``: the same over the whole open balance (current
          invoices count 0 days): how late what it owes is;
        - ``claimable``: what the customer owes beyond principal at T under
          French law, the late-payment penalties and 40 € indemnities of its
          invoices (``ck.late_payment_claims`` with its defaults); ``nan``
          for a ledger not in euros;
        - ``credit_limit``: its credit limit at T (the ledger's limits; a
          ledger without them reads the invoice attribute ``credit_limit``
          of the customer's latest invoice that has one; ``nan`` without);
          ``limit_use`` = exposure / credit limit;
        - ``payment_index``: 0-100 from ``days_beyond_terms``
          (:func:`formula_payment_index`; higher is better);
        - ``grade``: the worst grade of the :data:`GRADED_MEASURES`
          (``None`` when none is defined); ``reasons``: the measures behind
          it, as text (a list);
        - ``insufficient_history``: fewer than ``min_invoices`` invoices in
          the window;
        - ``written_off``: write-offs dated in the window;
          ``share_written_off`` = written off / (paid + written off);
        - ``exposure``, ``cover_limit``, ``covered``: as
          ``ck.credit_exposure`` at T (exposure net of unapplied credits;
          ``cover_limit`` ``nan`` when uninsured).

    Raises
    ------
    InvalidOptionError
        A bad window, ``min_invoices``, ``grades``, ``grading`` or
        ``money``, or a list of as-of dates.
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
    any bureau's. The default grades (A pays on terms with a week's grace,
    B up to 30 days late, C up to 60, D up to 90, E beyond or with
    write-offs) and their thresholds are on the *Payer profiles* page.

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
    >>> p[["days_beyond_terms", "payment_index", "open_days_late", "grade"]]
                 days_beyond_terms  payment_index  open_days_late grade
    customer_id
    C1                        22.5         59.375             NaN     B
    C2                         NaN            NaN            91.0     E
    >>> p.loc["C2", "reasons"]
    ['open balance 91 days past due on average (E: over 90)', 'insufficient history: 1 invoice in the window (minimum 2)']
    """
    dates, single = as_dates(as_of)
    if not single:
        raise InvalidOptionError(
            "payer_profiles takes one as-of date (call it once per date)", column="as_of"
        )
    check_money(money)
    minimum = check_whole("min_invoices", min_invoices)
    assert minimum is not None
    labels_grade, scale = _grade_scale(grades, grading)
    months = _window_months(window)
    when = dates[0]
    groups = group_codes(ledger, "customer_id")
    p = payer_parts(ledger, when, window_start(when, window), groups, months, RECENT_MONTHS)
    credit = credit_position(ledger, to_day(when))
    measures = _measures(p, months, credit)
    measures["median_days_beyond_terms"] = _medians(ledger, when, window, groups)
    rows_kept = np.flatnonzero(p.issued > 0)
    _warn_no_payment(p, rows_kept)
    if isinstance(scale, dict):
        bounds, levels = scale, None
    else:
        settled = rows_kept[p.invoices[rows_kept] >= minimum]
        bounds = _quantile_bounds(measures, settled if settled.size else rows_kept, scale)
        levels = scale
    grade_text, reasons = _grades(p, measures, labels_grade, bounds, levels, minimum, rows_kept)
    columns = _columns(p, measures, credit, ledger.digits, money)
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


def _measures(p: PayerParts, months: int, credit: CreditPosition) -> dict[str, Any]:
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
    out["open_days_late"] = _where_defined(p.open_weighted, p.owing_balance, "open days late")
    settled = np.asarray(p.paid, dtype=object) + np.asarray(p.written_off, dtype=object)
    out["share_written_off"] = _where_defined(
        np.asarray(p.written_off, dtype=object), settled, "share written off"
    )
    # the ledger's limits where it has them, else the invoices' credit_limit attribute
    limit, has = (
        (credit.limit, credit.has_limit)
        if credit.has_limit.any()
        else (p.credit_limit, p.has_limit)
    )
    out["credit_limit"], out["has_limit"] = limit, has
    out["limit_use"] = np.full(size, np.nan)
    if has.any():
        out["limit_use"][has] = ratio(
            credit.exposure[has], limit[has], what="credit limit use (limit <= 0)"
        )
    return out


def _quantile_bounds(
    measures: Mapping[str, Any], rows: npt.NDArray[np.int64], levels: FloatArray
) -> dict[str, FloatArray]:
    """Per graded measure, its portfolio quantiles at ``levels`` (over ``rows``, where defined)."""
    out: dict[str, FloatArray] = {}
    for name, _, _ in GRADED_MEASURES:
        values = np.asarray(measures[name], dtype=np.float64)[rows]
        values = values[np.isfinite(values)]
        out[name] = np.quantile(values, levels) if values.size else np.full(levels.size, math.inf)
    return out


def _claimable(ledger: Ledger, when: date, groups: Groups, money: Money) -> npt.NDArray[Any]:
    """Penalties + indemnities per customer at ``when`` (French statutory rules).

    On a euro ledger, or a translated one (the 40 € at ``when``'s rate);
    none (``nan``) where the statutory claims do not apply.
    """
    if not statutory_claims_apply(ledger):
        return (
            np.full(groups.size, None, dtype=object)
            if money == "decimal"
            else np.full(groups.size, np.nan)
        )
    parts = claim_parts(
        ledger, [to_day(when)], groups, indemnity=Decimal(40), indemnity_currency="EUR"
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
    bounds: Mapping[str, FloatArray],
    levels: FloatArray | None,
    minimum: int,
    rows_kept: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.object_]]:
    """Per customer, the worst grade of the graded measures and the reasons behind it."""
    size = p.payments.size
    codes = np.full((len(GRADED_MEASURES), size), -1, dtype=np.int64)
    used = [bool(np.isfinite(bounds[name]).any()) for name, _, _ in GRADED_MEASURES]
    for k, (name, _, _) in enumerate(GRADED_MEASURES):
        values = np.asarray(measures[name], dtype=np.float64)
        defined = ~np.isnan(values)
        codes[k, defined] = np.searchsorted(bounds[name], values[defined], side="left")
    worst = codes.max(axis=0)
    # graded only on evidence of how it pays: a payment in the window or an overdue balance
    evidence = ~np.isnan(np.asarray(measures["days_beyond_terms"], dtype=np.float64))
    evidence |= ~np.isnan(np.asarray(measures["open_days_beyond_terms"], dtype=np.float64))
    evidence |= ~np.isnan(np.asarray(measures["median_days_beyond_terms"], dtype=np.float64))
    worst[~evidence] = -1
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
            for k, (name, text, unit) in enumerate(GRADED_MEASURES):
                if used[k] and codes[k, g] == code:
                    value = _value_text(float(measures[name][g]), unit, name)
                    limit = _grade_text(labels, bounds[name], code, unit, levels)
                    why.append(f"{text.format(v=value)} ({limit})")
        if short[g]:
            count = int(p.invoices[g])
            why.append(
                f"insufficient history: {count} invoice{'' if count == 1 else 's'} in the "
                f"window (minimum {minimum})"
            )
        reasons[g] = why
    return grade_text, reasons


def _columns(
    p: PayerParts, measures: Mapping[str, Any], credit: CreditPosition, digits: int, money: Money
) -> dict[str, Any]:
    """Every column but the index, grade and reasons: counts, money and the measures."""

    def optional(cents: npt.NDArray[Any], given: npt.NDArray[np.bool_]) -> npt.NDArray[Any]:
        out = money_values(np.asarray(cents, dtype=np.int64), digits, money)
        out[~given] = None if money == "decimal" else np.nan
        return out

    return {
        "invoices": p.invoices,
        "invoiced": money_values(p.invoiced, digits, money),
        "payments": p.payments,
        "paid": money_values(np.asarray(p.paid, dtype=np.int64), digits, money),
        **{name: measures[name] for name in PROFILE_COLUMNS if name in measures},
        "disputes": p.disputes,
        "receivables": money_values(p.receivables, digits, money),
        "overdue": money_values(p.overdue, digits, money),
        "credit_limit": optional(measures["credit_limit"], measures["has_limit"]),
        "written_off": money_values(np.asarray(p.written_off, dtype=np.int64), digits, money),
        "exposure": money_values(credit.exposure, digits, money),
        "cover_limit": optional(credit.cover_limit, credit.insured > 0),
        "covered": money_values(credit.covered, digits, money),
    }


def _days_text(value: float, decimals: bool) -> str:
    """Days as text: 12.5, 91 (no trailing .0)."""
    text = f"{value:.1f}" if decimals else f"{value:.0f}"
    return text[:-2] if text.endswith(".0") else text


def _value_text(value: float, unit: str, name: str) -> str:
    """A measure's value in a reason: days (12.5, 91) or a share (80%)."""
    if unit == "share":
        return "all" if math.isinf(value) else f"{value:.0%}"
    return _days_text(value, name != "median_days_beyond_terms")


def _grade_text(
    labels: Sequence[str], bounds: FloatArray, code: int, unit: str, levels: FloatArray | None
) -> str:
    """``"B: up to 60"``, ``"E: over 90"``; relative: with the percentile of the bound."""

    def shown(value: float) -> str:
        return f"{value:.0%}" if unit == "share" else _days_text(value, True)

    if code < len(bounds) and math.isfinite(float(bounds[code])):
        text = f"{labels[code]}: up to {shown(float(bounds[code]))}"
        level = code
    else:
        below = np.flatnonzero(np.isfinite(bounds[:code]))
        if not below.size:
            return labels[code]
        level = int(below[-1])
        text = f"{labels[code]}: over {shown(float(bounds[level]))}"
    if levels is not None:
        text += f", the portfolio's {_ordinal(float(levels[level]))} percentile"
    return text


def _ordinal(level: float) -> str:
    """A quantile level as a percentile: 0.5 -> ``50th``, 0.91 -> ``91st``."""
    number = f"{level * 100:.4g}"
    whole = int(float(number)) if float(number).is_integer() else None
    if whole is None:
        return f"{number}th"
    suffix = "th" if 10 <= whole % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(whole % 10, "th")
    return f"{whole}{suffix}"


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
