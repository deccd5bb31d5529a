"""Engines that partition a ledger: Dask or Spark DataFrames in, a combined :class:`Summary` out.

Each partition (one set of customers) is read with
:meth:`~creditkpi.Ledger.from_frames` and summarised with
:func:`~creditkpi.distributed.summarize`; the engine does the distribution,
the summaries are added (:func:`~creditkpi.distributed.combine`) and the
invoice ids are checked over the whole table
(:mod:`~creditkpi.distributed.ids`). :func:`from_dask` takes Dask
DataFrames, :func:`from_spark` Spark DataFrames (``cogroup`` by customer
bucket, ``applyInPandas``).
"""

from __future__ import annotations

import base64
import importlib
import math
import pickle
import warnings
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from creditkpi.core.args import as_periods
from creditkpi.core.engine import Basis
from creditkpi.core.errors import MAX_IDS, CreditKPIError, InvalidOptionError
from creditkpi.core.ledger import Ledger
from creditkpi.core.period import PeriodLike
from creditkpi.distributed.ids import (
    check_unique,
    duplicate_ids,
    id_buckets,
    id_texts,
    partition_numbers,
)
from creditkpi.distributed.summarize import summarize
from creditkpi.distributed.summary import Summary, combine

__all__ = ["from_dask", "from_spark"]


#: the columns an engine adds to route rows (dropped before a partition's ledger is read)
HELPER_COLUMNS = ("_ck_part", "_ck_id")


def _column(columns: Mapping[str, Any] | None, table_name: str, canonical: str) -> str:
    if not columns:
        return canonical
    nested = columns.get(table_name)
    if isinstance(nested, Mapping):
        return str(nested.get(canonical, canonical))
    value = columns.get(canonical, canonical)
    return value if isinstance(value, str) else canonical


def _partition_key(series: pd.Series, parts: int) -> pd.Series:
    """Partition number of each customer id (its text as the ledger reads it, hashed); missing: 0."""
    return pd.Series(partition_numbers(series, parts), index=series.index, name="_ck_part")


def _id_text_key(series: pd.Series) -> pd.Series:
    """Each id's text as the ledger compares them (missing: ``<NA>``, which joins nothing)."""
    text = id_texts(series).to_pandas().to_numpy()  # (its own index: the values alone)
    return pd.Series(text, index=series.index, dtype="string", name="_ck_id")


def _checked(
    duplicated: Sequence[Sequence[str]], parts: Sequence[Summary | CreditKPIError | None]
) -> Summary:
    """The partitions' combined summary, or the error one machine would raise first.

    The invoice ids are checked before any partition's own error is raised,
    as :meth:`Ledger.from_frames` checks them before the payments (an id
    taken by another invoice leaves that invoice's payments unknown too).
    """
    check_unique(duplicated)
    for part in parts:
        if isinstance(part, CreditKPIError):
            raise part
    return combine(part for part in parts if not isinstance(part, CreditKPIError))


def _guarded_partition(
    invoices: pd.DataFrame, payments: pd.DataFrame, options: dict[str, Any]
) -> Summary | CreditKPIError | None:
    """A partition's summary, or its bad-input error (raised by :func:`_checked`)."""
    try:
        return _summarize_partition(invoices, payments, options)
    except CreditKPIError as error:
        return error


