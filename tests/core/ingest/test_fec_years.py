"""Open items across fiscal years, the ways accounting packages write them (``Ledger.from_fec``).

One book, two customers, written as two consecutive FECs (2023, 2024) in
each convention French packages use for the opening entries (*à nouveaux*)
of 2024, every figure worked by hand.

2023: Dupont's invoice F1 (1,200.00, Nov 2) is paid by V1 (Dec 10), both
lettered AA; Dupont's F2 (600.00, Nov 15) and Müller's F3 (2,400.00, Dec 1)
are open at the close, unlettered; Müller's V2 (1,000.00, Dec 20) and
Dupont's V3 (50.00, Dec 28) are payments nobody lettered. Due dates: 30 days.

2024: Dupont's invoice F4 (360.00, Jan 10); Dupont pays V4 (Feb 5), Müller
pays V5 (1,400.00, Feb 20), Dupont pays V6 (Mar 1). The lettering of 2024
reuses the code AA of 2023 for an unrelated group.
"""

from __future__ import annotations

import warnings
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import creditkpi as ck
from creditkpi.core.engine import flows
from creditkpi.core.ingest.fec import FEC_COLUMNS

# journal, number, date, account, customer, piece, piece date, debit, credit, lettering, DateLet
Line = tuple[str, str, str, str, str, str, str, str, str, str, str]

Y2023: list[Line] = [
    ("VT", "1", "20231102", "411000", "DUPONT", "F1", "20231102", "1200,00", "", "AA", "20231210"),
    ("VT", "1", "20231102", "706000", "", "F1", "20231102", "", "1200,00", "", ""),
    ("VT", "2", "20231115", "411000", "DUPONT", "F2", "20231115", "600,00", "", "", ""),
    ("VT", "2", "20231115", "706000", "", "F2", "20231115", "", "600,00", "", ""),
    ("VT", "3", "20231201", "411000", "MULLER", "F3", "20231201", "2400,00", "", "", ""),
    ("VT", "3", "20231201", "706000", "", "F3", "20231201", "", "2400,00", "", ""),
    ("BQ", "1", "20231210", "512000", "", "V1", "20231210", "1200,00", "", "", ""),
    ("BQ", "1", "20231210", "411000", "DUPONT", "V1", "20231210", "", "1200,00", "AA", "20231210"),
    ("BQ", "2", "20231220", "512000", "", "V2", "20231220", "1000,00", "", "", ""),
    ("BQ", "2", "20231220", "411000", "MULLER", "V2", "20231220", "", "1000,00", "", ""),
    ("BQ", "3", "20231228", "512000", "", "V3", "20231228", "50,00", "", "", ""),
    ("BQ", "3", "20231228", "411000", "DUPONT", "V3", "20231228", "", "50,00", "", ""),
]  # fmt: skip


def year_2024(opening: list[Line], v4: str, v6: str) -> list[Line]:
    return [
        *opening,
        ("VT", "1", "20240110", "411000", "DUPONT", "F4", "20240110", "360,00", "", "AC", "20240301"),
        ("VT", "1", "20240110", "706000", "", "F4", "20240110", "", "360,00", "", ""),
        ("BQ", "1", "20240205", "512000", "", "V4", "20240205", v4, "", "", ""),
        ("BQ", "1", "20240205", "411000", "DUPONT", "V4", "20240205", "", v4, "AA", "20240205"),
        ("BQ", "2", "20240220", "512000", "", "V5", "20240220", "1400,00", "", "", ""),
        ("BQ", "2", "20240220", "411000", "MULLER", "V5", "20240220", "", "1400,00", "AB", "20240220"),
        ("BQ", "3", "20240301", "512000", "", "V6", "20240301", v6, "", "", ""),
        ("BQ", "3", "20240301", "411000", "DUPONT", "V6", "20240301", "", v6, "AC", "20240301"),
    ]  # fmt: skip


