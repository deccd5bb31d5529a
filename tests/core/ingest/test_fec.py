"""The French FEC (``Ledger.from_fec``): a hand-made two-year FEC worked out by hand.

The company's customers: Dupont (CDUPONT), Müller (CMULLER) and Leroy
(CLEROY), on the collective account 411000; default terms 30 days.

Fiscal year 2023:

* VT 1, Nov 2: invoice F1 to Dupont, 1,200.00 (411 / 706 + 44571), lettered AA;
* VT 2, Nov 15: invoice F2 to Dupont, 600.00, lettered AA;
* VT 3, Dec 1: invoice F3 to Müller, 2,400.00, lettered AB;
* BQ 1, Dec 10: Dupont pays 1,500.00, lettered AA (a partial lettering:
  1,800.00 of debits): F1 1,200.00 (oldest first), F2 300.00;
* BQ 2, Dec 20: Müller pays 1,000.00, lettered AB: F3 1,000.00;
* VT 4, Dec 22: credit note AV1 to Müller, 240.00, in the sales journal,
  lettered AB: F3 240.00 (F3 keeps 1,160.00 open);
* BQ 3, Dec 28: Dupont pays 50.00, unlettered: unapplied cash.

Fiscal year 2024:

* AN 1, Jan 1 (opening entries, *à nouveaux*): F2's 300.00 (lettered AC),
  F3's 1,160.00 (lettered AD) and Dupont's unapplied 50.00, against 890000;
* VT 1, Jan 10: invoice F4 to Dupont, 360.00, lettered AC;
* BQ 1, Feb 5: Dupont pays 660.00, lettered AC: F2's last 300.00, F4 360.00;
* OD 1, Mar 1: Müller moves to doubtful customers (debit 416000 lettered
  AE, credit 411000 lettered AD): F3 is doubtful from Mar 1, not paid;
* OD 2, Mar 31: provision of 580.00 on F3 (681740 / 491100, PieceRef F3);
* VT 2, Mar 15: invoice F5 to Leroy, 900.00, unlettered (open);
* BQ 2, Apr 2: Leroy pays 75.50, unlettered: unapplied cash;
* BQ 3, May 15: Müller pays 160.00 on 416000, lettered AE: F3 160.00;
* OD 3, Jun 30: the rest of F3 is written off (654000 833.33 + 44571
  166.67 / 416000 1,000.00, lettered AE): a write-off of 1,000.00.
"""

from __future__ import annotations

import warnings
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import creditkpi as ck
from creditkpi.core.ingest.fec import FEC_COLUMNS
from tests.fec_writer import CONVENTIONS, Years, write_credits, write_years
from tests.fec_writer import write_fec as write_fec_of
from tests.strategies import LedgerSpec, ledger_specs

JOURNALS = {"VT": "Ventes", "BQ": "Banque", "OD": "Opérations diverses", "AN": "À nouveaux"}
ACCOUNTS = {
    "411000": "Clients",
    "416000": "Clients douteux ou litigieux",
    "491100": "Dépréciation des comptes clients",
    "512000": "Banque",
    "654000": "Pertes sur créances irrécouvrables",
    "681740": "Dotations aux dépréciations des créances",
    "706000": "Prestations de services",
    "44571": "TVA collectée",
    "890000": "Bilan d'ouverture",
}
NAMES = {"CDUPONT": "Dupont SA", "CMULLER": "Müller & Söhne", "CLEROY": "Électricité Leroy"}

