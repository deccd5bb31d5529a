"""Dates of input columns: layouts, the day/month order, time zones, numbers, every backend."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import numpy as np
import pandas as pd
import pytest

import creditkpi as ck
from creditkpi.core.ingest.dates import DateReader

pa = pytest.importorskip("pyarrow")
IDS = np.asarray([f"F{k}" for k in range(10)], dtype=object)


def read(data: Any, date_format: str | None = None) -> list[str | None]:
    reader = DateReader(date_format)
    parsed = reader.read(data, column="issue_date", ids=IDS)
    reader.finish()
    return [
        None if missing else str(np.datetime64(int(d), "D"))
        for d, missing in zip(parsed.days, parsed.missing, strict=True)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-31", "2024-01-31"),
        ("2024-1-5", "2024-01-05"),
        ("2024-01-31T23:59:59.123456Z", "2024-01-31"),
        ("2024-01-31 08:00", "2024-01-31"),
        ("2024-01-31T08:00:00+05:30", "2024-01-31"),
        ("2024/01/31", "2024-01-31"),
        ("2024.01.31", "2024-01-31"),
        ("31.01.2024", "2024-01-31"),
        ("31-01-2024", "2024-01-31"),
        ("01/31/2024", "2024-01-31"),
        ("1/31/2013 9:05 AM", "2013-01-31"),
        ("31 Jan 2024", "2024-01-31"),
        ("31-jan-2024", "2024-01-31"),
        ("Jan 31, 2024", "2024-01-31"),
        ("31 janvier 2024", "2024-01-31"),
        ("15 févr. 2024", "2024-02-15"),
        ("  2024-01-31 ", "2024-01-31"),
        ("0001-01-01", "0001-01-01"),
        ("9999-12-31", "9999-12-31"),
    ],
)
def test_layouts(text: str, expected: str) -> None:
    assert read(pd.Series([text], dtype=object)) == [expected]
    assert read(pa.array([text])) == [expected]


@pytest.mark.parametrize(
    ("text", "rule", "message"),
    [
        ("2023-02-29", "invalid-date", "no such day"),
        ("2024-01-31 25:00", "invalid-date", "no such day"),
        ("0000-12-31", "invalid-date", "outside the supported range"),
        ("12345-01-01", "invalid-date", "outside the supported range"),
        ("31/01/24", "invalid-date", "two-digit year"),
        ("20240131", "invalid-date", "numbers, not dates"),
        ("soon", "invalid-date", "date_format="),
        ("03/04/2024", "ambiguous-date", "date_format='%d/%m/%Y'"),
    ],
)
def test_what_is_not_a_date(text: str, rule: str, message: str) -> None:
    with pytest.raises(ck.CreditKPIError) as info:
        read(pd.Series([text], dtype=object))
    assert info.value.rule == rule and message in str(info.value)
    assert info.value.values == (text,) and info.value.ids == ("F0",)


def test_missing_cells() -> None:
    assert read(pd.Series(["2024-01-01", None, "", "  ", np.nan], dtype=object)) == [
        "2024-01-01", None, None, None, None,
    ]  # fmt: skip
    assert read(pa.array(["2024-01-01", None, ""])) == ["2024-01-01", None, None]


def test_the_order_is_settled_over_every_column_of_the_call() -> None:
    frame = pd.DataFrame(
        {
            "invoice_id": ["F1", "F2"],
            "customer_id": ["A", "A"],
            "issue_date": ["03/01/2024", "04/02/2024"],  # ambiguous alone
            "due_date": ["03/02/2024", "04/03/2024"],
            "amount": ["1", "2"],
        }
    )
    payments = pd.DataFrame({"invoice_id": ["F1"], "date": ["25/02/2024"], "amount": ["1"]})
    ledger = ck.Ledger.from_frames(frame, payments)  # the payment's 25 proves day-first
    assert ledger.invoices["issue_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-03",
        "2024-02-04",
    ]


def test_a_format_reads_its_layout_and_iso() -> None:
    assert read(pd.Series(["31/01/2024", "2024-02-01"]), "%d/%m/%Y") == ["2024-01-31", "2024-02-01"]
    assert read(pd.Series(["31/01/24"]), "%d/%m/%y") == ["2024-01-31"]
    assert read(pd.Series(["Wed, 31 January 2024"]), "%a, %d %B %Y") == ["2024-01-31"]
    assert read(pd.Series(["2024-031"]), "%Y-%j") == ["2024-01-31"]  # strptime, value by value
    with pytest.raises(ck.CreditKPIError, match="in the format '%d/%m/%Y'"):
        read(pd.Series(["01.31.2024"]), "%d/%m/%Y")


def test_numbers_only_when_asked() -> None:
    assert read(pd.Series([20240131, None], dtype="Int64"), "%Y%m%d") == ["2024-01-31", None]
    assert read(pd.Series(["20240131"]), "%Y%m%d") == ["2024-01-31"]
    assert read(pd.Series([1.0, 59.0, 61.0, 45322.75]), "excel") == [
        "1900-01-01", "1900-02-28", "1900-03-01", "2024-01-31",
    ]  # fmt: skip
    with pytest.raises(ck.CreditKPIError, match="not Excel serial days"):
        read(pd.Series([60.0]), "excel")  # the 1900-02-29 Excel invents
    with pytest.raises(ck.CreditKPIError, match="not YYYYMMDD dates"):
        read(pd.Series([20241331]), "%Y%m%d")


def test_native_columns() -> None:
    wall = datetime(2024, 1, 31, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    aware = pd.Series(pd.to_datetime([wall]))
    assert read(aware) == ["2024-01-31"]  # the wall-clock date, not the UTC one
    objects = pd.Series(
        [date(1, 1, 1), wall, pd.Timestamp("2024-02-01"), np.datetime64("1500-06-01")]
    )
    assert read(objects) == ["0001-01-01", "2024-01-31", "2024-02-01", "1500-06-01"]
    stamps = pa.array([datetime(1600, 1, 1), None], type=pa.timestamp("us"))
    assert read(stamps) == ["1600-01-01", None]
    assert read(pa.array([date(9999, 12, 31)], type=pa.date64())) == ["9999-12-31"]
    zoned = pa.array([datetime(2024, 1, 31, 4, 30)], type=pa.timestamp("s", tz="Asia/Tokyo"))
    assert read(zoned) == ["2024-01-31"]  # 13:30 in Tokyo
    categories = pd.Series(["2024-01-02", "2024-01-01", "2024-01-02"], dtype="category")
    assert read(categories) == ["2024-01-02", "2024-01-01", "2024-01-02"]


def test_mixed_offsets_of_date_objects() -> None:
    east = datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=1)))
    west = datetime(2024, 1, 2, tzinfo=timezone(timedelta(hours=-8)))
    with pytest.raises(ck.CreditKPIError, match=r"mix time zones \(-08:00, \+01:00\)"):
        read(pd.Series([east, west], dtype=object))


def test_long_and_unicode_text() -> None:
    with pytest.raises(ck.CreditKPIError, match="not dates"):
        read(pa.array(["2024-01-01" + " " * 60 + "x"]))
    assert read(pa.array(["\u00a02024-01-31\u00a0"])) == ["2024-01-31"]


def test_chunks_of_a_long_column_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    from creditkpi.core.ingest import text

    values = [f"2024-{1 + k % 12:02d}-{1 + k % 28:02d}" for k in range(50)]
    whole = read(pa.array(values))
    monkeypatch.setattr(text, "CHUNK", 7)
    from creditkpi.core.ingest import dates

    monkeypatch.setattr(dates, "chunks", text.chunks)
    assert read(pa.array(values)) == whole == values


# ----------------------------------------------------------------- categorical columns
def _invoices(**columns: Any) -> pd.DataFrame:
    data: dict[str, Any] = {
        "invoice_id": ["F1", "F2"],
        "customer_id": ["C1", "C2"],
        "issue_date": ["2024-01-05", "2024-01-06"],
        "due_date": ["2024-02-04", "2024-02-05"],
        "amount": ["10.00", "20.00"],
    }
    data.update(columns)
    return pd.DataFrame(data)


def test_a_blank_category_is_a_missing_date_as_the_same_text_is() -> None:
    # a blank cell of a Categorical column is a category "": no date, so an error
    # (it was read as "never": an invoice never due)
    frame = _invoices(due_date=pd.Series(["2024-02-04", ""], dtype="category"))
    with pytest.raises(ck.CreditKPIError) as err:
        ck.Ledger.from_frames(frame)
    assert (err.value.rule, err.value.column, err.value.ids) == (
        "invalid-date",
        "due_date",
        ("F2",),
    )
    text = _invoices(due_date=["2024-02-04", ""])
    with pytest.raises(ck.CreditKPIError) as same:
        ck.Ledger.from_frames(text)
    assert str(same.value) == str(err.value)


def test_only_the_categories_the_rows_use_are_read() -> None:
    # an unused category would prove day-first (13/05) or break the rule (not a date)
    used = ["02/04/2024", "02/05/2024"]
    for unused in ("13/05/2024", "n/a"):
        due = pd.Categorical(used, categories=[*used, unused])
        frame = _invoices(issue_date=["02/01/2024", "02/02/2024"], due_date=due)
        with pytest.raises(ck.CreditKPIError) as err:
            ck.Ledger.from_frames(frame)
        assert err.value.rule == "ambiguous-date"  # as the same text without the category
    proven = _invoices(
        issue_date=["25/01/2024", "02/02/2024"],
        due_date=pd.Categorical(used, categories=["n/a", *used, "13/13/2024"]),
    )
    ledger = ck.Ledger.from_frames(proven)
    assert [str(d.date()) for d in ledger.invoices["due_date"]] == ["2024-04-02", "2024-05-02"]


def test_an_all_empty_categorical_settled_date_is_nothing_settled_yet() -> None:
    frame = _invoices(settled=pd.Categorical([None, None], categories=[]))
    ledger = ck.Ledger.from_invoice_table(frame, settled_date="settled")
    assert (ledger.n_invoices, ledger.n_settlements) == (2, 0)
    frame = _invoices(settled=pd.Categorical([None, "2024-02-01"], categories=["x", "2024-02-01"]))
    ledger = ck.Ledger.from_invoice_table(frame, settled_date="settled")
    assert ledger.settlements["invoice_id"].tolist() == ["F2"]


def test_arrow_dictionary_dates_read_their_values_not_their_dictionary() -> None:
    def column(indices: list[int]) -> Any:
        values = pa.array(["13/01/2024", "02/01/2024", "03/01/2024"])
        return pa.DictionaryArray.from_arrays(pa.array(indices, type=pa.int8()), values)

    with pytest.raises(ck.CreditKPIError, match="ambiguous-date"):
        read(column([1, 2]))  # the unused 13/01/2024 proves nothing
    assert read(column([1, 2, 0])) == ["2024-01-02", "2024-01-03", "2024-01-13"]


def test_one_named_time_zone_across_daylight_saving_time_is_one_zone() -> None:
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    winter, summer = datetime(2024, 3, 20, 10, tzinfo=paris), datetime(2024, 4, 2, 23, tzinfo=paris)
    assert read(pd.Series([winter, summer], dtype=object)) == ["2024-03-20", "2024-04-02"]
    # two fixed offsets are still two zones
    fixed = [winter.astimezone(timezone(timedelta(hours=1))), summer.astimezone(UTC)]
    with pytest.raises(ck.CreditKPIError, match=r"mix time zones \(\+00:00, \+01:00\)"):
        read(pd.Series(fixed, dtype=object))


def test_a_due_date_proves_the_day_month_order_of_the_settled_date() -> None:
    frame = _invoices(
        issue_date=["03/01/2024", "04/01/2024"],
        due_date=["02/02/2024", "25/02/2024"],  # 25: day-first
        settled=["05/02/2024", None],
    )
    ledger = ck.Ledger.from_invoice_table(frame, settled_date="settled")
    assert str(ledger.settlements["date"][0].date()) == "2024-02-05"
    assert str(ledger.invoices["issue_date"][1].date()) == "2024-01-04"
