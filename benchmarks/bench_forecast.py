"""Benchmark of the collection forecast's backtest.

Times ``ck.backtest_forecast`` with the three methods at 52 weekly origins on
a generated ledger (20 000 customers over 36 months: about a million
invoices), against the same forecasts made from scratch at each origin in
the same process (``ck.collection_forecast`` per origin and method, which
rebuilds the balances from every settlement each time, plus the actual cash
of each window), checks that both give the same figures, and prints the
ratio and where the time goes.

    python benchmarks/bench_forecast.py                     # ~1M invoices
    python benchmarks/bench_forecast.py --customers 2000    # ~100k, quick
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

import creditkpi as ck
from creditkpi import datasets
from creditkpi.core.engine import balances
from creditkpi.core.expected_cash import customer_curves
from creditkpi.core.period import to_day
from creditkpi.metrics.forecast import METHODS


def from_scratch(ledger: ck.Ledger, origins: list, horizon: str) -> dict[str, np.ndarray]:
    """Each origin on its own: the forecasts of ``collection_forecast``."""
    out = {m: [] for m in METHODS}
    for when in origins:
        for method in METHODS:
            fc = ck.collection_forecast(ledger, when, horizon=horizon, method=method)
            out[method].append(fc.windows["expected_cash"].to_numpy())
    return {m: np.concatenate(v) for m, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--origins", type=int, default=52)
    parser.add_argument("--horizon", default="13W")
    parser.add_argument("--scratch-origins", type=int, default=8,
                        help="origins timed from scratch (extrapolated to --origins)")  # fmt: skip
    args = parser.parse_args()
    warnings.simplefilter("ignore", ck.DataQualityWarning)

    t = time.perf_counter()
    ledger = datasets.synthetic_ledger(n_customers=args.customers, months=args.months, seed=16)
    built = time.perf_counter() - t
    print(f"ledger: {ledger.n_invoices:,} invoices, {ledger.n_settlements:,} settlements "
          f"({built:.1f} s to generate)")  # fmt: skip
    end = pd.Timestamp(ledger.last_date) - pd.Timedelta(weeks=13)
    end = end - pd.Timedelta(days=(end.day_of_week + 1) % 7)  # a Sunday
    origins = pd.date_range(end=end, periods=args.origins, freq="7D").date.tolist()
    print(f"{len(origins)} weekly origins {origins[0]} .. {origins[-1]}, horizon {args.horizon}")

    t = time.perf_counter()
    bt = ck.backtest_forecast(ledger, origins=origins, horizon=args.horizon)
    sweep = time.perf_counter() - t
    print(f"\nbacktest_forecast, 3 methods x {len(origins)} origins: {sweep:.1f} s "
          f"({sweep / len(origins):.2f} s per origin)")  # fmt: skip
    print(bt.overall[["wape", "bias", "mape", "mape_undefined"]].round(3).to_string())

    some = origins[-args.scratch_origins :]
    t = time.perf_counter()
    scratch = from_scratch(ledger, some, args.horizon)
    per_origin = (time.perf_counter() - t) / len(some)
    for method in METHODS:
        got = (
            bt.detail.xs(method, level="method")
            .loc[[pd.Timestamp(o) for o in some], "forecast"]
            .to_numpy()
        )
        assert np.array_equal(got, scratch[method]), method
    print(f"\nfrom scratch (collection_forecast per origin and method, actuals not even "
          f"counted): {per_origin:.2f} s per origin, {per_origin * len(origins):.1f} s for "
          f"{len(origins)} (extrapolated from {len(some)}); same forecasts: yes")  # fmt: skip
    print(f"ratio from scratch / backtest: {per_origin * len(origins) / sweep:.2f}")

    # where the time goes, at the last origin
    when = origins[-1]
    t = time.perf_counter()
    balances(ledger, when)
    snap = time.perf_counter() - t
    t = time.perf_counter()
    customer_curves(ledger, when, min_history=20, fallback="all")
    curves = time.perf_counter() - t
    t = time.perf_counter()
    ck.collection_forecast(ledger, when, horizon=args.horizon)
    survival = time.perf_counter() - t
    print(f"\nat one origin: balances from scratch {snap * 1000:.0f} ms; survival tables by "
          f"customer and ledger {curves * 1000:.0f} ms; the whole survival forecast "
          f"{survival * 1000:.0f} ms (day {to_day(when)})")  # fmt: skip


if __name__ == "__main__":
    main()
