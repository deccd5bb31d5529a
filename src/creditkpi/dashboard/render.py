"""Renderings of a :class:`~creditkpi.dashboard.Dashboard`: plain text, rich tables, HTML.

Presentation only: the values stay fractions, days and money.

Every label that comes from the data (customer ids, dispute reasons, dunning
statuses, group names, column names) is shown as text, never interpreted: in
rich renderables it is a :class:`rich.text.Text` (no markup parsing), with
its control characters made visible (:func:`~creditkpi.core.safe_text.printable`);
in HTML it is escaped as well.

The HTML page (:func:`html_page` with ``full=True``) is one self-contained
file: the charts are embedded as ``data:`` images, the stylesheet is inline,
there is no script and nothing is loaded from the network (a
Content-Security-Policy forbids it), it reads on a phone (tables scroll
sideways) and prints.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Group
    from rich.text import Text

    from creditkpi.dashboard.model import Dashboard

from creditkpi.core.money import minor_unit
from creditkpi.core.safe_text import printable
from creditkpi.core.shapes import Unit
from creditkpi.dashboard.cells import exact_money, missing
from creditkpi.registry import KPI, KPIS
from creditkpi.version import VERSION

# ----------------------------------------------------------------------------------
# formatting (presentation only: the values stay fractions, days, money)
# ----------------------------------------------------------------------------------

#: the chart images of the page, in order, with what they show (alt text)
_CHARTS = (
    ("aging", "Aged balance", "bars of the open balance per days-past-due bucket, now and before"),
    ("trend", "DSO and CEI trend", "lines of DSO (standard, countback, best possible) and CEI"),
    ("cohorts", "Invoice cohorts", "heat map of the share of each issue month settled by age"),
)

#: scoped stylesheet of the fragment (notebooks) and the page; readable on light
#: and dark notebook themes (translucent greys, inherited text colour)
_STYLE = """
.creditkpi-dashboard{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
 line-height:1.35;max-width:60rem}
.creditkpi-dashboard .table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch;
 margin:0.4em 0 1.2em}
.creditkpi-dashboard table{border-collapse:collapse;margin:0}
.creditkpi-dashboard th,.creditkpi-dashboard td{padding:3px 10px;text-align:left;
 border-bottom:1px solid rgba(127,127,127,0.3);vertical-align:top}
.creditkpi-dashboard th{font-weight:600;white-space:nowrap}
.creditkpi-dashboard td.num,.creditkpi-dashboard th.num{text-align:right;
 font-variant-numeric:tabular-nums;white-space:nowrap}
