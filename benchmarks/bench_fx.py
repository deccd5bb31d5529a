"""Several currencies: translate + dashboard against the one-currency dashboard of the same book.

    python benchmarks/bench_fx.py --invoices 10000000

The generated ledger (see ``generate.py``) is read twice: once as a book of
one currency, once with each customer billing in one of five currencies
(EUR, USD, GBP, CHF, SEK; the payments in their invoice's). The second is
translated into EUR at closing rates (weekday fixings of four currencies
over the whole span) and its dashboard computed; the ratio of the two
dashboard times (translation included) is printed. The target is <= 1.5.

Measured on 2026-12-07 (a shared 2-core machine, 23 GiB; nothing else of
this run beside it, load average below 1.3 at the start):

* 10M invoices, 13.5M settlements: 111.74 s for the one-currency dashboard,
  9.96 s to translate and 138.39 s for the translated dashboard, a ratio of
  1.33 (peak memory 11.2 GiB for the whole script, both books);
* 1M invoices: ratios 1.34 and 1.46 in two runs (5.9 s one-currency;
  0.4 s to translate, 7.4-8.1 s translated).

The positions of a translated ledger at many as-of dates (receivables,
aging, overdue, open invoices, unapplied cash) are one sweep at historical
rates plus, per date, the foreign items open that day
(``creditkpi.core.fx.positions``); the other positions read a view with
only those items converted (``position_view``); the full closing views
(what the time-to-pay curves and the forecast read) are kept up to 1 GiB.
Before that (a view converted per date, six kept) the ratio was 1.71 at
100k and 2.12 at 1M.
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
