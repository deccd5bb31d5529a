"""Charts of a book's position: aged balance, trends (receivables, overdue, DSO, CEI), cohorts."""

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
    PREVIOUS,
    TEXT,
    MoneyFormat,
    age_of,
    figure_class,
    formatter,
    money_axis,
    money_label,
    save_figure,
    style_axes,
    symbol_of,
    to_float,
)

__all__ = ["aging_chart", "cohort_chart", "receivables_chart", "trend_chart"]


def aging_chart(
    aging: pd.DataFrame,
    path: Path | str,
    *,
    currency: str = "EUR",
    as_of: object = None,
    previous_as_of: object = None,
    title: str | None = None,
    dpi: int = 150,
    money_format: MoneyFormat | None = None,
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
    money_format : callable, optional
        ``money_format(value, decimals) -> text`` for the amounts (e.g.
        ``Formatter("USD", locale="en_US").compact_axis()`` of
        :mod:`creditkpi.core.formatting`: ``$1.2M``); default ``1.2M$``-style labels.

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
    symbol = symbol_of(currency)
    table = aging.copy()
    unapplied = None
    if "unapplied" in table.index:
        unapplied = to_float([table.loc["unapplied", "amount"]])[0]
        table = table.drop(index="unapplied")
    labels = [str(b) for b in table.index]
    current = to_float(table["amount"])
    share = to_float(table["share"]) if "share" in table.columns else None
    previous = to_float(table["previous_amount"]) if "previous_amount" in table.columns else None

    fig = Figure(figsize=(9, 5.2), layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(labels), dtype=np.float64)
    width = 0.38 if previous is not None else 0.6
    cur_label = f"at {as_of}" if as_of is not None else "current"
    if previous is not None:
        prev_label = f"at {previous_as_of}" if previous_as_of is not None else "previous"
        ax.bar(x - width / 2, previous, width, color=PREVIOUS, label=prev_label)
        bars = ax.bar(x + width / 2, current, width, color=CURRENT, label=cur_label)
    else:
        bars = ax.bar(x, current, width, color=CURRENT, label=cur_label)
    top = np.nanmax(np.concatenate([current, previous if previous is not None else current]))
    top = top if np.isfinite(top) and top > 0 else 100.0  # an empty book: a sane axis
    for k, rect in enumerate(bars):
        value = current[k]
        if not np.isfinite(value):
            continue
        text = money_label(value, symbol, money_format)
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
            color=TEXT,
        )
    ax.set_ylim(0, top * 1.22)
    ax.set_xticks(x, labels)
    ax.set_xlabel("days past due", color=TEXT)
    ax.set_ylabel(f"open balance ({currency})", color=TEXT)
    ax.yaxis.set_major_formatter(money_axis(symbol, money_format))
    style_axes(ax)
    ax.legend(frameon=False, loc="upper right")
    heading = title or ("Aged balance" + (f" at {as_of}" if as_of is not None else ""))
    fig.suptitle(heading, fontsize=13, fontweight="bold", color=TEXT)
    total = float(np.nansum(current))
    sub = f"receivables {money_label(total, symbol, money_format)}; labels: amount and share of receivables"
    if unapplied is not None and np.isfinite(unapplied) and unapplied != 0:
        sub += f"; unapplied cash {money_label(unapplied, symbol, money_format)} not shown"
    ax.set_title(sub, fontsize=9, color="#666666")
    return save_figure(fig, path, dpi)


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
        ("dso", "DSO, standard", CURRENT, "-", "o"),
        ("countback_dso", "DSO, countback", COUNTBACK, "-", "s"),
        ("best_possible_dso", "best possible DSO", BEST, "--", None),
    ]
    ends: list[tuple[float, str]] = []
    finite_max = 0.0
    for column, label, color, style, marker in series:
        if column not in trend.columns:
            continue
        values = to_float(trend[column])
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
    ax.set_ylabel("days", color=TEXT)
    ax.yaxis.set_major_formatter(formatter(lambda v, _pos: f"{v:.0f} d"))
    style_axes(ax)
    ax.legend(frameon=False, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=3, fontsize=9)
    ax.set_xlim(-0.5, len(labels) - 0.5 + 0.8)
    if ax2 is not None:
        values = to_float(trend["cei"])
        ax2.bar(x, values, 0.6, color=CEI, alpha=0.85, label="CEI")
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
                    color=TEXT,
                )
        finite = values[np.isfinite(values)]
        high = max(1.0, float(finite.max())) if finite.size else 1.0
        low = min(0.0, float(finite.min())) if finite.size else 0.0
        ax2.set_ylim(low, high * 1.15)
        ax2.yaxis.set_major_formatter(formatter(lambda v, _pos: f"{v:.0%}"))
        ax2.set_ylabel("CEI", color=TEXT)
        ax2.axhline(1.0, color="#999999", linewidth=0.8, linestyle=":")
        style_axes(ax2)
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
    fig.suptitle(title or f"DSO and CEI, {span}", fontsize=13, fontweight="bold", color=TEXT)
    return save_figure(fig, path, dpi)


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
    ages = [c for c in table.columns if 0 <= age_of(c, -1) <= max_age]
    table = table.loc[:, ages]
    # ages no drawn cohort has reached yet are dropped (not drawn as an empty column)
    while ages and table[ages[-1]].isna().all():
        ages.pop()
    table = table.loc[:, ages]
    data = np.vstack([to_float(table[c]) for c in ages]).T if ages else np.zeros((len(table), 0))
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
                    color="white" if v > 0.6 else TEXT,
                )
    ax.set_xticks(np.arange(cols), [str(age_of(c)) for c in ages])
    ax.set_yticks(np.arange(rows), [str(i) for i in table.index])
    ax.set_xlabel("age (months after the issue month)", color=TEXT)
    ax.set_ylabel("issue month (cohort)", color=TEXT)
    ax.tick_params(length=0, labelsize=8.5, colors=TEXT)
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    bar.ax.yaxis.set_major_formatter(formatter(lambda v, _pos: f"{v:.0%}"))
    bar.ax.tick_params(labelsize=8)
    fig.suptitle(
        title or "Invoice cohorts: cumulative share settled",
        fontsize=13,
        fontweight="bold",
        color=TEXT,
    )
    what = (
        "share of invoices fully settled"
        if weight == "count"
        else "share of invoiced amount settled (cash + credit notes)"
    )
    ax.set_title(f"{what}; blank: age not reached yet", fontsize=9, color="#666666")
    return save_figure(fig, path, dpi)


