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
from collections.abc import Mapping
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
from creditkpi.dashboard.cells import (
    item_records,
    items_from_records,
    jsonable,
    period_dict,
    period_label,
    table_csv,
    table_from_records,
    table_records,
    unjson,
)
from creditkpi.registry import KPIS, TABLES, TableKPI

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console, Group


__all__ = ["GROUPS_SHOWN", "SCHEMA", "Dashboard", "money_columns", "shown_tables"]

#: JSON schema identifier written by :meth:`Dashboard.to_dict`
SCHEMA = "creditkpi.dashboard/4"

#: the schemas :meth:`Dashboard.from_dict` reads (a /3 file has no year ago and no targets)
READS = ("creditkpi.dashboard/3", SCHEMA)

#: rows of the per-group tables shown in a terminal or a page (the largest groups)
GROUPS_SHOWN = 50


# ----------------------------------------------------------------------------------
# the Dashboard object
# ----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class Dashboard:
    """Every KPI of one period beside the previous one and the year before (see :func:`dashboard`).

    Attributes
    ----------
    period, previous_period : Period
        The period and the one just before it (same number of months or days).
    as_of, previous_as_of : date
        Cut-offs of the snapshot KPIs (receivables, aging, ...): ``as_of``
        (default ``period.end``) and ``previous_period.end``.
    year_ago_period : Period or None
        The same period a year before (``period.shift_months(-12)``), as of
        :attr:`year_ago_as_of`, its last day.
    currency : str
        The ledger's currency.
    kpis : DataFrame
        Index ``kpi`` (names of :data:`creditkpi.registry.KPIS`); columns
        ``label``, ``current``, ``previous``, ``change`` (current - previous;
        for ratios a difference of fractions, i.e. percentage points / 100),
        ``year_ago`` and ``year_change`` (current - year ago; ``nan`` when
        the data starts after the year-ago period) and ``unit`` (the
        currency code, ``"days"``, ``"ratio"`` or ``"EUR/EUR"``). Numbers (float) by default; with ``money="decimal"``
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
        - ``top_overdue_customers``: the same columns, largest overdue
          amount first, with ``previous_overdue``;
        - ``provision_matrix``: the IFRS 9 provision matrix at ``as_of``
          (:func:`creditkpi.provision_matrix`; its total is the expected
          credit loss row);
        - ``expected_cash_by_week``: index ``week`` (1 to 13 from
          ``as_of``): ``expected_cash`` from the open invoices;
        - ``cohorts``: cohort (issue month) × age (months) shares settled at
          ``as_of`` (:func:`creditkpi.cohorts`).
    trend : DataFrame
        Index ``period`` (a ``PeriodIndex``: the 12 months ending with the
        month of the period's end, oldest first; months ending before the
        ledger's first event are left out): ``receivables`` and ``overdue``
        (money, at each month's end), ``overdue_rate``, ``dso``,
        ``countback_dso``, ``best_possible_dso`` (days) and ``cei``
        (fraction): the KPIs of the registry with ``trend=True``.
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
    targets : mapping of str to float
        Targets of KPIs (:func:`creditkpi.dashboard.targets.read_targets`);
        :meth:`target_status` says which are met.
    urgent_items : DataFrame or None
        The most urgent open items at ``as_of`` (past due, largest
        ``open_balance × days_past_due`` first, see
        :mod:`creditkpi.dashboard.items`); ``None`` without an open-items table.
    inputs : tuple of str or None
        The optional inputs the data gave (``disputes``, ``statuses``,
        ``doubtful``, ``costs``...): a table needing one it lacks is left
        out of the renderings under the note about that input (``None``:
        not known, every input taken as given).
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
    year_ago_period: Period | None = None
    year_ago_as_of: date | None = None
    targets: Mapping[str, float] = field(default_factory=dict)
    urgent_items: pd.DataFrame | None = None
    inputs: tuple[str, ...] | None = None

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

    @property
    def has_year_ago(self) -> bool:
        """Whether the data reaches back to the same period a year before."""
        year = self.year_ago_period
        return year is not None and self.data_start is not None and self.data_start <= year.end

    def target_status(self) -> pd.DataFrame:
        """Each target beside the KPI's value: ``met``, ``missed`` or ``no value``.

        See :func:`creditkpi.dashboard.targets.target_status` (columns
        ``label``, ``target``, ``current``, ``status``, ``gap``).

        Examples
        --------
        >>> import warnings, creditkpi as ck
        >>> from creditkpi import datasets
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     board = ck.dashboard(datasets.sample(), "2024-12",
        ...                          targets={"dso": 45, "overdue_rate": 0.15})
        >>> board.target_status()["status"].to_dict()
        {'overdue_rate': 'missed', 'dso': 'missed'}
        """
        from creditkpi.dashboard.targets import target_status

        return target_status(self.kpis, self.targets)

    def with_targets(self, targets: Any) -> Dashboard:
        """The same dashboard with other targets (a mapping or a TOML file, as :func:`dashboard` takes)."""
        from dataclasses import replace

        from creditkpi.dashboard.targets import read_targets

        return replace(self, targets=read_targets(targets))

    def to_frame(self) -> pd.DataFrame:
        """The KPI table in long (tidy) form: one row per KPI and period.

        Returns
        -------
        DataFrame
            Columns ``kpi``, ``label``, ``label_fr``, ``section``, ``unit``
            (the registry's unit: ``money``, ``ratio``, ``days``...),
            ``better``, ``which`` (``"current"``, ``"previous"`` or ``"year_ago"``),
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
        shown = [
            ("current", self.period, self.as_of),
            ("previous", self.previous_period, self.previous_as_of),
        ]
        if self.year_ago_period is not None and self.year_ago_as_of is not None:
            shown.append(("year_ago", self.year_ago_period, self.year_ago_as_of))
        for which, period, cut in shown:
            label = period_label(period)
            for name, row in self.kpis.iterrows():
                info = KPIS.get(str(name))
                rows.append(
                    {
                        "kpi": str(name),
                        "label": row["label"],
                        "label_fr": info.label_in(self.currency, french=True) if info else None,
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
                "label_fr": info.label_in(self.currency, french=True) if info else None,
                "unit": row["unit"],
                "section": info.section if info else None,
                "better": info.better if info else None,
                "current": jsonable(row["current"], digits if money else None),
                "previous": jsonable(row["previous"], digits if money else None),
                "change": jsonable(row["change"], digits if money else None),
                "year_ago": jsonable(row["year_ago"], digits if money else None),
                "year_change": jsonable(row["year_change"], digits if money else None),
            }
        return {
            "schema": SCHEMA,
            "currency": self.currency,
            "period": period_dict(self.period, self.as_of),
            "previous_period": period_dict(self.previous_period, self.previous_as_of),
            "year_ago_period": None
            if self.year_ago_period is None or self.year_ago_as_of is None
            else period_dict(self.year_ago_period, self.year_ago_as_of),
            "targets": {
                name: jsonable(value, digits if _is_money_kpi(name) else None)
                for name, value in self.targets.items()
            },
            "urgent_items": None
            if self.urgent_items is None
            else item_records(self.urgent_items, digits),
            "data": {
                "start": None if self.data_start is None else self.data_start.isoformat(),
                "end": None if self.data_end is None else self.data_end.isoformat(),
            },
            "kpis": kpis,
            **{
                name: table_records(frame, TABLES[name].index, digits, self.money_columns(name))
                for name, frame in self.tables.items()
            },
            "trend": table_records(self.trend, "period", digits, self.money_columns("trend")),
            "groups": None
            if self.groups is None
            else {
                "by": self.by,
                "rows": table_records(self.groups, "group", digits, self.money_columns("groups")),
            },
            "undefined": list(self.undefined),
            "notes": list(self.notes),
            "inputs": None if self.inputs is None else list(self.inputs),
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
        if data.get("schema") not in READS:
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
                    "year_ago": unjson(item.get("year_ago"), is_money, money),
                    "year_change": unjson(item.get("year_change"), is_money, money),
                    "unit": item["unit"],
                }
            )
        kpis = pd.DataFrame(rows, columns=["kpi", "label", *KPI_COLUMNS])
        kpis = kpis.set_index("kpi")
        kinds = dict.fromkeys(KPI_COLUMNS[:-1], object if money == "decimal" else np.float64)
        kpis = kpis.astype(kinds)
        groups = data.get("groups")
        span = data.get("data") or {}
        year = data.get("year_ago_period")
        items = data.get("urgent_items")
        tables = {
            name: table_from_records(
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
            trend=table_from_records(
                data["trend"],
                "period",
                money=money,
                money_columns=money_columns("trend", None),
                periods=True,
            ),
            groups=None
            if groups is None
            else table_from_records(
                groups["rows"], "group", money=money, money_columns=_group_money(groups["rows"])
            ),
            by=None if groups is None else groups["by"],
            undefined=tuple(data.get("undefined", ())),
            notes=tuple(data.get("notes", ())),
            data_start=None if span.get("start") is None else as_date(span["start"]),
            data_end=None if span.get("end") is None else as_date(span["end"]),
            money=money,
            year_ago_period=None if year is None else Period(year["start"], year["end"]),
            year_ago_as_of=None if year is None else as_date(year["as_of"]),
            targets={k: float(v) for k, v in (data.get("targets") or {}).items()},
            urgent_items=None if items is None else items_from_records(items, money),
            inputs=None if data.get("inputs") is None else tuple(data["inputs"]),
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
    def to_html(
        self,
        *,
        full: bool = False,
        charts: bool | None = None,
        locale: str | None = None,
        docs_url: str | None = None,
    ) -> str:
        """An HTML rendering: the credit pack (``full=True``), or a fragment for a notebook.

        Parameters
        ----------
        full : bool, default False
            The monthly credit pack, a page you can send: one self-contained
            file with the period, a summary in words, the targets, the KPI
            table (each KPI's definition, linked to its documentation page;
            the previous period and the year before beside it), the
            12-month trends, the aged balance, the forecast, the provision
            matrix, the customers most overdue, and notes on what is left
            out and why; an inline stylesheet that reads on a phone and
            prints on A4 a section a page; no script and no external
            request. ``False``: a fragment (KPI table, notes, detail tables)
            for a notebook or a page of yours.
        charts : bool, optional
            Embed the PNG charts (needs matplotlib, the ``charts`` extra;
            without it the page says so). Default: in
            the pack only.
        locale : str, optional
            How amounts and numbers read: ``"en_US"`` (default, ``$6,000.00``),
            ``"fr_FR"`` (``6 000,00 €``), ``"de_DE"``...
        docs_url : str, optional
            The documentation site the KPI definitions link to (default
            :data:`creditkpi.version.DOCS_URL`).

        Examples
        --------
        >>> import re, warnings, creditkpi as ck
        >>> from creditkpi import datasets
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     board = ck.dashboard(datasets.sample(), "2024-12")
        >>> page = board.to_html(full=True, charts=False)
        >>> page.startswith("<!DOCTYPE html>"), "<script" in page, re.findall(r"src=", page)
        (True, False, [])
        """
        from creditkpi.dashboard.pack import html_page

        return html_page(self, full=full, charts=charts, locale=locale, docs_url=docs_url)

    def to_pdf(
        self,
        path: Path | str,
        *,
        locale: str | None = None,
        docs_url: str | None = None,
        charts: bool = True,
    ) -> None:
        """Print the credit pack (:meth:`to_html` with ``full=True``) to an A4 PDF file.

        Through a headless Chromium browser (Debian: ``apt-get install
        chromium``, or the ``CREDITKPI_CHROMIUM`` environment variable): see
        :func:`creditkpi.printing.html_to_pdf`.

        Raises
        ------
        PrintingError
            No Chromium browser, or it failed to print.
        """
        from creditkpi.dashboard.pack import html_page, pdf_of

        page = html_page(
            self, full=True, charts=charts, locale=locale, docs_url=docs_url, paper="A4"
        )
        Path(path).write_bytes(pdf_of(page))

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
        """A rich renderable: the summary, the KPI table and the detail tables."""
        from creditkpi.dashboard.render import rich_group

        return rich_group(self)

    def render(self, console: Console | None = None, *, locale: str | None = None) -> None:
        """Print the dashboard as rich tables (to ``console``, default: stdout)."""
        from rich.console import Console

        from creditkpi.dashboard.render import rich_group

        (console or Console()).print(rich_group(self, locale=locale))

    def to_text(self, *, width: int = 110, locale: str | None = None) -> str:
        """The terminal rendering as plain text (no colours), ``width`` columns wide."""
        from rich.console import Console

        from creditkpi.dashboard.render import rich_group

        buffer = io.StringIO()
        console = Console(  # never Jupyter's display: the text comes back, the same everywhere
            file=buffer,
            width=width,
            color_system=None,
            force_terminal=False,
            force_jupyter=False,
            legacy_windows=False,
        )
        console.print(rich_group(self, locale=locale))
        return buffer.getvalue()

    def __repr__(self) -> str:
        return self.to_text()

    # ------------------------------------------------------------------ charts
    def plot(
        self, directory: Path | str, *, dpi: int = 150, locale: str | None = None
    ) -> dict[str, Path]:
        """Write PNG charts into ``directory`` (needs ``pip install matplotlib (the charts extra)``).

        Writes ``aging.png`` (aged balance, current and previous),
        ``receivables_trend.png`` (receivables and overdue at each month's
        end), ``dso_cei_trend.png`` (DSO standard and countback, best
        possible DSO and CEI over the 12 months ending with the period),
        ``forecast.png`` (expected cash over the next 13 weeks) and
        ``cohorts.png`` (cohort heat map); amounts read as ``locale`` says.

        Returns
        -------
        dict of str to Path
            ``{"aging": ..., "receivables": ..., "trend": ..., "forecast": ..., "cohorts": ...}``.

        Raises
        ------
        creditkpi.plotting.ChartsUnavailableError
            If matplotlib is not installed (an ``ImportError``).
        """
        from creditkpi.dashboard.charts import plot_dashboard

        return plot_dashboard(self, directory, dpi=dpi, locale=locale)

    # ------------------------------------------------------------------ views
    def table_views(self) -> list[tuple[str, pd.DataFrame, frozenset[str]]]:
        """The tables a terminal shows: ``(heading, frame, money columns)``.

        The detail tables with something to show (the previous date beside
        them), then, with ``by=``, the per-group tables (the largest groups).
        """
        from creditkpi.dashboard.render import views

        shown, _ = views(self)
        return [(v.heading, v.frame, v.money) for v in shown] + self.group_views()

    def group_views(self) -> list[tuple[str, pd.DataFrame, frozenset[str]]]:
        """The per-group tables of ``by=``, the largest groups: ``(heading, frame, money columns)``."""
        if self.groups is None:
            return []
        groups = self.groups
        shown = ""
        if len(groups) > GROUPS_SHOWN:
            # a page or a terminal shows the largest groups; CSV and JSON hold them all
            order = np.argsort(-groups["receivables"].astype(np.float64).to_numpy(), kind="stable")
            groups = groups.iloc[order[:GROUPS_SHOWN]]
            shown = f" (largest {GROUPS_SHOWN} of {len(self.groups):,}; CSV/JSON: all)"
        main = [c for c in groups.columns if c in _group_kpis()]
        rest = [c for c in groups.columns if c not in _group_kpis()]
        heading = f"By {self.by}: at {self.as_of}, over {self.period}{shown}"
        money = self.money_columns("groups")
        out = [(heading, groups[main], money)]
        if rest:
            out.append((f"By {self.by}: aged balance at {self.as_of}{shown}", groups[rest], money))
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


#: the columns of :attr:`Dashboard.kpis` after the label
KPI_COLUMNS = ("current", "previous", "change", "year_ago", "year_change", "unit")


def _is_money_kpi(name: str) -> bool:
    info = KPIS.get(name)
    return info is not None and info.unit == "money"
