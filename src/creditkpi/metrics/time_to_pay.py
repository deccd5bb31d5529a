"""Time to pay: Kaplan-Meier curves of invoices not yet settled, open invoices censored.

Depends only on :mod:`creditkpi.core` (the estimate is
:mod:`creditkpi.core.survival`'s). One estimate per date serves every figure
of the family (:func:`survival_fit`): the curve of :func:`time_to_pay` and the
three KPIs read off its summary (:data:`MEDIAN_DAYS_TO_PAY`,
:data:`SETTLED_AVERAGE_DAYS`, :data:`SHARE_PAID_WITHIN_TERMS`). See the *Time
to pay* page of the documentation.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import as_dates, check_money, check_option
from creditkpi.core.errors import InvalidOptionError, UndefinedMetricWarning
from creditkpi.core.groups import By, group_codes
from creditkpi.core.kpi import KPI, TableKPI
from creditkpi.core.ledger import Ledger
from creditkpi.core.parts import Derived, LedgerParts, Settings
from creditkpi.core.ratios import warn_undefined
from creditkpi.core.shapes import Money, money_values, name_groups, one_row
from creditkpi.core.survival import (
    DEFAULT_HORIZON,
    Clock,
    SurvivalEstimate,
    Weight,
    aggregate,
    arrays_of,
    check_options,
    estimate,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "KPIS",
    "MEDIAN_DAYS_TO_PAY",
    "SETTLED_AVERAGE_DAYS",
    "SHARE_PAID_WITHIN_TERMS",
    "SURVIVAL_FIT",
    "SURVIVAL_SUMMARY",
    "TABLES",
    "TIME_TO_PAY",
    "TimeToPay",
    "formula_median_days_to_pay",
    "formula_settled_average_days",
    "formula_share_paid_within_terms",
    "survival_curve",
    "survival_fit",
    "time_to_pay",
]

_COUNT_FIELDS = ("entered", "at_risk", "settled", "closed", "censored")


@dataclass(frozen=True)
class TimeToPay:
    """Time-to-pay curves and their summary, as of one date.

    Attributes
    ----------
    curve : DataFrame
        One row per day on the clock where something happens (indexed by
        ``day``, or by ``(group, day)`` with ``by``): ``entered`` (entering
        the risk set that day: issued), ``at_risk``, ``settled`` (paid that
        day), ``closed`` (closed by credit note or write-off that day),
        ``censored`` (still open at the as-of date), all counted in invoices
        (``weight="count"``) or in invoiced amount (``weight="amount"``;
        money); ``survival``, the share not yet settled by the end of that
        day (from 1 down; lower is faster payment), ``std_error`` (Greenwood)
        and ``lower`` / ``upper``, its confidence band.
    summary : Series or DataFrame
        One value per field (a Series) or one row per group with invoices
        (a DataFrame with ``by``): ``invoices``, ``settled``, ``closed``, ``open``
        (counts), ``amount`` (invoiced, money), ``settled_average`` (the
        plain average day of the settled invoices: what ignoring open
        invoices gives), ``median`` with ``median_lower`` and
        ``median_upper`` (its interval), ``quartile_1`` and ``quartile_3``
        (days by which a quarter and three quarters are settled),
        ``settled_within_0``, ``_30``, ``_60``, ``_90`` (share settled within
        that many days; higher is better), ``restricted_mean`` (mean of
        ``min(days, horizon)``) and ``median_note`` (why the median is
        undefined, empty when it is defined). Days are on the clock:
        negative = before the due date (``clock="due"``). Lower days are
        better.
    as_of : date
    clock : {"due", "issue"}
    weight : {"count", "amount"}
    by : str or None
    confidence : float
    horizon : int
    currency : str
    """

    curve: pd.DataFrame
    summary: Any
    as_of: date
    clock: Clock
    weight: Weight
    by: By
    confidence: float
    horizon: int
    currency: str

    def plot(
        self, path: Path | str | None = None, *, ax: Axes | None = None, **options: Any
    ) -> Axes:
        """Draw the curves (needs the ``charts`` extra: matplotlib).

        Parameters
        ----------
        path : path, optional
            Also write the figure as a PNG file there.
        ax : matplotlib.axes.Axes, optional
            Draw on these axes (a subplot of a figure of yours); default: a
            new figure.
        **options
            Passed to :func:`creditkpi.plotting.survival_chart`
            (``groups``, ``band``, ``title``, ``dpi``, ...).

        Returns
        -------
        matplotlib.axes.Axes
            The axes drawn on, as pandas' ``plot`` returns (``.figure`` is
            the figure, shown inline in a notebook).

        Raises
        ------
        ChartsUnavailableError
            If matplotlib is not installed.
        """
        from creditkpi.plotting import survival_chart

        curve = self.curve
        if self.by is None:
            curve = pd.concat({"all": curve}, names=["group"])
        drawn: Axes = survival_chart(
            curve,
            path,
            clock=self.clock,
            weight=self.weight,
            as_of=self.as_of,
            ax=ax,
            **options,
        )
        return drawn

    def __getitem__(self, field: str) -> Any:
        """One field of :attr:`summary`: a value, or a Series by group with ``by``."""
        value = self.summary[field]
        return value

    def __repr__(self) -> str:
        groups = 1 if self.by is None else len(self.summary)
        return (
            f"TimeToPay(as of {self.as_of}, clock={self.clock!r}, weight={self.weight!r}, "
            f"{groups} group{'s' if groups != 1 else ''})"
        )

    def _repr_html_(self) -> str:
        frame = self.summary.to_frame().T if isinstance(self.summary, pd.Series) else self.summary
        html: str = frame._repr_html_()  # type: ignore[operator]
        return f"<p>{self!r}</p>" + html


# ----------------------------------------------------------------------------------
# one estimate per date, read by every figure of the family
# ----------------------------------------------------------------------------------


def _fit(
    table: pd.DataFrame,
    *,
    groups: Sequence[object],
    weight: Weight,
    confidence: float,
    horizon: int,
    notes: bool,
) -> SurvivalEstimate:
    """The Kaplan-Meier estimate of one survival table (an empty table: no group)."""
    if len(table):
        arrays = arrays_of(table)
    else:
        empty = np.zeros(0, dtype=np.int64)
        labels = pd.Index(list(groups), dtype=object, name=table.index.names[0] or "group")
        arrays = aggregate(labels, empty, empty, empty, empty.astype(np.int8), empty, empty)
    curve, summary = estimate(arrays, weight, confidence, horizon, notes=notes)
    return SurvivalEstimate(curve, summary, weight, confidence, horizon)


def survival_fit(
    weight: Weight = "count",
    confidence: float = 0.95,
    horizon: int = DEFAULT_HORIZON,
    *,
    notes: bool = False,
) -> Derived:
    """The derived part: the survival estimate of the ``survival`` table part, once per date.

    ``notes`` writes why a median is undefined into the summary.
    """
    return Derived(
        name=f"survival_fit({weight}, {confidence!r}, {horizon}, notes={notes})",
        parts=("survival",),
        compute=partial(_fit, weight=weight, confidence=confidence, horizon=horizon, notes=notes),
        description="Kaplan-Meier estimate of the time-to-pay table (curve and summary)",
    )


#: the estimate the registry's KPIs read (due-date clock, counts, 95 %, 90 days)
SURVIVAL_FIT = survival_fit()


def time_to_pay(
    ledger: Ledger,
    as_of: date | str,
    *,
    clock: Clock = "due",
    by: By = None,
    weight: Weight = "count",
    window: str | int | None = None,
    confidence: float = 0.95,
    horizon: int = DEFAULT_HORIZON,
    money: Money = "float",
) -> TimeToPay:
    """Share of invoices not yet settled, day by day, with open invoices censored.

    The Kaplan-Meier estimate of time to pay: an invoice still open at
    ``as_of`` counts for what is known of it (not paid by then) instead of
    being dropped, so slow payers with many open invoices do not look fast.

    Parameters
    ----------
    ledger : Ledger
    as_of : date or str
        The cut-off: settlements dated after it are ignored; invoices open
        at the end of that day are censored there.
    clock : {"due", "issue"}, default "due"
        Days since the due date (negative = paid early; an invoice enters at
        its issue date, i.e. delayed entry) or since the issue date.
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute: one curve per group.
    weight : {"count", "amount"}, default "count"
        Share of invoices, or share of invoiced amount.
    window : str or int, optional
        Only invoices issued in the window ending on ``as_of`` (``"12M"``,
        ``"90D"``, ``"2Y"``, or an int of days); all by default.
    confidence : float, default 0.95
        Level of the band and of the median's interval.
    horizon : int, default 90
        Days on the clock up to which the restricted mean is taken.
    money : {"float", "decimal"}, default "float"
        Amounts in the tables as numbers or exact ``Decimal``.

    Returns
    -------
    TimeToPay
        ``.curve`` and ``.summary`` (see :class:`TimeToPay`), ``.plot()``.

    Raises
    ------
    InvalidOptionError
        A bad option (clock, weight, by, window, confidence, horizon,
        money) or a list of as-of dates.

    Warns
    -----
    UndefinedMetricWarning
        When the median of some group is undefined (its curve never reaches
        1/2); ``summary["median_note"]`` says why.

    Notes
    -----
    An invoice *closes* on the first day its settlements (of every kind)
    reach its amount. It is **settled** that day if a cash payment is dated
    on it; otherwise (the last settlements were a credit note or a
    write-off) it is **closed** by a competing outcome: counted apart, and
    censored at that day in the estimate. Open at ``as_of``: censored at
    ``as_of``. With ``n_t`` at risk and ``d_t`` settled on day ``t``,
    ``S(t) = Π_{u <= t} (1 - d_u / n_u)``; Greenwood variance, log-log band;
    median ``min{t : S(t) <= 1/2}`` with the interval where the band crosses
    1/2; restricted mean ``t0 + ∫_{t0}^{horizon} S(t) dt``. See
    :func:`creditkpi.core.survival.kaplan_meier` and the *Time to pay* page.

    Examples
    --------
    Five invoices due on 31 January; two paid 10 and 40 days late, one
    cancelled by a credit note, two still open on 31 March (60 days late):

    >>> import warnings, creditkpi as ck
    >>> warnings.simplefilter("ignore", ck.UndefinedMetricWarning)  # the median, below
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice(f"F{k}", "C1", "2024-01-01", "2024-01-31", "100.00") for k in range(1, 6)],
    ...     [ck.Payment("F1", "2024-02-10", "100.00"), ck.Payment("F2", "2024-03-11", "100.00"),
    ...      ck.Payment("F3", "2024-02-20", "100.00", kind="credit_note")])
    >>> ttp = ck.time_to_pay(ledger, "2024-03-31")
    >>> ttp.curve["survival"].round(3).tolist()
    [1.0, 0.8, 0.8, 0.533, 0.533]
    >>> ttp.summary["settled_average"], ttp.summary["settled_within_30"]
    (25.0, 0.2)

    The plain average of the paid invoices says 25 days late; the curve
    never reaches 1/2, so the median is undefined (and says why):

    >>> print(ttp.summary["median_note"])
    the curve never reaches 1/2: 46.7% of the invoices settled by day 60, ...
    """
    dates, single = as_dates(as_of)
    if not single:
        raise InvalidOptionError(
            "time_to_pay takes one as-of date (call it once per date for a series)",
            column="as_of",
        )
    check_option("clock", clock, ("due", "issue"))
    level, days = check_options(weight, confidence, horizon)
    check_money(money)
    when = dates[0]
    groups = group_codes(ledger, by)
    source = LedgerParts(ledger, groups, dates=dates, settings=Settings(clock=clock, window=window))
    fit: SurvivalEstimate = source.at(survival_fit(weight, level, days, notes=True), 0)
    curve, summary = fit.curve.copy(), fit.summary.copy()
    digits = ledger.digits
    summary["amount"] = money_values(summary["amount"].to_numpy(), digits, money)
    for column in _money_fields({"weight": weight}):
        curve[column] = money_values(curve[column].to_numpy(), digits, money)
    _warn_undefined_median(summary, by)
    if by is None:
        curve = curve.droplevel(0)
        if len(summary):
            out_summary: Any = one_row({str(c): v for c, v in summary.iloc[0].items()}, str(when))
        else:
            out_summary = _empty_summary(summary, str(when), digits, money)
    else:
        summary.index = name_groups(summary.index, by)
        curve.index = name_groups(curve.index.set_names(["group", "day"]), by)
        out_summary = summary
    return TimeToPay(
        curve=curve,
        summary=out_summary,
        as_of=when,
        clock=clock,
        weight=weight,
        by=by,
        confidence=level,
        horizon=days,
        currency=ledger.currency,
    )


def _warn_undefined_median(summary: pd.DataFrame, by: By) -> None:
    undefined = int(summary["median"].isna().sum())
    if by is None and not len(summary):
        undefined = 1  # no invoice issued yet: the book's median is undefined
    if undefined:
        where = "" if by is None else f" for {undefined} of {len(summary)} groups"
        warnings.warn(
            f"median days to pay is undefined{where}: result is nan (see summary['median_note'])",
            UndefinedMetricWarning,
            stacklevel=3,
        )


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python number it holds (a Series of mixed fields)."""
    return value.item() if isinstance(value, np.generic) else value


