"""How :func:`~creditkpi.distributed.from_spark` gives every table's rows their bucket.

Invoices get their customer's bucket (``0 .. npartitions - 1``, the hash
:func:`~creditkpi.distributed.from_dask` partitions by); one aggregation of
their ids (``id text -> bucket, count``) serves the joins of the payments and
of the invoice-keyed tables (disputes, statuses, doubtful) and the
duplicate-id check; limits and cover go by their customer's hash. The side
tables' rows of each bucket travel as one pickled pandas frame, with the
types Spark gave that table alone, beside the bucket's payments: the second
side of ``cogroup(...).applyInPandas``. A row no bucket is found for (its
invoice or customer is in none, or it has none) travels with the others,
marked and spread over the buckets, so that no join is computed twice; the
bucket that receives it reports it, and the driver raises the error one
machine gives (:func:`~creditkpi.distributed.partition.judge`).
"""

from __future__ import annotations

import base64
import importlib
import pickle
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from creditkpi.core.errors import MAX_IDS
from creditkpi.core.ingest.columns import row_label
from creditkpi.distributed.ids import check_unique, id_texts, partition_numbers
from creditkpi.distributed.partition import (
    CUSTOMER_KEYED,
    ID,
    PART,
    ROW,
    BadKeys,
    column_name,
    judge,
    key_column,
    key_rules,
    partition_key,
    reported,
    run_partition,
)
from creditkpi.distributed.summary import Summary, combine

__all__ = ["SparkRoutes", "summary_of", "summary_rows"]


#: the rows of :func:`from_spark`'s result that are no summary: a bucket's outcome,
#: the duplicated ids
OUTCOME, DUPLICATE, DUPLICATES = "outcome", "duplicate-id", "duplicate-ids"
#: the column marking a row no bucket was found for
#: a side table's rows of one bucket, pickled by the bucket's pandas UDF (their own types)
TABLE, BLOB = "_ck_table", "_ck_blob"
LOST = "_ck_lost"
BLOB_SCHEMA = f"{PART} long, {TABLE} string, {BLOB} binary"


