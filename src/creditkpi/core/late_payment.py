"""Late-payment claims: interest on overdue balances, the fixed indemnity, legal terms.

French law (Code de commerce, articles L441-10 and L441-11) makes two things
due, without any reminder, on every invoice paid late between professionals:

* **late-payment penalties** on the amount paid late, from the day after the
  due date to the payment date, at the agreed rate or, by default, at the rate
  of the European Central Bank's most recent main refinancing operation plus
  10 percentage points -- the ECB rate in force on 1 January for the first
  half-year, on 1 July for the second;
* a **fixed recovery indemnity** of 40 € per invoice (article D441-5).

It also caps agreed payment terms at 60 days from the invoice date, or by
agreement 45 days end of month (:func:`legal_due_limit`).

This module holds the kernel every path shares: the rate tables
(:class:`RateTable`, :func:`statutory_rates`, :func:`rate_table`) and the
per-invoice claims at an as-of date (:func:`invoice_claims`). Interest
accrues day by day on the part of the invoice still unpaid at the end of the
previous day, so a partial payment stops the interest on what it paid from its
date; credit notes and write-offs stop it like payments. Each invoice's
penalty is the exact sum of its days, rounded once, half up, to the minor unit
of the currency; totals are sums of those rounded amounts (so a table adds up
to its total to the cent).

The *Late-payment claims* page of the documentation gives the rules, the
rate table and a worked example.
"""

from __future__ import annotations

import csv
import functools
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources

import numpy as np
import numpy.typing as npt
import pandas as pd

from creditkpi.core.engine import balances, disputed_at
from creditkpi.core.errors import DataQualityWarning, InvalidOptionError
from creditkpi.core.fx.convert import convert
from creditkpi.core.fx.translate import native_view, position_factors, reporting_amount
from creditkpi.core.groups import Groups
from creditkpi.core.ledger import NO_END, Ledger
from creditkpi.core.money import decimal_to_cents
from creditkpi.core.period import Period, as_date, from_day, to_day