def _empty_summary(summary: pd.DataFrame, name: str, digits: int, money: Money) -> pd.Series:
    """The summary of a book without invoices: zero counts, undefined days."""
    values: dict[str, Any] = dict.fromkeys(summary.columns, np.nan)
    zero = money_values(np.zeros(1, dtype=np.int64), digits, money)[0]
    values.update(invoices=0, settled=0, closed=0, open=0, amount=_plain(zero))
    values["median_note"] = "no invoices"
    return one_row(values, name)


def _money_fields(options: Mapping[str, Any]) -> tuple[str, ...]:
    """The curve's money columns: its counts, when they count invoiced amounts."""
    return _COUNT_FIELDS if options.get("weight") == "amount" else ()


def survival_curve(
    table: pd.DataFrame,
    *,
    groups: Sequence[object],
    settings: Settings,
    weight: Weight = "count",
    confidence: float = 0.95,
    horizon: int = DEFAULT_HORIZON,
) -> pd.DataFrame:
    """The time-to-pay curve per ``(group, day)`` from a survival table (amounts in minor units)."""
    del settings
    level, days = check_options(weight, confidence, horizon)
    fit = _fit(table, groups=groups, weight=weight, confidence=level, horizon=days, notes=False)
    return fit.curve


TIME_TO_PAY = TableKPI(
    name="time_to_pay",
    label="Time-to-pay curve",
    label_fr="Courbe de délai de paiement",
    function=time_to_pay,
    page="kpis/time-to-pay.md",
    definition="The share of invoices not yet settled, day by day after the due date (a "
    "survival curve).",
    parts=("survival",),
    build=survival_curve,
    money=_money_fields,
    dashboard="a curve per group, drawn by TimeToPay.plot rather than tabled",
    by_level=True,
    index="day",
)


