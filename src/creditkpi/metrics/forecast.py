"""Collection forecast: expected cash from the open receivables.

Depends only on :mod:`creditkpi.core` (the curves and the kernels are
:mod:`creditkpi.core.expected_cash`'s and :mod:`creditkpi.core.forecasting`'s).
The registry's KPIs (:data:`FORECAST_NEXT_4_WEEKS`,
:data:`FORECAST_NEXT_13_WEEKS`) read one forecast per date
(:data:`FORECAST_BY_WEEK`) made from additive parts. See the *Collection
forecast* page of the documentation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import as_dates, check_money, check_option, check_whole
from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.expected_cash import (
    CUSTOMER,
    LEDGER,
    SEGMENT,
    cash_by_week,
    history_at,
    history_groupings,
    horizon_offsets,
)
from creditkpi.core.forecasting import (
    METHODS,
    Expected,
    Method,
    check_fallback,
    expected,
    issued_balances,
    window_dates,
)
from creditkpi.core.groups import By, Groups, group_codes, group_index
from creditkpi.core.kpi import KPI, TableKPI
from creditkpi.core.ledger import Ledger
from creditkpi.core.parts import Derived
from creditkpi.core.period import to_day
from creditkpi.core.ratios import ratio
from creditkpi.core.shapes import Money, money_values, name_groups, one_row

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "EXPECTED_CASH_BY_WEEK",
    "FORECAST_BY_WEEK",
    "FORECAST_NEXT_4_WEEKS",
    "FORECAST_NEXT_13_WEEKS",
    "KPIS",
    "METHODS",
    "TABLES",
    "CollectionForecast",
    "Method",
    "collection_forecast",
    "formula_expected_in_window",
    "formula_forecast_next_4_weeks",
    "formula_forecast_next_13_weeks",
    "weeks_table",
]

IntArray = npt.NDArray[np.int64]

#: fields of :attr:`CollectionForecast.summary`
SUMMARY_FIELDS = (
    "open_balance",
    "open_invoices",
    "within_horizon",
    "beyond_horizon",
    "write_offs",
    "customer_history",
    "segment_history",
    "ledger_history",
)
_MONEY_FIELDS = tuple(f for f in SUMMARY_FIELDS if f != "open_invoices")


@dataclass(frozen=True)
class CollectionForecast:
    """Expected cash from the invoices open at one date, window by window.

    Attributes
    ----------
    windows : DataFrame
        One row per window (indexed by ``step`` 1, 2, ..., or by ``(group,
        step)`` with ``by``): ``start`` and ``end`` (first and last day,
        both included), ``expected_cash`` (money) and
        ``expected_write_offs`` (money: closures by credit note or
        write-off the curves expect in the window; not cash).
    summary : Series or DataFrame
        One value per field (a Series), or one row per group (with ``by``):
        ``open_balance`` (the balances forecast: invoices with a positive
        balance at the as-of date), ``open_invoices``, ``within_horizon``
        (expected cash in the horizon), ``beyond_horizon`` (not expected
        within it), ``write_offs`` (expected closures otherwise within it),
        with ``within_horizon + beyond_horizon + write_offs = open_balance``
        to the cent; ``customer_history``, ``segment_history``,
        ``ledger_history``: the open balance forecast from the customer's
        own history, its segment's, the whole ledger's (0 with
        ``method="due_date"``, which uses no history).
    as_of : date
    horizon, freq : str or int
    method : {"survival", "average_delay", "due_date"}
    by : str or None
    currency : str
    """

    windows: pd.DataFrame
    summary: Any
    as_of: date
    horizon: str | int
    freq: str | int
    method: Method
    by: By
    currency: str

    def __getitem__(self, field: str) -> Any:
        """One field of :attr:`summary`: a value, or a Series by group with ``by``."""
        return self.summary[field]

    @property
    def total_windows(self) -> pd.DataFrame:
        """:attr:`windows` added over the groups, one row per ``step`` (``windows`` without ``by``)."""
        if self.by is None:
            return self.windows
        return self.windows.groupby(level="step").agg(
            start=("start", "first"),
            end=("end", "first"),
            expected_cash=("expected_cash", "sum"),
            expected_write_offs=("expected_write_offs", "sum"),
        )

    def __repr__(self) -> str:
        groups = 1 if self.by is None else len(self.summary)
        return (
            f"CollectionForecast(as of {self.as_of}, horizon={self.horizon!r}, "
            f"freq={self.freq!r}, method={self.method!r}, {groups} group"
            f"{'s' if groups != 1 else ''})"
        )

    def _repr_html_(self) -> str:
        html: str = self.windows._repr_html_()  # type: ignore[operator]
        return f"<p>{escape(repr(self))}</p>" + html

    def plot(
        self, path: Path | str | None = None, *, ax: Axes | None = None, **options: Any
    ) -> Axes:
        """Bars of the expected cash per window (needs the ``charts`` extra).

        Parameters
        ----------
        path : path, optional
            Also write the figure as a PNG file there.
        ax : matplotlib.axes.Axes, optional
            Draw on these axes (a subplot of a figure of yours); default: a
            new figure.
        **options
            Passed to :func:`creditkpi.plotting.forecast_chart`.

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
        from creditkpi.core.formatting import Formatter
        from creditkpi.plotting import forecast_chart

        options.setdefault("money_format", Formatter(self.currency).compact_axis())
        drawn: Axes = forecast_chart(
            self.total_windows, path, as_of=self.as_of, currency=self.currency, ax=ax, **options
        )
        return drawn