.creditkpi-dashboard tr.section td{font-weight:600;background:rgba(127,127,127,0.12)}
.creditkpi-dashboard tr.block td{font-style:italic;padding-left:0.8em}
.creditkpi-dashboard .better{color:#1a7f37}.creditkpi-dashboard .worse{color:#cf222e}
.creditkpi-dashboard .dim{opacity:0.75}
.creditkpi-dashboard .note{font-size:90%;opacity:0.85}
.creditkpi-dashboard .facts{margin:0.2em 0 0.8em;font-size:95%}
.creditkpi-dashboard ul.notes{margin:0.3em 0 1em;padding-left:1.3em}
"""

#: page-only rules: layout, phone widths, print
_PAGE_STYLE = """
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;padding:1rem 1.25rem 2rem;color:#1f2328;background:#fff}
.creditkpi-dashboard{margin:0 auto}
.creditkpi-dashboard h1{font-size:1.5rem;margin:0.2em 0 0.3em}
.creditkpi-dashboard h2{font-size:1.15rem;margin:1.4em 0 0.3em;
 border-bottom:2px solid rgba(127,127,127,0.25);padding-bottom:0.15em}
.creditkpi-dashboard h3{font-size:1rem;margin:1.1em 0 0.2em}
.creditkpi-dashboard dl.facts{display:grid;grid-template-columns:max-content 1fr;
 gap:0.15em 1em;margin:0.4em 0 1em}
.creditkpi-dashboard dl.facts dt{font-weight:600}
.creditkpi-dashboard dl.facts dd{margin:0}
.creditkpi-dashboard figure{margin:0.6em 0 1.2em}
.creditkpi-dashboard figure img{display:block;max-width:100%;height:auto;
 border:1px solid rgba(127,127,127,0.25)}
.creditkpi-dashboard footer{margin-top:2em;font-size:85%;opacity:0.8}
@media (max-width:600px){
 body{padding:0.5rem 0.4rem 1.5rem}
 .creditkpi-dashboard{font-size:15px}
 .creditkpi-dashboard table{font-size:13px}
 .creditkpi-dashboard th,.creditkpi-dashboard td{padding:3px 3px}
 .creditkpi-dashboard .unit{display:none}
 .creditkpi-dashboard dl.facts{grid-template-columns:1fr}
 .creditkpi-dashboard dl.facts dd{margin:0 0 0.4em}
}
@media print{
 @page{margin:14mm}
 body{padding:0;font-size:10pt}
 .creditkpi-dashboard{max-width:none}
 .creditkpi-dashboard .table-wrap{overflow:visible}
 .creditkpi-dashboard tr,.creditkpi-dashboard figure{break-inside:avoid}
 .creditkpi-dashboard h2,.creditkpi-dashboard h3{break-after:avoid}
 .creditkpi-dashboard figure img{max-width:16cm;border:none}
 .creditkpi-dashboard .better,.creditkpi-dashboard .worse{-webkit-print-color-adjust:exact;
  print-color-adjust:exact}
}
"""

#: nothing may be loaded: no script, no external style, font, image or frame
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def _unit_of(name: str, unit_text: str) -> Unit:
    info = KPIS.get(name)
    if info is not None:
        return info.unit
    if unit_text in ("days", "ratio", "count"):
        return unit_text  # type: ignore[return-value]
    return "money"


def _fmt(value: Any, unit: Unit, *, change: bool = False, digits: int = 2) -> str:
    """Text of a value: money ``1,234.50``, days ``45.3``, ratios ``48.12%``; nan ``n/a``.

    Money is shown exactly, with the currency's minor unit (``digits`` decimals).
    """
    if missing(value):
        return "n/a"
    sign = "+" if change else ""
    if unit == "money":
        return f"{exact_money(value, digits):{sign},}"
    if unit == "count":
        return f"{int(value):{sign},}"
    v = float(value)
    if unit == "days":
        return f"{v:{sign},.1f}"
    if unit == "ratio":
        return f"{v * 100:+.2f} pp" if change else f"{v:.2%}"
    return f"{v:{sign}.4f}"


def _direction(info: KPI | None, change: Any) -> str:
    if info is None or info.better is None or missing(change):
        return ""
    c = float(change)
    if c == 0:
        return ""
    up_is_good = info.better == "higher"
    return "better" if (c > 0) == up_is_good else "worse"


def _cell(column: str, value: Any, digits: int = 2, money: bool = False) -> str:
    if missing(value):
        return "n/a" if column in KPIS else ""
    if isinstance(value, Decimal) or money:
        return f"{exact_money(value, digits):,}"
    if column.endswith("share") or column.endswith("rate"):
        return f"{float(value):.1%}"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):,.1f}"
    return printable(value)


def _esc(value: object) -> str:
    """HTML text of a label from the data: control characters visible, then escaped."""
    return html.escape(printable(value))


def _text(value: object, style: str = "") -> Text:
    """A rich ``Text`` of a label from the data (never parsed as markup)."""
    from rich.text import Text

    return Text(printable(value), style=style)


def _notes(board: Dashboard) -> list[str]:
    """What a reader must know to read the figures right (plain text, one sentence each)."""
    notes = [
        note[0].upper() + note[1:] + ("" if note.endswith(".") else ".") for note in board.notes
    ]
    if board.undefined:
        notes.append(
            "n/a: undefined (zero denominator or no history): " + ", ".join(board.undefined) + "."
        )
    return notes


def _frame_rich(heading: str, frame: pd.DataFrame, digits: int, money: frozenset[str]) -> Any:
    from rich import box
    from rich.table import Table

    table = Table(title=_text(heading, "bold"), box=box.SIMPLE, pad_edge=False)
    table.add_column(_text(frame.index.name or ""), no_wrap=True)
    for column in frame.columns:
        table.add_column(_text(str(column).replace("_", " ")), justify="right", no_wrap=True)
    if frame.empty:
        table.add_row(_text("(none)"), *[""] * len(frame.columns))
    for index, row in frame.iterrows():
        table.add_row(
            _text(index),
            *[_text(_cell(str(c), row[c], digits, str(c) in money)) for c in frame.columns],
        )
    return table


def _frame_html(frame: pd.DataFrame, digits: int, money: frozenset[str]) -> str:
    head = f"<th>{_esc(frame.index.name or '')}</th>" + "".join(
        f'<th class="num">{_esc(str(c).replace("_", " "))}</th>' for c in frame.columns
    )
    rows = []
    for index, row in frame.iterrows():
        cells = "".join(
            '<td class="num">'
            + html.escape(_cell(str(c), row[c], digits, str(c) in money))
            + "</td>"
            for c in frame.columns
        )
        rows.append(f"<tr><td>{_esc(index)}</td>{cells}</tr>")
    if not rows:
        rows.append(f'<tr><td colspan="{len(frame.columns) + 1}">(none)</td></tr>')
    return (
        f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _kpi_table_html(board: Dashboard) -> str:
    digits = minor_unit(board.currency)
    head = (
        "<th>KPI</th>"
        f'<th class="num">{_esc(board.period)}</th>'
        f'<th class="num">{_esc(board.previous_period)}</th>'
        '<th class="num">change</th><th class="unit">unit</th>'
    )
    body: list[str] = []
    section, block = None, None
    for name, row in board.kpis.iterrows():
        info = KPIS.get(str(name))
        if info is not None and info.section != section:
            section, block = info.section, None
            body.append(f'<tr class="section"><td colspan="5">{_esc(section)}</td></tr>')
        if info is not None and info.block != block:
            block = info.block
            if block is not None:
                body.append(f'<tr class="block"><td colspan="5">{_esc(block)}</td></tr>')
        unit = _unit_of(str(name), str(row["unit"]))
        direction = _direction(info, row["change"])
        hint = f' title="{direction} than {_esc(board.previous_period)}"' if direction else ""
        body.append(
            "<tr>"
            f'<td title="{_esc(name)}">{_esc(row["label"])}</td>'
            f'<td class="num">{html.escape(_fmt(row["current"], unit, digits=digits))}</td>'
            f'<td class="num dim">{html.escape(_fmt(row["previous"], unit, digits=digits))}</td>'
            f'<td class="num {direction}"{hint}>'
            f"{html.escape(_fmt(row['change'], unit, change=True, digits=digits))}</td>"
            f'<td class="unit">{_esc(row["unit"])}</td>'
            "</tr>"
        )
    return (
        f'<div class="table-wrap"><table class="kpis"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _facts(board: Dashboard) -> list[tuple[str, str]]:
    """(what, value) lines of the page header, as plain text."""
    p, q = board.period, board.previous_period
    facts = [
        ("Period", f"{p} ({p.start} to {p.end}), snapshot as of {board.as_of}"),
        ("Compared with", f"{q} ({q.start} to {q.end}), snapshot as of {board.previous_as_of}"),
    ]
    if board.data_start is not None and board.data_end is not None:
        facts.append(
            (
                "Data",
                f"{board.data_start} to {board.data_end} (first and last invoice or settlement)",
            )
        )
    facts.append(("Currency", board.currency))
    if board.by is not None:
        facts.append(("Groups", f"by {board.by}"))
    return facts


def _charts_html(images: Mapping[str, bytes] | None, missing: str | None) -> str:
    if images is None:
        return f'<p class="note">Charts are not included: {html.escape(missing or "")}</p>'
    parts = []
    for key, title, what in _CHARTS:
        png = images.get(key)
        if png is None:
            continue
        data = base64.b64encode(png).decode("ascii")
        parts.append(
            f'<figure id="chart-{key}"><img src="data:image/png;base64,{data}" '
            f'alt="{html.escape(title)}: {html.escape(what)}">'
            "</figure>"
        )
    return "\n".join(parts) or '<p class="note">No chart: the dashboard has no data to draw.</p>'


def html_page(
    board: Dashboard,
    *,
    full: bool = False,
    charts: bool | None = None,
    images: Mapping[str, bytes] | None = None,
) -> str:
    """An HTML rendering: the KPI table, notes, charts (pages) and the detail tables.

    Parameters
    ----------
    board : Dashboard
    full : bool, default False
        A complete, self-contained HTML document (title, period, data range,
        notes, embedded charts, inline stylesheet, no script, no external
        request) instead of a fragment for a notebook or a page of yours.
    charts : bool, optional
        Embed the PNG charts (default: in a full page only). Without
        matplotlib the page says so and stays complete otherwise.
    images : mapping of str to bytes, optional
        Chart images already drawn (:func:`~creditkpi.dashboard.charts.chart_images`),
        so a caller that also writes them to files draws them once.
    """
    digits = minor_unit(board.currency)
    notes = _notes(board)
    parts = ['<div class="creditkpi-dashboard">']
    if full:
        parts.append(f"<header><h1>{_esc(f'Credit dashboard {board.period}')}</h1>")
        parts.append('<dl class="facts">')
        parts += [f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>" for k, v in _facts(board)]
        parts.append("</dl></header>")
    else:
        parts.append(f"<style>{_STYLE}</style>")
        parts.append(f"<h3>{_esc(board.title)}</h3>")
        if board.data_start is not None and board.data_end is not None:
            parts.append(
                f'<p class="facts">data: {_esc(board.data_start)} to {_esc(board.data_end)}</p>'
            )
    if notes:
        if full:
            parts.append("<section><h2>Notes</h2>")
        parts.append('<ul class="notes">' + "".join(f"<li>{_esc(n)}</li>" for n in notes))
        parts.append("</ul></section>" if full else "</ul>")
    if full:
        parts.append("<section><h2>Key indicators</h2>")
    parts.append(_kpi_table_html(board))
    parts.append(
        '<p class="note">change = current − previous (ratios in percentage points); '
        '<span class="better">green</span>: better, <span class="worse">red</span>: worse.</p>'
    )
    if full:
        parts.append("</section>")
    if charts if charts is not None else full:
        missing = None
        if images is None:
            from creditkpi.dashboard.charts import chart_images
            from creditkpi.plotting import ChartsUnavailableError

            try:
                images = chart_images(board)
            except ChartsUnavailableError:
                missing = "matplotlib is not installed (pip install 'creditkpi[charts]')."
        parts.append("<section><h2>Charts</h2>" if full else "<h4>Charts</h4>")
        parts.append(_charts_html(images, missing))
        if full:
            parts.append("</section>")
    if full:
        parts.append("<section><h2>Details</h2>")
    for heading, frame, money in board.table_views():
        parts.append(f"<h3>{_esc(heading)}</h3>" if full else f"<h4>{_esc(heading)}</h4>")
        parts.append(_frame_html(frame, digits, money))
    if full:
        parts.append("</section>")
        parts.append(
            f"<footer>Made with creditkpi {html.escape(VERSION)}. Money in "
            f"{_esc(board.currency)}, exact to the minor unit; ratios in percent; "
            "days in calendar days. n/a = undefined.</footer>"
        )
    parts.append("</div>")
    fragment = "\n".join(parts)
    if not full:
        return fragment
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        f'<meta name="generator" content="creditkpi {html.escape(VERSION)}">\n'
        f"<title>{_esc(board.title)}</title>\n"
        f"<style>{_STYLE}{_PAGE_STYLE}</style>\n</head>\n<body>\n{fragment}\n</body>\n</html>\n"
    )


def rich_group(self: Dashboard) -> Group:
    """A rich renderable: the KPI table, the notes and the detail tables."""
    digits = minor_unit(self.currency)
    from rich import box
    from rich.console import Group
    from rich.table import Table

    table = Table(
        title=_text(self.title, "bold"),
        box=box.SIMPLE_HEAVY,
        show_lines=False,
        pad_edge=False,
    )
    table.add_column("KPI", no_wrap=True)
    table.add_column(_text(self.period), justify="right", no_wrap=True)
    table.add_column(_text(self.previous_period), justify="right", no_wrap=True)
    table.add_column("change", justify="right", no_wrap=True)
    table.add_column("unit", style="dim", no_wrap=True)
    section, block = None, None
    for name, row in self.kpis.iterrows():
        info = KPIS.get(str(name))
        if info is not None and info.section != section:
            if section is not None:
                table.add_section()
            section, block = info.section, None
            table.add_row(_text(section, "bold cyan"), "", "", "", "")
        if info is not None and info.block != block:
            block = info.block
            if block is not None:
                table.add_row(_text(" " + block, "italic cyan"), "", "", "", "")
        unit = _unit_of(str(name), str(row["unit"]))
        direction = _direction(info, row["change"])
        style = {"better": "green", "worse": "red"}.get(direction, "")
        table.add_row(
            _text("  " + str(row["label"])),
            _text(_fmt(row["current"], unit, digits=digits)),
            _text(_fmt(row["previous"], unit, digits=digits), "dim"),
            _text(_fmt(row["change"], unit, change=True, digits=digits), style),
            _text(row["unit"]),
        )
    parts: list[Any] = [table]
    for heading, frame, money in self.table_views():
        parts.append(_frame_rich(heading, frame, digits, money))
    for note in _notes(self):
        parts.append(_text(note, "dim"))
    return Group(*parts)
