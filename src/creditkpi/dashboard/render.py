"""Renderings of a :class:`~creditkpi.dashboard.Dashboard`: plain text, rich tables, HTML.

Presentation only: the values stay fractions, days and money. Every figure
is written by one :class:`~creditkpi.core.formatting.Formatter` (Babel:
``$6,000.00``, ``6 000,00 €``), for the dashboard's currency and the
locale asked for; counts are whole numbers.

Every label that comes from the data (customer ids, dispute reasons, dunning
statuses, group names, column names) is shown as text, never interpreted: in
rich renderables it is a :class:`rich.text.Text` (no markup parsing), with
its control characters made visible (:func:`~creditkpi.core.safe_text.printable`);
in HTML it is escaped as well.

A detail table with nothing to show is left out, with one note saying why
(no "(none)" line); a table whose input the ledger lacks is left out under
the dashboard's note about that input. A table's heading is a line of its
own above it, so it wraps like a sentence at any width and never to one
word a line. The full HTML page is the credit pack (:mod:`~creditkpi.dashboard.pack`).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Group
    from rich.text import Text

    from creditkpi.dashboard.model import Dashboard

from creditkpi.core.formatting import Formatter
from creditkpi.core.money import minor_unit
from creditkpi.core.safe_text import printable
from creditkpi.dashboard.cells import missing
from creditkpi.dashboard.style import FRAGMENT
from creditkpi.dashboard.words import direction, summary_lines
from creditkpi.registry import KPIS, TABLES

__all__ = [
    "CHARTED",
    "CHARTS",
    "View",
    "cell_text",
    "chart_images_of",
    "charts_html",
    "esc",
    "figure_html",
    "formatter_of",
    "fragment_html",
    "frame_html",
    "kpi_columns",
    "reader_notes",
    "rich_group",
    "views",
]

#: detail tables drawn as charts in a page rather than tabled (the terminal tables them)
CHARTED = frozenset({"cohorts", "expected_cash_by_week"})

#: detail tables never tabled (a matrix too wide for a terminal or a page: drawn only)
DRAWN_ONLY = frozenset({"cohorts"})

#: count columns (whole numbers), besides integer columns
_COUNTS = ("count", "invoices")


def formatter_of(board: Dashboard, locale: Any = None) -> Formatter:
    """The formatter of a dashboard's figures: its currency, its minor unit, ``locale``."""
    return Formatter(board.currency, locale=locale, digits=minor_unit(board.currency))


def esc(value: object) -> str:
    """HTML text of a label from the data: control characters visible, then escaped."""
    return html.escape(printable(value))


def _text(value: object, style: str = "") -> Text:
    """A rich ``Text`` of a label from the data (never parsed as markup)."""
    from rich.text import Text

    return Text(printable(value), style=style)


def _header(column: object) -> str:
    return str(column).replace("_", " ")


def cell_text(fmt: Formatter, column: object, value: Any, money: bool = False) -> str:
    """A table cell: money, a KPI by its unit, shares and rates in percent, counts whole."""
    name = str(column)
    if missing(value):
        return "n/a" if name in KPIS else ""
    if money:
        return fmt.money(value)
    if name in KPIS:
        return fmt.value(value, KPIS[name].unit)
    if name.endswith("share"):
        return fmt.percent(value, decimals=1)
    if name.endswith(("rate", "coverage")):
        return fmt.percent(value, decimals=2)
    whole = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
    if whole or name.endswith(_COUNTS):
        return fmt.count(value)
    if isinstance(value, (float, np.floating)):
        return fmt.number(value, 1)
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return printable(value)


def _columns(frame: pd.DataFrame) -> list[list[Any]]:
    """The columns of a frame as lists (each keeps its own type: a count stays an int)."""
    return [frame[c].tolist() for c in frame.columns] if len(frame.columns) else []


def _rows(frame: pd.DataFrame) -> list[tuple[Any, list[Any]]]:
    columns = _columns(frame)
    return [(index, [col[k] for col in columns]) for k, index in enumerate(frame.index)]