def collection_forecast(
    ledger: Ledger,
    as_of: date | str,
    *,
    horizon: str | int = "13W",
    freq: str | int = "W",
    method: Method = "survival",
    by: By = None,
    min_history: int = 20,
    fallback: str = "all",
    money: Money = "float",
) -> CollectionForecast:
    """Expected cash per future window from the invoices open at ``as_of``.

    Only the receivables open at ``as_of`` are forecast: invoices issued
    later (future sales) are out of scope. Everything is computed from data
    dated on or before ``as_of``.

    Parameters
    ----------
    ledger : Ledger
    as_of : date or str
        The forecast date T: settlements dated after it are ignored.
    horizon : str or int, default "13W"
        How far ahead: ``"13W"``, ``"3M"``, ``"90D"`` (an int: days).
    freq : str or int, default "W"
        Window length: ``"W"`` (7 days from ``as_of``), ``"2W"``, ``"M"``
        (calendar months from ``as_of``), ``"D"``...; the last window stops
        at the horizon's end.
    method : {"survival", "average_delay", "due_date"}, default "survival"
        ``survival``: each open balance is spread over the windows by its
        customer's time-to-pay curve, conditional on being still open (see
        Notes). ``average_delay``: each whole balance on its due date plus
        its customer's amount-weighted average days late (a baseline).
        ``due_date``: each whole balance on its due date, overdue ones in the
        first window (a baseline).
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute: one forecast per group.
    min_history : int, default 20
        Invoices a customer must have settled by cash by ``as_of`` to use
        its own history; below, its segment's, else the whole ledger's.
    fallback : str, default "all"
        ``"all"``: customers without enough history use the whole ledger's;
        an invoice attribute (``"segment"``, ``"country"``): that group's
        first, when it has ``min_history`` settled invoices.
    money : {"float", "decimal"}, default "float"

    Returns
    -------
    CollectionForecast
        ``.windows`` (expected cash and write-offs per window),
        ``.summary`` (open balance, within and beyond the horizon, expected
        write-offs), ``["within_horizon"]``, ``.plot()``.

    Raises
    ------
    InvalidOptionError
        A bad option (horizon, freq, method, by, min_history, fallback,
        money) or a list of as-of dates.

    Notes
    -----
    An open invoice ``a`` days past its due date at T, with balance
    ``B``, is expected to pay ``B × (S(a + s) - S(a + e)) / S(a)`` in the
    window of days ``T + s + 1`` to ``T + e``, where ``S`` is the share of
    invoiced amount not yet closed after ``t`` days past due (amount-weighted
    Kaplan-Meier at T, open invoices censored). Conditioning on ``S(a)`` is
    what makes an invoice already 60 days late forecast like invoices that
    were still unpaid at 60 days, not like the average invoice. Closures by
    credit note or write-off are a competing outcome: the share of
    ``S(a + s) - S(a + e)`` they take (cumulative incidences,
    Aalen-Johansen) is reported as ``expected_write_offs``, not as cash.
    The curve is the customer's own when it has ``min_history`` settled
    invoices, else the segment's or the whole ledger's; past the curve's
    last observed day nothing more is expected (``beyond_horizon``).
    Amounts are rounded once per group of balances sharing a curve and an
    age: cumulative amounts at each window's end are rounded to the minor
    unit and windows are their differences, so ``within_horizon +
    beyond_horizon + write_offs = open_balance`` exactly and the first
    ``k`` windows do not depend on the horizon.

    Examples
    --------
    Four invoices of 100 due on 31 May: three paid 10, 20 and 30 days late,
    one still open on 30 June (30 days late); another due on 1 July. The one
    due tomorrow is spread like the history (a quarter paid 10, 20 and 30
    days late: weeks 2, 3 and 5); the one 30 days late is past every payment
    seen, so nothing is expected of it (beyond the horizon):

    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice(f"F{k}", "C1", "2024-05-01", "2024-05-31", "100.00") for k in range(4)]
    ...     + [ck.Invoice("F9", "C1", "2024-06-01", "2024-07-01", "100.00")],
    ...     [ck.Payment("F0", "2024-06-10", "100.00"), ck.Payment("F1", "2024-06-20", "100.00"),
    ...      ck.Payment("F2", "2024-06-30", "100.00")])
    >>> fc = ck.collection_forecast(ledger, "2024-06-30", horizon="4W", min_history=1)
    >>> fc.windows["expected_cash"].tolist()
    [0.0, 25.0, 25.0, 0.0]
    >>> fc.summary[["within_horizon", "beyond_horizon", "open_balance"]].tolist()
    [50.0, 150.0, 200.0]
    """
    dates, single = as_dates(as_of)
    if not single:
        raise InvalidOptionError(
            "collection_forecast takes one as-of date (backtest_forecast takes many origins)",
            column="as_of",
        )
    check_option("method", method, METHODS)
    check_money(money)
    history = check_whole("min_history", min_history, unit="settled invoices")
    assert history is not None
    segment = check_fallback(ledger, fallback)
    when = dates[0]
    offsets = horizon_offsets(when, horizon, freq)
    groups = group_codes(ledger, by)
    day = to_day(when)
    past = (
        None
        if method == "due_date"
        else history_at(ledger, when, history_groupings(ledger, segment))
    )
    exp = expected(
        ledger, when, groups, offsets, method, history, segment, issued_balances(ledger, day), past
    )
    return CollectionForecast(
        windows=_windows(exp, when, offsets, groups, by, ledger.digits, money),
        summary=_summary(exp, when, groups, by, ledger.digits, money),
        as_of=when,
        horizon=horizon,
        freq=freq,
        method=method,
        by=by,
        currency=ledger.currency,
    )


