"""The credit pack's most urgent open items: the invoices a collector works on first.

The pack lists the :data:`URGENT_ITEMS` most urgent open items at the as-of
date, from the open-items table (one row per open invoice, indexed by
``(customer_id, invoice_id)``). This module needs only a small part of that
table:

* ``open_balance`` (money) and ``days_past_due`` (days) -- required: the
  rank is ``open_balance × days_past_due`` (the amount-days at stake),
  largest first, past-due items with a positive balance only;
* any of :data:`SHOWN` -- shown when present, in that order.

:func:`open_items_of` is where the pack gets that table from the ledger.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.ledger import Ledger

__all__ = ["MONEY", "SHOWN", "URGENT_ITEMS", "money_columns", "open_items_of", "urgent_items"]

#: how many open items the pack lists
URGENT_ITEMS = 20

#: the columns of the open-items table the pack shows, when present, in this order
SHOWN = (
    "due_date",
    "days_past_due",
    "open_balance",
    "bucket",
    "dunning_status",
    "dispute_reason",
    "expected_payment_date",
)

#: the money columns among them
MONEY = frozenset({"amount", "open_balance"})


def open_items_of(ledger: Ledger, as_of: date) -> pd.DataFrame | None:
    """The open-items table of ``ledger`` at ``as_of`` (:func:`creditkpi.open_items`).

    Indexed by ``(customer_id, invoice_id)``, with ``open_balance``,
    ``days_past_due`` and the columns of :data:`SHOWN`; the pack's "Most
    urgent open items" section ranks its rows with :func:`urgent_items`.
    ``None`` for a ledger with nothing open at ``as_of`` (the section is
    left out).
    """
    from creditkpi.metrics.open_items import open_items

    items = open_items(ledger, as_of)
    return items if len(items) else None


def urgent_items(items: pd.DataFrame, n: int = URGENT_ITEMS) -> pd.DataFrame:
    """The ``n`` most urgent open items: past due, largest ``open_balance × days_past_due`` first.

    Ties by days past due, then by the index (deterministic). The columns
    kept are those of :data:`SHOWN` the table has.

    Raises
    ------
    InvalidOptionError
        ``items`` lacks ``open_balance`` or ``days_past_due``.

    Examples
    --------
    >>> import pandas as pd
    >>> items = pd.DataFrame(
    ...     {"open_balance": [100.0, 900.0, 50.0, 400.0], "days_past_due": [40, 3, -5, 10]},
    ...     index=pd.MultiIndex.from_tuples(
    ...         [("C1", "F1"), ("C2", "F2"), ("C1", "F3"), ("C3", "F4")],
    ...         names=["customer_id", "invoice_id"]))
    >>> urgent_items(items, 2)  # 400 x 10 = 4000, 100 x 40 = 4000 (older first), 900 x 3 = 2700
                            days_past_due  open_balance
    customer_id invoice_id
    C1          F1                     40         100.0
    C3          F4                     10         400.0
    """
    needed = [c for c in ("open_balance", "days_past_due") if c not in items.columns]
    if needed:
        raise InvalidOptionError(
            f"the open-items table lacks {', '.join(needed)}: the pack ranks open items by "
            "open_balance x days_past_due",
            argument="items",
        )
    balance = items["open_balance"].astype(np.float64).to_numpy()
    late = items["days_past_due"].astype(np.float64).to_numpy()
    keep = np.flatnonzero((balance > 0) & (late > 0))
    labels = np.asarray([str(i) for i in items.index[keep]], dtype=object)
    order = keep[np.lexsort((labels, -late[keep], -(balance[keep] * late[keep])))]
    shown = [c for c in SHOWN if c in items.columns]
    out: pd.DataFrame = items.iloc[order[:n]][shown]
    return out


def money_columns(frame: Any) -> frozenset[str]:
    """The money columns of an urgent-items table."""
    return frozenset(c for c in getattr(frame, "columns", ()) if c in MONEY)
