"""Ledgers beyond one machine: additive summaries per partition, KPIs on the driver.

Every KPI of the registry (:mod:`creditkpi.registry`) is a formula on
**additive** parts (:mod:`creditkpi.core.parts`): receivables, overdue and
aging buckets at the periods' edges, sales, cash, credit notes and write-offs
over the periods, monthly sales for the countback DSO, payment-delay sums,
the recovery target sums, the activation counts, open disputes by reason,
receivables by dunning status, the cohort matrices and each partition's
largest customers. Two ledgers with disjoint customers give parts that add up
to the parts of their union. So a ledger partitioned by customer is reduced
partition by partition with the single-machine kernel
(:meth:`Ledger.from_frames` + :func:`summarize`), the small summaries are
added (:func:`combine`) and the KPIs are finished once on the driver by the
same formulas (:func:`kpis`, :func:`table`): the results are those of the
single-machine path.

* :func:`summarize` -- one ledger (or one partition) to a :class:`Summary`;
* :func:`combine` -- add summaries (any number, any order);
* :func:`kpis` -- every value KPI of the registry, per period and group;
* :func:`table` -- a table KPI (aging, top customers, dunning statuses,
  dispute reasons, cohorts) of one period's end;
* :func:`from_dask` -- Dask DataFrames in, a combined :class:`Summary` out;
* :meth:`Summary.to_frame` / :meth:`Summary.from_frame` -- a summary as one
  long pandas frame, the shape Spark's ``applyInPandas`` returns.

Examples
--------
>>> import creditkpi as ck
>>> from creditkpi import distributed as ckd
>>> ledger = ck.Ledger.from_records(
...     [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "100.00"),
...      ck.Invoice("F2", "C2", "2024-04-02", "2024-05-02", "50.00")],
...     [ck.Payment("F1", "2024-04-10", "60.00")])
>>> parts = [ckd.summarize(ledger, "2024-04")]
>>> table = ckd.kpis(ckd.combine(parts), money="decimal")
>>> table.loc[("2024-04", "all"), ["receivables", "sales", "overdue"]].tolist()
[Decimal('90.00'), Decimal('50.00'), Decimal('40.00')]
"""

from __future__ import annotations

import itertools
import json
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.args import Money, as_periods, check_money, check_option, money_values
from creditkpi.core.engine import Basis, bucket_labels
from creditkpi.core.errors import DataQualityWarning, DuplicateIdError, InvalidOptionError
from creditkpi.core.groups import group_codes
from creditkpi.core.ledger import Ledger
from creditkpi.core.parts import (
    COHORT_STEP,
    PARTS,
    CohortParts,
    cohort_parts,
    customer_parts,
    month_windows,
    period_parts,
    reason_parts,
    snapshot_parts,
    status_parts,
)
from creditkpi.core.period import Period, PeriodLike, as_date, from_day, to_day
from creditkpi.core.survival import kaplan_meier
from creditkpi.metrics.aging import book_table, status_table, top_table
from creditkpi.metrics.cohorts import cohort_table
from creditkpi.metrics.cost_per_euro import cost_totals, costs_in_minor_units
from creditkpi.metrics.dispute_rate import reasons_table
from creditkpi.metrics.provision import loss_rates_from_parts, provision_matrix_from_parts
from creditkpi.registry import KPIS, TABLE_PARTS, TABLES

__all__ = ["Summary", "combine", "from_dask", "kpis", "summarize", "table"]

IntArray = npt.NDArray[np.int64]

#: the snapshot parts a summary carries at every date (plus the aging buckets)
SNAPSHOT = ("receivables", "overdue", "current", "open_invoices", "unapplied", "disputed",
            "doubtful", "provisions")  # fmt: skip
#: the period parts a summary carries for every period
PERIOD = tuple(name for name, (kind, _, _) in PARTS.items() if kind == "period" and name != "days")

#: the tables of a summary and their index levels (the first is the date or period);
#: the registry's table parts (:data:`creditkpi.registry.TABLE_PARTS`) are added to them
_TABLES: Mapping[str, tuple[str, ...]] = {
    "snapshots": ("as_of", "group"),
    "periods": ("period", "group"),
    "months": ("window", "group"),
    "reasons": ("as_of", "group", "reason"),
    "statuses": ("as_of", "group", "status"),
    "customers": ("as_of", "customer_id"),
    "cohort_totals": ("as_of", "cohort"),
    "cohort_cells": ("as_of", "cohort", "age"),
    "survival": ("as_of", "group", "day"),
    "carrying_amounts": ("as_of", "group", "bucket"),
    "loss_exposure": ("as_of", "group", "cohort", "bucket"),
    "expected_cash": ("as_of", "group", "step"),
    "fallback_balances": ("as_of", "group", "age"),
}

#: index levels holding whole numbers, per table (the others are labels)
_INT_LEVELS: Mapping[str, tuple[str, ...]] = {
    "cohort_totals": ("cohort",),
    "cohort_cells": ("cohort", "age"),
    "survival": ("day",),
    "expected_cash": ("step",),
    "fallback_balances": ("age",),
}


