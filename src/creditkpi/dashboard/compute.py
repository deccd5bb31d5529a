"""Computing a :class:`~creditkpi.dashboard.Dashboard`: every KPI of a period and the previous one.

The dashboard iterates the registry: its KPI rows are the entries of
:data:`creditkpi.registry.KPIS` (those whose inputs the ledger has), finished
by their specs on the additive parts of :mod:`creditkpi.core.parts`, computed
once for both periods; its detail tables are the table KPIs of
:data:`creditkpi.registry.TABLES` it shows (by their ``requires``) at both
as-of dates; its trend and group tables the KPIs marked ``trend`` and
``by_group``. A dashboard value is therefore exactly the value of the KPI's
function for the same arguments: the same spec on the same parts.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from creditkpi.core.args import check_money, check_whole
from creditkpi.core.costs import cost_matrix, cost_totals
from creditkpi.core.errors import UndefinedMetricWarning
from creditkpi.core.formatting import currency_label
from creditkpi.core.groups import By, group_codes, group_index
from creditkpi.core.kpi import (
    ARGUMENT_INPUTS,
    KPI,
    TableKPI,
    evaluate_many,
    shared_table_at,
    table_at,
)
from creditkpi.core.late_payment import statutory_claims_apply
from creditkpi.core.ledger import INPUTS, Ledger
from creditkpi.core.parts import Derived, LedgerParts, Settings
from creditkpi.core.period import Period, PeriodLike, as_date, to_day
from creditkpi.core.shapes import Money, cells, period_index
from creditkpi.dashboard.cells import missing, unit_text
from creditkpi.dashboard.items import URGENT_ITEMS, open_items_of, urgent_items
from creditkpi.dashboard.model import KPI_COLUMNS, Dashboard, shown_tables
from creditkpi.dashboard.targets import read_targets
from creditkpi.registry import KPIS

__all__ = ["dashboard", "inputs_of"]


# ----------------------------------------------------------------------------------
# warnings: one summary instead of forty
# ----------------------------------------------------------------------------------


class _Collector:
    """Runs calls, keeping their warnings instead of letting them through."""

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
# inputs and costs
# ----------------------------------------------------------------------------------


def inputs_of(ledger: Ledger, costs: Any = None) -> set[str]:
    """The optional inputs a ledger (and ``costs``) provides: ``disputes``, ``doubtful``...

    A KPI or table that ``requires`` an input missing here is left out of the dashboard.
    """
    have = set(ledger.inputs) | ({"costs"} if costs is not None else set())
    if statutory_claims_apply(ledger):
        have.add("late_payment_law")  # the French statutory claims (the 40 € converted)
    return have


def _costs_for(costs: Any, period: Period, which: str) -> tuple[bool, Any]:
    """Whether ``costs`` says something about ``period``, and what to pass on."""
    if costs is None:
        return False, None
    if isinstance(costs, (int, float, Decimal, str, np.integer, np.floating)):
        # one number: the costs of the dashboard's period, unknown for the other ones
        return which == "current", costs
    if isinstance(costs, Mapping):
        for key, value in costs.items():
            if Period.parse(key) == period:
                return True, {str(period): value}
        return False, None
    return True, costs


#: the columns of the KPI table, in the order of the dashboard's periods
WHICH = ("current", "previous", "year_ago")


def _cost_part(ledger: Ledger, costs: Any, periods: Sequence[Period]) -> Any:
    """The ``costs`` part of the dashboard's periods (``nan`` where unknown)."""
    whole = group_codes(ledger, None)
    rows = []
    for period, which in zip(periods, WHICH, strict=True):
        known, given = _costs_for(costs, period, which)
        rows.append(cost_totals(given, [period], whole.labels, None)[0] if known else None)
    return cost_matrix(rows, ledger.digits, whole.size)


# ----------------------------------------------------------------------------------
# the KPI table
# ----------------------------------------------------------------------------------


