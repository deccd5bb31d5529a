"""Collection forecast and its backtest: hand-worked ledgers, leakage, conservation, paths."""

from __future__ import annotations

import warnings
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import creditkpi as ck
from creditkpi import datasets
from creditkpi import distributed as ckd
from creditkpi.metrics.forecast import METHODS
from tests.strategies import START, LedgerSpec, ledger_specs

OPTIONS: list[dict[str, Any]] = [
    {"min_history": 2},
    {"min_history": 2, "fallback": "segment"},
    {"min_history": 20},
]


def small_ledger(extra: list[ck.Payment] | None = None) -> ck.Ledger:
    """Four invoices of 100 due 31 May: paid 10, 20, 30 days late, one open; one due 1 July."""
    return ck.Ledger.from_records(
        [ck.Invoice(f"F{k}", "C1", "2024-05-01", "2024-05-31", "100.00") for k in range(4)]
        + [ck.Invoice("F9", "C1", "2024-06-01", "2024-07-01", "100.00")],
        [
            ck.Payment("F0", "2024-06-10", "100.00"),
            ck.Payment("F1", "2024-06-20", "100.00"),
            ck.Payment("F2", "2024-06-30", "100.00"),
            *(extra or []),
        ],
    )


# ----------------------------------------------------------------------------------
# hand-worked ledgers
# ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "weeks", "beyond"),
    [
        # amount at risk 400 from day -30, F9 censored at -1: S = 3/4, 1/2, 1/4 on days 10,
        # 20, 30. F9 (a = -1) pays 25 in weeks 2 (days 7-13), 3 (14-20) and 5 (28-34); F3
        # (a = 30) is past the last day seen: nothing.
        ("survival", [0, 25, 25, 0, 25, 0], 125),
        # average days late of C1: (10 + 20 + 30) / 3 = 20. F3: 31 May + 20 is past -> week 1;
        # F9: 1 July + 20 = 21 July -> day 21, week 3
        ("average_delay", [100, 0, 100, 0, 0, 0], 0),
        # F3 overdue -> week 1; F9 due 1 July -> week 1
        ("due_date", [200, 0, 0, 0, 0, 0], 0),
    ],
)
def test_hand_worked_ledger(method: str, weeks: list[int], beyond: int) -> None:
    fc = ck.collection_forecast(
        small_ledger(), "2024-06-30", horizon="6W", method=method, min_history=1, money="decimal"
    )  # type: ignore[arg-type]
    assert fc.windows["expected_cash"].tolist() == [
        Decimal(w).quantize(Decimal("0.01")) for w in weeks
    ]
    assert fc.windows["start"].iloc[0] == pd.Timestamp("2024-07-01")
    assert fc.windows["end"].iloc[-1] == pd.Timestamp("2024-08-11")
    assert fc["beyond_horizon"] == Decimal(beyond)
    assert fc["open_balance"] == Decimal("200.00") and fc["open_invoices"] == 2
    assert fc["within_horizon"] + fc["beyond_horizon"] + fc["write_offs"] == fc["open_balance"]


def test_write_offs_forecast_from_a_competing_history() -> None:
    history = [ck.Invoice(f"H{k}", "C1", "2023-01-01", "2023-01-31", "100.00") for k in range(4)]
    settle = [
        ck.Payment("H0", "2023-02-10", "100.00"),
        ck.Payment("H1", "2023-02-10", "100.00", kind="write_off"),
        ck.Payment("H2", "2023-02-20", "100.00"),
        ck.Payment("H3", "2023-02-20", "100.00", kind="credit_note"),
    ]
    ledger = ck.Ledger.from_records(
        [*history, ck.Invoice("N1", "C1", "2023-06-01", "2023-06-30", "80.00")], settle
    )
    fc = ck.collection_forecast(ledger, "2023-06-30", horizon="4W", min_history=1)
    # N1 at a = 0: weeks end at 7, 14, 21, 28; the curve closes 1/2 at day 10 (1 paid, 1
    # written off) and the rest at day 20 (1 paid, 1 credit note): 40 + 40, half cash
    assert fc.windows["expected_cash"].tolist() == [0.0, 20.0, 20.0, 0.0]
    assert fc.windows["expected_write_offs"].tolist() == [0.0, 20.0, 20.0, 0.0]
    assert fc["write_offs"] == 40.0 and fc["beyond_horizon"] == 0.0