@dataclass(frozen=True)
class Summary:
    """Additive parts of every KPI of some periods, per group (int64 only).

    Attributes
    ----------
    tables : dict of str to DataFrame
        ``snapshots`` (``(as_of, group)``: the snapshot parts and aging
        buckets at each period's start - 1 day and end, and the extra dates;
        ``invoices:<bucket>`` counts the open invoices per bucket),
        ``periods`` (``(period, group)``: the period parts), ``months``
        (``(window, group)``: sales per calendar month for the countback),
        ``reasons`` (``(as_of, group, reason)``: open disputes), ``statuses``
        (``(as_of, group, status)``), ``customers`` (``(as_of,
        customer_id)``: each partition's largest balances), ``cohort_totals``
        and ``cohort_cells`` (the cohort matrices at each period's end). Sums
        of the same keys add up across partitions with disjoint customers.
    first_day : int or None
        Earliest event of the ledger (day number): where the countback's
        history runs out.
    meta : dict
        Options every summary to combine must share (periods, dates, buckets,
        basis, by, top, granularity, currency, digits).
    issues : tuple of str
        Validation warnings of the partitions (``Ledger.report``).
    SCHEMA : str
        The Spark schema of :meth:`to_frame` (``applyInPandas(...,
        schema=ckd.Summary.SCHEMA)``).
    """

    SCHEMA: ClassVar[str] = (
        "table string, key string, grp string, sub string, col string, value long, fvalue double"
    )

    tables: Mapping[str, pd.DataFrame]
    first_day: int | None
    meta: dict[str, Any] = field(default_factory=dict)
    issues: tuple[str, ...] = ()

    @property
    def periods(self) -> list[Period]:
        """The periods of the summary."""
        return [Period.parse(p) for p in self.meta["periods"]]

    def to_frame(self) -> pd.DataFrame:
        """The summary as one long frame (``table, key, grp, sub, col, value, fvalue``).

        The shape Spark's ``applyInPandas`` returns: fixed schema
        :attr:`SCHEMA`, ``table string, key string, grp string, sub string,
        col string, value long, fvalue double`` (``fvalue`` holds the few float sums, e.g. squared
        amounts; every money and count is an exact ``value``). Labels become
        text (Python ``str`` objects, which every engine's pandas conversion
        accepts); index levels after the second are joined with ``|`` in
        ``sub``.
        """
        parts = []
        for name, frame in self.tables.items():
            if len(frame) == 0:
                continue
            levels = list(frame.index.names)
            flat = frame.reset_index()
            for column in frame.columns:
                floats = frame[column].dtype.kind == "f"
                key = flat[levels[0]].astype(str)
                grp = flat[levels[1]].astype(str)
                sub = (
                    flat[levels[2:]].astype(str).agg("|".join, axis=1)
                    if len(levels) > 2
                    else pd.Series("", index=flat.index)
                )
                values = flat[column]
                parts.append(
                    pd.DataFrame(
                        {
                            "table": name,
                            "key": key,
                            "grp": grp,
                            "sub": sub,
                            "col": str(column),
                            "value": 0 if floats else values.astype(np.int64),
                            "fvalue": values.astype(np.float64) if floats else 0.0,
                        }
                    )
                )
        meta = {**self.meta, "first_day": self.first_day, "issues": list(self.issues)}
        parts.append(
            pd.DataFrame(
                {
                    "table": ["meta"],
                    "key": [json.dumps(meta)],
                    "grp": [""],
                    "sub": [""],
                    "col": [""],
                    "value": [0],
                    "fvalue": [0.0],
                }
            )
        )
        out = pd.concat(parts, ignore_index=True)
        out["value"] = out["value"].astype(np.int64)
        out["fvalue"] = out["fvalue"].astype(np.float64)
        # plain Python strings: engines that convert the frame themselves (Spark's
        # Arrow batches) do not all take pandas' Arrow-backed text columns
        for column in ("table", "key", "grp", "sub", "col"):
            out[column] = out[column].astype(object)
        return out

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Summary:
        """Rebuild (and combine) summaries from :meth:`to_frame` rows, e.g. Spark's output."""
        metas = [json.loads(k) for k in frame.loc[frame["table"] == "meta", "key"]]
        if not metas:
            raise InvalidOptionError("the frame holds no summary (no 'meta' row)", column="table")
        columns = metas[0]["columns"]
        firsts = [m["first_day"] for m in metas if m.get("first_day") is not None]
        meta = {k: v for k, v in metas[0].items() if k not in ("first_day", "issues")}
        floats: dict[str, list[str]] = {}
        for m in metas:
            for name, cols in m.get("floats", {}).items():
                floats[name] = sorted(set(floats.get(name, [])) | set(cols))
        meta["floats"] = floats
        for other in metas[1:]:
            rest = {k: v for k, v in other.items() if k not in ("first_day", "issues")}
            _check_same(meta, rest)
        tables: dict[str, pd.DataFrame] = {}
        for name, levels in _TABLES.items():
            rows = frame[frame["table"] == name]
            if len(rows) == 0:
                tables[name] = _empty(columns.get(name, []), levels)
                continue
            rows = rows.assign(value=rows["fvalue"].where(rows["col"].isin(floats.get(name, [])),
                                                          rows["value"]))  # fmt: skip
            keys = ["key", "grp", "sub"][: min(len(levels), 3)]
            wide = rows.pivot_table(
                index=keys, columns="col", values="value", aggfunc="sum", fill_value=0
            )
            wide = wide.reindex(columns=columns.get(name, list(wide.columns)), fill_value=0)
            wide = wide.astype(
                {c: np.float64 if c in floats.get(name, []) else np.int64 for c in wide.columns}
            )
            wide.index = _typed_index(wide.index, name, levels)
            wide.columns.name = None
            tables[name] = _sorted(wide)
        return cls(
            tables,
            min(firsts) if firsts else None,
            meta,
            tuple(i for m in metas for i in m.get("issues", ())),
        )


