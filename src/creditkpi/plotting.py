"""Charts of plain tables: aged balance, DSO / CEI trend, cohorts, time to pay, forecast.

A leaf: this module imports nothing else of creditkpi. The results' ``plot``
methods (:meth:`creditkpi.TimeToPay.plot`, :meth:`creditkpi.CollectionForecast.plot`,
:meth:`creditkpi.ForecastBacktest.plot`) and the dashboard's charts
(:mod:`creditkpi.dashboard.charts`) call down into it.

matplotlib is an optional dependency (``pip install 'creditkpi[charts]'``); it
is imported only when a chart is drawn, and a missing install raises
:class:`ChartsUnavailableError` (an :class:`ImportError`) saying what to
install. The charts are drawn on :class:`matplotlib.figure.Figure` objects
directly (no ``pyplot``, no global state, no display needed): they work the
same in a notebook, a server or a CI job.

Every function takes plain tables, so the charts can also be drawn from
tables you built yourself:

* :func:`aging_chart` -- an aged-balance table (``amount``, ``share``
  [``previous_amount``]) as grouped bars with the share of each bucket;
* :func:`trend_chart` -- a period-indexed table (``dso``, ``countback_dso``
  [``best_possible_dso``], ``cei``) as two panels: days and CEI in percent;
* :func:`cohort_chart` -- a cohort × age table of fractions as a heat map;
* :func:`survival_chart` -- time-to-pay curves (share not yet settled by
  day, with their confidence band), one per group;
* :func:`forecast_chart`, :func:`backtest_chart` -- the collection forecast
  per window, and forecast against actual cash per origin.

:func:`survival_chart`, :func:`forecast_chart` and :func:`backtest_chart`
return the :class:`matplotlib.axes.Axes` they drew on, as pandas' ``plot``
does, and take ``ax=`` to draw on axes of yours (a subplot of a larger
figure); the others write a PNG file (the dashboard's charts).

Values stay what the library returns (fractions, days, ``Decimal``); the
percent axes and labels are presentation only.
"""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "ChartsUnavailableError",
    "aging_chart",
    "backtest_chart",
    "cohort_chart",
    "figure_class",
    "forecast_chart",
    "survival_chart",
    "trend_chart",
]

_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF"}

# a sober palette, readable in print and by colour-blind readers (Okabe-Ito)
_CURRENT = "#0072B2"
_PREVIOUS = "#A6BDD7"
_COUNTBACK = "#D55E00"
_BEST = "#009E73"
_CEI = "#CC79A7"
_GRID = "#DDDDDD"
_TEXT = "#333333"


class ChartsUnavailableError(ImportError):
    """matplotlib is not installed: ``pip install 'creditkpi[charts]'``."""


def figure_class() -> Any:
    """The :class:`matplotlib.figure.Figure` class, imported lazily.

    Raises
    ------
    ChartsUnavailableError
        If matplotlib is not installed (call it first to say so before any work).
    """
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ChartsUnavailableError(
            "charts need matplotlib, which is not installed: pip install 'creditkpi[charts]'"
        ) from exc
    return Figure


def _formatter(fn: Any) -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(fn)


def _to_float(values: Any) -> np.ndarray[Any, np.dtype[np.float64]]:
    out = []
    for v in values:
        if v is None:
            out.append(math.nan)
        elif isinstance(v, Decimal):
            out.append(float(v))
        else:
            try:
                out.append(float(v))
            except (TypeError, ValueError):
                out.append(math.nan)
    return np.asarray(out, dtype=np.float64)


def _money_label(value: float, symbol: str) -> str:
    """Compact money text: 1.2M€, 350k€, 950€."""
    a = abs(value)
    if a >= 1e6:
        text = f"{value / 1e6:,.1f}M"
    elif a >= 1e4:
        text = f"{value / 1e3:,.0f}k"
    elif a >= 1e3:
        text = f"{value / 1e3:,.1f}k"
    else:
        text = f"{value:,.0f}"
    return f"{text} {symbol}" if len(symbol) > 1 else f"{text}{symbol}"


