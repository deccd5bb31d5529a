"""Exposure and loss per aging bucket (core.exposure): hand-computed parts and properties."""

from __future__ import annotations

import warnings
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import creditkpi as ck
from creditkpi.core.exposure import (
    CARRYING_COLUMNS,
    EXPOSURE_COLUMNS,
    _dense_codes,
    _month_codes,
    carrying_amounts,
    loss_exposure,
)
from creditkpi.metrics.loss_rates import loss_rates_from_parts
from creditkpi.metrics.provision import provision_matrix_from_parts
from tests.strategies import LedgerSpec, ledger_specs

LABELS = ["not due", "1-30", "31-60", "61-90", "91+"]
T = "2024-12-31"


def history_spec() -> LedgerSpec:
    """The hand-worked history (amounts in euros; T = 2024-12-31, default after 365 days).

    Buckets start on the issue date (not due), D+1, D+31, D+61, D+91.

    A1 C1 issued 2022-12-01 due 2023-01-01 1000: paid 400 on 01-20 (day 19),
       600 on 02-15 (day 45). Enters 1000, 1000, 600, 0, 0; loss 0.
    A2 C2 issued 2022-12-10 due 2023-01-09  500: written off 2023-06-01 (day 143).
       Enters 500 everywhere; loss 500 everywhere (a write-off is a loss).
    B1 C1 issued 2023-02-01 due 2023-03-03 2000: credit note 200 on 02-10 (before
       due), paid 1000 on 04-10 (day 38), 300 on 2024-01-15 (day 318, before the
       default day 2024-03-02). Enters 2000, 1800, 1800, 800, 800; loss 500.
    B2 C2 issued 2023-03-01 due 2023-03-31  800: paid 300 on 03-20, written off
       100 on 05-15 (day 45), paid 400 on 07-10 (day 101). Enters 800, 500, 500,
       400, 400; loss 100 in not due..31-60, 0 from 61-90 on (the write-off
       left before the invoice entered 61-90).
    Y1 C1 issued 2024-05-01 due 2024-06-01  700: unpaid (paid after T). Too young
       for the cohort method (default day 2025-06-01); observed through every
       transition (D+91 = 2024-08-31 <= T) for the roll-rate method.
    """
    invoices = [
        ck.Invoice("A1", "C1", "2022-12-01", "2023-01-01", "1000.00", attrs={"segment": "S"}),
        ck.Invoice("A2", "C2", "2022-12-10", "2023-01-09", "500.00", attrs={"segment": "S"}),
        ck.Invoice("B1", "C1", "2023-02-01", "2023-03-03", "2000.00", attrs={"segment": "L"}),
        ck.Invoice("B2", "C2", "2023-03-01", "2023-03-31", "800.00", attrs={"segment": "S"}),
        ck.Invoice("Y1", "C1", "2024-05-01", "2024-06-01", "700.00", attrs={"segment": "L"}),
    ]
    payments = [
        ck.Payment("A1", "2023-01-20", "400.00"),
        ck.Payment("A1", "2023-02-15", "600.00"),
        ck.Payment("A2", "2023-06-01", "500.00", kind="write_off"),
        ck.Payment("B1", "2023-02-10", "200.00", kind="credit_note"),
        ck.Payment("B1", "2023-04-10", "1000.00"),
        ck.Payment("B1", "2024-01-15", "300.00"),
        ck.Payment("B2", "2023-03-20", "300.00"),
        ck.Payment("B2", "2023-05-15", "100.00", kind="write_off"),
        ck.Payment("B2", "2023-07-10", "400.00"),
        ck.Payment("Y1", "2025-01-10", "700.00"),
    ]
    return LedgerSpec(invoices, payments)


@pytest.fixture(scope="module")
def history() -> ck.Ledger:
    return history_spec().build()


def _rows(frame: pd.DataFrame) -> dict[tuple[str, str, str], list[int]]:
    return {
        (str(g), str(c), str(b)): [int(v) for v in row]
        for (g, c, b), row in zip(
            frame.index, frame[list(EXPOSURE_COLUMNS)].to_numpy(), strict=True
        )
    }


