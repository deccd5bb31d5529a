"""The dashboard (tableau de bord): every KPI of one period beside the previous period.

:func:`dashboard` computes every indicator of SPEC §4.10 for a period and an
as-of date, and the same for the previous period (``period.previous()``, as
of its last day), into a :class:`Dashboard`: a KPI table (current, previous,
change, unit), the detail tables (aged balance, dunning statuses, dispute
reasons, top customers), a 12-month DSO / CEI trend, the cohort table and,
with ``by=``, per-group figures. It exports to JSON, CSV, HTML and a rich
terminal table, and draws PNG charts (:mod:`creditkpi.charts`).

This module is not a metric module: it calls the public KPI functions of
:mod:`creditkpi.metrics` (and the core's :func:`~creditkpi.core.engine.flows`
for the period's sales and cash), so a dashboard value is always exactly the
value of the KPI function for the same arguments.
"""

from __future__ import annotations

import html
import io
import json
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from creditkpi.core.engine import flows
from creditkpi.core.errors import InvalidOptionError, UndefinedMetricWarning
from creditkpi.core.ledger import Ledger
from creditkpi.core.period import Period, PeriodLike, as_date, from_day
from creditkpi.metrics.activation import activation_rate
from creditkpi.metrics.aging import (
    aging,
    by_dunning_status,
    overdue,
    overdue_rate,
    receivables,
    top_customers,
)
from creditkpi.metrics.bad_debt import bad_debt_to_sales, doubtful, loss_rate, provision_rate
from creditkpi.metrics.cei import cei, recovery_rate
from creditkpi.metrics.cohorts import cohorts
from creditkpi.metrics.cost_per_euro import cost_per_euro
from creditkpi.metrics.dispute_rate import dispute_rate, dispute_reasons
from creditkpi.metrics.dso import average_days_delinquent, best_possible_dso, dso
from creditkpi.metrics.payment_delay import payment_delays

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console, Group

__all__ = ["KPIS", "SCHEMA", "Dashboard", "KPIInfo", "dashboard"]

#: JSON schema identifier written by :meth:`Dashboard.to_dict`
SCHEMA = "creditkpi.dashboard/1"

Unit = Literal["money", "days", "ratio", "money/money"]


@dataclass(frozen=True, slots=True)
class KPIInfo:
    """What one row of :attr:`Dashboard.kpis` is.

    Attributes
    ----------
    name : str
        Row label in :attr:`Dashboard.kpis` (``"dso_countback"``).
    label : str
        Human-readable name (``"DSO (countback)"``).
    unit : {"money", "days", "ratio", "money/money"}
        ``money``: ``Decimal`` in the ledger's currency; ``days``: float;
        ``ratio``: float fraction (0.4812, shown as 48.12 %);
        ``money/money``: a float amount per unit of currency.
    section : str
        Group of rows in the renderings.
    better : {"lower", "higher"} or None
        Which direction is an improvement (``None``: neither).
    basis : {"as_of", "period"}
        Snapshot at the as-of date, or flow over the period.
    """

    name: str
    label: str
    unit: Unit
    section: str
    better: Literal["lower", "higher"] | None
    basis: Literal["as_of", "period"]


#: the rows of :attr:`Dashboard.kpis`, in order
KPIS: tuple[KPIInfo, ...] = (
    KPIInfo("receivables", "Receivables outstanding", "money", "Position", None, "as_of"),
    KPIInfo("overdue", "Overdue receivables", "money", "Position", "lower", "as_of"),
    KPIInfo("overdue_rate", "Overdue rate", "ratio", "Position", "lower", "as_of"),
    KPIInfo("dispute_rate", "Dispute rate", "ratio", "Position", "lower", "as_of"),
    KPIInfo("sales", "Sales (incl. tax)", "money", "Activity", None, "period"),
    KPIInfo("cash_collected", "Cash collected", "money", "Activity", "higher", "period"),
    KPIInfo("dso", "DSO (standard)", "days", "Speed", "lower", "period"),
    KPIInfo("dso_countback", "DSO (countback)", "days", "Speed", "lower", "period"),
    KPIInfo("best_possible_dso", "Best possible DSO", "days", "Speed", "lower", "period"),
    KPIInfo(
        "average_days_delinquent", "Average days delinquent", "days", "Speed", "lower", "period"
    ),
    KPIInfo("days_to_pay", "Average days to pay", "days", "Speed", "lower", "period"),
    KPIInfo("days_late", "Average days late", "days", "Speed", "lower", "period"),
    KPIInfo("share_paid_late", "Share of cash paid late", "ratio", "Speed", "lower", "period"),
    KPIInfo("cei", "Collection effectiveness index", "ratio", "Collection", "higher", "period"),
    KPIInfo("recovery_rate", "Recovery rate", "ratio", "Collection", "higher", "period"),
    KPIInfo("activation_rate", "Activation rate", "ratio", "Collection", "higher", "period"),
    KPIInfo(
        "cost_per_euro", "Cost per euro collected", "money/money", "Collection", "lower", "period"
    ),
    KPIInfo("bad_debt_to_sales", "Bad debt to sales", "ratio", "Risk", "lower", "period"),
    KPIInfo("loss_rate", "Loss rate (write-offs)", "ratio", "Risk", "lower", "period"),
    KPIInfo("doubtful", "Doubtful receivables", "money", "Risk", "lower", "as_of"),
    KPIInfo("provision_rate", "Provision rate", "ratio", "Risk", None, "as_of"),
)