# ----------------------------------------------------------------------------------
# the value KPIs: one figure per group read off the estimate
# ----------------------------------------------------------------------------------


def _summary_by_group(fit: SurvivalEstimate, *, groups: Sequence[object]) -> pd.DataFrame:
    """The estimate's summary with one row per group (``nan`` for groups without invoices)."""
    return fit.summary.reindex(pd.Index(list(groups), dtype=object))


#: the registry estimate's summary, one row per group of the computation
SURVIVAL_SUMMARY = Derived(
    name="survival_summary",
    parts=(SURVIVAL_FIT,),
    compute=_summary_by_group,
    description="the summary of the survival estimate, one row per group",
)


def _summary_field(summary: pd.DataFrame, field: str, what: str) -> npt.NDArray[np.float64]:
    values = summary[field].astype(np.float64).to_numpy()
    if np.isnan(values).any():
        warn_undefined(what, count=int(np.isnan(values).sum()), total=int(values.size))
    return np.asarray(values, dtype=np.float64)


def formula_median_days_to_pay(summary: pd.DataFrame) -> npt.NDArray[np.float64]:
    """Censored median days to pay after the due date, per group, from the estimate's summary.

    The finisher of ``median_days_to_pay``: the Kaplan-Meier median of the
    survival table (due-date clock; open invoices censored), read off the
    summary of :func:`survival_fit` (one row per group). ``nan`` where the
    curve never reaches one half.
    """
    return _summary_field(summary, "median", "median days to pay (curve above 1/2)")