def _kpi_rows(
    ledger: Ledger,
    periods: list[Period],
    cuts: list[date],
    costs: Any,
    have: set[str],
    money: Money,
    col: _Collector,
) -> tuple[pd.DataFrame, list[str], LedgerParts]:
    """The KPI table (current, previous, year ago, changes), its undefined values, its parts.

    The three periods are one batch of parts (their source is returned: the
    tables read from a family's intermediate take it from there). The year
    ago is left ``nan`` (and not called undefined) when the data starts after it.
    """
    entries = [k for k in KPIS.values() if k.dashboard is None and set(k.requires) <= have]
    the_period = periods[0]
    cut = cuts[0]
    observed = [to_day(cut) if cut in the_period else to_day(the_period.end)]
    observed += [to_day(p.end) for p in periods[1:]]
    source = LedgerParts(
        ledger,
        group_codes(ledger, None),
        periods=periods,
        dates=cuts,
        observed=observed,
        costs=_cost_part(ledger, costs, periods) if "costs" in have else None,
    )
    values = col.call("kpis", evaluate_many, entries, source)
    known = [_costs_for(costs, p, w)[0] for p, w in zip(periods, WHICH, strict=True)]
    year_ago = covered(ledger, periods[2])
    rows = []
    undefined: list[str] = []
    for kpi in entries:
        cur, old, year = cells(values[kpi.name][:, :1], kpi.unit, ledger.digits, money)[:, 0]
        if not year_ago:
            year = float("nan")
        rows.append(
            {
                "kpi": kpi.name,
                "label": kpi.label_in(ledger.currency),
                "current": cur,
                "previous": old,
                "change": _change(cur, old),
                "year_ago": year,
                "year_change": _change(cur, year),
                "unit": unit_text(kpi.unit, ledger.currency),
            }
        )
        for which, value, shown, costs_known in zip(
            WHICH, (cur, old, year), (True, True, year_ago), known, strict=True
        ):
            if not shown or not missing(value):
                continue
            if which == "current" or not ("costs" in kpi.requires and not costs_known):
                undefined.append(f"{kpi.name}/{which}")
    kpis = pd.DataFrame(rows, columns=["kpi", "label", *KPI_COLUMNS])
    kpis = kpis.set_index("kpi")
    kind = object if money == "decimal" else np.float64
    return kpis.astype(dict.fromkeys(KPI_NUMBERS, kind)), undefined, source


KPI_NUMBERS = KPI_COLUMNS[:-1]


def covered(ledger: Ledger, period: Period) -> bool:
    """Whether the ledger's data reaches back to ``period`` (its first event on or before its end)."""
    first = ledger.first_date
    return first is not None and first <= period.end


def _change(current: Any, previous: Any) -> Any:
    if missing(current) or missing(previous):
        return float("nan")
    return current - previous


# ----------------------------------------------------------------------------------
# detail tables
# ----------------------------------------------------------------------------------


def _side_by_side(current: pd.DataFrame, previous: pd.DataFrame, zero: Any) -> pd.DataFrame:
    """Current and previous tables side by side, rows outer-joined (current's order first).

    A row present at one date only gets 0 at the other (nothing in that
    bucket / status / reason).
    """
    rows = list(current.index)
    seen = set(rows)
    rows += [i for i in previous.index if i not in seen]
    index = pd.Index(rows, name=current.index.name or previous.index.name)
    out = pd.DataFrame(index=index)
    for prefix, frame in (("", current), ("previous_", previous)):
        aligned = frame.reindex(index)
        for column in frame.columns:
            values = aligned[column]
            if column in ("share",):
                out[prefix + column] = values.astype(np.float64).fillna(0.0)
            elif column in ("count", "invoices", "customers"):
                out[prefix + column] = values.astype("Int64").fillna(0)
            else:
                out[prefix + column] = values.where(values.notna(), zero)
    return out


