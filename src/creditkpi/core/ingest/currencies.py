"""The transaction currency of every invoice and settlement, read once per ledger.

A ledger may hold several currencies: each invoice has its own (the
``currency`` column, else the ledger's one code), each settlement applied to
an invoice is in its invoice's currency, and unapplied cash says its own
(the payments' ``currency`` column, needed only when the ledger has several
currencies). Amounts are then held in whole minor units of the finest
currency of the ledger (the most decimal places), so that every sum within a
currency is exact; each amount must still be a whole number of its own
currency's minor unit (``12.5`` JPY is an error).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.errors import (
    InvalidValueError,
    MissingColumnError,
    MissingValueError,
    MixedCurrencyError,
    SubMinorUnitError,
)
from creditkpi.core.ingest.columns import NameList, Resolved
from creditkpi.core.ingest.source import ColumnData, as_arrow, take_values
from creditkpi.core.money import CURRENCIES

__all__ = [
    "CurrencyCodes",
    "check_own_units",
    "distinct_text",
    "read_currencies",
    "settlement_currencies",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
CodeArray = npt.NDArray[np.int16]

#: the currency of inputs that say none
DEFAULT_CURRENCY = "EUR"


@dataclass(frozen=True)
class CurrencyCodes:
    """The currencies of one call's inputs.

    Attributes
    ----------
    currencies : tuple of str
        The codes found, sorted.
    invoice : ndarray of int16
        Each invoice row's currency (index into ``currencies``).
    payment : ndarray of int16
        Each payment row's currency as given (-1: not said).
    digits : int
        Decimal places of the finest currency: the scale the amounts are read at.
    """

    currencies: tuple[str, ...]
    invoice: CodeArray
    payment: CodeArray
    digits: int

    @property
    def code(self) -> str:
        """The ledger's currency: the one code, or the codes joined (``"EUR+USD"``)."""
        return "+".join(self.currencies)


def _table_codes(
    table: Resolved, names: NameList, found: dict[str, Any], *, blanks: bool
) -> npt.NDArray[np.int64]:
    """Each row's code in ``found`` order (-1 blank, allowed with ``blanks``), codes validated."""
    data = table.data("currency")
    codes, uniques = distinct_text(data)
    cleaned = [u.strip().upper() if isinstance(u, str) else u for u in uniques]
    empty = np.asarray([u is None or u == "" for u in cleaned] + [True])
    blank = empty[np.where(codes < 0, len(cleaned), codes)]
    if blank.any() and not blanks:
        where = np.flatnonzero(blank)
        raise MissingValueError(
            f"{where.size} row(s) of the {table.name} table have no currency while others "
            "have one (fill them in)",
            column="currency",
            ids=list(names[where[:5]]),
            count=int(where.size),
        )
    local = np.full(len(cleaned) + 1, -1, dtype=np.int64)
    for k, code in enumerate(cleaned):
        if code is None or code == "":
            continue
        if code not in CURRENCIES:
            where = np.flatnonzero(codes == k)
            raise InvalidValueError(
                f"{where.size} value(s) are not ISO 4217 currency codes",
                column="currency",
                ids=list(names[where[:5]]),
                count=int(where.size),
                values=take_values(data, where[:5]),
                hint="use a code such as 'EUR', 'USD', 'JPY'",
            )
        if code not in found:
            found[code] = names[int(np.argmax(codes == k))]
        local[k] = list(found).index(code)
    return local[np.where(codes < 0, len(cleaned), codes)]


def read_currencies(
    inv: Resolved, pay: Resolved, ids: NameList, pnames: NameList, default: str | None = None
) -> CurrencyCodes:
    """The currency of every invoice row and the one given on each payment row.

    ``default`` is the currency of invoices when the table has no
    ``currency`` column (EUR when not given).
    """
    if pay.has("currency") and not inv.has("currency") and pay.rows:
        raise MissingColumnError(
            "the payments table has a currency column but the invoices table has none: "
            "give the invoices their currency (or drop it from the payments)",
            column="currency",
            ids=["currency"],
        )
    if not inv.has("currency") and not pay.has("currency"):  # one currency: no row to read
        code = default or DEFAULT_CURRENCY
        return CurrencyCodes(
            (code,),
            np.zeros(inv.rows, dtype=np.int16),
            np.full(pay.rows, -1, dtype=np.int16),
            CURRENCIES[code],
        )
    found: dict[str, Any] = {}
    if inv.has("currency") and inv.rows:
        inv_local = _table_codes(inv, ids, found, blanks=False)
    else:
        found[default or DEFAULT_CURRENCY] = None
        inv_local = np.zeros(inv.rows, dtype=np.int64)
    if pay.has("currency") and pay.rows:
        pay_local = _table_codes(pay, pnames, found, blanks=True)
    else:
        pay_local = np.full(pay.rows, -1, dtype=np.int64)
    order = sorted(found)
    rank = np.asarray([order.index(c) for c in found] + [-1], dtype=np.int64)
    return CurrencyCodes(
        tuple(order),
        rank[np.where(inv_local < 0, len(found), inv_local)].astype(np.int16),
        rank[np.where(pay_local < 0, len(found), pay_local)].astype(np.int16),
        max(CURRENCIES[c] for c in order),
    )


