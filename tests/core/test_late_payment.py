"""The late-payment kernel: rate tables, per-invoice penalties and indemnities, legal terms."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import creditkpi as ck
from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.late_payment import (
    COVERED_THROUGH,
    ecb_main_refinancing_rates,
    invoice_claims,
    legal_due_limit,
    rate_table,
    statutory_rates,
)
from creditkpi.core.period import from_day, to_day
from tests.strategies import as_of_dates, ledger_specs

# ----------------------------------------------------------------------------------
# the statutory rate: one published figure per half-year
# ----------------------------------------------------------------------------------

#: the ECB rate in force on each half-year's first day + 10 points (the French statutory
#: late-payment rate since 2009), as published each half-year (ECB rate in the Official Journal of the EU, C series;
#: the penalty rates quoted by the French administration and the trade press)
PUBLISHED = {
    "1999-H1": "13.00", "1999-H2": "12.50", "2000-H1": "13.00", "2000-H2": "14.25",
    "2001-H1": "14.75", "2001-H2": "14.50", "2002-H1": "13.25", "2002-H2": "13.25",
    "2003-H1": "12.75", "2003-H2": "12.00", "2004-H1": "12.00", "2004-H2": "12.00",
    "2005-H1": "12.00", "2005-H2": "12.00", "2006-H1": "12.25", "2006-H2": "12.75",
    "2007-H1": "13.50", "2007-H2": "14.00", "2008-H1": "14.00", "2008-H2": "14.00",
    "2009-H1": "12.50", "2009-H2": "11.00", "2010-H1": "11.00", "2010-H2": "11.00",
    "2011-H1": "11.00", "2011-H2": "11.25", "2012-H1": "11.00", "2012-H2": "11.00",
    "2013-H1": "10.75", "2013-H2": "10.50", "2014-H1": "10.25", "2014-H2": "10.15",
    "2015-H1": "10.05", "2015-H2": "10.05", "2016-H1": "10.05", "2016-H2": "10.00",
    "2017-H1": "10.00", "2017-H2": "10.00", "2018-H1": "10.00", "2018-H2": "10.00",
    "2019-H1": "10.00", "2019-H2": "10.00", "2020-H1": "10.00", "2020-H2": "10.00",
    "2021-H1": "10.00", "2021-H2": "10.00", "2022-H1": "10.00", "2022-H2": "10.00",
    "2023-H1": "12.50", "2023-H2": "14.00", "2024-H1": "14.50", "2024-H2": "14.25",
    "2025-H1": "13.15", "2025-H2": "12.15", "2026-H1": "12.15",
}  # fmt: skip


@pytest.mark.parametrize("half", sorted(PUBLISHED))
def test_statutory_rate_of_each_half_year(half: str) -> None:
    year, h = int(half[:4]), half[-1]
    table = statutory_rates()
    first = date(year, 1 if h == "1" else 7, 1)
    last = date(year, 6, 30) if h == "1" else date(year, 12, 31)
    expected = Decimal(PUBLISHED[half]) / 100
    # the rate holds over the whole half-year, whatever the ECB decides inside it
    for day in (first, first + timedelta(days=60), last):
        assert table.rate_on(to_day(day)) == expected, (half, day)


def test_the_bundled_ecb_table_is_ordered_and_cited() -> None:
    table = ecb_main_refinancing_rates()
    assert table["date"].is_monotonic_increasing and table["date"].is_unique
    assert table.iloc[0].tolist() == [date(1999, 1, 1), Decimal("3.00")]
    assert table.iloc[-1].tolist() == [date(2025, 6, 11), Decimal("2.15")]
    # every change a multiple of 5 basis points, between 0 and 5 %
    assert all(Decimal(0) <= r <= Decimal(5) and (r * 100) % 5 == 0 for r in table["rate"])
    assert statutory_rates().covered_through == to_day(COVERED_THROUGH)


def test_rate_before_the_table_is_refused() -> None:
    with pytest.raises(InvalidOptionError, match="starts on 1999-01-01"):
        statutory_rates().rate_on(to_day(date(1998, 12, 31)))


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        (-0.01, "finite rate >= 0"),
        ("abc", "fraction"),
        (float("nan"), "finite rate"),
        (0.1234567, "finer than 0.0001 %"),
        (150, "over 10,000 %"),
        (True, "must be a number"),
        ({}, "empty"),
        (pd.DataFrame({"when": ["2024-01-01"], "rate": [0.1]}), "columns 'date' and 'rate'"),
        ({"2024-01-01": 0.1, date(2024, 1, 1): 0.2}, "more than once"),
        ({"2024-13-01": 0.1}, "not a date"),
    ],
)
def test_bad_rates_are_named_errors(rate: object, message: str) -> None:
    with pytest.raises(ck.CreditKPIError, match=message):
        rate_table(rate)


def test_rate_days_across_steps() -> None:
    t = rate_table({"2024-01-01": "0.10", "2024-01-11": "0.20"})
    d0 = to_day(date(2024, 1, 5))
    # days 6..10 at 0.10, 11..15 at 0.20
    got = t.rate_days(np.asarray([d0]), np.asarray([d0 + 10]))
    assert int(got[0]) == 5 * 100_000 + 5 * 200_000
    # nothing when the end is not after the start
    assert int(t.rate_days(np.asarray([d0]), np.asarray([d0 - 3]))[0]) == 0


# ----------------------------------------------------------------------------------
# hand-worked invoices
# ----------------------------------------------------------------------------------


def _claims(ledger: ck.Ledger, as_of: str, rate: object = None, **kw: object):  # type: ignore[no-untyped-def]
    return invoice_claims(ledger, to_day(date.fromisoformat(as_of)), rate_table(rate), **kw)  # type: ignore[arg-type]


BOOK = ck.Ledger.from_records(
    [
        # paid late in two instalments: 4,000 30 days late, 6,000 60 days late
        ck.Invoice("F1", "ACME", "2024-01-15", "2024-02-14", "10000.00"),
        # paid on its due date
        ck.Invoice("F2", "ACME", "2024-02-01", "2024-03-02", "2500.00"),
        # open across the half-year change (14.50 % then 14.25 %)
        ck.Invoice("F3", "Globex", "2024-05-21", "2024-06-20", "1000.00"),
        # a credit note stops interest like a payment; the rest is written off later
        ck.Invoice("F4", "Globex", "2024-01-10", "2024-01-31", "300.00"),
    ],
    [
        ck.Payment("F1", "2024-03-15", "4000.00"),
        ck.Payment("F1", "2024-04-14", "6000.00"),
        ck.Payment("F2", "2024-03-02", "2500.00"),
        ck.Payment("F4", "2024-02-10", "100.00", kind="credit_note"),
        ck.Payment("F4", "2024-03-01", "200.00", kind="write_off"),
    ],
)


def test_hand_worked_book_at_two_dates() -> None:
    c = _claims(BOOK, "2024-07-10")
    # F1: (4000 × 30 + 6000 × 60) × 0.145 / 365 = 190.684... -> 190.68
    # F2: paid on the due date: nothing
    # F3: 1000 × (10 × 0.145 + 10 × 0.1425) / 365 = 7.8767... -> 7.88
    # F4: 100 × 10 × 0.145 / 365 + 200 × 30 × 0.145 / 365 = 0.3972 + 2.3835 = 2.78 (2.7808)
    assert c.penalties.tolist() == [19068, 0, 788, 278]
    assert c.days_late.tolist() == [60, 0, 20, 30]
    assert c.indemnity_due.tolist() == [True, False, True, True]
    assert c.late_balance.tolist() == [1000000, 0, 100000, 30000]
    assert c.last_day_covered is None
    # on 2024-06-20, F3 is not late yet, F1 and F4 already closed
    early = _claims(BOOK, "2024-06-20")
    assert early.penalties.tolist() == [19068, 0, 0, 278]
    assert early.indemnity_due.tolist() == [True, False, False, True]
    # before F1's first payment: interest runs on the whole 10,000 (2024-02-15..03-01)
    feb = _claims(BOOK, "2024-03-01")
    assert feb.penalties[0] == round(Fraction(1_000_000 * 16 * 145, 365 * 1000))


def test_constant_rate_and_360_day_year() -> None:
    c = _claims(BOOK, "2024-07-10", rate=0.12, days_in_year=360)
    # F1: 480000 × 0.12 / 360 = 160.00 exactly
    assert int(c.penalties[0]) == 16000


def test_disputed_invoices_can_be_left_out() -> None:
    ledger = ck.Ledger.from_records(
        [
            ck.Invoice("F1", "C1", "2024-01-01", "2024-01-31", "100.00"),
            ck.Invoice("F2", "C1", "2024-01-01", "2024-01-31", "100.00"),
        ],
        disputes=[ck.Dispute("F2", "2024-02-05", "quality")],
    )
    both = _claims(ledger, "2024-03-31")
    assert both.penalties[0] == both.penalties[1] > 0
    left_out = _claims(ledger, "2024-03-31", exclude_disputed=True)
    assert left_out.included.tolist() == [True, False]
    assert left_out.penalties[1] == 0 and not left_out.indemnity_due[1]


def test_days_beyond_the_table_are_flagged() -> None:
    ledger = ck.Ledger.from_records([ck.Invoice("F1", "C1", "2026-05-01", "2026-05-31", "100.00")])
    c = _claims(ledger, "2026-08-31")
    assert c.last_day_covered == to_day(COVERED_THROUGH)
    # the last known rate (12.15 %) carries on: 92 days
    assert int(c.penalties[0]) == round(Fraction(10_000 * 92 * 1215, 365 * 10_000))


def test_bad_days_in_year() -> None:
    with pytest.raises(InvalidOptionError, match="days_in_year"):
        _claims(BOOK, "2024-07-10", days_in_year=300)


# ----------------------------------------------------------------------------------
# the oracle: day by day, in exact fractions
# ----------------------------------------------------------------------------------


def _oracle(spec, as_of: date, rate: Fraction, year: int):  # type: ignore[no-untyped-def]
    out = {}
    for inv in spec.invoices:
        if inv.issue_date > as_of:
            continue
        events = sorted(
            (max(p.date, inv.issue_date), p.amount) for p in spec.payments if p.invoice == inv.id
        )
        total = Fraction(0)
        day = inv.due_date + timedelta(days=1)
        late = False
        while day <= as_of:
            paid = sum((Fraction(a) for d, a in events if d < day), Fraction(0))
            left = max(Fraction(inv.amount) - paid, Fraction(0))
            if left > 0:
                late = True
                total += left * rate / year
            day += timedelta(days=1)
        cents = Decimal(total.numerator) / Decimal(total.denominator) * 100
        # the kernel rounds the exact fraction half up
        exact = total * 100
        rounded = int((2 * exact.numerator + exact.denominator) // (2 * exact.denominator))
        out[inv.id] = (rounded, late, cents.quantize(Decimal(1), ROUND_HALF_UP))
    return out


@given(spec=ledger_specs(max_invoices=8, unapplied=False, extras=False), as_of=as_of_dates())
def test_penalties_equal_a_day_by_day_oracle(spec, as_of: date) -> None:  # type: ignore[no-untyped-def]
    ledger = spec.build()
    c = invoice_claims(ledger, to_day(as_of), rate_table("0.1215"))
    expected = _oracle(spec, as_of, Fraction("0.1215"), 365)
    ids = list(ledger.invoices["invoice_id"])
    for k, invoice_id in enumerate(ids):
        if invoice_id not in expected:
            assert not c.included[k] and c.penalties[k] == 0
            continue
        cents, late, _ = expected[invoice_id]
        assert int(c.penalties[k]) == cents, invoice_id
        assert bool(c.indemnity_due[k]) == late, invoice_id


@given(spec=ledger_specs(max_invoices=10, unapplied=False, extras=False), as_of=as_of_dates())
def test_paying_everything_on_the_due_date_gives_nothing(spec, as_of: date) -> None:  # type: ignore[no-untyped-def]
    on_time = type(spec)(
        spec.invoices,
        [ck.Payment(i.id, i.due_date, i.amount) for i in spec.invoices],
    )
    c = invoice_claims(on_time.build(), to_day(as_of), statutory_rates())
    assert c.penalties.sum() == 0 and not c.indemnity_due.any()


@given(
    spec=ledger_specs(max_invoices=10, unapplied=False, extras=False),
    as_of=as_of_dates(),
    later=st.integers(1, 200),
)
def test_penalties_never_decrease_and_later_events_change_nothing(spec, as_of, later) -> None:  # type: ignore[no-untyped-def]
    ledger = spec.build()
    now = invoice_claims(ledger, to_day(as_of), statutory_rates())
    after = invoice_claims(ledger, to_day(as_of) + later, statutory_rates())
    assert (after.penalties >= now.penalties).all()
    # events after as_of change nothing at as_of
    cut = type(spec)(
        list(spec.invoices),
        [p for p in spec.payments if p.date <= as_of],
    )
    same = invoice_claims(cut.build(), to_day(as_of), statutory_rates())
    assert same.penalties.tolist() == now.penalties.tolist()
    assert same.indemnity_due.tolist() == now.indemnity_due.tolist()


# ----------------------------------------------------------------------------------
# legal terms
# ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issue", "limit"),
    [
        ("2024-01-20", "2024-03-31"),  # +45 = 03-05 -> end of March beats +60 = 03-20
        ("2024-01-31", "2024-03-31"),  # +45 = 03-16 -> 03-31; +60 = 03-31
        ("2024-02-15", "2024-04-15"),  # +45 = 03-31 -> 03-31; +60 = 04-15 is later
        ("2024-03-25", "2024-05-31"),  # +45 = 05-09 -> 05-31; +60 = 05-24
        ("2024-12-31", "2025-03-01"),  # +45 = 02-14 -> 02-28; +60 = 03-01
    ],
)
def test_legal_due_limit_fr(issue: str, limit: str) -> None:
    day = to_day(date.fromisoformat(issue))
    got = from_day(int(legal_due_limit(np.asarray([day]))[0]))
    assert got == date.fromisoformat(limit)


def test_legal_due_limit_in_days_and_bad_rules() -> None:
    day = to_day(date(2024, 1, 1))
    assert from_day(int(legal_due_limit(np.asarray([day]), 30)[0])) == date(2024, 1, 31)
    for bad in ("de", -1, 2.5, True):
        with pytest.raises(InvalidOptionError, match="rule must be"):
            legal_due_limit(np.asarray([day]), bad)


def test_interest_stops_on_the_day_the_customer_paid() -> None:
    # paid 30 days late, applied to the invoice (lettered) 20 days after that: the customer
    # owes 30 days of interest; the invoice is open in the books until the application
    posted = ck.Ledger.from_records(
        [ck.Invoice("F1", "C1", "2024-01-15", "2024-02-14", "10000.00")],
        [ck.Payment("F1", "2024-03-15", "10000.00", applied="2024-04-04")],
    )
    at_once = ck.Ledger.from_records(
        [ck.Invoice("F1", "C1", "2024-01-15", "2024-02-14", "10000.00")],
        [ck.Payment("F1", "2024-03-15", "10000.00")],
    )
    for day in ("2024-03-31", "2024-04-30"):
        a, b = _claims(posted, day), _claims(at_once, day)
        assert a.penalties.tolist() == b.penalties.tolist() == [11918]  # 10,000 × 30 × 0.145 / 365
        assert a.days_late.tolist() == [30]
    assert _claims(posted, "2024-03-31").open_balance.tolist() == [1000000]
    assert _claims(at_once, "2024-03-31").open_balance.tolist() == [0]