def test_hand_worked_parts(history: ck.Ledger) -> None:
    parts = loss_exposure(history, T)
    assert list(parts.columns) == list(EXPOSURE_COLUMNS)
    assert parts.index.names == ["group", "cohort", "bucket"]
    assert all(parts.dtypes == np.int64)
    # columns: entered, loss, invoices | roll_entered, rolled, roll_invoices (cents)
    expected = {
        # cohort 2023-01: A1 + A2
        "2023-01": [
            [150000, 50000, 2, 150000, 150000, 2],
            [150000, 50000, 2, 150000, 110000, 2],
            [110000, 50000, 2, 110000, 50000, 2],
            [50000, 50000, 1, 50000, 50000, 1],
            [50000, 50000, 1, 50000, 50000, 1],  # oldest: rolls into default = loss
        ],
        # cohort 2023-03: B1 + B2
        "2023-03": [
            [280000, 60000, 2, 280000, 230000, 2],
            [230000, 60000, 2, 230000, 230000, 2],
            [230000, 60000, 2, 230000, 120000, 2],
            [120000, 50000, 2, 120000, 120000, 2],
            [120000, 50000, 2, 120000, 50000, 2],
        ],
        # cohort 2024-06: Y1, observed by the roll-rate method only
        "2024-06": [
            [0, 0, 0, 70000, 70000, 1],
            [0, 0, 0, 70000, 70000, 1],
            [0, 0, 0, 70000, 70000, 1],
            [0, 0, 0, 70000, 70000, 1],
            [0, 0, 0, 0, 0, 0],
        ],
    }
    want = {
        ("all", cohort, label): values
        for cohort, rows in expected.items()
        for label, values in zip(LABELS, rows, strict=True)
    }
    assert _rows(parts) == want


def test_hand_worked_by_customer(history: ck.Ledger) -> None:
    parts = loss_exposure(history, T, by="customer_id")
    totals = parts.groupby(level=["group", "bucket"], sort=False)[["entered", "loss"]].sum()
    assert totals.loc["C1", "entered"].tolist() == [300000, 280000, 240000, 80000, 80000]
    assert totals.loc["C1", "loss"].tolist() == [50000] * 5
    assert totals.loc["C2", "entered"].tolist() == [130000, 100000, 100000, 90000, 90000]
    assert totals.loc["C2", "loss"].tolist() == [60000, 60000, 60000, 50000, 50000]


def test_too_young_and_lookback(history: ck.Ledger) -> None:
    # at 2024-03-01 B1 (default day 2024-03-02) and B2 are too young: only A1, A2
    early = loss_exposure(history, "2024-03-01")
    assert early.loc[("all", "2023-01"), "entered"].tolist() == [
        150000,
        150000,
        110000,
        50000,
        50000,
    ]
    assert early.xs(pd.Period("2023-03", "M"), level="cohort")["entered"].sum() == 0
    # a 220-day lookback at T: only default days after 2024-05-25 (none) for the
    # cohort method; the roll-rate method keeps Y1's transitions (2024-06-02 .. 08-31)
    recent = loss_exposure(history, T, lookback=220)
    assert recent["entered"].sum() == 0
    assert recent["roll_entered"].tolist() == [70000, 70000, 70000, 70000, 0]


def test_custom_buckets_and_default_after(history: ck.Ledger) -> None:
    parts = loss_exposure(history, T, edges=(30,), default_after=31)
    # buckets not due, 1-30, 31+; loss = unpaid by D + 31 (+ write-offs)
    a = parts.loc[("all", "2023-01")]
    # A1: 1000 at issue and D+1, 600 at D+31; unpaid by D+31 = 600 ; A2: 500 lost
    assert a["entered"].tolist() == [150000, 150000, 110000]
    assert a["loss"].tolist() == [110000, 110000, 110000]


def test_overpaid_and_early_settlement() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        ledger = _overpaid_ledger()
    parts = loss_exposure(ledger, T)
    row = parts.loc[("all", "2023-01")]
    # O1 enters 100, 100 then nothing (a credit balance is no exposure), loses 0
    # O2 enters 70 everywhere and loses 70; O3, paid on its issue date, enters
    # nothing (balances are end-of-day) and is counted nowhere
    assert row["entered"].tolist() == [17000, 17000, 7000, 7000, 7000]
    assert row["loss"].tolist() == [7000] * 5
    assert row["invoices"].tolist() == [2, 2, 1, 1, 1]