# journal, number, date, account, customer, piece, piece date, label, debit, credit, lettering
Y2023 = [
    ("VT", "1", "20231102", "411000", "CDUPONT", "F1", "20231102", "Facture F1", "1200,00", "", "AA"),
    ("VT", "1", "20231102", "706000", "", "F1", "20231102", "Facture F1", "", "1000,00", ""),
    ("VT", "1", "20231102", "44571", "", "F1", "20231102", "Facture F1", "", "200,00", ""),
    ("VT", "2", "20231115", "411000", "CDUPONT", "F2", "20231115", "Facture F2", "600,00", "", "AA"),
    ("VT", "2", "20231115", "706000", "", "F2", "20231115", "Facture F2", "", "500,00", ""),
    ("VT", "2", "20231115", "44571", "", "F2", "20231115", "Facture F2", "", "100,00", ""),
    ("VT", "3", "20231201", "411000", "CMULLER", "F3", "20231201", "Facture F3 Müller", "2400,00", "", "AB"),
    ("VT", "3", "20231201", "706000", "", "F3", "20231201", "Facture F3", "", "2000,00", ""),
    ("VT", "3", "20231201", "44571", "", "F3", "20231201", "Facture F3", "", "400,00", ""),
    ("BQ", "1", "20231210", "512000", "", "V1", "20231210", "Virement Dupont", "1500,00", "", ""),
    ("BQ", "1", "20231210", "411000", "CDUPONT", "V1", "20231210", "Virement Dupont", "", "1500,00", "AA"),
    ("BQ", "2", "20231220", "512000", "", "V2", "20231220", "Virement Müller", "1000,00", "", ""),
    ("BQ", "2", "20231220", "411000", "CMULLER", "V2", "20231220", "Virement Müller", "", "1000,00", "AB"),
    ("VT", "4", "20231222", "706000", "", "AV1", "20231222", "Avoir remise 200 €", "200,00", "", ""),
    ("VT", "4", "20231222", "44571", "", "AV1", "20231222", "Avoir remise", "40,00", "", ""),
    ("VT", "4", "20231222", "411000", "CMULLER", "AV1", "20231222", "Avoir remise", "", "240,00", "AB"),
    ("BQ", "3", "20231228", "512000", "", "V3", "20231228", "Chèque Dupont", "50,00", "", ""),
    ("BQ", "3", "20231228", "411000", "CDUPONT", "V3", "20231228", "Chèque Dupont", "", "50,00", ""),
]  # fmt: skip
Y2024 = [
    ("AN", "1", "20240101", "411000", "CDUPONT", "F2", "20231115", "Report F2", "300,00", "", "AC"),
    ("AN", "1", "20240101", "411000", "CMULLER", "F3", "20231201", "Report F3", "1160,00", "", "AD"),
    ("AN", "1", "20240101", "411000", "CDUPONT", "V3", "20231228", "Report V3", "", "50,00", ""),
    ("AN", "1", "20240101", "890000", "", "AN", "20240101", "À nouveaux", "", "1410,00", ""),
    ("VT", "1", "20240110", "411000", "CDUPONT", "F4", "20240110", "Facture F4", "360,00", "", "AC"),
    ("VT", "1", "20240110", "706000", "", "F4", "20240110", "Facture F4", "", "300,00", ""),
    ("VT", "1", "20240110", "44571", "", "F4", "20240110", "Facture F4", "", "60,00", ""),
    ("BQ", "1", "20240205", "512000", "", "V4", "20240205", "Virement Dupont", "660,00", "", ""),
    ("BQ", "1", "20240205", "411000", "CDUPONT", "V4", "20240205", "Virement Dupont", "", "660,00", "AC"),
    ("OD", "1", "20240301", "416000", "CMULLER", "F3", "20240301", "Douteux Müller", "1160,00", "", "AE"),
    ("OD", "1", "20240301", "411000", "CMULLER", "F3", "20240301", "Douteux Müller", "", "1160,00", "AD"),
    ("VT", "2", "20240315", "411000", "CLEROY", "F5", "20240315", "Facture F5", "900,00", "", ""),
    ("VT", "2", "20240315", "706000", "", "F5", "20240315", "Facture F5", "", "750,00", ""),
    ("VT", "2", "20240315", "44571", "", "F5", "20240315", "Facture F5", "", "150,00", ""),
    ("OD", "2", "20240331", "681740", "", "F3", "20240331", "Dépréciation F3", "580,00", "", ""),
    ("OD", "2", "20240331", "491100", "", "F3", "20240331", "Dépréciation F3", "", "580,00", ""),
    ("BQ", "2", "20240402", "512000", "", "V5", "20240402", "Virement Leroy", "75,50", "", ""),
    ("BQ", "2", "20240402", "411000", "CLEROY", "V5", "20240402", "Virement Leroy", "", "75,50", ""),
    ("BQ", "3", "20240515", "512000", "", "V6", "20240515", "Virement Müller", "160,00", "", ""),
    ("BQ", "3", "20240515", "416000", "CMULLER", "V6", "20240515", "Virement Müller", "", "160,00", "AE"),
    ("OD", "3", "20240630", "654000", "", "F3", "20240630", "Perte F3", "833,33", "", ""),
    ("OD", "3", "20240630", "44571", "", "F3", "20240630", "Perte F3 TVA", "166,67", "", ""),
    ("OD", "3", "20240630", "416000", "CMULLER", "F3", "20240630", "Perte F3", "", "1000,00", "AE"),
]  # fmt: skip


