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

from creditkpi.core.args import Money, check_money
from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.money import minor_unit
from creditkpi.core.period import Period, as_date
from creditkpi.core.safe_text import csv_text, json_text
from creditkpi.registry import KPI, KPIS

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console, Group


__all__ = ["SCHEMA", "Dashboard"]

#: JSON schema identifier written by :meth:`Dashboard.to_dict`
SCHEMA = "creditkpi.dashboard/2"

#: display unit of a KPI row: the registry's unit
Unit = Literal["money", "ratio", "days", "count", "money_per_money"]


def _info(name: str) -> KPI | None:
    """The registry entry of a dashboard row (``None`` for a row the registry does not know)."""
    return KPIS.get(name)


def _is_money_kpi(name: str) -> bool:
    info = _info(name)
    return info is not None and info.unit == "money"


def _unit_text(unit: str, currency: str) -> str:
    return {"money": currency, "money_per_money": f"{currency}/{currency}"}.get(unit, unit)


#: columns of the detail tables that hold money (exact decimal strings in JSON)
_MONEY_COLUMNS = frozenset(
    {
        "amount",
        "previous_amount",
        "balance",
        "previous_balance",
        "receivables",
        "overdue",
        "unapplied",
        "total",
    }
)
#: columns of the group table that are not money
_GROUP_NUMBERS = frozenset({"overdue_rate", "dso", "countback_dso"})
#: rows of the per-group tables shown in a terminal or a page (the largest groups)
GROUPS_SHOWN = 50

