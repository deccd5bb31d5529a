"""Time to pay: hand-computed curves and summaries, shapes, options, properties, the chart."""

from __future__ import annotations

import math
import warnings
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

import creditkpi as ck
from creditkpi.core.survival import CURVE_COLUMNS, SUMMARY_COLUMNS
from creditkpi.metrics.time_to_pay import TimeToPay, time_to_pay
from tests.strategies import LedgerSpec, as_of_dates, ledger_specs

AS_OF = "2024-05-15"


@pytest.fixture(scope="module")
def book() -> ck.Ledger:
    """Two customers, days beyond terms worked out by hand (as of 2024-05-15).

    C1 (FR)  F1 01-02 due 02-01 100.00 paid 02-11          +10
             F2 01-10 due 02-09 200.00 paid 02-04          -5
             F3 02-01 due 03-02 300.00 paid 03-22          +20
             F4 02-15 due 03-16 400.00 open                censored at +60
             F5 03-16 due 03-31 500.00 open                censored at +45 (enters at -15)
    C2 (DE)  G1 01-15 due 02-14 1000.00 paid 02-14         0
             G2 02-01 due 03-02  500.00 credit note 02-20  closed at -11 (competing)
             G3 04-01 due 05-01  250.00 open               censored at +14
    """
    invoices = [
        ("F1", "C1", "2024-01-02", "2024-02-01", "100.00", "FR"),
        ("F2", "C1", "2024-01-10", "2024-02-09", "200.00", "FR"),
        ("F3", "C1", "2024-02-01", "2024-03-02", "300.00", "FR"),
        ("F4", "C1", "2024-02-15", "2024-03-16", "400.00", "FR"),
        ("F5", "C1", "2024-03-16", "2024-03-31", "500.00", "FR"),
        ("G1", "C2", "2024-01-15", "2024-02-14", "1000.00", "DE"),
        ("G2", "C2", "2024-02-01", "2024-03-02", "500.00", "DE"),
        ("G3", "C2", "2024-04-01", "2024-05-01", "250.00", "DE"),
    ]
    return ck.Ledger.from_records(
        [ck.Invoice(i, c, a, b, m, attrs={"country": k}) for i, c, a, b, m, k in invoices],
        [
            ck.Payment("F2", "2024-02-04", "200.00"),
            ck.Payment("F1", "2024-02-11", "100.00"),
            ck.Payment("G1", "2024-02-14", "1000.00"),
            ck.Payment("G2", "2024-02-20", "500.00", kind="credit_note"),
            ck.Payment("F3", "2024-03-22", "300.00"),
            ck.Payment("F4", "2024-05-20", "400.00"),  # after the cut-off
            ck.Payment(None, "2024-03-01", "75.00", customer="C2"),  # unapplied: no invoice
        ],
    )


