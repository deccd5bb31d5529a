"""Ledgers beyond one machine: additive summaries per partition, KPIs on the driver.

Every KPI of a period is a ratio of **additive** parts -- receivables, overdue
and aging buckets at the period's start and end, sales, cash, credit notes and
write-offs over the period, monthly sales for the countback DSO. Two ledgers
with disjoint customers give parts that add up to the parts of their union.
So a ledger partitioned by customer is reduced partition by partition with
the single-machine kernel (:meth:`Ledger.from_frames` + :func:`summarize`),
the small summaries are added (:func:`combine`) and the ratios are finished
once on the driver (:func:`kpis`). The engines do the distribution, the library
does the maths: results are identical to the single-machine path.

* :func:`summarize` -- one ledger (or one partition) to a :class:`Summary`;
* :func:`combine` -- add summaries (any number, any order);
* :func:`kpis` -- the KPI table of a summary;
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
>>> table = ckd.kpis(ckd.combine(parts))
>>> table.loc[("2024-04", "all"), ["receivables", "sales", "overdue"]].tolist()
[Decimal('90.00'), Decimal('50.00'), Decimal('40.00')]
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from dateutil.relativedelta import relativedelta

from creditkpi.core.args import as_periods, check_option, safe_ratio
from creditkpi.core.engine import (
    Basis,
    balances,
    bucket_labels,
    disputed_at,
    doubtful_at,
    flows,
    position,
)
from creditkpi.core.errors import DuplicateIdError, InvalidOptionError, UndefinedMetricWarning
from creditkpi.core.groups import group_codes
from creditkpi.core.ledger import Ledger
from creditkpi.core.money import cents_to_decimal
from creditkpi.core.period import Period, PeriodLike, as_date, from_day, to_day
from creditkpi.metrics.payment_delay import delay_sums

__all__ = ["Summary", "combine", "from_dask", "kpis", "summarize"]

FloatArray = npt.NDArray[np.float64]

#: money columns of :func:`kpis` (int64 minor units in the summary)
MONEY_COLUMNS = (
    "receivables",
    "receivables_start",
    "overdue",
    "current",
    "unapplied",
    "disputed",
    "doubtful",
    "doubtful_start",
    "sales",
    "cash",
    "credit_notes",
    "write_offs",
)

#: payment-delay sums carried in ``Summary.flows`` (column: field of ``delay_sums``)
DELAY_SUMS = {
    "paid": "amount",
    "payments": "payments",
    "paid_late": "amount_late",
    "weighted_to_pay": "weighted_to_pay",
    "weighted_late": "weighted_late",
}


@dataclass(frozen=True)
class Summary:
    """Additive parts of the KPIs of some periods, per group.

    Attributes
    ----------
    positions : DataFrame
        Indexed by ``(as_of, group)``: ``receivables``, ``overdue``, one
        column per aging bucket, ``unapplied``, ``disputed`` and ``doubtful``
        (int64 minor units) at each period's start - 1 day and end, and at
        the extra ``dates``.
    flows : DataFrame
        Indexed by ``(period, group)``: the columns of
        :func:`creditkpi.core.engine.flows` over each period, and the
        payment-delay sums (``paid``, ``payments``, ``paid_late``,
        ``weighted_to_pay``, ``weighted_late``; see
        :func:`creditkpi.metrics.payment_delay.delay_sums`).
    monthly : DataFrame
        Indexed by ``(window, group)``: ``sales`` per calendar month (the
        last window of each period ends on the period's end), for the
        countback DSO.
    first_day : int or None
        Earliest event of the ledger (day number): where the countback's
        history runs out.
    meta : dict
        Options every summary to combine must share (periods, dates, edges,
        basis, by, currency, digits).
    issues : tuple of str
        Validation warnings of the partitions (``Ledger.report``).
    """

    positions: pd.DataFrame
    flows: pd.DataFrame
    monthly: pd.DataFrame
    first_day: int | None
    meta: dict[str, Any] = field(default_factory=dict)
    issues: tuple[str, ...] = ()

    @property
    def periods(self) -> list[Period]:
        """The periods of the summary."""
        return [Period.parse(p) for p in self.meta["periods"]]

    def to_frame(self) -> pd.DataFrame:
        """The summary as one long frame (``table, key, grp, col, value``).

        The shape Spark's ``applyInPandas`` returns: fixed schema
        ``table string, key string, grp string, col string, value long``.
        Group labels become text (Python ``str`` objects, which every engine's
        pandas conversion accepts).
        """
        parts = []
        for table, frame in (
            ("positions", self.positions),
            ("flows", self.flows),
            ("monthly", self.monthly),
        ):
            if len(frame) == 0:
                continue
            long = frame.stack().reset_index()
            long.columns = pd.Index(["key", "grp", "col", "value"])
            long["key"] = long["key"].astype(str)
            long["grp"] = long["grp"].astype(str)
            long.insert(0, "table", table)
            parts.append(long)
        meta = {**self.meta, "first_day": self.first_day, "issues": list(self.issues)}
        parts.append(
            pd.DataFrame(
                {
                    "table": ["meta"],
                    "key": [json.dumps(meta)],
                    "grp": [""],
                    "col": [""],
                    "value": [0],
                }
            )
        )
        out = pd.concat(parts, ignore_index=True)
        out["value"] = out["value"].astype(np.int64)
        # plain Python strings: engines that convert the frame themselves (Spark's
        # Arrow batches) do not all take pandas' Arrow-backed text columns
        for column in ("table", "key", "grp", "col"):
            out[column] = out[column].astype(object)
        return out

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Summary:
        """Rebuild (and combine) summaries from :meth:`to_frame` rows, e.g. Spark's output."""
        metas = [json.loads(k) for k in frame.loc[frame["table"] == "meta", "key"]]
        if not metas:
            raise InvalidOptionError("the frame holds no summary (no 'meta' row)", column="table")
        summaries = []
        first = metas[0]
        columns = first["columns"]
        for meta in metas:
            summaries.append(
                cls(
                    _empty(columns["positions"], "as_of"),
                    _empty(columns["flows"], "period"),
                    _empty(columns["monthly"], "window"),
                    meta.pop("first_day"),
                    {k: v for k, v in meta.items() if k != "issues"},
                    tuple(meta.get("issues", ())),
                )
            )
        base = combine(summaries)
        tables = {}
        for table, level in (("positions", "as_of"), ("flows", "period"), ("monthly", "window")):
            rows = frame[frame["table"] == table]
            wide = rows.pivot_table(
                index=["key", "grp"], columns="col", values="value", aggfunc="sum", fill_value=0
            )
            wide = wide.reindex(columns=columns[table], fill_value=0).astype(np.int64)
            wide.index = wide.index.set_names([level, "group"])
            wide.columns.name = None
            if table == "positions" and len(wide):
                keys = pd.DatetimeIndex(wide.index.get_level_values(0))
                wide.index = pd.MultiIndex.from_arrays(
                    [keys, wide.index.get_level_values(1)], names=[level, "group"]
                )
            tables[table] = _sorted(wide)
        return replace(
            base, positions=tables["positions"], flows=tables["flows"], monthly=tables["monthly"]
        )


def _empty(columns: Sequence[str], level: str) -> pd.DataFrame:
    index = pd.MultiIndex.from_arrays([[], []], names=[level, "group"])
    return pd.DataFrame({c: pd.Series([], dtype=np.int64) for c in columns}, index=index)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    try:
        out: pd.DataFrame = frame.sort_index()
        return out
    except TypeError:  # group labels of mixed types
        return frame


def _month_windows(first_day: int, ends: Iterable[int]) -> list[Period]:
    """Calendar months from the month of ``first_day``; the month of each end stops at it."""
    windows: list[Period] = []
    seen: set[tuple[date, date]] = set()
    for end_day in sorted(set(ends)):
        end = from_day(end_day)
        month = from_day(first_day).replace(day=1)
        while month <= end:
            last = min(month + relativedelta(months=1, days=-1), end)
            if (month, last) not in seen:
                seen.add((month, last))
                windows.append(Period(month, last))
            month = month + relativedelta(months=1)
    return windows


def summarize(
    ledger: Ledger,
    periods: PeriodLike | Sequence[PeriodLike],
    *,
    dates: Sequence[date | str] = (),
    edges: Sequence[int] = (30, 60, 90),
    basis: Basis = "due",
    by: str | None = None,
) -> Summary:
    """Reduce a ledger (or one partition of it) to the additive parts of its KPIs.

    Parameters
    ----------
    ledger : Ledger
    periods : Period, str or list of them
        The periods whose KPIs :func:`kpis` will finish.
    dates : sequence of date or str, default ()
        Extra as-of dates for the positions (the periods' start - 1 day and
        end are always included).
    edges : sequence of int, default (30, 60, 90)
        Aging bucket upper bounds in days.
    basis : {"due", "issue"}, default "due"
        Aging from the due date or the issue date.
    by : str, optional
        ``"customer_id"`` or an invoice attribute (``None``: one group ``"all"``).

    Returns
    -------
    Summary
        Integer minor units only; adding two summaries of ledgers with
        disjoint customers gives the summary of their union.

    Examples
    --------
    >>> import creditkpi as ck
    >>> from creditkpi.distributed import summarize
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-04-01", "2024-04-30", "100.00")])
    >>> s = summarize(ledger, "2024-04")
    >>> int(s.flows["sales"].iloc[0]), int(s.positions["receivables"].iloc[-1])
    (10000, 10000)
    """
    plist, _ = as_periods(periods)
    check_option("basis", basis, ("due", "issue"))
    extra = sorted({to_day(as_date(d)) for d in dates})
    grid = sorted({to_day(p.before) for p in plist} | {to_day(p.end) for p in plist} | set(extra))
    days = [from_day(d) for d in grid]
    pos = position(ledger, days, edges=edges, basis=basis, by=by).drop(columns="open_invoices")
    groups = group_codes(ledger, by)
    for name in ("disputed", "doubtful"):
        if (
            ledger._cols.dispute_invoice.size
            if name == "disputed"
            else ledger._cols.doubtful_invoice.size
        ) == 0:
            pos[name] = np.zeros(len(pos), dtype=np.int64)
            continue
        values = np.zeros((len(grid), groups.size), dtype=np.int64)
        for j, day in enumerate(grid):
            snap = balances(ledger, from_day(day))
            mask = disputed_at(ledger, day) if name == "disputed" else doubtful_at(ledger, day)[0]
            mask = mask & snap.issued
            values[j] = ledger._cols.bin_sum(groups.invoice[mask], snap.balance[mask], groups.size)
        pos[name] = values.reshape(-1)
    flow = flows(ledger, plist, by=by)
    # payment delays: exact sums over the cash applied in each period
    parts = [delay_sums(ledger, p, groups) for p in plist]
    for column, name in DELAY_SUMS.items():
        flow[column] = np.asarray([v for s in parts for v in s[name]], dtype=np.int64)
    first = ledger._cols.first_day
    if first is None:
        monthly = _empty(["sales"], "window")
    else:
        windows = _month_windows(first, [to_day(p.end) for p in plist])
        monthly = flows(ledger, windows, by=by)[["sales"]]
        monthly.index = monthly.index.set_names(["window", "group"])
    meta = {
        "periods": [str(p) for p in plist],
        "dates": [str(from_day(d)) for d in extra],
        "edges": [int(e) for e in edges],
        "basis": basis,
        "by": by,
        "currency": ledger.currency,
        "digits": ledger._cols.digits,
        "columns": {
            "positions": list(map(str, pos.columns)),
            "flows": list(map(str, flow.columns)),
            "monthly": ["sales"],
        },
    }
    issues = tuple(str(i) for i in ledger.report.issues)
    return Summary(_sorted(pos), _sorted(flow), _sorted(monthly), first, meta, issues)


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
        if other.meta != meta:
            diff = sorted(k for k in meta if meta.get(k) != other.meta.get(k))
            raise InvalidOptionError(
                f"summaries differ in {', '.join(diff)}: summarize every partition alike",
                column=diff[0] if diff else "meta",
            )
    if len(items) == 1:
        return items[0]

    def add(frames: list[pd.DataFrame]) -> pd.DataFrame:
        nonempty = [f for f in frames if len(f)]
        if not nonempty:
            return frames[0]
        total = pd.concat(nonempty).groupby(level=[0, 1], sort=False).sum()
        return _sorted(total.astype(np.int64))

    firsts = [s.first_day for s in items if s.first_day is not None]
    return Summary(
        add([s.positions for s in items]),
        add([s.flows for s in items]),
        add([s.monthly for s in items]),
        min(firsts) if firsts else None,
        meta,
        tuple(i for s in items for i in s.issues),
    )


def _countback(
    receivables: npt.NDArray[np.int64], months: list[tuple[npt.NDArray[np.int64], int]]
) -> FloatArray:
    """Countback DSO per group; ``months`` newest first as (sales per group, days).

    While ``r >= S(month)`` the month counts whole and ``r -= S(month)`` (a month
    with no or negative sales counts whole); then ``days × r / S`` is added.
    Comparisons and subtractions are exact (int64 minor units).
    """
    r = receivables.astype(np.int64).copy()
    out = np.zeros(r.shape[0], dtype=np.float64)
    active = np.asarray(r > 0, dtype=bool)
    for sales, days in months:
        if not active.any():
            break
        cont = active & (r >= sales)
        stop = active & ~cont
        out[cont] += days
        r[cont] -= sales[cont]
        if stop.any():
            out[stop] += (days * r[stop]) / sales[stop]
            active &= ~stop
    if active.any():
        out[active] = np.nan
        warnings.warn(
            f"countback DSO: history runs out before the receivables are exhausted "
            f"({int(active.sum())} group(s)); result is nan",
            UndefinedMetricWarning,
            stacklevel=3,
        )
    return out


def kpis(summary: Summary, *, money: Literal["decimal", "cents"] = "decimal") -> pd.DataFrame:
    """Finish every KPI of a summary's periods (on the driver).

    Parameters
    ----------
    summary : Summary
        From :func:`summarize`, :func:`combine` or :func:`from_dask`.
    money : {"decimal", "cents"}, default "decimal"
        Money columns as ``Decimal`` or as int64 minor units.

    Returns
    -------
    DataFrame
        Indexed by ``(period, group)``. Money: ``receivables`` (R(end)),
        ``receivables_start`` (R(start - 1)), ``overdue``, ``current``, one
        column per aging bucket, ``unapplied``, ``disputed``, ``doubtful``,
        ``doubtful_start``, ``sales``, ``cash``, ``credit_notes``,
        ``write_offs``. Ratios (floats, fractions): ``overdue_rate``,
        ``dso`` (standard), ``countback_dso``, ``best_possible_dso``,
        ``average_days_delinquent`` (days), ``cei``, ``loss_rate``,
        ``dispute_rate``, ``bad_debt_to_sales``, and the payment delays of
        the cash applied in the period (:func:`creditkpi.payment_delays`):
        ``days_to_pay``, ``days_late`` (amount-weighted days) and
        ``share_late``.

    Warns
    -----
    UndefinedMetricWarning
        For every undefined ratio (zero denominator, countback history
        exhausted): the value is ``nan``.

    Notes
    -----
    SPEC §4.1-4.8: ``DSO = R(end) / S(P) × days(P)``; ``BPDSO = Current(end)
    / S(P) × days(P)``; ``ADD = DSO - BPDSO``; ``CEI = (R(start-1) + S - R(end))
    / (R(start-1) + S - Current(end))``; ``loss rate = write-offs / S``;
    countback walks calendar months back from the month holding the
    period's end. The ratios are the same vectorised arithmetic as the pure
    formulas in :mod:`creditkpi.formulas` (tests check they agree).
    """
    check_option("money", money, ("decimal", "cents"))
    meta = summary.meta
    labels = bucket_labels(tuple(meta["edges"]), meta["basis"])
    pos = summary.positions
    flow = summary.flows
    groups = _groups(summary)
    rows = []
    monthly = summary.monthly["sales"] if len(summary.monthly) else pd.Series(dtype=np.int64)
    windows = {}
    for key in monthly.index.get_level_values(0).unique():
        windows[key] = Period.parse(key)
    first = summary.first_day
    for period in summary.periods:
        end = pd.Timestamp(period.end)
        before = pd.Timestamp(period.before)

        def at(when: pd.Timestamp, column: str) -> npt.NDArray[np.int64]:
            frame = pos[column]
            if len(frame) == 0:
                return np.zeros(len(groups), dtype=np.int64)
            part = frame.xs(when, level=0) if when in frame.index.get_level_values(0) else None
            if part is None:
                return np.zeros(len(groups), dtype=np.int64)
            return part.reindex(groups, fill_value=0).to_numpy(dtype=np.int64)

        def fl(column: str, key: str = str(period)) -> npt.NDArray[np.int64]:
            if len(flow) == 0 or key not in flow.index.get_level_values(0):
                return np.zeros(len(groups), dtype=np.int64)
            return flow[column].xs(key, level=0).reindex(groups, fill_value=0).to_numpy(np.int64)

        data: dict[str, Any] = {}
        data["receivables"] = at(end, "receivables")
        data["receivables_start"] = at(before, "receivables")
        data["overdue"] = at(end, "overdue")
        data["current"] = data["receivables"] - data["overdue"]
        for label in labels:
            data[label] = at(end, label)
        for name in ("unapplied", "disputed", "doubtful"):
            data[name] = at(end, name)
        data["doubtful_start"] = at(before, "doubtful")
        for name in ("sales", "cash", "credit_notes", "write_offs"):
            data[name] = fl(name)
        sales = data["sales"]
        days = period.days
        data["overdue_rate"] = safe_ratio(data["overdue"], data["receivables"], what="overdue rate")
        data["dso"] = safe_ratio(data["receivables"], sales, what="DSO", scale=days)
        data["best_possible_dso"] = safe_ratio(
            data["current"], sales, what="best possible DSO", scale=days
        )
        data["average_days_delinquent"] = data["dso"] - data["best_possible_dso"]
        start = data["receivables_start"]
        data["cei"] = safe_ratio(
            start + sales - data["receivables"], start + sales - data["current"], what="CEI"
        )
        data["loss_rate"] = safe_ratio(data["write_offs"], sales, what="loss rate")
        data["dispute_rate"] = safe_ratio(
            data["disputed"], data["receivables"], what="dispute rate"
        )
        data["bad_debt_to_sales"] = safe_ratio(
            data["doubtful"] - data["doubtful_start"], sales, what="bad debt to sales"
        )
        paid = fl("paid")
        data["days_to_pay"] = safe_ratio(fl("weighted_to_pay"), paid, what="days to pay")
        data["days_late"] = safe_ratio(fl("weighted_late"), paid, what="days late")
        data["share_late"] = safe_ratio(fl("paid_late"), paid, what="share paid late")
        # countback: calendar months back from the month holding the end, down to history
        back: list[tuple[npt.NDArray[np.int64], int]] = []
        month = period.end.replace(day=1)
        while first is not None and to_day(month + relativedelta(months=1, days=-1)) >= first:
            last = min(month + relativedelta(months=1, days=-1), period.end)
            key = str(Period(month, last))
            values = (
                monthly.xs(key, level=0).reindex(groups, fill_value=0).to_numpy(np.int64)
                if key in windows
                else np.zeros(len(groups), dtype=np.int64)
            )
            back.append((values, (last - month).days + 1))
            month = month - relativedelta(months=1)
        data["countback_dso"] = _countback(data["receivables"], back)
        frame = pd.DataFrame(data, index=pd.Index(groups, name="group"))
        frame.index = pd.MultiIndex.from_product(
            [[str(period)], frame.index], names=["period", "group"]
        )
        rows.append(frame)
    out = pd.concat(rows)
    money_cols = [*MONEY_COLUMNS[:4], *labels, *MONEY_COLUMNS[4:]]
    ratio_cols = [
        "overdue_rate",
        "dso",
        "countback_dso",
        "best_possible_dso",
        "average_days_delinquent",
        "cei",
        "loss_rate",
        "dispute_rate",
        "bad_debt_to_sales",
        "days_to_pay",
        "days_late",
        "share_late",
    ]
    out = out[money_cols + ratio_cols]
    if money == "decimal":
        digits = int(meta["digits"])
        for c in money_cols:
            out[c] = pd.Series(
                [cents_to_decimal(int(v), digits) for v in out[c].tolist()],
                index=out.index,
                dtype=object,
            )
    return out


def _groups(summary: Summary) -> list[Any]:
    seen: dict[Any, None] = {}
    for frame in (summary.positions, summary.flows, summary.monthly):
        if len(frame):
            for g in frame.index.get_level_values(1):
                seen.setdefault(g, None)
    if not seen and summary.meta.get("by") is None:
        seen["all"] = None
    labels = list(seen)
    try:
        return sorted(labels)
    except TypeError:
        return labels


# ----------------------------------------------------------------------------------
# Dask
# ----------------------------------------------------------------------------------


def _column(columns: Mapping[str, Any] | None, table: str, canonical: str) -> str:
    if not columns:
        return canonical
    nested = columns.get(table)
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


def _id_text(series: pd.Series) -> pd.Series:
    """Invoice ids as the ledger compares them (611365, 611365.0 and "611365" alike)."""
    from creditkpi.core.ingest.ids import id_column

    return pd.Series(id_column(series).objects(), index=series.index, dtype=object)


def _without_duplicates(duplicated: pd.Series, summary: Summary) -> Summary:
    """The summary, unless some invoice ids appear more than once in the whole table."""
    if len(duplicated):
        raise DuplicateIdError(
            f"{len(duplicated)} invoice id(s) appear more than once (across partitions)",
            column="invoice_id",
            ids=[str(i) for i in duplicated.index.tolist()],
            count=len(duplicated),
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
        edges=options["edges"],
        basis=options["basis"],
        by=options["by"],
    )


def from_dask(
    invoices: Any,
    payments: Any = None,
    *,
    periods: PeriodLike | Sequence[PeriodLike],
    dates: Sequence[date | str] = (),
    edges: Sequence[int] = (30, 60, 90),
    basis: Basis = "due",
    by: str | None = None,
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
    periods, dates, edges, basis, by
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
        payments), ...)``; finish it with :func:`kpis`.

    Raises
    ------
    DuplicateIdError
        An invoice id appears twice, in one partition or in two (e.g. under
        two customers): the ids are counted over the whole table.

    Notes
    -----
    Each partition is validated on its own, and the invoice ids once over the
    whole table (one extra pass: a Dask ``value_counts`` of the ids).
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
        "edges": tuple(edges),
        "basis": basis,
        "by": by,
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
    parts = [
        delayed(_summarize_partition)(a, b, options)
        for a, b in zip(inv.to_delayed(), pay.to_delayed(), strict=True)
    ]
    counts = invoices[ic].map_partitions(_id_text, meta=(ic, "object")).value_counts()
    duplicated = counts[counts > 1].to_delayed()
    total = delayed(_without_duplicates)(
        delayed(pd.concat)(duplicated) if len(duplicated) > 1 else duplicated[0],
        delayed(combine)(parts),
    )
    return total.compute() if compute else total