def receivables_chart(
    trend: pd.DataFrame,
    path: Path | str | None = None,
    *,
    currency: str = "EUR",
    title: str | None = None,
    dpi: int = 150,
    money_format: MoneyFormat | None = None,
) -> Any:
    """Receivables at each month's end as stacked bars: overdue below, not yet due above.

    Parameters
    ----------
    trend : DataFrame
        Indexed by period label (oldest first); columns ``receivables`` and
        ``overdue`` (money) and optionally ``overdue_rate`` (fraction),
        printed above each bar: the dashboard's ``trend``.
    path : path, optional
        Also write the figure there as a PNG file (folders are created).
    currency : str, default "EUR"
    title : str, optional
    dpi : int, default 150
    money_format : callable, optional
        As in :func:`aging_chart`.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ChartsUnavailableError
        If matplotlib is not installed.
    """
    Figure = figure_class()
    symbol = symbol_of(currency)
    labels = [str(p) for p in trend.index]
    x = np.arange(len(labels), dtype=np.float64)
    total = to_float(trend["receivables"])
    late = np.clip(to_float(trend["overdue"]), 0.0, None)
    current = np.clip(total - late, 0.0, None)
    fig = Figure(figsize=(9, 4.6), layout="constrained")
    ax = fig.add_subplot()
    if len(x) > 1:  # the dashboard's own period, shaded
        ax.axvspan(x[-1] - 0.45, x[-1] + 0.45, color="#F2F2F2", zorder=0)
    ax.bar(x, late, 0.6, color=COUNTBACK, label="overdue")
    ax.bar(x, current, 0.6, bottom=late, color=PREVIOUS, label="not yet due")
    if "overdue_rate" in trend.columns:
        for k, rate in enumerate(to_float(trend["overdue_rate"])):
            if np.isfinite(rate) and np.isfinite(total[k]):
                ax.annotate(f"{rate:.0%}", (x[k], max(total[k], 0.0)), xytext=(0, 2),
                            textcoords="offset points", ha="center", va="bottom",
                            fontsize=7.5, color=COUNTBACK)  # fmt: skip
    finite = total[np.isfinite(total)]
    top = float(finite.max()) if finite.size and finite.max() > 0 else 100.0
    ax.set_ylim(0, top * 1.15)
    ax.set_xticks(x, labels, rotation=45, ha="right")
    ax.yaxis.set_major_formatter(money_axis(symbol, money_format))
    ax.set_ylabel(f"receivables ({currency})", color=TEXT)
    style_axes(ax)
    ax.legend(frameon=False, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, fontsize=9)
    ax.set_title("at each month's end; above the bars: the overdue rate", fontsize=9,
                 color="#666666", loc="left")  # fmt: skip
    span = f"{labels[0]} to {labels[-1]}" if labels else ""
    fig.suptitle(title or f"Receivables and overdue, {span}", fontsize=13, fontweight="bold",
                 color=TEXT)  # fmt: skip
    if path is not None:
        save_figure(fig, path, dpi)
    return fig