__all__ = [
    "COVERED_THROUGH",
    "RATE_SCALE",
    "STATUTORY_MARGIN",
    "InvoiceClaims",
    "RateTable",
    "beyond_terms_parts",
    "claim_parts",
    "claims_frame",
    "ecb_main_refinancing_rates",
    "indemnity_units",
    "invoice_claims",
    "legal_due_limit",
    "rate_table",
    "statutory_rates",
    "warn_beyond_table",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: rates are held as whole millionths of a year (0.1215 per year -> 121500)
RATE_SCALE = 1_000_000
#: the statutory margin over the ECB rate, in percentage points (L441-10)
STATUTORY_MARGIN = Decimal(10)
#: last day the bundled ECB table is known to cover (the rate in force on 1 July 2026
#: was not known when it was written: pass ``rate=`` for later days)
COVERED_THROUGH = date(2026, 6, 30)

#: products of minor units by rate-days must stay below this to be summed in int64
_INT64_SAFE = 2**62


@dataclass(frozen=True)
class RateTable:
    """A yearly interest rate that changes on given dates (a step function of the day).

    Hashable and comparable (a computation's settings hold it).

    Attributes
    ----------
    starts : tuple of int
        Day numbers (:func:`~creditkpi.core.period.to_day`) from which each
        rate applies, increasing.
    rates : tuple of int
        The rate from each start on, in millionths per year
        (:data:`RATE_SCALE`): 0.1215 per year is 121500.
    covered_through : int or None
        Last day the table is known to hold (``None``: the last rate holds
        for ever). Interest on later days uses the last rate, and the
        claims say so (:attr:`InvoiceClaims.last_day_covered`).
    """

    starts: tuple[int, ...]
    rates: tuple[int, ...]
    covered_through: int | None = None

    def rate_on(self, day: int) -> Decimal:
        """The yearly rate (a fraction) in force on ``day``."""
        k = int(np.searchsorted(np.asarray(self.starts), day, side="right")) - 1
        if k < 0:
            raise InvalidOptionError(
                f"the rate table starts on {from_day(int(self.starts[0]))}; "
                f"no rate for {from_day(day)}: pass rate= with a rate for that date",
                argument="rate",
            )
        return Decimal(int(self.rates[k])) / RATE_SCALE

    def rate_days(self, after: IntArray, until: IntArray) -> IntArray:
        """``Σ rate(d)`` over the days ``after < d <= until`` (0 where ``until <= after``).

        In millionths-per-year × days. Days before the table's first start
        are an error (see :meth:`rate_on`).
        """
        after = np.asarray(after, dtype=np.int64)
        until = np.maximum(np.asarray(until, dtype=np.int64), after)
        accruing = until > after
        if accruing.any():
            first = int(after[accruing].min()) + 1
            if first < int(self.starts[0]):
                self.rate_on(first)  # raises, naming the day
        return self._cumulative(until) - self._cumulative(after)

    def _cumulative(self, day: IntArray) -> IntArray:
        """``Σ rate(d)`` for ``starts[0] <= d <= day`` (0 before the first start)."""
        starts = np.asarray(self.starts, dtype=np.int64)
        rates = np.asarray(self.rates, dtype=np.int64)
        spans = np.diff(starts)
        done = np.concatenate([[0], np.cumsum(rates[:-1] * spans)]).astype(np.int64)
        k = np.searchsorted(starts, day, side="right") - 1
        inside = k >= 0
        kk = np.where(inside, k, 0)
        value = done[kk] + rates[kk] * (day - starts[kk] + 1)
        return np.where(inside, value, 0).astype(np.int64)

    def to_frame(self) -> pd.DataFrame:
        """The table as a frame: ``start`` (date) and ``rate`` (a fraction per year)."""
        return pd.DataFrame(
            {
                "start": [from_day(int(d)) for d in self.starts],
                "rate": [float(Decimal(int(r)) / RATE_SCALE) for r in self.rates],
            }
        )


def ecb_main_refinancing_rates() -> pd.DataFrame:
    """The ECB's main refinancing operations rate since 1999, as bundled with creditkpi.

    Returns
    -------
    DataFrame
        ``date`` (the first day of each rate) and ``rate`` (percent per year,
        ``Decimal``), one row per change. Source: the European Central Bank,
        *Key ECB interest rates*; the file's header cites it.

    Examples
    --------
    >>> from creditkpi.core.late_payment import ecb_main_refinancing_rates
    >>> table = ecb_main_refinancing_rates()
    >>> table.iloc[0].tolist()
    [datetime.date(1999, 1, 1), Decimal('3.00')]
    """
    text = resources.files("creditkpi.core").joinpath("data/ecb_main_refinancing_rate.csv")
    rows = [
        row
        for row in csv.reader(text.read_text(encoding="utf-8").splitlines())
        if row and not row[0].startswith("#")
    ]
    header, body = rows[0], rows[1:]
    assert header == ["date", "rate"], header
    return pd.DataFrame(
        {
            "date": [date.fromisoformat(r[0]) for r in body],
            "rate": [Decimal(r[1]) for r in body],
        }
    )


def _half_year_starts(first: date, last: date) -> list[date]:
    out = []
    year, month = first.year, 1 if first.month <= 6 else 7
    while date(year, month, 1) <= last:
        out.append(date(year, month, 1))
        year, month = (year, 7) if month == 1 else (year + 1, 1)
    return out


@functools.cache
def statutory_rates(margin: Decimal | int = STATUTORY_MARGIN) -> RateTable:
    """The French statutory late-payment rate: the ECB rate at each half-year start + 10 points.

    For every half-year since 1 January 1999, the main refinancing rate in
    force on its first day (1 January or 1 July) plus ``margin`` percentage
    points (10 under article L441-10 of the Code de commerce).

    Examples
    --------
    >>> from creditkpi.core.late_payment import statutory_rates
    >>> from creditkpi.core.period import to_day
    >>> table = statutory_rates()
    >>> table.rate_on(to_day(date(2024, 3, 1))), table.rate_on(to_day(date(2024, 9, 1)))
    (Decimal('0.145'), Decimal('0.1425'))
    """
    ecb = ecb_main_refinancing_rates()
    change_days = np.asarray([to_day(d) for d in ecb["date"]], dtype=np.int64)
    starts = _half_year_starts(ecb["date"].iloc[0], COVERED_THROUGH)
    rates = []
    for start in starts:
        k = int(np.searchsorted(change_days, to_day(start), side="right")) - 1
        rates.append(_scaled((ecb["rate"].iloc[k] + Decimal(margin)) / 100, "rate"))
    return RateTable(
        tuple(to_day(s) for s in starts), tuple(rates), covered_through=to_day(COVERED_THROUGH)
    )


def _scaled(value: object, name: str) -> int:
    """A yearly rate (fraction) as whole millionths; refused when negative or finer."""
    if isinstance(value, bool):
        raise InvalidOptionError(f"{name} must be a number, got {value!r}", argument=name)
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)  # type: ignore[arg-type]
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidOptionError(
            f"{name} must be a yearly rate as a fraction (0.1215 for 12.15 %), got {value!r}",
            argument=name,
        ) from None
    if not number.is_finite() or number < 0:
        raise InvalidOptionError(
            f"{name} must be a finite rate >= 0 (a fraction per year), got {value!r}",
            argument=name,
        )
    scaled = number * RATE_SCALE
    if scaled != scaled.to_integral_value():
        raise InvalidOptionError(
            f"{name} {value!r} is finer than 0.0001 % a year (the precision of rates)",
            argument=name,
        )
    if number > 100:
        raise InvalidOptionError(
            f"{name} {value!r} is over 10,000 % a year: rates are fractions (0.1215 for 12.15 %)",
            argument=name,
        )
    return int(scaled)


