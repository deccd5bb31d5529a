"""Period: closed intervals, month arithmetic from an anchor, parsing."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

import creditkpi as ck
from creditkpi.core.errors import InvalidPeriodError
from creditkpi.core.period import as_date, from_day, to_day


@pytest.mark.parametrize(
    ("text", "start", "end", "days", "label"),
    [
        ("2024-04", date(2024, 4, 1), date(2024, 4, 30), 30, "2024-04"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), 29, "2024-02"),
        ("2023-02", date(2023, 2, 1), date(2023, 2, 28), 28, "2023-02"),
        ("2024-Q2", date(2024, 4, 1), date(2024, 6, 30), 91, "2024-Q2"),
        ("2024q4", date(2024, 10, 1), date(2024, 12, 31), 92, "2024-Q4"),
        ("2024", date(2024, 1, 1), date(2024, 12, 31), 366, "2024"),
        (
            "2024-04-01..2024-04-15",
            date(2024, 4, 1),
            date(2024, 4, 15),
            15,
            "2024-04-01..2024-04-15",
        ),
        (
            "2024-04-10/2024-04-10",
            date(2024, 4, 10),
            date(2024, 4, 10),
            1,
            "2024-04-10..2024-04-10",
        ),
    ],
    ids=["april", "leap-feb", "feb", "quarter", "lower-q", "year", "range", "one-day"],
)
def test_parse(text: str, start: date, end: date, days: int, label: str) -> None:
    p = ck.Period.parse(text)
    assert (p.start, p.end, p.days, str(p)) == (start, end, days, label)


def test_closed_both_ends() -> None:
    p = ck.Period.month(2024, 4)
    assert date(2024, 4, 1) in p
    assert date(2024, 4, 30) in p
    assert date(2024, 3, 31) not in p
    assert date(2024, 5, 1) not in p
    assert "2024-04-10" not in p  # only dates are members
    assert p.before == date(2024, 3, 31)


@pytest.mark.parametrize(
    ("period", "previous"),
    [
        ("2024-03", "2024-02"),
        ("2024-01", "2023-12"),
        ("2024-Q1", "2023-Q4"),
        ("2024", "2023"),
        ("2024-04-11..2024-04-20", "2024-04-01..2024-04-10"),
    ],
)
def test_previous(period: str, previous: str) -> None:
    assert str(ck.Period.parse(period).previous()) == previous


def test_months_anchor_does_not_drift() -> None:
    months = ck.Period.months("2024-01", "2025-03")
    assert len(months) == 15
    assert [m.end.day for m in months[:3]] == [31, 29, 31]
    assert all(a.end.toordinal() + 1 == b.start.toordinal() for a, b in itertools.pairwise(months))


def test_shift_months_keeps_whole_months() -> None:
    assert str(ck.Period.month(2024, 1).shift_months(1)) == "2024-02"
    assert ck.Period.month(2024, 1).shift_months(1).end == date(2024, 2, 29)
    assert str(ck.Period.quarter(2024, 4).shift_months(3)) == "2025-Q1"


@pytest.mark.parametrize("bad", ["2024-13", "April", "2024-Q5", "", "2024-04-31..2024-05-01"])
def test_parse_errors(bad: str) -> None:
    with pytest.raises(InvalidPeriodError, match="invalid-period") as info:
        ck.Period.parse(bad)
    # a period is an argument, not a column of the data
    assert "in argument '" in str(info.value) and "column" not in str(info.value)


def test_end_before_start_is_an_error() -> None:
    with pytest.raises(InvalidPeriodError) as info:
        ck.Period(date(2024, 4, 30), date(2024, 4, 1))
    assert isinstance(info.value, ValueError)
    assert info.value.column == "end"
    assert "2024-04-01" in str(info.value)


def test_day_numbers_round_trip() -> None:
    for d in (date(1970, 1, 1), date(2000, 2, 29), date(2024, 12, 31)):
        assert from_day(to_day(d)) == d
    assert as_date("2024-04-30") == date(2024, 4, 30)


def test_the_first_and_last_supported_months() -> None:
    last = ck.Period.month(9999, 12)
    assert (last.end, str(last), last.n_months) == (date(9999, 12, 31), "9999-12", 1)
    assert str(ck.Period.year(9999)) == "9999" and ck.Period.quarter(9999, 4).days == 92
    first = ck.Period.month(1, 1)
    assert str(first) == "0001-01" and ck.Period.parse("0001-01") == first
    assert str(ck.Period.month(1, 2).previous()) == "0001-01"
    with pytest.raises(InvalidPeriodError, match="starts on 0001-01-01, the first supported date"):
        first.before  # noqa: B018
    with pytest.raises(InvalidPeriodError, match="no period before 0001-01: it starts on"):
        first.previous()
    with pytest.raises(InvalidPeriodError, match="would start before 0001-01-01"):
        ck.Period(date(1, 1, 5), date(1, 1, 20)).previous()


def test_kpis_at_years_1_and_9999_answer_or_name_the_rule() -> None:
    ledger = ck.Ledger.from_records([ck.Invoice("F1", "C", "0001-01-05", "0001-02-04", "10.00")])
    assert str(ck.receivables(ledger, "9999-12-31", money="decimal")) == "10.00"
    assert ck.dso(ledger, "0001-02", method="countback") == 28 + 31  # Feb, then January whole
    with pytest.raises(ck.CreditKPIError, match="invalid-period: period 0001-01 starts on"):
        ck.dso(ledger, "0001-01")
    with pytest.raises(ck.CreditKPIError, match="invalid-option: horizon '13W' from 9999-12-01"):
        ck.collection_forecast(ledger, "9999-12-01")