#: the main per-group KPIs (the rest of the group table is the aged balance)
_GROUP_MAIN = ("receivables", "overdue", "overdue_rate", "dso", "countback_dso")


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
    aging : DataFrame
        Index ``bucket`` (``not due``, ``1-30``, ..., and ``unapplied`` cash
        on its own line); ``amount``, ``share`` (of receivables),
        ``invoices``, and the same prefixed ``previous_``.
    dunning : DataFrame
        Index ``status``; ``amount``, ``share``, ``invoices`` and their
        ``previous_`` values (empty without dunning statuses).
    disputes : DataFrame
        Open disputes by ``reason``: ``count``, ``amount`` and their
        ``previous_`` values (empty without disputes).
    top_customers : DataFrame
        Index ``customer_id`` (largest balance first): ``balance``, ``share``,
        ``overdue``, ``invoices``, ``previous_balance`` (the same customer's
        balance at the previous as-of date).
    trend : DataFrame
        Index ``period`` (a ``PeriodIndex``: the 12 months ending with the
        month of the period's end, oldest first; months ending before the
        ledger's first event are left out): ``dso``, ``countback_dso``,
        ``best_possible_dso`` (days) and ``cei`` (fraction).
    cohorts : DataFrame
        Cohort (issue month) × age (months) shares settled at ``as_of``
        (:func:`creditkpi.cohorts`).
    groups : DataFrame or None
        With ``by=``: index the groups; ``receivables``, ``overdue``,
        ``overdue_rate``, ``dso``, ``countback_dso`` and one column per aging
        bucket (amounts) plus ``unapplied``, at ``as_of`` / over ``period``.
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
    aging: pd.DataFrame
    dunning: pd.DataFrame
    disputes: pd.DataFrame
    top_customers: pd.DataFrame
    trend: pd.DataFrame
    cohorts: pd.DataFrame
    groups: pd.DataFrame | None = None
    by: str | None = None
    undefined: tuple[str, ...] = field(default=())
    notes: tuple[str, ...] = field(default=())
    data_start: date | None = None
    data_end: date | None = None
    money: Money = "float"

    # ------------------------------------------------------------------ access
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
            label = _period_label(period)
            for name, row in self.kpis.iterrows():
                info = _info(str(name))
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
            ``previous``, ``change``), ``aging``, ``dunning``, ``disputes``,
            ``top_customers``, ``trend``, ``cohorts`` (lists of row objects,
            the index as the first key), ``groups`` (``None`` or ``{"by":
            ..., "rows": [...]}``), ``undefined`` and ``notes``.
        """
        digits = minor_unit(self.currency)
        kpis: dict[str, Any] = {}
        for name, row in self.kpis.iterrows():
            info = _info(str(name))
            money = info is not None and info.unit == "money"
            kpis[str(name)] = {
                "label": row["label"],
                "label_fr": info.label_fr if info else None,
                "unit": row["unit"],
                "section": info.section if info else None,
                "better": info.better if info else None,
                "current": _jsonable(row["current"], digits if money else None),
                "previous": _jsonable(row["previous"], digits if money else None),
                "change": _jsonable(row["change"], digits if money else None),
            }
        return {
            "schema": SCHEMA,
            "currency": self.currency,
            "period": _period_dict(self.period, self.as_of),
            "previous_period": _period_dict(self.previous_period, self.previous_as_of),
            "data": {
                "start": None if self.data_start is None else self.data_start.isoformat(),
                "end": None if self.data_end is None else self.data_end.isoformat(),
            },
            "kpis": kpis,
            "aging": _records(self.aging, "bucket", digits),
            "dunning": _records(self.dunning, "status", digits),
            "disputes": _records(self.disputes, "reason", digits),
            "top_customers": _records(self.top_customers, "customer_id", digits),
            "trend": _records(self.trend, "period", digits),
            "cohorts": _records(self.cohorts, "cohort", digits),
            "groups": None
            if self.groups is None
            else {
                "by": self.by,
                "rows": _records(self.groups, "group", digits, money_default=True),
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
            info = _info(name)
            is_money = info is not None and info.unit == "money"
            rows.append(
                {
                    "kpi": name,
                    "label": item["label"],
                    "current": _unjson(item["current"], is_money, money),
                    "previous": _unjson(item["previous"], is_money, money),
                    "change": _unjson(item["change"], is_money, money),
                    "unit": item["unit"],
                }
            )
        kpis = pd.DataFrame(rows, columns=["kpi", "label", "current", "previous", "change", "unit"])
        kpis = kpis.set_index("kpi")
        if money == "decimal":
            kpis = kpis.astype({"current": object, "previous": object, "change": object})
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
            aging=_from_records(data["aging"], "bucket", money=money),
            dunning=_from_records(data["dunning"], "status", money=money),
            disputes=_from_records(data["disputes"], "reason", money=money),
            top_customers=_from_records(data["top_customers"], "customer_id", money=money),
            trend=_from_records(data["trend"], "period", money=money, periods=True),
            cohorts=_from_records(
                data["cohorts"], "cohort", money=money, int_columns=True, periods=True
            ),
            groups=None
            if groups is None
            else _from_records(groups["rows"], "group", money=money, money_default=True),
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
        text = _table_csv(
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
        creditkpi.plotting.ChartsUnavailableError
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
            groups = self.groups
            shown = ""
            if len(groups) > GROUPS_SHOWN:
                # a page or a terminal shows the largest groups; CSV and JSON hold them all
                order = np.argsort(
                    -groups["receivables"].astype(np.float64).to_numpy(), kind="stable"
                )
                groups = groups.iloc[order[:GROUPS_SHOWN]]
                shown = f" (largest {GROUPS_SHOWN} of {len(self.groups):,}; CSV/JSON: all)"
            main = [c for c in groups.columns if c in _GROUP_MAIN]
            rest = [c for c in groups.columns if c not in _GROUP_MAIN]
            heading = f"By {self.by}: at {self.as_of}, over {self.period}{shown}"
            out.append((heading, groups[main]))
            if rest:
                out.append((f"By {self.by}: aged balance at {self.as_of}{shown}", groups[rest]))
        return out


# ----------------------------------------------------------------------------------
# JSON helpers
# ----------------------------------------------------------------------------------


def _exact_money(value: Any, digits: int) -> Decimal:
    """The exact amount of a money value: a ``Decimal`` as is, a float rounded to the minor unit.

    Money floats are the nearest floats to exact amounts, so rounding to the
    currency's minor unit gives back the exact figure.
    """
    if isinstance(value, Decimal):
        return value
    return Decimal(float(value)).quantize(Decimal(1).scaleb(-digits))


def _jsonable(value: Any, digits: int | None = None) -> Any:
    """A JSON-safe version of one value (money → exact str, nan → None, dates → ISO)."""
    if _missing(value):
        return None
    if digits is not None and isinstance(value, (Decimal, float, np.floating, int, np.integer)):
        return str(_exact_money(value, digits))
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, pd.Period):
        return str(value)
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _csv_value(value: Any, digits: int | None = None) -> Any:
    """A CSV cell of a table value: text stays text, numbers stay numbers, missing is empty.

    With ``digits``, a money value is written as its exact decimal text.
    """
    if _missing(value):
        return ""
    if digits is not None and isinstance(value, (Decimal, float, np.floating, int, np.integer)):
        return _exact_money(value, digits)  # a number: never neutralised
    if isinstance(value, (str, Decimal)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def _table_csv(
    frame: pd.DataFrame,
    index_name: str,
    *,
    escape_formulas: bool = True,
    digits: int = 2,
    money_rows: set[str] | None = None,
    money_default: bool = False,
) -> str:
    """A table as CSV, its index as the first column; text cells neutralised (see ``to_csv``).

    Money is written as exact decimal text: the rows named in ``money_rows``
    (the KPI table), or the money columns (detail and group tables).
    """
    header = [frame.index.name or index_name, *map(str, frame.columns)]
    money_columns = [_is_money_column(str(c), money_default) for c in frame.columns]

    def cells(index: Any, values: tuple[Any, ...]) -> list[Any]:
        row_money = money_rows is not None and str(index) in money_rows
        out = [_csv_value(index)]
        for column, value, is_money in zip(frame.columns, values, money_columns, strict=True):
            money = row_money and str(column) in ("current", "previous", "change")
            money = money or (money_rows is None and is_money)
            out.append(_csv_value(value, digits if money else None))
        return out

    rows = (
        cells(index, values)
        for index, values in zip(frame.index, frame.itertuples(index=False), strict=True)
    )
    return csv_text(header, rows, escape_formulas=escape_formulas)


def _period_label(period: Period) -> Any:
    """A ``pandas.Period`` for a calendar month, quarter or year; the label otherwise."""
    from creditkpi.core.args import period_index

    index = period_index([period])
    return index[0] if isinstance(index, pd.PeriodIndex) else str(period)


def _period_dict(period: Period, as_of: date) -> dict[str, str]:
    return {
        "label": str(period),
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "as_of": as_of.isoformat(),
    }


def _is_money_column(column: str, money_default: bool) -> bool:
    if money_default:
        return column not in _GROUP_NUMBERS and not column.endswith(("share", "invoices"))
    return column in _MONEY_COLUMNS


def _records(
    frame: pd.DataFrame, index_name: str, digits: int, *, money_default: bool = False
) -> list[dict[str, Any]]:
    out = []
    for index, row in frame.iterrows():
        record: dict[str, Any] = {index_name: _jsonable(index)}
        for column in frame.columns:
            money = _is_money_column(str(column), money_default)
            record[str(column)] = _jsonable(row[column], digits if money else None)
        out.append(record)
    return out


def _unjson(value: Any, is_money: bool, money: Money) -> Any:
    if value is None:
        return math.nan
    if is_money:
        exact = Decimal(str(value))
        return exact if money == "decimal" else float(exact)
    if isinstance(value, str):
        return value
    return float(value)


def _from_records(
    records: Sequence[Mapping[str, Any]],
    index_name: str,
    *,
    money: Money,
    int_columns: bool = False,
    money_default: bool = False,
    periods: bool = False,
) -> pd.DataFrame:
    if not records:
        return pd.DataFrame(index=pd.Index([], name=index_name))
    columns = [c for c in records[0] if c != index_name]
    data: dict[Any, list[Any]] = {}
    for column in columns:
        is_money = _is_money_column(column, money_default)
        values = []
        for record in records:
            v = record.get(column)
            if column.endswith(("count", "invoices")) and v is not None:
                values.append(int(v))
            else:
                values.append(_unjson(v, is_money, money))
        key: Any = int(column) if int_columns else column
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
    if int_columns:
        frame.columns.name = "age"
    return frame