def rate_table(rate: object) -> RateTable:
    """Read the ``rate=`` argument of the late-payment functions.

    ``None``: the French statutory rate (:func:`statutory_rates`); a number
    (a fraction per year, ``0.1215`` for 12.15 %): that rate on every day; a
    mapping ``{date: rate}`` or a frame with columns ``date`` and ``rate``:
    each rate from its date on. A :class:`RateTable` is taken as it is.

    Examples
    --------
    >>> from creditkpi.core.late_payment import rate_table
    >>> from creditkpi.core.period import to_day
    >>> t = rate_table({"2024-01-01": 0.12, "2024-07-01": "0.11"})
    >>> t.rate_on(to_day(date(2024, 8, 1)))
    Decimal('0.11')
    """
    if rate is None:
        return statutory_rates()
    if isinstance(rate, RateTable):
        return rate
    if isinstance(rate, pd.DataFrame):
        missing = [c for c in ("date", "rate") if c not in rate.columns]
        if missing:
            raise InvalidOptionError(
                f"a rate table needs the columns 'date' and 'rate'; missing {missing}",
                argument="rate",
            )
        pairs = list(zip(rate["date"].tolist(), rate["rate"].tolist(), strict=True))
    elif isinstance(rate, Mapping):
        pairs = list(rate.items())
    else:
        return RateTable((to_day(date(1, 1, 1)),), (_scaled(rate, "rate"),))
    if not pairs:
        raise InvalidOptionError("the rate table is empty", argument="rate")
    days = [to_day(as_date(d, name="rate date")) for d, _ in pairs]
    values = [_scaled(r, "rate") for _, r in pairs]
    if len(set(days)) != len(days):
        raise InvalidOptionError("the rate table lists a date more than once", argument="rate")
    order = sorted(range(len(days)), key=days.__getitem__)
    return RateTable(tuple(days[k] for k in order), tuple(values[k] for k in order))