def _options(
    periods: PeriodLike | Sequence[PeriodLike],
    dates: Sequence[date | str],
    buckets: Sequence[int],
    basis: Basis,
    by: str | None,
    top: int,
    only: Sequence[str] | None,
    columns: Mapping[str, Any] | None,
    date_format: str | None,
    unknown_invoices: str,
) -> dict[str, Any]:
    """What each partition's task needs to read and summarise its part (one dict, pickled once)."""
    plist, _ = as_periods(periods)
    return {
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


def _summarize_partition(
    invoices: pd.DataFrame, payments: pd.DataFrame, options: dict[str, Any]
) -> Summary | None:
    invoices = invoices.drop(columns=list(HELPER_COLUMNS), errors="ignore")
    payments = payments.drop(columns=list(HELPER_COLUMNS), errors="ignore")
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
    CreditKPIError
        Any bad-input rule of :meth:`Ledger.from_frames`, raised on the
        driver as the error it is (the first partition's that broke one,
        after the ids are checked).

    Notes
    -----
    Each partition is validated on its own, and the invoice ids once over the
    whole table: each partition read for the summaries also splits its ids
    into ``sqrt(npartitions)`` buckets by a hash of their text, and one task
    per bucket compares the texts of equal hashes (exact; memory per task:
    the ids of one bucket; no shuffle, no second read; :mod:`~creditkpi.distributed.ids`).

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
    options = _options(periods, dates, buckets, basis, by, top, only, columns, date_format,
                       unknown_invoices)  # fmt: skip
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
        # payments find their invoice by the id's text, as the ledger compares ids
        # (611365 and "611365" are one id, whatever each table's type)
        text = ("_ck_id", "string")
        ids = inv[ic].map_partitions(_id_text_key, meta=text)
        lookup = inv[["_ck_part"]].assign(_ck_id=ids)
        lookup = lookup.dropna(subset=["_ck_id"])  # (pandas would join missing to missing)
        pay = payments.assign(_ck_id=payments[pic].map_partitions(_id_text_key, meta=text))
        pay = pay.merge(lookup, on="_ck_id", how="left")
        if pcc in payments.columns:
            own = pay[pcc].map_partitions(_partition_key, k, meta=("_ck_part", "i8"))
            pay = pay.assign(_ck_part=pay["_ck_part"].fillna(own))
        pay = pay.assign(_ck_part=pay["_ck_part"].fillna(0).astype("int64"))
        inv = inv.shuffle(on="_ck_part", npartitions=k)
        pay = pay.shuffle(on="_ck_part", npartitions=k)
    inv_parts, pay_parts = inv.to_delayed(), pay.to_delayed()
    parts = [
        delayed(_guarded_partition)(a, b, options)
        for a, b in zip(inv_parts, pay_parts, strict=True)
    ]
    # the ids of the same partitions (each is read once for both), in buckets by hash:
    # task r compares bucket r of every partition
    reducers = max(1, math.isqrt(len(inv_parts)))
    split = [delayed(id_buckets, nout=reducers)(a[ic], reducers) for a in inv_parts]
    duplicated = [delayed(duplicate_ids)([part[r] for part in split]) for r in range(reducers)]
    total = delayed(_checked)(duplicated, parts)
    return total.compute() if compute else total


def from_spark(
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
    npartitions: int | None = None,
) -> Summary:
    """Summarise Spark DataFrames of invoices and payments, customer bucket by customer bucket.

    Each customer goes to one of ``npartitions`` buckets by a hash of its id
    (its text, as the ledger reads it); each payment takes its invoice's
    bucket (a join on the invoice id), unapplied cash its own customer's.
    The two tables are cogrouped by bucket and ``applyInPandas`` reads each
    bucket's invoices and payments with :meth:`Ledger.from_frames` and
    returns its :func:`summarize` as :meth:`Summary.to_frame` rows, which
    Spark adds up; the driver receives one summary's rows.

    Parameters
    ----------
    invoices, payments : pyspark.sql.DataFrame
        The tables of :meth:`Ledger.from_frames` (``payments`` optional), with
        any Spark types the pandas conversion gives to it: dates as
        ``DateType`` or text, amounts as ``DecimalType`` (exact), numbers or
        text.
    periods, dates, buckets, basis, by, top, only
        As for :func:`summarize`.
    columns, date_format, unknown_invoices
        As for :meth:`Ledger.from_frames`.
    npartitions : int, optional
        How many customer buckets (default: the session's
        ``spark.sql.shuffle.partitions``). A bucket is read into one pandas
        frame on an executor: choose enough of them for one to fit its memory.

    Returns
    -------
    Summary
        Identical to ``summarize(Ledger.from_frames(all invoices, all
        payments), ...)``; finish it with :func:`kpis` and :func:`table`.

    Raises
    ------
    DuplicateIdError
        An invoice id appears twice, in one bucket or in two (e.g. under two
        customers): the ids are counted over the whole table.
    CreditKPIError
        Any bad-input rule of :meth:`Ledger.from_frames`, raised on the
        driver as the error it is (the first bucket's that broke one).

    Notes
    -----
    One Spark job: the id lookup (``invoice id -> bucket, count``, one
    aggregation) serves both the payments' join and the duplicate-id check;
    the summaries are summed by Spark before they are collected. Validation
    warnings travel in ``Summary.issues``. Executors must import ``creditkpi``
    (``PYSPARK_PYTHON`` pointing at an interpreter that has it).

    Examples
    --------
    >>> from creditkpi import distributed as ckd
    >>> summary = ckd.from_spark(invoices_sdf, payments_sdf,
    ...                          periods=["2024-04"])  # doctest: +SKIP
    >>> ckd.kpis(summary)  # doctest: +SKIP
    """
    # typed as Any: PySpark may be absent where the types are checked, and its overloads
    # of pandas_udf do not take a Series -> Series function typed with pandas-stubs
    F: Any = importlib.import_module("pyspark.sql.functions")

    ic = _column(columns, "invoices", "invoice_id")
    cc = _column(columns, "invoices", "customer_id")
    pic = _column(columns, "payments", "invoice_id")
    pcc = _column(columns, "payments", "customer_id")
    options = _options(periods, dates, buckets, basis, by, top, only, columns, date_format,
                       unknown_invoices)  # fmt: skip
    session = invoices.sparkSession
    k = int(npartitions or session.conf.get("spark.sql.shuffle.partitions"))
    if payments is None:
        payments = session.createDataFrame([], f"`{pic}` string, date string, amount string")

    def bucket_of(ids: pd.Series) -> pd.Series:
        return _bucket_of(ids, k)

    def summary_rows(key: tuple[Any, ...], a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
        return _summary_rows(key, a, b, options)

    bucket = F.pandas_udf(bucket_of, "long")
    text = F.pandas_udf(_text_of, "string")
    inv = invoices.withColumn("_ck_part", bucket(F.col(cc)))
    lookup = (
        inv.select(text(F.col(ic)).alias("_ck_id"), "_ck_part")
        .where(F.col("_ck_id").isNotNull())
        .groupBy("_ck_id")
        .agg(F.count(F.lit(1)).alias("_ck_n"), F.min("_ck_part").alias("_ck_part"))
    )
    pay = payments.withColumn("_ck_id", text(F.col(pic))).join(
        lookup.select("_ck_id", "_ck_part"), on="_ck_id", how="left"
    )
    own = bucket(F.col(pcc)) if pcc in payments.columns else F.lit(0).cast("long")
    pay = pay.withColumn("_ck_part", F.coalesce(F.col("_ck_part"), own))
    rows = (
        inv.groupBy("_ck_part")
        .cogroup(pay.groupBy("_ck_part"))
        .applyInPandas(summary_rows, schema=Summary.SCHEMA)
    )
    summed = rows.groupBy("table", "key", "grp", "sub", "col").agg(
        F.sum("value").alias("value"), F.sum("fvalue").alias("fvalue")
    )
    twice = lookup.where(F.col("_ck_n") > 1)
    first = twice.orderBy("_ck_id").limit(MAX_IDS).select(
        F.lit(DUPLICATE).alias("table"), F.col("_ck_id").alias("key"), *_blank("grp", "sub", "col"),
        F.col("_ck_n").alias("value"), F.lit(0.0).alias("fvalue"),
    )  # fmt: skip
    counted = twice.agg(F.count(F.lit(1)).alias("value")).select(
        F.lit(DUPLICATES).alias("table"), *_blank("key", "grp", "sub", "col"), "value",
        F.lit(0.0).alias("fvalue"),
    )  # fmt: skip
    out = summed.unionByName(first).unionByName(counted).toPandas()
    return _summary_of(out)


#: the rows of :func:`from_spark`'s result that are no summary: an error, the duplicated ids
ERROR, DUPLICATE, DUPLICATES = "error", "duplicate-id", "duplicate-ids"


def _blank(*names: str) -> list[Any]:
    F: Any = importlib.import_module("pyspark.sql.functions")

    return [F.lit("").alias(name) for name in names]


def _bucket_of(series: pd.Series, parts: int) -> pd.Series:
    """A Spark pandas UDF: the customer bucket of each id (missing: 0)."""
    return pd.Series(partition_numbers(series, parts), index=series.index)


def _text_of(series: pd.Series) -> pd.Series:
    """A Spark pandas UDF: each id's text as the ledger compares them (None where missing)."""
    return pd.Series(id_texts(series).to_pandas().to_numpy(), index=series.index, dtype=object)


def _summary_rows(
    key: tuple[Any, ...], invoices: pd.DataFrame, payments: pd.DataFrame, options: dict[str, Any]
) -> pd.DataFrame:
    """One bucket's summary as :meth:`Summary.to_frame` rows, or its input error as one row.

    The ``meta`` row gets the bucket's number in ``sub``, so that Spark's sum
    keeps every bucket's issues and first day apart.
    """
    try:
        summary = _summarize_partition(invoices, payments, options)
    except CreditKPIError as error:
        return _row(ERROR, base64.b64encode(pickle.dumps(error)).decode("ascii"), str(key[0]))
    if summary is None:
        return _row(ERROR, "", "").iloc[:0]
    frame = summary.to_frame()
    frame.loc[frame["table"] == "meta", "sub"] = str(key[0])
    return frame


def _row(table: str, key: str, sub: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"table": [table], "key": [key], "grp": [""], "sub": [sub], "col": [""], "value": [0],
         "fvalue": [0.0]}
    )  # fmt: skip


def _summary_of(rows: pd.DataFrame) -> Summary:
    """The combined summary of :func:`from_spark`'s rows, or the error a bucket or the ids raised."""
    duplicated = rows.loc[rows["table"] == DUPLICATE, "key"].tolist()
    if duplicated:
        count = int(rows.loc[rows["table"] == DUPLICATES, "value"].sum())
        check_unique([duplicated], count)
    errors = rows[rows["table"] == ERROR]
    if len(errors):
        errors = errors.iloc[np.argsort(errors["sub"].astype(np.int64).to_numpy(), kind="stable")]
        error = pickle.loads(base64.b64decode(errors["key"].iloc[0]))
        raise error
    rest = rows[~rows["table"].isin([ERROR, DUPLICATE, DUPLICATES])]
    rest = rest.assign(
        value=rest["value"].astype(np.int64), fvalue=rest["fvalue"].astype(np.float64)
    )
    if not (rest["table"] == "meta").any():
        return combine([])  # nothing read: the error of combining no summary
    return Summary.from_frame(rest)
