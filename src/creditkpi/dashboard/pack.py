"""The monthly credit pack: the dashboard as a page a credit manager sends a CFO.

:func:`pack_page` lays out a :class:`~creditkpi.dashboard.Dashboard` as one
self-contained HTML page, in this order:

1. the period, what it is compared with, the data's range;
2. **Summary**: the figures in words (:mod:`~creditkpi.dashboard.words`)
   and the targets, met or missed;
3. **Notes**: what a reader must know, and each section left out for lack
   of data with why (one note each);
4. **Key indicators**: every KPI by section with its one-line definition
   (linked to its documentation page), this period, the previous one and
   the same period a year before, the changes coloured by direction, the
   targets;
5. **Trends**: receivables and overdue, DSO and CEI over 12 months;
6. **Aged balance**, **Collection forecast** (the next 13 weeks),
   **Expected credit loss** (the provision matrix, and why it is zero when
   it is), **Customers** (the most overdue, the largest balances), **Most
   urgent open items**, **Dunning and disputes**, **Invoice cohorts**,
   the per-group tables.

Sections without data are left out. In print (and ``--format pdf``) each
numbered part from the key indicators on starts a page; tables and charts
are never cut (:mod:`~creditkpi.dashboard.style`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from creditkpi.core.errors import PrintingError
from creditkpi.core.formatting import Formatter
from creditkpi.dashboard.items import money_columns as item_money
from creditkpi.dashboard.render import (
    View,
    chart_images_of,
    esc,
    figure_html,
    formatter_of,
    fragment_html,
    frame_html,
    kpi_rows_html,
    reader_notes,
    views,
)
from creditkpi.dashboard.style import A4, CSP, FRAGMENT, PAGE
from creditkpi.dashboard.words import ecl_explanation, summary_lines
from creditkpi.version import DOCS_URL, VERSION

if TYPE_CHECKING:  # pragma: no cover
    from creditkpi.dashboard.model import Dashboard

__all__ = ["SECTIONS", "html_page", "pack_page", "pdf_of"]

#: the pack's sections after the key indicators: (id, heading, detail tables, charts)
SECTIONS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("trends", "Trends", (), ("receivables", "trend")),
    ("aging", "Aged balance", ("aging",), ("aging",)),
    ("forecast", "Collection forecast", (), ("forecast",)),
    ("risk", "Expected credit loss", ("provision_matrix",), ()),
    ("customers", "Customers", ("top_overdue_customers", "top_customers"), ()),
    ("items", "Most urgent open items", (), ()),
    ("dunning", "Dunning and disputes", ("by_dunning_status", "dispute_reasons"), ()),
    ("cohorts", "Invoice cohorts", (), ("cohorts",)),
)


#: why a section of charts is empty, when it is (the charts were drawn)
_EMPTY = {
    "trends": "no month of the data to draw",
    "forecast": "no cash is expected from the open invoices in the next 13 weeks (none is "
    "open, or their payment history does not reach their ages)",
}

#: the sections printed on one page, never split (a heading, a line, a chart)
_KEPT = frozenset({"forecast"})

#: the sections that start a printed page
_NEW_PAGE = frozenset({"trends", "aging", "risk", "items", "dunning"})


def _facts(board: Dashboard) -> list[tuple[str, str]]:
    p, q = board.period, board.previous_period
    facts = [
        ("Period", f"{p} ({p.start} to {p.end}), snapshot as of {board.as_of}"),
        ("Compared with", f"{q} ({q.start} to {q.end}), snapshot as of {board.previous_as_of}"),
    ]
    year = board.year_ago_period
    if year is not None and board.has_year_ago:
        facts.append(("A year before", f"{year} ({year.start} to {year.end})"))
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


def _targets_html(board: Dashboard, fmt: Formatter) -> str:
    if not board.targets:
        return ""
    from creditkpi.registry import KPIS

    rows = []
    for name, row in board.target_status().iterrows():
        unit = KPIS[str(name)].unit
        word = str(row["status"])
        rows.append(
            f"<tr><td>{esc(row['label'])}</td>"
            f'<td class="num">{html.escape(fmt.value(row["current"], unit))}</td>'
            f'<td class="num">{html.escape(fmt.value(row["target"], unit))}</td>'
            f'<td class="{word.replace(" ", "-")}">{esc(word)}</td></tr>'
        )
    return (
        '<h3>Targets</h3><div class="table-wrap keep"><table class="targets"><thead><tr>'
        f'<th>KPI</th><th class="num">{esc(board.period)}</th><th class="num">target</th>'
        f"<th>status</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _section(
    ident: str, heading: str, body: list[str], *, page: bool = False, keep: bool = False
) -> str:
    names = [n for n, on in (("page", page), ("keep", keep)) if on]
    css = f' class="{" ".join(names)}"' if names else ""
    return f'<section id="{ident}"{css}><h2>{esc(heading)}</h2>' + "".join(body) + "</section>"


def _table(view: View, fmt: Formatter) -> str:
    return f'<div class="keep"><h3>{esc(view.heading)}</h3>{frame_html(view.frame, fmt, view.money)}</div>'


def _forecast_text(board: Dashboard, fmt: Formatter) -> str:
    rows = [n for n in ("forecast_next_4_weeks", "forecast_next_13_weeks") if n in board.kpis.index]
    if not rows:
        return ""
    parts = [
        f"{fmt.money(board.kpis.at[n, 'current'])} within {n.split('_')[2]} weeks" for n in rows
    ]
    total = fmt.money(board.kpis.at["receivables", "current"])
    return (
        f"<p>Expected from the invoices open at {esc(board.as_of)} ({esc(total)} of receivables): "
        f"{esc(' and '.join(parts))}, by each customer's payment history; future invoicing is "
        "not included.</p>"
    )


def _sections(
    board: Dashboard, fmt: Formatter, drawn: Mapping[str, bytes] | None, shown: list[View]
) -> tuple[list[str], list[str]]:
    """The sections after the key indicators, and the notes on those left out."""
    by_name = {v.name: v for v in shown}
    out: list[str] = []
    notes: list[str] = []
    for ident, heading, tables, charts in SECTIONS:
        body = [figure_html(key, drawn) for key in charts]
        body = [b for b in body if b]
        if ident == "forecast" and body:
            body.insert(0, _forecast_text(board, fmt))
        if ident == "risk":
            explanation = ecl_explanation(board, fmt)
            if explanation is not None and "provision_matrix" in by_name:
                body.append(f'<p class="note">{esc(explanation)}</p>')
        if ident == "items" and board.urgent_items is not None and len(board.urgent_items):
            items = View("urgent_items", f"The {len(board.urgent_items)} most urgent open items "
                         f"at {board.as_of} (open balance × days past due)",
                         board.urgent_items, item_money(board.urgent_items))  # fmt: skip
            body.append(_table(items, fmt))
        body += [_table(by_name[t], fmt) for t in tables if t in by_name]
        if body:
            out.append(_section(ident, heading, body, page=ident in _NEW_PAGE, keep=ident in _KEPT))
        elif drawn is not None and ident in _EMPTY:
            notes.append(f"{heading}: {_EMPTY[ident]}, so the section is left out.")
    return out, notes


def pack_page(
    board: Dashboard,
    fmt: Formatter,
    *,
    charts: bool = True,
    images: Mapping[str, bytes] | None = None,
    docs_url: str | None = None,
    paper: str | None = None,
) -> str:
    """The credit pack of ``board`` as one self-contained HTML document (see the module)."""
    drawn, no_charts = chart_images_of(board, fmt, images) if charts else (None, None)
    shown, left_out = views(board, charted=frozenset({"cohorts", "expected_cash_by_week"}))
    sections, empty = _sections(board, fmt, drawn, shown)
    notes = reader_notes(board) + left_out + empty
    if no_charts:
        notes.append(f"Charts are not included: {no_charts}.")
    parts = ['<div class="creditkpi-dashboard">']
    parts.append(f"<header><h1>{esc(f'Credit pack {board.period}')}</h1>")
    parts.append('<dl class="facts">')
    parts += [f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in _facts(board)]
    parts.append("</dl></header>")
    summary = "".join(f"<li>{esc(line)}</li>" for line in summary_lines(board, fmt))
    parts.append(
        _section(
            "summary", "Summary", [f'<ul class="summary">{summary}</ul>', _targets_html(board, fmt)]
        )
    )
    if notes:
        parts.append(
            _section(
                "notes",
                "Notes",
                ['<ul class="notes">' + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>"],
            )
        )
    key = kpi_rows_html(
        board, fmt, definitions=True, docs_url=DOCS_URL if docs_url is None else docs_url
    )
    legend = (
        '<p class="note">change = this period − the other (ratios in percentage points); '
        '<span class="better">green</span>: better, <span class="worse">red</span>: worse. '
        "Each KPI links to its definition in the documentation.</p>"
    )
    parts.append(_section("kpis", "Key indicators", [key, legend], page=True))
    parts += sections
    groups = [View("groups", h, f, m) for h, f, m in board.group_views()]
    if groups:
        parts.append(
            _section("groups", f"By {board.by}", [_table(g, fmt) for g in groups], page=True)
        )
    parts.append(
        f"<footer>Made with creditkpi {html.escape(VERSION)}. Money in {esc(board.currency)}, "
        "exact to the minor unit; ratios in percent; days in calendar days. n/a = undefined."
        "</footer></div>"
    )
    style = FRAGMENT + PAGE + (A4 if paper == "A4" else "")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        f'<meta name="generator" content="creditkpi {html.escape(VERSION)}">\n'
        f"<title>{esc(board.title)}</title>\n"
        f"<style>{style}</style>\n</head>\n<body>\n" + "\n".join(parts) + "\n</body>\n</html>\n"
    )


def html_page(
    board: Dashboard,
    *,
    full: bool = False,
    charts: bool | None = None,
    images: Mapping[str, bytes] | None = None,
    locale: Any = None,
    docs_url: str | None = None,
    paper: str | None = None,
) -> str:
    """An HTML rendering: a fragment for a notebook, or the credit pack (``full=True``).

    Parameters
    ----------
    board : Dashboard
    full : bool, default False
        The credit pack (:func:`creditkpi.dashboard.pack.pack_page`): a
        complete, self-contained page, instead of a fragment (the KPI table,
        notes and detail tables) for a notebook or a page of yours.
    charts : bool, optional
        Embed the PNG charts (default: in the pack only). Without
        matplotlib the page says so and stays complete otherwise.
    images : mapping of str to bytes, optional
        Chart images already drawn (:func:`~creditkpi.dashboard.charts.chart_images`),
        so a caller that also writes them to files draws them once.
    locale : str, optional
        How amounts and numbers read (``"en_US"``, ``"fr_FR"``...).
    docs_url : str, optional
        Where the pack's KPI definitions link to (default
        :data:`creditkpi.version.DOCS_URL`).
    paper : str, optional
        ``"A4"``: the pack's print size (what ``--format pdf`` prints on).
    """
    fmt = formatter_of(board, locale)
    if full:
        return pack_page(
            board, fmt, charts=True if charts is None else charts, images=images,
            docs_url=docs_url, paper=paper,
        )  # fmt: skip
    return fragment_html(board, fmt, charts=bool(charts), images=images)


def pdf_of(page: str) -> bytes:
    """The pack page printed to PDF by headless Chromium (:func:`creditkpi.printing.html_to_pdf`).

    The page's print stylesheet gives the paper (``html_page(..., paper="A4")``);
    the browser is found as :func:`creditkpi.printing.find_chromium` says.

    Raises
    ------
    PrintingError
        Rule ``no-chromium``: no Chromium browser to print with (what to
        install said); ``print-failed``: it ran and gave no PDF, or timed
        out (its last messages quoted).
    """
    from creditkpi.printing import ChromiumNotFoundError, PrintFailedError, html_to_pdf

    try:
        return html_to_pdf(page)
    except ChromiumNotFoundError as exc:
        raise PrintingError(
            str(exc),
            argument="format",
            rule="no-chromium",
            hint="or write --format html (to_html(full=True)) and print it from a browser",
        ) from None
    except PrintFailedError as exc:
        raise PrintingError(str(exc), argument="format") from None
