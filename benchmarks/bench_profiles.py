"""Benchmark of payer profiles and time-to-pay curves.

Times ``ck.payer_profiles`` for every customer of a generated ledger (the
bundled sample's generator at 100k invoices) and of an IBM-style one-table
export of the same size, against a plain pandas groupby-mean of days late
per customer run in the same process (the figure most tools show), and
prints the ratios. Then the measurements behind the estimator's design: a
per-customer loop of statsmodels' ``SurvfuncRight`` (and lifelines'
``KaplanMeierFitter`` on a subset) against the vectorised Kaplan-Meier of
``creditkpi.core.survival`` on the same durations, and the import cost of
each package.

    python benchmarks/bench_profiles.py --invoices 100000
    python benchmarks/bench_profiles.py --ibm path/to/ibm-accounts-receivable.csv
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from timing import best

import creditkpi as ck
from creditkpi import datasets
from creditkpi.core.engine import settled_day
from creditkpi.core.period import to_day
from creditkpi.core.survival import durations, kaplan_meier, survival_table

IBM_COLUMNS = {
    "invoice_id": "invoiceNumber",
    "customer_id": "customerID",
    "issue_date": "InvoiceDate",
    "due_date": "DueDate",
    "amount": "InvoiceAmount",
}


def pandas_days_late(invoices: pd.DataFrame, payments: pd.DataFrame, as_of: str) -> pd.Series:
    """The plain figure: mean days late of the payments of the last 12 months, per customer."""
    end = pd.Timestamp(as_of)
    start = end - pd.DateOffset(months=12) + pd.Timedelta(days=1)
    cash = payments[(payments["kind"] == "payment") & payments["date"].between(start, end)]
    book = cash[["invoice_id", "date"]].merge(
        invoices[["invoice_id", "customer_id", "due_date"]], on="invoice_id"
    )
    late = (book["date"] - book["due_date"]).dt.days.clip(lower=0)
    return late.groupby(book["customer_id"]).mean()


def ibm_style(ledger: ck.Ledger, seed: int = 0) -> pd.DataFrame:
    """The ledger as a one-row-per-invoice export in the IBM sample's shape (US dates, text)."""
    inv = ledger.invoices
    closing = settled_day(ledger)  # first day the balance reaches 0 (NO_END: never)
    last = to_day(ledger.last_date) if ledger.last_date else 0
    days = np.where(closing <= last, closing, 0).astype("timedelta64[D]")
    settled = pd.Series(np.datetime64("1970-01-01", "D") + days, index=inv.index)
    settled = settled.where(closing <= last).astype("datetime64[s]")
    rng = np.random.default_rng(seed)

    def us(dates: pd.Series) -> pd.Series:
        return dates.dt.strftime("%-m/%-d/%Y")

    return pd.DataFrame(
        {
            "countryCode": inv["country"].map({"DE": 406, "NL": 391, "BE": 770}).fillna(818),
            "customerID": inv["customer_id"],
            "invoiceNumber": inv["invoice_id"],
            "InvoiceDate": us(inv["issue_date"]),
            "DueDate": us(inv["due_date"]),
            "InvoiceAmount": [str(a) for a in inv["amount"]],
            "Disputed": np.where(rng.random(len(inv)) < 0.2, "Yes", "No"),
            "SettledDate": us(settled).where(settled.notna(), ""),
        }
    )


