"""The :class:`Dashboard` object: every KPI of one period beside the previous one, and its JSON.

The values are computed by :func:`creditkpi.dashboard.dashboard`
(:mod:`~creditkpi.dashboard.compute`); renderings (text, rich, HTML) are in
:mod:`~creditkpi.dashboard.render`, PNG charts in
:mod:`~creditkpi.dashboard.charts`. Which table holds money, and how each
KPI row reads, is the registry's (:mod:`creditkpi.registry`).
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from creditkpi.core.args import check_money
from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.groups import By
from creditkpi.core.money import minor_unit
from creditkpi.core.period import Period, as_date
from creditkpi.core.safe_text import json_text
from creditkpi.core.shapes import Money
from creditkpi.dashboard.cells import jsonable, period_dict, period_label, table_csv, unjson
from creditkpi.registry import KPIS, TABLES, TableKPI

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console, Group


__all__ = ["GROUPS_SHOWN", "SCHEMA", "Dashboard", "money_columns", "shown_tables"]

#: JSON schema identifier written by :meth:`Dashboard.to_dict`
SCHEMA = "creditkpi.dashboard/3"

#: rows of the per-group tables shown in a terminal or a page (the largest groups)
GROUPS_SHOWN = 50


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
        The ledger's currency.
    kpis : DataFrame
        Index ``kpi`` (names of :data:`creditkpi.registry.KPIS`); columns
        ``label``, ``current``, ``previous``, ``change`` (current - previous;
        for ratios a difference of fractions, i.e. percentage points / 100)
        and ``unit`` (the currency code, ``"days"``, ``"ratio"`` or
        ``"EUR/EUR"``). Numbers (float) by default; with ``money="decimal"``
        money rows are exact ``Decimal``. Undefined values are ``nan``
        (shown as "n/a"). Rows whose inputs the ledger lacks (no disputes, no
        doubtful classifications, no costs) are left out.
    tables : mapping of str to DataFrame
        The table KPIs of the registry the dashboard shows
        (:data:`creditkpi.registry.TABLES` with ``dashboard=None``), by name,
        each at ``as_of`` beside ``previous_as_of``; also attributes
        (``board.aging``, ``board.by_dunning_status``...):

        - ``aging``: index ``bucket`` (``not due``, ``1-30``, ..., and
          ``unapplied`` cash on its own line); ``amount``, ``share`` (of
          receivables), ``invoices``, and the same prefixed ``previous_``;
        - ``by_dunning_status``: index ``status``; ``amount``, ``share``,
          ``invoices`` and their ``previous_`` values (empty without dunning
          statuses);
        - ``dispute_reasons``: open disputes by ``reason``: ``count``,
          ``amount`` and their ``previous_`` values (empty without disputes);
        - ``top_customers``: index ``customer_id`` (largest balance first):
          ``balance``, ``share``, ``overdue``, ``invoices``,
          ``previous_balance`` (the same customer's balance at the previous
          as-of date);
        - ``cohorts``: cohort (issue month) × age (months) shares settled at
          ``as_of`` (:func:`creditkpi.cohorts`).
    trend : DataFrame
        Index ``period`` (a ``PeriodIndex``: the 12 months ending with the
        month of the period's end, oldest first; months ending before the
        ledger's first event are left out): ``dso``, ``countback_dso``,
        ``best_possible_dso`` (days) and ``cei`` (fraction): the KPIs of the
        registry with ``trend=True``.
    groups : DataFrame or None
        With ``by=``: index the groups; the KPIs of the registry with
        ``by_group=True`` (``receivables``, ``overdue``, ``overdue_rate``,
        ``dso``, ``countback_dso``) and the tables' per-group columns (one
        per aging bucket, amounts, plus ``unapplied``), at ``as_of`` / over
        ``period``.
    by : str or None
        The grouping of :attr:`groups`.
    undefined : tuple of str
        The KPI values that are undefined (``"cei/previous"``, ...), and the
        tables holding undefined values (``"trend"``, ``"groups"``).
    notes : tuple of str
        What a reader should know (a period extending past the data, KPIs
        left out for lack of input).
    data_start, data_end : date or None
        The ledger's first and last event (invoice issued or settlement
        dated): the range the figures can speak for.
    money : {"float", "decimal"}
        How the tables carry money.
    """

    period: Period
    previous_period: Period
    as_of: date
    previous_as_of: date
    currency: str
    kpis: pd.DataFrame
    tables: Mapping[str, pd.DataFrame]
    trend: pd.DataFrame
    groups: pd.DataFrame | None = None
    by: By = None
    undefined: tuple[str, ...] = field(default=())
    notes: tuple[str, ...] = field(default=())
    data_start: date | None = None
    data_end: date | None = None
    money: Money = "float"

    # ------------------------------------------------------------------ access
    def __getattr__(self, name: str) -> pd.DataFrame:
        """A table of :attr:`tables` as an attribute: ``board.aging``."""
        tables = self.__dict__.get("tables")
        if tables is not None and name in tables:
            frame: pd.DataFrame = tables[name]
            return frame
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def money_columns(self, table: str) -> frozenset[str]:
        """The columns of a table holding money: a name of :attr:`tables`, ``"trend"``, ``"groups"``."""
        return money_columns(table, self.groups)

    def value(self, name: str, which: Literal["current", "previous", "change"] = "current") -> Any:
        """One value of the KPI table, e.g. ``board.value("dso", "previous")``."""
        if name not in self.kpis.index:
            raise InvalidOptionError(
                f"kpi must be one of {', '.join(map(str, self.kpis.index))}; got {name!r}",
                column="kpi",
            )
        value = self.kpis.at[name, which]
        return value.item() if isinstance(value, np.generic) else value

    def to_frame(self) -> pd.DataFrame:
        """The KPI table in long (tidy) form: one row per KPI and period.

        Returns
        -------
        DataFrame
            Columns ``kpi``, ``label``, ``label_fr``, ``section``, ``unit``
            (the registry's unit: ``money``, ``ratio``, ``days``...),
            ``better``, ``which`` (``"current"`` or ``"previous"``),
            ``period`` (a ``pandas.Period`` or the period's label),
            ``as_of`` (the snapshot cut-off), ``value``. Filter, pivot or
            plot it like any long table.

        Examples
        --------
        >>> import creditkpi as ck, warnings
        >>> ledger = ck.Ledger.from_records(
        ...     [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "1000.00")],
        ...     [ck.Payment("F1", "2024-04-10", "600.00")])
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     long = ck.dashboard(ledger, "2024-04").to_frame()
        >>> float(long.set_index(["kpi", "which"]).loc[("receivables", "current"), "value"])
        400.0
        """
        rows = []
        for which, period, cut in (
            ("current", self.period, self.as_of),
            ("previous", self.previous_period, self.previous_as_of),
        ):
            label = period_label(period)
            for name, row in self.kpis.iterrows():
                info = KPIS.get(str(name))
                rows.append(
                    {
                        "kpi": str(name),
                        "label": row["label"],
                        "label_fr": info.label_fr if info else None,
                        "section": info.section if info else None,
                        "unit": info.unit if info else row["unit"],
                        "better": info.better if info else None,
                        "which": which,
                        "period": label,
                        "as_of": pd.Timestamp(cut),
                        "value": row[which],
                    }
                )
        frame = pd.DataFrame(rows)
        if self.money == "float" and len(frame):
            frame["value"] = frame["value"].astype(np.float64)
        return frame

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
            (``label``, ``start``, ``end``, ``as_of``), ``data`` (``start``,
            ``end``), ``kpis`` (an object keyed by KPI name: ``label``,
            ``label_fr``, ``unit``, ``section``, ``better``, ``current``,
            ``previous``, ``change``), one key per table of :attr:`tables`
            (``aging``, ``by_dunning_status``, ``dispute_reasons``,
            ``top_customers``, ``cohorts``) and ``trend`` (lists of row
            objects, the index as the first key), ``groups`` (``None`` or ``{"by":
            ..., "rows": [...]}``), ``undefined`` and ``notes``.
        """
        digits = minor_unit(self.currency)
        kpis: dict[str, Any] = {}
        for name, row in self.kpis.iterrows():
            info = KPIS.get(str(name))
            money = info is not None and info.unit == "money"
            kpis[str(name)] = {
                "label": row["label"],
                "label_fr": info.label_fr if info else None,
                "unit": row["unit"],
                "section": info.section if info else None,
                "better": info.better if info else None,
                "current": jsonable(row["current"], digits if money else None),
                "previous": jsonable(row["previous"], digits if money else None),
                "change": jsonable(row["change"], digits if money else None),
            }
        return {
            "schema": SCHEMA,
            "currency": self.currency,
            "period": period_dict(self.period, self.as_of),
            "previous_period": period_dict(self.previous_period, self.previous_as_of),
            "data": {
                "start": None if self.data_start is None else self.data_start.isoformat(),
                "end": None if self.data_end is None else self.data_end.isoformat(),
            },
            "kpis": kpis,
            **{
                name: _records(frame, TABLES[name].index, digits, self.money_columns(name))
                for name, frame in self.tables.items()
            },
            "trend": _records(self.trend, "period", digits, self.money_columns("trend")),
            "groups": None
            if self.groups is None
            else {
                "by": self.by,
                "rows": _records(self.groups, "group", digits, self.money_columns("groups")),
            },
            "undefined": list(self.undefined),
            "notes": list(self.notes),
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text (``nan`` → ``null``, money as exact strings).

        Every string is exact; control and text-reordering characters in
        labels are written as ``\\uXXXX`` escapes, so printing the JSON on a
        terminal sends no control sequence.
        """
        text = json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)
        return json_text(text)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, money: Money = "float") -> Dashboard:
        """Rebuild a dashboard from :meth:`to_dict` (null to nan; money as ``money`` asks)."""
        check_money(money)
        if data.get("schema") != SCHEMA:
            raise InvalidOptionError(
                f"not a creditkpi dashboard (schema {data.get('schema')!r}, expected {SCHEMA!r})",
                column="schema",
            )
        rows = []
        for name, item in data["kpis"].items():
            info = KPIS.get(name)
            is_money = info is not None and info.unit == "money"
            rows.append(
                {
                    "kpi": name,
                    "label": item["label"],
                    "current": unjson(item["current"], is_money, money),
                    "previous": unjson(item["previous"], is_money, money),
                    "change": unjson(item["change"], is_money, money),
                    "unit": item["unit"],
                }
            )
        kpis = pd.DataFrame(rows, columns=["kpi", "label", "current", "previous", "change", "unit"])
        kpis = kpis.set_index("kpi")
        if money == "decimal":
            kpis = kpis.astype({"current": object, "previous": object, "change": object})
        groups = data.get("groups")
        span = data.get("data") or {}
        tables = {
            name: _from_records(
                data[name],
                table.index,
                money=money,
                money_columns=money_columns(name, None),
                columns_name=table.columns_name,
                periods=table.periods,
            )
            for name, table in shown_tables().items()
            if name in data
        }
        return cls(
            period=Period(data["period"]["start"], data["period"]["end"]),
            previous_period=Period(
                data["previous_period"]["start"], data["previous_period"]["end"]
            ),
            as_of=as_date(data["period"]["as_of"]),
            previous_as_of=as_date(data["previous_period"]["as_of"]),
            currency=data["currency"],
            kpis=kpis,
            tables=tables,
            trend=_from_records(
                data["trend"],
                "period",
                money=money,
                money_columns=money_columns("trend", None),
                periods=True,
            ),
            groups=None
            if groups is None
            else _from_records(
                groups["rows"], "group", money=money, money_columns=_group_money(groups["rows"])
            ),
            by=None if groups is None else groups["by"],
            undefined=tuple(data.get("undefined", ())),
            notes=tuple(data.get("notes", ())),
            data_start=None if span.get("start") is None else as_date(span["start"]),
            data_end=None if span.get("end") is None else as_date(span["end"]),
            money=money,
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
        text = table_csv(
            self.kpis,
            "kpi",
            escape_formulas=escape_formulas,
            digits=minor_unit(self.currency),
            money_rows={str(k) for k in self.kpis.index if _is_money_kpi(str(k))},
        )
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
        console = Console(  # never Jupyter's display: the text comes back, the same everywhere
            file=buffer,
            width=width,
            color_system=None,
            force_terminal=False,
            force_jupyter=False,
            legacy_windows=False,
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
        creditkpi.plotting.ChartsUnavailableError
            If matplotlib is not installed (an ``ImportError``).
        """
        from creditkpi.dashboard.charts import plot_dashboard

        return plot_dashboard(self, directory, dpi=dpi)

    # ------------------------------------------------------------------ views
    def table_views(self) -> list[tuple[str, pd.DataFrame, frozenset[str]]]:
        """The tables a terminal or a page shows: ``(heading, frame, money columns)``.

        The detail tables with the previous date beside them, then, with
        ``by=``, the per-group tables (the largest groups).
        """
        out = [
            (
                f"{TABLES[name].label} at {self.as_of} (previous: {self.previous_as_of})",
                frame,
                self.money_columns(name),
            )
            for name, frame in self.tables.items()
            if TABLES[name].previous != "none"
        ]
        if self.groups is not None:
            groups = self.groups
            shown = ""
            if len(groups) > GROUPS_SHOWN:
                # a page or a terminal shows the largest groups; CSV and JSON hold them all
                order = np.argsort(
                    -groups["receivables"].astype(np.float64).to_numpy(), kind="stable"
                )
                groups = groups.iloc[order[:GROUPS_SHOWN]]
                shown = f" (largest {GROUPS_SHOWN} of {len(self.groups):,}; CSV/JSON: all)"
            main = [c for c in groups.columns if c in _group_kpis()]
            rest = [c for c in groups.columns if c not in _group_kpis()]
            heading = f"By {self.by}: at {self.as_of}, over {self.period}{shown}"
            money = self.money_columns("groups")
            out.append((heading, groups[main], money))
            if rest:
                out.append(
                    (f"By {self.by}: aged balance at {self.as_of}{shown}", groups[rest], money)
                )
        return out


# ----------------------------------------------------------------------------------
# the tables' money columns, from the registry
# ----------------------------------------------------------------------------------


def shown_tables() -> dict[str, TableKPI]:
    """The table KPIs a dashboard shows (``dashboard=None``), in registry order."""
    return {name: t for name, t in TABLES.items() if t.dashboard is None}


def _group_kpis() -> list[str]:
    return [k.name for k in KPIS.values() if k.by_group]


def money_columns(table: str, groups: pd.DataFrame | None) -> frozenset[str]:
    """The money columns of a dashboard table (``"trend"``, ``"groups"`` or a table KPI's name).

    A table KPI's money columns and their ``previous_`` values; the KPIs'
    with money units in the trend and group tables, and in the group table
    every column of the tables' per-group columns but shares and counts.
    """
    if table == "trend":
        return frozenset(k.name for k in KPIS.values() if k.trend and k.unit == "money")
    if table == "groups":
        columns = [] if groups is None else [str(c) for c in groups.columns]
        return _group_money(columns)
    spec = TABLES[table]
    base = spec.money_columns(spec.dashboard_options)
    return frozenset({*base, *(f"previous_{c}" for c in base)})


def _group_money(columns: Any) -> frozenset[str]:
    """Money columns of a group table: the money KPIs, and the tables' columns but shares."""
    names = list(columns[0]) if columns and isinstance(columns[0], Mapping) else list(columns)
    kpis = {k.name: k for k in KPIS.values() if k.by_group}
    return frozenset(
        c
        for c in names
        if (c in kpis and kpis[c].unit == "money")
        or (c not in kpis and c != "group" and not c.endswith(("share", "invoices")))
    )


def _is_money_kpi(name: str) -> bool:
    info = KPIS.get(name)
    return info is not None and info.unit == "money"


def _records(
    frame: pd.DataFrame, index_name: str, digits: int, money: frozenset[str]
) -> list[dict[str, Any]]:
    out = []
    for index, row in frame.iterrows():
        record: dict[str, Any] = {index_name: jsonable(index)}
        for column in frame.columns:
            record[str(column)] = jsonable(row[column], digits if str(column) in money else None)
        out.append(record)
    return out


def _from_records(
    records: Sequence[Mapping[str, Any]],
    index_name: str,
    *,
    money: Money,
    money_columns: frozenset[str],
    columns_name: str | None = None,
    periods: bool = False,
) -> pd.DataFrame:
    if not records:
        return pd.DataFrame(index=pd.Index([], name=index_name))
    columns = [c for c in records[0] if c != index_name]
    data: dict[Any, list[Any]] = {}
    for column in columns:
        is_money = column in money_columns
        values = []
        for record in records:
            v = record.get(column)
            if column.endswith(("count", "invoices")) and v is not None:
                values.append(int(v))
            else:
                values.append(unjson(v, is_money, money))
        key: Any = int(column) if columns_name is not None else column
        data[key] = values
    labels = [r[index_name] for r in records]
    index: pd.Index
    if periods:
        try:
            index = pd.PeriodIndex([pd.Period(x) for x in labels], name=index_name)
        except (ValueError, TypeError):
            index = pd.Index(labels, name=index_name)
    else:
        index = pd.Index(labels, name=index_name)
    frame = pd.DataFrame(data, index=index)
    if columns_name is not None:
        frame.columns.name = columns_name
    return frame
