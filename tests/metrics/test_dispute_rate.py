"""Dispute rate, disputed receivables and open disputes by reason (SPEC §4.6).

Every expected figure is computed by hand in the comments.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import creditkpi as ck
from creditkpi import formulas as f
from creditkpi.core.engine import balances, disputed_at
from creditkpi.metrics.dispute_rate import disputed_receivables, formula_dispute_rate
from tests.strategies import REASONS, LedgerSpec, as_of_dates, ledger_specs

D = Decimal
T = "2024-06-30"


@pytest.fixture(scope="module")
def book() -> ck.Ledger:
    """The hand-made book.

    id  cust ctry issue  due    amount  settlements              disputes
    A   C1   FR   05-01  05-31  1000.00 400.00 paid on 06-10     price 06-01 (open)
    B   C1   FR   05-15  06-14   500.00                          quality 06-05 -> 06-30 (T)
    C   C2   DE   04-01  05-01   300.00                          delivery 05-10 (open),
                                                                 quality 06-15 (open)
    D   C2   DE   06-01  07-01   200.00 200.00 paid on 06-28     price 06-25 (open)
    E   C3   IT   06-10  07-10   250.00
    G   C1   FR   03-01  03-31   100.00                          price 04-01 -> 05-01,
                                                                 price 05-01 -> 06-01
    """

    def inv(iid: str, cust: str, issue: str, due: str, amount: str, ctry: str) -> ck.Invoice:
        return ck.Invoice(iid, cust, issue, due, amount, attrs={"country": ctry})

    return ck.Ledger.from_records(
        [
            inv("A", "C1", "2024-05-01", "2024-05-31", "1000.00", "FR"),
            inv("B", "C1", "2024-05-15", "2024-06-14", "500.00", "FR"),
            inv("C", "C2", "2024-04-01", "2024-05-01", "300.00", "DE"),
            inv("D", "C2", "2024-06-01", "2024-07-01", "200.00", "DE"),
            inv("E", "C3", "2024-06-10", "2024-07-10", "250.00", "IT"),
            inv("G", "C1", "2024-03-01", "2024-03-31", "100.00", "FR"),
        ],
        [ck.Payment("A", "2024-06-10", "400.00"), ck.Payment("D", "2024-06-28", "200.00")],
        disputes=[
            ck.Dispute("A", "2024-06-01", "price"),
            ck.Dispute("B", "2024-06-05", "quality", resolved="2024-06-30"),
            ck.Dispute("C", "2024-05-10", "delivery"),
            ck.Dispute("C", "2024-06-15", "quality"),
            ck.Dispute("D", "2024-06-25", "price"),
            ck.Dispute("G", "2024-04-01", "price", resolved="2024-05-01"),
            ck.Dispute("G", "2024-05-01", "price", resolved="2024-06-01"),
        ],
    )


@pytest.mark.parametrize(
    ("as_of", "amount", "rate"),
    [
        # issued: C 300, G 100 -> R 400; G disputed since 04-01 -> 100
        ("2024-04-30", D("100.00"), 100 / 400),
        # A issued (1000) -> R 1400; G's first dispute resolved on 05-01, second opened
        # on 05-01: still disputed -> 100
        ("2024-05-01", D("100.00"), 100 / 1400),
        # R = A 1000 + B 500 + C 300 + D 200 + G 100 = 2100; A (opened that day) 1000 +
        # C (delivery) 300; G's dispute resolved on 06-01
        ("2024-06-01", D("1300.00"), 1300 / 2100),
        # R = A 600 + B 500 + C 300 + D 0 + E 250 + G 100 = 1750; A 600 + B 500 + C 300 + D 0
        ("2024-06-29", D("1400.00"), 1400 / 1750),
        # B resolved on T: not disputed at T -> A 600 + C 300 (counted once) + D 0
        (T, D("900.00"), 900 / 1750),
    ],
    ids=["april-end", "touching-disputes", "opened-on-T", "day-before-resolution", "resolved-on-T"],
)
def test_hand_computed(book: ck.Ledger, as_of: str, amount: Decimal, rate: float) -> None:
    assert disputed_receivables(book, as_of, money="decimal") == amount
    result = ck.dispute_rate(book, as_of)
    assert isinstance(result, float)
    assert result == rate


def test_series_and_groups(book: ck.Ledger) -> None:
    dates = ["2024-04-30", "2024-05-01", "2024-06-01", "2024-06-29", T]
    series = ck.dispute_rate(book, dates)
    assert series.name == "dispute_rate"
    assert series.index.name == "as_of"
    assert series.tolist() == [100 / 400, 100 / 1400, 1300 / 2100, 1400 / 1750, 900 / 1750]
    # at T: C1 600 / (600 + 500 + 100); C2 300 / (300 + 0); C3 0 / 250
    by_customer = ck.dispute_rate(book, T, by="customer_id")
    assert by_customer.index.name == "customer_id"
    assert by_customer.to_dict() == {"C1": 0.5, "C2": 1.0, "C3": 0.0}
    assert ck.dispute_rate(book, T, by="country").to_dict() == {"FR": 0.5, "DE": 1.0, "IT": 0.0}
    assert disputed_receivables(book, T, by="customer_id", money="decimal").to_dict() == {
        "C1": D("600.00"),
        "C2": D("300.00"),
        "C3": D("0.00"),
    }
    frame = ck.dispute_rate(book, ["2024-06-29", T], by="country")
    # 06-29, FR: (600 + 500) / (600 + 500 + 100)
    assert frame.loc[pd.Timestamp("2024-06-29"), "FR"] == 1100 / 1200
    assert frame.loc[pd.Timestamp(T), "FR"] == 0.5


def test_reasons_at_t(book: ck.Ledger) -> None:
    table = ck.dispute_reasons(book, T, money="decimal")
    assert table.index.name == "reason"
    assert list(table.columns) == ["count", "amount"]
    # open at T: A price, C delivery + quality, D price (paid: 0); B resolved on T
    # C's 300 goes once, to its earliest open dispute (delivery, 05-10)
    assert list(table.index) == ["price", "delivery", "quality"]
    assert table["count"].tolist() == [2, 1, 1]
    assert table["amount"].tolist() == [D("600.00"), D("300.00"), D("0.00")]
    assert sum(table["amount"]) == disputed_receivables(book, T, money="decimal")


def test_reasons_the_day_before(book: ck.Ledger) -> None:
    table = ck.dispute_reasons(book, "2024-06-29", money="decimal")
    # price: A 600 + D 0 (2 disputes); quality: B 500 + C's (counted, money under
    # delivery) (2 disputes); delivery: C 300
    assert {k: (int(c), a) for k, (c, a) in table.iterrows()} == {
        "price": (2, D("600.00")),
        "quality": (2, D("500.00")),
        "delivery": (1, D("300.00")),
    }
    assert list(table.index) == ["price", "quality", "delivery"]


def test_reasons_over_dates(book: ck.Ledger) -> None:
    table = ck.dispute_reasons(book, ["2024-04-30", T], money="decimal")
    assert table.index.names == ["as_of", "reason"]
    assert table.loc[(pd.Timestamp("2024-04-30"), "price")].tolist() == [1, D("100.00")]
    assert len(table.loc[pd.Timestamp(T)]) == 3


def test_disjoint_and_overlapping_disputes_of_one_invoice() -> None:
    # one invoice, 100.00: disputes [03-05, 03-10), [04-05, 04-20) and [04-10, open)
    # -> disputed on 03-05..03-09 and from 04-05 on; 30.00 paid on 04-15
    ledger = ck.Ledger.from_records(
        [ck.Invoice("F", "C", "2024-03-01", "2024-03-31", "100.00")],
        [ck.Payment("F", "2024-04-15", "30.00")],
        disputes=[
            ck.Dispute("F", "2024-04-10", "quality"),
            ck.Dispute("F", "2024-03-05", "price", resolved="2024-03-10"),
            ck.Dispute("F", "2024-04-05", "price", resolved="2024-04-20"),
        ],
    )
    days = ["2024-03-04", "2024-03-05", "2024-03-09", "2024-03-10", "2024-04-04"]
    days += ["2024-04-05", "2024-04-15", "2024-04-20", "2024-12-31"]
    expected = ["0.00", "100.00", "100.00", "0.00", "0.00", "100.00", "70.00", "70.00", "70.00"]
    assert disputed_receivables(ledger, days, money="decimal").tolist() == [D(x) for x in expected]
    # 04-15: two open disputes; the balance goes to the earliest (price, 04-05)
    table = ck.dispute_reasons(ledger, "2024-04-15", money="decimal")
    assert table.to_dict("index") == {
        "price": {"count": 1, "amount": D("70.00")},
        "quality": {"count": 1, "amount": D("0.00")},
    }
    # after 04-20 only quality is open: it takes the balance
    assert ck.dispute_reasons(ledger, "2024-04-20", money="decimal")["amount"].to_dict() == {
        "quality": D("70.00")
    }


def test_same_day_disputes_tie_broken_by_reason() -> None:
    ledger = ck.Ledger.from_records(
        [ck.Invoice("F", "C", "2024-03-01", "2024-03-31", "100.00")],
        disputes=[ck.Dispute("F", "2024-03-05", "quality"), ck.Dispute("F", "2024-03-05", "")],
    )
    table = ck.dispute_reasons(ledger, "2024-03-31", money="decimal")
    # "" is read as "unspecified"; same day: alphabetical, quality < unspecified
    assert table["amount"].to_dict() == {"quality": D("100.00"), "unspecified": D("0.00")}


def test_dispute_on_invoice_not_yet_issued() -> None:
    ledger = ck.Ledger.from_records(
        [ck.Invoice("F", "C", "2024-03-10", "2024-04-09", "100.00")],
        disputes=[ck.Dispute("F", "2024-03-01", "price")],
    )
    # before issue: no balance and no open dispute counted; R = 0 -> nan
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(ck.dispute_rate(ledger, "2024-03-05"))
    assert ck.dispute_reasons(ledger, "2024-03-05", money="decimal").empty
    assert ck.dispute_rate(ledger, "2024-03-10") == 1.0


def test_invoice_table_disputed_flag() -> None:
    frame = pd.DataFrame(
        {
            "invoice_id": ["F1", "F2", "F3"],
            "customer_id": ["A", "A", "B"],
            "issue_date": ["2024-01-02", "2024-01-10", "2024-01-20"],
            "due_date": ["2024-02-01", "2024-02-09", "2024-02-19"],
            "amount": [100.0, 50.0, 30.0],
            "settled_date": ["2024-02-10", None, "2024-03-01"],
            "disputed": ["Yes", "No", "Yes"],
        }
    )
    ledger = ck.Ledger.from_invoice_table(frame, disputed="disputed")
    # 02-15: F1 settled; F2 50 open; F3 30 open and disputed until settled -> 30 / 80
    assert ck.dispute_rate(ledger, "2024-02-15") == 30 / 80
    assert ck.dispute_reasons(ledger, "2024-02-15", money="decimal").to_dict("index") == {
        "disputed": {"count": 1, "amount": D("30.00")}
    }
    # 03-01: F3 settled, dispute resolved with it
    assert ck.dispute_rate(ledger, "2024-03-01") == 0.0


def test_no_disputes_gives_zero_without_warning() -> None:
    ledger = ck.Ledger.from_records([ck.Invoice("F", "C", "2024-03-01", "2024-03-31", "10.00")])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ck.dispute_rate(ledger, "2024-03-01") == 0.0
        assert ck.dispute_reasons(ledger, "2024-03-01", money="decimal").empty


def test_empty_book() -> None:
    empty = ck.Ledger.from_records([])
    with pytest.warns(ck.UndefinedMetricWarning, match="dispute rate"):
        assert math.isnan(ck.dispute_rate(empty, T))
    with pytest.warns(ck.UndefinedMetricWarning):
        assert ck.dispute_rate(empty, [T, "2024-07-31"]).isna().all()
    assert disputed_receivables(empty, T, money="decimal") == D("0.00")
    table = ck.dispute_reasons(empty, T, money="decimal")
    assert table.empty
    assert list(table.columns) == ["count", "amount"]


def test_all_paid_gives_nan() -> None:
    ledger = ck.Ledger.from_records(
        [ck.Invoice("F", "C", "2024-03-01", "2024-03-31", "10.00")],
        [ck.Payment("F", "2024-03-20", "10.00")],
        disputes=[ck.Dispute("F", "2024-03-05", "price")],
    )
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(ck.dispute_rate(ledger, "2024-04-30"))
    # the dispute is still open, on a zero balance
    assert ck.dispute_reasons(ledger, "2024-04-30", money="decimal").to_dict("index") == {
        "price": {"count": 1, "amount": D("0.00")}
    }


def test_formula() -> None:
    # 900 / 2450 = 0.367346...
    assert formula_dispute_rate(900, 2450) == 900 / 2450
    assert f.dispute_rate(D("900.00"), D("2450.00")) == 900 / 2450
    assert f.dispute_rate(1.5, 3) == 0.5
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(f.dispute_rate(0, 0))


@pytest.mark.parametrize(
    "call",
    [
        lambda b: ck.dispute_rate(b, T, by="region"),
        lambda b: disputed_receivables(b, T, by="region", money="decimal"),
        lambda b: ck.dispute_rate(b, None),
        lambda b: ck.dispute_rate(b, []),
        lambda b: ck.dispute_reasons(b, "30/06/2024", money="decimal"),
        lambda b: ck.dispute_reasons(b, [], money="decimal"),
    ],
    ids=[
        "rate-by",
        "disputed-by",
        "as-of-none",
        "as-of-empty",
        "reasons-bad-date",
        "reasons-empty",
    ],
)
def test_bad_arguments(book: ck.Ledger, call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ck.CreditKPIError) as err:
        call(book)
    assert err.value.column in ("by", "as_of")  # type: ignore[attr-defined]


# ----------------------------------------------------------------------------------
# properties
# ----------------------------------------------------------------------------------


@st.composite
def specs_with_many_disputes(draw: st.DrawFn) -> LedgerSpec:
    """``ledger_specs()`` plus extra, possibly overlapping, disputes on its invoices."""
    spec = draw(ledger_specs(max_invoices=15))
    extra = []
    for _ in range(draw(st.integers(0, 6))):
        invoice = draw(st.sampled_from(spec.invoices))
        opened = invoice.issue_date + timedelta(days=draw(st.integers(-5, 200)))
        length = draw(st.one_of(st.none(), st.integers(0, 60)))
        resolved = None if length is None else opened + timedelta(days=length)
        extra.append(ck.Dispute(invoice.id, opened, draw(st.sampled_from(REASONS)), resolved))
    return replace(spec, disputes=[*spec.disputes, *extra])


def oracle(spec: LedgerSpec, as_of: date) -> tuple[Decimal, Decimal, int]:
    """(R(T), disputed amount, open disputes) straight from the records, in Decimal."""
    receivables = disputed_amount = Decimal(0)
    open_disputes = 0
    for i in spec.invoices:
        if i.issue_date > as_of:
            continue
        paid = sum((p.amount for p in spec.payments if p.invoice == i.id and p.date <= as_of), D(0))
        live = [
            d
            for d in spec.disputes
            if d.invoice == i.id
            and d.opened <= as_of
            and (d.resolved is None or d.resolved > as_of)
        ]
        receivables += i.amount - paid
        if live:
            disputed_amount += i.amount - paid
        open_disputes += len(live)
    return receivables, disputed_amount, open_disputes


@given(specs_with_many_disputes(), st.lists(as_of_dates(), min_size=1, max_size=5, unique=True))
def test_matches_the_records(spec: LedgerSpec, dates: list[date]) -> None:
    ledger = spec.build()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        amounts = disputed_receivables(ledger, dates, money="decimal")
        rates = ck.dispute_rate(ledger, dates)
        by_customer = disputed_receivables(ledger, dates, by="customer_id", money="decimal")
        by_country = ck.dispute_rate(ledger, dates, by="country")
    for d in dates:
        receivables, amount, n_open = oracle(spec, d)
        ts = pd.Timestamp(d)
        # the sweep over all dates equals the records date by date
        assert amounts[ts] == amount
        # and the engine's one-date primitives
        snap = balances(ledger, d)
        assert int(snap.balance[disputed_at(ledger, snap.day)].sum()) == int(amount * 100)
        if receivables != 0:  # the exact ratio, rounded once
            assert rates[ts] == float(Fraction(amount) / Fraction(receivables))
        else:
            assert math.isnan(rates[ts])
        # groups add up to the whole book
        assert sum(by_customer.loc[ts], D(0)) == amount
        country_rates = by_country.loc[ts]
        assert country_rates.dropna().between(0, 1).all()
        # reasons: every open dispute counted, each disputed invoice's balance once
        reasons = ck.dispute_reasons(ledger, d, money="decimal")
        assert reasons["count"].sum() == n_open
        assert sum(reasons["amount"], D(0)) == amount
        assert list(reasons["amount"]) == sorted(reasons["amount"], reverse=True)


@settings(max_examples=30)  # three ledgers per example
@given(
    specs_with_many_disputes(),
    st.lists(as_of_dates(), min_size=1, max_size=4, unique=True),
    st.integers(0, 10_000),
    st.integers(2, 1000),
)
def test_row_order_and_scaling(spec: LedgerSpec, dates: list[date], seed: int, k: int) -> None:
    base, shuffled, scaled = spec.build(), spec.shuffled(seed).build(), spec.scaled(k).build()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        rate = ck.dispute_rate(base, dates, by="customer_id")
        pd.testing.assert_frame_equal(
            rate.sort_index(axis=1),
            ck.dispute_rate(shuffled, dates, by="customer_id").sort_index(axis=1),
        )
        pd.testing.assert_frame_equal(rate, ck.dispute_rate(scaled, dates, by="customer_id"))
        reasons = ck.dispute_reasons(base, dates, money="decimal")
        pd.testing.assert_frame_equal(reasons, ck.dispute_reasons(shuffled, dates, money="decimal"))
        big = ck.dispute_reasons(scaled, dates, money="decimal")
        assert [a * k for a in reasons["amount"]] == big["amount"].tolist()
        pd.testing.assert_series_equal(reasons["count"], big["count"])