def _typed_index(index: pd.Index, table_name: str, levels: tuple[str, ...]) -> pd.MultiIndex:
    """Restore the levels (and their types) of a summary table read back from text."""
    raw = [index.get_level_values(k) for k in range(index.nlevels)]
    if len(levels) > 3:  # levels after the second were joined in ``sub``
        split = pd.Series(raw[2]).str.split("|", expand=True)
        raw = raw[:2] + [pd.Index(split[k]) for k in range(split.shape[1])]
    ints = _INT_LEVELS.get(table_name, ())
    arrays: list[pd.Index] = []
    for level, values in zip(levels, raw, strict=True):
        if level == "as_of":
            arrays.append(pd.DatetimeIndex(values))
        elif level in ints:
            arrays.append(pd.Index(np.asarray(values).astype(np.int64)))
        else:
            arrays.append(pd.Index(values, dtype=object))
    return pd.MultiIndex.from_arrays(arrays, names=list(levels))


def _empty(columns: Sequence[str], levels: Sequence[str]) -> pd.DataFrame:
    index = pd.MultiIndex.from_arrays([[] for _ in levels], names=list(levels))
    return pd.DataFrame({c: pd.Series([], dtype=np.int64) for c in columns}, index=index)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    try:
        out: pd.DataFrame = frame.sort_index()
        return out
    except TypeError:  # group labels of mixed types
        return frame


def _frame(
    data: Mapping[str, npt.NDArray[Any]], keys: Sequence[Any], labels: pd.Index, level: str
) -> pd.DataFrame:
    index = pd.MultiIndex.from_product([list(keys), list(labels)], names=[level, "group"])
    return pd.DataFrame({c: np.asarray(v, dtype=np.int64).reshape(-1) for c, v in data.items()},
                        index=index)  # fmt: skip


def summarize(
    ledger: Ledger,
    periods: PeriodLike | Sequence[PeriodLike],
    *,
    dates: Sequence[date | str] = (),
    buckets: Sequence[int] = (30, 60, 90),
    basis: Basis = "due",
    by: str | None = None,
    top: int = 10,
    granularity: Literal["month", "quarter", "year"] = "month",
    only: Sequence[str] | None = None,
) -> Summary:
    """Reduce a ledger (or one partition of it) to the additive parts of every KPI.

    Parameters
    ----------
    ledger : Ledger
    periods : Period, str or list of them
        The periods whose KPIs :func:`kpis` will finish.
    dates : sequence of date or str, default ()
        Extra as-of dates for the snapshot parts (the periods' start - 1 day
        and end are always included).
    buckets : sequence of int, default (30, 60, 90)
        Aging bucket upper bounds in days.
    basis : {"due", "issue"}, default "due"
        Aging from the due date or the issue date.
    by : str, optional
        ``"customer_id"`` or an invoice attribute (``None``: one group ``"all"``).
    top : int, default 10
        How many of the largest customers each summary keeps (the
        top-customers table of a union is in the union of the tops).
    granularity : {"month", "quarter", "year"}, default "month"
        Cohort length of the cohort matrices.
    only : sequence of str, optional
        Names of :data:`creditkpi.registry.KPIS` and
        :data:`creditkpi.registry.TABLES` to carry the parts of (default:
        every one). A smaller summary is faster to build when only a few
        KPIs are wanted; :func:`kpis` then finishes those.

    Returns
    -------
    Summary
        Integer minor units and counts only; adding two summaries of ledgers
        with disjoint customers gives the summary of their union.

    Examples
    --------
    >>> import creditkpi as ck
    >>> from creditkpi.distributed import summarize
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-04-01", "2024-04-30", "100.00")])
    >>> s = summarize(ledger, "2024-04")
    >>> int(s.tables["periods"]["sales"].iloc[0]), int(s.tables["snapshots"]["receivables"].iloc[-1])
    (10000, 10000)
    """
    plist, _ = as_periods(periods)
    check_option("basis", basis, ("due", "issue"))
    check_option("granularity", granularity, tuple(COHORT_STEP))
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise InvalidOptionError(f"top must be a positive whole number, got {top!r}", column="top")
    content = _content(only)
    wanted_kpis = [KPIS[n] for n in content if n in KPIS]
    args = {a for k in wanted_kpis for a in k.arguments}
    groups = group_codes(ledger, by)
    labels = groups.labels
    extra = sorted({to_day(as_date(d)) for d in dates})
    ends = [to_day(p.end) for p in plist]
    grid = sorted({to_day(p.before) for p in plist} | set(ends) | set(extra))
    labels_of_buckets = bucket_labels(tuple(buckets), basis)
    snap_names = [n for n in SNAPSHOT if n in {a.removesuffix("_start").removesuffix("_end")
                                                for a in args}]  # fmt: skip
    snap_names = list(dict.fromkeys(["receivables", *snap_names]))
    if "aging" in content:
        snap_names += [*labels_of_buckets, "unapplied", "bucket_invoices"]
    snap = snapshot_parts(ledger, grid, groups, snap_names, edges=tuple(buckets), basis=basis)
    if "bucket_invoices" in snap:
        counts = snap.pop("bucket_invoices")
        for k, label in enumerate(labels_of_buckets):
            snap[f"invoices:{label}"] = counts[:, :, k]
    as_of_keys = [pd.Timestamp(from_day(d)) for d in grid]
    period_names = [n for n in PERIOD if n in args]
    tables: dict[str, pd.DataFrame] = {
        "snapshots": _frame(snap, as_of_keys, labels, "as_of"),
        "periods": _frame(
            period_parts(ledger, plist, groups, period_names) if period_names else {},
            [str(p) for p in plist],
            labels,
            "period",
        ),
    }
    first = ledger._cols.first_day
    windows = sorted({w for p in plist for w in month_windows(first, p.end)})
    if windows and "countback_months" in args:
        from creditkpi.core.engine import flows

        sales = flows(ledger, windows, by=by)[["sales"]]
        sales.index = sales.index.set_names(["window", "group"])
        tables["months"] = sales.astype(np.int64)
    else:
        tables["months"] = _empty(["sales"], _TABLES["months"])
    step = COHORT_STEP[granularity]
    reasons, statuses, customers, totals, cells = [], [], [], [], []
    for day in sorted(set(ends)):
        key = pd.Timestamp(from_day(day))
        if "dispute_reasons" in content:
            reasons.append(pd.concat({key: reason_parts(ledger, day, groups)}, names=["as_of"]))
        if "by_dunning_status" in content:
            statuses.append(pd.concat({key: status_parts(ledger, day, groups)}, names=["as_of"]))
        if "top_customers" in content:
            top_rows = customer_parts(ledger, day, top=top)
            customers.append(pd.concat({key: top_rows}, names=["as_of"]))
        if "cohorts" in content:
            cp = cohort_parts(ledger, day, step)
            index = pd.MultiIndex.from_product([[key], cp.buckets], names=["as_of", "cohort"])
            totals.append(
                pd.DataFrame({"invoiced": cp.invoiced, "invoices": cp.invoices}, index=index)
            )
            ages = np.arange(cp.n_ages)
            cells.append(
                pd.DataFrame(
                    {"collected": cp.collected.reshape(-1), "settled": cp.settled.reshape(-1)},
                    index=pd.MultiIndex.from_product(
                        [[key], cp.buckets, ages], names=["as_of", "cohort", "age"]
                    ),
                )
            )
    tables["reasons"] = _concat(reasons, "reasons", ["count", "amount"])
    tables["statuses"] = _concat(statuses, "statuses", ["amount", "invoices"])
    tables["customers"] = _concat(customers, "customers", ["balance", "overdue", "invoices"])
    tables["cohort_totals"] = _concat(totals, "cohort_totals", ["invoiced", "invoices"])
    tables["cohort_cells"] = _concat(cells, "cohort_cells", ["collected", "settled"])
    table_parts = set(args) | {
        a for name in content if name in _TABLE_NEEDS for a in _TABLE_NEEDS[name]
    }
    for name, part in TABLE_PARTS.items():
        if name not in table_parts:
            tables[name] = _empty([], _TABLES[name])
            continue
        frames = []
        for day in sorted(set(ends)):
            frame = part.compute(ledger, from_day(day), by)
            frame.index = frame.index.set_names(list(_TABLES[name][1:]))
            frames.append(pd.concat({pd.Timestamp(from_day(day)): frame}, names=["as_of"]))
        columns = list(frames[0].columns) if frames else []
        tables[name] = _concat(frames, name, columns, keep_floats=True)
    meta = {
        "periods": [str(p) for p in plist],
        "dates": [str(from_day(d)) for d in extra],
        "buckets": [int(e) for e in buckets],
        "basis": basis,
        "by": by,
        "top": top,
        "granularity": granularity,
        "content": content,
        "currency": ledger.currency,
        "digits": ledger._cols.digits,
        "columns": {name: list(map(str, frame.columns)) for name, frame in tables.items()},
        "floats": _float_columns(tables),
    }
    issues = tuple(str(i) for i in ledger.report.issues)
    return Summary({k: _sorted(v) for k, v in tables.items()}, first, meta, issues)


