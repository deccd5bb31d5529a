"""One partition's task and the driver's verdict, the same for every engine.

A partition (one set of customers) receives its invoices, the payments of
those invoices and its customers' unapplied cash, and the rows of the
optional tables that belong to it: disputes, dunning statuses and doubtful
classifications by their invoice, credit limits and cover by their customer.
:func:`run_partition` reads them with :meth:`Ledger.from_frames` (limits and
cover with :meth:`Ledger.with_credit`, so that an error says at which stage
one machine would have raised it) and summarises the ledger.

A row whose key belongs to no partition (an invoice id or a customer that
exists nowhere, or no key at all) cannot be judged by any one partition: the
engine reports the rows it could not route, a partition the rows it received
but does not hold, each as :class:`BadKeys` (the first rows in the input's
order and how many), and :func:`settle` raises on the driver the error one
machine raises, counted over the whole table and built by the ledger's own
constructors. The errors come in the order :meth:`Ledger.from_frames` checks
the rules: a partition's error of the tables it read, the side tables' rows
without an invoice id, the payments of unknown invoices, the side tables'
rows of unknown invoices, then for the limits and then the cover: rows
without a customer, rows of unknown customers, a partition's error of that
table. Which of two different rules broken in two partitions comes first
follows the partitions' order, not always one machine's.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.errors import MAX_IDS, CreditKPIError
from creditkpi.core.ingest.columns import row_label
from creditkpi.core.ingest.limits import missing_customers, unknown_customers
from creditkpi.core.ingest.side_tables import missing_invoice_ids, unknown_invoices
from creditkpi.core.ingest.steps import unknown_settlements
from creditkpi.core.ledger import Ledger
from creditkpi.distributed.ids import id_texts, partition_numbers
from creditkpi.distributed.summarize import summarize
from creditkpi.distributed.summary import Summary, combine

__all__ = [
    "CUSTOMER_KEYED",
    "HELPER_COLUMNS",
    "INVOICE_KEYED",
    "SIDE_TABLES",
    "BadKeys",
    "Outcome",
    "bad_keys",
    "column_name",
    "judge",
    "key_column",
    "key_rules",
    "labeller",
    "partition_key",
    "reported",
    "run_partition",
    "settle",
]

#: the optional tables whose rows name an invoice, and those whose rows name a customer
INVOICE_KEYED = ("disputes", "statuses", "doubtful")
CUSTOMER_KEYED = ("limits", "cover")
SIDE_TABLES = (*INVOICE_KEYED, *CUSTOMER_KEYED)

#: the columns an engine adds to route rows (dropped before a partition's ledger is read):
#: the partition, the key's text, the row's order key
PART, ID, ROW = "_ck_part", "_ck_id", "_ck_row"
HELPER_COLUMNS = (PART, ID, ROW)
#: an order key is ``(input partition << ROW_SHIFT) + the row's position in it``
ROW_SHIFT = 32

#: the stages of a partition's ledger, in the order one machine checks them
BOOK, LIMITS, COVER = 0, 1, 2


def column_name(columns: Mapping[str, Any] | None, table: str, canonical: str) -> str:
    """The user's name of a canonical column of ``table`` under ``columns=`` (flat or nested)."""
    if not columns:
        return canonical
    nested = columns.get(table)
    if isinstance(nested, Mapping):
        return str(nested.get(canonical, canonical))
    value = columns.get(canonical, canonical)
    return value if isinstance(value, str) else canonical


def key_column(columns: Mapping[str, Any] | None, table: str) -> str:
    """The column a row of ``table`` is routed by: its invoice id, or its customer's."""
    canonical = "customer_id" if table in CUSTOMER_KEYED else "invoice_id"
    return column_name(columns, table, canonical)


@dataclass(frozen=True)
class BadKeys:
    """Rows of one table that break one key rule: the first ones and how many.

    ``kind`` is ``"missing"`` (the row has no key) or ``"unknown"`` (no
    partition holds its key); ``keys`` are the first rows' order keys
    (ascending: the input's order), ``ids`` their keys' texts.
    """

    table: str
    kind: str
    keys: tuple[int, ...]
    ids: tuple[str, ...]
    count: int


def bad_keys(
    table: str, kind: str, keys: npt.NDArray[np.int64], ids: Sequence[Any]
) -> BadKeys | None:
    """The :class:`BadKeys` of rows with order keys ``keys`` and key texts ``ids`` (None: no row)."""
    if len(keys) == 0:
        return None
    first = np.argsort(keys, kind="stable")[:MAX_IDS]
    return BadKeys(
        table,
        kind,
        tuple(int(k) for k in keys[first]),
        tuple("" if ids[i] is None else str(ids[i]) for i in first.tolist()),
        len(keys),
    )


