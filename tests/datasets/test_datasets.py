"""The synthetic generator and the bundled sample (creditkpi.datasets)."""

from __future__ import annotations

import warnings
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import creditkpi as ck
from creditkpi import datasets
from creditkpi.datasets.__main__ import main
from creditkpi.datasets._sample import SAMPLE_PREFIX
from creditkpi.datasets._synthetic import window

SMALL = {"n_customers": 300, "months": 18, "start": "2023-03-01", "seed": 11}


@pytest.fixture(scope="module")
def frames() -> datasets.LedgerFrames:
    return datasets.generate(**SMALL)


@pytest.fixture(scope="module")
def shipped() -> datasets.LedgerFrames:
    return datasets.sample_frames()


def assert_same(a: datasets.LedgerFrames, b: datasets.LedgerFrames) -> None:
    for name in a.NAMES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)


def build_clean(f: datasets.LedgerFrames) -> ck.Ledger:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ck.DataQualityWarning)
        ledger = f.ledger()
    assert ledger.report.issues == []
    return ledger


# ----------------------------------------------------------------------------------
# determinism and validity
# ----------------------------------------------------------------------------------


def test_same_seed_same_tables(frames: datasets.LedgerFrames) -> None:
    assert_same(frames, datasets.generate(**SMALL))


def test_other_seed_other_tables(frames: datasets.LedgerFrames) -> None:
    other = datasets.generate(**{**SMALL, "seed": 12})
    assert not frames.invoices["amount"].equals(other.invoices["amount"])


@pytest.mark.parametrize(
    "params",
    [
        SMALL,
        {"n_customers": 1500, "months": 36, "seed": 3},
        {"n_customers": 40, "months": 6, "start": "2024-11-17", "seed": 0},
        {"n_customers": 1, "months": 1, "seed": 5},
        {"n_customers": 200, "months": 12, "seed": 8, "currency": "JPY"},
    ],
    ids=["small", "three-years", "mid-month-start", "tiny", "jpy"],
)
def test_builds_without_data_quality_warning(params: dict[str, object]) -> None:
    f = datasets.generate(**params)  # type: ignore[arg-type]
    ledger = build_clean(f)
    assert ledger.n_invoices == len(f.invoices)
    assert ledger.n_settlements == len(f.payments)
    assert ledger.currency == str(params.get("currency", "EUR"))


def test_invariants(frames: datasets.LedgerFrames) -> None:
    first, last = window(SMALL["start"], SMALL["months"])  # type: ignore[arg-type]
    inv = frames.invoices.set_index("invoice_id")
    pay = frames.payments
    # every date inside the window: an extract taken on its last day
    assert inv["issue_date"].min().date() >= first
    for frame, col in [
        (frames.invoices, "issue_date"),
        (pay, "date"),
        (frames.disputes, "opened"),
        (frames.disputes, "resolved"),
        (frames.statuses, "date"),
        (frames.doubtful, "date"),
    ]:
        assert frame[col].dropna().max().date() <= last, col
    assert (inv["due_date"] >= inv["issue_date"]).all()
    assert (inv["amount"] >= 20).all()
    # cents exact: amount * 100 is a whole number
    cents = inv["amount"] * 100
    assert np.allclose(cents, np.rint(cents), rtol=0, atol=1e-6)
    applied = pay[pay["invoice_id"].notna()]
    assert (applied["amount"] > 0).all()
    # never overpaid, never settled before issue
    settled = applied.groupby("invoice_id")["amount"].sum()
    assert (settled.round(2) <= inv.loc[settled.index, "amount"].round(2)).all()
    assert (
        applied["date"].to_numpy() >= inv.loc[applied["invoice_id"], "issue_date"].to_numpy()
    ).all()
    # customers of payments are the invoices' customers
    assert (
        applied["customer_id"].to_numpy()
        == inv.loc[applied["invoice_id"], "customer_id"].to_numpy()
    ).all()
    disputes = frames.disputes.dropna(subset=["resolved"])
    assert (disputes["resolved"] >= disputes["opened"]).all()
    assert (frames.doubtful["provision"] >= 0).all()
    assert (
        frames.doubtful["provision"] <= inv.loc[frames.doubtful["invoice_id"], "amount"].to_numpy()
    ).all()


