"""The safe workbook writer: text stays text, numbers and dates stay numbers and dates."""

from __future__ import annotations

import io
import math
from datetime import date
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest

from creditkpi.core.safe_text import FORMULA_PREFIXES
from creditkpi.core.xlsx import xlsx_bytes


def _sheet(frame: pd.DataFrame, **options: object) -> openpyxl.worksheet.worksheet.Worksheet:
    return openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame, **options))).active  # type: ignore[arg-type]


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_text_that_looks_like_a_formula_is_text_with_the_quote_prefix(prefix: str) -> None:
    text = f'{prefix}HYPERLINK("http://x")'
    sheet = _sheet(pd.DataFrame({"customer": [text, "ACME"]}))
    cell = sheet["A2"]
    shown = text.replace("\t", "\\t").replace("\r", "\\r")  # controls made visible first
    assert cell.value == shown and cell.data_type == "s"
    assert cell.quotePrefix == shown.startswith(FORMULA_PREFIXES)
    assert sheet["A3"].value == "ACME" and not sheet["A3"].quotePrefix


def test_values_keep_their_types_and_money_its_format() -> None:
    frame = pd.DataFrame(
        {
            "due": [date(2024, 2, 14), pd.Timestamp("2024-03-01")],
            "amount": [Decimal("10000.00"), Decimal("-0.50")],
            "rate": [0.25, math.nan],
            "days": [60, 0],
            "late": [True, False],
        },
        index=pd.Index(["F1", "F2"], name="invoice_id"),
    )
    sheet = _sheet(frame, money=["amount"], sheet="a/b:c[d]*?" + "x" * 40)
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("invoice_id", "due", "amount", "rate", "days", "late")
    assert rows[1][0] == "F1" and rows[1][2] == 10000 and rows[2][2] == -0.5
    assert rows[1][1].date() == date(2024, 2, 14) and rows[2][1].date() == date(2024, 3, 1)
    assert rows[1][3] == 0.25 and rows[2][3] is None  # nan is an empty cell
    assert (rows[1][4], rows[1][5]) == (60, True)
    assert sheet["C2"].number_format == "#,##0.00" and sheet["B2"].number_format == "yyyy-mm-dd"
    assert sheet.title == "a_b_c_d___" + "x" * 21  # Excel's 31 characters, no forbidden ones


def test_control_characters_are_visible_and_a_plain_range_index_is_left_out() -> None:
    sheet = _sheet(pd.DataFrame({"reason": ["a\x1b[31mred\u202e"]}), digits=0)
    assert list(sheet.iter_rows(values_only=True)) == [("reason",), ("a\\x1b[31mred\\u202e",)]
