"""Exact money: integer minor units, Decimal through text, minor-unit checks, ISO 4217."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

import creditkpi as ck
from creditkpi.core.errors import (
    AmountTooLargeError,
    InvalidAmountError,
    InvalidValueError,
    SubMinorUnitError,
)
from creditkpi.core.ingest.amounts import parse_amounts
from creditkpi.core.money import (
    CURRENCIES,
    amount_hint,
    cents_to_decimal,
    currency_code,
    decimal_to_cents,
    minor_unit,
    parse_amount_text,
    to_decimal,
)

IDS = np.array([f"F{i}" for i in range(10)], dtype=object)


def cents(values: list[object], digits: int = 2, **options: object) -> list[int]:
    out, _ = parse_amounts(
        pd.Series(values, dtype=object), column="amount", ids=IDS, digits=digits,
        positive=False, **options,  # type: ignore[arg-type]
    )  # fmt: skip
    return out.tolist()


def test_float_taken_at_its_text() -> None:
    assert to_decimal(0.1) == Decimal("0.1")
    assert to_decimal(55.94) == Decimal("55.94")


def test_decimal_to_cents_rejects_fractions_of_a_cent() -> None:
    assert decimal_to_cents(Decimal("12.30"), 2) == 1230
    with pytest.raises(SubMinorUnitError):
        decimal_to_cents(Decimal("0.001"), 2)
    assert decimal_to_cents(Decimal("5"), 0) == 5
    with pytest.raises(SubMinorUnitError):
        decimal_to_cents(Decimal("5.5"), 0)
    with pytest.raises(AmountTooLargeError, match="too large"):
        decimal_to_cents(Decimal(2**63), 0)


def test_minor_units_and_iso_codes() -> None:
    assert (minor_unit("EUR"), minor_unit("jpy"), minor_unit("BHD"), minor_unit("CLF")) == (
        2,
        0,
        3,
        4,
    )
    assert currency_code(" eur ") == "EUR"
    assert currency_code("EURO") is None and currency_code("XYZ") is None
    assert len(CURRENCIES) > 150 and all(len(c) == 3 and c.isupper() for c in CURRENCIES)
    with pytest.raises(InvalidValueError, match="'EURO'"):
        minor_unit("EURO")


def test_withdrawn_currencies_of_past_ledgers_are_read() -> None:
    # a 2022 ledger in Croatian kuna, a 2015 one in Belarusian roubles (no minor unit)
    assert (minor_unit("HRK"), minor_unit("BYR"), minor_unit("BGN")) == (2, 0, 2)
    kuna = ck.Ledger.from_records(
        [ck.Invoice("F1", "A", "2022-03-01", "2022-03-31", "10.50", currency="HRK")]
    )
    assert kuna.currency == "HRK" and ck.receivables(
        kuna, "2022-03-31", money="decimal"
    ) == Decimal("10.50")
    with pytest.raises(SubMinorUnitError):
        ck.Ledger.from_records(
            [ck.Invoice("F1", "A", "2015-03-01", "2015-03-31", "10.50", currency="BYR")]
        )


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("12.30", None, "12.30"),
        (" 7 ", None, "7"),
        ("-5", None, "-5"),
        ("1 234.56", None, "1234.56"),
        ("1\u00a0234.56", None, "1234.56"),
        ("1\u202f234\u202f567.5", None, "1234567.5"),
        ("1e3", None, "1E+3"),
        ("1,234.56", ".", "1234.56"),
        ("1 234,56", ",", "1234.56"),
        ("1.234,56", ",", "1234.56"),
        ("7,5", ",", "7.5"),
        ("1234", ",", "1234"),
    ],
)
def test_text_amounts(text: str, decimal: str | None, expected: str) -> None:
    value = parse_amount_text(text, decimal)
    assert value == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "decimal"),
    [
        ("7,5", None),
        ("1 234,56", None),
        ("1,234", None),
        ("12 34", None),  # a group of two is not a thousands group
        ("1234.56", ","),
        ("1.234.5", ","),
        ("abc", None),
        ("", None),
    ],
)
def test_text_that_is_not_an_amount(text: str, decimal: str | None) -> None:
    assert parse_amount_text(text, decimal) is None


def test_hints_name_the_option_that_reads_the_value() -> None:
    assert (
        amount_hint(["1 234,56"], None) == 'they are written with a decimal comma: pass decimal=","'
    )
    assert 'decimal="."' in (amount_hint(["1,234.56"], None) or "")
    ambiguous = amount_hint(["1,234"], None) or ""
    assert "1.234" in ambiguous and "1234" in ambiguous
    assert "decimal point" in (amount_hint(["1234.56"], ",") or "")
    assert amount_hint(["abc"], None) is None


def test_columns_of_every_kind_are_exact() -> None:
    assert cents([55.94, 0.1, 1e9]) == [5594, 10, 100_000_000_000]
    assert cents(["12.30", " 7 ", "1 234.56", ".5", "-0.01"]) == [1230, 700, 123456, 50, -1]
    assert cents([Decimal("2.5"), 3, 2**40]) == [250, 300, 2**40 * 100]
    assert cents(["1 234,56", "7,5"], decimal=",") == [123456, 750]
    assert cents([100, 250], digits=0) == [100, 250]
    assert cents(["1.234"], digits=3) == [1234]


def test_the_float_rule() -> None:
    with pytest.raises(SubMinorUnitError, match=r"0\.30000000000000004.*round it first"):
        cents([0.1 + 0.2])
    with pytest.raises(SubMinorUnitError, match=r"12345678901234\.56"):
        cents([12345678901234.567])
    assert cents([5e16]) == [5 * 10**18]  # beyond 2**53 cents, checked exactly
    with pytest.raises(SubMinorUnitError):
        cents([1.005])


def test_text_errors_quote_values_and_hint() -> None:
    with pytest.raises(InvalidAmountError) as info:
        cents(["10.00", "1 234,56", "abc"])
    err = info.value
    assert err.ids == ("F1", "F2") and err.values == ("1 234,56", "abc")
    assert 'pass decimal=","' in str(err)


def test_to_decimal_rejects_garbage() -> None:
    with pytest.raises(InvalidAmountError):
        to_decimal("12,3.4")
    with pytest.raises(InvalidAmountError):
        to_decimal(True)
    with pytest.raises(InvalidAmountError):
        to_decimal(float("inf"))


def test_cents_to_decimal() -> None:
    assert cents_to_decimal(123456, 2) == Decimal("1234.56")
    assert str(cents_to_decimal(-5, 2)) == "-0.05"
