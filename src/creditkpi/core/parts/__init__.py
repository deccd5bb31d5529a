"""Additive parts of every KPI, per (as-of date or period, group), computed once.

Every KPI of the library is a function of a few **additive** building blocks:
sums and counts per group at an as-of date or over a period. Two ledgers with
disjoint customers give parts that add up to the parts of their union. The
metric functions, the dashboard and :mod:`creditkpi.distributed` all read
these parts (through a :class:`~creditkpi.core.parts.source.PartSource`) and
finish them with the same spec (:mod:`creditkpi.core.kpi`), so every path
gives the same answer.

* :mod:`~creditkpi.core.parts.names` -- the vocabulary (:data:`PARTS`);
* :func:`snapshot_parts` -- at as-of dates: receivables, overdue, current,
  aging buckets, open invoices, unapplied cash, disputed and doubtful
  receivables, provisions;
* :func:`period_parts` -- over periods: sales and cash flows, the snapshot
  parts at the period's start (``_start``, as of ``start - 1``) and end
  (``_end``), payment-delay sums, the recovery target sums and the activation
  counts;
* :func:`countback_months` -- the calendar months of sales walked back by
  the countback DSO;
* :mod:`~creditkpi.core.parts.detail` and :data:`TABLE_PARTS` -- the detail
  tables (open disputes by reason, receivables by dunning status, balances
  per customer, cohort matrices, survival tables, loss exposure, forecast
  parts);
* :class:`LedgerParts` -- the parts of a ledger, computed on demand, once.

Money is int64 minor units, days are day numbers; every array is shaped
``(keys, groups)``.
"""

from creditkpi.core.parts.countback import countback_months, month_windows
from creditkpi.core.parts.detail import (
    COHORT_STEP,
    CohortParts,
    cohort_bucket,
    cohort_bucket_end,
    cohort_label,
    cohort_parts,
    customer_parts,
    reason_parts,
    status_parts,
    top_order,
)
from creditkpi.core.parts.names import (
    BUCKET_INVOICES,
    BUCKETS,
    COSTS,
    COUNTBACK_MONTHS,
    DEFAULT_BUCKETS,
    EDGE_PARTS,
    PARTS,
    PERIOD_FACTS,
    TotalTooLargeError,
    check_exact,
)
from creditkpi.core.parts.periods import period_parts
from creditkpi.core.parts.settings import Settings
from creditkpi.core.parts.snapshot import snapshot_parts
from creditkpi.core.parts.source import Derived, LedgerParts, Part, PartSource, base_parts
from creditkpi.core.parts.tables import TABLE_PARTS, TablePart

__all__ = [
    "BUCKETS",
    "BUCKET_INVOICES",
    "COHORT_STEP",
    "COSTS",
    "COUNTBACK_MONTHS",
    "DEFAULT_BUCKETS",
    "EDGE_PARTS",
    "PARTS",
    "PERIOD_FACTS",
    "TABLE_PARTS",
    "CohortParts",
    "Derived",
    "LedgerParts",
    "Part",
    "PartSource",
    "Settings",
    "TablePart",
    "TotalTooLargeError",
    "base_parts",
    "check_exact",
    "cohort_bucket",
    "cohort_bucket_end",
    "cohort_label",
    "cohort_parts",
    "countback_months",
    "customer_parts",
    "month_windows",
    "period_parts",
    "reason_parts",
    "snapshot_parts",
    "status_parts",
    "top_order",
]