def key_rules(
    table: str,
    keys: npt.NDArray[np.int64],
    ids: Sequence[Any] | npt.NDArray[Any],
    missing: npt.NDArray[np.bool_],
    unknown: npt.NDArray[np.bool_],
) -> list[BadKeys]:
    """A table's rows without a key (``missing``) and whose key no partition holds (``unknown``).

    ``keys`` are the rows' order keys, ``ids`` their key texts; a rule no
    row breaks gives no :class:`BadKeys`.
    """
    where = np.flatnonzero(unknown)
    found = [
        bad_keys(table, "missing", keys[missing], [None] * int(np.count_nonzero(missing))),
        bad_keys(table, "unknown", keys[where], [ids[i] for i in where.tolist()]),
    ]
    return [b for b in found if b is not None]


def partition_key(series: pd.Series, parts: int) -> pd.Series:
    """The partition of each customer id (its text as the ledger reads it, hashed); missing: 0."""
    return pd.Series(partition_numbers(series, parts), index=series.index, name=PART)


def reported(frame: pd.DataFrame, table: str) -> list[BadKeys]:
    """A table's rows an engine found no partition for, as :class:`BadKeys` (missing or unknown).

    ``frame`` holds the rows' key texts (``ID``, missing where the row has
    no key) and order keys (``ROW``).
    """
    missing = frame[ID].isna().to_numpy(dtype=bool)
    keys = frame[ROW].to_numpy(dtype=np.int64)
    return key_rules(table, keys, frame[ID].astype(object).to_numpy(), missing, ~missing)


def _merged(reports: Iterable[BadKeys | None]) -> dict[tuple[str, str], BadKeys]:
    """Reports of the same table and rule as one (the first rows of all, the total count)."""
    grouped: dict[tuple[str, str], list[BadKeys]] = {}
    for report in reports:
        if report is not None:
            grouped.setdefault((report.table, report.kind), []).append(report)
    out = {}
    for (table, kind), items in grouped.items():
        keys = np.array([k for r in items for k in r.keys], dtype=np.int64)
        first = bad_keys(table, kind, keys, [i for r in items for i in r.ids])
        assert first is not None
        out[table, kind] = replace(first, count=sum(r.count for r in items))
    return out


@dataclass(frozen=True)
class Outcome:
    """What a partition's task returns to the driver.

    Its summary, or its error and the ``stage`` it came from (0: the book,
    1: the limits, 2: the cover); the rows it received but does not hold
    (``bad``); for a table given to every partition, the order keys of the
    rows it holds (``held``); the rows of each table it read (``lengths``).
    """

    summary: Summary | None = None
    error: CreditKPIError | None = None
    stage: int = BOOK
    bad: tuple[BadKeys, ...] = ()
    held: Mapping[str, npt.NDArray[np.int64]] = field(default_factory=dict)
    lengths: Mapping[str, int] = field(default_factory=dict)


def run_partition(
    tables: Mapping[str, pd.DataFrame | None],
    options: Mapping[str, Any],
    *,
    number: int = 0,
    broadcast: Collection[str] = (),
) -> Outcome:
    """Read and summarise one partition's tables; never raises a bad-input error.

    ``tables`` holds ``invoices`` and ``payments`` and the optional tables
    given, with an order-key column where an engine routed them (the side
    tables are read in its order); ``number`` is the partition's (the order
    keys of rows without that column); the ``broadcast`` tables hold every
    partition's rows, of which the partition keeps its customers'. On an
    error the rows whose key the partition does not hold are set apart and
    reported, and the ledger is read again without them (so that its error,
    if any, is the next rule's); every table is put back in the input's
    order before an error is kept, so that it names the first rows as one
    machine does.
    """
    given = {name: frame for name, frame in tables.items() if frame is not None}
    lengths = {name: len(frame) for name, frame in given.items() if name != "invoices"}
    # the side tables in the input's order: of two status events of an invoice on one
    # day, the later row is its status (the payments' order changes no result)
    side = {name: given[name] for name in SIDE_TABLES if name in given}
    given.update(_in_order(side) or {})
    held: dict[str, npt.NDArray[np.int64]] = {}
    for name in broadcast:
        keep = _holds(given, options, name)
        held[name] = given[name][ROW].to_numpy(dtype=np.int64)[keep]
        given[name] = given[name][keep]
    bad: tuple[BadKeys, ...] = ()
    if len(given["invoices"]) == 0 and len(given["payments"]) == 0:
        _, bad = _set_apart(given, options, number)  # (its side rows' keys are nowhere here)
        return Outcome(bad=bad, held=held, lengths=lengths)
    ledger, stage, error = _read(given, options)
    if error is not None:
        given, bad = _set_apart(given, options, number)
        if bad:
            ledger, stage, error = _read(given, options)
    if error is not None:
        ordered = _in_order(given)
        if ordered is not None:
            ledger, stage, error = _read(ordered, options)
    if error is not None or ledger is None:
        return Outcome(error=error, stage=stage, bad=bad, held=held, lengths=lengths)
    summary = summarize(
        ledger,
        options["periods"],
        dates=options["dates"],
        buckets=options["buckets"],
        basis=options["basis"],
        by=options["by"],
        top=options["top"],
        only=options["only"],
    )
    return Outcome(summary, bad=bad, held=held, lengths=lengths)


