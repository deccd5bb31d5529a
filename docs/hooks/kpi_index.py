"""MkDocs hook: the KPI index is generated from the registry.

``<!-- kpi-index -->`` in ``kpis/index.md`` is replaced by one row per entry of
:data:`creditkpi.registry.KPIS` (values) and :data:`creditkpi.registry.TABLES`
(tables): its one name, labels, unit, direction, function and page. A KPI
added to the registry appears here without editing the docs.
"""

from __future__ import annotations

from typing import Any

MARKER = "<!-- kpi-index -->"

_UNITS = {
    "money": "money",
    "ratio": "fraction",
    "days": "days",
    "count": "count",
    "money_per_money": "money per money",
}


def _call(kpi: Any) -> str:
    options = ", ".join(f'{k}="{v}"' for k, v in kpi.options.items())
    call = f"ck.{kpi.function.__name__}({'..., ' + options if options else ''})"
    if kpi.field:
        call += f'["{kpi.field}"]'
    return f"`{call}`"


def kpi_table() -> str:
    """The markdown table of every KPI of the registry."""
    from creditkpi.registry import KPIS, TABLES

    page = "kpis/"
    rows = [
        "| KPI | name | French | input | result | better | function |",
        "|---|---|---|---|---|---|---|",
    ]
    for kpi in KPIS.values():
        link = kpi.page.removeprefix(page)
        basis = "as-of date" if kpi.basis == "as_of" else "period"
        better = kpi.better or "—"
        rows.append(
            f"| [{kpi.label}]({link}) | `{kpi.name}` | {kpi.label_fr} | {basis} | "
            f"{_UNITS[kpi.unit]} | {better} | {_call(kpi)} |"
        )
    for table in TABLES.values():
        link = table.page.removeprefix(page)
        rows.append(
            f"| [{table.label}]({link}) | `{table.name}` | {table.label_fr} | as-of date | "
            f"table | — | `ck.{table.function.__name__}(...)` |"
        )
    return "\n".join(rows)


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    """Insert the generated table at the marker of the KPI index."""
    if MARKER in markdown:
        return markdown.replace(MARKER, kpi_table())
    return markdown