def test_every_kind_of_event_is_present(frames: datasets.LedgerFrames) -> None:
    pay = frames.payments
    assert set(pay["kind"]) == {"payment", "credit_note", "write_off"}
    unapplied = pay[pay["invoice_id"].isna()]
    assert len(unapplied) >= 3 and unapplied["customer_id"].notna().all()
    assert set(unapplied["kind"]) == {"payment"}
    cash = pay[(pay["kind"] == "payment") & pay["invoice_id"].notna()]
    parts = cash.groupby("invoice_id").size()
    assert (parts >= 2).sum() > 10  # partial payments (acomptes)
    assert set(frames.disputes["reason"]) == {
        "price",
        "quality",
        "delivery",
        "missing PO",
        "duplicate invoice",
    }
    assert frames.disputes["resolved"].isna().any() and frames.disputes["resolved"].notna().any()
    assert set(frames.statuses["status"]) == {s for s, _ in datasets.DUNNING_STATUSES}
    assert len(frames.doubtful) > 0 and (frames.doubtful["provision"] > 0).all()
    assert set(frames.invoices["country"]) == set(datasets.COUNTRIES)
    assert set(frames.customers["profile"]) == set(datasets.PROFILES)
    assert set(frames.customers["terms_days"]) == {30, 45, 60}
    assert frames.customers["end_of_month"].any()


def test_columns_are_canonical(frames: datasets.LedgerFrames) -> None:
    assert list(frames.invoices.columns) == [
        "invoice_id",
        "customer_id",
        "issue_date",
        "due_date",
        "amount",
        "currency",
        "country",
        "segment",
        "collector",
    ]
    assert list(frames.payments.columns) == ["invoice_id", "customer_id", "date", "amount", "kind"]
    assert list(frames.disputes.columns) == ["invoice_id", "opened", "resolved", "reason"]
    assert list(frames.statuses.columns) == ["invoice_id", "date", "status"]
    assert list(frames.doubtful.columns) == ["invoice_id", "date", "provision"]
    assert frames.invoices["invoice_id"].is_unique
    assert frames.payments["date"].is_monotonic_increasing


# ----------------------------------------------------------------------------------
# sensible behaviour
# ----------------------------------------------------------------------------------


def _days_late(f: datasets.LedgerFrames) -> pd.DataFrame:
    inv = f.invoices.merge(f.customers[["customer_id", "profile"]], on="customer_id")
    cash = f.payments[f.payments["kind"] == "payment"].dropna(subset=["invoice_id"])
    cash = cash.merge(inv.drop(columns=["customer_id", "amount"]), on="invoice_id")
    cash["late"] = (cash["date"] - cash["due_date"]).dt.days.clip(lower=0)
    return cash


@pytest.fixture(scope="module")
def big() -> datasets.LedgerFrames:
    return datasets.generate(n_customers=2000, months=24, seed=4)


def test_profiles_order_days_late(big: datasets.LedgerFrames) -> None:
    late = _days_late(big).groupby("profile")["late"].mean()
    assert late["prompt"] < late["late"] < late["very_late"]
    assert late["prompt"] < 10


def test_southern_europe_pays_later_than_germany(big: datasets.LedgerFrames) -> None:
    late = _days_late(big).groupby("country")["late"].mean()
    assert max(late["DE"], late["NL"]) < late["FR"] < min(late["ES"], late["IT"])


def test_defaulters_are_provisioned_before_write_off(big: datasets.LedgerFrames) -> None:
    defaulters = set(big.customers.loc[big.customers["profile"] == "defaulter", "customer_id"])
    wo = big.payments[big.payments["kind"] == "write_off"]
    wo = wo[wo["customer_id"].isin(defaulters)]
    assert len(wo) > 0
    first_doubtful = big.doubtful.groupby("invoice_id")["date"].min()
    assert wo["invoice_id"].isin(first_doubtful.index).all()
    assert (first_doubtful.loc[wo["invoice_id"]].to_numpy() < wo["date"].to_numpy()).all()
    # no invoice is issued to a defaulter after its default
    inv = big.invoices.merge(big.customers[["customer_id", "default_date"]], on="customer_id")
    assert not (inv["issue_date"] > inv["default_date"]).any()


