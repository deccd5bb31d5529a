"""PNG charts of a dashboard: aged balance, receivables and DSO / CEI trends, forecast, cohorts.

The drawing is :mod:`creditkpi.plotting`'s (charts of plain tables); this
module hands it a :class:`~creditkpi.dashboard.Dashboard`'s tables:

* :func:`plot_dashboard` -- the three charts of a dashboard, into a directory;
* :func:`chart_images` -- the same as PNG bytes in memory (what the HTML
  report embeds).

matplotlib is an optional dependency (``pip install matplotlib (the charts extra)``):
without it :class:`~creditkpi.plotting.ChartsUnavailableError` is raised.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from creditkpi.core.formatting import Formatter
from creditkpi.core.money import minor_unit
from creditkpi.plotting import (
    aging_chart,
    cohort_chart,
    figure_class,
    forecast_chart,
    receivables_chart,
    trend_chart,
)

if TYPE_CHECKING:  # pragma: no cover
    from creditkpi.dashboard.model import Dashboard

__all__ = ["FILES", "chart_images", "forecast_windows", "plot_dashboard"]

#: file names written by :func:`plot_dashboard`
FILES: Mapping[str, str] = {
    "aging": "aging.png",
    "receivables": "receivables_trend.png",
    "trend": "dso_cei_trend.png",
    "forecast": "forecast.png",
    "cohorts": "cohorts.png",
}


def _months_text(n: int) -> str:
    return "1 month" if n == 1 else f"{n} months"


def plot_dashboard(
    board: Dashboard, directory: Path | str, *, dpi: int = 150, locale: Any = None
) -> dict[str, Path]:
    """Write the dashboard's charts as PNG files into ``directory``.

    Parameters
    ----------
    board : Dashboard
    directory : path
        Created if missing.
    dpi : int, default 150
    locale : str, optional
        How the amounts read (``"en_US"``: ``$1.2M``; ``"fr_FR"``: ``1,2 M €``).

    Returns
    -------
    dict of str to Path
        ``{"aging": .../aging.png, "receivables": .../receivables_trend.png,
        "trend": .../dso_cei_trend.png, "forecast": .../forecast.png,
        "cohorts": .../cohorts.png}`` (the trends with a trend, the forecast
        with open invoices, the cohort map with cohorts).

    Raises
    ------
    ChartsUnavailableError
        If matplotlib is not installed.
    """
    figure_class()
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    money = Formatter(board.currency, locale=locale, digits=minor_unit(board.currency))
    axis = money.compact_axis()
    out: dict[str, Path] = {}
    out["aging"] = aging_chart(
        board.aging,
        folder / FILES["aging"],
        currency=board.currency,
        as_of=board.as_of,
        previous_as_of=board.previous_as_of,
        dpi=dpi,
        money_format=axis,
    )
    months = _months_text(len(board.trend))
    if len(board.trend) and "receivables" in board.trend.columns:
        out["receivables"] = folder / FILES["receivables"]
        receivables_chart(
            board.trend,
            out["receivables"],
            currency=board.currency,
            title=f"Receivables and overdue, {months} to {board.trend.index[-1]}",
            dpi=dpi,
            money_format=axis,
        )
    if len(board.trend):
        out["trend"] = trend_chart(
            board.trend,
            folder / FILES["trend"],
            title=f"DSO and CEI, {months} to {board.trend.index[-1]}",
            dpi=dpi,
        )
    weeks = forecast_windows(board)
    if weeks is not None:
        out["forecast"] = folder / FILES["forecast"]
        forecast_chart(
            weeks,
            out["forecast"],
            as_of=board.as_of,
            currency=board.currency,
            title=f"Collection forecast at {board.as_of}: the next 13 weeks",
            dpi=dpi,
            money_format=axis,
        )
    if board.cohorts.size:
        out["cohorts"] = cohort_chart(
            board.cohorts,
            folder / FILES["cohorts"],
            title=f"Invoice cohorts at {board.as_of}: cumulative share settled",
            dpi=dpi,
        )
    return out


def forecast_windows(board: Dashboard) -> pd.DataFrame | None:
    """The expected cash by week as forecast windows (``start``, ``end``, ``expected_cash``).

    ``None`` when the dashboard has none or expects nothing.
    """
    weeks = board.tables.get("expected_cash_by_week")
    if weeks is None or weeks.empty or not (weeks["expected_cash"].astype(float) != 0).any():
        return None
    steps = [int(w) for w in weeks.index]
    return pd.DataFrame(
        {
            "start": [board.as_of + timedelta(days=7 * (k - 1) + 1) for k in steps],
            "end": [board.as_of + timedelta(days=7 * k) for k in steps],
            "expected_cash": weeks["expected_cash"].to_numpy(),
        },
        index=pd.Index(steps, name="step"),
    )


def chart_images(board: Dashboard, *, dpi: int = 150, locale: Any = None) -> dict[str, bytes]:
    """The dashboard's charts as PNG images in memory (what the HTML report embeds).

    Parameters
    ----------
    board : Dashboard
    dpi : int, default 150
    locale : str, optional
        As in :func:`plot_dashboard`.

    Returns
    -------
    dict of str to bytes
        The PNG files of :func:`plot_dashboard`, keyed the same way
        (``"aging"``, ``"receivables"``, ``"trend"``, ``"forecast"``, ``"cohorts"``).

    Raises
    ------
    ChartsUnavailableError
        If matplotlib is not installed.
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="creditkpi-charts-") as folder:
        written = plot_dashboard(board, folder, dpi=dpi, locale=locale)
        return {name: path.read_bytes() for name, path in written.items()}