#: the table parts each table KPI is rebuilt from
_TABLE_NEEDS: Mapping[str, tuple[str, ...]] = {
    "loss_rates": ("loss_exposure",),
    "provision_matrix": ("carrying_amounts", "loss_exposure"),
    "time_to_pay": ("survival",),
}


def _content(only: Sequence[str] | None) -> list[str]:
    """The KPIs and tables a summary carries the parts of (validated)."""
    known = [*KPIS, *TABLES]
    if only is None:
        return [n for n in known if n != "payer_profiles"]
    if isinstance(only, str):
        only = [only]
    unknown = [n for n in only if n not in known]
    if unknown:
        raise InvalidOptionError(
            f"only must list KPIs or tables of the registry; unknown: {', '.join(unknown)}",
            column="only",
            ids=unknown,
        )
    return [n for n in known if n in set(only)]


def _concat(
    frames: list[pd.DataFrame], name: str, columns: list[str], *, keep_floats: bool = False
) -> pd.DataFrame:
    nonempty = [f for f in frames if len(f)]
    if not nonempty:
        return _empty(columns, _TABLES[name])
    out = pd.concat(nonempty)
    out.index = out.index.set_names(list(_TABLES[name]))
    return _integers(out[columns], keep_floats=keep_floats)


def _integers(frame: pd.DataFrame, *, keep_floats: bool = True) -> pd.DataFrame:
    """int64 columns, except the float sums (squared amounts) where ``keep_floats``."""
    types = {
        c: (np.float64 if keep_floats and frame[c].dtype.kind == "f" else np.int64)
        for c in frame.columns
    }
    return frame.astype(types)


def _float_columns(tables: Mapping[str, pd.DataFrame]) -> dict[str, list[str]]:
    return {
        name: [str(c) for c in frame.columns if frame[c].dtype.kind == "f"]
        for name, frame in tables.items()
        if any(frame[c].dtype.kind == "f" for c in frame.columns)
    }


def _check_same(meta: Mapping[str, Any], other: Mapping[str, Any]) -> None:
    keys = sorted(k for k in meta if k not in ("columns", "floats"))
    diff = [k for k in keys if meta.get(k) != other.get(k)]
    if diff:
        raise InvalidOptionError(
            f"summaries differ in {', '.join(diff)}: summarize every partition alike",
            column=diff[0],
        )


