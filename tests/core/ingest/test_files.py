"""``creditkpi.read_table``: CSV as text (ids keep their zeros), Excel, Parquet, clear errors."""

from __future__ import annotations

import gzip
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import creditkpi as ck

CSV = (
    "invoice_id;customer_id;issue_date;due_date;amount\n"
    "0000611365;0379-NEVHP;02/01/2013;01/02/2013;1 234,50\n"
    "0007900770;8976-AMJEO;26/01/2013;25/02/2013;61,74\n"
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "factures.csv").write_text(CSV, encoding="utf-8")
    return tmp_path


def test_csv_cells_are_text_and_ids_keep_their_zeros(folder: Path) -> None:
    frame = ck.read_table(folder / "factures.csv")
    assert frame["invoice_id"].tolist() == ["0000611365", "0007900770"]
    assert frame["amount"].tolist() == ["1 234,50", "61,74"]  # left as written
    # what pandas does by default: the ids become numbers and lose their zeros
    assert pd.read_csv(folder / "factures.csv", sep=";")["invoice_id"].tolist() == [611365, 7900770]


def test_a_french_export_end_to_end(folder: Path) -> None:
    frame = ck.read_table(folder / "factures.csv", decimal=",")
    assert frame["amount"].tolist() == ["1234.50", "61.74"]
    assert frame["issue_date"].tolist() == ["02/01/2013", "26/01/2013"]  # dates untouched
    ledger = ck.Ledger.from_frames(frame)  # 26/01 proves the dates are day-first
    assert ck.receivables(ledger, "2013-01-31") == Decimal("1296.24")
    assert ledger._cols.invoice_ids.tolist() == ["0000611365", "0007900770"]
    also = ck.Ledger.from_frames(ck.read_table(folder / "factures.csv"), decimal=",")
    assert also._cols.amount.tolist() == ledger._cols.amount.tolist()


@pytest.mark.parametrize(
    ("sep", "name"), [(",", "a.csv"), ("\t", "a.tsv"), ("|", "a.txt"), (";", "a.csv")]
)
def test_the_separator_is_guessed(tmp_path: Path, sep: str, name: str) -> None:
    (tmp_path / name).write_text(f"a{sep}b\n01{sep}x\n", encoding="utf-8")
    assert ck.read_table(tmp_path / name).to_dict("list") == {"a": ["01"], "b": ["x"]}


def test_compressed_csv(tmp_path: Path) -> None:
    with gzip.open(tmp_path / "a.csv.gz", "wt", encoding="utf-8") as handle:
        handle.write("a;b\n007;1,5\n")
    assert ck.read_table(tmp_path / "a.csv.gz", decimal=",").to_dict("list") == {
        "a": ["007"],
        "b": ["1.5"],
    }


def test_decimal_converts_only_columns_of_numbers(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text(
        "id;amount;note;plain\n0001;1.234,56;1,5 kg;12\n0002;7,00;;13\n", encoding="utf-8"
    )
    frame = ck.read_table(tmp_path / "a.csv", decimal=",")
    assert frame["id"].tolist() == ["0001", "0002"]
    assert frame["amount"].tolist() == ["1234.56", "7.00"]
    assert frame["note"].tolist()[0] == "1,5 kg"  # not a number: left alone
    assert frame["plain"].tolist() == ["12", "13"]
    us = tmp_path / "us.csv"
    us.write_text('amount\n"1,234.56"\n12.00\n', encoding="utf-8")
    assert ck.read_table(us, decimal=".")["amount"].tolist() == ["1234.56", "12.00"]


def test_encodings(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("id,client\nF1,Société\n".encode("cp1252"))
    with pytest.raises(ck.CreditKPIError) as info:
        ck.read_table(latin)
    assert info.value.rule == "unreadable-file" and "try encoding='cp1252'" in str(info.value)
    assert ck.read_table(latin, encoding="cp1252")["client"].tolist() == ["Société"]
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeffid\nF1\n".encode())
    assert ck.read_table(bom).columns.tolist() == ["id"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "file not found"),
        ("empty.csv", b"", "the file is empty"),
        ("old.xls", b"\xd0\xcf", "save the sheet as .xlsx or CSV"),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, content: bytes | None, message: str) -> None:
    if content is not None:
        (tmp_path / name).write_bytes(content)
    with pytest.raises(ck.CreditKPIError) as info:
        ck.read_table(tmp_path / name)
    assert info.value.rule == "unreadable-file" and message in str(info.value)
    with pytest.raises(ck.CreditKPIError, match="directory"):
        ck.read_table(tmp_path)


def test_excel_and_parquet(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"invoice_id": ["0001", "0002"], "amount": [1.5, 2.25]})
    frame.to_excel(tmp_path / "a.xlsx", index=False, sheet_name="Factures")
    book = ck.read_table(tmp_path / "a.xlsx", sheet="Factures")
    assert book["invoice_id"].tolist() == ["0001", "0002"] and book["amount"].tolist() == [
        1.5,
        2.25,
    ]
    frame.to_parquet(tmp_path / "a.parquet")
    assert ck.read_table(tmp_path / "a.parquet")["invoice_id"].tolist() == ["0001", "0002"]


def test_bad_decimal_option(folder: Path) -> None:
    with pytest.raises(ck.CreditKPIError, match="decimal must be"):
        ck.read_table(folder / "factures.csv", decimal=";")
