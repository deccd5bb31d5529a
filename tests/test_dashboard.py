"""The dashboard: every value equals the KPI function's, exports round-trip, one warning."""

from __future__ import annotations

import io
import json
import math
import warnings
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

import creditkpi as ck
from creditkpi.dashboard import SCHEMA, Dashboard
from creditkpi.registry import KPIS
from tests.paths import function_value, same

#: the KPI table's columns after the label
KPI_COLUMNS = ["current", "previous", "change", "year_ago", "year_change", "unit"]

#: the KPIs of a book in one currency: every registry KPI but the exchange differences,
#: shown for a translated book of several currencies (tests/metrics/test_fx.py)
ONE_CURRENCY = {name: k for name, k in KPIS.items() if "fx" not in k.requires}


def _ledger() -> ck.Ledger:
    """Three months of a small book: partial payments, a credit note, a write-off,
    unapplied cash, disputes, dunning statuses, a doubtful classification, limits and cover."""
    invoices = [
        ck.Invoice("A1", "ACME", "2024-02-01", "2024-03-02", "1000.00", attrs={"country": "FR"}),
        ck.Invoice("A2", "ACME", "2024-03-05", "2024-04-04", "600.00", attrs={"country": "FR"}),
        ck.Invoice("A3", "ACME", "2024-04-10", "2024-05-10", "400.00", attrs={"country": "FR"}),
        ck.Invoice("B1", "Beta", "2024-02-15", "2024-03-16", "300.00", attrs={"country": "DE"}),
        ck.Invoice("B2", "Beta", "2024-03-20", "2024-04-19", "800.00", attrs={"country": "DE"}),
        ck.Invoice("B3", "Beta", "2024-04-25", "2024-05-25", "250.00", attrs={"country": "DE"}),
        ck.Invoice("C1", "Gamma", "2024-01-10", "2024-02-09", "500.00", attrs={"country": "ES"}),
        ck.Invoice("C2", "Gamma", "2024-04-02", "2024-05-02", "150.00", attrs={"country": "ES"}),
    ]
    payments = [
        ck.Payment("A1", "2024-03-10", "400.00"),
        ck.Payment("A1", "2024-04-12", "600.00"),
        ck.Payment("B1", "2024-03-14", "300.00"),
        ck.Payment("B2", "2024-04-08", "100.00", kind="credit_note"),
        ck.Payment("B2", "2024-04-28", "300.00"),
        ck.Payment("C1", "2024-04-20", "100.00", kind="write_off"),
        ck.Payment(None, "2024-04-15", "50.00", customer="Gamma"),
    ]
    disputes = [
        ck.Dispute("B2", "2024-03-25", reason="price"),
        ck.Dispute("A2", "2024-04-06", reason="delivery", resolved="2024-04-20"),
        ck.Dispute("C1", "2024-03-01", reason="quality"),
    ]
    statuses = [
        ck.StatusEvent("C1", "2024-02-20", "reminder 1"),
        ck.StatusEvent("C1", "2024-03-15", "formal notice"),
        ck.StatusEvent("A2", "2024-04-15", "reminder 1"),
    ]
    doubtful_ = [ck.Doubtful("C1", "2024-03-31", provision="250.00")]
    # credit limits (ACME's raised in April) and Gamma insured: the Limits and cover block
    limits = [
        ck.CreditLimit("ACME", "2024-01-01", "1000"),
        ck.CreditLimit("ACME", "2024-04-15", "1500"),
        ck.CreditLimit("Beta", "2024-01-01", "2000"),
    ]
    cover = [ck.Cover("Gamma", "2024-01-01", "300", declare_within=30)]
    return ck.Ledger.from_records(
        invoices, payments, disputes, statuses, doubtful_, limits=limits, cover=cover
    )


LEDGER = _ledger()


