"""Open items: the worklist, exact tables by hand, and its sums at every month-end."""

from __future__ import annotations

import math
import warnings
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import creditkpi as ck
from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.expected_cash import conditional_shares, incidence
from creditkpi.core.payment_outlook import median_offsets
from creditkpi.core.survival import table_from_durations
from tests.strategies import START, LedgerSpec, ledger_specs

D = Decimal
T = "2024-04-30"
NAT = pd.NaT


def _book() -> ck.Ledger:
    """By hand, at T = 2024-04-30 (d = T - due):

    F1  ACME    issued 03-01 due 03-31  1000.00  paid 600.00 on 04-15        B 400.00  d 30  1-30
    F2  ACME    issued 04-10 due 05-10   250.00                              B 250.00  d -10 not due
    F3  Globex  issued 02-01 due 03-02   400.00  disputed (price) since 03-20 B 400.00 d 59 31-60
    F4  Globex  issued 01-02 due 01-31   300.00  paid 300.00 on 02-20        B 0 (closed: not listed)
    F5  Initech issued 11-20 due 12-20   300.00  credit note 20.00 04-01,    B 150.00  d 132 91+
                                                 payment 130.00 04-01
    F6  Initech issued 05-02 due 06-01    90.00  (issued after T: not listed)
    F7  Umbrella issued 03-15 due 04-14   80.00  paid 100.00 on 04-20        B -20.00  d 16 1-30 (overpaid)
    unapplied: Globex 50.00 on 04-20 (row 5), Initech 10.00 on 05-05 (after T)
    statuses: F5 reminder 1 on 03-01, formal notice 04-20; F1 reminder 1 on 05-02 (after T)
    doubtful: F5 on 04-25
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        return ck.Ledger.from_records(
            [
                ck.Invoice("F1", "ACME", "2024-03-01", "2024-03-31", "1000.00"),
                ck.Invoice("F2", "ACME", "2024-04-10", "2024-05-10", "250.00"),
                ck.Invoice("F3", "Globex", "2024-02-01", "2024-03-02", "400.00"),
                ck.Invoice("F4", "Globex", "2024-01-02", "2024-01-31", "300.00"),
                ck.Invoice("F5", "Initech", "2023-11-20", "2023-12-20", "300.00"),
                ck.Invoice("F6", "Initech", "2024-05-02", "2024-06-01", "90.00"),
                ck.Invoice("F7", "Umbrella", "2024-03-15", "2024-04-14", "80.00"),
            ],
            [
                ck.Payment("F1", "2024-04-15", "600.00"),
                ck.Payment("F4", "2024-02-20", "300.00"),
                ck.Payment("F5", "2024-04-01", "20.00", kind="credit_note"),
                ck.Payment("F5", "2024-04-01", "130.00"),
                ck.Payment("F7", "2024-04-20", "100.00"),
                ck.Payment(None, "2024-04-20", "50.00", customer="Globex"),
                ck.Payment(None, "2024-05-05", "10.00", customer="Initech"),
            ],
            disputes=[ck.Dispute("F3", "2024-03-20", "price")],
            statuses=[
                ck.StatusEvent("F5", "2024-03-01", "reminder 1"),
                ck.StatusEvent("F5", "2024-04-20", "formal notice"),
                ck.StatusEvent("F1", "2024-05-02", "reminder 1"),
            ],
            doubtful=[ck.Doubtful("F5", "2024-04-25")],
        )


BOOK = _book()


def test_the_worklist_by_hand() -> None:
    items = ck.open_items(BOOK, T, money="decimal")
    assert list(items.index.names) == ["customer_id", "invoice_id"]
    assert list(items.index) == [
        ("ACME", "F1"),
        ("ACME", "F2"),
        ("Globex", "F3"),
        ("Globex", "(unapplied #5)"),
        ("Initech", "F5"),
        ("Umbrella", "F7"),
    ]
    expected = pd.DataFrame(
        {
            "kind": ["invoice", "invoice", "invoice", "unapplied", "invoice", "invoice"],
            "open_balance": [
                D("400.00"),
                D("250.00"),
                D("400.00"),
                D("-50.00"),
                D("150.00"),
                D("-20.00"),
            ],
            "amount": [
                D("1000.00"),
                D("250.00"),
                D("400.00"),
                D("-50.00"),
                D("300.00"),
                D("80.00"),
            ],
            "days_past_due": pd.array([30, -10, 59, None, 132, 16], dtype="Int64"),
            "bucket": ["1-30", "not due", "31-60", "unapplied", "91+", "1-30"],
            "last_settlement_date": pd.to_datetime(
                ["2024-04-15", None, None, None, "2024-04-01", "2024-04-20"]
            ),
            "dispute_reason": [None, None, "price", None, None, None],
            "disputed_since": pd.to_datetime([None, None, "2024-03-20", None, None, None]),
            "dunning_status": ["none", "none", "none", None, "formal notice", "none"],
            "doubtful": [False, False, False, False, True, False],
        },
        index=items.index,
    )
    got = items[expected.columns]
    for column in expected.columns:
        left, right = got[column].tolist(), expected[column].tolist()
        assert [None if pd.isna(v) else v for v in left] == [
            None if pd.isna(v) else v for v in right
        ], column
    # the last day settled: F5's credit note and payment of 04-01 together
    assert items.loc[("Initech", "F5"), "last_settlement_amount"] == D("150.00")
    assert items.loc[("ACME", "F1"), "last_settlement_kind"] == "payment"
    assert pd.isna(items.loc[("ACME", "F2"), "last_settlement_amount"])
    assert items.loc[("Globex", "(unapplied #5)"), "issue_date"] == pd.Timestamp("2024-04-20")
    assert pd.isna(items.loc[("Globex", "(unapplied #5)"), "due_date"])


def test_the_sums_are_the_receivables_and_the_aged_balance() -> None:
    items = ck.open_items(BOOK, T, money="decimal")
    aged = ck.aging(BOOK, T, money="decimal").iloc[0]
    # 400 + 250 + 400 + 150 - 20 = 1180 = R(T); with the unapplied line -50: 1130
    assert sum(items["open_balance"]) == aged["total"] + aged["unapplied"] == D("1130.00")
    invoices = items[items["kind"] == "invoice"]
    assert sum(invoices["open_balance"]) == ck.receivables(BOOK, T, money="decimal")
    by_bucket = items.groupby("bucket")["open_balance"].sum()
    for bucket in ("not due", "1-30", "31-60", "61-90", "91+", "unapplied"):
        assert by_bucket.get(bucket, D("0.00")) == aged[bucket], bucket


def test_money_columns_are_numbers_by_default() -> None:
    items = ck.open_items(BOOK, T)
    for column in ("amount", "open_balance", "last_settlement_amount", "payment_probability"):
        assert items[column].dtype == np.float64, column
    assert items["days_past_due"].dtype == "Int64"
    assert items["doubtful"].dtype == bool
    assert str(items["expected_payment_date"].dtype).startswith("datetime64")
    assert items["open_balance"].sum() == pytest.approx(1130.0)


def test_by_puts_the_groups_first_and_dates_stack() -> None:
    by_customer = ck.open_items(BOOK, T, by="customer_id")
    assert list(by_customer.index.names) == ["customer_id", "invoice_id"]
    with_dates = ck.open_items(BOOK, ["2024-03-31", T])
    assert list(with_dates.index.names) == ["as_of", "customer_id", "invoice_id"]
    pd.testing.assert_frame_equal(with_dates.loc[pd.Timestamp(T)], ck.open_items(BOOK, T))
    grouped = ck.open_items(
        ck.Ledger.from_records(
            [
                ck.Invoice("A1", "A", "2024-04-01", "2024-04-30", "10", attrs={"k": "x"}),
                ck.Invoice("B1", "B", "2024-04-01", "2024-04-30", "20", attrs={"k": "y"}),
            ]
        ),
        T,
        by=["k", "customer_id"],
    )
    # customer_id is already a level: a list keeps the other columns, first
    assert list(grouped.index.names) == ["k", "customer_id", "invoice_id"]
    assert list(grouped.index) == [("x", "A", "A1"), ("y", "B", "B1")]


def test_a_credit_posted_but_not_yet_applied_is_an_unapplied_line() -> None:
    # a credit note posted on 03-15 and a payment posted on 04-05, both applied to F1 on
    # 04-20: at 04-10 F1 still owes 1000.00 and the two credits are the customer's
    # unapplied credit (-200.00, -800.00); at 04-30 F1 is settled and nothing is open
    invoices = pd.DataFrame(
        {
            "invoice_id": ["F1"],
            "customer_id": ["C1"],
            "issue_date": ["2024-03-01"],
            "due_date": ["2024-03-31"],
            "amount": ["1000.00"],
        }
    )
    payments = pd.DataFrame(
        {
            "invoice_id": ["F1", "F1"],
            "date": ["2024-03-15", "2024-04-05"],
            "amount": ["200.00", "800.00"],
            "kind": ["credit_note", "payment"],
            "applied": ["2024-04-20", "2024-04-20"],
        }
    )
    ledger = ck.Ledger.from_frames(invoices, payments)
    items = ck.open_items(ledger, "2024-04-10", money="decimal")
    assert items["open_balance"].tolist() == [D("1000.00"), D("-200.00"), D("-800.00")]
    assert items["kind"].tolist() == ["invoice", "unapplied", "unapplied"]
    assert items["issue_date"].tolist()[1:] == [
        pd.Timestamp("2024-03-15"),
        pd.Timestamp("2024-04-05"),
    ]
    aged = ck.aging(ledger, "2024-04-10", money="decimal").iloc[0]
    assert sum(items["open_balance"]) == aged["total"] + aged["unapplied"]
    assert ck.open_items(ledger, "2024-04-30").empty


def test_the_payment_outlook_is_the_forecast_read_per_invoice() -> None:
    # one customer, 30 settled invoices paid 0..29 days late, and one open invoice
    invoices = [ck.Invoice(f"P{k}", "C", "2024-01-01", "2024-01-31", "100.00") for k in range(30)]
    payments = [
        ck.Payment(f"P{k}", date(2024, 1, 31) + timedelta(days=k), "100.00") for k in range(30)
    ]
    invoices.append(ck.Invoice("OPEN", "C", "2024-05-01", "2024-05-31", "800.00"))
    ledger = ck.Ledger.from_records(invoices, payments)
    item = ck.open_items(ledger, "2024-05-31", horizon="2W").loc[("C", "OPEN")]
    # its own curve: one invoice paid on each of days 0..29 past due. OPEN is due today
    # (a = 0), so given it is still open the other 29 are its peers: paid by day o with
    # probability o / 29, which reaches 1/2 on day 15 (14.5 invoices)
    assert item["expected_payment_date"] == pd.Timestamp("2024-06-15")
    assert item["payment_probability"] == pytest.approx(14 / 29)  # within 2 weeks
    # the collection forecast of that balance over the same horizon, to the cent
    forecast = ck.collection_forecast(ledger, "2024-05-31", horizon="2W", money="decimal")
    within = forecast["within_horizon"]
    assert abs(Decimal(float(item["payment_probability"])) * 800 - within) <= D("0.005")


def test_no_expected_date_where_the_curve_never_gets_there() -> None:
    # every settled invoice was written off: payment is never the likelier outcome
    invoices = [ck.Invoice(f"W{k}", "C", "2024-01-01", "2024-01-31", "10.00") for k in range(25)]
    payments = [ck.Payment(f"W{k}", "2024-02-15", "10.00", kind="write_off") for k in range(25)]
    invoices.append(ck.Invoice("OPEN", "C", "2024-04-01", "2024-04-30", "10.00"))
    item = ck.open_items(ck.Ledger.from_records(invoices, payments), T).loc[("C", "OPEN")]
    assert pd.isna(item["expected_payment_date"])
    assert item["payment_probability"] == 0.0


def test_an_empty_book_and_a_book_without_open_items() -> None:
    empty = ck.open_items(ck.Ledger.from_records([]), T)
    assert empty.empty and list(empty.index.names) == ["customer_id", "invoice_id"]
    paid = ck.Ledger.from_records(
        [ck.Invoice("F", "C", "2024-01-01", "2024-01-31", "10.00")],
        [ck.Payment("F", "2024-02-01", "10.00")],
    )
    assert ck.open_items(paid, T).empty


@pytest.mark.parametrize(
    ("options", "column"),
    [
        ({"by": "region"}, "by"),
        ({"buckets": (60, 30)}, "buckets"),
        ({"basis": "invoice"}, "basis"),
        ({"horizon": "soon"}, "horizon"),
        ({"min_history": 0}, "min_history"),
        ({"fallback": "planet"}, "fallback"),
        ({"money": "cents"}, "money"),
    ],
    ids=["by", "buckets", "basis", "horizon", "min_history", "fallback", "money"],
)
def test_bad_options_are_named(options: dict[str, object], column: str) -> None:
    with pytest.raises(InvalidOptionError) as info:
        ck.open_items(BOOK, T, **options)  # type: ignore[arg-type]
    assert info.value.column == column


def test_a_bad_date_is_named() -> None:
    with pytest.raises(ck.CreditKPIError, match="as_of"):
        ck.open_items(BOOK, "30/04/2024")


# ----------------------------------------------------------------------------------
# properties
# ----------------------------------------------------------------------------------

MONTH_ENDS = [(pd.Timestamp(START) + pd.offsets.MonthEnd(k)).date() for k in range(1, 21)]


def _open_by_hand(spec: LedgerSpec, as_of: date) -> set[tuple[str, str]]:
    """(customer, invoice) of every invoice issued by T whose settlements by T do not clear it."""
    settled: dict[str, Decimal] = {}
    for p in spec.payments:
        if p.invoice is not None and p.date <= as_of:
            settled[p.invoice] = settled.get(p.invoice, D(0)) + p.amount
    return {
        (i.customer, i.id)
        for i in spec.invoices
        if i.issue_date <= as_of and i.amount - settled.get(i.id, D(0)) != 0
    }


@settings(max_examples=25, deadline=None)
@given(spec=ledger_specs(max_invoices=18))
def test_at_every_month_end_the_rows_the_sum_and_the_buckets(spec: LedgerSpec) -> None:
    ledger = spec.build()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for as_of in MONTH_ENDS:
            items = ck.open_items(ledger, as_of, money="decimal")
            invoices = items[items["kind"] == "invoice"]
            assert set(invoices.index) == _open_by_hand(spec, as_of)
            unapplied = [p for p in spec.payments if p.invoice is None and p.date <= as_of]
            assert len(items) - len(invoices) == len(unapplied)
            receivables = ck.receivables(ledger, as_of, money="decimal")
            assert sum(invoices["open_balance"], D(0)) == receivables
            aged = ck.aging(ledger, as_of, money="decimal").iloc[0]
            by_bucket = items.groupby("bucket")["open_balance"].sum()
            for label, value in aged.drop("total").items():
                assert by_bucket.get(label, D(0)) == value, (as_of, label)
            late = invoices[invoices["days_past_due"] >= 1]
            assert sum(late["open_balance"], D(0)) == ck.overdue(ledger, as_of, money="decimal")
            probability = invoices["payment_probability"].dropna()
            assert ((probability >= 0) & (probability <= 1)).all()
            expected = invoices["expected_payment_date"].dropna()
            assert (expected > pd.Timestamp(as_of)).all()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1, 40), min_size=1, max_size=30),
    st.data(),
)
def test_the_expected_day_is_the_first_day_half_paid(
    durations: list[int], data: st.DataObject
) -> None:
    n = len(durations)
    events = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    closed = [
        c and not e
        for c, e in zip(
            data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), events, strict=True
        )
    ]
    curves = incidence(table_from_durations(durations, events, closed=closed))
    ages = np.asarray(data.draw(st.lists(st.integers(-5, 45), min_size=1, max_size=8)))
    codes = np.zeros(ages.size, dtype=np.int64)
    offsets = np.arange(0, 100, dtype=np.int64)
    paid, _ = conditional_shares(curves, codes, ages, offsets)
    got = median_offsets(curves, codes, ages)
    for k in range(ages.size):
        reached = np.flatnonzero(paid[k, 1:] >= 0.5 - 1e-12)
        expected = int(reached[0]) + 1 if reached.size else -1
        if expected != -1 and not math.isclose(paid[k, expected], 0.5, abs_tol=1e-9):
            assert got[k] == expected, (k, ages[k])
        elif expected == -1:
            assert got[k] == -1


def test_open_items_show_terms_beyond_the_legal_maximum() -> None:
    """The flag of ck.terms_beyond_legal, invoice by invoice (French law by default)."""
    ledger = ck.Ledger.from_records(
        [
            # issued 01-20: 60 days = 03-20, end of the month of 01-20 + 45 days = 03-31
            ck.Invoice("F1", "ACME", "2024-01-20", "2024-03-31", "1000.00"),
            ck.Invoice("F2", "ACME", "2024-01-20", "2024-04-01", "250.00"),
            ck.Invoice("F3", "Globex", "2024-02-01", "2024-03-02", "400.00"),
        ],
        [ck.Payment(None, "2024-04-20", "50.00", customer="Globex")],
    )
    items = ck.open_items(ledger, "2024-04-30")
    assert items["terms_beyond_legal"].tolist() == [False, True, False, False]
    invoices = items[items["kind"] == "invoice"]
    share = ck.terms_beyond_legal(ledger, "2024-01-01..2024-02-29", weight="count")
    assert invoices["terms_beyond_legal"].mean() == share == 1 / 3
    # 30 days: F1 and F2 (71 and 72 days) are beyond, F3 (30 days) is not
    flags = ck.open_items(ledger, "2024-04-30", legal_terms=30)["terms_beyond_legal"]
    assert flags.tolist() == [True, True, False, False]
    with pytest.raises(ck.CreditKPIError, match="legal_terms"):
        ck.open_items(ledger, "2024-04-30", legal_terms=-1)


def test_open_items_show_the_customers_limit_use_and_cover() -> None:
    """Each open item carries its customer's credit figures, those of ck.credit_exposure."""
    from tests.metrics.test_limits import INVOICES as INVOICES_23
    from tests.metrics.test_limits import PAYMENTS as PAYMENTS_23
    from tests.metrics.test_limits import _book

    book = _book()  # A over its limit, B without, C at its limit and insured, D insured only
    for day in ("2024-05-31", "2024-06-30"):
        items = ck.open_items(book, day)
        exposure = ck.credit_exposure(book, day)
        customers = items.index.get_level_values("customer_id")
        limit = exposure["limit"].reindex(customers).to_numpy()
        use = exposure["utilisation"].reindex(customers).to_numpy()
        np.testing.assert_array_equal(items["credit_limit"].to_numpy(), limit)
        np.testing.assert_array_equal(items["limit_utilisation"].to_numpy(), use)
        insured = exposure["cover_limit"].reindex(customers).notna().to_numpy()
        np.testing.assert_array_equal(items["insured"].to_numpy(), insured)
    may = ck.open_items(book, "2024-05-31")
    assert may.loc[("A", "A1"), ["credit_limit", "limit_utilisation"]].tolist() == [1000.0, 1.7]
    assert may.loc[("C", "C1"), "insured"] and not may.loc[("A", "A1"), "insured"]
    assert ck.open_items(book, "2024-06-30").loc[("A", "A2"), "credit_limit"] == 2000.0
    plain = ck.open_items(ck.Ledger.from_records(INVOICES_23, PAYMENTS_23), "2024-05-31")
    assert plain["credit_limit"].isna().all() and plain["limit_utilisation"].isna().all()
    assert not plain["insured"].any()
