"""Seeded synthetic AR ledgers for the benchmarks: n invoices, ~1.3 settlements each, 3 years.

Columns are canonical (``Ledger.from_frames`` reads them as they are):
invoices(invoice_id, customer_id, issue_date, due_date, amount, country) and
payments(invoice_id, date, amount, kind). Ids are strings, like an ERP export.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

START = np.datetime64("2022-01-01", "D")
DAYS = 3 * 365


def make_frames(
    n: int, *, seed: int = 0, customers: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Invoices and settlements frames (pandas, numpy-backed dtypes)."""
    rng = np.random.default_rng(seed)
    n_cust = customers or max(10, n // 20)
    cust = rng.integers(0, n_cust, size=n)
    issue = rng.integers(0, DAYS, size=n)
    terms = rng.choice(np.array([0, 30, 45, 60]), size=n, p=[0.1, 0.5, 0.2, 0.2])
    cents = np.maximum(1, np.round(rng.lognormal(10.0, 1.2, size=n))).astype(np.int64)
    # payer profile per customer: mean delay after due date
    lateness = rng.gamma(1.5, 12.0, size=n_cust)
    k = rng.choice(np.array([0, 1, 2, 3]), size=n, p=[0.05, 0.6, 0.3, 0.05])
    rows = np.repeat(np.arange(n), k)
    part = np.arange(rows.size) - np.repeat(np.cumsum(k) - k, k)  # 0, 1, 2 within an invoice
    kk = k[rows]
    # split amounts: earlier parts take a random share of what is left; the last part closes it
    share = rng.uniform(0.2, 0.7, size=rows.size)
    amount = np.zeros(rows.size, dtype=np.int64)
    left = cents.copy()
    for j in range(3):
        sel = part == j
        last = sel & (part == kk - 1)
        mid = sel & ~last
        amount[last] = left[rows[last]]
        take = np.maximum(1, (left[rows[mid]] * share[mid]).astype(np.int64))
        take = np.minimum(take, left[rows[mid]] - 1)
        amount[mid] = take
        np.subtract.at(left, rows[mid], take)
    keep = amount > 0
    rows, part, amount = rows[keep], part[keep], amount[keep]
    delay = terms[rows] + rng.poisson(lateness[cust[rows]]) + part * 15 - 5
    pay_day = issue[rows] + np.maximum(0, delay)
    kind = rng.choice(
        np.array(["payment", "credit_note", "write_off"]), size=rows.size, p=[0.93, 0.05, 0.02]
    )
    ids = np.char.add("INV", np.arange(n).astype("U9"))
    invoices = pd.DataFrame(
        {
            "invoice_id": ids.astype(object),
            "customer_id": np.char.add("C", cust.astype("U7")).astype(object),
            "issue_date": START + issue.astype("timedelta64[D]"),
            "due_date": START + (issue + terms).astype("timedelta64[D]"),
            "amount": cents / 100.0,
            "country": np.array(["FR", "DE", "IT", "ES", "NL"], dtype=object)[cust % 5],
        }
    )
    payments = pd.DataFrame(
        {
            "invoice_id": ids[rows].astype(object),
            "date": START + pay_day.astype("timedelta64[D]"),
            "amount": amount / 100.0,
            "kind": kind.astype(object),
        }
    )
    return invoices, payments


def month_ends(count: int = 36) -> list[np.datetime64]:
    """The last ``count`` month-ends of the generated span."""
    ends = pd.date_range("2022-01-31", periods=count, freq="ME")
    return [np.datetime64(d.date(), "D") for d in ends]