class SparkRoutes:
    """The Spark frames of :func:`from_spark`: every table given its customer bucket.

    Invoices get their customer's bucket; one aggregation of their ids
    (``id text -> bucket, count``) serves the joins of the payments and the
    invoice-keyed tables and the duplicate-id check. The side tables' rows
    of each bucket travel as one pickled pandas frame (``BLOB_SCHEMA``)
    beside the bucket's payments, the second side of the cogroup; rows no
    bucket is found for are marked (:meth:`lost_in`).
    """

    def __init__(self, invoices: Any, options: Mapping[str, Any], k: int) -> None:
        F: Any = importlib.import_module("pyspark.sql.functions")

        self.F, self.k, self.options = F, k, options
        self.session = invoices.sparkSession
        columns = options["columns"]

        def bucket_of(ids: pd.Series) -> pd.Series:
            return partition_key(ids, k)

        self.bucket = F.pandas_udf(bucket_of, "long")
        self.text = F.pandas_udf(_text_of, "string")
        ic = column_name(columns, "invoices", "invoice_id")
        cc = column_name(columns, "invoices", "customer_id")
        inv = invoices.withColumn(ROW, F.monotonically_increasing_id())
        self.invoices = inv.withColumn(PART, self.bucket(F.col(cc)))
        self.lookup = (
            self.invoices.select(self.text(F.col(ic)).alias(ID), PART)
            .where(F.col(ID).isNotNull())
            .groupBy(ID)
            .agg(F.count(F.lit(1)).alias("_ck_n"), F.min(PART).alias(PART))
        )
        self.blobs: list[Any] = []
        self.reports: list[BadKeys] = []
        self.frames: dict[str, Any] = {}

    def keyed(self, name: str, frame: Any) -> Any:
        """A table with each row's order key and its key's text."""
        F = self.F
        self.frames[name] = frame
        key = key_column(self.options["columns"], name)
        rows = frame.withColumn(ROW, F.monotonically_increasing_id())
        return rows.withColumn(ID, self.text(F.col(key)))

    def payments(self, payments: Any) -> Any:
        """The payments with their invoice's bucket (unapplied cash: its own customer's).

        Under ``unknown_invoices="error"`` a payment of an unknown invoice is
        marked lost (:meth:`lost_in`).
        """
        F = self.F
        pcc = column_name(self.options["columns"], "payments", "customer_id")
        rows = self.keyed("payments", payments).join(self.lookup.select(ID, PART), ID, "left")
        lost = None
        if self.options["unknown_invoices"] == "error":
            lost = F.col(PART).isNull() & F.col(ID).isNotNull()
        own = self.bucket(F.col(pcc)) if pcc in payments.columns else F.lit(0).cast("long")
        return self.lost_in(rows, lost, F.coalesce(F.col(PART), own))

    def lost_in(self, rows: Any, lost: Any, bucket: Any) -> Any:
        """``rows`` in their ``bucket``, those ``lost`` marked and spread over the buckets.

        A lost row (its key in no bucket, or none) travels with the others,
        so that nothing is computed twice; the bucket that receives it sets
        it apart and reports it (:func:`summary_rows`).
        """
        F = self.F
        if lost is None:
            return rows.withColumn(PART, bucket)
        spread = F.pmod(F.col(ROW), F.lit(self.k))
        rows = rows.withColumn(LOST, lost)
        return rows.withColumn(PART, F.when(F.col(LOST), spread).otherwise(bucket))

    def side(self, name: str, frame: Any) -> None:
        """A side table's rows in their bucket, one pickled frame per bucket (``BLOB_SCHEMA``)."""
        F = self.F
        if isinstance(frame, pd.DataFrame):
            self._pandas(name, frame)
            return
        key = key_column(self.options["columns"], name)
        rows = self.keyed(name, frame)
        if name in CUSTOMER_KEYED:
            rows = self.lost_in(rows, F.col(ID).isNull(), self.bucket(F.col(key)))
        else:
            rows = rows.join(self.lookup.select(ID, PART), ID, "left")
            rows = self.lost_in(rows, F.col(PART).isNull(), F.col(PART))

        def pack(key: tuple[Any, ...], part: pd.DataFrame) -> pd.DataFrame:
            return _blob(int(key[0]), name, part)

        self.blobs.append(rows.groupBy(PART).applyInPandas(pack, schema=BLOB_SCHEMA))

    def _pandas(self, name: str, frame: pd.DataFrame) -> None:
        """A small pandas customer table cut into buckets on the driver."""
        key = key_column(self.options["columns"], name)
        order = np.arange(len(frame), dtype=np.int64)
        rows = frame.assign(**{ROW: order})
        missing = np.asarray(id_texts(frame[key]).is_null().to_numpy(zero_copy_only=False))
        self.reports += key_rules(name, order, (), missing, np.zeros_like(missing))
        part = partition_numbers(frame[key], self.k)
        pieces = [
            _blob(b, name, rows[(part == b) & ~missing]) for b in np.unique(part[~missing]).tolist()
        ]
        if pieces:
            blobs = pd.concat(pieces, ignore_index=True)
            self.blobs.append(self.session.createDataFrame(blobs, schema=BLOB_SCHEMA))
        self.frames[name] = frame

    def with_blobs(self, payments: Any) -> Any:
        """The payments and the side tables' blobs, one frame (the blobs' payment columns filled).

        A blob row holds a value of each payment column's own type, not a
        null, so that the bucket's payments convert to the pandas types
        they would have alone (a null turns an integer column into floats).
        """
        F = self.F
        pay = payments.withColumn(TABLE, F.lit(None).cast("string"))
        pay = pay.withColumn(BLOB, F.lit(None).cast("binary"))
        for blobs in self.blobs:
            filled = [
                _filler(F, field).alias(field.name)
                for field in pay.schema.fields
                if field.name not in (PART, TABLE, BLOB)
            ]
            pay = pay.unionByName(blobs.select(*filled, PART, TABLE, BLOB))
        return pay

    def duplicates(self) -> Any:
        """The first duplicated invoice ids and how many, as summary-shaped rows."""
        F = self.F
        twice = self.lookup.where(F.col("_ck_n") > 1)
        first = twice.orderBy(ID).limit(MAX_IDS).select(
            F.lit(DUPLICATE).alias("table"), F.col(ID).alias("key"), *_blank("grp", "sub", "col"),
            F.col("_ck_n").alias("value"), F.lit(0.0).alias("fvalue"),
        )  # fmt: skip
        counted = twice.agg(F.count(F.lit(1)).alias("value")).select(
            F.lit(DUPLICATES).alias("table"), *_blank("key", "grp", "sub", "col"), "value",
            F.lit(0.0).alias("fvalue"),
        )  # fmt: skip
        return first.unionByName(counted)

    def labels(self, table: str, keys: Sequence[int]) -> list[str]:
        """Row labels of a table's rows by order key: their position in the table (one job)."""
        frame = self.frames[table]
        if isinstance(frame, pd.DataFrame):
            return [row_label(table, k) for k in keys]
        F = self.F
        rows = frame.withColumn(ROW, F.monotonically_increasing_id())
        before = rows.agg(*[F.sum((F.col(ROW) < k).cast("long")).alias(f"k{i}")
                            for i, k in enumerate(keys)]).first()  # fmt: skip
        return [row_label(table, int(before[f"k{i}"] or 0)) for i in range(len(keys))]


