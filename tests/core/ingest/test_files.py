"""``creditkpi.read_table``: CSV as text (ids keep their zeros), Excel, Parquet, clear errors."""

from __future__ import annotations

import csv
import gzip
import io
import tempfile
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import creditkpi as ck
from creditkpi.core.ingest import files

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
    assert ck.receivables(ledger, "2013-01-31", money="decimal") == Decimal("1296.24")
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


_CELLS = st.one_of(
    st.sampled_from(["", " ", "NA", "null", "N/A", "nan", "0001", "1 234,50", "-0", "é€", '"']),
    st.text(alphabet="abcé€ 0123456789,;|\t\"'-.", max_size=8),
)


@settings(deadline=None)
@given(
    columns=st.lists(st.sampled_from(["id", "client", "montant", "date", "libellé"]), min_size=1,
                     max_size=4, unique=True),
    rows=st.lists(st.lists(_CELLS, min_size=4, max_size=4), max_size=12),
    sep=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "iso-8859-15"]),
)  # fmt: skip
def test_large_files_read_by_pyarrow_give_the_same_frame(
    columns: list[str], rows: list[list[str]], sep: str, encoding: str
) -> None:
    """pyarrow's reader (large files) and pandas' reader (small ones) give one frame."""
    pytest.importorskip("pyarrow")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(row[: len(columns)] for row in rows)
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        path = Path(folder) / "table.csv"
        path.write_text(buffer.getvalue(), encoding=encoding)
        outcomes = []
        for threshold in (2**62, 0):  # pandas' reader, then pyarrow's
            patch.setattr(files, "ARROW_MIN_BYTES", threshold)
            try:
                outcomes.append(ck.read_table(path, sep=sep, encoding=encoding))
            except ck.CreditKPIError as exc:
                outcomes.append(str(exc))
    if isinstance(outcomes[0], str):
        assert outcomes[1] == outcomes[0]  # what pyarrow cannot read, pandas reports alike
    else:
        assert isinstance(outcomes[1], pd.DataFrame)
        pd.testing.assert_frame_equal(outcomes[1], outcomes[0])


def test_what_pyarrow_cannot_read_is_reported_by_pandas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pyarrow")
    if not files.ARROW_ENGINE_KEEPS_TEXT:
        pytest.skip("before pandas 3.1 pandas' own reader reads every file")
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2\n3,4,5\n", encoding="utf-8")
    monkeypatch.setattr(files, "ARROW_MIN_BYTES", 0)
    assert files._arrow_reads(path)
    with pytest.raises(ck.CreditKPIError, match="Expected 2 fields in line 3, saw 3"):
        ck.read_table(path)
    # quoted line breaks are for pandas' reader: the same frame either way
    path.write_text('a,b\n"x\ny",2\n', encoding="utf-8")
    assert ck.read_table(path)["a"].tolist() == ["x\ny"]


def test_decimal_never_rewrites_ids_that_look_like_grouped_numbers(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text(
        "invoice_id;siren;amount;whole;dots\n"
        "001 234;552 120 222;1 234,50;1 000;1.234\n"
        "001 235;552 120 223;7,00;2 000;5.000\n",
        encoding="utf-8",
    )
    frame = ck.read_table(tmp_path / "a.csv", decimal=",")
    assert frame.to_dict("list") == {
        "invoice_id": ["001 234", "001 235"],  # was "1234", "1235"
        "siren": ["552 120 222", "552 120 223"],  # was "552120222"
        "amount": ["1234.50", "7.00"],  # a decimal comma: amounts
        "whole": ["1 000", "2 000"],  # spaces only: left (the builder reads them)
        "dots": ["1234", "5000"],  # a dot with decimal=",": only a thousands mark
    }


def test_a_repeated_header_is_an_error_not_a_renamed_column(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("id;amount;amount\nF1;1;2\n", encoding="utf-8")
    with pytest.raises(ck.CreditKPIError) as info:
        ck.read_table(tmp_path / "a.csv")
    assert str(info.value) == (
        f"duplicate-column: {tmp_path / 'a.csv'} has 2 columns named 'amount' (columns 2 and 3); "
        "keep one (or rename the others) in column 'amount'"
    )
    pytest.importorskip("openpyxl")
    pd.DataFrame([["F1", 1, 2]], columns=["id", "amount", "x"]).rename(
        columns={"x": "amount"}
    ).to_excel(tmp_path / "a.xlsx", index=False)
    with pytest.raises(ck.CreditKPIError, match=r"duplicate-column: .* 2 columns named 'amount'"):
        ck.read_table(tmp_path / "a.xlsx")


def test_a_separator_closing_every_line_shifts_nothing(tmp_path: Path) -> None:
    # data lines with one more (empty) cell than the header: pandas would make the
    # first column the index and shift every other, so errors named the wrong column
    (tmp_path / "a.csv").write_text(
        "invoice_id;customer_id;issue_date;due_date;amount\nF1;C1;2024-01-05;2024-02-04;abc;\n",
        encoding="utf-8",
    )
    frame = ck.read_table(tmp_path / "a.csv")
    assert frame.to_dict("list")["amount"] == ["abc"]
    with pytest.raises(ck.CreditKPIError) as info:
        ck.Ledger.from_frames(frame)
    assert (info.value.rule, info.value.column, info.value.values) == (
        "invalid-amount", "amount", ("abc",),
    )  # fmt: skip
    (tmp_path / "b.csv").write_text("a;b\n1;2;lost\n", encoding="utf-8")
    with pytest.raises(ck.CreditKPIError) as info:
        ck.read_table(tmp_path / "b.csv")
    assert info.value.rule == "unreadable-file" and "more cells than the header" in str(info.value)


def test_an_unknown_encoding_is_an_option_error(folder: Path) -> None:
    with pytest.raises(ck.CreditKPIError) as info:
        ck.read_table(folder / "factures.csv", encoding="latin-99")
    assert str(info.value) == (
        "invalid-option: encoding 'latin-99' is not a text encoding Python knows (e.g. "
        "'utf-8', 'cp1252', 'iso-8859-15')"
    )
    with pytest.raises(ck.CreditKPIError, match="invalid-option: encoding 'latin-99'"):
        ck.Ledger.from_fec(folder / "factures.csv", encoding="latin-99")


@settings(deadline=None)
@given(
    text=st.text(alphabet="id;client\nF1Sé€ü\t,|", max_size=40),
    written=st.sampled_from(["utf-8", "utf-16", "cp1252", "iso-8859-15", "utf-8-sig"]),
    encoding=st.sampled_from(
        [None, "utf-8", "cp1252", "latin-1", "utf-16", "iso-8859-15", "latin-99", "", "utf8x",
         "base64", "rot13"]
    ),
    sep=st.sampled_from([None, ";", "\t"]),
)  # fmt: skip
def test_any_bytes_in_any_encoding_are_read_or_refused_by_a_rule(
    text: str, written: str, encoding: str | None, sep: str | None
) -> None:
    """Whatever a file holds and whatever encoding is asked, a frame or a creditkpi error."""
    data = text.encode(written, errors="replace")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.csv"
        path.write_bytes(data)
        try:
            frame = ck.read_table(path, encoding=encoding, sep=sep)
        except ck.CreditKPIError as exc:
            assert exc.rule in ("unreadable-file", "invalid-option", "duplicate-column"), exc
            return
    assert isinstance(frame, pd.DataFrame)
