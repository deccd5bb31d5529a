"""The FEC's foreign-currency columns: ``Montantdevise`` and ``Idevise``.

An FEC line booked in euros (``Debit``/``Credit``) for an invoice in another
currency also carries the amount in that currency (``Montantdevise``) and
its ISO 4217 code (``Idevise``). :func:`transaction_amounts` reads them for
``Ledger.from_fec(..., amounts="transaction")``: each customer line in its
own currency, so that the ledger holds each invoice (and its settlements)
in the currency it was billed in.

How the packages write them (Odoo's French localisation, for one): the
amount in currency **signed** like the booked amount (a credit negative),
written with the file's decimal mark; both columns empty on a line in the
company's currency (or ``Idevise`` naming that currency). Some packages
write the amount in currency without a sign, the side being the
``Debit``/``Credit`` one: a file whose amounts in currency are all positive
is read that way. The rules are on the *From your accounting system* page.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.errors import (
    InvalidAmountError,
    InvalidValueError,
    MissingValueError,
    MixedCurrencyError,
)
from creditkpi.core.ingest.amounts import parse_amounts
from creditkpi.core.ingest.columns import Names
from creditkpi.core.money import CURRENCIES, cents_to_decimal

__all__ = [
    "AMOUNTS",
    "LineCurrencies",
    "booked_currencies",
    "check_groups",
    "same_currency",
    "text_cells",
    "transaction_amounts",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: what ``amounts=`` of ``Ledger.from_fec`` may be
AMOUNTS = ("booked", "transaction")

_HINT = (
    'read the booked amounts instead (amounts="booked", the default: one currency, '
    "the Debit/Credit columns)"
)


class LineCurrencies(NamedTuple):
    """Each line's amount in its own currency, and that currency.

    ``signed`` in the minor units of the line's currency (debit positive);
    ``code`` the line's ISO 4217 code; ``digits`` its minor unit's places.
    """

    signed: IntArray
    code: npt.NDArray[Any]
    digits: IntArray


def booked_currencies(signed: IntArray, booked: str) -> LineCurrencies:
    """Every line in the booked currency (``amounts="booked"``)."""
    n = signed.shape[0]
    return LineCurrencies(
        signed,
        np.full(n, booked, dtype=object),
        np.full(n, CURRENCIES[booked], dtype=np.int64),
    )


def transaction_amounts(
    part: pd.DataFrame,
    booked_signed: IntArray,
    *,
    booked: str,
    ids: Names,
    decimal: str | None,
) -> LineCurrencies:
    """The lines of ``part`` (an FEC's rows) in their transaction currency.

    A line whose ``Idevise`` is empty or the booked currency keeps its
    booked amount (``booked_signed``); any other line takes its
    ``Montantdevise`` in the minor unit of its ``Idevise``, signed like the
    booked amount.

    Raises
    ------
    InvalidValueError
        ``invalid-currency``: an ``Idevise`` that is not an ISO 4217 code.
    MissingValueError
        ``missing-foreign-amount``: an ``Idevise`` without ``Montantdevise``;
        ``missing-foreign-currency``: a ``Montantdevise`` without ``Idevise``.
    InvalidAmountError
        ``foreign-amount-sign``: a ``Montantdevise`` whose sign is not that
        of ``Debit − Credit`` (or zero where the booked amount is not).
    """
    n = booked_signed.shape[0]
    raw_code = text_cells(part["Idevise"])
    code = np.asarray(
        [booked if c is None else str(c).upper() for c in raw_code.tolist()], dtype=object
    )
    unknown = np.flatnonzero([c not in CURRENCIES for c in code.tolist()])
    if unknown.size:
        raise InvalidValueError(
            f"{unknown.size} line(s) have an Idevise that is not an ISO 4217 currency code",
            column="Idevise",
            ids=list(ids[unknown[:5]]),
            count=int(unknown.size),
            values=list(raw_code[unknown[:5]]),
            rule="invalid-currency",
        )
    foreign = np.flatnonzero(code != booked)
    signed = booked_signed.copy()
    digits = np.asarray([CURRENCIES[c] for c in code.tolist()], dtype=np.int64)
    column = part["Montantdevise"].reset_index(drop=True)
    given = text_cells(column.to_numpy(dtype=object))
    _check_no_code(given, raw_code, code, booked, column, ids, decimal)
    if foreign.size == 0:
        return LineCurrencies(signed, code, digits)
    missing = foreign[pd.isna(given[foreign])]
    missing = missing[booked_signed[missing] != 0]  # a zero line is said apart, never read
    if missing.size:
        raise MissingValueError(
            f"{missing.size} line(s) name a currency in Idevise but give no amount in it "
            "(Montantdevise)",
            column="Montantdevise",
            ids=list(ids[missing[:5]]),
            count=int(missing.size),
            values=list(code[missing[:5]]),
            rule="missing-foreign-amount",
            hint=_HINT,
        )
    amount = np.zeros(n, dtype=np.int64)
    for currency in np.unique(code[foreign]).tolist():
        rows = foreign[code[foreign] == currency]
        values, _ = parse_amounts(
            column.iloc[rows].reset_index(drop=True), column="Montantdevise",
            ids=_subset(ids, rows), digits=CURRENCIES[currency], decimal=decimal,
            positive=False, optional=True,
        )  # fmt: skip
        amount[rows] = values
    live = foreign[booked_signed[foreign] != 0]
    # signed like Debit - Credit (Odoo's amount_currency), or every amount positive (the
    # side is the booked line's): a file whose amounts in currency hold no negative one
    signed_column = bool((amount[live] < 0).any())
    if not signed_column:
        amount[live] = np.where(booked_signed[live] < 0, -amount[live], amount[live])
    wrong = live[np.sign(amount[live]) != np.sign(booked_signed[live])]
    if wrong.size:
        shown = [
            f"Montantdevise={cents_to_decimal(int(amount[k]), int(digits[k]))} {code[k]}, "
            f"Debit-Credit={cents_to_decimal(int(booked_signed[k]), CURRENCIES[booked])}"
            for k in wrong[:5].tolist()
        ]
        raise InvalidAmountError(
            f"{wrong.size} line(s) have an amount in currency (Montantdevise) whose sign is "
            "not that of Debit - Credit",
            column="Montantdevise",
            ids=list(ids[wrong[:5]]),
            count=int(wrong.size),
            values=shown,
            rule="foreign-amount-sign",
            hint="the amount in currency is signed like the booked amount (a credit "
            f"negative), or unsigned on every line; or {_HINT}",
        )
    signed[foreign] = amount[foreign]
    return LineCurrencies(signed, code, digits)


def _check_no_code(
    given: npt.NDArray[Any],
    raw_code: npt.NDArray[Any],
    code: npt.NDArray[Any],
    booked: str,
    column: pd.Series,
    ids: Names,
    decimal: str | None,
) -> None:
    """A ``Montantdevise`` other than zero on a line without ``Idevise`` names no currency."""
    bare = np.flatnonzero(pd.isna(raw_code) & pd.notna(given))
    if bare.size == 0:
        return
    values, _ = parse_amounts(
        column.iloc[bare].reset_index(drop=True), column="Montantdevise",
        ids=_subset(ids, bare), digits=6, decimal=decimal,
        positive=False, optional=True,
    )  # fmt: skip
    bad = bare[values != 0]
    if bad.size:
        raise MissingValueError(
            f"{bad.size} line(s) give an amount in currency (Montantdevise) but no currency "
            "(Idevise)",
            column="Idevise",
            ids=list(ids[bad[:5]]),
            count=int(bad.size),
            values=list(given[bad[:5]]),
            rule="missing-foreign-currency",
            hint=f"fill Idevise with the ISO 4217 code of those amounts (or {booked}); or {_HINT}",
        )


def check_groups(
    group: IntArray, code: npt.NDArray[Any], used: BoolArray, ids: Names, letter: Any
) -> None:
    """A lettering group (an invoice and what settles it) holds one currency.

    Raises
    ------
    MixedCurrencyError
        Naming the first groups' lines, their lettering code and currencies.
    """
    rows = np.flatnonzero(used & (group >= 0))
    if rows.size == 0:
        return
    frame = pd.DataFrame({"group": group[rows], "code": code[rows], "row": rows})
    count = frame.groupby("group", sort=True)["code"].nunique()
    mixed = count.index[count.to_numpy() > 1].to_numpy()
    if mixed.size == 0:
        return
    first = frame[frame["group"].isin(mixed)].drop_duplicates(["group", "code"])
    shown = [
        f"{letter[r]}: {', '.join(sorted(set(first.loc[first['group'] == g, 'code'])))}"
        for g, r in first.drop_duplicates("group")[["group", "row"]].itertuples(index=False)
    ]
    where = first["row"].to_numpy(dtype=np.int64)
    raise MixedCurrencyError(
        f"{mixed.size} lettering group(s) tie lines of several currencies (an invoice and "
        "its settlements are in one currency)",
        column="Idevise",
        ids=list(ids[where[:5]]),
        count=int(mixed.size),
        values=shown[:5],
        hint=_HINT,
    )


def _subset(ids: Names, rows: IntArray) -> Names:
    """How messages name the lines ``rows`` of ``ids``, for a column read on them only."""
    return Names(rows.size, lambda where: ids[rows[where]])


def text_cells(values: Any) -> npt.NDArray[Any]:
    """Text cells stripped, ``None`` where empty."""
    s = pd.Series(np.asarray(values, dtype=object), dtype=object)
    stripped = s.where(s.isna(), s.astype(str).str.strip())
    return stripped.where(stripped.ne(""), None).to_numpy(dtype=object, copy=True)


def same_currency(own: LineCurrencies, invoice: int, provision: int, document: Any) -> None:
    """A provision (491) on a doubtful invoice is in the invoice's currency."""
    if own.code[invoice] != own.code[provision]:
        raise MixedCurrencyError(
            "a provision (491) is in another currency than its doubtful invoice",
            column="Idevise",
            ids=[document[invoice]],
            values=[f"invoice {own.code[invoice]}, provision {own.code[provision]}"],
            hint="give the provision line the invoice's Idevise and Montantdevise, or read the "
            'booked amounts (amounts="booked")',
        )
