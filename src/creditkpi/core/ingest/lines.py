"""What the readers of accounting lines (an FEC, general-ledger lines) share.

Their options (``terms=``, ``currency=``), their text cells, and the signed
amount of a line kept in a debit and a credit column.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from creditkpi.core.args import check_whole
from creditkpi.core.errors import DebitAndCreditError, InvalidOptionError
from creditkpi.core.ingest.amounts import parse_amounts
from creditkpi.core.ingest.columns import NameList
from creditkpi.core.ingest.ids import id_column
from creditkpi.core.ingest.source import ColumnData
from creditkpi.core.money import CURRENCIES, cents_to_decimal

__all__ = ["check_currency", "check_terms", "debit_minus_credit", "text_values"]

IntArray = npt.NDArray[np.int64]


def check_terms(terms: object) -> int | Mapping[str, int]:
    """``terms=``: whole days (>= 0), one number or a mapping customer -> days."""
    if not isinstance(terms, Mapping):
        days = check_whole("terms", terms, unit="days")
        assert days is not None  # no allow_none
        return days
    for customer, value in terms.items():
        check_whole(f"terms[{customer!r}]", value, unit="days")
    return terms


def check_currency(currency: object) -> tuple[str, int]:
    """``currency=``: an ISO 4217 code (any case, spaces around); the code and its digits."""
    code = str(currency).strip().upper()
    if code not in CURRENCIES:
        raise InvalidOptionError(
            f"currency must be an ISO 4217 code, got {currency!r}", argument="currency"
        )
    return code, CURRENCIES[code]


def text_values(data: ColumnData) -> npt.NDArray[Any]:
    """A column as an object array of text (``None`` where missing or blank)."""
    col = id_column(data)
    out = np.asarray(col.objects(), dtype=object).copy()
    out[col.null] = None
    return out


def debit_minus_credit(
    debit: ColumnData,
    credit: ColumnData,
    *,
    names: tuple[str, str],
    ids: NameList,
    digits: int,
    decimal: str | None,
) -> IntArray:
    """Signed minor units of a debit and a credit column; a line holds one of them."""
    d, d_missing = parse_amounts(
        debit, column=names[0], ids=ids, digits=digits, decimal=decimal, positive=False,
        optional=True,
    )  # fmt: skip
    c, c_missing = parse_amounts(
        credit, column=names[1], ids=ids, digits=digits, decimal=decimal, positive=False,
        optional=True,
    )  # fmt: skip
    d[d_missing] = 0
    c[c_missing] = 0
    both = np.flatnonzero((d != 0) & (c != 0))
    if both.size:
        shown = [
            f"{names[0]}={cents_to_decimal(int(d[k]), digits)} "
            f"{names[1]}={cents_to_decimal(int(c[k]), digits)}"
            for k in both[:5].tolist()
        ]
        raise DebitAndCreditError(
            f"{both.size} line(s) have both a debit and a credit (a line is one or the other)",
            column=f"{names[0]}/{names[1]}",
            ids=list(ids[both[:5]]),
            count=int(both.size),
            values=shown,
            hint="split each such line in two, one debit line and one credit line",
        )
    return np.asarray(d - c, dtype=np.int64)