def _money_axis(symbol: str) -> Any:
    """A tick formatter whose labels differ: as many decimals as the ticks need.

    ``_money_label`` rounds 1.20M and 1.25M both to "1.2M"; the axis labels
    take one more decimal (up to three) until every tick reads differently.
    """
    from matplotlib.ticker import Formatter

    class MoneyAxis(Formatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return _money_label(x, symbol)

        def format_ticks(self, values: Any) -> list[str]:
            return _money_ticks([float(v) for v in values], symbol)

    return MoneyAxis()


def _money_ticks(values: list[float], symbol: str) -> list[str]:
    """Labels of money ticks, in one unit, with the fewest decimals that tell them apart."""
    top = max((abs(v) for v in values), default=0.0)
    scale, unit = (1e6, "M") if top >= 1e6 else (1e3, "k") if top >= 1e4 else (1.0, "")
    labels: list[str] = []
    for decimals in range(4):
        labels = [f"{v / scale:,.{decimals}f}{unit}" for v in values]
        if len(set(labels)) == len(labels):
            break
    return [f"{text} {symbol}" if len(symbol) > 1 else f"{text}{symbol}" for text in labels]


def _symbol(currency: str) -> str:
    return _SYMBOLS.get(currency.upper(), currency.upper())


def _style(ax: Any) -> None:
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.spines["left"].set_color("#999999")
    ax.spines["bottom"].set_color("#999999")
    ax.tick_params(colors=_TEXT, labelsize=9)
    ax.yaxis.grid(True, color=_GRID, linewidth=0.8)
    ax.set_axisbelow(True)


def _canvas(ax: Any, size: tuple[float, float]) -> tuple[Any, Any, bool]:
    """The figure and axes to draw on: ``ax``'s, or a new figure (``True``: ours)."""
    if ax is not None:
        return ax.figure, ax, False
    fig = figure_class()(figsize=size, layout="constrained")
    return fig, fig.add_subplot(), True


def _headings(fig: Any, ax: Any, own: bool, heading: str, sub: str) -> None:
    """A title and a grey subtitle on our own figure; the title alone on the caller's axes."""
    if own:
        fig.suptitle(heading, fontsize=13, fontweight="bold", color=_TEXT)
        ax.set_title(sub, fontsize=9, color="#666666")
    else:
        ax.set_title(heading, fontsize=11, color=_TEXT)


def _save(fig: Any, path: Path | str, dpi: int) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, dpi=dpi, facecolor="white")
    return target