def _windows(
    exp: Expected,
    when: date,
    offsets: IntArray,
    groups: Groups,
    by: By,
    digits: int,
    money: Money,
) -> pd.DataFrame:
    """The forecast's windows: first and last day, expected cash and write-offs."""
    k = offsets.size - 1
    starts, ends = window_dates(when, offsets)
    steps = np.arange(1, k + 1, dtype=np.int64)
    if by is None:
        return pd.DataFrame(
            {
                "start": starts,
                "end": ends,
                "expected_cash": money_values(exp.cash[0], digits, money),
                "expected_write_offs": money_values(exp.write_offs[0], digits, money),
            },
            index=pd.Index(steps, name="step"),
        )
    index = name_groups(
        pd.MultiIndex.from_product([groups.labels, steps], names=["group", "step"]), by
    )
    return pd.DataFrame(
        {
            "start": starts * groups.size,
            "end": ends * groups.size,
            "expected_cash": money_values(exp.cash.reshape(-1), digits, money),
            "expected_write_offs": money_values(exp.write_offs.reshape(-1), digits, money),
        },
        index=index,
    )


def _summary(exp: Expected, when: date, groups: Groups, by: By, digits: int, money: Money) -> Any:
    """The forecast's totals per group (a Series without ``by``)."""
    cents = {
        "open_balance": exp.open_balance,
        "within_horizon": exp.cash.sum(axis=1),
        "beyond_horizon": exp.beyond,
        "write_offs": exp.write_offs.sum(axis=1),
        "customer_history": exp.by_level[:, CUSTOMER],
        "segment_history": exp.by_level[:, SEGMENT],
        "ledger_history": exp.by_level[:, LEDGER],
    }
    values: dict[str, Any] = {
        name: money_values(cents[name], digits, money) for name in _MONEY_FIELDS
    }
    values["open_invoices"] = exp.open_invoices
    if by is None:
        return one_row({f: values[f][0] for f in SUMMARY_FIELDS}, str(when))
    return pd.DataFrame(
        {f: values[f] for f in SUMMARY_FIELDS},
        index=group_index(groups.labels, by),
    )


# ----------------------------------------------------------------------------------
# formulas and the registry's KPIs
# ----------------------------------------------------------------------------------


def formula_expected_in_window(
    balance: Any, survival_at_age: Any, survival_start: Any, survival_end: Any
) -> float:
    """Expected amount of one open balance in a window, given a survival curve.

    ``balance × (S(a + s) - S(a + e)) / S(a)``: the balance of an invoice
    still open ``a`` days past its clock origin, times the probability that
    it closes between ``s`` and ``e`` days from now given that it was open
    at ``a``. Plain numbers; ``nan`` (and an
    :class:`~creditkpi.UndefinedMetricWarning`) when ``S(a) <= 0``.

    Examples
    --------
    >>> formula_expected_in_window(300, 0.6, 0.6, 0.3)
    150.0
    """
    return float(balance * ratio(survival_start - survival_end, survival_at_age, what="S(a) <= 0"))