#: one opening line per open item, each lettered with the 2024 items that settle it
OPENING_PER_INVOICE: list[Line] = [
    ("AN", "1", "20240101", "411000", "DUPONT", "F2", "20231115", "600,00", "", "AA", "20240205"),
    ("AN", "1", "20240101", "411000", "MULLER", "F3", "20231201", "2400,00", "", "AB", "20240220"),
    ("AN", "1", "20240101", "411000", "MULLER", "V2", "20231220", "", "1000,00", "AB", "20240220"),
    ("AN", "1", "20240101", "411000", "DUPONT", "V3", "20231228", "", "50,00", "AC", "20240301"),
    ("AN", "1", "20240101", "890000", "", "AN", "20240101", "", "1950,00", "", ""),
]  # fmt: skip
PER_INVOICE = year_2024(OPENING_PER_INVOICE, v4="600,00", v6="310,00")
#: one opening line per customer: its open balance (Dupont 600.00 - 50.00, Müller 2,400.00 - 1,000.00)
OPENING_PER_CUSTOMER: list[Line] = [
    ("AN", "1", "20240101", "411000", "DUPONT", "AN24", "20240101", "550,00", "", "AA", "20240205"),
    ("AN", "1", "20240101", "411000", "MULLER", "AN24", "20240101", "1400,00", "", "AB", "20240220"),
    ("AN", "1", "20240101", "890000", "", "AN24", "20240101", "", "1950,00", "", ""),
]  # fmt: skip
PER_CUSTOMER = year_2024(OPENING_PER_CUSTOMER, v4="550,00", v6="360,00")


def write(path: Path, lines: list[Line], sep: str = "\t") -> Path:
    rows = [
        sep.join([j, j, num, day, account, account, aux, aux, piece, pday, piece,
                  debit or "0,00", credit or "0,00", letter, datelet, day, "", ""])
        for j, num, day, account, aux, piece, pday, debit, credit, letter, datelet in lines
    ]  # fmt: skip
    path.write_text(sep.join(FEC_COLUMNS) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def frame(lines: list[Line]) -> pd.DataFrame:
    rows = [
        [j, j, num, day, account, account, aux, aux, piece, pday, piece,
         debit or "0,00", credit or "0,00", letter, datelet, day, "", ""]
        for j, num, day, account, aux, piece, pday, debit, credit, letter, datelet in lines
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=FEC_COLUMNS)


def settlements(ledger: ck.Ledger) -> list[tuple[object, ...]]:
    return [
        (r.invoice_id, str(r.date.date()), str(r.applied.date()), str(r.amount))
        for r in ledger.settlements.itertuples()
    ]


def position(ledger: ck.Ledger, day: str) -> tuple[str, str]:
    return (
        str(ck.receivables(ledger, day, money="decimal")),
        str(ck.unapplied_cash(ledger, day, money="decimal")),
    )


def read(*sources: object, **options: object) -> ck.Ledger:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        return ck.Ledger.from_fec(list(sources), **options)  # type: ignore[arg-type]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "2023": write(tmp_path / "FEC2023.txt", Y2023),
        "per-invoice": write(tmp_path / "FEC2024a.txt", PER_INVOICE, sep="|"),
        "per-customer": write(tmp_path / "FEC2024b.txt", PER_CUSTOMER),
    }


def test_per_invoice_openings_whose_earlier_lines_are_unlettered(files: dict[str, Path]) -> None:
    # each 2024 group settles the 2023 item its opening line carries: F2 by V4, F3 by
    # Müller's V2 (1,000.00, carried as a credit) and V5, F4 by Dupont's V3 (50.00) and
    # V6; the AA of 2024 is not the AA of 2023 (F1 and V1, closed)
    ledger = read(files["2023"], files["per-invoice"])
    assert ledger.n_invoices == 4  # F1 to F4: the opening lines are not counted again
    assert settlements(ledger) == [
        ("F1", "2023-12-10", "2023-12-10", "1200.00"),
        ("F3", "2023-12-20", "2023-12-20", "1000.00"),
        ("F4", "2023-12-28", "2023-12-28", "50.00"),  # before F4: counts from its issue
        ("F2", "2024-02-05", "2024-02-05", "600.00"),
        ("F3", "2024-02-20", "2024-02-20", "1400.00"),
        ("F4", "2024-03-01", "2024-03-01", "310.00"),
    ]
    assert ledger.report.rules() == ["settlement-before-issue"]
    # Jan 31: F2 600.00 + F3 1,400.00 + F4 310.00 (it was 2,910.00 and V4 unapplied)
    assert position(ledger, "2024-01-31") == ("2310.00", "0.00")
    assert position(ledger, "2024-02-29") == ("310.00", "0.00")
    assert position(ledger, "2024-03-31") == ("0.00", "0.00")
    aged = ck.aging(ledger, "2024-01-31", money="decimal").iloc[0].drop("total")
    # F2 due Dec 15 (47 days late), F3 due Dec 31 (31), F4 due Feb 9 (not due)
    assert aged.to_dict() == {
        "not due": Decimal("310.00"), "1-30": Decimal("0.00"), "31-60": Decimal("2000.00"),
        "61-90": Decimal("0.00"), "91+": Decimal("0.00"), "unapplied": Decimal("-0.00"),
    }  # fmt: skip


