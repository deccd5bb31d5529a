"""Benchmark of expected credit loss: loss rates and the provision matrix.

Times ``ck.loss_rates`` (cohort and roll-rate methods) and
``ck.provision_matrix`` against an idiomatic pandas baseline run in the same
process on the same generated ledger (merge the settlements onto their
invoices, place each in its bucket, pivot per invoice, pool), checks that the
entered and lost amounts are equal to the cent, and prints the ratios.

    python benchmarks/bench_provision.py --invoices 1000000
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from generate import make_frames
from timing import best

import creditkpi as ck

AS_OF = np.datetime64("2024-12-31", "D")
STARTS = np.array([1, 31, 61, 91])  # first day past due of buckets 1-30 .. 91+
DEFAULT_AFTER = 365
RATES = [0.003, 0.016, 0.036, 0.066, 0.106]


def pandas_cohort(inv: pd.DataFrame, pay: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Entered and lost cents per bucket, the cohort way, with pandas (the baseline)."""
    inv = inv.assign(
        cents=np.rint(inv["amount"].to_numpy() * 100).astype(np.int64),
        due=inv["due_date"].to_numpy().astype("datetime64[D]"),
        issue=inv["issue_date"].to_numpy().astype("datetime64[D]"),
    )
    taken = inv[inv["due"] + np.timedelta64(DEFAULT_AFTER, "D") <= AS_OF]
    merged = pay.merge(
        taken[["invoice_id", "due", "issue"]], on="invoice_id", how="inner", validate="m:1"
    )
    date = merged["date"].to_numpy().astype("datetime64[D]")
    dpd = (date - merged["due"].to_numpy().astype("datetime64[D]")).astype(np.int64)
    bounds = np.append(STARTS, DEFAULT_AFTER)
    slot = 1 + np.searchsorted(bounds, dpd, side="left")
    slot[date <= merged["issue"].to_numpy().astype("datetime64[D]")] = 0
    merged = merged.assign(
        slot=slot,
        writeoff=(merged["kind"] == "write_off").to_numpy(),
        cents=np.rint(merged["amount"].to_numpy() * 100).astype(np.int64),
    )
    table = merged.pivot_table(
        index="invoice_id",
        columns=["writeoff", "slot"],
        values="cents",
        aggfunc="sum",
        fill_value=0,
    )
    table = table.reindex(
        columns=pd.MultiIndex.from_product([[False, True], range(6)]), fill_value=0
    ).reindex(taken["invoice_id"], fill_value=0)
    cash = table[False].to_numpy().cumsum(axis=1)
    written = table[True].to_numpy().cumsum(axis=1)
    amount = taken["cents"].to_numpy()[:, None]
    entered = np.maximum(amount - cash[:, :5] - written[:, :5], 0)
    loss = np.clip(amount - cash[:, 5:6] - written[:, :5], 0, entered)
    return entered.sum(axis=0), loss.sum(axis=0)


def pandas_matrix(inv: pd.DataFrame, pay: pd.DataFrame) -> np.ndarray:
    """Allowance per bucket from an aged balance with pandas (the baseline)."""
    paid = pay[pay["date"] <= pd.Timestamp(AS_OF)].groupby("invoice_id")["amount"].sum()
    open_ = inv.set_index("invoice_id")
    open_ = open_[open_["issue_date"] <= pd.Timestamp(AS_OF)]
    balance = open_["amount"] - paid.reindex(open_.index, fill_value=0.0)
    dpd = (pd.Timestamp(AS_OF) - open_["due_date"]).dt.days
    bucket = np.searchsorted(STARTS, dpd.to_numpy(), side="right")
    gross = balance[balance > 0].groupby(bucket[(balance > 0).to_numpy()]).sum()
    return np.round(gross.reindex(range(5), fill_value=0.0).to_numpy() * np.asarray(RATES), 2)


def run(n: int, repeat: int) -> None:
    """Time every task on a generated ledger of ``n`` invoices and print one line each."""
    inv, pay = make_frames(n)
    t_build, ledger = best(lambda: ck.Ledger.from_frames(inv, pay), 1)
    as_of = AS_OF.item()

    def line(task: str, mine: float, theirs: float | None = None) -> None:
        base = "" if theirs is None else f"{theirs:>10.3f} {theirs / mine:>7.1f}"
        print(f"{n:>10} {task:<28} {mine:>10.3f} {base}")

    t_ck, table = best(lambda: ck.loss_rates(ledger, as_of), repeat)
    t_pd, (entered, loss) = best(lambda: pandas_cohort(inv, pay), repeat)
    assert np.array_equal(np.rint(table["entered"].to_numpy() * 100), entered)
    assert np.array_equal(np.rint(table["loss"].to_numpy() * 100), loss)
    line("loss rates (cohort)", t_ck, t_pd)
    line("  + Ledger.from_frames", t_ck + t_build, t_pd)
    line(
        "loss rates (roll rate)",
        best(lambda: ck.loss_rates(ledger, as_of, method="roll_rate"), repeat)[0],
    )
    t_ck, matrix = best(lambda: ck.provision_matrix(ledger, as_of, rates=RATES), repeat)
    t_pd, allowance = best(lambda: pandas_matrix(inv, pay), repeat)
    assert np.allclose(matrix["allowance"].to_numpy()[:5], allowance, atol=0.011)
    line("provision matrix (rates)", t_ck, t_pd)
    line("provision matrix (history)", best(lambda: ck.provision_matrix(ledger, as_of), repeat)[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--invoices", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    print(f"{'invoices':>10} {'task':<28} {'creditkpi':>10} {'pandas':>10} {'ratio':>7}")
    for n in args.invoices:
        run(n, args.repeat)


if __name__ == "__main__":
    main()
