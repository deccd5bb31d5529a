"""Summarising a ledger (or one partition of it): the additive parts its KPIs need.

:func:`summarize` reads the specs of the registry (the KPIs and tables a
summary carries, ``only=``) and computes the parts behind them: the snapshot
parts at every period's edges, the period parts, the countback's monthly
sales and the table parts at the periods' ends. Nothing is named by hand: a
new KPI's parts travel as soon as its spec lists them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from creditkpi.core.args import as_periods, check_option, check_whole
from creditkpi.core.engine import Basis, bucket_labels, check_edges, flows
from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.groups import Groups, group_codes
from creditkpi.core.kpi import KPI, TableKPI
from creditkpi.core.ledger import Ledger
from creditkpi.core.parts import (
    BUCKET_INVOICES,
    BUCKETS,
    COHORT_STEP,
    COUNTBACK_MONTHS,
    DEFAULT_BUCKETS,
    PARTS,
    PERIOD_FACTS,
    TABLE_PARTS,
    LedgerParts,
    Settings,
    base_parts,
    month_windows,
    period_parts,
    snapshot_parts,
)
from creditkpi.core.period import Period, PeriodLike, as_date, from_day, to_day
from creditkpi.distributed.summary import (
    TABLE_LEVELS,
    Summary,
    array_table,
    concat_tables,
    empty_table,
    float_columns,
    sorted_table,
)
from creditkpi.registry import KPIS, TABLES

__all__ = ["SNAPSHOT", "content_of", "summarize"]

#: the snapshot parts a summary may carry at every date (the aging buckets besides)
SNAPSHOT = tuple(name for name, (kind, _, _) in PARTS.items() if kind == "snapshot")
#: the period parts it may carry for every period (the facts of a period are not sums)
PERIOD = tuple(
    name for name, (kind, _, _) in PARTS.items() if kind == "period" and name not in PERIOD_FACTS
)


def content_of(only: Sequence[str] | None) -> list[str]:
    """The KPIs and tables a summary carries the parts of (validated, registry order)."""
    known = [*KPIS, *TABLES]
    if only is None:
        return [n for n in known if n not in TABLES or TABLES[n].distributed is None]
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


def _specs(content: list[str]) -> list[KPI | TableKPI]:
    return [KPIS[n] if n in KPIS else TABLES[n] for n in content]


def _snapshot_columns(needed: list[str], labels: list[str]) -> list[str]:
    """The snapshot columns the needed parts read (receivables always: the book's total)."""
    edges = {n.removesuffix("_start").removesuffix("_end") for n in needed}
    names = [n for n in SNAPSHOT if n in edges or n in needed]
    names = list(dict.fromkeys(["receivables", *names, *(n for n in labels if n in needed)]))
    if BUCKETS in needed:
        names += [*labels, "unapplied"]
    if BUCKET_INVOICES in needed:
        names += [BUCKET_INVOICES]
    return list(dict.fromkeys(names))


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
        ``"customer_id"`` or an invoice attribute (``None``: one group
        ``"all"``). One column: a summary's groups are written out and read
        back as plain labels, so for several columns give a column that
        combines them (``country_segment``).
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
    check_whole("top", top, minimum=1)
    if by is not None and not isinstance(by, str):
        raise InvalidOptionError(
            f"a summary groups by one column, got by={by!r}: its groups are written out and "
            "read back as plain labels; add a column combining them to the invoices "
            "(frame['country_segment'] = frame['country'] + '/' + frame['segment'])",
            column="by",
        )
    content = content_of(only)
    needed = base_parts(p for spec in _specs(content) for p in spec.parts)
    groups = group_codes(ledger, by)
    extra = sorted({to_day(as_date(d)) for d in dates})
    ends = [to_day(p.end) for p in plist]
    grid = sorted({to_day(p.before) for p in plist} | set(ends) | set(extra))
    edges = check_edges(buckets, basis)
    tables: dict[str, pd.DataFrame] = {
        "snapshots": _snapshots(ledger, grid, groups, needed, edges, basis),
        "periods": array_table(
            period_parts(ledger, plist, groups, names)
            if (names := [n for n in PERIOD if n in needed])
            else {},
            [str(p) for p in plist],
            groups.labels,
            "period",
        ),
    }
    months = _months(ledger, plist, by) if COUNTBACK_MONTHS in needed else None
    tables["months"] = empty_table(["sales"], TABLE_LEVELS["months"]) if months is None else months
    settings = Settings(edges=edges, basis=basis, top=top, granularity=granularity)
    days = sorted(set(ends))
    source = LedgerParts(ledger, groups, dates=[from_day(d) for d in days], settings=settings)
    for name in TABLE_PARTS:
        tables[name] = (
            _table_part(source, name, days)
            if name in needed
            else empty_table([], TABLE_LEVELS[name])
        )
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
        "digits": ledger.digits,
        "columns": {name: list(map(str, frame.columns)) for name, frame in tables.items()},
        "floats": float_columns(tables),
    }
    issues = tuple(str(i) for i in ledger.report.issues)
    first = ledger.first_date
    first_day = None if first is None else to_day(first)
    return Summary({k: sorted_table(v) for k, v in tables.items()}, first_day, meta, issues)


def _snapshots(
    ledger: Ledger,
    grid: list[int],
    groups: Groups,
    needed: list[str],
    edges: tuple[int, ...],
    basis: Basis,
) -> pd.DataFrame:
    """The snapshot parts at every date of ``grid`` (bucket counts as ``invoices:<bucket>``)."""
    labels = bucket_labels(edges, basis)
    names = _snapshot_columns(needed, labels)
    snap = snapshot_parts(ledger, grid, groups, names, edges=edges, basis=basis)
    # the default buckets' labels a KPI reads, under other edges: with the default edges
    fixed = [n for n in needed if n in DEFAULT_BUCKETS and n not in labels]
    if fixed:
        snap.update(snapshot_parts(ledger, grid, groups, fixed))
    if BUCKET_INVOICES in snap:
        counts = snap.pop(BUCKET_INVOICES)
        for k, label in enumerate(labels):
            snap[f"invoices:{label}"] = counts[:, :, k]
    keys = [pd.Timestamp(from_day(d)) for d in grid]
    return array_table(snap, keys, groups.labels, "as_of")


def _months(ledger: Ledger, plist: list[Period], by: str | None) -> pd.DataFrame | None:
    """Sales per calendar month of every countback walk (``None`` without history)."""
    first = ledger.first_date
    first_day = None if first is None else to_day(first)
    windows = sorted({w for p in plist for w in month_windows(first_day, p.end)})
    if not windows:
        return None
    sales = flows(ledger, windows, by=by)[["sales"]]
    sales.index = sales.index.set_names(["window", "group"])
    out: pd.DataFrame = sales.astype(np.int64)
    return out


def _table_part(source: LedgerParts, name: str, days: list[int]) -> pd.DataFrame:
    """A table part at every period end, under an ``as_of`` level."""
    frames: list[Any] = []
    for j, day in enumerate(days):
        frame = source.at(name, j).copy()
        frame.index = frame.index.set_names(list(TABLE_LEVELS[name][1:]))
        frames.append(pd.concat({pd.Timestamp(from_day(day)): frame}, names=["as_of"]))
    columns = list(frames[0].columns) if frames else []
    return concat_tables(frames, name, columns, keep_floats=True)
