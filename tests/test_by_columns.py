"""by= a list of columns: one group per combination that occurs, a MultiIndex named after them."""

from __future__ import annotations

import inspect
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

import creditkpi as ck
from creditkpi import datasets
from creditkpi.core.errors import InvalidOptionError
from creditkpi.registry import KPIS, TABLES

BY = ["country", "segment"]
T = "2024-06-30"
MONTH = "2024-06"


@pytest.fixture(scope="module")
def ledger() -> ck.Ledger:
    return datasets.synthetic_ledger(n_customers=40, months=12, start="2023-07-01", seed=5)


def _quiet(fn: Any, *args: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _combinations(ledger: ck.Ledger) -> list[tuple[str, str]]:
    frame = ledger.invoices[BY].drop_duplicates()
    return sorted(map(tuple, frame.to_numpy().tolist()))


def test_a_value_kpi_gives_a_series_on_the_combinations_that_occur(ledger: ck.Ledger) -> None:
    by_both = ck.receivables(ledger, T, by=BY)
    assert isinstance(by_both.index, pd.MultiIndex)
    assert list(by_both.index.names) == BY
    assert list(by_both.index) == _combinations(ledger)
    # adding the segments up gives the countries; each cell is the segment's own selection
    by_country = ck.receivables(ledger, T, by="country")
    pd.testing.assert_series_equal(
        by_both.groupby(level="country").sum(), by_country, check_names=False
    )
    for (country, segment), value in by_both.items():
        alone = ledger.select(where={"country": country, "segment": segment})
        assert ck.receivables(alone, T) == pytest.approx(value, abs=1e-9)


def test_a_list_of_one_column_is_that_column(ledger: ck.Ledger) -> None:
    pd.testing.assert_series_equal(
        ck.overdue_rate(ledger, T, by=["country"]), ck.overdue_rate(ledger, T, by="country")
    )


def test_dates_and_columns_give_a_frame_with_a_multiindex_of_columns(ledger: ck.Ledger) -> None:
    frame = _quiet(ck.dso, ledger, ["2024-05", MONTH], by=BY)
    assert isinstance(frame.index, pd.PeriodIndex)
    assert list(frame.columns.names) == BY
    one = _quiet(ck.dso, ledger, MONTH, by=BY)
    pd.testing.assert_series_equal(frame.iloc[-1], one, check_names=False)


def test_the_aged_balance_by_several_columns(ledger: ck.Ledger) -> None:
    table = ck.aging(ledger, T, by=BY)
    assert list(table.index.names) == BY
    assert table["total"].sum() == pytest.approx(ck.receivables(ledger, T))
    trend = ck.aging(ledger, ["2024-05-31", T], by=BY)
    assert list(trend.index.names) == ["as_of", *BY]
    pd.testing.assert_frame_equal(trend.loc[pd.Timestamp(T)], table)


def test_summaries_and_tables_name_their_group_levels(ledger: ck.Ledger) -> None:
    delays = _quiet(ck.payment_delays, ledger, MONTH, by=BY)
    assert list(delays.index.names) == BY
    both = _quiet(ck.payment_delays, ledger, ["2024-05", MONTH], by=BY)
    assert list(both.index.names) == ["period", *BY]
    forecast = _quiet(ck.collection_forecast, ledger, T, by=BY)
    assert list(forecast.summary.index.names) == BY
    assert list(forecast.windows.index.names) == [*BY, "step"]
    ttp = _quiet(ck.time_to_pay, ledger, T, by=BY)
    assert list(ttp.summary.index.names) == BY
    assert list(ttp.curve.index.names) == [*BY, "day"]
    matrix = _quiet(ck.provision_matrix, ledger, T, by=BY, rates=[0.01, 0.02, 0.05, 0.1, 0.5])
    assert list(matrix.index.names) == [*BY, "bucket"]
    rates = _quiet(ck.loss_rates, ledger, T, by=BY)
    assert list(rates.index.names) == [*BY, "bucket"]


def test_every_kpi_function_with_by_takes_a_list(ledger: ck.Ledger) -> None:
    for spec in [*KPIS.values(), *TABLES.values()]:
        fn = spec.function
        if "by" not in inspect.signature(fn).parameters or "costs" in spec.requires:
            continue
        key = T if getattr(spec, "basis", "as_of") == "as_of" else MONTH
        if fn.__name__ in ("dso", "cei", "recovery_rate", "activation_rate", "sales"):
            key = MONTH
        options = dict(getattr(spec, "options", {}))
        try:
            result = _quiet(fn, ledger, key, by=BY, **options)
        except InvalidOptionError as exc:  # a period KPI given a date: try the period
            assert "period" in str(exc)
            result = _quiet(fn, ledger, MONTH, by=BY, **options)
        frame = getattr(result, "summary", result)
        names = list(frame.index.names)
        assert names[: len(BY)] == BY, (spec.name, names)


@pytest.mark.parametrize(
    ("by", "message"),
    [
        ([], "one or more column names"),
        (["country", "country"], "'country' more than once"),
        (["country", 3], "one or more column names"),
        (["country", "region"], "by must be one of"),
        ({"country"}, "a column name or a list"),
    ],
    ids=["empty", "repeated", "not text", "unknown column", "a set"],
)
def test_a_bad_list_names_by(ledger: ck.Ledger, by: Any, message: str) -> None:
    with pytest.raises(InvalidOptionError, match=message) as info:
        ck.receivables(ledger, T, by=by)
    assert info.value.column == "by"


def test_unapplied_cash_takes_each_columns_group(ledger: ck.Ledger) -> None:
    cash = ck.unapplied_cash(ledger, T, by=BY)
    # a customer's cash goes to its (country, segment) when its invoices all share them
    total = ck.unapplied_cash(ledger, T)
    assert cash.sum() == pytest.approx(total)
    assert np.all(np.asarray(cash.index.get_level_values("country")) != None)  # noqa: E711


def test_a_distributed_summary_groups_by_one_column(ledger: ck.Ledger) -> None:
    import creditkpi.distributed as ckd

    with pytest.raises(InvalidOptionError, match="groups by one column") as info:
        ckd.summarize(ledger, MONTH, by=BY)
    assert info.value.column == "by"


def test_the_dashboard_groups_by_several_columns(ledger: ck.Ledger) -> None:
    board = _quiet(ck.dashboard, ledger, MONTH, by=BY)
    assert board.groups is not None and list(board.groups.index.names) == BY
    pd.testing.assert_series_equal(
        board.groups["receivables"], ck.receivables(ledger, board.as_of, by=BY), check_names=False
    )
    assert "BE" in board.to_text(width=160)