def _clean(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    if frame is None:
        return None
    helpers = [c for c in HELPER_COLUMNS if c in frame.columns]
    return frame.drop(columns=helpers) if helpers else frame  # (a drop copies under pandas 2)


def _read(
    tables: Mapping[str, pd.DataFrame], options: Mapping[str, Any]
) -> tuple[Ledger | None, int, CreditKPIError | None]:
    """The partition's ledger, or the error it raised and at which stage."""
    stage = BOOK
    columns, date_format = options["columns"], options["date_format"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ledger = Ledger.from_frames(
                _clean(tables["invoices"]),
                _clean(tables["payments"]),
                *(_clean(tables.get(name)) for name in INVOICE_KEYED),
                columns=columns,
                date_format=date_format,
                unknown_invoices=options["unknown_invoices"],
            )
            if "limits" in tables:
                stage = LIMITS
                limits = _clean(tables["limits"])
                ledger = ledger.with_credit(limits, columns=columns, date_format=date_format)
            if "cover" in tables:
                stage = COVER
                cover = _clean(tables["cover"])
                ledger = ledger.with_credit(cover=cover, columns=columns, date_format=date_format)
    except CreditKPIError as error:
        return None, stage, error
    return ledger, stage, None


def _customers(tables: Mapping[str, pd.DataFrame], options: Mapping[str, Any]) -> Any:
    """The customers the partition holds: its invoices' and its payments' (Arrow texts)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = options["columns"]
    found = []
    for name in ("invoices", "payments"):
        column = column_name(columns, name, "customer_id")
        if column in tables[name].columns:
            found.append(pc.drop_null(id_texts(tables[name][column])))
    if not found:
        return pa.array([], type=pa.large_string())
    return pc.unique(pa.concat_arrays(found))


def _holds(tables: Mapping[str, pd.DataFrame], options: Mapping[str, Any], name: str) -> Any:
    """Which rows of a customer-keyed table name a customer the partition holds (a mask)."""
    import pyarrow.compute as pc

    column = key_column(options["columns"], name)
    frame = tables[name]
    if column not in frame.columns:
        return np.ones(len(frame), dtype=bool)
    found = pc.is_in(id_texts(frame[column]), value_set=_customers(tables, options))
    return np.asarray(pc.fill_null(found, False).to_numpy(zero_copy_only=False), dtype=bool)


def _set_apart(
    tables: Mapping[str, pd.DataFrame], options: Mapping[str, Any], number: int
) -> tuple[dict[str, pd.DataFrame], tuple[BadKeys, ...]]:
    """The tables without the rows whose key the partition does not hold, and those rows.

    Payments count only under ``unknown_invoices="error"`` (else an unknown
    invoice's payment is unapplied cash) and never for a missing invoice id
    (unapplied cash, whose rules the ledger checks).
    """
    import pyarrow.compute as pc

    columns = options["columns"]
    out = dict(tables)
    invoices = tables["invoices"]
    ic = column_name(columns, "invoices", "invoice_id")
    if ic not in invoices.columns:
        return out, ()
    known = {"invoice": pc.drop_null(id_texts(invoices[ic]))}
    if any(name in tables for name in CUSTOMER_KEYED):
        known["customer"] = _customers(tables, options)
    bad: list[BadKeys] = []
    for name, frame in tables.items():
        if name == "invoices" or (name == "payments" and options["unknown_invoices"] != "error"):
            continue
        column = key_column(columns, name)
        if column not in frame.columns:
            continue
        text = id_texts(frame[column])
        missing = np.asarray(text.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        pool = known["customer" if name in CUSTOMER_KEYED else "invoice"]
        found = pc.fill_null(pc.is_in(text, value_set=pool), False)
        unknown = ~missing & ~np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
        if name == "payments":
            missing = np.zeros_like(missing)
        if not (missing.any() or unknown.any()):
            continue
        bad += key_rules(name, _order_keys(frame, number), text.to_pylist(), missing, unknown)
        out[name] = frame[~(missing | unknown)]
    return out, tuple(bad)


def _order_keys(frame: pd.DataFrame, number: int) -> npt.NDArray[np.int64]:
    if ROW in frame.columns:
        return frame[ROW].to_numpy(dtype=np.int64)
    return (np.int64(number) << np.int64(ROW_SHIFT)) + np.arange(len(frame), dtype=np.int64)


def _in_order(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame] | None:
    """The tables sorted by their order keys (None: they already are)."""
    out = dict(tables)
    changed = False
    for name, frame in tables.items():
        if ROW in frame.columns and not frame[ROW].is_monotonic_increasing:
            out[name] = frame.sort_values(ROW, kind="stable")
            changed = True
    return out if changed else None


def labeller(lengths: Mapping[str, Sequence[int]]) -> Callable[[str, Sequence[int]], list[str]]:
    """Row labels (``disputes row 17``) of order keys, from each table's input partitions' rows."""
    offsets = {
        name: np.concatenate([[0], np.cumsum(np.asarray(n, dtype=np.int64))])
        for name, n in lengths.items()
    }
    mask = (1 << ROW_SHIFT) - 1

    def labels(table: str, keys: Sequence[int]) -> list[str]:
        starts = offsets[table]
        return [row_label(table, int(starts[k >> ROW_SHIFT]) + (k & mask)) for k in keys]

    return labels


def _unheld(
    outcomes: Sequence[Outcome], broadcast: Mapping[str, Sequence[str | None]]
) -> list[BadKeys]:
    """The rows of tables given to every partition that no partition holds, or without a key."""
    out: list[BadKeys] = []
    for name, texts in broadcast.items():
        ids = list(texts)
        rows = np.arange(len(ids), dtype=np.int64)
        missing = np.array([i is None for i in ids], dtype=bool)
        taken = [o.held[name] for o in outcomes if name in o.held]
        held = np.isin(rows, np.concatenate(taken)) if taken else np.zeros(len(ids), dtype=bool)
        out += key_rules(name, rows, ids, missing, ~missing & ~held)
    return out


def _first_error(
    errors: Mapping[int, CreditKPIError],
    bad: Mapping[tuple[str, str], BadKeys],
    labels: Callable[[str, Sequence[int]], list[str]],
) -> CreditKPIError | None:
    """The error one machine raises first, of the partitions' and the rows set apart."""
    if BOOK in errors:
        return errors[BOOK]
    for name in INVOICE_KEYED:
        if (b := bad.get((name, "missing"))) is not None:
            return missing_invoice_ids(name, labels(name, b.keys), b.count)
    if (b := bad.get(("payments", "unknown"))) is not None:
        return unknown_settlements(list(b.ids), b.count)
    for name in INVOICE_KEYED:
        if (b := bad.get((name, "unknown"))) is not None:
            return unknown_invoices(name, list(b.ids), b.count)
    for stage, name in ((LIMITS, "limits"), (COVER, "cover")):
        if (b := bad.get((name, "missing"))) is not None:
            return missing_customers(name, labels(name, b.keys), b.count)
        if (b := bad.get((name, "unknown"))) is not None:
            return unknown_customers(name, list(b.ids), b.count)
        if stage in errors:
            return errors[stage]
    return None


def judge(
    outcomes: Sequence[Outcome],
    reports: Iterable[BadKeys | None] = (),
    labels: Callable[[str, Sequence[int]], list[str]] | None = None,
    broadcast: Mapping[str, Sequence[str | None]] | None = None,
) -> None:
    """Raise the error one machine raises first, of the partitions' and the rows set apart.

    ``reports`` are the rows the engine found no partition for; ``labels``
    names rows without a key from their order keys (default: from the
    partitions' ``lengths``, the order keys built from the partition
    numbers); ``broadcast`` gives, for each table given to every partition,
    its key texts (None where missing) in the table's order.
    """
    if labels is None:
        labels = labeller(
            {name: [o.lengths.get(name, 0) for o in outcomes] for name in SIDE_TABLES}
        )
    held = [*reports, *(b for o in outcomes for b in o.bad), *_unheld(outcomes, broadcast or {})]
    errors: dict[int, CreditKPIError] = {}
    for outcome in outcomes:
        if outcome.error is not None:
            errors.setdefault(outcome.stage, outcome.error)
    error = _first_error(errors, _merged(held), labels)
    if error is not None:
        raise error


def settle(
    outcomes: Sequence[Outcome],
    reports: Iterable[BadKeys | None] = (),
    labels: Callable[[str, Sequence[int]], list[str]] | None = None,
    broadcast: Mapping[str, Sequence[str | None]] | None = None,
) -> Summary:
    """The partitions' combined summary, after :func:`judge` (same arguments)."""
    judge(outcomes, reports, labels, broadcast)
    return combine(o.summary for o in outcomes)