def profile_run(name: str, ledger: ck.Ledger, as_of: str, baseline: Callable[[], Any]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        t_ck, profiles = best(lambda: ck.payer_profiles(ledger, as_of))
        t_curve, _ = best(lambda: ck.time_to_pay(ledger, as_of, by="customer_id"))
    t_pd, plain = best(baseline)
    print(
        f"{name}: {ledger.n_invoices:,} invoices, {len(profiles):,} customers profiled\n"
        f"  payer_profiles            {t_ck * 1000:8.0f} ms\n"
        f"  time_to_pay by customer   {t_curve * 1000:8.0f} ms\n"
        f"  pandas groupby-mean       {t_pd * 1000:8.0f} ms   (days late only)\n"
        f"  ratio profiles / baseline {t_ck / t_pd:8.1f}"
    )
    both = profiles["days_late"].dropna()
    if len(plain):
        common = both.index.intersection(plain.index)
        gap = float((both[common] - plain[common]).abs().max()) if len(common) else 0.0
        print(
            f"  (days late: profiles are amount-weighted, the baseline is not; max gap {gap:.1f} d)"
        )


def import_seconds(module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    return float(out.stdout.strip()) if out.returncode == 0 else float("nan")


def estimator_measurements(ledger: ck.Ledger, as_of: str) -> None:
    """The same per-customer medians three ways: vectorised, statsmodels loop, lifelines loop."""
    d = durations(ledger, as_of)
    # one code per customer, in order of first appearance (the ledger's own coding)
    customer = pd.factorize(ledger.invoices["customer_id"])[0][d.invoice]
    settled = d.outcome == 0
    t_table, table = best(lambda: survival_table(ledger, as_of, "customer_id"))
    t_km, km = best(lambda: kaplan_meier(table))
    n_groups = len(km.summary)
    print(
        f"\nestimator, {d.invoice.size:,} invoices in {n_groups:,} customers:\n"
        f"  creditkpi additive table        {t_table * 1000:8.0f} ms\n"
        f"  creditkpi Kaplan-Meier (all)    {t_km * 1000:8.0f} ms  (curves, bands, summaries)"
    )
    order = np.argsort(customer, kind="stable")
    bounds = np.searchsorted(customer[order], np.arange(customer.max() + 2))
    groups = [order[bounds[g] : bounds[g + 1]] for g in range(customer.max() + 1)]
    groups = [g for g in groups if g.size]
    try:
        from statsmodels.duration.survfunc import SurvfuncRight
    except ImportError:
        print("  statsmodels not installed: pip install statsmodels")
    else:

        def loop() -> list[tuple[float, Any]]:
            out = []
            for rows in groups:
                fit = SurvfuncRight(
                    d.exit[rows].astype(float),
                    settled[rows].astype(float),
                    entry=(d.entry[rows] - 1).astype(float),
                )
                out.append((fit.quantile(0.5), fit.quantile_ci(0.5)))
            return out

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_sm, _ = best(loop, 1)
        print(f"  statsmodels loop (median + CI)  {t_sm * 1000:8.0f} ms  ratio {t_sm / t_km:6.1f}")
    try:
        from lifelines import KaplanMeierFitter
    except ImportError:
        print("  lifelines not installed: pip install lifelines")
    else:
        subset = groups[:200]

        def loop_ll() -> list[float]:
            medians = []
            for rows in subset:
                # lifelines refuses an early empty risk set (StatError): skipped
                with contextlib.suppress(Exception):
                    fit = KaplanMeierFitter().fit(
                        d.exit[rows], settled[rows], entry=d.entry[rows] - 1
                    )
                    medians.append(float(fit.median_survival_time_))
            return medians

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_ll, _ = best(loop_ll, 1)
        scaled = t_ll * len(groups) / max(len(subset), 1)
        print(
            f"  lifelines loop ({len(subset)} customers)  {t_ll * 1000:8.0f} ms"
            f"  -> {scaled:.1f} s for all, ratio {scaled / t_km:6.0f}"
        )
    print("import time in a fresh interpreter:")
    for module in ("creditkpi", "statsmodels.duration.survfunc", "lifelines"):
        print(f"  {module:<32} {import_seconds(module):6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--ibm", metavar="CSV", help="also profile the real IBM sample export")
    args = parser.parse_args()

    customers = max(10, round(args.invoices / 31))  # about 31 invoices per customer in 2 years
    frames = datasets.generate(n_customers=customers, months=24, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        ledger = frames.ledger()
    as_of = str(ledger.last_date)
    profile_run(
        "generated (bundled sample's generator)",
        ledger,
        as_of,
        lambda: pandas_days_late(frames.invoices, frames.payments, as_of),
    )

    export = ibm_style(ledger)
    t_read, one_table = best(
        lambda: ck.Ledger.from_invoice_table(
            export,
            settled_date="SettledDate",
            disputed="Disputed",
            columns=IBM_COLUMNS,
            date_format="%m/%d/%Y",
        ),
        1,
    )
    print(f"\nIBM-style one-table export read in {t_read * 1000:.0f} ms")
    dated = export.assign(
        issue=pd.to_datetime(export["InvoiceDate"], format="%m/%d/%Y"),
        due=pd.to_datetime(export["DueDate"], format="%m/%d/%Y"),
        settled=pd.to_datetime(export["SettledDate"], format="%m/%d/%Y", errors="coerce"),
    )

    start = pd.Timestamp(as_of) - pd.DateOffset(months=12) + pd.Timedelta(days=1)

    def one_table_baseline() -> pd.Series:
        paid = dated[dated["settled"].between(start, pd.Timestamp(as_of))]
        late = (paid["settled"] - paid["due"]).dt.days.clip(lower=0)
        return late.groupby(paid["customerID"]).mean()

    profile_run("IBM-style one-table export", one_table, as_of, one_table_baseline)

    if args.ibm:
        real = pd.read_csv(args.ibm, dtype=str)
        ibm = ck.Ledger.from_invoice_table(
            real,
            settled_date="SettledDate",
            disputed="Disputed",
            columns=IBM_COLUMNS,
            date_format="%m/%d/%Y",
        )
        real_dates = real.assign(
            settled=pd.to_datetime(real["SettledDate"], format="%m/%d/%Y"),
            due=pd.to_datetime(real["DueDate"], format="%m/%d/%Y"),
        )

        def real_baseline() -> pd.Series:
            paid = real_dates[real_dates["settled"].between("2013-01-01", "2013-12-31")]
            late = (paid["settled"] - paid["due"]).dt.days.clip(lower=0)
            return late.groupby(paid["customerID"]).mean()

        print()
        profile_run("IBM sample export", ibm, "2013-12-31", real_baseline)

    estimator_measurements(ledger, as_of)


if __name__ == "__main__":
    main()