def fec_rows(lines: list[tuple[str, ...]]) -> list[list[str]]:
    """The 18 columns (plus the extra column ``Analytique``) of each line."""
    out = []
    for j, num, day, account, aux, piece, piece_day, label, debit, credit, letter in lines:
        out.append(
            [
                j, JOURNALS.get(j, j), num, day, account, ACCOUNTS.get(account, account), aux, NAMES.get(aux, ""),
                piece, piece_day, label, debit or "0,00", credit or "0,00", letter,
                "20240701" if letter else "", day, "", "",
                "Nord" if aux == "CDUPONT" else "Sud",
            ]
        )  # fmt: skip
    return out


def write_fec(path: Path, lines: list[tuple[str, ...]], sep: str, encoding: str) -> Path:
    header = sep.join([*FEC_COLUMNS, "Analytique"])
    body = "\r\n".join(sep.join(row) for row in fec_rows(lines))
    path.write_bytes((header + "\r\n" + body + "\r\n").encode(encoding))
    return path


@pytest.fixture
def years(tmp_path: Path) -> tuple[Path, Path]:
    """2023 tab-separated in UTF-8 with a byte order mark, 2024 pipe-separated in ISO 8859-15."""
    return (
        write_fec(tmp_path / "123456789FEC20231231.txt", Y2023, "\t", "utf-8-sig"),
        write_fec(tmp_path / "123456789FEC20241231.txt", Y2024, "|", "iso-8859-15"),
    )


def _settlements(ledger: ck.Ledger) -> list[tuple[object, ...]]:
    return [
        (r.invoice_id, r.customer_id, str(r.date.date()), r.amount, r.kind)
        for r in ledger.settlements.itertuples()
    ]


EXPECTED_INVOICES = [
    ("F1", "CDUPONT", "2023-11-02", "2023-12-02", Decimal("1200.00")),
    ("F2", "CDUPONT", "2023-11-15", "2023-12-15", Decimal("600.00")),
    ("F3", "CMULLER", "2023-12-01", "2023-12-31", Decimal("2400.00")),
    ("F4", "CDUPONT", "2024-01-10", "2024-02-09", Decimal("360.00")),
    ("F5", "CLEROY", "2024-03-15", "2024-04-14", Decimal("900.00")),
]
EXPECTED_SETTLEMENTS = [
    ("F1", "CDUPONT", "2023-12-10", Decimal("1200.00"), "payment"),
    ("F2", "CDUPONT", "2023-12-10", Decimal("300.00"), "payment"),
    ("F3", "CMULLER", "2023-12-20", Decimal("1000.00"), "payment"),
    ("F3", "CMULLER", "2023-12-22", Decimal("240.00"), "credit_note"),
    (None, "CDUPONT", "2023-12-28", Decimal("50.00"), "payment"),
    ("F2", "CDUPONT", "2024-02-05", Decimal("300.00"), "payment"),
    ("F4", "CDUPONT", "2024-02-05", Decimal("360.00"), "payment"),
    (None, "CLEROY", "2024-04-02", Decimal("75.50"), "payment"),
    ("F3", "CMULLER", "2024-05-15", Decimal("160.00"), "payment"),
    ("F3", "CMULLER", "2024-06-30", Decimal("1000.00"), "write_off"),
]


def _invoices(ledger: ck.Ledger) -> list[tuple[object, ...]]:
    return sorted(
        (r.invoice_id, r.customer_id, str(r.issue_date.date()), str(r.due_date.date()), r.amount)
        for r in ledger.invoices.itertuples()
    )