@dataclass(frozen=True)
class InvoiceClaims:
    """What every invoice owes beyond its principal at the end of one day.

    Attributes
    ----------
    day : int
        The as-of day number.
    included : ndarray of bool
        Invoices issued on or before the day (and not left out as disputed).
    days_late : ndarray of int64
        Days between the due date and the payment that closed the invoice,
        or the as-of date while it is open (0 when never late).
    late_balance : ndarray of int64
        The part of the invoice still unpaid at the end of its due date
        (minor units): what the penalties run on.
    open_balance : ndarray of int64
        ``B_i(T)``, the invoice's balance at the day (0 where not included).
    penalties : ndarray of int64
        Penalties accrued up to the day, rounded half up to the minor unit.
    indemnity_due : ndarray of bool
        Invoices paid late or overdue at the day (balance left at the end of
        the due date, and the day after it).
    last_day_covered : int or None
        The rate table's last known day when interest ran beyond it.
    amount : ndarray of int64
        The invoice's amount as the claim reads it (0 where not included).
    penalties_in_currency : ndarray of int64
        The penalties in the invoice's own currency, in the minor units its
        native ledger holds amounts at (on a ledger that is not translated:
        ``penalties``).

    On a translated ledger every money array but ``penalties_in_currency``
    is in the reporting currency: the claim computed on the items in their
    own currencies, each amount translated per invoice at the rate of the
    day (closing rates; constant rates: the translation's), half up.
    """

    day: int
    included: BoolArray
    days_late: IntArray
    late_balance: IntArray
    open_balance: IntArray
    penalties: IntArray
    indemnity_due: BoolArray
    last_day_covered: int | None
    amount: IntArray
    penalties_in_currency: IntArray


