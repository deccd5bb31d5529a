"""What the charts share: matplotlib imported lazily, the palette, money axes, saving.

A leaf like the rest of :mod:`creditkpi.plotting`: it imports nothing of creditkpi.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "BEST",
    "CEI",
    "COUNTBACK",
    "CURRENT",
    "CURVES",
    "GRID",
    "PREVIOUS",
    "SYMBOLS",
    "TEXT",
    "ChartsUnavailableError",
    "MoneyFormat",
    "age_of",
    "figure_class",
    "formatter",
    "money_axis",
    "money_label",
    "money_ticks",
    "save_figure",
    "style_axes",
    "symbol_of",
    "to_float",
]

#: how a chart writes an amount: ``money_format(value, decimals) -> text`` (``$1.2M``);
#: :meth:`creditkpi.core.formatting.Formatter.compact_axis` gives one for a currency and a locale
MoneyFormat = Callable[[float, int], str]

#: currency symbols of the default labels (without a ``money_format``)
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF"}

# a sober palette, readable in print and by colour-blind readers (Okabe-Ito)
CURRENT = "#0072B2"
PREVIOUS = "#A6BDD7"
COUNTBACK = "#D55E00"
BEST = "#009E73"
CEI = "#CC79A7"
GRID = "#DDDDDD"
TEXT = "#333333"


class ChartsUnavailableError(ImportError):
    """matplotlib is not installed: ``pip install matplotlib (the charts extra)``."""


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
            "charts need matplotlib, which is not installed: pip install matplotlib (the charts extra)"
        ) from exc
    return Figure


def formatter(fn: Any) -> Any:
    """A matplotlib tick formatter calling ``fn(value, position)``."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(fn)


def to_float(values: Any) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Values (Decimal, numbers, None, text) as floats; ``nan`` for what is not a number."""
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


def money_label(value: float, symbol: str, money_format: MoneyFormat | None = None) -> str:
    """Compact money text: 1.2M€, 350k€, 950€ (``money_format(value, 1)`` when given)."""
    if money_format is not None:
        return money_format(value, 1)
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


def money_axis(symbol: str, money_format: MoneyFormat | None = None) -> Any:
    """A tick formatter whose labels differ: as many decimals as the ticks need.

    ``money_label`` rounds 1.20M and 1.25M both to "1.2M"; the axis labels
    take one more decimal (up to three) until every tick reads differently.
    """
    from matplotlib.ticker import Formatter

    class MoneyAxis(Formatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return money_label(x, symbol, money_format)

        def format_ticks(self, values: Any) -> list[str]:
            return money_ticks([float(v) for v in values], symbol, money_format)

    return MoneyAxis()


def money_ticks(
    values: list[float], symbol: str, money_format: MoneyFormat | None = None
) -> list[str]:
    """Labels of money ticks, in one unit, with the fewest decimals that tell them apart.

    With ``money_format`` (which drops trailing zeros, as Babel's compact
    amounts do): the fewest decimals, up to three, after which more change
    nothing, so that no tick is rounded (``€1.5M``, never ``€2M``).
    """
    if money_format is not None:
        finest = [money_format(v, 3) for v in values]
        for decimals in range(3):
            texts = [money_format(v, decimals) for v in values]
            if texts == finest:
                return texts
        return finest
    top = max((abs(v) for v in values), default=0.0)
    scale, unit = (1e6, "M") if top >= 1e6 else (1e3, "k") if top >= 1e4 else (1.0, "")
    labels: list[str] = []
    for decimals in range(4):
        labels = [f"{v / scale:,.{decimals}f}{unit}" for v in values]
        if len(set(labels)) == len(labels):
            break
    return [f"{text} {symbol}" if len(symbol) > 1 else f"{text}{symbol}" for text in labels]


def symbol_of(currency: str) -> str:
    """The symbol of the default money labels (the code when there is none)."""
    return SYMBOLS.get(currency.upper(), currency.upper())


def style_axes(ax: Any) -> None:
    """The charts' sober style: no top or right spine, grey axes, a light grid."""
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.spines["left"].set_color("#999999")
    ax.spines["bottom"].set_color("#999999")
    ax.tick_params(colors=TEXT, labelsize=9)
    ax.yaxis.grid(True, color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)


def save_figure(fig: Any, path: Path | str, dpi: int) -> Path:
    """Write ``fig`` as a PNG file (folders created) and return its path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, dpi=dpi, facecolor="white")
    return target


#: line colours of the survival curves (Okabe-Ito, then greys)
CURVES = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999")


def age_of(column: object, default: int = -1) -> int:
    """A cohort column's age as an int (``default`` when it is not a number)."""
    try:
        return int(str(column))
    except ValueError:
        return default
