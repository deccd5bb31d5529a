"""Application dates: a settlement posted first and applied to its invoice later.

ERPNext's "future payments", a payment lettered weeks after it arrived, a
credit note open from its own date and allocated at the next payment: from
the day it is posted until the day it is applied, the credit is the
customer's unapplied credit; from then on it settles the invoice. The cash
is counted once, on the day it was posted, and the customer paid then
(payment delays and payer profiles' days beyond terms count to that day). Worked by hand:

* F1, C1, issued Mar 1, due Mar 31, 1,000.00; F2, C1, issued Mar 10, due
  Apr 9, 500.00;
* credit note CN1, 200.00, posted Mar 15, applied to F1 on Apr 20;
* payment P1, 800.00, posted Apr 5, applied to F1 on Apr 20;
* payment P2, 500.00, posted and applied to F2 on Apr 10.
"""

from __future__ import annotations

import warnings
from decimal import Decimal

import pandas as pd
import pytest

import creditkpi as ck
from creditkpi.core.engine import flows

INVOICES = pd.DataFrame(
    {
        "invoice_id": ["F1", "F2"],
        "customer_id": ["C1", "C1"],
        "issue_date": ["2024-03-01", "2024-03-10"],
        "due_date": ["2024-03-31", "2024-04-09"],
        "amount": ["1000.00", "500.00"],
    }
)
PAYMENTS = pd.DataFrame(
    {
        "invoice_id": ["F1", "F1", "F2"],
        "date": ["2024-03-15", "2024-04-05", "2024-04-10"],
        "amount": ["200.00", "800.00", "500.00"],
        "kind": ["credit_note", "payment", "payment"],
        "applied": ["2024-04-20", "2024-04-20", None],
    }
)


@pytest.fixture
def ledger() -> ck.Ledger:
    return ck.Ledger.from_frames(INVOICES, PAYMENTS)


def at(ledger: ck.Ledger, day: str) -> tuple[str, str]:
    return (
        str(ck.receivables(ledger, day, money="decimal")),
        str(ck.unapplied_cash(ledger, day, money="decimal")),
    )


def test_between_posting_and_application_the_credit_is_unapplied(ledger: ck.Ledger) -> None:
    assert at(ledger, "2024-03-14") == ("1500.00", "0.00")
    assert at(ledger, "2024-03-31") == ("1500.00", "200.00")  # CN1 waits for its allocation
    assert at(ledger, "2024-04-15") == ("1000.00", "1000.00")  # P2 paid F2; CN1 + P1 wait
    assert at(ledger, "2024-04-20") == ("0.00", "0.00")
    aged = ck.aging(ledger, "2024-04-15", money="decimal").iloc[0].drop("total")
    assert aged.to_dict() == {
        "not due": Decimal("0.00"), "1-30": Decimal("1000.00"), "31-60": Decimal("0.00"),
        "61-90": Decimal("0.00"), "91+": Decimal("0.00"), "unapplied": Decimal("-1000.00"),
    }  # fmt: skip
    view = ledger.settlements
    assert [(r.invoice_id, str(r.date.date()), str(r.applied.date())) for r in view.itertuples()] == [
        ("F2", "2024-04-10", "2024-04-10"),
        ("F1", "2024-03-15", "2024-04-20"),
        ("F1", "2024-04-05", "2024-04-20"),
    ]  # fmt: skip


def test_flows_count_on_the_posting_day(ledger: ck.Ledger) -> None:
    got = flows(ledger, [ck.Period.month(2024, 3), ck.Period.month(2024, 4)])
    assert got[["invoiced", "credit_notes", "sales", "cash", "applied_cash"]].values.tolist() == [
        [150000, 20000, 130000, 0, 0],
        [0, 0, 0, 130000, 130000],
    ]
    assert ck.dso(ledger, "2024-03") == pytest.approx(1500 / 1300 * 31)


