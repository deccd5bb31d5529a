"""PNG charts: files written, readable tables, a clear error without matplotlib."""

from __future__ import annotations

import math
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import creditkpi as ck  # noqa: E402
from creditkpi import plotting as charts  # noqa: E402
from creditkpi.dashboard import Dashboard  # noqa: E402
from creditkpi.plotting.base import money_axis, money_ticks  # noqa: E402
from tests.test_dashboard import LEDGER  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def board() -> Dashboard:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ck.dashboard(LEDGER, "2024-04")


def _check_png(path: Path) -> None:
    assert path.exists(), path
    assert path.stat().st_size > 5_000, (path, path.stat().st_size)
    assert path.read_bytes()[:8] == PNG


def test_plot_writes_the_charts(board: Dashboard, tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no matplotlib deprecation or layout warnings
        written = board.plot(tmp_path / "charts", locale="fr_FR")
    assert set(written) == {"aging", "receivables", "trend", "forecast", "cohorts"}
    assert written["aging"] == tmp_path / "charts" / "aging.png"
    assert written["trend"].name == "dso_cei_trend.png"
    assert written["receivables"].name == "receivables_trend.png"
    assert written["forecast"].name == "forecast.png"
    for path in written.values():
        _check_png(path)


def test_chart_functions_take_plain_tables(tmp_path: Path) -> None:
    aging = pd.DataFrame(
        {"amount": [1200.0, 300.0, 0.0], "share": [0.8, 0.2, 0.0]},
        index=pd.Index(["not due", "1-30", "31+"], name="bucket"),
    )
    _check_png(charts.aging_chart(aging, tmp_path / "a.png", currency="USD"))
    trend = pd.DataFrame(
        {"dso": [40.0, math.nan, 45.0], "countback_dso": [38.0, 41.0, 44.0]},
        index=["2024-01", "2024-02", "2024-03"],
    )
    _check_png(charts.trend_chart(trend, tmp_path / "t.png"))
    cohorts = pd.DataFrame(
        [[0.1, 0.6, 0.995], [0.2, 0.7, math.nan], [0.0, math.nan, math.nan]],
        index=["2024-01", "2024-02", "2024-03"],
        columns=[0, 1, 2],
    )
    _check_png(charts.cohort_chart(cohorts, tmp_path / "c.png", weight="count"))


def test_empty_book_still_draws(tmp_path: Path) -> None:
    # a period before the first invoice: nothing outstanding, no cohort yet
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        empty = ck.dashboard(LEDGER, "2023-06")
    written = empty.plot(tmp_path)
    assert "cohorts" not in written
    _check_png(written["aging"])


def test_missing_matplotlib_says_what_to_install(
    board: Dashboard, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(
        charts.ChartsUnavailableError, match=r"pip install matplotlib \(the charts extra\)"
    ):
        board.plot(tmp_path)
    assert issubclass(charts.ChartsUnavailableError, ImportError)
    assert not list(tmp_path.iterdir())


def test_money_axis_in_the_currency_and_the_locale() -> None:
    """With a formatter, the amounts read as Babel writes them: never ``6,000$``, never rounded."""
    from creditkpi.core.formatting import Formatter

    usd = Formatter("USD").compact_axis()
    assert money_ticks([0.0, 250.0, 500.0], "$", usd) == ["$0", "$250", "$500"]
    assert money_ticks([0.0, 5e5, 1e6, 1.5e6], "$", usd) == ["$0", "$500K", "$1M", "$1.5M"]
    eur = Formatter("EUR", locale="fr_FR").compact_axis()
    nbsp = "\xa0"
    assert money_ticks([1.2e6, 1.25e6], "€", eur) == [f"1,2{nbsp}M{nbsp}€", f"1,25{nbsp}M{nbsp}€"]


def test_money_axis_labels_tell_ticks_apart() -> None:
    # 1.20M and 1.25M both read "1.2M" with one decimal: the axis takes two
    assert money_ticks([1.2e6, 1.25e6, 1.3e6], "€") == ["1.20M€", "1.25M€", "1.30M€"]
    assert money_ticks([0.0, 5e5, 1e6, 1.5e6], "€") == ["0.0M€", "0.5M€", "1.0M€", "1.5M€"]
    assert money_ticks([0.0, 20_000.0, 40_000.0], "CHF") == ["0k CHF", "20k CHF", "40k CHF"]
    assert money_ticks([0.0, 250.0, 500.0], "$") == ["0$", "250$", "500$"]
    # on a drawn axis: every tick label differs
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.subplots()
    ax.plot([0, 1], [1_200_000, 1_300_000])
    ax.set_ylim(1_200_000, 1_300_000)
    ax.yaxis.set_major_formatter(money_axis("€"))
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert len(labels) >= 3 and len(set(labels)) == len(labels), labels