def _overpaid_ledger() -> ck.Ledger:
    return ck.Ledger.from_records(
        [
            ck.Invoice("O1", "C1", "2023-01-01", "2023-01-31", "100.00"),
            ck.Invoice("O2", "C1", "2023-01-05", "2023-01-31", "100.00"),
            ck.Invoice("O3", "C1", "2023-01-10", "2023-01-31", "50.00"),
        ],
        [
            # O1 overpaid on day 10: balance -20 from then on
            ck.Payment("O1", "2023-02-10", "120.00"),
            # O2: 30 paid before the issue (counts from the issue), rest never
            ck.Payment("O2", "2022-12-20", "30.00"),
            ck.Payment("O3", "2023-01-10", "50.00"),
        ],
    )


def test_empty_ledger_and_nothing_observed(history: ck.Ledger) -> None:
    empty = ck.Ledger.from_records([])
    parts = loss_exposure(empty, T)
    assert parts.empty and list(parts.columns) == list(EXPOSURE_COLUMNS)
    assert parts.index.names == ["group", "cohort", "bucket"]
    assert loss_exposure(history, "2022-12-31").empty


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"default_after": 90}, "default_after must be a whole number of days past due >= 91"),
        ({"default_after": 365.0}, "default_after must be a whole number"),
        ({"default_after": True}, "default_after must be a whole number"),
        ({"lookback": 0}, "lookback must be None or a whole number of days >= 1"),
        ({"lookback": "12M"}, "lookback must be None or a whole number"),
        ({"edges": (60, 30)}, "buckets must be increasing positive whole days"),
        ({"by": "planet"}, "by must be one of customer_id, segment"),
    ],
    ids=[
        "default-too-short",
        "default-float",
        "default-bool",
        "lookback-0",
        "lookback-text",
        "edges",
        "by",
    ],
)
def test_bad_options(history: ck.Ledger, options: dict[str, Any], message: str) -> None:
    with pytest.raises(ck.core.InvalidOptionError, match=message):
        loss_exposure(history, T, **options)


@given(st.lists(st.integers(0, 300), min_size=1, max_size=50))
def test_dense_codes_table_and_sort_agree(keys: list[int]) -> None:
    key = np.asarray(keys, dtype=np.int64)
    by_table = _dense_codes(key, 301)
    by_sort = _dense_codes(key, 10**12)  # too large a space for a table: sorts
    assert (
        by_table[0].tolist()
        == by_sort[0].tolist()
        == np.unique(key, return_inverse=True)[1].tolist()
    )
    for codes, one in (by_table, by_sort):
        assert (codes[one] == np.arange(one.size)).all()


def test_month_codes() -> None:
    days = np.asarray([0, 30, 31, 19_783, 300_000], dtype=np.int64)  # 1970-01-01 .. 2791
    expected = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    assert _month_codes(days).tolist() == expected.tolist()
    assert _month_codes(days[:4]).tolist() == expected[:4].tolist()


# ---------------------------------------------------------------------------------- carrying


def test_carrying_amounts() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        ledger = _current_book()
    table = carrying_amounts(ledger, T)
    assert list(table.columns) == list(CARRYING_COLUMNS)
    book = table.loc["all"]
    assert list(book.index) == [*LABELS, "doubtful"]
    # N5 is overpaid (-20): no gross amount; unapplied cash is not part of it either
    assert book["gross"].tolist() == [100000, 30000, 0, 25000, 0, 60000]
    assert book["provision"].tolist() == [0, 0, 0, 0, 0, 30000]
    assert book["invoices"].tolist() == [1, 1, 0, 1, 0, 1]
    kept = carrying_amounts(ledger, T, exclude_doubtful=False).loc["all"]
    assert kept["gross"].tolist() == [100000, 30000, 0, 25000, 60000, 0]
    by = carrying_amounts(ledger, T, by="customer_id")
    assert by.loc["C2", "gross"].tolist() == [0, 0, 0, 25000, 0, 60000]
    with pytest.raises(ck.core.InvalidOptionError, match="exclude_doubtful must be True or False"):
        carrying_amounts(ledger, T, exclude_doubtful="yes")  # type: ignore[arg-type]


