"""Computing a :class:`~creditkpi.dashboard.Dashboard`: every KPI of a period and the previous one."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from creditkpi.core.engine import flows
from creditkpi.core.errors import InvalidOptionError, UndefinedMetricWarning
from creditkpi.core.groups import group_codes
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
    pass

from creditkpi.dashboard.model import KPIS, Dashboard, _change, _missing, _number

__all__ = ["dashboard"]

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
    v["sales"] = ledger._cols.money(int(flow["sales"].iloc[0]))
    v["cash_collected"] = ledger._cols.money(int(flow["cash"].iloc[0]))
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
    zero = ledger._cols.money(0)
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
        group_codes(ledger, by)  # validates by before the long computation
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

    zero = ledger._cols.money(0)
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
    if ledger._cols.first_day is not None:
        # months that end before the ledger's first event say nothing: left out
        first = from_day(ledger._cols.first_day)
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
        data_start=ledger.first_date,
        data_end=ledger.last_date,
    )