def combine(summaries: Iterable[Summary | None]) -> Summary:
    """Add summaries of ledgers with disjoint customers (``None`` items are skipped).

    Raises
    ------
    InvalidOptionError
        If the summaries were made with different periods, dates, buckets,
        grouping or currencies.
    """
    items = [s for s in summaries if s is not None]
    if not items:
        raise InvalidOptionError("nothing to combine: no summary given", column="summaries")
    meta = items[0].meta
    for other in items[1:]:
        _check_same(meta, other.meta)
    if len(items) == 1:
        return items[0]
    tables: dict[str, pd.DataFrame] = {}
    for name in _TABLES:
        frames = [s.tables[name] for s in items if name in s.tables and len(s.tables[name])]
        if not frames:
            tables[name] = items[0].tables.get(name, _empty([], _TABLES[name]))
            continue
        levels = list(range(len(_TABLES[name])))
        total = pd.concat(frames).groupby(level=levels, sort=False).sum()
        tables[name] = _sorted(_integers(total))
    columns = {name: list(map(str, frame.columns)) for name, frame in tables.items()}
    firsts = [s.first_day for s in items if s.first_day is not None]
    return Summary(
        tables,
        min(firsts) if firsts else None,
        {**meta, "columns": columns, "floats": _float_columns(tables)},
        tuple(i for s in items for i in s.issues),
    )


# ----------------------------------------------------------------------------------
# finishing on the driver
# ----------------------------------------------------------------------------------


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


def _at(summary: Summary, when: date, column: str, groups: list[Any]) -> IntArray:
    frame = summary.tables["snapshots"]
    key = pd.Timestamp(when)
    if column not in frame.columns or key not in frame.index.get_level_values("as_of"):
        return np.zeros(len(groups), dtype=np.int64)
    part = frame[column].xs(key, level="as_of")
    return part.reindex(groups, fill_value=0).to_numpy(dtype=np.int64)


def _over(summary: Summary, period: Period, column: str, groups: list[Any]) -> IntArray:
    frame = summary.tables["periods"]
    key = str(period)
    if column not in frame.columns or key not in frame.index.get_level_values("period"):
        return np.zeros(len(groups), dtype=np.int64)
    part = frame[column].xs(key, level="period")
    return part.reindex(groups, fill_value=0).to_numpy(dtype=np.int64)


def _months(summary: Summary, end: date, groups: list[Any]) -> list[tuple[IntArray, int]]:
    frame = summary.tables["months"]
    sales = frame["sales"] if len(frame) else pd.Series(dtype=np.int64)
    present = set(sales.index.get_level_values("window")) if len(sales) else set()
    out = []
    for window in month_windows(summary.first_day, end):
        key = str(window)
        values = (
            sales.xs(key, level="window").reindex(groups, fill_value=0).to_numpy(np.int64)
            if key in present
            else np.zeros(len(groups), dtype=np.int64)
        )
        out.append((values, window.days))
    return out


def _parts_of(summary: Summary, period: Period, groups: list[Any]) -> dict[str, Any]:
    """Every part of one period, ``(1, groups)`` arrays: what the registry's formulas read."""
    parts: dict[str, Any] = {}
    for name in SNAPSHOT:
        parts[name] = _at(summary, period.end, name, groups)[None, :]
        parts[f"{name}_end"] = parts[name]
        parts[f"{name}_start"] = _at(summary, period.before, name, groups)[None, :]
    for name in PERIOD:
        parts[name] = _over(summary, period, name, groups)[None, :]
    parts["days"] = np.asarray([[period.days]], dtype=np.int64)
    parts["countback_months"] = [_months(summary, period.end, groups)]
    key = pd.Timestamp(period.end)
    for name in TABLE_PARTS:
        parts[name] = [_rows(summary.tables.get(name, _empty([], _TABLES[name])), key)]
    parts["group_labels"] = groups
    parts["digits"] = int(summary.meta["digits"])
    return parts


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
    digits = int(summary.meta["digits"])
    groups = _groups(summary)
    content = set(summary.meta.get("content", list(KPIS)))
    entries = [
        k
        for k in KPIS.values()
        if k.name in content and ("costs" not in k.requires or costs is not None)
    ]
    frames = []
    for period in summary.periods:
        parts = _parts_of(summary, period, groups)
        if costs is not None:
            labels = pd.Index(groups, dtype=object)
            totals = cost_totals(costs, [period], labels, summary.meta.get("by"))
            parts["costs"] = costs_in_minor_units(totals, digits)
        data: dict[str, Any] = {}
        for kpi in entries:
            values = np.asarray(kpi.finish(parts))[0]
            if kpi.unit == "money":
                data[kpi.name] = _money_or_nan(values, digits, money)
            elif kpi.unit == "count":
                data[kpi.name] = values.astype(np.int64)
            else:
                data[kpi.name] = values.astype(np.float64)
        index = pd.MultiIndex.from_product([[str(period)], groups], names=["period", "group"])
        frames.append(pd.DataFrame(data, index=index, columns=[k.name for k in entries]))
    return pd.concat(frames)


def _money_or_nan(values: npt.NDArray[Any], digits: int, money: Money) -> npt.NDArray[Any]:
    """Money from minor units, ``nan`` kept (an undefined amount, e.g. no loss rate)."""
    if values.dtype != object:
        return money_values(values, digits, money)
    out = np.empty(values.shape, dtype=object if money == "decimal" else np.float64)
    for k, value in enumerate(values.tolist()):
        if isinstance(value, float) and np.isnan(value):
            out[k] = np.nan
        else:
            out[k] = money_values(np.asarray([int(value)]), digits, money)[0]
    return out


