"""Ledgers beyond one machine: additive summaries per partition, KPIs on the driver.

Every KPI of the registry (:mod:`creditkpi.registry`) is finished from
**additive** parts (:mod:`creditkpi.core.parts`): receivables, overdue and
aging buckets at the periods' edges, sales, cash, credit notes and write-offs
over the periods, monthly sales for the countback DSO, payment-delay sums,
the recovery target sums, the activation counts, and the table parts (open
disputes by reason, receivables by dunning status, the cohort matrices, each
partition's largest customers, the survival tables, the loss exposure, the
forecast parts). Two ledgers with disjoint customers give parts that add up
to the parts of their union. So a ledger partitioned by customer is reduced
partition by partition with the single-machine kernel
(:meth:`Ledger.from_frames` + :func:`summarize`), the small summaries are
added (:func:`combine`) and the KPIs are finished once on the driver by the
same specs (:func:`kpis`, :func:`table`): the results are those of the
single-machine path.

* :func:`summarize` -- one ledger (or one partition) to a :class:`Summary`
  (:mod:`~creditkpi.distributed.summarize`);
* :func:`combine` -- add summaries (any number, any order); the
  :class:`Summary` format (:mod:`~creditkpi.distributed.summary`);
* :func:`kpis`, :func:`table` -- every value KPI of the registry per period
  and group, a table KPI at a period's end (:mod:`~creditkpi.distributed.finish`);
* :func:`from_dask`, :func:`from_spark` -- Dask or Spark DataFrames in, a
  combined :class:`Summary` out (:mod:`~creditkpi.distributed.adapters`);
* :func:`text_hashes`, :func:`duplicate_ids` -- the invoice ids checked
  across partitions without a shuffle (:mod:`~creditkpi.distributed.ids`);
* :meth:`Summary.to_frame` / :meth:`Summary.from_frame` -- a summary as one
  long pandas frame, the shape Spark's ``applyInPandas`` returns (what
  :func:`from_spark` exchanges).

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

from creditkpi.distributed.adapters import from_dask, from_spark
from creditkpi.distributed.finish import SummaryParts, kpis, table
from creditkpi.distributed.ids import duplicate_ids, text_hashes
from creditkpi.distributed.summarize import summarize
from creditkpi.distributed.summary import Summary, combine

__all__ = [
    "Summary",
    "SummaryParts",
    "combine",
    "duplicate_ids",
    "from_dask",
    "from_spark",
    "kpis",
    "summarize",
    "table",
    "text_hashes",
]
