"""Finishing on the driver: the registry's specs on the parts of a combined summary.

:class:`SummaryParts` reads a summary's tables as the parts of a
computation (the same names a ledger's :class:`~creditkpi.core.parts.LedgerParts`
gives); :func:`kpis` finishes every value KPI of the registry on them, and
:func:`table` a table KPI, with the very specs the ledger functions use.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import check_money, check_option
from creditkpi.core.costs import cost_matrix, cost_totals
from creditkpi.core.engine import bucket_labels
from creditkpi.core.errors import DataQualityWarning, InvalidOptionError
from creditkpi.core.kpi import evaluate_many, table_at
from creditkpi.core.parts import (
    BUCKET_INVOICES,
    BUCKETS,
    COSTS,
    COUNTBACK_MONTHS,
    DEFAULT_BUCKETS,
    PARTS,
    TABLE_PARTS,
    PartSource,
    Settings,
    month_windows,
)
from creditkpi.core.period import Period, PeriodLike
from creditkpi.core.shapes import Money, cells, shape_rows
from creditkpi.distributed.summary import TABLE_LEVELS, Summary, empty_table
from creditkpi.registry import KPIS, TABLES

__all__ = ["SummaryParts", "kpis", "table"]

IntArray = npt.NDArray[np.int64]

_SNAPSHOT = {n for n, (kind, _, _) in PARTS.items() if kind == "snapshot"}


def _groups(summary: Summary) -> list[Any]:
    seen: dict[Any, None] = {}
    for name in ("snapshots", "periods", "months"):
        frame = summary.tables.get(name)
        if frame is not None and len(frame):
            for g in frame.index.get_level_values("group"):
                seen.setdefault(g, None)
    if not seen and summary.meta.get("by") is None:
        seen["all"] = None
    labels = list(seen)
    try:
        return sorted(labels, key=lambda v: (v == "(unassigned)", v))
    except TypeError:
        return labels


def _in_bucket_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in aging order (``not due``, ``1-30``, ... then ``doubtful``), as a ledger gives them."""
    if len(frame) == 0 or "bucket" not in frame.index.names:
        return frame
    rank = {label: k for k, label in enumerate([*bucket_labels(), "doubtful"])}
    bucket = frame.index.get_level_values("bucket")
    keys = [frame.index.get_level_values(k) for k in range(frame.index.nlevels - 1)]
    sort_keys = [np.asarray([rank.get(str(b), len(rank)) for b in bucket], dtype=np.int64)]
    sort_keys += [np.asarray(pd.factorize(k, sort=True)[0]) for k in reversed(keys)]
    order = np.lexsort(sort_keys)
    return frame.iloc[order]


def _rows(frame: pd.DataFrame, key: pd.Timestamp) -> pd.DataFrame:
    """The rows of ``key`` (an as-of date), without the ``as_of`` level."""
    if len(frame) == 0 or key not in frame.index.get_level_values("as_of"):
        return frame.iloc[0:0].droplevel("as_of")
    out: pd.DataFrame = frame[frame.index.get_level_values("as_of") == key].droplevel("as_of")
    return out


