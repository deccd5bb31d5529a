"""Engines that partition a ledger: Dask or Spark DataFrames in, a combined :class:`Summary` out.

Each partition (one set of customers) is read with
:meth:`~creditkpi.Ledger.from_frames` and summarised with
:func:`~creditkpi.distributed.summarize`; the engine does the distribution,
the summaries are added (:func:`~creditkpi.distributed.combine`) and the
invoice ids are checked over the whole table
(:mod:`~creditkpi.distributed.ids`). :func:`from_dask` takes Dask
DataFrames, :func:`from_spark` Spark DataFrames (``cogroup`` by customer
bucket, ``applyInPandas``). Besides invoices and payments both take the
ledger's optional tables: disputes, dunning statuses and doubtful
classifications go to their invoice's partition, credit limits and cover to
their customer's (:mod:`~creditkpi.distributed.dask_routes`,
:mod:`~creditkpi.distributed.spark_routes`); a row whose invoice or customer
is in no partition is the error one machine raises, counted over the whole
table (:mod:`~creditkpi.distributed.partition`).
"""

from __future__ import annotations

import importlib
import math
import warnings
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Literal

import pandas as pd

from creditkpi.core.args import as_periods
from creditkpi.core.engine import Basis
from creditkpi.core.ledger import Ledger
from creditkpi.core.period import PeriodLike
from creditkpi.distributed.dask_routes import (
    as_written,
    empty_frame,
    partition_task,
    shuffled,
    verdict,
)
from creditkpi.distributed.ids import duplicate_ids, id_buckets
from creditkpi.distributed.partition import CUSTOMER_KEYED, INVOICE_KEYED, PART, column_name
from creditkpi.distributed.spark_routes import SparkRoutes, summary_of, summary_rows
from creditkpi.distributed.summary import Summary

__all__ = ["from_dask", "from_spark"]


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


def _side_tables(engine: str, **tables: Any) -> dict[str, Any]:
    """The optional tables given, checked to be the engine's frames (or small pandas ones).

    The invoice-keyed tables must be the engine's DataFrames; the limits and
    the cover, small and per customer, may be pandas frames too.
    """
    out = {name: frame for name, frame in tables.items() if frame is not None}
    for name, frame in out.items():
        native = (
            hasattr(frame, "npartitions") if engine == "Dask" else hasattr(frame, "sparkSession")
        )
        if native or (name in CUSTOMER_KEYED and isinstance(frame, pd.DataFrame)):
            continue
        also = " or a pandas DataFrame" if name in CUSTOMER_KEYED else ""
        fix = (
            "dask.dataframe.from_pandas(frame, npartitions=1)"
            if engine == "Dask"
            else "spark.createDataFrame(frame)"
        )
        raise TypeError(
            f"{name}= must be a {engine} DataFrame{also}, got a {type(frame).__name__} "
            f"(make one with {fix})"
        )
    return out