def test_dunning_only_while_open(big: datasets.LedgerFrames) -> None:
    ledger = build_clean(big)
    st = big.statuses.merge(big.invoices[["invoice_id", "due_date"]], on="invoice_id")
    assert ((st["date"] - st["due_date"]).dt.days >= 7).all()
    # each status is sent while the invoice still has a balance at the end of the previous day
    pos = pd.Index(ledger._cols.invoice_ids).get_indexer(st["invoice_id"])
    day = (st["date"].to_numpy().astype("datetime64[D]").astype(np.int64)) - 1
    from creditkpi.core.engine import settled_day

    assert (settled_day(ledger)[pos] > day).all()


def test_seasonality_august_is_quiet(big: datasets.LedgerFrames) -> None:
    per_month = big.invoices.groupby(big.invoices["issue_date"].dt.month).size()
    assert per_month[8] < 0.85 * per_month.drop(8).mean()


def test_mix_knobs() -> None:
    f = datasets.generate(
        n_customers=60, months=6, seed=2, country_mix={"DE": 1.0}, profile_mix={"prompt": 1}
    )
    assert set(f.customers["country"]) == {"DE"}
    assert set(f.customers["profile"]) == {"prompt"}
    assert set(f.invoices["collector"]) <= set(datasets.COUNTRIES["DE"].collectors)


def test_volume_knobs() -> None:
    few = datasets.generate(n_customers=100, months=12, seed=1, invoices_per_month=0.5)
    many = datasets.generate(n_customers=100, months=12, seed=1, invoices_per_month=3.0)
    assert 3 * len(few.invoices) < len(many.invoices)


@pytest.mark.parametrize(
    "params",
    [
        {"n_customers": 0},
        {"months": 0},
        {"months": 2.5},
        {"seed": "x"},
        {"seed": None},
        {"invoices_per_month": 0},
        {"growth": -1},
        {"country_mix": {"XX": 1.0}},
        {"country_mix": {"DE": -1.0}},
        {"profile_mix": {"prompt": 0}},
        {"currency": ""},
        {"start": "2023-13-01"},
    ],
    ids=lambda p: next(iter(p)),
)
def test_bad_arguments(params: dict[str, object]) -> None:
    with pytest.raises(ck.CreditKPIError):
        datasets.generate(**params)  # type: ignore[arg-type]


def test_synthetic_ledger_matches_generate() -> None:
    ledger = datasets.synthetic_ledger(n_customers=30, months=6, seed=9)
    f = datasets.generate(n_customers=30, months=6, seed=9)
    assert list(ledger._cols.invoice_ids) == list(f.invoices["invoice_id"])
    assert ledger.attributes == ["customer_id", "country", "segment", "collector"]


# ----------------------------------------------------------------------------------
# the bundled sample
# ----------------------------------------------------------------------------------


def test_sample_loads_with_expected_span(shipped: datasets.LedgerFrames) -> None:
    ledger = datasets.sample()
    assert ledger.report.issues == []
    first, last = ledger._cols.first_day, ledger._cols.last_day
    assert first is not None and last is not None
    assert str(np.datetime64(first, "D"))[:7] == "2023-01"
    assert str(np.datetime64(int(ledger._cols.issue.max()), "D"))[:7] == "2024-12"
    assert str(np.datetime64(last, "D")) <= "2024-12-31"
    assert 2000 <= ledger.n_invoices <= 8000
    assert len(shipped.customers) == 150
    assert ck.receivables(ledger, "2024-12-31") > 0


def test_sample_is_the_generator_output(shipped: datasets.LedgerFrames) -> None:
    assert_same(shipped, datasets.generate(**datasets.SAMPLE_PARAMS))


def test_regenerating_reproduces_the_shipped_files(tmp_path: Path) -> None:
    written = datasets.write_sample(tmp_path)
    data = resources.files("creditkpi.datasets").joinpath("data")
    assert len(written) == 6
    total = 0
    for path in written:
        assert path.name.startswith(SAMPLE_PREFIX)
        packaged = data.joinpath(path.name).read_bytes()
        assert path.read_bytes() == packaged, path.name
        total += len(packaged)
    assert total < 1_000_000


def test_main_writes_the_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{SAMPLE_PREFIX}{name}.csv" for name in datasets.LedgerFrames.NAMES
    )
    assert "sample_invoices.csv" in capsys.readouterr().out
