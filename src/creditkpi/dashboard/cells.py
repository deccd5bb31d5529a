"""The cells of a dashboard's tables: missing values, exact money, JSON and CSV text.

Shared by the :class:`~creditkpi.dashboard.Dashboard` (its JSON and CSV),
its renderings (:mod:`creditkpi.dashboard.render`) and the command line's
other tables (profiles, forecast): one rule for every cell.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from creditkpi.core.period import Period
from creditkpi.core.safe_text import csv_text
from creditkpi.core.shapes import Money, period_index
from creditkpi.dashboard.items import MONEY
from creditkpi.dashboard.items import money_columns as item_money

__all__ = [
    "csv_value",
    "exact_money",
    "item_records",
    "items_from_records",
    "jsonable",
    "missing",
    "period_dict",
    "period_label",
    "table_csv",
    "table_from_records",
    "table_records",
    "unit_text",
    "unjson",
]


def unit_text(unit: str, currency: str) -> str:
    """The unit of a KPI row as shown: the currency for money, ``EUR/EUR``, ``days``..."""
    return {"money": currency, "money_per_money": f"{currency}/{currency}"}.get(unit, unit)


def missing(value: object) -> bool:
    """Whether a table value is missing: ``None``, ``NA``, ``NaT``, a non-finite number."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, Decimal):
        return not value.is_finite()
    if isinstance(value, (float, np.floating)):
        return not math.isfinite(float(value))
    return False


def exact_money(value: Any, digits: int) -> Decimal:
    """The exact amount of a money value: a ``Decimal`` as is, a float rounded to the minor unit.

    Money floats are the nearest floats to exact amounts, so rounding to the
    currency's minor unit gives back the exact figure.
    """
    if isinstance(value, Decimal):
        return value
    return Decimal(float(value)).quantize(Decimal(1).scaleb(-digits))


def jsonable(value: Any, digits: int | None = None) -> Any:
    """A JSON-safe version of one value (money → exact str, nan → None, dates → ISO)."""
    if missing(value):
        return None
    if digits is not None and isinstance(value, (Decimal, float, np.floating, int, np.integer)):
        return str(exact_money(value, digits))
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, pd.Period):
        return str(value)
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_value(value: Any, digits: int | None = None) -> Any:
    """A CSV cell of a table value: text stays text, numbers stay numbers, missing is empty.

    With ``digits``, a money value is written as its exact decimal text.
    """
    if missing(value):
        return ""
    if digits is not None and isinstance(value, (Decimal, float, np.floating, int, np.integer)):
        return exact_money(value, digits)  # a number: never neutralised
    if isinstance(value, (str, Decimal)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def table_csv(
    frame: pd.DataFrame,
    index_name: str,
    *,
    escape_formulas: bool = True,
    digits: int = 2,
    money_rows: set[str] | None = None,
    money: Collection[str] = (),
) -> str:
    """A table as CSV, its index as the first column; text cells neutralised.

    Money is written as exact decimal text: the rows named in ``money_rows``
    (the KPI table), or the ``money`` columns (detail and group tables).
    ``escape_formulas`` prefixes text cells a spreadsheet would run as a
    formula with a single quote (see :meth:`creditkpi.Dashboard.to_csv`).
    """
    header = [frame.index.name or index_name, *map(str, frame.columns)]
    money_columns = [str(c) in money for c in frame.columns]

    def cells(index: Any, values: tuple[Any, ...]) -> list[Any]:
        row_money = money_rows is not None and str(index) in money_rows
        out = [csv_value(index)]
        for column, value, is_money in zip(frame.columns, values, money_columns, strict=True):
            exact = row_money and str(column) in ("current", "previous", "change")
            exact = exact or (money_rows is None and is_money)
            out.append(csv_value(value, digits if exact else None))
        return out

    rows = (
        cells(index, values)
        for index, values in zip(frame.index, frame.itertuples(index=False), strict=True)
    )
    return csv_text(header, rows, escape_formulas=escape_formulas)


def period_label(period: Period) -> Any:
    """A ``pandas.Period`` for a calendar month, quarter or year; the label otherwise."""
    index = period_index([period])
    return index[0] if isinstance(index, pd.PeriodIndex) else str(period)


def period_dict(period: Period, as_of: date) -> dict[str, str]:
    """A period and its snapshot date as JSON text."""
    return {
        "label": str(period),
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "as_of": as_of.isoformat(),
    }


def unjson(value: Any, is_money: bool, money: Money) -> Any:
    """A JSON value back: ``null`` to ``nan``, money to ``Decimal`` or float (``money``)."""
    if value is None:
        return math.nan
    if is_money:
        exact = Decimal(str(value))
        return exact if money == "decimal" else float(exact)
    if isinstance(value, str):
        return value
    return float(value)


def table_records(
    frame: pd.DataFrame, index_name: str, digits: int, money: frozenset[str]
) -> list[dict[str, Any]]:
    """A table as JSON row objects: its index under ``index_name``, money as exact text."""
    out = []
    for index, row in frame.iterrows():
        record: dict[str, Any] = {index_name: jsonable(index)}
        for column in frame.columns:
            record[str(column)] = jsonable(row[column], digits if str(column) in money else None)
        out.append(record)
    return out


def table_from_records(
    records: Sequence[Mapping[str, Any]],
    index_name: str,
    *,
    money: Money,
    money_columns: frozenset[str],
    columns_name: str | None = None,
    periods: bool = False,
) -> pd.DataFrame:
    """A table back from :func:`table_records` (money as ``money`` asks)."""
    if not records:
        return pd.DataFrame(index=pd.Index([], name=index_name))
    columns = [c for c in records[0] if c != index_name]
    data: dict[Any, list[Any]] = {}
    for column in columns:
        is_money = column in money_columns
        values = []
        for record in records:
            v = record.get(column)
            if column.endswith(("count", "invoices", "customers")) and v is not None:
                values.append(int(v))
            else:
                values.append(unjson(v, is_money, money))
        key: Any = int(column) if columns_name is not None else column
        data[key] = values
    labels = [r[index_name] for r in records]
    index: pd.Index
    if periods:
        try:
            index = pd.PeriodIndex([pd.Period(x) for x in labels], name=index_name)
        except (ValueError, TypeError):
            index = pd.Index(labels, name=index_name)
    else:
        index = pd.Index(labels, name=index_name)
    frame = pd.DataFrame(data, index=index)
    if columns_name is not None:
        frame.columns.name = columns_name
    return frame


def item_records(items: pd.DataFrame, digits: int) -> dict[str, Any]:
    """The urgent open items as JSON: the index's names, then one object per row."""
    money = item_money(items)
    names = [str(n) for n in items.index.names]
    rows = []
    for index, row in zip(items.index, items.itertuples(index=False), strict=True):
        keys = index if isinstance(index, tuple) else (index,)
        record: dict[str, Any] = {n: jsonable(k) for n, k in zip(names, keys, strict=True)}
        for column, value in zip(items.columns, row, strict=True):
            record[str(column)] = jsonable(value, digits if column in money else None)
        rows.append(record)
    return {"index": names, "columns": [str(c) for c in items.columns], "rows": rows}


def items_from_records(data: Mapping[str, Any], money: Money) -> pd.DataFrame:
    names, columns = list(data["index"]), list(data["columns"])
    frame = pd.DataFrame(list(data["rows"]), columns=[*names, *columns])
    for column in columns:
        if column in MONEY:
            frame[column] = [unjson(v, True, money) for v in frame[column]]
        elif column.endswith("_date"):
            frame[column] = pd.to_datetime(frame[column])
    return frame.set_index(names)