def table(
    summary: Summary,
    name: str,
    *,
    period: PeriodLike | None = None,
    money: Money = "float",
    n: int | None = None,
    weight: Literal["amount", "count"] = "amount",
    order: Sequence[str] = (),
) -> pd.DataFrame:
    """A table KPI of the registry at a period's end, from a (combined) summary.

    Parameters
    ----------
    summary : Summary
    name : str
        A name of :data:`creditkpi.registry.TABLES`: ``aging``,
        ``top_customers``, ``by_dunning_status``, ``dispute_reasons``,
        ``cohorts``, ``loss_rates``, ``provision_matrix`` or ``time_to_pay``
        (its curve, per group). ``payer_profiles`` are rows per customer:
        compute them on each customer partition and concatenate.
    period : Period or str, optional
        One of the summary's periods (default: the last); the table is at its end.
    money : {"float", "decimal"}, default "float"
    n : int, optional
        ``top_customers``: how many (default: the summary's ``top``).
    weight : {"amount", "count"}, default "amount"
        ``cohorts``: as :func:`creditkpi.cohorts`.
    order : sequence of str, default ()
        ``by_dunning_status``: statuses first, as :func:`creditkpi.by_dunning_status`.

    Returns
    -------
    DataFrame
        The same table as the ledger function at that date (whole book; the
        summary's grouping for ``loss_rates``, ``provision_matrix`` and
        ``time_to_pay``).
    """
    check_option("name", name, tuple(TABLES))
    if name not in summary.meta.get("content", list(TABLES)) and name != "payer_profiles":
        raise InvalidOptionError(
            f"the summary does not carry the parts of {name!r} (summarize(..., only=...) "
            "left it out)",
            column="name",
        )
    if name == "payer_profiles":
        raise InvalidOptionError(
            "payer profiles are one row per customer: compute ck.payer_profiles on each customer "
            "partition and concatenate the rows (no summary needed)",
            column="name",
        )
    check_money(money)
    periods = summary.periods
    the_period = periods[-1] if period is None else Period.parse(period)
    if the_period not in periods:
        raise InvalidOptionError(
            f"period {the_period} is not a period of the summary ({', '.join(map(str, periods))})",
            column="period",
        )
    key = pd.Timestamp(the_period.end)
    digits = int(summary.meta["digits"])
    t = summary.tables
    if name == "aging":
        labels = bucket_labels(tuple(summary.meta["buckets"]), summary.meta["basis"])
        snap = _rows(t["snapshots"], key).sum(axis=0)
        parts: dict[str, Any] = {
            c: np.asarray([[int(snap.loc[c])]]) for c in (*labels, "receivables", "unapplied")
        }
        parts["bucket_invoices"] = np.asarray([[[int(snap.loc[f"invoices:{b}"]) for b in labels]]])
        return book_table(parts, labels, digits, money)
    if name == "top_customers":
        customers = _rows(t["customers"], key)
        total = int(t["snapshots"].xs(key, level="as_of")["receivables"].sum())
        top = int(summary.meta["top"]) if n is None else n
        return top_table(customers.groupby(level=0).sum(), total, top, digits, money)
    if name == "by_dunning_status":
        frame = _rows(t["statuses"], key)
        return status_table(_with_group(frame, "status"), list(order), digits, money)
    if name == "dispute_reasons":
        frame = _rows(t["reasons"], key)
        return reasons_table(_with_group(frame, "reason"), digits, money)
    if name in ("loss_rates", "provision_matrix"):
        exposure = _in_bucket_order(_rows(t["loss_exposure"], key))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataQualityWarning)
            if name == "loss_rates":
                out = loss_rates_from_parts(exposure, digits=digits, money=money)
            else:
                out = provision_matrix_from_parts(
                    _in_bucket_order(_rows(t["carrying_amounts"], key)),
                    exposure=exposure,
                    digits=digits,
                    money=money,
                )
        return out.droplevel("group") if summary.meta.get("by") is None else out
    if name == "time_to_pay":
        curve: pd.DataFrame = kaplan_meier(_rows(t["survival"], key)).curve
        return curve.droplevel("group") if summary.meta.get("by") is None else curve
    step = COHORT_STEP[summary.meta["granularity"]]
    totals = _rows(t["cohort_totals"], key).groupby(level="cohort").sum()
    cells = _rows(t["cohort_cells"], key).groupby(level=["cohort", "age"]).sum()
    buckets = totals.index.to_numpy(dtype=np.int64)
    n_ages = int(cells.index.get_level_values("age").max()) + 1 if len(cells) else 0
    collected = np.zeros((buckets.size, n_ages), dtype=np.int64)
    settled = np.zeros((buckets.size, n_ages), dtype=np.int64)
    row = {int(b): k for k, b in enumerate(buckets)}
    cohort_of = cells.index.get_level_values("cohort").to_numpy(dtype=np.int64)
    age_of = cells.index.get_level_values("age").to_numpy(dtype=np.int64)
    where = np.asarray([row[int(c)] for c in cohort_of], dtype=np.int64)
    collected[where, age_of] = cells["collected"].to_numpy(dtype=np.int64)
    settled[where, age_of] = cells["settled"].to_numpy(dtype=np.int64)
    cp = CohortParts(
        buckets,
        n_ages,
        totals["invoiced"].to_numpy(dtype=np.int64),
        totals["invoices"].to_numpy(dtype=np.int64),
        collected,
        settled,
    )
    return cohort_table(cp, step, weight)