def _detail_tables(
    ledger: Ledger,
    cuts: list[date],
    n: int,
    have: set[str],
    money: Money,
    col: _Collector,
    kpi_source: LedgerParts,
) -> dict[str, pd.DataFrame]:
    """Every table KPI the dashboard shows, at the as-of date beside the previous one.

    A table read from a family's intermediate (:attr:`TableKPI.shared`, or a
    table of derived parts only) is read from ``kpi_source``, where the KPI
    rows already computed that intermediate: one computation per date.
    """
    whole = group_codes(ledger, None)
    sources: dict[tuple[int, Settings], LedgerParts] = {}

    def source(j: int, table: TableKPI, top: int | None) -> LedgerParts:
        settings = replace(Settings(top=top), **dict(table.settings))
        if (j, settings) not in sources:
            sources[(j, settings)] = LedgerParts(
                ledger, whole, dates=cuts[j : j + 1], settings=settings
            )
        return sources[(j, settings)]

    zero: Any = Decimal(0).scaleb(-ledger.digits) if money == "decimal" else 0.0
    out: dict[str, pd.DataFrame] = {}
    for name, table in shown_tables().items():
        if not set(table.requires) <= have:
            out[name] = pd.DataFrame().rename_axis(table.index)
            continue
        options = table.dashboard_options  # the dashboard's own view of the table
        if table.shared is not None:
            frame = col.call(name, shared_table_at, table, kpi_source, 0, money=money)
            out[name] = frame.droplevel("group") if table.by_level else frame
            continue
        if all(isinstance(p, Derived) for p in table.parts):
            out[name] = col.call(name, table_at, table, kpi_source, 0, money=money, **options)
            continue
        current = col.call(name, table_at, table, source(0, table, n), 0, money=money, **options)
        if table.previous == "rows":
            previous = col.call(
                name, table_at, table, source(1, table, n), 0, money=money, **options
            )
            out[name] = _side_by_side(current, previous, zero)
        elif table.previous == "column":
            column = str(table.previous_column)
            previous = col.call(
                name, table_at, table, source(1, table, None), 0, money=money, **options
            )
            current = current.copy()
            current[f"previous_{column}"] = previous[column].reindex(current.index).fillna(zero)
            out[name] = current
        else:
            out[name] = current
    return out


def _trend_periods(period: Period, months: int) -> list[Period]:
    """The ``months`` calendar months ending with the month holding ``period.end``.

    The last one is cut at ``period.end`` when that is not a month end.
    """
    last = Period.month(period.end.year, period.end.month)
    out = [last.shift_months(k - months + 1) for k in range(months)]
    if period.end != last.end:
        out[-1] = Period(last.start, period.end)
    return out


def _trend(ledger: Ledger, period: Period, months: int, col: _Collector) -> pd.DataFrame:
    """The KPIs marked ``trend`` over the months ending with the period's."""
    periods = _trend_periods(period, months)
    first = ledger.first_date
    if first is not None:
        # months that end before the ledger's first event say nothing: left out
        periods = [m for m in periods if m.end >= first] or periods[-1:]
    entries = [k for k in KPIS.values() if k.trend]
    source = LedgerParts(ledger, group_codes(ledger, None), periods=periods)
    values = col.call("trend", evaluate_many, entries, source)
    return pd.DataFrame(
        {k.name: cells(values[k.name], k.unit, ledger.digits, "float")[:, 0] for k in entries},
        index=period_index(periods),
    )


def _group_table(
    ledger: Ledger, period: Period, as_of: date, by: By, money: Money, col: _Collector
) -> pd.DataFrame:
    """Per group: the KPIs marked ``by_group``, then the tables' per-group columns."""
    groups = group_codes(ledger, by)
    entries = [k for k in KPIS.values() if k.by_group]
    source = LedgerParts(ledger, groups, periods=[period], dates=[as_of])
    values = col.call("groups", evaluate_many, entries, source)
    data: dict[str, Any] = {
        k.name: cells(values[k.name], k.unit, ledger.digits, money)[0] for k in entries
    }
    frame = pd.DataFrame(data, index=group_index(groups.labels, by))
    tables: list[TableKPI] = [t for t in shown_tables().values() if t.by_group is not None]
    for table in tables:
        assert table.by_group is not None
        extra = col.call("groups", table.by_group, ledger, as_of, by, money=money)
        frame = frame.join(extra)
    return frame


