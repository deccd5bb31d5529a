"""Charts of payments to come: time-to-pay curves, the collection forecast, its backtest.

Each returns the :class:`matplotlib.axes.Axes` it drew on, as pandas' ``plot``
does, and takes ``ax=`` to draw on axes of yours (a subplot of a larger
figure): then the title alone is set, on those axes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from creditkpi.plotting.base import (
    BEST,
    CEI,
    COUNTBACK,
    CURRENT,
    CURVES,
    GRID,
    TEXT,
    MoneyFormat,
    figure_class,
    formatter,
    money_axis,
    money_label,
    save_figure,
    style_axes,
    symbol_of,
    to_float,
)

__all__ = ["backtest_chart", "forecast_chart", "survival_chart"]


def _canvas(ax: Any, size: tuple[float, float]) -> tuple[Any, Any, bool]:
    """The figure and axes to draw on: ``ax``'s, or a new figure (``True``: ours)."""
    if ax is not None:
        return ax.figure, ax, False
    fig = figure_class()(figsize=size, layout="constrained")
    return fig, fig.add_subplot(), True


def _headings(fig: Any, ax: Any, own: bool, heading: str, sub: str) -> None:
    """A title and a grey subtitle on our own figure; the title alone on the caller's axes."""
    if own:
        fig.suptitle(heading, fontsize=13, fontweight="bold", color=TEXT)
        ax.set_title(sub, fontsize=9, color="#666666")
    else:
        ax.set_title(heading, fontsize=11, color=TEXT)


def survival_chart(
    curve: pd.DataFrame,
    path: Path | str | None = None,
    *,
    groups: list[Any] | None = None,
    band: bool = True,
    clock: str = "due",
    weight: str = "count",
    as_of: object = None,
    max_groups: int = 8,
    title: str | None = None,
    dpi: int = 150,
    ax: Any = None,
) -> Any:
    """Time-to-pay curves: the share not yet settled by day, one step line per group.

    Parameters
    ----------
    curve : DataFrame
        Indexed by ``(group, day)`` with columns ``survival`` and
        optionally ``lower``, ``upper`` (the band) and ``entered`` (the
        size of each group): the ``curve`` of ``ck.time_to_pay(...,
        by=...)``.
    path : path, optional
        Also write the figure there as a PNG file (folders are created).
    groups : list, optional
        The groups to draw (default: the ``max_groups`` largest).
    band : bool, default True
        Shade each curve's confidence band.
    clock : {"due", "issue"}, default "due"
        For the axis label (days since the due or the issue date).
    weight : {"count", "amount"}, default "count"
        For the axis label (share of invoices or of invoiced amount).
    as_of : date or str, optional
        Shown in the title.
    max_groups : int, default 8
    title : str, optional
    dpi : int, default 150

    ax : matplotlib.axes.Axes, optional
        Draw on these axes (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (``ax.figure`` is the figure, shown inline in a
        notebook).

    Raises
    ------
    ChartsUnavailableError
        If matplotlib is not installed.
    """
    figure_class()  # says how to install matplotlib before any work
    names = list(dict.fromkeys(curve.index.get_level_values(0)))
    if groups is None:
        if "entered" in curve.columns and len(names) > max_groups:
            size = curve["entered"].groupby(level=0, sort=False).sum()
            names = list(size.sort_values(ascending=False, kind="stable").index[:max_groups])
        else:
            names = names[:max_groups]
    else:
        names = list(groups)
    fig, ax, own = _canvas(ax, (9, 5.2))
    for k, name in enumerate(names):
        part = curve.xs(name, level=0)
        days = np.asarray(part.index, dtype=np.float64)
        if not days.size:
            continue
        color = CURVES[k % len(CURVES)]
        x = np.concatenate([[days[0] - 1], days])
        y = np.concatenate([[1.0], to_float(part["survival"])])
        below = np.flatnonzero(y <= 0.5)
        median = f"median {x[below[0]]:.0f} d" if below.size else "median undefined"
        ax.step(x, y, where="post", color=color, linewidth=2, label=f"{name} ({median})")
        if band and {"lower", "upper"} <= set(part.columns):
            low = np.concatenate([[1.0], to_float(part["lower"])])
            high = np.concatenate([[1.0], to_float(part["upper"])])
            ax.fill_between(x, low, high, step="post", color=color, alpha=0.15, linewidth=0)
    ax.axhline(0.5, color="#999999", linewidth=0.8, linestyle=":")
    if clock == "due":
        ax.axvline(0, color="#999999", linewidth=0.8)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(formatter(lambda v, _pos: f"{v:.0%}"))
    what = "invoiced amount" if weight == "amount" else "invoices"
    ax.set_ylabel(f"share of {what} not yet settled", color=TEXT)
    origin = "due date (negative: early)" if clock == "due" else "issue date"
    ax.set_xlabel(f"days since the {origin}", color=TEXT)
    style_axes(ax)
    if names:
        ax.legend(frameon=False, loc="upper right", fontsize=9)
    heading = title or ("Time to pay" + (f" at {as_of}" if as_of is not None else ""))
    sub = "Kaplan-Meier estimate, open invoices censored at the as-of date"
    if band:
        sub += "; shaded: confidence band"
    _headings(fig, ax, own, heading, sub)
    if path is not None:
        save_figure(fig, path, dpi)
    return ax


