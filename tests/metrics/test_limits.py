"""Credit limits, exposure and insurance cover: a book worked out by hand, properties, bad input."""

from __future__ import annotations

import math
import warnings
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import creditkpi as ck
import creditkpi.distributed as ckd
from creditkpi.core.errors import (
    InvalidAmountError,
    InvalidDateError,
    InvalidOptionError,
    InvalidValueError,
    OverlappingCoverError,
    UnknownCustomerError,
)
from tests.strategies import START, LedgerSpec, as_of_dates, ledger_specs

T1, T2 = "2024-05-31", "2024-06-30"
VALUE_KPIS = (
    "over_limit",
    "over_limit_customers",
    "limit_utilisation",
    "unlimited_exposure",
    "covered_share",
    "uncovered_exposure",
    "cover_at_risk",
)

INVOICES = [
    ck.Invoice("A1", "A", "2024-03-01", "2024-03-31", "1200.00"),
    ck.Invoice("A2", "A", "2024-05-10", "2024-06-09", "500.00"),
    ck.Invoice("B1", "B", "2024-05-01", "2024-05-31", "300.00"),
    ck.Invoice("C1", "C", "2024-03-15", "2024-04-14", "3000.00"),
    ck.Invoice("C2", "C", "2024-05-20", "2024-06-19", "2000.00"),
    ck.Invoice("D1", "D", "2024-05-05", "2024-06-04", "600.00"),
]
PAYMENTS = [
    ck.Payment("A1", "2024-06-20", "400.00"),
    ck.Payment("C2", "2024-06-10", "2000.00"),
    ck.Payment(None, "2024-06-25", "50.00", customer="B"),  # unapplied cash of B
]
# A: limit raised from 1000 to 2000 on 06-15; B and D: no limit; C: limit 5000
LIMITS = [
    ck.CreditLimit("A", "2024-01-01", "1000"),
    ck.CreditLimit("A", "2024-06-15", "2000"),
    ck.CreditLimit("C", "2024-01-01", "5000"),
]
# C insured at 95 % up to 4000, overdue to declare within 60 days of the due date
# (C1: deadline 04-14 + 60 = 06-13); D insured at the default 90 % until 06-15
COVER = [
    ck.Cover("C", "2024-01-01", "4000", share="0.95", declare_within=60, insurer="Coface"),
    ck.Cover("D", "2024-01-01", "1000", end="2024-06-15"),
]


def _book(invoices: Any = INVOICES, payments: Any = PAYMENTS) -> ck.Ledger:
    return ck.Ledger.from_records(invoices, payments, limits=LIMITS, cover=COVER)


@pytest.fixture(scope="module")
def book() -> ck.Ledger:
    return _book()


def _quiet(call: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataEndsWarning)
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        return call()


NAN = math.nan
# by hand, at 05-31: A owes 1200 + 500 against 1000; B 300, no limit; C 3000 + 2000 =
# its limit, covered min(5000, 4000) x 0.95, C1's deadline (06-13) in the next 15 days;
# D 600 covered at 90 %
TABLE_T1 = {
    "A": (1700.0, 1000.0, 1.7, 700.0, NAN, 0.0, 1700.0, 0.0, 0.0),
    "B": (300.0, NAN, NAN, 0.0, NAN, 0.0, 300.0, 0.0, 0.0),
    "C": (5000.0, 5000.0, 1.0, 0.0, 4000.0, 3800.0, 1200.0, 0.0, 3000.0),
    "D": (600.0, NAN, NAN, 0.0, 1000.0, 540.0, 60.0, 0.0, 0.0),
}
# at 06-30: A paid 400 of A1, its limit is 2000; B's 50 unapplied netted; C paid C2, C1
# past its deadline; D's cover ended on 06-15
TABLE_T2 = {
    "A": (1300.0, 2000.0, 0.65, 0.0, NAN, 0.0, 1300.0, 0.0, 0.0),
    "B": (250.0, NAN, NAN, 0.0, NAN, 0.0, 250.0, 0.0, 0.0),
    "C": (3000.0, 5000.0, 0.6, 0.0, 4000.0, 2850.0, 150.0, 3000.0, 0.0),
    "D": (600.0, NAN, NAN, 0.0, NAN, 0.0, 600.0, 0.0, 0.0),
}
# portfolio figures at T1 and T2, by hand
VALUES = {
    "over_limit": (Decimal("700.00"), Decimal("0.00")),
    "over_limit_customers": (1, 0),
    "limit_utilisation": ((1700 + 5000) / (1000 + 5000), (1300 + 3000) / (2000 + 5000)),
    "unlimited_exposure": (Decimal("900.00"), Decimal("850.00")),
    "covered_share": ((3800 + 540) / 7600, 2850 / 5150),
    "uncovered_exposure": (Decimal("3260.00"), Decimal("2300.00")),
    "cover_at_risk": (Decimal("0.00"), Decimal("3000.00")),
}


