"""Benchmark of ``Ledger.from_fec`` on an FEC of about a million entry lines.

The generated ledger of ``generate.py`` (invoices and settlements) is written
as the FEC a bookkeeper would post, vectorised: an invoice is a sales-journal
entry of three lines (debit 411, credit 706 and 44571), a payment a bank
entry (debit 512 / credit 411), a credit note a sales entry (debit 706 and
44571 / credit 411), a write-off a miscellaneous entry (debit 654 / credit
411); every settlement is lettered with its invoice. The file is tab
separated, with decimal commas and ``AAAAMMJJ`` dates, as the format wants.

In the same run, on the same ledger: ``Ledger.from_frames`` on the two
canonical tables (the baseline: typed dates and float amounts), the same two
tables as tab-separated text files written the FEC's way (``read_table`` +
``from_frames(decimal=",", date_format="%Y%m%d")``: the cost of reading
text), ``Ledger.from_fec`` on the FEC file (read,
checked, lettering applied, built), on the FEC already read as a frame, and
with the invoices' due dates given (``due_dates=``), which must give the
same receivables and aged balance as ``from_frames`` at every month-end.
Time is the best of ``--repeat`` runs; peak memory is the peak resident
memory above the resident memory before the call (Linux ``VmHWM``).

    python benchmarks/bench_fec.py --lines 1000000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from generate import make_tables, month_ends
from timing import measure

import creditkpi as ck
from creditkpi.core.ingest.fec import FEC_COLUMNS

LINES_PER_INVOICE = 3 + 2 * 1.35  # an invoice entry, ~1.35 settlements of two lines


def _amounts(cents: np.ndarray) -> np.ndarray:
    """``1234,56``: decimal comma, no thousands separator."""
    units = pd.Series(cents // 100).astype(str)
    frac = pd.Series(cents % 100).astype(str).str.zfill(2)
    return (units + "," + frac).to_numpy(dtype=object)


def _days(days: np.ndarray) -> np.ndarray:
    text = np.datetime_as_string(days.astype("datetime64[D]"), unit="D")
    return np.char.replace(text, "-", "").astype(object)


def write_fec(inv: pd.DataFrame, pay: pd.DataFrame) -> pd.DataFrame:
    """The FEC lines (text columns) of the generated tables."""
    n, m = len(inv), len(pay)
    cents = np.rint(inv["amount"].to_numpy(dtype=float) * 100).astype(np.int64)
    net = np.rint(cents / 1.2).astype(np.int64)
    issue = inv["issue_date"].to_numpy().astype("datetime64[D]")
    ids = inv["invoice_id"].to_numpy(dtype=object)
    cust = inv["customer_id"].to_numpy(dtype=object)
    position = pd.Series(np.arange(n), index=ids)
    of = position.loc[pay["invoice_id"].to_numpy(dtype=object)].to_numpy()
    p_cents = np.rint(pay["amount"].to_numpy(dtype=float) * 100).astype(np.int64)
    p_net = np.rint(p_cents / 1.2).astype(np.int64)
    p_day = pay["date"].to_numpy().astype("datetime64[D]")
    kind = pay["kind"].to_numpy(dtype=object)
    letter = pd.Series(np.arange(n)).map(lambda k: np.base_repr(k, 36)).to_numpy(dtype=object)

    journal_of = np.where(kind == "payment", "BQ", np.where(kind == "credit_note", "VT", "OD"))
    # entries: invoice k is VT entry k; settlement j is entry n + j of its journal
    columns: dict[str, list[np.ndarray]] = {c: [] for c in FEC_COLUMNS}

    def add(**values: Any) -> None:
        size = max(len(v) for v in values.values() if isinstance(v, np.ndarray))
        for c in FEC_COLUMNS:
            v = values.get(c, "")
            columns[c].append(v if isinstance(v, np.ndarray) else np.full(size, v, dtype=object))

    inv_num = np.arange(1, n + 1).astype(str).astype(object)
    day = _days(issue)
    for account, debit, credit, aux, let in (
        ("411000", _amounts(cents), "0,00", cust, letter),
        ("706000", "0,00", _amounts(net), "", ""),
        ("44571", "0,00", _amounts(cents - net), "", ""),
    ):
        add(
            JournalCode="VT", JournalLib="Ventes", EcritureNum=inv_num, EcritureDate=day,
            CompteNum=account, CompteLib=account, CompAuxNum=aux, CompAuxLib=aux,
            PieceRef=ids, PieceDate=day, EcritureLib="Facture", Debit=debit, Credit=credit,
            EcritureLet=let, ValidDate=day,
        )  # fmt: skip
    pay_num = (n + 1 + np.arange(m)).astype(str).astype(object)
    pday = _days(p_day)
    # the credit note's two debit lines (706, 44571), the others' one (512 or 654)
    other = np.where(
        kind == "payment", "512000", np.where(kind == "credit_note", "706000", "654000")
    )
    first = np.where(kind == "credit_note", p_net, p_cents)
    note = np.flatnonzero(kind == "credit_note")
    common = {"JournalLib": "Journal", "PieceRef": ("R" + pay_num).astype(object)}
    add(
        JournalCode=journal_of.astype(object), EcritureNum=pay_num, EcritureDate=pday,
        CompteNum=other.astype(object), CompteLib=other.astype(object), PieceDate=pday,
        EcritureLib="Contrepartie", Debit=_amounts(first), Credit="0,00", ValidDate=pday, **common,
    )  # fmt: skip
    add(
        JournalCode=np.full(note.size, "VT", dtype=object), JournalLib="Ventes",
        EcritureNum=pay_num[note], EcritureDate=pday[note], CompteNum="44571", CompteLib="TVA",
        PieceRef=common["PieceRef"][note], PieceDate=pday[note], EcritureLib="Avoir TVA",
        Debit=_amounts(p_cents[note] - p_net[note]), Credit="0,00", ValidDate=pday[note],
    )  # fmt: skip
    add(
        JournalCode=journal_of.astype(object), EcritureNum=pay_num, EcritureDate=pday,
        CompteNum="411000", CompteLib="Clients", CompAuxNum=cust[of], CompAuxLib=cust[of],
        PieceDate=pday, EcritureLib="Règlement", Debit="0,00", Credit=_amounts(p_cents),
        EcritureLet=letter[of], DateLet=pday, ValidDate=pday, **common,
    )  # fmt: skip
    return pd.DataFrame({c: np.concatenate(columns[c]) for c in FEC_COLUMNS})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="FEC lines (about)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n = int(args.lines / LINES_PER_INVOICE)
    t = time.perf_counter()
    inv, pay = make_tables(n, seed=0).pandas()
    inv = inv.drop(columns="country")
    fec = write_fec(inv, pay)
    folder = Path(tempfile.mkdtemp())
    path = folder / "000000000FEC20241231.txt"
    fec.to_csv(path, sep="\t", index=False, lineterminator="\r\n")
    made = time.perf_counter() - t
    size = path.stat().st_size / 2**20
    print(
        f"{n:,} invoices, {len(pay):,} settlements -> FEC of {len(fec):,} lines, "
        f"{size:,.0f} MiB (written in {made:.1f} s)"
    )
    # the same two tables as text files, written the FEC's way (decimal commas, AAAAMMJJ)
    texts = []
    for name, table, dates in (
        ("invoices.txt", inv, ("issue_date", "due_date")),
        ("payments.txt", pay, ("date",)),
    ):
        text = table.copy()
        text["amount"] = _amounts(
            np.rint(table["amount"].to_numpy(dtype=float) * 100).astype(np.int64)
        )
        for column in dates:
            text[column] = _days(table[column].to_numpy())
        text.to_csv(folder / name, sep="\t", index=False)
        texts.append(folder / name)

    def from_text() -> ck.Ledger:
        frames = [ck.read_table(p) for p in texts]
        return ck.Ledger.from_frames(*frames, decimal=",", date_format="%Y%m%d")

    due = pd.Series(inv["due_date"].to_numpy(), index=inv["invoice_id"].to_numpy(dtype=object))
    rows: list[tuple[str, float, float]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base, base_mem, reference = measure(lambda: ck.Ledger.from_frames(inv, pay), args.repeat)
        rows.append(("Ledger.from_frames (two tables, baseline)", base, base_mem))
        text_t, text_mem, _ = measure(from_text, args.repeat)
        rows.append(("read_table + from_frames (two text files)", text_t, text_mem))
        fec_t, fec_mem, _ = measure(lambda: ck.Ledger.from_fec(path), args.repeat)
        rows.append(("Ledger.from_fec (the file)", fec_t, fec_mem))
        read_t, read_mem, frame = measure(
            lambda: ck.read_table(path, encoding="utf-8-sig"), args.repeat
        )
        rows.append(("  of which reading the file (read_table)", read_t, read_mem))
        frame_t, frame_mem, _ = measure(lambda: ck.Ledger.from_fec(frame), args.repeat)
        rows.append(("Ledger.from_fec (a frame already read)", frame_t, frame_mem))
        due_t, due_mem, got = measure(lambda: ck.Ledger.from_fec(path, due_dates=due), 1)
        rows.append(("Ledger.from_fec (the file, due_dates=)", due_t, due_mem))
    dates = [str(d) for d in month_ends(36)]
    same_receivables = ck.receivables(got, dates).equals(ck.receivables(reference, dates))
    same_aging = all(
        ck.aging(got, d, money="decimal").equals(ck.aging(reference, d, money="decimal"))
        for d in dates[::6]
    )
    print(f"{'call':45s} {'time':>9s} {'peak mem':>10s} {'/ from_frames':>14s}")
    for name, seconds, mib in rows:
        print(f"{name:45s} {seconds:8.3f}s {mib:7.0f} MiB {seconds / base:14.2f}")
    print(
        f"same receivables at 36 month-ends: {same_receivables}; "
        f"same aged balance at 6 of them: {same_aging}"
    )
    if not (same_receivables and same_aging):
        raise SystemExit("from_fec and from_frames disagree")


if __name__ == "__main__":
    main()