def check_own_units(
    cents: IntArray,
    codes: CodeArray,
    found: CurrencyCodes,
    *,
    column: str,
    ids: NameList,
    data: ColumnData,
) -> None:
    """Every amount is a whole number of its own currency's minor unit (read at the finest)."""
    if len(found.currencies) == 1:
        return
    step = np.asarray([10 ** (found.digits - CURRENCIES[c]) for c in found.currencies])
    unit = step[np.maximum(codes, 0)]
    finer = (unit > 1) & (cents % unit != 0)
    if finer.any():
        where = np.flatnonzero(finer)
        shown = sorted({found.currencies[int(codes[k])] for k in where[:5]})
        raise SubMinorUnitError(
            f"{where.size} amount(s) are finer than their currency's minor unit "
            f"({', '.join(f'{c}: {CURRENCIES[c]} decimal(s)' for c in shown)})",
            column=column,
            ids=list(ids[where[:5]]),
            count=int(where.size),
            values=take_values(data, where[:5]),
        )


def settlement_currencies(
    found: CurrencyCodes, ppos: IntArray, unapplied: BoolArray, pnames: NameList
) -> CodeArray:
    """Each payment row's currency: its invoice's, or its own for unapplied cash.

    A payment applied to an invoice in another currency is a
    ``mixed-currencies`` error; unapplied cash in a ledger of several
    currencies must say its currency (``missing-value``).
    """
    given = found.payment
    if len(found.currencies) == 1:  # every settlement is in the one currency
        return np.zeros(given.shape[0], dtype=np.int16)
    # an unapplied payment (-1) reads the spare -1 at the end
    own = np.append(found.invoice, np.int16(-1))[ppos] if ppos.size else given
    out = np.where(unapplied, given, own)
    wrong = ~unapplied & (given >= 0) & (given != out)
    if wrong.any():
        where = np.flatnonzero(wrong)
        shown = [
            f"{found.currencies[int(given[k])]} (invoice: {found.currencies[int(out[k])]})"
            for k in where[:5]
        ]
        raise MixedCurrencyError(
            f"{where.size} settlement(s) are in another currency than their invoice",
            column="currency",
            ids=list(pnames[where[:5]]),
            count=int(where.size),
            values=shown,
            hint="a settlement is in its invoice's currency: convert it before, or record "
            "the difference as its own line",
        )
    blank = unapplied & (given < 0)
    if blank.any():
        if len(found.currencies) > 1:
            where = np.flatnonzero(blank)
            raise MissingValueError(
                f"{where.size} unapplied payment(s) have no currency in a ledger of "
                f"{len(found.currencies)} currencies ({', '.join(found.currencies)})",
                column="currency",
                ids=list(pnames[where[:5]]),
                count=int(where.size),
                hint="give the payments table a currency column for its unapplied cash",
            )
        out = np.where(blank, 0, out)
    return np.asarray(out, dtype=np.int16)


def distinct_text(data: ColumnData) -> tuple[npt.NDArray[np.integer[Any]], list[Any]]:
    """Codes (-1: missing) and distinct values of a column with few distinct values."""
    arrow = as_arrow(data)
    if arrow is not None:
        import pyarrow.compute as pc

        if _is_dictionary(arrow):  # read the rows' values: an unused entry says nothing
            arrow = arrow.dictionary_decode()
        encoded = pc.dictionary_encode(arrow)
        indices = encoded.indices if arrow.null_count == 0 else pc.fill_null(encoded.indices, -1)
        return np.asarray(indices.to_numpy()), encoded.dictionary.to_pylist()
    series = data if isinstance(data, pd.Series) else pd.Series(data)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    values = [None if _is_na(v) else v for v in np.asarray(uniques, dtype=object).tolist()]
    return np.asarray(codes, dtype=np.int64), values


def _is_dictionary(arrow: Any) -> bool:
    """Whether an Arrow array is dictionary-encoded (a polars or Arrow categorical)."""
    import pyarrow as pa

    return bool(pa.types.is_dictionary(arrow.type))


def _is_na(value: object) -> bool:
    try:
        return bool(value is None or value is pd.NA or value != value)
    except (TypeError, ValueError):
        return False
