"""Benchmark of the core: receivables + aging-ready balances.

Times creditkpi against an idiomatic pandas merge + groupby baseline run in
the same process, on the same generated ledger, at one date and at 36
month-ends, checks the results are equal, and prints the ratios.

    python benchmarks/bench_core.py --invoices 1000000
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from generate import make_frames, month_ends
from timing import best

import creditkpi as ck
from creditkpi.core.engine import balances, position


def pandas_balances(inv: pd.DataFrame, pay: pd.DataFrame, as_of: np.datetime64) -> pd.DataFrame:
    """Idiomatic pandas: filter, groupby-sum, merge, subtract."""
    paid = pay[pay["date"] <= as_of].groupby("invoice_id", as_index=False)["cents"].sum()
    book = inv[inv["issue_date"] <= as_of].merge(paid, on="invoice_id", how="left")
    book["balance"] = book["cents_x"] - book["cents_y"].fillna(0).astype(np.int64)
    book["days_past_due"] = (as_of - book["due_date"]).dt.days
    return book


def pandas_receivables(
    inv: pd.DataFrame, pay: pd.DataFrame, dates: list[np.datetime64]
) -> list[int]:
    return [int(pandas_balances(inv, pay, d)["balance"].sum()) for d in dates]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    inv, pay = make_frames(args.invoices)
    print(f"{len(inv):,} invoices, {len(pay):,} settlements")
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        ledger = ck.Ledger.from_frames(inv, pay)
    print(f"ingestion (Ledger.from_frames): {time.perf_counter() - t0:.2f} s")

    # the baseline works on integer cents too, so both are exact and comparable
    inv_b = inv.assign(cents=np.round(inv["amount"] * 100).astype(np.int64))
    pay_b = pay.assign(cents=np.round(pay["amount"] * 100).astype(np.int64))
    dates = month_ends(36)
    one = dates[-1]

    rows = []
    t_pd, ref = best(lambda: pandas_receivables(inv_b, pay_b, [one]), args.repeat)
    t_ck, snap = best(lambda: balances(ledger, one.item()), args.repeat)
    assert int(snap.balance.sum()) == ref[0], "one date: results differ"
    rows.append(("balances at one date", t_ck, t_pd))

    t_pd36, ref36 = best(lambda: pandas_receivables(inv_b, pay_b, dates), 1)
    t_ck36, pos = best(lambda: position(ledger, [d.item() for d in dates]), args.repeat)
    assert pos["receivables"].tolist() == ref36, "36 month-ends: results differ"
    rows.append(("receivables + aging buckets at 36 month-ends", t_ck36, t_pd36))

    print(f"\n{'task':<48} {'creditkpi':>10} {'pandas':>10} {'ratio':>8}")
    for name, a, b in rows:
        print(f"{name:<48} {a * 1000:>8.0f}ms {b * 1000:>8.0f}ms {a / b:>8.3f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS: {peak:,.0f} MiB (ratio = creditkpi / pandas: lower is better)")


if __name__ == "__main__":
    main()