def _quiet(fn: Callable[[], Any]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn()


@pytest.fixture(scope="module")
def board() -> Dashboard:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ck.dashboard(LEDGER, "2024-04", costs="30.00", by="country", money="decimal")


@pytest.fixture(scope="module")
def numeric() -> Dashboard:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ck.dashboard(LEDGER, "2024-04", costs="30.00", by="country")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return bool(a == b)


@pytest.mark.parametrize("name", list(ONE_CURRENCY))
def test_each_kpi_equals_its_function_for_both_periods(
    board: Dashboard, numeric: Dashboard, name: str
) -> None:
    kpi = KPIS[name]
    april, march = ck.Period.month(2024, 4), ck.Period.month(2024, 3)
    costs = {"2024-04": "30.00"}
    current = _quiet(
        lambda: function_value(
            kpi, LEDGER, april if kpi.basis == "period" else "2024-04-30", costs=costs
        )
    )
    previous = _quiet(
        lambda: function_value(
            kpi, LEDGER, march if kpi.basis == "period" else "2024-03-31", costs={"2024-03": "0"}
        )
    )
    got = board.kpis.loc[name]
    if kpi.unit == "money":
        assert same(got["current"], current) and same(got["previous"], previous)
        assert same(got["change"], current - previous)
        assert got["unit"] == "EUR"
        # numbers by default: the same amounts as floats
        assert same(numeric.kpis.at[name, "current"], float(current))
    else:
        assert _same(float(got["current"]), float(current))
        if name != "cost_per_euro":  # one number of costs: the previous period's is unknown
            assert _same(float(got["previous"]), float(previous))
        if not (math.isnan(current) or math.isnan(previous)) and name != "cost_per_euro":
            assert got["change"] == pytest.approx(float(current) - float(previous))


def test_hand_computed_headline_figures(board: Dashboard) -> None:
    k = board.kpis
    # at 2024-04-30: A2 600 + A3 400 + B2 800-100-300 = 400 + B3 250 + C1 500-100 = 400 + C2 150
    assert k.at["receivables", "current"] == Decimal("2200.00")
    # at 2024-03-31: A1 1000-400 = 600 + A2 600 + B2 800 + C1 500 (B1 paid)
    assert k.at["receivables", "previous"] == Decimal("2500.00")
    # April sales: A3 400 + B3 250 + C2 150 - credit note 100 = 700; cash 600 + 300 + 50 unapplied
    assert k.at["sales", "current"] == Decimal("700.00")
    assert k.at["cash_collected", "current"] == Decimal("950.00")
    # DSO standard, April: 2200 / 700 * 30
    assert k.at["dso", "current"] == pytest.approx(2200 / 700 * 30)
    # cost per euro: 30 / 950
    assert k.at["cost_per_euro", "current"] == pytest.approx(30 / 950)


def test_rows_units_and_columns(board: Dashboard) -> None:
    assert list(board.kpis.columns) == ["label", *KPI_COLUMNS]
    # every registry KPI whose inputs the ledger has, in registry order
    assert list(board.kpis.index) == list(ONE_CURRENCY)
    units = board.kpis["unit"].to_dict()
    assert units["dso"] == "days" and units["cei"] == "ratio" and units["overdue"] == "EUR"
    assert units["cost_per_euro"] == "EUR/EUR"
    assert (board.period, board.previous_period) == (
        ck.Period.month(2024, 4),
        ck.Period.month(2024, 3),
    )
    assert str(board.as_of) == "2024-04-30" and str(board.previous_as_of) == "2024-03-31"


def test_cost_per_euro_only_with_costs() -> None:
    without = _quiet(lambda: ck.dashboard(LEDGER, "2024-04"))
    assert "cost_per_euro" not in without.kpis.index
    # one number is the period's costs: the previous value is unknown, not "undefined"
    one = _quiet(lambda: ck.dashboard(LEDGER, "2024-04", costs=30))
    assert math.isnan(one.kpis.at["cost_per_euro", "previous"])
    assert "cost_per_euro/previous" not in one.undefined
    # a mapping gives both periods: March cash 400 + 300 = 700
    both = _quiet(lambda: ck.dashboard(LEDGER, "2024-04", costs={"2024-04": 30, "2024-03": 14}))
    assert both.kpis.at["cost_per_euro", "previous"] == pytest.approx(14 / 700)


def test_aging_dunning_disputes_top_tables(board: Dashboard) -> None:
    now = _quiet(lambda: ck.aging(LEDGER, "2024-04-30", money="decimal")).iloc[0]
    before = _quiet(lambda: ck.aging(LEDGER, "2024-03-31", money="decimal")).iloc[0]
    # the dashboard shows the aged balance by bucket: the buckets and unapplied cash of the
    # one-row table, with the shares and open invoices of its values="share"/"invoices"
    assert board.aging["amount"].tolist() == now.drop("total").tolist()
    assert board.aging["previous_amount"].tolist() == before.loc[board.aging.index].tolist()
    shares = _quiet(lambda: ck.aging(LEDGER, "2024-04-30", values="share")).iloc[0]
    assert board.aging["share"].iloc[:-1].tolist() == shares.tolist()
    counts = ck.aging(LEDGER, "2024-04-30", values="invoices").iloc[0]
    assert board.aging["invoices"].iloc[:-1].tolist() == counts.drop("total").tolist()
    buckets = board.aging.drop(index="unapplied")
    assert sum(buckets["amount"]) == board.kpis.at["receivables", "current"]
    assert board.aging.at["unapplied", "amount"] == Decimal("-50.00")

    dunning = ck.by_dunning_status(LEDGER, "2024-04-30", money="decimal")
    for status, row in dunning.iterrows():
        assert board.by_dunning_status.at[status, "amount"] == row["amount"]
    # A2 got "reminder 1" on 2024-04-15; at the end of March only C1 had a status, and its
    # reminder had become a formal notice on 2024-03-15: nothing at "reminder 1" then
    assert board.by_dunning_status.at["reminder 1", "previous_amount"] == Decimal("0.00")

    # open disputes at 2024-04-30: B2 (price, 800 - 100 - 300 = 400 left) and C1 (quality,
    # 500 - 100 = 400 left); A2's delivery dispute (2024-04-06 to 2024-04-20) is open at
    # neither snapshot date
    assert board.dispute_reasons.at["price", "amount"] == Decimal("400.00")
    assert board.dispute_reasons.at["price", "previous_amount"] == Decimal("800.00")
    assert "delivery" not in board.dispute_reasons.index
    assert int(board.dispute_reasons.at["quality", "count"]) == 1

    top = ck.top_customers(LEDGER, "2024-04-30", n=10)
    assert board.top_customers.index.tolist() == top.index.tolist()
    assert board.top_customers.at["ACME", "previous_balance"] == Decimal("1200.00")


def test_trend_is_the_dso_and_cei_series(board: Dashboard) -> None:
    # the ledger starts in January 2024: earlier months are left out of the 12
    months = ck.Period.months("2024-01", "2024-04")
    assert [str(p) for p in board.trend.index] == ["2024-01", "2024-02", "2024-03", "2024-04"]
    expected = _quiet(lambda: ck.dso(LEDGER, months, method="countback")).to_numpy()
    assert board.trend["countback_dso"].to_numpy() == pytest.approx(expected, nan_ok=True)
    expected = _quiet(lambda: ck.cei(LEDGER, months)).to_numpy()
    assert board.trend["cei"].to_numpy() == pytest.approx(expected, nan_ok=True)
    assert board.trend.loc["2024-04", "dso"] == board.kpis.at["dso", "current"]


def test_groups_equal_grouped_functions(board: Dashboard) -> None:
    assert board.by == "country" and board.groups is not None
    rates = ck.overdue_rate(LEDGER, "2024-04-30", by="country")
    dsos = _quiet(lambda: ck.dso(LEDGER, "2024-04", by="country"))
    for country in ("FR", "DE", "ES"):
        assert board.groups.at[country, "overdue_rate"] == pytest.approx(rates[country])
        assert board.groups.at[country, "dso"] == pytest.approx(dsos[country])
    total = sum(board.groups["receivables"])
    assert total == board.kpis.at["receivables", "current"]


def test_cohorts_table(board: Dashboard) -> None:
    expected = ck.cohorts(LEDGER, "2024-04-30")
    pd.testing.assert_frame_equal(board.cohorts, expected)


def test_json_round_trip(board: Dashboard) -> None:
    text = board.to_json()
    data = json.loads(text)
    assert data == board.to_dict()
    assert data["schema"] == SCHEMA
    assert data["kpis"]["receivables"]["current"] == "2200.00"  # money: exact decimal text
    assert data["kpis"]["cost_per_euro"]["previous"] is None  # nan -> null
    assert data["period"] == {
        "label": "2024-04",
        "start": "2024-04-01",
        "end": "2024-04-30",
        "as_of": "2024-04-30",
    }
    assert data["groups"]["by"] == "country"
    again = Dashboard.from_json(text)
    assert again.to_dict() == data
    assert again.kpis.at["receivables", "current"] == Decimal("2200.00")
    assert again.aging.at["unapplied", "amount"] == Decimal("-50.00")
    assert "NaN" not in text


def test_csv_is_the_kpi_table(board: Dashboard) -> None:
    text = board.to_csv()
    assert text is not None
    frame = pd.read_csv(io.StringIO(text), index_col="kpi", dtype=str, keep_default_na=False)
    assert frame.columns.tolist() == ["label", *KPI_COLUMNS]
    assert frame.at["receivables", "current"] == "2200.00"
    assert float(frame.at["dso", "current"]) == board.kpis.at["dso", "current"]
    assert frame.at["cost_per_euro", "previous"] == ""


def test_html_and_text_renderings(board: Dashboard) -> None:
    fragment = board._repr_html_()
    for info in ONE_CURRENCY.values():
        assert info.label in fragment
    assert "<table" in fragment and "n/a" in fragment
    page = board.to_html(full=True)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    text = board.to_text(width=120)
    assert "DSO (standard)" in text and "Aged balance" in text and "By country" in text
    assert f"{board.kpis.at['overdue_rate', 'current']:.2%}" in text  # percent: presentation
    assert 0 < board.kpis.at["overdue_rate", "current"] < 1  # the value stays a fraction
    assert repr(board) == board.to_text()


def test_rich_console_render(board: Dashboard) -> None:
    from rich.console import Console

    buffer = io.StringIO()
    board.render(Console(file=buffer, width=120, color_system=None))
    assert "Collection effectiveness index" in buffer.getvalue()


def test_one_summary_warning_for_undefined_values() -> None:
    # February 2024 has sales; January's previous period (December 2023) has nothing at all
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        board = ck.dashboard(LEDGER, "2024-01")
    undefined = [w for w in caught if issubclass(w.category, ck.UndefinedMetricWarning)]
    assert len(undefined) == 1
    assert "dso/previous" in str(undefined[0].message)
    assert "dso/previous" in board.undefined
    assert math.isnan(board.kpis.at["dso", "previous"])
    assert "n/a" in board.to_text()
    assert board.to_dict()["kpis"]["dso"]["previous"] is None


def test_no_warning_when_everything_is_defined() -> None:
    # payments, sales, overdue targets and a doubtful invoice in both February and March
    ledger = ck.Ledger.from_records(
        [
            ck.Invoice("F0", "C1", "2024-01-05", "2024-02-04", "100.00"),
            ck.Invoice("F1", "C2", "2024-02-01", "2024-03-02", "100.00"),
            ck.Invoice("F2", "C1", "2024-03-01", "2024-03-31", "100.00"),
        ],
        [
            ck.Payment("F0", "2024-02-10", "40.00"),
            ck.Payment("F1", "2024-03-05", "100.00"),
            ck.Payment("F0", "2024-03-10", "30.00"),
        ],
        [ck.Dispute("F2", "2024-03-02")],
        doubtful=[ck.Doubtful("F0", "2024-01-20", provision="50")],
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        board = ck.dashboard(ledger, "2024-03", trend_months=1)
    # the KPIs that need a longer history (a year for loss rates, a settled invoice for a
    # median) are undefined, and said once; everything else is defined
    history = {"median_days_to_pay", "settled_average_days", "expected_credit_loss", "ecl_coverage"}
    assert [w.category for w in caught if w.category is not ck.DataEndsWarning] == [
        ck.UndefinedMetricWarning
    ]
    # and March's board is asked past the last event: said once, not once per KPI
    (ends,) = [str(w.message) for w in caught if w.category is ck.DataEndsWarning]
    assert ends.startswith("the data ends on 2024-03-10")
    assert {u.split("/")[0] for u in board.undefined} <= history
    rest = board.kpis.drop(index=list(history))
    assert not rest[["current", "previous"]].map(lambda v: v != v).to_numpy().any()


def test_as_of_defaults_to_period_end_and_can_be_given() -> None:
    mid = _quiet(lambda: ck.dashboard(LEDGER, "2024-04", as_of="2024-04-15", money="decimal"))
    assert str(mid.as_of) == "2024-04-15" and str(mid.previous_as_of) == "2024-03-31"
    assert mid.kpis.at["receivables", "current"] == ck.receivables(LEDGER, "2024-04-15")
    # the recovery rate is observed at as_of when it falls inside the period
    assert mid.kpis.at["recovery_rate", "current"] == _quiet(
        lambda: ck.recovery_rate(LEDGER, "2024-04", observed="2024-04-15")
    )
    # period KPIs stay those of the whole period
    assert mid.kpis.at["dso", "current"] == _quiet(lambda: ck.dso(LEDGER, "2024-04"))


def test_quarter_compares_with_previous_quarter() -> None:
    board = _quiet(lambda: ck.dashboard(LEDGER, "2024-Q2"))
    assert str(board.previous_period) == "2024-Q1"
    assert str(board.previous_as_of) == "2024-03-31"
    assert str(board.trend.index[-1]) == "2024-06"


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        pytest.param({"period": "2024-13"}, "invalid-period", id="bad-period"),
        pytest.param({"by": "planet"}, "invalid-option", id="unknown-by"),
        pytest.param({"n": 0}, "invalid-option", id="n-zero"),
        pytest.param({"as_of": "30/04/2024"}, "invalid-date", id="bad-as-of"),
        pytest.param({"costs": "-5"}, "negative-cost", id="negative-costs"),
    ],
)
def test_bad_arguments_raise(kwargs: dict[str, Any], rule: str) -> None:
    args = {"period": "2024-04", **kwargs}
    period = args.pop("period")
    with pytest.raises(ck.CreditKPIError) as info:
        _quiet(lambda: ck.dashboard(LEDGER, period, **args))
    assert info.value.rule.startswith(rule) or rule in str(info.value)