def forecast_chart(
    windows: pd.DataFrame,
    path: Path | str | None = None,
    *,
    as_of: object = None,
    currency: str = "EUR",
    title: str | None = None,
    dpi: int = 150,
    money_format: MoneyFormat | None = None,
    ax: Any = None,
) -> Any:
    """Expected cash per window: bars, with the expected write-offs stacked apart.

    Parameters
    ----------
    windows : DataFrame
        One row per window with ``end``, ``expected_cash`` and optionally
        ``expected_write_offs``: the ``windows`` of ``ck.collection_forecast``.
    path : path, optional
        Also write the figure there as a PNG file (folders are created).
    as_of : date or str, optional
        Shown in the title.
    currency : str, default "EUR"
    title : str, optional
    dpi : int, default 150
    money_format : callable, optional
        ``money_format(value, decimals) -> text`` for the amounts (e.g.
        ``Formatter("USD", locale="en_US").compact_axis()`` of
        :mod:`creditkpi.core.formatting`: ``$1.2M``); default ``1.2M$``-style labels.

    ax : matplotlib.axes.Axes, optional
        Draw on these axes (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ChartsUnavailableError
        If matplotlib is not installed.
    """
    figure_class()  # says how to install matplotlib before any work
    symbol = symbol_of(currency)
    cash = to_float(windows["expected_cash"])
    other = (
        to_float(windows["expected_write_offs"])
        if "expected_write_offs" in windows.columns
        else np.zeros(cash.size)
    )
    labels = [pd.Timestamp(e).strftime("%d %b") for e in windows["end"]]
    x = np.arange(cash.size)
    fig, ax, own = _canvas(ax, (9, 4.8))
    ax.bar(x, cash, color=CURRENT, label="expected cash")
    if other.any():
        ax.bar(x, other, bottom=cash, color=COUNTBACK, label="expected write-offs (not cash)")
    ax.set_xticks(x, labels, rotation=45 if cash.size > 8 else 0, fontsize=8)
    ax.set_xlabel("window ending", color=TEXT)
    ax.yaxis.set_major_formatter(money_axis(symbol, money_format))
    ax.grid(axis="y", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    style_axes(ax)
    ax.legend(frameon=False, loc="upper right", fontsize=9)
    heading = title or ("Collection forecast" + (f" at {as_of}" if as_of is not None else ""))
    total = money_label(cash.sum(), symbol, money_format)
    _headings(fig, ax, own, heading, f"open invoices only (no future invoicing); total {total}")
    if path is not None:
        save_figure(fig, path, dpi)
    return ax


def backtest_chart(
    detail: pd.DataFrame,
    path: Path | str | None = None,
    *,
    steps: int | None = None,
    currency: str = "EUR",
    title: str | None = None,
    dpi: int = 150,
    money_format: MoneyFormat | None = None,
    ax: Any = None,
) -> Any:
    """Forecast vs actual cash per origin: one line per method, the actual in black.

    Parameters
    ----------
    detail : DataFrame
        Indexed by ``(origin, method, step)`` with ``forecast`` and
        ``actual``: the ``detail`` of ``ck.backtest_forecast``.
    path : path, optional
        Also write the figure there as a PNG file (folders are created).
    steps : int, optional
        Sum the first ``steps`` windows of each origin (default: all of the
        horizon).
    currency : str, default "EUR"
    title : str, optional
    dpi : int, default 150
    money_format : callable, optional
        ``money_format(value, decimals) -> text`` for the amounts (e.g.
        ``Formatter("USD", locale="en_US").compact_axis()`` of
        :mod:`creditkpi.core.formatting`: ``$1.2M``); default ``1.2M$``-style labels.

    ax : matplotlib.axes.Axes, optional
        Draw on these axes (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ChartsUnavailableError
        If matplotlib is not installed.
    """
    figure_class()  # says how to install matplotlib before any work
    symbol = symbol_of(currency)
    frame = detail
    if steps is not None:
        frame = frame[frame.index.get_level_values("step") <= steps]
    per = frame[["forecast", "actual"]].astype(np.float64).groupby(level=["origin", "method"]).sum()
    methods = list(dict.fromkeys(frame.index.get_level_values("method")))
    fig, ax, own = _canvas(ax, (9, 5.2))
    actual = per["actual"].groupby(level="origin").first()
    ax.plot(actual.index, actual.to_numpy(), color=TEXT, linewidth=2.2, label="actual cash")
    palette = (CURRENT, COUNTBACK, BEST, CEI)
    for k, method in enumerate(methods):
        series = per["forecast"].xs(method, level="method")
        ax.plot(
            series.index,
            series.to_numpy(),
            color=palette[k % len(palette)],
            linewidth=1.6,
            linestyle="-" if k == 0 else "--",
            label=f"forecast: {method}",
        )
    ax.yaxis.set_major_formatter(money_axis(symbol, money_format))
    ax.grid(axis="y", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_xlabel("forecast origin", color=TEXT)
    for label in ax.get_xticklabels():
        label.set_rotation(30)
    style_axes(ax)
    ax.legend(frameon=False, fontsize=9)
    n_steps = int(frame.index.get_level_values("step").max()) if len(frame) else 0
    sub = (
        f"cash expected vs received over the first {n_steps} windows after each origin "
        "(forecast from data dated <= origin only)"
    )
    _headings(fig, ax, own, title or "Collection forecast backtest", sub)
    if path is not None:
        save_figure(fig, path, dpi)
    return ax
