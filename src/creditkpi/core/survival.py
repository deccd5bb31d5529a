"""Time to pay as survival: the Kaplan-Meier estimate of additive outcome tables.

How long invoices take to be paid, counting the ones still open. An invoice
open at the as-of date is *right-censored*: it was not paid by then, and
nothing more is known. Ignoring it (averaging paid invoices only) makes the
slowest payers look fast; the Kaplan-Meier product-limit estimate uses it
for exactly what is known. See the *Time to pay* page of the documentation.

Two steps, so that the estimate can be computed from partitions:

1. :func:`~creditkpi.core.survival_tables.survival_table` -- the additive
   table of a ledger at ``as_of`` (:mod:`creditkpi.core.survival_tables`,
   re-exported here: entries, settlements, closings and censorings per
   group and day on the clock);
2. :func:`kaplan_meier` -- from such a table, per group: the curve (share
   not yet settled by day, with its confidence band) and a summary (median
   and its interval, quartiles, share settled within 0/30/60/90 days,
   restricted mean). :func:`estimate` does the same on
   :class:`~creditkpi.core.survival_tables.SurvivalArrays` (no frame built).

The estimator is a vectorised product-limit over the aggregated table, not a
wrapper of a survival package: a package fits one group of individual
durations at a time, while the distributed path only has the additive table
(see the *Time to pay* page for the measurements). Tests check it equals
lifelines' and statsmodels' estimates on the same durations, entries and
weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import check_number, check_option, check_whole
from creditkpi.core.ratios import ratio
from creditkpi.core.survival_tables import (
    AMOUNT_COLUMNS,
    CLOSED,
    COUNT_COLUMNS,
    CURVE_COLUMNS,
    DEFAULT_HORIZON,
    OPEN,
    SETTLED,
    SUMMARY_COLUMNS,
    TABLE_COLUMNS,
    WITHIN_DAYS,
    Clock,
    Durations,
    SurvivalArrays,
    Weight,
    aggregate,
    arrays_of,
    combine_tables,
    durations,
    group_day_index,
    int_sums,
    survival_table,
    table_arrays,
    table_from_durations,
)

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
    "SurvivalEstimate",
    "Weight",
    "aggregate",
    "arrays_of",
    "check_options",
    "combine_tables",
    "durations",
    "estimate",
    "kaplan_meier",
    "segment_cumsum",
    "segments",
    "survival_table",
    "table_arrays",
    "table_from_durations",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: a curve within this of a level counts as reaching it (float rounding of exact products)
_TOLERANCE = 1e-10


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


def segments(group: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """(segment id of each row, first row, last row) of runs of equal ``group``."""
    if group.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    start = np.concatenate([[True], group[1:] != group[:-1]])
    first = np.flatnonzero(start)
    last = np.concatenate([first[1:] - 1, [group.size - 1]]).astype(np.int64)
    return (np.cumsum(start) - 1).astype(np.int64), first.astype(np.int64), last


def segment_cumsum(values: IntArray, seg: IntArray, first: IntArray) -> IntArray:
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
    level, days = check_options(weight, confidence, horizon)
    curve, summary = estimate(arrays_of(table), weight, level, days, notes=True)
    return SurvivalEstimate(curve, summary, weight, level, days)


def check_options(weight: object, confidence: object, horizon: object) -> tuple[float, int]:
    """Validate the estimator's options (the time-to-pay KPIs take the same): ``(level, days)``."""
    check_option("weight", weight, ("count", "amount"))
    level = check_number("confidence", confidence, low=0, high=1)
    days = check_whole("horizon", horizon, minimum=-(2**31), unit="days")
    assert days is not None
    return level, days


def estimate(
    table: SurvivalArrays, weight: Weight, confidence: float, horizon: int, *, notes: bool
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The curve and summary frames of a table held as arrays (rows sorted by group, day).

    ``notes=False`` skips the text of :attr:`SurvivalEstimate.summary`'s
    ``median_note`` (empty strings), for callers that do not show it.
    """
    suffix = "_amount" if weight == "amount" else ""
    entered = table.columns["entered" + suffix]
    settled = table.columns["settled" + suffix]
    closed = table.columns["closed" + suffix]
    censored = table.columns["censored" + suffix]
    day = table.day
    seg, first, last = segments(table.group)
    n_seg = first.size

    gone = settled + closed + censored
    at_risk = segment_cumsum(entered, seg, first) - (segment_cumsum(gone, seg, first) - gone)
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
    index = group_day_index(table)
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
    values["amount"] = int_sums(seg, table.columns["entered_amount"], n_seg)
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
    weight_sum = int_sums(seg, settled, n_seg)
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
