"""Id matching and customer codes: every engine (polars, Arrow, pandas) gives the same ledger."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

import creditkpi as ck
from creditkpi.core.ingest import ids

ENGINES = ["polars", "arrow", "pandas"]
COLUMNS = (
    "invoice_ids", "customer", "customer_labels", "settlement_invoice", "settlement_customer",
    "settlement_date", "settlement_amount", "settlement_row",
)  # fmt: skip


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> Iterator[str]:
    previous = ids.ENGINE
    ids.ENGINE = request.param
    yield request.param
    ids.ENGINE = previous


def tables(kind: str, n: int = 2000, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    numbers = rng.permutation(10**7)[:n]
    invoice_ids: Any = {
        "text": [f"INV{k:07d}" for k in numbers],
        "int": numbers,
        "float": numbers.astype(np.float64),
        "arrow": pd.array([f"0{k}" for k in numbers], dtype="str"),
    }[kind]
    customers = [f"C{k}" for k in rng.integers(0, 60, n)]
    inv = pd.DataFrame(
        {
            "invoice_id": invoice_ids,
            "customer_id": customers,
            "issue_date": "2024-01-01",
            "due_date": "2024-01-31",
            "amount": "10.00",
        }
    )
    pick = rng.integers(0, n, 3 * n // 2)
    pay_ids = pd.Series(inv["invoice_id"].to_numpy()[pick], dtype=object)
    pay_ids[:5] = None  # unapplied cash of known and unknown customers
    pay = pd.DataFrame(
        {
            "invoice_id": pay_ids,
            "date": "2024-01-15",
            "amount": "1.00",
            "customer_id": [None] * 5 + [None] * (len(pick) - 5),
        }
    )
    pay.loc[:4, "customer_id"] = ["C1", "C2", "NEW1", "NEW2", "C1"]
    return inv, pay


def build(inv: pd.DataFrame, pay: pd.DataFrame, **options: Any) -> ck.Ledger:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ck.DataQualityWarning)
        return ck.Ledger.from_frames(inv, pay, **options)


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
@pytest.mark.parametrize("kind", ["text", "int", "float", "arrow"])
def test_every_engine_builds_the_same_ledger(engine: str, kind: str) -> None:
    inv, pay = tables(kind)
    ids.ENGINE = None
    want = build(inv, pay)
    ids.ENGINE = engine
    got = build(inv, pay)
    for name in COLUMNS:
        assert getattr(got._cols, name).tolist() == getattr(want._cols, name).tolist(), name
    assert got._cols.customer_labels[-2:].tolist() == ["NEW1", "NEW2"]  # first seen in cash


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_every_engine_finds_duplicates_and_unknown_ids(engine: str) -> None:
    inv, pay = tables("text", n=50)
    doubled = pd.concat([inv, inv.iloc[[3, 7]]], ignore_index=True)
    with pytest.raises(ck.CreditKPIError) as info:
        build(doubled, pay)
    assert info.value.rule == "duplicate-invoice-id"
    assert info.value.ids == (inv["invoice_id"][3], inv["invoice_id"][7])
    stray = pd.concat([pay, pay.iloc[[10]].assign(invoice_id="NOPE")], ignore_index=True)
    with pytest.raises(ck.CreditKPIError) as info:
        build(inv, stray)
    assert info.value.rule == "unknown-invoice" and info.value.ids == ("NOPE",)


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_ids_compare_as_text(engine: str) -> None:
    inv, _ = tables("int", n=20)
    pay = pd.DataFrame(
        {
            "invoice_id": [str(inv["invoice_id"][0]), float(inv["invoice_id"][1]), " "],
            "date": "2024-01-15",
            "amount": "1.00",
            "customer_id": [None, None, "C1"],  # a blank id is missing: unapplied cash
        }
    )
    ledger = build(inv, pay)
    assert sorted(ledger._cols.settlement_invoice.tolist()) == [-1, 0, 1]


@pytest.mark.parametrize(
    ("invoice_ids", "payment_ids", "positions"),
    [
        (["INV1", "INV2", "INV10"], ["INV10", "INV2", "INV01", "INV1 "], [2, 1, None, None]),
        (["F001", "F002", "F010"], ["F010", "F1", "F0010", "G001"], [2, None, None, None]),
        (["INV01", "INV1", "INV2"], ["INV1", "INV01"], [1, 0]),  # not one-to-one: hashed
        (["A7", "B7"], ["B7", "A7"], [1, 0]),  # two prefixes: hashed
        (["123", "9"], ["9", "0123"], [1, None]),  # digits only: the prefix is empty
    ],
    ids=["no-leading-zeros", "fixed-width", "padded-and-not", "two-prefixes", "digits"],
)
def test_prefix_and_number_ids_match_exactly_as_text(
    invoice_ids: list[str], payment_ids: list[str], positions: list[int | None]
) -> None:
    """A text id equals another exactly when their texts are equal, whatever the fast path."""
    n = len(invoice_ids)
    inv = pd.DataFrame(
        {
            "invoice_id": pd.array(invoice_ids, dtype="str"),
            "customer_id": "C",
            "issue_date": "2024-01-01",
            "due_date": "2024-01-31",
            "amount": "10.00",
        }
    )
    pay = pd.DataFrame(
        {
            "invoice_id": pd.array(payment_ids, dtype="str"),
            "date": "2024-01-15",
            "amount": "1.00",
            "customer_id": "C",
        }
    )
    for engine in (None, "pandas"):
        ids.ENGINE = engine
        try:
            ledger = build(inv, pay, unknown_invoices="unapplied")
        finally:
            ids.ENGINE = None
        got = ledger._cols.settlement_invoice[np.argsort(ledger._cols.settlement_row)]
        assert got.tolist() == [-1 if p is None else p for p in positions], engine
        assert ledger.n_invoices == n