def formula_settled_average_days(summary: pd.DataFrame) -> npt.NDArray[np.float64]:
    """Plain average days to pay after due of the settled invoices only (open ones ignored).

    What most tools show; beside the censored median it shows the bias of
    ignoring slow payers' open invoices.
    """
    return _summary_field(
        summary, "settled_average", "average days to pay of settled invoices (none)"
    )


def formula_share_paid_within_terms(summary: pd.DataFrame) -> npt.NDArray[np.float64]:
    """Share of invoices settled by their due date (Kaplan-Meier, open invoices censored)."""
    return _summary_field(summary, "settled_within_0", "share paid within terms (no invoice)")


MEDIAN_DAYS_TO_PAY = KPI(
    name="median_days_to_pay",
    label="Median days to pay after due (open invoices censored)",
    label_fr="Délai médian de paiement après échéance (encours censuré)",
    unit="days",
    better="lower",
    basis="as_of",
    section="Speed",
    parts=(SURVIVAL_SUMMARY,),
    formula=formula_median_days_to_pay,
    function=time_to_pay,
    page="kpis/time-to-pay.md",
    definition="Median days from the due date to settlement, invoices still open counted as "
    "not yet settled.",
    field="median",
    series=False,
)

SETTLED_AVERAGE_DAYS = KPI(
    name="settled_average_days",
    label="Average days to pay after due (paid invoices only)",
    label_fr="Retard moyen des factures payées",
    unit="days",
    better="lower",
    basis="as_of",
    section="Speed",
    parts=(SURVIVAL_SUMMARY,),
    formula=formula_settled_average_days,
    function=time_to_pay,
    page="kpis/time-to-pay.md",
    definition="Average days from the due date to settlement of the invoices already settled.",
    field="settled_average",
    series=False,
)

SHARE_PAID_WITHIN_TERMS = KPI(
    name="share_paid_within_terms",
    label="Share of invoices paid within terms",
    label_fr="Part des factures payées à échéance",
    unit="ratio",
    better="higher",
    basis="as_of",
    section="Speed",
    parts=(SURVIVAL_SUMMARY,),
    formula=formula_share_paid_within_terms,
    function=time_to_pay,
    page="kpis/time-to-pay.md",
    definition="The share of invoices settled by their due date, open invoices counted as not "
    "yet settled.",
    field="settled_within_0",
    series=False,
)

#: the value KPIs and the table KPIs of this module (the registry collects them)
KPIS = (MEDIAN_DAYS_TO_PAY, SETTLED_AVERAGE_DAYS, SHARE_PAID_WITHIN_TERMS)
TABLES = (TIME_TO_PAY,)
