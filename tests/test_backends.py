"""Any dataframe in: polars and pyarrow tables give the same ledger and KPIs as pandas."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

import creditkpi as ck
from creditkpi import distributed as ckd
from creditkpi.core.engine import flows, position

from .test_distributed import make_frames

BACKENDS = ["pandas", "polars", "pyarrow"]
COLUMNS = (
    "invoice_ids",
    "customer",
    "customer_labels",
    "issue",
    "due",
    "amount",
    "settlement_invoice",
    "settlement_customer",
    "settlement_date",
    "settlement_amount",
    "settlement_kind",
    "settlement_row",
    "dispute_invoice",
    "dispute_opened",
    "dispute_resolved",
    "dispute_reason",
)


def convert(frame: pd.DataFrame | None, backend: str) -> Any:
    if frame is None or backend == "pandas":
        return frame
    if backend == "polars":
        pl = pytest.importorskip("polars")
        return pl.from_pandas(frame)
    pa = pytest.importorskip("pyarrow")
    return pa.Table.from_pandas(frame, preserve_index=False)


def build(backend: str, *frames: pd.DataFrame | None, **options: Any) -> ck.Ledger:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        return ck.Ledger.from_frames(*(convert(f, backend) for f in frames), **options)


@pytest.fixture(scope="module")
def tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    inv, pay = make_frames(800, seed=3)
    disputes = pd.DataFrame(
        {
            "invoice_id": inv["invoice_id"].iloc[:30],
            "opened": inv["issue_date"].iloc[:30] + pd.Timedelta(days=5),
            "resolved": [None] * 10 + list(inv["issue_date"].iloc[10:30] + pd.Timedelta(days=40)),
            "reason": ["price", "quality", None] * 10,
        }
    )
    return inv, pay, disputes


@pytest.fixture(scope="module")
def reference(tables: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> ck.Ledger:
    return build("pandas", *tables)


@pytest.mark.parametrize("backend", BACKENDS[1:])
def test_ledger_columns_identical(
    backend: str, tables: tuple[pd.DataFrame, ...], reference: ck.Ledger
) -> None:
    ledger = build(backend, *tables)
    for name in COLUMNS:
        got, want = getattr(ledger._cols, name), getattr(reference._cols, name)
        assert got.dtype == want.dtype, name
        assert got.tolist() == want.tolist(), name
    pd.testing.assert_frame_equal(ledger._cols.attrs, reference._cols.attrs, check_dtype=False)
    assert ledger.currency == reference.currency


@pytest.mark.parametrize("backend", BACKENDS[1:])
@pytest.mark.parametrize("by", [None, "customer_id", "country"])
def test_positions_and_flows_identical(
    backend: str, by: str | None, tables: tuple[pd.DataFrame, ...], reference: ck.Ledger
) -> None:
    ledger = build(backend, *tables)
    dates = ["2023-01-31", "2023-06-30", "2023-12-31"]
    pd.testing.assert_frame_equal(position(ledger, dates, by=by), position(reference, dates, by=by))
    months = ck.Period.months("2023-01", "2023-12")
    pd.testing.assert_frame_equal(flows(ledger, months, by=by), flows(reference, months, by=by))


@pytest.mark.parametrize("backend", BACKENDS[1:])
def test_summary_kpis_identical(
    backend: str, tables: tuple[pd.DataFrame, ...], reference: ck.Ledger
) -> None:
    ledger = build(backend, *tables)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = ckd.kpis(ckd.summarize(ledger, ["2023-03", "2023-Q3"], by="country"))
        want = ckd.kpis(ckd.summarize(reference, ["2023-03", "2023-Q3"], by="country"))
    pd.testing.assert_frame_equal(got, want)


PUBLIC: list[tuple[str, Callable[[ck.Ledger], Any]]] = [
    ("receivables", lambda lg: ck.receivables(lg, ["2023-03-31", "2023-09-30"], by="country")),
    ("aging", lambda lg: ck.aging(lg, "2023-06-30")),
    ("overdue_rate", lambda lg: ck.overdue_rate(lg, "2023-06-30", by="country")),
    ("top_customers", lambda lg: ck.top_customers(lg, "2023-06-30", n=5)),
    ("dso", lambda lg: ck.dso(lg, "2023-06")),
    ("countback_dso", lambda lg: ck.dso(lg, "2023-06", method="countback")),
    ("best_possible_dso", lambda lg: ck.best_possible_dso(lg, "2023-06")),
    ("cei", lambda lg: ck.cei(lg, "2023-06")),
    ("recovery_rate", lambda lg: ck.recovery_rate(lg, "2023-06")),
    ("activation_rate", lambda lg: ck.activation_rate(lg, "2023-06")),
    ("dispute_rate", lambda lg: ck.dispute_rate(lg, "2023-06-30")),
    ("cohorts", lambda lg: ck.cohorts(lg, "2023-06-30")),
    ("loss_rate", lambda lg: ck.loss_rate(lg, "2023-06")),
    ("payment_delays", lambda lg: ck.payment_delays(lg, "2023-06")),
]


@pytest.mark.parametrize("backend", BACKENDS[1:])
@pytest.mark.parametrize(("name", "kpi"), PUBLIC, ids=[p[0] for p in PUBLIC])
def test_public_kpis_identical(
    backend: str,
    name: str,
    kpi: Callable[[ck.Ledger], Any],
    tables: tuple[pd.DataFrame, ...],
    reference: ck.Ledger,
) -> None:
    ledger = build(backend, *tables)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            want = kpi(reference)
        except NotImplementedError:
            pytest.skip(f"{name} is not implemented yet")
        got = kpi(ledger)
    if isinstance(want, pd.DataFrame):
        pd.testing.assert_frame_equal(got, want)
    elif isinstance(want, pd.Series):
        pd.testing.assert_series_equal(got, want)
    elif isinstance(want, float):
        assert got == want or (np.isnan(got) and np.isnan(want))
    else:
        assert got == want


@pytest.mark.parametrize("backend", BACKENDS[1:])
def test_mapped_columns_and_text_dates(backend: str) -> None:
    inv = pd.DataFrame(
        {
            "number": [611365, 7900770, 9231909],
            "client": ["A", "B", "A"],
            "issued": ["2024-01-05", "2024-01-10", "2024-02-01"],
            "due": ["2024-02-04", "2024-02-09", "2024-03-02"],
            "ttc": [100.0, 250.5, 80.0],
        }
    )
    pay = pd.DataFrame(
        {
            "number": [611365.0, None],
            "date": ["2024-02-01", "2024-02-20"],
            "ttc": [60.0, 5.0],
            "client": [None, "C"],
        }
    )
    cols = {
        "invoice_id": "number",
        "customer_id": "client",
        "issue_date": "issued",
        "due_date": "due",
        "amount": "ttc",
    }
    want = build("pandas", inv, pay, columns=cols)
    got = build(backend, inv, pay, columns=cols)
    for name in COLUMNS:
        assert getattr(got._cols, name).tolist() == getattr(want._cols, name).tolist(), name