def test_two_fiscal_years_worked_by_hand(years: tuple[Path, Path]) -> None:
    ledger = ck.Ledger.from_fec(list(years))
    assert _invoices(ledger) == EXPECTED_INVOICES
    assert _settlements(ledger) == EXPECTED_SETTLEMENTS
    # the opening entries of 2024 carried F2, F3 and V3: not counted again
    assert ledger.n_invoices == 5 and ledger.n_customers == 3
    # the extra column is an attribute; accented labels read from ISO 8859-15
    assert ledger.invoices.set_index("invoice_id")["Analytique"].to_dict() == {
        "F1": "Nord", "F2": "Nord", "F3": "Sud", "F4": "Nord", "F5": "Sud",
    }  # fmt: skip
    # the transfer to 416 is a doubtful classification of F3, with its 491 provision
    assert ck.doubtful_receivables(ledger, "2024-02-29", money="decimal") == Decimal("0.00")
    assert ck.doubtful_receivables(ledger, "2024-03-31", money="decimal") == Decimal("1160.00")

    # aged balance on 2024-03-31: F3 keeps 2,400 - 1,000 - 240 = 1,160.00, due
    # 2023-12-31, 91 days late; F5 (900.00) is not due; Dupont's 50.00 unapplied
    aged = ck.aging(ledger, "2024-03-31", money="decimal").iloc[0]
    assert aged.to_dict() == {
        "not due": Decimal("900.00"), "1-30": Decimal("0.00"), "31-60": Decimal("0.00"),
        "61-90": Decimal("0.00"), "91+": Decimal("1160.00"), "total": Decimal("2060.00"),
        "unapplied": Decimal("-50.00"),
    }  # fmt: skip
    assert ck.receivables(ledger, "2024-03-31", money="decimal") == Decimal("2060.00")
    # on 2023-12-31: F2's 300.00 (16 days late) and F3's 1,160.00 (due that day)
    aged = ck.aging(ledger, "2023-12-31", money="decimal").iloc[0]
    assert aged["1-30"] == Decimal("300.00")
    assert aged["not due"] == Decimal("1160.00")
    # everything settled or written off by the end of June but F5
    assert ck.receivables(ledger, "2024-06-30", money="decimal") == Decimal("900.00")


def test_doubtful_classification_and_provision(years: tuple[Path, Path]) -> None:
    ledger = ck.Ledger.from_fec(list(years))
    cols = ledger._cols
    assert cols.invoice_ids[cols.doubtful_invoice].tolist() == ["F3"]
    assert cols.doubtful_date.tolist() == [(date(2024, 3, 1) - date(1970, 1, 1)).days]
    assert cols.doubtful_provision.tolist() == [58000]


def test_reading_order_and_separators_do_not_matter(years: tuple[Path, Path]) -> None:
    both = ck.Ledger.from_fec(list(years))
    reverse = ck.Ledger.from_fec(list(years[::-1]))
    assert _invoices(reverse) == EXPECTED_INVOICES
    assert sorted(_settlements(reverse), key=str) == sorted(EXPECTED_SETTLEMENTS, key=str)
    # the same FEC, pipe-separated in UTF-8 and tab-separated in ISO 8859-15
    other = [
        write_fec(years[0].with_name("a.txt"), Y2023, "|", "utf-8"),
        write_fec(years[1].with_name("b.txt"), Y2024, "\t", "iso-8859-15"),
    ]
    swapped = ck.Ledger.from_fec(other)
    assert _invoices(swapped) == _invoices(both)
    assert _settlements(swapped) == _settlements(both)
    # a frame already read gives the same ledger
    frame = pd.DataFrame(fec_rows(Y2023), columns=[*FEC_COLUMNS, "Analytique"])
    assert _settlements(ck.Ledger.from_fec(frame)) == _settlements(ck.Ledger.from_fec(years[0]))


def test_a_separator_closing_every_line_is_no_column(tmp_path: Path) -> None:
    rows = fec_rows(Y2023)
    text = "\t".join([*FEC_COLUMNS, "Analytique"]) + "\t\n"
    text += "".join("\t".join(row) + "\t\n" for row in rows)
    path = tmp_path / "trailing.txt"
    path.write_text(text, encoding="utf-8")
    ledger = ck.Ledger.from_fec(path)
    assert ledger.attributes == ["customer_id", "Analytique"]
    assert _settlements(ledger) == EXPECTED_SETTLEMENTS[:5]