def _in_bucket_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in aging order (``not due``, ``1-30``, ... then ``doubtful``), as a ledger gives them."""
    if len(frame) == 0:
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


def _with_group(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    """A ``(group, level)``-indexed frame (empty frames keep the level names)."""
    if len(frame) == 0:
        index = pd.MultiIndex.from_arrays([[], []], names=["group", level])
        return pd.DataFrame({c: pd.Series([], dtype=np.int64) for c in frame.columns}, index=index)
    return frame


# ----------------------------------------------------------------------------------
# Dask
# ----------------------------------------------------------------------------------


def _column(columns: Mapping[str, Any] | None, table_name: str, canonical: str) -> str:
    if not columns:
        return canonical
    nested = columns.get(table_name)
    if isinstance(nested, Mapping):
        return str(nested.get(canonical, canonical))
    value = columns.get(canonical, canonical)
    return value if isinstance(value, str) else canonical


def _partition_key(series: pd.Series, parts: int) -> pd.Series:
    """Partition number of each customer id (its text, hashed); missing ids go to 0."""
    text = series.astype("string")
    hashed = pd.util.hash_pandas_object(text.fillna(""), index=False).to_numpy()
    key = (hashed % np.uint64(parts)).astype(np.int64)
    key[text.isna().to_numpy()] = 0
    return pd.Series(key, index=series.index, name="_ck_part")


#: the polynomial hash of the id text (an odd 64-bit constant), and its final mix (splitmix64)
_HASH_BASE = np.uint64(0x100000001B3)
_MIX = (np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))


def text_hashes(text: Any) -> npt.NDArray[np.uint64]:
    """64-bit hashes of the values of an Arrow ``large_string`` array without nulls or blanks.

    Equal texts get equal hashes (any partition, any worker); different texts
    rarely do, and :func:`duplicate_ids` compares the texts of equal hashes.
    Computed from the array's bytes, without a Python object per value.
    """
    n = len(text)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[text.offset : text.offset + n + 1]
    first, last = int(offsets[0]), int(offsets[-1])
    data = np.frombuffer(text.buffers()[2], dtype=np.uint8)[first:last]
    lengths = np.diff(offsets)
    position = np.int32 if last - first < 2**31 else np.int64
    starts: npt.NDArray[np.signedinteger[Any]] = (offsets[:-1] - first).astype(position)
    # h = sum over the bytes b_j of a text of (b_j + 1) * BASE**j (mod 2**64)
    exponent = np.arange(last - first, dtype=position) - np.repeat(starts, lengths)
    powers = np.cumprod(np.full(int(lengths.max()), _HASH_BASE, dtype=np.uint64))
    powers = np.concatenate([np.ones(1, dtype=np.uint64), powers[:-1]])
    byte_values = np.arange(1, 257, dtype=np.uint64)
    h = np.add.reduceat(byte_values[data] * powers[exponent], starts)
    h ^= lengths.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    h ^= h >> np.uint64(30)
    h *= _MIX[0]
    h ^= h >> np.uint64(27)
    h *= _MIX[1]
    h ^= h >> np.uint64(31)
    return np.asarray(h, dtype=np.uint64)


def _id_buckets(partition: pd.DataFrame, column: str, buckets: int) -> list[tuple[Any, Any]]:
    """A partition's invoice ids (as the ledger compares them) in ``buckets`` by their hash.

    One ``(hashes, texts)`` pair per bucket: the reducers of :func:`duplicate_ids`
    each receive one bucket of every partition (bounded memory, no shuffle).
    """
    import pyarrow as pa

    from creditkpi.core.ingest.ids import id_column

    ids = id_column(partition[column])
    text = ids.as_arrow()
    if ids.null.any():  # missing ids are the partition's ledger's error
        text = text.filter(pa.array(~ids.null))
    hashes = text_hashes(text)
    bucket = (hashes % np.uint64(buckets)).astype(np.int64)
    order = np.argsort(bucket, kind="stable")
    bounds = np.searchsorted(bucket[order], np.arange(buckets + 1))
    return [
        (hashes[order[a:b]], text.take(pa.array(order[a:b])))
        for a, b in itertools.pairwise(bounds.tolist())
    ]


def duplicate_ids(pieces: Sequence[tuple[Any, Any]]) -> list[str]:
    """The ids found more than once among ``(hashes, texts)`` pieces (texts compared exactly)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    pieces = [p for p in pieces if len(p[0])]
    if not pieces:
        return []
    hashes = np.concatenate([p[0] for p in pieces])
    ordered = np.sort(hashes)
    twice = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
    if twice.size == 0:
        return []
    rows = np.flatnonzero(np.isin(hashes, twice))
    texts = pa.concat_arrays([p[1] for p in pieces]).take(pa.array(rows))
    counts = pc.value_counts(texts)
    values, seen = counts.field("values"), counts.field("counts")
    return [str(v) for v in values.filter(pc.greater(seen, 1)).to_pylist()]


def _without_duplicates(duplicated: Sequence[Sequence[str]], summary: Summary) -> Summary:
    """The summary, unless some invoice ids appear more than once in the whole table."""
    found = sorted(i for part in duplicated for i in part)
    if found:
        raise DuplicateIdError(
            f"{len(found)} invoice id(s) appear more than once (across partitions)",
            column="invoice_id",
            ids=found,
            count=len(found),
        )
    return summary