def _by_week(
    expected_cash: pd.DataFrame,
    fallback_balances: pd.DataFrame,
    survival: pd.DataFrame,
    *,
    groups: Sequence[object],
) -> IntArray:
    return cash_by_week(expected_cash, fallback_balances, survival, list(groups))


#: the forecast the registry's KPIs read: cash per group and week over 13 weeks
FORECAST_BY_WEEK = Derived(
    name="forecast_by_week",
    parts=("expected_cash", "fallback_balances", "survival"),
    compute=_by_week,
    description="expected cash per (group, week) over 13 weeks, from the additive parts "
    "(core.expected_cash.cash_by_week)",
)


def formula_forecast_next_4_weeks(weeks: IntArray) -> IntArray:
    """Expected cash within 4 weeks per group (minor units), from the forecast by week.

    The finisher of ``forecast_next_4_weeks``: the first four weeks of
    :data:`FORECAST_BY_WEEK` (a week's amount does not depend on the horizon).
    """
    result: IntArray = np.asarray(weeks, dtype=np.int64)[:, :4].sum(axis=1)
    return result


def formula_forecast_next_13_weeks(weeks: IntArray) -> IntArray:
    """Expected cash within 13 weeks per group (minor units), from the forecast by week."""
    result: IntArray = np.asarray(weeks, dtype=np.int64)[:, :13].sum(axis=1)
    return result


FORECAST_NEXT_4_WEEKS = KPI(
    name="forecast_next_4_weeks",
    label="Expected cash, next 4 weeks (open invoices)",
    label_fr="Encaissements attendus à 4 semaines (encours)",
    unit="money",
    better=None,
    basis="as_of",
    section="Collection",
    parts=(FORECAST_BY_WEEK,),
    formula=formula_forecast_next_4_weeks,
    function=collection_forecast,
    page="kpis/forecast.md",
    definition="Cash expected from the open invoices in the next 4 weeks, from the customers' "
    "payment history.",
    options=MappingProxyType({"horizon": "4W"}),
    field="within_horizon",
    series=False,
)

FORECAST_NEXT_13_WEEKS = KPI(
    name="forecast_next_13_weeks",
    label="Expected cash, next 13 weeks (open invoices)",
    label_fr="Encaissements attendus à 13 semaines (encours)",
    unit="money",
    better=None,
    basis="as_of",
    section="Collection",
    parts=(FORECAST_BY_WEEK,),
    formula=formula_forecast_next_13_weeks,
    function=collection_forecast,
    page="kpis/forecast.md",
    definition="Cash expected from the open invoices in the next 13 weeks, from the customers' "
    "payment history.",
    options=MappingProxyType({"horizon": "13W"}),
    field="within_horizon",
    series=False,
)


def weeks_table(
    weeks: IntArray, *, groups: Sequence[object], settings: object = None
) -> pd.DataFrame:
    """Expected cash of the whole book per week from the as-of date (minor units).

    The builder of :data:`EXPECTED_CASH_BY_WEEK`: the forecast by week of
    :data:`FORECAST_BY_WEEK` added over the groups, indexed by ``week``
    (1 = the 7 days after the as-of date); the windows of
    :func:`collection_forecast` with ``horizon="13W"``.
    """
    del groups, settings
    cash = np.asarray(weeks, dtype=np.int64).reshape(-1, 13).sum(axis=0)
    return pd.DataFrame({"expected_cash": cash}, index=pd.RangeIndex(1, cash.size + 1, name="week"))


EXPECTED_CASH_BY_WEEK = TableKPI(
    name="expected_cash_by_week",
    label="Expected cash by week (open invoices)",
    label_fr="Encaissements attendus par semaine (encours)",
    function=collection_forecast,
    page="kpis/forecast.md",
    definition="Cash expected from the open invoices in each of the next 13 weeks, from the "
    "customers' payment history.",
    parts=(FORECAST_BY_WEEK,),
    build=weeks_table,
    money=("expected_cash",),
    previous="none",
    index="week",
)

#: the value KPIs and the table KPIs of this module (the registry collects them)
KPIS = (FORECAST_NEXT_4_WEEKS, FORECAST_NEXT_13_WEEKS)
TABLES = (EXPECTED_CASH_BY_WEEK,)