def test_per_customer_openings_settle_the_customers_items_oldest_due_first(
    files: dict[str, Path],
) -> None:
    # Dupont's opening (550.00) carries F2 (600.00 open) and V3 (50.00 unapplied): V3,
    # then V4, settle F2; Müller's (1,400.00) carries F3 and V2: V2, then V5, settle F3
    ledger = read(files["2023"], files["per-customer"])
    assert ledger.n_invoices == 4 and ledger.report.rules() == []
    assert settlements(ledger) == [
        ("F1", "2023-12-10", "2023-12-10", "1200.00"),
        ("F3", "2023-12-20", "2023-12-20", "1000.00"),
        ("F2", "2023-12-28", "2023-12-28", "50.00"),
        ("F2", "2024-02-05", "2024-02-05", "550.00"),
        ("F3", "2024-02-20", "2024-02-20", "1400.00"),
        ("F4", "2024-03-01", "2024-03-01", "360.00"),
    ]
    assert position(ledger, "2024-01-31") == ("2310.00", "0.00")
    assert position(ledger, "2024-02-29") == ("360.00", "0.00")
    assert position(ledger, "2024-03-31") == ("0.00", "0.00")


def test_an_open_customer_settles_its_oldest_due_item_first() -> None:
    # two open 2023 invoices of one customer, the later one falling due first
    # (due_dates=): a per-customer payment of 2024 settles that one first
    y2023: list[Line] = [
        ("VT", "1", "20231101", "411000", "LEROY", "G1", "20231101", "100,00", "", "", ""),
        ("VT", "1", "20231101", "706000", "", "G1", "20231101", "", "100,00", "", ""),
        ("VT", "2", "20231110", "411000", "LEROY", "G2", "20231110", "100,00", "", "", ""),
        ("VT", "2", "20231110", "706000", "", "G2", "20231110", "", "100,00", "", ""),
    ]  # fmt: skip
    y2024: list[Line] = [
        ("AN", "1", "20240101", "411000", "LEROY", "RAN", "20240101", "200,00", "", "X", ""),
        ("AN", "1", "20240101", "890000", "", "RAN", "20240101", "", "200,00", "", ""),
        ("BQ", "1", "20240115", "512000", "", "P1", "20240115", "100,00", "", "", ""),
        ("BQ", "1", "20240115", "411000", "LEROY", "P1", "20240115", "", "100,00", "X", ""),
    ]  # fmt: skip
    due = {"G1": "2024-01-31", "G2": "2023-12-10"}
    ledger = read(frame(y2023), frame(y2024), due_dates=due)
    assert settlements(ledger) == [("G2", "2024-01-15", "2024-01-15", "100.00")]


def test_the_new_year_read_alone_gives_the_same_position(files: dict[str, Path]) -> None:
    for convention in ("per-invoice", "per-customer"):
        both, alone = read(files["2023"], files[convention]), read(files[convention])
        for day in ("2024-01-31", "2024-02-29", "2024-03-31"):
            assert position(alone, day) == position(both, day), (convention, day)
            if convention == "per-invoice":  # each item at its own date, so aged alike
                pd.testing.assert_frame_equal(ck.aging(alone, day), ck.aging(both, day))
    # read alone, a per-customer opening is one item at the opening date: not yet due
    # on Jan 31, where the 2023 invoices it carries are 31 to 47 days late
    alone = read(files["per-customer"])
    assert ck.aging(alone, "2024-01-31").iloc[0]["not due"] == 2310.0
    assert (
        ck.aging(read(files["2023"], files["per-customer"]), "2024-01-31").iloc[0]["31-60"]
        == 1950.0
    )


def test_reading_order_does_not_matter(files: dict[str, Path]) -> None:
    for convention in ("per-invoice", "per-customer"):
        forward = read(files["2023"], files[convention])
        backward = read(files[convention], files["2023"])
        assert sorted(settlements(forward)) == sorted(settlements(backward))