_INFO: dict[str, KPIInfo] = {k.name: k for k in KPIS}

#: columns of the detail tables that hold money (``Decimal``; strings in JSON)
_MONEY_COLUMNS = frozenset(
    {"amount", "previous_amount", "balance", "previous_balance", "receivables", "overdue"}
)
#: columns of the group table that are not money
_GROUP_NUMBERS = frozenset({"overdue_rate", "dso", "dso_countback"})
#: the main per-group KPIs (the rest of the group table is the aged balance)
_GROUP_MAIN = ("receivables", "overdue", "overdue_rate", "dso", "dso_countback")


# ----------------------------------------------------------------------------------
# warnings: one summary instead of forty
# ----------------------------------------------------------------------------------


class _Collector:
    """Runs KPI calls, keeping their warnings instead of letting them through."""

    def __init__(self) -> None:
        self.undefined: list[str] = []
        self.other: list[warnings.WarningMessage] = []

    def call(self, where: str, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = fn(*args, **kwargs)
        for w in caught:
            if issubclass(w.category, UndefinedMetricWarning):
                if where not in self.undefined:
                    self.undefined.append(where)
            else:
                self.other.append(w)
        return result

    def replay(self) -> None:
        """Re-emit the warnings that are not about undefined metrics (once each)."""
        seen: set[tuple[str, type[Warning]]] = set()
        for w in self.other:
            key = (str(w.message), w.category)
            if key in seen:
                continue
            seen.add(key)
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


# ----------------------------------------------------------------------------------
# value helpers
# ----------------------------------------------------------------------------------


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, Decimal):
        return not value.is_finite()
    if isinstance(value, (float, np.floating)):
        return not math.isfinite(float(value))
    return False


def _number(value: object) -> Any:
    """A KPI result as a Python value: ``Decimal`` kept, numbers as float."""
    if isinstance(value, Decimal):
        return value
    if value is None:
        return math.nan
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _change(current: Any, previous: Any) -> Any:
    if _missing(current) or _missing(previous):
        return math.nan
    if isinstance(current, Decimal) and isinstance(previous, Decimal):
        return current - previous
    return float(current) - float(previous)


def _pick(frame: pd.DataFrame, names: Sequence[str]) -> str:
    for name in names:
        if name in frame.columns:
            return name
    raise KeyError(f"none of {names} in {list(frame.columns)}")


def _month_of(day: date) -> Period:
    return Period.month(day.year, day.month)


def _trend_periods(period: Period, months: int) -> list[Period]:
    """The ``months`` calendar months ending with the month holding ``period.end``.

    The last one is cut at ``period.end`` when that is not a month end.
    """
    last = _month_of(period.end)
    out = [last.shift_months(k - months + 1) for k in range(months)]
    if period.end != last.end:
        out[-1] = Period(last.start, period.end)
    return out


def _values(result: Any, n: int) -> list[Any]:
    """The values of a KPI series result (or a scalar repeated) as a list of length n."""
    if isinstance(result, pd.DataFrame):
        result = result.iloc[:, 0]
    if isinstance(result, pd.Series):
        values = list(result.to_numpy())
    elif isinstance(result, (list, tuple, np.ndarray)):
        values = list(result)
    else:
        values = [result] * n
    if len(values) != n:
        raise ValueError(f"expected {n} values, got {len(values)}")
    return [_number(v) for v in values]