def test_one_year_alone_takes_its_opening_entries_as_open_items(years: tuple[Path, Path]) -> None:
    ledger = ck.Ledger.from_fec(years[1])
    # the opening entries are the open items of 2023, at their document dates
    assert _invoices(ledger) == [
        ("F2", "CDUPONT", "2023-11-15", "2023-12-15", Decimal("300.00")),
        ("F3", "CMULLER", "2023-12-01", "2023-12-31", Decimal("1160.00")),
        ("F4", "CDUPONT", "2024-01-10", "2024-02-09", Decimal("360.00")),
        ("F5", "CLEROY", "2024-03-15", "2024-04-14", Decimal("900.00")),
    ]
    assert _settlements(ledger)[0] == (None, "CDUPONT", "2023-12-28", Decimal("50.00"), "payment")
    # the same position from 2024 on as with both years read
    both = ck.Ledger.from_fec(list(years))
    for day in ("2024-01-31", "2024-03-31", "2024-05-31", "2024-12-31"):
        assert ck.receivables(ledger, day) == ck.receivables(both, day)
        pd.testing.assert_frame_equal(ck.aging(ledger, day), ck.aging(both, day))


def test_year_2023_alone_worked_by_hand(years: tuple[Path, Path]) -> None:
    ledger = ck.Ledger.from_fec(years[0])
    assert _invoices(ledger) == EXPECTED_INVOICES[:3]
    assert _settlements(ledger) == EXPECTED_SETTLEMENTS[:5]
    assert ck.receivables(ledger, "2023-12-31", money="decimal") == Decimal("1460.00")


def test_journal_mapping_and_counterpart_precedence() -> None:
    rows = fec_rows(
        [
            ("XX", "1", "20240105", "411000", "CDUPONT", "F1", "20240105", "F", "100,00", "", "A"),
            ("XX", "1", "20240105", "706000", "", "F1", "20240105", "F", "", "100,00", ""),
            # an unknown journal: the entry's bank line makes it a payment
            ("ZZ", "2", "20240110", "512000", "", "P1", "20240110", "P", "30,00", "", ""),
            ("ZZ", "2", "20240110", "411000", "CDUPONT", "P1", "20240110", "P", "", "30,00", "A"),
            # a journal mapped to write_off, its counterpart on no telling account
            ("PX", "3", "20240120", "658000", "", "W1", "20240120", "W", "20,00", "", ""),
            ("PX", "3", "20240120", "411000", "CDUPONT", "W1", "20240120", "W", "", "20,00", "A"),
            # in the sales journal but against the bank: the counterpart wins
            ("VT", "4", "20240125", "512000", "", "P2", "20240125", "P", "10,00", "", ""),
            ("VT", "4", "20240125", "411000", "CDUPONT", "P2", "20240125", "P", "", "10,00", "A"),
        ]
    )
    frame = pd.DataFrame(rows, columns=[*FEC_COLUMNS, "Analytique"])
    ledger = ck.Ledger.from_fec(frame, journals={"PX": "write_off"}, terms={"CDUPONT": 10})
    assert [s[4] for s in _settlements(ledger)] == ["payment", "write_off", "payment"]
    assert str(ledger.invoices["due_date"][0].date()) == "2024-01-15"


def test_unbalanced_entry_is_an_error() -> None:
    lines = list(Y2023)
    lines[2] = (*lines[2][:8], "", "199,00", "")  # VT 1: 1,200.00 against 1,199.00
    frame = pd.DataFrame(fec_rows(lines), columns=[*FEC_COLUMNS, "Analytique"])
    with pytest.raises(ck.CreditKPIError) as err:
        ck.Ledger.from_fec(frame)
    assert str(err.value).startswith(
        "unbalanced-entry: 1 entry does not balance (debits differ from credits) in column "
        "'EcritureNum' (first: 'VT 1'; values: 'debit 1200.00 credit 1199.00'); every entry"
    )
    assert err.value.rule == "unbalanced-entry"


def test_missing_fec_column_is_an_error(tmp_path: Path) -> None:
    frame = pd.DataFrame(fec_rows(Y2023), columns=[*FEC_COLUMNS, "Analytique"])
    path = tmp_path / "fec.txt"
    frame.drop(columns=["EcritureLet", "DateLet"]).to_csv(path, sep="\t", index=False)
    with pytest.raises(ck.CreditKPIError) as err:
        ck.Ledger.from_fec(path)
    text = str(err.value)
    assert text.startswith(
        f"missing-fec-column: 2 of the 18 FEC columns are missing from {path} (it has: "
        "JournalCode, JournalLib, EcritureNum"
    )
    assert "in column 'EcritureLet' (first: 'EcritureLet', 'DateLet')" in text
    assert "article A47 A-1 LPF" in text and isinstance(err.value, ck.CreditKPIError)


