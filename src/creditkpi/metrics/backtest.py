"""Backtest of the collection forecast: forecasts made at past origins beside the actual cash.

Depends only on :mod:`creditkpi.core` (the forecast of each method is
:func:`creditkpi.core.forecasting.expected`, the one
:func:`creditkpi.collection_forecast` makes). Not a KPI: a check of the
forecast (WAPE, bias, MAPE). See the *Collection forecast* page of the
documentation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import as_dates, check_money, check_option, check_whole
from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.expected_cash import history_at, history_groupings, horizon_offsets
from creditkpi.core.forecasting import (
    METHODS,
    BalanceSweep,
    Method,
    actual_cash,
    check_fallback,
    expected,
    warn_incomplete,
    window_dates,
)
from creditkpi.core.groups import group_codes
from creditkpi.core.ledger import Ledger
from creditkpi.core.period import to_day
from creditkpi.core.ratios import ratio
from creditkpi.core.shapes import Money, money_values

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["ForecastBacktest", "backtest_forecast"]

IntArray = npt.NDArray[np.int64]


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

    def plot(
        self, path: Path | str | None = None, *, ax: Axes | None = None, **options: Any
    ) -> Axes:
        """Forecast vs actual cash per origin (needs the ``charts`` extra).

        Parameters
        ----------
        path : path, optional
            Also write the figure as a PNG file there.
        ax : matplotlib.axes.Axes, optional
            Draw on these axes (a subplot of a figure of yours); default: a
            new figure.
        **options
            Passed to :func:`creditkpi.plotting.backtest_chart`
            (``steps``, ``title``, ``dpi``, ...).

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
        from creditkpi.plotting import backtest_chart

        options.setdefault("money_format", Formatter(self.currency).compact_axis())
        drawn: Axes = backtest_chart(self.detail, path, currency=self.currency, ax=ax, **options)
        return drawn


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
    order = _origins(origins)
    wanted = _methods(methods)
    check_money(money)
    history = check_whole("min_history", min_history, unit="settled invoices")
    assert history is not None
    segment = check_fallback(ledger, fallback)
    detail_rows, total_rows = _forecasts(ledger, order, horizon, freq, wanted, history, segment)
    warn_incomplete(ledger, order, horizon, freq)
    detail = pd.DataFrame(detail_rows).set_index(["origin", "method", "step"])
    totals = pd.DataFrame(total_rows).set_index(["origin", "method"])
    summary, overall = _scores(detail, wanted)
    digits = ledger.digits
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


def _origins(origins: Sequence[date | str] | date | str) -> list[date]:
    """The origins, validated (at least one, each once), in increasing order."""
    try:
        dates, _ = as_dates(origins, name="origins")
    except InvalidOptionError as exc:
        if "empty" not in str(exc):
            raise
        raise InvalidOptionError(
            "backtest_forecast needs at least one origin", column="origins"
        ) from exc
    return sorted(dates)


def _methods(methods: Sequence[Method]) -> list[Method]:
    """The methods, validated (at least one, each once, in the order given)."""
    if isinstance(methods, str):
        methods = (methods,)  # type: ignore[assignment]
    wanted = list(dict.fromkeys(methods))
    if not wanted:
        raise InvalidOptionError("methods must name at least one method", column="methods")
    for m in wanted:
        check_option("method", m, METHODS)
    return wanted


def _forecasts(
    ledger: Ledger,
    order: list[date],
    horizon: str | int,
    freq: str | int,
    wanted: list[Method],
    history: int,
    segment: str,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The forecast of every method at every origin beside the actual cash (minor units)."""
    whole = group_codes(ledger, None)
    groupings = history_groupings(ledger, segment)
    sweep = BalanceSweep(ledger)
    detail_rows: list[dict[str, Any]] = []
    total_rows: list[dict[str, Any]] = []
    for when in order:
        day = to_day(when)
        balance = sweep.at(day)
        offsets = horizon_offsets(when, horizon, freq)
        actual = actual_cash(ledger, day, offsets, balance > 0)
        starts, ends = window_dates(when, offsets)
        # the survival tables at T, once for the methods that read history
        past = history_at(ledger, when, groupings) if set(wanted) - {"due_date"} else None
        for m in wanted:
            exp = expected(ledger, when, whole, offsets, m, history, segment, balance, past)
            for j in range(offsets.size - 1):
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
    return detail_rows, total_rows


def _scores(detail: pd.DataFrame, wanted: list[Method]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The errors per (method, step) and per method over every origin (minor units)."""
    summary_rows = []
    overall_rows = []
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
        f = rows["forecast"].to_numpy(dtype=np.int64)
        a = rows["actual"].to_numpy(dtype=np.int64)
        overall_rows.append(
            {"method": m, "forecast": int(f.sum()), "actual": int(a.sum()), **_errors(f, a)}
        )
    summary = pd.DataFrame(summary_rows).set_index(["method", "step"])
    overall = pd.DataFrame(overall_rows).set_index("method")
    return summary, overall