def invoice_claims(
    ledger: Ledger,
    day: int,
    rates: RateTable,
    *,
    days_in_year: int = 365,
    exclude_disputed: bool = False,
) -> InvoiceClaims:
    """Penalties and indemnities of every invoice at the end of ``day``.

    Interest runs on each day ``d`` with ``D_i < d <= T`` on the part of the
    invoice unpaid at the end of day ``d - 1`` (payments, credit notes and
    write-offs of every kind stop it from their date; an overpayment earns
    nothing), at ``rates`` on that day, divided by ``days_in_year``. A
    settlement stops the interest on the day the customer paid: its posting
    day where it applies to the invoice later (application dates).

    Examples
    --------
    >>> import creditkpi as ck
    >>> from creditkpi.core.late_payment import invoice_claims, rate_table
    >>> from creditkpi.core.period import to_day
    >>> ledger = ck.Ledger.from_records(
    ...     [ck.Invoice("F1", "C1", "2024-01-15", "2024-02-14", "10000.00")],
    ...     [ck.Payment("F1", "2024-03-15", "4000.00"),
    ...      ck.Payment("F1", "2024-04-14", "6000.00")])
    >>> c = invoice_claims(ledger, to_day(date(2024, 4, 30)), rate_table(None))
    >>> int(c.penalties[0]), int(c.days_late[0]), bool(c.indemnity_due[0])
    (19068, 60, True)
    """
    if isinstance(days_in_year, bool) or days_in_year not in (360, 365, 366):
        raise InvalidOptionError(
            f"days_in_year must be 360, 365 or 366, got {days_in_year!r}", argument="days_in_year"
        )
    factors = position_factors(ledger, day)
    if factors is not None:  # owed in the invoice's currency, translated at the day's rate
        native = native_view(ledger)
        own = invoice_claims(
            native, day, rates, days_in_year=days_in_year, exclude_disputed=exclude_disputed
        )
        code = native._cols.invoice_currency.astype(np.int64)
        p, q = factors[0][code], factors[1][code]
        return replace(
            own,
            amount=convert(own.amount, p, q),
            late_balance=convert(own.late_balance, p, q),
            open_balance=convert(own.open_balance, p, q),
            penalties=convert(own.penalties, p, q),
        )
    c = ledger._cols
    n = c.n_invoices
    included = c.issue <= day
    if exclude_disputed:
        included &= ~disputed_at(ledger, day)
    due = c.due
    # settlements of invoices dated <= day, grouped by invoice (date order kept)
    # the settlements of invoices paid by the day, on the day the customer paid: the day
    # posted where a settlement applies to its invoice only later (application dates)
    paid_on = c.settlement_date if c.settlement_posted is None else c.settlement_posted
    keep = (c.settlement_invoice >= 0) & (paid_on <= day)
    inv = c.settlement_invoice[keep]
    when = paid_on[keep]
    amount = c.settlement_amount[keep]
    order = np.lexsort((when, inv))
    inv, when, amount = inv[order], when[order], amount[order]
    total = np.cumsum(amount)
    starts = np.searchsorted(inv, np.arange(n, dtype=np.int64), side="left")
    before = np.concatenate([[0], total])[starts]
    settled_after = total - before[inv]  # cumulative settled on the invoice, this one included
    cap = c.amount[inv]
    covered = np.minimum(settled_after, cap) - np.minimum(settled_after - amount, cap)
    # a settlement dated before its invoice counts from the issue date (as in the engine)
    when = np.maximum(when, c.issue[inv])
    # what each settlement paid after the due date stops interest from its date
    late_paid = np.where(when > due[inv], covered, 0)
    paid_by_due = c.bin_sum(inv, covered - late_paid, n)
    settled_total = c.bin_sum(inv, covered, n)
    late_balance = np.where(included, np.maximum(c.amount - paid_by_due, 0), 0)
    still_open = np.where(included, np.maximum(c.amount - settled_total, 0), 0)
    days = np.full(n, day, dtype=np.int64)
    seg_days = rates.rate_days(due[inv], when)
    open_days = rates.rate_days(due, days)
    bound = max(
        int(np.abs(late_paid).max(initial=0)) * int(np.abs(seg_days).max(initial=0)),
        int(still_open.max(initial=0)) * int(np.abs(open_days).max(initial=0)),
    ) * max(int(inv.size), 1)
    # each penalty rounded half up to its own currency's minor unit (a book of several
    # currencies holds every amount at the finest one's)
    step = _own_steps(ledger)
    den = days_in_year * RATE_SCALE
    if bound < _INT64_SAFE // max(int(step.max(initial=1)), 1):
        acc = np.zeros(n, dtype=np.int64)
        np.add.at(acc, inv, late_paid * seg_days)
        acc += still_open * open_days
        penalties = (2 * acc + den * step) // (2 * den * step) * step
    else:  # exact in Python integers (amounts or rates beyond int64 products)
        acc_obj = np.zeros(n, dtype=object)
        np.add.at(acc_obj, inv, late_paid.astype(object) * seg_days.astype(object))
        acc_obj += still_open.astype(object) * open_days.astype(object)
        penalties = np.asarray(
            [
                (2 * int(a) + den * int(k)) // (2 * den * int(k)) * int(k)
                for a, k in zip(acc_obj, step.tolist(), strict=True)
            ],
            dtype=np.int64,
        )
    penalties = np.where(included, penalties, 0).astype(np.int64)
    # the day each invoice closed (its balance reached 0), NO_END while open
    closing = np.full(n, NO_END, dtype=np.int64)
    reached = np.flatnonzero(settled_after >= cap)
    closed, first = np.unique(inv[reached], return_index=True)  # first in date order
    closing[closed] = when[reached[first]]
    end = np.where(still_open > 0, day, np.minimum(closing, day))
    days_late = np.where(included & (late_balance > 0), np.maximum(end - due, 0), 0)
    indemnity = included & (late_balance > 0) & (day > due)
    covered_day = rates.covered_through
    beyond = (
        covered_day is not None
        and bool((included & (late_balance > 0) & (day > due)).any())
        and day > covered_day
    )
    return InvoiceClaims(
        day=day,
        included=included,
        days_late=days_late.astype(np.int64),
        late_balance=late_balance.astype(np.int64),
        open_balance=np.where(included, balances(ledger, from_day(day)).balance, 0).astype(
            np.int64
        ),
        penalties=penalties,
        indemnity_due=indemnity,
        last_day_covered=covered_day if beyond else None,
        amount=np.where(included, c.amount, 0).astype(np.int64),
        penalties_in_currency=penalties,
    )


def _own_steps(ledger: Ledger) -> IntArray:
    """Per invoice, its currency's minor unit in the ledger's minor units (1 in one currency)."""
    c = ledger._cols
    if not c.per_item_currency:
        return np.ones(c.n_invoices, dtype=np.int64)
    return np.asarray(c.currency_steps[c.invoice_currency.astype(np.int64)], dtype=np.int64)