def aging_chart(
    aging: pd.DataFrame,
    path: Path | str,
    *,
    currency: str = "EUR",
    as_of: object = None,
    previous_as_of: object = None,
    title: str | None = None,
    dpi: int = 150,
) -> Path:
    """Aged balance as bars, with each bucket's share of receivables.

    Parameters
    ----------
    aging : DataFrame
        Indexed by bucket (``not due``, ``1-30``, ...); column ``amount``
        (``Decimal`` or numbers) and optionally ``share`` (fraction of the
        receivables) and ``previous_amount`` (drawn as lighter bars beside).
        A row named ``unapplied`` (unapplied cash) is left out of the bars
        and mentioned in the subtitle.
    path : path
        PNG file to write (folders are created).
    currency : str, default "EUR"
        Currency code for the axis.
    as_of, previous_as_of : date or str, optional
        Shown in the title and the legend.
    title : str, optional
        Replaces the default title.
    dpi : int, default 150

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ChartsUnavailableError
        If matplotlib is not installed.
    """
    Figure = figure_class()
    symbol = _symbol(currency)
    table = aging.copy()
    unapplied = None
    if "unapplied" in table.index:
        unapplied = _to_float([table.loc["unapplied", "amount"]])[0]
        table = table.drop(index="unapplied")
    labels = [str(b) for b in table.index]
    current = _to_float(table["amount"])
    share = _to_float(table["share"]) if "share" in table.columns else None
    previous = _to_float(table["previous_amount"]) if "previous_amount" in table.columns else None

    fig = Figure(figsize=(9, 5.2), layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(labels), dtype=np.float64)
    width = 0.38 if previous is not None else 0.6
    cur_label = f"at {as_of}" if as_of is not None else "current"
    if previous is not None:
        prev_label = f"at {previous_as_of}" if previous_as_of is not None else "previous"
        ax.bar(x - width / 2, previous, width, color=_PREVIOUS, label=prev_label)
        bars = ax.bar(x + width / 2, current, width, color=_CURRENT, label=cur_label)
    else:
        bars = ax.bar(x, current, width, color=_CURRENT, label=cur_label)
    top = np.nanmax(np.concatenate([current, previous if previous is not None else current]))
    top = top if np.isfinite(top) and top > 0 else 100.0  # an empty book: a sane axis
    for k, rect in enumerate(bars):
        value = current[k]
        if not np.isfinite(value):
            continue
        text = _money_label(value, symbol)
        if share is not None and np.isfinite(share[k]):
            text += f"\n{share[k]:.1%}"
        ax.annotate(
            text,
            (rect.get_x() + rect.get_width() / 2, max(value, 0.0)),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8.5,
            color=_TEXT,
        )
    ax.set_ylim(0, top * 1.22)
    ax.set_xticks(x, labels)
    ax.set_xlabel("days past due", color=_TEXT)
    ax.set_ylabel(f"open balance ({currency})", color=_TEXT)
    ax.yaxis.set_major_formatter(_money_axis(symbol))
    _style(ax)
    ax.legend(frameon=False, loc="upper right")
    heading = title or ("Aged balance" + (f" at {as_of}" if as_of is not None else ""))
    fig.suptitle(heading, fontsize=13, fontweight="bold", color=_TEXT)
    total = float(np.nansum(current))
    sub = f"receivables {_money_label(total, symbol)}; labels: amount and share of receivables"
    if unapplied is not None and np.isfinite(unapplied) and unapplied != 0:
        sub += f"; unapplied cash {_money_label(unapplied, symbol)} not shown"
    ax.set_title(sub, fontsize=9, color="#666666")
    return _save(fig, path, dpi)


