"""One command for every benchmark: creditkpi vs DuckDB SQL vs idiomatic pandas.

    python benchmarks/run.py --invoices 1000000 10000000 --tasks a b c d

Tasks (same process, same generated ledger, results checked equal):

a  aging at one date (receivables, overdue, 5 buckets)
b  receivables + aging + countback DSO at 36 month-ends
c  ingestion: Ledger.from_frames from pandas, polars and pyarrow
   (baseline: the DuckDB aging query of task a)
d  the dashboard of one month (receivables at start and end, overdue,
   buckets, sales, cash, credit notes, write-offs, DSO, countback DSO,
   BPDSO, ADD, CEI, loss rate): creditkpi's ingestion + summary + KPIs vs
   DuckDB computing the same from the raw tables

Wall time is the best of ``--repeat`` runs; peak memory is the peak RSS
above the RSS before the task (Linux: VmHWM reset through
/proc/self/clear_refs). The machine line names the glibc ``malloc``
settings of the environment: ``MALLOC_MMAP_MAX_=0
MALLOC_TRIM_THRESHOLD_=68719476736`` keeps freed memory for the next run
(no first-touch page faults; the peak-memory column then undercounts). DuckDB reads the Arrow tables (its fastest input),
pandas the pandas frames. Amounts are compared in integer cents.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from generate import Tables, make_tables, month_ends
from timing import measure

import creditkpi as ck
from creditkpi import distributed as ckd
from creditkpi.core.engine import flows, position

EDGES = (30, 60, 90)
#: ledger columns checked equal whichever library the tables come from: the validated
#: columns themselves (day numbers, minor units, customer codes and their order), which
#: the public views (``Ledger.invoices``, ``settlements``) rebuild as text and Decimals
CHECKED_COLUMNS = (
    "customer",
    "customer_labels",
    "issue",
    "due",
    "amount",
    "settlement_invoice",
    "settlement_customer",
    "settlement_date",
    "settlement_amount",
    "settlement_kind",
    "settlement_row",
)
BUCKETS = ["not due", "1-30", "31-60", "61-90", "91+"]
ONE_DATE = np.datetime64("2024-06-30", "D")
MONTH = ck.Period.month(2024, 6)


# ----------------------------------------------------------------------------- countback
def countback(receivables: int, months: list[tuple[int, int]]) -> float:
    """SPEC §4.2 countback; ``months`` newest first as (sales, days). Shared by baselines."""
    if receivables <= 0:
        return 0.0
    r, out = receivables, 0.0
    for sales, days in months:
        if r >= sales:
            out += days
            r -= sales
        else:
            return out + days * r / sales
    return float("nan")


def month_list(
    end: np.datetime64, first: np.datetime64
) -> list[tuple[np.datetime64, np.datetime64]]:
    """Calendar months from the month of ``end`` back to the month of ``first`` (newest first)."""
    out = []
    m = end.astype("datetime64[M]")
    while m >= first.astype("datetime64[M]"):
        start = m.astype("datetime64[D]")
        last = min((m + 1).astype("datetime64[D]") - 1, end)
        out.append((start, last))
        m = m - 1
    return out


# ----------------------------------------------------------------------------- DuckDB
AGING_SQL = """
with paid as (
  select invoice_id, sum(round(amount * 100)::bigint) as paid
  from pay where date <= $t group by invoice_id),
book as (
  select round(i.amount * 100)::bigint - coalesce(p.paid, 0) as bal,
         date_diff('day', i.due_date, $t) as dpd
  from inv i left join paid p using (invoice_id) where i.issue_date <= $t)
select coalesce(sum(bal), 0)::bigint as receivables,
       coalesce(sum(bal) filter (dpd >= 1), 0)::bigint as overdue,
       coalesce(sum(bal) filter (dpd <= 0), 0)::bigint,
       coalesce(sum(bal) filter (dpd between 1 and 30), 0)::bigint,
       coalesce(sum(bal) filter (dpd between 31 and 60), 0)::bigint,
       coalesce(sum(bal) filter (dpd between 61 and 90), 0)::bigint,
       coalesce(sum(bal) filter (dpd >= 91), 0)::bigint
from book
"""

# balances are piecewise constant: one segment per invoice and settlement date,
# joined to the month-ends it covers (a range join), then bucketed
SERIES_SQL = """
with s as (
  select invoice_id, date, sum(round(amount * 100)::bigint) as amt
  from pay group by invoice_id, date),
