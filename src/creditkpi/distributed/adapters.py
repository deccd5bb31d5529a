"""Engines that partition a ledger: Dask DataFrames in, a combined :class:`Summary` out.

Each partition (one set of customers) is read with
:meth:`~creditkpi.Ledger.from_frames` and summarised with
:func:`~creditkpi.distributed.summarize`; the engine does the distribution,
:func:`~creditkpi.distributed.combine` adds the summaries. Spark users call
``applyInPandas`` with :meth:`Summary.to_frame` and
:meth:`Summary.from_frame` (see the *Distributed* page).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from creditkpi.core.args import as_periods
from creditkpi.core.engine import Basis
from creditkpi.core.errors import DuplicateIdError, InvalidOptionError, UnknownCustomerError
from creditkpi.core.ingest.ids import id_column
from creditkpi.core.ledger import Ledger
from creditkpi.core.period import PeriodLike
from creditkpi.distributed.summarize import summarize
from creditkpi.distributed.summary import Summary, combine

__all__ = ["from_dask"]


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


def _id_text(series: pd.Series) -> pd.Series:
    """Invoice ids as the ledger compares them (611365, 611365.0 and "611365" alike)."""
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


def _customer_rows(
    table: pd.DataFrame | None, column: str, customers: set[str]
) -> pd.DataFrame | None:
    """The rows of a limits or cover table whose customer is one of ``customers``."""
    if table is None:
        return None
    return table[_id_text(table[column]).isin(customers)]


def _summarize_partition(
    invoices: pd.DataFrame, payments: pd.DataFrame, options: dict[str, Any]
) -> tuple[Summary | None, set[str]]:
    """A partition's summary, and its customers (which limits and covers it took)."""
    invoices = invoices.drop(columns=["_ck_part"], errors="ignore")
    payments = payments.drop(columns=["_ck_part"], errors="ignore")
    if len(invoices) == 0 and len(payments) == 0:
        return None, set()
    customers = set(_id_text(invoices[options["customer_column"]]).dropna())
    if options["payment_customer_column"] in payments.columns:
        customers |= set(_id_text(payments[options["payment_customer_column"]]).dropna())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ledger = Ledger.from_frames(
            invoices,
            payments,
            columns=options["columns"],
            date_format=options["date_format"],
            unknown_invoices=options["unknown_invoices"],
            limits=_customer_rows(options["limits"], options["limits_column"], customers),
            cover=_customer_rows(options["cover"], options["cover_column"], customers),
        )
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
    return summary, customers


def _combined(results: list[tuple[Summary | None, set[str]]], options: dict[str, Any]) -> Summary:
    """The partitions' summaries added, once every limit and cover found its customer."""
    seen = set().union(*(found for _, found in results)) if results else set()
    for name in ("limits", "cover"):
        table = options[name]
        if table is None:
            continue
        ids = _id_text(table[options[f"{name}_column"]])
        unknown = ids[~ids.isin(seen)]
        if len(unknown):
            raise UnknownCustomerError(
                f"{len(unknown)} {name} row(s) name customers the ledger does not hold (no "
                "invoice and no unapplied cash)",
                column="customer_id",
                ids=[str(i) for i in unknown.tolist()],
                count=len(unknown),
            )
    return combine(summary for summary, _ in results)


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
    limits: pd.DataFrame | None = None,
    cover: pd.DataFrame | None = None,
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
    limits, cover : pandas.DataFrame, optional
        Credit limits and credit-insurance covers (the tables of
        :meth:`Ledger.from_frames`, small: one row per customer and date):
        each partition reads the rows of its customers, so the
        customer-level figures (exposure, limit, cover) are exact.

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
    UnknownCustomerError
        A limit or a cover names a customer no partition holds.

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
        "buckets": tuple(buckets),
        "basis": basis,
        "by": by,
        "top": top,
        "only": only,
        "customer_column": cc,
        "payment_customer_column": pcc,
        "limits": limits,
        "cover": cover,
        "limits_column": _column(columns, "limits", "customer_id"),
        "cover_column": _column(columns, "cover", "customer_id"),
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
        delayed(_combined)(parts, options),
    )
    return total.compute() if compute else total