# ----------------------------------------------------------------------------------
# the dashboard
# ----------------------------------------------------------------------------------


def dashboard(
    ledger: Ledger,
    period: PeriodLike,
    *,
    as_of: date | str | None = None,
    costs: Any = None,
    by: By = None,
    n: int = 10,
    trend_months: int = 12,
    targets: Any = None,
    money: Money = "float",
) -> Dashboard:
    """Every KPI of the period, beside the previous period and the same period a year before.

    Parameters
    ----------
    ledger : Ledger
    period : Period or str
        The period (``"2024-04"``, ``"2024-Q2"``, ``ck.Period(...)``). The
        previous period is ``period.previous()``: the same number of months
        (or days) just before; the year ago is ``period.shift_months(-12)``
        (2023-04 for 2024-04), as of its own last day.
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
    by : str or list of str, optional
        ``"customer_id"`` or an invoice attribute: adds :attr:`Dashboard.groups`
        (receivables, overdue, overdue rate, DSO both methods, aging per group).
    n : int, default 10
        Number of customers in the ``top_customers`` table (as ``n`` of
        :func:`creditkpi.top_customers`).
    trend_months : int, default 12
        Length of the trend (receivables, overdue, DSO, CEI), in months
        ending with the period.
    targets : mapping or path, optional
        Targets of KPIs of the registry: ``{"dso": 45, "overdue_rate": 0.15}``
        (ratios as fractions, days, amounts in the ledger's currency), or a
        TOML file with a ``[targets]`` table of the same. Each is met or
        missed by the KPI's direction (:meth:`Dashboard.target_status`); the
        credit pack shows them. See :func:`creditkpi.dashboard.targets.read_targets`.
    money : {"float", "decimal"}, default "float"
        How the tables carry money: numbers, or exact ``Decimal`` objects.

    Returns
    -------
    Dashboard
        See :class:`Dashboard`. Its KPI rows are the entries of
        :data:`creditkpi.registry.KPIS` (those whose inputs the ledger has),
        with values equal to the KPI functions' for the same arguments; its
        tables the table KPIs of :data:`creditkpi.registry.TABLES` it shows.

    Raises
    ------
    CreditKPIError
        A bad ``period``, ``as_of``, ``costs`` or ``by``; an unknown KPI
        name or a bad value in ``targets`` (:class:`~creditkpi.dashboard.targets.InvalidTargetError`).

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
    See the *Dashboard* page of the documentation.

    Examples
    --------
    >>> import creditkpi as ck
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "1000.00"),
    ...      ck.Invoice("F2", "C2", "2024-04-05", "2024-05-05", "500.00")],
    ...     [ck.Payment("F1", "2024-04-10", "600.00")])
    >>> board = ck.dashboard(ledger, "2024-04")
    >>> board.kpis[["current", "previous", "change"]].loc["receivables"].tolist()
    [900.0, 1000.0, -100.0]
    >>> round(board.value("overdue_rate"), 4), board.value("overdue_rate", "previous")
    (0.4444, 0.0)
    >>> board.to_dict()["kpis"]["sales"]["current"]
    '500.00'
    >>> [str(p) for p in board.trend.index]
    ['2024-03', '2024-04']
    """
    check_money(money)
    the_period = Period.parse(period)
    cut = the_period.end if as_of is None else as_date(as_of)
    top = check_whole("n", n, minimum=1)
    months = check_whole("trend_months", trend_months, minimum=1)
    assert top is not None and months is not None
    goals = read_targets(targets)
    if by is not None:
        group_codes(ledger, by)  # validates by before the long computation
    prev, year = the_period.previous(), the_period.shift_months(-12)
    periods, cuts = [the_period, prev, year], [cut, prev.end, year.end]
    col = _Collector()
    have = inputs_of(ledger, costs)
    kpis, undefined, source = _kpi_rows(ledger, periods, cuts, costs, have, money, col)
    tables = _detail_tables(ledger, cuts, top, have, money, col, source)
    trend = _trend(ledger, the_period, months, col)
    if trend.isna().to_numpy().any():
        undefined.append("trend")
    groups = None
    if by is not None:
        groups = _group_table(ledger, the_period, cut, by, money, col)
        numbers = [k.name for k in KPIS.values() if k.by_group and k.unit != "money"]
        if groups[numbers].isna().to_numpy().any():
            undefined.append("groups")
    undefined += [w for w in col.undefined if w != "kpis" and w not in undefined]
    col.replay()
    if undefined:
        warnings.warn(
            f"dashboard {the_period}: {len(undefined)} undefined value(s), shown as n/a "
            f"(zero denominator or no history): {', '.join(undefined)}",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    items = open_items_of(ledger, cut)
    return Dashboard(
        period=the_period,
        previous_period=prev,
        as_of=cut,
        previous_as_of=prev.end,
        currency=ledger.currency,
        kpis=kpis,
        tables=tables,
        trend=trend,
        groups=groups,
        by=by,
        undefined=tuple(undefined),
        notes=tuple(_notes(ledger, the_period, cut, _left_out(have))),
        data_start=ledger.first_date,
        data_end=ledger.last_date,
        money=money,
        year_ago_period=year,
        year_ago_as_of=year.end,
        targets=goals,
        urgent_items=None if items is None else urgent_items(items, URGENT_ITEMS),
        inputs=tuple(sorted(have)),
    )


def _left_out(have: set[str]) -> list[str]:
    """The optional inputs some shown KPI or table requires and the ledger lacks."""
    shown: list[KPI | TableKPI] = [k for k in KPIS.values() if k.dashboard is None]
    shown += list(shown_tables().values())
    return sorted({r for s in shown for r in s.requires if r not in have})


def _input_note(name: str) -> str | None:
    if name in INPUTS:
        return INPUTS[name].note
    return ARGUMENT_INPUTS.get(name)


def _notes(ledger: Ledger, period: Period, as_of: date, left_out: list[str]) -> list[str]:
    """What a reader should know about the figures (one sentence each)."""
    notes = []
    last = ledger.last_date
    last_issue = ledger.last_issue_date
    if last is not None and last < period.start:
        notes.append(f"the data ends on {last}, before the period {period} starts")
    elif last is not None and last < period.end:
        notes.append(f"the data ends on {last}: the period {period} is incomplete")
    elif last_issue is not None and last_issue < period.end and last_issue >= period.start:
        notes.append(
            f"the last invoice is dated {last_issue} (settlements run to {last}): "
            f"the period {period} may be incomplete"
        )
    elif last is not None and last < as_of:
        notes.append(f"the data ends on {last}, before the as-of date {as_of}")
    previous = period.previous()
    first = ledger.first_date
    if first is not None and first > previous.end:
        notes.append(
            f"the data starts on {first}, after the previous period {previous}: "
            "its values are empty or n/a"
        )
    elif first is not None and first > previous.start:
        notes.append(f"the data starts on {first}: the previous period {previous} is incomplete")
    year = period.shift_months(-12)
    if first is not None and first > year.end:
        notes.append(
            f"the data starts on {first}, after the same period a year before ({year}): "
            "no year-on-year comparison"
        )
    elif first is not None and first > year.start:
        notes.append(f"the data starts on {first}: the period a year before ({year}) is incomplete")
    # a note that names the cost per euro says the book's currency
    notes += [currency_label(note, ledger.currency) for n in left_out if (note := _input_note(n))]
    if ledger.translation is not None:  # the method and the rates' dates
        notes.append(ledger.translation.describe())
    return notes