def trend_chart(
    trend: pd.DataFrame,
    path: Path | str,
    *,
    title: str | None = None,
    dpi: int = 150,
) -> Path:
    """DSO (standard, countback, best possible) and CEI over a series of periods.

    Parameters
    ----------
    trend : DataFrame
        Indexed by period label (oldest first); columns ``dso``,
        ``countback_dso`` and optionally ``best_possible_dso`` (days) and
        ``cei`` (fraction). Missing values (``nan``) leave gaps.
    path : path
        PNG file to write.
    title : str, optional
    dpi : int, default 150

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ChartsUnavailableError
        If matplotlib is not installed.
    """
    Figure = figure_class()
    labels = [str(p) for p in trend.index]
    x = np.arange(len(labels), dtype=np.float64)
    has_cei = "cei" in trend.columns
    fig = Figure(figsize=(9, 6.4 if has_cei else 4.6), layout="constrained")
    if has_cei:
        grid = fig.add_gridspec(2, 1, height_ratios=(3, 2))
        ax = fig.add_subplot(grid[0])
        ax2 = fig.add_subplot(grid[1], sharex=ax)
    else:
        ax = fig.add_subplot()
        ax2 = None
    series = [
        ("dso", "DSO, standard", _CURRENT, "-", "o"),
        ("countback_dso", "DSO, countback", _COUNTBACK, "-", "s"),
        ("best_possible_dso", "best possible DSO", _BEST, "--", None),
    ]
    ends: list[tuple[float, str]] = []
    finite_max = 0.0
    for column, label, color, style, marker in series:
        if column not in trend.columns:
            continue
        values = _to_float(trend[column])
        ax.plot(
            x, values, style, color=color, label=label, marker=marker, markersize=4, linewidth=2
        )
        if np.isfinite(values).any():
            finite_max = max(finite_max, float(np.nanmax(values)))
        if len(values) and np.isfinite(values[-1]):
            ends.append((float(values[-1]), color))
    top = max(finite_max * 1.12, 10.0)
    ax.set_ylim(0, top)
    # end-of-line labels, pushed apart so that close values stay readable
    gap = 0.06 * top
    placed: list[float] = []
    for value, color in sorted(ends):
        y = value if not placed else max(value, placed[-1] + gap)
        placed.append(y)
        ax.annotate(
            f"{value:.0f} d",
            (x[-1], value),
            xytext=(x[-1] + 0.25, y),
            textcoords="data",
            va="center",
            fontsize=8.5,
            color=color,
            fontweight="bold",
        )
    if len(x) > 1:  # the dashboard's own period, shaded
        for axis in (ax, ax2) if ax2 is not None else (ax,):
            axis.axvspan(x[-1] - 0.45, x[-1] + 0.45, color="#F2F2F2", zorder=0)
    ax.set_ylabel("days", color=_TEXT)
    ax.yaxis.set_major_formatter(_formatter(lambda v, _pos: f"{v:.0f} d"))
    _style(ax)
    ax.legend(frameon=False, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=3, fontsize=9)
    ax.set_xlim(-0.5, len(labels) - 0.5 + 0.8)
    if ax2 is not None:
        values = _to_float(trend["cei"])
        ax2.bar(x, values, 0.6, color=_CEI, alpha=0.85, label="CEI")
        for k, v in enumerate(values):
            if np.isfinite(v):
                ax2.annotate(
                    f"{v:.0%}",
                    (x[k], max(v, 0.0)),
                    xytext=(0, 2),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=7.5,
                    color=_TEXT,
                )
        finite = values[np.isfinite(values)]
        high = max(1.0, float(finite.max())) if finite.size else 1.0
        low = min(0.0, float(finite.min())) if finite.size else 0.0
        ax2.set_ylim(low, high * 1.15)
        ax2.yaxis.set_major_formatter(_formatter(lambda v, _pos: f"{v:.0%}"))
        ax2.set_ylabel("CEI", color=_TEXT)
        ax2.axhline(1.0, color="#999999", linewidth=0.8, linestyle=":")
        _style(ax2)
        ax2.set_title(
            "collection effectiveness index (higher is better, 100 % = all collectible collected)",
            fontsize=9,
            color="#666666",
            loc="left",
        )
        ax.tick_params(labelbottom=False)
        bottom = ax2
    else:
        bottom = ax
    bottom.set_xticks(x, labels, rotation=45, ha="right")
    ax.set_title(
        "days sales outstanding (lower is better)", fontsize=9, color="#666666", loc="left"
    )
    span = f"{labels[0]} to {labels[-1]}" if labels else ""
    fig.suptitle(title or f"DSO and CEI, {span}", fontsize=13, fontweight="bold", color=_TEXT)
    return _save(fig, path, dpi)