# ----------------------------------------------------------------------------------
# the Dashboard object
# ----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class Dashboard:
    """Every KPI of one period with the previous period beside it (see :func:`dashboard`).

    Attributes
    ----------
    period, previous_period : Period
        The period and the one just before it (same number of months or days).
    as_of, previous_as_of : date
        Cut-offs of the snapshot KPIs (receivables, aging, ...): ``as_of``
        (default ``period.end``) and ``previous_period.end``.
    currency : str
        The ledger's currency; money values are ``Decimal`` in it.
    kpis : DataFrame
        Index ``kpi`` (the names of :data:`KPIS`); columns ``label``,
        ``current``, ``previous``, ``change`` (current - previous; for ratios
        a difference of fractions, i.e. percentage points / 100) and
        ``unit`` (the currency code, ``"days"``, ``"ratio"`` or
        ``"EUR/EUR"``). Money is ``Decimal``, the rest float; undefined
        values are ``nan`` (shown as "n/a").
    aging : DataFrame
        Index ``bucket`` (``not due``, ``1-30``, ..., and ``unapplied`` cash
        on its own line); ``amount``, ``share`` (of receivables),
        ``previous_amount``, ``previous_share``.
    dunning : DataFrame
        Index ``status``; ``amount``, ``share``, ``previous_amount``,
        ``previous_share`` (statuses present at only one date: 0 at the other).
    disputes : DataFrame
        Open disputes by ``reason``: ``count``, ``amount``, ``previous_count``,
        ``previous_amount``.
    top_customers : DataFrame
        Index ``customer_id`` (largest balance first): ``balance``, ``share``,
        ``previous_balance`` (the same customer's balance at the previous
        as-of date).
    trend : DataFrame
        Index ``period`` (the 12 months ending with the month of the
        period's end, oldest first; months ending before the ledger's first
        event are left out): ``dso``, ``dso_countback``,
        ``best_possible_dso`` (days) and ``cei`` (fraction).
    cohorts : DataFrame
        Cohort (issue month) × age (months) shares settled at ``as_of``
        (:func:`creditkpi.cohorts`).
    groups : DataFrame or None
        With ``by=``: index the groups; ``receivables``, ``overdue``,
        ``overdue_rate``, ``dso``, ``dso_countback`` and one column per aging
        bucket (amounts), at ``as_of`` / over ``period``.
    by : str or None
        The grouping of :attr:`groups`.
    undefined : tuple of str
        The KPI values that are undefined (``"cei/previous"``, ...), and the
        tables holding undefined values (``"trend"``, ``"groups"``).
    """

    period: Period
    previous_period: Period
    as_of: date
    previous_as_of: date
    currency: str
    kpis: pd.DataFrame
    aging: pd.DataFrame
    dunning: pd.DataFrame
    disputes: pd.DataFrame
    top_customers: pd.DataFrame
    trend: pd.DataFrame
    cohorts: pd.DataFrame
    groups: pd.DataFrame | None = None
    by: str | None = None
    undefined: tuple[str, ...] = field(default=())

    # ------------------------------------------------------------------ access
    def value(self, name: str, which: Literal["current", "previous", "change"] = "current") -> Any:
        """One value of the KPI table, e.g. ``board.value("dso", "previous")``."""
        if name not in self.kpis.index:
            raise InvalidOptionError(
                f"kpi must be one of {', '.join(map(str, self.kpis.index))}; got {name!r}",
                column="kpi",
            )
        return self.kpis.at[name, which]

    # ------------------------------------------------------------------ dict / JSON
    def to_dict(self) -> dict[str, Any]:
        """The dashboard as JSON-safe Python objects.

        Money is a decimal **string** (``"1234.50"``: exact, parse it with
        ``Decimal``), ratios are fractions and days are numbers (floats),
        undefined values are ``None`` (JSON ``null``), dates ISO strings.

        Returns
        -------
        dict
            ``schema``, ``currency``, ``period`` and ``previous_period``
            (``label``, ``start``, ``end``, ``as_of``), ``kpis`` (an object
            keyed by KPI name: ``label``, ``unit``, ``section``, ``better``,
            ``current``, ``previous``, ``change``), ``aging``, ``dunning``,
            ``disputes``, ``top_customers``, ``trend``, ``cohorts`` (lists of
            row objects, the index as the first key), ``groups`` (``None``
            or ``{"by": ..., "rows": [...]}``) and ``undefined``.
        """
        kpis: dict[str, Any] = {}
        for name, row in self.kpis.iterrows():
            info = _INFO.get(str(name))
            kpis[str(name)] = {
                "label": row["label"],
                "unit": row["unit"],
                "section": info.section if info else None,
                "better": info.better if info else None,
                "current": _jsonable(row["current"]),
                "previous": _jsonable(row["previous"]),
                "change": _jsonable(row["change"]),
            }
        return {
            "schema": SCHEMA,
            "currency": self.currency,
            "period": _period_dict(self.period, self.as_of),
            "previous_period": _period_dict(self.previous_period, self.previous_as_of),
            "kpis": kpis,
            "aging": _records(self.aging, "bucket"),
            "dunning": _records(self.dunning, "status"),
            "disputes": _records(self.disputes, "reason"),
            "top_customers": _records(self.top_customers, "customer_id"),
            "trend": _records(self.trend, "period"),
            "cohorts": _records(self.cohorts, "cohort"),
            "groups": None
            if self.groups is None
            else {"by": self.by, "rows": _records(self.groups, "group")},
            "undefined": list(self.undefined),
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text (``nan`` → ``null``, money as strings)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Dashboard:
        """Rebuild a dashboard from :meth:`to_dict` (money back to ``Decimal``, null to nan)."""
        if data.get("schema") != SCHEMA:
            raise InvalidOptionError(
                f"not a creditkpi dashboard (schema {data.get('schema')!r}, expected {SCHEMA!r})",
                column="schema",
            )
        rows = []
        for name, item in data["kpis"].items():
            info = _INFO.get(name)
            money = info is not None and info.unit == "money"
            rows.append(
                {
                    "kpi": name,
                    "label": item["label"],
                    "current": _unjson(item["current"], money),
                    "previous": _unjson(item["previous"], money),
                    "change": _unjson(item["change"], money),
                    "unit": item["unit"],
                }
            )
        kpis = pd.DataFrame(rows).set_index("kpi")
        groups = data.get("groups")
        return cls(
            period=Period(data["period"]["start"], data["period"]["end"]),
            previous_period=Period(
                data["previous_period"]["start"], data["previous_period"]["end"]
            ),
            as_of=as_date(data["period"]["as_of"]),
            previous_as_of=as_date(data["previous_period"]["as_of"]),
            currency=data["currency"],
            kpis=kpis,
            aging=_from_records(data["aging"], "bucket"),
            dunning=_from_records(data["dunning"], "status"),
            disputes=_from_records(data["disputes"], "reason"),
            top_customers=_from_records(data["top_customers"], "customer_id"),
            trend=_from_records(data["trend"], "period"),
            cohorts=_from_records(data["cohorts"], "cohort", int_columns=True),
            groups=None
            if groups is None
            else _from_records(groups["rows"], "group", money_default=True),
            by=None if groups is None else groups["by"],
            undefined=tuple(data.get("undefined", ())),
        )

    @classmethod
    def from_json(cls, text: str) -> Dashboard:
        """Rebuild a dashboard from :meth:`to_json`."""
        return cls.from_dict(json.loads(text))

    # ------------------------------------------------------------------ CSV
    def to_csv(self, path: Path | str | None = None) -> str | None:
        """The KPI table as CSV: ``kpi,label,current,previous,change,unit``.

        Money is written as exact decimals, ratios as fractions, undefined
        values as empty fields. With ``path`` the file is written and
        ``None`` returned; without, the text is returned.
        """
        frame = self.kpis.copy()
        for column in ("current", "previous", "change"):
            frame[column] = [_csv_value(v) for v in frame[column]]
        text = frame.to_csv(lineterminator="\n")
        if path is None:
            return text
        Path(path).write_text(text, encoding="utf-8")
        return None

    # ------------------------------------------------------------------ HTML
    def to_html(self, *, full: bool = False) -> str:
        """An HTML rendering: the KPI table, then the detail tables.

        Parameters
        ----------
        full : bool, default False
            A complete HTML document (with ``<html>``, a title and a small
            stylesheet) instead of a fragment for a notebook or a page.
        """
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
            info = _INFO.get(str(name))
            if info is not None and info.section != section:
                section = info.section
                body.append(f'<tr class="section"><td colspan="5">{html.escape(section)}</td></tr>')
            unit = _unit_of(str(name), str(row["unit"]))
            cls_ = _direction(info, row["change"])
            body.append(
                "<tr>"
                f'<td title="{html.escape(str(name))}">{html.escape(str(row["label"]))}</td>'
                f'<td class="num">{html.escape(_fmt(row["current"], unit))}</td>'
                f'<td class="num">{html.escape(_fmt(row["previous"], unit))}</td>'
                f'<td class="num {cls_}">{html.escape(_fmt(row["change"], unit, change=True))}</td>'
                f"<td>{html.escape(str(row['unit']))}</td>"
                "</tr>"
            )
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
        for heading, frame in self._tables():
            parts.append(f"<h4>{html.escape(heading)}</h4>")
            parts.append(_frame_html(frame))
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

    def _repr_html_(self) -> str:
        return self.to_html()

    # ------------------------------------------------------------------ terminal
    @property
    def title(self) -> str:
        """``Credit dashboard 2024-04 (as of 2024-04-30) vs 2024-03 (as of 2024-03-31), EUR``."""
        return (
            f"Credit dashboard {self.period} (as of {self.as_of}) vs "
            f"{self.previous_period} (as of {self.previous_as_of}), {self.currency}"
        )

    def __rich__(self) -> Group:
        """A rich renderable: the KPI table and the detail tables."""
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
            info = _INFO.get(str(name))
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
                _fmt(row["current"], unit),
                Text(_fmt(row["previous"], unit), style="dim"),
                Text(_fmt(row["change"], unit, change=True), style=style),
                str(row["unit"]),
            )
        parts: list[Any] = [table]
        for heading, frame in self._tables():
            parts.append(_frame_rich(heading, frame))
        if self.undefined:
            parts.append(
                Text(
                    "n/a = undefined (zero denominator or no history): "
                    + ", ".join(self.undefined),
                    style="dim",
                )
            )
        return Group(*parts)

    def render(self, console: Console | None = None) -> None:
        """Print the dashboard as rich tables (to ``console``, default: stdout)."""
        from rich.console import Console

        (console or Console()).print(self)

    def to_text(self, *, width: int = 110) -> str:
        """The terminal rendering as plain text (no colours), ``width`` columns wide."""
        from rich.console import Console

        buffer = io.StringIO()
        console = Console(
            file=buffer, width=width, color_system=None, force_terminal=False, legacy_windows=False
        )
        console.print(self)
        return buffer.getvalue()

    def __repr__(self) -> str:
        return self.to_text()

    # ------------------------------------------------------------------ charts
    def plot(self, directory: Path | str, *, dpi: int = 150) -> dict[str, Path]:
        """Write PNG charts into ``directory`` (needs ``pip install 'creditkpi[charts]'``).

        Writes ``aging.png`` (aged balance, current and previous),
        ``dso_cei_trend.png`` (DSO standard and countback, best possible DSO
        and CEI over the 12 months ending with the period) and
        ``cohorts.png`` (cohort heat map).

        Returns
        -------
        dict of str to Path
            ``{"aging": ..., "trend": ..., "cohorts": ...}``.

        Raises
        ------
        creditkpi.charts.ChartsUnavailableError
            If matplotlib is not installed (an ``ImportError``).
        """
        from creditkpi.charts import plot_dashboard

        return plot_dashboard(self, directory, dpi=dpi)

    # ------------------------------------------------------------------ internals
    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        out = [
            (f"Aged balance at {self.as_of} (previous: {self.previous_as_of})", self.aging),
            ("Receivables by dunning status", self.dunning),
            ("Open disputes by reason", self.disputes),
            (f"Top {len(self.top_customers)} customers by balance", self.top_customers),
        ]
        if self.groups is not None:
            main = [c for c in self.groups.columns if c in _GROUP_MAIN]
            rest = [c for c in self.groups.columns if c not in _GROUP_MAIN]
            out.append((f"By {self.by}: at {self.as_of}, over {self.period}", self.groups[main]))
            if rest:
                out.append((f"By {self.by}: aged balance at {self.as_of}", self.groups[rest]))
        return out


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
    info = _INFO.get(name)
    if info is not None:
        return info.unit
    if unit_text == "days":
        return "days"
    if unit_text == "ratio":
        return "ratio"
    return "money"