def test_debit_and_credit_on_one_line_is_an_error() -> None:
    lines = list(Y2023)
    lines[0] = (*lines[0][:8], "1200,00", "5,00", "AA")
    lines[1] = (*lines[1][:8], "5,00", "1000,00", "")
    frame = pd.DataFrame(fec_rows(lines), columns=[*FEC_COLUMNS, "Analytique"])
    with pytest.raises(ck.CreditKPIError, match=r"^debit-and-credit: 2 line\(s\) have both") as e:
        ck.Ledger.from_fec(frame)
    assert "(first: 'VT 1', 'VT 1'; values: 'Debit=1200.00 Credit=5.00'" in str(e.value)


def test_a_zero_line_is_skipped_and_said() -> None:
    # a zero-amount invoice line on 411 (and its zero sales line): nothing to read, but said
    lines = [
        *Y2023,
        ("VT", "5", "20231229", "411000", "CLEROY", "F9", "20231229", "Facture F9", "", "", ""),
        ("VT", "5", "20231229", "706000", "", "F9", "20231229", "Facture F9", "", "", ""),
    ]
    frame = pd.DataFrame(fec_rows(lines), columns=[*FEC_COLUMNS, "Analytique"])
    with pytest.warns(ck.DataQualityWarning, match="zero-line: 1 customer line") as caught:
        ledger = ck.Ledger.from_fec(frame)
    assert len(caught) == 1
    assert caught[0].filename == __file__  # the warning points at the call
    assert _settlements(ledger) == EXPECTED_SETTLEMENTS[:5]
    assert "F9" not in ledger.invoices["invoice_id"].tolist()
    (issue,) = [i for i in ledger.report.issues if i.rule == "zero-line"]
    assert (issue.ids, issue.rows) == (("VT 5",), (len(Y2023),))
    assert str(issue) == (
        "zero-line: 1 customer line(s) with neither a debit nor a credit carry no amount and "
        "were skipped in column 'Debit' (first: 'VT 5')"
    )


def test_bad_options_are_errors() -> None:
    frame = pd.DataFrame(fec_rows(Y2023), columns=[*FEC_COLUMNS, "Analytique"])
    with pytest.raises(ck.CreditKPIError, match=r"invalid-option: journals= maps 'VT' to 'sale'"):
        ck.Ledger.from_fec(frame, journals={"VT": "sale"})
    with pytest.raises(ck.CreditKPIError, match=r"invalid-option: accounts must be"):
        ck.Ledger.from_fec(frame, accounts="411")
    with pytest.raises(ck.CreditKPIError, match=r"invalid-option: terms must be >= 0 \(a whole"):
        ck.Ledger.from_fec(frame, terms=-3)
    with pytest.raises(ck.CreditKPIError, match=r"terms must be a whole number of days >= 0"):
        ck.Ledger.from_fec(frame, terms=30.5)
    with pytest.raises(ck.CreditKPIError, match=r"terms\['CMULLER'\] must be >= 0 .* got -1"):
        ck.Ledger.from_fec(frame, terms={"CDUPONT": 10, "CMULLER": -1})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ck.Ledger.from_fec(frame, terms={"CDUPONT": 10, "CMULLER": 45})
    with pytest.raises(ck.CreditKPIError, match=r"missing-value: 1 invoice\(s\) have no due"):
        ck.Ledger.from_fec(frame, terms={"CDUPONT": 10})


# ------------------------------------------------------------------ metamorphic property
MONTHS = [ck.Period.parse(f"{y}-{m:02d}") for y in (2023, 2024) for m in range(1, 13)][:20]
MONTH_ENDS = [p.end for p in MONTHS]


def _kpis(ledger: ck.Ledger) -> dict[str, object]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        warnings.simplefilter("ignore", ck.DataEndsWarning)  # the month-ends run past the data
        return {
            "receivables": ck.receivables(ledger, MONTH_ENDS, money="decimal"),
            "aging": ck.aging(ledger, MONTH_ENDS, money="decimal"),
            "dso": ck.dso(ledger, MONTHS),
            "cei": ck.cei(ledger, MONTHS),
            "delays": ck.payment_delays(ledger, MONTHS, money="decimal"),
            # transfers to 416 read back as the doubtful classifications
            "doubtful": ck.doubtful_receivables(ledger, MONTH_ENDS, money="decimal"),
        }