# ----------------------------------------------------------------------------------
# what is shown: the detail tables, and why some are not
# ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """One detail table as shown: its name, heading, frame and money columns."""

    name: str
    heading: str
    frame: pd.DataFrame
    money: frozenset[str]


def _heading(board: Dashboard, name: str) -> str:
    table = TABLES[name]
    if table.previous == "none":
        return f"{table.label} at {board.as_of}"
    return f"{table.label} at {board.as_of} (previous: {board.previous_as_of})"


def views(
    board: Dashboard, *, charted: frozenset[str] = DRAWN_ONLY
) -> tuple[list[View], list[str]]:
    """The detail tables to show and the notes on those left out for lack of data.

    ``charted``: the tables drawn rather than tabled. A table whose input
    the ledger lacks is left out without a note of its own (the dashboard's
    note on that input says it).
    """
    shown: list[View] = []
    notes: list[str] = []
    for name, frame in board.tables.items():
        table = TABLES[name]
        given = set(table.requires) if board.inputs is None else set(board.inputs)
        if name in charted or not set(table.requires) <= given:
            continue
        if frame.empty:
            when = (
                f"{board.as_of}"
                if table.previous in ("none", "column")
                else f"{board.as_of} or {board.previous_as_of}"
            )
            notes.append(f"{table.label}: nothing to show at {when}, so it is left out.")
            continue
        shown.append(View(name, _heading(board, name), frame, board.money_columns(name)))
    return shown, notes


def reader_notes(board: Dashboard) -> list[str]:
    """What a reader must know to read the figures right (plain text, one sentence each)."""
    notes = [
        note[0].upper() + note[1:] + ("" if note.endswith(".") else ".") for note in board.notes
    ]
    if board.undefined:
        notes.append(
            "n/a: undefined (zero denominator or no history): " + ", ".join(board.undefined) + "."
        )
    return notes


def kpi_columns(board: Dashboard) -> list[tuple[str, str, str]]:
    """The value columns of a KPI table: ``(kpis column, heading, css class)``."""
    out = [
        ("current", str(board.period), ""),
        ("previous", str(board.previous_period), "dim"),
        ("change", "change", ""),
    ]
    if board.has_year_ago and board.year_ago_period is not None:
        out += [
            ("year_ago", str(board.year_ago_period), "dim year"),
            ("year_change", "year on year", "year"),
        ]
    return out


def _group_views(board: Dashboard) -> list[View]:
    return [View("groups", head, frame, money) for head, frame, money in board.group_views()]


# ----------------------------------------------------------------------------------
# HTML
# ----------------------------------------------------------------------------------


