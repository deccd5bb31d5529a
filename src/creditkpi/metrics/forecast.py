"""Collection forecast: expected cash from the open receivables, and its backtest.

Depends only on :mod:`creditkpi.core` (the curves and the kernel are
:mod:`creditkpi.core.expected_cash`'s). See the *Collection forecast* page of
the documentation.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import Money, as_dates, check_money, check_option, money_values
from creditkpi.core.errors import DataQualityWarning, InvalidOptionError
from creditkpi.core.expected_cash import (
    CUSTOMER,
    LEDGER,
    SEGMENT,
    expected_by_window,
    finish_parts,
    history_at,
    history_groupings,
    horizon_offsets,
    settled_counts,
    sum_by,
    survival_units,
)
from creditkpi.core.groups import Groups, group_codes
from creditkpi.core.ledger import PAYMENT, Ledger
from creditkpi.core.period import from_day, to_day
from creditkpi.core.ratios import ratio

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = [
    "METHODS",
    "CollectionForecast",
    "ForecastBacktest",
    "Method",
    "backtest_forecast",
    "collection_forecast",
    "formula_expected_in_window",
    "formula_forecast_next_4_weeks",
    "formula_forecast_next_13_weeks",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
#: per curve level, its groups and survival table (core.expected_cash.history_at)
History: TypeAlias = dict[int, tuple[Groups, Any]]

#: forecasting methods
Method: TypeAlias = Literal["survival", "average_delay", "due_date"]
METHODS: tuple[Method, ...] = ("survival", "average_delay", "due_date")

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


# ----------------------------------------------------------------------------------
# the forecast at one date, as integer arrays
# ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Expected:
    """Per group: cash and closures per window, beyond, and the balance per curve level."""

    cash: IntArray  # (groups, K)
    write_offs: IntArray  # (groups, K)
    beyond: IntArray  # (groups,)
    open_balance: IntArray  # (groups,)
    open_invoices: IntArray  # (groups,)
    by_level: IntArray  # (groups, 3): balance forecast from customer, segment, ledger history


def _check_fallback(ledger: Ledger, fallback: object) -> str:
    if fallback == "all":
        return "all"
    attributes = [a for a in ledger.attributes if a not in ("customer_id", "customer")]
    if not isinstance(fallback, str) or fallback not in attributes:
        allowed = ", ".join(repr(a) for a in ("all", *attributes))
        raise InvalidOptionError(
            f"fallback must be 'all' or an invoice attribute ({allowed}), got {fallback!r}",
            column="fallback",
        )
    return fallback


def _check_min_history(min_history: object) -> int:
    if (
        isinstance(min_history, bool)
        or not isinstance(min_history, (int, np.integer))
        or min_history < 0
    ):
        raise InvalidOptionError(
            f"min_history must be a whole number of settled invoices >= 0, got {min_history!r}",
            column="min_history",
        )
    return int(min_history)


def _survival(
    ledger: Ledger,
    when: date,
    groups: Groups,
    offsets: IntArray,
    min_history: int,
    fallback: str,
    balance: IntArray,
    history: History,
) -> _Expected:
    units, curves, _ = survival_units(
        ledger,
        when,
        groups,
        min_history=min_history,
        fallback=fallback,
        balance=balance,
        history=history,
    )
    cash, closed, beyond = expected_by_window(units, curves, offsets)
    size = groups.size
    by_level = np.zeros((size, 3), dtype=np.int64)
    np.add.at(by_level, (units.group, units.level), units.balance)
    return _Expected(
        cash=sum_by(units.group, cash, size),
        write_offs=sum_by(units.group, closed, size),
        beyond=sum_by(units.group, beyond, size),
        open_balance=sum_by(units.group, units.balance, size),
        open_invoices=sum_by(units.group, units.invoices, size),
        by_level=by_level,
    )


def _average_days_late(
    ledger: Ledger, day: int, min_history: int, history: History
) -> tuple[npt.NDArray[np.float64], IntArray, IntArray]:
    """Per invoice: the amount-weighted average days late of its curve's history at ``day``.

    Cash applied to invoices and dated ``<= day``: ``Σ amount × max(0, date -
    due) / Σ amount`` per customer, used when the customer has at least
    ``min_history`` invoices settled by cash by ``day``; else the segment's
    (``fallback``), else the whole ledger's (0 days when nothing was ever
    paid). Returns the average and the level and code of the history used.
    """
    c = ledger._cols
    hi = int(np.searchsorted(c.settlement_date, day, side="right"))
    inv = c.settlement_invoice[:hi]
    keep = (inv >= 0) & (c.settlement_kind[:hi] == PAYMENT)
    inv = inv[keep]
    amount = c.settlement_amount[:hi][keep].astype(np.float64)
    late = np.maximum(c.settlement_date[:hi][keep] - c.due[inv], 0).astype(np.float64)
    n = c.n_invoices
    average = np.zeros(n, dtype=np.float64)
    level = np.full(n, LEDGER, dtype=np.int64)
    code = np.zeros(n, dtype=np.int64)
    for lvl in (LEDGER, SEGMENT, CUSTOMER):
        if lvl not in history:
            continue
        groups, table = history[lvl]
        size = groups.size
        weight = np.bincount(groups.invoice[inv], weights=amount, minlength=size)
        total = np.bincount(groups.invoice[inv], weights=amount * late, minlength=size)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(weight > 0, total / np.where(weight > 0, weight, 1.0), 0.0)
        ok = (
            np.ones(size, dtype=bool)
            if lvl == LEDGER
            else settled_counts(table) >= max(min_history, 1)
        )
        use = ok[groups.invoice]
        average[use] = mean[groups.invoice][use]
        level[use] = lvl
        code[use] = groups.invoice[use]
    return average, level, code


def _baseline(
    ledger: Ledger,
    day: int,
    groups: Groups,
    offsets: IntArray,
    balance: IntArray,
    method: Method,
    min_history: int,
    history: History | None,
) -> _Expected:
    """Whole balances on one expected day: the due date, or due date + average days late."""
    c = ledger._cols
    open_ = np.flatnonzero(balance > 0)
    size, k = groups.size, offsets.size - 1
    by_level = np.zeros((size, 3), dtype=np.int64)
    group = groups.invoice[open_]
    amount = balance[open_]
    expected = c.due[open_].astype(np.int64)
    if method == "average_delay" and history is not None:
        average, level, _ = _average_days_late(ledger, day, min_history, history)
        expected = expected + np.rint(average[open_]).astype(np.int64)
        np.add.at(by_level, (group, level[open_]), amount)
    offset = np.maximum(expected - day, 1)  # already past: the first window
    window = np.searchsorted(offsets, offset, side="left") - 1  # (b_{k-1}, b_k]
    inside = window < k
    cash = np.zeros((size, k), dtype=np.int64)
    np.add.at(cash, (group[inside], window[inside]), amount[inside])
    return _Expected(
        cash=cash,
        write_offs=np.zeros((size, k), dtype=np.int64),
        beyond=sum_by(group[~inside], amount[~inside], size),
        open_balance=sum_by(group, amount, size),
        open_invoices=np.bincount(group, minlength=size).astype(np.int64),
        by_level=by_level,
    )


def _expected(
    ledger: Ledger,
    when: date,
    groups: Groups,
    offsets: IntArray,
    method: Method,
    min_history: int,
    fallback: str,
    balance: IntArray,
    history: History | None,
) -> _Expected:
    """The forecast of one method; ``history`` (:func:`history_at`) unless ``due_date``."""
    if method == "survival":
        assert history is not None
        return _survival(ledger, when, groups, offsets, min_history, fallback, balance, history)
    return _baseline(ledger, to_day(when), groups, offsets, balance, method, min_history, history)


def _issued_balances(ledger: Ledger, day: int) -> IntArray:
    """Every invoice's balance at ``day`` (0 for invoices issued later)."""
    from creditkpi.core.engine import settled_by

    c = ledger._cols
    return np.where(c.issue <= day, c.amount - settled_by(ledger, day), 0).astype(np.int64)


