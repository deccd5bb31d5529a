"""ledger.select: a segment as a ledger of its own, on which every KPI equals the by= group."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import creditkpi as ck
from creditkpi.core.errors import InvalidOptionError
from creditkpi.core.groups import GroupKey, group_codes
from creditkpi.core.kpi import evaluate
from creditkpi.core.parts import LedgerParts
from creditkpi.metrics import limits
from creditkpi.registry import KPIS
from tests.strategies import LedgerSpec, ledger_specs


def _book() -> ck.Ledger:
    invoices = [
        ck.Invoice("F1", "A", "2024-01-05", "2024-02-04", "100.00", attrs={"country": "FR"}),
        ck.Invoice("F2", "A", "2024-02-01", "2024-03-02", "200.00", attrs={"country": "FR"}),
        ck.Invoice("F3", "B", "2024-01-10", "2024-02-09", "300.00", attrs={"country": "DE"}),
        ck.Invoice("F4", "M", "2024-01-15", "2024-02-14", "400.00", attrs={"country": "FR"}),
        ck.Invoice("F5", "M", "2024-01-20", "2024-02-19", "500.00", attrs={"country": "DE"}),
    ]
    payments = [
        ck.Payment("F1", "2024-02-10", "60.00"),
        ck.Payment("F3", "2024-02-20", "300.00"),
        ck.Payment("F4", "2024-03-01", "50.00", kind="credit_note"),
        ck.Payment(None, "2024-02-25", "11.00", customer="A"),  # A: only FR invoices
        ck.Payment(None, "2024-02-26", "22.00", customer="M"),  # M: FR and DE invoices
        ck.Payment(None, "2024-02-27", "33.00", customer="Z"),  # Z: no invoice at all
    ]
    return ck.Ledger.from_records(
        invoices,
        payments,
        disputes=[ck.Dispute("F2", "2024-03-05", "price"), ck.Dispute("F5", "2024-03-06", "late")],
        statuses=[ck.StatusEvent("F4", "2024-02-20", "reminder 1")],
        doubtful=[ck.Doubtful("F5", "2024-03-10", "100.00")],
    )


BOOK = _book()
T = "2024-03-31"


def test_where_keeps_the_invoices_their_rows_and_the_customers_wholly_inside() -> None:
    fr = BOOK.select(where={"country": "FR"})
    assert fr.invoices["invoice_id"].tolist() == ["F1", "F2", "F4"]
    assert fr.settlements["invoice_id"].tolist() == ["F1", None, "F4"]
    # A's unapplied 11.00 is kept (all of A's invoices are French); M's is not (M is
    # also German: by="country" puts it in "(unassigned)"), nor Z's (no invoice)
    assert fr.settlements["customer_id"].tolist() == ["A", "A", "M"]
    assert ck.unapplied_cash(fr, T) == 11.0
    assert ck.disputed_receivables(fr, T) == 200.0  # F2's dispute, not F5's
    assert ck.by_dunning_status(fr, T).loc["reminder 1", "amount"] == 350.0
    assert ck.doubtful_receivables(fr, T) == 0.0
    assert fr.n_customers == 2 and fr.currency == "EUR"


def test_customers_keep_their_invoices_and_all_their_unapplied_cash() -> None:
    mz = BOOK.select(customers=["M", "Z"])
    assert mz.invoices["invoice_id"].tolist() == ["F4", "F5"]
    assert ck.unapplied_cash(mz, T) == 55.0  # M's 22.00 and Z's 33.00
    assert ck.doubtful_receivables(mz, T) == 500.0
    assert ck.receivables(BOOK.select(customers="B"), T) == 0.0


def test_an_invoice_mask_or_ids_select_rows() -> None:
    big = BOOK.select(invoices=BOOK.invoices["amount"] >= 300)
    assert big.invoices["invoice_id"].tolist() == ["F3", "F4", "F5"]
    assert ck.unapplied_cash(big, T) == 22.0  # M's invoices are all kept; A's are not
    same = BOOK.select(invoices=["F3", "F4", "F5"])
    pd.testing.assert_frame_equal(big.invoices, same.invoices)
    pd.testing.assert_frame_equal(big.settlements, same.settlements)


def test_conditions_combine() -> None:
    one = BOOK.select(customers=["M"], where={"country": ["FR"]})
    assert one.invoices["invoice_id"].tolist() == ["F4"]
    assert ck.unapplied_cash(one, T) == 0.0  # M has a German invoice left out
    assert BOOK.select() is BOOK


def test_the_selection_is_a_ledger_like_any_other() -> None:
    fr = BOOK.select(where={"country": "FR"})
    rebuilt = ck.Ledger.from_records(
        [i for i in _records(BOOK) if i.id in {"F1", "F2", "F4"}],
        [
            ck.Payment("F1", "2024-02-10", "60.00"),
            ck.Payment("F4", "2024-03-01", "50.00", kind="credit_note"),
            ck.Payment(None, "2024-02-25", "11.00", customer="A"),
        ],
        disputes=[ck.Dispute("F2", "2024-03-05", "price")],
        statuses=[ck.StatusEvent("F4", "2024-02-20", "reminder 1")],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        for as_of in ("2024-02-29", T):
            pd.testing.assert_frame_equal(ck.aging(fr, as_of), ck.aging(rebuilt, as_of))
        board = ck.dashboard(fr, "2024-03")
        other = ck.dashboard(rebuilt, "2024-03")
    pd.testing.assert_frame_equal(board.kpis, other.kpis)


def _records(ledger: ck.Ledger) -> list[ck.Invoice]:
    frame = ledger.invoices
    return [
        ck.Invoice(
            r.invoice_id,
            r.customer_id,
            r.issue_date.date(),
            r.due_date.date(),
            r.amount,
            attrs={"country": r.country},
        )
        for r in frame.itertuples()
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"customers": ["A", "nobody"]}, "customers names 1 customer"),
        ({"where": {"region": "north"}}, "where names 'region'"),
        ({"where": [("country", "FR")]}, "where must be a mapping"),
        ({"invoices": np.ones(3, dtype=bool)}, "mask of 3 values for 5 invoices"),
        ({"invoices": ["F1", "F9"]}, "invoices names 1 invoice id"),
    ],
    ids=["unknown customer", "unknown column", "where not a mapping", "short mask", "unknown id"],
)
def test_a_bad_selection_names_its_argument(options: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidOptionError, match=message) as info:
        BOOK.select(**options)
    assert info.value.column in options


def test_the_report_keeps_the_warnings_of_what_is_kept() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        odd = ck.Ledger.from_records(
            [
                ck.Invoice("F1", "A", "2024-01-01", "2024-01-31", "10", attrs={"k": "x"}),
                ck.Invoice("F2", "B", "2024-01-01", "2024-01-31", "10", attrs={"k": "y"}),
            ],
            [ck.Payment("F1", "2024-01-05", "12"), ck.Payment("F2", "2024-01-06", "15")],
        )
    assert odd.report.issues[0].ids == ("F1", "F2")
    kept = odd.select(where={"k": "y"})
    assert [i.ids for i in kept.report.issues] == [("F2",)]
    assert odd.select(where={"k": "x"}).report.issues[0].rows == (0,)


# ----------------------------------------------------------------------------------
# the property: a selection's KPIs are the group's
# ----------------------------------------------------------------------------------

#: KPIs whose value for a group reads more than the group's own rows
WHOLE_BOOK = {
    # customers with little history fall back to the whole ledger's time-to-pay curve:
    # a selection's ledger is smaller, so its fallback curve is another one
    "forecast_next_4_weeks",
    "forecast_next_13_weeks",
}
#: credit figures are per customer (a limit covers all of a customer's invoices): by an
#: invoice attribute, a customer's exposure goes whole to the group of its latest invoice,
#: while a selection by that attribute keeps part of its invoices under the whole limit
PER_CUSTOMER = {k.name for k in limits.KPIS}
#: KPIs that need an input given as an argument
ARGUMENTS = {k.name for k in KPIS.values() if "costs" in k.requires}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12, abs=1e-12)
    return bool(a == b)


@settings(max_examples=30, deadline=None)
@given(
    spec=ledger_specs(max_invoices=16),
    by=st.sampled_from(["country", "segment", "customer_id", ["country", "segment"]]),
    month=st.sampled_from(["2023-03", "2023-08", "2024-02"]),
)
def test_every_kpi_on_a_selection_is_the_by_group_value(
    spec: LedgerSpec, by: Any, month: str
) -> None:
    _check_selections(spec.build(), by, month)


def _check_selections(ledger: ck.Ledger, by: Any, month: str) -> None:
    """Every registry KPI of each group's selection equals the group's value ``by=``."""
    groups = group_codes(ledger, by)
    period = ck.Period.parse(month)
    names = [by] if isinstance(by, str) else by
    left_out = WHOLE_BOOK | ARGUMENTS | (set() if names == ["customer_id"] else PER_CUSTOMER)
    kpis = [k for k in KPIS.values() if k.name not in left_out]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole = LedgerParts(ledger, groups, periods=[period])
        grouped = {k.name: evaluate(k, whole) for k in kpis}
        for g, label in enumerate(groups.labels):
            values = label.values if isinstance(label, GroupKey) else (label,)
            if "(unassigned)" in values:
                continue
            where = dict(zip(names, values, strict=True))
            if names == ["customer_id"]:
                part = ledger.select(customers=[label])
            else:
                part = ledger.select(where=where)
            alone = LedgerParts(part, group_codes(part, None), periods=[period])
            for kpi in kpis:
                mine = evaluate(kpi, alone)[0, 0]
                theirs = grouped[kpi.name][0, g]
                assert _same(mine, theirs), (kpi.name, label, mine, theirs)


def test_a_selection_keeps_credit_limits_cover_and_application_dates() -> None:
    """The inputs beside the invoices go along: limits and cover of the kept customers,
    the posting days of the kept settlements (without them a selection's limit KPIs and
    payment delays were those of a ledger without limits or application dates)."""
    from tests.core.test_applied import INVOICES as APPLIED_INVOICES
    from tests.core.test_applied import PAYMENTS as APPLIED_PAYMENTS
    from tests.metrics.test_limits import _book as limits_book

    limits = limits_book()
    kept = limits.select(customers=["C"])
    assert kept.inputs == limits.inputs
    assert (
        ck.over_limit(kept, "2024-05-31")
        == ck.over_limit(limits, "2024-05-31", by="customer_id")["C"]
    )
    for month in ("2024-05", "2024-06"):
        _check_selections(limits, "customer_id", month)
    applied = ck.Ledger.from_frames(
        pd.concat(
            [APPLIED_INVOICES, APPLIED_INVOICES.assign(invoice_id=["G1", "G2"], customer_id="C2")]
        ),
        pd.concat([APPLIED_PAYMENTS, APPLIED_PAYMENTS.assign(invoice_id=["G1", "G1", "G2"])]),
    )
    for month in ("2024-03", "2024-04"):
        _check_selections(applied, "customer_id", month)


@settings(max_examples=30, deadline=None)
@given(spec=ledger_specs(max_invoices=16), data=st.data())
def test_selecting_customers_is_building_the_ledger_of_their_records(
    spec: LedgerSpec, data: st.DataObject
) -> None:
    customers = spec.customers()
    chosen = set(data.draw(st.lists(st.sampled_from(customers), min_size=1, unique=True)))
    mine = spec.build().select(customers=sorted(chosen))
    theirs = spec.only(chosen).build()
    assert mine.n_invoices == theirs.n_invoices and mine.n_settlements == theirs.n_settlements
    dates = ["2023-03-31", "2023-09-30", "2024-06-30"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in ("receivables", "overdue", "unapplied_cash", "disputed_receivables"):
            fn = KPIS[name].function
            pd.testing.assert_series_equal(fn(mine, dates), fn(theirs, dates))
        pd.testing.assert_frame_equal(
            ck.aging(mine, dates, by="customer_id"), ck.aging(theirs, dates, by="customer_id")
        )