def frame_html(
    frame: pd.DataFrame, fmt: Formatter, money: frozenset[str], *, index: str | None = None
) -> str:
    """A detail table as HTML: its index then its columns, every cell formatted."""
    names = (
        list(frame.index.names)
        if isinstance(frame.index, pd.MultiIndex)
        else [index or frame.index.name or ""]
    )
    head = "".join(f"<th>{esc(_header(n or ''))}</th>" for n in names) + "".join(
        f'<th class="num">{esc(_header(c))}</th>' for c in frame.columns
    )
    body = []
    for key, values in _rows(frame):
        keys = key if isinstance(key, tuple) else (key,)
        cells = "".join(f"<td>{esc(cell_text(fmt, '', k))}</td>" for k in keys)
        cells += "".join(
            '<td class="num">' + html.escape(cell_text(fmt, c, v, str(c) in money)) + "</td>"
            for c, v in zip(frame.columns, values, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    return (
        f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def kpi_rows_html(
    board: Dashboard, fmt: Formatter, *, definitions: bool = False, docs_url: str | None = None
) -> str:
    """The KPI table as HTML: by section, values, changes coloured by direction, targets."""
    columns = kpi_columns(board)
    status = board.target_status() if board.targets else None
    head = "<th>KPI</th>" + "".join(
        f'<th class="num {css}">{esc(title)}</th>' for _, title, css in columns
    )
    if status is not None:
        head += '<th class="num">target</th><th>status</th>'
    head += '<th class="unit">unit</th>'
    width = 2 + len(columns) + (2 if status is not None else 0)
    body: list[str] = []
    section = block = None
    for name, row in board.kpis.iterrows():
        info = KPIS.get(str(name))
        if info is not None and info.section != section:
            section, block = info.section, None
            body.append(f'<tr class="section"><td colspan="{width}">{esc(section)}</td></tr>')
        if info is not None and info.block is not None and info.block != block:
            block = info.block  # a block of rows within the section ("Limits and cover")
            body.append(f'<tr class="block"><td colspan="{width}">{esc(block)}</td></tr>')
        unit = info.unit if info is not None else "money"
        label = esc(row["label"])
        if definitions and info is not None:
            if docs_url:
                page = info.page.removesuffix(".md") + "/"
                label = f'<a href="{html.escape(docs_url + page)}">{label}</a>'
            label += f'<span class="definition">{esc(info.definition)}</span>'
        cells = [f'<td title="{esc(name)}">{label}</td>']
        for column, _, css in columns:
            change = column in ("change", "year_change")
            judged = direction(info, row[column], fmt) if change else ""
            text = fmt.value(row[column], unit, change=change)
            classes = " ".join(c for c in ("num", css, judged) if c)
            cells.append(f'<td class="{classes}">{html.escape(text)}</td>')
        if status is not None:
            if name in status.index:
                word = str(status.at[name, "status"])
                target = fmt.value(status.at[name, "target"], unit)
                cells.append(f'<td class="num">{html.escape(target)}</td>')
                cells.append(f'<td class="{word.replace(" ", "-")}">{esc(word)}</td>')
            else:
                cells.append("<td></td><td></td>")
        cells.append(
            f'<td class="unit">{esc(row["unit"]) if unit not in ("money", "ratio") else ""}</td>'
        )
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="table-wrap"><table class="kpis"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


#: the pack's charts: key of :func:`~creditkpi.dashboard.charts.chart_images`, what it shows
CHARTS: Mapping[str, str] = {
    "receivables": "Receivables and overdue at each month's end, with the overdue rate",
    "trend": "DSO (standard, countback, best possible) and CEI, month by month",
    "aging": "Aged balance: open balance per days-past-due bucket, now and before",
    "forecast": "Collection forecast: cash expected from the open invoices, week by week",
    "cohorts": "Invoice cohorts: share of each issue month settled, by age",
}


def figure_html(key: str, images: Mapping[str, bytes] | None) -> str:
    png = None if images is None else images.get(key)
    if png is None:
        return ""
    data = base64.b64encode(png).decode("ascii")
    alt = html.escape(CHARTS.get(key, key))
    return f'<figure id="chart-{key}"><img src="data:image/png;base64,{data}" alt="{alt}"></figure>'


def chart_images_of(
    board: Dashboard, fmt: Formatter, images: Mapping[str, bytes] | None
) -> tuple[Mapping[str, bytes] | None, str | None]:
    """The chart images (drawn here unless given), or ``None`` and why not."""
    if images is not None:
        return images, None
    from creditkpi.dashboard.charts import chart_images
    from creditkpi.plotting import ChartsUnavailableError

    try:
        return chart_images(board, locale=fmt.locale), None
    except ChartsUnavailableError:
        return None, "matplotlib is not installed (pip install matplotlib (the charts extra))"


def charts_html(board: Dashboard, fmt: Formatter, images: Mapping[str, bytes] | None) -> str:
    """Every chart of the dashboard as embedded figures (the notebook fragment's charts)."""
    drawn, missing = chart_images_of(board, fmt, images)
    if drawn is None:
        return f'<p class="note">Charts are not included: {html.escape(missing or "")}.</p>'
    return "\n".join(figure_html(key, drawn) for key in CHARTS if key in drawn)


def fragment_html(
    board: Dashboard,
    fmt: Formatter,
    *,
    charts: bool = False,
    images: Mapping[str, bytes] | None = None,
) -> str:
    """The notebook view: the KPI table, notes, charts (``charts``) and the detail tables."""
    parts = ['<div class="creditkpi-dashboard">', f"<style>{FRAGMENT}</style>"]
    parts.append(f"<h3>{esc(board.title)}</h3>")
    if board.data_start is not None and board.data_end is not None:
        parts.append(f'<p class="facts">data: {esc(board.data_start)} to {esc(board.data_end)}</p>')
    shown, left_out = views(board)
    notes = reader_notes(board) + left_out
    if notes:
        parts.append('<ul class="notes">' + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
    parts.append(kpi_rows_html(board, fmt))
    parts.append(
        '<p class="note">change = current − previous (ratios in percentage points); '
        '<span class="better">green</span>: better, <span class="worse">red</span>: worse.</p>'
    )
    if charts:
        parts.append("<h4>Charts</h4>" + charts_html(board, fmt, images))
    for view in [*shown, *_group_views(board)]:
        parts.append(f"<h4>{esc(view.heading)}</h4>")
        parts.append(frame_html(view.frame, fmt, view.money))
    parts.append("</div>")
    return "\n".join(parts)


# ----------------------------------------------------------------------------------
# rich (the terminal) and plain text
# ----------------------------------------------------------------------------------


#: a cell of a terminal table: its text and its style
Cell = tuple[str, str]

#: the KPI table's columns a narrow terminal drops first, in order
_DROPPED_FIRST = ("year_change", "unit", "year_ago", "previous", "target", "status")


class _Fitted:
    """A terminal table fitted to the width it is drawn at.

    The key columns (the first ``keys``) wrap at word boundaries only, never
    inside a word (no ``Receiva / bles``); value columns are never cut:
    when the table is too wide, whole columns are left out (``drop``: their
    order, default the rightmost first) and a line under the table names them.
    """

    def __init__(
        self,
        head: list[str],
        rows: list[list[Cell] | str],
        *,
        keys: int = 1,
        drop: list[int] | None = None,
        left: frozenset[int] = frozenset(),
    ):
        self.head, self.rows, self.keys, self.left = head, rows, keys, left
        rightmost = list(range(len(head) - 1, keys, -1))  # every value column but the first
        first = [] if drop is None else [k for k in drop if k != keys]
        self.drop = first + [k for k in rightmost if k not in first]

    def _width(self, k: int) -> int:
        cells = [r[k][0] for r in self.rows if not isinstance(r, str)]
        return max([len(self.head[k]), *map(len, cells)])

    def _word(self, k: int) -> int:
        texts = [self.head[k], *(r[k][0] for r in self.rows if not isinstance(r, str))]
        return max((len(w) for t in texts for w in t.split()), default=1)

    def table(self, width: int) -> list[Any]:
        """The table (and the line naming the columns left out) for ``width`` columns."""
        from rich import box
        from rich.table import Table

        keep = list(range(len(self.head)))
        keys = range(self.keys)
        need = {k: self._width(k) for k in keep}
        floor = {k: min(need[k], max(self._word(k) + 2, 12)) for k in keys}

        def size(columns: list[int]) -> int:
            return sum(floor.get(k, need[k]) + 3 for k in columns)

        dropped = []
        for k in self.drop:
            if size(keep) <= width:
                break
            keep.remove(k)
            dropped.append(self.head[k])
        table = Table(box=box.SIMPLE_HEAVY, show_lines=False, pad_edge=False)
        for k in keep:
            if k < self.keys:
                table.add_column(_text(self.head[k]), min_width=floor[k], overflow="fold")
            else:
                side: Literal["left", "right"] = "left" if k in self.left else "right"
                table.add_column(_text(self.head[k]), justify=side, no_wrap=True)
        for row in self.rows:
            if isinstance(row, str):
                if table.row_count:
                    table.add_section()
                table.add_row(_text(row, "bold cyan"), *[""] * (len(keep) - 1))
            else:
                table.add_row(*[_text(*row[k]) for k in keep])
        if not dropped:
            return [table]
        return [table, _text(f"(left out at this width: {', '.join(dropped)})", "dim")]

    def __rich_console__(self, console: Any, options: Any) -> Any:
        yield from self.table(options.max_width)


def _frame_rich(view: View, fmt: Formatter) -> list[Any]:
    frame = view.frame
    names = (
        list(frame.index.names) if isinstance(frame.index, pd.MultiIndex) else [frame.index.name]
    )
    head = [_header(n or "") for n in names] + [_header(c) for c in frame.columns]
    rows: list[list[Cell] | str] = []
    for key, values in _rows(frame):
        keys = key if isinstance(key, tuple) else (key,)
        rows.append(
            [(printable(cell_text(fmt, "", k)), "") for k in keys]
            + [
                (cell_text(fmt, c, v, str(c) in view.money), "")
                for c, v in zip(frame.columns, values, strict=True)
            ]
        )
    return [_text(view.heading, "bold"), _Fitted(head, rows, keys=len(names))]


def _kpi_rich(board: Dashboard, fmt: Formatter) -> _Fitted:
    """The KPI table for a terminal: by section, changes coloured, targets, days marked."""
    status = board.target_status() if board.targets else None
    columns = [(key, title) for key, title, _ in kpi_columns(board)]
    if status is not None:
        columns += [("target", "target"), ("status", "status")]
    columns.append(("unit", "unit"))
    rows: list[list[Cell] | str] = []
    section = block = None
    for name, row in board.kpis.iterrows():
        info = KPIS.get(str(name))
        if info is not None and info.section != section:
            section, block = info.section, None
            rows.append(section)
        if info is not None and info.block is not None and info.block != block:
            block = info.block  # a block of rows within the section ("Limits and cover")
            rows.append([("  " + block, "italic"), *[("", "")] * len(columns)])
        unit = info.unit if info is not None else "money"
        cells: list[Cell] = [("  " + str(row["label"]), "")]
        for key, _ in columns:
            if key in ("target", "status"):
                if status is None or name not in status.index:
                    cells.append(("", ""))
                elif key == "target":
                    cells.append((fmt.value(status.at[name, "target"], unit), ""))
                else:
                    word = str(status.at[name, "status"])
                    cells.append((word, {"met": "green", "missed": "red"}.get(word, "")))
            elif key == "unit":
                cells.append(("days" if unit == "days" else "", "dim"))
            else:
                change = key in ("change", "year_change")
                judged = direction(info, row[key], fmt) if change else ""
                style = {"better": "green", "worse": "red"}.get(judged, "")
                dim = "dim" if key in ("previous", "year_ago") else ""
                cells.append((fmt.value(row[key], unit, change=change), style or dim))
        rows.append(cells)
    keys = [key for key, _ in columns]
    if not any(not isinstance(r, str) and r[-1][0] for r in rows):  # no days: no unit column
        keys, rows = keys[:-1], [r if isinstance(r, str) else r[:-1] for r in rows]
    head = ["KPI", *(dict(columns)[k] for k in keys)]
    drop = [1 + keys.index(k) for k in _DROPPED_FIRST if k in keys]
    left = frozenset(1 + keys.index(k) for k in ("status", "unit") if k in keys)
    return _Fitted(head, rows, drop=drop, left=left)


def rich_group(board: Dashboard, *, locale: Any = None) -> Group:
    """A rich renderable: the title, the summary, the KPI table, the detail tables, the notes."""
    from rich.console import Group

    fmt = formatter_of(board, locale)
    shown, left_out = views(board)
    parts: list[Any] = [_text(board.title, "bold")]
    parts += [_text("  " + line) for line in summary_lines(board, fmt)]
    parts.append(_kpi_rich(board, fmt))
    for view in [*shown, *_group_views(board)]:
        parts += _frame_rich(view, fmt)
    for note in reader_notes(board) + left_out:
        parts.append(_text(note, "dim"))
    return Group(*parts)
