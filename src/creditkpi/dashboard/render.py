"""Renderings of a :class:`~creditkpi.dashboard.Dashboard`: plain text, rich tables, HTML.

Presentation only: the values stay fractions, days and ``Decimal``.
"""

from __future__ import annotations

import html
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Group

from creditkpi.core.money import minor_unit
from creditkpi.dashboard.model import (
    _GROUP_NUMBERS,
    Dashboard,
    Unit,
    _exact_money,
    _info,
    _is_money_column,
    _missing,
)
from creditkpi.registry import KPI

# ----------------------------------------------------------------------------------
# formatting (presentation only: the values stay fractions, days, Decimals)
# ----------------------------------------------------------------------------------

_STYLE = (
    "<style>.creditkpi-dashboard table{border-collapse:collapse;margin:0.5em 0 1em}"
    ".creditkpi-dashboard th,.creditkpi-dashboard td{padding:2px 10px;"
    "border-bottom:1px solid #ddd;text-align:left}"
    ".creditkpi-dashboard td.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".creditkpi-dashboard tr.section td{font-weight:bold;background:#f3f6fa}"
    ".creditkpi-dashboard .better{color:#1a7f37}.creditkpi-dashboard .worse{color:#cf222e}"
    ".creditkpi-dashboard .note{color:#666;font-size:90%}</style>"
)


def _unit_of(name: str, unit_text: str) -> Unit:
    info = _info(name)
    if info is not None:
        return info.unit
    if unit_text in ("days", "ratio", "count"):
        return unit_text  # type: ignore[return-value]
    return "money"


def _fmt(value: Any, unit: Unit, *, change: bool = False, digits: int = 2) -> str:
    """Text of a value: money ``1,234.50``, days ``45.3``, ratios ``48.12%``; nan ``n/a``."""
    if _missing(value):
        return "n/a"
    sign = "+" if change else ""
    if unit == "money":
        return f"{_exact_money(value, digits):{sign},}"
    if unit == "count":
        return f"{int(value):{sign},}"
    v = float(value)
    if unit == "days":
        return f"{v:{sign},.1f}"
    if unit == "ratio":
        return f"{v * 100:+.2f} pp" if change else f"{v:.2%}"
    return f"{v:{sign}.4f}"


def _direction(info: KPI | None, change: Any) -> str:
    if info is None or info.better is None or _missing(change):
        return ""
    c = float(change)
    if c == 0:
        return ""
    up_is_good = info.better == "higher"
    return "better" if (c > 0) == up_is_good else "worse"


def _cell(column: str, value: Any, digits: int = 2, money: bool = False) -> str:
    if _missing(value):
        return "n/a" if column in _GROUP_NUMBERS else ""
    if isinstance(value, Decimal) or money:
        return f"{_exact_money(value, digits):,}"
    if column.endswith("share") or column.endswith("rate"):
        return f"{float(value):.1%}"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):,.1f}"
    return str(value)


def _frame_rich(heading: str, frame: pd.DataFrame, digits: int, money_default: bool = False) -> Any:
    from rich import box
    from rich.table import Table

    table = Table(title=heading, title_style="bold", box=box.SIMPLE, pad_edge=False)
    table.add_column(str(frame.index.name or ""), no_wrap=True)
    for column in frame.columns:
        table.add_column(str(column).replace("_", " "), justify="right", no_wrap=True)
    if frame.empty:
        table.add_row("(none)", *[""] * len(frame.columns))
    for index, row in frame.iterrows():
        table.add_row(
            str(index),
            *[
                _cell(str(c), row[c], digits, _is_money_column(str(c), money_default))
                for c in frame.columns
            ],
        )
    return table


