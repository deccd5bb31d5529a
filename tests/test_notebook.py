"""Results behave like data in a notebook: the pandas habits that failed on Decimal money.

The trial that prompted this file: ``ck.receivables(..., by=...).plot.bar()``
raised ``TypeError: no numeric data to plot``, ``describe()`` treated money as
categories and ``rec / rec.sum()`` printed 28-digit Decimals. Each test does
what a data scientist does on a money result and checks the answer, then
checks that ``money="decimal"`` gives Decimals equal to the numeric values
rounded to the cent.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import pytest

import creditkpi as ck
from creditkpi import datasets

matplotlib.use("Agg")

import matplotlib.pyplot as plt

AS_OF = "2024-12-31"


@pytest.fixture(scope="module")
def ledger() -> ck.Ledger:
    return datasets.synthetic_ledger(n_customers=40, months=12, start="2024-01-01", seed=3)


def _quiet(fn: Callable[[], Any]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.UndefinedMetricWarning)
        return fn()


def _money_results(ledger: ck.Ledger, money: str) -> dict[str, pd.Series | pd.DataFrame]:
    board = _quiet(lambda: ck.dashboard(ledger, "2024-12", by="country", money=money))
    frame = board.to_frame()
    return {
        "receivables by country": ck.receivables(ledger, AS_OF, by="country", money=money),
        "aging by country": ck.aging(ledger, AS_OF, by="country", money=money),
        "top customers": ck.top_customers(ledger, AS_OF, n=10, money=money)[["balance", "overdue"]],
        "dashboard frame": frame.loc[frame["unit"] == "money"].set_index(["kpi", "which"])["value"],
    }


@pytest.fixture(scope="module")
def numeric(ledger: ck.Ledger) -> dict[str, pd.Series | pd.DataFrame]:
    return _money_results(ledger, "float")


@pytest.fixture(scope="module")
def exact(ledger: ck.Ledger) -> dict[str, pd.Series | pd.DataFrame]:
    return _money_results(ledger, "decimal")


NAMES = ["receivables by country", "aging by country", "top customers", "dashboard frame"]


@pytest.mark.parametrize("name", NAMES)
def test_money_is_numeric(numeric: dict[str, Any], name: str) -> None:
    result = numeric[name]
    dtypes = [result.dtype] if isinstance(result, pd.Series) else list(result.dtypes)
    assert all(d == np.float64 for d in dtypes)


@pytest.mark.parametrize("name", NAMES)
def test_plot_bar_draws_one_bar_per_value(numeric: dict[str, Any], name: str) -> None:
    result = numeric[name].dropna()
    ax = result.plot.bar()
    try:
        heights = sorted(p.get_height() for p in ax.patches)
        assert heights == pytest.approx(sorted(np.ravel(result.to_numpy())))
    finally:
        plt.close(ax.figure)


def test_aging_stacked_bars_reach_each_groups_total(numeric: dict[str, Any]) -> None:
    aged = numeric["aging by country"]
    buckets = aged.drop(columns=["total", "unapplied"])
    ax = buckets.plot.bar(stacked=True)
    try:
        tops = {}
        for patch in ax.patches:
            x = round(patch.get_x() + patch.get_width() / 2)
            tops[x] = max(tops.get(x, 0.0), patch.get_y() + patch.get_height())
        assert [tops[i] for i in range(len(aged))] == pytest.approx(aged["total"].tolist())
    finally:
        plt.close(ax.figure)


@pytest.mark.parametrize("name", NAMES)
def test_describe_summarises_money_as_numbers(numeric: dict[str, Any], name: str) -> None:
    result = numeric[name]
    summary = result.describe()
    if isinstance(result, pd.Series):
        assert summary["count"] == result.notna().sum()
        assert summary["max"] == result.max() and summary["min"] == result.min()
        assert summary["mean"] == pytest.approx(result.mean())
    else:
        assert summary.columns.tolist() == result.columns.tolist()
        assert summary.loc["max"].tolist() == result.max().tolist()


@pytest.mark.parametrize("name", ["receivables by country", "top customers"])
def test_shares_are_plain_floats_summing_to_one(numeric: dict[str, Any], name: str) -> None:
    result = numeric[name]
    column = result if isinstance(result, pd.Series) else result["balance"]
    share = column / column.sum()
    assert share.dtype == np.float64
    assert share.sum() == pytest.approx(1.0, abs=1e-12)
    assert repr(share.iloc[0]).count("0") < 20  # not a 28-digit Decimal


def test_groupby_sum_of_groups_equals_the_function_on_the_union(
    ledger: ck.Ledger, numeric: dict[str, Any]
) -> None:
    rec = numeric["receivables by country"]
    region = {c: ("north" if c in {"BE", "DE", "NL"} else "south") for c in rec.index}
    by_region = rec.groupby(region).sum()
    aged = numeric["aging by country"]
    assert by_region.to_dict() == pytest.approx(aged["total"].groupby(region).sum().to_dict())
    assert by_region.sum() == pytest.approx(float(ck.receivables(ledger, AS_OF)))


def test_dashboard_frame_groupby_and_pivot(ledger: ck.Ledger) -> None:
    board = _quiet(lambda: ck.dashboard(ledger, "2024-12"))
    long = board.to_frame()
    wide = long.pivot(index="kpi", columns="which", values="value")
    assert wide.at["receivables", "current"] == board.value("receivables")
    counts = long.groupby("unit")["kpi"].nunique()
    assert counts.sum() == long["kpi"].nunique() == len(board.kpis)


@pytest.mark.parametrize("name", NAMES)
def test_decimal_mode_equals_numeric_rounded_to_cents(
    numeric: dict[str, Any], exact: dict[str, Any], name: str
) -> None:
    num, dec = numeric[name], exact[name]
    assert num.shape == dec.shape
    num_cells = np.ravel(num.to_numpy(dtype=object))
    dec_cells = np.ravel(dec.to_numpy(dtype=object))
    assert all(isinstance(d, Decimal) for d in dec_cells if not pd.isna(d))
    for n, d in zip(num_cells, dec_cells, strict=True):
        if pd.isna(n):
            assert pd.isna(d)
        else:
            assert Decimal(f"{n:.2f}") == d