def _current_book() -> ck.Ledger:
    """Open invoices at T = 2024-12-31 (N6 is issued after T)."""
    return ck.Ledger.from_records(
        [
            ck.Invoice("N1", "C1", "2024-12-10", "2025-01-09", "1000.00"),
            ck.Invoice("N2", "C1", "2024-11-01", "2024-12-01", "400.00"),
            ck.Invoice("N3", "C2", "2024-09-01", "2024-10-01", "600.00"),
            ck.Invoice("N4", "C2", "2024-10-01", "2024-10-31", "250.00"),
            ck.Invoice("N5", "C2", "2024-12-01", "2024-12-31", "100.00"),
            ck.Invoice("N6", "C2", "2025-01-02", "2025-02-01", "999.00"),
        ],
        [
            ck.Payment("N2", "2024-12-20", "100.00"),
            ck.Payment("N5", "2024-12-20", "120.00"),
            ck.Payment(None, "2024-12-05", "55.00", customer="C1"),
        ],
        doubtful=[
            ck.Doubtful("N3", "2024-12-01", provision="300.00"),
            ck.Doubtful("N4", "2024-12-15"),  # no provision: stays in its bucket
            ck.Doubtful("N1", "2025-01-05", provision="1.00"),  # after T
        ],
    )


# ---------------------------------------------------------------------------------- properties


def _cents(value: Decimal) -> int:
    return int(value * 100)


def reference_parts(
    spec: LedgerSpec,
    as_of: date,
    edges: tuple[int, ...],
    default_after: int,
    lookback: int | None,
    by: str | None,
) -> dict[tuple[str, str, str], list[int]]:
    """The definition, invoice by invoice, in plain Python (slow and obvious)."""
    starts = [1, *(e + 1 for e in edges)]
    labels = ck.core.engine.bucket_labels(edges)
    nb = len(labels)
    settlements = defaultdict(list)
    for p in spec.payments:
        if p.invoice is not None:
            settlements[p.invoice].append(p)

    def seen(day: date) -> bool:
        return day <= as_of and (lookback is None or day > as_of - timedelta(days=lookback))

    out: dict[tuple[str, str, str], list[int]] = {}
    for inv in spec.invoices:
        amount = _cents(inv.amount)
        pays = settlements[inv.id]

        def settled(day: date, kinds: tuple[str, ...], pays: list[Any] = pays) -> int:
            return sum(_cents(p.amount) for p in pays if p.date <= day and p.kind in kinds)

        first = [inv.issue_date, *(inv.due_date + timedelta(days=t) for t in starts)]
        horizon = inv.due_date + timedelta(days=default_after)
        every = ("payment", "credit_note", "write_off")
        entered = [max(0, amount - settled(f, every)) for f in first]
        cash = settled(horizon, ("payment", "credit_note"))
        loss = [
            min(entered[k], max(0, amount - cash - settled(first[k], ("write_off",))))
            for k in range(nb)
        ]
        taken = seen(horizon)
        observed = [seen(first[k + 1]) for k in range(nb - 1)]
        if not taken and not any(observed):
            continue
        group = "all" if by is None else inv.customer if by == "customer_id" else inv.attrs[by]
        cohort = str(pd.Period(inv.due_date, "M"))
        for k in range(nb):
            row = out.setdefault((str(group), cohort, labels[k]), [0] * 6)
            if taken:
                row[0] += entered[k]
                row[1] += loss[k]
                row[2] += entered[k] > 0
            if k < nb - 1 and observed[k]:
                row[3] += entered[k]
                row[4] += entered[k + 1]
                row[5] += entered[k] > 0
            elif k == nb - 1 and taken:
                row[3] += entered[k]
                row[4] += loss[k]
                row[5] += entered[k] > 0
    return out


