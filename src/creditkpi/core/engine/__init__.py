"""The as-of engine: balances, positions and flows at any date, exactly.

Everything a metric needs from the data comes from here (and from
:mod:`creditkpi.core.parts`, which sums it into additive parts). All money is
integer minor units; all dates are day numbers (see
:func:`creditkpi.core.period.to_day`).

* :mod:`~creditkpi.core.engine.snapshot` -- one date, per invoice:
  :func:`balances` (``B_i(T)``), dispute, status and doubtful flags;
* :mod:`~creditkpi.core.engine.grid` -- cumulative sums of events over a grid
  of days;
* :mod:`~creditkpi.core.engine.position` -- receivables, overdue, buckets and
  open invoices per date and group (:func:`position`), at one date by
  snapshot or at many in one sweep;
* :mod:`~creditkpi.core.engine.flows` -- sales, cash, credit notes and
  write-offs per period and group (:func:`flows`).

All of them return **additive summaries**: two ledgers with disjoint
customers give results that add up to those of their union.
"""

from creditkpi.core.engine.flows import FLOW_COLUMNS, flows
from creditkpi.core.engine.grid import cumulative, interval_balance, unapplied_balance
from creditkpi.core.engine.position import Basis, bucket_index, bucket_labels, check_edges, position
from creditkpi.core.engine.snapshot import (
    Snapshot,
    balances,
    disputed_at,
    doubtful_at,
    recovery_targets,
    settled_by,
    settled_day,
    settlement_window,
    status_at,
)

__all__ = [
    "FLOW_COLUMNS",
    "Basis",
    "Snapshot",
    "balances",
    "bucket_index",
    "bucket_labels",
    "check_edges",
    "cumulative",
    "disputed_at",
    "doubtful_at",
    "flows",
    "interval_balance",
    "position",
    "recovery_targets",
    "settled_by",
    "settled_day",
    "settlement_window",
    "status_at",
    "unapplied_balance",
]
