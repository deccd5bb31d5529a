"""Beyond memory: a book larger than the cluster's memory, through ``from_dask``, checked exactly.

    python benchmarks/bench_beyond_memory.py --invoices 1000000 --parts 8
    python benchmarks/bench_beyond_memory.py --invoices 100000000 --parts 200 \\
        --memory-limit 2.5GiB --dir /big/disk/book

1. **Write**: the generated book (``generate.iter_chunks``: chunks of
   ``--chunk`` invoices, never the whole book in memory) as a Parquet dataset
   partitioned by a hash of the customer id: ``invoices/part=k/data.parquet``
   and ``payments/part=k/data.parquet``, each payment in its invoice's
   customer's part, one row group per chunk and part.
2. **Dask**: a ``LocalCluster`` of ``--workers`` worker processes with one
   thread and ``--memory-limit`` each (their total is printed beside the
   book's in-memory size), part ``k`` of both tables read by one task
   (``dask.dataframe.from_map``), then ``creditkpi.distributed.from_dask(...,
   partitioned=True)``: (a) one month's dashboard KPIs, (b) the aging at 36
   month-ends. Wall time, and each worker's peak resident memory (``VmHWM``).
3. **Check**: the same summaries computed part by part on one process
   (``Ledger.from_frames`` + ``summarize``), added with ``combine``, finished
   with ``kpis`` and ``table``: they must equal the Dask results exactly
   (money in integer cents).

``--skip-write`` reuses a dataset written before (same ``--dir``); ``--keep``
keeps it (by default a temporary one is removed at the end); ``--shuffled``
makes ``from_dask`` merge and shuffle the tables by customer itself
(``partitioned=False``), as for tables not written by customer.

Measured at 100M invoices, 200 parts, 2 workers x 2.5 GiB (0.53 x the book's
9.37 GiB of Arrow columns; a shared 2-core machine): dashboard 105 s, 36
month-end agings 153 s, peak 1.9 GiB per worker, equal to the check.

The workers start without Dask's ``MALLOC_TRIM_THRESHOLD_`` (see
:func:`worker_environment`): with it, ``summarize`` runs 2.5-3 x slower.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))

from generate import iter_chunks

import creditkpi as ck
from creditkpi import distributed as ckd

TABLES = ("invoices", "payments")
MONTH = "2024-06"
MONTHS = [str(p) for p in ck.Period.months("2022-01", "2024-12")]
#: the KPIs of the dashboard task of benchmarks/run.py
DASHBOARD_KPIS = [
    "receivables", "overdue", "sales", "cash_collected", "dso", "countback_dso",
    "best_possible_dso", "average_days_delinquent", "cei", "loss_rate", "overdue_rate",
]  # fmt: skip


def bucket_of(customers: np.ndarray, parts: int) -> np.ndarray:
    """The part of each customer number: a 64-bit mix (splitmix64) of it, modulo ``parts``."""
    z = customers.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (z % np.uint64(parts)).astype(np.int64)


# ----------------------------------------------------------------------------- 1. write
def write_book(folder: Path, n: int, parts: int, chunk: int) -> dict[str, Any]:
    """Stream the book into one Parquet file per table and part; return its sizes."""
    writers: dict[tuple[str, int], pq.ParquetWriter] = {}
    rows = dict.fromkeys(TABLES, 0)
    memory = 0
    t0 = time.perf_counter()
    for piece in iter_chunks(n, chunk=chunk):
        for name, table, customers in (
            ("invoices", piece.tables.invoices, piece.invoice_customer),
            ("payments", piece.tables.payments, piece.payment_customer),
        ):
            memory += table.nbytes
            rows[name] += table.num_rows
            bucket = bucket_of(customers, parts)
            order = np.argsort(bucket, kind="stable")
            bounds = np.searchsorted(bucket[order], np.arange(parts + 1))
            ordered = table.take(pa.array(order))
            for k in range(parts):
                part = ordered.slice(bounds[k], bounds[k + 1] - bounds[k])
                key = (name, k)
                if key not in writers:
                    path = folder / name / f"part={k}" / "data.parquet"
                    path.parent.mkdir(parents=True, exist_ok=True)
                    writers[key] = pq.ParquetWriter(path, table.schema, compression="zstd")
                writers[key].write_table(part)
        print(f"   written {rows['invoices']:>12,} invoices ({time.perf_counter() - t0:.0f} s)",
              flush=True)  # fmt: skip
    for writer in writers.values():
        writer.close()
    info = {"rows": rows, "memory_bytes": memory, "seconds": time.perf_counter() - t0}
    (folder / "book.json").write_text(json.dumps(info))
    return info


def disk_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*.parquet"))


# ----------------------------------------------------------------------------- 2. Dask
def read_part(spec: tuple[str, str, int]) -> pd.DataFrame:
    """Part ``k`` of one table, as the pandas frame a Dask partition is.

    Arrow-backed columns (``pd.ArrowDtype``): Dask's string conversion leaves
    them alone (object columns of dates would become text) and the ledger
    reads them through their Arrow arrays.
    """
    root, name, k = spec
    table = pq.read_table(Path(root) / name / f"part={k}")
    frame: pd.DataFrame = table.to_pandas(types_mapper=pd.ArrowDtype)
    return frame


def reset_peak() -> int:
    """Reset this process's peak resident memory (VmHWM); return its pid."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass
    return os.getpid()