def _frame_html(frame: pd.DataFrame, digits: int, money_default: bool = False) -> str:
    head = f"<th>{html.escape(str(frame.index.name or ''))}</th>" + "".join(
        f"<th>{html.escape(str(c).replace('_', ' '))}</th>" for c in frame.columns
    )
    rows = []
    for index, row in frame.iterrows():
        cells = "".join(
            '<td class="num">'
            + html.escape(_cell(str(c), row[c], digits, _is_money_column(str(c), money_default)))
            + "</td>"
            for c in frame.columns
        )
        rows.append(f"<tr><td>{html.escape(str(index))}</td>{cells}</tr>")
    if not rows:
        rows.append(f'<tr><td colspan="{len(frame.columns) + 1}">(none)</td></tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def html_page(self: Dashboard, *, full: bool = False) -> str:
    """An HTML rendering: the KPI table, then the detail tables.

    Parameters
    ----------
    full : bool, default False
        A complete HTML document (with ``<html>``, a title and a small
        stylesheet) instead of a fragment for a notebook or a page.
    """
    digits = minor_unit(self.currency)
    parts = [
        f'<div class="creditkpi-dashboard">{_STYLE}',
        f"<h3>{html.escape(self.title)}</h3>",
    ]
    head = "".join(
        f"<th>{html.escape(h)}</th>"
        for h in ("KPI", str(self.period), str(self.previous_period), "change", "unit")
    )
    body: list[str] = []
    section = None
    for name, row in self.kpis.iterrows():
        info = _info(str(name))
        if info is not None and info.section != section:
            section = info.section
            body.append(f'<tr class="section"><td colspan="5">{html.escape(section)}</td></tr>')
        unit = _unit_of(str(name), str(row["unit"]))
        cls_ = _direction(info, row["change"])
        body.append(
            "<tr>"
            f'<td title="{html.escape(str(name))}">{html.escape(str(row["label"]))}</td>'
            f'<td class="num">{html.escape(_fmt(row["current"], unit, digits=digits))}</td>'
            f'<td class="num">{html.escape(_fmt(row["previous"], unit, digits=digits))}</td>'
            f'<td class="num {cls_}">{html.escape(_fmt(row["change"], unit, change=True, digits=digits))}</td>'
            f"<td>{html.escape(str(row['unit']))}</td>"
            "</tr>"
        )
    parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
    for heading, frame in self._tables():
        parts.append(f"<h4>{html.escape(heading)}</h4>")
        parts.append(_frame_html(frame, digits, heading.startswith("By ")))
    if self.undefined:
        parts.append(
            '<p class="note">n/a: undefined (zero denominator or no history): '
            f"{html.escape(', '.join(self.undefined))}</p>"
        )
    parts.append("</div>")
    fragment = "\n".join(parts)
    if not full:
        return fragment
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(self.title)}</title></head>\n<body>\n{fragment}\n</body></html>\n"
    )


def rich_group(self: Dashboard) -> Group:
    """A rich renderable: the KPI table and the detail tables."""
    digits = minor_unit(self.currency)
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=self.title,
        title_style="bold",
        box=box.SIMPLE_HEAVY,
        show_lines=False,
        pad_edge=False,
    )
    table.add_column("KPI", no_wrap=True)
    table.add_column(str(self.period), justify="right", no_wrap=True)
    table.add_column(str(self.previous_period), justify="right", no_wrap=True)
    table.add_column("change", justify="right", no_wrap=True)
    table.add_column("unit", style="dim", no_wrap=True)
    section = None
    for name, row in self.kpis.iterrows():
        info = _info(str(name))
        if info is not None and info.section != section:
            if section is not None:
                table.add_section()
            section = info.section
            table.add_row(Text(section, style="bold cyan"), "", "", "", "")
        unit = _unit_of(str(name), str(row["unit"]))
        direction = _direction(info, row["change"])
        style = {"better": "green", "worse": "red"}.get(direction, "")
        table.add_row(
            "  " + str(row["label"]),
            _fmt(row["current"], unit, digits=digits),
            Text(_fmt(row["previous"], unit, digits=digits), style="dim"),
            Text(_fmt(row["change"], unit, change=True, digits=digits), style=style),
            str(row["unit"]),
        )
    parts: list[Any] = [table]
    for heading, frame in self._tables():
        parts.append(_frame_rich(heading, frame, digits, heading.startswith("By ")))
    if self.undefined:
        parts.append(
            Text(
                "n/a = undefined (zero denominator or no history): " + ", ".join(self.undefined),
                style="dim",
            )
        )
    return Group(*parts)