def test_application_dates_keep_credits_unapplied_until_their_lettering(
    files: dict[str, Path],
) -> None:
    # applied="lettering": the 2023 payments V2 and V3 stay Müller's and Dupont's
    # unapplied credits until the 2024 lettering of their opening lines (Feb 20, Mar 1)
    ledger = read(files["2023"], files["per-invoice"], applied="lettering")
    assert settlements(ledger) == [
        ("F1", "2023-12-10", "2023-12-10", "1200.00"),
        ("F2", "2024-02-05", "2024-02-05", "600.00"),
        ("F3", "2023-12-20", "2024-02-20", "1000.00"),
        ("F3", "2024-02-20", "2024-02-20", "1400.00"),
        ("F4", "2023-12-28", "2024-03-01", "50.00"),
        ("F4", "2024-03-01", "2024-03-01", "310.00"),
    ]
    assert ledger.report.rules() == []  # V3 applies to F4 after its issue
    # Dec 31: as the 2023 books close: F2 and F3 open, V2 and V3 unapplied
    assert position(ledger, "2023-12-31") == ("3000.00", "1050.00")
    assert position(ledger, "2024-01-31") == ("3360.00", "1050.00")
    assert position(ledger, "2024-02-29") == ("360.00", "50.00")
    # the cash is counted once, on the day it was posted
    got = flows(ledger, [ck.Period.month(2023, 12), ck.Period.month(2024, 2)])["cash"]
    assert got.tolist() == [225000, 200000]  # V1 + V2 + V3; V4 + V5
    alone = read(files["per-invoice"], applied="lettering")
    for day in ("2024-01-31", "2024-02-29", "2024-03-31"):
        assert position(alone, day) == position(ledger, day)


def test_a_code_reused_in_the_new_year_ties_nothing_across_years() -> None:
    # 2024 reuses AA for a new invoice and its payment, no opening line carrying it
    y2024: list[Line] = [
        ("AN", "1", "20240101", "411000", "DUPONT", "F2", "20231115", "600,00", "", "", ""),
        ("AN", "1", "20240101", "411000", "MULLER", "F3", "20231201", "2400,00", "", "", ""),
        ("AN", "1", "20240101", "411000", "MULLER", "V2", "20231220", "", "1000,00", "", ""),
        ("AN", "1", "20240101", "411000", "DUPONT", "V3", "20231228", "", "50,00", "", ""),
        ("AN", "1", "20240101", "890000", "", "AN", "20240101", "", "1950,00", "", ""),
        ("VT", "1", "20240110", "411000", "DUPONT", "F4", "20240110", "360,00", "", "AA", ""),
        ("VT", "1", "20240110", "706000", "", "F4", "20240110", "", "360,00", "", ""),
        ("BQ", "1", "20240205", "512000", "", "V4", "20240205", "360,00", "", "", ""),
        ("BQ", "1", "20240205", "411000", "DUPONT", "V4", "20240205", "", "360,00", "AA", ""),
    ]  # fmt: skip
    ledger = read(frame(Y2023), frame(y2024))
    assert settlements(ledger) == [
        ("F1", "2023-12-10", "2023-12-10", "1200.00"),
        (None, "2023-12-20", "2023-12-20", "1000.00"),
        (None, "2023-12-28", "2023-12-28", "50.00"),
        ("F4", "2024-02-05", "2024-02-05", "360.00"),  # not F1's AA of 2023
    ]
    # nothing settles the carried items: as the 2023 books left them
    assert position(ledger, "2024-02-29") == ("3000.00", "1050.00")


def test_an_opening_line_that_disagrees_with_the_earlier_year_is_said() -> None:
    opening = [list(line) for line in PER_CUSTOMER]
    opening[0][7] = "500,00"  # Dupont's opening: 500.00, where 2023 leaves 550.00 open
    opening[2][8] = "1900,00"
    with pytest.warns(ck.DataQualityWarning, match="opening-balance-mismatch"):
        ledger = ck.Ledger.from_fec([frame(Y2023), frame([tuple(x) for x in opening])])  # type: ignore[misc]
    (issue,) = [i for i in ledger.report.issues if i.rule == "opening-balance-mismatch"]
    assert issue.ids == ("AN 1",)
    assert "first: opening 500.00, earlier year leaves 550.00 open" in issue.message


def test_one_year_whose_opening_entry_is_posted_after_its_first_entry() -> None:
    # read alone, the opening entry is the open items whatever its date (it was dropped
    # as "already counted" when posted after the year's first ordinary entry)
    late = [(j, n, "20240105" if j == "AN" else day, *rest) for j, n, day, *rest in PER_INVOICE]
    ledger = read(frame(late))  # type: ignore[arg-type]
    assert sorted(ledger.invoices["invoice_id"]) == ["F2", "F3", "F4"]
    assert position(ledger, "2024-01-31") == ("2310.00", "0.00")


