"""Text from the data made safe for terminals, HTML, JSON and spreadsheets."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditkpi.core.safe_text import FORMULA_PREFIXES, csv_cell, csv_text, json_text, printable

INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31mred", "\\x1b[31mred"),
        ("\x1b]8;;http://x\x1b\\", "\\x1b]8;;http://x\\x1b\\"),
        ("a\tb\nc\rd", "a\\tb\\nc\\rd"),
        ("\x00\x07\x7f", "\\x00\\x07\\x7f"),
        ("c1\x9b31m", "c1\\x9b31m"),
        ("abc\u202edcba", "abc\\u202edcba"),
        ("\u2066iso\u2069", "\\u2066iso\\u2069"),
        ("line\u2028sep", "line\\u2028sep"),
        ("[bold]Société[/] 😀 東京", "[bold]Société[/] 😀 東京"),  # printable text is kept
    ],
    ids=["csi", "osc8", "tab-lf-cr", "nul-bel-del", "c1", "rlo", "isolates", "u2028", "unicode"],
)
def test_printable(raw: str, shown: str) -> None:
    assert printable(raw) == shown


@given(st.text())
def test_printable_leaves_no_invisible_character(text: str) -> None:
    out = printable(text)
    assert not INVISIBLE.search(out)
    if not INVISIBLE.search(text):
        assert out == text


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_formula_prefixes_are_neutralised(prefix: str) -> None:
    cell = csv_cell(prefix + "1+1")
    assert cell.startswith("'") and not cell[1:].startswith(("\t", "\r"))  # made visible
    assert csv_cell(prefix + "1+1", escape_formulas=False) == prefix + "1+1"


def test_numbers_stay_numbers() -> None:
    assert csv_cell(-12.5) == "-12.5"
    assert csv_cell(Decimal("-202000.00")) == "-202000.00"
    assert csv_cell(-3) == "-3"
    assert csv_cell("") == ""
    assert csv_cell("ACME - north") == "ACME - north"  # a minus inside is harmless


@given(st.lists(st.lists(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False)),
                         min_size=2, max_size=2), max_size=5))  # fmt: skip
def test_csv_rows_survive_any_text(rows: list[list[object]]) -> None:
    text = csv_text(["a", "b"], rows, escape_formulas=False)
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert parsed == [["a", "b"], *[[str(c) for c in row] for row in rows]]
    safe = list(csv.reader(io.StringIO(csv_text(["a", "b"], rows), newline="")))
    assert len(safe) == len(rows) + 1
    for row in safe[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")) or cell == ""
            assert not INVISIBLE.search(cell)


def test_carriage_return_is_quoted_and_semicolons_too() -> None:
    assert csv_text(["x"], [["\rCR"], ["a;b"]], escape_formulas=False) == 'x\n"\rCR"\n"a;b"\n'


@given(st.dictionaries(st.text(), st.text(), max_size=4))
def test_json_text_round_trips_and_hides_controls(data: dict[str, str]) -> None:
    text = json_text(json.dumps(data, ensure_ascii=False))
    assert json.loads(text) == data
    assert not INVISIBLE.search(text)