def test_value_accessor(board: Dashboard) -> None:
    assert board.value("dso") == board.kpis.at["dso", "current"]
    assert board.value("receivables", "previous") == Decimal("2500.00")
    with pytest.raises(ck.CreditKPIError):
        board.value("nope")


def test_input_not_mutated() -> None:
    before = (
        LEDGER._cols.amount.copy(),
        LEDGER._cols.settlement_amount.copy(),
        LEDGER._cols.settlement_date.copy(),
    )
    _quiet(lambda: ck.dashboard(LEDGER, "2024-04", by="customer_id"))
    assert (LEDGER._cols.amount == before[0]).all()
    assert (LEDGER._cols.settlement_amount == before[1]).all() and (
        LEDGER._cols.settlement_date == before[2]
    ).all()


def test_text_and_page_show_the_largest_groups_and_say_so() -> None:
    from creditkpi.dashboard.model import GROUPS_SHOWN

    n = GROUPS_SHOWN + 5
    invoices = [
        ck.Invoice(f"I{i}", f"C{i:03d}", "2024-03-01", "2024-03-31", f"{100 + i}.00")
        for i in range(n)
    ]
    ledger = ck.Ledger.from_records(invoices, [])
    board = _quiet(lambda: ck.dashboard(ledger, "2024-04", by="customer_id"))
    assert board.groups is not None and len(board.groups) == n  # the data keeps every group
    text = " ".join(board.to_text(width=140).split())  # titles wrap to the table's width
    assert f"(largest {GROUPS_SHOWN} of {n}; CSV/JSON: all)" in text
    largest, smallest = f"C{n - 1:03d}", "C000"
    assert largest in text and smallest not in text
    page = board.to_html(full=True)
    assert largest in page and smallest not in page
    small = _quiet(lambda: ck.dashboard(LEDGER, "2024-04", by="country"))
    assert "largest" not in small.to_text(width=140)


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("creditkpi.metrics.time_to_pay", "estimate"),  # the three time-to-pay KPIs
        ("creditkpi.metrics.provision", "matrix_table"),  # expected credit loss and coverage
        ("creditkpi.metrics.forecast", "cash_by_week"),  # the 4- and 13-week forecasts
    ],
)
def test_a_family_intermediate_is_computed_once_per_date(
    module: str, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fit once, read many: three dates (the period's end, the previous one's, a year
    before), three calls; the tables read from them (the provision matrix, the expected
    cash by week) add none."""
    import importlib

    target = importlib.import_module(module)
    calls: list[int] = []
    original = getattr(target, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, counted)
    board = _quiet(lambda: ck.dashboard(LEDGER, "2024-04", trend_months=1))
    assert len(calls) == 3
    assert len(board.provision_matrix) and len(board.expected_cash_by_week) == 13
