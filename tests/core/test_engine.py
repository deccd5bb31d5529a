"""The as-of engine: hand-computed balances and flows, and its invariants."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import creditkpi as ck
from creditkpi.core.engine import (
    Basis,
    balances,
    disputed_at,
    doubtful_at,
    flows,
    position,
    settled_day,
    status_at,
)
from creditkpi.core.engine.position import _sweep, _thresholds, bucket_index, bucket_labels
from creditkpi.core.groups import group_codes
from creditkpi.core.period import from_day, to_day
from tests.strategies import LedgerSpec, as_of_dates, ledger_specs


@pytest.fixture(scope="module")
def book() -> ck.Ledger:
    """A hand-made ledger; every figure below is computed by hand.

    F1 C1 issued 01-10 due 02-09 1000.00: paid 300 on 02-01, credit note 200 on
       02-20, written off 100 on 03-31.
    F2 C1 issued 03-15 due 04-14  500.00: paid 500 on 03-31 (exactly T).
    F3 C2 issued 03-20 due 03-20  250.55: open.
    F4 C2 issued 04-02 due 05-02  999.99: issued after T = 03-31.
    Unapplied cash from C2: 40.00 on 03-05.
    """
    return ck.Ledger.from_records(
        [
            ck.Invoice("F1", "C1", "2024-01-10", "2024-02-09", "1000.00", attrs={"country": "FR"}),
            ck.Invoice("F2", "C1", "2024-03-15", "2024-04-14", "500.00", attrs={"country": "FR"}),
            ck.Invoice("F3", "C2", "2024-03-20", "2024-03-20", "250.55", attrs={"country": "DE"}),
            ck.Invoice("F4", "C2", "2024-04-02", "2024-05-02", "999.99", attrs={"country": "DE"}),
        ],
        [
            ck.Payment("F1", "2024-02-01", "300.00"),
            ck.Payment("F1", "2024-02-20", "200.00", kind="credit_note"),
            ck.Payment("F1", "2024-03-31", "100.00", kind="write_off"),
            ck.Payment("F2", "2024-03-31", "500.00"),
            ck.Payment(None, "2024-03-05", "40.00", customer="C2"),
        ],
        [ck.Dispute("F3", "2024-03-25", "price", resolved="2024-04-10")],
        [
            ck.StatusEvent("F1", "2024-02-15", "reminder 1"),
            ck.StatusEvent("F1", "2024-03-10", "reminder 2"),
        ],
        [ck.Doubtful("F1", "2024-03-20", provision="150.00")],
    )


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        # F1 1000-300-200-100 = 400; F2 paid on T -> 0; F3 250.55; F4 not issued
        ("2024-03-31", {"F1": 40000, "F2": 0, "F3": 25055, "F4": 0}),
        # the day before: no write-off yet, F2 unpaid
        ("2024-03-30", {"F1": 50000, "F2": 50000, "F3": 25055, "F4": 0}),
        # before anything was paid
        ("2024-01-31", {"F1": 100000, "F2": 0, "F3": 0, "F4": 0}),
        # issue day counts: F4 issued on 04-02
        ("2024-04-02", {"F1": 40000, "F2": 0, "F3": 25055, "F4": 99999}),
    ],
    ids=["T", "T-1", "january", "issue-day"],
)
def test_balances(book: ck.Ledger, as_of: str, expected: dict[str, int]) -> None:
    snap = balances(book, as_of)
    assert dict(zip(book._cols.invoice_ids, snap.balance.tolist(), strict=True)) == expected


def test_days_past_due(book: ck.Ledger) -> None:
    snap = balances(book, "2024-03-31")
    # F1: 02-09 -> 03-31 is 20 + 31 = 51 days (2024-02 has 29 days); F3: 11 days
    assert snap.days_past_due.tolist()[:3] == [51, -14, 11]
    assert snap.overdue.tolist() == [True, False, True, False]
    assert snap.issued.tolist() == [True, True, True, False]


def test_position_hand_computed(book: ck.Ledger) -> None:
    frame = position(book, ["2024-03-30", "2024-03-31"], by="customer_id")
    t = frame.loc[pd.Timestamp("2024-03-31")]
    assert t.loc["C1", ["receivables", "overdue", "not due", "31-60"]].tolist() == [
        40000,
        40000,
        0,
        40000,
    ]
    assert t.loc["C2", ["receivables", "overdue", "1-30", "unapplied"]].tolist() == [
        25055,
        25055,
        25055,
        4000,
    ]
    t1 = frame.loc[pd.Timestamp("2024-03-30")]
    # C1: F1 500.00 (50 days late) + F2 500.00 not due
    assert t1.loc["C1", ["receivables", "not due", "31-60"]].tolist() == [100000, 50000, 50000]
    assert t1.loc["C1", "open_invoices"] == 2


def test_receivables_public(book: ck.Ledger) -> None:
    assert ck.receivables(book, "2024-03-31", money="decimal") == Decimal("650.55")
    assert ck.receivables(book, date(2024, 3, 30), money="decimal") == Decimal("1250.55")
    series = ck.receivables(book, ["2024-03-30", "2024-03-31"], money="decimal")
    assert series.tolist() == [Decimal("1250.55"), Decimal("650.55")]
    by_country = ck.receivables(book, "2024-04-02", by="country", money="decimal")
    assert by_country.to_dict() == {"FR": Decimal("400.00"), "DE": Decimal("1250.54")}
    frame = ck.receivables(book, ["2024-03-31", "2024-04-02"], by="customer_id", money="decimal")
    assert frame.shape == (2, 2)
    assert frame.loc[pd.Timestamp("2024-04-02"), "C2"] == Decimal("1250.54")


def test_flows_hand_computed(book: ck.Ledger) -> None:
    frame = flows(book, ck.Period.months("2024-02", "2024-03"))
    feb = frame.loc[("2024-02", "all")]
    mar = frame.loc[("2024-03", "all")]
    # February: no invoice, a 200 credit note -> negative sales; 300 cash
    assert feb[["invoiced", "credit_notes", "sales", "cash", "write_offs"]].tolist() == [
        0,
        20000,
        -20000,
        30000,
        0,
    ]
    # March: F2 + F3 issued; 500 applied + 40 unapplied cash; 100 written off
    assert mar[
        [
            "invoiced",
            "sales",
            "cash",
            "applied_cash",
            "unapplied_received",
            "write_offs",
            "n_invoices",
        ]
    ].tolist() == [
        75055,
        75055,
        54000,
        50000,
        4000,
        10000,
        2,
    ]
    by = flows(book, ck.Period.month(2024, 3), by="customer_id")
    assert by.loc[("2024-03", "C2"), ["invoiced", "cash"]].tolist() == [25055, 4000]


def test_flows_of_overlapping_periods(book: ck.Ledger) -> None:
    q1 = flows(book, [ck.Period.quarter(2024, 1), ck.Period.month(2024, 3), ck.Period.year(2024)])
    assert q1["invoiced"].tolist() == [175055, 75055, 275054]


def test_dispute_status_doubtful_at(book: ck.Ledger) -> None:
    assert disputed_at(book, to_day(date(2024, 3, 24))).tolist() == [False] * 4
    assert disputed_at(book, to_day(date(2024, 3, 25))).tolist() == [False, False, True, False]
    assert not disputed_at(book, to_day(date(2024, 4, 10))).any()  # resolved on T: not disputed
    assert status_at(book, to_day(date(2024, 3, 9))).tolist() == [
        "reminder 1",
        "none",
        "none",
        "none",
    ]
    assert status_at(book, to_day(date(2024, 3, 10)))[0] == "reminder 2"
    mask, provision = doubtful_at(book, to_day(date(2024, 3, 20)))
    assert mask.tolist() == [True, False, False, False]
    assert provision.tolist() == [15000, 0, 0, 0]


def test_settled_day(book: ck.Ledger) -> None:
    days = settled_day(book)
    assert days[1] == to_day(date(2024, 3, 31))  # F2 paid in full on 03-31
    assert days[0] > to_day(date(2100, 1, 1))  # F1 keeps 400.00 open: never
    assert days[2] > to_day(date(2100, 1, 1))


def test_empty_ledger() -> None:
    ledger = ck.Ledger.from_records([])
    assert ck.receivables(ledger, "2024-01-01", money="decimal") == Decimal("0.00")
    assert position(ledger, ["2024-01-01", "2024-02-01", "2024-03-01"])["receivables"].tolist() == [
        0,
        0,
        0,
    ]


# ----------------------------------------------------------------------------------
# properties
# ----------------------------------------------------------------------------------


def decimal_receivables(spec: LedgerSpec, as_of: date) -> Decimal:
    """R(T) = Σ invoices issued <= T - Σ their settlements dated <= T, in Decimal."""
    issued = {i.id: i.amount for i in spec.invoices if i.issue_date <= as_of}
    total = sum(issued.values(), Decimal(0))
    total -= sum(
        (p.amount for p in spec.payments if p.invoice in issued and p.date <= as_of), Decimal(0)
    )
    return total


@given(ledger_specs(), as_of_dates())
def test_receivables_equal_decimal_sum(spec: LedgerSpec, as_of: date) -> None:
    assert ck.receivables(spec.build(), as_of, money="decimal") == decimal_receivables(spec, as_of)


@given(ledger_specs(), as_of_dates(), st.sampled_from([None, "country"]), st.booleans())
def test_open_invoices_per_bucket_equal_a_count_of_the_balances(
    spec: LedgerSpec, as_of: date, by: str | None, issue_basis: bool
) -> None:
    ledger = spec.build()
    basis: Basis = "issue" if issue_basis else "due"
    frame = position(ledger, as_of, by=by, basis=basis, bucket_counts=True)
    snap = balances(ledger, as_of)
    live = snap.issued & (snap.balance != 0)
    code = bucket_index(snap, (30, 60, 90), basis)
    groups = group_codes(ledger, by)
    labels = bucket_labels((30, 60, 90), basis)
    for i, label in enumerate(labels):
        expected = np.bincount(groups.invoice[live & (code == i)], minlength=groups.size)
        assert frame[f"{label} invoices"].tolist() == expected.tolist()
    counts = frame[[f"{label} invoices" for label in labels]].sum(axis=1)
    assert counts.tolist() == frame["open_invoices"].tolist()


@given(
    ledger_specs(),
    st.lists(as_of_dates(), min_size=3, max_size=8),
    st.sampled_from([None, "customer_id", "country"]),
    st.sampled_from(["due", "issue"]),
)
def test_sweep_equals_snapshot(
    spec: LedgerSpec, dates: list[date], by: str | None, basis: Basis
) -> None:
    ledger = spec.build()
    sweep = position(ledger, dates, by=by, basis=basis, method="sweep")
    snap = position(ledger, dates, by=by, basis=basis, method="snapshot")
    pd.testing.assert_frame_equal(sweep, snap)


@given(
    ledger_specs(),
    st.lists(as_of_dates(), min_size=1, max_size=6),
    st.sampled_from([None, "customer_id", "country"]),
    st.sampled_from(["due", "issue"]),
)
def test_sweep_by_class_equals_by_invoice(
    spec: LedgerSpec, dates: list[date], by: str | None, basis: Basis
) -> None:
    """The two ways of summing bucket crossings (per reference-day class, per invoice) agree."""
    ledger = spec.build()
    days = np.unique([to_day(d) for d in dates])
    groups = group_codes(ledger, by)
    thresholds = _thresholds((30, 60, 90), basis)
    by_class = _sweep(ledger, days, basis, thresholds, groups, counts=True, by_class=True)
    by_invoice = _sweep(ledger, days, basis, thresholds, groups, counts=True, by_class=False)
    np.testing.assert_array_equal(by_class[0], by_invoice[0])
    np.testing.assert_array_equal(by_class[1], by_invoice[1])
    assert int(by_class[0].sum(axis=2)[-1].sum()) == int(
        position(ledger, from_day(int(days[-1])), by=by)["receivables"].sum()
    )


@given(ledger_specs(), st.lists(as_of_dates(), min_size=1, max_size=5), st.integers(0, 1000))
def test_row_order_does_not_matter(spec: LedgerSpec, dates: list[date], seed: int) -> None:
    a = position(spec.build(), dates, by="customer_id")
    b = position(spec.shuffled(seed).build(), dates, by="customer_id")
    pd.testing.assert_frame_equal(a.sort_index(), b.sort_index())


@given(ledger_specs(), st.lists(as_of_dates(), min_size=1, max_size=5))
def test_split_by_customer_adds_up(spec: LedgerSpec, dates: list[date]) -> None:
    whole = position(spec.build(), dates).to_numpy()
    parts = [position(p.build(), dates).to_numpy() for p in spec.split_by_customer()]
    assert (sum(parts, start=np.zeros_like(whole)) == whole).all()
    periods = ck.Period.months("2023-01", "2024-08")
    fw = flows(spec.build(), periods).to_numpy()
    fp = [flows(p.build(), periods).to_numpy() for p in spec.split_by_customer()]
    assert (sum(fp, start=np.zeros_like(fw)) == fw).all()


@given(ledger_specs(), as_of_dates(), st.integers(-400, 400))
def test_shifting_every_date_keeps_balances(spec: LedgerSpec, as_of: date, n: int) -> None:
    a = position(spec.build(), [as_of], by="customer_id")
    b = position(spec.shifted(n).build(), [as_of + timedelta(days=n)], by="customer_id")
    assert (a.to_numpy() == b.to_numpy()).all()


def test_a_million_cents_sum_exactly() -> None:
    rng = np.random.default_rng(7)
    n = 1_000_000
    cents = rng.integers(1, 100, size=n)  # 0.01 .. 0.99
    amounts = cents / 100.0  # floats, as read from a CSV
    frame = pd.DataFrame(
        {
            "invoice_id": np.arange(n),
            "customer_id": rng.integers(0, 1000, size=n),
            "issue_date": np.datetime64("2024-01-01")
            + rng.integers(0, 90, size=n).astype("timedelta64[D]"),
            "amount": amounts,
        }
    )
    frame["due_date"] = frame["issue_date"] + pd.Timedelta(days=30)
    ledger = ck.Ledger.from_frames(frame)
    exact = sum((Decimal(repr(a)) for a in amounts.tolist()), Decimal(0))
    assert exact == Decimal(int(cents.sum())).scaleb(-2)
    assert ck.receivables(ledger, "2024-12-31", money="decimal") == exact
    assert ck.receivables(ledger, "2024-12-31", by="customer_id", money="decimal").sum() == exact


def test_open_invoice_counts_agree_on_overpaid_and_early_settlements() -> None:
    # F1 paid in two steps, overpaid on 03-10; F2 settled before issue; F3 open
    with pytest.warns(ck.DataQualityWarning):
        ledger = ck.Ledger.from_records(
            [
                ck.Invoice("F1", "C1", "2024-01-05", "2024-02-04", "100.00"),
                ck.Invoice("F2", "C1", "2024-02-10", "2024-03-10", "50.00"),
                ck.Invoice("F3", "C2", "2024-02-20", "2024-03-20", "70.00"),
            ],
            [
                ck.Payment("F1", "2024-02-01", "100.00"),
                ck.Payment("F1", "2024-03-10", "5.00"),
                ck.Payment("F2", "2024-02-01", "50.00"),
            ],
        )
    dates = ["2024-01-31", "2024-02-01", "2024-02-15", "2024-03-09", "2024-03-10", "2024-03-31"]
    sweep = position(ledger, dates, method="sweep", by="customer_id")
    snap = position(ledger, dates, method="snapshot", by="customer_id")
    pd.testing.assert_frame_equal(sweep, snap)
    # F1 open in January, settled on 02-01 (0), overpaid from 03-10 (-5.00: non-zero again)
    assert sweep.xs("C1", level="group")["open_invoices"].tolist() == [1, 0, 0, 0, 1, 1]
    assert sweep.xs("C2", level="group")["open_invoices"].tolist() == [0, 0, 0, 1, 1, 1]


@given(
    st.lists(st.integers(-50, 400), min_size=1, max_size=40, unique=True),
    st.integers(0, 2**32 - 1),
)
def test_date_bins_by_lookup_table_equal_binary_search(days: list[int], seed: int) -> None:
    from creditkpi.core.engine.grid import date_bin as _date_bin

    grid = np.sort(np.asarray(days, dtype=np.int64))
    rng = np.random.default_rng(seed)
    events = rng.integers(-100, 500, size=5_000)
    events[:3] = [2**40, grid[0], grid[-1]]  # "never", and both ends of the grid
    assert events.size >= 4 * (int(grid[-1] - grid[0]) + 1)  # the table path is taken
    expected = np.searchsorted(grid, events, side="left")
    np.testing.assert_array_equal(_date_bin(grid, events), expected)