def _fmt(value: Any, unit: Unit, *, change: bool = False) -> str:
    """Text of a value: money ``1,234.50``, days ``45.3``, ratios ``48.12%``; nan ``n/a``."""
    if _missing(value):
        return "n/a"
    sign = "+" if change else ""
    if unit == "money":
        return f"{Decimal(value):{sign},}" if isinstance(value, Decimal) else f"{value:{sign},.2f}"
    v = float(value)
    if unit == "days":
        return f"{v:{sign},.1f}"
    if unit == "ratio":
        return f"{v * 100:+.2f} pp" if change else f"{v:.2%}"
    return f"{v:{sign}.4f}"


def _direction(info: KPIInfo | None, change: Any) -> str:
    if info is None or info.better is None or _missing(change):
        return ""
    c = float(change)
    if c == 0:
        return ""
    up_is_good = info.better == "higher"
    return "better" if (c > 0) == up_is_good else "worse"


def _cell(column: str, value: Any) -> str:
    if _missing(value):
        return "n/a" if column in _GROUP_NUMBERS else ""
    if isinstance(value, Decimal):
        return f"{value:,}"
    if column.endswith("share") or column.endswith("rate"):
        return f"{float(value):.1%}"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):,.1f}"
    return str(value)


def _frame_rich(heading: str, frame: pd.DataFrame) -> Any:
    from rich import box
    from rich.table import Table

    table = Table(title=heading, title_style="bold", box=box.SIMPLE, pad_edge=False)
    table.add_column(str(frame.index.name or ""), no_wrap=True)
    for column in frame.columns:
        table.add_column(str(column).replace("_", " "), justify="right", no_wrap=True)
    if frame.empty:
        table.add_row("(none)", *[""] * len(frame.columns))
    for index, row in frame.iterrows():
        table.add_row(str(index), *[_cell(str(c), row[c]) for c in frame.columns])
    return table


