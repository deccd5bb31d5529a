"""Several currencies: translate + dashboard against the one-currency dashboard of the same book.

    python benchmarks/bench_fx.py --invoices 10000000

The generated ledger (see ``generate.py``) is read twice: once as a book of
one currency, once with each customer billing in one of five currencies
(EUR, USD, GBP, CHF, SEK; the payments in their invoice's). The second is
translated into EUR at closing rates (weekday fixings of four currencies
over the whole span) and its dashboard computed; the ratio of the two
dashboard times (translation included) is printed. The target is <= 1.5.

Measured on 100k invoices (a shared 2-core machine): 2.90 s for the
one-currency dashboard, 0.24 s to translate and 4.72 s for the translated
dashboard, a ratio of 1.71. The positions at closing rates are computed one
as-of date at a time (a view of the ledger at each date's rates), where the
one-currency book sweeps all its dates at once.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).parent))

from generate import make_tables

import creditkpi as ck

CURRENCIES = ("EUR", "USD", "GBP", "CHF", "SEK")


def _rates(first: str, last: str) -> ck.Rates:
    rng = np.random.default_rng(1)
    days = pd.bdate_range(first, last)
    frames = []
    for code, level in (("USD", 1.08), ("GBP", 0.86), ("CHF", 0.95), ("SEK", 11.4)):
        walk = level * np.exp(np.cumsum(rng.normal(0, 0.004, days.size)))
        frames.append(
            pd.DataFrame({"date": days, "currency": code, "rate": [f"{x:.4f}" for x in walk]})
        )
    return ck.Rates.from_frame(pd.concat(frames, ignore_index=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--period", default="2023-06")
    args = parser.parse_args()
    tables = make_tables(args.invoices)
    inv, pay = tables.invoices, tables.payments
    customer = pc.cast(pc.utf8_slice_codeunits(inv["customer_id"], 1), pa.int64())
    code = pc.take(pa.array(CURRENCIES), customer.to_numpy() % len(CURRENCIES))
    several = inv.append_column("currency", code)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = ck.Ledger.from_frames(inv, pay)
        book = ck.Ledger.from_frames(several, pay)
        first, last = str(book.first_date), str(book.last_date)
        rates = _rates(str(pd.Timestamp(first) - pd.Timedelta(days=7)), last)
        print(f"{args.invoices:,} invoices, {book.n_settlements:,} settlements, {book.currencies}")
        start = time.perf_counter()
        ck.dashboard(one, args.period)
        base = time.perf_counter() - start
        print(f"one currency: dashboard                 {base:8.2f} s", flush=True)
        start = time.perf_counter()
        translated = book.translate("EUR", rates)
        middle = time.perf_counter()
        ck.dashboard(translated, args.period)
        end = time.perf_counter()
    print(f"five currencies: translate              {middle - start:8.2f} s")
    print(f"five currencies: dashboard (translated) {end - middle:8.2f} s")
    print(f"ratio (translate + dashboard) / one-currency dashboard: {(end - start) / base:.2f}")


if __name__ == "__main__":
    main()