options = st.fixed_dictionaries(
    {
        "edges": st.sampled_from([(30, 60, 90), (30,), (15, 45, 120)]),
        "extra": st.integers(0, 200),
        "lookback": st.one_of(st.none(), st.integers(1, 400)),
        "by": st.sampled_from([None, "customer_id", "country"]),
    }
)


@given(
    spec=ledger_specs(max_invoices=20, extras=False),
    opts=options,
    as_of=st.integers(150, 900).map(lambda k: date(2023, 1, 1) + timedelta(days=k)),
)
def test_matches_definition(spec: LedgerSpec, opts: dict[str, Any], as_of: date) -> None:
    edges = opts["edges"]
    default_after = edges[-1] + 1 + opts["extra"]
    parts = loss_exposure(
        spec.build(),
        as_of,
        edges=edges,
        default_after=default_after,
        lookback=opts["lookback"],
        by=opts["by"],
    )
    assert _rows(parts) == reference_parts(
        spec, as_of, edges, default_after, opts["lookback"], opts["by"]
    )


def _sum(frames: list[pd.DataFrame], levels: int) -> pd.DataFrame:
    """Parts of disjoint ledgers added up (what the distributed summaries do)."""
    return pd.concat(frames).groupby(level=list(range(levels)), sort=False).sum()


AS_OF = st.sampled_from([date(2024, 3, 31), date(2024, 9, 30)])


def with_doubtful(spec: LedgerSpec) -> LedgerSpec:
    """``spec`` plus doubtful classifications: every third invoice, 30 days after its due
    date, alternately with half its amount as provision and without (cheaper to build
    than the strategy's disputes and statuses, which play no part here)."""
    doubtful = [
        ck.Doubtful(
            inv.id,
            inv.due_date + timedelta(days=30),
            (inv.amount / 2).quantize(Decimal("0.01")) if k % 2 else None,
        )
        for k, inv in enumerate(spec.invoices[::3])
    ]
    return LedgerSpec(spec.invoices, spec.payments, doubtful=doubtful)


@given(spec=ledger_specs(max_invoices=24, extras=False).map(with_doubtful), as_of=AS_OF)
def test_customer_halves_add_up_and_pool_to_the_whole(spec: LedgerSpec, as_of: date) -> None:
    """Parts of two customer halves sum to the whole's; rates and matrices from the sums too."""
    whole = spec.build()
    halves = [h.build() for h in (spec.only({"C1", "C2"}), spec.only({"C3", "C4", "C5"}))]
    halves = [h for h in halves if h.n_invoices]
    exposure = loss_exposure(whole, as_of, default_after=180)
    summed = _sum([loss_exposure(h, as_of, default_after=180) for h in halves], 3)
    pd.testing.assert_frame_equal(
        summed.sort_index(), exposure.sort_index(), check_index_type=False
    )
    carrying = carrying_amounts(whole, as_of)
    carried = _sum([carrying_amounts(h, as_of) for h in halves], 2).reindex(carrying.index)
    pd.testing.assert_frame_equal(carried, carrying)
    for method in ("cohort", "roll_rate"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pooled = loss_rates_from_parts(summed, method=method, labels=LABELS, groups=["all"])
            rates = ck.loss_rates(whole, as_of, method=method, default_after=180)
            one = provision_matrix_from_parts(carrying, exposure=exposure, method=method)
            both = provision_matrix_from_parts(carried, exposure=summed, method=method)
        pd.testing.assert_frame_equal(pooled.droplevel("group"), rates)
        pd.testing.assert_frame_equal(both, one)


@given(spec=ledger_specs(max_invoices=20, extras=False).map(with_doubtful), as_of=AS_OF)
def test_events_after_as_of_change_nothing(spec: LedgerSpec, as_of: date) -> None:
    before = LedgerSpec(
        spec.invoices,
        [p for p in spec.payments if p.date <= as_of],
        spec.disputes,
        spec.statuses,
        [d for d in spec.doubtful if d.date <= as_of],
    )
    full, cut = spec.build(), before.build()
    for fn in (loss_exposure, carrying_amounts):
        pd.testing.assert_frame_equal(fn(full, as_of), fn(cut, as_of))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pd.testing.assert_frame_equal(
            ck.provision_matrix(full, as_of), ck.provision_matrix(cut, as_of)
        )