ev as (
  select i.invoice_id, i.issue_date as start, 0::bigint as amt,
         round(i.amount * 100)::bigint as a, i.due_date
  from inv i
  union all
  select s.invoice_id, greatest(s.date, i.issue_date), s.amt,
         round(i.amount * 100)::bigint, i.due_date
  from s join inv i using (invoice_id)),
seg as (
  select invoice_id, due_date, start,
         a - sum(amt) over w as bal,
         lead(start) over w as stop
  from ev
  window w as (partition by invoice_id order by start, amt
               rows between unbounded preceding and current row)),
segs as (
  select due_date, bal, start, coalesce(stop, DATE '9999-12-31') as stop
  from seg where start < coalesce(stop, DATE '9999-12-31')),
j as (
  select d.t, segs.bal, date_diff('day', segs.due_date, d.t) as dpd
  from segs join dates d on segs.start <= d.t and d.t < segs.stop)
select t,
       sum(bal)::bigint as receivables,
       coalesce(sum(bal) filter (dpd >= 1), 0)::bigint as overdue,
       coalesce(sum(bal) filter (dpd <= 0), 0)::bigint,
       coalesce(sum(bal) filter (dpd between 1 and 30), 0)::bigint,
       coalesce(sum(bal) filter (dpd between 31 and 60), 0)::bigint,
       coalesce(sum(bal) filter (dpd between 61 and 90), 0)::bigint,
       coalesce(sum(bal) filter (dpd >= 91), 0)::bigint
from j group by t order by t
"""

MONTHLY_SALES_SQL = """
with ev as (
  select date_trunc('month', issue_date)::date as m, round(amount * 100)::bigint as v from inv
  union all
  select date_trunc('month', date)::date, -round(amount * 100)::bigint from pay
  where kind = 'credit_note')
select m, sum(v)::bigint from ev group by m order by m
"""

FLOWS_SQL = """
select
  (select coalesce(sum(round(amount * 100)::bigint), 0) from inv
    where issue_date between $a and $b)::bigint as invoiced,
  coalesce(sum(round(amount * 100)::bigint) filter (kind = 'credit_note'), 0)::bigint,
  coalesce(sum(round(amount * 100)::bigint) filter (kind = 'payment'), 0)::bigint,
  coalesce(sum(round(amount * 100)::bigint) filter (kind = 'write_off'), 0)::bigint
from pay where date between $a and $b
"""


def duck_aging(con: Any, t: np.datetime64) -> list[int]:
    return [int(v) for v in con.execute(AGING_SQL, {"t": t.item()}).fetchall()[0]]


def duck_series(con: Any, dates: list[np.datetime64]) -> tuple[list[list[int]], list[float]]:
    con.register("dates", pd.DataFrame({"t": pd.to_datetime(dates).date}))
    rows = con.execute(SERIES_SQL).fetchall()
    sales = dict(con.execute(MONTHLY_SALES_SQL).fetchall())
    first = min(sales)
    out, cb = [], []
    for row in rows:
        out.append([int(v) for v in row[1:]])
        t = np.datetime64(row[0], "D")
        months = []
        for start, last in month_list(t, np.datetime64(first, "D")):
            months.append((int(sales.get(start.item(), 0)), int((last - start).astype(int)) + 1))
        cb.append(countback(out[-1][0], months))
    return out, cb


def duck_dashboard(con: Any, period: ck.Period) -> dict[str, float]:
    start = np.datetime64(period.start, "D")
    end = np.datetime64(period.end, "D")
    at_end = duck_aging(con, end)
    at_start = duck_aging(con, start - 1)
    invoiced, credit, cash, write = (
        int(v) for v in con.execute(FLOWS_SQL, {"a": period.start, "b": period.end}).fetchall()[0]
    )
    sales_m = dict(con.execute(MONTHLY_SALES_SQL).fetchall())
    months = [
        (int(sales_m.get(s.item(), 0)), int((last - s).astype(int)) + 1)
        for s, last in month_list(end, np.datetime64(min(sales_m), "D"))
    ]
    return finish(at_start, at_end, invoiced - credit, cash, credit, write, period.days, months)


def finish(
    at_start: list[int],
    at_end: list[int],
    sales: int,
    cash: int,
    credit: int,
    write: int,
    days: int,
    months: list[tuple[int, int]],
) -> dict[str, float]:
    """The dashboard's numbers from its additive parts (shared by both baselines)."""
    r_end, overdue = at_end[0], at_end[1]
    current = r_end - overdue
    r_start = at_start[0]
    dso = r_end / sales * days
    bpdso = current / sales * days
    return {
        "receivables": r_end,
        "receivables_start": r_start,
        "overdue": overdue,
        **dict(zip(BUCKETS, at_end[2:], strict=True)),
        "sales": sales,
        "cash": cash,
        "credit_notes": credit,
        "write_offs": write,
        "overdue_rate": overdue / r_end,
        "dso": dso,
        "best_possible_dso": bpdso,
        "average_days_delinquent": dso - bpdso,
        "cei": (r_start + sales - r_end) / (r_start + sales - current),
        "loss_rate": write / sales,
        "countback_dso": countback(r_end, months),
    }