def test_whole_book(book: ck.Ledger) -> None:
    ttp = time_to_pay(book, AS_OF)
    assert isinstance(ttp, TimeToPay)
    assert ttp.curve.index.name == "day"
    assert list(ttp.curve.columns) == list(CURVE_COLUMNS)
    curve = ttp.curve
    assert curve.index.tolist() == [-30, -15, -11, -5, 0, 10, 14, 20, 45, 60]
    assert curve["entered"].tolist() == [7, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    assert curve["at_risk"].tolist() == [7, 8, 8, 7, 6, 5, 4, 3, 2, 1]
    assert curve["settled"].tolist() == [0, 0, 0, 1, 1, 1, 0, 1, 0, 0]
    assert curve["closed"].tolist() == [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    assert curve["censored"].tolist() == [0, 0, 0, 0, 0, 0, 1, 0, 1, 1]
    # -5: 6/7; 0: 6/7 × 5/6 = 5/7; 10: 5/7 × 4/5 = 4/7; 20: 4/7 × 2/3 = 8/21
    s = [1, 1, 1, 6 / 7, 5 / 7, 4 / 7, 4 / 7, 8 / 21, 8 / 21, 8 / 21]
    assert curve["survival"].tolist() == pytest.approx(s)
    summary = ttp.summary
    assert isinstance(summary, pd.Series)
    assert summary.name == AS_OF
    assert list(summary.index) == list(SUMMARY_COLUMNS)
    assert (summary["invoices"], summary["settled"], summary["closed"], summary["open"]) == (
        8,
        4,
        1,
        3,
    )
    assert type(summary["invoices"]) is int
    assert summary["amount"] == 3250.0
    assert summary["settled_average"] == pytest.approx((10 - 5 + 20 + 0) / 4)
    assert summary["median"] == 20.0
    assert summary["quartile_1"] == 0.0  # 5/7 <= 3/4
    assert summary["settled_within_0"] == pytest.approx(2 / 7)
    assert summary["settled_within_30"] == pytest.approx(13 / 21)
    assert summary["median_note"] == ""


def test_by_customer(book: ck.Ledger) -> None:
    ttp = time_to_pay(book, AS_OF, by="customer_id")
    assert ttp.curve.index.names == ["customer_id", "day"]
    assert ttp.summary.index.name == "customer_id"
    assert ttp.summary["median"].tolist() == [20.0, 0.0]  # C2: S(0) = 1/2 exactly
    assert ttp.summary["settled_average"].tolist() == pytest.approx([25 / 3, 0.0])
    assert ttp.summary.loc["C2", ["invoices", "settled", "closed", "open"]].tolist() == [3, 1, 1, 1]
    assert ttp.curve.loc["C2", "survival"].tolist() == [1.0, 1.0, 0.5, 0.5]
    assert ttp.summary["amount"].tolist() == [1500.0, 1750.0]
    by_country = time_to_pay(book, AS_OF, by="country")
    assert by_country.summary.index.tolist() == ["DE", "FR"]
    assert by_country.summary["median"].tolist() == [0.0, 20.0]


def test_issue_clock(book: ck.Ledger) -> None:
    ttp = time_to_pay(book, AS_OF, clock="issue", by="customer_id")
    # C1: 25, 40, 50 days from issue; F5 open 60 days, F4 90 days
    curve = ttp.curve.loc["C1"]
    assert curve.index.tolist() == [0, 25, 40, 50, 60, 90]
    assert curve["survival"].tolist() == pytest.approx([1, 0.8, 0.6, 0.4, 0.4, 0.4])
    assert ttp.summary.loc["C1", "median"] == 50.0
    assert ttp.summary.loc["C1", "settled_within_30"] == pytest.approx(0.2)


def test_amount_weight(book: ck.Ledger) -> None:
    with pytest.warns(ck.UndefinedMetricWarning, match="1 of 2 groups"):
        ttp = time_to_pay(book, AS_OF, by="customer_id", weight="amount")
    # C1 by amount: 1300/1500 x 1200/1300 x 900/1200 = 0.6 never reaches 1/2
    assert ttp.summary.loc["C1", "median_note"].startswith("the curve never reaches 1/2: 40.0%")
    c2 = ttp.curve.loc["C2"]
    assert c2["at_risk"].tolist() == [1750.0, 1750.0, 1250.0, 250.0]
    assert c2["closed"].tolist() == [0.0, 500.0, 0.0, 0.0]
    assert c2["survival"].tolist() == pytest.approx([1, 1, 0.2, 0.2])  # 1000 of 1250 at day 0
    with pytest.warns(ck.UndefinedMetricWarning):
        exact = time_to_pay(book, AS_OF, by="customer_id", weight="amount", money="decimal")
    assert exact.curve.loc["C2", "at_risk"].tolist() == [
        Decimal("1750.00"),
        Decimal("1750.00"),
        Decimal("1250.00"),
        Decimal("250.00"),
    ]
    assert exact.summary["amount"].tolist() == [Decimal("1500.00"), Decimal("1750.00")]


def test_window_and_undefined_medians_warn_once(book: ck.Ledger) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ttp = time_to_pay(book, AS_OF, by="customer_id", window="3M")  # issued from 02-16
    undefined = [w for w in caught if issubclass(w.category, ck.UndefinedMetricWarning)]
    assert len(undefined) == 1
    assert "undefined for 2 of 2 groups" in str(undefined[0].message)
    assert ttp.summary["invoices"].tolist() == [1, 1]  # F5 and G3
    assert ttp.summary["median_note"].str.startswith("the curve never reaches 1/2").all()


def test_nothing_issued_yet(book: ck.Ledger) -> None:
    with pytest.warns(ck.UndefinedMetricWarning, match="median days to pay is undefined"):
        ttp = time_to_pay(book, "2023-12-31")
    assert len(ttp.curve) == 0
    assert ttp.summary["invoices"] == 0
    assert ttp.summary["median_note"] == "no invoices"
    assert math.isnan(ttp.summary["median"])
    with pytest.warns(ck.UndefinedMetricWarning):
        exact = time_to_pay(book, "2023-12-31", money="decimal")
    assert exact.summary["amount"] == Decimal("0.00")


def test_empty_ledger() -> None:
    # no customer, hence no group and nothing undefined: an empty summary with its columns
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ttp = time_to_pay(ck.Ledger.from_records([]), "2024-01-31", by="customer_id")
    assert list(ttp.summary.columns) == list(SUMMARY_COLUMNS)
    assert len(ttp.summary) == 0


def test_repr(book: ck.Ledger) -> None:
    ttp = time_to_pay(book, AS_OF, by="country")
    assert repr(ttp) == "TimeToPay(as of 2024-05-15, clock='due', weight='count', 2 groups)"
    assert "<table" in ttp._repr_html_()
    assert "<table" in time_to_pay(book, AS_OF)._repr_html_()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"clock": "paid"}, "clock must be one of 'due', 'issue'; got 'paid'"),
        ({"weight": "euros"}, "weight must be one of 'count', 'amount'; got 'euros'"),
        ({"by": "region"}, "by must be one of customer_id, country, got 'region'"),
        ({"window": "12 months"}, "window must be a number of days"),
        ({"confidence": 95}, "confidence must be in"),
        ({"confidence": None}, "confidence must be a number"),
        ({"horizon": "90"}, "horizon must be a whole number"),
        ({"money": "cents"}, "money must be one of 'float', 'decimal'; got 'cents'"),
    ],
)
def test_bad_options(book: ck.Ledger, kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ck.CreditKPIError, match=match):
        time_to_pay(book, AS_OF, **kwargs)