def _frame_html(frame: pd.DataFrame) -> str:
    head = f"<th>{html.escape(str(frame.index.name or ''))}</th>" + "".join(
        f"<th>{html.escape(str(c).replace('_', ' '))}</th>" for c in frame.columns
    )
    rows = []
    for index, row in frame.iterrows():
        cells = "".join(
            f'<td class="num">{html.escape(_cell(str(c), row[c]))}</td>' for c in frame.columns
        )
        rows.append(f"<tr><td>{html.escape(str(index))}</td>{cells}</tr>")
    if not rows:
        rows.append(f'<tr><td colspan="{len(frame.columns) + 1}">(none)</td></tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


# ----------------------------------------------------------------------------------
# JSON helpers
# ----------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    """A JSON-safe version of one value (Decimal → str, nan → None, dates → ISO)."""
    if _missing(value):
        return None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _csv_value(value: Any) -> Any:
    if _missing(value):
        return ""
    if isinstance(value, Decimal):
        return str(value)
    return repr(float(value))


def _period_dict(period: Period, as_of: date) -> dict[str, str]:
    return {
        "label": str(period),
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "as_of": as_of.isoformat(),
    }


def _records(frame: pd.DataFrame, index_name: str) -> list[dict[str, Any]]:
    out = []
    for index, row in frame.iterrows():
        record: dict[str, Any] = {index_name: _jsonable(index)}
        for column in frame.columns:
            record[str(column)] = _jsonable(row[column])
        out.append(record)
    return out


def _unjson(value: Any, money: bool) -> Any:
    if value is None:
        return math.nan
    if money or isinstance(value, str):
        try:
            return Decimal(str(value))
        except ArithmeticError:
            return value
    return float(value)


def _from_records(
    records: Sequence[Mapping[str, Any]],
    index_name: str,
    *,
    int_columns: bool = False,
    money_default: bool = False,
) -> pd.DataFrame:
    if not records:
        return pd.DataFrame(index=pd.Index([], name=index_name))
    columns = [c for c in records[0] if c != index_name]
    data: dict[Any, list[Any]] = {}
    for column in columns:
        money = column not in _GROUP_NUMBERS if money_default else column in _MONEY_COLUMNS
        values = []
        for record in records:
            v = record.get(column)
            if column.endswith(("count", "invoices")) and v is not None:
                values.append(int(v))
            else:
                values.append(_unjson(v, money))
        key: Any = int(column) if int_columns else column
        data[key] = values
    index = pd.Index([r[index_name] for r in records], name=index_name)
    frame = pd.DataFrame(data, index=index)
    if int_columns:
        frame.columns.name = "age"
    return frame


# ----------------------------------------------------------------------------------
# computing
# ----------------------------------------------------------------------------------


def _costs_for(costs: Any, period: Period, which: str) -> tuple[bool, Any]:
    """Whether ``costs`` says something about ``period``, and what to pass on."""
    if costs is None:
        return False, None
    if isinstance(costs, (int, float, Decimal, str, np.integer, np.floating)):
        # one number: the costs of the dashboard's period, unknown for the previous one
        return which == "current", costs
    if isinstance(costs, Mapping):
        for key, value in costs.items():
            if Period.parse(key) == period:
                return True, {str(period): value}
        return False, None
    return True, costs


def _snapshot_values(
    ledger: Ledger, period: Period, as_of: date, costs: Any, which: str, col: _Collector
) -> dict[str, Any]:
    """Every KPI of the table for one period and as-of date."""
    tag = f"/{which}"
    v: dict[str, Any] = {}
    v["receivables"] = col.call("receivables" + tag, receivables, ledger, as_of)
    v["overdue"] = col.call("overdue" + tag, overdue, ledger, as_of)
    v["overdue_rate"] = col.call("overdue_rate" + tag, overdue_rate, ledger, as_of)
    v["dispute_rate"] = col.call("dispute_rate" + tag, dispute_rate, ledger, as_of)
    flow = flows(ledger, period)
    v["sales"] = ledger.money(int(flow["sales"].iloc[0]))
    v["cash_collected"] = ledger.money(int(flow["cash"].iloc[0]))
    v["dso"] = col.call("dso" + tag, dso, ledger, period)
    v["dso_countback"] = col.call("dso_countback" + tag, dso, ledger, period, method="countback")
    v["best_possible_dso"] = col.call("best_possible_dso" + tag, best_possible_dso, ledger, period)
    v["average_days_delinquent"] = col.call(
        "average_days_delinquent" + tag, average_days_delinquent, ledger, period
    )
    delays = col.call("payment_delays" + tag, payment_delays, ledger, period)
    for name, key in (
        ("days_to_pay", "days_to_pay"),
        ("days_late", "days_late"),
        ("share_paid_late", "share_late"),
    ):
        v[name] = delays.get(key, math.nan)
    observed = as_of if (as_of in period and which == "current") else None
    v["cei"] = col.call("cei" + tag, cei, ledger, period)
    v["recovery_rate"] = col.call(
        "recovery_rate" + tag, recovery_rate, ledger, period, observed=observed
    )
    v["activation_rate"] = col.call(
        "activation_rate" + tag, activation_rate, ledger, period, observed=observed
    )
    known, given = _costs_for(costs, period, which)
    if costs is not None:
        v["cost_per_euro"] = (
            col.call("cost_per_euro" + tag, cost_per_euro, ledger, period, given)
            if known
            else math.nan
        )
    v["bad_debt_to_sales"] = col.call("bad_debt_to_sales" + tag, bad_debt_to_sales, ledger, period)
    v["loss_rate"] = col.call("loss_rate" + tag, loss_rate, ledger, period)
    v["doubtful"] = col.call("doubtful" + tag, doubtful, ledger, as_of)
    v["provision_rate"] = col.call("provision_rate" + tag, provision_rate, ledger, as_of)
    return {k: _number(x) for k, x in v.items()}


def _amount_table(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    index_name: str,
    zero: Decimal,
) -> pd.DataFrame:
    """Current and previous figures side by side, rows outer-joined (current's order first).

    Keeps the columns ``count``, ``amount`` (or ``balance``), ``share`` and
    ``invoices`` that the KPI table has; a row present at one date only gets
    0 at the other (nothing in that bucket / status / reason).
    """
    index = list(current.index)
    seen = set(index)
    index += [i for i in previous.index if i not in seen]
    out = pd.DataFrame(index=pd.Index(index, name=index_name))

    def values(frame: pd.DataFrame, names: Sequence[str], fill: Any) -> list[Any] | None:
        name = next((n for n in names if n in frame.columns), None)
        if name is None:
            return None
        series = frame[name]
        return [series.loc[i] if i in series.index else fill for i in index]

    spec: list[tuple[str, tuple[str, ...], Any]] = [
        ("count", ("count",), 0),
        ("amount", ("amount", "balance"), zero),
        ("share", ("share",), 0.0),
        ("invoices", ("invoices",), 0),
    ]
    for prefix, frame in (("", current), ("previous_", previous)):
        for name, names, fill in spec:
            got = values(frame, names, fill)
            if got is None:
                continue
            if name in ("count", "invoices"):
                out[prefix + name] = pd.array(
                    [None if _missing(v) else int(v) for v in got], dtype="Int64"
                )
            elif name == "share":
                out[prefix + name] = [float(v) if not _missing(v) else math.nan for v in got]
            else:
                out[prefix + name] = got
    return out


def _group_table(
    ledger: Ledger, period: Period, as_of: date, by: str, col: _Collector
) -> pd.DataFrame:
    parts = {
        "receivables": col.call("groups", receivables, ledger, as_of, by=by),
        "overdue": col.call("groups", overdue, ledger, as_of, by=by),
        "overdue_rate": col.call("groups", overdue_rate, ledger, as_of, by=by),
        "dso": col.call("groups", dso, ledger, period, by=by),
        "dso_countback": col.call("groups", dso, ledger, period, method="countback", by=by),
    }
    index = list(parts["receivables"].index)
    for series in parts.values():
        index += [i for i in series.index if i not in set(index)]
    zero = ledger.money(0)
    columns: dict[str, list[Any]] = {}
    for name, series in parts.items():
        fill: Any = zero if name in ("receivables", "overdue") else math.nan
        columns[name] = [_number(series.loc[i]) if i in series.index else fill for i in index]
    # aging(by=) is wide: groups x buckets, plus "total" (= receivables) and "unapplied"
    wide = col.call("groups", aging, ledger, as_of, by=by)
    for bucket in [c for c in wide.columns if str(c) != "total"]:
        columns[str(bucket)] = [wide.at[i, bucket] if i in wide.index else zero for i in index]
    return pd.DataFrame(columns, index=pd.Index(index, name=by))


def dashboard(
    ledger: Ledger,
    period: PeriodLike,
    *,
    as_of: date | str | None = None,
    costs: Any = None,
    by: str | None = None,
    top: int = 10,
    trend_months: int = 12,
) -> Dashboard:
    """Every KPI of SPEC §4.10 for the period, with the previous period beside it.

    Parameters
    ----------
    ledger : Ledger
    period : Period or str
        The period (``"2024-04"``, ``"2024-Q2"``, ``ck.Period(...)``). The
        previous period is ``period.previous()``: the same number of months
        (or days) just before.
    as_of : date or str, optional
        Cut-off of the snapshot KPIs (receivables, overdue, aging, dunning,
        disputes, top customers, doubtful, cohorts) and observation date of
        the recovery and activation rates when it falls inside the period.
        Default: **the period's last day** (never today). The previous
        period's snapshot is always taken at its own last day.
    costs : number, mapping, DataFrame or iterable, optional
        Collection costs, as :func:`creditkpi.cost_per_euro` takes them. One
        number is the cost of ``period`` only (the previous value is then
        ``nan``); a ``{period: total}`` mapping or dated cost lines give
        both. Without costs, the ``cost_per_euro`` row is left out.
    by : str, optional
        ``"customer_id"`` or an invoice attribute: adds :attr:`Dashboard.groups`
        (receivables, overdue, overdue rate, DSO both methods, aging per group).
    top : int, default 10
        Number of customers in :attr:`Dashboard.top_customers`.
    trend_months : int, default 12
        Length of the DSO / CEI trend, in months ending with the period.

    Returns
    -------
    Dashboard
        See :class:`Dashboard`. Values are those of the individual KPI
        functions for the same arguments (fractions, days, ``Decimal``).

    Raises
    ------
    CreditKPIError
        A bad ``period``, ``as_of``, ``costs`` or ``by`` (from the KPI
        functions).

    Warns
    -----
    UndefinedMetricWarning
        Once, listing every undefined value (a KPI with a zero denominator
        in one of the two periods, gaps in the trend or group tables),
        instead of one warning per KPI. They show as "n/a".

    Notes
    -----
    ``change = current - previous`` in the KPI's unit (for ratios, in
    fraction points: 0.012 is +1.2 percentage points). Sales and cash
    collected (the denominators of most ratios) are included for context.

    References
    ----------
    SPEC §4.10 (tableau de bord, seed 004).

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "1000.00"),
    ...      ck.Invoice("F2", "C2", "2024-04-05", "2024-05-05", "500.00")],
    ...     [ck.Payment("F1", "2024-04-10", "600.00")])
    >>> import warnings
    >>> with warnings.catch_warnings():  # no doubtful invoice: the provision rate is n/a
    ...     warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
    ...     board = ck.dashboard(ledger, "2024-04")
    >>> board.kpis.loc["receivables", ["current", "previous", "change"]].tolist()
    [Decimal('900.00'), Decimal('1000.00'), Decimal('-100.00')]
    >>> round(board.value("overdue_rate"), 4), board.value("overdue_rate", "previous")
    (0.4444, 0.0)
    >>> board.to_dict()["kpis"]["sales"]["current"]
    '500.00'
    >>> board.trend.index.tolist()
    ['2024-03', '2024-04']
    """
    the_period = Period.parse(period)
    cut = the_period.end if as_of is None else as_date(as_of)
    if not isinstance(top, int) or isinstance(top, bool) or top < 1:
        raise InvalidOptionError(f"top must be a positive whole number, got {top!r}", column="top")
    if not isinstance(trend_months, int) or isinstance(trend_months, bool) or trend_months < 1:
        raise InvalidOptionError(
            f"trend_months must be a positive whole number, got {trend_months!r}",
            column="trend_months",
        )
    if by is not None:
        ledger.groups(by)  # validates by before the long computation
    prev = the_period.previous()
    prev_cut = prev.end
    col = _Collector()

    current = _snapshot_values(ledger, the_period, cut, costs, "current", col)
    previous = _snapshot_values(ledger, prev, prev_cut, costs, "previous", col)
    unit_text = {
        "money": ledger.currency,
        "days": "days",
        "ratio": "ratio",
        "money/money": f"{ledger.currency}/{ledger.currency}",
    }
    rows = []
    undefined: list[str] = []
    for info in KPIS:
        if info.name not in current:
            continue
        cur, old = current[info.name], previous[info.name]
        rows.append(
            {
                "kpi": info.name,
                "label": info.label,
                "current": cur,
                "previous": old,
                "change": _change(cur, old),
                "unit": unit_text[info.unit],
            }
        )
        if _missing(cur):
            undefined.append(f"{info.name}/current")
        if _missing(old) and not (
            info.name == "cost_per_euro" and not _costs_for(costs, prev, "previous")[0]
        ):
            undefined.append(f"{info.name}/previous")
    kpis = pd.DataFrame(rows).set_index("kpi")
    kpis = kpis.astype({"current": object, "previous": object, "change": object})

    zero = ledger.money(0)
    aging_table = _amount_table(
        col.call("aging", aging, ledger, cut),
        col.call("aging", aging, ledger, prev_cut),
        "bucket",
        zero,
    )
    dunning_table = _amount_table(
        col.call("dunning", by_dunning_status, ledger, cut),
        col.call("dunning", by_dunning_status, ledger, prev_cut),
        "status",
        zero,
    )
    disputes_table = _amount_table(
        col.call("disputes", dispute_reasons, ledger, cut),
        col.call("disputes", dispute_reasons, ledger, prev_cut),
        "reason",
        zero,
    )
    top_table = col.call("top_customers", top_customers, ledger, cut, n=top).copy()
    balances_before = col.call("top_customers", receivables, ledger, prev_cut, by="customer_id")
    top_table["previous_balance"] = [
        balances_before.loc[c] if c in balances_before.index else zero for c in top_table.index
    ]
    top_table.index.name = "customer_id"

    months = _trend_periods(the_period, trend_months)
    if ledger.first_day is not None:
        # months that end before the ledger's first event say nothing: left out
        first = from_day(ledger.first_day)
        months = [m for m in months if m.end >= first] or months[-1:]
    trend = pd.DataFrame(index=pd.Index([str(m) for m in months], name="period"))
    trend["dso"] = _values(col.call("trend", dso, ledger, months), len(months))
    trend["dso_countback"] = _values(
        col.call("trend", dso, ledger, months, method="countback"), len(months)
    )
    trend["best_possible_dso"] = _values(
        col.call("trend", best_possible_dso, ledger, months), len(months)
    )
    trend["cei"] = _values(col.call("trend", cei, ledger, months), len(months))
    if trend.isna().to_numpy().any():
        undefined.append("trend")

    cohort_table = col.call("cohorts", cohorts, ledger, cut)

    groups = None
    if by is not None:
        groups = _group_table(ledger, the_period, cut, by, col)
        if any(
            _missing(v) for v in groups[["overdue_rate", "dso", "dso_countback"]].to_numpy().ravel()
        ):
            undefined.append("groups")

    for where in col.undefined:
        if "/" not in where and where not in undefined:
            undefined.append(where)
    col.replay()
    if undefined:
        warnings.warn(
            f"dashboard {the_period}: {len(undefined)} undefined value(s), shown as n/a "
            f"(zero denominator or no history): {', '.join(undefined)}",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    return Dashboard(
        period=the_period,
        previous_period=prev,
        as_of=cut,
        previous_as_of=prev_cut,
        currency=ledger.currency,
        kpis=kpis,
        aging=aging_table,
        dunning=dunning_table,
        disputes=disputes_table,
        top_customers=top_table,
        trend=trend,
        cohorts=cohort_table,
        groups=groups,
        by=by,
        undefined=tuple(undefined),
    )