def _expected(rows: dict[str, tuple[float, ...]]) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(ck_columns()))
    frame.index = pd.Index(list(rows), name="customer_id", dtype=object)
    return frame


def ck_columns() -> tuple[str, ...]:
    from creditkpi.metrics.exposure import EXPOSURE_COLUMNS

    return EXPOSURE_COLUMNS


def _numbers(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(np.float64)


@pytest.mark.parametrize(("as_of", "rows"), [(T1, TABLE_T1), (T2, TABLE_T2)])
def test_exposure_table_by_hand(book: ck.Ledger, as_of: str, rows: Any) -> None:
    got = _quiet(lambda: ck.credit_exposure(book, as_of))
    pd.testing.assert_frame_equal(_numbers(got), _expected(rows), check_index_type=False)


def test_exposure_tables_at_two_dates_stack(book: ck.Ledger) -> None:
    both = _quiet(lambda: ck.credit_exposure(book, [T1, T2]))
    assert both.index.names == ["as_of", "customer_id"]
    for as_of, rows in ((T1, TABLE_T1), (T2, TABLE_T2)):
        part = both.xs(pd.Timestamp(as_of), level="as_of")
        pd.testing.assert_frame_equal(_numbers(part), _expected(rows), check_index_type=False)


def test_exposure_gross_keeps_unapplied_cash(book: ck.Ledger) -> None:
    gross = _quiet(lambda: ck.credit_exposure(book, T2, unapplied="gross"))
    assert gross.loc["B", "exposure"] == 300.0  # the 50 of unapplied cash not netted
    assert gross.loc["B", "uncovered"] == 300.0
    assert _quiet(lambda: ck.unlimited_exposure(book, T2, unapplied="gross")) == Decimal("900.00")


def test_exposure_decimal_money(book: ck.Ledger) -> None:
    exact = _quiet(lambda: ck.credit_exposure(book, T1, money="decimal"))
    assert exact.loc["C", "covered"] == Decimal("3800.00")
    assert exact.loc["D", "covered"] == Decimal("540.00")


@pytest.mark.parametrize("name", VALUE_KPIS)
def test_value_kpis_by_hand_through_every_path(book: ck.Ledger, name: str) -> None:
    first, second = VALUES[name]
    function = getattr(ck, name)
    at_t1 = _quiet(lambda: function(book, T1))
    at_t2 = _quiet(lambda: function(book, T2))
    # the ledger
    assert at_t1 == pytest.approx(first) and at_t2 == pytest.approx(second)
    if isinstance(first, Decimal):
        assert (at_t1, at_t2) == (first, second)  # exact amounts
    # the dashboard: June against May
    board = _quiet(lambda: ck.dashboard(book, "2024-06"))
    row = board.kpis.loc[name]
    assert float(row["current"]) == pytest.approx(float(second))
    assert float(row["previous"]) == pytest.approx(float(first))
    # the distributed path: two partitions by customer, combined
    parts = [
        _quiet(lambda keep=keep: ckd.summarize(_split(keep), ["2024-05", "2024-06"]))
        for keep in ({"A", "B"}, {"C", "D"})
    ]
    table = _quiet(lambda: ckd.kpis(ckd.combine(parts)))
    assert table.at[("2024-05", "all"), name] == pytest.approx(float(first))
    assert table.at[("2024-06", "all"), name] == pytest.approx(float(second))


def _split(customers: set[str]) -> ck.Ledger:
    """The book's customers in ``customers``, with their limits and cover."""
    return ck.Ledger.from_records(
        [i for i in INVOICES if i.customer in customers],
        [p for p in PAYMENTS if (p.customer or p.invoice or "")[0] in customers],
        limits=[x for x in LIMITS if x.customer in customers],
        cover=[x for x in COVER if x.customer in customers],
    )


@pytest.mark.parametrize(("as_of", "period"), [(T1, "2024-05"), (T2, "2024-06")])
def test_distributed_tables_are_the_ledger_tables(book: ck.Ledger, as_of: str, period: str) -> None:
    parts = [
        _quiet(lambda keep=keep: ckd.summarize(_split(keep), ["2024-05", "2024-06"]))
        for keep in ({"A", "C"}, {"B", "D"})
    ]
    combined = ckd.combine(parts)
    for name in ("credit_exposure", "limit_bands"):
        got = _quiet(lambda name=name: ckd.table(combined, name, period=period, money="decimal"))
        expected = _quiet(lambda name=name: getattr(ck, name)(book, as_of, money="decimal"))
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_limit_bands_by_hand(book: ck.Ledger) -> None:
    bands = _quiet(lambda: ck.limit_bands(book, [T1, T2]))
    labels = ["below 50%", "50-70%", "70-90%", "90-100%", "100% and over"]
    # T1: A at 170 %, C exactly at its limit (100 %: the last band, over by 0)
    t1 = bands.xs(pd.Timestamp(T1), level="as_of")
    assert list(t1.index) == labels
    assert t1["customers"].tolist() == [0, 0, 0, 0, 2]
    assert t1["exposure"].tolist() == [0.0, 0.0, 0.0, 0.0, 6700.0]
    assert t1["over_limit"].tolist() == [0.0, 0.0, 0.0, 0.0, 700.0]
    # T2: A at 65 %, C at 60 %
    t2 = bands.xs(pd.Timestamp(T2), level="as_of")
    assert t2["customers"].tolist() == [0, 2, 0, 0, 0]
    assert t2["exposure"].tolist() == [0.0, 4300.0, 0.0, 0.0, 0.0]
    # other thresholds: 60 % splits them
    other = _quiet(lambda: ck.limit_bands(book, T2, thresholds=(0.6, 1.0)))
    assert other["customers"].tolist() == [0, 2, 0]  # 0.6 exactly reaches the 60 % band
    assert list(other.index) == ["below 60%", "60-100%", "100% and over"]


def test_limit_bands_bad_thresholds(book: ck.Ledger) -> None:
    with pytest.raises(InvalidOptionError, match="thresholds must be increasing"):
        ck.limit_bands(book, T1, thresholds=(0.9, 0.5))


def test_dashboard_block_only_with_limits_or_cover(book: ck.Ledger) -> None:
    board = _quiet(lambda: ck.dashboard(book, "2024-06"))
    assert set(VALUE_KPIS) <= set(board.kpis.index)
    plain = _quiet(lambda: ck.dashboard(ck.Ledger.from_records(INVOICES, PAYMENTS), "2024-06"))
    assert not set(VALUE_KPIS) & set(plain.kpis.index)
    # limits only: the limit KPIs, not the cover ones
    limited = ck.Ledger.from_records(INVOICES, PAYMENTS, limits=LIMITS)
    rows = set(_quiet(lambda: ck.dashboard(limited, "2024-06")).kpis.index)
    assert {"over_limit", "limit_utilisation"} <= rows
    assert not {"covered_share", "cover_at_risk"} & rows
    # the block has its heading inside the Risk section, right above its first row
    text = board.to_text(width=120).splitlines()
    heading = next(i for i, line in enumerate(text) if line.strip() == "Limits and cover")
    assert "Exposure over credit limits" in text[heading + 1]
    assert text.index(next(t for t in text if t.strip() == "Risk")) < heading
    page = board.to_html(full=True, charts=False)
    assert page.count('<tr class="block">') == 1 and "Limits and cover</td></tr>" in page
    assert "Limits and cover" not in plain.to_text(width=120)


def test_with_credit_equals_the_builder(book: ck.Ledger) -> None:
    plain = ck.Ledger.from_records(INVOICES, PAYMENTS)
    later = plain.with_credit(LIMITS, COVER)
    assert plain.inputs == frozenset() and later.inputs == {"cover", "limits"}
    pd.testing.assert_frame_equal(
        _quiet(lambda: ck.credit_exposure(later, T2)), _quiet(lambda: ck.credit_exposure(book, T2))
    )


def test_frames_equal_records(book: ck.Ledger) -> None:
    limits = pd.DataFrame(
        {
            "customer_id": ["A", "A", "C"],
            "date": ["2024-01-01", "2024-06-15", "2024-01-01"],
            "amount": ["1000", "2000", "5000"],
        }
    )
    cover = pd.DataFrame(
        {
            "customer_id": ["C", "D"],
            "start": ["2024-01-01", "2024-01-01"],
            "amount": ["4000", "1000"],
            "end": [None, "2024-06-15"],
            "share": ["0.95", None],
            "declare_within": ["60", None],
            "insurer": ["Coface", ""],
        }
    )
    ledger = ck.Ledger.from_records(INVOICES, PAYMENTS).with_credit(limits, cover)
    for as_of in (T1, T2):
        pd.testing.assert_frame_equal(
            _quiet(lambda as_of=as_of: ck.credit_exposure(ledger, as_of)),
            _quiet(lambda as_of=as_of: ck.credit_exposure(book, as_of)),
        )


def test_limit_of_zero_is_no_credit() -> None:
    ledger = ck.Ledger.from_records(INVOICES[:1], limits=[ck.CreditLimit("A", "2024-01-01", "0")])
    with pytest.warns(ck.UndefinedMetricWarning):
        table = ck.credit_exposure(ledger, "2024-03-31")
    assert math.isnan(table.loc["A", "utilisation"])
    assert table.loc["A", "over_limit"] == 1200.0
    assert ck.over_limit_customers(ledger, "2024-03-31") == 1


def test_by_group_level(book: ck.Ledger) -> None:
    table = _quiet(lambda: ck.credit_exposure(book, T1, by="customer_id"))
    assert table.index.names == ["customer_id"]
    assert table["exposure"].sum() == 7600.0


def test_profiles_show_limit_use_and_cover(book: ck.Ledger) -> None:
    p = _quiet(lambda: ck.payer_profiles(book, T1))
    assert p.loc["A", "credit_limit"] == 1000.0
    assert p.loc["A", "limit_use"] == 1.7
    assert (p.loc["C", "exposure"], p.loc["C", "cover_limit"], p.loc["C", "covered"]) == (
        5000.0,
        4000.0,
        3800.0,
    )
    assert math.isnan(p.loc["B", "cover_limit"])
    # A owes 170 % of its limit: grade D under the default scale (C allows up to 150 %)
    assert p.loc["A", "grade"] == "D"
    assert "owes 170% of its credit limit (D: over 150%)" in p.loc["A", "reasons"]


# ---------------------------------------------------------------------------- bad input


def _frames_ledger(**tables: pd.DataFrame) -> ck.Ledger:
    inv = pd.DataFrame(
        {
            "invoice_id": ["F1"],
            "customer_id": ["ACME"],
            "issue_date": ["2024-01-01"],
            "due_date": ["2024-01-31"],
            "amount": ["100.00"],
        }
    )
    return ck.Ledger.from_frames(inv, **tables)


def test_unknown_customer_is_named() -> None:
    limits = pd.DataFrame({"customer_id": ["NOPE"], "date": ["2024-01-01"], "amount": ["10"]})
    with pytest.raises(UnknownCustomerError, match="does not hold") as err:
        _frames_ledger(limits=limits)
    assert "NOPE" in str(err.value)


def test_negative_limit_is_named() -> None:
    limits = pd.DataFrame({"customer_id": ["ACME"], "date": ["2024-01-01"], "amount": ["-10"]})
    with pytest.raises(InvalidAmountError, match="negative") as err:
        _frames_ledger(limits=limits)
    assert "-10" in str(err.value)


def test_two_limits_on_one_day_are_named() -> None:
    limits = pd.DataFrame(
        {"customer_id": ["ACME", "ACME"], "date": ["2024-01-01"] * 2, "amount": ["10", "20"]}
    )
    with pytest.raises(InvalidValueError, match="already has one"):
        _frames_ledger(limits=limits)


@pytest.mark.parametrize("share", ["0", "1.5", "-0.1"])
def test_share_outside_zero_one_is_named(share: str) -> None:
    cover = pd.DataFrame(
        {"customer_id": ["ACME"], "start": ["2024-01-01"], "amount": ["10"], "share": [share]}
    )
    with pytest.raises(InvalidValueError, match=r"outside \(0, 1\]") as err:
        _frames_ledger(cover=cover)
    assert share in str(err.value)


def test_overlapping_cover_of_one_insurer_is_named() -> None:
    cover = pd.DataFrame(
        {
            "customer_id": ["ACME", "ACME"],
            "start": ["2024-01-01", "2024-03-01"],
            "end": ["2024-06-30", None],
            "amount": ["10", "20"],
            "insurer": ["Coface", "Coface"],
        }
    )
    with pytest.raises(OverlappingCoverError, match="overlap"):
        _frames_ledger(cover=cover)
    # two insurers may cover one customer at once (layers)
    cover["insurer"] = ["Coface", "Atradius"]
    assert _frames_ledger(cover=cover).inputs == {"cover"}


def test_cover_ending_before_it_starts_is_named() -> None:
    cover = pd.DataFrame(
        {"customer_id": ["ACME"], "start": ["2024-03-01"], "end": ["2024-02-01"], "amount": ["1"]}
    )
    with pytest.raises(InvalidDateError, match="end before they start"):
        _frames_ledger(cover=cover)


def test_negative_deadline_is_named() -> None:
    cover = pd.DataFrame(
        {
            "customer_id": ["ACME"],
            "start": ["2024-01-01"],
            "amount": ["1"],
            "declare_within": ["-5"],
        }
    )
    with pytest.raises(InvalidValueError, match="deadline"):
        _frames_ledger(cover=cover)


# ---------------------------------------------------------------------------- properties


@st.composite
def credit_books(draw: st.DrawFn) -> tuple[LedgerSpec, list[ck.CreditLimit], list[ck.Cover]]:
    """A random ledger with random limit histories and covers for its customers."""
    spec = draw(ledger_specs(max_invoices=15))
    held = sorted(
        {i.customer for i in spec.invoices} | {p.customer for p in spec.payments if p.customer}
    )
    limits: list[ck.CreditLimit] = []
    cover: list[ck.Cover] = []
    for customer in held:
        days = draw(st.lists(st.integers(0, 600), max_size=3, unique=True))
        for day in days:
            amount = Decimal(draw(st.integers(0, 500_000))).scaleb(-2)
            limits.append(ck.CreditLimit(customer, START + timedelta(days=day), amount))
        if draw(st.booleans()):
            start = START + timedelta(days=draw(st.integers(0, 300)))
            end = draw(st.one_of(st.none(), st.integers(0, 400)))
            cover.append(
                ck.Cover(
                    customer,
                    start,
                    Decimal(draw(st.integers(0, 500_000))).scaleb(-2),
                    end=None if end is None else start + timedelta(days=end),
                    share=draw(st.sampled_from(["0.5", "0.9", "0.95", "1"])),
                    declare_within=draw(st.one_of(st.none(), st.integers(0, 120))),
                )
            )
    return spec, limits, cover


def _build(spec: LedgerSpec, limits: Any, cover: Any) -> ck.Ledger:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        return ck.Ledger.from_records(
            spec.invoices, spec.payments, spec.disputes, spec.statuses, spec.doubtful,
            limits=limits, cover=cover,
        )  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(credit_books(), as_of_dates(), st.integers(1, 300_000))
def test_raising_limits_never_increases_over_limit(book: Any, as_of: date, cents: int) -> None:
    spec, limits, cover = book
    raised = [replace(x, amount=x.amount + Decimal(cents).scaleb(-2)) for x in limits]
    before = _quiet(lambda: ck.credit_exposure(_build(spec, limits, cover), as_of))
    after = _quiet(lambda: ck.credit_exposure(_build(spec, raised, cover), as_of))
    assert (after["over_limit"] <= before["over_limit"]).all()
    assert _quiet(lambda: ck.over_limit(_build(spec, raised, cover), as_of)) <= _quiet(
        lambda: ck.over_limit(_build(spec, limits, cover), as_of)
    )
    assert (after["exposure"] == before["exposure"]).all()


@settings(max_examples=40, deadline=None)
@given(credit_books(), as_of_dates())
def test_full_share_and_unlimited_cover_covers_everything(book: Any, as_of: date) -> None:
    spec, limits, _ = book
    held = sorted({i.customer for i in spec.invoices})
    full = [ck.Cover(c, START - timedelta(days=1), "1e12", share="1") for c in held]
    table = _quiet(lambda: ck.credit_exposure(_build(spec, limits, full), as_of, money="decimal"))
    assert (table["covered"] == table["exposure"]).all()
    assert (table["uncovered"] == 0).all()
    assert _quiet(lambda: ck.uncovered_exposure(_build(spec, limits, full), as_of)) == 0


@settings(max_examples=40, deadline=None)
@given(credit_books(), as_of_dates(), st.integers(1, 200))
def test_events_after_as_of_change_nothing(book: Any, as_of: date, days: int) -> None:
    spec, limits, cover = book
    later = as_of + timedelta(days=days)
    # a new invoice, a payment, a limit of 0 and a new cover, all dated after as_of
    customer = spec.invoices[0].customer
    extra_inv = ck.Invoice("LATE-1", customer, later, later + timedelta(days=30), "999.00")
    moved = LedgerSpec(
        [*spec.invoices, extra_inv],
        [*spec.payments, ck.Payment(None, later, "12.34", customer=customer)],
        spec.disputes,
        spec.statuses,
        spec.doubtful,
    )
    known = {(x.customer, x.date) for x in limits}
    more_limits = [*limits] + (
        [ck.CreditLimit(customer, later, "0")] if (customer, later) not in known else []
    )
    more_cover = [*cover, ck.Cover(customer, later, "50", insurer="later insurer")]
    base = _quiet(lambda: ck.credit_exposure(_build(spec, limits, cover), as_of, money="decimal"))
    got = _quiet(
        lambda: ck.credit_exposure(_build(moved, more_limits, more_cover), as_of, money="decimal")
    )
    if customer not in base.index:  # it now appears only with an exposure of 0 (or not at all)
        got = got.drop(index=customer, errors="ignore")
    pd.testing.assert_frame_equal(got, base)


@settings(max_examples=30, deadline=None)
@given(credit_books(), as_of_dates())
def test_splitting_customers_adds_up(book: Any, as_of: date) -> None:
    spec, limits, cover = book
    whole = _build(spec, limits, cover)
    pieces = [
        _build(
            spec.only({c}),
            [x for x in limits if x.customer == c],
            [x for x in cover if x.customer == c],
        )
        for c in spec.customers()
    ]
    for name in ("over_limit", "unlimited_exposure", "uncovered_exposure", "cover_at_risk"):
        total = sum(
            (
                _quiet(lambda p=p, name=name: getattr(ck, name)(p, as_of, money="decimal"))
                for p in pieces
            ),
            Decimal(0),
        )
        exact = _quiet(lambda name=name: getattr(ck, name)(whole, as_of, money="decimal"))
        assert exact == total, name
    count = sum(_quiet(lambda p=p: ck.over_limit_customers(p, as_of)) for p in pieces)
    assert _quiet(lambda: ck.over_limit_customers(whole, as_of)) == count
    tables = [_quiet(lambda p=p: ck.credit_exposure(p, as_of, money="decimal")) for p in pieces]
    table = _quiet(lambda: ck.credit_exposure(whole, as_of, money="decimal"))
    pd.testing.assert_frame_equal(pd.concat(tables).sort_index(), table, check_index_type=False)


# ---------------------------------------------------------------------------- edge cases


def test_undefined_ratios_are_nan_with_a_warning() -> None:
    # all paid at 04-30: no exposure; no limit anywhere
    paid = ck.Ledger.from_records(
        INVOICES[:1],
        [ck.Payment("A1", "2024-03-20", "1200.00")],
        cover=[ck.Cover("A", "2024-01-01", "100")],
    )
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(ck.covered_share(paid, "2024-04-30"))
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(ck.limit_utilisation(paid, "2024-04-30"))
    assert ck.uncovered_exposure(paid, "2024-04-30") == Decimal("0.00")
    assert ck.cover_at_risk(paid, "2024-04-30") == Decimal("0.00")
    assert ck.unlimited_exposure(paid, "2024-04-30") == Decimal("0.00")
    assert ck.over_limit(paid, "2024-04-30") == Decimal("0.00")
    assert ck.over_limit_customers(paid, "2024-04-30") == 0


def test_before_any_invoice_nothing_is_owed(book: ck.Ledger) -> None:
    assert ck.over_limit(book, "2024-01-31") == Decimal("0.00")
    assert ck.unlimited_exposure(book, "2024-01-31") == Decimal("0.00")
    # no customer has a dated event yet: no row, though A and C have limits
    assert ck.credit_exposure(book, "2024-01-31").empty
    with pytest.warns(ck.UndefinedMetricWarning):
        assert math.isnan(ck.covered_share(book, "2024-01-31"))


def test_by_group_sums_to_the_book(book: ck.Ledger) -> None:
    by = _quiet(lambda: ck.over_limit(book, [T1, T2], by="customer_id"))
    assert by.loc[pd.Timestamp(T1)].to_dict() == {
        "A": Decimal("700.00"),
        "B": Decimal("0.00"),
        "C": Decimal("0.00"),
        "D": Decimal("0.00"),
    }
    use = _quiet(lambda: ck.limit_utilisation(book, T1, by="customer_id"))
    assert use["A"] == 1.7 and use["C"] == 1.0 and math.isnan(use["B"])
