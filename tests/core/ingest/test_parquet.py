"""Ledger.from_parquet: files, Hive-partitioned datasets and book directories, as from_frames."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings

import creditkpi as ck
from creditkpi.core.errors import InvalidOptionError, MissingColumnError, UnreadableFileError
from creditkpi.core.ingest.columns import check_mapping
from creditkpi.core.ingest.parquet import projection

from ...strategies import LedgerSpec, ledger_specs
from .stores import (
    BAD,
    TABLES,
    assert_same_error,
    assert_same_ledger,
    attribute_names,
    book,
    error_of,
    hash_bucket,
    quietly,
    reference,
    spec_frames,
    typed,
)

PARTS = 4


@pytest.fixture(scope="module")
def generated() -> dict[str, pd.DataFrame]:
    return book()


def _write_files(folder: Path, frames: dict[str, pd.DataFrame]) -> dict[str, Path]:
    paths = {}
    for name, frame in frames.items():
        paths[name] = folder / f"{name}.parquet"
        pq.write_table(typed(frame), paths[name])
    return paths


def _customer_of_rows(frames: dict[str, pd.DataFrame]) -> dict[str, pd.Series]:
    """Each row's customer: its own, or its invoice's (payments, disputes, ...)."""
    inv = frames["invoices"]
    owner = dict(zip(inv["invoice_id"], inv["customer_id"], strict=True))
    out = {"invoices": inv["customer_id"]}
    for name, frame in frames.items():
        if name != "invoices":
            mine = frame["invoice_id"].map(owner)
            if "customer_id" in frame.columns:
                mine = mine.fillna(frame["customer_id"])
            out[name] = mine
    return out


def _write_partitioned(folder: Path, frames: dict[str, pd.DataFrame]) -> Path:
    """The book as one Hive-partitioned dataset per table (``part=k``: a customer hash)."""
    owners = _customer_of_rows(frames)
    for name, frame in frames.items():
        table = typed(frame).append_column("part", pa.array(hash_bucket(owners[name], PARTS)))
        pq.write_to_dataset(table, folder / name, partition_cols=["part"])
    return folder


def _by_partition(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The rows in the order a partitioned dataset gives them: part=0, part=1, ..."""
    owners = _customer_of_rows(frames)
    out = {}
    for name, frame in frames.items():
        bucket = hash_bucket(owners[name], PARTS)
        out[name] = pd.concat([frame[bucket == k] for k in range(PARTS)], ignore_index=True)
    return out


def test_files_read_as_from_frames(tmp_path: Path, generated: dict[str, pd.DataFrame]) -> None:
    paths = _write_files(tmp_path, generated)
    got = quietly(lambda: ck.Ledger.from_parquet(*(paths[t] for t in TABLES)))
    assert_same_ledger(got, reference(generated))
    # the directory of the files, given alone, is the whole book; so are its str path
    assert_same_ledger(quietly(lambda: ck.Ledger.from_parquet(str(tmp_path))), got)


def test_partitioned_book_reads_as_from_frames(
    tmp_path: Path, generated: dict[str, pd.DataFrame]
) -> None:
    folder = _write_partitioned(tmp_path / "book", generated)
    attributes = attribute_names(generated["invoices"])
    got = quietly(lambda: ck.Ledger.from_parquet(folder, attributes=attributes))
    assert_same_ledger(got, reference(_by_partition(generated)))
    # by default every invoice column is read: the partition column becomes an attribute
    every = quietly(lambda: ck.Ledger.from_parquet(folder))
    assert "part" in every.attributes
    assert sorted(ck.receivables(every, "2023-06-30", by="part").index) == list(range(PARTS))


@pytest.mark.parametrize("how", ["list", "expression"])
def test_filters_are_pushed_down(
    tmp_path: Path, generated: dict[str, pd.DataFrame], how: str
) -> None:
    """A filter on the partition column reads that partition only: the others are never opened."""
    folder = _write_partitioned(tmp_path / "book", generated)
    for other in (1, 3):  # (the first file gives the dataset its schema: part=0 stays)
        for file in (folder / "payments" / f"part={other}").iterdir():
            file.write_bytes(b"not parquet")  # unreadable, unless pruned
    with pytest.raises(UnreadableFileError, match="payments"):
        ck.Ledger.from_parquet(folder)
    where: Any = [("part", "=", 2)] if how == "list" else pc.field("part") == 2
    attributes = attribute_names(generated["invoices"])
    got = quietly(
        lambda: ck.Ledger.from_parquet(
            folder,
            attributes=attributes,
            filters=dict.fromkeys(TABLES, where),
        )
    )
    owners = _customer_of_rows(generated)
    subset = {
        name: frame[hash_bucket(owners[name], PARTS) == 2].reset_index(drop=True)
        for name, frame in generated.items()
    }
    assert 0 < got.n_invoices < len(generated["invoices"])
    assert_same_ledger(got, reference(subset))


