"""A summary: the additive parts of a ledger (or a partition), as frames that add up.

:class:`Summary` holds them (and their long form for Spark,
:meth:`Summary.to_frame` / :meth:`Summary.from_frame`); :func:`combine`
adds summaries of ledgers with disjoint customers. Its tables are
``snapshots`` (the snapshot parts at dates), ``periods`` (the period parts),
``months`` (the countback's monthly sales) and one table per table part of
:data:`creditkpi.core.parts.TABLE_PARTS`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.parts import TABLE_PARTS
from creditkpi.core.period import Period

__all__ = [
    "INT_LEVELS",
    "TABLE_LEVELS",
    "Summary",
    "array_table",
    "check_same",
    "combine",
    "concat_tables",
    "empty_table",
    "float_columns",
    "integers",
    "sorted_table",
]

#: the tables of a summary and their index levels (the first is the date or period)
TABLE_LEVELS: Mapping[str, tuple[str, ...]] = {
    "snapshots": ("as_of", "group"),
    "periods": ("period", "group"),
    "months": ("window", "group"),
    **{name: ("as_of", *part.levels) for name, part in TABLE_PARTS.items()},
}

#: index levels holding whole numbers, per table (the others are labels)
INT_LEVELS: Mapping[str, tuple[str, ...]] = {
    name: part.int_levels for name, part in TABLE_PARTS.items() if part.int_levels
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
            check_same(meta, rest)
        tables: dict[str, pd.DataFrame] = {}
        for name, levels in TABLE_LEVELS.items():
            rows = frame[frame["table"] == name]
            if len(rows) == 0:
                tables[name] = empty_table(columns.get(name, []), levels)
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
            tables[name] = sorted_table(wide)
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
    ints = INT_LEVELS.get(table_name, ())
    arrays: list[pd.Index] = []
    for level, values in zip(levels, raw, strict=True):
        if level == "as_of":
            arrays.append(pd.DatetimeIndex(values))
        elif level in ints:
            arrays.append(pd.Index(np.asarray(values).astype(np.int64)))
        else:
            arrays.append(pd.Index(values, dtype=object))
    return pd.MultiIndex.from_arrays(arrays, names=list(levels))


def empty_table(columns: Sequence[str], levels: Sequence[str]) -> pd.DataFrame:
    index = pd.MultiIndex.from_arrays([[] for _ in levels], names=list(levels))
    return pd.DataFrame({c: pd.Series([], dtype=np.int64) for c in columns}, index=index)


def sorted_table(frame: pd.DataFrame) -> pd.DataFrame:
    try:
        out: pd.DataFrame = frame.sort_index()
        return out
    except TypeError:  # group labels of mixed types
        return frame


def array_table(
    data: Mapping[str, npt.NDArray[Any]], keys: Sequence[Any], labels: pd.Index, level: str
) -> pd.DataFrame:
    index = pd.MultiIndex.from_product([list(keys), list(labels)], names=[level, "group"])
    return pd.DataFrame({c: np.asarray(v, dtype=np.int64).reshape(-1) for c, v in data.items()},
                        index=index)  # fmt: skip


def integers(frame: pd.DataFrame, *, keep_floats: bool = True) -> pd.DataFrame:
    """int64 columns, except the float sums (squared amounts) where ``keep_floats``."""
    types = {
        c: (np.float64 if keep_floats and frame[c].dtype.kind == "f" else np.int64)
        for c in frame.columns
    }
    return frame.astype(types)


def float_columns(tables: Mapping[str, pd.DataFrame]) -> dict[str, list[str]]:
    return {
        name: [str(c) for c in frame.columns if frame[c].dtype.kind == "f"]
        for name, frame in tables.items()
        if any(frame[c].dtype.kind == "f" for c in frame.columns)
    }


def check_same(meta: Mapping[str, Any], other: Mapping[str, Any]) -> None:
    keys = sorted(k for k in meta if k not in ("columns", "floats"))
    diff = [k for k in keys if meta.get(k) != other.get(k)]
    if diff:
        raise InvalidOptionError(
            f"summaries differ in {', '.join(diff)}: summarize every partition alike",
            column=diff[0],
        )


def concat_tables(
    frames: list[pd.DataFrame], name: str, columns: list[str], *, keep_floats: bool = False
) -> pd.DataFrame:
    nonempty = [f for f in frames if len(f)]
    if not nonempty:
        return empty_table(columns, TABLE_LEVELS[name])
    out = pd.concat(nonempty)
    out.index = out.index.set_names(list(TABLE_LEVELS[name]))
    return integers(out[columns], keep_floats=keep_floats)


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
        check_same(meta, other.meta)
    if len(items) == 1:
        return items[0]
    tables: dict[str, pd.DataFrame] = {}
    for name in TABLE_LEVELS:
        frames = [s.tables[name] for s in items if name in s.tables and len(s.tables[name])]
        if not frames:
            tables[name] = items[0].tables.get(name, empty_table([], TABLE_LEVELS[name]))
            continue
        levels = list(range(len(TABLE_LEVELS[name])))
        total = pd.concat(frames).groupby(level=levels, sort=False).sum()
        tables[name] = sorted_table(integers(total))
    columns = {name: list(map(str, frame.columns)) for name, frame in tables.items()}
    firsts = [s.first_day for s in items if s.first_day is not None]
    return Summary(
        tables,
        min(firsts) if firsts else None,
        {**meta, "columns": columns, "floats": float_columns(tables)},
        tuple(i for s in items for i in s.issues),
    )