# ----------------------------------------------------------------------------- pandas
def pandas_prepare(inv: pd.DataFrame, pay: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    inv = inv.assign(cents=np.round(inv["amount"] * 100).astype(np.int64))
    pay = pay.assign(cents=np.round(pay["amount"] * 100).astype(np.int64))
    return inv, pay


def pandas_aging(inv: pd.DataFrame, pay: pd.DataFrame, t: np.datetime64) -> list[int]:
    """Idiomatic pandas: filter, groupby-sum, merge, subtract, cut into buckets, sum."""
    paid = pay[pay["date"] <= t].groupby("invoice_id", as_index=False)["cents"].sum()
    book = inv[inv["issue_date"] <= t].merge(paid, on="invoice_id", how="left")
    book["balance"] = book["cents_x"] - book["cents_y"].fillna(0).astype(np.int64)
    dpd = (t - book["due_date"]).dt.days
    bucket = pd.cut(dpd, [-np.inf, 0, 30, 60, 90, np.inf], labels=BUCKETS)
    sums = book.groupby(bucket, observed=False)["balance"].sum()
    return [
        int(book["balance"].sum()),
        int(book.loc[dpd >= 1, "balance"].sum()),
        *[int(sums.get(b, 0)) for b in BUCKETS],
    ]


def pandas_monthly_sales(inv: pd.DataFrame, pay: pd.DataFrame) -> pd.Series:
    issued = inv.groupby(inv["issue_date"].dt.to_period("M"))["cents"].sum()
    cn = pay[pay["kind"] == "credit_note"]
    credit = cn.groupby(cn["date"].dt.to_period("M"))["cents"].sum()
    return issued.sub(credit, fill_value=0).astype(np.int64)


def pandas_months(sales: pd.Series, t: np.datetime64) -> list[tuple[int, int]]:
    first = np.datetime64(sales.index.min().start_time.date(), "D")
    return [
        (int(sales.get(pd.Period(s.item(), "M"), 0)), int((last - s).astype(int)) + 1)
        for s, last in month_list(t, first)
    ]


def pandas_series(
    inv: pd.DataFrame, pay: pd.DataFrame, dates: list[np.datetime64]
) -> tuple[list[list[int]], list[float]]:
    rows = [pandas_aging(inv, pay, t) for t in dates]
    sales = pandas_monthly_sales(inv, pay)
    cb = [countback(r[0], pandas_months(sales, t)) for r, t in zip(rows, dates, strict=True)]
    return rows, cb


def pandas_dashboard(inv: pd.DataFrame, pay: pd.DataFrame, period: ck.Period) -> dict[str, float]:
    start, end = np.datetime64(period.start, "D"), np.datetime64(period.end, "D")
    at_end = pandas_aging(inv, pay, end)
    at_start = pandas_aging(inv, pay, start - 1)
    inside = pay[(pay["date"] >= start) & (pay["date"] <= end)]
    by_kind = inside.groupby("kind")["cents"].sum()
    invoiced = int(inv.loc[inv["issue_date"].between(start, end), "cents"].sum())
    credit = int(by_kind.get("credit_note", 0))
    months = pandas_months(pandas_monthly_sales(inv, pay), end)
    return finish(
        at_start,
        at_end,
        invoiced - credit,
        int(by_kind.get("payment", 0)),
        credit,
        int(by_kind.get("write_off", 0)),
        period.days,
        months,
    )


# ----------------------------------------------------------------------------- creditkpi
def ck_ingest(frames: tuple[Any, Any]) -> ck.Ledger:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        return ck.Ledger.from_frames(*frames)


def ck_aging(ledger: ck.Ledger, t: np.datetime64) -> list[int]:
    row = position(ledger, t.item()).iloc[0]
    return [int(row["receivables"]), int(row["overdue"]), *[int(row[b]) for b in BUCKETS]]


def ck_series(ledger: ck.Ledger, dates: list[np.datetime64]) -> tuple[list[list[int]], list[float]]:
    pos = position(ledger, [d.item() for d in dates], method="sweep")
    rows = [
        [int(r["receivables"]), int(r["overdue"]), *[int(r[b]) for b in BUCKETS]]
        for _, r in pos.iterrows()
    ]
    first = np.datetime64(ledger.first_date, "D")
    windows = []
    for t in dates:
        windows += month_list(t, first)
    unique = sorted(set(windows))
    sales = flows(ledger, [ck.Period(a.item(), b.item()) for a, b in unique])["sales"]
    lookup = dict(zip(unique, sales.to_numpy().tolist(), strict=True))
    cb = [
        countback(
            r[0],
            [(int(lookup[w]), int((w[1] - w[0]).astype(int)) + 1) for w in month_list(t, first)],
        )
        for r, t in zip(rows, dates, strict=True)
    ]
    return rows, cb


#: the KPIs of task d (those the DuckDB and pandas baselines compute)
DASHBOARD_KPIS = [
    "receivables", "overdue", "sales", "cash_collected", "dso", "countback_dso",
    "best_possible_dso", "average_days_delinquent", "cei", "loss_rate", "overdue_rate",
]  # fmt: skip


def ck_dashboard(ledger: ck.Ledger, period: ck.Period) -> dict[str, float]:
    summary = ckd.summarize(ledger, period, only=DASHBOARD_KPIS)
    row = ckd.kpis(summary, money="decimal").iloc[0]
    out: dict[str, float] = {}
    for k, v in row.items():
        out[str(k)] = int(v.scaleb(2)) if isinstance(v, Decimal) else float(v)
    return out


# ----------------------------------------------------------------------------- checks
def same(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return all(same(a[k], b[k]) for k in b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) or isinstance(b, float):
        return bool(np.isclose(a, b, rtol=1e-12, atol=0, equal_nan=True))
    return bool(a == b)


def _common(reference: dict[str, float], got: dict[str, float]) -> dict[str, float]:
    """The reference's figures that the KPI table holds too (cash is ``cash_collected``)."""
    named = {("cash_collected" if k == "cash" else k): v for k, v in reference.items()}
    return {k: v for k, v in named.items() if k in got}


def check(name: str, a: Any, b: Any) -> None:
    if not same(a, b):
        raise AssertionError(f"{name}: results differ\n{a}\n{b}")


# ----------------------------------------------------------------------------- main
def run_size(n: int, tasks: list[str], repeat: int, pandas_max: int) -> list[tuple[Any, ...]]:
    import duckdb

    t0 = time.perf_counter()
    tables: Tables = make_tables(n)
    gen = time.perf_counter() - t0
    inv, pay = tables.pandas()
    input_mib = tables.nbytes / 2**20
    print(
        f"\n## {n:,} invoices, {tables.payments.num_rows:,} settlements "
        f"(generated in {gen:.1f} s; input columns {input_mib:,.0f} MiB)",
        flush=True,
    )
    con = duckdb.connect()
    con.register("inv", tables.invoices)
    con.register("pay", tables.payments)
    pinv, ppay = pandas_prepare(inv, pay) if n <= pandas_max else (None, None)
    rows: list[tuple[Any, ...]] = []
    t_duck_aging, _, duck_a = measure(lambda: duck_aging(con, ONE_DATE), repeat)

    def row(task: str, t_ck: float, mem: float, base: str, t_base: float | None) -> None:
        ratio = "" if t_base is None else f"{t_ck / t_base:.3f}"
        shown = "—" if t_base is None else f"{t_base:.3f}"
        rows.append((n, task, t_ck, mem, base, shown, ratio))
        print(
            f"{task:<44} {t_ck:>8.3f} s {mem:>8,.0f} MiB  {base:<22} {shown:>8} s  {ratio:>7}",
            flush=True,
        )

    ledger = ck_ingest((inv, pay))
    if "c" in tasks:
        t, mem, _ = measure(lambda: ck_ingest((inv, pay)), repeat)
        row("c ingestion from pandas", t, mem, "DuckDB aging query", t_duck_aging)
        for label, frames in (("polars", tables.polars()), ("pyarrow", tables.arrow())):
            t, mem, other = measure(lambda frames=frames: ck_ingest(frames), repeat)
            for col in CHECKED_COLUMNS:
                got, want = getattr(other._cols, col), getattr(ledger._cols, col)
                assert np.array_equal(got, want), (label, col)
            del other
            row(f"c ingestion from {label}", t, mem, "DuckDB aging query", t_duck_aging)
    if "a" in tasks:
        t, mem, got = measure(lambda: ck_aging(ledger, ONE_DATE), repeat)
        check("a vs DuckDB", got, duck_a)
        row("a aging at one date", t, mem, "DuckDB SQL", t_duck_aging)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_public, _, table = measure(lambda: ck.aging(ledger, ONE_DATE.item()), repeat)
        # one row per as-of date, one column per bucket (and total, unapplied)
        shown = [round(float(table.iloc[0][b]) * 100) for b in BUCKETS]
        check("a ck.aging vs DuckDB", shown, duck_a[2:])
        row("a ck.aging (the public call)", t_public, 0.0, "DuckDB SQL", t_duck_aging)
        if pinv is not None:
            tp, _, ref = measure(lambda: pandas_aging(pinv, ppay, ONE_DATE), repeat)
            check("a vs pandas", got, ref)
            row("a aging at one date", t, mem, "pandas", tp)
    dates = month_ends(36)
    if "b" in tasks:
        t, mem, got = measure(lambda: ck_series(ledger, dates), repeat)
        td, _, ref = measure(lambda: duck_series(con, dates), repeat)
        check("b vs DuckDB", got, ref)
        row("b receivables+aging+countback, 36 dates", t, mem, "DuckDB SQL", td)
        if pinv is not None:
            tp, _, ref = measure(lambda: pandas_series(pinv, ppay, dates), 1)
            check("b vs pandas", got, ref)
            row("b receivables+aging+countback, 36 dates", t, mem, "pandas", tp)
        t_a, _, _ = measure(lambda: ck_aging(ledger, ONE_DATE), repeat)
        rows.append((n, "b / a (target <= 3)", t / t_a, 0.0, "", "", ""))
        print(f"{'b / a (creditkpi; target <= 3)':<44} {t / t_a:>8.2f}", flush=True)
    if "d" in tasks:

        def full() -> dict[str, float]:
            return ck_dashboard(ck_ingest((inv, pay)), MONTH)

        t, mem, got = measure(full, repeat)
        td, _, ref = measure(lambda: duck_dashboard(con, MONTH), repeat)
        check("d vs DuckDB", got, _common(ref, got))
        row("d ingestion + dashboard (one month)", t, mem, "DuckDB SQL", td)
        t_only, _, _ = measure(lambda: ck_dashboard(ledger, MONTH), repeat)
        row("d dashboard on a built ledger", t_only, 0.0, "DuckDB SQL", td)
        if pinv is not None:
            tp, _, ref = measure(lambda: pandas_dashboard(pinv, ppay, MONTH), 1)
            check("d vs pandas", got, _common(ref, got))
            row("d ingestion + dashboard (one month)", t, mem, "pandas", tp)
    print(f"input columns: {input_mib:,.0f} MiB", flush=True)
    rows.append((n, "input columns (MiB)", input_mib, 0.0, "", "", ""))
    con.close()
    return rows


def machine() -> str:
    import duckdb

    cpu = "?"
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(
                line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import polars
    import pyarrow

    return (
        f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, Python {platform.python_version()}, "
        f"numpy {np.__version__}, pandas {pd.__version__}, duckdb {duckdb.__version__}, "
        f"pyarrow {pyarrow.__version__}, polars {polars.__version__}, creditkpi {ck.__version__}"
        f"; {allocator()}"
    )


def allocator() -> str:
    """The glibc ``malloc`` settings of this process's environment (the *Performance* page).

    By default glibc hands every array of 32 MiB or more back to the system
    when it is freed, and the next one faults its pages in afresh;
    ``MALLOC_MMAP_MAX_=0`` keeps them. With memory kept, the peak-memory
    column undercounts: pages kept from an earlier run count as "before".
    """
    names = ("MALLOC_MMAP_MAX_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")
    found = [f"{name}={os.environ[name]}" for name in names if name in os.environ]
    return "malloc: " + (" ".join(found) if found else "glibc defaults")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--invoices", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--tasks", nargs="+", default=["a", "b", "c", "d"], choices=list("abcd"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--pandas-max", type=int, default=10_000_000, help="skip pandas above this size"
    )
    args = parser.parse_args()
    print(machine())
    print(
        f"{'task':<44} {'creditkpi':>10} {'peak mem':>12}  {'baseline':<22} {'time':>10}  {'ratio':>7}"
    )
    for n in args.invoices:
        run_size(n, sorted(args.tasks, key="cabd".index), args.repeat, args.pandas_max)


if __name__ == "__main__":
    main()