def _check_columns(
    invoices: Any, payments: Any, side: Mapping[str, Any], options: Mapping[str, Any]
) -> None:
    """The ledger's own errors of the tables' columns (a mapping, a missing column), up front.

    :meth:`Ledger.from_frames` reads the tables' empty heads on the driver,
    so that every column the routing reads is there before anything runs.
    """

    def head(name: str) -> pd.DataFrame | None:
        return None if name not in side else empty_frame(side[name])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Ledger.from_frames(
            empty_frame(invoices),
            empty_frame(payments),
            *(head(name) for name in INVOICE_KEYED),
            columns=options["columns"],
            date_format=options["date_format"],
            unknown_invoices=options["unknown_invoices"],
            limits=head("limits"),
            cover=head("cover"),
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
    disputes: Any = None,
    statuses: Any = None,
    doubtful: Any = None,
    limits: Any = None,
    cover: Any = None,
    columns: Mapping[str, Any] | None = None,
    date_format: str | None = None,
    unknown_invoices: Literal["error", "unapplied"] = "error",
    partitioned: bool = False,
    npartitions: int | None = None,
    compute: bool = True,
) -> Any:
    """Summarise Dask DataFrames of a ledger's tables, partition by partition.

    Parameters
    ----------
    invoices, payments : dask.dataframe.DataFrame
        The tables of :meth:`Ledger.from_frames` (``payments`` optional).
    periods, dates, buckets, basis, by, top, only
        As for :func:`summarize`.
    disputes, statuses, doubtful : dask.dataframe.DataFrame, optional
        Disputes, dunning status events and doubtful classifications, with
        the columns of :meth:`Ledger.from_frames`; each row goes to its
        invoice's partition (found like a payment's, by the id's text).
    limits, cover : dask.dataframe.DataFrame or pandas.DataFrame, optional
        Credit limits and credit-insurance cover (the *Limits and cover*
        page), per customer: each row goes to its customer's partition. A
        small pandas frame is cut on the driver (``partitioned=True``: given
        to every partition, which keeps its customers' rows).
    columns, date_format, unknown_invoices
        As for :meth:`Ledger.from_frames`.
    partitioned : bool, default False
        ``False``: the tables are shuffled so that each customer's rows share
        a partition (each payment, dispute, status event and doubtful
        classification takes its invoice's partition; unapplied cash, limits
        and cover their customer's). ``True``: they already do -- every Dask
        table given has as many partitions as the invoices and partition
        ``i`` of each holds the rows of the same customers (e.g. written by
        customer): a row of another partition's customer is unknown there.
    npartitions : int, optional
        Partitions after the shuffle (default: the larger of the invoices'
        and the payments' counts).
    compute : bool, default True
        Return the combined :class:`Summary`, or the ``dask.delayed`` that
        computes it.

    Returns
    -------
    Summary
        Identical to ``summarize(Ledger.from_frames(all invoices, all
        payments, all disputes, ..., limits=all limits, cover=all cover),
        ...)``; finish it with :func:`kpis` and :func:`table`.

    Raises
    ------
    DuplicateIdError
        An invoice id appears twice, in one partition or in two (e.g. under
        two customers): the ids are counted over the whole table.
    UnknownInvoiceError, UnknownCustomerError, MissingValueError
        A payment (under ``unknown_invoices="error"``), a dispute, a status
        event or a doubtful classification of an invoice that is in no
        partition, a limit or a cover of a customer in none, a row of the
        optional tables without its invoice id or customer: counted over
        the whole table and naming its first rows in the tables' order, as
        one machine does.
    CreditKPIError
        Any other bad-input rule of :meth:`Ledger.from_frames`, raised on
        the driver as the error it is (the first partition's that broke one,
        after the ids are checked); a missing or badly mapped column before
        anything is computed.

    Notes
    -----
    Each partition is validated on its own, and the invoice ids once over the
    whole table: each partition read for the summaries also splits its ids
    into ``sqrt(npartitions)`` buckets by a hash of their text, and one task
    per bucket compares the texts of equal hashes (exact; memory per task:
    the ids of one bucket; no shuffle, no second read; :mod:`~creditkpi.distributed.ids`).
    The errors of rows that belong to no partition follow the order in which
    :meth:`Ledger.from_frames` checks its rules
    (:mod:`~creditkpi.distributed.partition`).

    Start the workers without Dask's ``MALLOC_TRIM_THRESHOLD_`` (the
    *Performance* page, *Beyond memory*): with it, the summaries take
    2.5-3 times as long.
    Validation warnings travel in ``Summary.issues``.

    Examples
    --------
    >>> import dask.dataframe as dd, pandas as pd
    >>> from creditkpi import distributed as ckd
    >>> inv = pd.DataFrame({"invoice_id": ["F1", "F2"], "customer_id": ["A", "B"],
    ...     "issue_date": ["2024-04-01", "2024-04-03"],
    ...     "due_date": ["2024-04-30", "2024-05-03"], "amount": [120.0, 80.0]})
    >>> disputes = pd.DataFrame({"invoice_id": ["F2"], "opened": ["2024-04-10"],
    ...     "reason": ["price"]})
    >>> summary = ckd.from_dask(dd.from_pandas(inv, npartitions=2), periods=["2024-04"],
    ...     disputes=dd.from_pandas(disputes, npartitions=1))
    >>> float(ckd.kpis(summary).loc[("2024-04", "all"), "dispute_rate"])
    0.4
    """
    from dask.delayed import delayed

    ic = column_name(columns, "invoices", "invoice_id")
    options = _options(periods, dates, buckets, basis, by, top, only, columns, date_format,
                       unknown_invoices)  # fmt: skip
    side = _side_tables("Dask", disputes=disputes, statuses=statuses, doubtful=doubtful,
                        limits=limits, cover=cover)  # fmt: skip
    if payments is None:
        import dask.dataframe as dd

        pic = column_name(columns, "payments", "invoice_id")
        empty = pd.DataFrame({pic: pd.Series([], dtype=object), "date": [], "amount": []})
        payments = dd.from_pandas(empty, npartitions=1)  # type: ignore[no-untyped-call]
    _check_columns(invoices, payments, side, options)
    if partitioned:
        routes = as_written(invoices, payments, side, columns)
    else:
        k = int(npartitions or max(invoices.npartitions, payments.npartitions))
        routes = shuffled(invoices, payments, side, options, k)
    shared = tuple(routes.broadcast)
    parts = [
        delayed(partition_task)(i, a, {n: t[i] for n, t in routes.tables.items()}, options, shared)
        for i, a in enumerate(routes.invoices)
    ]
    # the ids of the same partitions (each is read once for both), in buckets by hash:
    # task r compares bucket r of every partition
    reducers = max(1, math.isqrt(len(routes.invoices)))
    split = [delayed(id_buckets, nout=reducers)(a[ic], reducers) for a in routes.invoices]
    duplicated = [delayed(duplicate_ids)([part[r] for part in split]) for r in range(reducers)]
    total = delayed(verdict)(duplicated, parts, routes.reports, routes.lengths, routes.broadcast)
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
    disputes: Any = None,
    statuses: Any = None,
    doubtful: Any = None,
    limits: Any = None,
    cover: Any = None,
    columns: Mapping[str, Any] | None = None,
    date_format: str | None = None,
    unknown_invoices: Literal["error", "unapplied"] = "error",
    npartitions: int | None = None,
) -> Summary:
    """Summarise Spark DataFrames of a ledger's tables, customer bucket by customer bucket.

    Each customer goes to one of ``npartitions`` buckets by a hash of its id
    (its text, as the ledger reads it); each payment, dispute, status event
    and doubtful classification takes its invoice's bucket (a join on the
    invoice id), unapplied cash, limits and cover their customer's. The
    invoices are cogrouped by bucket with the rest and ``applyInPandas``
    reads each bucket's tables with :meth:`Ledger.from_frames` and returns
    its :func:`summarize` as :meth:`Summary.to_frame` rows, which Spark adds
    up; the driver receives one summary's rows.

    Parameters
    ----------
    invoices, payments : pyspark.sql.DataFrame
        The tables of :meth:`Ledger.from_frames` (``payments`` optional), with
        any Spark types the pandas conversion gives to it: dates as
        ``DateType`` or text, amounts as ``DecimalType`` (exact), numbers or
        text.
    periods, dates, buckets, basis, by, top, only
        As for :func:`summarize`.
    disputes, statuses, doubtful : pyspark.sql.DataFrame, optional
        Disputes, dunning status events and doubtful classifications, with
        the columns of :meth:`Ledger.from_frames`.
    limits, cover : pyspark.sql.DataFrame or pandas.DataFrame, optional
        Credit limits and credit-insurance cover (the *Limits and cover*
        page); a small pandas frame is cut into the buckets on the driver.
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
        payments, all disputes, ..., limits=all limits, cover=all cover),
        ...)``; finish it with :func:`kpis` and :func:`table`.

    Raises
    ------
    DuplicateIdError
        An invoice id appears twice, in one bucket or in two (e.g. under two
        customers): the ids are counted over the whole table.
    UnknownInvoiceError, UnknownCustomerError, MissingValueError
        As for :func:`from_dask`: a row whose invoice or customer is in no
        bucket, or that has none, counted over the whole table and naming
        its first rows in the tables' order.
    CreditKPIError
        Any other bad-input rule of :meth:`Ledger.from_frames`, raised on the
        driver as the error it is (the first bucket's that broke one).

    Notes
    -----
    One Spark job: the id lookup (``invoice id -> bucket, count``, one
    aggregation) serves the joins and the duplicate-id check; the summaries
    are summed by Spark before they are collected (a second, small job only
    to name rows without a key by their position). Validation warnings
    travel in ``Summary.issues``. Executors must import ``creditkpi``
    (``PYSPARK_PYTHON`` pointing at an interpreter that has it).

    Examples
    --------
    >>> from creditkpi import distributed as ckd
    >>> summary = ckd.from_spark(invoices_sdf, payments_sdf, periods=["2024-04"],
    ...                          disputes=disputes_sdf, limits=limits_df)  # doctest: +SKIP
    >>> ckd.kpis(summary)  # doctest: +SKIP
    """
    # typed as Any: PySpark may be absent where the types are checked
    F: Any = importlib.import_module("pyspark.sql.functions")

    options = _options(periods, dates, buckets, basis, by, top, only, columns, date_format,
                       unknown_invoices)  # fmt: skip
    side = _side_tables("Spark", disputes=disputes, statuses=statuses, doubtful=doubtful,
                        limits=limits, cover=cover)  # fmt: skip
    session = invoices.sparkSession
    k = int(npartitions or session.conf.get("spark.sql.shuffle.partitions"))
    if payments is None:
        pic = column_name(columns, "payments", "invoice_id")
        payments = session.createDataFrame([], f"`{pic}` string, date string, amount string")
    _check_columns(invoices, payments, side, options)
    routes = SparkRoutes(invoices, options, k)
    second = routes.payments(payments)
    for name, frame in side.items():
        routes.side(name, frame)

    def bucket_rows(key: tuple[Any, ...], a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
        return summary_rows(key, a, b, options)

    rows = (
        routes.invoices.groupBy(PART)
        .cogroup(routes.with_blobs(second).groupBy(PART))
        .applyInPandas(bucket_rows, schema=Summary.SCHEMA)
    )
    summed = rows.groupBy("table", "key", "grp", "sub", "col").agg(
        F.sum("value").alias("value"), F.sum("fvalue").alias("fvalue")
    )
    out = summed.unionByName(routes.duplicates()).toPandas()
    return summary_of(out, routes)