def cohort_chart(
    cohorts: pd.DataFrame,
    path: Path | str,
    *,
    max_cohorts: int = 12,
    max_age: int = 12,
    weight: str = "amount",
    title: str | None = None,
    dpi: int = 150,
) -> Path:
    """Cohort heat map: share of each issue month settled by age (months).

    Parameters
    ----------
    cohorts : DataFrame
        Cohort (rows, oldest first) × age (columns 0, 1, 2, ...) of
        fractions; missing cells (ages not reached yet) are left blank.
    path : path
        PNG file to write.
    max_cohorts : int, default 12
        Only the latest cohorts are drawn.
    max_age : int, default 12
        Only ages ``0 .. max_age`` are drawn.
    weight : str, default "amount"
        What the fractions weigh (for the subtitle).
    title : str, optional
    dpi : int, default 150

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ChartsUnavailableError
        If matplotlib is not installed.
    """
    Figure = figure_class()
    table = cohorts.iloc[-max_cohorts:]
    ages = [c for c in table.columns if 0 <= _age(c, -1) <= max_age]
    table = table.loc[:, ages]
    # ages no drawn cohort has reached yet are dropped (not drawn as an empty column)
    while ages and table[ages[-1]].isna().all():
        ages.pop()
    table = table.loc[:, ages]
    data = np.vstack([_to_float(table[c]) for c in ages]).T if ages else np.zeros((len(table), 0))
    masked = np.ma.masked_invalid(data)
    rows, cols = data.shape
    fig = Figure(figsize=(max(8.0, 0.62 * cols + 2.6), max(3.5, 0.42 * rows + 1.9)))
    fig.set_layout_engine("constrained")
    ax = fig.add_subplot()
    from matplotlib import colormaps

    cmap = colormaps["YlGnBu"].with_extremes(bad="white")
    image = ax.imshow(masked, cmap=cmap, vmin=0.0, vmax=1.0, aspect="auto")
    for r in range(rows):
        for c in range(cols):
            v = data[r, c]
            if np.isfinite(v):
                text = f"{v:.0%}"
                if text == "100%" and v < 1:
                    text = ">99%"  # not fully settled: do not print 100 %
                ax.text(
                    c,
                    r,
                    text,
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="white" if v > 0.6 else _TEXT,
                )
    ax.set_xticks(np.arange(cols), [str(_age(c)) for c in ages])
    ax.set_yticks(np.arange(rows), [str(i) for i in table.index])
    ax.set_xlabel("age (months after the issue month)", color=_TEXT)
    ax.set_ylabel("issue month (cohort)", color=_TEXT)
    ax.tick_params(length=0, labelsize=8.5, colors=_TEXT)
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    bar.ax.yaxis.set_major_formatter(_formatter(lambda v, _pos: f"{v:.0%}"))
    bar.ax.tick_params(labelsize=8)
    fig.suptitle(
        title or "Invoice cohorts: cumulative share settled",
        fontsize=13,
        fontweight="bold",
        color=_TEXT,
    )
    what = (
        "share of invoices fully settled"
        if weight == "count"
        else "share of invoiced amount settled (cash + credit notes)"
    )
    ax.set_title(f"{what}; blank: age not reached yet", fontsize=9, color="#666666")
    return _save(fig, path, dpi)


#: line colours of the survival curves (Okabe-Ito, then greys)
_CURVES = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999")


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
    figure_class()
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
        color = _CURVES[k % len(_CURVES)]
        x = np.concatenate([[days[0] - 1], days])
        y = np.concatenate([[1.0], _to_float(part["survival"])])
        below = np.flatnonzero(y <= 0.5)
        median = f"median {x[below[0]]:.0f} d" if below.size else "median undefined"
        ax.step(x, y, where="post", color=color, linewidth=2, label=f"{name} ({median})")
        if band and {"lower", "upper"} <= set(part.columns):
            low = np.concatenate([[1.0], _to_float(part["lower"])])
            high = np.concatenate([[1.0], _to_float(part["upper"])])
            ax.fill_between(x, low, high, step="post", color=color, alpha=0.15, linewidth=0)
    ax.axhline(0.5, color="#999999", linewidth=0.8, linestyle=":")
    if clock == "due":
        ax.axvline(0, color="#999999", linewidth=0.8)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(_formatter(lambda v, _pos: f"{v:.0%}"))
    what = "invoiced amount" if weight == "amount" else "invoices"
    ax.set_ylabel(f"share of {what} not yet settled", color=_TEXT)
    origin = "due date (negative: early)" if clock == "due" else "issue date"
    ax.set_xlabel(f"days since the {origin}", color=_TEXT)
    _style(ax)
    if names:
        ax.legend(frameon=False, loc="upper right", fontsize=9)
    heading = title or ("Time to pay" + (f" at {as_of}" if as_of is not None else ""))
    sub = "Kaplan-Meier estimate, open invoices censored at the as-of date"
    if band:
        sub += "; shaded: confidence band"
    _headings(fig, ax, own, heading, sub)
    if path is not None:
        _save(fig, path, dpi)
    return ax


