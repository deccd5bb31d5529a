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
``--convention`` also writes the ledger as one FEC per year opened per
invoice or per customer (the ways packages write their *à nouveaux*), or
reads the file with ``applied="lettering"``, and checks each against
``from_frames`` (``all``: every one).

    python benchmarks/bench_fec.py --lines 1000000 --convention all
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


def write_fec(
    inv: pd.DataFrame, pay: pd.DataFrame, pay_letter: np.ndarray | None = None
) -> pd.DataFrame:
    """The FEC lines (text columns) of the generated tables.

    ``pay_letter``: the lettering code of each settlement's customer line
    (default: its invoice's code).
    """
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
        EcritureLet=letter[of] if pay_letter is None else pay_letter, DateLet=pday,
        ValidDate=pday, **common,
    )  # fmt: skip
    return pd.DataFrame({c: np.concatenate(columns[c]) for c in FEC_COLUMNS})


def write_years(inv: pd.DataFrame, pay: pd.DataFrame, convention: str) -> list[pd.DataFrame]:
    """The same ledger as one FEC per calendar year, each later year opened by an *à nouveaux*
    entry carrying the items open at the close, one line per invoice (``per-invoice``: each
    lettered with its invoice's code, as its later settlements are) or one per customer
    (``per-customer``: the customer's open balance, lettered with a code of the customer,
    as its later settlements of earlier invoices are)."""
    ids = inv["invoice_id"].to_numpy(dtype=object)
    cust = inv["customer_id"].to_numpy(dtype=object)
    cents = np.rint(inv["amount"].to_numpy(dtype=float) * 100).astype(np.int64)
    issue = inv["issue_date"].to_numpy().astype("datetime64[D]")
    of = pd.Series(np.arange(len(inv)), index=ids).loc[pay["invoice_id"].to_numpy(dtype=object)]
    of = of.to_numpy()
    p_cents = np.rint(pay["amount"].to_numpy(dtype=float) * 100).astype(np.int64)
    p_day = pay["date"].to_numpy().astype("datetime64[D]")
    letter = pd.Series(np.arange(len(inv))).map(lambda k: np.base_repr(k, 36)).to_numpy(object)
    years = sorted({int(str(d)[:4]) for d in issue.astype("datetime64[Y]")})
    starts = [np.datetime64(f"{y}-01-01", "D") for y in years]
    # per customer: what a later year pays on an earlier year's invoice carries its code
    p_year = np.searchsorted(np.asarray(starts), p_day, side="right") - 1
    i_year = np.searchsorted(np.asarray(starts), issue, side="right") - 1
    carried = p_year > i_year[of]
    pay_letter = letter[of].copy()
    if convention == "per-customer":
        pay_letter[carried] = ("Z" + cust[of][carried].astype(str)).astype(object)
    fec = write_fec(inv, pay, pay_letter)
    line_year = fec["EcritureDate"].str[:4].astype(int).to_numpy()
    out = []
    for k, (year, start) in enumerate(zip(years, starts, strict=True)):
        lines = fec[line_year == year]
        if k:
            paid = np.bincount(
                of[p_day < start], weights=p_cents[p_day < start], minlength=len(inv)
            )
            left = cents - np.rint(paid).astype(np.int64)
            open_ = np.flatnonzero((issue < start) & (left > 0))
            day = _days(np.full(1, start))[0]
            if convention == "per-customer":
                by = pd.Series(left[open_]).groupby(cust[open_]).sum()
                who, amount = by.index.to_numpy(dtype=object), by.to_numpy()
                piece, piece_day = np.full(who.size, f"RAN{year}", dtype=object), day
                let = ("Z" + who.astype(str)).astype(object)
            else:
                who, amount, piece = cust[open_], left[open_], ids[open_]
                piece_day, let = _days(issue[open_]), letter[open_]
            opening = pd.DataFrame(dict.fromkeys(FEC_COLUMNS, ""), index=range(who.size + 1))
            opening["JournalCode"], opening["JournalLib"] = "AN", "A nouveaux"
            opening["EcritureNum"], opening["EcritureDate"], opening["ValidDate"] = "1", day, day
            opening["CompteNum"] = ["411000"] * who.size + ["890000"]
            opening["CompteLib"] = opening["CompteNum"]
            opening["CompAuxNum"] = [*who, ""]
            opening["CompAuxLib"] = opening["CompAuxNum"]
            opening["PieceRef"] = [*piece, "AN"]
            opening["PieceDate"] = [*np.broadcast_to(piece_day, who.size), day]
            opening["EcritureLib"] = "Report"
            opening["Debit"] = [*_amounts(amount), "0,00"]
            opening["Credit"] = ["0,00"] * who.size + [_amounts(np.asarray([amount.sum()]))[0]]
            opening["EcritureLet"] = [*let, ""]
            lines = pd.concat([opening, lines], ignore_index=True)
        out.append(lines)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="FEC lines (about)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--convention",
        choices=("single", "per-invoice", "per-customer", "lettering", "all"),
        default="single",
        help="how the FEC is written: one file (single), one file per year opened per invoice "
        "or per customer, one file read with applied='lettering'; all: each of them",
    )
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
        checks: list[tuple[str, ck.Ledger, bool]] = []
        wanted = (
            ("per-invoice", "per-customer", "lettering")
            if args.convention == "all"
            else (args.convention,)
        )
        for convention in wanted:
            if convention == "single":
                continue
            if convention == "lettering":
                t, mem, read = measure(
                    lambda: ck.Ledger.from_fec(path, due_dates=due, applied="lettering"),
                    args.repeat,
                )
                rows.append(("Ledger.from_fec (applied='lettering')", t, mem))
                checks.append((convention, read, True))
                continue
            paths = []
            for k, year in enumerate(write_years(inv, pay, convention)):
                paths.append(folder / f"000000000FEC{k}-{convention}.txt")
                year.to_csv(paths[-1], sep="\t", index=False, lineterminator="\r\n")
            t, mem, read = measure(
                lambda paths=paths: ck.Ledger.from_fec(paths, due_dates=due), args.repeat
            )
            lines = sum(len(pd.read_csv(q, sep="\t", usecols=[0])) for q in paths)
            rows.append((f"Ledger.from_fec ({len(paths)} years, {convention})", t, mem))
            print(f"{convention}: {len(paths)} files, {lines:,} lines")
            # per customer, the earlier items are settled oldest due first: the same
            # receivables, not the same invoices (so not the same aged balance)
            checks.append((convention, read, convention == "per-invoice"))
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
    for convention, read, aged in checks:
        same = ck.receivables(read, dates).equals(ck.receivables(reference, dates))
        same_aged = not aged or all(
            ck.aging(read, d, money="decimal").equals(ck.aging(reference, d, money="decimal"))
            for d in dates[::6]
        )
        print(f"{convention}: same receivables: {same}; same aged balance: {same_aged}")
        if not (same and same_aged):
            raise SystemExit(f"from_fec ({convention}) and from_frames disagree")


if __name__ == "__main__":
    main()
