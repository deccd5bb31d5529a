"""The :class:`Dashboard` object: every KPI of one period beside the previous one, and its JSON.

The values are computed by :func:`creditkpi.dashboard.dashboard`
(:mod:`~creditkpi.dashboard.compute`); renderings (text, rich, HTML) are in
:mod:`~creditkpi.dashboard.render`, PNG charts in
:mod:`~creditkpi.dashboard.charts`.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.period import Period, as_date
from creditkpi.core.safe_text import csv_text, json_text

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console, Group


__all__ = ["KPIS", "SCHEMA", "Dashboard", "KPIInfo"]

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
    data_start, data_end : date or None
        The ledger's first and last event (invoice issued or settlement
        dated): the range the figures can speak for. A period ending after
        ``data_end`` is incomplete (the renderings say so).
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
    data_start: date | None = None
    data_end: date | None = None

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
            or ``{"by": ..., "rows": [...]}``), ``undefined`` and ``data``
            (``start`` and ``end``: the ledger's first and last event, ISO
            dates or ``None``).
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
            "data": {"start": _jsonable(self.data_start), "end": _jsonable(self.data_end)},
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text (``nan`` → ``null``, money as strings).

        Every string is exact; control and text-reordering characters in
        labels are written as ``\\uXXXX`` escapes, so printing the JSON on a
        terminal sends no control sequence.
        """
        text = json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)
        return json_text(text)

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
        span = data.get("data") or {}
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
            data_start=None if span.get("start") is None else as_date(span["start"]),
            data_end=None if span.get("end") is None else as_date(span["end"]),
        )

    @classmethod
    def from_json(cls, text: str) -> Dashboard:
        """Rebuild a dashboard from :meth:`to_json`."""
        return cls.from_dict(json.loads(text))

    # ------------------------------------------------------------------ CSV
    def to_csv(self, path: Path | str | None = None, *, escape_formulas: bool = True) -> str | None:
        """The KPI table as CSV: ``kpi,label,current,previous,change,unit``.

        Money is written as exact decimals, ratios as fractions, undefined
        values as empty fields. With ``path`` the file is written and
        ``None`` returned; without, the text is returned.

        Parameters
        ----------
        path : path, optional
        escape_formulas : bool, default True
            Text cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a
            carriage return get a leading single quote (and their control
            characters are made visible), so a spreadsheet never runs them
            as formulas (CSV injection); numbers are never changed. ``False``
            writes labels verbatim, for programs reading the file.
        """
        text = _table_csv(self.kpis, "kpi", escape_formulas=escape_formulas)
        if path is None:
            return text
        Path(path).write_text(text, encoding="utf-8")
        return None

    # ------------------------------------------------------------------ HTML
    def to_html(self, *, full: bool = False, charts: bool | None = None) -> str:
        """An HTML rendering: the KPI table, notes, then the detail tables.

        Parameters
        ----------
        full : bool, default False
            A complete page you can send: one self-contained file with the
            period, the data's date range, notes, the KPI table, the charts
            (embedded images) and the detail tables, an inline stylesheet
            that reads on a phone and prints, no script and no external
            request. ``False``: a fragment for a notebook or a page of yours.
        charts : bool, optional
            Embed the PNG charts (needs matplotlib: ``pip install
            'creditkpi[charts]'``; without it the page says so). Default: in
            a full page only.

        Examples
        --------
        >>> import warnings, creditkpi as ck
        >>> from creditkpi import datasets
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     board = ck.dashboard(datasets.sample(), "2024-12")
        >>> page = board.to_html(full=True, charts=False)
        >>> page.startswith("<!DOCTYPE html>"), "<script" in page, "://" in page
        (True, False, False)
        """
        from creditkpi.dashboard.render import html_page

        return html_page(self, full=full, charts=charts)

    def _repr_html_(self) -> str:
        """The notebook view: :meth:`to_html` as a fragment (no charts).

        Examples
        --------
        >>> import warnings, creditkpi as ck
        >>> from creditkpi import datasets
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     board = ck.dashboard(datasets.sample(), "2024-12")
        >>> html = board._repr_html_()
        >>> html.startswith('<div class="creditkpi-dashboard">'), "<html" in html
        (True, False)
        >>> "Receivables outstanding" in html and "2024-11" in html  # previous period beside
        True
        >>> 'class="num better"' in html or 'class="num worse"' in html  # coloured change
        True
        """
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
        from creditkpi.dashboard.render import rich_group

        return rich_group(self)

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
        creditkpi.dashboard.charts.ChartsUnavailableError
            If matplotlib is not installed (an ``ImportError``).
        """
        from creditkpi.dashboard.charts import plot_dashboard

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
    """A CSV cell of a table value: text stays text, numbers stay numbers, missing is empty."""
    if _missing(value):
        return ""
    if isinstance(value, (str, Decimal)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def _table_csv(frame: pd.DataFrame, index_name: str, *, escape_formulas: bool = True) -> str:
    """A table as CSV, its index as the first column; text cells neutralised (see ``to_csv``)."""
    header = [frame.index.name or index_name, *map(str, frame.columns)]
    rows = (
        [_csv_value(index), *(_csv_value(v) for v in values)]
        for index, values in zip(frame.index, frame.itertuples(index=False), strict=True)
    )
    return csv_text(header, rows, escape_formulas=escape_formulas)


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