# ----------------------------------------------------------------------------------
# collection_forecast
# ----------------------------------------------------------------------------------


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
    by: str | None
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

    def plot(self, path: Path | str | None = None, **options: Any) -> Figure:
        """Bars of the expected cash per window (needs the ``charts`` extra).

        Parameters
        ----------
        path : path, optional
            Also write the figure as a PNG file there.
        **options
            Passed to :func:`creditkpi.plotting.forecast_chart`.

        Raises
        ------
        ChartsUnavailableError
            If matplotlib is not installed.
        """
        from creditkpi.plotting import forecast_chart

        figure: Figure = forecast_chart(
            self.total_windows, path, as_of=self.as_of, currency=self.currency, **options
        )
        return figure


def _window_dates(when: date, offsets: IntArray) -> tuple[list[pd.Timestamp], list[pd.Timestamp]]:
    starts = [pd.Timestamp(when + timedelta(days=int(o) + 1)) for o in offsets[:-1]]
    ends = [pd.Timestamp(when + timedelta(days=int(o))) for o in offsets[1:]]
    return starts, ends


def collection_forecast(
    ledger: Ledger,
    as_of: date | str,
    *,
    horizon: str | int = "13W",
    freq: str | int = "W",
    method: Method = "survival",
    by: str | None = None,
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
    by : str, optional
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
    >>> fc["within_horizon"], fc["beyond_horizon"], fc["open_balance"]
    (50.0, 150.0, 200.0)
    """
    dates, single = as_dates(as_of)
    if not single:
        raise InvalidOptionError(
            "collection_forecast takes one as-of date (backtest_forecast takes many origins)",
            column="as_of",
        )
    check_option("method", method, METHODS)
    check_money(money)
    history = _check_min_history(min_history)
    segment = _check_fallback(ledger, fallback)
    when = dates[0]
    offsets = horizon_offsets(when, horizon, freq)
    groups = group_codes(ledger, by)
    day = to_day(when)
    past = (
        None
        if method == "due_date"
        else history_at(ledger, when, history_groupings(ledger, segment))
    )
    exp = _expected(
        ledger,
        when,
        groups,
        offsets,
        method,
        history,
        segment,
        _issued_balances(ledger, day),
        past,
    )
    digits = ledger._cols.digits
    k = offsets.size - 1
    starts, ends = _window_dates(when, offsets)
    steps = np.arange(1, k + 1, dtype=np.int64)
    if by is None:
        index: pd.Index = pd.Index(steps, name="step")
        windows = pd.DataFrame(
            {
                "start": starts,
                "end": ends,
                "expected_cash": money_values(exp.cash[0], digits, money),
                "expected_write_offs": money_values(exp.write_offs[0], digits, money),
            },
            index=index,
        )
    else:
        index = pd.MultiIndex.from_product([list(groups.labels), steps], names=[by, "step"])
        windows = pd.DataFrame(
            {
                "start": starts * groups.size,
                "end": ends * groups.size,
                "expected_cash": money_values(exp.cash.reshape(-1), digits, money),
                "expected_write_offs": money_values(exp.write_offs.reshape(-1), digits, money),
            },
            index=index,
        )
    within = exp.cash.sum(axis=1)
    written = exp.write_offs.sum(axis=1)
    cents = {
        "open_balance": exp.open_balance,
        "within_horizon": within,
        "beyond_horizon": exp.beyond,
        "write_offs": written,
        "customer_history": exp.by_level[:, CUSTOMER],
        "segment_history": exp.by_level[:, SEGMENT],
        "ledger_history": exp.by_level[:, LEDGER],
    }
    values: dict[str, Any] = {
        name: money_values(cents[name], digits, money) for name in _MONEY_FIELDS
    }
    values["open_invoices"] = exp.open_invoices
    if by is None:
        summary: Any = pd.Series(
            {f: _plain(values[f][0]) for f in SUMMARY_FIELDS}, name=str(when), dtype=object
        )
    else:
        summary = pd.DataFrame(
            {f: values[f] for f in SUMMARY_FIELDS},
            index=pd.Index(list(groups.labels), name=by, dtype=object),
        )
    return CollectionForecast(
        windows=windows,
        summary=summary,
        as_of=when,
        horizon=horizon,
        freq=freq,
        method=method,
        by=by,
        currency=ledger.currency,
    )


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


# ----------------------------------------------------------------------------------
# backtest_forecast
# ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForecastBacktest:
    """Forecasts made at past origins beside the cash actually received.

    Attributes
    ----------
    detail : DataFrame
        Indexed by ``(origin, method, step)``: ``start``, ``end`` (the
        window's days), ``forecast`` (expected cash built from data dated
        ``<= origin`` only) and ``actual`` (cash payments dated in the
        window on the invoices open at the origin); money.
    totals : DataFrame
        Indexed by ``(origin, method)``: ``open_balance``,
        ``within_horizon``, ``beyond_horizon``, ``write_offs`` (the
        forecast's conservation: the three add up to the open balance) and
        ``actual`` (cash received within the horizon); money.
    summary : DataFrame
        Indexed by ``(method, step)``, over the origins: ``forecast`` and
        ``actual`` (sums, money), ``wape`` = Σ|actual - forecast| / Σ actual
        (lower is better, 0 = perfect), ``bias`` = Σ(forecast - actual) /
        Σ actual (0 = unbiased; > 0 forecasts too much), ``mape`` (mean of
        |actual - forecast| / actual over the origins where actual > 0;
        lower is better), ``mape_undefined`` (origins where actual = 0,
        left out of ``mape``) and ``origins``.
    overall : DataFrame
        Indexed by ``method``: the same over every (origin, step) cell.
    horizon, freq : str or int
    currency : str
    """

    detail: pd.DataFrame
    totals: pd.DataFrame
    summary: pd.DataFrame
    overall: pd.DataFrame
    horizon: str | int
    freq: str | int
    currency: str

    def __repr__(self) -> str:
        origins = self.totals.index.get_level_values("origin").unique()
        methods = list(self.overall.index)
        return (
            f"ForecastBacktest({len(origins)} origins, horizon={self.horizon!r}, "
            f"freq={self.freq!r}, methods={methods})"
        )

    def _repr_html_(self) -> str:
        html: str = self.overall._repr_html_()  # type: ignore[operator]
        return f"<p>{escape(repr(self))}</p>" + html

    def plot(self, path: Path | str | None = None, **options: Any) -> Figure:
        """Forecast vs actual cash per origin (needs the ``charts`` extra).

        Parameters
        ----------
        path : path, optional
            Also write the figure as a PNG file there.
        **options
            Passed to :func:`creditkpi.plotting.backtest_chart`
            (``steps``, ``title``, ``dpi``, ...).

        Raises
        ------
        ChartsUnavailableError
            If matplotlib is not installed.
        """
        from creditkpi.plotting import backtest_chart

        figure: Figure = backtest_chart(self.detail, path, currency=self.currency, **options)
        return figure


def _errors(forecast: IntArray, actual: IntArray) -> dict[str, float | int]:
    """WAPE, bias, MAPE and MAPE's undefined count over cells (int minor units)."""
    total = int(actual.sum())
    what = "forecast error (no cash received in the windows)"
    wape = ratio(int(np.abs(actual - forecast).sum()), total, what=f"WAPE: {what}")
    bias = ratio(int((forecast - actual).sum()), total, what=f"bias: {what}")
    defined = actual > 0
    if defined.any():
        each = [
            ratio(int(abs(a - f)), int(a), what="MAPE")
            for a, f in zip(actual[defined].tolist(), forecast[defined].tolist(), strict=True)
        ]
        mape = float(np.mean(each))
    else:
        mape = float("nan")
    return {
        "wape": wape,
        "bias": bias,
        "mape": mape,
        "mape_undefined": int((~defined).sum()),
    }


def backtest_forecast(
    ledger: Ledger,
    *,
    origins: Sequence[date | str] | date | str,
    horizon: str | int = "13W",
    freq: str | int = "W",
    methods: Sequence[Method] = METHODS,
    min_history: int = 20,
    fallback: str = "all",
    money: Money = "float",
) -> ForecastBacktest:
    """Forecast at each past origin from data dated ``<= origin`` only, beside the actual cash.

    Parameters
    ----------
    ledger : Ledger
    origins : date, str or sequence of them
        The forecast dates T (e.g. a year of weekly dates). At each one,
        the balances, the curves and the averages are rebuilt from
        settlements and invoices dated ``<= T``.
    horizon, freq : str or int, default "13W", "W"
        As :func:`collection_forecast`.
    methods : sequence of {"survival", "average_delay", "due_date"}
        Methods to compare (all three by default).
    min_history : int, default 20
    fallback : str, default "all"
        As :func:`collection_forecast`.
    money : {"float", "decimal"}, default "float"

    Returns
    -------
    ForecastBacktest
        ``.detail`` (forecast and actual per origin, method, window),
        ``.totals``, ``.summary`` (WAPE, bias, MAPE per method and horizon
        step), ``.overall`` (per method), ``.plot()``.

    Raises
    ------
    InvalidOptionError
        A bad option, no origin, or an unknown method.

    Warns
    -----
    UndefinedMetricWarning
        When no cash at all was received in some step's windows (WAPE and
        bias are ``nan`` there).
    DataQualityWarning
        When the horizon of some origin ends after the ledger's last dated
        invoice or settlement: the cash of those windows is not known yet.

    Notes
    -----
    **Actual** cash of a window: cash payments (not credit notes or
    write-offs) dated in it and applied to the invoices open at the origin;
    cash on invoices issued after the origin is not counted (future
    invoicing is out of scope). **Leakage**: the forecast at T reads only
    invoices issued ``<= T`` and settlements dated ``<= T``, so changing or
    adding anything dated after T leaves it unchanged. The balances are
    swept from one origin to the next (settlements between two origins are
    added once), not rebuilt from scratch. With ``A`` the actual and ``F``
    the forecast of the cells: ``WAPE = Σ|A - F| / ΣA``, ``bias = Σ(F - A) /
    ΣA``, ``MAPE = mean(|A - F| / A)`` over the cells with ``A > 0``.

    Examples
    --------
    >>> import warnings, creditkpi as ck
    >>> from creditkpi import datasets
    >>> ledger = datasets.sample()
    >>> origins = [f"2024-0{m}-01" for m in range(3, 7)]
    >>> bt = ck.backtest_forecast(ledger, origins=origins, horizon="4W")
    >>> bt.overall[["wape", "bias"]].round(3)
                    wape   bias
    method
    survival       0.179 -0.160
    average_delay  0.379 -0.081
    due_date       1.238  0.856
    >>> list(bt.overall.index)
    ['survival', 'average_delay', 'due_date']
    >>> list(bt.summary.columns)
    ['forecast', 'actual', 'wape', 'bias', 'mape', 'mape_undefined', 'origins']
    """
    raw = [origins] if isinstance(origins, (str, date)) else list(origins)
    if not raw:
        raise InvalidOptionError("backtest_forecast needs at least one origin", column="origins")
    dates = [as_dates(one)[0][0] for one in raw]
    repeated = sorted({d for d in dates if dates.count(d) > 1})
    if repeated:
        raise InvalidOptionError(
            f"origins lists {len(repeated)} date(s) more than once: give each origin once",
            column="origins",
            ids=[str(d) for d in repeated],
        )
    if isinstance(methods, str):
        methods = (methods,)  # type: ignore[assignment]
    wanted = list(dict.fromkeys(methods))
    if not wanted:
        raise InvalidOptionError("methods must name at least one method", column="methods")
    for m in wanted:
        check_option("method", m, METHODS)
    check_money(money)
    history = _check_min_history(min_history)
    segment = _check_fallback(ledger, fallback)
    c = ledger._cols
    digits = c.digits
    whole = group_codes(ledger, None)
    groupings = history_groupings(ledger, segment)
    order = sorted(set(dates))
    paid = np.zeros(c.n_invoices, dtype=np.int64)
    swept = 0  # settlements already added to ``paid``
    applied = c.settlement_invoice >= 0
    detail_rows: list[dict[str, Any]] = []
    total_rows: list[dict[str, Any]] = []
    for when in order:
        day = to_day(when)
        hi = int(np.searchsorted(c.settlement_date, day, side="right"))
        if hi > swept:
            new = slice(swept, hi)
            keep = applied[new]
            paid += c.bin_sum(
                c.settlement_invoice[new][keep], c.settlement_amount[new][keep], c.n_invoices
            )
            swept = hi
        balance = np.where(c.issue <= day, c.amount - paid, 0).astype(np.int64)
        offsets = horizon_offsets(when, horizon, freq)
        k = offsets.size - 1
        actual = _actual(ledger, day, offsets, balance > 0)
        starts, ends = _window_dates(when, offsets)
        # the survival tables at T, once for the methods that read history
        past = history_at(ledger, when, groupings) if set(wanted) - {"due_date"} else None
        for m in wanted:
            exp = _expected(ledger, when, whole, offsets, m, history, segment, balance, past)
            for j in range(k):
                detail_rows.append(
                    {
                        "origin": pd.Timestamp(when),
                        "method": m,
                        "step": j + 1,
                        "start": starts[j],
                        "end": ends[j],
                        "forecast": int(exp.cash[0, j]),
                        "actual": int(actual[j]),
                    }
                )
            total_rows.append(
                {
                    "origin": pd.Timestamp(when),
                    "method": m,
                    "open_balance": int(exp.open_balance[0]),
                    "within_horizon": int(exp.cash[0].sum()),
                    "beyond_horizon": int(exp.beyond[0]),
                    "write_offs": int(exp.write_offs[0].sum()),
                    "actual": int(actual.sum()),
                }
            )
    _warn_incomplete(ledger, order, horizon, freq)
    detail = pd.DataFrame(detail_rows).set_index(["origin", "method", "step"])
    totals = pd.DataFrame(total_rows).set_index(["origin", "method"])
    summary_rows = []
    for m in wanted:
        rows = detail.xs(m, level="method")
        for step, cells in rows.groupby(level="step", sort=True):
            f = cells["forecast"].to_numpy(dtype=np.int64)
            a = cells["actual"].to_numpy(dtype=np.int64)
            summary_rows.append(
                {
                    "method": m,
                    "step": int(step),  # type: ignore[arg-type]
                    "forecast": int(f.sum()),
                    "actual": int(a.sum()),
                    **_errors(f, a),
                    "origins": int(f.size),
                }
            )
    summary = pd.DataFrame(summary_rows).set_index(["method", "step"])
    overall_rows = []
    for m in wanted:
        rows = detail.xs(m, level="method")
        f = rows["forecast"].to_numpy(dtype=np.int64)
        a = rows["actual"].to_numpy(dtype=np.int64)
        overall_rows.append(
            {"method": m, "forecast": int(f.sum()), "actual": int(a.sum()), **_errors(f, a)}
        )
    overall = pd.DataFrame(overall_rows).set_index("method")
    for frame, columns in (
        (detail, ("forecast", "actual")),
        (totals, ("open_balance", "within_horizon", "beyond_horizon", "write_offs", "actual")),
        (summary, ("forecast", "actual")),
        (overall, ("forecast", "actual")),
    ):
        for column in columns:
            frame[column] = money_values(frame[column].to_numpy(dtype=np.int64), digits, money)
    summary = summary[["forecast", "actual", "wape", "bias", "mape", "mape_undefined", "origins"]]
    return ForecastBacktest(
        detail=detail,
        totals=totals,
        summary=summary,
        overall=overall,
        horizon=horizon,
        freq=freq,
        currency=ledger.currency,
    )


def _warn_incomplete(
    ledger: Ledger, origins: list[date], horizon: str | int, freq: str | int
) -> None:
    """Warn when some windows end after the ledger's last dated event (actuals incomplete)."""
    c = ledger._cols
    days = [int(c.settlement_date.max(initial=-(2**40))), int(c.issue.max(initial=-(2**40)))]
    last = max(days)
    late = [
        when
        for when in origins
        if to_day(when) + int(horizon_offsets(when, horizon, freq)[-1]) > last
    ]
    if late and last > -(2**40):
        warnings.warn(
            f"the horizon of {len(late)} of {len(origins)} origins (first: {late[0]}) ends after "
            f"the ledger's last dated event ({from_day(last)}): their actual cash is incomplete; "
            "choose origins at least one horizon before the end of the data",
            DataQualityWarning,
            stacklevel=3,
        )


def _actual(ledger: Ledger, day: int, offsets: IntArray, open_: BoolArray) -> IntArray:
    """Cash dated in each window after ``day`` on the invoices open at ``day``."""
    c = ledger._cols
    lo = int(np.searchsorted(c.settlement_date, day, side="right"))
    hi = int(np.searchsorted(c.settlement_date, day + int(offsets[-1]), side="right"))
    inv = c.settlement_invoice[lo:hi]
    keep = (inv >= 0) & (c.settlement_kind[lo:hi] == PAYMENT)
    keep[keep] = open_[inv[keep]]
    offset = c.settlement_date[lo:hi][keep] - day
    window = np.searchsorted(offsets, offset, side="left") - 1
    k = offsets.size - 1
    out = np.zeros(k, dtype=np.int64)
    np.add.at(out, window, c.settlement_amount[lo:hi][keep])
    return out


# ----------------------------------------------------------------------------------
# formulas
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


def formula_forecast_next_4_weeks(
    expected_cash: pd.DataFrame,
    fallback_balances: pd.DataFrame,
    survival: pd.DataFrame,
    *,
    groups: Sequence[object],
    digits: int = 2,
) -> IntArray:
    """Expected cash within 4 weeks per group (minor units), from the registry parts.

    The registry's finisher of ``forecast_next_4_weeks``: the cash of the
    customers with their own curve (already per week in
    ``expected_cash``), plus the balances that fall back to the ledger's
    curve, which is rebuilt from the combined survival table.
    """
    del digits
    return finish_parts(expected_cash, fallback_balances, survival, list(groups), 4)


def formula_forecast_next_13_weeks(
    expected_cash: pd.DataFrame,
    fallback_balances: pd.DataFrame,
    survival: pd.DataFrame,
    *,
    groups: Sequence[object],
    digits: int = 2,
) -> IntArray:
    """Expected cash within 13 weeks per group (minor units), from the registry parts."""
    del digits
    return finish_parts(expected_cash, fallback_balances, survival, list(groups), 13)