def warm_up() -> None:
    import creditkpi.distributed  # noqa: F401


def peak_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def worker_environment(trim: bool = False) -> dict[str, Any]:
    """Dask's worker environment, without ``MALLOC_TRIM_THRESHOLD_`` unless ``trim``.

    Dask's nanny sets it (65536) to hand freed memory back to the system;
    setting it at all turns off glibc's adaptive mmap threshold, so every
    array of 128 KiB or more is a fresh mapping and its pages fault in anew:
    ``summarize`` runs 2.5-3 x slower (0.4 s -> 1.1 s per part of 250,000
    invoices at 36 month-ends).
    """
    import dask

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
    if not trim:
        environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    return environ


def run_dask(
    folder: Path,
    parts: int,
    workers: int,
    limit: str,
    *,
    shuffled: bool = False,
    trim: bool = False,
) -> dict[str, Any]:
    import dask
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    out: dict[str, Any] = {}
    with (
        dask.config.set({"distributed.nanny.pre-spawn-environ": worker_environment(trim)}),
        LocalCluster(n_workers=workers, threads_per_worker=1, memory_limit=limit,
                     dashboard_address=None, processes=True) as cluster,
        Client(cluster) as client,
    ):  # fmt: skip
        out["limit_bytes"] = sum(
            w["memory_limit"] for w in client.scheduler_info()["workers"].values()
        )
        client.run(warm_up)  # imports on the workers, outside the timings

        def frames() -> tuple[Any, Any]:
            out = []
            for name in TABLES:
                specs = [(str(folder), name, k) for k in range(parts)]
                meta = read_part(specs[0]).iloc[:0]
                out.append(dd.from_map(read_part, specs, meta=meta, enforce_metadata=False))
            return tuple(out)

        for task, options in (
            ("dashboard", {"periods": [MONTH], "only": DASHBOARD_KPIS}),
            ("aging36", {"periods": MONTHS, "only": ["aging"]}),
        ):
            client.run(reset_peak)
            t = time.perf_counter()
            inv, pay = frames()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                summary = ckd.from_dask(inv, pay, partitioned=not shuffled, **options)
            out[task] = {
                "seconds": time.perf_counter() - t,
                "peak_mib": sorted(client.run(peak_mib).values()),
                "result": finish(summary, task),
            }
            print(f"   dask {task}: {out[task]['seconds']:.1f} s, peak per worker "
                  f"{', '.join(f'{m:,.0f}' for m in out[task]['peak_mib'])} MiB", flush=True)  # fmt: skip
    return out


