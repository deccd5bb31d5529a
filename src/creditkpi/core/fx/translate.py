"""Translating a ledger into a reporting currency (IAS 21), item by item, exactly.

:func:`translate` (what :meth:`Ledger.translate <creditkpi.Ledger.translate>`
calls) returns a ledger in the reporting currency on which every KPI works
unchanged. The one rounding rule: **every amount is translated per item and
rounded half up to the reporting currency's minor unit** (ties away from
zero), so that every total is the sum of its items and stays additive over
customers and partitions.

* ``method="closing"``: a **flow** (an invoice's amount for sales, each
  payment, credit note and write-off) at the rate of its own date (IAS
  21.21); a **position** at an as-of date T (receivables, aging buckets,
  overdue, disputed, unapplied, doubtful, provisions, the tables at T) per
  open item at the closing rate of T (IAS 21.23): ``round(B_i(T) × rate(T))``.
  The ledger's columns hold each invoice at its issue date's rate (its
  *historical* carrying amount); :func:`closing_view` gives them at the
  rates of any T, which the parts read for every position.
* ``method="constant"``: every amount at one set of rates (``at=`` a date,
  or each currency's latest rate of a table given for the purpose): a
  ledger of one currency whose items were converted.

A view at fixed rates converts each invoice's balance after each of its
settlements, and a settlement is the fall it causes in the converted
balance (``round(B_before × r) − round(B_after × r)``): the balances of the
view at every date are then exactly ``round(B_i(t) × r)``, an invoice settled
in full leaves nothing, and every kernel of the engine reads the view as it
reads any ledger.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.fx.convert import convert
from creditkpi.core.ingest.settlements import stable_order
from creditkpi.core.money import CURRENCIES, currency_code
from creditkpi.core.period import as_date, from_day, to_day

if TYPE_CHECKING:  # pragma: no cover
    from creditkpi.core.fx.rates import Rates
    from creditkpi.core.ledger import Columns, Ledger

__all__ = [
    "METHODS",
    "Translation",
    "TranslationInfo",
    "closing_view",
    "flow_settlements",
    "historical_view",
    "native_view",
    "position_factors",
    "reporting_amount",
    "reporting_ledger",
    "translate",
]

IntArray = npt.NDArray[np.int64]
Method = Literal["closing", "constant"]

#: the translation methods
METHODS = ("closing", "constant")

#: closing views kept per translated ledger, at least (each as large as its money columns)
_VIEWS_KEPT = 6
#: and as many more as fit in this many bytes: a dashboard reads some 14 month-ends, twice
_VIEWS_BYTES = 1 << 30

#: the float64 fast paths stay exact below this total (:func:`creditkpi.core.ledger.float_sums_exact`)
_FLOAT_EXACT = 2**51 * (1 - 1e-9)


@dataclass(frozen=True)
class TranslationInfo:
    """How a ledger was translated (``Ledger.translation``).

    Attributes
    ----------
    to : str
        The reporting currency.
    method : {"closing", "constant"}
    currencies : tuple of str
        The transaction currencies of the items.
    source : str
        Where the rates come from.
    at : date or None
        ``constant``: the date of the rates (``None``: each currency's latest).
    first, last : date or None
        The first and last fixings of the rates.
    """

    to: str
    method: str
    currencies: tuple[str, ...]
    source: str
    at: date | None
    first: date | None
    last: date | None

    def describe(self) -> str:
        """One sentence for a report: the method and the rates.

        Examples
        --------
        >>> info = TranslationInfo("EUR", "closing", ("EUR", "USD"), "ECB euro reference rates",
        ...                        None, date(1999, 1, 4), date(2024, 6, 28))
        >>> print(info.describe())  # doctest: +NORMALIZE_WHITESPACE
        translated from EUR, USD into EUR at closing rates (IAS 21: positions at the as-of
        date's rate, flows at their own date's); ECB euro reference rates of 1999-01-04 to
        2024-06-28
        """
        if self.method == "closing":
            how = (
                "at closing rates (IAS 21: positions at the as-of date's rate, flows at their "
                "own date's)"
            )
        elif self.at is not None:
            how = f"at constant rates of {self.at}"
        else:
            how = "at constant rates (each currency's latest rate of the table)"
        span = "" if self.first is None else f" of {self.first} to {self.last}"
        return (
            f"translated from {', '.join(self.currencies)} into {self.to} {how}; "
            f"{self.source}{span}"
        )


class Translation:
    """A closing translation's machinery: the native columns, the rates, views per date.

    Held by the translated ledger's columns (:attr:`Columns.translation`);
    :meth:`view` gives its columns at the closing rates of a day (cached:
    the dashboard asks for a few days many times); :attr:`positions` the
    cheaper ledgers that give the same positions at a day
    (:func:`~creditkpi.core.fx.positions.position_view`).
    """

    def __init__(
        self,
        source: Columns,
        rates: Rates,
        to: str,
        info: TranslationInfo,
        telescope: _Telescope,
    ) -> None:
        self.source = source
        self.rates = rates
        self.to = to
        self.digits = CURRENCIES[to]
        self.info = info
        self.telescope = telescope
        self.group_cache: dict[Any, Any] = {}
        self.method = info.method
        self._views: OrderedDict[int, Columns] = OrderedDict()
        self._ledgers: OrderedDict[int, Any] = OrderedDict()
        #: the ledgers of :func:`~creditkpi.core.fx.positions.position_view`, by day
        self.positions: OrderedDict[int, Any] = OrderedDict()
        self.history: Columns | None = None
        self.historical: Any = None
        self.native: Any = None
        self.first_days = _first_days(source)
        self.unapplied = np.flatnonzero(source.settlement_invoice < 0)
        #: each invoice's historical rate (its issue date's), as (p, q)
        self.invoice_rates: tuple[Any, Any] = (None, None)
        size = 8 * (2 * source.amount.shape[0] + source.settlement_amount.shape[0])
        self.kept = max(_VIEWS_KEPT, _VIEWS_BYTES // max(size, 1))

    def has_view(self, day: int) -> bool:
        """Whether the columns at the closing rates of ``day`` are at hand (cached)."""
        return day in self._views

    def view(self, day: int) -> Columns:
        """The columns at the closing rates of ``day`` (each currency's rate on that day)."""
        found = self._views.get(day)
        if found is not None:
            self._views.move_to_end(day)
            return found
        p, q = per_currency_factors(self.rates, self.source, self.to, day, self.first_days)
        cols = converted(self.source, self.telescope, self.to, (p, q), None, self.group_cache)
        self._views[day] = cols
        while len(self._views) > self.kept:
            self._views.popitem(last=False)
        return cols

    def ledger_at(self, ledger: Ledger, day: int) -> Ledger:
        """``ledger`` (the translated one) at the closing rates of ``day``."""
        found = self._ledgers.get(day)
        if found is not None and found._cols is self._views.get(day):
            self._ledgers.move_to_end(day)
            out: Ledger = found
            return out
        view = self.view(day)
        wrapped = type(ledger)._wrap(view, ledger.report)
        self._ledgers[day] = wrapped
        while len(self._ledgers) > self.kept:
            self._ledgers.popitem(last=False)
        return wrapped


# ----------------------------------------------------------------------------------
# the views the engine reads
# ----------------------------------------------------------------------------------


def closing_view(ledger: Ledger, day: int) -> Ledger:
    """``ledger`` at the closing rates of ``day``: what every position at ``day`` reads.

    A ledger translated at closing rates gives its items at the rates of
    ``day`` (each invoice's balance ``round(B_i(t) × rate(day))`` at every
    t); any other ledger is returned as it is.
    """
    translation = ledger._cols.translation
    if translation is None or translation.method != "closing":
        return ledger
    out: Ledger = translation.ledger_at(ledger, int(day))
    return out


def historical_view(ledger: Ledger) -> Ledger:
    """``ledger`` with each invoice at its issue date's rate, as a plain ledger.

    The columns of a ledger translated at closing rates (each item's
    historical carrying amount at every date), read without the
    translation; any other ledger is returned as it is.
    """
    translation = ledger._cols.translation
    if translation is None or translation.method != "closing":
        return ledger
    if translation.historical is None:
        cols = copy.copy(ledger._cols)
        cols.translation = None
        translation.historical = type(ledger)._wrap(cols, ledger.report)
    out: Ledger = translation.historical
    return out


def native_view(ledger: Ledger) -> Ledger:
    """The ledger a translation was made from, in the items' own currencies.

    Also of a view of a translated ledger (:func:`closing_view`): its items,
    row for row, in their own currencies. Any other ledger is returned as
    it is.
    """
    translation = ledger._cols.translation
    if translation is None:
        source = ledger._cols.native
        return ledger if source is None else type(ledger)._wrap(source, ledger.report)
    if translation.native is None:
        translation.native = type(ledger)._wrap(translation.source, ledger.report)
    out: Ledger = translation.native
    return out


def position_factors(ledger: Ledger, day: int) -> tuple[npt.NDArray[Any], npt.NDArray[Any]] | None:
    """The rates a position of a translated ``ledger`` at ``day`` is taken at, per currency.

    ``(p, q)`` per transaction currency of its items (:attr:`Ledger.currencies`
    order): a native amount ``x`` (in the minor units the items are held
    at) is ``round(x × p / q)`` in the reporting currency. Closing rates:
    those of ``day``; constant rates: the translation's own. ``None`` for
    a ledger that is not translated.
    """
    translation = ledger._cols.translation
    if translation is None:
        return None
    info = translation.info
    if info.method == "closing":
        return per_currency_factors(translation.rates, translation.source, info.to, int(day))
    when = None if info.at is None else to_day(info.at)
    return per_currency_factors(translation.rates, translation.source, info.to, when, constant=True)


def reporting_amount(ledger: Ledger, amount: Any, currency: str, day: int) -> int:
    """``amount`` of ``currency`` in minor units of ``ledger``'s currency at ``day``'s rate.

    Rounded half up to the reporting currency's minor unit. Closing rates:
    the rate of ``day``; constant rates: the translation's. The amount is
    taken as it is when ``currency`` is the ledger's, or when the ledger is
    not translated (it has no rates).
    """
    from creditkpi.core.money import decimal_to_cents

    translation = ledger._cols.translation
    digits = ledger._cols.digits
    if currency == ledger._cols.currency or translation is None:
        return decimal_to_cents(amount, digits)
    info = translation.info
    rates = translation.rates
    own = CURRENCIES[currency]
    if info.method == "closing":
        when: int | None = int(day)
    else:
        when = None if info.at is None else to_day(info.at)
    day_of_currency, day_of_to = _rate_day(rates, currency, info.to, when)
    n_to, e_to = rates.quotes(info.to, np.asarray([day_of_to], dtype=np.int64))
    n_c, e_c = rates.quotes(currency, np.asarray([day_of_currency], dtype=np.int64))
    p, q = _fraction(n_to, e_to, n_c, e_c, digits - own)
    cents = decimal_to_cents(amount, own)
    return int(convert(np.asarray([cents], dtype=np.int64), p, q)[0])


def reporting_ledger(ledger: Ledger, to: str | None, rates: Rates | None) -> Ledger:
    """The ledger an exchange-difference KPI reads: ``ledger``, or translated with ``to``, ``rates``.

    Without ``to`` and ``rates``, ``ledger`` must be in one currency (a
    ledger translated at closing rates, or one of a single currency, which
    has no exchange difference).
    """
    if (to is None) != (rates is None):
        raise InvalidOptionError(
            "give to= and rates= together (the reporting currency and its rates), or neither "
            "for a ledger already translated",
            argument="to" if to is None else "rates",
        )
    if to is not None and rates is not None:
        return translate(ledger, to, rates)
    if ledger._cols.per_item_currency:
        raise InvalidOptionError(
            f"the ledger holds {len(ledger._cols.currencies)} currencies "
            f"({', '.join(ledger._cols.currencies)}): give to= and rates= (or translate it "
            "first with ledger.translate(to, rates))",
            argument="to",
        )
    return ledger


def flow_settlements(cols: Columns) -> IntArray:
    """Each settlement's amount as a flow: at its own date's rate on a translated ledger."""
    flow = cols.settlement_flow
    return cols.settlement_amount if flow is None else flow


# ----------------------------------------------------------------------------------
# translate
# ----------------------------------------------------------------------------------


def translate(
    ledger: Ledger,
    to: str,
    rates: Rates,
    *,
    method: Method = "closing",
    at: date | str | None = None,
) -> Ledger:
    """:meth:`Ledger.translate <creditkpi.Ledger.translate>` (see there)."""
    code = currency_code(to)
    if code is None:
        raise InvalidOptionError(
            f"to must be an ISO 4217 currency code such as 'EUR', 'USD', got {to!r}",
            argument="to",
        )
    if method not in METHODS:
        raise InvalidOptionError(
            f"method must be 'closing' or 'constant', got {method!r}", argument="method"
        )
    if not callable(getattr(rates, "quotes", None)) or not hasattr(rates, "base"):
        raise InvalidOptionError(
            "rates must be creditkpi Rates (ck.Rates.from_frame(...) or ck.Rates.ecb()), "
            f"got {type(rates).__name__}",
            argument="rates",
        )
    when = None if at is None else as_date(at)
    if when is not None and method != "constant":
        raise InvalidOptionError(
            "at= is the date of the constant rates: pass method='constant' with it",
            argument="at",
        )
    source = ledger._cols
    if source.translation is not None or source.native is not None:
        raise InvalidOptionError(
            "the ledger is already translated: translate the ledger it was made from",
            argument="ledger",
        )
    for currency in (*source.currencies, code):
        if currency != rates.base:
            rates.positions(currency, np.zeros(0, dtype=np.int64))  # raises when unknown
    info = TranslationInfo(
        code, method, source.currencies, rates.source, when, rates.first_date, rates.last_date
    )
    telescope = _Telescope.of(source)
    if method == "constant":
        day = None if when is None else to_day(when)
        p, q = per_currency_factors(rates, source, code, day, constant=True)
        cols = converted(source, telescope, code, (p, q), None, {})
        cols.translation = _Constant(info, source, rates)
        return type(ledger)._wrap(cols, ledger.report)
    translation = Translation(source, rates, code, info, telescope)
    factors = item_factors(rates, source, code)
    cols = converted(source, telescope, code, factors[0], factors[1], translation.group_cache)
    translation.invoice_rates = (factors[0][0], factors[0][1])
    cols.translation = translation
    foreign = [k for k, c in enumerate(source.currencies) if c != code]
    cols.fx_items = np.flatnonzero(np.isin(source.invoice_currency, foreign)).astype(np.int64)
    translation.history = cols
    return type(ledger)._wrap(cols, ledger.report)


class _Constant:
    """What a ledger translated at constant rates keeps of its translation.

    Its description, the columns it was made from (the amounts in their
    own currencies) and its rates; every view of it is the ledger itself.
    """

    method = "constant"

    def __init__(self, info: TranslationInfo, source: Columns, rates: Rates) -> None:
        self.info = info
        self.source = source
        self.rates = rates
        self.native: Any = None


# ----------------------------------------------------------------------------------
# rates as integer fractions
# ----------------------------------------------------------------------------------


def _fraction(
    num_to: npt.NDArray[Any], exp_to: int, num: npt.NDArray[Any], exp: int, shift: int
) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """``(p, q)`` of ``10**shift × (num_to / 10**exp_to) / (num / 10**exp)``, in lowest terms.

    ``shift`` is the reporting currency's decimal places minus those the
    amounts are held at. Int64 when the terms fit, Python integers beyond.
    """
    up = max(0, shift)
    down = max(0, -shift)
    p_mul = 10 ** (exp + up)
    q_mul = 10 ** (exp_to + down)
    big = (int(np.max(num_to, initial=1)) * p_mul >= 2**62) or (
        int(np.max(num, initial=1)) * q_mul >= 2**62
    )
    if big:
        from math import gcd

        pairs = [
            (int(a) * p_mul, int(b) * q_mul)
            for a, b in zip(np.ravel(num_to).tolist(), np.ravel(num).tolist(), strict=True)
        ]
        ps = np.empty(len(pairs), dtype=object)
        qs = np.empty(len(pairs), dtype=object)
        for k, (a, b) in enumerate(pairs):
            g = gcd(a, b)
            ps[k], qs[k] = a // g, b // g
        return ps, qs
    p = np.asarray(num_to, dtype=np.int64) * p_mul
    q = np.asarray(num, dtype=np.int64) * q_mul
    g = np.gcd(p, q)
    return p // g, q // g


def per_currency_factors(
    rates: Rates,
    source: Columns,
    to: str,
    day: int | None,
    first_days: list[int | None] | None = None,
    *,
    constant: bool = False,
) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """One ``(p, q)`` per transaction currency of ``source``: its rate into ``to`` at ``day``.

    ``day=None``: each currency's latest rate (constant rates of a table
    given for the purpose). At closing rates, a currency with no item on or
    before ``day`` reads no rate (nothing of it is open at ``day``); at
    ``constant`` rates every item takes the rate of ``day``, whenever it
    was dated. ``first_days``: :func:`_first_days` of ``source``, when known.
    """
    ps: list[Any] = []
    qs: list[Any] = []
    digits_to = CURRENCIES[to]
    first_day = _first_days(source) if first_days is None else first_days
    for k, currency in enumerate(source.currencies):
        one = np.ones(1, dtype=np.int64)
        first = first_day[k]
        absent = not constant and day is not None and (first is None or first > day)
        if currency == to or absent:
            # the reporting currency; or nothing of this currency exists yet at ``day`` (its
            # items count nothing there): no rate is read
            p, q = _fraction(one, 0, one, 0, digits_to - source.digits)
        else:
            when = _rate_day(rates, currency, to, day)
            n_to, e_to = rates.quotes(to, np.asarray([when[1]], dtype=np.int64))
            n_c, e_c = rates.quotes(currency, np.asarray([when[0]], dtype=np.int64))
            p, q = _fraction(n_to, e_to, n_c, e_c, digits_to - source.digits)
        ps.append(p[0])
        qs.append(q[0])
    return _pack(ps), _pack(qs)


def _rate_day(rates: Rates, currency: str, to: str, day: int | None) -> tuple[int, int]:
    """The days whose rates translate ``currency`` at ``day``: (its day, ``to``'s day)."""
    if day is None:
        return rates.latest(currency), rates.latest(to)
    return day, day


def _pack(values: list[Any]) -> npt.NDArray[Any]:
    if all(isinstance(v, (int, np.integer)) and int(v) < 2**62 for v in values):
        return np.asarray([int(v) for v in values], dtype=np.int64)
    out = np.empty(len(values), dtype=object)
    out[:] = [int(v) for v in values]
    return out


def _first_days(source: Columns) -> list[int | None]:
    """Per transaction currency, the first day any of its items exists."""
    out: list[int | None] = []
    for k in range(len(source.currencies)):
        days = []
        inv = source.invoice_currency == k
        if inv.any():
            days.append(int(source.issue[inv].min()))
        un = (source.settlement_currency == k) & (source.settlement_invoice < 0)
        if un.any():
            days.append(int(source.settlement_date[un].min()))
        out.append(min(days) if days else None)
    return out


def _distinct_days(days: IntArray) -> tuple[IntArray, IntArray]:
    """``np.unique(days, return_inverse=True)``, by a table of the days' span (no sort).

    Item dates span a few thousand days: marking them in a table is linear
    where sorting 13.5M settlement dates took seconds (the same result).
    """
    if days.size == 0:
        return np.unique(days, return_inverse=True)
    low, high = int(days.min()), int(days.max())
    if high - low > 4 * days.size + 2**16:  # sparse: sorting is cheaper than the table
        return np.unique(days, return_inverse=True)
    present = np.zeros(high - low + 1, dtype=bool)
    present[days - low] = True
    rank = np.cumsum(present, dtype=np.int64) - 1
    return low + np.flatnonzero(present), rank[days - low]


def _dated_factors(
    rates: Rates, source: Columns, to: str, codes: npt.NDArray[Any], days: IntArray
) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Per item (currency code, day), ``(p, q)`` of its rate into ``to`` on that day."""
    digits_to = CURRENCIES[to]
    size = days.shape[0]
    p_out: npt.NDArray[Any] = np.ones(size, dtype=np.int64)
    q_out: npt.NDArray[Any] = np.ones(size, dtype=np.int64)
    for k, currency in enumerate(source.currencies):
        mask = codes == k
        if not mask.any():
            continue
        where = np.flatnonzero(mask)
        unique, back = _distinct_days(days[where])
        if currency == to:
            one = np.ones(unique.shape, dtype=np.int64)
            p, q = _fraction(one, 0, one, 0, digits_to - source.digits)
        else:
            n_to, e_to = rates.quotes(to, unique)
            n_c, e_c = rates.quotes(currency, unique)
            p, q = _fraction(n_to, e_to, n_c, e_c, digits_to - source.digits)
        if p.dtype == object or q.dtype == object:
            p_out, q_out = p_out.astype(object), q_out.astype(object)
        p_out[where] = p[back]
        q_out[where] = q[back]
    return p_out, q_out


def item_factors(
    rates: Rates, source: Columns, to: str
) -> tuple[tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any]], IntArray]:
    """The historical rates of a closing translation, and the flows at their own dates.

    Returns ``((p_invoice, q_invoice, p_unapplied, q_unapplied), flow)``:
    each invoice at its issue date's rate, each unapplied payment at its
    date's, and every settlement's amount at the rate of the day it was
    posted (its flow).
    """
    inv_p, inv_q = _dated_factors(rates, source, to, source.invoice_currency, source.issue)
    posted = (
        source.settlement_date if source.settlement_posted is None else source.settlement_posted
    )
    s_p, s_q = _dated_factors(rates, source, to, source.settlement_currency, posted)
    flow = convert(source.settlement_amount, s_p, s_q)
    un = source.settlement_invoice < 0
    return (inv_p, inv_q, s_p[un], s_q[un]), flow


# ----------------------------------------------------------------------------------
# converted columns
# ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Telescope:
    """What every view of one ledger shares: the balance after each applied settlement.

    ``applied`` are the positions of the settlements applied to an invoice,
    ``after`` the invoice's native balance after each of them (in date
    order), ``previous`` the position (in ``applied``) of the invoice's
    settlement before it (-1 for its first), ``final`` each invoice's
    balance after all of them.
    """

    applied: IntArray
    invoice: IntArray
    after: IntArray
    previous: IntArray
    final: IntArray

    @classmethod
    def of(cls, c: Columns) -> _Telescope:
        applied = np.flatnonzero(c.settlement_invoice >= 0)
        inv = c.settlement_invoice[applied]
        amount = c.settlement_amount[applied]
        order = stable_order(inv)  # by invoice, date order within
        s_inv = inv[order]
        s_amt = amount[order]
        new = np.ones(s_inv.shape[0], dtype=bool)
        new[1:] = s_inv[1:] != s_inv[:-1]
        cum = np.cumsum(s_amt)
        run_start = np.maximum.accumulate(np.where(new, np.arange(s_inv.shape[0]), 0))
        within = cum - (cum - s_amt)[run_start]
        after = np.empty_like(within)
        after[order] = c.amount[s_inv] - within
        previous = np.full(order.shape[0], -1, dtype=np.int64)
        prev_sorted = np.where(new, -1, np.roll(order, 1))
        previous[order] = prev_sorted
        return cls(applied, inv, after, previous, c.amount - c.settled)


def converted(
    source: Columns,
    telescope: _Telescope,
    to: str,
    invoice_factors: Any,
    flow: IntArray | None,
    group_cache: dict[str | None, Any],
) -> Columns:
    """``source`` with every amount converted into ``to`` (see the module's rule).

    ``invoice_factors`` is ``(p, q)`` per transaction currency (one set of
    rates), or ``(p_invoice, q_invoice, p_unapplied, q_unapplied)`` per item
    (each invoice at its own rate, each unapplied payment at its own).
    ``flow``: the settlements' amounts as flows, where they differ.
    """
    c = source
    un = np.flatnonzero(c.settlement_invoice < 0)
    if len(invoice_factors) == 2:
        p_cur, q_cur = invoice_factors
        p_inv, q_inv = p_cur[c.invoice_currency], q_cur[c.invoice_currency]
        code_un = c.settlement_currency[un]
        p_un, q_un = p_cur[code_un], q_cur[code_un]
    else:
        p_inv, q_inv, p_un, q_un = invoice_factors
    amount = convert(c.amount, p_inv, q_inv)
    t = telescope
    p_s, q_s = p_inv[t.invoice], q_inv[t.invoice]
    after = convert(t.after, p_s, q_s)
    before = np.where(t.previous >= 0, after[np.maximum(t.previous, 0)], amount[t.invoice])
    s_amount = np.empty_like(c.settlement_amount)
    s_amount[t.applied] = before - after
    if un.size:
        s_amount[un] = convert(c.settlement_amount[un], p_un, q_un)
    out = copy.copy(c)
    out.__dict__.pop("float_view", None)
    out.__dict__.pop("closing_days", None)
    out.amount = amount
    out.settlement_amount = s_amount
    out.settled = amount - convert(t.final, p_inv, q_inv)
    if c.doubtful_invoice.size:
        held = c.doubtful_provision >= 0
        provision = c.doubtful_provision.copy()
        of = c.doubtful_invoice[held]
        provision[held] = convert(c.doubtful_provision[held], p_inv[of], q_inv[of])
        out.doubtful_provision = provision
    shift = CURRENCIES[to] - c.digits
    if shift:  # credit limits and cover: amounts in the reporting currency, at its minor unit
        out.limit_amount = _rescaled(c.limit_amount, shift)
        out.cover_amount = _rescaled(c.cover_amount, shift)
    out.currency = to
    out.digits = CURRENCIES[to]
    out.per_item_currency = False
    out.translation = None
    out.settlement_flow = flow
    out.native = c
    out.fx_items = np.zeros(0, dtype=np.int64)
    out.group_cache = group_cache
    total = float(np.abs(amount).sum(dtype=np.float64)) + float(
        np.abs(s_amount).sum(dtype=np.float64)
    )
    if flow is not None:
        total += float(np.abs(flow).sum(dtype=np.float64))
    out.exact_float = total < _FLOAT_EXACT
    return out


def _rescaled(amount: IntArray, shift: int) -> IntArray:
    """Amounts ``>= 0`` in minor units moved ``shift`` decimal places (half up when fewer)."""
    if shift > 0:
        return np.asarray(amount * 10**shift, dtype=np.int64)
    step = 10 ** (-shift)
    return np.asarray((amount + step // 2) // step, dtype=np.int64)


def day_of(value: date | str | int) -> int:
    """A day number of a date, a text date or a day number."""
    if isinstance(value, (int, np.integer)):
        return int(value)
    return to_day(as_date(value))


def date_of(day: int) -> date:
    """The date of a day number."""
    return from_day(day)
