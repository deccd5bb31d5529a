"""Seeded synthetic AR ledgers for the benchmarks: n invoices, ~1.3 settlements each, 3 years.

Columns are canonical (``Ledger.from_frames`` reads them as they are):
invoices(invoice_id, customer_id, issue_date, due_date, amount, country) and
payments(invoice_id, date, amount, kind). Ids are strings (``INV123``,
``C45``), like an ERP export; amounts are float euros with two decimals.

The columns are built once as numpy arrays and wrapped as Arrow arrays, so the
pandas (Arrow-backed ``str`` columns, as pandas >= 3 reads them from Parquet or
CSV), polars and pyarrow versions share the same buffers: generating 10M
invoices takes a few seconds and about 1.5 GiB. :func:`iter_chunks` streams a
book of any size chunk by chunk (the beyond-memory benchmark writes it to a
partitioned Parquet dataset as it comes).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

START = np.datetime64("2022-01-01", "D")
DAYS = 3 * 365
EPOCH_START = int(START.astype(np.int64))


@dataclass(frozen=True)
class Tables:
    """The generated ledger as two Arrow tables plus views for each dataframe library."""

    invoices: pa.Table
    payments: pa.Table

    def pandas(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """pandas frames: Arrow-backed ``str`` ids, ``datetime64`` dates, float amounts."""
        return (
            self.invoices.to_pandas(date_as_object=False),
            self.payments.to_pandas(date_as_object=False),
        )

    def polars(self) -> tuple[Any, Any]:
        import polars as pl

        return pl.from_arrow(self.invoices), pl.from_arrow(self.payments)

    def arrow(self) -> tuple[pa.Table, pa.Table]:
        return self.invoices, self.payments

    @property
    def nbytes(self) -> int:
        """Bytes of the input columns (both tables)."""
        return int(self.invoices.nbytes + self.payments.nbytes)


def _labels(prefix: str, numbers: np.ndarray) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pc.cast(pa.array(numbers), pa.string()), "")


def _split_amounts(
    rng: np.random.Generator, cents: np.ndarray, k: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split each invoice's cents into ``k`` settlements (rows, part number, amount)."""
    rows = np.repeat(np.arange(cents.size, dtype=np.int64), k)
    starts = np.cumsum(k) - k
    part = np.arange(rows.size, dtype=np.int64) - np.repeat(starts, k)
    kk = k[rows]
    share = rng.uniform(0.2, 0.7, size=rows.size)
    amount = np.zeros(rows.size, dtype=np.int64)
    left = cents.copy()
    for j in range(int(k.max(initial=0))):
        sel = part == j
        last = sel & (part == kk - 1)
        mid = sel & ~last
        amount[last] = left[rows[last]]
        r = rows[mid]  # each invoice appears at most once per part j: plain fancy indexing
        take = np.minimum(np.maximum(1, (left[r] * share[mid]).astype(np.int64)), left[r] - 1)
        amount[mid] = take
        left[r] -= take
    keep = amount > 0
    return rows[keep], part[keep], amount[keep]


def make_tables(n: int, *, seed: int = 0, customers: int | None = None) -> Tables:
    """Invoices and settlements as Arrow tables (see the module docstring)."""
    rng = np.random.default_rng(seed)
    return _book(rng, 0, n, customers or max(10, n // 20), None).tables


@dataclass(frozen=True)
class Chunk:
    """One chunk of a streamed book: its tables and the customer number of each row."""

    tables: Tables
    invoice_customer: np.ndarray
    payment_customer: np.ndarray


def iter_chunks(
    n: int, *, chunk: int = 5_000_000, seed: int = 0, customers: int | None = None
) -> Iterator[Chunk]:
    """The book of ``n`` invoices in chunks of ``chunk`` invoices, never all of it at once.

    The same model as :func:`make_tables` (not the same draws): invoice ids run on
    from chunk to chunk, customers are drawn from the whole book's ``n // 20``
    with one payer profile each, and each chunk has its own seeded draws.
    """
    n_cust = customers or max(10, n // 20)
    lateness = np.random.default_rng([seed, 1]).gamma(1.5, 12.0, size=n_cust)
    for k, first in enumerate(range(0, n, chunk)):
        rng = np.random.default_rng([seed, 2, k])
        yield _book(rng, first, min(chunk, n - first), n_cust, lateness)


def _book(
    rng: np.random.Generator, first: int, n: int, n_cust: int, lateness: np.ndarray | None
) -> Chunk:
    """``n`` invoices numbered from ``first`` (``lateness``: per customer, else drawn here)."""
    cust = rng.integers(0, n_cust, size=n)
    issue = rng.integers(0, DAYS, size=n)
    terms = rng.choice(np.array([0, 30, 45, 60]), size=n, p=[0.1, 0.5, 0.2, 0.2])
    cents = np.maximum(1, np.round(rng.lognormal(10.0, 1.2, size=n))).astype(np.int64)
    if lateness is None:
        lateness = rng.gamma(1.5, 12.0, size=n_cust)  # payer profile: mean delay after due date
    k = rng.choice(np.array([0, 1, 2, 3]), size=n, p=[0.05, 0.6, 0.3, 0.05])
    rows, part, amount = _split_amounts(rng, cents, k)
    delay = terms[rows] + rng.poisson(lateness[cust[rows]]) + part * 15 - 5
    pay_day = issue[rows] + np.maximum(0, delay)
    kind_code = rng.choice(np.arange(3, dtype=np.int8), size=rows.size, p=[0.93, 0.05, 0.02])
    kinds = pa.array(["payment", "credit_note", "write_off"])
    ids = _labels("INV", np.arange(first, first + n))
    invoices = pa.table(
        {
            "invoice_id": ids,
            "customer_id": _labels("C", cust),
            "issue_date": pa.array((EPOCH_START + issue).astype(np.int32)).cast(pa.date32()),
            "due_date": pa.array((EPOCH_START + issue + terms).astype(np.int32)).cast(pa.date32()),
            "amount": pa.array(cents / 100.0),
            "country": pc.take(pa.array(["FR", "DE", "IT", "ES", "NL"]), pa.array(cust % 5)),
        }
    )
    payments = pa.table(
        {
            "invoice_id": pc.take(ids, pa.array(rows)),
            "date": pa.array((EPOCH_START + pay_day).astype(np.int32)).cast(pa.date32()),
            "amount": pa.array(amount / 100.0),
            "kind": pc.take(kinds, pa.array(kind_code)),
        }
    )
    return Chunk(Tables(invoices, payments), cust, cust[rows])


def make_frames(
    n: int, *, seed: int = 0, customers: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Invoices and settlements as pandas frames."""
    return make_tables(n, seed=seed, customers=customers).pandas()


def month_ends(count: int = 36) -> list[np.datetime64]:
    """The first ``count`` month-ends of the generated span (2022-01-31 ...)."""
    ends = pd.date_range("2022-01-31", periods=count, freq="ME")
    return [np.datetime64(d.date(), "D") for d in ends]