def test_one_date_only(book: ck.Ledger) -> None:
    with pytest.raises(ck.CreditKPIError, match="one as-of date"):
        time_to_pay(book, ["2024-04-30", AS_OF])
    with pytest.raises(ck.CreditKPIError, match="never defaults the cut-off"):
        time_to_pay(book, None)  # type: ignore[arg-type]


def test_plot(book: ck.Ledger, tmp_path: Path) -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from creditkpi.plotting import survival_chart

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no matplotlib warnings
        ax = time_to_pay(book, AS_OF, by="customer_id").plot(tmp_path / "ttp.png")
        assert isinstance(ax, Axes) and isinstance(ax.figure, Figure)
        assert (tmp_path / "ttp.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        single = time_to_pay(book, AS_OF, clock="issue").plot()
    assert isinstance(single, Axes)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["C1 (median 20 d)", "C2 (median 0 d)"]
    curve = time_to_pay(book, AS_OF, by="customer_id").curve
    only = survival_chart(curve, groups=["C2"], band=False, title="C2")
    assert [t.get_text() for t in only.get_legend().get_texts()] == ["C2 (median 0 d)"]
    # on axes of yours: a subplot of a larger figure, drawn there and returned
    figure = Figure()
    left, right = figure.subplots(1, 2)
    drawn = time_to_pay(book, AS_OF, by="customer_id").plot(ax=right)
    assert drawn is right and len(right.get_lines()) > 0 and len(left.get_lines()) == 0
    assert right.get_title() == f"Time to pay at {AS_OF}"


def test_inputs_not_mutated(book: ck.Ledger) -> None:
    before = {k: getattr(book._cols, k).copy() for k in ("amount", "settlement_amount", "due")}
    time_to_pay(book, AS_OF, by="customer_id", clock="issue")
    for key, value in before.items():
        assert np.array_equal(getattr(book._cols, key), value)


# ----------------------------------------------------------------------------------
# properties
# ----------------------------------------------------------------------------------


def _quiet(spec: LedgerSpec, as_of: date, **kwargs: Any) -> TimeToPay:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        return time_to_pay(spec.build(), as_of, **kwargs)


@settings(max_examples=15)  # each example builds a ledger per customer: kept lean
@given(ledger_specs(max_invoices=20), as_of_dates())
def test_each_customer_alone(spec: LedgerSpec, as_of: date) -> None:
    whole = _quiet(spec, as_of, by="customer_id", weight="amount")
    for part in spec.split_by_customer():
        if not any(i.issue_date <= as_of for i in part.invoices):
            continue
        alone = _quiet(part, as_of, weight="amount")
        customer = part.invoices[0].customer
        pd.testing.assert_frame_equal(
            whole.curve.loc[customer], alone.curve, check_names=False, check_freq=False
        )
        mine = whole.summary.loc[customer].drop("median_note")
        theirs = alone.summary.drop("median_note")
        np.testing.assert_allclose(mine.to_numpy(float), theirs.to_numpy(float))