# ----------------------------------------------------------------------------------
# properties: conservation, leakage, the backtest's sweep, shifted dates
# ----------------------------------------------------------------------------------


def _cents(value: Any) -> int:
    return int(Decimal(value).scaleb(2))


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(
    ledger_specs(max_invoices=20),
    st.integers(0, 600),
    st.sampled_from([None, "country", "customer_id"]),
    st.sampled_from(range(len(OPTIONS))),
)
def test_conservation_to_the_cent(spec: LedgerSpec, offset: int, by: str | None, opt: int) -> None:
    ledger = spec.build()
    when = START + timedelta(days=offset)
    receivables = ck.receivables(ledger, when, by=by, money="decimal")
    for method in METHODS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fc = ck.collection_forecast(
                ledger, when, by=by, method=method, money="decimal", **OPTIONS[opt]
            )
        s = fc.summary if by is not None else fc.summary.to_frame().T
        for _, row in s.iterrows():
            total = row["within_horizon"] + row["beyond_horizon"] + row["write_offs"]
            assert total == row["open_balance"]
            assert row["customer_history"] + row["segment_history"] + row["ledger_history"] == (
                row["open_balance"] if method != "due_date" else 0
            )
        cash = fc.windows["expected_cash"]
        within = cash.groupby(level=0).sum() if by is not None else cash.sum()
        if by is None:
            assert within == fc["within_horizon"]
            # no overpaid invoice in these ledgers: the open balance is R(T)
            assert fc["open_balance"] == receivables
        else:
            assert within.to_dict() == fc["within_horizon"].to_dict()
        # the windows added over the groups: one row per step, the whole book's cash
        book = fc.total_windows
        assert list(book.index) == list(range(1, len(book) + 1))
        assert book["expected_cash"].sum() == cash.sum()
        assert book["expected_write_offs"].sum() == fc.windows["expected_write_offs"].sum()


