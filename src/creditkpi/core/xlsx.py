"""Tables as Excel workbooks that a spreadsheet can open without running anything.

A text cell of a workbook written by pandas or openpyxl becomes a formula as
soon as it starts with ``=``: a customer named ``=HYPERLINK(...)`` in an
export is a live formula in the collector's spreadsheet. :func:`xlsx_bytes`
writes every text cell as text (never a formula, whatever it starts with),
marks the ones a spreadsheet would read as a formula when retyped with the
*quote prefix* style (the workbook's own form of the leading ``'`` that
:func:`creditkpi.core.safe_text.csv_cell` puts in CSV), replaces control
characters by visible escapes (:func:`creditkpi.core.safe_text.printable`),
and keeps numbers, exact decimal amounts and dates as numbers and dates with
a display format. It needs ``openpyxl`` (the ``excel`` extra).
"""

from __future__ import annotations

import io
import math
from collections.abc import Collection, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from creditkpi.core.safe_text import FORMULA_PREFIXES, printable

__all__ = ["xlsx_bytes"]

# Excel's limits: characters per cell, characters of a sheet name
_CELL_CHARS = 32_767
_SHEET_CHARS = 31
_SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))


def _money_format(digits: int) -> str:
    return "#,##0" if digits == 0 else "#,##0." + "0" * digits


def _plain(value: Any) -> Any:
    """A cell value as openpyxl takes it: None for missing, Python numbers, dates, text."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return None if math.isnan(number) else number
    if isinstance(value, Decimal):
        return None if value.is_nan() else value
    if isinstance(value, pd.Timestamp):
        return value.date() if value == value.normalize() else value.to_pydatetime()
    if isinstance(value, (date, datetime)):
        return value
    if isinstance(value, np.datetime64):
        return _plain(pd.Timestamp(value))
    return printable(value)[:_CELL_CHARS]


def _keeps_index(frame: pd.DataFrame) -> bool:
    """Whether the index is data (named, or anything but a plain row number)."""
    return not (frame.index.names == [None] and isinstance(frame.index, pd.RangeIndex))


def _rows(frame: pd.DataFrame, keep_index: bool) -> Iterable[tuple[Any, ...]]:
    for key, values in zip(frame.index, frame.itertuples(index=False), strict=True):
        labels: tuple[Any, ...] = key if isinstance(key, tuple) else (key,)
        yield (*labels, *values) if keep_index else tuple(values)


def xlsx_bytes(
    frame: pd.DataFrame,
    *,
    sheet: str = "creditkpi",
    digits: int = 2,
    money: Collection[str] = (),
) -> bytes:
    """A table as the bytes of an ``.xlsx`` workbook, safe to open in a spreadsheet.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table; its index (named, or any index other than a plain range)
        becomes the first columns.
    sheet : str, default "creditkpi"
        The sheet's name (cut to Excel's 31 characters, ``[]:*?/\\`` replaced).
    digits : int, default 2
        Decimal places shown for the ``money`` columns (the currency's minor unit).
    money : collection of str
        Columns shown as amounts (``#,##0.00``); their values stay exact numbers.

    Returns
    -------
    bytes
        The workbook: a bold, frozen header row, then one row per row of ``frame``.
        Text cells are text (never formulas); the ones that start like a formula
        carry the quote prefix, so retyping them keeps them text.

    Raises
    ------
    ImportError
        Without ``openpyxl`` (``pip install openpyxl (the excel extra)``).

    Examples
    --------
    >>> import io, openpyxl, pandas as pd
    >>> from creditkpi.core.xlsx import xlsx_bytes
    >>> table = pd.DataFrame({"customer": ["=1+1"], "due": [12.5]})
    >>> sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(table, money=["due"]))).active
    >>> sheet["A2"].value, sheet["A2"].data_type, sheet["A2"].quotePrefix, sheet["B2"].value
    ('=1+1', 's', True, 12.5)
    """
    try:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
    except ImportError:  # pragma: no cover - the excel extra is installed in the tests
        raise ImportError(
            "writing Excel files needs openpyxl: pip install openpyxl (the excel extra)"
        ) from None
    book = Workbook(write_only=True)
    title = printable(sheet).translate(_SHEET_FORBIDDEN)[:_SHEET_CHARS] or "creditkpi"
    ws = book.create_sheet(title)
    keep_index = _keeps_index(frame)
    header = [("" if n is None else str(n)) for n in frame.index.names] if keep_index else []
    header += [str(c) for c in frame.columns]
    money_at = {i for i, name in enumerate(header) if name in set(map(str, money))}
    ws.freeze_panes = "A2"
    bold = Font(bold=True)

    def cell(value: Any, position: int, *, head: bool = False) -> Any:
        plain = _plain(value)
        out = WriteOnlyCell(ws)
        if isinstance(plain, str):
            out.value = plain
            out.data_type = "s"  # never a formula, whatever the text starts with
            if plain.startswith(FORMULA_PREFIXES):
                out.quotePrefix = True
        else:
            out.value = plain
            if isinstance(plain, (date, datetime)):
                out.number_format = "yyyy-mm-dd"
            elif position in money_at and plain is not None and not isinstance(plain, bool):
                out.number_format = _money_format(digits)
        if head:
            out.font = bold
        return out

    ws.append([cell(name, i, head=True) for i, name in enumerate(header)])
    for row in _rows(frame, keep_index):
        ws.append([cell(value, i) for i, value in enumerate(row)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