def test_payment_delays_count_to_the_day_the_customer_paid(ledger: ck.Ledger) -> None:
    delays = ck.payment_delays(ledger, "2024-04", money="decimal")
    # P1: posted Apr 5, 35 days after issue, 5 late; P2: 31 days, 1 late
    assert delays["days_to_pay"] == pytest.approx((800 * 35 + 500 * 31) / 1300)
    assert delays["days_late"] == pytest.approx((800 * 5 + 500 * 1) / 1300)
    assert delays["share_paid_late"] == 1.0 and delays["amount"] == Decimal("1300.00")


def test_payer_profiles_count_days_beyond_terms_to_the_day_the_customer_paid(
    ledger: ck.Ledger,
) -> None:
    # P1: posted Apr 5, 5 days beyond F1's terms (not 20: it is applied on Apr 20);
    # P2: posted and applied Apr 10, 1 day beyond F2's
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        april = ck.payer_profiles(ledger, "2024-04-30").loc["C1"]
        # on Apr 15 P1 is paid, not yet applied: it counts, on the day it was posted
        mid = ck.payer_profiles(ledger, "2024-04-15").loc["C1"]
        warnings.simplefilter("ignore", ck.DataEndsWarning)
        delays = ck.payment_delays(ledger, ck.Period("2023-05-01", "2024-04-30"))
    for row in (april, mid):
        assert (row["payments"], row["paid"]) == (2, 1300.0)
        assert row["days_beyond_terms"] == pytest.approx((800 * 5 + 500 * 1) / 1300)
        assert row["share_late_by_count"] == 1.0
    assert april["days_late"] == pytest.approx(delays["days_late"])
    # the open balance still follows the application date: F1 is owed until Apr 20
    assert (mid["receivables"], april["receivables"]) == (1000.0, 0.0)


def test_the_same_records_and_the_default(ledger: ck.Ledger) -> None:
    records = ck.Ledger.from_records(
        [ck.Invoice("F1", "C1", "2024-03-01", "2024-03-31", "1000.00"),
         ck.Invoice("F2", "C1", "2024-03-10", "2024-04-09", "500.00")],
        [ck.Payment("F1", "2024-03-15", "200.00", kind="credit_note", applied="2024-04-20"),
         ck.Payment("F1", "2024-04-05", "800.00", applied="2024-04-20"),
         ck.Payment("F2", "2024-04-10", "500.00")],
    )  # fmt: skip
    for day in ("2024-03-31", "2024-04-15", "2024-04-20"):
        assert at(records, day) == at(ledger, day)
    # without application dates, each settles its invoice on the day it is posted
    default = ck.Ledger.from_frames(INVOICES, PAYMENTS.drop(columns="applied"))
    assert at(default, "2024-03-31") == ("1300.00", "0.00")
    assert at(default, "2024-04-15") == ("0.00", "0.00")


def test_an_application_before_the_date_applies_from_the_date() -> None:
    early = PAYMENTS.assign(applied=["2024-03-10", None, None])
    with pytest.warns(ck.DataQualityWarning, match="applied-before-date: 1 settlement"):
        ledger = ck.Ledger.from_frames(INVOICES, early)
    assert at(ledger, "2024-03-15") == ("1300.00", "0.00")
    assert ledger.report.rules() == ["applied-before-date"]


def test_unapplied_cash_cannot_be_applied() -> None:
    pay = pd.DataFrame(
        {"invoice_id": [None], "customer_id": ["C1"], "date": ["2024-04-01"],
         "amount": ["10.00"], "applied": ["2024-04-05"]}
    )  # fmt: skip
    with pytest.raises(ck.CreditKPIError) as err:
        ck.Ledger.from_frames(INVOICES, pay)
    assert str(err.value) == (
        "applied-without-invoice: 1 payment(s) have an application date but no invoice to "
        "apply to in column 'applied' (first: 'payments row 0'; values: '2024-04-05'); give "
        "their invoice_id, or leave applied empty for unapplied cash"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ok = ck.Ledger.from_frames(INVOICES, pay.assign(applied=["2024-04-01"]))
    assert at(ok, "2024-04-01") == ("1500.00", "10.00")
