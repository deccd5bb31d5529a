"""PNG charts of a dashboard: aged balance, DSO / CEI trend, cohort heat map.

The drawing is :mod:`creditkpi.plotting`'s (charts of plain tables); this
module hands it a :class:`~creditkpi.dashboard.Dashboard`'s tables:

* :func:`plot_dashboard` -- the three charts of a dashboard, into a directory;
* :func:`chart_images` -- the same as PNG bytes in memory (what the HTML
  report embeds).

matplotlib is an optional dependency (``pip install 'creditkpi[charts]'``):
without it :class:`~creditkpi.plotting.ChartsUnavailableError` is raised.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from creditkpi.plotting import aging_chart, cohort_chart, figure_class, trend_chart

if TYPE_CHECKING:  # pragma: no cover
    from creditkpi.dashboard.model import Dashboard

__all__ = ["FILES", "chart_images", "plot_dashboard"]

#: file names written by :func:`plot_dashboard`
FILES: Mapping[str, str] = {
    "aging": "aging.png",
    "trend": "dso_cei_trend.png",
    "cohorts": "cohorts.png",
}


def _months_text(n: int) -> str:
    return "1 month" if n == 1 else f"{n} months"


def plot_dashboard(board: Dashboard, directory: Path | str, *, dpi: int = 150) -> dict[str, Path]:
    """Write the dashboard's charts as PNG files into ``directory``.

    Parameters
    ----------
    board : Dashboard
    directory : path
        Created if missing.
    dpi : int, default 150

    Returns
    -------
    dict of str to Path
        ``{"aging": .../aging.png, "trend": .../dso_cei_trend.png,
        "cohorts": .../cohorts.png}`` (the cohort map only when the
        dashboard has cohorts).

    Raises
    ------
    ChartsUnavailableError
        If matplotlib is not installed.
    """
    figure_class()
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    out["aging"] = aging_chart(
        board.aging,
        folder / FILES["aging"],
        currency=board.currency,
        as_of=board.as_of,
        previous_as_of=board.previous_as_of,
        dpi=dpi,
    )
    if len(board.trend):
        out["trend"] = trend_chart(
            board.trend,
            folder / FILES["trend"],
            title=f"DSO and CEI, {_months_text(len(board.trend))} to {board.trend.index[-1]}",
            dpi=dpi,
        )
    if board.cohorts.size:
        out["cohorts"] = cohort_chart(
            board.cohorts,
            folder / FILES["cohorts"],
            title=f"Invoice cohorts at {board.as_of}: cumulative share settled",
            dpi=dpi,
        )
    return out


def chart_images(board: Dashboard, *, dpi: int = 150) -> dict[str, bytes]:
    """The dashboard's charts as PNG images in memory (what the HTML report embeds).

    Parameters
    ----------
    board : Dashboard
    dpi : int, default 150

    Returns
    -------
    dict of str to bytes
        The PNG files of :func:`plot_dashboard`, keyed the same way
        (``"aging"``, ``"trend"``, ``"cohorts"``).

    Raises
    ------
    ChartsUnavailableError
        If matplotlib is not installed.
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="creditkpi-charts-") as folder:
        written = plot_dashboard(board, folder, dpi=dpi)
        return {name: path.read_bytes() for name, path in written.items()}