def _after(spec: LedgerSpec, when: date, draw: st.DrawFn) -> LedgerSpec:
    """The same ledger up to ``when``; anything dated after it changed, added or removed."""
    payments = []
    for p in spec.payments:
        if p.date > when:
            action = draw(st.sampled_from(["keep", "drop", "halve", "move"]))
            if action == "drop":
                continue
            if action == "halve" and p.amount > Decimal("0.01"):
                p = replace(p, amount=(p.amount / 2).quantize(Decimal("0.01")))
            if action == "move":
                p = replace(p, date=p.date + timedelta(days=draw(st.integers(1, 90))))
        payments.append(p)
    invoices = [
        replace(i, amount=i.amount * 2, due_date=i.due_date + timedelta(days=10))
        if i.issue_date > when and draw(st.booleans())
        else i
        for i in spec.invoices
    ]
    for i in spec.invoices:
        if i.issue_date <= when and draw(st.booleans()):
            payments.append(
                ck.Payment(i.id, when + timedelta(days=draw(st.integers(1, 120))), i.amount)
            )
    for k in range(draw(st.integers(0, 3))):
        model = draw(st.sampled_from(spec.invoices))
        issue = when + timedelta(days=draw(st.integers(1, 60)))
        invoices.append(
            replace(model, id=f"NEW-{k}", issue_date=issue, due_date=issue + timedelta(days=30))
        )
        if draw(st.booleans()):
            payments.append(ck.Payment(f"NEW-{k}", issue + timedelta(days=5), model.amount))
    return LedgerSpec(invoices, payments, spec.disputes, spec.statuses, spec.doubtful)


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(ledger_specs(max_invoices=20, extras=False), st.integers(0, 600), st.data())
def test_no_leakage_anything_after_t_leaves_the_forecast_unchanged(
    spec: LedgerSpec, offset: int, data: st.DataObject
) -> None:
    when = START + timedelta(days=offset)
    other = _after(spec, when, data.draw)
    opts = OPTIONS[data.draw(st.sampled_from(range(len(OPTIONS))))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a, b = spec.build(), other.build()
        for method in METHODS:
            x = ck.collection_forecast(a, when, method=method, money="decimal", **opts)
            y = ck.collection_forecast(b, when, method=method, money="decimal", **opts)
            pd.testing.assert_frame_equal(x.windows, y.windows)
            pd.testing.assert_series_equal(x.summary, y.summary)
        # the backtest's forecasts at T too (its actuals do change)
        bx = ck.backtest_forecast(a, origins=[when], horizon="4W", **opts)
        by_ = ck.backtest_forecast(b, origins=[when], horizon="4W", **opts)
    pd.testing.assert_series_equal(bx.detail["forecast"], by_.detail["forecast"])


@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(
    ledger_specs(max_invoices=20, extras=False),
    st.lists(st.integers(0, 600), min_size=1, max_size=4, unique=True),
)
def test_the_backtest_sweep_equals_forecasts_from_scratch(
    spec: LedgerSpec, offsets: list[int]
) -> None:
    """Balances swept from one origin to the next (in any order given) = rebuilt at each."""
    ledger = spec.build()
    origins = [START + timedelta(days=k) for k in offsets]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bt = ck.backtest_forecast(ledger, origins=origins, horizon="3W", min_history=2)
        for when in set(origins):
            for method in METHODS:
                fc = ck.collection_forecast(
                    ledger, when, horizon="3W", method=method, min_history=2
                )
                got = bt.detail.xs((pd.Timestamp(when), method), level=["origin", "method"])
                assert got["forecast"].tolist() == fc.windows["expected_cash"].tolist()
                row = bt.totals.loc[(pd.Timestamp(when), method)]
                assert row["within_horizon"] + row["beyond_horizon"] + row["write_offs"] == (
                    pytest.approx(row["open_balance"], abs=1e-6)
                )


@settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow])
@given(ledger_specs(max_invoices=15, extras=False), st.integers(0, 600), st.integers(-400, 400))
def test_shifting_every_date_shifts_the_forecast(spec: LedgerSpec, offset: int, days: int) -> None:
    when = START + timedelta(days=offset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = ck.collection_forecast(spec.build(), when, min_history=2)
        b = ck.collection_forecast(
            spec.shifted(days).build(), when + timedelta(days=days), min_history=2
        )
    assert a.windows["expected_cash"].tolist() == b.windows["expected_cash"].tolist()
    assert a.summary.to_dict() == b.summary.to_dict()


# ----------------------------------------------------------------------------------
# the backtest
# ----------------------------------------------------------------------------------


def test_backtest_actual_is_the_cash_on_invoices_open_at_the_origin() -> None:
    ledger = small_ledger(
        [
            ck.Payment("F3", "2024-07-03", "40.00"),  # week 1
            ck.Payment("F3", "2024-07-03", "10.00", kind="credit_note"),  # not cash
            ck.Payment("F9", "2024-07-20", "100.00"),  # week 3
        ]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        bt = ck.backtest_forecast(ledger, origins=["2024-06-30"], horizon="4W", min_history=1)
    actual = bt.detail.xs("survival", level="method")["actual"].tolist()
    assert actual == [40.0, 0.0, 100.0, 0.0]
    assert bt.totals.loc[(pd.Timestamp("2024-06-30"), "due_date"), "actual"] == 140.0
    s = bt.summary.loc[("due_date", 1)]
    # due date puts 200 in week 1 against 40 received
    assert s["wape"] == pytest.approx(160 / 40) and s["bias"] == pytest.approx(160 / 40)
    assert bt.summary.loc[("due_date", 2), "mape_undefined"] == 1
    assert np.isnan(bt.summary.loc[("due_date", 2), "mape"])
    overall = bt.overall.loc["due_date"]
    assert overall["wape"] == pytest.approx((160 + 0 + 100 + 0) / 140)
    assert overall["mape"] == pytest.approx((160 / 40 + 1.0) / 2)
    assert overall["mape_undefined"] == 2


def test_backtest_warns_when_the_data_ends_inside_a_horizon() -> None:
    with pytest.warns(ck.DataQualityWarning, match="actual cash is incomplete"):
        ck.backtest_forecast(small_ledger(), origins=["2024-06-30"], horizon="2W")


def test_survival_beats_both_baselines_on_stable_payers() -> None:
    """Generated customers with stable but different lateness: a year of weekly origins."""
    ledger = datasets.synthetic_ledger(n_customers=120, months=30, seed=11)
    origins = pd.date_range("2024-01-07", periods=52, freq="7D").date.tolist()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bt = ck.backtest_forecast(ledger, origins=origins)
    wape = bt.overall["wape"]
    assert wape["survival"] < wape["average_delay"] < wape["due_date"]


# ----------------------------------------------------------------------------------
# distributed: customers with their own curve, the rest on the combined ledger curve
# ----------------------------------------------------------------------------------


@pytest.mark.parametrize("by", [None, "country"])
def test_distributed_forecast_equals_the_ledger_function(by: str | None) -> None:
    frames = datasets.generate(n_customers=24, months=24, seed=5)
    inv, pay = frames.invoices, frames.payments
    owner = dict(zip(inv["invoice_id"], inv["customer_id"], strict=True))
    pay_customer = pay["invoice_id"].map(owner).fillna(pay["customer_id"])
    customers = sorted(inv["customer_id"].unique())
    parts = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ledger = ck.Ledger.from_frames(inv, pay)
        for k in range(3):
            mine = set(customers[k::3])
            part = ck.Ledger.from_frames(
                inv[inv["customer_id"].isin(mine)], pay[pay_customer.isin(mine)]
            )
            parts.append(ckd.summarize(part, ["2024-06", "2024-12"], by=by))
        table = ckd.kpis(ckd.combine(parts), money="decimal")
        for period in ("2024-06", "2024-12"):
            end = ck.Period.parse(period).end
            for name, horizon in (
                ("forecast_next_4_weeks", "4W"),
                ("forecast_next_13_weeks", "13W"),
            ):
                fc = ck.collection_forecast(ledger, end, horizon=horizon, by=by, money="decimal")
                got = table.xs(period, level="period")[name]
                want = fc["within_horizon"]
                if by is None:
                    assert got["all"] == want
                else:
                    assert got.to_dict() == want.to_dict()
            own = ck.collection_forecast(ledger, end, by=by)["customer_history"]
            assert np.asarray(own).sum() > 0  # some customers use their own curve


@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(ledger_specs(max_invoices=20), st.integers(0, 600))
def test_the_weekly_table_is_the_forecast_of_13_weeks(spec: LedgerSpec, offset: int) -> None:
    """The registry's table of expected cash by week (what the credit pack draws) is
    collection_forecast's 13 weekly windows, from a ledger or from partition summaries."""
    from creditkpi.core.groups import group_codes
    from creditkpi.core.kpi import table_at
    from creditkpi.core.parts import LedgerParts
    from creditkpi.registry import TABLES

    ledger = spec.build()
    when = START + timedelta(days=offset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = ck.collection_forecast(ledger, when, horizon="13W", money="decimal")
        source = LedgerParts(ledger, group_codes(ledger, None), dates=[when])
        table = table_at(TABLES["expected_cash_by_week"], source, 0, money="decimal")
    assert table.index.tolist() == list(range(1, 14)) and table.index.name == "week"
    assert table["expected_cash"].tolist() == fc.windows["expected_cash"].tolist()


def test_the_weekly_table_from_a_summary() -> None:
    ledger = datasets.synthetic_ledger(n_customers=20, months=12, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = ckd.table(ckd.summarize(ledger, "2023-12"), "expected_cash_by_week", money="decimal")
        fc = ck.collection_forecast(ledger, "2023-12-31", money="decimal")
    assert got["expected_cash"].tolist() == fc.windows["expected_cash"].tolist()


# ----------------------------------------------------------------------------------
# options and bad input
# ----------------------------------------------------------------------------------


def test_segment_fallback_uses_the_segment_curve() -> None:
    invoices = (
        [
            ck.Invoice(f"A{k}", f"C{k}", "2024-01-01", "2024-01-31", "100", attrs={"seg": "slow"})
            for k in range(3)
        ]
        + [
            ck.Invoice(f"B{k}", f"D{k}", "2024-01-01", "2024-01-31", "100", attrs={"seg": "fast"})
            for k in range(3)
        ]
        + [ck.Invoice("N", "C9", "2024-03-08", "2024-04-07", "100", attrs={"seg": "slow"})]
    )
    payments = [ck.Payment(f"A{k}", "2024-03-31", "100") for k in range(3)] + [
        ck.Payment(f"B{k}", "2024-01-31", "100") for k in range(3)
    ]
    ledger = ck.Ledger.from_records(invoices, payments)
    seg = ck.collection_forecast(ledger, "2024-03-31", horizon="10W", min_history=3, fallback="seg")
    assert seg["segment_history"] == 100.0 and seg["ledger_history"] == 0.0
    # N is due in 7 days (a = -7); week k holds the days (7k - 14, 7k - 7] on its clock.
    # Slow segment: everything paid 60 days late -> week 10
    assert seg.windows["expected_cash"].tolist() == [0.0] * 9 + [100.0]
    whole = ck.collection_forecast(ledger, "2024-03-31", horizon="10W", min_history=3)
    assert whole["ledger_history"] == 100.0
    # whole ledger: half paid on the due date (day 0 -> week 1), half 60 days late
    assert whole.windows["expected_cash"].tolist() == [50.0] + [0.0] * 8 + [50.0]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"method": "ml"}, ck.CreditKPIError, "method must be one of"),
        ({"horizon": "13 weeks"}, ck.CreditKPIError, "horizon must be"),
        ({"freq": "Q"}, ck.CreditKPIError, "freq must be"),
        ({"min_history": -1}, ck.CreditKPIError, "min_history must be"),
        ({"min_history": 2.5}, ck.CreditKPIError, "min_history must be"),
        ({"fallback": "region"}, ck.CreditKPIError, "fallback must be 'all' or an invoice"),
        ({"fallback": "customer_id"}, ck.CreditKPIError, "fallback must be 'all'"),
        ({"by": "region"}, ck.CreditKPIError, "by must be one of"),
        ({"money": "cents"}, ck.CreditKPIError, "money must be one of"),
    ],
)
def test_bad_options_are_named(kwargs: dict[str, Any], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        ck.collection_forecast(small_ledger(), "2024-06-30", **kwargs)


def test_bad_dates_and_methods_are_named() -> None:
    ledger = small_ledger()
    with pytest.raises(ck.CreditKPIError, match="one as-of date"):
        ck.collection_forecast(ledger, ["2024-06-30", "2024-07-31"])
    with pytest.raises(ck.CreditKPIError, match="at least one origin"):
        ck.backtest_forecast(ledger, origins=[])
    with pytest.raises(ck.CreditKPIError, match="method must be one of"):
        ck.backtest_forecast(ledger, origins=["2024-06-30"], methods=("survival", "naive"))
    with pytest.raises(ck.CreditKPIError, match="at least one method"):
        ck.backtest_forecast(ledger, origins=["2024-06-30"], methods=())
    with pytest.raises(ck.CreditKPIError, match="origins lists 1 value"):
        ck.backtest_forecast(ledger, origins=["2024-06-30", "2024-06-30"])


def test_an_empty_book_forecasts_nothing() -> None:
    fc = ck.collection_forecast(small_ledger(), "2024-04-30", horizon="2W")
    assert fc.windows["expected_cash"].tolist() == [0.0, 0.0]
    assert fc["open_balance"] == 0.0 and fc["open_invoices"] == 0
    assert "CollectionForecast(as of 2024-04-30" in repr(fc)


def test_plots_write_png_files(tmp_path: Any) -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    ledger = small_ledger([ck.Payment("F9", "2024-07-12", "100.00")])
    fc = ck.collection_forecast(ledger, "2024-06-30", horizon="4W", by="customer_id")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        bt = ck.backtest_forecast(ledger, origins=["2024-06-23", "2024-06-30"], horizon="2W")
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    for name, draw in (("fc.png", fc.plot), ("bt.png", bt.plot)):
        ax = draw(tmp_path / name)
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert isinstance(ax, Axes) and ax.figure.axes == [ax]
        # ax=: drawn on a subplot of a figure of yours, the other one left alone
        figure = Figure()
        mine, other = figure.subplots(2, 1)
        assert draw(ax=mine) is mine and mine.has_data() and not other.has_data()
    assert "2 origins" in repr(bt)


def test_notebook_views_show_the_windows_and_the_errors() -> None:
    ledger = small_ledger([ck.Payment("F9", "2024-07-12", "100.00")])
    fc = ck.collection_forecast(ledger, "2024-06-30", horizon="4W")
    cell = fc._repr_html_()
    assert cell.startswith("<p>CollectionForecast(as of 2024-06-30, horizon=&#x27;4W&#x27;")
    assert cell.count("<tr>") == len(fc.windows) + 1 and "expected_cash" in cell
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        bt = ck.backtest_forecast(ledger, origins=["2024-06-23", "2024-06-30"], horizon="2W")
    assert "2 origins" in bt._repr_html_() and "wape" in bt._repr_html_().lower()


def test_the_formula_on_plain_numbers() -> None:
    """B x (S(a+s) - S(a+e)) / S(a): invoice B of the documentation's example, week 1."""
    from creditkpi import formulas

    assert formulas.expected_in_window(600, 0.6, 0.6, 0.4) == pytest.approx(200)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = formulas.expected_in_window(600, 0, 0, 0)
    assert np.isnan(value)
    assert [w.category for w in caught] == [ck.UndefinedMetricWarning]