def _filler(F: Any, field: Any) -> Any:
    """A literal of a Spark field's type (text, a number, a date, a time; else a null of it)."""
    kind = field.dataType.typeName()
    if kind == "string":
        return F.lit("")
    if kind in ("date",):
        return F.to_date(F.lit("1970-01-01"))
    if kind.startswith("timestamp"):
        return F.lit("1970-01-01 00:00:00").cast(field.dataType)
    if kind == "boolean":
        return F.lit(False)
    if kind in ("byte", "short", "integer", "long", "float", "double") or kind.startswith(
        "decimal"
    ):
        return F.lit(0).cast(field.dataType)
    return F.lit(None).cast(field.dataType)


def _blob(bucket: int, name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """One bucket's rows of a side table as one row of ``BLOB_SCHEMA``."""
    data = pickle.dumps(frame.drop(columns=[PART], errors="ignore"))
    return pd.DataFrame({PART: [bucket], TABLE: [name], BLOB: [data]})


def _blank(*names: str) -> list[Any]:
    F: Any = importlib.import_module("pyspark.sql.functions")

    return [F.lit("").alias(name) for name in names]


def _text_of(series: pd.Series) -> pd.Series:
    """A Spark pandas UDF: each id's text as the ledger compares them (None where missing)."""
    return pd.Series(id_texts(series).to_pandas().to_numpy(), index=series.index, dtype=object)


def _unpacked(second: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """A bucket's payments and side tables, from the cogroup's second side."""
    blob = second[TABLE].notna().to_numpy(dtype=bool)
    tables = {"payments": second[~blob].drop(columns=[TABLE, BLOB]).reset_index(drop=True)}
    for name, group in second[blob].groupby(TABLE, sort=False):
        pieces = [pickle.loads(data) for data in group[BLOB]]
        tables[str(name)] = pd.concat(pieces, ignore_index=True)
    return tables


def _set_apart(
    tables: dict[str, pd.DataFrame],
) -> tuple[dict[str, pd.DataFrame], list[BadKeys]]:
    """The tables without their rows marked lost, and those rows (missing or unknown keys)."""
    out, lost = {}, []
    for name, frame in tables.items():
        if LOST not in frame.columns:
            out[name] = frame
            continue
        marked = frame[LOST].fillna(False).to_numpy(dtype=bool)
        if marked.any():
            lost += reported(frame[marked], name)
        out[name] = frame[~marked].drop(columns=[LOST])
    return out, lost


def summary_rows(
    key: tuple[Any, ...], invoices: pd.DataFrame, second: pd.DataFrame, options: dict[str, Any]
) -> pd.DataFrame:
    """One bucket's summary as :meth:`Summary.to_frame` rows, and its outcome as one row.

    The ``meta`` row gets the bucket's number in ``sub``, so that Spark's sum
    keeps every bucket's issues and first day apart; the outcome row (an
    error, rows the bucket does not hold) is the pickled :class:`Outcome`.
    """
    bucket = int(key[0])
    tables, lost = _set_apart(_unpacked(second))
    outcome = run_partition({"invoices": invoices, **tables}, options, number=bucket)
    if lost:
        outcome = replace(outcome, bad=(*outcome.bad, *lost))
    frames = []
    if outcome.summary is not None:
        frame = outcome.summary.to_frame()
        frame.loc[frame["table"] == "meta", "sub"] = str(bucket)
        frames.append(frame)
    if outcome.error is not None or outcome.bad:
        kept = replace(outcome, summary=None)
        frames.append(
            _row(OUTCOME, base64.b64encode(pickle.dumps(kept)).decode("ascii"), str(bucket))
        )
    if not frames:
        return _row(OUTCOME, "", "").iloc[:0]
    return pd.concat(frames, ignore_index=True)


def _row(table: str, key: str, sub: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"table": [table], "key": [key], "grp": [""], "sub": [sub], "col": [""], "value": [0],
         "fvalue": [0.0]}
    )  # fmt: skip


def summary_of(rows: pd.DataFrame, routes: SparkRoutes) -> Summary:
    """The combined summary of :func:`from_spark`'s rows, or the error one machine raises first."""
    duplicated = rows.loc[rows["table"] == DUPLICATE, "key"].tolist()
    if duplicated:
        count = int(rows.loc[rows["table"] == DUPLICATES, "value"].sum())
        check_unique([duplicated], count)
    kept = rows[rows["table"] == OUTCOME]
    kept = kept.iloc[np.argsort(kept["sub"].astype(np.int64).to_numpy(), kind="stable")]
    outcomes = [pickle.loads(base64.b64decode(k)) for k in kept["key"]]
    judge(outcomes, routes.reports, routes.labels)
    rest = rows[~rows["table"].isin([OUTCOME, DUPLICATE, DUPLICATES])]
    rest = rest.assign(
        value=rest["value"].astype(np.int64), fvalue=rest["fvalue"].astype(np.float64)
    )
    if not (rest["table"] == "meta").any():
        return combine([])  # nothing read: the error of combining no summary
    return Summary.from_frame(rest)
