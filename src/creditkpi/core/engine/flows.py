"""Flows over periods: sales, cash, credit notes and write-offs per period and group."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.engine.grid import date_bin
from creditkpi.core.fx.translate import flow_settlements
from creditkpi.core.groups import By, group_codes
from creditkpi.core.ledger import CREDIT_NOTE, PAYMENT, WRITE_OFF, Ledger
from creditkpi.core.period import Period, to_day

__all__ = ["FLOW_COLUMNS", "flows"]

IntArray = npt.NDArray[np.int64]

#: the flow columns of :func:`flows`
FLOW_COLUMNS = (
    "invoiced",
    "credit_notes",
    "sales",
    "cash",
    "applied_cash",
    "unapplied_received",
    "write_offs",
    "n_invoices",
)


def flows(ledger: Ledger, periods: Sequence[Period] | Period, *, by: By = None) -> pd.DataFrame:
    """Sales, cash, credit notes and write-offs per period and group (additive).

    Columns (int64 minor units unless noted): ``invoiced`` (Σ amounts issued in
    P), ``credit_notes`` (dated in P), ``sales`` = invoiced - credit_notes,
    ``cash`` (payments dated in P, applied or unapplied), ``applied_cash``,
    ``unapplied_received``, ``write_offs``, ``n_invoices`` (count issued in P).
    A settlement counts on the day it was posted, also where it settles its
    invoice later (application dates): ``applied_cash`` is the cash posted in
    P that settles an invoice, then or later. On a ledger translated at
    closing rates, every flow is at the rate of its own date.

    Examples
    --------
    >>> import creditkpi as ck
    >>> from creditkpi.core.engine import flows
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-04-02", "2024-05-02", "100.00")],
    ...     [ck.Payment("F1", "2024-04-20", "10.00", kind="credit_note")])
    >>> int(flows(ledger, ck.Period.month(2024, 4))["sales"].iloc[0])
    9000
    """
    plist = [periods] if isinstance(periods, Period) else list(periods)
    groups = group_codes(ledger, by)
    g = groups.size
    ends = np.asarray([to_day(p.end) for p in plist], dtype=np.int64)
    befores = ends - np.asarray([p.days for p in plist], dtype=np.int64)
    grid = np.concatenate([befores, ends])

    order = np.argsort(grid, kind="stable")
    sorted_grid = grid[order]
    rows = grid.size + 1  # a spare row for events after the last day

    def window(flat: npt.NDArray[Any], size: int) -> IntArray:
        acc: IntArray = np.cumsum(flat[: grid.size * size].reshape(grid.size, size), axis=0)
        out = np.empty_like(acc)
        out[order] = acc
        return out[len(plist) :] - out[: len(plist)]

    c = ledger._cols
    flow = flow_settlements(c)  # a translated ledger's settlements at their own date's rate
    amount: npt.NDArray[Any]
    s_amount: npt.NDArray[Any]
    if c.exact_float:
        amount = c.float_view[0]
        s_amount = c.float_view[1] if flow is c.settlement_amount else flow.astype(np.float64)
    else:
        amount, s_amount = c.amount, flow
    # one date lookup per table; settlements by (group, applied or not, kind)
    day_bin = date_bin(sorted_grid, ledger._cols.issue)
    cells = day_bin if g == 1 else day_bin * g + groups.invoice
    kinds = 3  # PAYMENT, CREDIT_NOTE, WRITE_OFF
    code = ledger._cols.settlement_kind.astype(np.int64)
    code[ledger._cols.settlement_invoice < 0] += kinds
    # a flow counts on the day it was posted (with application dates, a credit
    # posted before it settles its invoice is cash, or a credit note, of that day)
    posted = ledger._cols.settlement_posted
    day_bin = date_bin(sorted_grid, ledger._cols.settlement_date if posted is None else posted)
    s_cells = (day_bin if g == 1 else day_bin * g + groups.settlement) * (2 * kinds) + code
    s = window(ledger._cols.bin_sum(s_cells, s_amount, rows * g * 2 * kinds), g * 2 * kinds)
    s = s.reshape(len(plist), g, 2, kinds)
    data = {
        "invoiced": window(ledger._cols.bin_sum(cells, amount, rows * g), g),
        "credit_notes": s[:, :, :, CREDIT_NOTE].sum(axis=2),
        "applied_cash": s[:, :, 0, PAYMENT],
        "unapplied_received": s[:, :, 1, :].sum(axis=2),
        "write_offs": s[:, :, :, WRITE_OFF].sum(axis=2),
        "n_invoices": window(np.bincount(cells, minlength=rows * g), g),
    }
    data["sales"] = data["invoiced"] - data["credit_notes"]
    data["cash"] = data["applied_cash"] + data["unapplied_received"]
    index = pd.MultiIndex.from_product(
        [pd.Index([str(p) for p in plist], name="period"), groups.labels], names=["period", "group"]
    )
    return pd.DataFrame({c: data[c].reshape(-1) for c in FLOW_COLUMNS}, index=index)