def _same(read: ck.Ledger, meant: ck.Ledger, what: str) -> None:
    expected, got = _kpis(meant), _kpis(read)
    for name in expected:
        left, right = expected[name], got[name]
        if isinstance(left, pd.DataFrame):
            pd.testing.assert_frame_equal(right, left, check_exact=True, obj=f"{what}: {name}")
        else:
            pd.testing.assert_series_equal(right, left, check_exact=True, obj=f"{what}: {name}")


def _due_dates(spec: LedgerSpec) -> dict[str, object]:
    return {inv.id: inv.due_date for inv in spec.invoices}


def _read(fecs: object, spec: LedgerSpec, **options: object) -> ck.Ledger:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        return ck.Ledger.from_fec(fecs, due_dates=_due_dates(spec) or None, **options)  # type: ignore[arg-type]


#: how the property writes a generated book: one FEC, two fiscal years in a convention of
#: the opening entries, or an extract of the customer credits alone
WRITINGS = st.sampled_from(
    [("single", {}), ("credits-only", {})]
    + [
        (convention, {"earlier_lettered": lettered, "reuse_codes": reuse})
        for convention in CONVENTIONS
        for lettered in (True, False)
        for reuse in (True, False)
    ]
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_book_written_as_fecs_reads_back_what_it_means(data: st.DataObject) -> None:
    """A generated book written as FECs the ways packages write them, read back.

    The oracle is the generated intent (:mod:`tests.fec_writer`): the same
    receivables, aged balance, DSO, CEI, payment delays and doubtful
    receivables at every month-end, each settlement on its posting date and
    (``applied="lettering"``) from its ``DateLet``. A reader that drops,
    double-counts or mis-applies one line fails it.
    """
    name, options = data.draw(WRITINGS, label="writing")
    spec = data.draw(
        ledger_specs(max_invoices=12, extras=name == "single", applied=True), label="book"
    )
    if name == "single":
        years = Years([write_fec_of(spec)], spec)
    elif name == "credits-only":
        years = write_credits(spec)
    else:
        years = write_years(spec.only_no_doubtful(), convention=name, **options)
    read = _read(years.fecs, years.intent)
    assert read.n_invoices == len(years.intent.invoices)
    _same(read, years.posted().build(), f"{name} {options}")
    lettered = _read(years.fecs, years.intent, applied="lettering")
    _same(lettered, years.intent.build(), f"{name} {options}, applied='lettering'")
    if len(years.fecs) == 2:  # the files in any order
        _same(_read(years.fecs[::-1], years.intent), years.posted().build(), f"{name} reversed")


_CELL = {
    "JournalCode": st.sampled_from(["VT", "BQ", "AN", "OD", "", "X"]),
    "EcritureNum": st.sampled_from(["1", "2", "3", ""]),
    "EcritureDate": st.sampled_from(["20240105", "20240229", "20231231", "20240230", "", "2024"]),
    "CompteNum": st.sampled_from(["411000", "416000", "491000", "512000", "706000", "654000", ""]),
    "CompAuxNum": st.sampled_from(["C1", "C2", "", " "]),
    "PieceRef": st.sampled_from(["F1", "F2", "P1", "", "-"]),
    "PieceDate": st.sampled_from(["20240101", "", "x"]),
    "Debit": st.sampled_from(["", "0,00", "10,00", "5,5", "-3,00", "1e999999", "abc"]),
    "Credit": st.sampled_from(["", "0,00", "10,00", "4,50", "1e-999999999"]),
    "EcritureLet": st.sampled_from(["", "A", "B", "a"]),
    "DateLet": st.sampled_from(["", "20240110", "20231201", "bad"]),
}


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.fixed_dictionaries(_CELL), max_size=10),
    files=st.integers(1, 2),
    applied=st.sampled_from(["posting", "lettering"]),
)
def test_any_fec_reads_or_names_the_broken_rule(
    rows: list[dict[str, str]], files: int, applied: str
) -> None:
    """Whatever its lines, an FEC gives a ledger or a creditkpi error naming a rule."""
    frame = pd.DataFrame(
        [{c: row.get(c, "") for c in FEC_COLUMNS} for row in rows], columns=list(FEC_COLUMNS)
    )
    sources = [frame.iloc[k::files].reset_index(drop=True) for k in range(files)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        try:
            ck.Ledger.from_fec(sources, applied=applied)  # type: ignore[arg-type]
        except ck.CreditKPIError as exc:
            assert str(exc).startswith(f"{exc.rule}: ")