def test_a_credit_only_fec() -> None:
    # a bank-journal FEC holding one receipt: the customer's unapplied credit
    receipt: list[Line] = [
        ("BQ", "1", "20240215", "512000", "", "VIR1", "20240215", "1500,00", "", "", ""),
        ("BQ", "1", "20240215", "411000", "DUPONT", "VIR1", "20240215", "", "1500,00", "A", ""),
    ]  # fmt: skip
    ledger = read(frame(receipt))
    assert (ledger.n_invoices, ledger.n_settlements) == (0, 1)
    assert position(ledger, "2024-02-29") == ("0.00", "1500.00")


def test_opening_lines_sharing_a_generic_piece_pair_up_in_order() -> None:
    # two 2023 receipts of Dupont with the same PieceRef "VIR", unlettered, carried by
    # two opening lines "VIR" lettered with F4: each carries one, none twice
    y2023: list[Line] = [
        ("BQ", "1", "20231210", "512000", "", "VIR", "20231210", "50,00", "", "", ""),
        ("BQ", "1", "20231210", "411000", "DUPONT", "VIR", "20231210", "", "50,00", "", ""),
        ("BQ", "2", "20231220", "512000", "", "VIR", "20231220", "30,00", "", "", ""),
        ("BQ", "2", "20231220", "411000", "DUPONT", "VIR", "20231220", "", "30,00", "", ""),
    ]  # fmt: skip
    y2024: list[Line] = [
        ("AN", "1", "20240101", "411000", "DUPONT", "VIR", "20231210", "", "50,00", "X", ""),
        ("AN", "1", "20240101", "411000", "DUPONT", "VIR", "20231220", "", "30,00", "X", ""),
        ("AN", "1", "20240101", "890000", "", "AN", "20240101", "80,00", "", "", ""),
        ("VT", "1", "20240110", "411000", "DUPONT", "F4", "20240110", "100,00", "", "X", ""),
        ("VT", "1", "20240110", "706000", "", "F4", "20240110", "", "100,00", "", ""),
    ]  # fmt: skip
    ledger = read(frame(y2023), frame(y2024))
    assert settlements(ledger) == [
        ("F4", "2023-12-10", "2023-12-10", "50.00"),
        ("F4", "2023-12-20", "2023-12-20", "30.00"),
    ]
    assert position(ledger, "2024-01-31") == ("20.00", "0.00")
    assert "opening-balance-mismatch" not in ledger.report.rules()


def test_an_item_carried_over_three_years() -> None:
    # F9 of 2022, still open at the ends of 2022 and 2023, paid in 2024: each opening
    # carries it (per invoice in 2023, per customer in 2024) and is not counted again
    y2022: list[Line] = [
        ("VT", "1", "20221110", "411000", "LEROY", "F9", "20221110", "300,00", "", "", ""),
        ("VT", "1", "20221110", "706000", "", "F9", "20221110", "", "300,00", "", ""),
    ]  # fmt: skip
    y2023: list[Line] = [
        ("AN", "1", "20230101", "411000", "LEROY", "F9", "20221110", "300,00", "", "", ""),
        ("AN", "1", "20230101", "890000", "", "AN", "20230101", "", "300,00", "", ""),
        ("BQ", "1", "20230601", "512000", "", "P1", "20230601", "100,00", "", "", ""),
        ("BQ", "1", "20230601", "411000", "LEROY", "P1", "20230601", "", "100,00", "", ""),
    ]  # fmt: skip
    y2024: list[Line] = [
        ("AN", "1", "20240101", "411000", "LEROY", "RAN", "20240101", "200,00", "", "Q", ""),
        ("AN", "1", "20240101", "890000", "", "RAN", "20240101", "", "200,00", "", ""),
        ("BQ", "1", "20240310", "512000", "", "P2", "20240310", "200,00", "", "", ""),
        ("BQ", "1", "20240310", "411000", "LEROY", "P2", "20240310", "", "200,00", "Q", ""),
    ]  # fmt: skip
    ledger = read(frame(y2024), frame(y2022), frame(y2023))
    assert ledger.n_invoices == 1 and ledger.report.rules() == []
    # P1, unlettered in 2023, is netted by Leroy's 2024 opening with P2
    assert settlements(ledger) == [
        ("F9", "2023-06-01", "2023-06-01", "100.00"),
        ("F9", "2024-03-10", "2024-03-10", "200.00"),
    ]
    assert position(ledger, "2023-12-31") == ("200.00", "0.00")
    assert position(ledger, "2024-03-31") == ("0.00", "0.00")
