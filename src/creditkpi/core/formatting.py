"""How figures read: amounts for the currency and the locale, percents, days, counts.

One formatter for every rendering (the terminal and text tables, the rich
tables, the HTML page and the credit pack, the charts' axes), so an amount
reads the same everywhere: ``$6,000.00`` in ``en_US``, ``6 000,00 €`` in
``fr_FR``. The number patterns, symbols and separators are the Unicode
CLDR's, through `Babel <https://babel.pocoo.org>`_; the words around them
stay English.

A :class:`Formatter` is made for one currency (an ISO 4217 code) and one
locale; amounts are shown to the currency's minor unit (``digits``, the
ledger's), exactly. Values stay what the library returns (fractions, days,
money): formatting is presentation only, and rounds half up.

Examples
--------
>>> from creditkpi.core.formatting import Formatter
>>> usd = Formatter("USD")
>>> usd.money(6000), usd.percent(0.16324), usd.points(0.0447), usd.count(44.0)
('$6,000.00', '16.32%', '+4.47 pp', '44')
>>> eur = Formatter("EUR", locale="fr_FR")
>>> eur.money(6000) == "6\\u202f000,00\\xa0€", eur.percent(0.16324, decimals=1) == "16,3\\xa0%"
(True, True)
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.numbers import (
    NumberPattern,
    format_compact_currency,
    get_currency_name,
    get_currency_precision,
    is_currency,
    parse_pattern,
)

from creditkpi.core.errors import InvalidOptionError

__all__ = [
    "DEFAULT_LOCALE",
    "MISSING",
    "Formatter",
    "as_decimal",
    "check_locale",
    "currency_label",
    "currency_name",
]

#: the locale of every rendering unless one is given
DEFAULT_LOCALE = "en_US"

#: how an undefined value reads
MISSING = "n/a"


def currency_name(currency: str | None, *, locale: str = "en") -> str | None:
    """The name of one unit of ``currency`` in ``locale`` (Babel's): ``"US dollar"``, ``"euro"``.

    ``None`` when the code is not a currency Babel names (``"EUR+USD"``, the
    codes of a ledger of several currencies).

    Examples
    --------
    >>> currency_name("USD"), currency_name("EUR"), currency_name("GBP", locale="fr")
    ('US dollar', 'euro', 'livre sterling')
    >>> currency_name("EUR+USD") is None
    True
    """
    code = str(currency or "").strip().upper()
    if not is_currency(code):
        return None
    name = get_currency_name(code, count=1, locale=locale)
    return None if name == code else str(name)


def currency_label(label: str, currency: str | None, *, french: bool = False) -> str:
    """``label`` with its currency word ("euro") naming ``currency``'s unit.

    A label that speaks of the euro (*cost per euro collected*, *coût à
    l'euro recouvré*) says the currency of the book it is shown for: *cost per
    US dollar collected* on a book in dollars, *cost per unit collected* where
    the currency has no name (a ledger of several currencies, untranslated).
    Other labels are returned as they are.

    Examples
    --------
    >>> currency_label("Cost per euro collected", "USD")
    'Cost per US dollar collected'
    >>> currency_label("Cost per euro collected", "EUR")
    'Cost per euro collected'
    >>> currency_label("Cost per euro collected", "EUR+USD")
    'Cost per unit collected'
    >>> currency_label("Coût à l'euro recouvré", "GBP", french=True)
    'Coût par livre sterling recouvré'
    """
    if french:
        if "à l'euro" not in label or str(currency or "").upper() == "EUR":
            return label
        name = currency_name(currency, locale="fr") or "unité"
        return label.replace("à l'euro", f"par {name}")
    if not re.search(r"\beuro\b", label):
        return label
    name = currency_name(currency, locale="en") or "unit"
    return re.sub(r"\beuro\b", name, label)


def check_locale(locale: str | Locale | None) -> Locale:
    """A Babel :class:`~babel.Locale` from ``"fr_FR"``, ``"fr-FR"``, ``"de"``... (``None``: the default).

    Raises
    ------
    InvalidOptionError
        ``locale`` is not a locale Babel knows (rule ``unknown-locale``).

    Examples
    --------
    >>> str(check_locale("fr-FR")), str(check_locale(None))
    ('fr_FR', 'en_US')
    """
    if isinstance(locale, Locale):
        return locale
    text = DEFAULT_LOCALE if locale is None else locale
    return _locale(text)


@lru_cache(maxsize=64)
def _locale(text: object) -> Locale:
    if not isinstance(text, str) or not text.strip():
        raise InvalidOptionError(
            f"locale must be a locale name such as 'en_US', 'fr_FR' or 'de_DE'; got {text!r}",
            argument="locale",
            rule="unknown-locale",
        )
    try:
        return Locale.parse(text.strip().replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise InvalidOptionError(
            f"unknown locale {text!r}: give a locale name such as 'en_US', 'fr_FR', 'de_DE' "
            "or 'en_GB'",
            argument="locale",
            rule="unknown-locale",
        ) from None


def _decimal(value: Any) -> Decimal | None:
    """The value as a Decimal (a float by its shortest text), ``None`` when missing."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):
        return None
    if isinstance(value, (int, bool)) or (hasattr(value, "dtype") and value.dtype.kind in "iu"):
        return Decimal(int(value))
    return Decimal(repr(number))


def _round(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _with_decimals(pattern: NumberPattern, decimals: int) -> NumberPattern:
    out = copy.copy(pattern)
    out.frac_prec = (decimals, decimals)
    return out


class Formatter:
    """Text of amounts, fractions, days and counts for one currency and one locale.

    Parameters
    ----------
    currency : str, default "EUR"
        An ISO 4217 code: the symbol (``$``, ``€``, ``£``...) and its place
        follow the locale.
    locale : str, optional
        ``"en_US"`` (default), ``"fr_FR"``, ``"de_DE"``... (``fr-FR`` works too).
    digits : int, optional
        Decimals of amounts: the currency's minor unit (default: the ledger's
        or the code's: 2 for EUR, 0 for JPY, 3 for KWD).

    Raises
    ------
    InvalidOptionError
        An unknown locale or currency code.
    """

    def __init__(
        self,
        currency: str = "EUR",
        *,
        locale: str | Locale | None = None,
        digits: int | None = None,
    ):
        code = str(currency).strip().upper()
        if not is_currency(code):
            raise InvalidOptionError(
                f"currency must be an ISO 4217 code such as 'EUR', 'USD' or 'JPY'; got {currency!r}",
                argument="currency",
                rule="unknown-currency",
            )
        self.currency = code
        self.locale = check_locale(locale)
        self.digits = get_currency_precision(code) if digits is None else int(digits)
        self._money = _with_decimals(self.locale.currency_formats["standard"], self.digits)
        self._percent = self.locale.percent_formats[None]
        self._number = parse_pattern("#,##0")
        symbols = self.locale.number_symbols.get("latn", self.locale.number_symbols)
        self._plus = str(symbols.get("plusSign", "+"))

    def __repr__(self) -> str:
        return f"Formatter({self.currency!r}, locale={str(self.locale)!r}, digits={self.digits})"

    # ------------------------------------------------------------------ pieces
    def _signed(self, text: str, value: Decimal, sign: bool) -> str:
        return self._plus + text if sign and value > 0 else text

    def _apply(self, pattern: NumberPattern, value: Decimal, **kwargs: Any) -> str:
        return str(pattern.apply(value, self.locale, **kwargs))

    # ------------------------------------------------------------------ kinds
    def money(self, value: Any, *, sign: bool = False, decimals: int | None = None) -> str:
        """An amount with the currency: ``$6,000.00``, ``6 000,00 €``; ``n/a`` when missing.

        ``sign`` writes a ``+`` before a positive amount (a change);
        ``decimals`` overrides the minor unit (a cost per unit collected).
        """
        exact = _decimal(value)
        if exact is None:
            return MISSING
        pattern = self._money if decimals is None else _with_decimals(self._money, decimals)
        rounded = _round(exact, self.digits if decimals is None else decimals)
        text = self._apply(pattern, rounded, currency=self.currency, currency_digits=False)
        return self._signed(text, rounded, sign)

    def amount(self, value: Any, *, sign: bool = False) -> str:
        """An amount without the currency symbol: ``6,000.00``, ``6 000,00``."""
        return self.number(value, self.digits, sign=sign)

    def number(self, value: Any, decimals: int = 1, *, sign: bool = False) -> str:
        """A number with ``decimals`` decimals and the locale's separators: ``1,234.5``."""
        exact = _decimal(value)
        if exact is None:
            return MISSING
        rounded = _round(exact, decimals)
        text = self._apply(_with_decimals(self._number, decimals), rounded)
        return self._signed(text, rounded, sign)

    def count(self, value: Any, *, sign: bool = False) -> str:
        """A whole number: ``44`` (never ``44.0``), ``2,466``."""
        return self.number(value, 0, sign=sign)

    def days(self, value: Any, *, sign: bool = False, decimals: int = 1) -> str:
        """Days: ``26.3``."""
        return self.number(value, decimals, sign=sign)

    def percent(self, fraction: Any, *, decimals: int = 2, sign: bool = False) -> str:
        """A fraction as a percent in the locale's pattern: ``16.32%``, ``16,32 %``."""
        exact = _decimal(fraction)
        if exact is None:
            return MISSING
        rounded = _round(exact * 100, decimals) / 100
        text = self._apply(_with_decimals(self._percent, decimals), rounded)
        return self._signed(text, rounded, sign)

    def points(self, change: Any, *, decimals: int = 2) -> str:
        """A change of a fraction in percentage points: ``+4.47 pp`` (0.0447)."""
        exact = _decimal(change)
        if exact is None:
            return MISSING
        return f"{self.number(exact * 100, decimals, sign=True)} pp"

    def compact(self, value: Any, decimals: int = 1) -> str:
        """A short amount for a chart's axis: ``$1.2M``, ``350 k€``-like per the locale."""
        exact = _decimal(value)
        if exact is None:
            return ""
        return str(
            format_compact_currency(
                exact, self.currency, locale=self.locale, fraction_digits=decimals
            )
        )

    def compact_axis(self) -> Callable[[float, int], str]:
        """:meth:`compact` as the ``money_format`` of :mod:`creditkpi.plotting`'s charts."""
        return lambda value, decimals: self.compact(value, decimals)

    # ------------------------------------------------------------------ by unit
    def value(self, value: Any, unit: str, *, change: bool = False) -> str:
        """A KPI value by its registry unit (``money``, ``ratio``, ``days``, ``count``...).

        ``change`` reads it as a change: signed, ratios in percentage points.

        Examples
        --------
        >>> f = Formatter("USD")
        >>> f.value(0.1632, "ratio"), f.value(0.0447, "ratio", change=True), f.value(-1.4, "days", change=True)
        ('16.32%', '+4.47 pp', '-1.4')
        >>> f.value(0.025, "money_per_money"), f.value(float("nan"), "money")
        ('$0.0250', 'n/a')
        """
        if unit == "money":
            return self.money(value, sign=change)
        if unit == "money_per_money":
            return self.money(value, sign=change, decimals=4)
        if unit == "ratio":
            return self.points(value) if change else self.percent(value)
        if unit == "count":
            return self.count(value, sign=change)
        if unit == "days":
            return self.days(value, sign=change)
        return self.number(value, 4, sign=change)

    def relative(self, fraction: Any) -> str:
        """A relative change without its sign: ``13.0%`` (the words say up or down)."""
        exact = _decimal(fraction)
        if exact is None:
            return MISSING
        return self.percent(abs(exact), decimals=1)


def as_decimal(value: Any) -> Decimal | None:
    """A value as the Decimal the formatter reads (``None`` when missing or not a number).

    Examples
    --------
    >>> as_decimal(0.1), as_decimal("x"), as_decimal(float("nan"))
    (Decimal('0.1'), None, None)
    """
    try:
        return _decimal(value)
    except InvalidOperation:  # pragma: no cover - Decimal of a float's repr never fails
        return None