def _summarize_partition(
    invoices: pd.DataFrame, payments: pd.DataFrame, options: dict[str, Any]
) -> Summary | None:
    invoices = invoices.drop(columns=["_ck_part"], errors="ignore")
    payments = payments.drop(columns=["_ck_part"], errors="ignore")
    if len(invoices) == 0 and len(payments) == 0:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ledger = Ledger.from_frames(
            invoices,
            payments,
            columns=options["columns"],
            date_format=options["date_format"],
            unknown_invoices=options["unknown_invoices"],
        )
    return summarize(
        ledger,
        options["periods"],
        dates=options["dates"],
        buckets=options["buckets"],
        basis=options["basis"],
        by=options["by"],
        top=options["top"],
        only=options["only"],
    )


def from_dask(
    invoices: Any,
    payments: Any = None,
    *,
    periods: PeriodLike | Sequence[PeriodLike],
    dates: Sequence[date | str] = (),
    buckets: Sequence[int] = (30, 60, 90),
    basis: Basis = "due",
    by: str | None = None,
    top: int = 10,
    only: Sequence[str] | None = None,
    columns: Mapping[str, Any] | None = None,
    date_format: str | None = None,
    unknown_invoices: Literal["error", "unapplied"] = "error",
    partitioned: bool = False,
    npartitions: int | None = None,
    compute: bool = True,
) -> Any:
    """Summarise Dask DataFrames of invoices and payments, partition by partition.

    Parameters
    ----------
    invoices, payments : dask.dataframe.DataFrame
        The tables of :meth:`Ledger.from_frames` (``payments`` optional).
    periods, dates, buckets, basis, by, top, only
        As for :func:`summarize`.
    columns, date_format, unknown_invoices
        As for :meth:`Ledger.from_frames`.
    partitioned : bool, default False
        ``False``: the tables are shuffled so that each customer's invoices
        and payments share a partition (each payment takes its invoice's
        customer; unapplied cash its own ``customer_id``). ``True``: they
        already are -- both have the same number of partitions and partition
        ``i`` of each holds the same customers (e.g. written by customer).
    npartitions : int, optional
        Partitions after the shuffle (default: the larger input's count).
    compute : bool, default True
        Return the combined :class:`Summary`, or the ``dask.delayed`` that
        computes it.

    Returns
    -------
    Summary
        Identical to ``summarize(Ledger.from_frames(all invoices, all
        payments), ...)``; finish it with :func:`kpis` and :func:`table`.

    Raises
    ------
    DuplicateIdError
        An invoice id appears twice, in one partition or in two (e.g. under
        two customers): the ids are counted over the whole table.

    Notes
    -----
    Each partition is validated on its own, and the invoice ids once over the
    whole table: each partition read for the summaries also splits its ids
    into ``sqrt(npartitions)`` buckets by a hash of their text, and one task
    per bucket compares the texts of equal hashes (exact; memory per task:
    the ids of one bucket; no shuffle, no second read).

    Start the workers without Dask's ``MALLOC_TRIM_THRESHOLD_`` (the
    *Performance* page, *Beyond memory*): with it, the summaries take
    2.5-3 times as long.
    Validation warnings travel in ``Summary.issues``.
    """
    from dask.delayed import delayed

    ic = _column(columns, "invoices", "invoice_id")
    cc = _column(columns, "invoices", "customer_id")
    pic = _column(columns, "payments", "invoice_id")
    pcc = _column(columns, "payments", "customer_id")
    plist, _ = as_periods(periods)
    options = {
        "columns": columns,
        "date_format": date_format,
        "unknown_invoices": unknown_invoices,
        "periods": plist,
        "dates": list(dates),
        "buckets": tuple(buckets),
        "basis": basis,
        "by": by,
        "top": top,
        "only": only,
    }
    if payments is None:
        import dask.dataframe as dd

        empty = pd.DataFrame({pic: pd.Series([], dtype=object), "date": [], "amount": []})
        payments = dd.from_pandas(empty, npartitions=1)  # type: ignore[no-untyped-call]
    if partitioned:
        if invoices.npartitions != payments.npartitions:
            raise InvalidOptionError(
                f"partitioned=True needs as many payment partitions as invoice partitions "
                f"({payments.npartitions} != {invoices.npartitions})",
                column="partitioned",
            )
        inv, pay = invoices, payments
    else:
        k = int(npartitions or max(invoices.npartitions, payments.npartitions))
        inv = invoices.assign(
            _ck_part=invoices[cc].map_partitions(_partition_key, k, meta=("_ck_part", "i8"))
        )
        lookup = inv[[ic, "_ck_part"]]
        if ic != pic:
            lookup = lookup.rename(columns={ic: pic})
        pay = payments.merge(lookup, on=pic, how="left")
        if pcc in payments.columns:
            own = pay[pcc].map_partitions(_partition_key, k, meta=("_ck_part", "i8"))
            pay = pay.assign(_ck_part=pay["_ck_part"].fillna(own))
        pay = pay.assign(_ck_part=pay["_ck_part"].fillna(0).astype("int64"))
        inv = inv.shuffle(on="_ck_part", npartitions=k)
        pay = pay.shuffle(on="_ck_part", npartitions=k)
    inv_parts, pay_parts = inv.to_delayed(), pay.to_delayed()
    parts = [
        delayed(_summarize_partition)(a, b, options)
        for a, b in zip(inv_parts, pay_parts, strict=True)
    ]
    # the ids of the same partitions (each is read once for both), in buckets by hash:
    # reducer r compares bucket r of every partition
    reducers = max(1, math.isqrt(len(inv_parts)))
    split = [delayed(_id_buckets, nout=reducers)(a, ic, reducers) for a in inv_parts]
    duplicated = [delayed(duplicate_ids)([part[r] for part in split]) for r in range(reducers)]
    total = delayed(_without_duplicates)(duplicated, delayed(combine)(parts))
    return total.compute() if compute else total