def finish(summary: ckd.Summary, task: str) -> Any:
    """The figures of a task, money in integer cents (comparable exactly)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if task == "dashboard":
            row = ckd.kpis(summary, money="decimal").iloc[0]
            return {str(k): (int(v.scaleb(2)) if hasattr(v, "scaleb") else float(v))
                    for k, v in row.items()}  # fmt: skip
        out = {}
        for p in MONTHS:
            aging = ckd.table(summary, "aging", period=p, money="decimal")
            # one row per as-of date, one column per bucket (and total, unapplied)
            out[p] = [[str(b), int(a.scaleb(2))] for b, a in aging.iloc[0].items()]
        return out


# ----------------------------------------------------------------------------- 3. check
def run_check(folder: Path, parts: int) -> dict[str, Any]:
    """The same figures from per-part single-machine summaries, added with ``combine``."""
    out: dict[str, Any] = {}
    for task, options in (
        ("dashboard", {"periods": [MONTH], "only": DASHBOARD_KPIS}),
        ("aging36", {"periods": MONTHS, "only": ["aging"]}),
    ):
        t = time.perf_counter()
        summaries = []
        for k in range(parts):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ledger = ck.Ledger.from_frames(*(read_part((str(folder), n, k)) for n in TABLES))
                summaries.append(ckd.summarize(ledger, **options))
        out[task] = {"seconds": time.perf_counter() - t,
                     "result": finish(ckd.combine(summaries), task)}  # fmt: skip
        print(f"   one process, part by part, {task}: {out[task]['seconds']:.1f} s", flush=True)
    return out


def same(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return bool(a == b or (np.isnan(a) and np.isnan(b)))
    return bool(a == b)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--parts", type=int, default=8)
    parser.add_argument("--chunk", type=int, default=5_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="2GiB", help="per worker")
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--skip-write", action="store_true")
    parser.add_argument("--skip-check", action="store_true")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--shuffled",
        action="store_true",
        help="from_dask(partitioned=False): merge and shuffle by customer instead of "
        "reading the parts as they are",
    )
    parser.add_argument(
        "--trim", action="store_true", help="keep Dask's MALLOC_TRIM_THRESHOLD_ in the workers"
    )
    args = parser.parse_args(argv)
    folder = args.dir or Path(tempfile.mkdtemp(prefix="creditkpi-book-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"== {args.invoices:,} invoices in {args.parts} parts, in {folder}", flush=True)
    if args.skip_write:
        info = json.loads((folder / "book.json").read_text())
    else:
        info = write_book(folder, args.invoices, args.parts, args.chunk)
    size = disk_bytes(folder)
    print(f"   {info['rows']['invoices']:,} invoices, {info['rows']['payments']:,} settlements; "
          f"{info['memory_bytes'] / 2**30:.2f} GiB of Arrow columns in memory, "
          f"{size / 2**30:.2f} GiB of Parquet on disk (written in {info['seconds']:.0f} s)",
          flush=True)  # fmt: skip
    dask = run_dask(
        folder, args.parts, args.workers, args.memory_limit, shuffled=args.shuffled, trim=args.trim
    )
    print(f"   cluster memory limit {dask['limit_bytes'] / 2**30:.2f} GiB "
          f"({dask['limit_bytes'] / info['memory_bytes']:.2f} x the book in memory)")  # fmt: skip
    ok = True
    if not args.skip_check:
        check = run_check(folder, args.parts)
        for task in ("dashboard", "aging36"):
            equal = same(dask[task]["result"], check[task]["result"])
            ok = ok and equal
            print(f"   {task}: Dask == sum of per-part summaries: {equal}")
    print(f"   driver peak resident memory {peak_mib():,.0f} MiB")
    print(json.dumps({"dashboard": dask["dashboard"]["result"]}, indent=None)[:400])
    if args.dir is None and not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
