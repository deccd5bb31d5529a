"""Dask (and Spark) path: per-partition additive summaries give the single-machine KPIs."""

from __future__ import annotations

import os
import shutil
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import creditkpi as ck
from creditkpi import distributed as ckd
from creditkpi.distributed.ids import partition_numbers
from creditkpi.registry import KPIS, TABLES

PERIODS = ["2023-03", "2023-06", "2023-Q4"]


def make_frames(n: int = 3000, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A small seeded ledger: partial payments, credit notes, write-offs, unapplied cash."""
    rng = np.random.default_rng(seed)
    cust = rng.integers(0, 150, size=n)
    issue = np.datetime64("2022-06-01") + rng.integers(0, 600, size=n).astype("timedelta64[D]")
    terms = rng.choice([0, 30, 60], size=n).astype("timedelta64[D]")
    cents = rng.integers(100, 500_000, size=n)
    inv = pd.DataFrame(
        {
            "invoice_id": [f"INV{i}" for i in range(n)],
            "customer_id": [f"C{c}" for c in cust],
            "issue_date": issue,
            "due_date": issue + terms,
            "amount": cents / 100,
            "country": np.array(["FR", "DE", "IT"])[cust % 3],
        }
    )
    paid = rng.random(n) < 0.8
    rows = np.flatnonzero(paid)
    part = np.maximum(1, (cents[rows] * rng.uniform(0.3, 1.0, rows.size)).astype(np.int64))
    delay = rng.integers(0, 120, size=rows.size).astype("timedelta64[D]")
    kind = rng.choice(["payment", "credit_note", "write_off"], size=rows.size, p=[0.9, 0.07, 0.03])
    pay = pd.DataFrame(
        {
            "invoice_id": inv["invoice_id"].to_numpy()[rows],
            "date": issue[rows] + delay,
            "amount": part / 100,
            "kind": kind,
            "customer_id": None,
        }
    )
    unapplied = pd.DataFrame(
        {
            "invoice_id": None,
            "date": np.datetime64("2023-01-01") + rng.integers(0, 300, 40).astype("timedelta64[D]"),
            "amount": rng.integers(100, 10_000, 40) / 100,
            "kind": "payment",
            "customer_id": [f"C{c}" for c in rng.integers(0, 200, 40)],  # some have no invoice
        }
    )
    return inv, pd.concat([pay, unapplied], ignore_index=True)


def single(inv: pd.DataFrame, pay: pd.DataFrame, by: str | None) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ledger = ck.Ledger.from_frames(inv, pay)
        return ckd.kpis(ckd.summarize(ledger, PERIODS, by=by))


@pytest.fixture(scope="module")
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    return make_frames()


@pytest.mark.parametrize("by", [None, "customer_id", "country"])
def test_split_by_customer_adds_up(
    frames: tuple[pd.DataFrame, pd.DataFrame], by: str | None
) -> None:
    inv, pay = frames
    whole = single(inv, pay, by)
    inv_cust = dict(zip(inv["invoice_id"], inv["customer_id"], strict=True))
    pay_cust = pay["invoice_id"].map(inv_cust).fillna(pay["customer_id"])
    parts = []
    for k in range(3):
        keep_i = inv["customer_id"].str[1:].astype(int) % 3 == k
        keep_p = pay_cust.str[1:].astype(int) % 3 == k
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ledger = ck.Ledger.from_frames(inv[keep_i], pay[keep_p])
        parts.append(ckd.summarize(ledger, PERIODS, by=by))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        combined = ckd.kpis(ckd.combine(parts))
    pd.testing.assert_frame_equal(combined, whole)


def test_long_frame_round_trip(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """The Spark shape: summaries as long frames, concatenated, rebuilt and combined."""
    inv, pay = frames
    half = inv["customer_id"].str[1:].astype(int) % 2 == 0
    inv_cust = dict(zip(inv["invoice_id"], inv["customer_id"], strict=True))
    pay_half = (pay["invoice_id"].map(inv_cust).fillna(pay["customer_id"])).str[1:].astype(
        int
    ) % 2 == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = ckd.summarize(ck.Ledger.from_frames(inv[half], pay[pay_half]), PERIODS, by="country")
        b = ckd.summarize(ck.Ledger.from_frames(inv[~half], pay[~pay_half]), PERIODS, by="country")
        rebuilt = ckd.Summary.from_frame(pd.concat([a.to_frame(), b.to_frame()]))
        expected = ckd.kpis(ckd.combine([a, b]))
        got = ckd.kpis(rebuilt)
    pd.testing.assert_frame_equal(got, expected)
    # the frame is what Summary.SCHEMA declares to Spark: same names, same order, same types
    declared = [field.split() for field in ckd.Summary.SCHEMA.split(",")]
    frame = a.to_frame()
    spark_kinds = {"string": "O", "long": "i", "double": "f"}
    assert [name for name, _ in declared] == list(frame.columns)
    assert [spark_kinds[kind] for _, kind in declared] == [t.kind for t in frame.dtypes]


def test_combine_refuses_different_options(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    inv, pay = frames
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ledger = ck.Ledger.from_frames(inv, pay)
    a = ckd.summarize(ledger, "2023-03")
    b = ckd.summarize(ledger, "2023-04")
    with pytest.raises(ck.CreditKPIError, match="periods"):
        ckd.combine([a, b])


@pytest.mark.parametrize(
    "name", ["aging", "top_customers", "by_dunning_status", "dispute_reasons", "cohorts"]
)
def test_tables_equal_the_ledger_functions(
    frames: tuple[pd.DataFrame, pd.DataFrame], name: str
) -> None:
    """The table KPIs rebuilt from combined partition summaries are the ledger's tables."""
    inv, pay = frames
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ledger = ck.Ledger.from_frames(inv, pay)
        half = inv["customer_id"].str[1:].astype(int) % 2 == 0
        inv_cust = dict(zip(inv["invoice_id"], inv["customer_id"], strict=True))
        pay_cust = pay["invoice_id"].map(inv_cust).fillna(pay["customer_id"])
        pay_half = pay_cust.str[1:].astype(int) % 2 == 0
        parts = [
            ckd.summarize(ck.Ledger.from_frames(inv[keep], pay[pkeep]), PERIODS)
            for keep, pkeep in ((half, pay_half), (~half, ~pay_half))
        ]
        combined = ckd.combine(parts)
        for period in PERIODS:
            got = ckd.table(combined, name, period=period, money="decimal")
            end = ck.Period.parse(period).end
            expected = (
                TABLES[name].function(ledger, end, money="decimal")
                if name != "cohorts"
                else ck.cohorts(ledger, end)
            )
            pd.testing.assert_frame_equal(got, expected, check_dtype=False)


@pytest.fixture(scope="module")
def client():  # type: ignore[no-untyped-def]
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.mark.parametrize("by", [None, "country"])
def test_payment_delays_match_the_metric(
    frames: tuple[pd.DataFrame, pd.DataFrame], by: str | None
) -> None:
    """The summary carries payment delays: kpis gives ck.payment_delays' figures."""
    inv, pay = frames
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ledger = ck.Ledger.from_frames(inv, pay)
        table = ckd.kpis(ckd.summarize(ledger, PERIODS, by=by))
        direct = ck.payment_delays(ledger, PERIODS, by=by)
    assert direct["payments"].sum() > 0
    if by is not None:  # same rows, whatever order each side lists the groups in
        direct.index = direct.index.set_names(["period", "group"])
        direct = direct.reindex(table.index)
    for column in ("days_to_pay", "days_late", "share_paid_late"):
        got = table[column].to_numpy()
        np.testing.assert_array_equal(got, direct[column].to_numpy(dtype=np.float64))


@pytest.mark.parametrize("by", [None, "customer_id", "country"])
def test_dask_local_cluster_equals_single_machine(
    client,
    frames: tuple[pd.DataFrame, pd.DataFrame],
    by: str | None,  # type: ignore[no-untyped-def]
) -> None:
    dd = pytest.importorskip("dask.dataframe")
    inv, pay = frames
    expected = single(inv, pay, by)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = ckd.from_dask(
            dd.from_pandas(inv, npartitions=3),
            dd.from_pandas(pay, npartitions=4),
            periods=PERIODS,
            by=by,
        )
        got = ckd.kpis(summary)
    pd.testing.assert_frame_equal(got, expected)


def test_dask_prepartitioned(client, frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:  # type: ignore[no-untyped-def]
    dd = pytest.importorskip("dask.dataframe")
    inv, pay = frames
    expected = single(inv, pay, "country")
    inv_cust = dict(zip(inv["invoice_id"], inv["customer_id"], strict=True))
    pay_cust = pay["invoice_id"].map(inv_cust).fillna(pay["customer_id"])
    inv_parts = [inv[inv["customer_id"].str[1:].astype(int) % 2 == k] for k in range(2)]
    pay_parts = [pay[pay_cust.str[1:].astype(int) % 2 == k] for k in range(2)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = ckd.kpis(
            ckd.from_dask(
                dd.from_delayed([client.scatter(p) for p in inv_parts], meta=inv.iloc[:0]),
                dd.from_delayed([client.scatter(p) for p in pay_parts], meta=pay.iloc[:0]),
                periods=PERIODS,
                by="country",
                partitioned=True,
            )
        )
    pd.testing.assert_frame_equal(got, expected)


def test_dask_invoice_id_in_two_partitions_is_a_duplicate(  # type: ignore[no-untyped-def]
    client, frames: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    """An id used by two customers, so in two partitions, is reported like on one machine."""
    dd = pytest.importorskip("dask.dataframe")
    inv, pay = frames
    first, second = inv.iloc[:1500], inv.iloc[1500:].copy()
    second.iloc[0, second.columns.get_loc("invoice_id")] = first["invoice_id"].iloc[7]
    pays = [pay.iloc[:0], pay.iloc[:0]]
    with warnings.catch_warnings(), pytest.raises(ck.CreditKPIError, match="across") as info:
        warnings.simplefilter("ignore")
        ckd.from_dask(
            dd.from_delayed([client.scatter(p) for p in (first, second)], meta=inv.iloc[:0]),
            dd.from_delayed([client.scatter(p) for p in pays], meta=pay.iloc[:0]),
            periods=PERIODS,
            partitioned=True,
        )
    assert info.value.rule == "duplicate-invoice-id"
    assert info.value.ids == (inv["invoice_id"].iloc[7],)


def test_dask_ids_compare_as_text_across_partitions(  # type: ignore[no-untyped-def]
    client, frames: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    """611365 in one partition and "611365" in another are one id used twice."""
    dd = pytest.importorskip("dask.dataframe")
    inv, pay = frames
    first, second = inv.iloc[:10].copy(), inv.iloc[10:20].copy()
    first["invoice_id"] = pd.Series(list(range(611360, 611370)), index=first.index, dtype=object)
    second["invoice_id"] = pd.Series(
        [str(k) for k in range(611365, 611375)], index=second.index, dtype=object
    )
    pays = [pay.iloc[:0], pay.iloc[:0]]
    with warnings.catch_warnings(), pytest.raises(ck.CreditKPIError, match="across") as info:
        warnings.simplefilter("ignore")
        ckd.from_dask(
            dd.from_delayed([client.scatter(p) for p in (first, second)], meta=first.iloc[:0]),
            dd.from_delayed([client.scatter(p) for p in pays], meta=pay.iloc[:0]),
            periods=PERIODS,
            partitioned=True,
        )
    assert sorted(info.value.ids) == [str(k) for k in range(611365, 611370)]


def test_dask_shuffle_joins_payments_on_the_id_text(  # type: ignore[no-untyped-def]
    client, frames: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    """partitioned=False: integer invoice ids, payments naming them as text, as on one machine."""
    dd = pytest.importorskip("dask.dataframe")
    inv, pay = frames
    inv = inv.assign(invoice_id=inv["invoice_id"].str[3:].astype(np.int64) + 611_000)
    pay = pay.assign(
        invoice_id=pay["invoice_id"].map(lambda i: None if i is None else str(int(i[3:]) + 611_000))
    )
    expected = single(inv, pay, "customer_id")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = ckd.from_dask(
            dd.from_pandas(inv, npartitions=3),
            dd.from_pandas(pay, npartitions=2),
            periods=PERIODS,
            by="customer_id",
            npartitions=5,
        )
    got = ckd.kpis(summary)
    pd.testing.assert_frame_equal(got, expected)
    assert got["days_to_pay"].notna().sum() > 100  # the payments did find their invoices


def test_dask_shuffle_invoice_id_under_two_customers(  # type: ignore[no-untyped-def]
    client, frames: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    """partitioned=False: an id under two customers (two partitions) is the duplicate error."""
    dd = pytest.importorskip("dask.dataframe")
    inv, pay = frames
    twice = inv.copy()
    parts = partition_numbers(inv["customer_id"], 4)
    other = np.flatnonzero(parts != parts[7])[20]  # another customer, in another partition
    twice.iloc[other, twice.columns.get_loc("invoice_id")] = inv["invoice_id"].iloc[7]
    with warnings.catch_warnings(), pytest.raises(ck.CreditKPIError, match="across") as info:
        warnings.simplefilter("ignore")
        ckd.from_dask(
            dd.from_pandas(twice, npartitions=3),
            dd.from_pandas(pay, npartitions=2),
            periods=PERIODS,
            npartitions=4,
        )
    assert info.value.rule == "duplicate-invoice-id"
    assert info.value.ids == (inv["invoice_id"].iloc[7],)


def bad_frames(
    frames: tuple[pd.DataFrame, pd.DataFrame], rule: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The frames with one row breaking ``rule``: a due date before issue, a payment's customer."""
    inv, pay = frames[0].copy(), frames[1].copy()
    if rule == "due-before-issue":
        inv.loc[5, "due_date"] = inv.loc[5, "issue_date"] - pd.Timedelta(days=3)
    else:  # a payment of invoice 5 naming another customer
        row = pay.index[pay["invoice_id"] == inv.loc[5, "invoice_id"]][0]
        pay.loc[row, "customer_id"] = "C9999"
    return inv, pay


@pytest.mark.parametrize("rule", ["due-before-issue", "customer-mismatch"])
def test_dask_bad_input_is_the_ledger_error(  # type: ignore[no-untyped-def]
    client, frames: tuple[pd.DataFrame, pd.DataFrame], rule: str
) -> None:
    """A partition's bad input reaches the driver as the error one machine gives."""
    dd = pytest.importorskip("dask.dataframe")
    inv, pay = bad_frames(frames, rule)
    with warnings.catch_warnings(), pytest.raises(ck.CreditKPIError) as alone:
        warnings.simplefilter("ignore")
        ck.Ledger.from_frames(inv, pay)
    with warnings.catch_warnings(), pytest.raises(ck.CreditKPIError) as info:
        warnings.simplefilter("ignore")
        ckd.from_dask(
            dd.from_pandas(inv, npartitions=3),
            dd.from_pandas(pay, npartitions=2),
            periods=PERIODS,
        )
    assert type(info.value) is type(alone.value)
    assert (info.value.rule, info.value.column, info.value.ids) == (
        rule, alone.value.column, alone.value.ids,
    )  # fmt: skip
    assert str(info.value) == str(alone.value)


def _reference_hash(text: str) -> int:
    """The hash of ``ckd.text_hashes``, one character at a time."""
    m, data = 2**64, text.encode()
    h = 0
    for j, byte in enumerate(data):
        h = (h + (byte + 1) * pow(0x100000001B3, j, m)) % m
    h ^= (len(data) * 0x9E3779B97F4A7C15) % m
    h ^= h >> 30
    h = (h * 0xBF58476D1CE4E5B9) % m
    h ^= h >> 27
    h = (h * 0x94D049BB133111EB) % m
    return h ^ (h >> 31)


@given(st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=40), st.integers(0, 5))
def test_text_hashes_are_the_hash_of_each_text(texts: list[str], skip: int) -> None:
    pa = pytest.importorskip("pyarrow")
    array = pa.array(["pad"] * skip + texts, type=pa.large_string()).slice(skip)
    got = ckd.text_hashes(array).tolist()
    assert got == [_reference_hash(t) for t in texts]


def test_duplicate_ids_compare_the_texts_of_equal_hashes() -> None:
    """Hash collisions are not duplicates: only equal texts are."""
    pa = pytest.importorskip("pyarrow")
    same = np.zeros  # every hash equal: the texts decide
    pieces = [
        (same(3, dtype=np.uint64), pa.array(["F1", "F2", "F3"], type=pa.large_string())),
        (same(2, dtype=np.uint64), pa.array(["F3", "F4"], type=pa.large_string())),
        (same(0, dtype=np.uint64), pa.array([], type=pa.large_string())),
    ]
    assert ckd.duplicate_ids(pieces) == ["F3"]
    assert ckd.duplicate_ids(pieces[:1]) == []
    distinct = [(ckd.text_hashes(p[1]), p[1]) for p in pieces]
    assert ckd.duplicate_ids(distinct) == ["F3"]


READS: list[int] = []


def _counted_read(k: int, parts: list[pd.DataFrame]) -> pd.DataFrame:
    READS.append(k)
    return parts[k]


def test_dask_reads_each_partition_once(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """Partitioned tables: the summaries and the id count share the partitions, read once."""
    dask = pytest.importorskip("dask")
    dd = pytest.importorskip("dask.dataframe")
    inv, pay = frames
    owner = pay["invoice_id"].map(dict(zip(inv["invoice_id"], inv["customer_id"], strict=True)))
    bucket = owner.fillna(pay["customer_id"]).str[1:].astype(int) % 3
    inv_parts = [inv[inv["customer_id"].str[1:].astype(int) % 3 == k] for k in range(3)]
    pay_parts = [pay[bucket == k] for k in range(3)]
    READS.clear()
    in_process = {"scheduler": "sync", "dataframe.shuffle.method": "tasks"}  # (reads counted here)
    with dask.config.set(in_process), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = ckd.from_dask(
            dd.from_map(_counted_read, range(3), parts=inv_parts, meta=inv.iloc[:0]),
            dd.from_map(_counted_read, range(3), parts=pay_parts, meta=pay.iloc[:0]),
            periods=PERIODS,
            partitioned=True,
        )
        expected = single(inv, pay, None)
    assert sorted(READS) == [0, 0, 1, 1, 2, 2]  # three invoice and three payment partitions
    pd.testing.assert_frame_equal(ckd.kpis(got), expected)


SPARK_NOISE = [
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]


@pytest.fixture(scope="module")
def spark():  # type: ignore[no-untyped-def]
    """A local Spark session (two cores) whose Python workers run this interpreter."""
    if shutil.which("java") is None:
        pytest.skip("no Java runtime")
    pytest.importorskip(
        "pyspark",
        reason="pyspark is not installed (the spark extra; .ci/run installs it where Java is)",
    )
    from pyspark.sql import SparkSession

    # the workers run this interpreter (the one with creditkpi), not the PATH's python3
    saved = {k: os.environ.get(k) for k in ("PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON")}
    os.environ.update(PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("creditkpi")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def spark_tables(spark, inv: pd.DataFrame, pay: pd.DataFrame):  # type: ignore[no-untyped-def]
    """The frames as a database would hand them to Spark: DATE and DECIMAL(18, 2) columns."""
    from pyspark.sql import functions as F

    si = spark.createDataFrame(
        inv.assign(issue_date=inv["issue_date"].astype(str), due_date=inv["due_date"].astype(str))
    )
    si = si.select(
        "invoice_id", "customer_id", F.to_date("issue_date").alias("issue_date"),
        F.to_date("due_date").alias("due_date"), F.col("amount").cast("decimal(18,2)"), "country",
    )  # fmt: skip
    sp = spark.createDataFrame(pay.assign(date=pay["date"].astype(str)))  # text dates
    sp = sp.withColumn("amount", F.col("amount").cast("decimal(18,2)"))
    return si, sp


@pytest.mark.parametrize("by", [None, "customer_id", "country"])
@SPARK_NOISE[0]
@SPARK_NOISE[1]
def test_spark_equals_single_machine(  # type: ignore[no-untyped-def]
    spark, frames: tuple[pd.DataFrame, pd.DataFrame], by: str | None
) -> None:
    """Every KPI of the registry (and, for the whole book, every table) as on one machine."""
    inv, pay = frames
    si, sp = spark_tables(spark, inv, pay)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = ckd.from_spark(si, sp, periods=PERIODS, by=by, npartitions=3)
        got = ckd.kpis(summary)
        ledger = ck.Ledger.from_frames(inv, pay)
        alone = ckd.summarize(ledger, PERIODS, by=by)
    expected = ckd.kpis(alone)
    assert set(KPIS) - set(got.columns) == {"cost_per_euro"}  # (kpis(costs=) gives it)
    pd.testing.assert_frame_equal(got, expected)
    assert len(summary.issues) == len(alone.issues)
    if by is not None:
        return
    tables = [name for name, spec in TABLES.items() if spec.distributed is None]
    # rows per customer or per invoice, not sums: computed on each partition and concatenated;
    # the top customers by overdue amount: a summary keeps the largest by balance only
    assert set(TABLES) - set(tables) == {
        "payer_profiles",
        "late_payment_claims",
        "top_overdue_customers",
        "open_items",
    }
    for name in tables:
        for period in PERIODS:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                got_table = ckd.table(summary, name, period=period, money="decimal")
                expected_table = ckd.table(alone, name, period=period, money="decimal")
            pd.testing.assert_frame_equal(got_table, expected_table, obj=f"{name} {period}")


@SPARK_NOISE[0]
@SPARK_NOISE[1]
def test_spark_ids_compare_as_text(  # type: ignore[no-untyped-def]
    spark, frames: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    """Integer invoice ids, payments naming them as text, and no payments table at all."""
    inv, pay = frames
    inv = inv.assign(invoice_id=inv["invoice_id"].str[3:].astype(np.int64) + 611_000)
    pay = pay.assign(
        invoice_id=pay["invoice_id"].map(lambda i: None if i is None else str(int(i[3:]) + 611_000))
    )
    si, sp = spark_tables(spark, inv, pay)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = ckd.kpis(ckd.from_spark(si, sp, periods=PERIODS, npartitions=3))
        nothing_paid = ckd.kpis(ckd.from_spark(si, periods=PERIODS, npartitions=2))
        expected = ckd.kpis(ckd.summarize(ck.Ledger.from_frames(inv, pay), PERIODS))
        unpaid = ckd.kpis(ckd.summarize(ck.Ledger.from_frames(inv, []), PERIODS))
    pd.testing.assert_frame_equal(got, expected)
    pd.testing.assert_frame_equal(nothing_paid, unpaid)


@SPARK_NOISE[0]
@SPARK_NOISE[1]
def test_spark_invoice_id_under_two_customers(  # type: ignore[no-untyped-def]
    spark, frames: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    """An id under two customers (two buckets) is the one-machine duplicate-invoice-id error."""
    inv, pay = frames
    twice = inv.copy()
    for source in (7, 8):  # an invoice of another customer takes the id of invoice 7, of 8
        other = np.flatnonzero(inv["customer_id"] != inv["customer_id"].iloc[source])[10 + source]
        twice.iloc[other, twice.columns.get_loc("invoice_id")] = inv["invoice_id"].iloc[source]
    si, sp = spark_tables(spark, twice, pay)
    with warnings.catch_warnings(), pytest.raises(ck.CreditKPIError, match="across") as info:
        warnings.simplefilter("ignore")
        ckd.from_spark(si, sp, periods=PERIODS, npartitions=3)
    assert info.value.rule == "duplicate-invoice-id"
    assert info.value.ids == tuple(sorted(inv["invoice_id"].iloc[7:9]))
    assert info.value.count == 2


@pytest.mark.parametrize("rule", ["due-before-issue", "customer-mismatch"])
@SPARK_NOISE[0]
@SPARK_NOISE[1]
def test_spark_bad_input_is_the_ledger_error(  # type: ignore[no-untyped-def]
    spark, frames: tuple[pd.DataFrame, pd.DataFrame], rule: str
) -> None:
    """A bucket's bad input reaches the driver as the error one machine gives, not a Spark one."""
    inv, pay = bad_frames(frames, rule)
    with warnings.catch_warnings(), pytest.raises(ck.CreditKPIError) as alone:
        warnings.simplefilter("ignore")
        ck.Ledger.from_frames(inv, pay)
    si, sp = spark_tables(spark, inv, pay)
    with warnings.catch_warnings(), pytest.raises(ck.CreditKPIError) as info:
        warnings.simplefilter("ignore")
        ckd.from_spark(si, sp, periods=PERIODS, npartitions=3)
    assert type(info.value) is type(alone.value)
    assert (info.value.rule, info.value.column, info.value.ids) == (
        rule, alone.value.column, alone.value.ids,
    )  # fmt: skip
    assert str(info.value) == str(alone.value)


def test_only_some_kpis(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """A summary of a few KPIs carries their parts only, and finishes them alike."""
    inv, pay = frames
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ledger = ck.Ledger.from_frames(inv, pay)
        full = ckd.kpis(ckd.summarize(ledger, PERIODS, by="country"))
        small = ckd.summarize(ledger, PERIODS, by="country", only=["dso", "countback_dso", "cei"])
        part = ckd.kpis(small)
    assert list(part.columns) == ["dso", "countback_dso", "cei"]
    pd.testing.assert_frame_equal(part, full[["dso", "countback_dso", "cei"]])
    assert len(small.tables["survival"]) == 0 and len(small.tables["reasons"]) == 0
    with pytest.raises(ck.CreditKPIError, match="does not carry"):
        ckd.table(small, "aging")
    with pytest.raises(ck.CreditKPIError, match="unknown: nope"):
        ckd.summarize(ledger, PERIODS, only=["dso", "nope"])


def test_default_bucket_parts_under_other_buckets() -> None:
    """The default buckets' labels are parts whatever the edges of a summary or a computation."""
    from creditkpi.core.groups import group_codes
    from creditkpi.core.parts import LedgerParts, Settings
    from creditkpi.core.period import to_day

    inv, pay = make_frames(600)
    ledger = ck.Ledger.from_frames(inv, pay)
    end = ck.Period.parse("2023-06").end
    whole = group_codes(ledger, None)
    default = LedgerParts(ledger, whole, dates=[end]).value("91+")
    other = LedgerParts(ledger, whole, dates=[end], settings=Settings(edges=(15, 45)))
    assert other.value("91+").tolist() == default.tolist()
    assert int(default[0, 0]) > 0
    assert to_day(end) > 0
    # a summary made with other buckets still carries the default labels its KPIs read
    summary = ckd.summarize(ledger, "2023-06", buckets=(15, 45))
    assert ckd.SummaryParts(summary, summary.periods).value("91+").tolist() == default.tolist()
    table = ckd.kpis(summary)
    assert table.loc[("2023-06", "all"), "over_90_days_rate"] == ck.over_90_days_rate(ledger, end)
    # a part a summary does not carry is an error, never a silent zero
    bare = ckd.summarize(ledger, "2023-06", only=["receivables"])
    with pytest.raises(ck.CreditKPIError, match="does not carry the part"):
        ckd.SummaryParts(bare, bare.periods).value("disputed")


# ------------------------------------------- the optional tables: disputes ... cover

SIDE = ("disputes", "statuses", "doubtful", "limits", "cover")


def make_side(inv: pd.DataFrame, pay: pd.DataFrame, seed: int = 11) -> dict[str, pd.DataFrame]:
    """Disputes, dunning statuses, doubtful classifications, limits and cover of ``make_frames``.

    Two status events per invoice with events (some on one day: the later row
    is the status), provisions given or not, limit histories and covers of
    customers with invoices and of customers with unapplied cash only.
    """
    rng = np.random.default_rng(seed)
    n = len(inv)
    ids, issue, due = inv["invoice_id"].to_numpy(), inv["issue_date"].to_numpy(), inv["due_date"]

    def days(k: int, lo: int, hi: int) -> np.ndarray:
        return rng.integers(lo, hi, size=k).astype("timedelta64[D]")

    rows = np.flatnonzero(rng.random(n) < 0.12)
    opened = issue[rows] + days(rows.size, 0, 60)
    disputes = pd.DataFrame(
        {
            "invoice_id": ids[rows],
            "opened": opened,
            "resolved": np.where(
                rng.random(rows.size) < 0.5, opened + days(rows.size, 0, 90), np.datetime64("NaT")
            ),
            "reason": rng.choice(["price", "quality", "delivery", ""], size=rows.size),
        }
    )
    rows = np.repeat(np.flatnonzero(rng.random(n) < 0.25), 2)
    statuses = pd.DataFrame(
        {
            "invoice_id": ids[rows],
            "date": due.to_numpy()[rows] + days(rows.size, 1, 20),
            "status": rng.choice(["reminder 1", "reminder 2", "formal notice"], size=rows.size),
        }
    )
    rows = np.flatnonzero(rng.random(n) < 0.06)
    provision = np.round(inv["amount"].to_numpy()[rows] * rng.uniform(0, 1, rows.size), 2)
    doubtful = pd.DataFrame(
        {
            "invoice_id": ids[rows],
            "date": due.to_numpy()[rows] + days(rows.size, 30, 200),
            "provision": np.where(rng.random(rows.size) < 0.3, np.nan, provision),
        }
    )
    held = sorted(set(inv["customer_id"]) | set(pay["customer_id"].dropna()))
    limits = pd.DataFrame(
        [
            (c, np.datetime64("2022-01-01") + int(day), int(cents) / 100)
            for c in held
            if rng.random() < 0.7
            for day, cents in zip(
                rng.choice(700, size=int(rng.integers(1, 4)), replace=False),
                rng.integers(0, 3_000_000, size=3),
                strict=False,
            )
        ],
        columns=["customer_id", "date", "amount"],
    )
    covered = [c for c in held if rng.random() < 0.5]
    k = len(covered)
    start = np.datetime64("2022-03-01") + days(k, 0, 300)
    cover = pd.DataFrame(
        {
            "customer_id": covered,
            "start": start,
            "amount": rng.integers(0, 2_000_000, k) / 100,
            "end": np.where(rng.random(k) < 0.5, start + days(k, 100, 400), np.datetime64("NaT")),
            "share": rng.choice(["0.5", "0.9", "0.95", "1"], size=k),
            "declare_within": rng.choice([30, 60, 90], size=k),
            "insurer": rng.choice(["Allianz Trade", "Coface"], size=k),
        }
    )
    return {"disputes": disputes, "statuses": statuses, "doubtful": doubtful, "limits": limits,
            "cover": cover}  # fmt: skip


@pytest.fixture(scope="module")
def side(frames: tuple[pd.DataFrame, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return make_side(*frames)


def whole(inv: pd.DataFrame, pay: pd.DataFrame, side: dict[str, pd.DataFrame]) -> ck.Ledger:
    """The book on one machine, every table given."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ck.Ledger.from_frames(
            inv, pay, side["disputes"], side["statuses"], side["doubtful"],
            limits=side["limits"], cover=side["cover"],
        )  # fmt: skip


def assert_every_kpi_and_table(
    summary: ckd.Summary, alone: ckd.Summary, bare: ckd.Summary, by: str | None
) -> None:
    """Every KPI of the registry, and every additive table, as one machine gives them.

    ``bare`` is the book without its optional tables: every KPI that needs
    one of them differs from it (the tables did reach the partitions).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got, expected, without = ckd.kpis(summary), ckd.kpis(alone), ckd.kpis(bare)
    assert set(KPIS) - set(got.columns) == {"cost_per_euro"}  # (kpis(costs=) gives it)
    pd.testing.assert_frame_equal(got, expected)
    needs = [k.name for k in KPIS.values() if set(k.requires) & set(SIDE)]
    assert len(needs) >= 12
    for name in needs:
        assert not got[name].equals(without[name]), name
    if by is not None:
        return
    for name in [n for n, spec in TABLES.items() if spec.distributed is None]:
        for period in PERIODS:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                got_table = ckd.table(summary, name, period=period, money="decimal")
                expected_table = ckd.table(alone, name, period=period, money="decimal")
            pd.testing.assert_frame_equal(got_table, expected_table, obj=f"{name} {period}")


def owners(inv: pd.DataFrame) -> dict[str, str]:
    return dict(zip(inv["invoice_id"], inv["customer_id"], strict=True))


def written_by_customer(frame: pd.DataFrame, name: str, owner: dict[str, str], parts: int = 3):  # type: ignore[no-untyped-def]
    """A table as a dataset written by customer (``C<n>``: part ``n % parts``): a Dask frame.

    A row whose invoice or customer is unknown goes to the part of its position.
    """
    dd = pytest.importorskip("dask.dataframe")
    if name in ("invoices", "limits", "cover"):
        customer = frame["customer_id"]
    else:
        customer = frame["invoice_id"].map(owner)
        if name == "payments":
            customer = customer.fillna(frame["customer_id"])
    number = pd.to_numeric(customer.str[1:], errors="coerce")
    part = number.fillna(pd.Series(np.arange(len(frame)), index=frame.index)).astype(int) % parts
    pieces = [frame[part == k] for k in range(parts)]
    return dd.from_map(_piece, range(parts), pieces=pieces, meta=frame.iloc[:0])


def _piece(k: int, pieces: list[pd.DataFrame]) -> pd.DataFrame:
    return pieces[k]


def in_part_order(frame: pd.DataFrame, name: str, owner: dict[str, str]) -> pd.DataFrame:
    """The rows in the order of ``written_by_customer``'s dataset (part by part)."""
    parts = written_by_customer(frame, name, owner).to_delayed()
    return pd.concat([p.compute(scheduler="sync") for p in parts])


@pytest.mark.parametrize(
    ("partitioned", "small", "by"),
    [
        (False, False, None),
        (False, False, "customer_id"),
        (False, True, None),
        (True, False, None),
        (True, True, "country"),
    ],
    ids=[
        "shuffled",
        "shuffled-by-customer",
        "shuffled-pandas-limits",
        "written-by-customer",
        "written-pandas-limits-by-country",
    ],
)
def test_dask_every_table_equals_single_machine(  # type: ignore[no-untyped-def]
    client,
    frames: tuple[pd.DataFrame, pd.DataFrame],
    side: dict[str, pd.DataFrame],
    partitioned: bool,
    small: bool,
    by: str | None,
) -> None:
    """Disputes, statuses, doubtful, limits and cover through Dask: every KPI as on one machine.

    Shuffled, or written by customer; limits and cover as Dask frames, or as
    small pandas frames (cut on the driver, or given to every partition).
    """
    dd = pytest.importorskip("dask.dataframe")
    inv, pay = frames
    alone = ckd.summarize(whole(inv, pay, side), PERIODS, by=by)
    bare = ckd.summarize(whole(inv, pay, dict.fromkeys(SIDE)), PERIODS, by=by)  # type: ignore[arg-type]
    owner = owners(inv)

    def dask_table(name: str, frame: pd.DataFrame) -> object:
        if small and name in ("limits", "cover"):
            return frame
        if partitioned:
            return written_by_customer(frame, name, owner)
        return dd.from_pandas(frame, npartitions=2)

    tables = {name: dask_table(name, frame) for name, frame in side.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = ckd.from_dask(
            dask_table("invoices", inv) if partitioned else dd.from_pandas(inv, npartitions=3),
            dask_table("payments", pay) if partitioned else dd.from_pandas(pay, npartitions=2),
            periods=PERIODS,
            by=by,
            partitioned=partitioned,
            **tables,
        )
    assert_every_kpi_and_table(summary, alone, bare, by)
    assert len(summary.issues) == len(alone.issues)


#: rows spread over the tables (so over the partitions) that break a key rule
BROKEN_ROWS = [3, 41, 97, 150, 151, 180, 222]
#: the key rules of the tables: "table:kind", kind "unknown" (a key no partition
#: holds: unknown-invoice, unknown-customer) or "missing" (no key: missing-value)
KEY_RULES = ["payments:unknown"] + [f"{t}:{k}" for t in SIDE for k in ("unknown", "missing")]
#: each rule with the tables as Dask frames, and those of limits and cover as pandas frames too
KEY_CASES = [pytest.param(r, False, id=r) for r in KEY_RULES] + [
    pytest.param(r, True, id=f"{r}-pandas") for r in KEY_RULES if r.startswith(("limits", "cover"))
]


def broken(
    inv: pd.DataFrame, pay: pd.DataFrame, side: dict[str, pd.DataFrame], rule: str
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, pd.DataFrame]]:
    """The tables with the rows of ``BROKEN_ROWS`` breaking ``rule`` ("table:kind").

    Unknown payments name customers of several partitions (their unapplied
    cash would go there).
    """
    table, kind = rule.split(":")
    side = dict(side)
    if table == "payments":
        pay = pay.copy()
        rows = pay.index[pay["invoice_id"].notna()][BROKEN_ROWS]
        pay.loc[rows, "invoice_id"] = [f"NOPE{i}" for i in BROKEN_ROWS]
        pay.loc[rows, "customer_id"] = [f"C{i}" for i in BROKEN_ROWS]
        return inv, pay, side
    frame = side[table].copy()
    key = "customer_id" if table in ("limits", "cover") else "invoice_id"
    rows = frame.index[sorted({r % len(frame) for r in BROKEN_ROWS})]
    frame[key] = frame[key].astype(object)
    frame.loc[rows, key] = None if kind == "missing" else [f"X{r}" for r in rows]
    side[table] = frame
    return inv, pay, side


def one_machine_error(
    inv: pd.DataFrame, pay: pd.DataFrame, side: dict[str, pd.DataFrame]
) -> ck.CreditKPIError:
    with pytest.raises(ck.CreditKPIError) as alone:
        whole(inv, pay, side)
    return alone.value


def adapter_error(adapter, *tables, **options) -> ck.CreditKPIError:  # type: ignore[no-untyped-def]
    """The creditkpi error ``from_dask`` or ``from_spark`` raises on tables (receivables only:
    the errors come from reading the tables), warnings ignored."""
    with warnings.catch_warnings(), pytest.raises(ck.CreditKPIError) as info:
        warnings.simplefilter("ignore")
        adapter(*tables, periods=PERIODS, only=["receivables"], **options)
    return info.value


def dask_error(inv: pd.DataFrame, pay: pd.DataFrame, **tables) -> ck.CreditKPIError:  # type: ignore[no-untyped-def]
    """:func:`adapter_error` of ``from_dask``, invoices in 3 partitions and payments in 2."""
    dd = pytest.importorskip("dask.dataframe")
    return adapter_error(
        ckd.from_dask, dd.from_pandas(inv, npartitions=3), dd.from_pandas(pay, npartitions=2),
        **tables,
    )  # fmt: skip


def assert_same_error(got: ck.CreditKPIError, alone: ck.CreditKPIError, rule: str) -> None:
    assert type(got) is type(alone)
    assert (got.rule, got.column, got.ids, got.count) == (
        alone.rule, alone.column, alone.ids, alone.count,
    )  # fmt: skip
    assert str(got) == str(alone)
    assert got.count == (len(BROKEN_ROWS) if rule.startswith("payments") else got.count)
    assert len(got.ids) == 5  # the first five of rows over several partitions


@pytest.mark.parametrize(("rule", "small"), KEY_CASES)
def test_dask_row_in_no_partition_is_the_ledger_error(  # type: ignore[no-untyped-def]
    client,
    frames: tuple[pd.DataFrame, pd.DataFrame],
    side: dict[str, pd.DataFrame],
    rule: str,
    small: bool,
) -> None:
    """A row whose invoice or customer is in no partition (or that has none), shuffled.

    The error one machine raises, counted over the whole table and naming
    its first rows (their position in the table when they have no key), not
    a row dropped because the join found no partition, nor one partition's
    share of them.
    """
    dd = pytest.importorskip("dask.dataframe")
    inv, pay, bad = broken(*frames, side, rule)
    alone = one_machine_error(inv, pay, bad)
    tables = {
        n: f if small and n in ("limits", "cover") else dd.from_pandas(f, npartitions=3)
        for n, f in bad.items()
    }
    assert_same_error(dask_error(inv, pay, **tables), alone, rule)


@pytest.mark.parametrize(("rule", "small"), KEY_CASES)
def test_dask_written_row_in_no_partition_is_the_ledger_error(  # type: ignore[no-untyped-def]
    client,
    frames: tuple[pd.DataFrame, pd.DataFrame],
    side: dict[str, pd.DataFrame],
    rule: str,
    small: bool,
) -> None:
    """partitioned=True: a row its partition does not hold is the error over the whole table.

    One machine reading the dataset's rows in its order (part by part) raises
    the same error; a pandas table given to every partition is unknown when
    no partition holds its customer.
    """
    inv, pay, bad = broken(*frames, side, rule)
    owner = owners(inv)

    def dataset(name: str, frame: pd.DataFrame, ordered: bool = False) -> object:
        if small and name in ("limits", "cover"):
            return frame
        if ordered:
            return in_part_order(frame, name, owner)
        return written_by_customer(frame, name, owner)

    ordered = {n: dataset(n, f, ordered=True) for n, f in bad.items()}
    alone = one_machine_error(
        in_part_order(inv, "invoices", owner),
        in_part_order(pay, "payments", owner),
        ordered,  # type: ignore[arg-type]
    )
    got = adapter_error(
        ckd.from_dask, dataset("invoices", inv), dataset("payments", pay), partitioned=True,
        **{n: dataset(n, f) for n, f in bad.items()},
    )  # fmt: skip
    assert_same_error(got, alone, rule)


@SPARK_NOISE[0]
@SPARK_NOISE[1]
@pytest.mark.parametrize(
    ("rule", "small"),
    [
        ("payments:unknown", False),
        ("disputes:unknown", False),
        ("statuses:missing", False),
        ("limits:unknown", False),
        ("cover:missing", True),
        ("cover:unknown", True),
    ],
)
def test_spark_row_in_no_bucket_is_the_ledger_error(  # type: ignore[no-untyped-def]
    spark,
    frames: tuple[pd.DataFrame, pd.DataFrame],
    side: dict[str, pd.DataFrame],
    rule: str,
    small: bool,
) -> None:
    """Spark: a row whose invoice or customer is in no bucket, or has none: one machine's error.

    Each key rule once (unknown invoice of a payment and of a side table,
    missing invoice id, unknown and missing customer), limits and cover as
    Spark or pandas frames.
    """
    inv, pay, bad = broken(*frames, side, rule)
    alone = one_machine_error(inv, pay, bad)
    si, sp = spark_tables(spark, inv, pay)
    tables = {
        n: f if small and n in ("limits", "cover") else spark_side_table(spark, n, f)
        for n, f in bad.items()
    }
    assert_same_error(adapter_error(ckd.from_spark, si, sp, npartitions=3, **tables), alone, rule)


#: the date and the money columns of the optional tables
SIDE_DATES = {"disputes": ("opened", "resolved"), "statuses": ("date",), "doubtful": ("date",),
              "limits": ("date",), "cover": ("start", "end")}  # fmt: skip
SIDE_MONEY = {"doubtful": "provision", "limits": "amount", "cover": "amount"}


def spark_side_table(spark, name: str, frame: pd.DataFrame):  # type: ignore[no-untyped-def]
    """An optional table as a database hands it to Spark: DATE and DECIMAL(18, 2) columns."""
    from pyspark.sql import functions as F

    text = frame.copy()
    for column in SIDE_DATES[name]:
        day = frame[column].dt.strftime("%Y-%m-%d").astype(object)
        text[column] = day.where(frame[column].notna(), None)
    money = SIDE_MONEY.get(name)
    if money is not None:
        text[money] = frame[money].astype(object).where(frame[money].notna(), None)
    out = spark.createDataFrame(text)

    def typed(column: str):  # type: ignore[no-untyped-def]
        if column in SIDE_DATES[name]:
            return F.to_date(column).alias(column)
        if column == money:
            return F.col(column).cast("decimal(18,2)").alias(column)
        return F.col(column)

    return out.select(*[typed(c) for c in text.columns])


@pytest.mark.parametrize("small", [False, True], ids=["spark-limits", "pandas-limits"])
@SPARK_NOISE[0]
@SPARK_NOISE[1]
def test_spark_every_table_equals_single_machine(  # type: ignore[no-untyped-def]
    spark, frames: tuple[pd.DataFrame, pd.DataFrame], side: dict[str, pd.DataFrame], small: bool
) -> None:
    """Disputes, statuses, doubtful, limits and cover through Spark: every KPI and table."""
    inv, pay = frames
    si, sp = spark_tables(spark, inv, pay)
    tables = {
        n: f if small and n in ("limits", "cover") else spark_side_table(spark, n, f)
        for n, f in side.items()
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = ckd.from_spark(si, sp, periods=PERIODS, npartitions=3, **tables)
    alone = ckd.summarize(whole(inv, pay, side), PERIODS)
    bare = ckd.summarize(whole(inv, pay, dict.fromkeys(SIDE)), PERIODS)  # type: ignore[arg-type]
    assert_every_kpi_and_table(summary, alone, bare, None)
    assert len(summary.issues) == len(alone.issues)


def test_dask_error_of_a_later_table_waits_for_the_key_rules(  # type: ignore[no-untyped-def]
    client, frames: tuple[pd.DataFrame, pd.DataFrame], side: dict[str, pd.DataFrame]
) -> None:
    """One machine reads the limits after the disputes: a negative limit (one partition's
    error) comes after a dispute of an unknown invoice (set apart by the routing)."""
    dd = pytest.importorskip("dask.dataframe")
    inv, pay, bad = broken(*frames, side, "disputes:unknown")
    limits = bad["limits"].copy()
    limits.loc[limits.index[4], "amount"] = -5.0
    bad["limits"] = limits
    alone = one_machine_error(inv, pay, bad)
    assert alone.rule == "unknown-invoice"
    got = dask_error(inv, pay, **{n: dd.from_pandas(f, npartitions=2) for n, f in bad.items()})
    assert str(got) == str(alone)
    # without the unknown disputes, the negative limit is the error, as on one machine
    bad["disputes"] = side["disputes"]
    alone = one_machine_error(inv, pay, bad)
    got = dask_error(inv, pay, **{n: dd.from_pandas(f, npartitions=2) for n, f in bad.items()})
    assert (type(got), str(got)) == (type(alone), str(alone))
    assert alone.rule == "negative-amount"


def broken_in_partition(
    inv: pd.DataFrame, side: dict[str, pd.DataFrame], table: str, parts: int
) -> dict[str, pd.DataFrame]:
    """Rows of one table breaking a rule its partition checks (a date, a status, an amount).

    Three rows of customers of one partition (of ``parts``, by the customer
    hash), three apart: that partition's error is one machine's.
    """
    side = dict(side)
    frame = side[table].copy()
    key = "customer_id" if table in ("limits", "cover") else "invoice_id"
    customer = frame[key] if key == "customer_id" else frame[key].map(owners(inv))
    part = partition_numbers(customer, parts)
    rows = frame.index[part == part[0]][[0, 3, 6]]
    if table == "disputes":  # resolved before opened
        frame.loc[rows, "resolved"] = frame.loc[rows, "opened"] - pd.Timedelta(days=1)
    elif table == "statuses":  # no status
        frame.loc[rows, "status"] = " "
    elif table == "doubtful":  # a date that is none
        frame["date"] = frame["date"].astype(object)
        frame.loc[rows, "date"] = "not a date"
    else:  # a negative limit or cover amount
        frame.loc[rows, "amount"] = -1.0
    side[table] = frame
    return side


@pytest.mark.parametrize("table", SIDE)
def test_dask_side_table_rule_is_the_ledger_error(  # type: ignore[no-untyped-def]
    client, frames: tuple[pd.DataFrame, pd.DataFrame], side: dict[str, pd.DataFrame], table: str
) -> None:
    """A rule a partition checks on its rows of a side table: one machine's error and rows.

    The rows are in one partition, named in the table's order (the shuffle
    mixes them; the partition reads them again in order before it reports).
    """
    dd = pytest.importorskip("dask.dataframe")
    inv, pay = frames
    bad = broken_in_partition(inv, side, table, 3)
    alone = one_machine_error(inv, pay, bad)
    assert alone.count == 3
    got = dask_error(inv, pay, **{n: dd.from_pandas(f, npartitions=2) for n, f in bad.items()})
    assert (type(got), str(got)) == (type(alone), str(alone))


def test_dask_side_tables_are_checked_before_anything_runs(  # type: ignore[no-untyped-def]
    frames: tuple[pd.DataFrame, pd.DataFrame], side: dict[str, pd.DataFrame]
) -> None:
    """A pandas dispute table, a side table of another partition count, a missing column."""
    dd = pytest.importorskip("dask.dataframe")
    inv, pay = frames
    tables = (dd.from_pandas(inv, npartitions=3), dd.from_pandas(pay, npartitions=3))
    with pytest.raises(TypeError, match=r"disputes= must be a Dask DataFrame.*from_pandas"):
        ckd.from_dask(*tables, periods=PERIODS, disputes=side["disputes"])
    with pytest.raises(ck.CreditKPIError, match="as many statuses partitions") as info:
        ckd.from_dask(
            *tables,
            periods=PERIODS,
            statuses=dd.from_pandas(side["statuses"], npartitions=2),
            partitioned=True,
        )
    assert info.value.column == "partitioned"
    no_id = side["doubtful"].rename(columns={"invoice_id": "number"})
    with pytest.raises(ck.CreditKPIError) as alone:
        ck.Ledger.from_frames(inv, pay, doubtful=no_id)
    with pytest.raises(ck.CreditKPIError) as info:
        ckd.from_dask(
            *tables, periods=PERIODS, doubtful=dd.from_pandas(no_id, npartitions=1), compute=False
        )
    assert (type(info.value), str(info.value)) == (type(alone.value), str(alone.value))


@SPARK_NOISE[0]
@SPARK_NOISE[1]
def test_spark_side_table_rule_is_the_ledger_error(  # type: ignore[no-untyped-def]
    spark, frames: tuple[pd.DataFrame, pd.DataFrame], side: dict[str, pd.DataFrame]
) -> None:
    """Disputes resolved before they are opened, in one bucket: one machine's error and rows."""
    inv, pay = frames
    bad = broken_in_partition(inv, side, "disputes", 3)
    alone = one_machine_error(inv, pay, bad)
    si, sp = spark_tables(spark, inv, pay)
    tables = {n: spark_side_table(spark, n, f) for n, f in bad.items()}
    got = adapter_error(ckd.from_spark, si, sp, npartitions=3, **tables)
    assert (type(got), str(got)) == (type(alone), str(alone))
    assert alone.rule == "resolved-before-opened"


def test_dask_shuffle_reads_each_partition_once(
    frames: tuple[pd.DataFrame, pd.DataFrame], side: dict[str, pd.DataFrame]
) -> None:
    """partitioned=False: the id lookup, the shuffles and the side tables' row counts share
    the reads (the invoices were read once more for the lookup)."""
    dask = pytest.importorskip("dask")
    dd = pytest.importorskip("dask.dataframe")
    inv, pay = frames
    tables = {"invoices": inv, "payments": pay, "disputes": side["disputes"],
              "limits": side["limits"]}  # fmt: skip
    counted = {
        name: dd.from_map(
            _counted_read, range(2), parts=[frame.iloc[0::2], frame.iloc[1::2]], meta=frame.iloc[:0]
        )
        for name, frame in tables.items()
    }
    READS.clear()
    in_process = {"scheduler": "sync", "dataframe.shuffle.method": "tasks"}  # (reads counted here)
    with dask.config.set(in_process), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = ckd.from_dask(
            counted["invoices"], counted["payments"], periods=PERIODS,
            disputes=counted["disputes"], limits=counted["limits"],
        )  # fmt: skip
        expected = ckd.summarize(
            ck.Ledger.from_frames(inv, pay, side["disputes"], limits=side["limits"]), PERIODS
        )
    assert sorted(READS) == [0] * 4 + [1] * 4  # two partitions of each of the four tables
    pd.testing.assert_frame_equal(ckd.kpis(got), ckd.kpis(expected))
