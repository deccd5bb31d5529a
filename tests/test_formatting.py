"""One formatter for every rendering: amounts for the currency and the locale (Babel)."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest

from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.formatting import Formatter, check_locale

NBSP, NNBSP = "\xa0", "\u202f"


@pytest.mark.parametrize(
    ("currency", "locale", "value", "text"),
    [
        ("USD", "en_US", 6000, "$6,000.00"),
        ("EUR", "fr_FR", 6000, f"6{NNBSP}000,00{NBSP}€"),
        ("EUR", "de_DE", Decimal("-1234.5"), f"-1.234,50{NBSP}€"),
        ("EUR", "en_US", 0.1 + 0.2, "€0.30"),  # a float rounded to the minor unit
        ("GBP", "en_GB", 5119.85, "£5,119.85"),
        ("JPY", "ja_JP", 6000, "￥6,000"),  # no minor unit
        ("KWD", "en_US", Decimal("1.2345"), "KWD1.235"),  # three decimals, half up
    ],
    ids=["usd", "eur-fr", "eur-de", "float", "gbp", "jpy", "kwd"],
)
def test_money_for_the_currency_and_the_locale(
    currency: str, locale: str, value: object, text: str
) -> None:
    assert Formatter(currency, locale=locale).money(value) == text


def test_a_change_is_signed_and_zero_is_not() -> None:
    usd = Formatter("USD")
    assert usd.money(16.03, sign=True) == "+$16.03"
    assert usd.money(-1798.5, sign=True) == "-$1,798.50"
    assert usd.money(0.0, sign=True) == "$0.00"
    assert usd.value(0.0447, "ratio", change=True) == "+4.47 pp"
    assert usd.value(-1.44, "days", change=True) == "-1.4"


def test_fractions_days_and_counts() -> None:
    en, fr = Formatter("EUR"), Formatter("EUR", locale="fr_FR")
    assert en.percent(0.16324) == "16.32%" and en.percent(0.16324, decimals=1) == "16.3%"
    assert fr.percent(0.16324) == f"16,32{NBSP}%"
    assert en.days(26.25) == "26.3"  # half up, not the binary float's 26.2
    assert fr.days(1234.56) == f"1{NNBSP}234,6"
    # counts are whole numbers, whatever type they come in
    assert en.count(44.0) == "44" and en.count(np.int64(2466)) == "2,466"
    assert en.value(0.025, "money_per_money") == "€0.0250"


@pytest.mark.parametrize("value", [None, math.nan, float("inf"), Decimal("NaN"), "text"])
def test_missing_values_read_n_a(value: object) -> None:
    f = Formatter("EUR")
    assert f.money(value) == f.percent(value) == f.count(value) == f.points(value) == "n/a"


def test_compact_amounts_for_charts() -> None:
    assert Formatter("USD").compact(1_234_567) == "$1.2M"
    assert Formatter("EUR", locale="fr_FR").compact(1_234_567) == f"1,2{NBSP}M{NBSP}€"
    axis = Formatter("USD").compact_axis()
    assert axis(1_500_000, 1) == "$1.5M" and axis(250, 0) == "$250"


def test_the_minor_unit_may_be_given() -> None:
    assert Formatter("EUR", digits=0).money(1234.5) == "€1,235"


@pytest.mark.parametrize("locale", ["xx_YY", "", "english", 42])
def test_an_unknown_locale_is_named(locale: object) -> None:
    with pytest.raises(InvalidOptionError, match="unknown-locale") as caught:
        check_locale(locale)  # type: ignore[arg-type]
    assert "en_US" in str(caught.value) and caught.value.column == "locale"


def test_an_unknown_currency_is_named() -> None:
    with pytest.raises(InvalidOptionError, match=r"unknown-currency.*'ZZZ'"):
        Formatter("ZZZ")


def test_locale_spellings() -> None:
    assert str(check_locale("fr-FR")) == "fr_FR" and str(check_locale(None)) == "en_US"