def indemnity_units(ledger: Ledger, amount: Decimal, currency: str | None, day: int) -> int:
    """The fixed indemnity in minor units of ``ledger``'s currency at ``day``.

    ``currency`` is the one the indemnity is set in (``None``: the
    ledger's). On a translated ledger another currency is converted at the
    rate of ``day`` (closing rates; the translation's constant rates),
    rounded half up: the statutory 40 € of a book reported in dollars.
    """
    if currency is None:
        return decimal_to_cents(amount, ledger.digits)
    return reporting_amount(ledger, amount, currency, day)


def legal_due_limit(issue: IntArray, rule: object = "fr") -> IntArray:
    """The latest due date the law allows for invoices issued on ``issue`` (day numbers).

    ``rule="fr"`` (Code de commerce, L441-10): 60 days after the invoice
    date, or the end of the month in which the invoice date + 45 days falls,
    whichever is later (the two maxima the law allows by agreement). A whole
    number of days ``n``: ``issue + n``.

    Examples
    --------
    >>> from creditkpi.core.late_payment import legal_due_limit
    >>> from creditkpi.core.period import from_day, to_day
    >>> [from_day(int(d)) for d in legal_due_limit(np.asarray([to_day(date(2024, 1, 20))]))]
    [datetime.date(2024, 3, 31)]
    """
    issue = np.asarray(issue, dtype=np.int64)
    if rule == "fr":
        plus45 = (issue + 45).astype("datetime64[D]")
        month_end = ((plus45.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1).astype(
            np.int64
        )
        return np.maximum(issue + 60, month_end).astype(np.int64)
    if isinstance(rule, bool) or not isinstance(rule, (int, np.integer)) or int(rule) < 0:
        raise InvalidOptionError(
            f"rule must be 'fr' or a whole number of days >= 0, got {rule!r}", argument="rule"
        )
    return (issue + int(rule)).astype(np.int64)


def statutory_claims_apply(ledger: Ledger) -> bool:
    """Whether the French statutory claims can be reckoned on ``ledger``, in its currency.

    A ledger in euros; or one translated (``Ledger.translate``) with rates
    that hold the euro, so that the 40 € indemnity converts at each date's
    rate. A ledger in another currency that was never translated (a seller
    outside France), or a book of several currencies, is not.
    """
    if ledger.currency == "EUR":
        return True
    translation = ledger._cols.translation
    return translation is not None and translation.rates.known("EUR")


def claim_parts(
    ledger: Ledger,
    days: Sequence[int],
    groups: Groups,
    *,
    rates: RateTable | None = None,
    indemnity: Decimal | int = 0,
    indemnity_currency: str | None = None,
    days_in_year: int = 365,
    exclude_disputed: bool = False,
) -> dict[str, IntArray]:
    """The additive claim parts at each of ``days``, per group: ``(days, groups)`` arrays.

    ``late_penalties`` (the invoices' rounded penalties, minor units),
    ``late_invoices`` (invoices paid late or overdue) and
    ``late_indemnities`` (``late_invoices × indemnity``). ``indemnity`` is
    an amount of ``indemnity_currency`` (``None``: minor units of the
    ledger's currency), converted at each day's rate on a translated ledger
    (:func:`indemnity_units`). Adding the parts of ledgers with disjoint
    customers gives the parts of their union.
    """
    table = statutory_rates() if rates is None else rates
    k, g = len(days), groups.size
    penalties = np.zeros((k, g), dtype=np.int64)
    late = np.zeros((k, g), dtype=np.int64)
    each = np.zeros(k, dtype=np.int64)
    c = ledger._cols
    for j, day in enumerate(days):
        claims = invoice_claims(
            ledger,
            int(day),
            table,
            days_in_year=days_in_year,
            exclude_disputed=exclude_disputed,
        )
        warn_beyond_table(claims)
        penalties[j] = c.bin_sum(groups.invoice, claims.penalties, g)
        late[j] = np.bincount(groups.invoice[claims.indemnity_due], minlength=g)
        if late[j].any():  # converted only when owed: no rate is needed before the book starts
            each[j] = _indemnity_at(ledger, indemnity, indemnity_currency, int(day))
    return {
        "late_penalties": penalties,
        "late_invoices": late,
        "late_indemnities": late * each[:, None],
    }


def _indemnity_at(ledger: Ledger, indemnity: Decimal | int, currency: str | None, day: int) -> int:
    if currency is None:
        return int(indemnity)
    return indemnity_units(ledger, Decimal(indemnity), currency, day)


def warn_beyond_table(claims: InvoiceClaims) -> None:
    """Say once when interest ran on days the rate table does not cover."""
    if claims.last_day_covered is not None:
        warnings.warn(
            f"the late-payment rate table ends on {from_day(claims.last_day_covered)}: "
            "interest after it uses the table's last rate; pass rate= with the rate in force",
            DataQualityWarning,
            stacklevel=3,
        )


def beyond_terms_parts(
    ledger: Ledger, periods: Sequence[Period], groups: Groups, *, rule: object = "fr"
) -> dict[str, IntArray]:
    """Invoices issued in each period whose due date is later than the legal maximum.

    ``beyond_terms_invoiced`` (their amount, minor units) and
    ``beyond_terms_invoices`` (their number), per group; see
    :func:`legal_due_limit`.
    """
    c = ledger._cols
    beyond = c.due > legal_due_limit(c.issue, rule)
    n, g = len(periods), groups.size
    amount = np.zeros((n, g), dtype=np.int64)
    count = np.zeros((n, g), dtype=np.int64)
    for j, p in enumerate(periods):
        keep = beyond & (c.issue >= to_day(p.start)) & (c.issue <= to_day(p.end))
        amount[j] = c.bin_sum(groups.invoice[keep], c.amount[keep], g)
        count[j] = np.bincount(groups.invoice[keep], minlength=g)
    return {"beyond_terms_invoiced": amount, "beyond_terms_invoices": count}


def claims_frame(
    ledger: Ledger,
    day: int,
    groups: Groups,
    *,
    rates: RateTable | None = None,
    indemnity: Decimal | int = 0,
    indemnity_currency: str | None = None,
    days_in_year: int = 365,
    exclude_disputed: bool = False,
) -> pd.DataFrame:
    """The claims of every invoice issued by ``day``, one row each (integers).

    Indexed by ``(group, customer_id, invoice_id)``; columns ``issue_date``
    and ``due_date`` (day numbers), ``amount``, ``late_balance``,
    ``open_balance``, ``penalties``, ``indemnity`` (minor units),
    ``days_late`` and ``late`` (1 when the invoice was paid late or is
    overdue), ``currency`` (the invoice's transaction currency) and
    ``penalties_in_currency`` (in that currency's own minor units).
    ``indemnity`` as :func:`claim_parts`. Rows of disjoint ledgers
    concatenate.
    """
    c = ledger._cols
    native = native_view(ledger)._cols
    claims = invoice_claims(
        ledger,
        day,
        statutory_rates() if rates is None else rates,
        days_in_year=days_in_year,
        exclude_disputed=exclude_disputed,
    )
    warn_beyond_table(claims)
    keep = np.flatnonzero(claims.included)
    late = claims.indemnity_due[keep].astype(np.int64)
    code = native.invoice_currency[keep].astype(np.int64)
    step = native.currency_steps
    index = pd.MultiIndex.from_arrays(
        [
            pd.Index(groups.labels).take(groups.invoice[keep]),
            pd.Index(c.customer_labels, dtype=object).take(c.customer[keep]),
            pd.Index(c.invoice_ids, dtype=object).take(keep),
        ],
        names=["group", "customer_id", "invoice_id"],
    )
    return pd.DataFrame(
        {
            "issue_date": c.issue[keep],
            "due_date": c.due[keep],
            "amount": claims.amount[keep],
            "late_balance": claims.late_balance[keep],
            "open_balance": claims.open_balance[keep],
            "days_late": claims.days_late[keep],
            "penalties": claims.penalties[keep],
            "indemnity": late * np.int64(_indemnity_at(ledger, indemnity, indemnity_currency, day)),
            "late": late,
            "currency": pd.Series(
                np.asarray(native.currencies, dtype=object)[code], dtype=object
            ).to_numpy(),
            "penalties_in_currency": claims.penalties_in_currency[keep] // step[code],
        },
        index=index,
    )
