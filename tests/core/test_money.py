"""Exact money: integer minor units, Decimal through text, minor-unit checks."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from creditkpi.core.errors import InvalidAmountError, SubMinorUnitError
from creditkpi.core.money import (
    cents_to_decimal,
    decimal_to_cents,
    minor_unit,
    parse_amounts,
    to_decimal,
)


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


def test_minor_units() -> None:
    assert (minor_unit("EUR"), minor_unit("jpy"), minor_unit("BHD")) == (2, 0, 3)


def test_parse_float_column() -> None:
    cents, invalid, too_fine = parse_amounts(np.array([55.94, 0.1, 0.015, np.nan, 1e9]), 2)
    assert cents[:2].tolist() == [5594, 10]
    assert cents[4] == 100_000_000_000
    assert invalid.tolist() == [False, False, False, True, False]
    assert too_fine.tolist() == [False, False, True, False, False]


def test_parse_text_column() -> None:
    cents, invalid, too_fine = parse_amounts(
        np.array(["12.30", " 7 ", "abc", "", None, "1.234", Decimal("2.5")], dtype=object), 2
    )
    assert cents[[0, 1, 6]].tolist() == [1230, 700, 250]
    assert invalid.tolist() == [False, False, True, True, True, False, False]
    assert too_fine.tolist() == [False, False, False, False, False, True, False]


def test_integers_are_whole_units() -> None:
    cents, invalid, _ = parse_amounts(np.array([3, 40]), 2)
    assert cents.tolist() == [300, 4000]
    assert not invalid.any()


def test_cents_to_decimal() -> None:
    assert cents_to_decimal(123456, 2) == Decimal("1234.56")
    assert str(cents_to_decimal(-5, 2)) == "-0.05"


def test_to_decimal_rejects_garbage() -> None:
    with pytest.raises(InvalidAmountError):
        to_decimal("12,3.4")
    with pytest.raises(InvalidAmountError):
        to_decimal(True)