def test_filters_on_columns_not_read(tmp_path: Path, generated: dict[str, pd.DataFrame]) -> None:
    paths = _write_files(tmp_path, {"invoices": generated["invoices"]})
    got = quietly(
        lambda: ck.Ledger.from_parquet(
            paths["invoices"], attributes=[], filters={"invoices": pc.field("country") == "DE"}
        )
    )
    german = generated["invoices"]
    german = german[german["country"] == "DE"].reset_index(drop=True)
    assert got.attributes == ["customer_id"]
    assert got.n_invoices == len(german) > 0
    assert got.invoices["invoice_id"].tolist() == german["invoice_id"].tolist()


def test_a_dataset_object_and_a_list_of_files(
    tmp_path: Path, generated: dict[str, pd.DataFrame]
) -> None:
    folder = _write_partitioned(tmp_path / "book", generated)
    invoices = ds.dataset(folder / "invoices", format="parquet", partitioning="hive")
    files = sorted(str(p) for p in (folder / "payments").rglob("*.parquet"))
    got = quietly(
        lambda: ck.Ledger.from_parquet(
            invoices, files, attributes=attribute_names(generated["invoices"])
        )
    )
    parts = _by_partition({n: generated[n] for n in ("invoices", "payments")})
    want = reference(parts)
    assert_same_ledger(got, want)


def test_projection_reads_the_canonical_columns_only() -> None:
    names = ["number", "customer_id", "issue_date", "due_date", "amount", "country", "memo"]
    mapping = check_mapping({"invoices": {"invoice_id": "number"}})
    assert projection("invoices", names, mapping, None) is None
    assert projection("invoices", names, mapping, ["country"]) == names[:-1]
    pay = ["invoice_id", "date", "amount", "kind", "bank_reference", "customer_id"]
    flat = check_mapping({"date": "paid_on"})
    assert projection("payments", pay, flat, ()) == [
        "invoice_id", "date", "amount", "kind", "customer_id"
    ]  # fmt: skip
    with pytest.raises(MissingColumnError, match="'region'"):
        projection("invoices", names, mapping, ["region"])


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_gives_the_frame_error(tmp_path: Path, case: str) -> None:
    frames = BAD[case]
    want = error_of(lambda: reference(frames))
    paths = _write_files(tmp_path, frames)
    got = error_of(lambda: ck.Ledger.from_parquet(**{n: paths[n] for n in frames}))
    assert_same_error(got, want)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(spec=ledger_specs(max_invoices=15))
def test_random_books_read_as_from_frames(tmp_path: Path, spec: LedgerSpec) -> None:
    frames = spec_frames(spec)
    paths = _write_files(tmp_path, frames)
    got = quietly(lambda: ck.Ledger.from_parquet(*(paths[t] for t in TABLES)))
    assert_same_ledger(got, reference(frames))


def test_unreadable_sources(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="file not found"):
        ck.Ledger.from_parquet(tmp_path / "nowhere.parquet")
    (tmp_path / "notes.parquet").write_text("not parquet")
    with pytest.raises(UnreadableFileError, match="Parquet"):
        ck.Ledger.from_parquet(tmp_path / "notes.parquet")
    with pytest.raises(TypeError, match="cannot read 42"):
        ck.Ledger.from_parquet(42)


def test_bad_options(tmp_path: Path, generated: dict[str, pd.DataFrame]) -> None:
    paths = _write_files(tmp_path, {"invoices": generated["invoices"]})
    inv = paths["invoices"]
    with pytest.raises(InvalidOptionError, match="filters maps 'payments'"):
        ck.Ledger.from_parquet(inv, filters={"payments": [("date", ">", "2023-01-01")]})
    with pytest.raises(InvalidOptionError, match="filters must map"):
        ck.Ledger.from_parquet(inv, filters=[("country", "=", "FR")])  # type: ignore[arg-type]
    with pytest.raises(InvalidOptionError, match="must be a pyarrow expression"):
        ck.Ledger.from_parquet(inv, filters={"invoices": "country = 'FR'"})
    with pytest.raises(InvalidOptionError, match="attributes must be a list"):
        ck.Ledger.from_parquet(inv, attributes="country")
    with pytest.raises(MissingColumnError, match="attributes="):
        ck.Ledger.from_parquet(inv, attributes=["region"])
    with pytest.raises(UnreadableFileError, match="with filters"):
        ck.Ledger.from_parquet(inv, filters={"invoices": pc.field("region") == "x"})