class SummaryParts(PartSource):
    """The parts of a (combined) summary for some of its periods, per group.

    The snapshot parts are those at each period's end (and its start - 1
    day for ``_start``), the table parts those at its end; the settings are
    the summary's (buckets, basis, top, granularity).
    """

    def __init__(
        self,
        summary: Summary,
        periods: Sequence[Period],
        *,
        costs: npt.NDArray[Any] | None = None,
        top: int | None = None,
    ):
        meta = summary.meta
        self.summary = summary
        self.periods = list(periods)
        self.group_list = _groups(summary)
        self.costs = costs
        settings = Settings(
            edges=tuple(int(e) for e in meta["buckets"]),
            basis=meta["basis"],
            top=int(meta["top"]) if top is None else top,
            granularity=meta["granularity"],
        )
        super().__init__(
            n_keys=len(self.periods),
            labels=pd.Index(self.group_list, dtype=object),
            digits=int(meta["digits"]),
            settings=settings,
        )

    def _at(self, when: date, column: str) -> IntArray:
        frame = self.summary.tables["snapshots"]
        key = pd.Timestamp(when)
        if column not in frame.columns and len(frame):
            raise InvalidOptionError(
                f"the summary does not carry the part {column!r} (summarize again: its KPIs or "
                "tables ask for it)",
                column="parts",
            )
        if column not in frame.columns or key not in frame.index.get_level_values("as_of"):
            return np.zeros(len(self.group_list), dtype=np.int64)
        part = frame[column].xs(key, level="as_of")
        return part.reindex(self.group_list, fill_value=0).to_numpy(dtype=np.int64)

    def _over(self, period: Period, column: str) -> IntArray:
        frame = self.summary.tables["periods"]
        key = str(period)
        if column not in frame.columns or key not in frame.index.get_level_values("period"):
            return np.zeros(len(self.group_list), dtype=np.int64)
        part = frame[column].xs(key, level="period")
        return part.reindex(self.group_list, fill_value=0).to_numpy(dtype=np.int64)

    def _months(self, end: date) -> list[tuple[IntArray, int]]:
        frame = self.summary.tables["months"]
        sales = frame["sales"] if len(frame) else pd.Series(dtype=np.int64)
        present = set(sales.index.get_level_values("window")) if len(sales) else set()
        out = []
        for window in month_windows(self.summary.first_day, end):
            key = str(window)
            values = (
                sales.xs(key, level="window")
                .reindex(self.group_list, fill_value=0)
                .to_numpy(np.int64)
                if key in present
                else np.zeros(len(self.group_list), dtype=np.int64)
            )
            out.append((values, window.days))
        return out

    def _snapshot(self, name: str, when: date) -> IntArray:
        labels = bucket_labels(self.settings.edges, self.settings.basis)
        if name == BUCKETS:
            return np.stack([self._at(when, label) for label in labels], axis=1)
        if name == BUCKET_INVOICES:
            return np.stack([self._at(when, f"invoices:{label}") for label in labels], axis=1)
        return self._at(when, name)

    def compute(self, names: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        labels = bucket_labels(self.settings.edges, self.settings.basis)
        for name in names:
            base = name.removesuffix("_start").removesuffix("_end")
            if name in TABLE_PARTS:
                frames = self.summary.tables.get(name, empty_table([], TABLE_LEVELS[name]))
                out[name] = [
                    _in_bucket_order(_rows(frames, pd.Timestamp(p.end))) for p in self.periods
                ]
            elif name == COUNTBACK_MONTHS:
                out[name] = [self._months(p.end) for p in self.periods]
            elif name == COSTS:
                if self.costs is None:
                    raise InvalidOptionError("costs is required", column="costs")
                out[name] = self.costs
            elif name == "days":
                out[name] = np.asarray([[p.days] for p in self.periods], dtype=np.int64)
            elif name == "months":
                out[name] = np.asarray([[p.n_months or 0] for p in self.periods], dtype=np.int64)
            elif (
                name in _SNAPSHOT
                or name in (BUCKETS, BUCKET_INVOICES)
                or name in labels
                or name in DEFAULT_BUCKETS
            ):
                out[name] = np.stack([self._snapshot(name, p.end) for p in self.periods])
            elif base != name and base in _SNAPSHOT:
                when = [p.before if name.endswith("_start") else p.end for p in self.periods]
                out[name] = np.stack([self._at(d, base) for d in when])
            else:
                out[name] = np.stack([self._over(p, name) for p in self.periods])
        return out


def kpis(summary: Summary, *, costs: Any = None, money: Money = "float") -> pd.DataFrame:
    """Every value KPI of the registry for a summary's periods (on the driver).

    Parameters
    ----------
    summary : Summary
        From :func:`summarize`, :func:`combine`, :func:`from_dask` or
        :meth:`Summary.from_frame`.
    costs : number, mapping or cost lines, optional
        Collection costs, as :func:`creditkpi.cost_per_euro` takes them; the
        ``cost_per_euro`` column is present only when given.
    money : {"float", "decimal"}, default "float"
        Money columns as numbers or as exact ``Decimal`` objects.

    Returns
    -------
    DataFrame
        Indexed by ``(period, group)``; one column per KPI of
        :data:`creditkpi.registry.KPIS`, named as the KPI, in registry order.
        Snapshot KPIs are at each period's end. The values are those of the
        ledger functions for the same arguments (the same formulas on the
        same additive parts).

    Warns
    -----
    UndefinedMetricWarning
        For every undefined value (the registry's rule: a denominator <= 0,
        countback history exhausted): the value is ``nan``.
    """
    check_money(money)
    periods = summary.periods
    content = set(summary.meta.get("content", list(KPIS)))
    entries = [
        k
        for k in KPIS.values()
        if k.name in content and ("costs" not in k.requires or costs is not None)
    ]
    matrix = None
    if costs is not None:
        groups = _groups(summary)
        labels = pd.Index(groups, dtype=object)
        by = summary.meta.get("by")
        rows = [cost_totals(costs, [p], labels, by)[0] for p in periods]
        matrix = cost_matrix(rows, int(summary.meta["digits"]), len(groups))
    source = SummaryParts(summary, periods, costs=matrix)
    values = evaluate_many(entries, source)
    data = {
        k.name: cells(values[k.name], k.unit, source.digits, money).reshape(-1) for k in entries
    }
    index = pd.MultiIndex.from_product(
        [[str(p) for p in periods], source.group_list], names=["period", "group"]
    )
    return pd.DataFrame(data, index=index, columns=[k.name for k in entries])


def table(
    summary: Summary,
    name: str,
    *,
    period: PeriodLike | None = None,
    money: Money = "float",
    n: int | None = None,
    **options: Any,
) -> pd.DataFrame:
    """A table KPI of the registry at a period's end, from a (combined) summary.

    Parameters
    ----------
    summary : Summary
    name : str
        A name of :data:`creditkpi.registry.TABLES`: ``aging``,
        ``top_customers``, ``by_dunning_status``, ``dispute_reasons``,
        ``cohorts``, ``loss_rates``, ``provision_matrix`` or ``time_to_pay``
        (its curve, per group). A table whose spec says why it is not
        rebuilt from a summary (``payer_profiles``: rows per customer) is
        refused with that reason.
    period : Period or str, optional
        One of the summary's periods (default: the last); the table is at its end.
    money : {"float", "decimal"}, default "float"
    n : int, optional
        ``top_customers``: how many (default: the summary's ``top``).
    **options
        The table's own options, given to its builder: ``weight`` of
        ``cohorts`` (as :func:`creditkpi.cohorts`), ``order`` of
        ``by_dunning_status`` (statuses first), ``method`` of ``loss_rates``,
        ``weight``, ``confidence``, ``horizon`` of ``time_to_pay``...

    Returns
    -------
    DataFrame
        The same table as the ledger function at that date (whole book; the
        summary's grouping for ``loss_rates``, ``provision_matrix`` and
        ``time_to_pay``).
    """
    check_option("name", name, tuple(TABLES))
    spec = TABLES[name]
    if name not in summary.meta.get("content", list(TABLES)) and spec.distributed is None:
        raise InvalidOptionError(
            f"the summary does not carry the parts of {name!r} (summarize(..., only=...) "
            "left it out)",
            column="name",
        )
    if spec.distributed is not None:
        raise InvalidOptionError(spec.distributed, column="name")
    check_money(money)
    periods = summary.periods
    the_period = periods[-1] if period is None else Period.parse(period)
    if the_period not in periods:
        raise InvalidOptionError(
            f"period {the_period} is not a period of the summary ({', '.join(map(str, periods))})",
            column="period",
        )
    source = SummaryParts(summary, [the_period], top=n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        out = table_at(spec, source, 0, money=money, **options)
    if spec.by_level and summary.meta.get("by") is None:
        out = out.droplevel(0)
    if spec.rows:  # one row per group: under the date and the groups, as the ledger function
        by = summary.meta.get("by")
        out = shape_rows([out], [the_period.end], out.index, single=True, by=by)
    return out