def forecast_chart(
    windows: pd.DataFrame,
    path: Path | str | None = None,
    *,
    as_of: object = None,
    currency: str = "EUR",
    title: str | None = None,
    dpi: int = 150,
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
    figure_class()
    symbol = _symbol(currency)
    cash = _to_float(windows["expected_cash"])
    other = (
        _to_float(windows["expected_write_offs"])
        if "expected_write_offs" in windows.columns
        else np.zeros(cash.size)
    )
    labels = [pd.Timestamp(e).strftime("%d %b") for e in windows["end"]]
    x = np.arange(cash.size)
    fig, ax, own = _canvas(ax, (9, 4.8))
    ax.bar(x, cash, color=_CURRENT, label="expected cash")
    if other.any():
        ax.bar(x, other, bottom=cash, color=_COUNTBACK, label="expected write-offs (not cash)")
    ax.set_xticks(x, labels, rotation=45 if cash.size > 8 else 0, fontsize=8)
    ax.set_xlabel("window ending", color=_TEXT)
    ax.yaxis.set_major_formatter(_money_axis(symbol))
    ax.grid(axis="y", color=_GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    _style(ax)
    ax.legend(frameon=False, loc="upper right", fontsize=9)
    heading = title or ("Collection forecast" + (f" at {as_of}" if as_of is not None else ""))
    sub = f"open invoices only (no future invoicing); total {_money_label(cash.sum(), symbol)}"
    _headings(fig, ax, own, heading, sub)
    if path is not None:
        _save(fig, path, dpi)
    return ax


def backtest_chart(
    detail: pd.DataFrame,
    path: Path | str | None = None,
    *,
    steps: int | None = None,
    currency: str = "EUR",
    title: str | None = None,
    dpi: int = 150,
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
    figure_class()
    symbol = _symbol(currency)
    frame = detail
    if steps is not None:
        frame = frame[frame.index.get_level_values("step") <= steps]
    per = frame[["forecast", "actual"]].astype(np.float64).groupby(level=["origin", "method"]).sum()
    methods = list(dict.fromkeys(frame.index.get_level_values("method")))
    fig, ax, own = _canvas(ax, (9, 5.2))
    actual = per["actual"].groupby(level="origin").first()
    ax.plot(actual.index, actual.to_numpy(), color=_TEXT, linewidth=2.2, label="actual cash")
    palette = (_CURRENT, _COUNTBACK, _BEST, _CEI)
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
    ax.yaxis.set_major_formatter(_money_axis(symbol))
    ax.grid(axis="y", color=_GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_xlabel("forecast origin", color=_TEXT)
    for label in ax.get_xticklabels():
        label.set_rotation(30)
    _style(ax)
    ax.legend(frameon=False, fontsize=9)
    n_steps = int(frame.index.get_level_values("step").max()) if len(frame) else 0
    sub = (
        f"cash expected vs received over the first {n_steps} windows after each origin "
        "(forecast from data dated <= origin only)"
    )
    _headings(fig, ax, own, title or "Collection forecast backtest", sub)
    if path is not None:
        _save(fig, path, dpi)
    return ax


def _age(column: object, default: int = -1) -> int:
    try:
        return int(str(column))
    except ValueError:
        return default
