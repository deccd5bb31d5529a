"""Computing a :class:`~creditkpi.dashboard.Dashboard`: every KPI of a period and the previous one.

The KPI table is the registry (:data:`creditkpi.registry.KPIS`) evaluated on
the additive parts of :mod:`creditkpi.core.parts`, computed once for both
periods: a dashboard value is the formula the ledger function uses, on the
same parts, so it is exactly the value of that function for the same
arguments. The detail tables are those of the table KPIs
(:data:`creditkpi.registry.TABLES`) at both as-of dates.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import Money, check_money, money_values, period_index
from creditkpi.core.engine import bucket_labels
from creditkpi.core.errors import InvalidOptionError, UndefinedMetricWarning
from creditkpi.core.groups import Groups, group_codes
from creditkpi.core.ledger import Ledger
from creditkpi.core.parts import countback_months, period_parts, snapshot_parts
from creditkpi.core.period import Period, PeriodLike, as_date, from_day, to_day
from creditkpi.dashboard.model import Dashboard, _missing, _unit_text
from creditkpi.metrics.aging import aging, by_dunning_status, top_customers
from creditkpi.metrics.cohorts import cohorts
from creditkpi.metrics.cost_per_euro import cost_totals, costs_in_minor_units
from creditkpi.metrics.dispute_rate import dispute_reasons
from creditkpi.registry import KPI, KPIS, TABLE_PARTS

__all__ = ["dashboard", "evaluate", "inputs_of"]

IntArray = npt.NDArray[np.int64]

#: the KPIs of the trend table
TREND = ("dso", "countback_dso", "best_possible_dso", "cei")
#: the KPIs of the per-group table
GROUP_KPIS = ("receivables", "overdue", "overdue_rate", "dso", "countback_dso")


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
# the registry on parts
# ----------------------------------------------------------------------------------


def inputs_of(ledger: Ledger, costs: Any = None) -> set[str]:
    """The optional inputs a ledger (and ``costs``) provides: ``disputes``, ``doubtful``...

    A KPI that ``requires`` an input missing here is left out of the dashboard.
    """
    c = ledger._cols
    out = set()
    if c.dispute_invoice.size:
        out.add("disputes")
    if c.doubtful_invoice.size:
        out.add("doubtful")
    if c.status_invoice.size:
        out.add("statuses")
    if costs is not None:
        out.add("costs")
    return out


def evaluate(
    ledger: Ledger,
    kpis: Sequence[KPI],
    periods: Sequence[Period],
    as_of: Sequence[date],
    groups: Groups,
    *,
    observed: Sequence[int] | None = None,
    costs: Sequence[Sequence[Decimal] | None] | None = None,
) -> dict[str, npt.NDArray[Any]]:
    """Every KPI of ``kpis`` for each (period, as-of date) pair, per group.

    The parts they need are computed once (:mod:`creditkpi.core.parts`) and
    finished by each KPI's registry formula. ``as_of[j]`` is the snapshot
    date of ``periods[j]``; ``costs[j]`` the cost totals per group of period
    ``j`` (``None``: unknown, the KPI is ``nan``). Returns ``(periods,
    groups)`` arrays: minor units for money KPIs, floats otherwise.
    """
    snap_names = sorted(
        {p for k in kpis if k.basis == "as_of" for p in k.arguments if p not in TABLE_PARTS}
    )
    period_names = sorted(
        {
            p
            for k in kpis
            if k.basis == "period"
            for p in k.arguments
            if p not in ("countback_months", "costs")
        }
    )
    parts: dict[str, Any] = {}
    days = [to_day(d) for d in as_of]
    if snap_names:
        parts.update(snapshot_parts(ledger, days, groups, snap_names))
    if period_names:
        parts.update(period_parts(ledger, periods, groups, period_names, observed=observed))
    tables = sorted({p for k in kpis for p in k.arguments if p in TABLE_PARTS})
    if tables:
        by = None if groups.name == "all" else groups.name
        for name in tables:
            parts[name] = [TABLE_PARTS[name].compute(ledger, d, by) for d in as_of]
        parts["group_labels"] = list(groups.labels)
        parts["digits"] = ledger._cols.digits
    if any("countback_months" in k.arguments for k in kpis):
        parts["countback_months"] = countback_months(ledger, [p.end for p in periods], groups)
    if any("costs" in k.arguments for k in kpis):
        digits = ledger._cols.digits
        known = [
            costs_in_minor_units([list(row)], digits)[0] if row is not None else None
            for row in (costs or [None] * len(periods))
        ]
        matrix = np.full((len(periods), groups.size), math.nan, dtype=object)
        for j, row in enumerate(known):
            if row is not None:
                matrix[j] = row
        parts["costs"] = matrix
    return {k.name: k.finish(parts) for k in kpis}


def _value(kpi: KPI, values: npt.NDArray[Any], j: int, g: int, digits: int, money: Money) -> Any:
    value = values[j, g]
    if kpi.unit == "money":
        if isinstance(value, float) and math.isnan(value):
            return math.nan  # an undefined amount (a bucket with a balance and no rate)
        return money_values(np.asarray([int(value)]), digits, money)[0]
    if kpi.unit == "count":
        return int(value)
    return float(value)


def _change(current: Any, previous: Any) -> Any:
    if _missing(current) or _missing(previous):
        return math.nan
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
            elif column in ("count", "invoices"):
                out[prefix + column] = values.astype("Int64").fillna(0)
            else:
                out[prefix + column] = values.where(values.notna(), zero)
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


def _group_table(
    ledger: Ledger,
    period: Period,
    as_of: date,
    by: str,
    money: Money,
    col: _Collector,
) -> pd.DataFrame:
    """Per group: the main KPIs and the aged balance, from one computation of parts per kind."""
    groups = group_codes(ledger, by)
    digits = ledger._cols.digits
    entries = [KPIS[name] for name in GROUP_KPIS]
    values = col.call(
        "groups",
        evaluate,
        ledger,
        entries,
        [period],
        [as_of],
        groups,
    )
    data: dict[str, Any] = {}
    for kpi in entries:
        row = values[kpi.name][0]
        data[kpi.name] = (
            money_values(row, digits, money) if kpi.unit == "money" else row.astype(np.float64)
        )
    labels = bucket_labels()
    buckets = snapshot_parts(ledger, [to_day(as_of)], groups, [*labels, "unapplied"])
    for label in labels:
        data[label] = money_values(buckets[label][0], digits, money)
    data["unapplied"] = money_values(-buckets["unapplied"][0], digits, money)
    return pd.DataFrame(data, index=groups.labels.rename(by))


# ----------------------------------------------------------------------------------
# the dashboard
# ----------------------------------------------------------------------------------


def dashboard(
    ledger: Ledger,
    period: PeriodLike,
    *,
    as_of: date | str | None = None,
    costs: Any = None,
    by: str | None = None,
    n: int = 10,
    trend_months: int = 12,
    money: Money = "float",
) -> Dashboard:
    """Every KPI of the period, with the previous period beside it (tableau de bord).

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
    n : int, default 10
        Number of customers in :attr:`Dashboard.top_customers` (as ``n`` of
        :func:`creditkpi.top_customers`).
    trend_months : int, default 12
        Length of the DSO / CEI trend, in months ending with the period.
    money : {"float", "decimal"}, default "float"
        How the tables carry money: numbers, or exact ``Decimal`` objects.

    Returns
    -------
    Dashboard
        See :class:`Dashboard`. Its KPI rows are the entries of
        :data:`creditkpi.registry.KPIS` (those whose inputs the ledger has),
        with values equal to the KPI functions' for the same arguments.

    Raises
    ------
    CreditKPIError
        A bad ``period``, ``as_of``, ``costs`` or ``by``.

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
    for name, value in (("n", n), ("trend_months", trend_months)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise InvalidOptionError(
                f"{name} must be a positive whole number, got {value!r}", column=name
            )
    if by is not None:
        group_codes(ledger, by)  # validates by before the long computation
    prev = the_period.previous()
    prev_cut = prev.end
    col = _Collector()
    digits = ledger._cols.digits
    whole = group_codes(ledger, None)
    have = inputs_of(ledger, costs)

    # ---------------------------------------------------------------- KPI table
    entries = [k for k in KPIS.values() if k.dashboard is None and set(k.requires) <= have]
    left_out = sorted(
        {r for k in KPIS.values() if k.dashboard is None for r in k.requires if r not in have}
    )
    known_now, given_now = _costs_for(costs, the_period, "current")
    known_before, given_before = _costs_for(costs, prev, "previous")
    cost_rows: list[Sequence[Decimal] | None] | None = None
    if "costs" in have:
        cost_rows = [
            cost_totals(given_now, [the_period], whole.labels, None)[0] if known_now else None,
            cost_totals(given_before, [prev], whole.labels, None)[0] if known_before else None,
        ]
    observed = [to_day(cut) if cut in the_period else to_day(the_period.end), to_day(prev.end)]
    values = col.call(
        "kpis",
        evaluate,
        ledger,
        entries,
        [the_period, prev],
        [cut, prev_cut],
        whole,
        observed=observed,
        costs=cost_rows,
    )
    rows = []
    undefined: list[str] = []
    for kpi in entries:
        cur = _value(kpi, values[kpi.name], 0, 0, digits, money)
        old = _value(kpi, values[kpi.name], 1, 0, digits, money)
        rows.append(
            {
                "kpi": kpi.name,
                "label": kpi.label,
                "current": cur,
                "previous": old,
                "change": _change(cur, old),
                "unit": _unit_text(kpi.unit, ledger.currency),
            }
        )
        if _missing(cur):
            undefined.append(f"{kpi.name}/current")
        if _missing(old) and not (kpi.name == "cost_per_euro" and not known_before):
            undefined.append(f"{kpi.name}/previous")
    kpis = pd.DataFrame(rows, columns=["kpi", "label", "current", "previous", "change", "unit"])
    kpis = kpis.set_index("kpi")
    if money == "decimal":
        kpis = kpis.astype({"current": object, "previous": object, "change": object})
    else:
        kpis = kpis.astype({"current": np.float64, "previous": np.float64, "change": np.float64})

    # ---------------------------------------------------------------- detail tables
    zero: Any = Decimal(0).scaleb(-digits) if money == "decimal" else 0.0

    def now_and_before(name: str, table: Any) -> pd.DataFrame:
        """A table KPI at the period's end beside the previous period's end."""
        return _side_by_side(
            col.call(name, table, ledger, cut, money=money),
            col.call(name, table, ledger, prev_cut, money=money),
            zero,
        )

    aging_table = now_and_before("aging", aging)
    empty = pd.DataFrame()
    dunning_table = (
        now_and_before("dunning", by_dunning_status)
        if "statuses" in have
        else empty.rename_axis("status")
    )
    disputes_table = (
        now_and_before("disputes", dispute_reasons)
        if "disputes" in have
        else empty.rename_axis("reason")
    )
    top_table = col.call("top_customers", top_customers, ledger, cut, n=n, money=money).copy()
    before = col.call("top_customers", top_customers, ledger, prev_cut, n=None, money=money)
    top_table["previous_balance"] = before["balance"].reindex(top_table.index).fillna(zero)

    months = _trend_periods(the_period, trend_months)
    first = ledger.first_date
    if first is not None:
        # months that end before the ledger's first event say nothing: left out
        months = [m for m in months if m.end >= first] or months[-1:]
    trend_values = col.call(
        "trend",
        evaluate,
        ledger,
        [KPIS[name] for name in TREND],
        months,
        [m.end for m in months],
        whole,
    )
    trend = pd.DataFrame(
        {name: trend_values[name][:, 0] for name in TREND}, index=period_index(months)
    )
    if trend.isna().to_numpy().any():
        undefined.append("trend")

    cohort_table = col.call("cohorts", cohorts, ledger, cut)

    groups = None
    if by is not None:
        groups = _group_table(ledger, the_period, cut, by, money, col)
        if groups[["overdue_rate", "dso", "countback_dso"]].isna().to_numpy().any():
            undefined.append("groups")

    for where in col.undefined:
        if where not in ("kpis",) and where not in undefined:
            undefined.append(where)
    col.replay()
    if undefined:
        warnings.warn(
            f"dashboard {the_period}: {len(undefined)} undefined value(s), shown as n/a "
            f"(zero denominator or no history): {', '.join(undefined)}",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    notes = _notes(ledger, the_period, cut, left_out)
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
        notes=tuple(notes),
        data_start=ledger.first_date,
        data_end=ledger.last_date,
        money=money,
    )


_INPUT_NOTES = {
    "disputes": "no dispute data: dispute rate and reasons are left out",
    "doubtful": (
        "no doubtful classifications: doubtful receivables, bad debt to sales and the "
        "provision rate are left out"
    ),
    "costs": "no collection costs given: cost per euro collected is left out",
}


def _notes(ledger: Ledger, period: Period, as_of: date, left_out: list[str]) -> list[str]:
    """What a reader should know about the figures (one sentence each)."""
    notes = []
    last = ledger.last_date
    c = ledger._cols
    last_issue = from_day(int(c.issue.max())) if c.n_invoices else None
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
    notes += [_INPUT_NOTES[name] for name in left_out if name in _INPUT_NOTES]
    return notes
